"""Data for the course: MNIST (embedded sample or the full set), 2-D toy sets, splits, preprocessing.

    from nnutils.data import load_mnist, make_moons
    mnist = load_mnist()                    # embedded sample: 4,000 train / 1,000 test, offline
    mnist = load_mnist(validation=500)      # ... plus a stratified validation split of the train part
    mnist = load_mnist(full=True)           # the official 60,000 / 10,000 (local files or download)
    X, y = make_moons(200, noise=0.1, seed=0)

MNIST (Y. LeCun, C. Cortes, C. J. C. Burges) is under CC BY-SA 3.0; see data/README.md.
Nothing here unpickles anything: the sample is an .npz read with allow_pickle=False and the
full set is read from the official IDX files, each verified by its published SHA-256.
"""

import hashlib
import http.client
import os
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .checks import is_int

from .idx import IDXError, read_idx

__all__ = [
    "MNIST", "load_mnist", "load_mnist_sample", "mnist_files", "read_mnist", "MNISTUnavailable",
    "MNIST_FILES", "MNIST_SHA256", "MNIST_MIRRORS", "MNIST_ENV", "SAMPLE_SHA256",
    "make_xor", "make_circles", "make_moons", "make_spirals", "make_gaussians",
    "train_val_test_split", "stratified_split", "kfold", "Standardizer", "PCAWhitening",
    "corrupt_labels",
]

# ----------------------------------------------------------------------------------------
# Where the files live
# ----------------------------------------------------------------------------------------

# The package sits next to data/ in the repository (installed editable), so the sample is
# found from this file, whatever the current directory. The cwd fallbacks (added when looked
# up) cover a non-editable install run from the repository or from notebooks/.
_CANDIDATE_DATA_DIRS = [Path(__file__).resolve().parent.parent / "data"]
SAMPLE_NAME = "mnist_sample.npz"
# SHA-256 of data/mnist_sample.npz as built by data/build_mnist_sample.py (also in data/README.md).
SAMPLE_SHA256 = "63818dc867dd7ee1181196c2588842f34debadc19cc80dc16b1dc1401cbb62c4"

MNIST_ENV = "NNUTILS_MNIST_DIR"  # a folder holding the four official .gz files
MNIST_CACHE_DIR = None  # None -> data/mnist/ next to the sample (gitignored); tests may set a path

# The four official files and their published SHA-256 (the same values are published by
# TensorFlow Datasets, Guild AI and others; torchvision publishes the MD5s).
MNIST_FILES = {
    "train_images": "train-images-idx3-ubyte.gz",
    "train_labels": "train-labels-idx1-ubyte.gz",
    "test_images": "t10k-images-idx3-ubyte.gz",
    "test_labels": "t10k-labels-idx1-ubyte.gz",
}
MNIST_SHA256 = {
    "train-images-idx3-ubyte.gz": "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",
    "train-labels-idx1-ubyte.gz": "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",
    "t10k-images-idx3-ubyte.gz": "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
    "t10k-labels-idx1-ubyte.gz": "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
}
# Public mirrors, tried in order; a file is kept only if its SHA-256 matches.
MNIST_MIRRORS = [
    "https://ossci-datasets.s3.amazonaws.com/mnist/",      # torchvision's mirror
    "https://storage.googleapis.com/cvdf-datasets/mnist/",  # TensorFlow's mirror
    "http://yann.lecun.com/exdb/mnist/",                   # the original site
]
DOWNLOAD_TIMEOUT = 30  # seconds per connection attempt / read
_CHUNK = 1 << 16


class MNISTUnavailable(RuntimeError):
    """The full MNIST files could not be found, downloaded or verified."""


def _candidate_dirs():
    dirs = list(_CANDIDATE_DATA_DIRS)
    try:
        cwd = Path.cwd()
        dirs += [cwd / "data", cwd.parent / "data"]
    except OSError:  # the current directory was deleted
        pass
    return dirs


def _data_dir():
    for d in _candidate_dirs():
        if (d / SAMPLE_NAME).is_file():
            return d
    return _CANDIDATE_DATA_DIRS[0]


def _cache_dir():
    return Path(MNIST_CACHE_DIR) if MNIST_CACHE_DIR is not None else _data_dir() / "mnist"


def _sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


# ----------------------------------------------------------------------------------------
# The embedded sample
# ----------------------------------------------------------------------------------------

_SAMPLE = None


