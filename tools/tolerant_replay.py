#!/usr/bin/env python3
"""Tolerant replay: run the notebooks with another BLAS/SIMD set-up and compare printed numbers.

    python tools/tolerant_replay.py [notebooks/NN_name.ipynb ...] [--jobs 2] [--json FILE]

The strict replay (``pytest --nbval``) compares every printed output exactly, with one BLAS
thread and numpy's and OpenBLAS's default kernels, as the notebooks were executed. On
another machine (macOS Accelerate, ARM, several BLAS threads) the last digits of training
results can differ. This script shows which printed numbers -- and so which sentences of
the course -- are fragile:

1. Each notebook is executed in memory (the stored file is never written) in a fresh
   ``python3`` kernel whose working directory is the notebook's folder, in an environment
   that differs from the strict replay's: ``OPENBLAS_NUM_THREADS=2`` (OMP, MKL and
   VECLIB likewise), another OpenBLAS kernel (``OPENBLAS_CORETYPE``; on x86-64 ``auto``
   picks Sandybridge, or Haswell if Sandybridge is already the default) and numpy's widest
   SIMD paths switched off (``NPY_DISABLE_CPU_FEATURES``, e.g. AVX-512, else AVX2/FMA3 --
   ``X86_V4``/``X86_V3`` in numpy >= 2.4). A first tiny kernel run checks that the set-up
   took effect (and that the chosen core does not crash) and prints it.
2. The outputs of the cells that the strict replay compares (the same cells, markers and
   numbering as nbval: not ``# NBVAL_IGNORE_OUTPUT``/``# NBVAL_SKIP`` cells, not unrun
   reference cells) are compared with the stored ones: only text (stdout, stderr and the
   ``text/plain`` of results and displays; never images, HTML or widget views), after
   nbval's stream merging and the sanitize patterns of ``tests/nbval_sanitize.cfg``.
3. The text with every number replaced by a placeholder (the skeleton, whitespace ignored)
   must be equal, else "text changed" is reported. Then each pair of numbers is compared:
   it *moved* if ``|new - old| > max(rel * |old|, abs)``, where ``abs`` only applies when
   both ``|old|`` and ``|new|`` are below 1 (accuracies, small losses) and is 0 otherwise
   (so an epoch count must stay within ``rel``). Defaults: ``--rel 0.05 --abs 0.03``.

Cells are named as nbval names them: ``Cell N`` counts code cells only, from 0, in the
order of the notebook (empty and skipped code cells count too); ``cells[i]`` is the
position among all cells (markdown included), as tests/test_notebook_hygiene.py counts.

Exit status: 0 if no number moved beyond tolerance, no text changed and no cell errored;
1 otherwise; 2 if the set-up could not be made (e.g. the chosen OpenBLAS core crashed).
"""
import argparse
import concurrent.futures
import copy
import difflib
import json
import multiprocessing
import os
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SANITIZE = ROOT / "tests" / "nbval_sanitize.cfg"
DEFAULT_NOTEBOOKS_GLOB = "notebooks/*.ipynb"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
THREAD_VARS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS",
               "VECLIB_MAXIMUM_THREADS")
X86_64 = ("x86_64", "amd64", "x64")

# ---------------------------------------------------------------------------------------
# nbval's rules: sanitize file, cell markers, stream merging
# ---------------------------------------------------------------------------------------

# nbval's own parser (nbval.plugin.get_sanitize_patterns): a "regex:" line directly
# followed by its "replace:" line; section headers and comments are ignored.
_SANITIZE_PAIR = re.compile(r"^regex: (.*)$\n^replace: (.*)$", re.MULTILINE)


def parse_sanitize(text):
    """[(regex, replacement), ...] from the text of an nbval sanitize file, in file order."""
    return [(re.compile(regex), replace) for regex, replace in _SANITIZE_PAIR.findall(text)]


def load_sanitize(path):
    return parse_sanitize(Path(path).read_text(encoding="utf-8")) if path else []


def sanitize(text, patterns):
    for regex, replace in patterns:
        text = regex.sub(replace, text)
    return text


# nbval.plugin.comment_markers / metadata_tags (nbval 0.11): a marker counts on ANY line of
# the source that is a comment consisting of just the marker, or as a cell tag.
_COMMENT_MARKERS = {
    "PYTEST_VALIDATE_IGNORE_OUTPUT": ("check", False),
    "NBVAL_IGNORE_OUTPUT": ("check", False),
    "NBVAL_CHECK_OUTPUT": ("check", True),
    "NBVAL_RAISES_EXCEPTION": ("check_exception", True),
    "NBVAL_SKIP": ("skip", True),
}
_TAG_MARKERS = {k.lower().replace("_", "-"): v for k, v in _COMMENT_MARKERS.items()}
_TAG_MARKERS["raises-exception"] = ("check_exception", True)


