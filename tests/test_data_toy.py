"""2-D toy sets, splits, k-fold, standardisation and PCA whitening."""

import numpy as np
import pytest

from nnutils import data

TOYS = [data.make_xor, data.make_circles, data.make_moons, data.make_spirals, data.make_gaussians]


# --- toy sets ------------------------------------------------------------------------------

@pytest.mark.parametrize("make", TOYS)
def test_toy_shapes_types_balance(make):
    x, y = make(101, noise=0.1, seed=3)
    assert x.shape == (101, 2) and x.dtype == np.float32
    assert y.shape == (101,) and y.dtype == np.intp
    counts = np.bincount(y)
    assert counts.max() - counts.min() <= 1 and len(counts) >= 2
    assert np.all(np.isfinite(x))


@pytest.mark.parametrize("make", TOYS)
def test_toy_determinism_per_seed(make):
    a, b, c = make(50, noise=0.2, seed=1), make(50, noise=0.2, seed=1), make(50, noise=0.2, seed=2)
    assert np.array_equal(a[0], b[0]) and np.array_equal(a[1], b[1])
    assert not np.array_equal(a[0], c[0])


def test_xor_truth_table():
    x, y = data.make_xor(4)
    assert x.tolist() == [[0, 0], [0, 1], [1, 0], [1, 1]]
    assert y.tolist() == [0, 1, 1, 0]
    x, y = data.make_xor(200, noise=0.1, seed=0)  # noisy clouds around the corners
    corner = np.round(x).clip(0, 1).astype(int)
    assert np.mean((corner[:, 0] ^ corner[:, 1]) == y) > 0.99


def test_circles_radii():
    x, y = data.make_circles(200, noise=0.0, factor=0.3)
    r = np.hypot(x[:, 0], x[:, 1])
    assert np.allclose(r[y == 0], 1.0, atol=1e-6) and np.allclose(r[y == 1], 0.3, atol=1e-6)


def test_moons_on_their_arcs():
    x, y = data.make_moons(200, noise=0.0)
    upper, lower = x[y == 0], x[y == 1]
    assert np.allclose(np.hypot(*upper.T), 1.0, atol=1e-6) and np.all(upper[:, 1] >= -1e-6)
    assert np.allclose(np.hypot(lower[:, 0] - 1, lower[:, 1] - 0.5), 1.0, atol=1e-6)
    assert np.all(lower[:, 1] <= 0.5 + 1e-6)


def test_spirals_arms():
    x, y = data.make_spirals(300, arms=3, noise=0.0, turns=1.0)
    assert set(np.unique(y)) == {0, 1, 2}
    r = np.hypot(x[:, 0], x[:, 1])
    assert r.max() <= 1.0 + 1e-6
    # on arm k the angle is 2*pi*(k/3 + r) (mod 2*pi)
    angle = np.arctan2(x[:, 1], x[:, 0])
    expected = 2 * np.pi * (y / 3 + r)
    assert np.allclose(np.cos(angle - expected), 1.0, atol=1e-4)


def test_gaussians_centres():
    centres = np.array([[0.0, 0.0], [5.0, 5.0], [-5.0, 5.0]])
    x, y = data.make_gaussians(3000, centers=centres, noise=0.5, seed=0)
    for k, c in enumerate(centres):
        assert np.allclose(x[y == k].mean(axis=0), c, atol=0.05)
        assert np.allclose(x[y == k].std(axis=0), 0.5, atol=0.05)
    x, y = data.make_gaussians(40, centers=4)
    assert len(np.unique(y)) == 4


@pytest.mark.parametrize("call, word", [
    (lambda: data.make_moons(0), "n"),
    (lambda: data.make_moons(10.5), "n"),
    (lambda: data.make_moons(10, noise=-1), "noise"),
    (lambda: data.make_spirals(10, arms=1), "arms"),
    (lambda: data.make_circles(10, factor=1.5), "factor"),
    (lambda: data.make_gaussians(10, centers=np.zeros((2, 3))), "centers"),
])
def test_toy_bad_arguments(call, word):
    with pytest.raises(ValueError, match=word):
        call()


# --- splits --------------------------------------------------------------------------------

def test_train_val_test_split_stratified_and_disjoint():
    y = np.repeat(np.arange(4), [100, 50, 30, 20])
    x = np.arange(len(y))[:, None].astype(np.float32)  # the row number, to trace rows
    (xt, yt), (xv, yv), (xs, ys) = data.train_val_test_split(x, y, val=0.2, test=0.1, seed=0)
    assert (len(yt), len(yv), len(ys)) == (140, 40, 20)
    rows = np.concatenate([xt, xv, xs]).ravel().astype(int)
    assert np.array_equal(np.sort(rows), np.arange(200))      # disjoint and complete
    assert np.array_equal(y[rows], np.concatenate([yt, yv, ys]))  # labels follow their rows
    assert np.array_equal(np.bincount(yv), [20, 10, 6, 4])      # class proportions kept
    assert np.array_equal(np.bincount(ys), [10, 5, 3, 2])


def test_split_counts_and_unstratified():
    y = np.arange(100) % 2
    x = np.zeros((100, 3))
    (xt, _), (xv, _), (xs, _) = data.train_val_test_split(x, y, val=7, test=13, stratify=False, seed=5)
    assert (len(xt), len(xv), len(xs)) == (80, 7, 13)
    a = data.train_val_test_split(x, y, seed=1)[1][1]
    b = data.train_val_test_split(x, y, seed=1)[1][1]
    assert np.array_equal(a, b)
    with pytest.raises(ValueError, match="x, y"):
        data.train_val_test_split(x[:5], y)
    with pytest.raises(ValueError, match="val"):
        data.train_val_test_split(x, y, val=1.2)


