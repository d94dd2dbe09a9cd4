"""Lesson 1 demos: one perceptron draws one line; XOR needs two layers; step vs sigmoid.

- ``GateDemo``: sliders w1, w2, b -> the decision line over the unit square, the four
  inputs coloured by output and the truth table; presets per gate and an XOR preset.
- ``XorTrainDemo``: a 2-H-1 sigmoid network trained by backprop on XOR (retrains).
- ``StepVsSigmoidDemo``: output vs weight for a step unit and a sigmoid unit.

Static figures of the notebook (``gates_figure``, ``learning_figure``, ``xor_spaces_figure``,
``xor_training_figure``) live here too, so the notebook stays thin.
"""
from __future__ import annotations

import numpy as np

from nnutils import perceptron as P
from nnutils.activations import sigmoid, sigmoid_grad
from nnutils.i18n import tr
from nnutils.plots import PALETTE, boundary_image, plane_grid
from nnutils.widgets import Demo, controls as C

LIM = (-0.5, 1.5)            # the view around the unit square
GRID = np.linspace(-5.0, 5.0, 41)   # the brute-force grid for (w1, w2, b): 41**3 triples
C0, C1 = PALETTE[0], PALETTE[1]     # colour of output 0 and output 1
from matplotlib.colors import ListedColormap  # noqa: E402
from matplotlib.patches import Rectangle  # noqa: E402

AREA = ListedColormap(["#cfe3f3", "#f7d9c4"])  # light C0 / light C1 for the half-planes



def line_through_box(w1, w2, b, lim=LIM):
    """Two end points of the line w1*x1 + w2*x2 + b = 0 across the view, or None if w = 0."""
    lo, hi = lim
    if abs(w1) < 1e-12 and abs(w2) < 1e-12:
        return None
    if abs(w2) >= abs(w1):           # solve for x2: steep lines are solved for x1 instead
        x1 = np.array([lo, hi])
        return x1, -(w1 * x1 + b) / w2
    x2 = np.array([lo, hi])
    return -(w2 * x2 + b) / w1, x2


def _draw_unit_square(ax, title=None):
    ax.set(xlim=LIM, ylim=LIM, xlabel="$x_1$", ylabel="$x_2$", aspect="equal")
    ax.set_xticks([0, 1])
    ax.set_yticks([0, 1])
    if title:
        ax.set_title(title, fontsize=10)


def _static_gate(ax, w, b, targets, title):
    """A perceptron's half-planes, line and the four inputs coloured by the wanted output."""
    xx, yy, pts = plane_grid(LIM, LIM, 101)
    out = P.step(pts @ np.asarray(w, dtype=np.float32) + b).reshape(xx.shape)
    ax.imshow(out, origin="lower", extent=(*LIM, *LIM), cmap=AREA, vmin=0, vmax=1)
    seg = line_through_box(w[0], w[1], b)
    if seg is not None:
        ax.plot(*seg, color="k", lw=1.5)
    t = np.asarray(targets)
    ax.scatter(*P.INPUTS.T, c=[C1 if v else C0 for v in t], s=90, edgecolors="k", zorder=3)
    _draw_unit_square(ax, title)


def gates_figure():
    """The lecture's four gate perceptrons side by side (line, half-planes, inputs)."""
    import matplotlib.pyplot as plt
    fig, axes = plt.subplots(1, 4, figsize=(11, 3.2), dpi=80, layout="constrained")
    for ax, name in zip(axes, ["AND", "OR", "NAND", "NAND2"]):
        (w, b) = P.GATES[name]
        t = P.TARGETS["NAND" if name == "NAND2" else name]
        _static_gate(ax, w, b, t, f"{name}: w = ({w[0]:g}, {w[1]:g}), b = {b:g}")
    from matplotlib.lines import Line2D
    handles = [Line2D([], [], marker="o", ls="", mfc=C0, mec="k", ms=9, label=tr("output 0")),
               Line2D([], [], marker="o", ls="", mfc=C1, mec="k", ms=9, label=tr("output 1")),
               Line2D([], [], color="k", label="$w_1x_1 + w_2x_2 + b = 0$")]
    fig.legend(handles=handles, loc="outside lower center", ncol=3, frameon=False)
    return fig


