"""Lesson 5 demos: optimizer trajectories on 2-D surfaces, and the learning-rate picture.

TrajectoryDemo  pick optimizers, learning rate, μ, β1, β2, RMSProp decay, steps, start point
                and surface; left: the paths on the contour plot, right: the race (loss vs step).
LearningRateDemo  one learning-rate slider trains a small MNIST network and draws its loss
                curve over the four classic reference curves (very high / high / good / low);
                the runs are ``nnutils.experiments.learning_rate.lr_run``.
"""
from __future__ import annotations

import numpy as np
from matplotlib.ticker import LogLocator, MaxNLocator, NullLocator

from nnutils.experiments.learning_rate import LR_REFERENCE, LR_SETUP, LR_SWEEP, final_loss, lr_run
from nnutils.i18n import tr
from nnutils.optim import make_optimizer
from nnutils.plots import PALETTE, moving_average
from nnutils.surfaces import SURFACES, get_surface
from nnutils.widgets import Demo, controls as C

__all__ = ["OPTIMIZER_NAMES", "OPTIMIZER_KNOBS", "TrajectoryDemo", "LearningRateDemo",
           "trajectories_figure", "state_figure", "nesterov_figure", "draw_surface", "COLORS",
           "DEMOS"]

# which of the demo's knobs each optimizer takes besides lr (make_optimizer reads the display
# names case-insensitively), and how the legend writes each knob
OPTIMIZER_KNOBS = {"SGD": (), "Momentum": ("momentum",), "Nesterov": ("momentum",),
                   "AdaGrad": (), "RMSProp": ("decay",), "Adam": ("beta1", "beta2")}
OPTIMIZER_NAMES = tuple(OPTIMIZER_KNOBS)
_KNOB_LABEL = {"momentum": "μ={:.3g}", "decay": "ρ={:.4g}", "beta1": "β1={:.3g}",
               "beta2": "β2={:.4g}"}
COLORS = dict(zip(OPTIMIZER_NAMES, [PALETTE[i] for i in (7, 0, 5, 2, 3, 1)]))

# how to space the contour levels so each surface reads well
_LEVELS = {"bowl": "quadratic", "ill-conditioned": "quadratic", "rosenbrock": "log",
           "saddle": "linear"}


def _few_ticks(*axes):
    """Laying out tick labels is most of a re-render: keep ~5 per axis, no minor labels."""
    for ax in axes:
        for axis in (ax.xaxis, ax.yaxis):
            if axis.get_scale() == "log":
                axis.set_major_locator(LogLocator(numticks=6))
                axis.set_minor_locator(NullLocator())
            else:
                axis.set_major_locator(MaxNLocator(5))


def _levels(surface, Z):
    lo = float(surface.f(*surface.minimum))
    hi = float(np.max(Z))
    kind = _LEVELS.get(surface.name, "linear")
    if kind == "quadratic":       # level k at (k/n)² of the top: evenly spaced ellipses
        return lo + (hi - lo) * (np.arange(1, 16) / 15.0) ** 2
    if kind == "log":
        return lo + np.geomspace(1e-1, hi - lo, 14)
    return np.linspace(float(np.min(Z)), hi, 16)[1:-1]


