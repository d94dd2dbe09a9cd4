"""docs/teaching.md: every preset a lesson plan tells the teacher to click exists in a demo of
that lesson's notebook, every lesson has a plan, and the guide is linked where teachers look."""
import json
import re
from pathlib import Path

import pytest

from conftest import NOTEBOOKS_DIR
from nnutils.demos import all_demos

ROOT = Path(__file__).resolve().parent.parent
GUIDE = ROOT / "docs" / "teaching.md"


def plans():
    """{lesson number: text of its plan}"""
    parts = re.split(r"^## Lesson (\d+) — .*$", GUIDE.read_text(encoding="utf-8"), flags=re.M)
    return {int(n): text for n, text in zip(parts[1::2], parts[2::2])}


def presets_of_notebook(number):
    path = next(NOTEBOOKS_DIR.glob(f"{number:02d}_*.ipynb"))
    code = "\n".join("".join(c["source"]) for c in json.loads(path.read_text(encoding="utf-8"))["cells"]
                     if c["cell_type"] == "code")
    used = [cls for cls in all_demos().values() if re.search(rf"\b{cls.__name__}\(", code)]
    return {name for cls in used for name in (cls.presets or {})}


def test_every_lesson_has_a_plan():
    numbers = {int(p.name[:2]) for p in NOTEBOOKS_DIR.glob("[0-9][0-9]_*.ipynb")}
    assert set(plans()) == numbers


@pytest.mark.parametrize("number", sorted(plans()))
def test_every_preset_the_plan_names_exists_in_that_lesson(number):
    named = [" ".join(n.split()) for n in re.findall(r"«([^»]+)»", plans()[number])]   # wrapped lines
    available = presets_of_notebook(number)
    missing = [n for n in named if n not in available]
    assert not missing, f"lesson {number}: no such preset {missing}; the lesson's demos have {sorted(available)}"


def test_the_guide_is_linked_from_the_readme_and_lesson_0():
    assert "docs/teaching.md" in (ROOT / "README.md").read_text(encoding="utf-8")
    start = (NOTEBOOKS_DIR / "00_start_here.ipynb").read_text(encoding="utf-8")
    assert "../docs/teaching.md" in start
