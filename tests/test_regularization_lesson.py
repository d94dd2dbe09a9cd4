"""Lesson 7 (regularization): the notebook's claims, the cached experiment and the demos."""
import numpy as np
import pytest

from nnutils.data import load_mnist
from nnutils.demos.regularization import AugmentGallery, DropoutDemo, WeightDecayDemo
from nnutils.experiments.overfitting import LECTURE, NOISY, overfit_data, overfit_run
from nnutils.exercises import lesson07 as ex
from nnutils.layers import Dropout
from nnutils.model import mlp
from nnutils.optim import SGD


def test_overfit_run_is_cached_per_setting_and_records_test_every_few_epochs():
    a = overfit_run(LECTURE, epochs=6)
    assert overfit_run(LECTURE, epochs=6) is a
    b = overfit_run(LECTURE, epochs=6, dropout=0.5)
    assert b is not a and overfit_run(NOISY, epochs=6) is not a
    assert len(a.train_acc) == 6
    assert list(a.test_epochs) == [1, 5, 6]
    assert a.gap == pytest.approx(a.train_acc[-1] - a.test_acc[-1])
    x, y, _, _, xt, yt = overfit_data(LECTURE)
    assert x.shape == (300, 784) and xt.shape == (1000, 784)
    # the stored test accuracy is the model's accuracy on the test set
    assert a.test_acc[-1] == pytest.approx(a.model.accuracy(xt, yt))


def test_weight_decay_step_is_one_minus_eta_lambda():
    lam, eta = 0.1, 0.01
    x, y, *_ = overfit_data(LECTURE)
    plain, decayed = mlp(LECTURE.sizes, seed=0), mlp(LECTURE.sizes, seed=0, weight_decay=lam)
    plain.gradient(x[:50], y[:50])
    decayed.gradient(x[:50], y[:50])
    W = {k: v.copy() for k, v in decayed.params.items()}
    SGD(lr=eta).update(decayed.params, decayed.grads)
    for k in W:
        expected = ((1 - eta * lam) * W[k] if k.startswith("W") else W[k]) - eta * plain.grads[k]
        np.testing.assert_allclose(decayed.params[k], expected, atol=1e-6, err_msg=k)


def test_l1_makes_first_layer_weights_sparse_and_l2_does_not():
    l1 = overfit_run(LECTURE, weight_decay=0.01, penalty="l1", epochs=30)
    l2 = overfit_run(LECTURE, weight_decay=0.1, penalty="l2", epochs=30)
    base = overfit_run(LECTURE, epochs=30)
    small = lambda run: np.mean(np.abs(run.model.params["W1"]) < 1e-3)       # noqa: E731
    assert small(l1) > 0.1, small(l1)
    assert small(l1) > 3 * max(small(l2), small(base)), (small(l1), small(l2), small(base))
    # L2 shrinks: the spread of the weights is smaller than without a penalty
    assert run_std(l2) < run_std(base)


def test_noisy_setup_corrupts_training_and_validation_labels_but_not_the_test_labels():
    x, y, x_val, y_val, x_test, y_test = overfit_data(NOISY)
    m = load_mnist()
    assert x.shape == (1000, 784) and x_val.shape == (1000, 784)
    np.testing.assert_array_equal(x, m.x_train[:1000])
    assert not any(np.array_equal(x_val[0], row) for row in x)          # validation images are others
    assert 0.25 < np.mean(y != m.y_train[:1000]) < 0.35
    assert 0.25 < np.mean(y_val != m.y_train[3000:4000]) < 0.35
    np.testing.assert_array_equal(y_test, m.y_test)
    assert overfit_data(NOISY)[1] is y                                  # drawn once, the same every run


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
    run = overfit_run(NOISY, dropout=0.5, epochs=4)
    np.testing.assert_allclose(demo.lines["train"].get_ydata(), run.train_acc)
    demo.set(ratio=0.0)
    assert demo.mask_img.get_array().min() == 1.0          # nothing dropped
    demo.set(ratio=0.5)
    assert "cached" in demo.status.value


