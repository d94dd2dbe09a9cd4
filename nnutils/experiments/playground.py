"""Lesson 10's playground, the engine half: a network learning 2-D data, one epoch at a time.

Numpy only; ``nnutils.demos.playground`` puts the knobs on it and draws what it returns. There
is no playground engine of its own: the points come from ``nnutils.features.plane_data`` split
by ``nnutils.data.train_val_test_split``, the network is an ``nnutils.model.mlp`` on the
columns of ``nnutils.features.feature_map``, the optimizer comes from
``nnutils.optim.make_optimizer`` and an epoch is one epoch of ``nnutils.train.fit``.

    data = playground_data("circles", noise=0.1, train_ratio=0.5, seed=0)
    run = PlaygroundRun(data, features=("x1", "x2"), layers=2, units=8, activation="tanh")
    run.set_training("adam", lr=0.03)       # may change between epochs; the weights stay
    for _ in range(100):
        run.train_epoch()                   # False once training has diverged
    run.test_loss[-1], run.test_acc
    boundary, hidden = run.plane_outputs()  # the network over the plane, every hidden neuron
"""

from __future__ import annotations

import math
from functools import lru_cache
from typing import NamedTuple

import numpy as np

from ..checks import is_int, number, positive_int
from ..data import train_val_test_split
from ..features import FEATURES, PLANE, feature_map, plane_data
from ..i18n import tr
from ..layers import Linear
from ..model import mlp
from ..optim import make_optimizer
from ..train import fit

__all__ = ["N_POINTS", "GRID", "PENALTIES", "PlaneSplit", "n_test_points", "playground_data",
           "plane_grid", "PlaygroundRun"]

N_POINTS = 500      # points per data set (train + test), as in TensorFlow Playground
GRID = 100          # the network is evaluated on GRID × GRID points of the plane
CHUNK = 1024        # rows per forward pass over the grid (see _grid_layer_outputs)
PENALTIES = ("none", "l1", "l2")


class PlaneSplit(NamedTuple):
    """The training and test points of one playground data set."""
    x_tr: np.ndarray
    y_tr: np.ndarray
    x_te: np.ndarray
    y_te: np.ndarray


def n_test_points(train_ratio):
    """How many of the N_POINTS points are test points when ``train_ratio`` of them train."""
    train_ratio = number(train_ratio, "train_ratio", low=0, high=1, low_open=True, high_open=True)
    return N_POINTS - int(round(train_ratio * N_POINTS))


def playground_data(dataset="circles", noise=0.1, train_ratio=0.5, seed=0):
    """N_POINTS points of a toy set on the plane, split into training and test points."""
    x, y = plane_data(dataset, N_POINTS, noise, seed=seed)
    (x_tr, y_tr), _, (x_te, y_te) = train_val_test_split(
        x, y, val=0, test=n_test_points(train_ratio), seed=seed)
    return PlaneSplit(x_tr, y_tr, x_te, y_te)


@lru_cache(maxsize=None)
def plane_grid(n=GRID):
    """The centres of an n × n pixel grid over [−PLANE, PLANE]², row by row, the top row
    (x2 = +PLANE) first: the points at which the picture shows the network."""
    c = (np.arange(n, dtype=np.float32) + 0.5) / n * 2 * PLANE - PLANE
    xx, yy = np.meshgrid(c, c[::-1])
    grid = np.column_stack([xx.ravel(), yy.ravel()])
    grid.flags.writeable = False        # shared by every run
    return grid


