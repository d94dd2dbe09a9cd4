"""Activations: values against independent formulas, derivatives against numerical gradients."""

import math
import warnings

import numpy as np
import pytest

from nnutils import activations as A
from nnutils.gradcheck import numerical_gradient, relative_error

NAMES = ["sigmoid", "tanh", "relu", "leaky_relu", "elu", "gelu", "silu"]


def _reference(name, v):
    """Scalar textbook formulas, computed with the math module (not numpy)."""
    if name == "sigmoid":
        return 1 / (1 + math.exp(-v))
    if name == "tanh":
        return (math.exp(v) - math.exp(-v)) / (math.exp(v) + math.exp(-v))
    if name == "relu":
        return v if v > 0 else 0.0
    if name == "leaky_relu":
        return v if v > 0 else 0.01 * v
    if name == "elu":
        return v if v > 0 else math.exp(v) - 1
    if name == "gelu":
        return 0.5 * v * (1 + math.tanh(math.sqrt(2 / math.pi) * (v + 0.044715 * v ** 3)))
    if name == "silu":
        return v / (1 + math.exp(-v))
    raise KeyError(name)


def _inputs(seed=0, n=40):
    # away from the kink at 0 so that ReLU-type units are differentiable at every input
    x = np.random.default_rng(seed).uniform(-4, 4, size=n)
    x[np.abs(x) < 0.1] += 0.5
    return x


@pytest.mark.parametrize("name", NAMES)
def test_values_match_textbook_formulas(name):
    f, _ = A.get_activation(name)
    x = _inputs()
    expected = np.array([_reference(name, v) for v in x])
    np.testing.assert_allclose(f(x), expected, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("name", NAMES)
def test_derivatives_pass_gradient_check(name):
    f, f_grad = A.get_activation(name)
    x = _inputs(1).reshape(5, 8)
    dout = np.random.default_rng(2).standard_normal(x.shape)
    num = numerical_gradient(lambda z: np.sum(f(z) * dout), x)
    assert relative_error(f_grad(x) * dout, num) <= 1e-7


@pytest.mark.parametrize("slope", [0.01, 0.2])
def test_leaky_relu_slope(slope):
    x = np.array([-2.0, -0.5, 0.5, 3.0])
    np.testing.assert_allclose(A.leaky_relu(x, slope), [-2 * slope, -0.5 * slope, 0.5, 3.0])
    np.testing.assert_allclose(A.leaky_relu_grad(x, slope), [slope, slope, 1, 1])


def test_elu_alpha_and_saturation():
    x = np.array([-50.0, -1.0, 2.0])
    np.testing.assert_allclose(A.elu(x, alpha=2.0), [2 * (math.exp(-50) - 1), 2 * (math.exp(-1) - 1), 2.0])
    np.testing.assert_allclose(A.elu_grad(x, alpha=2.0), [2 * math.exp(-50), 2 * math.exp(-1), 1.0])


def test_gelu_is_close_to_the_exact_erf_form():
    # the tanh approximation stays within ~1e-3 of 0.5 x (1 + erf(x / sqrt 2))
    x = np.linspace(-5, 5, 101)
    exact = np.array([0.5 * v * (1 + math.erf(v / math.sqrt(2))) for v in x])
    assert np.max(np.abs(A.gelu(x) - exact)) < 1e-3


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_sigmoid_is_stable_for_huge_inputs(dtype):
    x = np.array([-1e4, -1000.0, -100.0, 0.0, 100.0, 1000.0, 1e4], dtype=dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("error")                    # any overflow warning fails the test
        s = A.sigmoid(x)
        ds = A.sigmoid_grad(x)
        for name in ("silu", "elu", "gelu"):
            f, g = A.get_activation(name)
            assert np.all(np.isfinite(f(x))) and np.all(np.isfinite(g(x)))
    assert s.dtype == dtype
    assert np.all(np.isfinite(s)) and np.all((s >= 0) & (s <= 1))
    assert s[0] == 0 and s[-1] == 1 and s[3] == 0.5
    assert np.all(ds >= 0) and ds[3] == 0.25
    # symmetry sigmoid(-x) = 1 - sigmoid(x)
    x = np.linspace(-30, 30, 61)
    np.testing.assert_allclose(A.sigmoid(-x), 1 - A.sigmoid(x), atol=1e-15)


@pytest.mark.parametrize("name", NAMES)
def test_float32_stays_float32(name):
    f, g = A.get_activation(name)
    x = np.linspace(-3, 3, 12, dtype=np.float32).reshape(3, 4)
    assert f(x).dtype == np.float32 and f(x).shape == x.shape
    assert g(x).dtype == np.float32 and g(x).shape == x.shape


def test_relu_grad_at_zero_is_zero():
    assert A.relu_grad(np.array([0.0]))[0] == 0


def test_maxout_groups_neighbouring_pieces():
    x = np.array([[1.0, 5.0, -2.0, 3.0, 0.0, 4.0]])            # m=2 units of k=3 pieces
    np.testing.assert_array_equal(A.maxout(x, 3), [[5.0, 4.0]])
    np.testing.assert_array_equal(A.maxout(x, 2), [[5.0, 3.0, 4.0]])
    np.testing.assert_array_equal(A.maxout_grad(x, 3), [[0, 1, 0, 0, 0, 1]])
    assert A.maxout(np.zeros((2, 3, 8)), 4).shape == (2, 3, 2)


def test_maxout_grad_passes_gradient_check():
    x = np.random.default_rng(3).standard_normal((4, 12))
    dout = np.random.default_rng(4).standard_normal((4, 4))
    num = numerical_gradient(lambda z: np.sum(A.maxout(z, 3) * dout), x)
    ana = A.maxout_grad(x, 3) * np.repeat(dout, 3, axis=-1)
    assert relative_error(ana, num) <= 1e-7


@pytest.mark.parametrize("k", [0, -1, 2.5, "2"])
def test_maxout_bad_k(k):
    with pytest.raises(ValueError, match="k must be a positive integer"):
        A.maxout(np.zeros((2, 6)), k)


def test_maxout_width_not_a_multiple_of_k():
    with pytest.raises(ValueError, match=r"multiple of k=4.*\(2, 6\)"):
        A.maxout(np.zeros((2, 6)), 4)


def test_unknown_activation_names_the_choices():
    with pytest.raises(ValueError, match="unknown activation 'relu6'.*'sigmoid'"):
        A.get_activation("relu6")
    with pytest.raises(TypeError):
        A.get_activation(None)
    assert A.get_activation("Leaky-ReLU") == A.ACTIVATIONS["leaky_relu"]
    assert A.get_activation("swish") == A.ACTIVATIONS["silu"]
    assert set(A.ACTIVATIONS) == set(NAMES)


def test_integer_input_becomes_float():
    assert A.relu(np.array([-1, 2])).dtype == np.float64
    np.testing.assert_array_equal(A.relu([-1, 2]), [0.0, 2.0])
