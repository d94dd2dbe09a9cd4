"""Layers: gradient checks in float64, forward values against hand computations,
BatchNorm's running statistics and test mode, dropout's expectation and mask."""

import numpy as np
import pytest

from nnutils import layers as L
from nnutils.gradcheck import check_layer, numerical_gradient, relative_error

F64 = np.float64


def _x(shape, seed=0, away_from_zero=False):
    x = np.random.default_rng(seed).standard_normal(shape)
    if away_from_zero:                     # keep ReLU-type inputs away from the kink
        x[np.abs(x) < 0.1] += 0.3
    return x


# ------------------------------------------------------------------ gradient checks

@pytest.mark.parametrize("make, shape", [
    (lambda: L.Linear(5, 4, dtype=F64, rng=np.random.default_rng(1)), (6, 5)),
    (lambda: L.Linear(4, 3, dtype=F64, rng=np.random.default_rng(1)), (2, 3, 4)),     # (..., n_in)
    (lambda: L.Linear(12, 3, dtype=F64, rng=np.random.default_rng(1)), (3, 3, 4)),    # images
    (lambda: L.Maxout(5, 3, k=3, dtype=F64, rng=np.random.default_rng(1)), (6, 5)),
    (lambda: L.BatchNorm(4, dtype=F64), (8, 4)),
    (lambda: L.Dropout(0.4, rng=np.random.default_rng(1)), (6, 5)),
    (lambda: L.Sigmoid(), (6, 5)),
    (lambda: L.Tanh(), (6, 5)),
    (lambda: L.ReLU(), (6, 5)),
    (lambda: L.LeakyReLU(0.1), (6, 5)),
    (lambda: L.ELU(0.7), (6, 5)),
    (lambda: L.GELU(), (6, 5)),
    (lambda: L.SiLU(), (6, 5)),
])
def test_layer_gradients(make, shape):
    layer = make()
    x = _x(shape, 2, away_from_zero=True)
    if isinstance(layer, L.BatchNorm):
        x = 3 * x + 1                       # a batch that is not already normalised
    errors = check_layer(layer, x)
    assert set(errors) == {"x"} | set(layer.params)
    assert max(errors.values()) <= 1e-7, errors


def test_batchnorm_test_mode_gradients():
    bn = L.BatchNorm(3, dtype=F64)
    bn.running_mean[:] = [0.5, -1.0, 2.0]
    bn.running_var[:] = [0.3, 2.0, 1.5]
    bn.params["gamma"][:] = [1.5, 0.5, -2.0]
    errors = check_layer(bn, _x((5, 3), 4), train=False)
    assert max(errors.values()) <= 1e-7, errors


def test_gradcheck_restores_batchnorm_running_stats():
    bn = L.BatchNorm(3, dtype=F64)
    check_layer(bn, _x((5, 3)))
    np.testing.assert_array_equal(bn.running_mean, 0)
    np.testing.assert_array_equal(bn.running_var, 1)


# ---------------------------------------------------------------------- Linear

def test_linear_forward_is_affine():
    lin = L.Linear(3, 2, dtype=F64)
    lin.params["W"][:] = [[1, 2], [3, 4], [5, 6]]
    lin.params["b"][:] = [10, 20]
    out = lin.forward(np.array([[1.0, 0.0, -1.0]]))
    np.testing.assert_array_equal(out, [[1 - 5 + 10, 2 - 6 + 20]])


def test_linear_flattens_and_restores_shapes():
    lin = L.Linear(4, 3)
    x = np.ones((2, 5, 4), dtype=np.float32)
    out = lin.forward(x)
    assert out.shape == (2, 5, 3)
    assert lin.backward(np.ones_like(out)).shape == x.shape
    img = L.Linear(784, 10)
    x = np.zeros((7, 28, 28), dtype=np.float32)
    out = img.forward(x)
    assert out.shape == (7, 10)
    assert img.backward(np.ones_like(out)).shape == (7, 28, 28)


