"""fit's speed path must change a model exactly as the printed train_step does, to the last bit."""

import numpy as np
import pytest

from nnutils import optim as O
from nnutils.fastpath import step_function
from nnutils.layers import BatchNorm, Linear, ReLU, Tanh
from nnutils.model import Sequential, mlp
from nnutils.train import fit, train_step

MODELS = {
    "plain": dict(),
    "batchnorm+dropout+l2": dict(batchnorm=True, dropout=0.3, weight_decay=0.01),
    "tanh+l1": dict(activation="tanh", weight_decay=0.01, penalty="l1"),
    "maxout": dict(activation="maxout"),
}


def _data(n=48, d=12, classes=4, seed=0):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((n, d)), rng.integers(0, classes, n)


def _same(a, b):
    return all(np.array_equal(a.params[k], b.params[k]) for k in a.params)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("kind", MODELS)
@pytest.mark.parametrize("name", O.OPTIMIZERS)
def test_the_speed_path_is_train_step_bit_for_bit(name, kind, dtype):
    x, y = _data()
    lecture, fast = (mlp([12, 10, 10, 4], dtype=dtype, seed=3, **MODELS[kind]) for _ in range(2))
    opt_l, opt_f = O.make_optimizer(name, lr=0.05), O.make_optimizer(name, lr=0.05)
    step = step_function(fast, opt_f)
    for i in range(6):
        batch = slice(8 * i, 8 * i + 8 + (i % 2) * 4)           # two batch sizes
        assert train_step(lecture, opt_l, x[batch], y[batch]) == step(x[batch], y[batch])
    assert _same(lecture, fast)
    for store in type(opt_l)._STATE:
        for key, value in getattr(opt_l, store).items():
            assert np.array_equal(value, getattr(opt_f, store)[key]), (store, key)
    assert getattr(opt_l, "t", 0) == getattr(opt_f, "t", 0)
    lecture.loss(x, y, train=True)
    fast.loss(x, y, train=True)
    lecture.backward()
    fast.backward()                                   # and the printed backward still works after
    for key in lecture.grads:
        assert np.array_equal(lecture.grads[key], fast.grads[key])


def test_a_hand_built_model_with_its_own_arrays_gives_the_same_steps():
    x, y = _data()
    layers = lambda: [Linear(12, 8, rng=1), BatchNorm(8), Tanh(), Linear(8, 4, rng=2)]  # noqa: E731
    a, b = Sequential(layers()), Sequential(layers())
    oa, ob = O.Adam(lr=0.01), O.Adam(lr=0.01)
    step = step_function(b, ob)
    for _ in range(4):
        assert train_step(a, oa, x, y) == step(x, y)
    assert _same(a, b)


def test_state_replaced_or_reset_between_steps_is_respected():
    x, y = _data()
    a, b = mlp([12, 6, 4], seed=0), mlp([12, 6, 4], seed=0)
    oa, ob = O.Momentum(lr=0.1), O.Momentum(lr=0.1)
    step = step_function(b, ob)
    for i in range(5):
        if i == 2:
            oa.v, ob.v = {}, {}                      # replaced from outside
        if i == 3:
            oa.v["W1"][...] = 1.0                    # edited in place
            ob.v["W1"][...] = 1.0
        if i == 4:
            oa.reset()
            ob.reset()
        train_step(a, oa, x, y)
        step(x, y)
        assert _same(a, b), i


def test_references_to_parameters_stay_live_through_fit():
    x, y = _data()
    model = mlp([12, 6, 4], seed=0)
    W1 = model.params["W1"]
    before = W1.copy()
    fit(model, O.SGD(lr=0.1), x, y, epochs=2, batch_size=16, progress=False)
    assert model.params["W1"] is W1 and not np.array_equal(W1, before)


def test_an_optimizer_with_its_own_update_is_left_to_train_step():
    class HalfSGD(O.SGD):
        def update(self, params, grads):
            for key in params:
                params[key] -= 0.5 * self.lr * grads[key]

    x, y = _data()
    a, b = mlp([12, 6, 4], seed=0), mlp([12, 6, 4], seed=0)
    step = step_function(b, HalfSGD(lr=0.1))
    train_step(a, O.SGD(lr=0.05), x, y)
    step(x, y)
    assert _same(a, b)


def test_fit_on_the_speed_path_records_what_train_step_would():
    x, y = _data(n=96)
    a, b = mlp([12, 8, 4], seed=5, dropout=0.2), mlp([12, 8, 4], seed=5, dropout=0.2)
    hist = fit(a, O.Adam(lr=0.01), x, y, epochs=3, batch_size=20, seed=7, progress=False)
    # the same loop by hand, with the printed train_step
    opt, rng, losses = O.Adam(lr=0.01), np.random.default_rng(7), []
    for _ in range(3):
        order = rng.permutation(len(x))
        for start in range(0, len(x), 20):
            idx = order[start:start + 20]
            losses.append(train_step(b, opt, x[idx], y[idx]))
    assert hist.loss == losses
    assert _same(a, b)


def test_relu_layers_after_other_layers_are_not_overwritten():
    # a ReLU whose input is not one of the speed path's buffers must not work in place
    x, y = _data()
    layers = lambda: [Linear(12, 8, rng=1), BatchNorm(8), ReLU(), Linear(8, 4, rng=2)]  # noqa: E731
    a, b = Sequential(layers()), Sequential(layers())
    step = step_function(b, O.SGD(lr=0.1))
    for _ in range(3):
        assert train_step(a, O.SGD(lr=0.1), x, y) == step(x, y)
    assert _same(a, b)
