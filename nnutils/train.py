"""The training loop: ``fit(model, optimizer, x, y, ...) -> History``.

Each epoch shuffles the training set with a seeded Generator and walks through it in
mini-batches (without replacement; the last batch may be smaller). Each step:
loss = model.loss(batch) -> model.backward() -> optimizer.update(model.params, model.grads).
After each epoch the model is evaluated in test mode on the training set (or a fixed subset
of at most ``eval_train`` samples) and on the validation set.

Divergence: when a step's loss is NaN/inf or exceeds ``divergence_factor`` times the first
loss (or times 1, if the first loss was smaller: a run that starts near zero loss, e.g. on a
solved toy problem, may wobble from 1e-6 to 1e-3 without exploding), training stops and ``history.diverged`` says "diverged at step k with lr=...; lower
the learning rate" (or TrainingDiverged is raised if raise_on_divergence=True).
"""

import math
import time
from dataclasses import dataclass, field

import numpy as np

from .losses import _labels

__all__ = ["fit", "History", "TrainingDiverged"]


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


def _as_data(x, y, dtype, what):
    x = np.asarray(x)
    y = np.asarray(y)
    if x.ndim == 0 or len(x) == 0:
        raise ValueError(f"{what}: expected a non-empty array (N, features), got shape {x.shape}")
    if x.dtype.kind not in "fiub":
        raise TypeError(f"{what}: expected a numeric array, got dtype {x.dtype}")
    if x.dtype != dtype:
        x = x.astype(dtype)                      # once, not per batch
    if not np.all(np.isfinite(x)):
        raise ValueError(f"{what} contains NaN or inf values; clean the data first")
    if y.ndim == 0 or len(y) != len(x):
        raise ValueError(f"{what}: expected {len(x)} labels to match its samples, got shape {y.shape}")
    return x, y


