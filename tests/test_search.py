import numpy as np
import pytest

from nnutils.search import at_edge, grid_search, log_uniform, random_search


def test_log_uniform_is_uniform_in_the_exponent():
    x = log_uniform(1e-6, 1e-2, size=20000, rng=0)
    assert x.min() >= 1e-6 and x.max() <= 1e-2
    counts, _ = np.histogram(np.log10(x), bins=4, range=(-6, -2))
    # each decade should get a quarter of the draws (a uniform-in-value draw would not)
    assert np.all(np.abs(counts / x.size - 0.25) < 0.02)


def test_log_uniform_is_seeded_and_checks_its_range():
    assert np.array_equal(log_uniform(1e-3, 1, 5, rng=3), log_uniform(1e-3, 1, 5, rng=3))
    with pytest.raises(ValueError, match="0 < low < high"):
        log_uniform(0, 1)
    with pytest.raises(ValueError, match="0 < low < high"):
        log_uniform(1, 0.1)


def test_random_search_finds_the_peak_and_sorts_best_first():
    def objective(lr, wd):
        return -((np.log10(lr) + 3) ** 2) - 0.01 * wd
    trials = random_search(objective, {"lr": (1e-6, 1, "log"), "wd": (0, 1, "linear")}, 200)
    assert len(trials) == 200
    scores = [t.score for t in trials]
    assert scores == sorted(scores, reverse=True)
    assert abs(np.log10(trials[0].params["lr"]) + 3) < 0.2


def test_callback_can_stop_a_search():
    seen = []
    trials = random_search(lambda a: a, {"a": (0, 1, "linear")}, 50,
                           callback=lambda t: (seen.append(len(t)), len(t) < 5)[1])
    assert len(trials) == 5 and seen == [1, 2, 3, 4, 5]


def test_grid_search_tries_every_combination():
    trials = grid_search(lambda a, b: a * b, {"a": [1, 2, 3], "b": [1, -1]})
    assert len(trials) == 6 and trials[0].params == {"a": 3, "b": 1}


def test_bad_space_is_reported():
    with pytest.raises(ValueError, match="space\\['lr'\\]"):
        random_search(lambda lr: 0, {"lr": (1e-6, 1e-2)}, 3)


def test_at_edge():
    assert at_edge(9e-3, 1e-6, 1e-2)
    assert at_edge(1.2e-6, 1e-6, 1e-2)
    assert not at_edge(1e-4, 1e-6, 1e-2)


def test_sample_gives_the_draws_random_search_tries_in_order():
    space = {"lr": (1e-6, 1e-2, "log"), "wd": (0.0, 1.0, "linear")}
    seen = []
    random_search(lambda lr, wd: seen.append({"lr": lr, "wd": wd}) or 0.0, space, 7, seed=5)
    from nnutils.search import sample
    assert sample(space, 7, seed=5) == seen
    assert sample(space, 7, seed=6) != seen
