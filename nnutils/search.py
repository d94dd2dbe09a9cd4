"""Hyperparameter search: log-uniform sampling, random search and grid search.

Learning rates and weight decays span decades, so they are sampled uniformly in their
exponent (lr = 10^U(−6, −2)), not in their value: a uniform draw on [1e-6, 1e-2] would put
99% of the trials above 1e-4.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

import numpy as np

__all__ = ["log_uniform", "Trial", "sample", "random_search", "grid_search", "at_edge"]


def log_uniform(low, high, size=None, rng=None):
    """Samples 10^U(log10 low, log10 high)."""
    if not (np.isfinite(low) and np.isfinite(high)) or low <= 0 or high <= low:
        raise ValueError(f"log_uniform needs 0 < low < high, got low={low}, high={high}")
    rng = np.random.default_rng(rng)
    return 10.0 ** rng.uniform(np.log10(low), np.log10(high), size)


@dataclass
class Trial:
    params: dict
    score: float
    extra: dict = field(default_factory=dict)


def _run(objective, params, callback, trials):
    result = objective(**params)
    score, extra = (result if isinstance(result, tuple) else (result, {}))
    trials.append(Trial(params, float(score), dict(extra)))
    if callback is not None and callback(trials) is False:
        return False
    return True


def sample(space, n_trials, seed=0):
    """The settings a random search tries, in order: ``n_trials`` draws from ``space``
    (name -> (low, high, "log"|"linear")), without evaluating anything."""
    if n_trials < 1:
        raise ValueError(f"n_trials must be >= 1, got {n_trials}")
    for name, spec in space.items():
        if len(spec) != 3 or spec[2] not in ("log", "linear"):
            raise ValueError(f"space[{name!r}] must be (low, high, 'log' or 'linear'), got {spec}")
    rng = np.random.default_rng(seed)
    return [{name: float(log_uniform(lo, hi, rng=rng) if kind == "log" else rng.uniform(lo, hi))
             for name, (lo, hi, kind) in space.items()}
            for _ in range(n_trials)]


def random_search(objective, space, n_trials, seed=0, callback=None):
    """Try the ``n_trials`` settings ``sample(space, n_trials, seed)`` draws.

    ``objective(**params)`` returns a score (higher is better) or ``(score, extra)``.
    ``callback(trials)`` runs after every trial; returning False stops the search.
    Returns the trials, best first.
    """
    trials = []
    for params in sample(space, n_trials, seed):
        if not _run(objective, params, callback, trials):
            break
    return sorted(trials, key=lambda t: -t.score)


def grid_search(objective, grid, callback=None):
    """Try every combination of ``grid`` (name -> list of values). Returns trials, best first."""
    trials = []
    names = list(grid)
    for values in itertools.product(*(grid[n] for n in names)):
        if not _run(objective, dict(zip(names, values)), callback, trials):
            break
    return sorted(trials, key=lambda t: -t.score)


def at_edge(value, low, high, log=True, fraction=0.1):
    """True when ``value`` lies in the outer ``fraction`` of [low, high] (in log space if log):
    the best trial sitting at the edge of the range means the range should be widened."""
    f = np.log10 if log else (lambda v: v)
    lo, hi, v = f(low), f(high), f(value)
    margin = fraction * (hi - lo)
    return bool(v <= lo + margin or v >= hi - margin)
