"""Lesson 3 demos: activation functions (활성화 함수) and their derivatives.

- ``ActivationDemo``: pick an activation (and the leaky slope / ELU α) and see f and f′ side
  by side, with the regions where the gradient dies shaded: f′ = 0 (a dead ReLU's side) and
  |f′| < 0.01 (saturation, 포화).
- ``ZigZagDemo``: why zero-centred outputs matter. A neuron whose inputs are all positive
  (like sigmoid outputs) gets per-example weight gradients whose components all share one
  sign, so SGD can only step "north-east" or "south-west" and zig-zags toward an optimum
  that lies "south-east".
"""

from __future__ import annotations

import numpy as np
from matplotlib.colors import ListedColormap
from matplotlib.patches import Patch

from nnutils import activations as A
from nnutils.i18n import tr
from nnutils.plots import PALETTE
from nnutils.widgets import Demo, controls as C

__all__ = ["ActivationDemo", "ZigZagDemo", "curve", "gradient_regions", "zigzag_path",
           "SATURATION", "DEMOS"]

NAMES = ("sigmoid", "tanh", "relu", "leaky_relu", "elu", "gelu", "silu")
LABELS = {"sigmoid": "sigmoid", "tanh": "tanh", "relu": "ReLU", "leaky_relu": "Leaky ReLU",
          "elu": "ELU", "gelu": "GELU (tanh approx.)", "silu": "SiLU / swish"}
SATURATION = 0.01   # |f′| below this counts as saturated: a gradient shrunk 100-fold or more


def curve(name, x, slope=0.01, alpha=1.0):
    """(f(x), f′(x)) for an activation name, passing the leaky slope / ELU α where they apply."""
    f, df = A.get_activation(name)
    if name == "leaky_relu":
        return f(x, slope), df(x, slope)
    if name == "elu":
        return f(x, alpha), df(x, alpha)
    return f(x), df(x)


def gradient_regions(grad, threshold=SATURATION):
    """Per point: 0 = gradient flows, 1 = saturated (0 < |f′| < threshold), 2 = dead (f′ = 0)."""
    g = np.abs(np.asarray(grad, dtype=float))
    return np.where(g == 0, 2, np.where(g < threshold, 1, 0))


def _code_args(name, slope, alpha):
    if name == "leaky_relu":
        return f", slope={slope:g}"
    if name == "elu":
        return f", alpha={alpha:g}"
    return ""


