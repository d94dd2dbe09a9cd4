"""Lesson 2 demos: backpropagation (역전파) on a computational graph (계산 그래프).

- ``NeuronGraphDemo``: the lecture's neuron f = σ(w0·x0 + w1·x1 + w2) drawn as a graph. Sliders
  for the inputs and weights redraw the forward values and gradients; the "step ▶" button walks
  the backward pass one node at a time (the node passing its gradient on is highlighted, the
  inputs it sends to get an orange outline); "all steps" finishes it, "restart" seeds ∂f/∂f = 1.
  A checkbox draws σ as the lecture's primitive gates 1 / (1 + exp(−z)).
- ``VanishingGradientDemo``: depth and weight scale → the gradient magnitude reaching each
  layer of a deep network, sigmoid vs ReLU, on a log axis (기울기 소실); the numbers are
  ``nnutils.experiments.vanishing_gradients.bias_gradient_magnitudes``.
"""

from __future__ import annotations

import numpy as np
from matplotlib.ticker import FuncFormatter, LogLocator, NullLocator

from nnutils.experiments.vanishing_gradients import bias_gradient_magnitudes
from nnutils.graph import neuron
from nnutils.graph_draw import GraphDrawing
from nnutils.i18n import tr
from nnutils.plots import PALETTE
from nnutils.widgets import Demo, controls as C

__all__ = ["NeuronGraphDemo", "VanishingGradientDemo", "DEMOS"]

NEURON_INPUTS = ("x0", "w0", "x1", "w1", "w2")
LECTURE_NEURON = {"x0": -1.0, "w0": 2.0, "x1": -2.0, "w1": -3.0, "w2": -3.0}


class NeuronGraphDemo(Demo):
    """Forward values and gradients of a sigmoid neuron, and its backward pass step by step."""

    title = "A neuron f = σ(w0·x0 + w1·x1 + w2) on its computational graph (계산 그래프)"
    figsize = (12.0, 4.1)
    presets = {
        "lecture numbers": dict(LECTURE_NEURON, decompose=False),
        "σ saturated: tiny gradients": {"x0": 2.0, "w0": 3.0, "x1": -2.0, "w1": -3.0, "w2": 4.0},
        "x0 = 0: no gradient for w0": {"x0": 0.0},
    }

    def __init__(self, **values):
        self.steps_done = None  # None = the whole backward pass; k = only its first k steps
        super().__init__(**values)

    def make_controls(self):
        sliders = {name: C.slider(LECTURE_NEURON[name], -4.0, 4.0, step=0.1, description=name,
                                  readout_format=".1f") for name in NEURON_INPUTS}
        sliders["decompose"] = C.toggle(False, "σ as gates: 1/(1+exp(−z))")
        return sliders

    def buttons(self):
        return {"step ▶": self.step, "all steps": self.finish, "restart": self.restart}

    # the buttons: change how far the backward pass has gone, then redraw
    def step(self):
        n = self._n_steps()
        k = n if self.steps_done is None else self.steps_done
        self.steps_done = 0 if k >= n else k + 1  # after the last step, start over
        self.refresh()

    def finish(self):
        self.steps_done = None
        self.refresh()

    def restart(self):
        self.steps_done = 0
        self.refresh()

    def _n_steps(self):
        f = neuron(decompose=self.controls["decompose"].value)
        return sum(1 for v in f.nodes() if v.parents)

    def build(self, fig):
        # two graphs (σ as one gate / as four gates) on axes at the same place; one is shown
        rect = (0.005, 0.0, 0.99, 0.86)
        self.drawings = {}
        for decompose in (False, True):
            ax = fig.add_axes(rect)
            self.drawings[decompose] = GraphDrawing(neuron(decompose=decompose), ax)
        fig.set_layout_engine("none")  # hand-placed axes: keep them where they are
        self.headline = fig.text(0.5, 0.965, "", ha="center", va="top", fontsize=11)
        self.detail = fig.text(0.5, 0.905, "", ha="center", va="top", fontsize=9.5,
                               color="#444444")

    def update(self, x0, w0, x1, w1, w2, decompose):
        f = neuron(x0, w0, x1, w1, w2, decompose=decompose)
        n = sum(1 for v in f.nodes() if v.parents)
        k = n if self.steps_done is None else min(self.steps_done, n)
        processed = None
        if k == 0:  # nothing has run yet: only the seed df/df = 1 at the output
            f.zero_grad()
            f.grad = 1.0
        else:
            # the generator runs a node's _backward before yielding it: stop right after the k-th
            for i, node in enumerate(f.backward_steps(), start=1):
                processed = node
                if i == k:
                    break
        for flag, drawing in self.drawings.items():
            drawing.ax.set_visible(flag == decompose)
        highlight = f if k == 0 else None if k == n else processed
        self.drawings[decompose].update(f, highlight=highlight)

        leaves = {v.label: v for v in f.nodes() if not v.parents}
        grads = ", ".join(f"∂f/∂{name} = {leaves[name].grad:.2f}" for name in NEURON_INPUTS)
        if k == n:
            self.headline.set_text(tr("forward: f = {f:.2f}    backward complete: {grads}",
                                      f=f.data, grads=grads))
            self.detail.set_text(tr("red = gradient ∂f/∂(node).  Press “step ▶” to walk the "
                                    "backward pass one node at a time."))
        elif k == 0:
            self.headline.set_text(tr("backward step 0 of {n}: seed the output, ∂f/∂f = 1", n=n))
            self.detail.set_text(tr("forward values are computed; every other gradient is still 0"))
        else:
            receivers = ", ".join(p.label for p in processed.parents)
            self.headline.set_text(tr(
                "backward step {k} of {n}: node “{node}” (gate {gate}) passes its gradient "
                "{grad:.2f} back to {receivers}", k=k, n=n, node=processed.label,
                gate=processed.op, grad=processed.grad, receivers=receivers))
            self.detail.set_text(tr("local gradient × upstream gradient, added (+=) to each input's "
                                    "grad (orange outline)"))

    def code(self, x0, w0, x1, w1, w2, decompose):
        return ("from nnutils.graph import neuron\nfrom nnutils.graph_draw import draw_graph\n"
                f"f = neuron(x0={x0:g}, w0={w0:g}, x1={x1:g}, w1={w1:g}, w2={w2:g}, "
                f"decompose={decompose})\nf.backward()\ndraw_graph(f)")


