"""The full-MNIST download path, run for real against a loopback HTTP server.

The server (started here, 127.0.0.1, a free port, in a thread) serves small generated IDX
files under several "mirrors" that misbehave in different ways. Each scenario must end with
either the four verified files in the cache or a clear error -- never a partial file.
"""

import gzip
import hashlib
import http.server
import os
import struct
import threading

import numpy as np
import pytest

from nnutils import data

NAMES = list(data.MNIST_FILES.values())


def _idx(array, code_dims):
    """IDX bytes built by hand (independent of nnutils.idx), gzipped with a fixed mtime."""
    header = struct.pack(">HBB", 0, 0x08, array.ndim) + struct.pack(f">{array.ndim}I", *array.shape)
    return gzip.compress(header + array.astype(np.uint8).tobytes(), mtime=0)


@pytest.fixture(scope="module")
def files():
    rng = np.random.default_rng(0)
    x_train = rng.integers(0, 256, size=(30, 28, 28))  # random pixels: gzip cannot shrink them much
    y_train = np.arange(30) % 10
    x_test = rng.integers(0, 256, size=(10, 28, 28))
    y_test = np.arange(10)[::-1]
    blobs = dict(zip(NAMES, [_idx(x_train, 3), _idx(y_train, 1), _idx(x_test, 3), _idx(y_test, 1)]))
    arrays = {"x_train": x_train, "y_train": y_train, "x_test": x_test, "y_test": y_test}
    return blobs, arrays


@pytest.fixture(scope="module")
def checksums(files):
    blobs, _ = files
    return {name: hashlib.sha256(b).hexdigest() for name, b in blobs.items()}


