"""Sequential / mlp: structure and names, whole-model gradient checks, penalties on weights
only, float32 end to end, evaluation helpers, state round trips, bad inputs."""

import numpy as np
import pytest

from nnutils import layers as L
from nnutils.gradcheck import check_model, numerical_gradient, relative_error
from nnutils.model import Sequential, mlp
from nnutils.optim import SGD

F64 = np.float64


def _data(n=10, d=6, c=3, seed=0):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((n, d)), rng.integers(0, c, n)


def test_mlp_structure_and_names():
    m = mlp([6, 8, 7, 3], batchnorm=True, dropout=0.2)
    kinds = [type(layer).__name__ for layer in m.layers]
    assert kinds == ["Linear", "BatchNorm", "ReLU", "Dropout", "Linear", "BatchNorm", "ReLU",
                     "Dropout", "Linear"]
    assert list(m.params) == ["W1", "b1", "gamma1", "beta1", "W2", "b2", "gamma2", "beta2", "W3", "b3"]
    assert list(m.grads) == list(m.params)
    assert m.params["W1"].shape == (6, 8) and m.params["b3"].shape == (3,)
    assert m.n_params() == 6 * 8 + 8 + 16 + 8 * 7 + 7 + 14 + 7 * 3 + 3
    plain = mlp([4, 5, 2], activation="tanh")
    assert [type(layer).__name__ for layer in plain.layers] == ["Linear", "Tanh", "Linear"]


def test_params_are_the_layers_own_arrays():
    m = mlp([4, 5, 2], batchnorm=True)
    assert m.params["W1"] is m.layers[0].params["W"]
    assert m.params["gamma1"] is m.layers[1].params["gamma"]
    assert m.grads["W2"] is m.layers[3].grads["W"]
    x = np.ones((3, 4), dtype=np.float32)
    before = m.forward(x).copy()
    m.params["b2"] += 1.0                                   # in place through the dict
    np.testing.assert_allclose(m.forward(x), before + 1.0, rtol=1e-6)


def test_an_optimizer_on_model_params_trains_the_model():
    x, y = _data(40, 4, 2, seed=1)
    m = mlp([4, 16, 2], seed=1)
    opt = SGD(lr=0.5)
    first = m.loss(x, y)
    for _ in range(50):
        m.gradient(x, y)
        opt.update(m.params, m.grads)
    assert m.loss(x, y) < 0.5 * first


@pytest.mark.parametrize("kw", [
    dict(batchnorm=True, dropout=0.3),
    dict(batchnorm=True, dropout=0.3, activation="tanh", weight_decay=0.1),
    dict(activation="sigmoid", weight_decay=0.05, penalty="l1"),
    dict(activation="elu", weight_decay=0.05, penalty="elastic", l1_ratio=0.3),
    dict(activation="gelu", batchnorm=True),
    dict(activation="silu", batchnorm=True, dropout=0.5),
])
def test_whole_model_gradient_check(kw):
    x, y = _data()
    m = mlp([6, 8, 7, 3], dtype=F64, seed=3, **kw)
    errors = check_model(m, x, y)
    assert set(errors) == set(m.params)
    assert max(errors.values()) <= 1e-6, errors


def test_maxout_model_gradients():
    # compared entry by entry with an absolute floor: one entry of W1 here is ~2.5e-8, where
    # the ~1e-11 rounding noise of the centred difference alone is a 4e-4 relative error
    x, y = _data()
    m = mlp([6, 8, 7, 3], activation="maxout3", dtype=F64, seed=3)
    m.gradient(x, y)
    for name, p in m.params.items():
        num = numerical_gradient(lambda _: m.loss(x, y), p)
        np.testing.assert_allclose(m.grads[name], num, rtol=1e-6, atol=1e-9, err_msg=name)


def test_dropout_masks_are_held_fixed_and_released():
    m = mlp([6, 8, 3], dropout=0.5, dtype=F64)
    x, y = _data()
    check_model(m, x, y)
    drop = m.layers[2]
    assert not drop.fixed
    a = m.forward(x, train=True)
    assert not np.array_equal(a, m.forward(x, train=True))      # fresh masks again
    np.testing.assert_array_equal(m.forward(x), m.forward(x))    # test mode: deterministic


def test_backward_returns_the_input_gradient():
    x, y = _data()
    m = mlp([6, 5, 3], activation="tanh", dtype=F64)
    m.loss(x, y)
    dx = m.backward()
    num = numerical_gradient(lambda z: m.loss(z, y), x.copy())
    assert relative_error(dx, num) <= 1e-7