def load_mnist_sample():
    """The embedded sample as stored: (images uint8 (5000, 28, 28), labels uint8 (5000,)).

    Sorted by digit (500 each). Verified against SAMPLE_SHA256 once per session.
    Returns read-only arrays (shared between calls).
    """
    global _SAMPLE
    if _SAMPLE is None:
        path = _data_dir() / SAMPLE_NAME
        if not path.is_file():
            where = ", ".join(str(d) for d in _candidate_dirs())
            raise FileNotFoundError(
                f"the embedded MNIST sample {SAMPLE_NAME} was not found (looked in {where}). "
                "It is part of the course repository under data/; install the package from the "
                "repository with `pip install -e .` or run from the repository folder.")
        digest = _sha256_file(path)
        if digest != SAMPLE_SHA256:
            raise ValueError(
                f"{path}: SHA-256 {digest} does not match the expected {SAMPLE_SHA256}; the file "
                "is damaged (e.g. a line-ending conversion or a Git LFS pointer). Restore it with "
                "`git checkout -- data/mnist_sample.npz` or rebuild it with data/build_mnist_sample.py.")
        with np.load(path, allow_pickle=False) as z:
            images, labels = z["images"], z["labels"]
        images.setflags(write=False)
        labels.setflags(write=False)
        _SAMPLE = images, labels
    return _SAMPLE


# ----------------------------------------------------------------------------------------
# The full MNIST: local folder, cache, or verified download
# ----------------------------------------------------------------------------------------

def _where_to_put(cache):
    names = "\n".join(f"    {n}" for n in MNIST_FILES.values())
    return (f"To use the full MNIST offline, put the four official files (still gzipped)\n{names}\n"
            f"into {cache}, or into any folder and set the environment variable {MNIST_ENV} "
            "to that folder. Without them, load_mnist() (full=False) uses the embedded sample.")


def _read_chunks(response):
    """The body of an HTTP response in chunks (a separate function so tests can interrupt it)."""
    while True:
        chunk = response.read(_CHUNK)
        if not chunk:
            return
        yield chunk


def _download(url, dest, sha256, timeout):
    """Download url to dest atomically: temp file in dest's folder, verified, then renamed.

    Raises OSError/ValueError on any failure; never leaves a partial file behind.
    """
    dest = Path(dest)
    fd, tmp = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.name}.", suffix=".part")
    try:
        h = hashlib.sha256()
        received = 0
        request = urllib.request.Request(url, headers={"User-Agent": "nnutils (course data)"})
        with os.fdopen(fd, "wb") as out, urllib.request.urlopen(request, timeout=timeout) as r:
            length = r.headers.get("Content-Length")
            for chunk in _read_chunks(r):
                out.write(chunk)
                h.update(chunk)
                received += len(chunk)
            out.flush()
            os.fsync(out.fileno())
        if length is not None and received != int(length):
            raise ValueError(f"truncated download: got {received} of {length} bytes")
        if h.hexdigest() != sha256:
            raise ValueError(f"SHA-256 mismatch: got {h.hexdigest()}, expected {sha256}")
        os.replace(tmp, dest)  # atomic: dest is either absent or complete and verified
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def _remove_stale_parts(cache, name, age=3600):
    """Delete temporary files of downloads killed more than `age` seconds ago (kill -9, power cut)."""
    for part in cache.glob(f".{name}.*.part"):
        try:
            if time.time() - part.stat().st_mtime > age:
                part.unlink()
        except OSError:
            pass


