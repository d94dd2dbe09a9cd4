"""Auto-checks for lesson 7 (regularization): dropout forward/backward and the L2 gradient.

The learner writes plain functions. Randomness is passed in, so the answer is checkable:
``u`` is an array of uniform numbers in [0, 1) of the same shape as ``x``; a unit is KEPT
where ``u > ratio`` (the dropout ratio is the probability of dropping, as in the lecture).

    dropout_forward(x, ratio, u)        -> out   (inverted dropout: kept units scaled by 1/(1 − ratio))
    dropout_backward(dout, ratio, u)    -> dx
    l2_grads(params, grads, lam)        -> new dict of gradients of  L0 + ½·λ·Σ W²
                                            (weights "W…" only; biases, γ and β are not decayed)
"""

from __future__ import annotations

import numpy as np

from ..i18n import tr
from . import Result, attempt, check_close, failed, passed

__all__ = ["dropout_forward_reference", "dropout_backward_reference", "l2_grads_reference",
           "check_dropout_forward", "check_dropout_backward", "check_l2_grads"]


def dropout_forward_reference(x, ratio, u):
    keep = u > ratio
    return x * keep / (1.0 - ratio)


def dropout_backward_reference(dout, ratio, u):
    # the same mask and the same scale: out = x·mask/(1−ratio) is linear in x
    keep = u > ratio
    return dout * keep / (1.0 - ratio)


def l2_grads_reference(params, grads, lam):
    return {k: (g + lam * params[k] if k.startswith("W") else g.copy()) for k, g in grads.items()}


def _cases(seed=7):
    rng = np.random.default_rng(seed)
    out = []
    for shape, ratio in [((6, 8), 0.5), ((10, 4), 0.2), ((3, 5), 0.8)]:
        out.append((rng.normal(1.0, 1.0, size=shape), ratio, rng.random(shape),
                    rng.normal(0.0, 1.0, size=shape)))
    return out


def _diagnose_dropout(y, x, ratio, u):
    guesses = {
        tr("the kept units are not rescaled: inverted dropout multiplies them by 1/(1 − ratio) "
           "so the expected activation stays x"):
            x * (u > ratio),
        tr("ratio is used as the probability of KEEPING a unit; in the lecture it is the "
           "probability of DROPPING one (keep where u > ratio)"):
            x * (u <= ratio) / ratio,
        tr("ratio is used as the probability of keeping a unit and nothing is rescaled"):
            x * (u <= ratio),
        tr("the kept units are multiplied by (1 − ratio); that scaling belongs to the test-time "
           "variant, inverted dropout divides by (1 − ratio) at training time instead"):
            x * (u > ratio) * (1.0 - ratio),
    }
    for text, wrong in guesses.items():
        if np.shape(wrong) == np.shape(y) and np.allclose(y, wrong, rtol=1e-6, atol=1e-9):
            return text
    return None


def check_dropout_forward(dropout_forward) -> Result:
    """Check ``dropout_forward(x, ratio, u) -> out`` (inverted dropout, keep where u > ratio)."""
    for x, ratio, u, _ in _cases():
        y, error = attempt(dropout_forward, x.copy(), ratio, u.copy(),
                         what=f"dropout_forward(x, ratio={ratio}, u)")
        if error is not None:
            return error
        result = check_close(y, dropout_forward_reference(x, ratio, u),
                             tr("dropout_forward output with ratio={ratio}", ratio=ratio))
        if not result:
            hint = _diagnose_dropout(np.asarray(y, dtype=float), x, ratio, u)
            return failed(f"{result.message} — {hint}." if hint else result.message)
    return passed(tr("dropout_forward drops with probability ratio and rescales the survivors."))


def check_dropout_backward(dropout_backward) -> Result:
    """Check ``dropout_backward(dout, ratio, u) -> dx``."""
    for x, ratio, u, dout in _cases():
        dx, error = attempt(dropout_backward, dout.copy(), ratio, u.copy(),
                          what=f"dropout_backward(dout, ratio={ratio}, u)")
        if error is not None:
            return error
        result = check_close(dx, dropout_backward_reference(dout, ratio, u),
                             tr("dropout_backward dx with ratio={ratio}", ratio=ratio))
        if not result:
            if np.allclose(dx, dout):
                hint = tr("dx = dout passes the gradient to dropped units too; a dropped unit "
                          "did not affect the loss, so its gradient is 0")
            else:
                hint = _diagnose_dropout(np.asarray(dx, dtype=float), dout, ratio, u)
                hint = hint and tr("the backward pass uses the forward's mask and scale: {hint}",
                                   hint=hint)
            return failed(f"{result.message} — {hint}." if hint else result.message)
    return passed(tr("dropout_backward routes the gradient through the kept units, scaled."))


def check_l2_grads(l2_grads) -> Result:
    """Check ``l2_grads(params, grads, lam) -> dict`` for the loss L0 + ½·λ·ΣW²."""
    rng = np.random.default_rng(70)
    params = {"W1": rng.normal(0, 1, (4, 3)), "b1": rng.normal(0, 1, 3),
              "gamma1": rng.uniform(0.5, 2, 3), "beta1": rng.normal(0, 1, 3),
              "W2": rng.normal(0, 1, (3, 2)), "b2": rng.normal(0, 1, 2)}
    grads = {k: rng.normal(0, 1, v.shape) for k, v in params.items()}
    for lam in (0.1, 0.003):
        before = {k: v.copy() for k, v in grads.items()}
        got, error = attempt(l2_grads, {k: v.copy() for k, v in params.items()},
                           {k: v.copy() for k, v in grads.items()}, lam,
                           what=f"l2_grads(params, grads, lam={lam})")
        if error is not None:
            return error
        if not isinstance(got, dict):
            return failed(tr("l2_grads should return a dict name -> gradient, got {type}",
                             type=type(got).__name__))
        missing = sorted(set(grads) - set(got))
        if missing:
            return failed(tr("l2_grads left out {missing}: return a gradient for every parameter",
                             missing=missing))
        expected = l2_grads_reference(params, before, lam)
        for k in grads:
            result = check_close(got[k], expected[k],
                                 tr("gradient {name!r} with lam={lam}", name=k, lam=lam))
            if result:
                continue
            g, p = before[k], params[k]
            if not k.startswith("W") and np.allclose(got[k], g + lam * p):
                hint = tr("{name!r} is not a weight: biases, γ and β are not decayed "
                          "(their gradient stays ∂L0)", name=k)
            elif np.allclose(got[k], g + 2 * lam * p):
                hint = tr("that is 2λW, the gradient of λ·ΣW²; with the ½ convention "
                          "(loss ½·λ·ΣW²) the extra gradient is λW")
            elif np.allclose(got[k], g - lam * p):
                hint = tr("the sign is flipped: the penalty adds +λW, pulling W towards 0")
            elif np.allclose(got[k], lam * p):
                hint = tr("the data gradient ∂L0/∂W is missing: add λW to it")
            elif np.allclose(got[k], g + lam * np.sign(p)):
                hint = tr("that is the L1 gradient λ·sign(W); L2 adds λW")
            else:
                hint = None
            return failed(f"{result.message} — {hint}." if hint else result.message)
    return passed(tr("l2_grads adds λW to the weights' gradients and leaves the rest alone."))