def test_linear_trains_in_float64_by_default():
    lin = L.Linear(4, 3)
    assert lin.params["W"].dtype == np.float64 and lin.params["b"].dtype == np.float64
    assert lin.forward(np.ones((2, 4), dtype=np.float32)).dtype == np.float64


def test_linear_keeps_float32_even_for_float64_input():
    lin = L.Linear(4, 3, dtype=np.float32)
    assert lin.params["W"].dtype == np.float32 and lin.params["b"].dtype == np.float32
    out = lin.forward(np.ones((2, 4)))                      # float64 input
    assert out.dtype == np.float32
    dx = lin.backward(np.ones((2, 3), dtype=np.float32))
    assert dx.dtype == np.float32 and lin.grads["W"].dtype == np.float32


def test_linear_backward_puts_the_new_gradients_into_grads():
    lin = L.Linear(4, 3)
    lin.forward(np.ones((2, 4)))
    dx = lin.backward(np.ones((2, 3)))
    np.testing.assert_allclose(lin.grads["W"], 2.0)          # x^T dout = 2 for every entry
    np.testing.assert_allclose(lin.grads["b"], 2.0)
    np.testing.assert_allclose(dx, lin.params["W"].sum(axis=1) * np.ones((2, 1)))   # dout W^T
    lin.forward(np.full((2, 4), 3.0))
    lin.backward(np.ones((2, 3)))
    np.testing.assert_allclose(lin.grads["W"], 6.0)          # the next backward's, not a sum


def test_linear_init_by_name_and_by_number():
    w = L.Linear(400, 300, init=0.01, rng=np.random.default_rng(0)).params["W"]
    assert abs(w.std() - 0.01) < 0.0005
    w = L.Linear(400, 300, init="lecun", rng=np.random.default_rng(0)).params["W"]
    assert abs(w.std() - np.sqrt(1 / 400)) < 0.002
    w = L.Linear(400, 300, init="xavier", rng=np.random.default_rng(0)).params["W"]
    assert abs(w.std() - np.sqrt(2 / 700)) < 0.002
    a = L.Linear(3, 2, rng=np.random.default_rng(5)).params["W"]
    b = L.Linear(3, 2, rng=np.random.default_rng(5)).params["W"]
    np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(L.Linear(3, 2).params["b"], 0)


def test_linear_wrong_input_shape_says_what_it_expected():
    with pytest.raises(ValueError, match=r"Linear\(5, 3\): expected input of shape \(N, 5\).*\(2, 4\)"):
        L.Linear(5, 3).forward(np.ones((2, 4)))
    with pytest.raises(ValueError, match="n_in must be a positive integer"):
        L.Linear(0, 3)
    with pytest.raises(ValueError, match="unknown initializer 'glorious'"):
        L.Linear(3, 3, init="glorious")


# ------------------------------------------------------------------- BatchNorm

def test_batchnorm_defaults():
    bn = L.BatchNorm(3)
    assert bn.eps == 1e-5 and bn.momentum == 0.9
    np.testing.assert_array_equal(bn.running_mean, 0)
    np.testing.assert_array_equal(bn.running_var, 1)
    np.testing.assert_array_equal(bn.params["gamma"], 1)
    np.testing.assert_array_equal(bn.params["beta"], 0)
    assert set(bn.params) == set(bn.grads) == {"gamma", "beta"}


def test_batchnorm_train_normalises_with_biased_variance():
    x = np.array([[1.0, 10.0], [2.0, 20.0], [3.0, 30.0], [6.0, 0.0]])
    bn = L.BatchNorm(2, dtype=F64)
    out = bn.forward(x, train=True)
    mean = x.sum(0) / 4
    var = ((x - mean) ** 2).sum(0) / 4                      # biased (divide by N)
    np.testing.assert_allclose(out, (x - mean) / np.sqrt(var + 1e-5))
    # running stats: momentum 0.9 is the fraction kept
    np.testing.assert_allclose(bn.running_mean, 0.9 * 0 + 0.1 * mean)
    np.testing.assert_allclose(bn.running_var, 0.9 * 1 + 0.1 * var)
    bn.forward(x, train=True)
    np.testing.assert_allclose(bn.running_mean, 0.9 * (0.1 * mean) + 0.1 * mean)


