"""Losses: softmax, cross-entropy, mean squared error, one-hot labels.

Conventions: a batch is the first axis; losses are *means over the batch*.
MSE uses the 1/2 convention, mse = 1/2 * mean over the batch of sum((y_pred - y_true)^2),
so its gradient is simply (y_pred - y_true) / N.
"""

import numpy as np

from .checks import is_int

__all__ = ["softmax", "log_softmax", "cross_entropy", "one_hot", "mse",
           "SoftmaxCrossEntropy", "MSELoss"]


def softmax(x):
    """exp(x) / sum(exp(x)) over the last axis, stable: subtract the row max first
    (softmax(x) = softmax(x - c) for any c, and then every exp is <= 1)."""
    x = np.asarray(x)
    if not np.issubdtype(x.dtype, np.floating):
        x = x.astype(np.float64)
    e = np.exp(x - x.max(axis=-1, keepdims=True))
    e /= e.sum(axis=-1, keepdims=True)
    return e


def log_softmax(x):
    """log(softmax(x)) = x - logsumexp(x), computed stably (no log of 0)."""
    x = np.asarray(x)
    if not np.issubdtype(x.dtype, np.floating):
        x = x.astype(np.float64)
    z = x - x.max(axis=-1, keepdims=True)
    return z - np.log(np.exp(z).sum(axis=-1, keepdims=True))


def _labels(y, n, n_classes, what="y"):
    """Check labels against n samples and n_classes. Returns (int labels or None, one-hot or None)."""
    y = np.asarray(y)
    if y.ndim == 2 and y.shape[1] == n_classes and np.issubdtype(y.dtype, np.number):
        if y.shape[0] != n:
            raise ValueError(f"{what}: expected {n} one-hot rows to match the scores, got shape {y.shape}")
        if not np.all(np.isfinite(y)):
            raise ValueError(f"{what}: one-hot/probability labels contain NaN or inf")
        return None, y
    if y.ndim != 1 or not (np.issubdtype(y.dtype, np.integer) or y.dtype == bool):
        if y.ndim == 1 and np.issubdtype(y.dtype, np.floating) and np.all(np.mod(y, 1) == 0):
            y = y.astype(np.int64)        # float labels like 3.0 are accepted
        else:
            raise ValueError(
                f"{what}: expected integer labels of shape ({n},) or one-hot of shape ({n}, {n_classes}), "
                f"got {y.dtype} array of shape {y.shape}")
    if y.shape[0] != n:
        raise ValueError(f"{what}: expected {n} labels to match the batch, got {y.shape[0]}")
    if n and (y.min() < 0 or y.max() >= n_classes):
        raise ValueError(f"{what}: labels must be in [0, {n_classes - 1}], got range "
                         f"[{y.min()}, {y.max()}]")
    return y, None


def one_hot(y, n_classes):
    """Integer labels (N,) -> float32 one-hot matrix (N, n_classes)."""
    y = np.asarray(y)
    if not is_int(n_classes) or n_classes < 1:
        raise ValueError(f"n_classes must be a positive int, got {n_classes!r}")
    y = y.reshape(1) if y.ndim == 0 else y
    if y.ndim != 1:
        raise ValueError(f"y: expected integer labels of shape (N,), got shape {y.shape}")
    labels, _ = _labels(y, len(y), n_classes)
    out = np.zeros((len(labels), n_classes), dtype=np.float32)
    out[np.arange(len(labels)), labels] = 1
    return out


def cross_entropy(probs, y):
    """Mean over the batch of -log p[correct class].

    probs: (N, C) probabilities (e.g. a softmax output); y: int labels (N,) or one-hot (N, C).
    Probabilities are clipped below at the smallest positive float so log(0) cannot give inf.
    """
    p = np.asarray(probs)
    if p.ndim == 1:
        p = p[None, :]                 # a single sample
        y = np.asarray(y)[None]
    if p.ndim != 2:
        raise ValueError(f"probs: expected shape (N, C), got {p.shape}")
    n, c = p.shape
    labels, onehot = _labels(y, n, c)
    logp = np.log(np.maximum(p, np.finfo(p.dtype).tiny if p.dtype.kind == "f" else 1e-300))
    if labels is not None:
        return float(-logp[np.arange(n), labels].mean())
    return float(-(onehot * logp).sum() / n)


