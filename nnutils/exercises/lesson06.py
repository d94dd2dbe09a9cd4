"""Auto-checks for lesson 6 (batch normalization): the forward and the backward pass.

The learner writes two plain functions on arrays of shape (batch, features):

    bn_forward(x, gamma, beta, eps=1e-5)        -> y
    bn_backward(dout, x, gamma, eps=1e-5)       -> (dx, dgamma, dbeta)

The checks compare them with the reference below on a few batches and, when the answer is
wrong, try to say which classic mistake it looks like (unbiased variance, wrong axis, no eps,
a backward pass that forgets that the mean and variance depend on x, ...).
"""

from __future__ import annotations

import numpy as np

from ..i18n import tr
from . import Result, attempt, check_close, failed, passed

__all__ = ["bn_forward_reference", "bn_backward_reference", "check_bn_forward",
           "check_bn_backward"]


def bn_forward_reference(x, gamma, beta, eps=1e-5):
    """Algorithm 1 of Ioffe & Szegedy (2015), over the batch axis, biased variance."""
    mu = x.mean(axis=0)
    var = ((x - mu) ** 2).mean(axis=0)
    x_hat = (x - mu) / np.sqrt(var + eps)
    return gamma * x_hat + beta


def bn_backward_reference(dout, x, gamma, eps=1e-5):
    """The compact backward pass: dx = (1/m)(γ/σ)(m·dy − Σdy − x̂·Σ(dy·x̂))."""
    m = x.shape[0]
    mu = x.mean(axis=0)
    std = np.sqrt(((x - mu) ** 2).mean(axis=0) + eps)
    x_hat = (x - mu) / std
    dbeta = dout.sum(axis=0)
    dgamma = (dout * x_hat).sum(axis=0)
    dx = (gamma / (m * std)) * (m * dout - dbeta - x_hat * dgamma)
    return dx, dgamma, dbeta


def _cases(seed=6):
    """A few batches: features with different means/scales, and a tiny eps-sensitive one."""
    rng = np.random.default_rng(seed)
    out = []
    for m, n, scale in [(8, 5, 3.0), (32, 4, 0.5), (5, 3, 1e-3)]:
        x = rng.normal(2.0, scale, size=(m, n)) * rng.uniform(0.5, 2.0, size=n)
        gamma = rng.uniform(0.5, 2.0, size=n)
        beta = rng.normal(0.0, 1.0, size=n)
        dout = rng.normal(0.0, 1.0, size=(m, n))
        out.append((x, gamma, beta, dout))
    return out


def _diagnose_forward(y, x, gamma, beta, eps):
    """Name the mistake a wrong forward pass most likely contains."""
    m = x.shape[0]
    mu = x.mean(axis=0)
    guesses = {
        "you used the unbiased variance (dividing by m − 1); batch norm uses the biased "
        "batch variance (divide by m)":
            gamma * (x - mu) / np.sqrt(((x - mu) ** 2).sum(axis=0) / (m - 1) + eps) + beta,
        "you normalised each example over its features (axis=1); batch norm normalises each "
        "feature over the batch (axis=0)":
            gamma * (x - x.mean(axis=1, keepdims=True))
            / np.sqrt(x.var(axis=1, keepdims=True) + eps) + beta,
        "eps is missing (or outside the square root): use (x − μ) / √(σ² + eps)":
            gamma * (x - mu) / np.sqrt(x.var(axis=0)) + beta,
        "you divided by the variance instead of the standard deviation √(σ² + eps)":
            gamma * (x - mu) / (x.var(axis=0) + eps) + beta,
        "γ and β are not applied: the output is x̂ itself, not γ·x̂ + β":
            (x - mu) / np.sqrt(x.var(axis=0) + eps),
    }
    for text, wrong in guesses.items():
        if np.shape(wrong) == np.shape(y) and np.allclose(y, wrong, rtol=1e-5, atol=1e-7):
            return text
    return None


