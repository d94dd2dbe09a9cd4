"""Lesson 7 (regularization): the notebook's claims, the cached experiment and the demos."""
import numpy as np
import pytest

from nnutils.demos.regularization import (SIZES, AugmentGallery, DropoutDemo, WeightDecayDemo,
                                          overfit_data, overfit_run)
from nnutils.exercises import lesson07 as ex
from nnutils.layers import Dropout
from nnutils.model import mlp
from nnutils.optim import SGD


def test_overfit_run_is_cached_per_setting_and_records_test_every_few_epochs():
    a = overfit_run(epochs=6)
    assert overfit_run(epochs=6) is a
    b = overfit_run(epochs=6, dropout=0.5)
    assert b is not a
    assert len(a.train_acc) == 6
    assert list(a.test_epochs) == [1, 5, 6]
    assert a.gap == pytest.approx(a.train_acc[-1] - a.test_acc[-1])
    x, y, xt, yt = overfit_data()
    assert x.shape == (300, 784) and xt.shape == (1000, 784)
    # the stored test accuracy is the model's accuracy on the test set
    assert a.test_acc[-1] == pytest.approx(a.model.accuracy(xt, yt))


def test_weight_decay_step_is_one_minus_eta_lambda():
    lam, eta = 0.1, 0.01
    x, y, _, _ = overfit_data()
    plain, decayed = mlp(SIZES, seed=0), mlp(SIZES, seed=0, weight_decay=lam)
    plain.gradient(x[:50], y[:50])
    decayed.gradient(x[:50], y[:50])
    W = {k: v.copy() for k, v in decayed.params.items()}
    SGD(lr=eta).update(decayed.params, decayed.grads)
    for k in W:
        expected = ((1 - eta * lam) * W[k] if k.startswith("W") else W[k]) - eta * plain.grads[k]
        np.testing.assert_allclose(decayed.params[k], expected, atol=1e-6, err_msg=k)


def test_l1_makes_first_layer_weights_sparse_and_l2_does_not():
    l1 = overfit_run(weight_decay=0.01, penalty="l1", epochs=30)
    l2 = overfit_run(weight_decay=0.1, penalty="l2", epochs=30)
    base = overfit_run(epochs=30)
    small = lambda run: np.mean(np.abs(run.model.params["W1"]) < 1e-3)       # noqa: E731
    assert small(l1) > 0.1, small(l1)
    assert small(l1) > 3 * max(small(l2), small(base)), (small(l1), small(l2), small(base))
    # L2 shrinks: the spread of the weights is smaller than without a penalty
    assert run_std(l2) < run_std(base)


def run_std(run):
    return float(run.model.params["W1"].std())


def test_exercise_references_agree_with_the_package():
    rng = np.random.default_rng(3)
    x = rng.normal(size=(8, 10)).astype(np.float32)
    layer = Dropout(0.3, rng=np.random.default_rng(4))
    out = layer.forward(x, train=True)
    u = np.random.default_rng(4).random(x.shape, dtype=np.float32)   # the same draws
    np.testing.assert_allclose(out, ex.dropout_forward_reference(x, 0.3, u), rtol=1e-6)
    dout = rng.normal(size=x.shape).astype(np.float32)
    np.testing.assert_allclose(layer.backward(dout), ex.dropout_backward_reference(dout, 0.3, u),
                               rtol=1e-6)
    xb, yb = rng.normal(size=(5, 6)), rng.integers(0, 3, 5)
    plain = mlp([6, 4, 3], batchnorm=True, seed=1, dtype=np.float64)
    decayed = mlp([6, 4, 3], batchnorm=True, seed=1, dtype=np.float64, weight_decay=0.2)
    plain.gradient(xb, yb)
    decayed.gradient(xb, yb)
    ref = ex.l2_grads_reference(plain.params, plain.grads, 0.2)
    for k, g in decayed.grads.items():
        np.testing.assert_allclose(g, ref[k], rtol=1e-12, err_msg=k)


# ---------------------------------------------------------------- demos (few epochs: fast)
def test_dropout_demo_mask_and_cache():
    demo = DropoutDemo(epochs=4)
    assert demo.error is None
    demo.set(ratio=0.5)
    kept = demo.mask_img.get_array()
    assert 0.35 < kept.mean() < 0.65
    run = overfit_run(dropout=0.5, epochs=4)
    np.testing.assert_allclose(demo.lines["train"].get_ydata(), run.train_acc)
    demo.set(ratio=0.0)
    assert demo.mask_img.get_array().min() == 1.0          # nothing dropped
    demo.set(ratio=0.5)
    assert "cached" in demo.status.value


def test_weight_decay_demo_penalties_and_extremes():
    demo = WeightDecayDemo(epochs=4)
    before = demo.h_now.get_data().values.copy()
    demo.set(penalty="l1", lam=1.0)
    assert demo.error is None
    after = demo.h_now.get_data().values
    assert not np.allclose(before, after)
    # λ = 1 with L1 at lr 0.01 pulls every weight by 0.01 per step: the histogram piles up at 0
    centre = np.argmin(np.abs(demo.h_now.get_data().edges[:-1] + 0.005))
    assert after[centre - 1:centre + 2].sum() > 0.5
    np.testing.assert_allclose(demo.lines["base_train"].get_ydata(), overfit_run(epochs=4).train_acc)


def test_augment_gallery_strength_zero_is_identity_and_flip_mirrors():
    g = AugmentGallery()
    originals = g.mosaic[0:28].copy()
    g.set(transform="shift", strength=0.0)
    np.testing.assert_array_equal(g.mosaic[30:58], originals)
    g.set(transform="flip", strength=1.0)
    for j in range(len(g.images)):
        np.testing.assert_allclose(g.mosaic[30:58, 30 * j:30 * j + 28], g.images[j][:, ::-1])
    g.set(transform="shift", strength=0.5, seed=0)
    first = g.mosaic[30:].copy()
    g.set(seed=1)
    assert not np.array_equal(first, g.mosaic[30:])
    assert list(g.labels) == [1, 2, 3, 4, 5, 6, 7, 9]