def mnist_files(download=True, cache_dir=None, mirrors=None, checksums=None, timeout=None):
    """Paths of the four verified official MNIST files: {"train_images": Path, ...}.

    Looks, in order, in the folder named by $NNUTILS_MNIST_DIR, in the cache (data/mnist/),
    then downloads the missing ones from `mirrors` (default MNIST_MIRRORS, tried in turn) into
    the cache. Every file is checked against `checksums` (default MNIST_SHA256). A bad file in
    the cache is deleted; a bad file in $NNUTILS_MNIST_DIR is reported (it is yours, not ours).
    """
    cache = Path(cache_dir) if cache_dir is not None else _cache_dir()
    mirrors = list(MNIST_MIRRORS if mirrors is None else mirrors)
    checksums = MNIST_SHA256 if checksums is None else checksums
    timeout = DOWNLOAD_TIMEOUT if timeout is None else timeout
    user_dir = os.environ.get(MNIST_ENV)
    paths, notes = {}, []
    if user_dir and not Path(user_dir).is_dir():
        notes.append(f"${MNIST_ENV} is set to {user_dir}, which is not a folder")
    for key, name in MNIST_FILES.items():
        expected = checksums[name]
        if user_dir:
            p = Path(user_dir) / name
            if p.is_file():
                digest = _sha256_file(p)
                if digest != expected:
                    raise MNISTUnavailable(
                        f"{p} (from ${MNIST_ENV}): SHA-256 {digest} does not match the published "
                        f"{expected}; the file is corrupt or not the official one. Replace it or "
                        f"unset {MNIST_ENV}.")
                paths[key] = p
                continue
        p = cache / name
        if p.is_file():
            digest = _sha256_file(p)
            if digest == expected:
                paths[key] = p
                continue
            p.unlink()  # neither used nor kept
            notes.append(f"{p}: SHA-256 mismatch (got {digest}), deleted")
        if not download:
            raise MNISTUnavailable(f"{name} is not available locally and download=False.\n"
                                   + "\n".join(notes) + ("\n" if notes else "") + _where_to_put(cache))
        _download_from_mirrors(name, p, expected, mirrors, timeout, notes)
        paths[key] = p
    return paths


def _download_from_mirrors(name, path, expected, mirrors, timeout, notes):
    """Download one file into the cache from the first mirror that serves it verified."""
    cache = path.parent
    try:
        cache.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise MNISTUnavailable(f"cannot create the cache folder {cache}: {e}\n"
                               + _where_to_put(cache)) from None
    _remove_stale_parts(cache, name)
    errors = []
    for base in mirrors:
        url = base.rstrip("/") + "/" + name
        print(f"downloading {url}", file=sys.stderr, flush=True)  # a few seconds per file
        try:
            _download(url, path, expected, timeout)
            return
        except (OSError, ValueError, http.client.HTTPException) as e:  # URLError is an OSError
            errors.append(f"  {url}: {type(e).__name__}: {e}")
    raise MNISTUnavailable(
        f"could not download {name} from any mirror:\n" + "\n".join(errors or ["  (no mirrors)"])
        + "\n" + "\n".join(notes) + ("\n" if notes else "") + _where_to_put(cache))


def read_mnist(paths):
    """(x_train, y_train, x_test, y_test) as uint8 arrays from the four IDX files, with checks."""
    arrays = {}
    for key, p in paths.items():
        try:
            arrays[key] = read_idx(p)
        except IDXError as e:
            raise MNISTUnavailable(f"{p}: {e}") from None
    for part in ("train", "test"):
        x, y = arrays[f"{part}_images"], arrays[f"{part}_labels"]
        if x.dtype != np.uint8 or x.ndim != 3 or x.shape[1:] != (28, 28):
            raise MNISTUnavailable(f"{paths[part + '_images']}: expected uint8 images (n, 28, 28), "
                                   f"got {x.dtype} {x.shape}")
        if y.dtype != np.uint8 or y.shape != (len(x),) or (y.size and y.max() > 9):
            raise MNISTUnavailable(f"{paths[part + '_labels']}: expected {len(x)} uint8 labels 0-9, "
                                   f"got {y.dtype} {y.shape}")
    return arrays["train_images"], arrays["train_labels"], arrays["test_images"], arrays["test_labels"]


# ----------------------------------------------------------------------------------------
# load_mnist
# ----------------------------------------------------------------------------------------

@dataclass(frozen=True, eq=False, repr=False)
class MNIST:
    """The splits returned by load_mnist. x: float32 in [0, 1]; y: integer labels (numpy's
    platform int, np.intp: int64 here, int32 in the browser) or one-hot."""
    x_train: np.ndarray
    y_train: np.ndarray
    x_val: object  # ndarray, or None when validation=0
    y_val: object
    x_test: np.ndarray
    y_test: np.ndarray
    source: str = "sample"  # "sample" or "full"

    def __repr__(self):
        def shape(a):
            return "None" if a is None else "×".join(map(str, a.shape))
        return (f"MNIST({self.source}: x_train {shape(self.x_train)}, x_val {shape(self.x_val)}, "
                f"x_test {shape(self.x_test)}, float32 in [0, 1])")


