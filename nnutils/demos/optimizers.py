"""Lesson 5 demos: optimizer trajectories on 2-D surfaces, and the learning-rate picture.

TrajectoryDemo  pick optimizers, learning rate, μ, β1, β2, RMSProp decay, steps, start point
                and surface; left: the paths on the contour plot, right: the race (loss vs step).
LearningRateDemo  one learning-rate slider trains a small MNIST network and draws its loss
                curve over the four classic reference curves (very high / high / good / low).
"""
from __future__ import annotations

import numpy as np

from nnutils import optim
from nnutils.plots import PALETTE, moving_average
from nnutils.surfaces import SURFACES, get_surface
from nnutils.widgets import Demo, controls as C

__all__ = ["OPTIMIZER_NAMES", "make_2d_optimizer", "TrajectoryDemo", "DEMOS"]

OPTIMIZER_NAMES = ("SGD", "Momentum", "Nesterov", "AdaGrad", "RMSProp", "Adam")
COLORS = dict(zip(OPTIMIZER_NAMES, [PALETTE[i] for i in (7, 0, 5, 2, 3, 1)]))

# how to space the contour levels so each surface reads well
_LEVELS = {"bowl": "quadratic", "ill-conditioned": "quadratic", "rosenbrock": "log",
           "saddle": "linear"}


def make_2d_optimizer(name, lr, momentum=0.9, beta1=0.9, beta2=0.999, decay=0.99):
    """One nnutils.optim optimizer by its display name, with the demo's knobs."""
    if name == "SGD":
        return optim.SGD(lr=lr)
    if name == "Momentum":
        return optim.Momentum(lr=lr, momentum=momentum)
    if name == "Nesterov":
        return optim.Nesterov(lr=lr, momentum=momentum)
    if name == "AdaGrad":
        return optim.AdaGrad(lr=lr)
    if name == "RMSProp":
        return optim.RMSProp(lr=lr, decay=decay)
    if name == "Adam":
        return optim.Adam(lr=lr, beta1=beta1, beta2=beta2)
    raise ValueError(f"name: expected one of {OPTIMIZER_NAMES}, got {name!r}")


def _freeze_layout(demo):
    """Keep the axes where the first render put them: re-running the constrained layout on
    every move costs more than the rest of the update (the limits are fixed anyway)."""
    if getattr(demo, "_layout_done", False):
        demo.fig.set_layout_engine("none")
    demo._layout_done = True


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
    """Paths of the chosen optimizers on a 2-D surface, and their loss per step."""

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
            "optimizers": C.choose_many(OPTIMIZER_NAMES, ("SGD", "Momentum", "AdaGrad", "Adam"),
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
            "x0": C.slider(s.start[0], *s.xlim, description="start x"),
            "y0": C.slider(s.start[1], *s.ylim, description="start y"),
        }
        # a new surface moves the start sliders to its range and default start; registered
        # before the base class's observer, so the redraw already sees the new start
        c["surface"].observe(self._surface_changed, names="value")
        self._c = c
        return c

    def _surface_changed(self, change):
        s = get_surface(change["new"])
        for key, lim, v in (("x0", s.xlim, s.start[0]), ("y0", s.ylim, s.start[1])):
            w = self._c[key]
            with self.hold():
                w.min, w.max = min(w.min, lim[0]), max(w.max, lim[1])   # widen, move, narrow
                w.value = v
                w.min, w.max = lim
                w.step = (lim[1] - lim[0]) / 100

    def build(self, fig):
        self.ax, self.ax_race = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1.25, 1]})
        self.paths, self.races = {}, {}
        for name in OPTIMIZER_NAMES:
            kw = dict(color=COLORS[name], label=name)
            (self.paths[name],) = self.ax.plot([], [], ".-", ms=3, lw=1.2, zorder=3, **kw)
            (self.races[name],) = self.ax_race.plot([], [], lw=1.5, **kw)
        (self.start_marker,) = self.ax.plot([], [], "o", color="k", ms=6, zorder=4,
                                            label="start")
        (self.min_marker,) = self.ax.plot([], [], "*", color="#D55E00", ms=11, zorder=4,
                                          label="minimum")
        self.note = self.ax.text(0.02, 0.02, "", transform=self.ax.transAxes, fontsize=8,
                                 color="#b00020", va="bottom", zorder=5,
                                 bbox=dict(facecolor="white", alpha=0.8, edgecolor="none"))
        self.ax.set(xlabel="x", ylabel="y")
        self.ax_race.set(xlabel="step", ylabel="f(x, y) − f(minimum)  (log scale)",
                         yscale="log", title="race: loss vs step")
        self.ax_race.grid(True, which="major", alpha=0.3)
        self.contour, self.surface_drawn = None, None

    @staticmethod
    def _bound(s):
        """Stop a run once it is 100 view-widths away: it has diverged."""
        return 100 * max(map(abs, s.xlim + s.ylim))

    def _draw_surface(self, s):
        """Contour lines, limits and markers: only when the surface changes."""
        if self.contour is not None:
            self.contour.remove()
        X, Y, Z = s.grid(160)
        self.contour = self.ax.contour(X, Y, Z, levels=_levels(s, Z), cmap="Blues_r",
                                       linewidths=0.7, alpha=0.7, zorder=1)
        self.ax.set(xlim=s.xlim, ylim=s.ylim, title=s.formula)
        self.min_marker.set_data([s.minimum[0]], [s.minimum[1]])
        self.surface_drawn = s.name

    def update(self, optimizers, surface, lr, mu, beta1, beta2, decay, steps, x0, y0):
        _freeze_layout(self)
        s = get_surface(surface)
        if self.surface_drawn != s.name:
            self._draw_surface(s)
        self.start_marker.set_data([x0], [y0])
        f_min = float(s.f(*s.minimum))
        lows, highs, notes = [], [], []
        for name in OPTIMIZER_NAMES:
            if name not in optimizers:
                self.paths[name].set_visible(False)
                self.races[name].set_visible(False)
                continue
            opt = make_2d_optimizer(name, lr, momentum=mu, beta1=beta1, beta2=beta2,
                                    decay=decay)
            path = s.trajectory(opt, start=(x0, y0), steps=steps, bound=self._bound(s))
            gap = np.maximum(s.loss(path) - f_min, 1e-10)     # log scale needs > 0
            self.paths[name].set_data(path[:, 0], path[:, 1])
            self.races[name].set_data(np.arange(len(path)), gap)
            self.paths[name].set_visible(True)
            self.races[name].set_visible(True)
            lows.append(gap.min())
            highs.append(gap.max())
            if len(path) < steps + 1:
                notes.append(f"{name} diverged at step {len(path)} (lr too high)")
            elif not (s.xlim[0] <= path[-1, 0] <= s.xlim[1] and s.ylim[0] <= path[-1, 1] <= s.ylim[1]):
                notes.append(f"{name} ended outside the view")
        self.note.set_text("\n".join(notes))
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


DEMOS = {"trajectories": TrajectoryDemo}