def learning_figure(histories):
    """Mistakes per epoch of the perceptron rule, one line per gate ({name: PerceptronHistory})."""
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(7, 3.2), dpi=80, layout="constrained")
    styles = [("o", "-"), ("s", "--"), ("^", "-."), ("D", ":")]
    for i, (name, h) in enumerate(histories.items()):
        epochs = np.arange(1, h.epochs + 1)
        label = (tr("{name} (converged in {epochs} epochs)", name=name, epochs=h.epochs) if h.converged
                 else tr("{name} (no convergence)", name=name))
        marker, ls = styles[i % len(styles)]
        ax.plot(epochs, h.mistakes, marker=marker, ls=ls, ms=5, mfc="none",
                color=PALETTE[i % len(PALETTE)], label=label)
    ax.set(xlabel=tr("epoch (one pass over the 4 rows)"), ylabel=tr("mistakes in the epoch"),
           yticks=range(5), ylim=(-0.2, 4.4))
    ax.legend(loc="center right", fontsize=9)
    return fig


def xor_spaces_figure():
    """XOR = AND(NAND, OR): input space X with the hidden units' lines, and hidden space S."""
    import matplotlib.pyplot as plt
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(9, 4.0), dpi=80, layout="constrained")
    t = np.array(P.TARGETS["XOR"])
    colors = [C1 if v else C0 for v in t]
    # one whole label per line: mathtext ($s_1$) draws no Hangul, so the Korean uses s₁ instead
    for name, color, label in (("NAND", PALETTE[2], tr("NAND line ($s_1$)")),
                               ("OR", PALETTE[3], tr("OR line ($s_2$)"))):
        (w, b) = P.GATES[name]
        a1.plot(*line_through_box(*w, b), color=color, lw=2, label=label)
    a1.scatter(*P.INPUTS.T, c=colors, s=110, edgecolors="k", zorder=3)
    for (x1, x2), v in zip(P.INPUTS, t):
        a1.annotate(f"({x1},{x2})→{v}", (x1, x2), xytext=(6, 6), textcoords="offset points")
    _draw_unit_square(a1, tr("input space X: no single line separates"))
    a1.legend(loc="lower left", fontsize=9)

    s, y = P.xor_network(P.INPUTS)
    (w, b) = P.GATES["AND"]
    xx, yy, pts = plane_grid(LIM, LIM, 101)
    a2.imshow(P.step(pts @ np.asarray(w, dtype=np.float32) + b).reshape(xx.shape), origin="lower",
              extent=(*LIM, *LIM), cmap=AREA, vmin=0, vmax=1)
    a2.plot(*line_through_box(*w, b), color="k", lw=2, label=tr("AND line (output layer)"))
    a2.scatter(*s.T, c=colors, s=110, edgecolors="k", zorder=3)
    labels = {}
    for (x1, x2), (s1, s2) in zip(P.INPUTS, s):
        labels.setdefault((int(s1), int(s2)), []).append(f"({x1},{x2})")
    # where to put each label so that none covers another: (offset, alignment) per hidden point
    place = {(0, 1): ((8, 10), "left"), (1, 1): ((-10, -20), "right"), (1, 0): ((-8, -16), "right"),
             (0, 0): ((8, 8), "left")}
    for (s1, s2), names in labels.items():
        offset, ha = place[(s1, s2)]
        a2.annotate(" & ".join(names) + f" → ({s1},{s2})", (s1, s2), xytext=offset,
                    textcoords="offset points", ha=ha, fontsize=9,
                    bbox=dict(facecolor="white", edgecolor="none", alpha=0.8, pad=1))
    a2.set(xlim=LIM, ylim=LIM, aspect="equal", xticks=[0, 1], yticks=[0, 1],
           xlabel="$s_1$ = NAND($x_1, x_2$)", ylabel="$s_2$ = OR($x_1, x_2$)")
    a2.set_title(tr("hidden space S: one line separates"), fontsize=10)
    a2.legend(loc="lower left", fontsize=9)
    return fig