def test_weight_decay_demo_penalties_and_extremes():
    demo = WeightDecayDemo(epochs=4)
    before = demo.h_now.get_data().values.copy()
    demo.set(penalty="l1", lam=0.01)
    assert demo.error is None
    after = demo.h_now.get_data().values
    assert not np.allclose(before, after)
    # L1 λ = 0.01 at lr 0.1 pulls every weight by 0.001 per step, 0.04 in 40 steps: He weights
    # (std 0.05) pile up in the bins around 0, far more than without the penalty
    centre = np.argmin(np.abs(demo.h_now.get_data().edges[:-1] + 0.005))
    base_centre = demo.h_base.get_data().values[centre - 1:centre + 2].sum()
    assert after[centre - 1:centre + 2].sum() > 2 * base_centre, (after, base_centre)
    np.testing.assert_allclose(demo.lines["base_train"].get_ydata(), overfit_run(NOISY, epochs=4).train_acc)
    demo.set(penalty="l2", lam=1.0)                        # the strongest stop trains without error
    assert demo.error is None


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


# ------------------------------------------------- the lesson's claims, computed again
SEEDS = (0, 1, 2)
REGULARIZERS = {"L2 λ=10^-1.5": dict(weight_decay=10 ** -1.5), "dropout 0.5": dict(dropout=0.5)}


def test_on_noisy_labels_each_regularizer_raises_test_accuracy_beyond_the_seed_noise():
    # one test, not one per regularizer: the plain runs are shared and xdist would train them twice
    final = lambda **kw: np.array([overfit_run(NOISY, seed=s, **kw).test_acc[-1] for s in SEEDS])  # noqa: E731
    base = final()
    for name, kw in REGULARIZERS.items():
        reg = final(**kw)
        assert reg.min() > base.max(), (name, reg, base)        # every run beats every plain run
        noise = max(base.std(ddof=1), reg.std(ddof=1))
        assert reg.mean() - base.mean() > 2 * noise, (name, reg, base)


def test_the_plain_network_memorises_wrong_labels_and_its_test_accuracy_falls_from_its_peak():
    x, y, *_ = overfit_data(NOISY)
    wrong = y != load_mnist().y_train[:len(y)]
    run = overfit_run(NOISY)
    assert run.model.accuracy(x[wrong], y[wrong]) > 0.5     # most wrong labels reproduced
    assert run.test_acc.max() - run.test_acc[-1] > 0.05
    assert run.test_epochs[run.test_acc.argmax()] <= NOISY.epochs // 3


def test_in_the_lecture_setup_weight_decay_narrows_the_gap_but_costs_test_accuracy():
    base, l2 = overfit_run(LECTURE), overfit_run(LECTURE, weight_decay=0.1)
    assert base.train_acc[-1] == 1.0
    assert base.test_acc.argmax() >= len(base.test_acc) - 2   # still rising at the end
    assert l2.gap < base.gap and l2.test_acc[-1] < base.test_acc[-1]


def test_early_stopping_stops_after_the_validation_loss_turns_up_and_restores_a_better_model():
    from nnutils.train import fit
    x, y, x_val, y_val, x_test, y_test = overfit_data(NOISY)
    model, test_acc = mlp(NOISY.sizes, seed=0), []
    hist = fit(model, SGD(lr=NOISY.lr), x, y, epochs=NOISY.epochs, x_val=x_val, y_val=y_val,
               early_stopping=20, progress=False,
               callbacks=lambda h: test_acc.append(model.accuracy(x_test, y_test)))
    best = hist.best_epoch
    assert hist.epochs == best + 1 + 20 < NOISY.epochs            # stopped by the patience
    assert max(hist.val_loss[best + 1:]) > hist.val_loss[best] + 0.05   # the loss did turn up
    restored = model.accuracy(x_test, y_test)
    assert restored == pytest.approx(test_acc[best])
    assert restored >= test_acc[-1]                                # at least as good as the last
    assert restored > overfit_run(NOISY).test_acc[-1] + 0.05       # and than training 60 epochs


