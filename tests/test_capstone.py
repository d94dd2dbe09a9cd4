"""Lesson 9: confusion matrix helpers and the mistake browser."""
import numpy as np
import pytest

from nnutils.demos import capstone as cap
from nnutils.experiments import mistakes as M


def test_confusion_matrix_rows_are_the_truth():
    y_true = np.array([0, 0, 1, 2, 2, 2])
    y_pred = np.array([0, 1, 1, 2, 0, 0])
    cm = M.confusion_matrix(y_true, y_pred, n_classes=3)
    expected = np.zeros((3, 3), int)
    for t, p in zip(y_true, y_pred):          # counted one by one, independently
        expected[t, p] += 1
    assert np.array_equal(cm, expected)
    assert cm[2, 0] == 2 and cm[0, 2] == 0
    with pytest.raises(ValueError, match="same length"):
        M.confusion_matrix([0, 1], [0])


def test_most_confused_skips_the_diagonal_and_sorts():
    cm = np.array([[50, 1, 7], [3, 60, 0], [9, 2, 40]])
    assert M.most_confused(cm, k=3) == [(9, 2, 0), (7, 0, 2), (3, 1, 0)]


def _fake(n=60, seed=0):
    rng = np.random.default_rng(seed)
    labels = np.arange(n) % 10
    probs = rng.dirichlet(np.ones(10) * 0.3, size=n)
    images = rng.random((n, 784)).astype(np.float32)
    return probs, images, labels


def test_browser_shows_exactly_the_selected_mistakes_in_order():
    probs, images, labels = _fake()
    demo = cap.MistakeBrowser(probs, images, labels)
    pred, conf = probs.argmax(1), probs.max(1)
    wrong = np.flatnonzero(pred != labels)
    demo.set(true=int(labels[wrong[0]]))
    sel = wrong[labels[wrong] == labels[wrong[0]]]
    sel = sel[np.argsort(-conf[sel], kind="stable")]
    texts = [c.get_text() for c in demo.captions if c.get_text()]
    assert texts == [f"{labels[i]} → {pred[i]} ({conf[i]:.2f})" for i in sel]
    # the first tile holds the most confident mistake's image
    tile = demo.tiles.get_array()[1:29, 1:29]
    np.testing.assert_allclose(tile, images[sel[0]].reshape(28, 28))
    # least confident first reverses the order
    demo.set(order="least")
    texts = [c.get_text() for c in demo.captions if c.get_text()]
    assert texts[0] == f"{labels[sel[-1]]} → {pred[sel[-1]]} ({conf[sel[-1]]:.2f})"


def test_browser_outlines_the_chosen_cell_and_handles_empty_pages():
    demo = cap.MistakeBrowser(*_fake())
    demo.set(true=4, predicted=9)
    assert (demo.cell.get_x(), demo.cell.get_y(), demo.cell.get_width()) == (8.5, 3.5, 1)
    demo.set(true=3, predicted=3)
    assert demo.error is None and "no mistakes" in demo.head.get_text()
    assert not any(c.get_text() for c in demo.captions)
    demo.set(true=-1, predicted=-1, page=5)
    assert demo.error is None and "empty" in demo.head.get_text()


def test_browser_rejects_mismatched_inputs():
    probs, images, labels = _fake()
    with pytest.raises(ValueError, match="must match"):
        cap.MistakeBrowser(probs[:10], images, labels)


def test_default_predictions_are_a_trained_network_with_mistakes():
    probs, images, labels = M.default_predictions()
    acc = (probs.argmax(1) == labels).mean()
    assert 0.7 < acc < 0.99                        # trained, yet with mistakes to browse
    np.testing.assert_allclose(probs.sum(1), 1, rtol=1e-5)


