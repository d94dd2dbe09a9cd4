"""Lesson 9: confusion matrix helpers and the mistake browser."""
import numpy as np
import pytest

from nnutils.demos import capstone as cap


def test_confusion_matrix_rows_are_the_truth():
    y_true = np.array([0, 0, 1, 2, 2, 2])
    y_pred = np.array([0, 1, 1, 2, 0, 0])
    cm = cap.confusion_matrix(y_true, y_pred, n_classes=3)
    expected = np.zeros((3, 3), int)
    for t, p in zip(y_true, y_pred):          # counted one by one, independently
        expected[t, p] += 1
    assert np.array_equal(cm, expected)
    assert cm[2, 0] == 2 and cm[0, 2] == 0
    with pytest.raises(ValueError, match="same length"):
        cap.confusion_matrix([0, 1], [0])


def test_most_confused_skips_the_diagonal_and_sorts():
    cm = np.array([[50, 1, 7], [3, 60, 0], [9, 2, 40]])
    assert cap.most_confused(cm, k=3) == [(9, 2, 0), (7, 0, 2), (3, 1, 0)]


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
    probs, images, labels = cap.default_predictions()
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