def xor_training_figure(losses, predict, title="", hidden=None):
    """Loss curve and learned decision surface of a trained XOR network.

    losses: loss per epoch; predict: callable (n, 2) -> (n,) outputs in (0, 1); title: shown
    in the current language when the catalogue has it (nnutils.i18n.tr);
    hidden: optional (W1, b1) of the hidden layer, whose units' lines are drawn dashed.
    """
    import matplotlib.pyplot as plt
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(9, 3.6), dpi=80, layout="constrained")
    a1.semilogy(np.arange(1, len(losses) + 1), losses, color=PALETTE[0])
    a1.set(xlabel=tr("epoch"), ylabel=tr("MSE loss (log scale)"), title=tr("training loss"))
    xx, yy, pts = plane_grid(LIM, LIM, 81)
    img = a2.imshow(predict(pts).reshape(xx.shape), origin="lower", extent=(*LIM, *LIM),
                    cmap="RdBu_r", vmin=0, vmax=1, alpha=0.8)
    a2.contour(xx, yy, predict(pts).reshape(xx.shape), levels=[0.5], colors="k", linewidths=1.5)
    sub = tr("network output; black: output = 0.5")
    if hidden is not None:
        W, b = hidden
        for j in range(np.shape(W)[1]):
            seg = line_through_box(W[0][j], W[1][j], b[j])
            if seg is not None:
                a2.plot(*seg, ls="--", lw=1.3, color=PALETTE[2])
        sub += "\n" + tr("green dashed: hidden units' lines")
    t = np.array(P.TARGETS["XOR"])
    a2.scatter(*P.INPUTS.T, c=[C1 if v else C0 for v in t], s=90, edgecolors="k", zorder=3)
    _draw_unit_square(a2, sub)
    fig.colorbar(img, ax=a2, label=tr("output y"))
    if title:
        fig.suptitle(tr(title), fontsize=11)
    return fig


class GateDemo(Demo):
    """One perceptron y = step(w1*x1 + w2*x2 + b): move the line, watch the truth table."""

    title = "One perceptron draws one line: y = step(w1·x1 + w2·x2 + b)"
    figsize = (8.6, 3.7)
    presets = {
        "AND": dict(w1=2.0, w2=2.0, b=-3.0, target="AND"),
        "OR": dict(w1=2.0, w2=2.0, b=-1.0, target="OR"),
        "NAND": dict(w1=-2.0, w2=-2.0, b=3.0, target="NAND"),
        "NAND (2nd)": dict(w1=-2.0, w2=-1.0, b=2.5, target="NAND"),
        "XOR?": dict(w1=2.0, w2=2.0, b=-1.0, target="XOR"),
    }

    def make_controls(self):
        return {"w1": C.slider(2.0, -5.0, 5.0, step=0.1, description="w1", readout_format=".1f"),
                "w2": C.slider(2.0, -5.0, 5.0, step=0.1, description="w2", readout_format=".1f"),
                "b": C.slider(-3.0, -5.0, 5.0, step=0.1, description="b (= −threshold)",
                              readout_format=".1f"),
                "target": C.dropdown(["AND", "OR", "NAND", "NOR", "XOR"], "AND",
                                     description="compare with")}

    def build(self, fig):
        ax, tab = fig.subplots(1, 2, width_ratios=[1, 1.15])
        _, _, self.pts = plane_grid(LIM, LIM, 101)
        self.area = ax.imshow(np.zeros((101, 101)), origin="lower", extent=(*LIM, *LIM),
                              cmap=AREA, vmin=0, vmax=1)
        (self.line,) = ax.plot([], [], color="k", lw=2)
        self.arrow = ax.annotate("", xy=(0, 0), xytext=(0, 0),
                                 arrowprops=dict(arrowstyle="->", color="k", lw=1.5))
        self.dots = ax.scatter(*P.INPUTS.T, s=130, edgecolors="k", zorder=3)
        self.wrong = ax.scatter([], [], s=420, facecolors="none", edgecolors="#b00020",
                                linewidths=2, zorder=4)
        _draw_unit_square(ax, tr("output 1 on the orange side; arrow = w"))
        tab.set_axis_off()
        self.table = tab.text(0.0, 0.98, "", family="monospace", fontsize=10.5, va="top",
                              transform=tab.transAxes)
        self.verdict = tab.text(0.0, 0.02, "", fontsize=10, va="bottom", wrap=True,
                                transform=tab.transAxes)
        # brute force once: how many (w1, w2, b) on the grid realise each truth table
        self.found = {name: len(P.separating_weights(name, GRID)) for name in P.TARGETS}

    def update(self, w1, w2, b, target):
        w = np.array([w1, w2], dtype=np.float32)
        self.area.set_data(P.step(self.pts @ w + b).reshape(101, 101))
        seg = line_through_box(w1, w2, b)
        norm = float(np.hypot(w1, w2))
        if seg is None:
            self.line.set_data([], [])
            self.arrow.set_visible(False)
        else:
            self.line.set_data(*seg)
            # foot of the perpendicular from the centre of the square, then a step along w
            c = np.array([0.5, 0.5])
            foot = c - (c @ [w1, w2] + b) / norm ** 2 * np.array([w1, w2])
            self.arrow.xy = tuple(foot + 0.3 * np.array([w1, w2]) / norm)
            self.arrow.set_position(tuple(foot))
            self.arrow.set_visible(True)
        net = P.INPUTS @ np.array([w1, w2]) + b
        y = P.step(net)
        t = np.array(P.TARGETS[target])
        self.dots.set_facecolors([C1 if v else C0 for v in y])
        bad = y != t
        self.wrong.set_offsets(P.INPUTS[bad].astype(float).reshape(-1, 2))
        rows = [f"x1 x2 | w·x+b | y | {target:<4}", "-" * 28]
        for (x1, x2), n, yi, ti in zip(P.INPUTS, net, y, t):
            rows.append(f" {x1}  {x2} | {n:+5.1f} | {yi} |  {ti}  {'✓' if yi == ti else '✗'}")
        self.table.set_text("\n".join(rows))
        k = int(bad.sum())
        found = self.found[target]
        if k == 0:
            msg = tr("✓ this perceptron computes {target}.", target=target)
        elif k == 1:
            msg = tr("✗ 1 of 4 rows differs from {target} (red rings).", target=target)
        else:
            msg = tr("✗ {k} of 4 rows differ from {target} (red rings).", k=k, target=target)
        msg += "\n" + tr("Grid search: {found:,} of {total:,} (w1, w2, b) on a {n}³ grid in [−5, 5] "
                         "realise {target}.", found=found, total=len(GRID) ** 3, n=len(GRID),
                         target=target)
        if found == 0:
            msg += "\n" + tr("No line separates XOR: one perceptron cannot do it.")
        self.verdict.set_text(msg)

    def code(self, w1, w2, b, target):
        return ("from nnutils.perceptron import Perceptron, INPUTS, TARGETS\n"
                f"p = Perceptron(w=({w1:g}, {w2:g}), b={b:g})\n"
                f"print(p.predict(INPUTS), 'wanted', TARGETS[{target!r}])")


