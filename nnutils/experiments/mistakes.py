"""Lesson 9's numbers about mistakes (오분류): the confusion matrix (혼동 행렬) of a classifier.

``confusion_matrix(y_true, y_pred)`` counts true × predicted classes, ``most_confused`` picks
its largest off-diagonal cells, ``default_predictions`` is a small network trained briefly on
the embedded sample, so there are mistakes to look at without the lesson's recipe network.
"""

import numpy as np

from ..data import load_mnist
from ..model import mlp
from ..optim import Adam
from ..train import fit

__all__ = ["confusion_matrix", "most_confused", "default_predictions"]

_CACHE = {}


def confusion_matrix(y_true, y_pred, n_classes=10):
    """counts[i, j] = how many images of true class i were predicted as j (rows: truth)."""
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    if y_true.shape != y_pred.shape or y_true.ndim != 1:
        raise ValueError(f"y_true, y_pred: expected two 1-D label arrays of the same length, got "
                         f"shapes {y_true.shape} and {y_pred.shape}")
    counts = np.zeros((n_classes, n_classes), dtype=np.int64)
    np.add.at(counts, (y_true, y_pred), 1)
    return counts


def most_confused(counts, k=5):
    """The k largest off-diagonal cells as (count, true, predicted), largest first."""
    off = np.array(counts, dtype=np.int64, copy=True)
    np.fill_diagonal(off, -1)
    order = np.argsort(-off, axis=None, kind="stable")[:k]
    return [(int(off.flat[i]), *map(int, np.unravel_index(i, off.shape))) for i in order]


def default_predictions():
    """(probabilities (1000, 10), test images (1000, 784), labels) of a small network trained
    briefly on the sample (784-100-10, Adam, 2 epochs): enough mistakes to browse. Cached."""
    if "d" not in _CACHE:
        m = load_mnist()
        model = mlp((784, 100, 10), seed=0)
        fit(model, Adam(lr=1e-3), m.x_train, m.y_train, epochs=2, batch_size=100, progress=False)
        _CACHE["d"] = (model.predict_proba(m.x_test), m.x_test, m.y_test)
    return _CACHE["d"]
