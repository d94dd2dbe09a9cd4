"""Lesson 8's experiment: a random search (무작위 탐색) over the learning rate and weight decay.

The lecture's (Deep Learning from Scratch §6.5): 400 training and 100 validation MNIST images,
learning rate lr = 10^U(a, b) and weight decay λ = 10^U(c, d) drawn log-uniformly, each trial
scored by its final validation accuracy. To keep a trial near 0.05 s of CPU it is smaller than
the book's (784-100×6-10, 50 epochs): 784-100-100-10 (ReLU, He), plain SGD, batch 50, 10
epochs (80 steps), on zero-centred images.

``train_trial(lr, weight_decay)`` is one trial, ``search_trial`` the same cached (all is
seeded, so the same (lr, λ) always gives the same numbers); ``lr_wd_search(...)`` is
``nnutils.search.random_search`` over it; ``draw_settings`` the settings it would try, in order.
"""

import numpy as np

from .. import precomputed
from ..data import Standardizer, load_mnist
from ..model import mlp
from ..optim import SGD
from ..search import random_search, sample
from ..train import fit

__all__ = ["N_TRAIN", "N_VAL", "SIZES", "EPOCHS", "BATCH", "LR_RANGE", "WD_RANGE", "search_data",
           "train_trial", "search_trial", "lr_wd_space", "lr_wd_search", "draw_settings",
           "clear_search_cache"]

N_TRAIN, N_VAL = 400, 100
SIZES = (784, 100, 100, 10)
EPOCHS, BATCH = 10, 50
LR_RANGE = (1e-6, 1e-2)          # the lecture's ranges
WD_RANGE = (1e-8, 1e-4)

_DATA = {}
_CACHE = {}


def search_data():
    """(x_train, y_train, x_val, y_val, x_test, y_test): 400 / 100 / 1,000 images of the
    embedded sample, zero-centred with the mean of the 400 training images (cached)."""
    if "d" not in _DATA:
        m = load_mnist(validation=N_VAL)
        x, y = m.x_train[:N_TRAIN], m.y_train[:N_TRAIN]
        centre = Standardizer(scale=False).fit(x)       # fit on the training images only
        _DATA["d"] = (centre.transform(x), y, centre.transform(m.x_val), m.y_val,
                      centre.transform(m.x_test), m.y_test)
    return _DATA["d"]


def clear_search_cache():
    """Forget every cached ``search_trial`` (the next call trains again)."""
    _CACHE.clear()


def train_trial(lr, weight_decay, epochs=EPOCHS, seed=0):
    """One trial: train 784-100-100-10 with SGD(lr) and L2 weight decay λ on the 400 images;
    returns (final validation accuracy, History)."""
    x, y, xv, yv, _, _ = search_data()
    model = mlp(SIZES, weight_decay=weight_decay, seed=seed)
    with np.errstate(all="ignore"):          # a huge lr overflows; fit reports the divergence
        h = fit(model, SGD(lr=lr), x, y, epochs=epochs, batch_size=BATCH, x_val=xv, y_val=yv,
                seed=seed, progress=False)
        score = h.val_acc[-1] if h.val_acc else model.accuracy(xv, yv)
    return float(score), h


def search_trial(lr, weight_decay, epochs=EPOCHS, seed=0):
    """``train_trial``, cached (all is seeded, so the same (lr, λ) always gives the same
    numbers), as the search wants it: (score, {"history": History, "diverged": message or None})."""
    key = (float(lr), float(weight_decay), int(epochs), int(seed))
    if key not in _CACHE:
        # the browser edition loads the score and History computed ahead of time
        saved = precomputed.remembered("search_trial", list(key),
                                       lambda: _as_json(*train_trial(*key)))
        h = precomputed.history_from_json(saved)
        _CACHE[key] = (saved["score"], {"history": h, "diverged": h.diverged})
    return _CACHE[key]


def _as_json(score, history):
    return {"score": score, **precomputed.history_as_json(history)}


def lr_wd_space(lr_range=LR_RANGE, wd_range=WD_RANGE):
    """The search space in nnutils.search's format: both log-uniform."""
    return {"lr": (*lr_range, "log"), "weight_decay": (*wd_range, "log")}


def lr_wd_search(n_trials, lr_range=LR_RANGE, wd_range=WD_RANGE, seed=0, callback=None,
                 epochs=EPOCHS):
    """``random_search`` of ``search_trial`` (``train_trial``, cached) over lr × λ; trials
    best first."""
    return random_search(lambda lr, weight_decay: search_trial(lr, weight_decay, epochs),
                         lr_wd_space(lr_range, wd_range), n_trials, seed=seed, callback=callback)


def draw_settings(n_trials, lr_range=LR_RANGE, wd_range=WD_RANGE, seed=0):
    """The settings ``lr_wd_search`` would try, in order, without training anything (a live
    demo can run them one at a time)."""
    return sample(lr_wd_space(lr_range, wd_range), n_trials, seed=seed)
