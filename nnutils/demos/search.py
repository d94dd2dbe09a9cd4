"""Lesson 8 demo: a live random search (무작위 탐색) over the learning rate and weight decay.

The experiment is ``nnutils.experiments.random_search``: the lecture's (Deep Learning from
Scratch §6.5) lr × λ search on 400 training and 100 validation MNIST images, one cached
``search_trial`` per setting.

``RandomSearchDemo``: the number of trials and the two ranges → the lr × λ scatter fills in
as trials finish, coloured by validation accuracy, beside validation accuracy against lr; a
progress bar; a "stop" button. In JupyterLab (a running asyncio loop) a change schedules the
trials as a task on the kernel's loop, one trial per step with ``await asyncio.sleep(0)``
between them, so the figure streams and the stop button (or a new setting) is honoured
between two trials. Without a running loop (tests, scripts, ``live=False``) the same trials
run synchronously inside ``demo.set(...)``. The demo's first picture is always computed
synchronously, so a notebook replays the same way every time.
"""

from __future__ import annotations

import asyncio
import time

import numpy as np
from matplotlib.patches import Rectangle

from nnutils.experiments.random_search import LR_RANGE, WD_RANGE, draw_settings, search_trial
from nnutils.i18n import tr
from nnutils.search import at_edge
from nnutils.widgets import Demo, controls as C

__all__ = ["RandomSearchDemo", "DEMOS"]

# the demo's axes: fixed, wide enough for every range the sliders can make
LR_AXIS = (1e-8, 10.0)
WD_AXIS = (1e-10, 1e-1)


def _range(low, high, smallest=10 ** 0.5):
    """(low, high) in order; an empty range (low == high) becomes half a decade wide."""
    low, high = sorted((float(low), float(high)))
    if high / low < smallest:
        high = low * smallest
    return low, high


def _edge_warning(lr_at_edge, wd_at_edge):
    """The figure's warning when the best trial's lr and/or λ sits at the edge of its range."""
    if lr_at_edge and wd_at_edge:
        return tr("⚠ the best lr and λ sit at the edges of their ranges: widen past it, unless the "
                  "score does not depend on it")
    if lr_at_edge or wd_at_edge:
        return tr("⚠ the best {name} sits at the edge of its range: widen past it, unless the score "
                  "does not depend on it", name="lr" if lr_at_edge else "λ")
    return ""


def _running_loop():
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