def _count(value, n, what):
    """A split size given as a count (int) or a fraction of n (float in [0, 1))."""
    if isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{what}: expected an int count or a float fraction, got {value!r}")
    if isinstance(value, (int, np.integer)):
        if not 0 <= value <= n:
            raise ValueError(f"{what}: expected a count between 0 and {n}, got {value}")
        return int(value)
    if isinstance(value, (float, np.floating)):
        if not 0.0 <= value < 1.0:
            raise ValueError(f"{what}: expected a fraction in [0, 1), got {value}")
        return int(round(value * n))
    raise TypeError(f"{what}: expected an int count or a float fraction, got {type(value).__name__}")


def _labels_1d(y, what="y"):
    y = np.asarray(y)
    if y.ndim == 2:  # one-hot
        y = y.argmax(axis=1)
    if y.ndim != 1:
        raise ValueError(f"{what}: expected integer labels (n,) or one-hot (n, k), got shape {y.shape}")
    return y


def stratified_split(y, sizes, seed=0, stratify=True):
    """Split indices 0..n-1 into len(sizes)+1 disjoint groups; group i has sizes[i] elements.

    The last group gets the rest. With stratify=True each group keeps the class proportions
    of y (largest-remainder rounding per class, so the totals are exact). Each group is shuffled.
    """
    y = _labels_1d(y)
    n = len(y)
    sizes = [int(s) for s in sizes]
    if any(s < 0 for s in sizes) or sum(sizes) > n:
        raise ValueError(f"sizes: expected non-negative sizes summing to at most {n}, got {sizes}")
    rng = np.random.default_rng(seed)
    sizes = sizes + [n - sum(sizes)]
    if not stratify:
        order = rng.permutation(n)
        return np.split(order, np.cumsum(sizes)[:-1])
    classes, y_idx = np.unique(y, return_inverse=True)
    members = [rng.permutation(np.flatnonzero(y_idx == c)) for c in range(len(classes))]
    counts = np.array([len(m) for m in members])
    # quota[c, g]: how many of class c go to group g, rounding so that rows sum to the class
    # size and columns sum to the group size (a transport-style allocation, greedy by remainder).
    share = counts[:, None] * np.array(sizes)[None, :] / max(n, 1)
    quota = np.floor(share).astype(int)
    for g in range(len(sizes)):  # top up each group, preferring classes with the largest remainder
        need = sizes[g] - quota[:, g].sum()
        rest = counts - quota.sum(axis=1)
        order = np.argsort(-(share[:, g] - quota[:, g]), kind="stable")
        for c in order:
            if need <= 0:
                break
            if rest[c] > 0:
                quota[c, g] += 1
                rest[c] -= 1
                need -= 1
    groups = [[] for _ in sizes]
    for c, m in enumerate(members):
        start = 0
        for g, q in enumerate(quota[c]):
            groups[g].append(m[start:start + q])
            start += q
    return [rng.permutation(np.concatenate(g)) if g else np.array([], int) for g in groups]


def _one_hot(y, k=10):
    out = np.zeros((len(y), k), dtype=np.float32)
    out[np.arange(len(y)), y] = 1.0
    return out


def load_mnist(flatten=True, one_hot=False, validation=0, full=False, seed=0, test=1000, download=True):
    """MNIST as float32 images in [0, 1] and np.intp labels (or float32 one-hot).

    full=False (default): the embedded sample of 5,000 real digits (500 per class), split by a
    seeded, stratified draw into 4,000 train / `test`=1,000 test; same result on every machine.
    full=True: the official 60,000 train / 10,000 test (official order), from $NNUTILS_MNIST_DIR,
    the data/mnist/ cache, or a verified download (download=False: never touch the network).
    validation: a count (int) or fraction (float) taken, stratified, out of the train part.
    flatten: x of shape (n, 784), else (n, 28, 28).
    """
    for name, flag in (("flatten", flatten), ("one_hot", one_hot), ("full", full), ("download", download)):
        if not isinstance(flag, (bool, np.bool_)):
            raise TypeError(f"{name}: expected True or False, got {flag!r}")
    if full:
        x_tr, y_tr, x_te, y_te = read_mnist(mnist_files(download=download))
        n_val = _count(validation, len(y_tr), "validation")
        if n_val:
            val_idx, tr_idx = stratified_split(y_tr, [n_val], seed=seed)
            val_idx, tr_idx = np.sort(val_idx), np.sort(tr_idx)  # keep the official order
            x_va, y_va, x_tr, y_tr = x_tr[val_idx], y_tr[val_idx], x_tr[tr_idx], y_tr[tr_idx]
        source = "full"
    else:
        images, labels = load_mnist_sample()
        n_test = _count(test, len(labels), "test")
        n_val = _count(validation, len(labels) - n_test, "validation")
        # the sample is sorted by digit; stratified_split shuffles each part (seeded)
        te, va, tr = stratified_split(labels, [n_test, n_val], seed=seed)
        x_tr, y_tr, x_te, y_te = images[tr], labels[tr], images[te], labels[te]
        if n_val:
            x_va, y_va = images[va], labels[va]
        source = "sample"

    def x_out(x):
        x = x.astype(np.float32) / np.float32(255.0)
        return x.reshape(len(x), -1) if flatten else x

    def y_out(y):
        # np.intp, the platform's int: np.bincount and indexing take it on 32-bit platforms
        # (Pyodide) too, where int64 would need an unsafe cast
        y = y.astype(np.intp)
        return _one_hot(y) if one_hot else y

    if n_val:
        x_va, y_va = x_out(x_va), y_out(y_va)
    else:
        x_va = y_va = None
    return MNIST(x_out(x_tr), y_out(y_tr), x_va, y_va, x_out(x_te), y_out(y_te), source)