class ActivationDemo(Demo):
    """f and f′ of one activation (solid, shaded where the gradient dies) against another."""

    title = "Activation functions and their derivatives (활성화 함수와 도함수)"
    figsize = (10.0, 3.6)
    # the leaky slope and ELU α only matter when their activation is shown
    control_context = {"slope": {"activation": "leaky_relu"}, "alpha": {"activation": "elu"}}
    presets = {
        "sigmoid saturates": {"activation": "sigmoid", "compare": "none", "x_max": 10.0},
        "tanh vs sigmoid": {"activation": "tanh", "compare": "sigmoid"},
        "ReLU: dead for x<0": {"activation": "relu", "compare": "none"},
        "Leaky ReLU vs ReLU": {"activation": "leaky_relu", "compare": "relu", "slope": 0.1},
        "ELU vs ReLU": {"activation": "elu", "compare": "relu"},
        "GELU vs ReLU": {"activation": "gelu", "compare": "relu", "x_max": 4.0},
    }

    def make_controls(self):
        options = [(LABELS[n], n) for n in NAMES]
        return {
            "activation": C.dropdown(options, "sigmoid", description="activation"),
            "compare": C.dropdown([("none", "none")] + options, "relu",
                                  description="compare with"),
            "slope": C.slider(0.01, 0.0, 1.0, step=0.01, description="leaky slope"),
            "alpha": C.slider(1.0, 0.1, 3.0, step=0.05, description="ELU α"),
            "x_max": C.slider(6.0, 1.0, 20.0, step=0.5, description="x range ±"),
        }

    def build(self, fig):
        # fixed margins instead of constrained layout (a third of every redraw): nothing moves
        fig.set_layout_engine("none")
        self.ax_f, self.ax_g = fig.add_gridspec(1, 2, left=0.07, right=0.985, bottom=0.14,
                                                top=0.91, wspace=0.2).subplots()
        self.n = 801
        # one 1×n image per panel paints the shaded regions; updated with set_data/set_extent
        cmap = ListedColormap([(1, 1, 1, 0), (0.90, 0.62, 0.0, 0.30), (0.84, 0.37, 0.0, 0.45)])
        self.shades, self.main, self.other = [], [], []
        for ax in (self.ax_f, self.ax_g):
            self.shades.append(ax.imshow(np.zeros((1, self.n)), cmap=cmap, vmin=0, vmax=2,
                                         aspect="auto", interpolation="nearest", zorder=0,
                                         extent=(-6, 6, -1, 1)))
            ax.axhline(0, color="0.6", lw=0.8, zorder=1)
            ax.axvline(0, color="0.6", lw=0.8, zorder=1)
            self.main.append(ax.plot([], [], color=PALETTE[0], lw=2.2, zorder=3)[0])
            self.other.append(ax.plot([], [], color=PALETTE[1], lw=1.6, ls="--", zorder=2)[0])
            ax.set_xlabel(tr("input x"))
        self.ax_f.set_ylabel("f(x)")
        self.ax_g.set_ylabel(tr("f′(x)  (gradient factor)"))
        self.ax_f.set_title(tr("activation f(x)"))
        self.title_g = self.ax_g.set_title("")
        handles = [self.main[0], self.other[0],
                   Patch(color=(0.90, 0.62, 0.0, 0.30),
                         label=tr("saturated: |f′| < {threshold}", threshold=SATURATION)),
                   Patch(color=(0.84, 0.37, 0.0, 0.45), label=tr("dead: f′ = 0"))]
        self.legend = self.ax_f.legend(handles=handles, labels=["", "", handles[2].get_label(),
                                                                handles[3].get_label()],
                                       loc="upper left", fontsize=8, framealpha=0.9)

    def update(self, activation, compare, slope, alpha, x_max):
        x = np.linspace(-x_max, x_max, self.n)
        f, g = curve(activation, x, slope, alpha)
        for line, y in zip(self.main, (f, g)):
            line.set_data(x, y)
        shown = [f]
        grads = [g]
        if compare != "none":
            f2, g2 = curve(compare, x, slope, alpha)
            shown.append(f2)
            grads.append(g2)
            for line, y in zip(self.other, (f2, g2)):
                line.set_data(x, y)
        for line in self.other:
            line.set_visible(compare != "none")
        lo = min(float(np.min(s)) for s in shown)
        hi = max(float(np.max(s)) for s in shown)
        pad = 0.08 * max(hi - lo, 1.0)
        f_lim = (min(lo, -0.2) - pad, max(hi, 1.0) + pad)
        g_hi = max(float(np.max(s)) for s in grads)
        g_lim = (-0.08 * max(g_hi, 1.0), 1.12 * max(g_hi, 1.0))
        regions = gradient_regions(g)[None, :]
        for ax, shade, lim in zip((self.ax_f, self.ax_g), self.shades, (f_lim, g_lim)):
            ax.set_xlim(-x_max, x_max)
            ax.set_ylim(*lim)
            shade.set_data(regions)
            shade.set_extent((-x_max, x_max, *lim))
        texts = self.legend.get_texts()
        texts[0].set_text(tr(LABELS[activation]) + _code_args(activation, slope, alpha))
        texts[1].set_text("" if compare == "none"
                          else tr(LABELS[compare]) + _code_args(compare, slope, alpha))
        self.legend.legend_handles[1].set_visible(compare != "none")
        self.title_g.set_text(tr("derivative f′(x): max {peak:.3g}, {shaded:.0f}% of this range shaded",
                                 peak=float(np.max(g)), shaded=100 * np.mean(regions > 0)))

    def code(self, activation, compare, slope, alpha, x_max):
        names = [activation] + ([compare] if compare not in ("none", activation) else [])
        imports = ", ".join(f"{n}, {n}_grad" for n in names)
        lines = ["import numpy as np", f"from nnutils.activations import {imports}",
                 f"x = np.linspace({-x_max:g}, {x_max:g}, 801)"]
        for n in names:
            a = _code_args(n, slope, alpha)
            lines.append(f"f_{n}, df_{n} = {n}(x{a}), {n}_grad(x{a})")
        lines.append(f"saturated = np.abs(df_{activation}) < {SATURATION}")
        return "\n".join(lines)