class StepVsSigmoidDemo(Demo):
    """A unit y = f(w·x + b) with x = 1, b = −1: output and its slope as the weight w moves."""

    title = "Step vs sigmoid: does a small change of the weight change the output a little?"
    figsize = (8.6, 3.4)
    presets = {
        "small nudge": dict(w=0.5, dw=0.1, steepness=1.0),
        "across the threshold": dict(w=0.95, dw=0.1, steepness=1.0),
        "steep sigmoid ≈ step": dict(w=0.5, dw=0.1, steepness=30.0),
    }
    B = -1.0       # bias: the step fires when w·1 − 1 > 0, i.e. for w > 1
    WLIM = (-1.0, 3.0)

    def make_controls(self):
        return {"w": C.slider(0.5, -1.0, 2.5, step=0.01, description="weight w"),
                "dw": C.slider(0.1, 0.01, 0.5, step=0.01, description="change Δw"),
                "steepness": C.slider(1.0, 0.5, 50.0, log=True, description="sigmoid steepness k")}

    def build(self, fig):
        self.a1, self.a2 = fig.subplots(1, 2)
        self.ws = np.linspace(*self.WLIM, 801)
        a = self.ws + self.B
        self.a1.plot(self.ws, P.step(a), color=PALETTE[1], lw=2, label="step(w − 1)")
        (self.sig,) = self.a1.plot(self.ws, sigmoid(a), color=PALETTE[0], lw=2,
                                   label="sigmoid(k(w − 1))")
        (self.pts_step,) = self.a1.plot([], [], "o", color=PALETTE[1], mec="k", ms=7)
        (self.pts_sig,) = self.a1.plot([], [], "s", color=PALETTE[0], mec="k", ms=7)
        # a Rectangle in (data x, axes y) coordinates, like axvspan, but with set_x on every
        # matplotlib (axvspan returns a Polygon before 3.9, e.g. in the browser's Pyodide)
        self.band = self.a1.add_patch(Rectangle((0, 0), 0, 1, transform=self.a1.get_xaxis_transform(),
                                                color="0.6", alpha=0.3, label="w → w + Δw"))
        self.a1.set(xlim=self.WLIM, ylim=(-0.08, 1.25), xlabel=tr("weight w (input x = 1, bias −1)"),
                    ylabel=tr("output y"), title=tr("output vs weight"))
        self.a1.legend(loc="upper left", fontsize=8.5)
        self.text = self.a1.text(0.98, 0.04, "", ha="right", va="bottom", fontsize=9,
                                 family="monospace",
                                 transform=self.a1.transAxes,
                                 bbox=dict(facecolor="white", edgecolor="0.7"))
        self.a2.plot(self.ws, np.zeros_like(self.ws), color=PALETTE[1], lw=2,
                     label=tr("step: 0 (∞ at w = 1)"))
        self.a2.axvline(1.0, color=PALETTE[1], ls=":", lw=1.5)
        (self.dsig,) = self.a2.plot(self.ws, sigmoid_grad(a), color=PALETTE[0], lw=2,
                                    label="sigmoid: k·s(1 − s)")
        self.cursor = self.a2.axvline(0.5, color="k", lw=1, label=tr("current w"))
        self.a2.set(xlim=self.WLIM, xlabel=tr("weight w"), ylabel=tr("slope dy/dw"),
                    title=tr("slope (what backprop uses)"))
        for ax in (self.a1, self.a2):      # fewer tick labels: text is most of the drawing time
            ax.set_xticks(range(-1, 4))
        self.a1.set_yticks([0, 0.5, 1])
        self.a2.legend(loc="upper right", fontsize=8.5)

    def update(self, w, dw, steepness):
        k = steepness
        a = self.ws + self.B
        self.sig.set_ydata(sigmoid(k * a))
        slope = k * sigmoid_grad(k * a)
        self.dsig.set_ydata(slope)
        self.a2.set_ylim(-0.05 * slope.max(), 1.15 * slope.max())
        w2 = w + dw
        ys = P.step(np.array([w, w2]) + self.B)
        yg = sigmoid(k * (np.array([w, w2]) + self.B))
        self.pts_step.set_data([w, w2], ys)
        self.pts_sig.set_data([w, w2], yg)
        self.band.set_x(w)
        self.band.set_width(dw)
        self.cursor.set_xdata([w, w])
        self.text.set_text(f"Δw = {dw:.2f}\nΔy step    = {ys[1] - ys[0]:+.3f}\n"
                           f"Δy sigmoid = {yg[1] - yg[0]:+.3f}")

    def code(self, w, dw, steepness):
        return ("import numpy as np\nfrom nnutils.perceptron import step\n"
                "from nnutils.activations import sigmoid\n"
                f"w, dw, k = {w:g}, {dw:g}, {steepness:.3g}\n"
                "for name, f in [('step', step), ('sigmoid', lambda a: sigmoid(k * a))]:\n"
                "    print(name, f(w + dw - 1) - f(w - 1))")