def _source(cell):
    s = cell.get("source", "")
    return "".join(s) if isinstance(s, list) else s


def cell_options(cell):
    """nbval's options for a code cell: {'check': bool, 'skip': bool, 'check_exception': bool}.

    As in nbval, tags are read first and comment markers override them; the default (plain
    ``--nbval``) is to check the output.
    """
    options = {"check": True, "skip": False, "check_exception": False}
    tags = cell.get("metadata", {}).get("tags", [])
    if isinstance(tags, list):
        for tag in tags:
            if tag in _TAG_MARKERS:
                key, value = _TAG_MARKERS[tag]
                options[key] = value
    for line in _source(cell).splitlines():
        line = line.strip()
        if line.startswith("#"):
            marker = line.lstrip("#").strip()
            if marker in _COMMENT_MARKERS:
                key, value = _COMMENT_MARKERS[marker]
                options[key] = value
    return options


def code_cells(nb):
    """[(nbval_number, index_in_nb_cells, cell, options)] for every code cell."""
    out = []
    for index, cell in enumerate(nb.cells):
        if cell.cell_type == "code":
            out.append((len(out), index, cell, cell_options(cell)))
    return out


def compared_cells(nb):
    """The code cells whose output the strict replay compares: not skipped, not
    ``NBVAL_IGNORE_OUTPUT``, and run in the stored notebook (nbval does not check unrun
    reference cells)."""
    return [(number, index, cell, opts) for number, index, cell, opts in code_cells(nb)
            if opts["check"] and not opts["skip"] and cell.get("execution_count") is not None]


_CARRIAGE_RETURN = re.compile(r"^.*\r(?=[^\n])", re.MULTILINE)


def _coalesce_stream_text(text):
    """nbval.plugin.coalesce_streams on one merged stream: drop what a bare \\r overwrote.

    nbval 0.11 also means to apply backspaces, but its loop never runs (and its pattern
    r'[^\\n]\\b' is a word boundary, not a backspace, so it would delete the text before
    every word boundary if it did); like nbval, backspaces are left as they are.
    """
    return _CARRIAGE_RETURN.sub("", text)


def text_outputs(outputs, patterns=()):
    """{'stdout': [text], 'stderr': [text], 'text/plain': [text, ...]} of a cell's outputs.

    Streams of one name are merged into one text (as nbval does); ``text/plain`` of
    execute_result and display_data outputs are listed in order (nbval flattens both into
    one list). Outputs that show a widget view are left out, and so are images, HTML and
    errors. Every text is sanitized.
    """
    result = {}
    for out in outputs:
        kind = out.get("output_type")
        if kind == "stream":
            text = out.get("text", "")
            text = "".join(text) if isinstance(text, list) else text
            name = out.get("name", "stdout")
            if name in result:
                result[name][0] += text
            else:
                result[name] = [text]
        elif kind in ("execute_result", "display_data"):
            data = out.get("data", {})
            if WIDGET_VIEW in data or "text/plain" not in data:
                continue
            text = data["text/plain"]
            result.setdefault("text/plain", []).append(
                "".join(text) if isinstance(text, list) else text)
    for name in ("stdout", "stderr"):
        if name in result:
            result[name][0] = _coalesce_stream_text(result[name][0])
    return {key: [sanitize(t, patterns) for t in texts] for key, texts in result.items()}


def cell_errors(outputs):
    """[(ename, evalue)] of the error outputs of a cell."""
    return [(o.get("ename", "?"), o.get("evalue", "")) for o in outputs
            if o.get("output_type") == "error"]


# ---------------------------------------------------------------------------------------
# numbers and skeletons
# ---------------------------------------------------------------------------------------

# An int or decimal with optional sign and exponent. It must not continue a word or a
# number ("x0", "float32", "1.2.3" -> "1.2" only); a sign counts only where it cannot be a
# binary minus ("2-H-1" -> 2, 1; "(-3)" -> -3; "lr=-0.5" -> -0.5). Units may follow
# ("12ms", "96%": the % stays in the skeleton).
NUMBER = re.compile(r"(?<![\w.])[-+]?(?:\d+(?:\.\d+)?|\.\d+)(?:[eE][-+]?\d+)?")
PLACEHOLDER = "\u2317"  # ⌗, stands for a number in a skeleton
_SPACE = re.compile(r"\s+")


def extract_numbers(text):
    """[(value, matched_text, start, end)] for every number in text, in order. A percentage
    counts as the fraction it stands for ("96%" -> 0.96), so that the tolerance treats it like
    the accuracy it is (0.03 absolute) rather than by its relative change (0% -> 1%)."""
    return [(float(m.group()) / (100 if text[m.end():m.end() + 1] == "%" else 1),
             m.group(), m.start(), m.end()) for m in NUMBER.finditer(text)]