def test_penalties_by_hand():
    m = mlp([2, 2, 2], weight_decay=0.1, penalty="l2", dtype=F64)
    m.params["W1"][:] = [[1, -2], [3, 0]]
    m.params["W2"][:] = [[0.5, 0.5], [-1, 1]]
    m.params["b1"][:] = [100, 100]                           # biases are never penalised
    sq = 1 + 4 + 9 + 0 + 0.25 + 0.25 + 1 + 1
    ab = 1 + 2 + 3 + 0 + 0.5 + 0.5 + 1 + 1
    assert m.penalty() == pytest.approx(0.5 * 0.1 * sq)
    m.penalty_name = "l1"
    assert m.penalty() == pytest.approx(0.1 * ab)
    m.penalty_name, m.l1_ratio = "elastic", 0.25
    assert m.penalty() == pytest.approx(0.1 * (0.25 * ab + 0.75 * 0.5 * sq))


@pytest.mark.parametrize("penalty", ["l2", "l1", "elastic"])
def test_penalty_gradient_on_weights_only(penalty):
    x, y = _data()
    plain = mlp([6, 5, 3], batchnorm=True, dtype=F64, seed=4)
    reg = mlp([6, 5, 3], batchnorm=True, dtype=F64, seed=4, weight_decay=0.2, penalty=penalty,
              l1_ratio=0.4)
    plain.gradient(x, y)
    reg.gradient(x, y)
    for name in ("b1", "gamma1", "beta1", "b2"):
        np.testing.assert_array_equal(reg.grads[name], plain.grads[name])
    for name in ("W1", "W2"):
        W = reg.params[name]
        extra = {"l2": 0.2 * W, "l1": 0.2 * np.sign(W),
                 "elastic": 0.2 * (0.4 * np.sign(W) + 0.6 * W)}[penalty]
        np.testing.assert_allclose(reg.grads[name], plain.grads[name] + extra, rtol=1e-12)


def test_float64_by_default():
    m = mlp([6, 8, 3], batchnorm=True, dropout=0.2)
    assert m.dtype == np.float64
    assert all(p.dtype == np.float64 for p in m.params.values())
    assert m.forward(np.ones((2, 6), dtype=np.float32)).dtype == np.float64


def test_float32_end_to_end():
    m = mlp([6, 8, 3], batchnorm=True, dropout=0.2, dtype=np.float32)
    x, y = _data()                                          # float64 data
    loss = m.gradient(x, y)
    assert isinstance(loss, float)
    assert m.forward(x).dtype == np.float32
    for name in m.params:
        assert m.params[name].dtype == np.float32, name
        assert m.grads[name].dtype == np.float32, name
    assert m.layers[1].running_mean.dtype == np.float32
    assert m.predict_proba(x).dtype == np.float32
    assert m.dtype == np.float32


def test_predict_accuracy_evaluate():
    m = mlp([6, 8, 3], seed=2)
    x, y = _data(30)
    scores = m.forward(x)
    np.testing.assert_array_equal(m.predict(x), scores.argmax(1))
    np.testing.assert_allclose(m.predict_proba(x).sum(1), 1, rtol=1e-6)
    acc = float(np.mean(scores.argmax(1) == y))
    assert m.accuracy(x, y) == pytest.approx(acc)
    assert m.accuracy(x, np.eye(3)[y]) == pytest.approx(acc)         # one-hot labels
    loss, acc2 = m.evaluate(x, y, batch_size=7)
    assert acc2 == pytest.approx(acc)
    assert loss == pytest.approx(m.data_loss(x, y), rel=1e-5)
    np.testing.assert_array_equal(m.predict(x, batch_size=4), m.predict(x))


def test_state_round_trip_includes_running_stats():
    m = mlp([4, 5, 2], batchnorm=True)
    x = np.random.default_rng(0).standard_normal((8, 4))
    s = m.state()
    W1 = m.params["W1"]
    m.loss(x, np.zeros(8, dtype=int), train=True)           # moves the running stats
    m.params["W1"] += 1.0
    assert not np.array_equal(m.layers[1].running_mean, s["running_mean@1"])
    m.load_state(s)
    assert m.params["W1"] is W1                              # loaded in place
    np.testing.assert_array_equal(W1, s["W1"])
    np.testing.assert_array_equal(m.layers[1].running_mean, 0)
    np.testing.assert_array_equal(m.layers[1].running_var, 1)
    s["W1"] = np.zeros((3, 3))
    with pytest.raises(ValueError, match=r"W1 has shape \(3, 3\), expected \(4, 5\)"):
        m.load_state(s)


def test_seeded_builder():
    a, b, c = mlp([4, 5, 2], seed=1), mlp([4, 5, 2], seed=1), mlp([4, 5, 2], seed=2)
    np.testing.assert_array_equal(a.params["W1"], b.params["W1"])
    assert not np.array_equal(a.params["W1"], c.params["W1"])


