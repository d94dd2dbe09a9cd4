"""Auto-checks for lesson 1 (the perceptron and the XOR problem).

1. ``check_nor(w1, w2, b)``: weights and bias of a perceptron that computes NOR.
2. ``check_update(fn)``: the learner's perceptron learning rule
   ``fn(w, b, x, t, lr) -> (new_w, new_b)``.
3. ``check_xor_layers(hidden, output)``: a two-layer network of step perceptrons, other
   weights than the lecture's allowed, that computes XOR.
4. ``why_hidden_layer``: a self-check with a revealable answer.

Each check says what is wrong (which row of the truth table, which sign), not just "wrong".
"""
from __future__ import annotations

import numpy as np

from nnutils.i18n import tr
from nnutils.perceptron import INPUTS, TARGETS, step

from . import Result, Reveal, failed, passed

__all__ = ["check_nor", "update_reference", "check_update", "check_xor_layers",
           "why_hidden_layer"]


def _triple(value, what):
    try:
        v = np.asarray(value, dtype=float).ravel()
    except (TypeError, ValueError):
        return None, failed(tr("{what}: expected three numbers (w1, w2, b), got {value!r}",
                               what=what, value=value))
    if v.size != 3 or not np.isfinite(v).all():
        return None, failed(tr("{what}: expected three finite numbers (w1, w2, b), got {value!r}",
                               what=what, value=value))
    return v, None


def _table_errors(w1, w2, b, targets, gate):
    """Messages for the rows where step(w1*x1 + w2*x2 + b) differs from the targets."""
    msgs = []
    for (x1, x2), t in zip(INPUTS, targets):
        net = w1 * x1 + w2 * x2 + b
        y = int(step(net))
        if y != t:
            why = tr("w1·{x1} + w2·{x2} + b = {net:g}, which is {relation}, so the perceptron "
                     "outputs {y}", x1=x1, x2=x2, net=net, relation="> 0" if y else "≤ 0", y=y)
            if net == 0:
                why += tr(" (a sum of exactly 0 gives 0: the step fires only above the threshold)")
            msgs.append(tr("for input ({x1}, {x2}) {why}, but {gate}({x1}, {x2}) = {t}",
                           x1=x1, x2=x2, why=why, gate=gate, t=t))
    return msgs


def check_nor(w1, w2, b) -> Result:
    """NOR(x1, x2) = NOT OR: 1 only for (0, 0)."""
    v, bad = _triple((w1, w2, b), "check_nor(w1, w2, b)")
    if bad is not None:
        return bad
    msgs = _table_errors(*v, TARGETS["NOR"], "NOR")
    if msgs:
        hint = ""
        if v[2] <= 0:
            hint = tr(" Hint: for (0, 0) the sum is just b, so b must be positive.")
        elif v[0] >= 0 or v[1] >= 0:
            hint = tr(" Hint: an input of 1 must push the sum below 0, so both weights must be "
                      "negative enough.")
        if len(msgs) == 1:
            return failed(tr("1 of 4 rows is wrong; first: {first}.{hint}", first=msgs[0], hint=hint))
        return failed(tr("{n} of 4 rows are wrong; first: {first}.{hint}", n=len(msgs),
                         first=msgs[0], hint=hint))
    return passed(tr("w = ({w1:g}, {w2:g}), b = {b:g} computes NOR on all four rows.",
                     w1=v[0], w2=v[1], b=v[2]))


def update_reference(w, b, x, t, lr=1.0):
    """Rosenblatt's rule on one example: w += lr*(t - y)*x, b += lr*(t - y), y = step(w.x + b)."""
    w = np.asarray(w, dtype=float)
    x = np.asarray(x, dtype=float)
    y = int(step(w @ x + b))
    return w + lr * (t - y) * x, b + lr * (t - y)


# (w, b, x, t, lr): a correct prediction, a missed 1, a false 1, a negative input, lr != 1
_UPDATE_CASES = [
    ((2.0, 2.0), -3.0, (1, 1), 1, 1.0),      # y = 1 = t: nothing changes
    ((0.0, 0.0), 0.0, (1, 1), 1, 1.0),       # y = 0, t = 1: move towards x
    ((1.0, 0.5), 0.0, (1, 0), 0, 0.5),       # y = 1, t = 0: move away from x
    ((0.5, -1.0), 0.2, (0, 1), 1, 0.1),      # y = 0, t = 1, small lr, x1 = 0 keeps w1
    ((-1.0, 2.0), 0.5, (-1, 1), 0, 0.25),    # negative input, false 1
]


