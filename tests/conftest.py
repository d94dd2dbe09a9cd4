"""Shared test set-up: where things are, and a headless matplotlib backend."""

import os
from pathlib import Path

# Tests draw figures without a display; set before anything imports matplotlib.pyplot.
os.environ.setdefault("MPLBACKEND", "Agg")

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS_DIR = ROOT / "notebooks"


def notebook_paths():
    """Every course notebook, in lesson order."""
    return sorted(NOTEBOOKS_DIR.glob("[0-9][0-9]_*.ipynb"))
