"""Lesson 6 exercises: the checks pass the right answer and name the classic mistakes."""
import numpy as np
import pytest

from nnutils.exercises import lesson06 as ex
from nnutils.gradcheck import numerical_gradient


def test_reference_forward_normalises_each_feature():
    rng = np.random.default_rng(0)
    x = rng.normal(3, 2, (50, 4))
    y = ex.bn_forward_reference(x, np.ones(4), np.zeros(4))
    np.testing.assert_allclose(y.mean(0), 0, atol=1e-12)
    np.testing.assert_allclose(y.var(0), 1, rtol=1e-5)


def test_reference_backward_matches_numerical_gradient():
    rng = np.random.default_rng(1)
    x, gamma, beta = rng.normal(1, 2, (6, 3)), rng.uniform(0.5, 2, 3), rng.normal(0, 1, 3)
    dout = rng.normal(0, 1, (6, 3))
    loss = lambda _: float((ex.bn_forward_reference(x, gamma, beta) * dout).sum())
    dx, dgamma, dbeta = ex.bn_backward_reference(dout, x, gamma)
    np.testing.assert_allclose(dx, numerical_gradient(loss, x), rtol=1e-5, atol=1e-8)
    np.testing.assert_allclose(dgamma, numerical_gradient(loss, gamma), rtol=1e-5, atol=1e-8)
    np.testing.assert_allclose(dbeta, numerical_gradient(loss, beta), rtol=1e-5, atol=1e-8)


def right_forward(x, gamma, beta, eps=1e-5):
    return gamma * (x - x.mean(0)) / np.sqrt(x.var(0) + eps) + beta


def test_forward_check_passes_a_right_answer():
    assert ex.check_bn_forward(right_forward)


@pytest.mark.parametrize("wrong, words", [
    (lambda x, g, b, eps=1e-5: g * (x - x.mean(0)) / np.sqrt(x.var(0, ddof=1) + eps) + b,
     "unbiased variance"),
    (lambda x, g, b, eps=1e-5: g * (x - x.mean(1, keepdims=True))
     / np.sqrt(x.var(1, keepdims=True) + eps) + b, "axis=0"),
    (lambda x, g, b, eps=1e-5: g * (x - x.mean(0)) / np.sqrt(x.var(0)) + b, "eps is missing"),
    (lambda x, g, b, eps=1e-5: (x - x.mean(0)) / np.sqrt(x.var(0) + eps), "γ and β"),
    (lambda x, g, b, eps=1e-5: None, "returned None"),
])
def test_forward_check_names_the_mistake(wrong, words):
    result = ex.check_bn_forward(wrong)
    assert not result
    assert words in result.message


def stub(*args):
    raise NotImplementedError


def test_checks_report_an_unwritten_function():
    for check in (ex.check_bn_forward, ex.check_bn_backward):
        result = check(stub)
        assert not result and "not written yet" in result.message


def right_backward(dout, x, gamma, eps=1e-5):
    m = x.shape[0]
    std = np.sqrt(x.var(0) + eps)
    xh = (x - x.mean(0)) / std
    dxh = dout * gamma
    dvar = (dxh * (x - x.mean(0)) * -0.5 * std ** -3).sum(0)     # the staged graph, written out
    dmu = (-dxh / std).sum(0) + dvar * (-2 * (x - x.mean(0))).mean(0)
    dx = dxh / std + dvar * 2 * (x - x.mean(0)) / m + dmu / m
    return dx, (dout * xh).sum(0), dout.sum(0)


def test_backward_check_passes_a_right_answer():
    assert ex.check_bn_backward(right_backward)


def test_backward_check_names_the_mistakes():
    def constant_stats(dout, x, gamma, eps=1e-5):
        dx, dg, db = right_backward(dout, x, gamma, eps)
        return gamma * dout / np.sqrt(x.var(0) + eps), dg, db
    result = ex.check_bn_backward(constant_stats)
    assert not result and "μ and σ as constants" in result.message

    def no_gamma(dout, x, gamma, eps=1e-5):
        return right_backward(dout, x, np.ones_like(gamma), eps)[0], *right_backward(dout, x, gamma, eps)[1:]
    result = ex.check_bn_backward(no_gamma)
    assert not result and "factor γ" in result.message

    def swapped(dout, x, gamma, eps=1e-5):
        dx, dg, db = right_backward(dout, x, gamma, eps)
        return dx, db, dg
    result = ex.check_bn_backward(swapped)
    assert not result and "dbeta" in result.message

    result = ex.check_bn_backward(lambda dout, x, gamma, eps=1e-5: dout)
    assert not result and "three arrays" in result.message
