"""Auto-checks for lesson 8 (hyperparameter search).

    check_initial_loss(value)               the loss a 10-class softmax classifier with tiny
                                            weights starts at
    check_log_uniform(sampler)              sampler(low, high, size, rng) -> 10^U(log10 low, log10 high)
    check_next_range(parameter, low, high)  after a search whose best trials are BEST_TRIALS:
                                            which range to move, and the new one
"""

from __future__ import annotations

import math

import numpy as np

from ..i18n import tr
from ..search import at_edge
from . import Result, failed, passed

__all__ = ["check_initial_loss", "check_log_uniform", "log_uniform_reference", "BEST_TRIALS",
           "SEARCHED", "check_next_range"]


# ------------------------------------------------------------------------- 1. initial loss
def check_initial_loss(value) -> Result:
    """The expected initial loss of softmax cross-entropy over 10 classes with tiny weights."""
    try:
        v = float(value)
    except (TypeError, ValueError):
        return failed(tr("expected a number, got {type}", type=type(value).__name__))
    right = math.log(10)
    if abs(v - right) < 0.01:
        return passed(tr("all 10 scores ≈ 0, so softmax gives 1/10 to every class and the loss is "
                         "−ln(1/10) = ln 10 ≈ {right:.3f}.", right=right))
    hints = {
        1.0: tr("that is log₁₀(10); cross-entropy uses the natural logarithm"),
        0.1: tr("0.1 is the probability softmax gives to the right class; the loss is −ln of it"),
        10.0: tr("10 is the number of classes; the loss is −ln(1/10)"),
        -right: tr("the sign: the loss is −ln p of the right class, a positive number"),
        0.0: tr("zero would mean the right class gets probability 1; with tiny weights the scores "
                "are all ≈ 0 and softmax is uniform"),
        0.9: tr("that is 1 − 1/10; cross-entropy is −ln p(right class)"),
        math.log(2): tr("ln 2 is the start of a 2-class problem; here there are 10 classes"),
    }
    for wrong, hint in hints.items():
        if abs(v - wrong) < 1e-3:
            return failed(f"{v:g}: {hint}.")
    return failed(tr("{value:g} is not it: with tiny weights all 10 scores are ≈ 0; what probability "
                     "does softmax give to each class, and what is −ln of it?", value=v))


# ------------------------------------------------------------------ 2. log-uniform sampler
def log_uniform_reference(low, high, size, rng):
    return 10.0 ** rng.uniform(np.log10(low), np.log10(high), size)


def check_log_uniform(sampler) -> Result:
    """``sampler(low, high, size, rng)``: log-uniform draws between low and high."""
    low, high, n = 1e-6, 1e-2, 20000
    try:
        x = sampler(low, high, n, np.random.default_rng(0))
    except NotImplementedError:
        return failed(tr("sampler is not written yet (it raises NotImplementedError)."))
    except Exception as exc:
        return failed(tr("sampler(1e-6, 1e-2, 20000, rng) raised {error}: {exc}",
                         error=type(exc).__name__, exc=exc))
    if x is None:
        return failed(tr("sampler returned None — return the array of draws."))
    try:
        x = np.asarray(x, dtype=float)
    except (TypeError, ValueError):
        return failed(tr("sampler should return numbers, got {type}", type=type(x).__name__))
    if x.shape != (n,):
        return failed(tr("sampler(1e-6, 1e-2, size=20000, rng) should return 20000 draws, "
                         "got shape {shape}", shape=x.shape))
    if not np.all(np.isfinite(x)) or np.any(x <= 0):
        return failed(tr("some draws are not positive finite numbers: a learning rate is 10 to a "
                         "power, never 0 or negative"))
    if x.min() >= 10 ** -0.0001 or x.max() > 1e6:
        return failed(tr("draws span {min:.3g} … {max:.3g}, far outside [1e-6, 1e-2]: "
                         "draw the EXPONENT between log10(low) and log10(high), not between low "
                         "and high themselves", min=x.min(), max=x.max()))
    if x.min() < low * (1 - 1e-9) or x.max() > high * (1 + 1e-9):
        if np.all((x >= np.exp(np.log10(low)) * 0.99) & (x <= np.exp(np.log10(high)) * 1.01)):
            return failed(tr("you raise e to a base-10 exponent: use 10 ** U(log10 low, log10 high) "
                             "(or e ** U(ln low, ln high) — the same numbers)"))
        return failed(tr("draws span {min:.3g} … {max:.3g}, outside [{low:g}, {high:g}]",
                         min=x.min(), max=x.max(), low=low, high=high))
    decades = np.histogram(np.log10(x), bins=4, range=(-6, -2))[0] / n
    if decades[-1] > 0.8:
        return failed(tr("{share:.0%} of the draws are in the top decade [1e-3, 1e-2] — "
                         "that is uniform in the VALUE; sample uniformly in the exponent so that "
                         "each decade gets the same share (25% here)", share=decades[-1]))
    if np.any(np.abs(decades - 0.25) > 0.03):
        shares = ", ".join(f"{d:.0%}" for d in decades)
        return failed(tr("the four decades get {shares} of the draws; each should get about 25%",
                         shares=shares))
    again = np.asarray(sampler(low, high, n, np.random.default_rng(0)), dtype=float)
    other = np.asarray(sampler(low, high, n, np.random.default_rng(1)), dtype=float)
    if not np.array_equal(again, x) or np.array_equal(other, x):
        return failed(tr("the draws must come from the rng you are given (same rng seed → same "
                         "draws, another seed → other draws); don't use np.random.* directly"))
    return passed(tr("each decade of [1e-6, 1e-2] gets a quarter of the draws, from the given rng."))


