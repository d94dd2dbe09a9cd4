"""Lesson 7's experiments: overfitting (과적합) and what regularization (규제) changes.

Two set-ups (``Setup``), both on the embedded MNIST sample:

- ``LECTURE``: the lecture's 300 training images and a 784-100×6-10 ReLU network (He init),
  SGD lr 0.01, batch 100, 200 epochs. Training accuracy reaches 1.0 while test accuracy stalls.
- ``NOISY``: 1,000 training images of which 30 % carry a wrong label, a 784-100-100-10 network,
  SGD lr 0.1, 60 epochs. The network memorises the wrong labels too and its (clean) test accuracy
  falls from its peak: the harm that weight decay (가중치 감소) and dropout (드롭아웃) prevent.

``overfit_data`` is a set-up's data, ``overfit_run`` one run with optional weight decay and
dropout. Runs are cached per setting: the same arguments always give the same numbers
(everything is seeded), so a demo that returns to a slider stop shows the run it already
trained instead of training it again.
"""

from dataclasses import dataclass

import numpy as np

from ..data import corrupt_labels, load_mnist
from ..i18n import tr
from ..model import mlp
from ..optim import SGD
from ..train import fit

__all__ = ["Setup", "LECTURE", "NOISY", "BATCH", "OverfitRun", "overfit_data", "overfit_run",
           "clear_overfit_cache"]


@dataclass(frozen=True)
class Setup:
    """One overfitting experiment: which training images, which network, how it is trained."""
    name: str
    n_train: int            # the first n_train images of the sample's training part
    label_noise: float      # fraction of training and validation labels replaced by a wrong class
    sizes: tuple
    lr: float
    epochs: int
    eval_every: int         # the test accuracy shown every few epochs

    def __str__(self):
        noise = f", {self.label_noise:.0%} wrong labels" if self.label_noise else ""
        net = "-".join(map(str, self.sizes))
        if len(set(self.sizes[1:-1])) == 1 and len(self.sizes) > 4:
            net = f"{self.sizes[0]}-{self.sizes[1]}×{len(self.sizes) - 2}-{self.sizes[-1]}"
        return f"{self.n_train:,} images{noise}, {net}, SGD lr {self.lr:g}, {self.epochs} epochs"


LECTURE = Setup("lecture", 300, 0.0, (784,) + (100,) * 6 + (10,), lr=0.01, epochs=200, eval_every=5)
NOISY = Setup("noisy labels", 1000, 0.3, (784, 100, 100, 10), lr=0.1, epochs=60, eval_every=2)
BATCH = 100
NOISE_SEED = 1000                   # one fixed set of wrong labels for every run and seed
VALIDATION = slice(3000, 4000)      # 1,000 training images that no setup trains on

_DATA = {}
_CACHE = {}


def overfit_data(setup=LECTURE):
    """(x_train, y_train, x_val, y_val, x_test, y_test) for a setup (cached).

    Training: the first ``setup.n_train`` images of the sample's training part; validation:
    1,000 other training images. Both get the setup's label noise (validation data is as dirty
    as the training data in practice); the test labels stay clean, so test accuracy measures
    how well the network learnt the real digits.
    """
    if setup not in _DATA:
        m = load_mnist()
        x, y = m.x_train[:setup.n_train], m.y_train[:setup.n_train]
        x_val, y_val = m.x_train[VALIDATION], m.y_train[VALIDATION]
        if setup.label_noise:
            y = corrupt_labels(y, setup.label_noise, seed=NOISE_SEED)
            y_val = corrupt_labels(y_val, setup.label_noise, seed=NOISE_SEED + 1)
        _DATA[setup] = (x, y, x_val, y_val, m.x_test, m.y_test)
    return _DATA[setup]


@dataclass(frozen=True)
class OverfitRun:
    """What one run produced: per-epoch training accuracy, test accuracy every
    ``setup.eval_every`` epochs (``test_epochs``), the trained model and its History."""
    train_acc: np.ndarray
    test_epochs: np.ndarray
    test_acc: np.ndarray
    model: object
    history: object

    @property
    def gap(self):
        """Final training accuracy minus final test accuracy."""
        return float(self.train_acc[-1] - self.test_acc[-1])


def clear_overfit_cache():
    """Forget every cached ``overfit_run`` (the next call trains again)."""
    _CACHE.clear()


def _key(setup, weight_decay, penalty, dropout, epochs, seed):
    return (setup, round(float(weight_decay), 12), penalty, round(float(dropout), 12),
            int(epochs or setup.epochs), int(seed))


def overfit_run(setup=LECTURE, weight_decay=0.0, penalty="l2", dropout=0.0, epochs=None, seed=0,
                progress=None) -> OverfitRun:
    """One run of an overfitting setup with optional weight decay and dropout (cached).

    seed: the initial weights, the order of the mini-batches and the dropout masks.
    progress: optional callable(fraction, text), called after each epoch of a fresh run.
    """
    key = _key(setup, weight_decay, penalty, dropout, epochs, seed)
    if key in _CACHE:
        return _CACHE[key]
    epochs = key[-2]
    x, y, _, _, x_test, y_test = overfit_data(setup)
    model = mlp(setup.sizes, init="he", dropout=dropout, weight_decay=weight_decay, penalty=penalty,
                seed=seed)

    def report(h):
        progress(h.epochs / epochs, tr("epoch {epoch}/{epochs}: training accuracy {accuracy:.3f}",
                                       epoch=h.epochs, epochs=epochs, accuracy=h.train_acc[-1]))

    with np.errstate(all="ignore"):
        # the clean test set as fit's validation data: its accuracy after every epoch (it takes
        # no part in training), so the run depends on fit's inputs alone and the browser
        # edition can load it (nnutils.precomputed)
        hist = fit(model, SGD(lr=setup.lr), x, y, epochs=epochs, batch_size=BATCH, seed=seed,
                   x_val=x_test, y_val=y_test, progress=report if progress is not None else False)
    test_epochs = np.array([e for e in range(1, hist.epochs + 1)
                            if e == 1 or e % setup.eval_every == 0 or e == epochs], dtype=int)
    run = OverfitRun(np.array(hist.train_acc), test_epochs,
                     np.array(hist.val_acc)[test_epochs - 1], model, hist)
    _CACHE[key] = run
    return run
