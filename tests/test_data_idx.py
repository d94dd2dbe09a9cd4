"""The IDX reader: round trips, and clear errors for every kind of broken header or body."""

import gzip
import struct

import numpy as np
import pytest

from nnutils.idx import IDXError, idx_bytes, parse_idx, read_idx, write_idx


def handmade(code, shape, payload):
    return struct.pack(">HBB", 0, code, len(shape)) + struct.pack(f">{len(shape)}I", *shape) + payload


def test_reads_handmade_mnist_style_file(tmp_path):
    pixels = np.arange(2 * 3 * 4, dtype=np.uint8)
    raw = handmade(0x08, (2, 3, 4), pixels.tobytes())
    assert raw[:4] == b"\x00\x00\x08\x03"  # the MNIST image magic number 0x00000803
    for name, blob in [("raw", raw), ("x.gz", gzip.compress(raw))]:
        (tmp_path / name).write_bytes(blob)
        arr = read_idx(tmp_path / name)
        assert arr.dtype == np.uint8 and arr.shape == (2, 3, 4)
        assert np.array_equal(arr.ravel(), pixels)


def test_big_endian_types_become_native():
    vals = np.array([1, -2, 300000], dtype=">i4")
    arr = parse_idx(handmade(0x0C, (3,), vals.tobytes()))
    assert arr.dtype == np.dtype("int32") and arr.dtype.isnative
    assert arr.tolist() == [1, -2, 300000]
    f = np.array([[0.5, -1.25]], dtype=">f8")
    assert parse_idx(handmade(0x0E, (1, 2), f.tobytes())).tolist() == [[0.5, -1.25]]


@pytest.mark.parametrize("dtype", ["uint8", "int8", "int16", "int32", "float32", "float64"])
@pytest.mark.parametrize("compress", [False, True])
def test_round_trip(tmp_path, dtype, compress):
    a = (np.arange(60).reshape(3, 4, 5) - 20).astype(dtype)
    path = tmp_path / ("a.idx.gz" if compress else "a.idx")
    write_idx(path, a)
    assert (path.read_bytes()[:2] == b"\x1f\x8b") == compress
    b = read_idx(path)
    assert b.dtype == a.dtype and np.array_equal(a, b)


def test_gzip_output_is_reproducible():
    a = np.ones((2, 2), np.uint8)
    assert idx_bytes(a, compress=True) == idx_bytes(a, compress=True)


@pytest.mark.parametrize("blob, words", [
    (b"", "too short"),
    (b"\x01\x00\x08\x01" + b"\x00" * 8, "not an IDX file"),          # non-zero first bytes
    (b"\x00\x00\x07\x01\x00\x00\x00\x01\x00", "not an IDX file"),     # unknown type code
    (b"<html><body>404</body></html>", "not an IDX file"),           # an error page
    (b"\x00\x00\x08\x00", "0 dimensions"),
    (b"\x00\x00\x08\x03\x00\x00\x00\x02", "header truncated"),
    (handmade(0x08, (2, 28, 28), b"\x00" * 100), "truncated"),
    (handmade(0x08, (2,), b"\x00" * 3), "trailing bytes"),
    (gzip.compress(handmade(0x08, (2,), b"\x00\x01"), mtime=0)[:-6], "corrupt or truncated gzip"),
], ids=lambda v: v if isinstance(v, str) else None)
def test_clear_errors(blob, words):
    with pytest.raises(IDXError, match=words):
        parse_idx(blob, name="some-file")
    with pytest.raises(ValueError, match="some-file"):  # IDXError is a ValueError naming the file
        parse_idx(blob, name="some-file")


def test_bad_arguments():
    with pytest.raises(TypeError, match="data"):
        parse_idx("not bytes")
    with pytest.raises(TypeError, match="dtype"):
        idx_bytes(np.array([1 + 2j]))