def skeleton(text):
    """text with every number replaced by a placeholder and all whitespace removed (numpy
    pads arrays and columns to the widest number, so spacing follows the digits)."""
    return _SPACE.sub("", NUMBER.sub(PLACEHOLDER, text))


def tolerance(old, new, rel=0.05, abs_tol=0.03):
    """Largest allowed |new - old|: rel*|old|, or abs_tol if larger and both are below 1."""
    floor = abs_tol if abs(old) < 1 and abs(new) < 1 else 0.0
    return max(rel * abs(old), floor)


def moved(old, new, rel=0.05, abs_tol=0.03):
    return abs(new - old) > tolerance(old, new, rel, abs_tol)


def relative_change(old, new):
    if new == old:
        return 0.0
    return abs(new - old) / abs(old) if old != 0 else float("inf")


def compare_text(old, new, rel=0.05, abs_tol=0.03):
    """Compare one sanitized output text with its stored version.

    Returns {'numbers': [...], 'text_changes': [...]}: a dict per pair of numbers
    (old, new, texts, the lines they sit in, line number, relative change, moved) and a
    dict per changed stretch of lines (old lines, new lines). If the skeletons of the whole
    texts are equal every number is paired in order; otherwise the lines are aligned with
    difflib and numbers are paired within lines whose skeletons match.
    """
    old_lines, new_lines = old.splitlines(), new.splitlines()
    numbers, changes = [], []

    def pair(old_nums, new_nums, old_line_of, new_line_of):
        for (ov, otext, ostart, _), (nv, ntext, nstart, _) in zip(old_nums, new_nums):
            oi, ni = old_line_of(ostart), new_line_of(nstart)
            numbers.append({
                "old": ov, "new": nv, "old_text": otext, "new_text": ntext,
                "line": ni + 1, "old_line": old_lines[oi] if oi < len(old_lines) else "",
                "new_line": new_lines[ni] if ni < len(new_lines) else "",
                "changed": ov != nv, "rel_change": relative_change(ov, nv),
                "tolerance": tolerance(ov, nv, rel, abs_tol),
                "moved": moved(ov, nv, rel, abs_tol)})

    if skeleton(old) == skeleton(new):
        pair(extract_numbers(old), extract_numbers(new), _line_finder(old), _line_finder(new))
        return {"numbers": numbers, "text_changes": changes}
    matcher = difflib.SequenceMatcher(None, [skeleton(s) for s in old_lines],
                                      [skeleton(s) for s in new_lines], autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            for oi, ni in zip(range(i1, i2), range(j1, j2)):
                pair(extract_numbers(old_lines[oi]), extract_numbers(new_lines[ni]),
                     lambda _pos, oi=oi: oi, lambda _pos, ni=ni: ni)
        else:
            changes.append({"line": j1 + 1, "old": old_lines[i1:i2], "new": new_lines[j1:j2]})
    return {"numbers": numbers, "text_changes": changes}


def _line_finder(text):
    starts = [0] + [m.end() for m in re.finditer(r"\r\n|\r|\n", text)]

    def line_of(pos):
        lo, hi = 0, len(starts) - 1
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if starts[mid] <= pos:
                lo = mid
            else:
                hi = mid - 1
        return lo
    return line_of


# ---------------------------------------------------------------------------------------
# comparing notebooks
# ---------------------------------------------------------------------------------------

_OUTPUT_ORDER = {"stdout": 0, "stderr": 1, "text/plain": 2}


def compare_notebooks(stored, new, patterns=(), rel=0.05, abs_tol=0.03, executed=None,
                      name="notebook"):
    """Compare the text outputs of ``new`` (an executed copy of ``stored``) with ``stored``.

    ``executed``: the set of ``nb.cells`` indices that ran (None: all code cells did).
    Returns a report dict: counts, the moved numbers, text changes and errored cells.
    """
    report = {"notebook": name, "compared": 0, "changed": 0, "moved": 0,
              "largest_rel_change": None, "moved_numbers": [], "changed_numbers": [],
              "text_changes": [], "errors": [], "not_run": []}
    expected_error = {index for _, index, _, opts in code_cells(stored)
                      if opts["check_exception"]}
    for number, index, cell in ((n, i, c) for n, i, c, _ in code_cells(new)):
        if index in expected_error:
            continue
        for ename, evalue in cell_errors(cell.get("outputs", [])):
            report["errors"].append({"cell": number, "index": index, "ename": ename,
                                     "evalue": evalue})
    for number, index, cell, _ in compared_cells(stored):
        where = {"cell": number, "index": index}
        if executed is not None and index not in executed and _source(cell).strip():
            report["not_run"].append(where)
            continue
        old = text_outputs(cell.get("outputs", []), patterns)
        got = text_outputs(new.cells[index].get("outputs", []), patterns)
        for key in sorted(set(old) | set(got), key=_OUTPUT_ORDER.get):
            olds, gots = old.get(key, []), got.get(key, [])
            for k in range(max(len(olds), len(gots))):
                if k >= len(olds) or k >= len(gots):
                    report["text_changes"].append(dict(
                        where, output=key, line=1,
                        old=olds[k].splitlines() if k < len(olds) else ["(no such output)"],
                        new=gots[k].splitlines() if k < len(gots) else ["(no such output)"]))
                    continue
                result = compare_text(olds[k], gots[k], rel, abs_tol)
                for change in result["text_changes"]:
                    report["text_changes"].append(dict(where, output=key, **change))
                for num in result["numbers"]:
                    num = dict(where, output=key, **num)
                    report["compared"] += 1
                    if num["changed"]:
                        report["changed"] += 1
                        report["changed_numbers"].append(num)
                        best = report["largest_rel_change"]
                        if best is None or num["rel_change"] > best["rel_change"]:
                            report["largest_rel_change"] = num
                    if num["moved"]:
                        report["moved"] += 1
                        report["moved_numbers"].append(num)
    return report


def report_ok(report):
    return not (report["moved"] or report["text_changes"] or report["errors"]
                or report.get("failure") or report["not_run"])


# ---------------------------------------------------------------------------------------
# the BLAS / SIMD set-up
# ---------------------------------------------------------------------------------------

# Run in a plain subprocess (to learn the defaults) and as the first cell of a probe kernel
# (to check that the set-up took effect). Prints one JSON line.
PROBE_CODE = r'''
import ctypes, glob, json, os, platform, sys, warnings
info = {"python": sys.executable, "machine": platform.machine(), "numpy": None, "blas": []}
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    try:
        import numpy as np
        try:
            from numpy._core import _multiarray_umath as mu
        except ImportError:
            from numpy.core import _multiarray_umath as mu
        info["numpy"] = {"version": np.__version__,
                         "features": {k: bool(v) for k, v in mu.__cpu_features__.items()},
                         "baseline": list(mu.__cpu_baseline__),
                         "dispatch": list(mu.__cpu_dispatch__)}
    except Exception as exc:
        info["numpy_error"] = "%s: %s" % (type(exc).__name__, exc)
info["warnings"] = [str(w.message) for w in caught if "CPU_FEATURES" in str(w.message)]
try:
    from threadpoolctl import threadpool_info
    for lib in threadpool_info():
        if lib.get("internal_api") == "openblas":
            info["blas"].append({"via": "threadpoolctl", "path": lib.get("filepath"),
                                 "corename": lib.get("architecture"),
                                 "threads": lib.get("num_threads"),
                                 "version": lib.get("version")})
except Exception:
    pass
if not info["blas"] and info["numpy"]:
    paths = []
    try:
        with open("/proc/self/maps") as maps:
            paths = sorted({l.split()[-1] for l in maps if "openblas" in l.lower() and "/" in l})
    except OSError:
        pass
    if not paths:
        base = os.path.dirname(os.path.dirname(np.__file__))
        for pattern in ("numpy.libs/*openblas*", "numpy/.dylibs/*openblas*",
                        "scipy_openblas*/lib/*openblas*"):
            paths += glob.glob(os.path.join(base, pattern))
    for path in paths:
        try:
            lib = ctypes.CDLL(path)
        except OSError:
            continue
        entry = {"via": "ctypes", "path": path}
        for prefix in ("scipy_openblas", "openblas"):
            for suffix in ("64_", ""):
                core = getattr(lib, "%s_get_corename%s" % (prefix, suffix), None)
                if core is None:
                    continue
                core.restype = ctypes.c_char_p
                entry["corename"] = core().decode()
                threads = getattr(lib, "%s_get_num_threads%s" % (prefix, suffix), None)
                if threads is not None:
                    entry["threads"] = threads()
                break
            if "corename" in entry:
                break
        if "corename" in entry:
            info["blas"].append(entry)
if info["numpy"]:  # exercise the BLAS kernels: a core the CPU cannot run dies here (SIGILL)
    for dtype in (np.float32, np.float64):
        a = np.ones((96, 96), dtype)
        assert float((a @ a)[0, 0]) == 96.0 and float(np.dot(a[0], a[1])) == 96.0
info["env"] = {k: os.environ.get(k) for k in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS",
               "MKL_NUM_THREADS", "OPENBLAS_CORETYPE", "NPY_DISABLE_CPU_FEATURES")}
print("TOLERANT_PROBE " + json.dumps(info))
'''


def _parse_probe(text):
    for line in text.splitlines():
        if line.startswith("TOLERANT_PROBE "):
            return json.loads(line[len("TOLERANT_PROBE "):])
    raise ValueError("no probe output in: " + text[-500:])


def probe_defaults(python=sys.executable):
    """What numpy and OpenBLAS choose without our overrides (threads left at 1 so that the
    probe is cheap; the core type does not depend on the thread count)."""
    env = dict(os.environ)
    for var in ("OPENBLAS_CORETYPE", "NPY_DISABLE_CPU_FEATURES", "NPY_ENABLE_CPU_FEATURES"):
        env.pop(var, None)
    proc = subprocess.run([python, "-c", PROBE_CODE], env=env, capture_output=True,
                          text=True, timeout=120)
    if proc.returncode != 0:
        raise RuntimeError(f"probe failed ({proc.returncode}): {proc.stderr[-1000:]}")
    return _parse_probe(proc.stdout)


def default_corename(info):
    cores = [b.get("corename") for b in info.get("blas", []) if b.get("corename")]
    return cores[0] if cores else None


# (OPENBLAS_CORETYPE, numpy features the CPU needs for it), in order of preference.
CORE_CANDIDATES = (("Sandybridge", ("AVX",)), ("Haswell", ("AVX2", "FMA3")),
                   ("Nehalem", ("SSE42",)), ("Prescott", ("SSE3",)))


def choose_coretype(info):
    """(coretype or None, why). On x86-64 with OpenBLAS: Sandybridge, or Haswell if
    Sandybridge is the default; never a core whose instructions the CPU lacks (a core the
    CPU cannot run, e.g. SkylakeX without AVX-512, dies with SIGILL)."""
    machine = (info.get("machine") or "").lower()
    if machine not in X86_64:
        return None, f"not x86-64 ({info.get('machine')}): no core type set"
    default = default_corename(info)
    if default is None:
        return None, "OpenBLAS not found (or too old to tell its core): no core type set"
    features = (info.get("numpy") or {}).get("features", {})
    for name, needs in CORE_CANDIDATES:
        if name.lower() != default.lower() and all(features.get(f) for f in needs):
            return name, f"default core {default}"
    return None, f"default core {default}; no other core this CPU can run"


# Tiers of numpy dispatch targets, widest first, per architecture. numpy < 2.4 names single
# features (AVX512F, AVX512_SKX, AVX2, FMA3, ...), numpy >= 2.4 also groups (X86_V4, X86_V3).
SIMD_TIERS = {
    "x86": (r"^(AVX512|X86_V4)", r"^(AVX2|FMA3|X86_V3)$"),
    "arm": (r"^SVE", r"^(ASIMDHP|ASIMDDP|ASIMDFHM)$"),
    "ppc": (r"^VSX4$", r"^VSX3$"),
    "s390": (r"^VXE2$", r"^VXE$"),
}


def _arch_family(machine):
    machine = (machine or "").lower()
    if machine in X86_64 or re.match(r"^i[3-6]86$", machine):
        return "x86"
    if machine.startswith(("arm", "aarch64")):
        return "arm"
    if machine.startswith("ppc"):
        return "ppc"
    if machine.startswith("s390"):
        return "s390"
    return None


def choose_npy_disable(info):
    """numpy features to disable: those of the widest SIMD tier that numpy dispatches to on
    this CPU. Only dispatch targets that the CPU has and that are not baseline qualify:
    numpy refuses to disable a baseline feature (RuntimeError) and ignores, with a silent
    ImportWarning, a name that is not a dispatch target."""
    numpy_info = info.get("numpy") or {}
    features, baseline = numpy_info.get("features", {}), set(numpy_info.get("baseline", []))
    available = [f for f in numpy_info.get("dispatch", [])
                 if features.get(f) and f not in baseline]
    for tier in SIMD_TIERS.get(_arch_family(info.get("machine")), ()):
        chosen = [f for f in available if re.match(tier, f)]
        if chosen:
            return chosen
    return []


def build_env(threads=2, coretype=None, npy_disable=(), base=None):
    """The kernels' environment: base (default os.environ) with the tolerant set-up."""
    env = dict(os.environ if base is None else base)
    for var in THREAD_VARS:
        env[var] = str(threads)
    env.pop("OPENBLAS_CORETYPE", None)
    if coretype:
        env["OPENBLAS_CORETYPE"] = coretype
    env.pop("NPY_DISABLE_CPU_FEATURES", None)
    if npy_disable:
        env.pop("NPY_ENABLE_CPU_FEATURES", None)  # numpy refuses both at once
        env["NPY_DISABLE_CPU_FEATURES"] = ",".join(npy_disable)
    return env


# ---------------------------------------------------------------------------------------
# executing
# ---------------------------------------------------------------------------------------

def execute_copy(nb, cwd, env, timeout=600, kernel_name="python3"):
    """Execute a deep copy of nb in a fresh kernel; return (copy, executed indices, failure).

    Every cell runs even after an error (as in nbval, where each cell is its own test);
    ``NBVAL_SKIP`` cells are not run (nor does nbval run them). ``failure`` is None or a
    dict (cell, index, error) when the run stopped early: a cell timed out or the kernel
    died (e.g. SIGILL from an OpenBLAS core the CPU cannot run).
    """
    from nbclient import NotebookClient

    run = copy.deepcopy(nb)
    for _, _, cell, opts in code_cells(run):
        cell.outputs = []  # a cell that never runs (the run stopped) must not keep old output
        cell.execution_count = None
        if opts["skip"]:
            cell.metadata.setdefault("tags", []).append("skip-execution")
    state = {"current": None, "executed": set()}

    def on_start(cell, cell_index, **_):
        state["current"] = cell_index

    def on_executed(cell, cell_index, **_):
        state["executed"].add(cell_index)

    client = NotebookClient(run, timeout=timeout, kernel_name=kernel_name, allow_errors=True,
                            resources={"metadata": {"path": str(cwd)}},
                            on_cell_start=on_start, on_cell_executed=on_executed)
    failure = None
    try:
        client.execute(env=env)
    except Exception as exc:  # CellTimeoutError, DeadKernelError, kernel start-up errors
        index = state["current"]
        numbers = {i: n for n, i, _, _ in code_cells(run)}
        first_line = (str(exc).strip().splitlines() or [""])[0]
        failure = {"cell": numbers.get(index), "index": index,
                   "error": f"{type(exc).__name__}: {first_line}"}
    return run, state["executed"], failure


def replay_notebook(path, env, patterns, rel, abs_tol, timeout=600, kernel_name="python3"):
    """Execute one notebook (in memory) and compare it with its stored version."""
    import nbformat

    path = Path(path)
    start = time.perf_counter()
    stored = nbformat.read(path, as_version=4)
    run, executed, failure = execute_copy(stored, path.parent.resolve(), env, timeout,
                                          kernel_name)
    report = compare_notebooks(stored, run, patterns, rel, abs_tol, executed, name=str(path))
    report["failure"] = failure
    report["seconds"] = round(time.perf_counter() - start, 1)
    return report


def probe_kernel(env, kernel_name="python3", timeout=120):
    """Run PROBE_CODE in a kernel with the tolerant environment; return its info."""
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(PROBE_CODE)])
    NotebookClient(nb, timeout=timeout, kernel_name=kernel_name,
                   resources={"metadata": {"path": str(ROOT)}}).execute(env=env)
    text = "".join(o.get("text", "") for o in nb.cells[0].outputs if o.output_type == "stream")
    return _parse_probe(text)