# --- the zig-zag of all-positive inputs -----------------------------------------------------

W_STAR = np.array([1.0, -1.0])     # the optimum lies "south-east" of the start
W_START = np.array([-1.0, 1.0])


def zigzag_data(inputs="positive", n=200, seed=0):
    """Inputs of a neuron, x of shape (n, 2), and targets y = x · w*.

    "positive": x = sigmoid(u) (all in (0, 1), like the outputs of a sigmoid layer);
    "centred":  x = tanh(u) (zero-centred, like the outputs of a tanh layer); u ~ N(0, 1.5²).
    """
    if inputs not in ("positive", "centred"):
        raise ValueError(f"inputs must be 'positive' or 'centred', got {inputs!r}")
    u = np.random.default_rng(seed).normal(0.0, 1.5, size=(n, 2))
    x = A.sigmoid(u) if inputs == "positive" else A.tanh(u)
    return x, x @ W_STAR


def zigzag_path(x, y, lr=0.3, steps=60, w0=W_START):
    """Per-example SGD on L = ½ (w·x − y)²: returns the weights (steps+1, 2) and the gradients
    (steps, 2). The gradient of one example is (w·x − y) · x: a scalar times x, so if every
    input is positive both components share that scalar's sign."""
    w = np.array(w0, dtype=float)
    path, grads = [w.copy()], []
    for t in range(steps):
        xi, yi = x[t % len(x)], y[t % len(x)]
        g = (w @ xi - yi) * xi
        w = w - lr * g
        path.append(w.copy())
        grads.append(g)
        if not np.all(np.isfinite(w)) or np.abs(w).max() > 1e6:
            break
    return np.array(path), np.array(grads).reshape(-1, 2)