def test_init_choices_reach_the_layers():
    w = mlp([500, 400, 2], init="normal", std=0.01).params["W1"]
    assert w.std() == pytest.approx(0.01, rel=0.02)
    w = mlp([500, 400, 2], init=1.0).params["W1"]
    assert w.std() == pytest.approx(1.0, rel=0.02)
    w = mlp([500, 400, 2], init="lecun").params["W1"]
    assert w.std() == pytest.approx(np.sqrt(1 / 500), rel=0.02)
    w = mlp([500, 400, 2], init="xavier").params["W1"]
    assert w.std() == pytest.approx(np.sqrt(2 / 900), rel=0.02)


@pytest.mark.parametrize("kw, error, message", [
    (dict(sizes=[5]), ValueError, "sizes must be at least two positive ints"),
    (dict(sizes=[5, 0, 2]), ValueError, "sizes must be at least two positive ints"),
    (dict(sizes=[5, 2], activation="sigmoidal"), ValueError, "unknown activation 'sigmoidal'"),
    (dict(sizes=[5, 2], init="kaiming_he"), ValueError, "unknown initializer 'kaiming_he'"),
    (dict(sizes=[5, 2], dropout=1.0), ValueError, r"dropout ratio .* must be in \[0, 1\)"),
    (dict(sizes=[5, 2], penalty="l3"), ValueError, "unknown penalty 'l3'"),
    (dict(sizes=[5, 2], weight_decay=-1), ValueError, "weight_decay must be a number >= 0"),
])
def test_bad_builder_arguments(kw, error, message):
    with pytest.raises(error, match=message):
        mlp(**kw)


def test_bad_model_inputs():
    m = mlp([4, 3, 2])
    with pytest.raises(ValueError, match=r"expected input of shape \(N, 4\).*\(2, 5\)"):
        m.forward(np.ones((2, 5)))
    with pytest.raises(ValueError, match=r"labels must be in \[0, 1\], got range \[0, 2\]"):
        m.loss(np.ones((3, 4)), np.array([0, 1, 2]))
    with pytest.raises(ValueError, match="non-empty batch"):
        m.forward(np.ones((0, 4)))
    bad = np.ones((3, 4))
    bad[1, 2] = np.nan
    with pytest.raises(ValueError, match="x contains NaN or inf"):
        m.loss(bad, np.array([0, 1, 1]))
    bad[1, 2] = np.inf
    with pytest.raises(ValueError, match="x contains NaN or inf"):
        m.predict(bad)
    with pytest.raises(TypeError, match="layers\\[1\\] is not a layer"):
        Sequential([L.Linear(2, 2), "relu"])


def test_single_output_models_are_read_as_class_1_above_one_half():
    # a 2-1 network under MSE with 0/1 targets: argmax over one column would always be 0
    from nnutils.losses import MSELoss
    from nnutils.layers import Linear
    from nnutils.model import Sequential
    model = Sequential([Linear(2, 1, init="zeros")], loss=MSELoss())
    model.params["W1"][...] = np.array([[1.0], [0.0]], dtype=np.float32)
    x = np.array([[0.0, 0.0], [0.2, 1.0], [0.9, 0.0], [1.0, 1.0]], dtype=np.float32)
    y = np.array([[0.0], [1.0], [1.0], [1.0]], dtype=np.float32)
    assert model.predict(x).tolist() == [0, 0, 1, 1]
    assert model.accuracy(x, y) == 0.75
    assert model.evaluate(x, y)[1] == 0.75



def test_mlp_forward_is_the_nested_composition_of_its_layers():
    """Lesson 2 §7: y_hat = f(W_L f(... f(W_1 x + b_1) ...) + b_L); mlp's forward gives the scores
    of the output layer, predict_proba their softmax."""
    from nnutils.model import mlp
    net = mlp((4, 6, 5, 3), activation="relu", seed=0)
    rng = np.random.default_rng(11)
    for name, p in net.params.items():
        if name.startswith("b"):
            p[...] = rng.normal(0, 0.5, p.shape)
    assert [p.shape for p in net.params.values()] == [(4, 6), (6,), (6, 5), (5,), (5, 3), (3,)]
    x = rng.standard_normal((7, 4))
    W = [net.params[f"W{l}"] for l in (1, 2, 3)]
    b = [net.params[f"b{l}"] for l in (1, 2, 3)]
    relu = lambda z: np.maximum(z, 0)                   # noqa: E731
    scores = relu(relu(x @ W[0] + b[0]) @ W[1] + b[1]) @ W[2] + b[2]
    e = np.exp(scores - scores.max(axis=1, keepdims=True))
    np.testing.assert_allclose(net.forward(x), scores, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(net.predict_proba(x), e / e.sum(axis=1, keepdims=True), rtol=1e-12, atol=1e-12)
    h1 = x @ W[0] + b[0]
    assert (h1 > 0).any() and (h1 < 0).any()            # the ReLU matters in this example