# ------------------------------------ under-fit / over-fit, dropout's convention and co-adaptation
def test_polynomial_degrees_1_4_15_underfit_fit_and_overfit():
    # the lesson's data, fitted here in another basis (Chebyshev): the least-squares fit is the same
    rng = np.random.default_rng(0)
    truth = lambda x: np.sin(2 * np.pi * x)                               # noqa: E731
    x_fit = np.linspace(0, 1, 20)
    y_fit = truth(x_fit) + rng.normal(0, 0.25, 20)
    x_new = rng.uniform(0, 1, 500)
    y_new = truth(x_new) + rng.normal(0, 0.25, 500)
    mse = {}
    for deg in (1, 4, 15):
        p = np.polynomial.Chebyshev.fit(x_fit, y_fit, deg)
        mse[deg] = np.mean((p(x_fit) - y_fit) ** 2), np.mean((p(x_new) - y_new) ** 2)
    (tr1, te1), (tr4, te4), (tr15, te15) = mse[1], mse[4], mse[15]
    assert tr1 > tr4 > tr15                                  # training error falls with capacity
    assert tr1 > 0.2 and te1 > 0.2 and te1 <= tr1            # under-fit: both high, no gap
    assert te4 < te1 and te4 < te15 and te4 < 2 * 0.25 ** 2   # the good fit is near the noise floor
    assert tr15 < 0.25 ** 2 / 4 and te15 > 4 * te4           # over-fit: fits the noise, big gap


def test_dropout_p_means_keep_in_cs231n_and_drop_in_dlfs_and_nnutils():
    u = np.random.default_rng(5).random((2000, 100))
    for p in (0.5, 0.2):
        cs231n = (u < p) / p                                 # the CS231n line: p = keep probability
        dlfs = u > p                                         # DLFS: dropout_ratio = drop probability
        assert np.mean(cs231n > 0) == pytest.approx(p, abs=0.01)
        assert np.mean(dlfs) == pytest.approx(1 - p, abs=0.01)
        assert np.mean(cs231n) == pytest.approx(1.0, abs=0.02)             # still inverted dropout
        ours = Dropout(p, rng=np.random.default_rng(6)).forward(np.ones((2000, 100)), train=True)
        assert np.mean(ours > 0) == pytest.approx(1 - p, abs=0.01)
    assert abs(np.mean(u < 0.2) - np.mean(u > 0.2)) > 0.5   # "p = 0.2": 20 % kept vs 80 % kept


def _thinned(model, x, y, ratio, rng, n_masks=10):
    """Test accuracy with `ratio` of the hidden units dropped, through nnutils Dropout layers."""
    from nnutils.layers import ReLU
    accs = []
    for _ in range(n_masks):
        h = x
        for layer in model.layers:
            h = layer.forward(h, train=False)
            if isinstance(layer, ReLU):
                h = Dropout(ratio, rng=rng).forward(h, train=True)
        accs.append(np.mean(np.argmax(h, axis=1) == y))
    return float(np.mean(accs))


def test_dropout_trained_units_survive_losing_half_their_partners_and_plain_ones_do_not():
    x_test, y_test = overfit_data(NOISY)[4:]
    rng = np.random.default_rng(11)
    plain, dropped = overfit_run(NOISY).model, overfit_run(NOISY, dropout=0.5).model
    loss_plain = plain.accuracy(x_test, y_test) - _thinned(plain, x_test, y_test, 0.5, rng)
    loss_drop = dropped.accuracy(x_test, y_test) - _thinned(dropped, x_test, y_test, 0.5, rng)
    assert loss_plain > 0.3 and loss_drop < 0.25, (loss_plain, loss_drop)
    assert loss_plain > 2 * loss_drop, (loss_plain, loss_drop)


