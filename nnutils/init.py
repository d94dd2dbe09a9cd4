"""Weight initializers, chosen by name.

For a weight matrix of shape (n_in, n_out) (n_in = fan-in, n_out = fan-out):

=================  =====================================  ===============================
name               distribution                           standard deviation
=================  =====================================  ===============================
"zeros"            all 0                                  0
"constant"         all ``value``                          0
"normal"           N(0, std^2)  (``std`` required)        std
"lecun"            N(0, 1/n_in)  (LeCun et al. 1998;      sqrt(1 / n_in)
                   what the lecture code calls "Xavier")
"xavier" =         N(0, 2/(n_in+n_out))  (Glorot &        sqrt(2 / (n_in + n_out))
"glorot_normal"    Bengio 2010; PyTorch xavier_normal_)
"glorot_uniform"   U(-a, a), a = sqrt(6/(n_in+n_out))     sqrt(2 / (n_in + n_out))
= "xavier_uniform" (PyTorch xavier_uniform_, Keras' default)
"he" = "he_normal" N(0, 2/n_in)  (He/Kaiming 2015)        sqrt(2 / n_in)
"he_uniform"       U(-a, a), a = sqrt(6/n_in)             sqrt(2 / n_in)
=================  =====================================  ===============================

(A uniform U(-a, a) has variance a^2/3, which is how the limits above are derived.)
Numbers are drawn in float64 and then cast, so the same seed gives the same weights
(up to rounding) in float32 and float64.
"""

import numpy as np

from .checks import generator

from .names import canonical

__all__ = ["INITIALIZERS", "initialize", "init_std"]

INITIALIZERS = ("zeros", "constant", "normal", "lecun", "xavier", "glorot_normal", "glorot_uniform",
                "he", "he_normal", "he_uniform")

# the frameworks' names: "xavier" is Glorot's 2/(n_in + n_out) there (PyTorch, Keras), so here too
_ALIASES = {"kaiming": "he", "kaiming_normal": "he", "kaiming_uniform": "he_uniform",
            "he_normal": "he", "lecun_normal": "lecun", "glorot": "glorot_normal",
            "xavier": "glorot_normal", "xavier_normal": "glorot_normal",
            "xavier_uniform": "glorot_uniform"}


def _fans(shape):
    n_in = shape[0] if len(shape) >= 1 else 1
    n_out = shape[1] if len(shape) >= 2 else 1
    return n_in, n_out


def init_std(name, n_in, n_out=1, std=None):
    """The standard deviation the initializer `name` gives a (n_in, n_out) weight matrix."""
    key = canonical(name, INITIALIZERS, "initializer", _ALIASES)
    if key in ("zeros", "constant"):
        return 0.0
    if key == "normal":
        if std is None:
            raise ValueError("init 'normal' needs std= (e.g. std=0.01)")
        return float(std)
    if n_in < 1 or n_out < 1:
        raise ValueError(f"n_in and n_out must be >= 1, got n_in={n_in}, n_out={n_out}")
    if key == "lecun":
        return float(np.sqrt(1.0 / n_in))
    if key in ("glorot_normal", "glorot_uniform"):
        return float(np.sqrt(2.0 / (n_in + n_out)))
    return float(np.sqrt(2.0 / n_in))         # he, he_uniform


def initialize(name, shape, rng=None, std=None, value=0.0, dtype=np.float64):
    """A new array of `shape` filled by the initializer `name` (see the module table).

    rng: a numpy Generator or an int seed (default: seed 0, so results are reproducible).
    std: only for "normal". value: only for "constant".
    """
    key = canonical(name, INITIALIZERS, "initializer", _ALIASES)
    shape = (shape,) if isinstance(shape, (int, np.integer)) else tuple(shape)
    if any((not isinstance(s, (int, np.integer))) or s < 0 for s in shape):
        raise ValueError(f"shape must be a tuple of non-negative ints, got {shape!r}")
    if std is not None and key != "normal":
        raise ValueError(f"std= is only used with init='normal', got init={name!r} with std={std}")
    if std is not None and not (np.isfinite(std) and std >= 0):
        raise ValueError(f"std must be a finite number >= 0, got {std!r}")
    if key == "zeros":
        return np.zeros(shape, dtype=dtype)
    if key == "constant":
        return np.full(shape, value, dtype=dtype)
    rng = generator(rng, default_seed=0)
    n_in, n_out = _fans(shape)
    s = init_std(key, n_in, n_out, std)
    if key.endswith("uniform"):
        a = np.sqrt(3.0) * s                   # Var of U(-a, a) is a^2 / 3
        w = rng.uniform(-a, a, size=shape)
    else:
        w = rng.standard_normal(shape) * s
    return w.astype(dtype, copy=False)
