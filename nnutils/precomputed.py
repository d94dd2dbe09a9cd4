"""Training runs computed ahead of time, for the browser edition (JupyterLite + Pyodide).

numpy in the browser trains 10-20x slower than on a laptop, so ``make lite`` first runs the
notebooks natively with ``NNUTILS_RECORD_RUNS=<folder>``: every ``fit`` whose result is fully
determined by its inputs writes what it produced (the trained model state, the optimizer's
state, the History) to ``<folder>/<key>.npz``. The key is a hash of everything fit reads: the
model's layers and state, the optimizer and its state, the data, every option, and the source
of this package. In the browser, ``fit`` looks its key up in the site's ``precomputed/`` folder
and, when the run is there, loads it instead of training, and says so; any other run trains live
with a progress bar. The loaded numbers are the native run's, so they are the numbers of the
native notebooks.

A fit is not looked up when it has callbacks or ``on_step`` (they may do anything with the
model), a seed that is not an int or a Generator, or a model, loss, optimizer, schedule or
augmenter that is not the package's own, or when it is so small that training it live costs
less than looking it up (``MIN_WORK``). What a loaded run does not restore: the gradients and
the layers' saved forward values of the last step.

An experiment whose result is a few numbers (a demo's curves, a search trial's score) is
remembered whole instead, with ``remembered(name, inputs, compute)``: its results are kept in
one JSON table per name, so a demo loads every recorded setting with one request, and the site
holds the numbers the figure shows rather than the trained weights.

``NNUTILS_PRECOMPUTED=<folder>`` makes a native kernel look runs up in a folder too (tests).
Files are numpy ``.npz`` without pickles; the non-array part is JSON.
"""

import hashlib
import io
import json
import os
import sys
from collections import Counter
from pathlib import Path

import numpy as np

from .i18n import tr

RECORD_ENV = "NNUTILS_RECORD_RUNS"
FOLDER_ENV = "NNUTILS_PRECOMPUTED"
SITE_FOLDER = "precomputed"          # next to index.html in the built site
IN_BROWSER = sys.platform == "emscripten"
_HISTORY_LISTS = ("loss", "lr", "train_loss", "train_acc", "val_loss", "val_acc")
_HISTORY_VALUES = ("steps", "epochs", "best_epoch", "stopped_early", "seconds")
# samples seen x parameters below which a fit trains live: training it costs about as much as
# hashing its inputs and fetching its file (lesson 10's playground fits one epoch at a time)
MIN_WORK = 2e6


# what was looked up, not found, and so trained live: "fit", or a remembered result's name
trained_live = Counter()


class _NotKeyable(Exception):
    """This fit depends on something a key cannot describe: it always trains."""


# --------------------------------------------------------------------------------- the key
def fit_key(model, optimizer, data, options):
    """The hex key of one fit, or None when the run cannot be looked up (see the module doc)."""
    try:
        if options.get("callbacks") or options.get("on_step") is not None:
            raise _NotKeyable
        h = hashlib.blake2b(digest_size=20)
        h.update(_package_fingerprint())
        describe = {"model": _model_description(model), "optimizer": _plain(optimizer, "optim"),
                    "options": {k: _option(k, v) for k, v in sorted(options.items())
                                if k not in ("callbacks", "on_step", "progress")}}
        h.update(json.dumps(describe, sort_keys=True).encode())
        for name, arr in [*sorted(model.state().items()), *_optimizer_arrays(optimizer),
                          *[(k, getattr(data, k)) for k in ("x", "y", "x_val", "y_val")]]:
            _feed(h, name, arr)
        return h.hexdigest()
    except _NotKeyable:
        return None


def _feed(h, name, arr):
    h.update(name.encode())
    if arr is None:
        h.update(b"None")
        return
    arr = np.ascontiguousarray(arr)
    if arr.dtype.kind in "iu":          # labels are np.intp: int64 here, int32 in the browser
        arr = arr.astype(np.int64)
    h.update(f"{arr.dtype.str}{arr.shape}".encode())
    h.update(arr.data)


def _model_description(model):
    from .losses import SoftmaxCrossEntropy
    from .model import Sequential
    if type(model) is not Sequential:
        raise _NotKeyable
    if not type(model.loss_layer).__module__.startswith("nnutils."):
        raise _NotKeyable
    layers = []
    for layer in model.layers:
        if not type(layer).__module__.startswith("nnutils."):
            raise _NotKeyable
        settings = {k: v for k, v in vars(layer).items()
                    if k != "train" and isinstance(v, (bool, int, float, str))}
        layers.append([repr(layer), settings, _generator_states(layer)])
    return {"layers": layers, "loss": type(model.loss_layer).__name__,
            "default_loss": isinstance(model.loss_layer, SoftmaxCrossEntropy),
            "penalty": [model.weight_decay, model.penalty_name, getattr(model, "l1_ratio", None)],
            "dtype": np.dtype(model.dtype).str}


def _generator_states(layer):
    return {k: v.bit_generator.state for k, v in sorted(vars(layer).items())
            if isinstance(v, np.random.Generator)}


