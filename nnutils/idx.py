"""The IDX file format of MNIST: read (gzip or raw) and write, with header checks.

An IDX file is a tiny header followed by the raw array, big-endian:

    bytes 0-1  zero
    byte  2    element type (0x08 = uint8, 0x09 = int8, 0x0B = int16, 0x0C = int32,
               0x0D = float32, 0x0E = float64)
    byte  3    number of dimensions d
    then d big-endian uint32 sizes, then the data in C order.

So the MNIST training images start with 0x00000803 (uint8, 3 dims), then 60000, 28, 28.
Everything here is checked, because a truncated download or an HTML error page saved
under the right name should give a clear message, not a garbled array.
"""

import gzip
import os
import struct
import zlib

import numpy as np

__all__ = ["IDXError", "read_idx", "parse_idx", "idx_bytes", "write_idx"]

# type code -> numpy dtype (big-endian, as stored)
IDX_TYPES = {
    0x08: np.dtype("u1"),
    0x09: np.dtype("i1"),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}
_CODES = {dt.newbyteorder("="): code for code, dt in IDX_TYPES.items()}
GZIP_MAGIC = b"\x1f\x8b"


class IDXError(ValueError):
    """The bytes are not a valid IDX file (bad magic, dimensions or length)."""


def parse_idx(data, name="data"):
    """Parse IDX bytes (gzip-compressed or raw) into a numpy array (native byte order).

    `name` only appears in error messages (e.g. the file name).
    """
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise TypeError(f"data: expected bytes, got {type(data).__name__}")
    data = bytes(data)
    if data[:2] == GZIP_MAGIC:
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError, zlib.error) as e:
            raise IDXError(f"{name}: corrupt or truncated gzip data ({e})") from None
    if len(data) < 4:
        raise IDXError(f"{name}: too short for an IDX header ({len(data)} bytes)")
    zero, code, ndim = struct.unpack(">HBB", data[:4])
    if zero != 0 or code not in IDX_TYPES:
        raise IDXError(
            f"{name}: not an IDX file (magic number 0x{data[:4].hex()}; expected "
            f"0x0000 then a type code in {sorted(hex(c) for c in IDX_TYPES)} and the number of dims)"
        )
    if ndim == 0:
        raise IDXError(f"{name}: IDX header says 0 dimensions")
    header = 4 + 4 * ndim
    if len(data) < header:
        raise IDXError(f"{name}: header truncated (needs {header} bytes, file has {len(data)})")
    shape = struct.unpack(f">{ndim}I", data[4:header])
    dtype = IDX_TYPES[code]
    expected = header + int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    if len(data) != expected:
        what = "truncated" if len(data) < expected else "has trailing bytes"
        raise IDXError(
            f"{name}: {what}: header says shape {shape} of {dtype.name}, i.e. {expected} bytes, "
            f"but the data is {len(data)} bytes"
        )
    arr = np.frombuffer(data, dtype=dtype, offset=header).reshape(shape)
    return arr.astype(dtype.newbyteorder("="), copy=True)  # native order, writable


def read_idx(path):
    """Read an IDX file from disk (gzip or raw, detected from the content, not the name)."""
    path = os.fspath(path)
    with open(path, "rb") as f:
        data = f.read()
    return parse_idx(data, name=os.path.basename(path))


def idx_bytes(array, compress=False):
    """The IDX encoding of `array` (raw, or gzip with a fixed timestamp if compress=True)."""
    arr = np.asarray(array)
    native = arr.dtype.newbyteorder("=")
    if native not in _CODES:
        raise TypeError(f"array: dtype {arr.dtype} has no IDX type code; use one of "
                        f"{sorted(str(d) for d in _CODES)}")
    if not 1 <= arr.ndim <= 255:
        raise ValueError(f"array: expected 1 to 255 dimensions, got {arr.ndim}")
    code = _CODES[native]
    raw = (struct.pack(">HBB", 0, code, arr.ndim) + struct.pack(f">{arr.ndim}I", *arr.shape)
           + np.ascontiguousarray(arr, dtype=IDX_TYPES[code]).tobytes())
    return gzip.compress(raw, mtime=0) if compress else raw


def write_idx(path, array, compress=None):
    """Write `array` as an IDX file; gzip when the name ends in .gz (or compress=True)."""
    path = os.fspath(path)
    if compress is None:
        compress = path.endswith(".gz")
    with open(path, "wb") as f:
        f.write(idx_bytes(array, compress=compress))
