"""fit: learning, batching without replacement, seeding, schedules, divergence, early stopping,
callbacks, progress bar, bad inputs."""

import re

import numpy as np
import pytest

from nnutils import optim as O
from nnutils.model import mlp
from nnutils.schedules import StepDecay
from nnutils.train import History, TrainingDiverged, fit


def _blobs(n=200, seed=0):
    """Two separable Gaussian blobs in 2-D."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n)
    x = rng.standard_normal((n, 2)) * 0.5 + np.where(y[:, None] == 1, 2.0, -2.0)
    return x.astype(np.float32), y


def test_fit_learns_and_records_history():
    x, y = _blobs()
    m = mlp([2, 8, 2], seed=0)
    h = fit(m, O.SGD(lr=0.1), x, y, epochs=3, batch_size=50, x_val=x[:50], y_val=y[:50], progress=False)
    assert isinstance(h, History)
    assert h.steps == 12 and h.epochs == 3
    assert len(h.loss) == len(h.lr) == 12
    assert len(h.train_loss) == len(h.train_acc) == len(h.val_loss) == len(h.val_acc) == 3
    assert h.train_acc[-1] > 0.95 and h.val_acc[-1] > 0.95
    assert h.loss[-1] < h.loss[0]
    assert h.diverged is None and h.best_epoch == int(np.argmin(h.val_loss))
    assert all(lr == 0.1 for lr in h.lr)
    assert m.params["W1"].dtype == np.float64                # the course trains in float64


def test_batches_are_drawn_without_replacement_from_the_seed():
    n, bs = 23, 5
    x = np.arange(n, dtype=np.float32)[:, None] * np.ones((1, 2), dtype=np.float32)
    y = np.zeros(n, dtype=int)
    seen = []

    def record(xb, rng):                      # does not touch rng, so the order is reproducible
        seen.append(xb[:, 0].astype(int).tolist())
        return xb

    fit(mlp([2, 3, 2]), O.SGD(), x, y, epochs=2, batch_size=bs, augment=record, seed=7, progress=False)
    assert [len(b) for b in seen] == [5, 5, 5, 5, 3] * 2
    rng = np.random.default_rng(7)
    for epoch in range(2):
        batches = seen[epoch * 5:(epoch + 1) * 5]
        flat = [i for b in batches for i in b]
        assert sorted(flat) == list(range(n))                       # every sample exactly once
        assert flat == rng.permutation(n).tolist()                  # in the seeded order


def test_same_seed_same_history():
    x, y = _blobs()
    runs = [fit(mlp([2, 8, 2], dropout=0.2, seed=1), O.Adam(lr=0.01), x, y, epochs=2, batch_size=32,
                seed=s, progress=False).loss for s in (3, 3, 4)]
    assert runs[0] == runs[1]
    assert runs[0] != runs[2]


def test_schedules_per_epoch_and_per_step():
    x, y = _blobs(40)
    opt = O.SGD(lr=1.0)
    h = fit(mlp([2, 4, 2]), opt, x, y, epochs=3, batch_size=20, progress=False,
            schedule=StepDecay(0.1, drop=0.5, every=1))
    assert h.lr == [0.1, 0.1, 0.05, 0.05, 0.025, 0.025]
    h = fit(mlp([2, 4, 2]), O.SGD(lr=1.0), x, y, epochs=2, batch_size=20, progress=False,
            schedule=lambda t: 0.01 * (t + 1), schedule_per="step")
    assert h.lr == pytest.approx([0.01, 0.02, 0.03, 0.04])


def test_divergence_stops_with_a_message():
    x, y = _blobs()
    h = fit(mlp([2, 16, 2], init=5.0), O.SGD(lr=1e4), x, y, epochs=5, batch_size=20, progress=False)
    assert h.diverged is not None
    assert re.fullmatch(r"diverged at step \d+ with lr=10000; lower the learning rate", h.diverged)
    k = int(re.search(r"step (\d+)", h.diverged).group(1))
    assert h.steps == k - 1 and len(h.loss) == k
    assert not np.isfinite(h.loss[-1]) or h.loss[-1] > 1e3 * h.loss[0]
    with pytest.raises(TrainingDiverged, match="lower the learning rate"):
        fit(mlp([2, 16, 2], init=5.0), O.SGD(lr=1e4), x, y, epochs=5, batch_size=20, progress=False,
            raise_on_divergence=True)


def test_a_loss_that_starts_near_zero_may_wobble_without_being_called_diverged():
    # first loss 1e-6, later 5e-3: 5000x the first loss, yet nothing exploded
    model = mlp([2, 4, 2])
    losses = iter([1e-6] + [5e-3] * 50)
    model.loss = lambda x, y, train=True: next(losses)
    model.backward = lambda *a, **k: None
    x, y = _blobs()
    h = fit(model, O.SGD(lr=0.1), x[:40], y[:40], epochs=2, batch_size=20, progress=False)
    assert h.diverged is None and h.steps == 4


def test_early_stopping_restores_the_best_weights():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((60, 5)).astype(np.float32)
    y = rng.integers(0, 3, 60)                                   # random labels: it can only overfit
    xv = rng.standard_normal((60, 5)).astype(np.float32)
    yv = rng.integers(0, 3, 60)
    m = mlp([5, 64, 64, 3], seed=0)
    snapshots = []
    h = fit(m, O.Adam(lr=0.01), x, y, epochs=60, batch_size=20, x_val=xv, y_val=yv,
            early_stopping=3, progress=False, callbacks=[lambda hist: snapshots.append(m.state())])
    assert h.stopped_early and h.epochs < 60
    assert h.best_epoch == int(np.argmin(h.val_loss)) and h.best_epoch < h.epochs - 1
    best = snapshots[h.best_epoch]
    for name, p in m.params.items():
        np.testing.assert_array_equal(p, best[name])
    loss, _ = m.evaluate(xv, yv)
    assert loss == pytest.approx(h.val_loss[h.best_epoch], rel=1e-6)


def test_callbacks_on_step_and_stop():
    x, y = _blobs(100)
    epochs_seen, steps_seen = [], []
    h = fit(mlp([2, 4, 2]), O.SGD(), x, y, epochs=3, batch_size=25, progress=False,
            callbacks=[lambda hist: epochs_seen.append(hist.epochs)],
            on_step=lambda hist: steps_seen.append(hist.steps))
    assert epochs_seen == [1, 2, 3] and steps_seen == list(range(1, 13))

    def stop_after_5(hist):
        if hist.steps == 5:
            hist.stop = True
    h = fit(mlp([2, 4, 2]), O.SGD(), x, y, epochs=3, batch_size=25, progress=False, on_step=stop_after_5)
    assert h.steps == 5 and h.epochs == 2


def test_max_steps():
    x, y = _blobs(100)
    h = fit(mlp([2, 4, 2]), O.SGD(), x, y, epochs=10, batch_size=25, max_steps=6, progress=False)
    assert h.steps == 6 and h.epochs == 2 and len(h.train_acc) == 2


def test_progress_bar_can_be_switched_off(capsys):
    x, y = _blobs(50)
    fit(mlp([2, 4, 2]), O.SGD(), x, y, epochs=1, batch_size=25, progress=False)
    out = capsys.readouterr()
    assert out.out == "" and out.err == ""
    fit(mlp([2, 4, 2]), O.SGD(), x, y, epochs=1, batch_size=25, progress=True)
    assert "training" in capsys.readouterr().err


def test_augment_and_float64_data_keep_float32():
    x, y = _blobs(50)
    calls = []

    def aug(xb, rng):
        calls.append(xb.dtype)
        return xb + rng.normal(0, 0.01, xb.shape)                 # returns float64
    m = mlp([2, 4, 2], dtype=np.float32)
    fit(m, O.SGD(), x.astype(np.float64), y, epochs=1, batch_size=25, augment=aug, progress=False)
    assert calls == [np.float32, np.float32]
    assert all(p.dtype == np.float32 for p in m.params.values())


def test_one_hot_labels_and_eval_subset():
    x, y = _blobs(120)
    h = fit(mlp([2, 4, 2]), O.SGD(), x, np.eye(2)[y], epochs=1, batch_size=40, progress=False,
            eval_train=50)
    assert 0 <= h.train_acc[0] <= 1


@pytest.mark.parametrize("kw, error, message", [
    (dict(epochs=0), ValueError, "epochs must be a positive int"),
    (dict(batch_size=0), ValueError, "batch_size must be a positive int"),
    (dict(schedule_per="batch"), ValueError, "schedule_per must be 'epoch' or 'step'"),
    (dict(early_stopping=2), ValueError, "early_stopping needs validation data"),
    (dict(x_val=np.zeros((3, 2))), ValueError, "give both x_val and y_val"),
])
def test_bad_arguments(kw, error, message):
    x, y = _blobs(20)
    with pytest.raises(error, match=message):
        fit(mlp([2, 4, 2]), O.SGD(), x, y, progress=False, **kw)


def test_bad_data():
    x, y = _blobs(20)
    bad = x.copy()
    bad[3, 1] = np.nan
    with pytest.raises(ValueError, match="x contains NaN or inf"):
        fit(mlp([2, 4, 2]), O.SGD(), bad, y, progress=False)
    with pytest.raises(ValueError, match=r"labels must be in \[0, 1\], got range \[0, 2\]"):
        fit(mlp([2, 4, 2]), O.SGD(), x, np.where(y == 1, 2, 0), progress=False)
    with pytest.raises(ValueError, match="expected 20 labels"):
        fit(mlp([2, 4, 2]), O.SGD(), x, y[:10], progress=False)
    with pytest.raises(ValueError, match=r"expected input of shape \(N, 3\)"):
        fit(mlp([3, 4, 2]), O.SGD(), x, y, progress=False)