# ---------------------------------------------------------------------------------------
# reporting
# ---------------------------------------------------------------------------------------

def _fmt_rel(r):
    return "inf (from 0)" if r == float("inf") else f"{100 * r:.3g} %"


def _where(report, item):
    return f"{Path(report['notebook']).name} Cell {item['cell']} (cells[{item['index']}])"


def format_report(report, verbose=False):
    lines = []
    name = Path(report["notebook"]).name
    best = report["largest_rel_change"]
    lines.append(
        f"{name}: {report['compared']} numbers compared, {report['changed']} changed, "
        f"{report['moved']} moved beyond tolerance; {len(report['text_changes'])} text "
        f"changes; {len(report['errors'])} cells errored  ({report.get('seconds', 0):.1f} s)")
    if best is not None:
        lines.append(f"  largest relative change {_fmt_rel(best['rel_change'])}: "
                     f"{_where(report, best)} {best['output']} line {best['line']}: "
                     f"{best['old_text']} -> {best['new_text']}")
    if report.get("failure"):
        f = report["failure"]
        lines.append(f"  RUN STOPPED at Cell {f['cell']} (cells[{f['index']}]): {f['error']}")
    for item in report["not_run"]:
        lines.append(f"  NOT RUN {_where(report, item)}")
    for e in report["errors"]:
        lines.append(f"  ERROR {_where(report, e)}: {e['ename']}: {e['evalue']}")
    for c in report["text_changes"]:
        lines.append(f"  TEXT CHANGED {_where(report, c)} {c['output']} line {c['line']}:")
        lines += [f"    - {s}" for s in c["old"]] + [f"    + {s}" for s in c["new"]]
    shown = report["changed_numbers"] if verbose else report["moved_numbers"]
    for n in shown:
        label = "MOVED" if n["moved"] else "changed"
        lines.append(f"  {label} {_where(report, n)} {n['output']} line {n['line']}: "
                     f"{n['old_text']} -> {n['new_text']} ({_fmt_rel(n['rel_change'])}, "
                     f"allowed ±{n['tolerance']:.3g})")
        lines.append(f"    stored: {n['old_line'].strip()}")
        if n["new_line"].strip() != n["old_line"].strip():
            lines.append(f"    now:    {n['new_line'].strip()}")
    return "\n".join(lines)