# --- vanishing gradients ------------------------------------------------------------------------
class VanishingGradientDemo(Demo):
    """Per-layer gradient magnitude of a deep net: sigmoid vs ReLU, depth and weight scale."""

    title = "Vanishing gradients (기울기 소실): how much gradient reaches each layer"
    figsize = (9.0, 4.2)
    presets = {
        "g = 1: sigmoid vanishes": {"depth": 20, "gain": 1.0},
        "He g = √2: ReLU steady": {"depth": 20, "gain": 1.414},
        "g = 3: ReLU explodes": {"depth": 20, "gain": 3.0},
        "40 layers": {"depth": 40, "gain": 1.0},
    }

    def make_controls(self):
        return {"depth": C.int_slider(10, 2, 40, description="hidden layers (depth)"),
                "gain": C.slider(1.0, 0.25, 8.0, log=True, description="weight scale g (std = g/√n)")}

    def build(self, fig):
        # fixed margins instead of constrained layout, and no minor ticks on the log axis:
        # together they halve the time of a redraw
        fig.set_layout_engine("none")
        self.ax = ax = fig.add_axes((0.1, 0.13, 0.66, 0.83))
        self.lines = {}
        for name, color, label in (("sigmoid", PALETTE[1], "sigmoid"),
                                   ("relu", PALETTE[0], "ReLU")):
            (self.lines[name],) = ax.plot([], [], "o-", color=color, ms=3.5, lw=1.8, label=label)
        (self.bound,) = ax.plot([], [], ls="--", color=PALETTE[1], lw=1.0, alpha=0.8,
                                label=tr("sigmoid bound:\n× g/4 per layer"))
        ax.set_yscale("log")
        ax.yaxis.set_major_locator(LogLocator(numticks=8))
        ax.yaxis.set_minor_locator(NullLocator())
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:.0e}"))  # no mathtext
        ax.set_xlabel(tr("layer k  (1 = next to the input, right = next to the loss)"))
        ax.set_ylabel(tr("mean |∂L/∂b| in layer k  (log scale)"))
        ax.grid(True, which="major", alpha=0.3)
        # legend and numbers sit right of the plot, so no curve is ever hidden behind them
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=9, frameon=False)
        self.note = ax.text(1.03, 0.45, "", transform=ax.transAxes, va="top", fontsize=9)

    def update(self, depth, gain):
        k = np.arange(1, depth + 1)
        shown = []
        ratios = {}
        for name, line in self.lines.items():
            g = bias_gradient_magnitudes(name, depth, gain)
            g = np.where(g > 0, g, np.nan)  # an exactly-0 gradient has no place on a log axis
            line.set_data(k, g)
            shown.append(g)
            ratios[name] = g[0] / g[-1]
        sig = shown[0]
        bound = sig[-1] * (gain / 4.0) ** (depth - k)  # one factor |w·σ′| ≤ g/4 per layer
        self.bound.set_data(k, bound)
        values = np.concatenate(shown + [bound])
        values = values[np.isfinite(values) & (values > 0)]
        lo, hi = (values.min(), values.max()) if values.size else (1e-3, 1.0)
        self.ax.set_xlim(0.5, depth + 0.5)
        self.ax.set_ylim(max(lo / 5, 1e-300), min(hi * 5, 1e300))

        def fmt(r):
            return tr("all zero") if not np.isfinite(r) else f"{r:.1e}"
        self.note.set_text(tr("{depth} hidden layers, g = {gain:.3g}\n\ngradient in layer 1\n"
                              "÷ gradient in layer {depth}:\n  sigmoid  {sigmoid}\n  ReLU       {relu}",
                              depth=depth, gain=gain, sigmoid=fmt(ratios["sigmoid"]),
                              relu=fmt(ratios["relu"])))

    def code(self, depth, gain):
        return ("from nnutils.experiments.vanishing_gradients import bias_gradient_magnitudes\n"
                f"sigmoid = bias_gradient_magnitudes('sigmoid', depth={depth}, gain={gain:.3g})\n"
                f"relu = bias_gradient_magnitudes('relu', depth={depth}, gain={gain:.3g})")


DEMOS = {"neuron_graph": NeuronGraphDemo, "vanishing_gradient": VanishingGradientDemo}