def fit(model, optimizer, x, y, epochs=10, batch_size=100, x_val=None, y_val=None,
        schedule=None, schedule_per="epoch", seed=0, max_steps=None, augment=None,
        early_stopping=None, callbacks=(), on_step=None, progress=True,
        divergence_factor=1e3, raise_on_divergence=False, eval_train=10000):
    """Train `model` with `optimizer` on (x, y); returns a History.

    schedule: callable t -> lr, applied per "epoch" or per "step" (schedule_per).
    augment: callable(x_batch, rng) -> x_batch, applied to each training batch.
    early_stopping: patience in epochs (needs x_val, y_val); the weights of the epoch with
        the lowest validation loss are restored at the end.
    callbacks: functions cb(history) called after each epoch; on_step: cb(history) after
        each step (e.g. to redraw a live plot).
    progress: show a tqdm.auto progress bar.
    """
    if isinstance(epochs, bool) or not isinstance(epochs, (int, np.integer)) or epochs < 1:
        raise ValueError(f"epochs must be a positive int, got {epochs!r}")
    if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)) or batch_size < 1:
        raise ValueError(f"batch_size must be a positive int, got {batch_size!r}")
    if max_steps is not None and (not isinstance(max_steps, (int, np.integer)) or max_steps < 1):
        raise ValueError(f"max_steps must be a positive int or None, got {max_steps!r}")
    if schedule_per not in ("epoch", "step"):
        raise ValueError(f"schedule_per must be 'epoch' or 'step', got {schedule_per!r}")
    if schedule is not None and not callable(schedule):
        raise TypeError(f"schedule must be a callable t -> lr, got {schedule!r}")
    if not (divergence_factor > 1):
        raise ValueError(f"divergence_factor must be > 1, got {divergence_factor!r}")
    if (x_val is None) != (y_val is None):
        raise ValueError("give both x_val and y_val, or neither")
    if early_stopping is not None:
        if isinstance(early_stopping, bool) or not isinstance(early_stopping, (int, np.integer)) \
                or early_stopping < 1:
            raise ValueError(f"early_stopping is a patience in epochs (int >= 1), got {early_stopping!r}")
        if x_val is None:
            raise ValueError("early_stopping needs validation data (x_val, y_val)")
    if callable(callbacks):
        callbacks = (callbacks,)

    dtype = model.dtype
    x, y = _as_data(x, y, dtype, "x")
    n_classes = model._n_classes(x)
    _labels(y, len(y), n_classes, "y")                  # labels in range, or one-hot
    if x_val is not None:
        x_val, y_val = _as_data(x_val, y_val, dtype, "x_val")
        _labels(y_val, len(y_val), n_classes, "y_val")
    n = len(x)
    if n > eval_train:                                   # fixed, evenly spread subset
        sub = np.linspace(0, n - 1, eval_train).astype(np.int64)
        x_eval, y_eval = x[sub], y[sub]
    else:
        x_eval, y_eval = x, y

    rng = np.random.default_rng(seed)
    steps_per_epoch = math.ceil(n / batch_size)
    total = epochs * steps_per_epoch if max_steps is None else min(max_steps, epochs * steps_per_epoch)
    bar = None
    if progress:
        from tqdm.auto import tqdm
        bar = tqdm(total=total, desc="training", leave=False)

    hist = History()
    params, grads = model.params, model.grads
    first_loss = None
    best_val, best_state = math.inf, None
    since_best = 0
    t0 = time.perf_counter()
    try:
        for epoch in range(epochs):
            if schedule is not None and schedule_per == "epoch":
                optimizer.lr = schedule(epoch)
            perm = rng.permutation(n)
            for start in range(0, n, batch_size):
                if max_steps is not None and hist.steps >= max_steps:
                    break
                idx = perm[start:start + batch_size]
                xb, yb = x[idx], y[idx]
                if augment is not None:
                    xb = np.asarray(augment(xb, rng), dtype=dtype)
                if schedule is not None and schedule_per == "step":
                    optimizer.lr = schedule(hist.steps)
                loss = model.loss(xb, yb, train=True)
                hist.loss.append(loss)
                hist.lr.append(optimizer.lr)
                if not math.isfinite(loss) or (first_loss is not None
                                               and loss > divergence_factor * max(first_loss, 1.0)):
                    hist.diverged = (f"diverged at step {hist.steps + 1} with lr={optimizer.lr:g}; "
                                     f"lower the learning rate")
                    break
                if first_loss is None:
                    first_loss = loss
                model.backward()
                optimizer.update(params, grads)
                hist.steps += 1
                if bar is not None:
                    bar.update(1)
                if on_step is not None:
                    on_step(hist)
                if hist.stop:
                    break
            if hist.diverged:
                break
            # ---- end of epoch: evaluate in test mode
            tl, ta = model.evaluate(x_eval, y_eval)
            hist.train_loss.append(tl)
            hist.train_acc.append(ta)
            if x_val is not None:
                vl, va = model.evaluate(x_val, y_val)
                hist.val_loss.append(vl)
                hist.val_acc.append(va)
                if vl < best_val:
                    best_val, since_best = vl, 0
                    hist.best_epoch = hist.epochs
                    if early_stopping is not None:
                        best_state = model.state()
                else:
                    since_best += 1
            hist.epochs += 1
            hist.seconds = time.perf_counter() - t0
            if bar is not None:
                post = {"loss": f"{tl:.3f}", "acc": f"{ta:.3f}"}
                if x_val is not None:
                    post["val_acc"] = f"{hist.val_acc[-1]:.3f}"
                bar.set_postfix(post, refresh=False)
            for cb in callbacks:
                cb(hist)
            if early_stopping is not None and since_best >= early_stopping:
                hist.stopped_early = True
                break
            if hist.stop or (max_steps is not None and hist.steps >= max_steps):
                break
    finally:
        if bar is not None:
            bar.close()
    if best_state is not None:
        model.load_state(best_state)                    # the best weights, not the last ones
    hist.seconds = time.perf_counter() - t0
    if hist.diverged and raise_on_divergence:
        raise TrainingDiverged(hist.diverged)
    return hist