class TrajectoryDemo(Demo):
    """Paths of the chosen optimizers on a 2-D surface, and their loss per step.

    One learning rate for all the chosen optimizers (the presets set the lecture's value for
    each picture). Choosing a surface moves the start sliders to its range and default start.
    """

    title = "Optimizer trajectories (최적화 경로) and the race (loss vs step)"
    figsize = (10.0, 4.2)
    # moving these knobs only matters when the optimizer that uses them is shown
    control_context = {"decay": {"optimizers": ("RMSProp",)},
                       "mu": {"optimizers": ("Momentum", "Nesterov")}}
    presets = {
        "SGD zig-zag (lr 0.95)": {"optimizers": ("SGD",), "lr": 0.95},
        "Momentum (lr 0.1)": {"optimizers": ("Momentum",), "lr": 0.1},
        "AdaGrad (lr 1.5)": {"optimizers": ("AdaGrad",), "lr": 1.5},
        "Adam (lr 0.3)": {"optimizers": ("Adam",), "lr": 0.3},
        "AdaGrad vs RMSProp": {"optimizers": ("AdaGrad", "RMSProp"), "lr": 0.3, "steps": 100,
                               "decay": 0.9},
        "Rosenbrock": {"surface": "rosenbrock", "x0": -1.5, "y0": 2.0,
                       "optimizers": ("SGD", "Momentum", "Adam"), "lr": 0.001, "steps": 200},
        "saddle escape": {"surface": "saddle", "x0": -1.5, "y0": 0.01,
                          "optimizers": ("SGD", "Momentum", "RMSProp", "Adam"), "lr": 0.05,
                          "steps": 60, "decay": 0.9},
        "ill-conditioned": {"surface": "ill-conditioned", "x0": -8.0, "y0": -2.0,
                            "optimizers": ("SGD", "Momentum", "Adam"), "lr": 0.3,
                            "steps": 100},
    }

    def make_controls(self):
        s = SURFACES["bowl"]
        c = {
            "optimizers": C.choose_many(OPTIMIZER_NAMES, ("SGD", "Momentum", "AdaGrad", "RMSProp", "Adam"),
                                        description="optimizers"),
            "surface": C.dropdown([(f"{name}: {surf.formula}", name)
                                   for name, surf in SURFACES.items()], "bowl",
                                  description="surface"),
            "lr": C.slider(0.3, 1e-3, 3.0, log=True, description="learning rate"),
            "mu": C.slider(0.9, 0.0, 0.99, step=0.01, description="momentum μ"),
            "beta1": C.slider(0.9, 0.0, 0.99, step=0.01, description="Adam β1"),
            "beta2": C.slider(0.999, 0.5, 0.9999, step=0.0001, description="Adam β2",
                              readout_format=".4f"),
            "decay": C.slider(0.99, 0.0, 0.999, step=0.001, description="RMSProp decay"),
            "steps": C.int_slider(30, 1, 200, description="steps"),
            # one range for every surface, on a grid that holds every default start: a slider
            # whose range or grid changed under it would snap the value and send it back
            "x0": C.slider(s.start[0], -10.0, 10.0, step=0.01, description="start x"),
            "y0": C.slider(s.start[1], -8.0, 8.0, step=0.01, description="start y"),
        }
        # a new surface moves the start to its default; registered before the base class's
        # observer, so the redraw already sees the new start
        c["surface"].observe(self._surface_changed, names="value")
        self._c = c
        return c

    def _surface_changed(self, change):
        s = get_surface(change["new"])
        with self.hold():
            self._c["x0"].value, self._c["y0"].value = s.start

    def build(self, fig):
        self.ax, self.ax_race = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1.25, 1]})
        self.paths, self.races = {}, {}
        for name in OPTIMIZER_NAMES:
            kw = dict(color=COLORS[name], label=name)
            (self.paths[name],) = self.ax.plot([], [], ".-", ms=3, lw=1.2, zorder=3, **kw)
            (self.races[name],) = self.ax_race.plot([], [], lw=1.5, **kw)
        (self.start_marker,) = self.ax.plot([], [], "o", color="k", ms=6, zorder=4,
                                            label=tr("start"))
        (self.min_marker,) = self.ax.plot([], [], "*", color="#D55E00", ms=11, zorder=4,
                                          label=tr("minimum"))
        self.note = self.ax.text(0.02, 0.02, "", transform=self.ax.transAxes, fontsize=8,
                                 color="#b00020", va="bottom", zorder=5,
                                 bbox=dict(facecolor="white", alpha=0.8, edgecolor="none"))
        self.ax.set(xlabel="x", ylabel="y")
        self.ax_race.set(xlabel=tr("step"), ylabel=tr("f(x, y) − f(minimum)  (log scale)"),
                         yscale="log", title=tr("race: loss vs step"))
        self.ax_race.grid(True, which="major", alpha=0.3)
        _few_ticks(self.ax, self.ax_race)
        self.contour, self.surface_drawn = None, None

    @staticmethod
    def _bound(s):
        """Stop a run once it is 100 view-widths away: it has diverged."""
        return 100 * max(map(abs, s.xlim + s.ylim))

    def _draw_surface(self, s):
        """Contour lines, limits and markers: only when the surface changes."""
        if self.contour is not None:
            # forget it at once: if drawing the new one fails, the next update must not try to
            # remove this one again (that error would hide the real one)
            self.contour, old = None, self.contour
            old.remove()
        X, Y, Z = s.grid(160)
        self.contour = self.ax.contour(X, Y, Z, levels=_levels(s, Z), cmap="Blues_r",
                                       linewidths=0.7, alpha=0.7, zorder=1)
        self.ax.set(xlim=s.xlim, ylim=s.ylim, title=s.formula)
        self.min_marker.set_data([s.minimum[0]], [s.minimum[1]])
        self.surface_drawn = s.name
        # new limits bring tick labels of another width: lay the figure out once more (the
        # frozen bowl layout clipped the saddle's y label)
        self.fig.set_layout_engine("constrained")

    def update(self, optimizers, surface, lr, mu, beta1, beta2, decay, steps, x0, y0):
        s = get_surface(surface)
        if self.surface_drawn != s.name:
            self._draw_surface(s)
        self.start_marker.set_data([x0], [y0])
        f_min = float(s.f(*s.minimum))
        knobs = {"momentum": mu, "beta1": beta1, "beta2": beta2, "decay": decay}
        lows, highs, notes = [], [], []
        for name in OPTIMIZER_NAMES:
            if name not in optimizers:
                self.paths[name].set_visible(False)
                self.races[name].set_visible(False)
                continue
            own = {k: knobs[k] for k in OPTIMIZER_KNOBS[name]}
            opt = make_optimizer(name, lr=lr, **own)
            path = s.trajectory(opt, start=(x0, y0), steps=steps, bound=self._bound(s))
            gap = np.maximum(s.loss(path) - f_min, 1e-10)     # log scale needs > 0
            # the legend states each rule's knobs, so every control visibly changes the figure
            label = " ".join([name] + [_KNOB_LABEL[k].format(v) for k, v in own.items()])
            self.paths[name].set_label(label)
            self.races[name].set_label(label)
            self.paths[name].set_data(path[:, 0], path[:, 1])
            self.races[name].set_data(np.arange(len(path)), gap)
            self.paths[name].set_visible(True)
            self.races[name].set_visible(True)
            lows.append(gap.min())
            highs.append(gap.max())
            if len(path) < steps + 1:
                notes.append(tr("{optimizer} diverged at step {step} (lr too high)",
                                optimizer=name, step=len(path)))
            elif not (s.xlim[0] <= path[-1, 0] <= s.xlim[1] and s.ylim[0] <= path[-1, 1] <= s.ylim[1]):
                notes.append(tr("{optimizer} ended outside the view", optimizer=name))
        self.note.set_text("\n".join(notes))
        # the setting is in the picture, so a saved image says what it shows
        self.ax_race.set_title(tr("race: lr {lr:.3g}, {steps} steps from ({x0:.3g}, {y0:.3g})",
                                  lr=lr, steps=steps, x0=x0, y0=y0))
        shown = [self.paths[n] for n in OPTIMIZER_NAMES if n in optimizers]
        self.ax.legend(handles=shown + [self.start_marker, self.min_marker], fontsize=8,
                       loc="upper right", framealpha=0.8)
        self.ax_race.set_xlim(0, steps)
        if lows:
            lo = max(min(lows), 1e-10)
            hi = min(max(highs), 1e12)
            self.ax_race.set_ylim(lo / 3, hi * 3)
            self.ax_race.legend(handles=[self.races[n] for n in OPTIMIZER_NAMES
                                         if n in optimizers], fontsize=8, loc="lower left")
        elif self.ax_race.get_legend() is not None:
            self.ax_race.get_legend().remove()


