"""A PNG writer for pictures painted from arrays (the playground sends one per frame).

``encode_png(rgb)`` writes uint8 (H, W, 3) pixels as an 8-bit RGB PNG with numpy and zlib
alone: every row with the "Up" filter (the difference to the row above, one numpy
subtraction) and zlib level 1. About twice as fast as PIL's encoder, whose per-row adaptive
filtering dominates at the playground's size.
"""

import struct
import zlib

import numpy as np

__all__ = ["encode_png"]

_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_FILTER_UP = 2


def _chunk(kind, body):
    """One PNG chunk: length, type, data, CRC of type and data."""
    return (struct.pack(">I", len(body)) + kind + body
            + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF))


def encode_png(rgb):
    """uint8 (H, W, 3) -> PNG bytes."""
    rgb = np.ascontiguousarray(rgb, dtype=np.uint8)
    if rgb.ndim != 3 or rgb.shape[2] != 3 or 0 in rgb.shape:
        raise ValueError(f"rgb: expected a non-empty (H, W, 3) image, got shape {rgb.shape}")
    h, w, _ = rgb.shape
    rows = rgb.reshape(h, w * 3)
    raw = np.empty((h, w * 3 + 1), dtype=np.uint8)
    raw[:, 0] = _FILTER_UP
    raw[0, 1:] = rows[0]
    np.subtract(rows[1:], rows[:-1], out=raw[1:, 1:])    # uint8 arithmetic wraps, as PNG wants
    header = struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)   # 8-bit RGB, no interlace
    return (_SIGNATURE + _chunk(b"IHDR", header)
            + _chunk(b"IDAT", zlib.compress(raw.tobytes(), 1)) + _chunk(b"IEND", b""))