class PlaygroundRun:
    """One network learning one data set: the features, the mlp, its optimizer and history.

    ``features`` are names from ``nnutils.features.FEATURES``, used in that fixed order;
    with none there is nothing to learn (``model`` is None, ``train_epoch`` returns False).
    ``init`` is an initializer name or a number (normal with that std), as in ``mlp``.
    ``train_loss`` and ``test_loss`` hold the data loss after every epoch (epoch 0 first),
    measured in test mode like ``test_acc``; ``diverged`` says when and why training stopped.
    """

    def __init__(self, data, features=("x1", "x2"), layers=2, units=8, activation="tanh",
                 init="lecun", batchnorm=False, dropout=0.0, seed=0):
        unknown = [f for f in features if f not in FEATURES]
        if unknown:
            raise ValueError(f"features: unknown name(s) {unknown}; expected names from {FEATURES}")
        if not is_int(layers) or layers < 0:
            raise ValueError(f"layers must be a number of hidden layers >= 0, got {layers!r}")
        self.data = data
        self.features = tuple(f for f in FEATURES if f in features)
        self.epoch, self.train_loss, self.test_loss = 0, [], []
        self.train_acc = self.test_acc = self.diverged = None
        self.optimizer = self.optimizer_name = None
        self.batch_size = 10
        if not self.features:
            self.model = None
            return
        self.f_tr = feature_map(data.x_tr, self.features)
        self.f_te = feature_map(data.x_te, self.features)
        self.model = mlp([len(self.features), *[positive_int(units, "units")] * layers, 2],
                         activation=activation, init=init, batchnorm=batchnorm,
                         dropout=dropout, seed=seed)
        self.grid_features = feature_map(plane_grid(), self.features)
        self._record_losses()

    def set_training(self, optimizer="sgd", lr=0.03, penalty="none", strength=1e-3,
                     batch_size=10):
        """The training knobs. They act on the running network: the weights stay, and so does
        the optimizer's state (velocities, caches) unless ``optimizer`` names another one,
        which then starts empty. ``penalty`` "l1" or "l2" with weight λ = ``strength``."""
        lr = number(lr, "lr", low=0, low_open=True)
        if penalty not in PENALTIES:
            raise ValueError(f"penalty must be one of {PENALTIES}, got {penalty!r}")
        strength = number(strength, "strength", low=0)
        self.batch_size = positive_int(batch_size, "batch_size")
        if self.optimizer is None or self.optimizer_name != optimizer:
            self.optimizer, self.optimizer_name = make_optimizer(optimizer, lr=lr), optimizer
        self.optimizer.lr = lr
        if self.model is not None:
            self.model.penalty_name = "l2" if penalty == "none" else penalty
            self.model.weight_decay = 0.0 if penalty == "none" else strength

    def train_epoch(self):
        """One epoch of ``fit``, its mini-batches shuffled with the epoch number as seed.
        False (and nothing trained) if there is nothing to learn or training has diverged."""
        if self.model is None or self.diverged:
            return False
        if self.optimizer is None:
            self.set_training()
        with np.errstate(all="ignore"):
            # stop only on a NaN/inf loss: a loss ratio test misfires once the loss is ~0
            h = fit(self.model, self.optimizer, self.f_tr, self.data.y_tr, epochs=1,
                    batch_size=self.batch_size, x_val=self.f_te, y_val=self.data.y_te,
                    seed=self.epoch, progress=False, divergence_factor=math.inf)
        if h.diverged or not np.isfinite(h.train_loss[-1]):
            self.diverged = tr("diverged in epoch {epoch} with lr={lr:.3g}", epoch=self.epoch + 1,
                               lr=self.optimizer.lr)
            return False
        self.epoch += 1
        self.train_loss.append(h.train_loss[-1])
        self.test_loss.append(h.val_loss[-1])
        self.train_acc, self.test_acc = h.train_acc[-1], h.val_acc[-1]
        return True

    def plane_outputs(self):
        """The network over ``plane_grid()`` in test mode: the boundary value
        P(class 1) − P(class 0) in [−1, 1] as a (GRID, GRID) image, and each hidden layer's
        outputs as a (GRID, GRID, units) array. None if there is no network."""
        if self.model is None:
            return None
        layers = self.model.layers
        # a hidden layer's output is what its next Linear reads (after activation, dropout)
        hidden = [i - 1 for i, layer in enumerate(layers) if isinstance(layer, Linear) and i]
        with np.errstate(all="ignore"):
            *maps, scores = _grid_layer_outputs(self.model, self.grid_features,
                                                hidden + [len(layers) - 1])
            # P(class 1) − P(class 0) = tanh((s1 − s0) / 2): −1 … +1, no overflow
            boundary = np.tanh(0.5 * (scores[:, 1] - scores[:, 0]))
        return boundary.reshape(GRID, GRID), [m.reshape(GRID, GRID, -1) for m in maps]

    def _record_losses(self):
        with np.errstate(all="ignore"):
            train_loss, self.train_acc = self.model.evaluate(self.f_tr, self.data.y_tr)
            test_loss, self.test_acc = self.model.evaluate(self.f_te, self.data.y_te)
        self.train_loss.append(train_loss)
        self.test_loss.append(test_loss)


def _grid_layer_outputs(model, x, which):
    """``model.layer_outputs(x)[i]`` for each i in ``which``, computed CHUNK rows at a time.

    Above roughly 500,000 multiply-adds OpenBLAS splits a matrix product over threads, and
    on a busy 2-core machine waking those threads costs milliseconds per product (measured:
    a 6 × 16 network over the 10,000 grid points takes ~4× longer in one pass than in chunks).
    """
    chunks = []
    for start in range(0, len(x), CHUNK):
        outs = model.layer_outputs(x[start:start + CHUNK])
        chunks.append([outs[i] for i in which])
    return [np.concatenate(column) for column in zip(*chunks)]