def corrupt_labels(y, fraction, n_classes=10, seed=0):
    """A copy of the integer labels `y` in which each label, with probability `fraction`, is
    replaced by one of the other n_classes − 1 classes (uniformly): mislabelled examples that a
    big network memorises and that regularization keeps it from learning."""
    y = np.asarray(y)
    if y.ndim != 1 or not np.issubdtype(y.dtype, np.integer):
        raise ValueError(f"y: expected integer labels of shape (n,), got {y.dtype} {y.shape}")
    if not (0.0 <= fraction <= 1.0):
        raise ValueError(f"fraction of labels to corrupt must be in [0, 1], got {fraction!r}")
    if y.size and (y.min() < 0 or y.max() >= n_classes):
        raise ValueError(f"labels must lie in 0..{n_classes - 1}, got {y.min()}..{y.max()}")
    rng = np.random.default_rng(seed)
    wrong = rng.random(y.shape) < fraction
    shift = rng.integers(1, n_classes, size=y.shape)          # 1..k-1: never the true class
    return np.where(wrong, (y + shift) % n_classes, y).astype(y.dtype)


# ----------------------------------------------------------------------------------------
# 2-D toy sets: X float32 (n, 2), y np.intp. Point i belongs to class i % k, so the classes are
# balanced and interleaved; noise is the std of Gaussian noise added to each coordinate.
# ----------------------------------------------------------------------------------------

def _check_toy(n, noise, k=1, what_k="classes"):
    if not is_int(n) or n < k:
        why = f" (at least one point for each of the {k} {what_k})" if k > 1 else ""
        raise ValueError(f"n: expected an int >= {k}{why}, got {n!r}")
    if not (isinstance(noise, (int, float, np.integer, np.floating)) and np.isfinite(noise) and noise >= 0):
        raise ValueError(f"noise: expected a finite number >= 0, got {noise!r}")


def _finish(x, y, noise, rng):
    x = x + noise * rng.standard_normal(x.shape)
    return x.astype(np.float32), y.astype(np.intp)


def make_xor(n=200, noise=0.0, seed=0):
    """XOR: points at the four corners (0,0)->0, (0,1)->1, (1,0)->1, (1,1)->0, plus noise.

    noise=0 gives the exact truth table (n=4 gives it once); noise≈0.1-0.2 gives four clouds.
    """
    _check_toy(n, noise)
    rng = np.random.default_rng(seed)
    corners = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float64)
    c = np.arange(n) % 4
    return _finish(corners[c], np.array([0, 1, 1, 0])[c], noise, rng)


def make_circles(n=200, noise=0.1, seed=0, factor=0.5):
    """Two concentric circles: class 0 on radius 1, class 1 on radius `factor`."""
    _check_toy(n, noise, 2)
    if not 0 < factor < 1:
        raise ValueError(f"factor: expected the inner radius in (0, 1), got {factor!r}")
    rng = np.random.default_rng(seed)
    y = np.arange(n) % 2
    angle = rng.uniform(0, 2 * np.pi, n)
    radius = np.where(y == 0, 1.0, factor)
    x = radius[:, None] * np.stack([np.cos(angle), np.sin(angle)], axis=1)
    return _finish(x, y, noise, rng)


