"""Argument checks shared by the whole package, so every error reads the same way:
it names the argument, says what was expected and shows what was given.

    >>> positive_int(3, "epochs")
    3
    >>> positive_int(0, "epochs")
    Traceback (most recent call last):
    ...
    ValueError: epochs must be a positive integer, got 0
    >>> number(0.5, "ratio", low=0, high=1, high_open=True)
    0.5

``generator`` is the one place that turns an ``rng`` argument into a numpy Generator.
"""

import math

import numpy as np

__all__ = ["is_int", "is_number", "positive_int", "number", "generator"]


def is_int(value):
    """An int (numpy ints too), but not a bool."""
    return isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_))


def is_number(value):
    """A real number (int or float, numpy scalars too), but not a bool."""
    return is_int(value) or isinstance(value, (float, np.floating))


def positive_int(value, what):
    """``value`` as an int >= 1, or a ValueError that names ``what``."""
    if not is_int(value) or value < 1:
        raise ValueError(f"{what} must be a positive integer, got {value!r}")
    return int(value)


def number(value, what, low=None, high=None, low_open=False, high_open=False):
    """``value`` as a finite float in [low, high] (open at an end when ``low_open`` /
    ``high_open``), or a ValueError that names ``what`` and the range."""
    ok = is_number(value) and math.isfinite(value)
    if ok and low is not None:
        ok = value > low if low_open else value >= low
    if ok and high is not None:
        ok = value < high if high_open else value <= high
    if not ok:
        raise ValueError(f"{what} must be {_describe(low, high, low_open, high_open)}, got {value!r}")
    return float(value)


def _describe(low, high, low_open, high_open):
    if low is not None and high is not None:
        return f"in {'(' if low_open else '['}{low:g}, {high:g}{')' if high_open else ']'}"
    if low is not None:
        return f"a number {'>' if low_open else '>='} {low:g}"
    if high is not None:
        return f"a number {'<' if high_open else '<='} {high:g}"
    return "a finite number"


# Layers built without a generator draw from streams spawned off this one root seed: two such
# layers get different weights and different dropout masks, and a program that builds them in
# the same order gets the same numbers on every run and every machine.
_ROOT = np.random.SeedSequence(0)


def generator(rng, what="rng", default_seed=None):
    """A numpy Generator from ``rng``: a Generator (used as is), an int seed, or None.

    None gives ``np.random.default_rng(default_seed)`` when a default seed is given, else the
    next stream spawned from the package's root seed (distinct for every call, deterministic
    for the program)."""
    if isinstance(rng, np.random.Generator):
        return rng
    if rng is None:
        if default_seed is not None:
            return np.random.default_rng(default_seed)
        return np.random.default_rng(_ROOT.spawn(1)[0])
    if is_int(rng):
        return np.random.default_rng(int(rng))
    raise TypeError(f"{what} must be a numpy.random.Generator or an int seed, got {type(rng).__name__}")