class RandomSearchDemo(Demo):
    """Number of trials and the lr / λ ranges → a scatter that fills in as trials finish."""

    title = ("Random search (무작위 탐색): lr × weight decay, 400 train / 100 validation images, "
             "784-100-100-10, SGD, 10 epochs per trial")
    figsize = (9.6, 3.9)
    retrains = True
    presets = {"lecture ranges (best lr at the edge)": {"lr_low": 1e-6, "lr_high": 1e-2,
                                                        "wd_low": 1e-8, "wd_high": 1e-4},
               "widened lr: 10^-2.5 … 10^0.5": {"lr_low": 10 ** -2.5, "lr_high": 10 ** 0.5,
                                                "wd_low": 1e-8, "wd_high": 1e-4},
               "everything: lr 1e-8 … 10": {"lr_low": 1e-8, "lr_high": 10.0,
                                            "wd_low": 1e-10, "wd_high": 1e-1}}
    render_every = 0.4   # seconds between redraws while trials stream in
    # for the course-wide control test: the ranges show their effect with 5 trials as well
    control_context = {name: {"n_trials": 5} for name in ("lr_low", "lr_high", "wd_low", "wd_high")}

    def __init__(self, live=None, seed=0, **values):
        """live: None = stream on the kernel's asyncio loop when one is running (JupyterLab),
        else run synchronously; True / False force it. The first picture is always synchronous."""
        self.live = live
        self.seed = int(seed)
        self._task = None
        self._token = 0
        self._stop = False
        self._started = False
        super().__init__(**values)
        self._started = True

    def make_controls(self):
        return {"n_trials": C.int_slider(20, 5, 100, step=5, description="trials"),
                "lr_low": C.slider(LR_RANGE[0], 1e-8, 10.0, log=True, step=0.5, readout_format=".1e",
                                   description="lr from"),
                "lr_high": C.slider(LR_RANGE[1], 1e-8, 10.0, log=True, step=0.5, readout_format=".1e",
                                    description="lr to"),
                "wd_low": C.slider(WD_RANGE[0], 1e-10, 1e-1, log=True, step=0.5, readout_format=".1e",
                                   description="λ from"),
                "wd_high": C.slider(WD_RANGE[1], 1e-10, 1e-1, log=True, step=0.5, readout_format=".1e",
                                    description="λ to")}

    def buttons(self):
        return {"stop": self.stop}

    # ---------------------------------------------------------------- figure
    def build(self, fig):
        fig.set_layout_engine("none")       # fixed margins: cheaper redraws
        ax = fig.add_axes((0.075, 0.14, 0.38, 0.66))
        cax = fig.add_axes((0.465, 0.14, 0.012, 0.66))
        axm = fig.add_axes((0.615, 0.14, 0.37, 0.66))
        for a in (ax, axm):
            a.set_xscale("log")
            a.set_xlim(*LR_AXIS)
            a.grid(True, which="major", alpha=0.25)
        ax.set_yscale("log")
        ax.set(ylim=WD_AXIS, xlabel=tr("learning rate lr (log)"), ylabel=tr("weight decay λ (log)"))
        axm.set(ylim=(0.0, 1.0), xlabel=tr("learning rate lr (log)"), ylabel=tr("validation accuracy"))
        self.box = ax.add_patch(Rectangle((1, 1), 1, 1, facecolor="0.85", edgecolor="0.5",
                                          lw=1.0, ls="--", zorder=0))
        self.band = axm.add_patch(Rectangle((1, 0), 1, 1, facecolor="0.9", edgecolor="none",
                                            zorder=0))
        empty = np.zeros((0, 2))
        self.dots = ax.scatter(empty[:, 0], empty[:, 1], c=[], cmap="viridis", vmin=0.0, vmax=1.0,
                               s=26, edgecolors="k", linewidths=0.3, zorder=3)
        self.proj = axm.scatter(empty[:, 0], empty[:, 1], c=[], cmap="viridis", vmin=0.0,
                                vmax=1.0, s=22, edgecolors="k", linewidths=0.3, zorder=3)
        fig.colorbar(self.dots, cax=cax).set_label(tr("val. acc."), fontsize=8)
        cax.tick_params(labelsize=7)
        (self.best,) = ax.plot([], [], marker="*", ms=15, color="#D55E00", mec="k", ls="none",
                               zorder=4, label=tr("best trial"))
        (self.best_m,) = axm.plot([], [], marker="*", ms=15, color="#D55E00", mec="k", ls="none",
                                  zorder=4)
        axm.axhline(0.1, color="0.5", lw=0.8, ls=":")
        axm.text(2e-8, 0.04, tr("chance: 0.1 (10 classes)"), fontsize=7, color="0.4")
        ax.legend(loc="upper left", fontsize=7)
        self.head = fig.text(0.075, 0.94, "", fontsize=9, va="top")
        self.warn = fig.text(0.075, 0.865, "", fontsize=9, va="top", color="#B35900")

    def _show(self, done, n, lr_range, wd_range, stopped=False):
        """Put the finished trials ``done`` [(params, score), ...] on the figure."""
        if done:
            lr = np.array([p["lr"] for p, _ in done])
            wd = np.array([p["weight_decay"] for p, _ in done])
            acc = np.array([s for _, s in done])
        else:
            lr = wd = acc = np.zeros(0)
        self.dots.set_offsets(np.column_stack([lr, wd]))
        self.dots.set_array(acc)
        self.proj.set_offsets(np.column_stack([lr, acc]))
        self.proj.set_array(acc)
        state = (tr("stopped: {done} of {n} trials", done=len(done), n=n) if stopped
                 else tr("{done} of {n} trials", done=len(done), n=n))
        if done:
            i = int(np.argmax(acc))     # first of equals, as random_search's stable sort
            self.best.set_data([lr[i]], [wd[i]])
            self.best_m.set_data([lr[i]], [acc[i]])
            self.head.set_text(tr("{state} · best validation accuracy {accuracy:.2f} at "
                                  "lr = {lr:.2g}, λ = {wd:.2g}", state=state, accuracy=acc[i],
                                  lr=lr[i], wd=wd[i]))
            self.warn.set_text(_edge_warning(at_edge(lr[i], *lr_range), at_edge(wd[i], *wd_range)))
        else:
            self.best.set_data([], [])
            self.best_m.set_data([], [])
            self.head.set_text(tr("{state} · lr from {lr_low:.2g} to {lr_high:.2g}, "
                                  "λ from {wd_low:.2g} to {wd_high:.2g}", state=state,
                                  lr_low=lr_range[0], lr_high=lr_range[1],
                                  wd_low=wd_range[0], wd_high=wd_range[1]))
            self.warn.set_text("")

    # ---------------------------------------------------------------- updates
    def update(self, n_trials, lr_low, lr_high, wd_low, wd_high):
        self._token += 1            # a running stream sees this and ends
        self._stop = False
        lr_range, wd_range = _range(lr_low, lr_high), _range(wd_low, wd_high)
        self.box.set_bounds(lr_range[0], wd_range[0], lr_range[1] - lr_range[0],
                            wd_range[1] - wd_range[0])
        self.band.set_bounds(lr_range[0], 0.0, lr_range[1] - lr_range[0], 1.0)
        settings = draw_settings(n_trials, lr_range, wd_range, self.seed)
        loop = _running_loop() if self.live is not False else None
        if self._started and loop is not None:
            self._show([], n_trials, lr_range, wd_range)
            self.progress(0.0, tr("0 of {n} trials: searching …", n=n_trials))
            self._task = loop.create_task(
                self._stream(settings, lr_range, wd_range, self._token))
            return
        if self.live and loop is None:
            raise RuntimeError("live=True needs a running asyncio loop (JupyterLab's kernel)")
        done = []
        last = time.perf_counter()
        for p in settings:
            done.append((p, search_trial(**p)[0]))
            self._progress(done, n_trials, p)
            if time.perf_counter() - last > self.render_every and len(done) < n_trials:
                self._show(done, n_trials, lr_range, wd_range)
                self.render()
                last = time.perf_counter()
        self._show(done, n_trials, lr_range, wd_range)
        self.progress(1.0)
        self.status.value = tr("{n} trials done", n=n_trials)

    def _progress(self, done, n, p):
        p, score = done[-1]
        self.progress(len(done) / n, tr("trial {i} of {n}: lr = {lr:.2g}, λ = {wd:.2g} → "
                                        "validation accuracy {score:.2f}", i=len(done), n=n,
                                        lr=p["lr"], wd=p["weight_decay"], score=score))

    async def _stream(self, settings, lr_range, wd_range, token):
        """One trial per step of the kernel's loop; between trials, widget messages (the stop
        button, a new setting) are handled."""
        n, done, last = len(settings), [], time.perf_counter()
        stopped = False
        try:
            for p in settings:
                await asyncio.sleep(0)      # let the kernel handle pending clicks first
                await asyncio.sleep(0)
                if token != self._token:
                    return                  # a newer setting took over
                if self._stop:
                    stopped = True
                    break
                done.append((p, search_trial(**p)[0]))
                with self.lock:             # see "Threads" in nnutils.widgets
                    self._progress(done, n, p)
                    if time.perf_counter() - last > self.render_every:
                        self._show(done, n, lr_range, wd_range)
                        self.render()
                        last = time.perf_counter()
            with self.lock:
                self._show(done, n, lr_range, wd_range, stopped=stopped)
                self.progress(1.0)
                self.status.value = (tr("stopped after {done} of {n} trials", done=len(done), n=n)
                                     if stopped else tr("{n} trials done", n=n))
                self.render()
        except Exception as exc:            # shown in the demo, never lost in a task
            with self.lock:
                self.error = f"{type(exc).__name__}: {exc}"
                self.message(self.error)
                self.progress(1.0)
                self.render()

    def stop(self):
        """Stop the running search after the current trial (the "stop" button)."""
        self._stop = True

    @property
    def running(self):
        return self._task is not None and not self._task.done()

    def code(self, **values):
        lr = _range(values["lr_low"], values["lr_high"])
        wd = _range(values["wd_low"], values["wd_high"])
        return ("from nnutils.experiments.random_search import lr_wd_search\n"
                f"trials = lr_wd_search({values['n_trials']}, lr_range=({lr[0]:.3g}, {lr[1]:.3g}), "
                f"wd_range=({wd[0]:.3g}, {wd[1]:.3g}), seed={self.seed})\n"
                "for t in trials[:5]:\n"
                "    print(f\"lr={t.params['lr']:.2e}  λ={t.params['weight_decay']:.2e}  "
                "val acc={t.score:.2f}\")")


DEMOS = {"random_search": RandomSearchDemo}
