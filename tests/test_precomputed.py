"""Runs computed ahead of time (nnutils/precomputed.py): what the browser edition loads
instead of training. A loaded run must leave model, optimizer, generators and History exactly
as training would have; any change of what fit reads must change the key."""

import numpy as np
import pytest

import nnutils
from nnutils import precomputed, train
from nnutils.augment import Augmenter
from nnutils.data import load_mnist
from nnutils.losses import SoftmaxCrossEntropy
from nnutils.model import mlp
from nnutils.optim import SGD, Adam
from nnutils.schedules import Cosine
from nnutils.train import fit


@pytest.fixture(scope="module")
def data():
    m = load_mnist()
    return m.x_train[:300], m.y_train[:300], m.x_test[:100], m.y_test[:100]


def _run(data, seed=0, **changes):
    """A fit that uses every kind of input: BN, dropout, Adam, schedule, augmenter, early stop."""
    x, y, xv, yv = data
    model = mlp((784, 20, 10), batchnorm=True, dropout=0.2, seed=3)
    opt = Adam(lr=3e-3)
    kw = dict(epochs=3, batch_size=50, x_val=xv, y_val=yv, schedule=Cosine(3e-3, 3),
              augment=Augmenter(shift=1, rotate=5), early_stopping=2, seed=seed, progress=False)
    kw.update(changes)
    hist = fit(model, opt, x, y, **kw)
    return model, opt, hist


def _snapshot(model, opt, hist, rng=None):
    dropout = next(layer for layer in model.layers if hasattr(layer, "rng"))
    out = {f"model/{k}": v.copy() for k, v in model.state().items()}
    out.update({f"opt/{n}/{k}": v.copy() for n in opt._STATE for k, v in getattr(opt, n).items()})
    out["t"], out["lr"] = opt.t, opt.lr
    out["dropout_next"] = dropout.rng.random(4)             # the mask stream continues the same
    if rng is not None:
        out["rng_next"] = rng.random(4)
    for k in ("loss", "lr", "train_loss", "train_acc", "val_loss", "val_acc", "steps", "epochs",
              "best_epoch", "stopped_early", "diverged"):
        out[f"hist/{k}"] = getattr(hist, k)
    return out


def _assert_same(a, b):
    assert a.keys() == b.keys()
    for k in a:
        assert np.array_equal(np.asarray(a[k]), np.asarray(b[k])), k


def test_a_recorded_run_loads_exactly_as_training_leaves_everything(data, tmp_path, monkeypatch):
    monkeypatch.setenv(precomputed.RECORD_ENV, str(tmp_path))
    rng = np.random.default_rng(7)
    trained = _snapshot(*_run(data, seed=rng), rng)
    assert len(list(tmp_path.glob("*.npz"))) == 1
    assert not list(tmp_path.glob(".*"))                    # no temporary file left behind
    monkeypatch.delenv(precomputed.RECORD_ENV)
    monkeypatch.setenv(precomputed.FOLDER_ENV, str(tmp_path))

    def no_training(*args, **kwargs):
        raise AssertionError("trained although the run was recorded")
    monkeypatch.setattr(train, "_train", no_training)
    rng = np.random.default_rng(7)
    _assert_same(_snapshot(*_run(data, seed=rng), rng), trained)