def check_bn_forward(bn_forward) -> Result:
    """Check ``bn_forward(x, gamma, beta, eps=1e-5) -> y`` on a few batches."""
    eps = 1e-5
    for k, (x, gamma, beta, _) in enumerate(_cases()):
        y, error = attempt(bn_forward, x.copy(), gamma.copy(), beta.copy(), eps,
                         what="bn_forward(x, gamma, beta, eps)")
        if error is not None:
            return error
        expected = bn_forward_reference(x, gamma, beta, eps)
        result = check_close(y, expected, tr("bn_forward output (batch {batch}, shape {shape})",
                                             batch=k + 1, shape=x.shape),
                             rtol=1e-5, atol=1e-7)
        if not result:
            hint = _diagnose_forward(np.asarray(y, dtype=float), x, gamma, beta, eps)
            return failed(_with_hint(result.message, hint))
    return passed(tr("bn_forward normalises each feature over the batch and applies γ and β."))


def _with_hint(message, hint):
    """A check's message, followed by the mistake it most likely is (if one was recognised)."""
    if hint is None:
        return message
    return tr("{message} — it looks like {mistake}.", message=message, mistake=tr(hint))


def _diagnose_backward(dx, dout, x, gamma, eps):
    mu = x.mean(axis=0)
    std = np.sqrt(x.var(axis=0) + eps)
    x_hat = (x - mu) / std
    m = x.shape[0]
    guesses = {
        "dx treats μ and σ as constants (dx = γ·dy/σ); they depend on x too, which adds the "
        "terms − Σdy/m − x̂·Σ(dy·x̂)/m":
            gamma * dout / std,
        "dx keeps the mean term but forgets the variance term − x̂·Σ(dy·x̂)/m":
            gamma / std * (dout - dout.mean(axis=0)),
        "dx is missing the factor γ (the upstream gradient of x̂ is γ·dy)":
            (1.0 / (m * std)) * (m * dout - dout.sum(0) - x_hat * (dout * x_hat).sum(0)),
    }
    for text, wrong in guesses.items():
        if np.shape(wrong) == np.shape(dx) and np.allclose(dx, wrong, rtol=1e-5, atol=1e-8):
            return text
    return None


def check_bn_backward(bn_backward) -> Result:
    """Check ``bn_backward(dout, x, gamma, eps=1e-5) -> (dx, dgamma, dbeta)``."""
    eps = 1e-5
    for k, (x, gamma, _, dout) in enumerate(_cases()):
        got, error = attempt(bn_backward, dout.copy(), x.copy(), gamma.copy(), eps,
                           what="bn_backward(dout, x, gamma, eps)")
        if error is not None:
            return error
        if not isinstance(got, (tuple, list)) or len(got) != 3:
            length = tr(" of length {n}", n=len(got)) if isinstance(got, (tuple, list)) else ""
            return failed(tr("bn_backward should return three arrays (dx, dgamma, dbeta), got {kind}",
                             kind=type(got).__name__) + length)
        dx, dgamma, dbeta = got
        ref_dx, ref_dgamma, ref_dbeta = bn_backward_reference(dout, x, gamma, eps)
        where = tr("(batch {batch}, shape {shape})", batch=k + 1, shape=x.shape)
        for name, a, e in [("dbeta", dbeta, ref_dbeta), ("dgamma", dgamma, ref_dgamma)]:
            result = check_close(a, e, f"{name} {where}", rtol=1e-5, atol=1e-7)
            if not result:
                extra = tr(" — dbeta is Σ dy over the batch" if name == "dbeta"
                           else " — dgamma is Σ dy·x̂ over the batch")
                return failed(result.message + extra)
        result = check_close(dx, ref_dx, f"dx {where}", rtol=1e-4, atol=1e-7)
        if not result:
            hint = _diagnose_backward(np.asarray(dx, dtype=float), dout, x, gamma, eps)
            return failed(_with_hint(result.message, hint))
    return passed(tr("bn_backward gives dx, dγ and dβ of batch normalization."))
