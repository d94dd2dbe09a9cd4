"""Gradient checks: compare backprop's gradients with centred finite differences.

    numerical df/dx_i  =  (f(x + h e_i) - f(x - h e_i)) / (2 h),   h = 1e-5
    relative error     =  max_i |a_i - n_i| / max(1e-8, |a_i| + |n_i|)

Run them in float64: float32 has ~7 significant digits, so (f(x+h) - f(x-h)) would be
mostly rounding noise. A correct layer shows a relative error <= 1e-7 in float64.
"""

import numpy as np

from .layers import BatchNorm, Dropout

__all__ = ["numerical_gradient", "relative_error", "check_layer", "check_model"]


_ROUNDING = 8 * np.finfo(np.float64).eps      # "a few ulps" of f


def numerical_gradient(f, x, h=1e-5):
    """Centred-difference gradient of the scalar function f at x (a float64 array).

    x is perturbed *in place* one entry at a time (and restored), so f may simply close
    over x, or take it as its argument: f(x). Differences f(x+h) - f(x-h) within a few
    units of float64 rounding of f are reported as a gradient of exactly 0.
    """
    if not isinstance(x, np.ndarray) or x.dtype != np.float64:
        got = x.dtype if isinstance(x, np.ndarray) else type(x).__name__
        raise TypeError(f"numerical_gradient needs a float64 numpy array (float32 rounding "
                        f"swamps a step of h={h}); got {got}")
    grad = np.zeros_like(x)
    it = np.nditer(x, flags=["multi_index"], op_flags=["readwrite"])
    while not it.finished:
        i = it.multi_index
        old = x[i]
        x[i] = old + h
        f_plus = float(f(x))
        x[i] = old - h
        f_minus = float(f(x))
        x[i] = old                                     # restore
        diff = f_plus - f_minus
        # A difference of a few units in the last place of f is rounding, not slope: call it 0.
        # (Otherwise an exactly zero gradient, e.g. of a bias right before BatchNorm, shows up
        # as noise of about 1e-16 * |f| / h and a meaningless relative error.)
        if abs(diff) <= _ROUNDING * max(abs(f_plus), abs(f_minus)):
            diff = 0.0
        grad[i] = diff / (2 * h)
        it.iternext()
    return grad


def relative_error(a, n):
    """max over entries of |a - n| / max(1e-8, |a| + |n|)."""
    a, n = np.asarray(a, dtype=np.float64), np.asarray(n, dtype=np.float64)
    if a.shape != n.shape:
        raise ValueError(f"relative_error: shapes differ, {a.shape} vs {n.shape}")
    if a.size == 0:
        return 0.0
    return float(np.max(np.abs(a - n) / np.maximum(1e-8, np.abs(a) + np.abs(n))))


def _require_float64(params, what):
    for key, p in params.items():
        if p.dtype != np.float64:
            raise TypeError(f"{what}: parameter {key!r} is {p.dtype}; gradient checks need float64 "
                            f"(build it with dtype=np.float64)")


def _freeze(layers):
    """Fix dropout masks and remember BN running stats; returns a function that undoes it."""
    saved = []
    for layer in layers:
        if isinstance(layer, Dropout):
            saved.append((layer, "fixed", layer.fixed))
            layer.fixed = True
        if isinstance(layer, BatchNorm):
            saved.append((layer, "running_mean", layer.running_mean.copy()))
            saved.append((layer, "running_var", layer.running_var.copy()))

    def restore():
        for layer, attr, value in saved:
            if attr == "fixed":
                layer.fixed = value
            else:
                getattr(layer, attr)[...] = value
    return restore


def check_layer(layer, x, seed=0, train=True, h=1e-5):
    """Max relative error of the layer's backward vs numerical gradients, per parameter and
    for the input ("x"). Uses the scalar f = sum(forward(x) * dout) with a random dout.
    """
    _require_float64(layer.params, type(layer).__name__)
    x = np.array(x, dtype=np.float64)               # our own copy, perturbed in place
    restore = _freeze([layer])
    try:
        out = layer.forward(x, train=train)         # draws the dropout mask, if any
        dout = np.random.default_rng(seed).standard_normal(np.shape(out))

        def f(_=None):
            return np.sum(layer.forward(x, train=train) * dout)

        layer.forward(x, train=train)
        dx = layer.backward(dout)
        errors = {}
        analytic = {key: g.copy() for key, g in layer.grads.items()}
        errors["x"] = relative_error(dx, numerical_gradient(f, x, h))
        for key, p in layer.params.items():
            errors[key] = relative_error(analytic[key], numerical_gradient(f, p, h))
    finally:
        restore()
    return errors


def check_model(model, x, y, h=1e-5):
    """Max relative error per parameter name (W1, b1, gamma1, ...) of model.backward vs
    numerical gradients of model.loss(x, y, train=True) (dropout masks held fixed)."""
    _require_float64(model.params, "model")
    x = np.asarray(x, dtype=np.float64)
    restore = _freeze(model.layers)
    try:
        model.loss(x, y, train=True)                # draws the dropout masks
        model.backward()
        analytic = {name: g.copy() for name, g in model.grads.items()}

        def f(_=None):
            return model.loss(x, y, train=True)

        errors = {name: relative_error(analytic[name], numerical_gradient(f, p, h))
                  for name, p in model.params.items()}
    finally:
        restore()
    return errors