def test_the_loaded_run_says_so_once_per_cell(data, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv(precomputed.RECORD_ENV, str(tmp_path))
    _run(data)
    monkeypatch.delenv(precomputed.RECORD_ENV)
    monkeypatch.setenv(precomputed.FOLDER_ENV, str(tmp_path))
    monkeypatch.setattr(precomputed, "_SAID", set())
    capsys.readouterr()
    _run(data)
    _run(data)
    said = capsys.readouterr().out
    assert said.count("computed ahead of time with this exact code") == 1


def test_a_run_that_is_not_recorded_trains_live_with_a_progress_bar(data, tmp_path, monkeypatch):
    monkeypatch.setenv(precomputed.FOLDER_ENV, str(tmp_path))     # an empty folder
    seen = []
    real = train._train
    monkeypatch.setattr(train, "_train", lambda *a, **kw: seen.append(kw["progress"]) or real(*a, **kw))
    monkeypatch.setattr(precomputed, "trained_live", precomputed.Counter())
    _, _, hist = _run(data, epochs=1)
    assert seen == [True] and hist.epochs == 1
    assert precomputed.trained_live == {"fit": 1}            # what the browser sweep counts


def _key(data, model=None, opt=None, **changes):
    x, y, xv, yv = data
    model = model or mlp((784, 20, 10), batchnorm=True, dropout=0.2, seed=3)
    opt = opt or Adam(lr=3e-3)
    options = dict(epochs=3, batch_size=50, schedule=Cosine(3e-3, 3), schedule_per="epoch", seed=0,
                   max_steps=None, augment=Augmenter(shift=1, rotate=5), early_stopping=2,
                   callbacks=(), on_step=None, progress=False, divergence_factor=1e3,
                   raise_on_divergence=False, eval_train=10000)
    options.update(changes.pop("options", {}))
    x = changes.pop("x", x)
    return precomputed.fit_key(model, opt, train._Data(model, x, y, xv, yv, 10000), options)


def test_every_input_of_fit_changes_the_key(data):
    base = _key(data)
    assert base is not None and base == _key(data)
    x_changed = data[0].copy()
    x_changed[5, 300] += 1e-12
    used_opt = Adam(lr=3e-3)
    used_opt.m = {"W1": np.ones(1)}
    other_layers = mlp((784, 20, 10), batchnorm=True, dropout=0.3, seed=3)
    changed = {
        "a data value": _key(data, x=x_changed),
        "the initial weights": _key(data, model=mlp((784, 20, 10), batchnorm=True, dropout=0.2, seed=4)),
        "the dropout ratio": _key(data, model=other_layers),
        "the learning rate": _key(data, opt=Adam(lr=1e-3)),
        "the optimizer's state": _key(data, opt=used_opt),
        "the optimizer": _key(data, opt=SGD(lr=3e-3)),
        "the seed": _key(data, options={"seed": 1}),
        "the epochs": _key(data, options={"epochs": 4}),
        "the schedule": _key(data, options={"schedule": Cosine(3e-3, 4)}),
        "the augmenter": _key(data, options={"augment": Augmenter(shift=2, rotate=5)}),
        "the patience": _key(data, options={"early_stopping": 3}),
        "max_steps": _key(data, options={"max_steps": 5}),
    }
    for what, key in changed.items():
        assert key is not None and key != base, what
    assert len(set(changed.values())) == len(changed)


def test_the_package_source_is_part_of_the_key(data, monkeypatch):
    base = _key(data)
    monkeypatch.setattr(precomputed, "_FINGERPRINT", [b"another version of the code"])
    assert _key(data) != base


def test_runs_that_depend_on_what_a_key_cannot_describe_are_never_looked_up(data):
    class MyLoss(SoftmaxCrossEntropy):
        pass

    class MySGD(SGD):
        pass

    custom_loss = mlp((784, 20, 10), seed=0)
    custom_loss.loss_layer = MyLoss()
    assert _key(data, options={"callbacks": (lambda h: None,)}) is None
    assert _key(data, options={"on_step": lambda h: None}) is None
    assert _key(data, options={"seed": None}) is None
    assert _key(data, options={"schedule": lambda t: 0.1}) is None
    assert _key(data, model=custom_loss) is None
    assert _key(data, opt=MySGD(lr=0.1)) is None


def test_a_loaded_diverged_run_speaks_the_current_language(data, tmp_path, monkeypatch):
    x, y, _, _ = data

    def diverging():
        return fit(mlp((784, 20, 10), seed=0), SGD(lr=50.0), x, y, epochs=2, progress=False)
    monkeypatch.setenv(precomputed.RECORD_ENV, str(tmp_path))
    english = diverging().diverged
    assert english.startswith("diverged at step")
    monkeypatch.delenv(precomputed.RECORD_ENV)
    monkeypatch.setenv(precomputed.FOLDER_ENV, str(tmp_path))
    previous = nnutils.i18n.language()
    nnutils.set_language("ko")
    try:
        korean = diverging().diverged
    finally:
        nnutils.set_language(previous)
    assert "발산" in korean and english.split("step ")[1].split(" ")[0] in korean


def test_native_kernels_neither_look_up_nor_record_by_default(data, monkeypatch):
    monkeypatch.delenv(precomputed.RECORD_ENV, raising=False)
    monkeypatch.delenv(precomputed.FOLDER_ENV, raising=False)
    monkeypatch.setattr(precomputed, "fit_key", lambda *a: pytest.fail("a key was computed"))
    _run(data, epochs=1)


def test_a_progress_function_reports_each_live_epoch_and_is_skipped_when_loaded(data, tmp_path,
                                                                               monkeypatch):
    seen = []
    monkeypatch.setenv(precomputed.RECORD_ENV, str(tmp_path))
    _run(data, progress=lambda h: seen.append(h.epochs))
    assert seen == [1, 2, 3]
    monkeypatch.delenv(precomputed.RECORD_ENV)
    monkeypatch.setenv(precomputed.FOLDER_ENV, str(tmp_path))
    _, _, hist = _run(data, progress=lambda h: seen.append(h.epochs))
    assert seen == [1, 2, 3] and hist.epochs == 3            # loaded: nothing to report


def test_int_labels_give_the_same_key_whatever_their_width(data):
    # the browser's numpy is 32-bit: its labels are int32 where a laptop's are int64
    x, y, xv, yv = data
    narrow = (x, y.astype(np.int32), xv, yv.astype(np.int32))
    assert _key(narrow) == _key(data)


def test_a_fit_too_small_to_be_worth_a_lookup_neither_records_nor_looks_up(data, tmp_path,
                                                                           monkeypatch):
    x, y, _, _ = data
    tiny = lambda: fit(mlp((784, 2, 10), seed=0), SGD(lr=0.1), x[:100], y[:100], epochs=1,  # noqa: E731
                       batch_size=50, progress=False)
    assert 100 * sum(p.size for p in mlp((784, 2, 10), seed=0).params.values()) < precomputed.MIN_WORK
    monkeypatch.setenv(precomputed.RECORD_ENV, str(tmp_path))
    tiny()
    assert not list(tmp_path.iterdir())
    monkeypatch.delenv(precomputed.RECORD_ENV)
    monkeypatch.setenv(precomputed.FOLDER_ENV, str(tmp_path))
    monkeypatch.setattr(precomputed, "fit_key", lambda *a: pytest.fail("a key was computed"))
    tiny()


def _record_and_pack(tmp_path, monkeypatch, produce):
    """produce() once with recording on; returns its value and the packed site folder, which
    lookups then read (NNUTILS_PRECOMPUTED)."""
    records, site = tmp_path / "records", tmp_path / "site"
    monkeypatch.setenv(precomputed.RECORD_ENV, str(records))
    value = produce()
    monkeypatch.delenv(precomputed.RECORD_ENV)
    precomputed.pack_results(records, site)
    monkeypatch.setenv(precomputed.FOLDER_ENV, str(site))
    monkeypatch.setattr(precomputed, "_TABLES", {})
    return value, records, site


def test_a_remembered_result_is_recorded_packed_and_loaded_without_computing(data, tmp_path,
                                                                              monkeypatch, capsys):
    x, y, _, _ = data

    def compute():
        model = mlp((784, 20, 10), seed=0)
        hist = fit(model, SGD(lr=0.1), x, y, epochs=1, batch_size=50, progress=False)
        return {"loss": hist.loss, "std": float("inf"), "note": None}
    value, records, site = _record_and_pack(
        tmp_path, monkeypatch, lambda: precomputed.remembered("toy", [0.1, True, "a"], compute))
    assert not list(records.glob("*.npz"))      # its fit is part of the result, not kept apart
    assert sorted(p.name for p in (site / "results").iterdir()) == ["toy.json"]
    monkeypatch.setattr(precomputed, "_SAID", set())
    capsys.readouterr()
    loaded = precomputed.remembered("toy", [0.1, True, "a"], lambda: pytest.fail("computed again"))
    assert loaded == value and len(loaded["loss"]) == 6
    assert "computed ahead of time" in capsys.readouterr().out
    calls = []
    monkeypatch.setattr(precomputed, "trained_live", precomputed.Counter())
    precomputed.remembered("toy", [0.2, True, "a"], lambda: calls.append(1))
    precomputed.remembered("other", [0.1, True, "a"], lambda: calls.append(2))
    assert calls == [1, 2]                      # other inputs, another name: computed
    assert precomputed.trained_live == {"toy": 1, "other": 1}


def test_a_loaded_search_trial_gives_the_trained_score_and_history(tmp_path, monkeypatch):
    from nnutils.experiments import random_search as rs

    def trials():
        rs.clear_search_cache()
        return [rs.search_trial(lr, 1e-6, epochs=2) for lr in (0.05, 80.0)]   # the 2nd diverges
    trained, _, _ = _record_and_pack(tmp_path, monkeypatch, trials)
    monkeypatch.setattr(rs, "train_trial", lambda *a: pytest.fail("trained again"))
    loaded = trials()
    assert trained[1][1]["diverged"] and loaded[1][1]["diverged"] == trained[1][1]["diverged"]
    for (score, extra), (score2, extra2) in zip(trained, loaded):
        assert score2 == score
        assert vars(extra2["history"]) == vars(extra["history"])
    rs.clear_search_cache()


def test_the_batch_norm_demo_draws_a_loaded_setting_as_a_trained_one(tmp_path, monkeypatch):
    from nnutils.demos import batchnorm as bn

    def draw(**setting):
        bn._RESULTS.clear()
        demo = bn.BatchNormDemo(epochs=1, **setting)
        return (list(demo.line.get_ydata()), [h.get_data().values.tolist() for h in demo.hist_after],
                demo.final_text.get_text(), demo.status.value)
    setting = dict(scale=1.0, batchnorm=False, lr=1.0)          # diverges: a message to render
    trained, _, _ = _record_and_pack(tmp_path, monkeypatch, lambda: draw(**setting))
    assert "diverged at step" in trained[3]
    monkeypatch.setattr(bn.BatchNormDemo, "_compute", lambda *a: pytest.fail("trained again"))
    assert draw(**setting) == trained
    bn._RESULTS.clear()
