"""Lesson 10, the engine half of the playground: data, features, network, one epoch per frame.

Each test computes its expectation with the engine pieces the run claims to call (mlp, fit,
make_optimizer, feature_map, the model's forward pass), not with the run itself.
"""

import subprocess
import sys

import numpy as np
import pytest

from nnutils.experiments.playground import (GRID, N_POINTS, PlaygroundRun, n_test_points,
                                            plane_grid, playground_data)
from nnutils.features import PLANE, feature_map
from nnutils.layers import BatchNorm, Dropout, Linear
from nnutils.model import mlp
from nnutils.optim import make_optimizer
from nnutils.train import fit


@pytest.fixture(scope="module")
def data():
    return playground_data("circles", noise=0.1, train_ratio=0.5, seed=0)


def test_the_training_module_imports_no_view():
    code = ("import sys, nnutils.experiments.playground as p\n"
            "p.PlaygroundRun(p.playground_data()).train_epoch()\n"
            "print(sorted(m for m in sys.modules if m.split('.')[0] in "
            "('matplotlib', 'ipywidgets', 'PIL', 'IPython') or m.startswith('nnutils.demos')"
            " or m in ('nnutils.plots', 'nnutils.widgets')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.strip()
    assert out == "[]", f"the engine imported a view module: {out}"


def test_data_split_follows_the_train_ratio():
    d = playground_data("moons", noise=0.2, train_ratio=0.3, seed=4)
    assert len(d.x_tr) == 150 and len(d.x_te) == 350 == n_test_points(0.3)
    assert len(d.x_tr) + len(d.x_te) == N_POINTS
    assert np.bincount(d.y_tr).tolist() == [75, 75]
    with pytest.raises(ValueError, match="train_ratio"):
        n_test_points(1.0)


def test_plane_grid_is_pixel_centres_with_the_top_row_first():
    g = plane_grid()
    half = PLANE / GRID                     # half a pixel of the 2·PLANE wide plane
    assert g.shape == (GRID * GRID, 2)
    np.testing.assert_allclose(g[0], [-PLANE + half, PLANE - half], rtol=1e-6)
    np.testing.assert_allclose(g[GRID - 1], [PLANE - half, PLANE - half], rtol=1e-6)
    np.testing.assert_allclose(g[-1], [PLANE - half, -PLANE + half], rtol=1e-6)


def test_epochs_are_the_epochs_of_fit_seeded_by_the_epoch_number(data):
    run = PlaygroundRun(data, features=("x1", "x2", "x1*x2"), layers=2, units=5,
                        activation="relu", init="he", dropout=0.1, seed=3)
    run.set_training("momentum", lr=0.05, penalty="l2", strength=0.001, batch_size=16)
    for _ in range(3):
        assert run.train_epoch()
    # the same by hand
    features = ("x1", "x2", "x1*x2")
    f_tr, f_te = feature_map(data.x_tr, features), feature_map(data.x_te, features)
    model = mlp([3, 5, 5, 2], activation="relu", init="he", dropout=0.1, weight_decay=0.001,
                seed=3)
    opt = make_optimizer("momentum", lr=0.05)
    for epoch in range(3):
        h = fit(model, opt, f_tr, data.y_tr, epochs=1, batch_size=16, x_val=f_te,
                y_val=data.y_te, seed=epoch, progress=False)
    for name, p in model.params.items():
        np.testing.assert_array_equal(run.model.params[name], p, err_msg=name)
    assert run.epoch == 3 and len(run.train_loss) == len(run.test_loss) == 4
    assert run.test_loss[-1] == h.val_loss[-1] and run.test_acc == h.val_acc[-1]


def test_training_knobs_keep_the_weights_and_a_new_optimizer_starts_empty(data):
    run = PlaygroundRun(data)
    run.set_training("adam", lr=0.03)
    run.train_epoch()
    adam, weights = run.optimizer, {k: v.copy() for k, v in run.model.params.items()}
    run.set_training("adam", lr=0.01, penalty="l1", strength=0.02, batch_size=32)
    assert run.optimizer is adam and adam.lr == 0.01 and adam.t > 0
    assert run.model.penalty_name == "l1" and run.model.weight_decay == 0.02
    assert run.batch_size == 32
    run.set_training("sgd", lr=0.01)
    assert run.optimizer is not adam and run.model.weight_decay == 0.0
    assert all(np.array_equal(weights[k], run.model.params[k]) for k in weights)


@pytest.mark.parametrize("knobs,name", [({"lr": 0}, "lr"), ({"batch_size": 0}, "batch_size"),
                                        ({"penalty": "l3"}, "penalty"),
                                        ({"strength": -1.0}, "strength")])
def test_bad_training_knobs_name_the_argument(data, knobs, name):
    with pytest.raises(ValueError, match=name):
        PlaygroundRun(data).set_training(**knobs)


@pytest.mark.parametrize("kwargs,name", [({"features": ("x3",)}, "features"),
                                         ({"layers": -1}, "layers"), ({"units": 0}, "units")])
def test_bad_architecture_names_the_argument(data, kwargs, name):
    with pytest.raises(ValueError, match=name):
        PlaygroundRun(data, **kwargs)


def test_without_features_there_is_nothing_to_train(data):
    run = PlaygroundRun(data, features=())
    assert run.model is None and not run.train_epoch() and run.epoch == 0
    assert run.plane_outputs() is None and run.train_loss == []


def test_divergence_stops_training_and_says_when(data):
    run = PlaygroundRun(data, layers=6, units=16, activation="relu", init=10.0)
    run.set_training("momentum", lr=10.0)
    trained = [run.train_epoch() for _ in range(5)]
    assert not all(trained) and run.diverged
    assert f"epoch {run.epoch + 1}" in run.diverged and "lr=10" in run.diverged
    epoch = run.epoch
    assert not run.train_epoch() and run.epoch == epoch


def test_plane_outputs_are_the_forward_pass_over_the_grid(data):
    run = PlaygroundRun(data, layers=3, units=16, batchnorm=True, dropout=0.3)
    run.set_training("adam", lr=0.03)
    run.train_epoch(), run.train_epoch()
    boundary, hidden = run.plane_outputs()
    x = feature_map(plane_grid(), run.features)
    p = run.model.predict_proba(x)
    np.testing.assert_allclose(boundary, (p[:, 1] - p[:, 0]).reshape(GRID, GRID), atol=1e-6)
    # one pass over all 10,000 points, keeping each activation's output
    h, expected = x, []
    for layer in run.model.layers:
        h = layer.forward(h, train=False)
        if not isinstance(layer, (Linear, BatchNorm, Dropout)):
            expected.append(h.reshape(GRID, GRID, -1))
    assert len(hidden) == 3
    for got, want in zip(hidden, expected):
        np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-9)