def test_batchnorm_gamma_beta_scale_and_shift():
    bn = L.BatchNorm(2, dtype=F64)
    bn.params["gamma"][:] = [2.0, 3.0]
    bn.params["beta"][:] = [-1.0, 5.0]
    out = bn.forward(_x((50, 2)) * 4 + 7, train=True)
    np.testing.assert_allclose(out.mean(0), [-1.0, 5.0], atol=1e-12)
    np.testing.assert_allclose(out.std(0), [2.0, 3.0], rtol=1e-5)


def test_batchnorm_test_mode_uses_running_statistics():
    bn = L.BatchNorm(2, dtype=F64)
    bn.running_mean[:] = [1.0, -2.0]
    bn.running_var[:] = [4.0, 0.25]
    x = np.array([[3.0, -2.0], [1.0, -1.5]])
    out = bn.forward(x, train=False)
    expected = (x - [1.0, -2.0]) / np.sqrt(np.array([4.0, 0.25]) + 1e-5)
    np.testing.assert_allclose(out, expected)
    # a single sample works in test mode, and the running stats are left alone
    np.testing.assert_allclose(bn.forward(x[:1], train=False), expected[:1])
    np.testing.assert_array_equal(bn.running_mean, [1.0, -2.0])


def test_batchnorm_float32_and_bad_shape():
    assert L.BatchNorm(3).running_var.dtype == np.float64                # the default
    bn = L.BatchNorm(3, dtype=np.float32)
    out = bn.forward(np.ones((4, 3)), train=True)
    assert out.dtype == np.float32 and bn.running_var.dtype == np.float32
    assert bn.backward(np.ones((4, 3), dtype=np.float32)).dtype == np.float32
    with pytest.raises(ValueError, match=r"BatchNorm\(3\): expected input of shape \(N, 3\), got \(4, 2\)"):
        bn.forward(np.ones((4, 2)))
    with pytest.raises(ValueError, match="momentum"):
        L.BatchNorm(3, momentum=1.5)


# --------------------------------------------------------------------- Dropout

def test_dropout_keeps_the_expected_activation():
    drop = L.Dropout(0.3, rng=np.random.default_rng(0))
    x = np.ones((400, 500), dtype=np.float32)
    out = drop.forward(x, train=True)
    kept = drop.mask.mean()
    assert abs(kept - 0.7) < 0.005                           # ratio = probability of dropping
    assert abs(out.mean() - 1.0) < 0.01                      # inverted dropout: E[out] = x
    np.testing.assert_allclose(out[drop.mask], 1 / 0.7, rtol=1e-6)
    assert np.all(out[~drop.mask] == 0)
    assert out.dtype == np.float32


def test_dropout_backward_reuses_the_mask():
    drop = L.Dropout(0.5, rng=np.random.default_rng(1))
    x = np.random.default_rng(2).standard_normal((20, 10))
    drop.forward(x, train=True)
    mask = drop.mask.copy()
    dout = np.random.default_rng(3).standard_normal((20, 10))
    np.testing.assert_allclose(drop.backward(dout), dout * mask / 0.5)


def test_dropout_is_identity_at_test_time():
    drop = L.Dropout(0.5)
    x = np.arange(6.0).reshape(2, 3)
    np.testing.assert_array_equal(drop.forward(x, train=False), x)
    np.testing.assert_array_equal(drop.backward(np.ones((2, 3))), 1)
    np.testing.assert_array_equal(L.Dropout(0.0).forward(x, train=True), x)


