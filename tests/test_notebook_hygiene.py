"""Every committed notebook is clean: executed top to bottom, no errors, small, portable.

These checks read the stored .ipynb files (no kernel); `make notebooks` fixes most failures.
"""

import json
import re

import pytest

from conftest import KOREAN_DIR, korean_notebook_paths, notebook_paths

ENGLISH = notebook_paths()
NOTEBOOKS = ENGLISH + korean_notebook_paths()      # both editions
MAX_BYTES = 2 * 1024 * 1024
HANGUL = re.compile(r"[\uac00-\ud7a3]")
# Machine-specific paths that would break (or leak) on someone else's computer.
ABSOLUTE_PATH = re.compile(
    r"(?<![\w.~-])/(?:home|root|work|tmp|Users|private/var|var/folders|mnt/[a-z])/"
    r"|(?<![\w$\\{])[A-Z]:\\(?:Users|Windows|Documents|Program Files|ProgramData|Temp)\b"
    r"|file:///")
IMAGE_MIME = re.compile(r"^image/(?!svg)")
NOTEBOOK_LINK = re.compile(r"\]\(([^)\s#]+\.ipynb)(?:#[^)]*)?\)")


def load(path):
    return json.loads(path.read_text(encoding="utf-8"))


def source(cell):
    s = cell.get("source", "")
    return "".join(s) if isinstance(s, list) else s


def text_strings(node, key=""):
    """Every string in the notebook except binary image data."""
    if isinstance(node, dict):
        for k, v in node.items():
            if not IMAGE_MIME.match(k):
                yield from text_strings(v, k)
    elif isinstance(node, list):
        for v in node:
            yield from text_strings(v, key)
    elif isinstance(node, str):
        yield node


def test_there_are_notebooks():
    assert ENGLISH, "no notebooks/NN_name.ipynb found"
    assert ENGLISH[0].name == "00_start_here.ipynb"


def _id(path):
    return f"ko/{path.name}" if path.parent == KOREAN_DIR else path.name


each_notebook = pytest.mark.parametrize("path", NOTEBOOKS, ids=[_id(p) for p in NOTEBOOKS])


@each_notebook
def test_size(path):
    size = path.stat().st_size
    assert size <= MAX_BYTES, f"{size / 1e6:.1f} MB > 2 MB: lower the dpi or show fewer figures"


@each_notebook
def test_kernelspec_and_no_widget_state(path):
    nb = load(path)
    assert nb["metadata"].get("kernelspec", {}).get("name") == "python3"
    assert "widgets" not in nb["metadata"], \
        "stored widget state: run tools/execute_notebooks.py (make notebooks) to drop it"


@each_notebook
def test_executed_in_order_top_to_bottom(path):
    cells = [c for c in load(path)["cells"] if c["cell_type"] == "code" and source(c).strip()]
    counts = [c.get("execution_count") for c in cells]
    assert counts == list(range(1, len(cells) + 1)), \
        f"execution counts {counts}: re-execute with tools/execute_notebooks.py"


@each_notebook
def test_no_error_output(path):
    for i, cell in enumerate(load(path)["cells"]):
        for out in cell.get("outputs", []):
            assert out["output_type"] != "error", \
                f"cell {i}: {out.get('ename')}: {out.get('evalue')}"
            if out["output_type"] == "stream" and out.get("name") == "stderr":
                assert "Traceback (most recent call last)" not in "".join(out["text"]), \
                    f"cell {i} printed a traceback"


