"""Auto-checks for lesson 2 (backpropagation on a computational graph).

1. ``check_small_graph(grads)``: the gradients of f = (a·b + c) · max(d, e) at
   ``SMALL_GRAPH`` (a=2, b=−3, c=4, d=3, e=−2), worked out by hand: a dict name -> number.
2. ``check_div_backward(fn)``: the backward of the division gate,
   ``fn(a, b, dout) -> (da, db)`` for out = a / b.
3. ``check_neuron_grads(fn)``: find and fix the bug in ``buggy_neuron_grads``, a hand-written
   backward pass of a tiny network y = w2·σ(w1·x), loss ½(y − t)².
4. ``why_accumulate``: a self-check with a revealable answer.

The checks compare with numerical gradients (centred differences), and name the usual
mistakes (forgetting the upstream gradient, the wrong input of a multiply gate, the max gate
sending gradient to both inputs, σ′ taken at the wrong point).
"""

from __future__ import annotations

import math

from ..checks import is_number
from ..i18n import tr
from . import Result, Reveal, failed, passed

__all__ = ["SMALL_GRAPH", "small_graph", "check_small_graph", "check_div_backward",
           "buggy_neuron_grads", "check_neuron_grads", "why_accumulate"]

SMALL_GRAPH = {"a": 2.0, "b": -3.0, "c": 4.0, "d": 3.0, "e": -2.0}


def small_graph(a, b, c, d, e):
    """f = (a·b + c) · max(d, e): a multiply, an add, a max and a multiply gate."""
    return (a * b + c) * max(d, e)


def _numeric_grad(f, args, i, h=1e-6):
    up, down = list(args), list(args)
    up[i] += h
    down[i] -= h
    return (f(*up) - f(*down)) / (2 * h)


def _number(x):
    return is_number(x) and math.isfinite(x)


def check_small_graph(grads) -> Result:
    """grads: {"a": ∂f/∂a, "b": ..., "e": ...} at SMALL_GRAPH."""
    names = list(SMALL_GRAPH)
    if not isinstance(grads, dict):
        return failed(tr("expected a dict like {{'a': ..., 'b': ...}}, got {kind}",
                         kind=type(grads).__name__))
    missing = [k for k in names if k not in grads or grads[k] is None]
    if missing:
        return failed(tr("fill in the gradient for {names} (every input a..e).",
                         names=", ".join(missing)))
    bad = [k for k in names if not _number(grads[k])]
    if bad:
        return failed(tr("∂f/∂{name} must be a number, got {value!r}", name=bad[0],
                         value=grads[bad[0]]))
    args = [SMALL_GRAPH[k] for k in names]
    want = {k: _numeric_grad(small_graph, args, i) for i, k in enumerate(names)}
    a, b, c, d, e = args
    q, m = a * b + c, max(d, e)  # the two inputs of the last multiply gate
    for k in names:
        got = float(grads[k])
        if math.isclose(got, want[k], rel_tol=1e-4, abs_tol=1e-4):
            continue
        hint = ""
        if k in "ab":
            other = b if k == "a" else a
            if math.isclose(got, SMALL_GRAPH[k]) or math.isclose(got, SMALL_GRAPH[k] * m):
                hint = tr(" A multiply gate switches: each input gets the OTHER input times the "
                          "upstream gradient.")
            elif math.isclose(got, other):
                hint = tr(" You have the local gradient {local:g}; multiply it by the upstream "
                          "gradient ∂f/∂(a·b) = max(d, e) = {m:g}.", local=other, m=m)
        elif k == "c" and math.isclose(got, 1.0) and m != 1:
            hint = tr(" The add gate passes on the upstream gradient, here max(d, e) = {m:g}.", m=m)
        elif k in "de":
            loser = "e" if d >= e else "d"
            if k == loser:
                hint = tr(" {name} = {value:g} is the smaller input of the max gate: a max gate "
                          "routes the whole gradient to the larger input and 0 to the other.",
                          name=k, value=SMALL_GRAPH[k])
            elif math.isclose(got, 1.0):
                hint = tr(" The max gate passes on its upstream gradient, which is the other "
                          "factor of the last multiply: a·b + c = {q:g}.", q=q)
        return failed(tr("∂f/∂{name} should be {want:g}, you have {got:g}.{hint}",
                         name=k, want=want[k], got=got, hint=hint))
    return passed(tr("all five gradients are right: the add gate distributed, the max gate routed, "
                     "the multiply gates switched."))


_DIV_CASES = [(3.0, 2.0, 1.0), (3.0, -2.0, 0.5), (-1.5, 0.5, -2.0), (0.0, 4.0, 3.0), (2.0, 2.0, 1.0)]