def total(reports):
    t = {"notebooks": len(reports), "compared": 0, "changed": 0, "moved": 0,
         "text_changes": 0, "errors": 0, "failures": 0, "not_run": 0,
         "largest_rel_change": None}
    for r in reports:
        for key in ("compared", "changed", "moved"):
            t[key] += r[key]
        t["text_changes"] += len(r["text_changes"])
        t["errors"] += len(r["errors"])
        t["failures"] += bool(r.get("failure"))
        t["not_run"] += len(r["not_run"])
        best = r["largest_rel_change"]
        if best is not None and (t["largest_rel_change"] is None
                                 or best["rel_change"] > t["largest_rel_change"]["rel_change"]):
            t["largest_rel_change"] = dict(best, notebook=r["notebook"])
    return t


def _jsonable(obj):
    if isinstance(obj, float) and obj == float("inf"):
        return "inf"
    if isinstance(obj, dict):
        return {k: _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_jsonable(v) for v in obj]
    return obj


# ---------------------------------------------------------------------------------------
# command line
# ---------------------------------------------------------------------------------------

def resolve_setup(args):
    """(coretype, npy_disable list, notes) from the options (auto: probe the defaults)."""
    notes = {}
    info = None
    if args.coretype == "auto" or args.npy_disable == "auto":
        info = probe_defaults()
        notes["default_core"] = default_corename(info)
        notes["machine"] = info.get("machine")
    if args.coretype == "auto":
        coretype, why = choose_coretype(info)
        notes["coretype_why"] = f"auto: {why}"
    elif args.coretype.lower() == "none":
        coretype, notes["coretype_why"] = None, "none requested"
    else:
        coretype, notes["coretype_why"] = args.coretype, "requested"
    if args.npy_disable == "auto":
        npy_disable = choose_npy_disable(info)
        numpy_info = info.get("numpy") or {}
        features = numpy_info.get("features", {})
        have = [f for f in numpy_info.get("dispatch", []) if features.get(f)]
        notes["npy_why"] = (f"auto: numpy {numpy_info.get('version')} dispatch targets this "
                            f"CPU has: {', '.join(have) or 'none'}; baseline "
                            f"{', '.join(numpy_info.get('baseline', [])) or 'none'}")
    elif args.npy_disable.lower() == "none":
        npy_disable, notes["npy_why"] = [], "none requested"
    else:
        npy_disable = [f for f in re.split(r"[\s,]+", args.npy_disable) if f]
        notes["npy_why"] = "requested"
    return coretype, npy_disable, notes