# --- static figures for the notebook -------------------------------------------------------
def draw_surface(ax, surface, n=160):
    """Contour lines of a surface over its view limits, with its minimum as a star."""
    s = get_surface(surface)
    X, Y, Z = s.grid(n)
    ax.contour(X, Y, Z, levels=_levels(s, Z), cmap="Blues_r", linewidths=0.7, alpha=0.7)
    ax.plot(*s.minimum, "*", color="#D55E00", ms=11, zorder=4)
    ax.set(xlim=s.xlim, ylim=s.ylim, xlabel="x", ylabel="y")
    return ax


def trajectories_figure(paths, surface="bowl", ncols=2):
    """One panel per run: {title: path (n, 2)} on the surface's contours (the lecture's picture)."""
    import matplotlib.pyplot as plt
    nrows = -(-len(paths) // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(5.0 * ncols, 2.9 * nrows), dpi=80,
                             layout="constrained", squeeze=False)
    for ax, (title, path) in zip(axes.flat, paths.items()):
        draw_surface(ax, surface)
        name = title.split()[0]
        ax.plot(path[:, 0], path[:, 1], "o-", ms=3, lw=1.2, color=COLORS.get(name, "k"))
        ax.plot(*path[0], "o", color="k", ms=6)
        ax.set_title(title, fontsize=10)
    for ax in axes.flat[len(paths):]:
        ax.set_visible(False)
    return fig


