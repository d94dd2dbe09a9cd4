"""Shared test set-up: where things are, and a headless matplotlib backend."""

import os
from pathlib import Path

import pytest

# Tests draw figures without a display; set before anything imports matplotlib.pyplot.
os.environ.setdefault("MPLBACKEND", "Agg")

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS_DIR = ROOT / "notebooks"


KOREAN_DIR = NOTEBOOKS_DIR / "ko"


def notebook_paths():
    """Every course notebook of the English edition, in lesson order."""
    return sorted(NOTEBOOKS_DIR.glob("[0-9][0-9]_*.ipynb"))


def korean_notebook_paths():
    """Every notebook of the Korean edition (notebooks/ko/), in lesson order."""
    return sorted(KOREAN_DIR.glob("[0-9][0-9]_*.ipynb"))


@pytest.fixture
def korean():
    """The package speaking Korean for one test (its catalogue), English again afterwards."""
    import nnutils
    from nnutils.i18n import catalogue
    nnutils.set_language("ko")
    try:
        yield catalogue("ko")
    finally:
        nnutils.set_language("en")