def main(argv=None):
    parser = argparse.ArgumentParser(
        description="Execute notebooks with another BLAS/SIMD set-up and compare every "
                    "printed number with the stored one within a tolerance.")
    parser.add_argument("notebooks", nargs="*", type=Path,
                        help=f"notebooks to replay (default: {DEFAULT_NOTEBOOKS_GLOB})")
    parser.add_argument("--jobs", "-j", type=int, default=2,
                        help="notebooks run at once, each in its own process and kernel (2)")
    parser.add_argument("--threads", type=int, default=2,
                        help="OPENBLAS/OMP/MKL/VECLIB threads per kernel "
                             "(2; the strict replay uses 1)")
    parser.add_argument("--coretype", default="auto",
                        help="OPENBLAS_CORETYPE: auto (default), none, or a name (e.g. Haswell)")
    parser.add_argument("--npy-disable", default="auto",
                        help="NPY_DISABLE_CPU_FEATURES: auto (default), none, or a list (X86_V3)")
    parser.add_argument("--rel", type=float, default=0.05,
                        help="relative tolerance (0.05)")
    parser.add_argument("--abs", dest="abs_tol", type=float, default=0.03,
                        help="absolute tolerance when both numbers are below 1 in size (0.03)")
    parser.add_argument("--timeout", type=int, default=600, help="seconds per cell (600)")
    parser.add_argument("--sanitize", type=Path, default=DEFAULT_SANITIZE,
                        help="nbval sanitize file (tests/nbval_sanitize.cfg)")
    parser.add_argument("--kernel", default="python3", help="kernel name (python3)")
    parser.add_argument("--json", type=Path, help="also write the report to this file")
    parser.add_argument("--no-probe", action="store_true",
                        help="do not start a kernel first to check the set-up")
    parser.add_argument("--verbose", "-v", action="store_true",
                        help="also list numbers that changed within tolerance")
    parser.add_argument("--print-env", action="store_true",
                        help="only print the set-up as VAR=value words for `env` (the Makefile's "
                             "strict replay under another kernel uses it) and exit")
    args = parser.parse_args(argv)
    if args.print_env:
        coretype, npy_disable, _ = resolve_setup(args)
        env = build_env(args.threads, coretype, npy_disable, base={})
        print(" ".join(f"{k}={v}" for k, v in sorted(env.items())))
        return 0

    paths = args.notebooks or sorted(ROOT.glob(DEFAULT_NOTEBOOKS_GLOB))
    for path in paths:
        if not path.is_file():
            parser.error(f"notebook not found: {path}")
    if args.jobs < 1 or args.threads < 1:
        parser.error("--jobs and --threads must be at least 1")
    patterns = load_sanitize(args.sanitize)

    wall = time.perf_counter()
    coretype, npy_disable, notes = resolve_setup(args)
    env = build_env(args.threads, coretype, npy_disable)
    setup = {"threads": args.threads, "coretype": coretype, "npy_disable": npy_disable,
             "rel": args.rel, "abs": args.abs_tol, "jobs": args.jobs, **notes}
    print("tolerant replay set-up (the strict replay uses 1 thread and the default kernels):")
    print(f"  BLAS threads : {', '.join(f'{v}={args.threads}' for v in THREAD_VARS)}")
    print(f"  OpenBLAS core: OPENBLAS_CORETYPE={coretype or '(not set)'}"
          f"  [{notes['coretype_why']}]")
    print(f"  numpy SIMD   : NPY_DISABLE_CPU_FEATURES={','.join(npy_disable) or '(not set)'}"
          f"  [{notes['npy_why']}]")
    print(f"  tolerance    : moved if |new - old| > max({args.rel:g} x |old|, "
          f"{args.abs_tol:g} if |old| and |new| < 1 else 0)")
    if not args.no_probe:
        try:
            seen = probe_kernel(env, args.kernel)
        except Exception as exc:
            print(f"  SET-UP FAILED: a kernel with this set-up did not run: "
                  f"{type(exc).__name__}: {exc}", file=sys.stderr)
            print("  (an OpenBLAS core the CPU cannot run dies with SIGILL: try --coretype)",
                  file=sys.stderr)
            return 2
        blas = seen.get("blas") or [{}]
        numpy_info = seen.get("numpy") or {}
        off = [f for f in npy_disable if not numpy_info.get("features", {}).get(f, False)]
        setup["kernel"] = {"python": seen.get("python"), "numpy": numpy_info.get("version"),
                           "core": blas[0].get("corename"), "threads": blas[0].get("threads"),
                           "npy_off": off, "warnings": seen.get("warnings", [])}
        print(f"  kernel check : {seen.get('python')}, numpy {numpy_info.get('version')}, "
              f"OpenBLAS core {blas[0].get('corename')} with {blas[0].get('threads')} threads"
              + (f", numpy features off: {', '.join(off)}" if npy_disable else ""))
        for w in seen.get("warnings", []):
            print(f"  numpy warning: {' '.join(w.split())}")
        if seen.get("numpy_error"):
            print(f"  SET-UP FAILED: numpy did not import: {seen['numpy_error']}", file=sys.stderr)
            return 2
        if set(off) != set(npy_disable) or (coretype and blas[0].get("corename") and
                                            blas[0]["corename"].lower() != coretype.lower()):
            print("  WARNING: the kernel does not show the requested set-up", file=sys.stderr)
    print(f"running {len(paths)} notebook(s), {args.jobs} at a time, {args.timeout} s per cell",
          flush=True)

    work = [(str(p), env, patterns, args.rel, args.abs_tol, args.timeout, args.kernel)
            for p in paths]
    reports = []
    if args.jobs == 1 or len(paths) == 1:
        for item in work:
            reports.append(replay_notebook(*item))
            print(format_report(reports[-1], args.verbose), flush=True)
    else:
        # spawn, not fork: the parent already ran a kernel client (zmq is not fork-safe)
        with concurrent.futures.ProcessPoolExecutor(
                max_workers=args.jobs, mp_context=multiprocessing.get_context("spawn")) as pool:
            futures = [pool.submit(replay_notebook, *item) for item in work]
            for future in concurrent.futures.as_completed(futures):
                reports.append(future.result())
                print(format_report(reports[-1], args.verbose), flush=True)
    reports.sort(key=lambda r: r["notebook"])
    t = total(reports)
    best = t["largest_rel_change"]
    ok = all(report_ok(r) for r in reports)
    print(f"TOTAL {t['notebooks']} notebooks: {t['compared']} numbers compared, {t['changed']} "
          f"changed, {t['moved']} moved beyond tolerance; {t['text_changes']} text changes; "
          f"{t['errors']} cells errored; {t['failures']} runs stopped early, "
          f"{t['not_run']} cells not run"
          f"  (wall {time.perf_counter() - wall:.1f} s)")
    if best is not None:
        print(f"  largest relative change {_fmt_rel(best['rel_change'])}: "
              f"{Path(best['notebook']).name} Cell {best['cell']} (cells[{best['index']}]) "
              f"{best['old_text']} -> {best['new_text']}")
    print("OK: every printed number within tolerance" if ok else "FAILED")
    if args.json:
        args.json.write_text(json.dumps(_jsonable(
            {"setup": setup, "total": t, "ok": ok, "notebooks": reports}), indent=1,
            ensure_ascii=False) + "\n", encoding="utf-8")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