def state_figure(records, lr_note=""):
    """What each optimizer remembers, for one parameter (y of the bowl), step by step.

    records: {name: {"grad": (T,), state name: (T,), ...}} as recorded in the notebook; the
    state names and ``lr_note`` are shown in the current language (the catalogue has the
    notebook's).
    """
    import matplotlib.pyplot as plt
    names = list(records)
    fig, axes = plt.subplots(1, len(names), figsize=(2.6 * len(names), 3.0), dpi=80,
                             layout="constrained", sharex=True)
    styles = ["-", "--", ":"]
    for ax, name in zip(axes, names):
        rec = records[name]
        t = np.arange(1, len(rec["grad"]) + 1)
        ax.plot(t, rec["grad"], color="0.6", lw=1, label=tr("gradient ∂f/∂y"))
        for i, (key, values) in enumerate((k, v) for k, v in rec.items() if k != "grad"):
            ax.plot(t, values, styles[i % 3], color=COLORS[name], lw=1.6, label=tr(key))
        ax.axhline(0, color="k", lw=0.5)
        ax.set(title=name, xlabel=tr("step t"))
        ax.legend(fontsize=7, loc="upper right")
    axes[0].set_ylabel(tr("value for the parameter y"))
    if lr_note:
        fig.suptitle(tr(lr_note), fontsize=10)
    return fig


def nesterov_figure(surface="bowl", point=(-4.0, 0.8), v=(1.6, -1.3), lr=0.6, mu=0.9):
    """One step of Momentum vs Nesterov from the same point and velocity (the look-ahead)."""
    import matplotlib.pyplot as plt
    s = get_surface(surface)
    p, v = np.asarray(point, float), np.asarray(v, float)
    g_here = s.gradient(p)
    ahead = p + mu * v
    g_ahead = s.gradient(ahead)
    fig, axes = plt.subplots(1, 2, figsize=(10, 3.4), dpi=80, layout="constrained")
    for ax, title, g_at, g in ((axes[0], tr("Momentum: gradient where we are"), p, g_here),
                               (axes[1], tr("Nesterov: gradient at the look-ahead point"), ahead,
                                g_ahead)):
        draw_surface(ax, s)
        ax.set(xlim=(-6.5, 0.5), ylim=(-2.5, 2.5), title=title)
        arrow = dict(angles="xy", scale_units="xy", scale=1, width=0.006)
        ax.quiver(*p, *(mu * v), color=PALETTE[0], **arrow, label=tr("momentum step μv"))
        ax.quiver(*g_at, *(-lr * g), color=PALETTE[1], **arrow, label=tr("gradient step −lr·∇f"))
        step = mu * v - lr * g
        ax.quiver(*p, *step, color="k", **arrow, label=tr("actual step v (new)"))
        ax.plot(*p, "o", color="k", ms=6)
        if g_at is ahead:
            ax.plot(*ahead, "o", mfc="white", mec=PALETTE[0], ms=7, label=tr("look-ahead x + μv"))
        ax.legend(fontsize=8, loc="lower left")
    fig.suptitle(tr("one step from the same point and velocity (lr = {lr:g}, μ = {mu:g})",
                    lr=lr, mu=mu), fontsize=10)
    return fig


# --- the learning-rate picture ------------------------------------------------------------
_LR_COLORS = {"very high": PALETTE[1], "high": PALETTE[4], "good": PALETTE[2], "low": PALETTE[0]}


