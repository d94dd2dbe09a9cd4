"""Start-here demo: a sigmoid whose slope and shift are sliders.

It is deliberately tiny: it proves the widget pipeline end to end (slider -> update ->
figure) and previews two lessons: a very steep sigmoid is the perceptron's step function
(lesson 1), and where its slope is flat the gradient vanishes (기울기 소실, lesson 3).
"""

from __future__ import annotations

import numpy as np

from nnutils.activations import sigmoid, sigmoid_grad, tanh
from nnutils.i18n import tr
from nnutils.perceptron import step
from nnutils.widgets import Demo, controls as C

__all__ = ["SigmoidDemo", "DEMOS"]

COMPARE = (("nothing", "none"), ("step function (perceptron)", "step"), ("tanh", "tanh"))


class SigmoidDemo(Demo):
    """sigmoid(a·(x − c)) and its derivative; optionally a step function or tanh beside it."""

    title = "Sigmoid with slope a and shift c: σ(a·(x − c))"
    figsize = (7.0, 3.2)
    presets = {"almost a step": {"slope": 10.0}, "nearly flat": {"slope": 0.2},
               "shifted right": {"shift": 2.0}}

    def make_controls(self):
        return {"slope": C.slider(1.0, 0.1, 10.0, log=True, description="slope a"),
                "shift": C.slider(0.0, -4.0, 4.0, description="shift c"),
                "compare": C.dropdown(COMPARE, value="none", description="compare with")}

    def build(self, fig):
        ax = fig.add_subplot()
        self.x = np.linspace(-6.0, 6.0, 401)
        (self.curve,) = ax.plot(self.x, 0 * self.x, lw=2.5, label="σ(a·(x − c))")
        (self.grad,) = ax.plot(self.x, 0 * self.x, "--", lw=1.5,
                               label=tr("its slope d/dx (the gradient)"))
        (self.other,) = ax.plot(self.x, 0 * self.x, ":", lw=2, color="0.3", label="")
        ax.axhline(0, color="0.8", lw=0.8)
        ax.set(xlim=(-6, 6), ylim=(-1.1, 1.6), xlabel="x", ylabel=tr("output"))
        ax.set_title(" ", fontsize=10)
        self.ax = ax

    def update(self, slope, shift, compare):
        z = slope * (self.x - shift)
        self.curve.set_ydata(sigmoid(z))
        # chain rule (연쇄 법칙): d/dx σ(a(x − c)) = a · σ'(a(x − c))
        grad = slope * sigmoid_grad(z)
        self.grad.set_ydata(np.minimum(grad, 1.55))  # clip so a steep slope stays on the axes
        other = {"none": np.full_like(self.x, np.nan),
                 "step": step(self.x - shift),
                 "tanh": tanh(z)}[compare]
        self.other.set_ydata(other)
        self.write_labels(slope, shift, compare)

    def write_labels(self, slope, shift, compare):
        """The legend entry of the curve compared with, and the title with the largest slope."""
        self.other.set_label({"none": "_", "step": tr("step function"),
                              "tanh": "tanh(a·(x − c))"}[compare])
        self.ax.legend(loc="lower right", fontsize=8, frameon=False)
        self.ax.set_title(tr("a = {slope:.3g}, c = {shift:.3g}: largest slope a/4 = {steepest:.3g}",
                             slope=slope, shift=shift, steepest=slope / 4), fontsize=10)


DEMOS = {"sigmoid": SigmoidDemo}
