"""Training: one step, and the loop around it.

``train_step(model, optimizer, x, y)`` is the lecture's step: the loss on a mini-batch, its
gradient by backpropagation, one update of the parameters.

``fit(model, optimizer, x, y, ...) -> History`` repeats it. Each epoch shuffles the training
set with a seeded Generator and walks through it in mini-batches (without replacement; the
last batch may be smaller). After each epoch the model is evaluated in test mode on the
training set (or a fixed subset of at most ``eval_train`` samples) and on the validation set.

Divergence: when a step's loss is NaN/inf or exceeds ``divergence_factor`` times the first
loss (or times 1, if the first loss was smaller: a run that starts near zero loss, e.g. on a
solved toy problem, may wobble from 1e-6 to 1e-3 without exploding), training stops and
``history.diverged`` says "diverged at step k with lr=...; lower the learning rate" (or
TrainingDiverged is raised if raise_on_divergence=True).
"""

import math
import time
from dataclasses import dataclass, field

import numpy as np

from . import precomputed
from .checks import positive_int
from .losses import _labels

__all__ = ["train_step", "fit", "batches", "History", "TrainingDiverged"]


def train_step(model, optimizer, x, y):
    """One step of mini-batch gradient descent on (x, y); returns the batch's loss."""
    loss = model.loss(x, y, train=True)
    model.backward()
    optimizer.update(model.params, model.grads)
    return loss


def batches(x, y, batch_size, rng):
    """The mini-batches of one epoch: a shuffled pass over (x, y), without replacement."""
    order = rng.permutation(len(x))
    for start in range(0, len(x), batch_size):
        idx = order[start:start + batch_size]
        yield x[idx], y[idx]


class TrainingDiverged(RuntimeError):
    """Raised by fit(..., raise_on_divergence=True) when the loss blows up."""


@dataclass
class History:
    """What fit recorded. Per step: loss (incl. penalty), lr. Per epoch (test mode, data loss
    without penalty): train_loss, train_acc, val_loss, val_acc.
    best_epoch is an index into the per-epoch lists (lowest val_loss), or None without
    validation data. A callback may set ``stop = True`` to end training after the current step.
    """
    loss: list = field(default_factory=list)
    lr: list = field(default_factory=list)
    train_loss: list = field(default_factory=list)
    train_acc: list = field(default_factory=list)
    val_loss: list = field(default_factory=list)
    val_acc: list = field(default_factory=list)
    steps: int = 0
    epochs: int = 0
    best_epoch: int = None
    diverged: str = None
    stopped_early: bool = False
    stop: bool = False
    seconds: float = 0.0

    def __repr__(self):
        last = lambda v: f"{v[-1]:.4f}" if v else "-"       # noqa: E731
        status = f", diverged={self.diverged!r}" if self.diverged else ""
        return (f"History(epochs={self.epochs}, steps={self.steps}, loss={last(self.loss)}, "
                f"train_acc={last(self.train_acc)}, val_acc={last(self.val_acc)}, "
                f"best_epoch={self.best_epoch}{status})")


