"""Activation functions and their derivatives, as plain functions on numpy arrays.

Every ``f_grad(x)`` is the derivative df/dx evaluated at the *input* x, so that in
backprop ``dx = dout * f_grad(x)``. The functions keep the dtype of their input
(float32 stays float32).
"""

import numpy as np

from .checks import is_int

from .names import canonical

__all__ = [
    "sigmoid", "sigmoid_grad", "tanh", "tanh_grad", "relu", "relu_grad",
    "leaky_relu", "leaky_relu_grad", "elu", "elu_grad", "gelu", "gelu_grad",
    "silu", "silu_grad", "maxout", "maxout_grad", "ACTIVATIONS", "get_activation",
]


def _float(x):
    """x as a float array (ints become float64; float32 stays float32)."""
    x = np.asarray(x)
    if not np.issubdtype(x.dtype, np.floating):
        x = x.astype(np.float64)
    return x


def sigmoid(x):
    """1 / (1 + e^-x), computed without overflow for large |x|.

    e^-x overflows for x < -710 (float64) or x < -89 (float32), so we only ever
    exponentiate -|x| (which lies in (0, 1]) and use sigmoid(-a) = 1 - sigmoid(a).
    """
    x = _float(x)
    z = np.exp(-np.abs(x))                  # in (0, 1], never overflows
    return np.where(x >= 0, 1 / (1 + z), z / (1 + z))


def sigmoid_grad(x):
    """sigmoid'(x) = s (1 - s): at most 1/4, so sigmoid layers shrink gradients."""
    s = sigmoid(x)
    return s * (1 - s)


def tanh(x):
    """Hyperbolic tangent, zero-centred: tanh(x) = 2 sigmoid(2x) - 1."""
    return np.tanh(_float(x))


def tanh_grad(x):
    """tanh'(x) = 1 - tanh(x)^2 (at most 1, at x = 0)."""
    t = np.tanh(_float(x))
    return 1 - t * t


def relu(x):
    """max(0, x)."""
    x = _float(x)
    return np.maximum(x, 0)


def relu_grad(x):
    """1 where x > 0, else 0 (we take 0 at the kink x = 0)."""
    x = _float(x)
    return (x > 0).astype(x.dtype)


def leaky_relu(x, slope=0.01):
    """x for x > 0, slope * x otherwise: negative inputs keep a small gradient."""
    x = _float(x)
    return np.where(x > 0, x, slope * x)


def leaky_relu_grad(x, slope=0.01):
    """1 for x > 0, slope otherwise."""
    x = _float(x)
    return np.where(x > 0, 1, slope).astype(x.dtype)


def elu(x, alpha=1.0):
    """x for x > 0, alpha (e^x - 1) otherwise (smooth, saturates at -alpha)."""
    x = _float(x)
    # expm1 only of min(x, 0): exact near 0, and never overflows for large positive x
    return np.where(x > 0, x, alpha * np.expm1(np.minimum(x, 0)))


def elu_grad(x, alpha=1.0):
    """1 for x > 0, alpha e^x otherwise."""
    x = _float(x)
    return np.where(x > 0, 1, alpha * np.exp(np.minimum(x, 0))).astype(x.dtype)


_GELU_C = float(np.sqrt(2 / np.pi))   # a Python float: keeps float32 inputs float32


def gelu(x):
    """GELU, *tanh approximation* (as in BERT/GPT-2):
    0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))).
    """
    x = _float(x)
    u = _GELU_C * (x + 0.044715 * x ** 3)
    return 0.5 * x * (1 + np.tanh(u))


def gelu_grad(x):
    """Derivative of the tanh-approximated GELU (product rule + chain rule):
    0.5 (1 + t) + 0.5 x (1 - t^2) sqrt(2/pi) (1 + 3 * 0.044715 x^2), t = tanh(u).
    """
    x = _float(x)
    u = _GELU_C * (x + 0.044715 * x ** 3)
    t = np.tanh(u)
    du = _GELU_C * (1 + 3 * 0.044715 * x * x)
    return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * du


def silu(x):
    """SiLU (swish): x * sigmoid(x)."""
    x = _float(x)
    return x * sigmoid(x)


def silu_grad(x):
    """silu'(x) = s + x s (1 - s) = s (1 + x (1 - s)), s = sigmoid(x)."""
    x = _float(x)
    s = sigmoid(x)
    return s * (1 + x * (1 - s))


def _check_maxout(x, k):
    if not is_int(k) or k < 1:
        raise ValueError(f"maxout: k must be a positive integer (pieces per unit), got {k!r}")
    if x.ndim == 0 or x.shape[-1] % k:
        raise ValueError(
            f"maxout: the last axis of x must be a multiple of k={k} (m units x k pieces), "
            f"got shape {x.shape}")


def maxout(x, k):
    """Max over groups of k neighbours on the last axis: (..., m*k) -> (..., m).

    Unit j is the max of pieces x[..., j*k : (j+1)*k].
    """
    x = _float(x)
    _check_maxout(x, k)
    return x.reshape(*x.shape[:-1], -1, k).max(axis=-1)


def maxout_grad(x, k):
    """d maxout / dx as a 0/1 array shaped like x: 1 at the winning piece of each group
    (the first one on ties), so ``dx = maxout_grad(x, k) * np.repeat(dout, k, axis=-1)``.
    """
    x = _float(x)
    _check_maxout(x, k)
    z = x.reshape(*x.shape[:-1], -1, k)
    winner = z.argmax(axis=-1)[..., None]
    g = np.zeros_like(z)
    np.put_along_axis(g, winner, 1, axis=-1)
    return g.reshape(x.shape)


ACTIVATIONS = {
    "sigmoid": (sigmoid, sigmoid_grad),
    "tanh": (tanh, tanh_grad),
    "relu": (relu, relu_grad),
    "leaky_relu": (leaky_relu, leaky_relu_grad),
    "elu": (elu, elu_grad),
    "gelu": (gelu, gelu_grad),
    "silu": (silu, silu_grad),
}


ALIASES = {"swish": "silu"}


def get_activation(name):
    """(f, f_grad) for an activation name such as "relu"."""
    return ACTIVATIONS[canonical(name, ACTIVATIONS, "activation", ALIASES)]