def test_kfold_partitions():
    folds = list(data.kfold(23, 5, seed=0))
    assert len(folds) == 5
    vals = np.concatenate([v for _, v in folds])
    assert np.array_equal(np.sort(vals), np.arange(23))
    assert sorted(len(v) for _, v in folds) == [4, 4, 5, 5, 5]
    for tr, va in folds:
        assert len(np.intersect1d(tr, va)) == 0 and len(tr) + len(va) == 23
    assert not np.array_equal(folds[0][1], np.arange(5))  # shuffled
    again = list(data.kfold(23, 5, seed=0))
    assert all(np.array_equal(a[1], b[1]) for a, b in zip(folds, again))


def test_kfold_stratified():
    y = np.repeat([0, 1, 2], [30, 20, 10])
    for _, va in data.kfold(60, 5, y=y):
        assert np.array_equal(np.bincount(y[va], minlength=3), [6, 4, 2])
    with pytest.raises(ValueError, match="k"):
        list(data.kfold(10, 11))


# --- preprocessing --------------------------------------------------------------------------

def test_standardizer_fits_on_train_only_no_leak():
    rng = np.random.default_rng(0)
    x_train = rng.normal(3.0, 2.0, size=(500, 4)).astype(np.float32)
    x_test = rng.normal(10.0, 5.0, size=(100, 4)).astype(np.float32)  # a shifted distribution
    s = data.Standardizer().fit(x_train)
    # parameters are the training statistics, computed independently here
    assert np.allclose(s.mean_, x_train.astype(np.float64).mean(axis=0))
    assert np.allclose(s.std_, x_train.astype(np.float64).std(axis=0))
    z_train, z_test = s.transform(x_train), s.transform(x_test)
    assert np.allclose(z_train.mean(axis=0), 0, atol=1e-5) and np.allclose(z_train.std(axis=0), 1, atol=1e-4)
    # the test set is NOT re-centred on itself: its mean stays far from 0 ...
    assert np.all(z_test.mean(axis=0) > 2)
    assert np.allclose(z_test, (x_test - x_train.mean(0)) / x_train.std(0), atol=1e-4)
    # ... and transforming the test set never changes what was learnt
    before = s.mean_.copy()
    s.transform(x_test * 100)
    assert np.array_equal(before, s.mean_)
    # a leaky version (fit on train + test) would give different numbers
    leaky = data.Standardizer().fit(np.concatenate([x_train, x_test]))
    assert not np.allclose(leaky.transform(x_test), z_test)


def test_standardizer_options_and_constant_features():
    x = np.array([[0.0, 1.0, 5.0], [0.0, 3.0, 5.0]], dtype=np.float32)
    z = data.Standardizer().fit_transform(x)
    assert np.all(np.isfinite(z)) and np.all(z[:, [0, 2]] == 0)  # constant column: 0, not NaN
    assert np.allclose(data.Standardizer(scale=False).fit_transform(x), x - x.mean(0))
    assert np.allclose(data.Standardizer(center=False).fit_transform(x)[:, 1], [1 / 1.0, 3 / 1.0])
    s = data.Standardizer().fit(x)
    assert np.allclose(s.inverse_transform(s.transform(x)), x)
    assert z.dtype == np.float32
    with pytest.raises(RuntimeError, match="fit"):
        data.Standardizer().transform(x)
    with pytest.raises(ValueError, match="features"):
        s.transform(np.zeros((2, 4)))
    with pytest.raises(ValueError, match="2-D"):
        s.transform(np.zeros(3))


def test_standardizer_on_mnist_train_only():
    m = data.load_mnist(validation=500)
    s = data.Standardizer().fit(m.x_train)
    assert np.allclose(s.mean_, m.x_train.mean(axis=0), atol=1e-6)
    z_val = s.transform(m.x_val)
    assert z_val.shape == m.x_val.shape and z_val.dtype == np.float32
    assert abs(float(s.transform(m.x_train).mean())) < 1e-4
    assert abs(float(z_val.mean())) > 1e-4  # not re-fitted on the validation split


def test_pca_whitening():
    rng = np.random.default_rng(1)
    mix = np.array([[3.0, 0.0, 0.0], [1.0, 0.5, 0.0], [0.0, 0.2, 0.1]])
    x = rng.standard_normal((2000, 3)) @ mix + 7.0
    w = data.PCAWhitening(eps=0.0).fit(x)
    z = w.transform(x)
    assert np.allclose(np.cov(z, rowvar=False), np.eye(3), atol=1e-6)
    # variances in decreasing order, equal to the eigenvalues of the covariance
    assert np.allclose(w.explained_variance_, np.sort(np.linalg.eigvalsh(np.cov(x, rowvar=False)))[::-1])
    z2 = data.PCAWhitening(n_components=2, eps=0.0).fit_transform(x)
    assert z2.shape == (2000, 2) and np.allclose(np.abs(z2), np.abs(z[:, :2]), atol=1e-8)
    zca = data.PCAWhitening(eps=0.0, zca=True).fit_transform(x)
    assert np.allclose(np.cov(zca, rowvar=False), np.eye(3), atol=1e-6)
    # ZCA stays close to the (centred) data: each output correlates most with its own input
    corr = np.corrcoef(zca.T, x.T)[:3, 3:]
    assert np.array_equal(np.argmax(corr, axis=1), [0, 1, 2])
    with pytest.raises(ValueError, match="n_components"):
        data.PCAWhitening(n_components=4).fit(x)