def fit(model, optimizer, x, y, epochs=10, batch_size=100, x_val=None, y_val=None,
        schedule=None, schedule_per="epoch", seed=0, max_steps=None, augment=None,
        early_stopping=None, callbacks=(), on_step=None, progress=True,
        divergence_factor=1e3, raise_on_divergence=False, eval_train=10000):
    """Train `model` with `optimizer` on (x, y) by repeating train_step; returns a History.

    schedule: callable t -> lr, applied per "epoch" or per "step" (schedule_per).
    augment: callable(x_batch, rng) -> x_batch, applied to each training batch.
    early_stopping: patience in epochs (needs x_val, y_val); the weights of the epoch with
        the lowest validation loss are restored at the end.
    callbacks: functions cb(history) called after each epoch; on_step: cb(history) after
        each step (e.g. to redraw a live plot).
    progress: True shows a tqdm.auto progress bar; a function cb(history), called after each
        epoch, shows progress its own way. Either only reports: a run loaded ahead of time
        (nnutils.precomputed) skips it, while callbacks always make fit train.
    """
    _check_options(epochs, batch_size, max_steps, schedule, schedule_per, divergence_factor,
                   early_stopping, x_val, y_val)
    data = _Data(model, x, y, x_val, y_val, eval_train)
    rng = np.random.default_rng(seed)
    callbacks = (callbacks,) if callable(callbacks) else tuple(callbacks)
    options = dict(epochs=epochs, batch_size=batch_size, schedule=schedule, schedule_per=schedule_per,
                   seed=seed, max_steps=max_steps, augment=augment, early_stopping=early_stopping,
                   callbacks=callbacks, on_step=on_step, progress=progress,
                   divergence_factor=divergence_factor, raise_on_divergence=raise_on_divergence,
                   eval_train=eval_train)
    # _train(...), or in the browser edition the same run computed ahead of time, loaded
    hist = precomputed.run(_train, model, optimizer, data, rng, options)
    if hist.diverged and raise_on_divergence:
        raise TrainingDiverged(hist.diverged)
    return hist


def _train(model, optimizer, data, rng, epochs, batch_size, schedule, schedule_per, max_steps,
           augment, early_stopping, callbacks, on_step, progress, divergence_factor, **_):
    """fit's loop: epochs of shuffled mini-batches, each a train_step."""
    steps = epochs * math.ceil(len(data.x) / batch_size)
    run = _Run(model, optimizer, data, early_stopping, divergence_factor,
               max_steps=steps if max_steps is None else min(max_steps, steps), progress=progress)
    try:
        for epoch in range(epochs):
            if schedule is not None and schedule_per == "epoch":
                optimizer.lr = schedule(epoch)
            for xb, yb in batches(data.x, data.y, batch_size, rng):
                if run.hist.steps >= run.max_steps:
                    break
                if augment is not None:
                    xb = np.asarray(augment(xb, rng), dtype=data.x.dtype)
                if schedule is not None and schedule_per == "step":
                    optimizer.lr = schedule(run.hist.steps)
                if not run.step(xb, yb):
                    break
                if on_step is not None:
                    on_step(run.hist)
                if run.hist.stop:
                    break
            if run.hist.diverged or not run.end_of_epoch(callbacks):
                break
    finally:
        run.close()
    return run.hist


def _check_options(epochs, batch_size, max_steps, schedule, schedule_per, divergence_factor,
                   early_stopping, x_val, y_val):
    positive_int(epochs, "epochs")
    positive_int(batch_size, "batch_size")
    if max_steps is not None:
        positive_int(max_steps, "max_steps (or None)")
    if schedule_per not in ("epoch", "step"):
        raise ValueError(f"schedule_per must be 'epoch' or 'step', got {schedule_per!r}")
    if schedule is not None and not callable(schedule):
        raise TypeError(f"schedule must be a callable t -> lr, got {schedule!r}")
    if not (divergence_factor > 1):
        raise ValueError(f"divergence_factor must be > 1, got {divergence_factor!r}")
    if (x_val is None) != (y_val is None):
        raise ValueError("give both x_val and y_val, or neither")
    if early_stopping is not None:
        positive_int(early_stopping, "early_stopping (a patience in epochs)")
        if x_val is None:
            raise ValueError("early_stopping needs validation data (x_val, y_val)")


class _Data:
    """The training and validation data in the model's dtype, checked once; the evaluation
    subset of the training set (evenly spread, at most eval_train samples)."""

    def __init__(self, model, x, y, x_val, y_val, eval_train):
        n_classes = model._n_classes(np.asarray(x)[:1])
        self.x, self.y = _as_data(x, y, model.dtype, n_classes, "x", "y")
        self.x_val = self.y_val = None
        if x_val is not None:
            self.x_val, self.y_val = _as_data(x_val, y_val, model.dtype, n_classes, "x_val", "y_val")
        n = len(self.x)
        sub = np.linspace(0, n - 1, eval_train).astype(np.int64) if n > eval_train else slice(None)
        self.x_eval, self.y_eval = self.x[sub], self.y[sub]