def test_dropout_is_seeded():
    x = np.ones((10, 10))
    a = L.Dropout(0.5, rng=np.random.default_rng(7)).forward(x, train=True)
    b = L.Dropout(0.5, rng=np.random.default_rng(7)).forward(x, train=True)
    c = L.Dropout(0.5, rng=np.random.default_rng(8)).forward(x, train=True)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)


def test_dropout_fixed_mask_is_reused():
    drop = L.Dropout(0.5, rng=np.random.default_rng(0))
    x = np.ones((8, 8))
    a = drop.forward(x, train=True)
    drop.fixed = True
    np.testing.assert_array_equal(drop.forward(x, train=True), a)
    drop.fixed = False
    assert not np.array_equal(drop.forward(x, train=True), a)


@pytest.mark.parametrize("ratio", [-0.1, 1.0, 1.5, float("nan"), "0.5", None])
def test_dropout_ratio_outside_range(ratio):
    with pytest.raises(ValueError, match=r"dropout ratio .* must be in \[0, 1\)"):
        L.Dropout(ratio)


# ---------------------------------------------------------------------- Maxout

def test_maxout_layer_forward():
    mo = L.Maxout(2, 2, k=3, dtype=F64)
    mo.params["W"][:] = [[1, 2, 3, -1, -2, -3], [0, 0, 0, 1, 1, 1]]
    mo.params["b"][:] = [0, 0, 0, 0, 0, 5]
    out = mo.forward(np.array([[1.0, 1.0], [-1.0, 0.0]]))
    # z = [[1,2,3,0,-1,3], [-1,-2,-3,1,2,8]]  -> max over groups of 3
    np.testing.assert_array_equal(out, [[3, 3], [-1, 8]])
    assert set(mo.params) == {"W", "b"} and mo.params["W"].shape == (2, 6)


# ----------------------------------------------------------- activation layers

@pytest.mark.parametrize("name, cls", [("sigmoid", L.Sigmoid), ("tanh", L.Tanh), ("relu", L.ReLU),
                                       ("leaky_relu", L.LeakyReLU), ("elu", L.ELU),
                                       ("gelu", L.GELU), ("silu", L.SiLU)])
def test_activation_layer_by_name(name, cls):
    layer = L.activation_layer(name)
    assert isinstance(layer, cls) and layer.params == {} and layer.grads == {}
    x = np.linspace(-2, 2, 8, dtype=np.float32).reshape(2, 4)
    out = layer.forward(x)
    assert out.dtype == np.float32 and out.shape == x.shape
    assert layer.backward(np.ones_like(out)).dtype == np.float32


def test_activation_layer_keywords_and_unknown_names():
    assert L.activation_layer("leaky_relu", slope=0.2).forward(np.array([-1.0]))[0] == -0.2
    with pytest.raises(ValueError, match="unknown activation 'softplus'"):
        L.activation_layer("softplus")


def test_relu_layer_blocks_gradient_where_input_was_negative():
    relu = L.ReLU()
    relu.forward(np.array([[-1.0, 2.0, 0.0, 3.0]]))
    np.testing.assert_array_equal(relu.backward(np.array([[5.0, 5.0, 5.0, 5.0]])), [[0, 5, 0, 5]])


def test_numerical_gradient_of_a_chain_of_layers():
    """Linear -> BatchNorm -> Tanh -> Linear composed by hand matches numerical gradients."""
    rng = np.random.default_rng(0)
    l1, bn, act, l2 = (L.Linear(4, 5, dtype=F64, rng=rng), L.BatchNorm(5, dtype=F64), L.Tanh(),
                       L.Linear(5, 2, dtype=F64, rng=rng))
    x = rng.standard_normal((6, 4))
    dout = rng.standard_normal((6, 2))

    def f(_=None):
        return np.sum(l2.forward(act.forward(bn.forward(l1.forward(x), True))) * dout)

    f()
    l1.backward(bn.backward(act.backward(l2.backward(dout))))
    gW1 = l1.grads["W"].copy()
    assert relative_error(gW1, numerical_gradient(f, l1.params["W"])) <= 1e-7