class LearningRateDemo(Demo):
    """One learning rate, trained live, over the four classic reference curves."""

    title = "Learning rate (학습률): very high, high, good, low"
    figsize = (10.0, 3.8)
    retrains = True
    presets = {name: {"lr": lr} for name, lr in LR_REFERENCE.items()}
    ylim = (0.0, 3.0)
    window = 10

    def make_controls(self):
        # starts between two reference curves, so that all four stay in view
        return {"lr": C.slider(0.1, 1e-3, 100.0, log=True, description="learning rate")}

    def build(self, fig):
        self.ax, self.ax_sweep = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1.4, 1]})
        steps = LR_SETUP["steps"]
        for name, lr in LR_REFERENCE.items():
            loss, diverged = lr_run(lr)
            label = (tr("{curve} (lr={lr:g})", curve=tr(name), lr=lr)
                     + (tr(": diverged") if diverged else ""))
            self.ax.plot(_smooth_finite(loss, self.window), color=_LR_COLORS[name], lw=1.5,
                         alpha=0.9, label=label)
            if diverged:                  # the curve leaves through the top after a few steps
                self.ax.annotate(tr("{curve} (lr={lr:g}): diverged at step {step} ↑",
                                    curve=tr(name), lr=lr, step=len(loss)),
                                 (len(loss), self.ylim[1]), xytext=(6, -14),
                                 textcoords="offset points", fontsize=8, color=_LR_COLORS[name])
        # drawn under the reference curves, so a reference it coincides with stays visible
        (self.live,) = self.ax.plot([], [], color="k", lw=3.0, alpha=0.55, zorder=1.5,
                                    label=tr("your lr"))
        self.ax.set(xlim=(0, steps), ylim=self.ylim, xlabel=tr("step (mini-batch of 50)"),
                    ylabel=tr("training loss (smoothed)"),
                    title=tr("loss vs step, SGD, {steps} steps", steps=steps))
        self.ax.legend(fontsize=8, loc="upper right", ncol=1, framealpha=0.85)
        self.ax.grid(True, alpha=0.3)

        finals = [(lr, *lr_run(lr)) for lr in LR_SWEEP]
        ok = [(lr, final_loss(loss)) for lr, loss, div in finals if not div]
        bad = [lr for lr, loss, div in finals if div]
        self.ax_sweep.plot(*zip(*ok), "o-", color="0.4", ms=4, lw=1, label=tr("final loss"))
        if bad:
            self.ax_sweep.plot(bad, [self.ylim[1] * 0.95] * len(bad), "x", color=PALETTE[1],
                               ms=8, mew=2, label=tr("diverged"))
        (self.cursor,) = self.ax_sweep.plot([], [], "o", color="k", ms=9, zorder=5,
                                            label=tr("your lr"))
        self.vline = self.ax_sweep.axvline(0.3, color="k", lw=1, ls=":")
        self.ax_sweep.set(xscale="log", xlim=(7e-4, 150), ylim=self.ylim,
                          xlabel=tr("learning rate"), ylabel=tr("mean loss, last 20 steps"),
                          title=tr("final loss vs learning rate"))
        self.ax_sweep.legend(fontsize=8, loc="upper left")
        self.ax_sweep.grid(True, alpha=0.3)
        _few_ticks(self.ax, self.ax_sweep)

    def update(self, lr):
        training = tr("training with lr={lr:.3g} …", lr=lr)
        self.progress(0.0, training)
        loss, diverged = lr_run(lr, progress=lambda h: self.progress(h.steps / LR_SETUP["steps"],
                                                                     training))
        self.progress(1.0)
        smooth = _smooth_finite(loss, self.window)
        self.live.set_data(np.arange(len(smooth)), np.minimum(smooth, 1e3))   # finite, drawable
        self.vline.set_xdata([lr, lr])
        final = final_loss(loss)
        self.cursor.set_data([lr], [self.ylim[1] * 0.95 if diverged else min(final, self.ylim[1])])
        self.live.set_label(tr("your lr={lr:.3g}", lr=lr))
        self.ax.legend(fontsize=8, loc="upper right", framealpha=0.85)
        if diverged:
            self.message(tr("lr={lr:.3g}: the loss blew up — {diverged}", lr=lr, diverged=diverged))
        else:
            self.status.value = tr("lr={lr:.3g}: mean loss over the last 20 steps {final:.3f}",
                                   lr=lr, final=final)

    def code(self, lr):
        return ("from nnutils.experiments.learning_rate import lr_run\n"
                f"loss, diverged = lr_run({lr!r})   # SGD, {LR_SETUP}")


def _smooth_finite(loss, window):
    """Moving average of the finite prefix (a diverged run ends in inf/NaN: never plot those)."""
    finite = np.isfinite(loss)
    n = len(loss) if finite.all() else int(np.argmin(finite))
    return moving_average(loss[:n], window)


DEMOS = {"trajectories": TrajectoryDemo, "learning_rate": LearningRateDemo}
