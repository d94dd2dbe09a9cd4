"""Lesson 0's lecture map: every row points at a notebook that exists and at sections it has."""
import json
import re

import pytest

from conftest import NOTEBOOKS_DIR

ROW = re.compile(r"\[(\d+)\]\(((\d\d)_[a-z0-9_]+\.ipynb)\) (§\d+(?:(?:–|, )§\d+)*)")


def headings(path):
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    text = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
    return {int(n) for n in re.findall(r"^## (\d+)\. ", text, flags=re.M)}


def sections(ref):
    """'§1–§3, §5' -> {1, 2, 3, 5}"""
    out = set()
    for part in ref.replace("§", "").split(","):
        lo, _, hi = part.strip().partition("–")
        out.update(range(int(lo), int(hi or lo) + 1))
    return out


def map_rows():
    cells = json.loads((NOTEBOOKS_DIR / "00_start_here.ipynb").read_text(encoding="utf-8"))["cells"]
    text = next("".join(c["source"]) for c in cells if "Which section follows which slide" in "".join(c["source"]))
    return ROW.findall(text)


def test_the_map_has_a_row_for_every_deck_and_every_lesson():
    cells = json.loads((NOTEBOOKS_DIR / "00_start_here.ipynb").read_text(encoding="utf-8"))["cells"]
    text = next("".join(c["source"]) for c in cells if "Which section follows which slide" in "".join(c["source"]))
    for deck in ("Weight Update", "TensorFlow, day 2", "CS231n lecture 6", "Training Neural Networks",
                 "모두의 딥러닝"):
        assert deck in text, deck
    assert {int(n) for n, *_ in map_rows()} >= set(range(1, 11))


@pytest.mark.parametrize("number,name,prefix,ref", map_rows())
def test_each_map_row_points_at_existing_sections(number, name, prefix, ref):
    path = NOTEBOOKS_DIR / name
    assert path.is_file(), name
    assert int(number) == int(prefix), f"link text {number} for {name}"
    missing = sections(ref) - headings(path)
    assert not missing, f"{name} has no section(s) {sorted(missing)} (the map says {ref})"