def mse(y_pred, y_true):
    """1/2 * mean over the batch (first axis) of the sum of squared errors."""
    y_pred, y_true = np.asarray(y_pred), np.asarray(y_true)
    if y_pred.shape != y_true.shape:
        raise ValueError(f"mse: y_pred and y_true must have the same shape, got {y_pred.shape} "
                         f"and {y_true.shape}")
    n = y_pred.shape[0] if y_pred.ndim else 1
    d = y_pred - y_true
    return float(0.5 * np.sum(d * d) / n)


def _scores(scores):
    s = np.asarray(scores)
    if s.ndim != 2:
        raise ValueError(f"scores: expected shape (N, n_classes), got {s.shape}")
    if not np.issubdtype(s.dtype, np.floating):
        s = s.astype(np.float64)
    return s


class SoftmaxCrossEntropy:
    """Softmax followed by cross-entropy, as one layer (its gradient is simple and stable):

        loss = mean_i [ logsumexp(s_i) - s_i[y_i] ],   dloss/ds = (softmax(s) - onehot(y)) / N
    """

    def __init__(self):
        self.probs = None
        self.y = None

    def forward(self, scores, y):
        s = _scores(scores)
        n, c = s.shape
        labels, onehot = _labels(y, n, c)
        z = s - s.max(axis=1, keepdims=True)     # shift: every exp(z) <= 1, no overflow
        e = np.exp(z)
        total = e.sum(axis=1, keepdims=True)
        log_total = np.log(total[:, 0])
        e /= total                                # e is now softmax(s)
        self.probs, self.labels, self.onehot = e, labels, onehot
        # -log softmax(s)[y] = log(total) - z[y]: never a log of 0, even for huge scores
        if labels is not None:
            return float(log_total.mean() - z[np.arange(n), labels].mean())
        # soft/one-hot targets t: -sum_j t_j (z_j - log total) per sample
        return float(((onehot.sum(axis=1) * log_total).sum() - (onehot * z).sum()) / n)

    def backward(self, dout=1.0):
        if self.probs is None:
            raise RuntimeError("call forward before backward")
        n = self.probs.shape[0]
        dx = self.probs.copy()
        if self.labels is not None:
            dx[np.arange(n), self.labels] -= 1
        else:
            dx -= self.onehot.astype(dx.dtype, copy=False)
        dx *= dout / n
        return dx


class MSELoss:
    """Mean squared error layer, 1/2 convention: loss = 1/2 mean_i sum_j (y_pred - y_true)^2."""

    def __init__(self):
        self.diff = None

    def forward(self, y_pred, y_true):
        y_pred = np.asarray(y_pred)
        y_true = np.asarray(y_true)
        if y_true.shape != y_pred.shape:
            if y_pred.ndim == 2 and y_true.ndim == 1 and np.issubdtype(y_true.dtype, np.integer):
                labels, _ = _labels(y_true, y_pred.shape[0], y_pred.shape[1])
                y_true = one_hot(labels, y_pred.shape[1])   # labels vs scores: regress on one-hot
            elif y_pred.ndim == 2 and y_pred.shape[1] == 1 and y_true.shape == y_pred.shape[:1]:
                y_true = y_true[:, None]
            else:
                raise ValueError(f"MSELoss: y_true must have the shape of y_pred {y_pred.shape}, "
                                 f"got {y_true.shape}")
        self.diff = y_pred - y_true.astype(y_pred.dtype, copy=False)
        n = y_pred.shape[0] if y_pred.ndim else 1
        return float(0.5 * np.sum(self.diff * self.diff) / n)

    def backward(self, dout=1.0):
        if self.diff is None:
            raise RuntimeError("call forward before backward")
        n = self.diff.shape[0] if self.diff.ndim else 1
        return self.diff * (dout / n)