class ZigZagDemo(Demo):
    """SGD on one neuron's two weights: all-positive inputs zig-zag, zero-centred inputs do not."""

    title = "Not zero-centred → zig-zag updates (지그재그 업데이트)"
    figsize = (10.0, 4.0)
    presets = {"sigmoid-like inputs (all > 0)": {"inputs": "positive"},
               "tanh-like inputs (zero-centred)": {"inputs": "centred"}}

    def make_controls(self):
        return {
            "inputs": C.dropdown([("all positive (like sigmoid outputs)", "positive"),
                                  ("zero-centred (like tanh outputs)", "centred")],
                                 "positive", description="inputs to the neuron"),
            "lr": C.slider(0.5, 0.01, 10.0, log=True, description="learning rate"),
            "steps": C.int_slider(40, 1, 300, description="SGD steps"),
        }

    def build(self, fig):
        fig.set_layout_engine("none")          # fixed margins: cheaper than constrained layout
        self.ax, self.ax_dir = fig.add_gridspec(1, 2, width_ratios=(1.35, 1), left=0.07,
                                                right=0.98, bottom=0.13, top=0.92,
                                                wspace=0.15).subplots()
        lim = (-2.0, 2.0)
        g = np.linspace(*lim, 121)
        self.grid = np.meshgrid(g, g)
        self.data = {k: zigzag_data(k) for k in ("positive", "centred")}
        self.levels = {}
        for k, (x, y) in self.data.items():     # loss surface of each input kind, once
            w = np.stack([self.grid[0].ravel(), self.grid[1].ravel()], 1)
            L = 0.5 * np.mean((w @ x.T - y) ** 2, axis=1)
            self.levels[k] = L.reshape(self.grid[0].shape)
        self.img = self.ax.imshow(np.zeros_like(self.grid[0]), origin="lower", extent=(*lim, *lim),
                                  cmap="Blues_r", aspect="equal", alpha=0.65)
        self.ax.plot(*W_START, "o", color="0.2", label=tr("start"))
        self.ax.plot(*W_STAR, "*", color=PALETTE[2], ms=14, label=tr("optimum w*"))
        (self.path,) = self.ax.plot([], [], "-o", color=PALETTE[1], ms=2.5, lw=1.2,
                                    label=tr("SGD path"))
        self.ax.set(xlim=lim, ylim=lim, xlabel=tr("weight w₁"), ylabel=tr("weight w₂"))
        self.ax.legend(loc="lower left", fontsize=8)
        self.path_title = self.ax.set_title("")

        a = self.ax_dir
        t = np.linspace(0, 2 * np.pi, 200)
        a.plot(np.cos(t), np.sin(t), color="0.7", lw=0.8)
        self.forbidden = [a.fill_between([0, 1.3], [0, 0], [-1.3, -1.3], color=PALETTE[1],
                                         alpha=0.12, lw=0),
                          a.fill_between([-1.3, 0], [0, 0], [1.3, 1.3], color=PALETTE[1],
                                         alpha=0.12, lw=0)]
        a.axhline(0, color="0.6", lw=0.8)
        a.axvline(0, color="0.6", lw=0.8)
        (self.dirs,) = a.plot([], [], "o", color=PALETTE[0], ms=4, alpha=0.6,
                              label=tr("−gradient direction of one step"))
        d = (W_STAR - W_START) / np.linalg.norm(W_STAR - W_START)
        a.annotate("", xy=d, xytext=(0, 0),
                   arrowprops=dict(arrowstyle="->", color=PALETTE[2], lw=2))
        a.plot([], [], color=PALETTE[2], lw=2, label=tr("direction to the optimum"))
        self.forbidden_text = a.text(0.62, -1.05, "", ha="center", fontsize=8, color=PALETTE[1])
        a.set(xlim=(-1.3, 1.3), ylim=(-1.3, 1.3), aspect="equal", xlabel=tr("Δw₁ (unit length)"),
              ylabel=tr("Δw₂ (unit length)"))
        a.legend(loc="upper left", fontsize=7)
        self.dir_title = a.set_title("", fontsize=9)     # one line fits with every font

    def update(self, inputs, lr, steps):
        x, y = self.data[inputs]
        L = self.levels[inputs]
        self.img.set_data(np.log10(L + 1e-3))
        self.img.set_clim(-3, np.log10(L.max()))
        path, grads = zigzag_path(x, y, lr=lr, steps=steps)
        shown = np.clip(path, -1e3, 1e3)
        self.path.set_data(shown[:, 0], shown[:, 1])
        step = -grads / np.maximum(np.linalg.norm(grads, axis=1, keepdims=True), 1e-300)
        self.dirs.set_data(step[:, 0], step[:, 1])
        same = np.mean(np.sign(grads[:, 0]) == np.sign(grads[:, 1])) if len(grads) else 1.0
        dist = float(np.linalg.norm(path[-1] - W_STAR))
        if len(path) - 1 == steps:
            title = tr("{steps} steps, lr {lr:.3g}: distance to w* {dist:.3g}",
                       steps=steps, lr=lr, dist=dist)
        else:
            title = tr("{steps} steps (stopped after {taken}), lr {lr:.3g}: distance to w* {dist:.3g}",
                       steps=steps, taken=len(path) - 1, lr=lr, dist=dist)
        self.path_title.set_text(title)
        self.dir_title.set_text(tr("{same:.0f}% of steps: both weights move the same way",
                                   same=100 * same))
        pos = inputs == "positive"
        for p in self.forbidden:
            p.set_visible(pos)
        self.forbidden_text.set_text(tr("no step can point here\n(x > 0 ⇒ same signs)") if pos else "")
        if not np.isfinite(dist) or dist > 1e3:
            self.message(tr("diverged: lr = {lr:.3g} is too large; lower the learning rate", lr=lr))

    def code(self, inputs, lr, steps):
        return ("from nnutils.demos.activations import zigzag_data, zigzag_path\n"
                f"x, y = zigzag_data({inputs!r})\n"
                f"path, grads = zigzag_path(x, y, lr={lr:.3g}, steps={steps})\n"
                "print((np.sign(grads[:, 0]) == np.sign(grads[:, 1])).mean())")


DEMOS = {"activation_curves": ActivationDemo, "zigzag": ZigZagDemo}