def test_shear_keeps_the_ink_of_the_test_digits_and_stretch_scales_it_within_its_bounds():
    from nnutils.augment import shear, stretch
    x = load_mnist(flatten=False).x_test
    ink = x.sum(axis=(1, 2))
    r_shear = shear(x, 0.3, rng=1).sum(axis=(1, 2)) / ink
    r_stretch = stretch(x, 0.2, rng=1).sum(axis=(1, 2)) / ink
    assert r_shear.min() > 0.97 and r_shear.max() < 1.001
    assert r_stretch.min() > 0.8 ** 2 - 0.02 and r_stretch.max() < 1.2 ** 2 + 0.02
    assert r_stretch.min() < 0.75 and r_stretch.max() > 1.3          # the factors really vary


# ------------------------------------------------------------------- test-time augmentation
def _moved(x, dr, dc):
    """Flat 28×28 images moved dr down, dc right, zeros shifted in (np.roll, then clear the wrap)."""
    img = np.roll(x.reshape(-1, 28, 28), (dr, dc), axis=(1, 2))
    if dr > 0:
        img[:, :dr] = 0
    elif dr < 0:
        img[:, dr:] = 0
    if dc > 0:
        img[:, :, :dc] = 0
    elif dc < 0:
        img[:, :, dc:] = 0
    return img.reshape(len(x), -1)


def _sign_p(fixed, broken):
    from math import comb
    n, k = fixed + broken, min(fixed, broken)
    return min(1.0, 2 * sum(comb(n, i) for i in range(k + 1)) / 2 ** n)


def test_tta_helps_both_nets_a_little_and_wide_shifts_only_the_augmented_one():
    from nnutils.augment import Augmenter
    from nnutils.train import fit
    m = load_mnist()
    nets = {}
    for name, aug in [("plain", None), ("aug", Augmenter(shift=2, rotate=10))]:
        net = mlp([784, 100, 100, 10], seed=0)
        fit(net, SGD(lr=0.1), m.x_train[:500], m.y_train[:500], epochs=60, seed=0, augment=aug, progress=False)
        nets[name] = net
    res = {}
    for where, (x, y) in [("test", (m.x_test, m.y_test)), ("unseen", (m.x_train[500:], m.y_train[500:]))]:
        for name, net in nets.items():
            probs = {(dr, dc): net.predict_proba(_moved(x, dr, dc)) for dr in range(-2, 3) for dc in range(-2, 3)}
            right = net.predict(x) == y
            for reach in (1, 2):
                avg = np.mean([p for d, p in probs.items() if max(map(abs, d)) <= reach], axis=0)
                tta = avg.argmax(axis=1) == y
                res[where, name, reach] = (tta.mean() - right.mean(),
                                           _sign_p(int(np.sum(tta & ~right)), int(np.sum(right & ~tta))))
            if where == "test":
                far = np.mean([np.mean(p.argmax(1) == y) for d, p in probs.items() if max(map(abs, d)) == 2])
                res["far", name] = far
    # on the 1,000 test images every change is within luck
    for name in nets:
        for reach in (1, 2):
            gain, p = res["test", name, reach]
            assert abs(gain) <= 0.012 and p > 0.05, (name, reach, gain, p)
    # on the 3,500 unseen images: 9 copies help both, 25 copies help the augmented net only
    for name in nets:
        gain, p = res["unseen", name, 1]
        assert gain > 0.004 and p < 0.05, (name, gain, p)
    gain, p = res["unseen", "aug", 2]
    assert gain > 0.008 and p < 0.001, (gain, p)
    gain, p = res["unseen", "plain", 2]
    assert gain < 0.003 and p > 0.05, (gain, p)
    assert res["far", "plain"] < 0.5 < 0.75 < res["far", "aug"]
