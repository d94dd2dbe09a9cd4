"""Auto-checks for lesson 3 (activation functions, 활성화 함수).

1. ``check_elu(elu, elu_grad)``: write ELU and its derivative.
2. ``check_tanh_from_sigmoid(fn)``: write tanh using only the sigmoid (the exact identity).
3. ``dead_units_problem()`` / ``check_dead_units(answer)``: predict which ReLU units are dead
   (never fire on any input) before computing anything.

Each check compares with a reference computed here and, when the answer is wrong, says which
classic mistake it looks like.
"""

from __future__ import annotations

import numpy as np

from ..i18n import tr
from . import Result, Reveal, attempt, failed, passed

__all__ = ["elu_reference", "elu_grad_reference", "check_elu", "check_tanh_from_sigmoid",
           "dead_units_problem", "dead_units_reference", "check_dead_units", "why_speedup_differs"]

_X = np.array([-1.0, 0.5, -2.0, 1.0, -0.5, 3.0, -5.0, -1e-3, 0.0, 1e-3, -20.0, 50.0])


def elu_reference(x, alpha=1.0):
    """x for x > 0, α (eᵡ − 1) for x ≤ 0."""
    x = np.asarray(x, dtype=float)
    return np.where(x > 0, x, alpha * (np.exp(np.minimum(x, 0)) - 1))


def elu_grad_reference(x, alpha=1.0):
    """1 for x > 0, α eᵡ for x ≤ 0 (the left-hand value at the kink x = 0)."""
    x = np.asarray(x, dtype=float)
    return np.where(x > 0, 1.0, alpha * np.exp(np.minimum(x, 0)))


def _array(fn, *args, what):
    return attempt(fn, *args, what=what, as_array=True)


def _first_bad(got, want, x, what):
    if got.shape != want.shape:
        return failed(tr("{what}: expected an array of shape {expected} (one value per input), "
                         "got shape {shape}", what=what, expected=want.shape, shape=got.shape))
    bad = ~np.isclose(got, want, rtol=1e-6, atol=1e-9)
    if bad.any():
        i = int(np.argmax(bad))
        return failed(tr("{what} at x = {x:g}: expected {want:.6g}, got {got:.6g}",
                         what=what, x=x[i], want=want[i], got=got[i]))
    return None


def check_elu(elu, elu_grad) -> Result:
    """elu(x, alpha) and elu_grad(x, alpha) on arrays, against the reference for α = 1 and 0.5."""
    for alpha in (1.0, 0.5):
        x = _X.copy()
        f, err = _array(elu, x, alpha, what=f"elu(x, alpha={alpha})")
        if err is not None:
            return err
        want = elu_reference(_X, alpha)
        bad = _first_bad(f, want, _X, f"elu(x, alpha={alpha})")
        if bad is not None and f.shape == _X.shape:   # the shape is right: name the mistake
            neg = _X <= 0
            if np.allclose(f[neg], alpha * np.exp(_X[neg])):
                return failed(tr("elu: for x ≤ 0 you return α·eˣ; ELU is α·(eˣ − 1), so that it "
                                 "is 0 at x = 0 and saturates at −α. ({detail})", detail=bad.message))
            if np.allclose(f[neg], np.exp(_X[neg]) - 1) and alpha != 1:
                return failed(tr("elu: the negative side must be scaled by alpha. ({detail})",
                                 detail=bad.message))
            if np.allclose(f[~neg], alpha * (np.exp(_X[~neg]) - 1)):
                return failed(tr("elu: for x > 0 ELU is simply x (like ReLU); the exponential "
                                 "branch is only for x ≤ 0. ({detail})", detail=bad.message))
        if bad is not None:
            return bad
        if not np.array_equal(x, _X):
            return failed(tr("elu changed its input array in place; return a new array instead."))
        g, err = _array(elu_grad, _X.copy(), alpha, what=f"elu_grad(x, alpha={alpha})")
        if err is not None:
            return err
        want = elu_grad_reference(_X, alpha)
        bad = _first_bad(g, want, _X, f"elu_grad(x, alpha={alpha})")
        if bad is not None and g.shape == _X.shape:
            neg = _X < 0
            if np.allclose(g[neg], alpha * (np.exp(_X[neg]) - 1)):
                return failed(tr("elu_grad: you returned ELU itself on the negative side; the "
                                 "derivative of α(eˣ − 1) is α·eˣ. ({detail})", detail=bad.message))
            if np.allclose(g[neg], np.exp(_X[neg])) and alpha != 1:
                return failed(tr("elu_grad: the derivative of α(eˣ − 1) keeps the factor α: "
                                 "α·eˣ. ({detail})", detail=bad.message))
            if np.allclose(g[~neg & (_X > 0)], alpha) and alpha != 1:
                return failed(tr("elu_grad: for x > 0 ELU is x, so its slope is 1 (not α). "
                                 "({detail})", detail=bad.message))
            if np.allclose(g[neg], 0):
                return failed(tr("elu_grad: that is ReLU's derivative; ELU keeps a gradient α·eˣ "
                                 "for x < 0, which is why its units do not die. ({detail})",
                                 detail=bad.message))
        if bad is not None:
            return bad
    return passed(tr("ELU and its derivative are right (α = 1 and α = 0.5), "
                     "including far out where α·eˣ underflows."))


