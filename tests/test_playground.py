"""Lesson 10: the feature map, the toy sets on one plane, and the playground demo.

The course-wide test (tests/test_demos.py) already drives every control at its extremes;
these tests check what the playground promises on top: which knobs keep the network and
which start a new one, step/play/pause, the printed code, divergence, the PNG writer. The
engine half (nnutils.experiments.playground) has its own tests in test_playground_run.py.
"""

import asyncio
import io
import threading
import time

import numpy as np
import pytest
from PIL import Image

from nnutils.demos.playground import PlaygroundDemo
from nnutils.demos.playground_paint import colorize
from nnutils.demos.png import encode_png
from nnutils.experiments.playground import N_POINTS
from nnutils.features import DATASETS, FEATURES, PLANE, feature_map, plane_data


# ----------------------------------------------------------------------------- features
def test_feature_map_columns_are_the_named_functions():
    rng = np.random.default_rng(1)
    x = rng.uniform(-6, 6, (50, 2)).astype(np.float32)
    a, b = x[:, 0].astype(np.float64), x[:, 1].astype(np.float64)
    expected = {"x1": a, "x2": b, "x1^2": a ** 2, "x2^2": b ** 2, "x1*x2": a * b,
                "sin(x1)": np.sin(a), "sin(x2)": np.sin(b)}
    f = feature_map(x, FEATURES)
    assert f.shape == (50, 7) and f.dtype == np.float64          # the course's default
    for j, name in enumerate(FEATURES):
        np.testing.assert_allclose(f[:, j], expected[name], rtol=1e-5, atol=1e-5, err_msg=name)
    # the order asked for is the order of the columns
    g = feature_map(x, ("sin(x2)", "x1"))
    np.testing.assert_allclose(g, np.column_stack([np.sin(b), a]), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("features,message", [
    (("x3",), "unknown"), (("x1", "x1"), "at most once"), ((), "at least one")])
def test_feature_map_rejects_bad_names_with_a_clear_message(features, message):
    with pytest.raises(ValueError, match=message):
        feature_map(np.zeros((3, 2)), features)


def test_feature_map_needs_2d_points():
    with pytest.raises(ValueError, match=r"\(N, 2\)"):
        feature_map(np.zeros((3, 3)))


@pytest.mark.parametrize("name", DATASETS)
def test_plane_data_is_balanced_seeded_and_on_the_plane(name):
    x, y = plane_data(name, n=400, noise=0.1, seed=3)
    assert x.shape == (400, 2) and x.dtype == np.float32 and y.dtype == np.int64
    assert np.bincount(y).tolist() == [200, 200]
    # most points lie inside the plane that is drawn
    assert np.mean(np.abs(x).max(axis=1) <= PLANE) > 0.95
    x2, y2 = plane_data(name, n=400, noise=0.1, seed=3)
    assert np.array_equal(x, x2) and np.array_equal(y, y2)
    assert not np.array_equal(x, plane_data(name, n=400, noise=0.1, seed=4)[0])


def test_clean_circles_have_radius_5_and_2_5():
    x, y = plane_data("circles", n=200, noise=0.0)
    r = np.hypot(x[:, 0], x[:, 1])
    np.testing.assert_allclose(r[y == 0], 5.0, rtol=1e-5)
    np.testing.assert_allclose(r[y == 1], 2.5, rtol=1e-5)


def test_plane_data_errors_name_the_argument():
    with pytest.raises(ValueError, match="name"):
        plane_data("squares")
    with pytest.raises(ValueError, match="noise"):
        plane_data("circles", noise=2.0)


# ----------------------------------------------------------------------------- drawing
def test_png_writer_round_trips_through_an_independent_decoder():
    rgb = np.random.default_rng(0).integers(0, 256, (37, 53, 3), dtype=np.uint8)
    png = encode_png(rgb)
    assert png.startswith(b"\x89PNG")
    back = np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))
    assert np.array_equal(back, rgb)


def test_colour_map_ends_and_middle():
    c = colorize(np.array([-1.0, 0.0, 1.0, np.nan]))
    assert c[1].tolist() == [255, 255, 255] and c[3].tolist() == [255, 255, 255]
    assert c[0, 0] > c[0, 2] and c[2, 2] > c[2, 0]      # orange (class 0), blue (class 1)