def _plain(obj, module):
    """An object of nnutils.<module> as JSON: its class and its number/str attributes."""
    if obj is None:
        return None
    if type(obj).__module__ != f"nnutils.{module}":
        raise _NotKeyable
    out = {"class": type(obj).__name__}
    for k, v in sorted(vars(obj).items()):
        if v is None or isinstance(v, (bool, int, float, str)):
            out[k] = v
        elif type(v).__module__ == f"nnutils.{module}":
            out[k] = _plain(v, module)                     # e.g. Warmup(2, Cosine(...))
        elif not (isinstance(v, dict) and all(isinstance(a, np.ndarray) for a in v.values())):
            raise _NotKeyable                              # state dicts are hashed as arrays
    return out


def _optimizer_arrays(optimizer):
    return [(f"{name}/{key}", arr) for name in optimizer._STATE
            for key, arr in sorted(getattr(optimizer, name).items())]


def _option(name, value):
    if name == "seed":
        if isinstance(value, np.random.Generator):
            return value.bit_generator.state
        if isinstance(value, (bool, float)) or not isinstance(value, (int, np.integer)):
            raise _NotKeyable                              # None: a fresh random seed
        return int(value)
    if name == "schedule":
        return _plain(value, "schedules")
    if name == "augment":
        return _plain(value, "augment")
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    raise _NotKeyable


_FINGERPRINT = []


def _package_fingerprint():
    """A hash of this package's Python source: a run is looked up only by the code that made it."""
    if not _FINGERPRINT:
        root = Path(__file__).resolve().parent
        h = hashlib.blake2b(digest_size=20)
        for path in sorted(root.rglob("*.py")):
            h.update(path.relative_to(root).as_posix().encode())
            h.update(path.read_bytes())
        _FINGERPRINT.append(h.digest())
    return _FINGERPRINT[0]


# ------------------------------------------------------------------------ record and load
def run(train, model, optimizer, data, rng, options):
    """train(model, optimizer, data, rng, **options) -> History, or the same run loaded.

    A run that is looked up and not found trains with a progress bar, since it is slow here.
    """
    folder, looks_up = recording(), active()
    if (folder or looks_up) and (_INSIDE or _work(model, data, options) < MIN_WORK):
        folder, looks_up = None, False     # part of a remembered result, or cheaper to train
    key = fit_key(model, optimizer, data, options) if looks_up or folder else None
    entry = load(key) if key is not None and looks_up else None
    if entry is not None:
        return restore(entry, model, optimizer, rng, _history()())
    if key is not None and looks_up:
        trained_live["fit"] += 1
        if not callable(options["progress"]):
            options = dict(options, progress=True)
    hist = train(model, optimizer, data, rng, **options)
    if key is not None and folder:
        record(folder, key, model, optimizer, hist, rng)
    return hist


def _work(model, data, options):
    """Samples seen x parameters: what a fit's training time grows with."""
    per_epoch = len(data.x)
    steps = options["epochs"] * -(-per_epoch // options["batch_size"])
    if options["max_steps"] is not None:
        steps = min(steps, options["max_steps"])
    samples = steps * min(options["batch_size"], per_epoch)
    return samples * sum(p.size for p in model.params.values())


def _history():
    from .train import History
    return History


def recording():
    """The folder fit records its runs into (NNUTILS_RECORD_RUNS), or None."""
    return os.environ.get(RECORD_ENV) or None


def active():
    """True when fit looks runs up: in the browser site, or with NNUTILS_PRECOMPUTED set."""
    return IN_BROWSER or bool(os.environ.get(FOLDER_ENV))


def record(folder, key, model, optimizer, hist, rng):
    """Write one run to folder/key.npz (atomically: a half-written file is never read)."""
    arrays = {f"model/{k}": v for k, v in model.state().items()}
    arrays.update({f"optimizer/{k}": v for k, v in _optimizer_arrays(optimizer)})
    meta = {**history_as_json(hist),
            "optimizer": {k: v for k, v in vars(optimizer).items()
                          if isinstance(v, (bool, int, float, str))},
            "generators": {str(i): _generator_states(layer) for i, layer in enumerate(model.layers)},
            "rng": rng.bit_generator.state}
    arrays["meta"] = np.array(json.dumps(meta))
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **arrays)
    _write_atomically(Path(folder) / f"{key}.npz", buffer.getvalue())


def load(key):
    """The recorded run with this key as {name: array}, or None when there is none."""
    data = _read(f"{key}.npz")
    if data is None:
        return None
    with np.load(io.BytesIO(data), allow_pickle=False) as z:
        return {name: z[name] for name in z.files}