def check_tanh_from_sigmoid(fn) -> Result:
    """fn(x) must equal tanh(x) and be built from the sigmoid (the identity tanh = 2σ(2x) − 1)."""
    x = np.linspace(-6, 6, 25)
    what = tr("your tanh(x)")
    got, err = _array(fn, x.copy(), what=what)
    if err is not None:
        return err
    if got.shape != x.shape:
        return failed(tr("{what}: expected shape {expected}, got {actual}", what=what,
                         expected=x.shape, actual=got.shape))
    sig = 1 / (1 + np.exp(-x))
    if np.allclose(got, 2 * sig - 1):
        return failed(tr("that is 2σ(x) − 1, which equals tanh(x/2), not tanh(x) — the loose form "
                         "some slides write. The exact identity doubles the input: 2σ(2x) − 1."))
    if np.allclose(got, sig * 2):
        return failed(tr("2σ(x) runs from 0 to 2; shift it down by 1 and double the input."))
    bad = ~np.isclose(got, np.tanh(x), atol=1e-9)
    if bad.any():
        i = int(np.argmax(bad))
        return failed(tr("at x = {x:g}: tanh is {want:.6f}, you gave {got:.6f}",
                         x=x[i], want=np.tanh(x[i]), got=got[i]))
    return passed(tr("tanh(x) = 2σ(2x) − 1 holds: tanh is a sigmoid stretched to (−1, 1) and "
                     "squeezed by 2 along x, hence zero-centred — but it saturates just the same."))


def dead_units_problem():
    """A small ReLU layer: inputs x (8, 2) with pixel-like values in [0, 1], weights W (2, 6)
    and biases b (6,). A unit is dead on this data if w·x + b ≤ 0 for every input."""
    x = np.array([[0.0, 0.1], [0.2, 0.9], [0.5, 0.5], [0.9, 0.2],
                  [1.0, 1.0], [0.3, 0.0], [0.7, 0.8], [0.1, 0.6]])
    W = np.array([[0.5, -0.4, 1.0, -0.2, 0.8, -0.6],
                  [0.5, -0.3, -1.0, 0.1, 0.8, 0.9]])
    b = np.array([0.1, 0.2, -0.1, -0.5, -1.7, -0.5])
    return x, W, b


def dead_units_reference():
    x, W, b = dead_units_problem()
    return [int(j) for j in np.flatnonzero(np.all(x @ W + b <= 0, axis=0))]


def check_dead_units(answer) -> Result:
    """answer: the indices (0-based) of the dead units of ``dead_units_problem()``."""
    try:
        got = sorted({int(a) for a in np.atleast_1d(answer)})
    except (TypeError, ValueError):
        return failed(tr("give a list of unit indices such as [0, 3], got {answer!r}", answer=answer))
    x, W, b = dead_units_problem()
    z = x @ W + b
    want = dead_units_reference()
    out = [j for j in got if not 0 <= j < W.shape[1]]
    if out:
        return failed(tr("there are {n} units, numbered 0 to {last}; got {out}",
                         n=W.shape[1], last=W.shape[1] - 1, out=out))
    for j in got:
        if j not in want:
            i = int(np.argmax(z[:, j]))
            return failed(tr("unit {j} is alive: on input {i} (x = {x}) its pre-activation "
                             "w·x + b = {z:.2f} > 0, so it fires and gets a gradient.",
                             j=j, i=i, x=x[i].tolist(), z=z[i, j]))
    for j in want:
        if j not in got:
            return failed(tr("unit {j} is dead too: its largest pre-activation over all inputs is "
                             "{z:.2f} ≤ 0, so ReLU outputs 0 and passes back a zero gradient for "
                             "every input — nothing can ever change its weights.",
                             j=j, z=z[:, j].max()))
    return passed(tr("units {units} are dead: with non-negative inputs, negative weights or a bias "
                     "that is too negative keep w·x + b ≤ 0 everywhere. Leaky ReLU or ELU would "
                     "still pass a gradient back and let them recover.", units=want))


why_speedup_differs = Reveal(
    "The 6× of Krizhevsky et al. (2012) was measured on a four-layer convolutional network on "
    "CIFAR-10 (iterations to 25% training error). Our race is a shallow MLP on 4,000 easy MNIST "
    "digits with a well-scaled initialization and a small learning rate: tanh is still far from "
    "saturating there, so its gradients are about as large as ReLU's and it learns about as fast. "
    "ReLU's advantage grows with depth (products of many tanh′ ≤ 1 factors shrink; ReLU's are "
    "exactly 1 on the active side), with larger pre-activations (tanh saturates, ReLU does not) "
    "and with wall-clock time rather than iterations (max(0, x) is cheaper than tanh). The ratio "
    "also depends on the learning rate, the init and the target error you pick.",
    label="Why may our ReLU/tanh speed-up differ from the lectures' 6×? Think first, then click.")