# --------------------------------------------------------- 3. reading a search's best trials
SEARCHED = {"lr": (1e-6, 1e-2), "weight_decay": (1e-8, 1e-4)}
# the best five trials of a random search over SEARCHED (lr, weight decay, validation accuracy)
BEST_TRIALS = ((9.7e-3, 8.4e-5, 0.44), (8.4e-3, 6.7e-5, 0.38), (8.5e-3, 1.9e-6, 0.38),
               (8.2e-3, 2.3e-6, 0.38), (7.3e-3, 1.8e-6, 0.36))


def check_next_range(parameter, low, high) -> Result:
    """Which parameter's range should the next search move (``"lr"`` or ``"weight_decay"``),
    and the new range (low, high) for it."""
    if parameter not in SEARCHED:
        return failed(tr("parameter should be one of {names}, got {parameter!r}",
                         names=list(SEARCHED), parameter=parameter))
    if parameter == "weight_decay":
        return failed(tr("the best five λ run from 1.8e-6 to 8.4e-5 — all over their range, and "
                         "trials with nearly equal λ score very differently: λ is not what decides "
                         "here. Look at where the best learning rates sit."))
    try:
        low, high = float(low), float(high)
    except (TypeError, ValueError):
        return failed(tr("low and high should be numbers, got {low!r}, {high!r}", low=low, high=high))
    if not (0 < low < high) or not (math.isfinite(low) and math.isfinite(high)):
        return failed(tr("a range needs 0 < low < high, got ({low:g}, {high:g})", low=low, high=high))
    best = BEST_TRIALS[0][0]
    top = SEARCHED["lr"][1]
    if high <= top * 10 ** 0.25:
        return failed(tr("high = {high:g}: all five best lr crowd the top edge {top:g}, so better "
                         "values may lie ABOVE it — raise the upper end past {top:g} by at least "
                         "half a decade", high=high, top=top))
    if low > best:
        return failed(tr("low = {low:g} is above the best lr found so far ({best:g}): keep it "
                         "inside the new range so you can tell whether going higher helps",
                         low=low, best=best))
    if at_edge(best, low, high):
        return failed(tr("the best lr {best:g} would again sit at the edge of ({low:g}, {high:g}): "
                         "put it well inside", best=best, low=low, high=high))
    if math.log10(high / low) > 5:
        return failed(tr("({low:g}, {high:g}) spans {decades:.1f} decades: the "
                         "first search showed that lr below ~1e-4 learns nothing in this budget; "
                         "narrow the range so the trials land where the action is",
                         low=low, high=high, decades=math.log10(high / low)))
    return passed(tr("({low:g}, {high:g}) moves past the edge and keeps the best lr inside; λ can "
                     "stay as it was (it did not matter in this budget).", low=low, high=high))
