#!/usr/bin/env python3
"""Execute notebooks in place in a fresh kernel and normalise them.

    python tools/execute_notebooks.py notebooks/03_activation_functions.ipynb [...]

Each notebook runs top to bottom in a new ``python3`` kernel whose working directory is
the notebook's folder (``notebooks/``), exactly as the nbval replay and JupyterLab run it.
The result is then normalised so that ``git diff`` shows only real changes:

- outputs and execution counts are kept (a static viewer shows every figure);
- stored widget state (``metadata.widgets``) is dropped: it is large, changes on every
  run and is useless without a kernel;
- per-cell execution timings and other volatile metadata are dropped;
- the kernelspec is set to ``python3`` and the Python patch version is not recorded;
- consecutive pieces of one stream (stdout, stderr) are merged into one output: how a
  kernel splits its prints into messages depends on timing, not on what was printed;
- a widget view whose output also carries a PNG (every course demo does) is dropped: without
  stored widget state its model is gone once the kernel stops, so GitHub, nbviewer, the HTML
  export and JupyterLab before the cell is re-run would show nothing or "model not found";
  with it dropped they all show the PNG of the demo's starting state. Running the cell
  brings the live widget back. Other widget views get a model id derived from their cell,
  instead of a fresh random one per run.

The kernel gets one BLAS thread, as in the replay (see conftest.py at the repository root).
That is for speed on a busy machine; the stored numbers do not depend on it, since the
course trains in float64 (see nnutils/__init__.py).

A notebook that raises stops the run with a non-zero exit status and is left unchanged.
"""
import argparse
import hashlib
import os
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
KERNELSPEC = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
# Notebook-level metadata written by editors and extensions; none of it belongs in the course.
VOLATILE_NB_METADATA = ("widgets", "varInspector", "toc", "vscode", "interpreter",
                        "celltoolbar", "colab", "accelerator", "papermill")
# Cell-level metadata that records when or how a cell ran, not what it is.
VOLATILE_CELL_METADATA = ("execution", "ExecuteTime", "trusted", "papermill", "collapsed",
                          "scrolled")


def normalise(nb):
    """Drop volatile metadata in place; keep sources, outputs and execution counts."""
    for key in VOLATILE_NB_METADATA:
        nb.metadata.pop(key, None)
    nb.metadata["kernelspec"] = dict(KERNELSPEC)
    info = nb.metadata.get("language_info", {})
    info.pop("version", None)  # the patch version differs between machines
    nb.metadata["language_info"] = info or {"name": "python"}
    for cell in nb.cells:
        for key in VOLATILE_CELL_METADATA:
            cell.metadata.pop(key, None)
        if cell.cell_type == "code":
            cell.outputs = merge_streams(cell.outputs)
            for k, out in enumerate(cell.outputs):
                # "transient" data (display ids) is never meant to be stored
                out.pop("transient", None)
                data = out.get("data", {})
                if WIDGET_VIEW in data and "image/png" in data:
                    del data[WIDGET_VIEW]
                    continue
                view = data.get(WIDGET_VIEW)
                if view and "model_id" in view:
                    view["model_id"] = hashlib.md5(f"{cell.get('id')}:{k}".encode()).hexdigest()
    return nb


def merge_streams(outputs):
    """Join consecutive stream outputs of the same name (e.g. three stdout pieces -> one)."""
    merged = []
    for out in outputs:
        last = merged[-1] if merged else None
        if (out.get("output_type") == "stream" and last is not None
                and last.get("output_type") == "stream" and last.get("name") == out.get("name")):
            last["text"] = last["text"] + out["text"]
        else:
            merged.append(out)
    return merged


def execute(path, timeout=600, run=True):
    """Run one notebook in a fresh kernel with cwd = its folder; write it back normalised."""
    path = Path(path)
    nb = nbformat.read(path, as_version=4)
    if run:
        client = NotebookClient(nb, timeout=timeout, kernel_name="python3",
                                resources={"metadata": {"path": str(path.parent.resolve())}})
        client.execute()
    normalise(nb)
    nbformat.validate(nb)
    tmp = path.with_suffix(".ipynb.tmp")
    nbformat.write(nb, tmp)
    tmp.replace(path)  # atomic: an interrupted run never leaves half a notebook


def main(argv=None):
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = "1"  # inherited by the kernels; same as the replay's conftest.py
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="+", type=Path)
    parser.add_argument("--timeout", type=int, default=600,
                        help="seconds allowed per cell (default 600)")
    parser.add_argument("--normalise-only", action="store_true",
                        help="only normalise the stored notebooks, do not execute them")
    args = parser.parse_args(argv)
    failed = []
    for path in args.notebooks:
        if not path.is_file():
            parser.error(f"notebook not found: {path}")
        start = time.perf_counter()
        try:
            execute(path, args.timeout, run=not args.normalise_only)
        except CellExecutionError as exc:
            failed.append(path)
            print(f"FAILED {path}:\n{exc}", file=sys.stderr)
            continue
        print(f"{'normalised' if args.normalise_only else 'executed'} {path} in {time.perf_counter() - start:.1f} s")
    if failed:
        print("failed: " + ", ".join(map(str, failed)), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