def restore(entry, model, optimizer, rng, history):
    """Put a recorded run into model, optimizer and the fit's Generator; fill `history`."""
    meta = json.loads(str(entry["meta"]))
    model.load_state({k[len("model/"):]: v for k, v in entry.items() if k.startswith("model/")})
    for k, v in meta["optimizer"].items():
        setattr(optimizer, k, v)
    for name in optimizer._STATE:
        store = getattr(optimizer, name)
        store.clear()
        prefix = f"optimizer/{name}/"
        store.update({k[len(prefix):]: v.copy() for k, v in entry.items() if k.startswith(prefix)})
    for i, states in meta["generators"].items():
        for attr, state in states.items():
            getattr(model.layers[int(i)], attr).bit_generator.state = state
    rng.bit_generator.state = meta["rng"]
    history_from_json(meta, history)
    _say_once()
    return history


# ------------------------------------------------------------------ remembered results
_INSIDE = []         # non-empty while a remembered result is computed: its fits just train
_TABLES = {}


def remembered(name, inputs, compute):
    """compute(), or its value recorded ahead of time for (name, inputs).

    inputs: numbers, strings, lists, dicts (JSON) that, with this package's source, fully
    determine the result; compute() returns JSON (lists, dicts, numbers, strings, None; a
    tuple comes back as a list). The fits inside compute() neither look up nor record: the
    result is what is kept.
    """
    key = _result_key(name, inputs)
    if active():
        table = _table(name)
        if key in table:
            _say_once()
            return table[key]
        trained_live[name] += 1
    _INSIDE.append(name)
    try:
        value = compute()
    finally:
        _INSIDE.pop()
    folder = recording()
    if folder:
        _write_atomically(Path(folder) / "results" / name / f"{key}.json",
                          json.dumps(value).encode())
    return value


def _result_key(name, inputs):
    h = hashlib.blake2b(digest_size=20)
    h.update(_package_fingerprint())
    h.update(json.dumps([name, inputs], sort_keys=True).encode())
    return h.hexdigest()


def _table(name):
    if name not in _TABLES:
        data = _read(f"results/{name}.json")
        _TABLES[name] = json.loads(data.decode()) if data is not None else {}
    return _TABLES[name]


def pack_results(records, site):
    """Gather the results recorded in records/results/<name>/<key>.json into one table per
    name, site/results/<name>.json, the file remembered() reads. Returns the tables' names."""
    names = []
    for folder in sorted(p for p in (Path(records) / "results").glob("*") if p.is_dir()):
        table = {f.stem: json.loads(f.read_text()) for f in sorted(folder.glob("*.json"))}
        _write_atomically(Path(site) / "results" / f"{folder.name}.json",
                          json.dumps(table, sort_keys=True).encode())
        names.append(folder.name)
    return names


def _write_atomically(path, data):
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.parent / f".{path.name}.{os.getpid()}.tmp"
    tmp.write_bytes(data)
    os.replace(tmp, path)


def history_as_json(hist):
    """A History as JSON: its fields, and whether it diverged (the message is rendered again
    when loaded, in the language of the moment)."""
    return {"history": {k: getattr(hist, k) for k in _HISTORY_LISTS + _HISTORY_VALUES},
            "diverged": hist.diverged is not None}


def history_from_json(saved, history=None):
    """The History that history_as_json saved (filled into `history` when given)."""
    history = _history()() if history is None else history
    for k, v in saved["history"].items():
        setattr(history, k, list(v) if k in _HISTORY_LISTS else v)
    if saved["diverged"]:
        history.diverged = diverged_message(history.steps + 1, history.lr[-1])
    return history


def diverged_message(step, lr):
    return tr("diverged at step {step} with lr={lr:g}; lower the learning rate", step=step, lr=lr)


_SAID = set()


def _say_once():
    """The notice, once per notebook cell (or once per program outside IPython)."""
    try:
        from IPython import get_ipython
        shell = get_ipython()
        cell = shell.execution_count if shell is not None else None
    except ImportError:
        cell = None
    if cell in _SAID:
        return
    _SAID.add(cell)
    print(tr("(training runs computed ahead of time with this exact code; "
             "run the notebook locally to retrain)"))


# ----------------------------------------------------------------------------- the store
_INDEX = []


def _read(name):
    """The bytes of a recorded file, or None: from NNUTILS_PRECOMPUTED, or the site's folder."""
    folder = os.environ.get(FOLDER_ENV)
    if folder:
        path = Path(folder) / name
        return path.read_bytes() if path.is_file() else None
    if not IN_BROWSER:
        return None
    if not _INDEX:                                 # one request for the list, not one per miss
        listing = _fetch("index.json")
        _INDEX.append(set(json.loads(listing.decode())) if listing else set())
    return _fetch(name) if name in _INDEX[0] else None


def _fetch(name):
    """A file of the site's precomputed/ folder, with a synchronous request (the kernel runs
    in a web worker, where that is allowed); None when the server does not have it."""
    import js  # Pyodide's bridge to the browser
    href = str(js.location.href)
    base = href.split("/extensions/")[0] if "/extensions/" in href else href.rsplit("/", 1)[0]
    request = js.XMLHttpRequest.new()
    request.open("GET", f"{base}/{SITE_FOLDER}/{name}", False)
    request.responseType = "arraybuffer"
    request.send()
    if request.status != 200:
        return None
    return bytes(js.Uint8Array.new(request.response).to_py())