@pytest.fixture(scope="module")
def server(files):
    """Mirrors: /good/ serves the files, /missing/ 404s, /truncated/ closes the connection
    halfway through the body, /wrong/ serves other bytes (a wrong checksum)."""
    blobs, _ = files
    log = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            log.append(self.path)
            _, mirror, name = self.path.split("/", 2)
            body = blobs.get(name)
            if mirror == "missing" or body is None:
                self.send_error(404)
                return
            if mirror == "chunked":  # a chunked body cut off inside a chunk
                self.protocol_version = "HTTP/1.1"
                self.send_response(200)
                self.send_header("Transfer-Encoding", "chunked")
                self.end_headers()
                self.wfile.write(b"%x\r\n" % len(body) + body[:100])
                self.close_connection = True
                return
            if mirror == "wrong":
                body = body[:-4] + b"\x00\x00\x00\x00"
            self.send_response(200)
            self.send_header("Content-Type", "application/octet-stream")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if mirror == "truncated":
                self.wfile.write(body[: len(body) // 2])
                self.close_connection = True
                return
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{httpd.server_address[1]}"
    yield base, log
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(autouse=True)
def isolated(monkeypatch, tmp_path):
    """No real MNIST folder, no proxy, small chunks (so 'halfway' means something)."""
    monkeypatch.delenv(data.MNIST_ENV, raising=False)
    for var in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
    monkeypatch.setattr(data, "_CHUNK", 1024)
    monkeypatch.setattr(data, "MNIST_MIRRORS", ["http://127.0.0.1:9/never-used-by-these-tests/"])


def _fetch(cache, mirrors, checksums, **kw):
    return data.mnist_files(cache_dir=cache, mirrors=mirrors, checksums=checksums, timeout=10, **kw)


def _cache_listing(cache):
    return sorted(p.name for p in cache.iterdir()) if cache.exists() else []


def _assert_verified(cache, files):
    blobs, _ = files
    assert _cache_listing(cache) == sorted(NAMES)  # the four files, and nothing else (no .part)
    for name, blob in blobs.items():
        assert (cache / name).read_bytes() == blob


def test_success(server, files, checksums, tmp_path):
    base, log = server
    cache = tmp_path / "cache"
    paths = _fetch(cache, [base + "/good/"], checksums)
    assert set(paths) == set(data.MNIST_FILES)
    _assert_verified(cache, files)
    # second call: served from the cache, no request
    n = len(log)
    _fetch(cache, [base + "/good/"], checksums)
    assert len(log) == n


def test_404_then_next_mirror(server, files, checksums, tmp_path):
    base, log = server
    cache = tmp_path / "cache"
    _fetch(cache, [base + "/missing/", base + "/good"], checksums)
    _assert_verified(cache, files)
    assert "/missing/train-images-idx3-ubyte.gz" in log and "/good/train-images-idx3-ubyte.gz" in log


def test_truncated_body_is_an_error_and_leaves_nothing(server, checksums, tmp_path):
    base, _ = server
    cache = tmp_path / "cache"
    with pytest.raises(data.MNISTUnavailable, match="truncated") as e:
        _fetch(cache, [base + "/truncated/"], checksums)
    assert "NNUTILS_MNIST_DIR" in str(e.value)
    assert _cache_listing(cache) == []


def test_truncated_then_good_mirror(server, files, checksums, tmp_path):
    base, _ = server
    cache = tmp_path / "cache"
    _fetch(cache, [base + "/truncated/", base + "/good/"], checksums)
    _assert_verified(cache, files)


def test_broken_chunked_body_then_good_mirror(server, files, checksums, tmp_path):
    base, _ = server
    cache = tmp_path / "cache"
    with pytest.raises(data.MNISTUnavailable, match="IncompleteRead"):
        _fetch(cache, [base + "/chunked/"], checksums)
    assert _cache_listing(cache) == []
    _fetch(cache, [base + "/chunked/", base + "/good/"], checksums)
    _assert_verified(cache, files)


def test_stale_partial_files_from_a_killed_run_are_removed(server, files, checksums, tmp_path):
    base, _ = server
    cache = tmp_path / "cache"
    cache.mkdir()
    stale = cache / f".{NAMES[0]}.abc123.part"
    stale.write_bytes(b"half a download")
    os.utime(stale, (0, 0))  # last touched long ago
    _fetch(cache, [base + "/good/"], checksums)
    _assert_verified(cache, files)


def test_wrong_checksum_is_an_error_and_leaves_nothing(server, checksums, tmp_path):
    base, _ = server
    cache = tmp_path / "cache"
    with pytest.raises(data.MNISTUnavailable, match="SHA-256 mismatch"):
        _fetch(cache, [base + "/wrong/"], checksums)
    assert _cache_listing(cache) == []


@pytest.mark.parametrize("error", [KeyboardInterrupt, OSError])
def test_write_interrupted_halfway(server, files, checksums, tmp_path, monkeypatch, error):
    base, _ = server
    cache = tmp_path / "cache"
    real = data._read_chunks
    seen = []

    def interrupted(response):
        for i, chunk in enumerate(real(response)):
            if i == 3:  # a few chunks are already on disk in the temporary file
                seen.append(sorted(p.name for p in cache.iterdir()))
                raise error("interrupted halfway (simulated)")
            yield chunk

    monkeypatch.setattr(data, "_read_chunks", interrupted)
    expected = KeyboardInterrupt if error is KeyboardInterrupt else data.MNISTUnavailable
    with pytest.raises(expected, match="interrupted halfway"):
        _fetch(cache, [base + "/good/"], checksums)
    assert seen and any(name.endswith(".part") for name in seen[0])  # it really was mid-write
    assert _cache_listing(cache) == []
    # and a later, uninterrupted run succeeds
    monkeypatch.setattr(data, "_read_chunks", real)
    _fetch(cache, [base + "/good/"], checksums)
    _assert_verified(cache, files)


def test_offline_message_says_where_to_put_the_files(checksums, tmp_path):
    cache = tmp_path / "cache"
    with pytest.raises(data.MNISTUnavailable) as e:
        _fetch(cache, ["http://127.0.0.1:9/"], checksums)  # discard port: connection refused
    msg = str(e.value)
    assert all(name in msg for name in NAMES)
    assert str(cache) in msg and "NNUTILS_MNIST_DIR" in msg
    assert _cache_listing(cache) == []


def test_download_false_does_not_use_the_network(server, checksums, tmp_path):
    base, log = server
    n = len(log)
    with pytest.raises(data.MNISTUnavailable, match="download=False"):
        _fetch(tmp_path / "cache", [base + "/good/"], checksums, download=False)
    assert len(log) == n


def test_corrupt_cached_file_is_replaced(server, files, checksums, tmp_path):
    base, _ = server
    cache = tmp_path / "cache"
    _fetch(cache, [base + "/good/"], checksums)
    (cache / NAMES[0]).write_bytes(b"<html>not found</html>")
    _fetch(cache, [base + "/good/"], checksums)
    _assert_verified(cache, files)


def test_corrupt_cached_file_offline_is_deleted(checksums, tmp_path):
    cache = tmp_path / "cache"
    cache.mkdir()
    (cache / NAMES[0]).write_bytes(b"garbage")
    with pytest.raises(data.MNISTUnavailable, match="deleted"):
        _fetch(cache, [], checksums)
    assert _cache_listing(cache) == []


def test_env_folder_comes_first(server, files, checksums, tmp_path, monkeypatch):
    base, log = server
    blobs, _ = files
    folder = tmp_path / "mine"
    folder.mkdir()
    for name, blob in blobs.items():
        (folder / name).write_bytes(blob)
    monkeypatch.setenv(data.MNIST_ENV, str(folder))
    n = len(log)
    paths = _fetch(tmp_path / "cache", [base + "/good/"], checksums)
    assert all(p.parent == folder for p in paths.values())
    assert len(log) == n and not (tmp_path / "cache").exists()
    # a corrupt file there is reported, not deleted (it is the user's)
    (folder / NAMES[2]).write_bytes(blobs[NAMES[2]][:-1])
    with pytest.raises(data.MNISTUnavailable, match=NAMES[2]):
        _fetch(tmp_path / "cache", [base + "/good/"], checksums)
    assert (folder / NAMES[2]).exists()


def test_load_mnist_full_end_to_end(server, files, checksums, tmp_path, monkeypatch):
    base, _ = server
    _, arrays = files
    monkeypatch.setattr(data, "MNIST_MIRRORS", [base + "/missing/", base + "/good/"])
    monkeypatch.setattr(data, "MNIST_SHA256", checksums)
    monkeypatch.setattr(data, "MNIST_CACHE_DIR", tmp_path / "cache")
    m = data.load_mnist(full=True)
    assert m.source == "full"
    assert m.x_train.shape == (30, 784) and m.x_test.shape == (10, 784)
    assert np.allclose(m.x_train * 255, arrays["x_train"].reshape(30, -1), atol=1e-3)
    assert np.array_equal(m.y_train, arrays["y_train"]) and np.array_equal(m.y_test, arrays["y_test"])
    m = data.load_mnist(full=True, validation=10, one_hot=True)
    assert m.x_val.shape == (10, 784) and np.array_equal(m.y_val.sum(axis=0), np.ones(10))


def test_valid_checksum_but_not_mnist_shaped(server, tmp_path, monkeypatch):
    """A file that passes its (injected) checksum but holds the wrong array is still refused."""
    base, _ = server
    bad = {name: _idx(np.zeros((3, 5, 5)), 3) if "images" in name else _idx(np.zeros(3), 1) for name in NAMES}
    cache = tmp_path / "cache"
    cache.mkdir()
    for name, blob in bad.items():
        (cache / name).write_bytes(blob)
    sums = {name: hashlib.sha256(b).hexdigest() for name, b in bad.items()}
    with pytest.raises(data.MNISTUnavailable, match=r"\(n, 28, 28\)"):
        data.read_mnist(data.mnist_files(cache_dir=cache, mirrors=[], checksums=sums))