def make_moons(n=200, noise=0.1, seed=0):
    """Two interleaving half circles (as in scikit-learn): class 0 on top, class 1 below."""
    _check_toy(n, noise, 2)
    rng = np.random.default_rng(seed)
    y = np.arange(n) % 2
    t = rng.uniform(0, np.pi, n)
    x = np.where(y[:, None] == 0,
                 np.stack([np.cos(t), np.sin(t)], axis=1),
                 np.stack([1 - np.cos(t), 0.5 - np.sin(t)], axis=1))
    return _finish(x, y, noise, rng)


def make_spirals(n=200, arms=2, noise=0.1, seed=0, turns=1.0):
    """`arms` interleaved spirals from the centre out to radius 1, one class per arm."""
    if not is_int(arms) or arms < 2:
        raise ValueError(f"arms: expected an int >= 2, got {arms!r}")
    _check_toy(n, noise, arms, "arms")
    if not turns > 0:
        raise ValueError(f"turns: expected a number > 0, got {turns!r}")
    rng = np.random.default_rng(seed)
    y = np.arange(n) % arms
    r = rng.uniform(0.05, 1.0, n)
    angle = 2 * np.pi * (y / arms + turns * r)
    x = r[:, None] * np.stack([np.cos(angle), np.sin(angle)], axis=1)
    return _finish(x, y, noise, rng)


def make_gaussians(n=200, centers=2, noise=0.5, seed=0):
    """Gaussian blobs with std `noise`: centers is a count (placed on a circle of radius 2)
    or an array (k, 2) of centre coordinates. Class i is the blob around centers[i]."""
    if is_int(centers):
        if centers < 1:
            raise ValueError(f"centers: expected a count >= 1 or an array (k, 2), got {centers}")
        a = 2 * np.pi * np.arange(centers) / centers + np.pi / 4
        centers = 2.0 * np.stack([np.cos(a), np.sin(a)], axis=1)
    centers = np.asarray(centers, dtype=np.float64)
    if centers.ndim != 2 or centers.shape[1] != 2 or len(centers) < 1:
        raise ValueError(f"centers: expected a count or an array of shape (k, 2), got shape {centers.shape}")
    k = len(centers)
    _check_toy(n, noise, k, "centers")
    rng = np.random.default_rng(seed)
    y = np.arange(n) % k
    return _finish(centers[y], y, noise, rng)


# ----------------------------------------------------------------------------------------
# Splits
# ----------------------------------------------------------------------------------------

def train_val_test_split(x, y, val=0.1, test=0.1, stratify=True, seed=0):
    """((x_train, y_train), (x_val, y_val), (x_test, y_test)); val/test as fractions or counts.

    stratify=True keeps the class proportions of y in every part. Each part is shuffled (seeded).
    """
    x, y = np.asarray(x), np.asarray(y)
    if len(x) != len(y):
        raise ValueError(f"x, y: expected the same number of rows, got {len(x)} and {len(y)}")
    n = len(y)
    n_test = _count(test, n, "test")
    n_val = _count(val, n, "val")
    if n_val + n_test > n:
        raise ValueError(f"val, test: together they ask for {n_val + n_test} of {n} rows")
    va, te, tr = stratified_split(y, [n_val, n_test], seed=seed, stratify=stratify)
    return (x[tr], y[tr]), (x[va], y[va]), (x[te], y[te])


def kfold(n, k=5, seed=0, y=None):
    """Yield k pairs (train_idx, val_idx) over 0..n-1: disjoint validation folds covering
    everything once, fold sizes differing by at most 1. Pass y for stratified folds."""
    if not is_int(n) or n < 2:
        raise ValueError(f"n: expected an int >= 2, got {n!r}")
    if not is_int(k) or not 2 <= k <= n:
        raise ValueError(f"k: expected an int between 2 and n={n}, got {k!r}")
    rng = np.random.default_rng(seed)
    if y is None:
        order = rng.permutation(n)
    else:
        y = _labels_1d(y)
        if len(y) != n:
            raise ValueError(f"y: expected {n} labels, got {len(y)}")
        # deal each class's (shuffled) members round-robin onto the folds
        order = np.concatenate([rng.permutation(np.flatnonzero(y == c)) for c in np.unique(y)])
    fold_of = np.empty(n, dtype=int)
    fold_of[order] = np.arange(n) % k
    for f in range(k):
        yield np.flatnonzero(fold_of != f), np.flatnonzero(fold_of == f)


