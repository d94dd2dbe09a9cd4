"""Auto-check for lesson 0 (start here).

``check_steepest_slope(a)``: the slope a at which the sigmoid σ(a·x) has a largest slope of
exactly 1 (its slope at the centre is a·σ'(0) = a/4).
"""
from __future__ import annotations


from nnutils.activations import sigmoid_grad
from nnutils.checks import is_number
from nnutils.i18n import tr

from . import Result, failed, passed

__all__ = ["check_steepest_slope"]


def check_steepest_slope(a) -> Result:
    if a is None or a is Ellipsis:
        return failed(tr("put your answer in a (a number), then run the cell again."))
    if not is_number(a):
        return failed(tr("a should be a number, got {kind}", kind=type(a).__name__))
    steepest = float(a) * float(sigmoid_grad(0.0))      # chain rule: d/dx σ(a·x) at x = 0
    if abs(steepest - 1.0) < 1e-9:
        return passed(tr("a = {a:g}: the largest slope is a·σ'(0) = a/4 = 1.", a=a))
    if abs(float(a) - 0.25) < 1e-9:
        return failed(tr("0.25 is σ'(0) itself; the slope of σ(a·x) at 0 is a times that, a/4."))
    return failed(tr("with a = {a:g} the largest slope is a/4 = {steepest:.3g}, not 1.",
                     a=a, steepest=steepest))
