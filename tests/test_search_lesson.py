"""Lesson 8: the random-search demo (synchronous and live paths) and its trial function."""
import asyncio

import numpy as np
import pytest

from nnutils.data import Standardizer, load_mnist
from nnutils.demos import search as S
from nnutils.experiments import random_search as R
from nnutils.model import mlp
from nnutils.optim import SGD
from nnutils.search import random_search
from nnutils.train import fit


def test_search_data_is_the_lecture_split_centred_on_the_training_mean():
    x, y, xv, yv, xt, yt = R.search_data()
    assert (len(x), len(xv), len(xt)) == (400, 100, 1000)
    m = load_mnist(validation=100)
    mean = m.x_train[:400].astype(np.float64).mean(axis=0)
    np.testing.assert_allclose(x, m.x_train[:400] - mean, atol=1e-6)
    np.testing.assert_allclose(xv, m.x_val - mean, atol=1e-6)     # the TRAINING mean, not its own
    assert np.abs(xv.mean(axis=0)).max() > 1e-3
    assert np.array_equal(y, m.y_train[:400]) and np.array_equal(yv, m.y_val)


def test_a_trial_is_an_ordinary_training_run():
    lr, wd = 0.1, 1e-5
    score, extra = R.search_trial(lr, wd)
    # the same run written out independently
    m = load_mnist(validation=100)
    centre = Standardizer(scale=False).fit(m.x_train[:400])
    model = mlp((784, 100, 100, 10), weight_decay=wd, seed=0)
    fit(model, SGD(lr=lr), centre.transform(m.x_train[:400]), m.y_train[:400], epochs=10,
        batch_size=50, seed=0, progress=False)
    assert score == pytest.approx(model.accuracy(centre.transform(m.x_val), m.y_val))
    assert len(extra["history"].val_acc) == 10 and extra["diverged"] is None
    assert R.search_trial(lr, wd) is R.search_trial(lr, wd)           # cached


def test_a_diverging_trial_scores_near_chance_and_says_so():
    score, extra = R.search_trial(10.0, 1e-6)
    assert extra["diverged"] and "diverged" in extra["diverged"]
    assert score <= 0.2


def test_draw_settings_are_the_searchs_own_draws_in_order():
    settings = R.draw_settings(7, (1e-4, 1.0), (1e-7, 1e-3), seed=4)
    seen = []
    random_search(lambda lr, weight_decay: seen.append((lr, weight_decay)) or 0.0,
                  R.lr_wd_space((1e-4, 1.0), (1e-7, 1e-3)), 7, seed=4)
    assert [(p["lr"], p["weight_decay"]) for p in settings] == seen
    lr = np.array([p["lr"] for p in settings])
    assert np.all((lr >= 1e-4) & (lr <= 1.0))


def test_ranges_are_ordered_and_an_empty_range_gets_half_a_decade():
    assert S._range(1e-2, 1e-5) == (1e-5, 1e-2)
    low, high = S._range(1e-3, 1e-3)
    assert low == 1e-3 and high == pytest.approx(1e-3 * 10 ** 0.5)


def _dots(demo):
    return demo.dots.get_offsets(), np.asarray(demo.dots.get_array())


def test_demo_shows_every_trial_coloured_by_its_score():
    demo = S.RandomSearchDemo(n_trials=5)
    assert demo.error is None
    xy, acc = _dots(demo)
    settings = R.draw_settings(5)
    np.testing.assert_allclose(xy[:, 0], [p["lr"] for p in settings])
    np.testing.assert_allclose(xy[:, 1], [p["weight_decay"] for p in settings])
    np.testing.assert_allclose(acc, [R.search_trial(**p)[0] for p in settings])
    # the star marks the best trial, the projection shows accuracy against lr
    i = int(np.argmax(acc))
    assert demo.best.get_xdata()[0] == xy[i, 0]
    np.testing.assert_allclose(demo.proj.get_offsets(), np.column_stack([xy[:, 0], acc]))
    assert "5 of 5 trials" in demo.head.get_text()


def test_demo_warns_about_the_edge_only_when_the_best_lr_is_there():
    demo = S.RandomSearchDemo()          # 20 trials, the lecture's ranges: the best lr is near 1e-2
    assert "lr" in demo.warn.get_text() and "edge" in demo.warn.get_text()
    demo.set(lr_low=10 ** -2.5, lr_high=10 ** 0.5)
    assert "lr" not in demo.warn.get_text().split(":")[0]


def test_demo_swapped_or_empty_ranges_raise_nothing():
    demo = S.RandomSearchDemo(n_trials=5)
    demo.set(lr_low=1.0, lr_high=1e-3)
    lr = demo.dots.get_offsets()[:, 0]
    assert demo.error is None and np.all((lr >= 1e-3) & (lr <= 1.0))
    demo.set(wd_low=1e-5, wd_high=1e-5)
    assert demo.error is None and demo.box.get_width() > 0


def test_live_path_streams_on_the_loop_and_stops_between_trials():
    async def scenario():
        demo = S.RandomSearchDemo(n_trials=5)               # the first picture: synchronous
        assert not demo.running and len(demo.dots.get_offsets()) == 5
        demo.set(n_trials=10, lr_low=1e-3, lr_high=1.0)      # returns at once, trials follow
        assert demo.running and len(demo.dots.get_offsets()) == 0
        assert "0 of 10" in demo.head.get_text()
        while "trial 2 of 10" not in demo.status.value:
            await asyncio.sleep(0)
        demo.stop()
        await demo._task
        assert "stopped after 2 of 10" in demo.status.value
        assert len(demo.dots.get_offsets()) == 2 and "stopped" in demo.head.get_text()
        # a new setting supersedes a running search; the last one finishes
        demo.set(n_trials=5)
        first = demo._task
        demo.set(n_trials=10)
        await demo._task
        assert first.done() and len(demo.dots.get_offsets()) == 10
        assert demo.status.value == "10 trials done" and demo.error is None
    asyncio.run(scenario())


def test_live_errors_are_shown_in_the_demo(monkeypatch):
    async def scenario():
        demo = S.RandomSearchDemo(n_trials=5)
        def broken(lr, weight_decay):
            raise ValueError("broken trial")
        monkeypatch.setattr(S, "search_trial", broken)
        demo.set(n_trials=10)
        await demo._task
        assert demo.error == "ValueError: broken trial"
    asyncio.run(scenario())


def test_live_false_runs_synchronously_even_on_a_loop():
    async def scenario():
        demo = S.RandomSearchDemo(live=False, n_trials=5)
        demo.set(n_trials=10)
        assert not demo.running and len(demo.dots.get_offsets()) == 10
    asyncio.run(scenario())


def test_code_reproduces_the_settings():
    demo = S.RandomSearchDemo(n_trials=5)
    demo.set(lr_low=1.0, lr_high=1e-3)
    ns = {}
    exec(demo.code_text().split("for t in")[0], ns)
    trials = ns["trials"]
    assert len(trials) == 5
    assert sorted(t.params["lr"] for t in trials) == sorted(demo.dots.get_offsets()[:, 0])
