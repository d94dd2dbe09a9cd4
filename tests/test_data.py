"""The embedded MNIST sample, load_mnist, and (when available) the official MNIST files."""

import gzip
import hashlib
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from nnutils import data

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "data" / "mnist_sample.npz"
README = ROOT / "data" / "README.md"
OFFICIAL = ["train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
            "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"]
# published label counts of the official files
TRAIN_COUNTS = [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]
TEST_COUNTS = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]


def _official_dir():
    d = os.environ.get("NNUTILS_MNIST_DIR")
    if not d or not all((Path(d) / f).is_file() for f in OFFICIAL):
        pytest.skip("official MNIST files not available (set NNUTILS_MNIST_DIR to a folder with the 4 .gz files)")
    return Path(d)


def _raw_official(folder, prefix):
    """Read images/labels with plain gzip + numpy (independent of nnutils.idx)."""
    x = np.frombuffer(gzip.open(folder / f"{prefix}-images-idx3-ubyte.gz").read(), np.uint8, offset=16)
    y = np.frombuffer(gzip.open(folder / f"{prefix}-labels-idx1-ubyte.gz").read(), np.uint8, offset=8)
    return x.reshape(-1, 28, 28), y


# --- the committed file ------------------------------------------------------------------

def test_sample_sha256_matches_readme_and_code():
    digest = hashlib.sha256(SAMPLE.read_bytes()).hexdigest()
    in_readme = re.search(r"\*\*SHA-256:\*\* `([0-9a-f]{64})`", README.read_text()).group(1)
    assert digest == in_readme
    assert digest == data.SAMPLE_SHA256


def test_sample_size_in_readme():
    size = re.search(r"\*\*Size on disk:\*\* ([\d,]+) bytes", README.read_text()).group(1)
    assert int(size.replace(",", "")) == SAMPLE.stat().st_size
    assert SAMPLE.stat().st_size < 1_000_000


def test_sample_content_without_pickle():
    with np.load(SAMPLE, allow_pickle=False) as z:
        assert sorted(z.files) == ["images", "labels"]
        x, y = z["images"], z["labels"]
    assert x.dtype == np.uint8 and x.shape == (5000, 28, 28)
    assert y.dtype == np.uint8 and y.shape == (5000,)
    assert np.array_equal(np.bincount(y, minlength=10), [500] * 10)
    assert x.min() == 0 and x.max() == 255
    assert np.all(np.diff(y.astype(int)) >= 0)  # stored sorted by digit
    # real digits, not blank: every image has ink, typically 10-30% of the pixels
    ink = (x > 0).mean(axis=(1, 2))
    assert ink.min() > 0.02 and 0.1 < ink.mean() < 0.3


def test_load_mnist_sample_is_read_only_and_verified(monkeypatch, tmp_path):
    x, y = data.load_mnist_sample()
    assert not x.flags.writeable and not y.flags.writeable
    bad = tmp_path / "data"
    bad.mkdir()
    (bad / data.SAMPLE_NAME).write_bytes(SAMPLE.read_bytes()[:-10] + b"0123456789")
    monkeypatch.setattr(data, "_SAMPLE", None)
    monkeypatch.setattr(data, "_CANDIDATE_DATA_DIRS", [bad])
    with pytest.raises(ValueError, match="SHA-256"):
        data.load_mnist_sample()
    monkeypatch.setattr(data, "_CANDIDATE_DATA_DIRS", [tmp_path / "nowhere"])
    (tmp_path / "a" / "b").mkdir(parents=True)
    monkeypatch.chdir(tmp_path / "a" / "b")  # so that the ./data and ../data fallbacks find nothing
    with pytest.raises(FileNotFoundError, match="mnist_sample.npz"):
        data.load_mnist_sample()


# --- load_mnist on the sample --------------------------------------------------------------

def test_load_mnist_default_split():
    m = data.load_mnist()
    assert m.source == "sample"
    assert m.x_train.shape == (4000, 784) and m.x_test.shape == (1000, 784)
    assert m.x_val is None and m.y_val is None
    assert m.x_train.dtype == np.float32 and m.y_train.dtype == np.intp      # bincount-able everywhere
    assert 0.0 == m.x_train.min() and m.x_train.max() == 1.0
    assert np.array_equal(np.bincount(m.y_train), [400] * 10)
    assert np.array_equal(np.bincount(m.y_test), [100] * 10)
    # shuffled: not sorted by digit
    assert len(np.unique(m.y_train[:50])) >= 8


def test_load_mnist_parts_partition_the_sample():
    x, y = data.load_mnist_sample()
    m = data.load_mnist(validation=300, flatten=False)
    parts = [m.x_train, m.x_val, m.x_test]
    assert [len(p) for p in parts] == [3700, 300, 1000]
    got = np.concatenate(parts)
    labels = np.concatenate([m.y_train, m.y_val, m.y_test])
    # every sample image exactly once, with its own label: match rows by their bytes
    key = {x[i].tobytes(): i for i in range(len(x))}
    assert len(key) == 5000
    idx = np.array([key[np.round(g * 255).astype(np.uint8).tobytes()] for g in got])
    assert np.array_equal(np.sort(idx), np.arange(5000))
    assert np.array_equal(labels, y[idx])


def test_load_mnist_deterministic_per_seed():
    a, b, c = data.load_mnist(seed=1), data.load_mnist(seed=1), data.load_mnist(seed=2)
    assert np.array_equal(a.x_train, b.x_train) and np.array_equal(a.y_test, b.y_test)
    assert not np.array_equal(a.y_train, c.y_train)