def check_div_backward(fn) -> Result:
    """fn(a, b, dout) -> (da, db) for out = a / b, checked on a few cases."""
    for a, b, dout in _DIV_CASES:
        try:
            res = fn(a, b, dout)
        except NotImplementedError:
            return failed(tr("{what} is not written yet (it raises NotImplementedError).",
                             what="div_backward"))
        except Exception as exc:
            return failed(tr("{what} raised {error}: {message}",
                             what=f"div_backward({a:g}, {b:g}, {dout:g})",
                             error=type(exc).__name__, message=exc))
        try:
            da, db = (float(v) for v in res)
        except (TypeError, ValueError):
            return failed(tr("div_backward must return two numbers (da, db), got {res!r}", res=res))
        want_da = _numeric_grad(lambda x: x / b, [a], 0) * dout
        want_db = _numeric_grad(lambda y: a / y, [b], 0) * dout
        ok_a = math.isclose(da, want_da, rel_tol=1e-5, abs_tol=1e-7)
        ok_b = math.isclose(db, want_db, rel_tol=1e-5, abs_tol=1e-7)
        if ok_a and ok_b:
            continue
        case = tr("for a={a:g}, b={b:g}, dout={dout:g}", a=a, b=b, dout=dout)
        if dout != 1 and math.isclose(da, 1 / b) and math.isclose(db, -a / b ** 2):
            return failed(tr("{case} you return the local gradients (1/b, −a/b²) but forgot to "
                             "multiply them by the upstream gradient dout.", case=case))
        if not ok_b and math.isclose(db, -want_db, rel_tol=1e-5, abs_tol=1e-7):
            return failed(tr("{case} db has the wrong sign: ∂(a/b)/∂b = −a/b², got {db:g}, "
                             "expected {want:g}.", case=case, db=db, want=want_db))
        if not ok_b and math.isclose(db, -a / b * dout, rel_tol=1e-5):
            return failed(tr("{case} db = {db:g}: ∂(a/b)/∂b is −a/b² (b squared), not −a/b.",
                             case=case, db=db))
        what = "da" if not ok_a else "db"
        got, want = (da, want_da) if not ok_a else (db, want_db)
        return failed(tr("{case} {what} should be {want:g}, you have {got:g}.",
                         case=case, what=what, want=want, got=got))
    return passed(tr("da = dout/b and db = −a·dout/b² on all {n} cases.", n=len(_DIV_CASES)))


def buggy_neuron_grads(w1, w2, x, t):
    """Loss and gradients of y = w2·σ(w1·x), L = ½(y − t)². One line of backward is wrong."""
    # forward
    z = w1 * x
    h = 1.0 / (1.0 + math.exp(-z))
    y = w2 * h
    loss = 0.5 * (y - t) ** 2
    # backward
    dy = y - t
    dw2 = dy * h
    dh = dy * w2
    dz = dh * z * (1.0 - z)
    dw1 = dz * x
    return loss, dw1, dw2


def _neuron_loss(w1, w2, x, t):
    return 0.5 * (w2 / (1.0 + math.exp(-w1 * x)) - t) ** 2


_NEURON_CASES = [(0.5, -1.2, 2.0, 1.0), (-1.0, 2.0, 0.5, 0.0), (2.0, 0.7, -1.5, 0.3), (0.1, 3.0, 1.0, -1.0)]


def check_neuron_grads(fn) -> Result:
    """fn(w1, w2, x, t) -> (loss, dw1, dw2): the fixed version of ``buggy_neuron_grads``."""
    for w1, w2, x, t in _NEURON_CASES:
        try:
            loss, dw1, dw2 = (float(v) for v in fn(w1, w2, x, t))
        except NotImplementedError:
            return failed(tr("not written yet (it raises NotImplementedError)."))
        except (TypeError, ValueError) as exc:
            return failed(tr("must return three numbers (loss, dw1, dw2): {error}", error=exc))
        except Exception as exc:
            return failed(tr("{what} raised {error}: {message}", what=f"fn{(w1, w2, x, t)}",
                             error=type(exc).__name__, message=exc))
        args = [w1, w2, x, t]
        want = (_neuron_loss(*args), _numeric_grad(_neuron_loss, args, 0),
                _numeric_grad(_neuron_loss, args, 1))
        case = tr("for w1={w1:g}, w2={w2:g}, x={x:g}, t={t:g}", w1=w1, w2=w2, x=x, t=t)
        if not math.isclose(loss, want[0], rel_tol=1e-6, abs_tol=1e-9):
            return failed(tr("{case} the loss changed: it should stay {want:.6g}, you have {got:.6g}.",
                             case=case, want=want[0], got=loss))
        if not math.isclose(dw2, want[2], rel_tol=1e-5, abs_tol=1e-8):
            return failed(tr("{case} dw2 should be {want:.6g}, you have {got:.6g} (it was right "
                             "before: undo that change).", case=case, want=want[2], got=dw2))
        if not math.isclose(dw1, want[1], rel_tol=1e-5, abs_tol=1e-8):
            _, buggy_dw1, _ = buggy_neuron_grads(w1, w2, x, t)
            hint = ""
            if math.isclose(dw1, buggy_dw1, rel_tol=1e-9):
                hint = tr(" That is still the buggy value. A gradient check tells you dw2 is right "
                          "and dw1 is wrong, so the bug is between dh and dw1.")
            return failed(tr("{case} dw1 should be {want:.6g}, you have {got:.6g}.{hint}",
                             case=case, want=want[1], got=dw1, hint=hint))
    return passed(tr("dw1 now matches the numerical gradient: σ′(z) = σ(z)(1 − σ(z)) is h·(1 − h), "
                     "the sigmoid's output, not z·(1 − z)."))


why_accumulate = Reveal(
    "Because the chain rule sums over paths: if x feeds two gates, f changes through both, so "
    "∂f/∂x = (gradient through branch 1) + (gradient through branch 2). Each branch's backward "
    "adds its share with +=; with = the branch that runs last erases the other's share. The "
    "error is silent (no exception) and only a gradient check against numerical derivatives "
    "catches it. This is also why grads must be reset to 0 before each backward pass.",
    label="Why must a node's backward ADD (+=) to its inputs' grad instead of setting it (=)?")