def check_update(fn) -> Result:
    """fn(w, b, x, t, lr) -> (new_w, new_b): one step of the perceptron learning rule."""
    for w, b, x, t, lr in _UPDATE_CASES:
        args = (np.array(w), b, np.array(x, dtype=float), t, lr)
        call = f"update(w={w}, b={b}, x={x}, t={t}, lr={lr})"
        try:
            got = fn(*[a.copy() if isinstance(a, np.ndarray) else a for a in args])
        except NotImplementedError:
            return failed(tr("{what} is not written yet (it raises NotImplementedError).",
                             what="update"))
        except Exception as exc:
            return failed(tr("{what} raised {error}: {message}", what=call,
                             error=type(exc).__name__, message=exc))
        if got is None:
            return failed(tr("{call} returned None — return the new weights and bias: (w, b).",
                             call=call))
        if not isinstance(got, (tuple, list)) or len(got) != 2:
            return failed(tr("{call} should return a pair (w, b), got {kind} {got!r}",
                             call=call, kind=type(got).__name__, got=got))
        try:
            gw, gb = got
            gw = np.asarray(gw, dtype=float)
            gb = float(np.asarray(gb, dtype=float))
        except (TypeError, ValueError):
            return failed(tr("{call} should return a pair (w, b), got {got!r}", call=call, got=got))
        ew, eb = update_reference(*args)
        if gw.shape != ew.shape:
            return failed(tr("{call}: w should keep shape {expected}, got {shape}",
                             call=call, expected=ew.shape, shape=gw.shape))
        if np.allclose(gw, ew) and np.isclose(gb, eb):
            continue
        y = int(step(np.array(w) @ np.array(x, dtype=float) + b))
        err = t - y
        what = tr("{call}: expected w = {expected_w}, b = {expected_b:g}; got w = {got_w}, b = {got_b:g}.",
                  call=call, expected_w=np.round(ew, 4).tolist(), expected_b=eb,
                  got_w=np.round(gw, 4).tolist(), got_b=gb)
        if err == 0:
            return failed(tr("{what} The prediction y = {y} is already right (t − y = 0), so nothing "
                             "may change.", what=what, y=y))
        if np.allclose(gw, ew) and np.isclose(gb, b):
            return failed(tr("{what} The weights are right but the bias did not move: "
                             "b += lr·(t − y) too.", what=what))
        if np.allclose(gw, np.array(w) - lr * err * np.array(x)):
            return failed(tr("{what} The sign is reversed: use (t − y), not (y − t); a missed 1 must "
                             "move w towards x.", what=what))
        if np.allclose(gw, np.array(w) + err * np.array(x)) and lr != 1:
            return failed(tr("{what} Multiply the change by the learning rate lr.", what=what))
        return failed(tr("{what} The rule is w ← w + lr·(t − y)·x and b ← b + lr·(t − y), with "
                         "y = step(w·x + b).", what=what))
    return passed(tr("your update matches the perceptron rule on all {n} cases (right answers leave "
                     "w alone; mistakes move the line towards the example).", n=len(_UPDATE_CASES)))


def _separable(points, targets):
    """Does some step perceptron on a grid of (v1, v2, c) give the targets on these points?"""
    g = np.linspace(-5.0, 5.0, 41)
    v1, v2, c = (a.ravel() for a in np.meshgrid(g, g, g, indexing="ij"))
    net = np.outer(v1, points[:, 0]) + np.outer(v2, points[:, 1]) + c[:, None]
    return bool((step(net) == targets).all(axis=1).any())


def check_xor_layers(hidden, output) -> Result:
    """hidden: two (w1, w2, b) perceptrons; output: one (v1, v2, c) on their outputs."""
    if not isinstance(hidden, (list, tuple)) or len(hidden) != 2:
        return failed(tr("hidden: expected two (w1, w2, b) triples, one per hidden unit, got {hidden!r}",
                         hidden=hidden))
    h = []
    for i, unit in enumerate(hidden, 1):
        v, bad = _triple(unit, tr("hidden unit {i}", i=i))
        if bad is not None:
            return bad
        h.append(v)
    o, bad = _triple(output, "output")
    if bad is not None:
        return bad
    H = np.array(h)
    s = step(INPUTS @ H[:, :2].T + H[:, 2])          # (4, 2) hidden outputs
    y = step(s @ o[:2] + o[2])
    t = np.array(TARGETS["XOR"])
    codes = ", ".join(f"{tuple(x)}→{tuple(int(v) for v in si)}" for x, si in zip(INPUTS.tolist(), s))
    if (y == t).all():
        return passed(tr("your two-layer network computes XOR; hidden outputs per input {codes}",
                         codes=codes))
    for i in range(4):
        for j in range(4):
            if t[i] != t[j] and (s[i] == s[j]).all():
                return failed(tr("the hidden layer maps {first} (XOR = {t_first}) and {second} "
                                 "(XOR = {t_second}) to the same point {point}, so no output unit "
                                 "can tell them apart; change the hidden units.",
                                 first=tuple(INPUTS[i].tolist()), t_first=t[i],
                                 second=tuple(INPUTS[j].tolist()), t_second=t[j],
                                 point=tuple(int(v) for v in s[i])))
    if not _separable(s, t):
        return failed(tr("the hidden points {codes} are still arranged like XOR: no single line in "
                         "the hidden space separates them, so no output unit can work; change the "
                         "hidden units (e.g. make one of them fire for (1, 0) and (0, 1) together).",
                         codes=codes))
    i = int(np.argmax(y != t))
    p = lambda v: f"({v:g})" if v < 0 else f"{v:g}"
    total = (f"{p(o[0])}·{s[i][0]} + {p(o[1])}·{s[i][1]} + {p(o[2])} = {s[i] @ o[:2] + o[2]:g} → "
             f"{y[i]}")
    return failed(tr("the hidden layer makes the classes linearly separable, but the output unit is "
                     "wrong on {input}: hidden ({s1}, {s2}) gives {total}, but XOR = {t}; choose a "
                     "line in the hidden space that separates them.", input=tuple(INPUTS[i].tolist()),
                     s1=s[i][0], s2=s[i][1], total=total, t=t[i]))


why_hidden_layer = Reveal(
    "One perceptron outputs 1 on one side of a straight line w1·x1 + w2·x2 + b = 0. XOR needs "
    "(0,0)→0: b ≤ 0; (1,0)→1: w1 + b > 0; (0,1)→1: w2 + b > 0; (1,1)→0: w1 + w2 + b ≤ 0. "
    "Adding the middle two gives w1 + w2 + 2b > 0, so w1 + w2 + b > −b ≥ 0, contradicting the "
    "last one: no line works (XOR is not linearly separable, 선형 분리 불가능). A hidden layer "
    "maps the inputs to a new space (s1, s2) = (NAND, OR), where (1,0) and (0,1) land on the same "
    "point and one line (AND) separates the classes.",
    label="Why does XOR need a hidden layer? Think first, then click.")