def test_load_mnist_options():
    m = data.load_mnist(flatten=False, one_hot=True, validation=0.1)
    assert m.x_train.shape == (3600, 28, 28) and m.x_val.shape == (400, 28, 28)
    assert m.y_train.shape == (3600, 10) and m.y_train.dtype == np.float32
    assert np.all(m.y_train.sum(axis=1) == 1)
    assert np.array_equal(m.y_val.sum(axis=0), [40] * 10)
    flat = data.load_mnist(flatten=True)
    grid = data.load_mnist(flatten=False)
    assert np.array_equal(flat.x_train, grid.x_train.reshape(-1, 784))
    assert "x_train 4000×784" in repr(flat)
    m = data.load_mnist(test=500)
    assert len(m.x_train) == 4500 and len(m.x_test) == 500


@pytest.mark.parametrize("kw, exc, word", [
    ({"validation": -1}, ValueError, "validation"),
    ({"validation": 4001}, ValueError, "validation"),
    ({"validation": 1.5}, ValueError, "validation"),
    ({"validation": "10"}, TypeError, "validation"),
    ({"flatten": 1}, TypeError, "flatten"),
    ({"test": 6000}, ValueError, "test"),
])
def test_load_mnist_bad_arguments(kw, exc, word):
    with pytest.raises(exc, match=word):
        data.load_mnist(**kw)


def test_load_mnist_never_touches_the_network(monkeypatch):
    def no_network(*a, **k):
        raise AssertionError("network used")
    monkeypatch.setattr("urllib.request.urlopen", no_network)
    monkeypatch.setattr(data, "_SAMPLE", None)
    assert len(data.load_mnist().x_train) == 4000


@pytest.mark.parametrize("where", ["notebooks", "elsewhere"])
def test_load_mnist_from_another_working_directory(where, tmp_path):
    cwd = ROOT / "notebooks" if where == "notebooks" and (ROOT / "notebooks").is_dir() else tmp_path
    code = "from nnutils.data import load_mnist; m = load_mnist(); print(m.x_train.shape, m.y_test[:5])"
    out = subprocess.run([sys.executable, "-c", code], cwd=cwd, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("(4000, 784)")


# --- the official files (only when NNUTILS_MNIST_DIR points at them) ---------------------

def test_sample_is_first_500_of_each_digit_of_official_training_file():
    folder = _official_dir()
    x, y = _raw_official(folder, "train")
    idx = np.concatenate([np.flatnonzero(y == d)[:500] for d in range(10)])
    sx, sy = data.load_mnist_sample()
    assert np.array_equal(x[idx], sx)
    assert np.array_equal(y[idx], sy)


def test_full_mnist_from_official_files(monkeypatch, tmp_path):
    folder = _official_dir()
    # never write to or download into the real cache from a test
    monkeypatch.setattr(data, "MNIST_CACHE_DIR", tmp_path / "cache")
    monkeypatch.setattr(data, "MNIST_MIRRORS", [])
    m = data.load_mnist(full=True, download=False)
    assert m.source == "full"
    assert m.x_train.shape == (60000, 784) and m.x_test.shape == (10000, 784)
    assert np.array_equal(np.bincount(m.y_train), TRAIN_COUNTS)
    assert np.array_equal(np.bincount(m.y_test), TEST_COUNTS)
    assert m.x_train.dtype == np.float32 and m.x_train.min() == 0 and m.x_train.max() == 1
    x, y = _raw_official(folder, "t10k")
    assert np.array_equal(m.y_test, y)  # official order kept
    assert np.array_equal(np.round(m.x_test[:100] * 255).astype(np.uint8), x[:100].reshape(100, -1))
    assert not (tmp_path / "cache").exists()


def test_full_mnist_validation_split_official(monkeypatch, tmp_path):
    _official_dir()
    monkeypatch.setattr(data, "MNIST_CACHE_DIR", tmp_path / "cache")
    m = data.load_mnist(full=True, download=False, validation=5000, flatten=False)
    assert m.x_train.shape == (55000, 28, 28) and m.x_val.shape == (5000, 28, 28)
    counts = np.bincount(m.y_val)
    assert np.all(np.abs(counts - np.array(TRAIN_COUNTS) / 12) <= 1)  # stratified


# ---------------------------------------------------------------- corrupt_labels
def test_corrupt_labels_replaces_about_the_fraction_and_never_by_the_true_class():
    from nnutils.data import corrupt_labels
    y = np.arange(20000) % 10
    noisy = corrupt_labels(y, 0.3, seed=5)
    wrong = noisy != y
    assert abs(wrong.mean() - 0.3) < 0.02, wrong.mean()
    # a changed label is one of the nine others, each about equally often
    shifts = (noisy[wrong] - y[wrong]) % 10
    counts = np.bincount(shifts, minlength=10)
    assert counts[0] == 0 and counts[1:].min() > 0.8 * counts[1:].mean()
    np.testing.assert_array_equal(corrupt_labels(y, 0.3, seed=5), noisy)        # seeded
    assert not np.array_equal(corrupt_labels(y, 0.3, seed=6), noisy)
    np.testing.assert_array_equal(corrupt_labels(y, 0.0), y)
    assert np.all(corrupt_labels(y, 1.0) != y)
    assert noisy.dtype == y.dtype and y[3] == 3                                # input untouched


@pytest.mark.parametrize("y,fraction,match", [
    (np.array([0.5, 1.0]), 0.1, "integer labels"),
    (np.zeros((2, 2), dtype=int), 0.1, "integer labels"),
    (np.array([0, 1]), 1.5, r"in \[0, 1\]"),
    (np.array([0, 10]), 0.1, r"0\.\.9"),
])
def test_corrupt_labels_rejects_bad_input(y, fraction, match):
    from nnutils.data import corrupt_labels
    with pytest.raises(ValueError, match=match):
        corrupt_labels(y, fraction)