def _as_data(x, y, dtype, n_classes, x_name, y_name):
    x, y = np.asarray(x), np.asarray(y)
    if x.ndim == 0 or len(x) == 0:
        raise ValueError(f"{x_name}: expected a non-empty array (N, features), got shape {x.shape}")
    if x.dtype.kind not in "fiub":
        raise TypeError(f"{x_name}: expected a numeric array, got dtype {x.dtype}")
    x = x.astype(dtype, copy=False)                        # once, not per batch
    if not np.all(np.isfinite(x)):
        raise ValueError(f"{x_name} contains NaN or inf values; clean the data first")
    if y.ndim == 0 or len(y) != len(x):
        raise ValueError(f"{x_name}: expected {len(x)} labels to match its samples, got shape {y.shape}")
    _labels(y, len(y), n_classes, y_name)                  # labels in range, or one-hot
    return x, y


class _Run:
    """The bookkeeping of one fit: history, divergence, evaluation, early stopping, progress."""

    def __init__(self, model, optimizer, data, patience, divergence_factor, max_steps, progress):
        self.model, self.optimizer, self.data = model, optimizer, data
        # train_step, bit for bit, on the speed path when the model and optimizer allow it
        from .fastpath import step_function
        self.train_step = step_function(model, optimizer)
        self.patience, self.divergence_factor, self.max_steps = patience, divergence_factor, max_steps
        self.hist = History()
        self.first_loss = None
        self.best_val, self.best_state, self.since_best = math.inf, None, 0
        self.bar = None
        self.report = progress if callable(progress) else None
        if progress is True:
            from tqdm.auto import tqdm
            self.bar = tqdm(total=max_steps, desc="training", leave=False)
        self.t0 = time.perf_counter()

    def step(self, xb, yb):
        """One train_step, recorded; False when the loss diverged."""
        hist = self.hist
        loss = self.train_step(xb, yb)
        hist.loss.append(loss)
        hist.lr.append(self.optimizer.lr)
        limit = self.divergence_factor * max(self.first_loss, 1.0) if self.first_loss is not None else math.inf
        if not math.isfinite(loss) or loss > limit:
            hist.diverged = precomputed.diverged_message(hist.steps + 1, self.optimizer.lr)
            return False
        if self.first_loss is None:
            self.first_loss = loss
        hist.steps += 1
        if self.bar is not None:
            self.bar.update(1)
        return True

    def end_of_epoch(self, callbacks):
        """Evaluate in test mode, call the callbacks; False when training should stop."""
        hist, model, data = self.hist, self.model, self.data
        train_loss, train_acc = model.evaluate(data.x_eval, data.y_eval)
        hist.train_loss.append(train_loss)
        hist.train_acc.append(train_acc)
        if data.x_val is not None:
            self._validate()
        hist.epochs += 1
        hist.seconds = time.perf_counter() - self.t0
        if self.bar is not None:
            post = {"loss": f"{train_loss:.3f}", "acc": f"{train_acc:.3f}"}
            if data.x_val is not None:
                post["val_acc"] = f"{hist.val_acc[-1]:.3f}"
            self.bar.set_postfix(post, refresh=False)
        for cb in callbacks:
            cb(hist)
        if self.report is not None:
            self.report(hist)
        if self.patience is not None and self.since_best >= self.patience:
            hist.stopped_early = True
        return not (hist.stopped_early or hist.stop or hist.steps >= self.max_steps)

    def _validate(self):
        hist = self.hist
        val_loss, val_acc = self.model.evaluate(self.data.x_val, self.data.y_val)
        hist.val_loss.append(val_loss)
        hist.val_acc.append(val_acc)
        if val_loss < self.best_val:
            self.best_val, self.since_best, hist.best_epoch = val_loss, 0, hist.epochs
            if self.patience is not None:
                self.best_state = self.model.state()
        else:
            self.since_best += 1

    def close(self):
        if self.bar is not None:
            self.bar.close()
        if self.best_state is not None:
            self.model.load_state(self.best_state)          # the best weights, not the last ones
        self.hist.seconds = time.perf_counter() - self.t0
