"""Losses: hand-computed values, stability, gradient checks, label validation."""

import math

import numpy as np
import pytest

from nnutils import losses as Lo
from nnutils.gradcheck import numerical_gradient, relative_error


def test_softmax_values_and_rows():
    s = np.array([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0]])
    e = [math.exp(1), math.exp(2), math.exp(3)]
    np.testing.assert_allclose(Lo.softmax(s)[0], [v / sum(e) for v in e])
    np.testing.assert_allclose(Lo.softmax(s)[1], [1 / 3] * 3)
    np.testing.assert_allclose(Lo.softmax(np.array([1.0, 2.0])), [1 / (1 + math.e), math.e / (1 + math.e)])


def test_softmax_is_stable_and_shift_invariant():
    s = np.array([[1000.0, 1001.0, 1002.0], [-1000.0, 0.0, 1000.0]])
    p = Lo.softmax(s)
    assert np.all(np.isfinite(p))
    np.testing.assert_allclose(p[0], Lo.softmax(np.array([[0.0, 1.0, 2.0]]))[0])
    np.testing.assert_allclose(p.sum(axis=1), 1)
    assert Lo.softmax(s.astype(np.float32)).dtype == np.float32


def test_log_softmax_matches_log_of_softmax():
    s = np.random.default_rng(0).standard_normal((4, 5)) * 3
    np.testing.assert_allclose(Lo.log_softmax(s), np.log(Lo.softmax(s)))


def test_cross_entropy_by_hand():
    p = np.array([[0.7, 0.2, 0.1], [0.1, 0.1, 0.8]])
    expected = -(math.log(0.7) + math.log(0.8)) / 2
    assert Lo.cross_entropy(p, np.array([0, 2])) == pytest.approx(expected)
    assert Lo.cross_entropy(p, Lo.one_hot(np.array([0, 2]), 3)) == pytest.approx(expected)
    assert Lo.cross_entropy(np.array([0.25, 0.75]), 1) == pytest.approx(-math.log(0.75))
    assert np.isfinite(Lo.cross_entropy(np.array([[1.0, 0.0]]), np.array([1])))   # no log(0)


def test_one_hot():
    np.testing.assert_array_equal(Lo.one_hot(np.array([2, 0, 1]), 3), [[0, 0, 1], [1, 0, 0], [0, 1, 0]])
    assert Lo.one_hot([1], 4).dtype == np.float32
    with pytest.raises(ValueError, match=r"labels must be in \[0, 2\], got range \[0, 3\]"):
        Lo.one_hot(np.array([0, 3]), 3)
    with pytest.raises(ValueError, match="n_classes"):
        Lo.one_hot(np.array([0]), 0)


def test_mse_half_convention_by_hand():
    y_pred = np.array([[1.0, 2.0], [3.0, 4.0]])
    y_true = np.array([[0.0, 2.0], [1.0, 1.0]])
    # 1/2 * (1 + 0 + 4 + 9) / 2 samples
    assert Lo.mse(y_pred, y_true) == pytest.approx(0.5 * 14 / 2)
    assert Lo.MSELoss().forward(y_pred, y_true) == pytest.approx(3.5)
    with pytest.raises(ValueError, match="same shape"):
        Lo.mse(y_pred, y_true[:1])


@pytest.mark.parametrize("one_hot", [False, True])
def test_softmax_cross_entropy_gradient(one_hot):
    rng = np.random.default_rng(1)
    s = rng.standard_normal((5, 4)) * 2
    y = rng.integers(0, 4, 5)
    target = Lo.one_hot(y, 4).astype(np.float64) if one_hot else y
    layer = Lo.SoftmaxCrossEntropy()
    loss = layer.forward(s, target)
    assert loss == pytest.approx(Lo.cross_entropy(Lo.softmax(s), y))
    ana = layer.backward()
    num = numerical_gradient(lambda z: Lo.SoftmaxCrossEntropy().forward(z, target), s)
    assert relative_error(ana, num) <= 1e-7
    np.testing.assert_allclose(ana, (Lo.softmax(s) - Lo.one_hot(y, 4)) / 5)
    np.testing.assert_allclose(layer.backward(2.0), 2 * ana)


def test_softmax_cross_entropy_huge_scores_stay_finite():
    layer = Lo.SoftmaxCrossEntropy()
    loss = layer.forward(np.array([[1e4, -1e4, 0.0]], dtype=np.float32), np.array([1]))
    assert loss == pytest.approx(2e4, rel=1e-6)            # exact: logsumexp - s_y
    assert np.all(np.isfinite(layer.backward()))
    assert layer.backward().dtype == np.float32


def test_mse_loss_gradient():
    rng = np.random.default_rng(2)
    y_pred, y_true = rng.standard_normal((6, 3)), rng.standard_normal((6, 3))
    layer = Lo.MSELoss()
    layer.forward(y_pred, y_true)
    num = numerical_gradient(lambda z: Lo.mse(z, y_true), y_pred)
    assert relative_error(layer.backward(), num) <= 1e-7
    np.testing.assert_allclose(layer.backward(), (y_pred - y_true) / 6)


def test_mse_loss_with_integer_labels_regresses_on_one_hot():
    out = np.array([[0.9, 0.1], [0.2, 0.7]])
    assert Lo.MSELoss().forward(out, np.array([0, 1])) == pytest.approx(
        Lo.mse(out, np.array([[1.0, 0.0], [0.0, 1.0]])))


@pytest.mark.parametrize("y, message", [
    (np.array([0, 1, 5]), r"labels must be in \[0, 2\], got range \[0, 5\]"),
    (np.array([0, -1, 2]), r"labels must be in \[0, 2\]"),
    (np.array([0, 1]), "expected 3 labels"),
    (np.array([0.5, 1, 2]), "expected integer labels"),
    (np.array([0, np.nan, 2]), "expected integer labels"),
    (np.zeros((3, 2)), "expected integer labels of shape"),
])
def test_bad_labels_say_what_was_expected(y, message):
    with pytest.raises(ValueError, match=message):
        Lo.SoftmaxCrossEntropy().forward(np.zeros((3, 3)), y)


def test_bad_scores_shape():
    with pytest.raises(ValueError, match=r"scores: expected shape \(N, n_classes\)"):
        Lo.SoftmaxCrossEntropy().forward(np.zeros(3), np.array([0]))


def test_backward_before_forward():
    with pytest.raises(RuntimeError, match="forward"):
        Lo.SoftmaxCrossEntropy().backward()
