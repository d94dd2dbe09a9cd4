"""Lesson 7 exercises: dropout forward/backward and the L2 gradient checks."""
import numpy as np
import pytest

from nnutils.exercises import lesson07 as ex


def test_reference_dropout_keeps_the_expectation():
    # averaged over many independent masks, inverted dropout leaves x unchanged
    rng = np.random.default_rng(0)
    x = np.array([1.0, -2.0, 3.0])
    outs = [ex.dropout_forward_reference(x, 0.3, rng.random(3)) for _ in range(40000)]
    np.testing.assert_allclose(np.mean(outs, axis=0), x, rtol=0.03)


def test_reference_dropout_backward_is_the_numerical_gradient():
    rng = np.random.default_rng(1)
    x, u, dout = rng.normal(size=(4, 5)), rng.random((4, 5)), rng.normal(size=(4, 5))
    h = 1e-6
    num = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        e = np.zeros_like(x)
        e[i] = h
        num[i] = ((ex.dropout_forward_reference(x + e, 0.4, u) * dout).sum()
                  - (ex.dropout_forward_reference(x - e, 0.4, u) * dout).sum()) / (2 * h)
    np.testing.assert_allclose(ex.dropout_backward_reference(dout, 0.4, u), num, atol=1e-8)


def right_forward(x, ratio, u):
    return np.where(u > ratio, x / (1 - ratio), 0.0)


def right_backward(dout, ratio, u):
    return np.where(u > ratio, dout / (1 - ratio), 0.0)


def test_dropout_checks_pass_right_answers():
    assert ex.check_dropout_forward(right_forward)
    assert ex.check_dropout_backward(right_backward)


@pytest.mark.parametrize("wrong, words", [
    (lambda x, r, u: x * (u > r), "not rescaled"),
    (lambda x, r, u: x * (u <= r) / r, "probability of DROPPING"),
    (lambda x, r, u: x * (u > r) * (1 - r), "test-time"),
    (lambda x, r, u: None, "returned None"),
])
def test_dropout_forward_check_names_the_mistake(wrong, words):
    result = ex.check_dropout_forward(wrong)
    assert not result and words in result.message


def test_dropout_backward_check_names_the_mistake():
    result = ex.check_dropout_backward(lambda dout, r, u: dout)
    assert not result and "gradient is 0" in result.message
    result = ex.check_dropout_backward(lambda dout, r, u: dout * (u > r))
    assert not result and "not rescaled" in result.message


def right_l2(params, grads, lam):
    return {k: g + lam * params[k] if k[0] == "W" else g for k, g in grads.items()}


def test_l2_check_passes_a_right_answer():
    assert ex.check_l2_grads(right_l2)


@pytest.mark.parametrize("wrong, words", [
    (lambda p, g, lam: {k: v + lam * p[k] for k, v in g.items()}, "not a weight"),
    (lambda p, g, lam: {k: v + 2 * lam * p[k] if k[0] == "W" else v for k, v in g.items()}, "½"),
    (lambda p, g, lam: {k: v - lam * p[k] if k[0] == "W" else v for k, v in g.items()}, "sign"),
    (lambda p, g, lam: {k: v + lam * np.sign(p[k]) if k[0] == "W" else v for k, v in g.items()},
     "L1"),
    (lambda p, g, lam: {k: v for k, v in g.items() if k[0] == "W"}, "left out"),
])
def test_l2_check_names_the_mistake(wrong, words):
    result = ex.check_l2_grads(wrong)
    assert not result and words in result.message
