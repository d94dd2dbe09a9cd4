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
        return failed(f"expected a number, got {type(value).__name__}")
    right = math.log(10)
    if abs(v - right) < 0.01:
        return passed(f"all 10 scores ≈ 0, so softmax gives 1/10 to every class and the loss is "
                      f"−ln(1/10) = ln 10 ≈ {right:.3f}.")
    hints = {
        1.0: "that is log₁₀(10); cross-entropy uses the natural logarithm",
        0.1: "0.1 is the probability softmax gives to the right class; the loss is −ln of it",
        10.0: "10 is the number of classes; the loss is −ln(1/10)",
        -right: "the sign: the loss is −ln p of the right class, a positive number",
        0.0: "zero would mean the right class gets probability 1; with tiny weights the scores are "
             "all ≈ 0 and softmax is uniform",
        0.9: "that is 1 − 1/10; cross-entropy is −ln p(right class)",
        math.log(2): "ln 2 is the start of a 2-class problem; here there are 10 classes",
    }
    for wrong, hint in hints.items():
        if abs(v - wrong) < 1e-3:
            return failed(f"{v:g}: {hint}.")
    return failed(f"{v:g} is not it: with tiny weights all 10 scores are ≈ 0; what probability "
                  f"does softmax give to each class, and what is −ln of it?")


# ------------------------------------------------------------------ 2. log-uniform sampler
def log_uniform_reference(low, high, size, rng):
    return 10.0 ** rng.uniform(np.log10(low), np.log10(high), size)


def check_log_uniform(sampler) -> Result:
    """``sampler(low, high, size, rng)``: log-uniform draws between low and high."""
    low, high, n = 1e-6, 1e-2, 20000
    try:
        x = sampler(low, high, n, np.random.default_rng(0))
    except NotImplementedError:
        return failed("sampler is not written yet (it raises NotImplementedError).")
    except Exception as exc:
        return failed(f"sampler(1e-6, 1e-2, 20000, rng) raised {type(exc).__name__}: {exc}")
    if x is None:
        return failed("sampler returned None — return the array of draws.")
    try:
        x = np.asarray(x, dtype=float)
    except (TypeError, ValueError):
        return failed(f"sampler should return numbers, got {type(x).__name__}")
    if x.shape != (n,):
        return failed(f"sampler(1e-6, 1e-2, size=20000, rng) should return 20000 draws, "
                      f"got shape {x.shape}")
    if not np.all(np.isfinite(x)) or np.any(x <= 0):
        return failed("some draws are not positive finite numbers: a learning rate is 10 to a "
                      "power, never 0 or negative")
    if x.min() >= 10 ** -0.0001 or x.max() > 1e6:
        return failed(f"draws span {x.min():.3g} … {x.max():.3g}, far outside [1e-6, 1e-2]: "
                      "draw the EXPONENT between log10(low) and log10(high), not between low "
                      "and high themselves")
    if x.min() < low * (1 - 1e-9) or x.max() > high * (1 + 1e-9):
        if np.all((x >= np.exp(np.log10(low)) * 0.99) & (x <= np.exp(np.log10(high)) * 1.01)):
            return failed("you raise e to a base-10 exponent: use 10 ** U(log10 low, log10 high) "
                          "(or e ** U(ln low, ln high) — the same numbers)")
        return failed(f"draws span {x.min():.3g} … {x.max():.3g}, outside [{low:g}, {high:g}]")
    decades = np.histogram(np.log10(x), bins=4, range=(-6, -2))[0] / n
    if decades[-1] > 0.8:
        return failed(f"{decades[-1]:.0%} of the draws are in the top decade [1e-3, 1e-2] — "
                      "that is uniform in the VALUE; sample uniformly in the exponent so that "
                      "each decade gets the same share (25% here)")
    if np.any(np.abs(decades - 0.25) > 0.03):
        shares = ", ".join(f"{d:.0%}" for d in decades)
        return failed(f"the four decades get {shares} of the draws; each should get about 25%")
    again = np.asarray(sampler(low, high, n, np.random.default_rng(0)), dtype=float)
    other = np.asarray(sampler(low, high, n, np.random.default_rng(1)), dtype=float)
    if not np.array_equal(again, x) or np.array_equal(other, x):
        return failed("the draws must come from the rng you are given (same rng seed → same "
                      "draws, another seed → other draws); don't use np.random.* directly")
    return passed("each decade of [1e-6, 1e-2] gets a quarter of the draws, from the given rng.")


# --------------------------------------------------------- 3. reading a search's best trials
SEARCHED = {"lr": (1e-6, 1e-2), "weight_decay": (1e-8, 1e-4)}
# the best five trials of a random search over SEARCHED (lr, weight decay, validation accuracy)
BEST_TRIALS = ((9.7e-3, 8.4e-5, 0.44), (8.4e-3, 6.7e-5, 0.38), (8.5e-3, 1.9e-6, 0.38),
               (8.2e-3, 2.3e-6, 0.38), (7.3e-3, 1.8e-6, 0.36))


def check_next_range(parameter, low, high) -> Result:
    """Which parameter's range should the next search move (``"lr"`` or ``"weight_decay"``),
    and the new range (low, high) for it."""
    if parameter not in SEARCHED:
        return failed(f"parameter should be one of {list(SEARCHED)}, got {parameter!r}")
    if parameter == "weight_decay":
        return failed("the best five λ run from 1.8e-6 to 8.4e-5 — all over their range, and "
                      "trials with nearly equal λ score very differently: λ is not what decides "
                      "here. Look at where the best learning rates sit.")
    try:
        low, high = float(low), float(high)
    except (TypeError, ValueError):
        return failed(f"low and high should be numbers, got {low!r}, {high!r}")
    if not (0 < low < high) or not (math.isfinite(low) and math.isfinite(high)):
        return failed(f"a range needs 0 < low < high, got ({low:g}, {high:g})")
    best = BEST_TRIALS[0][0]
    top = SEARCHED["lr"][1]
    if high <= top * 10 ** 0.25:
        return failed(f"high = {high:g}: all five best lr crowd the top edge {top:g}, so better "
                      f"values may lie ABOVE it — raise the upper end past {top:g} by at least "
                      f"half a decade")
    if low > best:
        return failed(f"low = {low:g} is above the best lr found so far ({best:g}): keep it "
                      f"inside the new range so you can tell whether going higher helps")
    if at_edge(best, low, high):
        return failed(f"the best lr {best:g} would again sit at the edge of ({low:g}, {high:g}): "
                      f"put it well inside")
    if math.log10(high / low) > 5:
        return failed(f"({low:g}, {high:g}) spans {math.log10(high / low):.1f} decades: the "
                      f"first search showed that lr below ~1e-4 learns nothing in this budget; "
                      f"narrow the range so the trials land where the action is")
    return passed(f"({low:g}, {high:g}) moves past the edge and keeps the best lr inside; λ can "
                  f"stay as it was (it did not matter in this budget).")
