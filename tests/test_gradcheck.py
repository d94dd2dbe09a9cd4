"""Gradient-check tools: the numerical gradient itself, the error measure, and that the
checks catch a wrong backward."""

import numpy as np
import pytest

from nnutils import layers as L
from nnutils.gradcheck import check_layer, check_model, numerical_gradient, relative_error
from nnutils.model import mlp


def test_numerical_gradient_of_known_functions():
    x = np.array([[1.0, -2.0], [0.5, 3.0]])
    g = numerical_gradient(lambda z: np.sum(z ** 3), x)
    np.testing.assert_allclose(g, 3 * x ** 2, rtol=1e-9)
    g = numerical_gradient(lambda z: np.sin(z[0, 0]) * z[1, 1], x)
    np.testing.assert_allclose(g, [[np.cos(1.0) * 3.0, 0], [0, np.sin(1.0)]], rtol=1e-9, atol=1e-12)


def test_numerical_gradient_restores_x_and_is_centred():
    x = np.array([0.3, -0.7])
    before = x.copy()
    numerical_gradient(lambda z: np.sum(np.exp(z)), x)
    np.testing.assert_array_equal(x, before)
    # a centred difference is exact for a quadratic (a forward difference is off by h)
    g = numerical_gradient(lambda z: z[0] ** 2, np.array([2.0]), h=1e-3)
    assert g[0] == pytest.approx(4.0, rel=1e-10)


def test_numerical_gradient_needs_float64():
    with pytest.raises(TypeError, match="float64.*got float32"):
        numerical_gradient(lambda z: z.sum(), np.ones(3, dtype=np.float32))
    with pytest.raises(TypeError, match="float64"):
        numerical_gradient(lambda z: 0.0, [1.0, 2.0])


def test_relative_error_by_hand():
    assert relative_error(np.array([1.0, 2.0]), np.array([1.0, 2.0])) == 0
    assert relative_error(np.array([1.0, 0.0]), np.array([1.1, 0.0])) == pytest.approx(0.1 / 2.1)
    assert relative_error(np.array([1e-12]), np.array([0.0])) == pytest.approx(1e-4)   # 1e-8 floor
    with pytest.raises(ValueError, match="shapes differ"):
        relative_error(np.ones(2), np.ones(3))


class _WrongSigmoid(L.Sigmoid):
    def backward(self, dout):                 # a classic bug: forgets the (1 - out) factor
        return dout * self.out


class _WrongLinear(L.Linear):
    def backward(self, dout):
        dx = super().backward(dout)
        self.grads["b"] *= 2                  # a wrong bias gradient
        return dx


def test_checks_catch_wrong_backward():
    x = np.random.default_rng(0).standard_normal((4, 3))
    assert check_layer(_WrongSigmoid(), x)["x"] > 0.1
    errors = check_layer(_WrongLinear(3, 2, dtype=np.float64), x)
    assert errors["b"] > 0.1 and errors["W"] <= 1e-7 and errors["x"] <= 1e-7


def test_check_model_catches_a_wrong_layer():
    m = mlp([3, 4, 2], activation="sigmoid", dtype=np.float64)
    m.layers[1] = _WrongSigmoid()
    x = np.random.default_rng(0).standard_normal((5, 3))
    errors = check_model(m, x, np.array([0, 1, 1, 0, 1]))
    assert errors["W1"] > 0.01 and errors["W2"] <= 1e-7


def test_checks_need_float64_parameters():
    with pytest.raises(TypeError, match="need float64.*dtype=np.float64"):
        check_layer(L.Linear(3, 2, dtype=np.float32), np.ones((2, 3)))
    with pytest.raises(TypeError, match="need float64"):
        check_model(mlp([3, 2], dtype=np.float32), np.ones((2, 3)), np.array([0, 1]))