def test_each_mistake_caption_sits_right_below_its_own_image():
    from nnutils.demos.capstone import COLS, MistakeBrowser
    rng = np.random.default_rng(0)
    images = rng.random((60, 784)) + 0.01              # no all-zero pixel rows: tiles are easy to find
    labels = np.arange(60) % 10
    probs = np.eye(10)[(labels + 1) % 10] * 0.9 + 0.01  # every image a mistake
    browser = MistakeBrowser(probs, images, labels)
    filled = browser.mosaic > 0
    for k, caption in enumerate(browser.captions):
        if not caption.get_text():
            continue
        r, c = divmod(k, COLS)
        rows = np.flatnonzero(filled[:, c * 32 + 14])
        image_rows = rows[(rows >= r * 36) & (rows < (r + 1) * 36)]
        y = caption.get_position()[1]
        assert caption.get_va() == "top"                 # the text hangs down from y (y grows down)
        assert image_rows.max() < y < (r + 1) * 36, (k, image_rows.min(), image_rows.max(), y)


# --- Lesson 9, "MSE vs cross-entropy": the multiclass SVM (hinge) loss of the CS231n notes

def _hinge_loop(scores, y, delta=1.0):
    """Mean over the batch of sum_{j != y_i} max(0, s_j - s_{y_i} + delta), one term at a time."""
    total = 0.0
    for s, t in zip(scores, y):
        for j in range(len(s)):
            if j != t:
                total += max(0.0, s[j] - s[t] + delta)
    return total / len(scores)


def _hinge_grad_rule(scores, y, delta=1.0):
    """The lesson's rule: +1 per violating class, -(number of violations) for the true class."""
    g = np.zeros_like(scores)
    for i, (s, t) in enumerate(zip(scores, y)):
        for j in range(len(s)):
            if j != t and s[j] - s[t] + delta > 0:
                g[i, j] += 1.0
                g[i, t] -= 1.0
    return g / len(scores)


def test_hinge_gradient_rule_matches_a_numerical_gradient():
    rng = np.random.default_rng(7)
    scores = rng.normal(scale=2.0, size=(6, 10))
    y = rng.integers(0, 10, size=6)
    analytic = _hinge_grad_rule(scores, y)
    numeric = np.zeros_like(scores)
    h = 1e-6
    for idx in np.ndindex(*scores.shape):
        plus, minus = scores.copy(), scores.copy()
        plus[idx] += h
        minus[idx] -= h
        numeric[idx] = (_hinge_loop(plus, y) - _hinge_loop(minus, y)) / (2 * h)
    margins = scores - scores[np.arange(6), y][:, None] + 1.0
    assert np.min(np.abs(margins)) > 1e-3                     # no kink within reach of h
    violations = (margins > 0).sum(axis=1) - 1                # the true class's own margin is 1 > 0
    assert violations.min() < violations.max()                # examples with few and many violations
    np.testing.assert_allclose(analytic, numeric, atol=1e-7)
    np.testing.assert_allclose(analytic[np.arange(6), y] * 6, -violations)


def test_hinge_is_exactly_zero_beyond_the_margin_while_cross_entropy_is_not():
    from nnutils.losses import SoftmaxCrossEntropy
    rng = np.random.default_rng(3)
    scores = rng.normal(size=(8, 10))
    y = rng.integers(0, 10, size=8)
    rows = np.arange(8)
    others = np.where(np.arange(10) == y[:, None], -np.inf, scores)
    scores[rows, y] = others.max(axis=1) + 1.0 + rng.uniform(0.1, 5.0, size=8)   # every margin > 1
    assert _hinge_loop(scores, y) == 0.0
    assert not _hinge_grad_rule(scores, y).any()
    # cross-entropy, computed directly: -log softmax(s)[y] > 0, gradient softmax - onehot != 0
    p = np.exp(scores - scores.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    ce = -np.log(p[rows, y]).mean()
    assert ce > 0
    assert np.all(p[rows, y] - 1 < 0)                         # it still pushes every true score up
    layer = SoftmaxCrossEntropy()
    assert layer.forward(scores, y) == pytest.approx(ce, rel=1e-12)
    assert np.abs(layer.backward()).max() > 0
    # a larger gap lowers cross-entropy but never to 0; the hinge loss stays at exactly 0
    wider = scores.copy()
    wider[rows, y] += 10.0
    assert 0 < SoftmaxCrossEntropy().forward(wider, y) < ce
    assert _hinge_loop(wider, y) == 0.0