# ----------------------------------------------------------------------------- the demo
@pytest.fixture
def demo():
    return PlaygroundDemo()


def weights(d):
    return {k: v.copy() for k, v in d.run.model.params.items()}


def same(a, b):
    return a.keys() == b.keys() and all(np.array_equal(a[k], b[k]) for k in a)


def test_nothing_trains_until_asked(demo):
    assert demo.run.epoch == 0 and not demo.playing and demo.error is None
    w = weights(demo)
    demo.render()
    assert same(w, weights(demo))


def test_step_trains_whole_epochs_and_redraws(demo):
    before = demo.png()
    demo.set(optimizer="adam")            # Adam counts its steps: t = updates so far
    demo.step(3)
    assert demo.run.epoch == 3 and demo.error is None
    n_train = int(round(0.5 * N_POINTS))
    assert demo.run.optimizer.t == 3 * -(-n_train // 10)     # batch size 10
    assert len(demo.run.train_loss) == len(demo.run.test_loss) == 4   # epoch 0, three more
    assert demo.run.test_loss[-1] < demo.run.test_loss[0]
    assert demo.png() != before


def test_step_rejects_a_bad_count(demo):
    with pytest.raises(ValueError, match="n"):
        demo.step(0)


def test_batch_size_sets_the_steps_per_epoch(demo):
    demo.set(optimizer="adam", batch_size=64)
    demo.step(1)
    assert demo.run.optimizer.t == -(-int(round(0.5 * N_POINTS)) // 64)


@pytest.mark.parametrize("change", [{"lr": 0.3}, {"penalty": "l2", "strength": 0.01},
                                    {"batch_size": 32}, {"show_test": False},
                                    {"discretize": True}])
def test_training_knobs_keep_the_network_and_the_optimizer_state(demo, change):
    demo.set(optimizer="momentum")
    demo.step(2)
    w, v = weights(demo), {k: a.copy() for k, a in demo.run.optimizer.v.items()}
    before = demo.png()
    demo.set(**change)
    assert demo.run.epoch == 2 and same(w, weights(demo))
    assert all(np.array_equal(v[k], demo.run.optimizer.v[k]) for k in v), "momentum was reset"
    assert demo.png() != before, f"{change} is not shown in the picture"


def test_learning_rate_and_penalty_reach_the_engine(demo):
    demo.set(lr=0.2, penalty="l1", strength=0.05)
    assert demo.run.optimizer.lr == pytest.approx(0.2)
    model = demo.run.model
    assert model.penalty_name == "l1" and model.weight_decay == pytest.approx(0.05)
    demo.set(penalty="none")
    assert demo.run.model.weight_decay == 0.0


def test_a_new_optimizer_keeps_the_weights_with_fresh_state(demo):
    demo.step(2)
    w = weights(demo)
    demo.set(optimizer="adam")
    assert demo.run.epoch == 2 and same(w, weights(demo))
    assert demo.run.optimizer.t == 0


@pytest.mark.parametrize("change", [
    {"units": 4}, {"layers": 3}, {"activation": "relu"}, {"init": "he"},
    {"features": ("x1", "x2", "x1^2")}, {"dropout": 0.2}, {"batchnorm": True},
    {"dataset": "xor"}, {"noise": 0.3}, {"train_ratio": 0.7}])
def test_architecture_features_and_data_start_a_new_network(demo, change):
    demo.step(2)
    demo.set(**change)
    assert demo.run.epoch == 0 and len(demo.run.train_loss) == 1 and demo.error is None
    demo.step(1)
    assert demo.run.epoch == 1


def test_the_network_matches_the_settings(demo):
    demo.set(layers=3, units=5, features=("x1^2", "x2^2", "x1"), batchnorm=True)
    shapes = [p.shape for k, p in demo.run.model.params.items() if k.startswith("W")]
    assert shapes == [(3, 5), (5, 5), (5, 5), (5, 2)]
    assert demo.run.features == ("x1", "x1^2", "x2^2")   # the fixed order of FEATURES
    demo.set(layers=0)
    assert [p.shape for p in demo.run.model.params.values()] == [(3, 2), (2,)]


def test_train_ratio_splits_the_500_points(demo):
    demo.set(train_ratio=0.3)
    assert len(demo.data.x_tr) == 150 and len(demo.data.x_te) == 350
    assert np.bincount(demo.data.y_tr).tolist() == [75, 75]


def test_restart_new_data_and_reset(demo):
    start_png, w0, x0 = demo.png(), weights(demo), demo.data.x_tr.copy()
    demo.step(2)
    demo.restart()
    assert demo.run.epoch == 0 and not same(w0, weights(demo))
    assert np.array_equal(x0, demo.data.x_tr)
    demo.new_data()
    assert not np.array_equal(x0, demo.data.x_tr)
    demo.set(lr=1.0, units=3)
    demo.reset()
    assert demo.values == demo.defaults and demo.run.epoch == 0
    assert same(w0, weights(demo)) and np.array_equal(x0, demo.data.x_tr)
    assert demo.png() == start_png


def test_no_features_shows_the_data_and_trains_nothing(demo):
    demo.set(features=())
    assert demo.error is None and demo.run.model is None
    demo.step(3)
    assert demo.error is None and demo.run.epoch == 0
    demo.set(features=("x1",))
    assert demo.run.model is not None


def test_divergence_stops_training_with_a_message_not_an_error():
    demo = PlaygroundDemo(optimizer="momentum", lr=10.0, activation="relu", init="std",
                          init_std=10.0, layers=6, units=16)
    demo.step(5)
    assert demo.run.diverged and demo.error is None
    assert "diverged" in demo.status.value and "lower the learning rate" in demo.status.value
    epoch = demo.run.epoch
    demo.step(3)
    assert demo.run.epoch == epoch                  # stays stopped ...
    demo.set(lr=0.01)
    assert demo.run.diverged                        # ... the lr alone does not undo it
    demo.restart()
    assert demo.run.diverged is None and demo.status.value == ""


def test_printed_code_trains_the_same_network(demo):
    demo.set(dataset="moons", features=("x1", "x2", "x1*x2"), layers=1, units=5,
             optimizer="rmsprop", lr=0.01, penalty="l2", strength=0.001, batch_size=16,
             dropout=0.1)
    demo.new_data()
    demo.step(3)
    scope = {}
    exec(compile(demo.code_text(), "<playground code>", "exec"), scope)
    model = scope["model"]
    for name, p in demo.run.model.params.items():
        np.testing.assert_allclose(model.params[name], p, rtol=1e-6, atol=1e-7, err_msg=name)


def test_play_runs_on_the_event_loop_and_pause_stops_it(demo):
    async def session():
        demo.play()
        assert demo.playing and demo.run.epoch == 1   # the first frame is drawn at once
        for _ in range(200):                        # let the loop run some frames
            await asyncio.sleep(0.01)
            if demo.run.epoch >= 4:
                break
        assert demo.run.epoch >= 4, "play did not keep training while the loop ran"
        w_epoch = demo.run.epoch
        demo.set(lr=0.1)                            # a training knob: the network stays
        assert demo.run.epoch >= w_epoch and demo.playing
        demo.set(units=3)                           # the architecture: a new network ...
        assert demo.run.epoch == 0 and demo.playing   # ... and it keeps playing
        for _ in range(200):
            await asyncio.sleep(0.01)
            if demo.run.epoch >= 2:
                break
        assert demo.run.epoch >= 2
        demo.pause()
        stopped = demo.run.epoch
        await asyncio.sleep(0.2)
        assert not demo.playing and demo.run.epoch == stopped

    asyncio.run(session())
    assert demo.error is None


def test_pause_and_a_slider_from_another_thread_stop_a_play_running_elsewhere(demo):
    """JupyterLab may deliver the pause click or a slider on a kernel subshell thread while
    the play loop runs on the main thread's event loop."""
    loop = asyncio.new_event_loop()
    playing = threading.Thread(target=loop.run_forever, daemon=True)
    playing.start()
    try:
        asyncio.run_coroutine_threadsafe(_call(demo.play), loop).result(timeout=30)
        deadline = time.monotonic() + 30
        while demo.run.epoch < 3 and time.monotonic() < deadline:
            time.sleep(0.01)
        assert demo.playing and demo.run.epoch >= 3
        demo.set(lr=0.1)                  # waits for the running frame; the network stays
        assert demo.playing and demo.error is None
        task = demo._task
        demo.pause()
        stopped = demo.run.epoch
        time.sleep(0.3)
        assert not demo.playing and demo.run.epoch == stopped and task.done()
    finally:
        loop.call_soon_threadsafe(loop.stop)
        playing.join(timeout=10)
        loop.close()
    assert demo.error is None


async def _call(f):
    f()


def test_one_playground_plays_at_a_time(demo):
    async def session():
        demo.play()
        other = PlaygroundDemo()            # re-running the notebook cell: the old one stops
        assert not demo.playing
        other.play()
        demo.play()                         # pressing play on one pauses the other
        assert demo.playing and not other.playing
        await asyncio.sleep(0.05)
        demo.pause()

    asyncio.run(session())


def test_play_needs_an_event_loop(demo):
    with pytest.raises(RuntimeError, match="step"):
        demo.play()


def test_play_and_pause_buttons_have_stable_labels(demo):
    labels = [b.description for b in demo.widget.children[2].children[0].children]
    assert labels[:5] == ["play", "pause", "step", "restart", "new data"]


def test_an_experiment_button_starts_a_fresh_network(demo):
    demo.apply_preset("spirals: sin features")
    w = weights(demo)
    demo.step(3)
    demo.apply_preset("spirals: sin features")      # pressed again: back to epoch 0
    assert demo.run.epoch == 0 and same(w, weights(demo))


@pytest.mark.parametrize("preset", list(PlaygroundDemo.presets))
def test_each_experiment_trains_without_error(preset):
    demo = PlaygroundDemo()
    demo.apply_preset(preset)
    demo.step(2)
    assert demo.error is None and (demo.run.epoch == 2 or demo.run.diverged)


# ------------------------------------------- lesson 10's chaotic experiments, over restarts
# Experiments 1 and 5 are chaotic: 1e-15 more in the initial weights changes their final loss
# many times over, so the notebook does not compare their printed digits. What the lesson
# claims from them must hold for every restart; these tests check it on three.
def _trained(preset, epochs, restarts, **change):
    d = PlaygroundDemo()
    d.apply_preset(preset)
    if change:
        d.set(**change)
    for _ in range(restarts):
        d.restart()
    d.step(epochs)
    return d


@pytest.mark.parametrize("restarts", [0, 1, 2])
def test_spirals_three_layers_beat_one_and_sin_features_beat_both(restarts):
    one = _trained("spirals: depth", 150, restarts, layers=1)
    deep = _trained("spirals: depth", 150, restarts)
    sin = _trained("spirals: sin features", 150, restarts)
    assert deep.run.test_acc >= one.run.test_acc + 0.05, (one.run.test_acc, deep.run.test_acc)
    assert deep.run.test_acc >= 0.85 and one.run.test_acc <= 0.85
    assert sin.run.test_acc >= 0.95            # 8 units are enough with the right features


@pytest.mark.parametrize("restarts", [0, 1, 2])
def test_batch_norm_rescues_the_std_001_tanh_network(restarts):
    plain = _trained("bad init + BN", 60, restarts, batchnorm=False)
    bn = _trained("bad init + BN", 60, restarts)
    assert abs(plain.run.train_loss[-1] - np.log(2)) < 0.01 and plain.run.test_acc == 0.5
    assert bn.run.test_acc >= 0.95 and bn.run.train_loss[-1] < 0.3


def test_experiment_2_l1_prunes_the_features_the_circles_do_not_need():
    """Lesson 10, experiment 2: with L1 only x1² and x2² keep their links; L2 only shrinks."""
    out = {}
    for penalty in ("l1", "l2"):
        d = PlaygroundDemo()
        d.apply_preset("L1 prunes inputs")
        d.set(penalty=penalty)
        d.step(60)
        out[penalty] = np.abs(d.run.model.params["W1"])
        assert d.run.test_acc > 0.95
    needed = [FEATURES.index("x1^2"), FEATURES.index("x2^2")]
    useless = [i for i in range(len(FEATURES)) if i not in needed]
    l1_sums = out["l1"].sum(axis=1)
    assert l1_sums[useless].max() < 0.02 < 0.1 < l1_sums[needed].min(), l1_sums
    assert out["l2"].sum(axis=1)[useless].max() > 0.02                 # L2 keeps some of them
    assert np.mean(out["l1"] < 0.01) > 2 * np.mean(out["l2"] < 0.01)