@each_notebook
def test_title_cell_says_which_lecture_and_what_you_learn(path):
    first = load(path)["cells"][0]
    assert first["cell_type"] == "markdown", "the first cell should be the title (markdown)"
    text = source(first)
    title = text.lstrip().splitlines()[0]
    assert title.startswith("# "), f"first line should be a '# ' title, got {title!r}"
    number = int(path.name[:2])
    assert HANGUL.search(title), "the title should carry the Korean term too"
    if path.parent == KOREAN_DIR:                    # "# 제5강 — 최적화 기법과 학습률 (Optimizers …)"
        if number > 0:
            assert re.match(rf"# 제{number}강\b", title), \
                f"title should start '# 제{number}강 — ', got {title!r}"
        assert re.search(r"[A-Za-z]", title), "the title should carry the English term too"
        assert "강의" in text, "say which lecture it follows (강의)"
        assert re.search(r"배운다|배울|배웁니다", text), "say what the student will learn (배운다)"
        return
    if number > 0:
        assert re.match(rf"# Lesson {number}\b", title), \
            f"title should start '# Lesson {number} — ', got {title!r}"
    assert re.search(r"lecture", text, re.IGNORECASE), "say which lecture it follows"
    assert re.search(r"\blearn", text, re.IGNORECASE), "say what the student will learn"


@each_notebook
def test_no_absolute_paths(path):
    for s in text_strings(load(path)):
        match = ABSOLUTE_PATH.search(s)
        assert not match, f"absolute path {match.group(0)!r} in: {s[:200]!r}"


@each_notebook
def test_widget_cells_ignore_their_output(path):
    """A live widget's output (and anything printed beside it) differs between runs."""
    for i, cell in enumerate(load(path)["cells"]):
        if any("application/vnd.jupyter.widget-view+json" in out.get("data", {})
               for out in cell.get("outputs", [])):
            assert source(cell).lstrip().startswith("# NBVAL_IGNORE_OUTPUT"), \
                f"cell {i} shows a widget: start it with '# NBVAL_IGNORE_OUTPUT'"


@each_notebook
def test_links_to_other_notebooks_resolve(path):
    for cell in load(path)["cells"]:
        if cell["cell_type"] == "markdown":
            for target in NOTEBOOK_LINK.findall(source(cell)):
                assert (path.parent / target).is_file(), f"broken link to {target}"


CONTROL_CHARACTER = re.compile(r"[\x00-\x09\x0b-\x1f\x7f]")      # every one but the newline


@each_notebook
def test_markdown_has_no_control_characters(path):
    r"""A TAB or another control character in markdown is nearly always a LaTeX command that
    went through a non-raw Python string: "\text" becomes TAB + "ext", "\top" TAB + "op",
    and the formula breaks."""
    bad = []
    for i, cell in enumerate(load(path)["cells"]):
        text = source(cell) if cell["cell_type"] == "markdown" else ""
        for m in CONTROL_CHARACTER.finditer(text):
            bad.append(f"cells[{i}]: {m.group()!r} in {text[max(0, m.start() - 30):m.end() + 30]!r}")
    assert not bad, "control characters in markdown:\n" + "\n".join(bad)


@each_notebook
def test_one_korean_term_for_regularization(path):
    """Lesson 0's glossary: 규제 is regularization, 정규화 only normalization (배치 정규화), so a
    student never reads one word for two ideas. Only the glossary's note names the clash."""
    bad = []
    for i, cell in enumerate(load(path)["cells"]):
        for line in source(cell).splitlines():
            if "often say 정규화" in line:
                continue
            for m in re.finditer("정규화", line):
                if not line[:m.start()].endswith("배치 "):
                    bad.append(f"cells[{i}]: {line.strip()[:80]!r}")
    assert not bad, "정규화 used for something other than (batch) normalization:\n" + "\n".join(bad)


TIMING = re.compile(r"\b(perf_counter|process_time|monotonic|last_update_seconds|timeit)\b|time\.time\(")


@each_notebook
def test_no_cell_times_the_demos_or_the_training(path):
    """Latency and training times are quality assurance, not teaching: they live in
    benchmarks/ (demo_latency.py, activations.py), whose numbers depend on the machine."""
    hits = [f"cells[{i}]: {m.group()}" for i, cell in enumerate(load(path)["cells"])
            if cell["cell_type"] == "code" for m in TIMING.finditer(source(cell))]
    assert not hits, "timing code in a lesson:\n" + "\n".join(hits)