class XorTrainDemo(Demo):
    """A 2-H-1 sigmoid network trained by backprop on XOR; retrains on every change."""

    title = "Backprop learns XOR: a 2-H-1 sigmoid network, full-batch gradient descent"
    figsize = (8.8, 3.6)
    retrains = True
    presets = {
        "2-2-1, seed 0": dict(hidden=2, lr=5.0, epochs=2000, seed=0),
        "stuck (seed 6)": dict(seed=6),
        "1 hidden unit": dict(hidden=1),
        "lr too small": dict(lr=0.2),
        "8 hidden units": dict(hidden=8),
    }
    MAX_HIDDEN = 8

    def make_controls(self):
        return {"hidden": C.int_slider(2, 1, self.MAX_HIDDEN, description="hidden units"),
                "lr": C.slider(5.0, 0.1, 50.0, log=True, description="learning rate"),
                "epochs": C.int_slider(2000, 250, 4000, step=250, description="epochs"),
                "seed": C.int_slider(0, 0, 9, description="seed")}

    def build(self, fig):
        self.a1, self.a2 = fig.subplots(1, 2)
        (self.curve,) = self.a1.semilogy([], [], color=PALETTE[0], lw=1.5)
        self.a1.set(xlabel=tr("epoch (= one gradient step on the 4 rows)"), ylabel=tr("MSE loss (log)"),
                    ylim=(1e-4, 1.0), xlim=(0, 2000), title=tr("training loss"))
        self.a1.axhline(0.125, color="0.5", ls=":", lw=1)
        self.a1.text(0.98, 0.125, tr("0.125: output 0.5 everywhere"), transform=self.a1.get_yaxis_transform(),
                     ha="right", va="bottom", fontsize=8, color="0.4")
        self.xx, self.yy, self.pts = plane_grid(LIM, LIM, 61)
        self.img = boundary_image(self.a2, LIM, LIM, n=61, cmap="RdBu_r")
        self.img.set_interpolation("bilinear")
        self.contour = None
        self.hlines = [self.a2.plot([], [], ls="--", lw=1.3, color=PALETTE[2], zorder=2.5)[0]
                       for _ in range(self.MAX_HIDDEN)]
        t = np.array(P.TARGETS["XOR"])
        self.a2.scatter(*P.INPUTS.T, c=[C1 if v else C0 for v in t], s=90, edgecolors="k", zorder=3)
        self.labels = [self.a2.text(x1 + (0.08 if x1 else -0.08), x2 + 0.1, "", fontsize=9,
                                    ha="left" if x1 else "right", zorder=4,
                                    bbox=dict(facecolor="white", edgecolor="none", alpha=0.7, pad=1))
                       for x1, x2 in P.INPUTS]
        _draw_unit_square(self.a2, "")
        fig.colorbar(self.img, ax=self.a2, label=tr("network output y"), shrink=0.9)

    def update(self, hidden, lr, epochs, seed):
        every = max(1, epochs // 10)

        def on_epoch(k, loss):
            if k % every == 0:
                self.progress(k / epochs, tr("training: epoch {k}/{epochs}, loss {loss:.4f}",
                                             k=k, epochs=epochs, loss=loss))

        model, losses = P.train_sigmoid_xor(hidden, lr, epochs, seed, on_epoch=on_epoch)
        self.progress(1.0)
        self.model, self.losses = model, losses
        self.curve.set_data(np.arange(1, epochs + 1), np.clip(losses, 1e-4, None))
        self.a1.set_xlim(0, epochs)
        out = model.forward(self.pts)[:, 0].reshape(self.xx.shape)
        self.img.set_data(out)
        if self.contour is not None:
            self.contour.remove()
        self.contour = self.a2.contour(self.xx, self.yy, out, levels=[0.5], colors="k",
                                       linewidths=1.5) if out.min() < 0.5 < out.max() else None
        W, b = model.params["W1"], model.params["b1"]
        for j, line in enumerate(self.hlines):
            seg = line_through_box(W[0, j], W[1, j], b[j]) if j < hidden else None
            line.set_data(*(seg if seg is not None else ([], [])))
        y = model.forward(P.INPUTS.astype(np.float32))[:, 0]
        for lab, v in zip(self.labels, y):
            lab.set_text(f"{v:.2f}")
        ok = bool(((y > 0.5) == np.array(P.TARGETS["XOR"], bool)).all())
        verdict = tr("XOR learned ✓") if ok else tr("not XOR ✗")
        self.a2.set_title(tr("{verdict}  (final loss {loss:.4f});\ngreen dashed: hidden units' lines; "
                             "black: y = 0.5", verdict=verdict, loss=losses[-1]), fontsize=9.5)
        if not np.isfinite(losses[-1]):
            self.message(tr("the loss is not finite: lower the learning rate"))

    def code(self, hidden, lr, epochs, seed):
        return ("from nnutils.perceptron import train_sigmoid_xor, INPUTS\n"
                f"model, losses = train_sigmoid_xor(hidden={hidden}, lr={lr:.3g}, epochs={epochs}, seed={seed})\n"
                "print(losses[-1], model.forward(INPUTS)[:, 0].round(3))")


DEMOS = {"gates": GateDemo, "xor_training": XorTrainDemo, "step_vs_sigmoid": StepVsSigmoidDemo}
