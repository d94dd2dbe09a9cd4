"""Lesson 5's experiment: the learning-rate picture (학습률: very high, high, good, low).

A small, fast setting (≈ 0.15 s per run): 2,000 MNIST-sample images, 784-50-10 ReLU (He),
plain SGD, batch 50, 200 steps (5 epochs), the same seed for every learning rate.
``lr_run(lr)`` is one run; ``LR_REFERENCE`` the four classic curves, ``LR_SWEEP`` the
learning rates of the final-loss sweep, ``final_loss`` what the sweep compares.
"""

import numpy as np

from ..data import load_mnist
from ..i18n import language
from ..model import mlp
from ..optim import SGD
from ..train import fit

__all__ = ["LR_SETUP", "LR_REFERENCE", "LR_SWEEP", "lr_run", "final_loss"]

LR_SETUP = {"n_train": 2000, "sizes": (784, 50, 10), "batch_size": 50, "steps": 200, "seed": 0}
LR_REFERENCE = {"very high": 30.0, "high": 1.0, "good": 0.3, "low": 0.01}
LR_SWEEP = (1e-3, 3e-3, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0, 30.0)

_DATA = {}
_RUNS = {}


def _lr_data():
    if not _DATA:
        d = load_mnist()
        n = LR_SETUP["n_train"]
        _DATA["train"] = (d.x_train[:n], d.y_train[:n])
    return _DATA["train"]


def lr_run(lr, progress=False):
    """Train the LR_SETUP network with SGD at `lr`: (per-step losses, diverged message or None).

    Cached per learning rate (the run is deterministic), so moving back to a value is instant;
    and per language, since the diverged message is in the language it was trained in.
    """
    lr = float(lr)
    key = (lr, language())
    if key not in _RUNS:
        x, y = _lr_data()
        model = mlp(list(LR_SETUP["sizes"]), activation="relu", init="he", seed=LR_SETUP["seed"])
        steps = LR_SETUP["steps"]
        epochs = -(-steps * LR_SETUP["batch_size"] // len(x))
        hist = fit(model, SGD(lr=lr), x, y, epochs=epochs, batch_size=LR_SETUP["batch_size"],
                   max_steps=steps, seed=LR_SETUP["seed"], progress=progress)
        _RUNS[key] = (np.asarray(hist.loss, dtype=float), hist.diverged)
    return _RUNS[key]


def final_loss(loss):
    """Mean loss over the last 20 steps (the last finite ones for a diverged run)."""
    loss = np.asarray(loss)
    loss = loss[np.isfinite(loss)]
    return float(np.mean(loss[-20:]))
