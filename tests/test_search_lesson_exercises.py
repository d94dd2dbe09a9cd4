"""Lesson 8 exercises: the initial loss, a log-uniform sampler, reading a search."""
import math

import numpy as np
import pytest

from nnutils.data import load_mnist
from nnutils.exercises import lesson08 as ex
from nnutils.model import mlp


def test_initial_loss_check_passes_ln10_which_a_tiny_network_really_shows():
    m = load_mnist()
    loss = mlp((784, 50, 10), init=1e-3, seed=0).data_loss(m.x_train[:500], m.y_train[:500])
    assert ex.check_initial_loss(loss)                     # measured, not copied
    assert ex.check_initial_loss(math.log(10))
    assert ex.check_initial_loss(-math.log(0.1))


@pytest.mark.parametrize("wrong, words", [
    (1.0, "natural logarithm"), (0.1, "probability"), (10, "number of classes"),
    (-math.log(10), "sign"), (math.log(2), "2-class"), (3.0, "softmax"), ("two", "number"),
])
def test_initial_loss_check_names_the_mistake(wrong, words):
    result = ex.check_initial_loss(wrong)
    assert not result and words in result.message


def right_sampler(low, high, size, rng):
    return np.exp(rng.uniform(np.log(low), np.log(high), size))    # the same law, another base


def test_log_uniform_check_passes_right_answers():
    assert ex.check_log_uniform(ex.log_uniform_reference)
    assert ex.check_log_uniform(right_sampler)


@pytest.mark.parametrize("wrong, words", [
    (lambda lo, hi, n, rng: rng.uniform(lo, hi, n), "uniform in the VALUE"),
    (lambda lo, hi, n, rng: 10 ** rng.uniform(lo, hi, n), "EXPONENT"),
    (lambda lo, hi, n, rng: np.exp(rng.uniform(np.log10(lo), np.log10(hi), n)), "raise e"),
    (lambda lo, hi, n, rng: 10 ** np.random.default_rng().uniform(np.log10(lo), np.log10(hi), n),
     "rng you are given"),
    (lambda lo, hi, n, rng: 10 ** rng.uniform(np.log10(lo), np.log10(hi), 5), "20000 draws"),
    (lambda lo, hi, n, rng: 10 ** rng.normal(-4, 0.5, n), "outside"),
    (lambda lo, hi, n, rng: 10 ** (np.log10(lo) + (np.log10(hi) - np.log10(lo)) * rng.random(n) ** 2),
     "decades"),
    (lambda lo, hi, n, rng: None, "returned None"),
])
def test_log_uniform_check_names_the_mistake(wrong, words):
    result = ex.check_log_uniform(wrong)
    assert not result and words in result.message, result.message


def test_the_exercise_table_is_a_search_whose_best_lr_is_at_the_edge():
    from nnutils.search import at_edge
    lr = [t[0] for t in ex.BEST_TRIALS]
    wd = [t[1] for t in ex.BEST_TRIALS]
    assert all(at_edge(v, *ex.SEARCHED["lr"]) for v in lr)
    assert max(wd) / min(wd) > 10                          # λ spread out: not the culprit
    assert [t[2] for t in ex.BEST_TRIALS] == sorted((t[2] for t in ex.BEST_TRIALS), reverse=True)


@pytest.mark.parametrize("answer", [("lr", 1e-3, 1.0), ("lr", 10 ** -2.5, 10 ** 0.5), ("lr", 1e-4, 3.0)])
def test_next_range_check_passes_sensible_ranges(answer):
    assert ex.check_next_range(*answer)


@pytest.mark.parametrize("answer, words", [
    (("weight_decay", 1e-6, 1e-2), "not what decides"),
    (("lr", 1e-6, 1e-2), "ABOVE"),
    (("lr", 1e-4, 1.2e-2), "ABOVE"),
    (("lr", 2e-2, 1.0), "inside"),
    (("lr", 9e-3, 1.0), "edge"),
    (("lr", 1e-8, 1.0), "narrow"),
    (("lr", 1.0, 1e-3), "0 < low < high"),
    (("momentum", 0.5, 0.99), "one of"),
])
def test_next_range_check_names_the_mistake(answer, words):
    result = ex.check_next_range(*answer)
    assert not result and words in result.message, result.message