# ----------------------------------------------------------------------------------------
# Preprocessing: fit on the training split only, then apply the same numbers everywhere.
# ----------------------------------------------------------------------------------------

def _as_2d(x, what="x"):
    x = np.asarray(x)
    if x.ndim != 2:
        raise ValueError(f"{what}: expected a 2-D array (n_samples, n_features), got shape {x.shape}")
    if not np.issubdtype(x.dtype, np.number):
        raise TypeError(f"{what}: expected numbers, got dtype {x.dtype}")
    return x


def _fitted_input(prep, x):
    """x as 2-D with the number of features `prep` (a Standardizer, PCAWhitening) was fit on."""
    if prep.mean_ is None:
        raise RuntimeError(f"{type(prep).__name__}: call fit(x_train) before transform")
    x = _as_2d(x)
    if x.shape[1] != len(prep.mean_):
        raise ValueError(f"x: expected {len(prep.mean_)} features (as in fit), got {x.shape[1]}")
    return x


class Standardizer:
    """Zero-centering (center) and scaling to unit variance (scale), per feature.

    fit(x_train) learns mean_ and std_ from the training split only; transform(x) applies
    them to any split, so validation/test data never influence the preprocessing (no leak).
    Features with zero variance (e.g. MNIST's blank border pixels) are left unscaled.
    """

    def __init__(self, center=True, scale=True):
        self.center, self.scale = center, scale
        self.mean_ = self.std_ = None

    def fit(self, x):
        x = _as_2d(x).astype(np.float64)
        self.mean_ = x.mean(axis=0) if self.center else np.zeros(x.shape[1])
        std = x.std(axis=0) if self.scale else np.ones(x.shape[1])
        self.std_ = np.where(std > 1e-8, std, 1.0)  # constant feature: avoid dividing by 0
        return self

    def transform(self, x):
        x = _fitted_input(self, x)
        dtype = x.dtype if np.issubdtype(x.dtype, np.floating) else np.float32
        return ((x - self.mean_) / self.std_).astype(dtype)

    def fit_transform(self, x):
        return self.fit(x).transform(x)

    def inverse_transform(self, z):
        z = _fitted_input(self, z)
        return (z * self.std_ + self.mean_).astype(z.dtype)


class PCAWhitening:
    """PCA whitening: rotate onto the principal axes and divide by sqrt(variance + eps).

    z = (x - mean) @ U_k / sqrt(S_k + eps), so the training data has (about) identity covariance.
    n_components keeps the k largest axes (None: all). zca=True rotates back (z @ U_k.T), which
    keeps the image look. Fit on the training split only, like Standardizer.
    """

    def __init__(self, n_components=None, eps=1e-5, zca=False):
        if n_components is not None and (not isinstance(n_components, (int, np.integer)) or n_components < 1):
            raise ValueError(f"n_components: expected None or an int >= 1, got {n_components!r}")
        if not eps >= 0:
            raise ValueError(f"eps: expected a number >= 0, got {eps!r}")
        self.n_components, self.eps, self.zca = n_components, eps, zca
        self.mean_ = self.components_ = self.explained_variance_ = None

    def fit(self, x):
        x = _as_2d(x).astype(np.float64)
        k = x.shape[1] if self.n_components is None else self.n_components
        if k > x.shape[1]:
            raise ValueError(f"n_components: at most {x.shape[1]} (the number of features), got {k}")
        self.mean_ = x.mean(axis=0)
        xc = x - self.mean_
        cov = xc.T @ xc / max(len(x) - 1, 1)
        var, vecs = np.linalg.eigh(cov)         # ascending eigenvalues
        top = np.argsort(var)[::-1][:k]
        self.explained_variance_ = np.clip(var[top], 0.0, None)
        self.components_ = vecs[:, top].T       # (k, n_features), rows = principal axes
        return self

    def transform(self, x):
        x = _fitted_input(self, x)
        z = (x - self.mean_) @ self.components_.T / np.sqrt(self.explained_variance_ + self.eps)
        if self.zca:
            z = z @ self.components_
        dtype = x.dtype if np.issubdtype(x.dtype, np.floating) else np.float32
        return z.astype(dtype)

    def fit_transform(self, x):
        return self.fit(x).transform(x)
