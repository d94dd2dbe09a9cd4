"""tools/tolerant_replay.py: number extraction, skeletons, the tolerance rule, nbval's
sanitize file and cell markers, the choice of BLAS/SIMD set-up, and one real replay of a
tiny synthetic notebook (a kernel; a few seconds)."""

import json
import sys
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import tolerant_replay as tr  # noqa: E402


def values(text):
    return [v for v, *_ in tr.extract_numbers(text)]


# --- numbers and skeletons ------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("loss 0.1234, accuracy 95.3%", [0.1234, 0.953]),
    ("h = 1e-5, ratio 3.2e+04, tiny -2.5E-3", [1e-5, 3.2e4, -2.5e-3]),
    ("epoch 10/20: 7 steps", [10, 20, 7]),
    ("start (-7.0, +2.0) lr=-0.5 (-3)", [-7.0, 2.0, -0.5, -3]),
    ("a 2-H-1 network, 3-2 = 1", [2, 1, 3, 2, 1]),       # a binary minus is not a sign
    ("x0, w_2, float32, conv2d, W1 and ∂f/∂x1", []),      # digits inside names
    ("python 3.11.7", [3.11]),                           # no number glued to another
    ("12ms, 28x28 images, .5 and 3.", [12, 28, 0.5, 3]),
    ("[-6.   14.25]", [-6.0, 14.25]),
])
def test_extract_numbers(text, expected):
    assert values(text) == pytest.approx(expected)


def test_extract_numbers_keeps_the_matched_text_and_position():
    (value, text, start, end), = tr.extract_numbers("t = 0.50 s")
    assert (value, text, start, end) == (0.5, "0.50", 4, 8)


def test_skeleton_keeps_words_and_percent_signs_and_ignores_spacing():
    assert tr.skeleton("accuracy 95.3%") == tr.skeleton("accuracy  7%")
    assert "%" in tr.skeleton("accuracy 95.3%")
    assert tr.skeleton("[ 0.1 -0.2]") == tr.skeleton("[-0.1  0.2]")  # numpy re-pads
    assert tr.skeleton("loss 0.1") != tr.skeleton("loss nan")
    assert tr.skeleton("converged after 3") != tr.skeleton("diverged after 3")


# --- the tolerance rule -----------------------------------------------------------------

@pytest.mark.parametrize("old, new, kwargs, expected", [
    (10, 11, {}, True),            # an integer count must stay within 5 %
    (10, 10, {}, False),
    (100, 104, {}, False),
    (-2.0, -2.09, {}, False),
    (-2.0, -2.11, {}, True),
    (0.10, 0.12, {}, False),       # both below 1: 0.03 absolute is allowed
    (0.5, 0.525, {}, False),
    (0.5, 0.54, {}, True),
    (0.10, 0.12, {"abs_tol": 0}, True),
    (0.9, 1.1, {}, True),          # the new one is not below 1: relative only
    (0, 0.001, {}, False),
    (0, 1, {}, True),
    (1.2e-12, 2.0e-10, {}, False),  # tiny numbers fall under the absolute floor
    (10, 11, {"rel": 0.2}, False),
    (0.8, 0.9, {"abs_tol": 0.5}, False),
    (0.8, 1.2, {"abs_tol": 0.5}, True),   # the floor needs both below 1 ...
    (1.2, 0.8, {"abs_tol": 0.5}, True),   # ... the old one too
])
def test_moved(old, new, kwargs, expected):
    assert tr.moved(old, new, **kwargs) is expected


def test_relative_change():
    assert tr.relative_change(10, 12) == pytest.approx(0.2)
    assert tr.relative_change(0, 0) == 0
    assert tr.relative_change(0, 1) == float("inf")


# --- comparing one text -----------------------------------------------------------------

def test_compare_text_pairs_numbers_in_order_with_their_lines():
    old = "epoch  1 loss 0.500\nepoch 10 loss 0.100\n"
    new = "epoch  1 loss 0.510\nepoch 10 loss 0.300\n"
    result = tr.compare_text(old, new)
    assert result["text_changes"] == []
    nums = result["numbers"]
    assert [(n["old"], n["new"], n["line"]) for n in nums] == \
        [(1, 1, 1), (0.5, 0.51, 1), (10, 10, 2), (0.1, 0.3, 2)]
    assert [n["changed"] for n in nums] == [False, True, False, True]
    assert [n["moved"] for n in nums] == [False, False, False, True]
    assert nums[3]["old_line"] == "epoch 10 loss 0.100"
    assert nums[3]["new_line"] == "epoch 10 loss 0.300"


def test_compare_text_reports_changed_lines_and_still_compares_the_others():
    old = "SGD 0.534\nlr = 30 diverged at step 3\nAdam 0.046\n"
    new = "SGD 0.700\nlr = 30 converged\nAdam 0.046\n"
    result = tr.compare_text(old, new)
    assert result["text_changes"] == [{"line": 2, "old": ["lr = 30 diverged at step 3"],
                                       "new": ["lr = 30 converged"]}]
    assert [(n["old"], n["new"], n["moved"]) for n in result["numbers"]] == \
        [(0.534, 0.7, True), (0.046, 0.046, False)]


def test_compare_text_ignores_numpy_re_padding():
    result = tr.compare_text("w = [ 0.25  0.5 ]\n", "w = [-0.25  0.5 ]\n")
    assert result["text_changes"] == []
    assert [(n["old"], n["new"]) for n in result["numbers"]] == [(0.25, -0.25), (0.5, 0.5)]


# --- nbval's sanitize file and output handling ------------------------------------------

def test_parse_the_repository_sanitize_file():
    patterns = tr.load_sanitize(ROOT / "tests" / "nbval_sanitize.cfg")
    assert len(patterns) == 7
    assert tr.sanitize("at 0x7f3a2b1c4d5e", patterns) == "at 0xADDRESS"
    assert tr.sanitize("<Figure size 800x288 with 2 Axes>", patterns) == "<Figure>"
    assert tr.sanitize("data:image/png;base64,iVBOR=", patterns) == "data:image/png;base64,IMAGE"
    assert tr.sanitize("100%|##| 5/5 [00:01<00:00,  4.21it/s]", patterns) == \
        "100%|##| 5/5 [ELAPSED<REMAINING, RATE]"


def test_parse_sanitize_needs_regex_directly_followed_by_replace():
    text = ("# a comment\n[section]\nregex: a+\nreplace: A\n\nregex: lonely\n\n"
            "[two]\nregex: (\\d)x\nreplace: \\1y\n")
    patterns = tr.parse_sanitize(text)
    assert [(p.pattern, r) for p, r in patterns] == [("a+", "A"), ("(\\d)x", "\\1y")]
    assert tr.sanitize("caaat 3x", patterns) == "cAt 3y"


def test_parse_sanitize_agrees_with_nbval():
    plugin = pytest.importorskip("nbval.plugin")
    text = (ROOT / "tests" / "nbval_sanitize.cfg").read_text(encoding="utf-8")
    assert [(p.pattern, r) for p, r in tr.parse_sanitize(text)] == \
        plugin.get_sanitize_patterns(text)


def test_text_outputs_merges_streams_and_keeps_only_text():
    outputs = [
        new_output("stream", name="stdout", text="a 1\n"),
        new_output("stream", name="stderr", text="10%\r50%\r100%\n"),
        new_output("stream", name="stdout", text="b 2\n"),
        new_output("display_data", data={"image/png": "iVBOR",
                                          "text/plain": "<Figure size 8x2 with 1 Axes>"}),
        new_output("display_data", data={"text/plain": "VBox(x=3)",
                                          tr.WIDGET_VIEW: {"model_id": "m"}}),
        new_output("display_data", data={"text/html": "<b>4</b>"}),
        new_output("execute_result", data={"text/plain": "0.5"}, execution_count=1),
        new_output("error", ename="ValueError", evalue="9", traceback=[]),
    ]
    patterns = tr.load_sanitize(ROOT / "tests" / "nbval_sanitize.cfg")
    assert tr.text_outputs(outputs, patterns) == {
        "stdout": ["a 1\nb 2\n"], "stderr": ["100%\n"], "text/plain": ["<Figure>", "0.5"]}


# --- cell selection and numbering ---------------------------------------------------------

def _cell(source, tags=None, count=1, text=None):
    cell = new_code_cell(source, execution_count=count)
    if tags:
        cell.metadata["tags"] = tags
    if text is not None:
        cell.outputs = [new_output("stream", name="stdout", text=text)]
    return cell


def _selection_notebook():
    return new_notebook(cells=[
        new_markdown_cell("# title 1"),
        _cell("print(1)"),                                          # Cell 0, cells[1]
        _cell("# NBVAL_IGNORE_OUTPUT\nprint(2)"),                  # Cell 1: ignored
        new_markdown_cell("text"),
        _cell("x = 1\n  #  NBVAL_IGNORE_OUTPUT  \nprint(x)"),      # Cell 2: marker on line 2
        _cell("print(4)", tags=["nbval-skip"]),                    # Cell 3: skipped by tag
        _cell("# NBVAL_SKIP\nprint(5)"),                           # Cell 4: skipped
        _cell("print(6)", count=None),                             # Cell 5: unrun reference
        _cell("# NBVAL_CHECK_OUTPUT\nprint(7)",
              tags=["nbval-ignore-output"]),                        # Cell 6: comment wins
        _cell("# NBVAL_IGNORE_OUTPUT is explained below\nprint(8)"),  # Cell 7: not a marker
        _cell("print(9)", tags=["raises-exception"]),              # Cell 8
    ])


def test_compared_cells_follow_nbval_markers_and_numbering():
    nb = _selection_notebook()
    numbering = [(number, index) for number, index, _, _ in tr.code_cells(nb)]
    assert numbering == [(0, 1), (1, 2), (2, 4), (3, 5), (4, 6), (5, 7), (6, 8), (7, 9), (8, 10)]
    assert [(n, i) for n, i, _, _ in tr.compared_cells(nb)] == [(0, 1), (6, 8), (7, 9), (8, 10)]
    assert tr.cell_options(nb.cells[10])["check_exception"] is True


def test_cell_options_agree_with_nbval():
    plugin = pytest.importorskip("nbval.plugin")
    import warnings
    for cell in _selection_notebook().cells:
        if cell.cell_type != "code":
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            expected = {"check": True, "skip": False, "check_exception": False}
            expected.update(dict(plugin.find_metadata_tags(cell.metadata)))
            expected.update(dict(plugin.find_comment_markers(cell.source)))
        assert tr.cell_options(cell) == expected, cell.source


# --- comparing notebooks --------------------------------------------------------------------

def _stored_and_new():
    stored = new_notebook(cells=[
        new_markdown_cell("# title"),
        _cell("a", text="epoch 10 loss 0.500\n"),
        _cell("b", text="accuracy 0.90\n"),
        _cell("# NBVAL_IGNORE_OUTPUT\nc", text="took 1.2 s\n"),
        _cell("d", text="steps 100\n"),
        _cell("e", text="converged\n"),
        _cell("f"),
    ])
    new = nbformat.from_dict(json.loads(json.dumps(stored)))
    new.cells[1].outputs[0].text = "epoch 10 loss 0.510\n"     # changed within tolerance
    new.cells[3].outputs[0].text = "took 9.9 s\n"              # ignored cell
    new.cells[4].outputs[0].text = "steps 120\n"               # moved
    new.cells[5].outputs[0].text = "diverged\n"                # text changed
    new.cells[6].outputs = [new_output("error", ename="ZeroDivisionError", evalue="boom",
                                       traceback=[])]
    return stored, new


def test_compare_notebooks_counts_and_locates_every_kind_of_difference():
    stored, new = _stored_and_new()
    report = tr.compare_notebooks(stored, new, name="nb.ipynb")
    assert (report["compared"], report["changed"], report["moved"]) == (4, 2, 1)
    moved, = report["moved_numbers"]
    assert (moved["cell"], moved["index"], moved["old"], moved["new"]) == (3, 4, 100, 120)
    assert moved["old_line"] == "steps 100"
    assert report["largest_rel_change"]["new"] == 120
    change, = report["text_changes"]
    assert (change["cell"], change["old"], change["new"]) == (4, ["converged"], ["diverged"])
    assert report["errors"] == [{"cell": 5, "index": 6, "ename": "ZeroDivisionError",
                                 "evalue": "boom"}]
    assert not tr.report_ok(report)
    text = tr.format_report(report)
    assert "MOVED nb.ipynb Cell 3 (cells[4]) stdout line 1: 100 -> 120" in text
    assert "stored: steps 100" in text
    json.dumps(tr._jsonable(report))  # the --json report is valid JSON


def test_compare_notebooks_passes_when_only_small_changes():
    stored, new = _stored_and_new()
    for k in (4, 5):
        new.cells[k].outputs = stored.cells[k].outputs
    new.cells[6].outputs = []
    report = tr.compare_notebooks(stored, new)
    assert (report["compared"], report["changed"], report["moved"]) == (4, 1, 0)
    assert tr.report_ok(report)


def test_compare_notebooks_reports_cells_that_did_not_run_and_missing_outputs():
    stored, new = _stored_and_new()
    new.cells[2].outputs = []
    report = tr.compare_notebooks(stored, new, executed={1, 2, 3, 5, 6})
    assert report["not_run"] == [{"cell": 3, "index": 4}]
    assert any(c["cell"] == 1 and c["new"] == ["(no such output)"]
               for c in report["text_changes"])
    assert not tr.report_ok(report)


def test_an_error_in_a_cell_marked_to_raise_is_not_an_error():
    stored = new_notebook(cells=[_cell("# NBVAL_RAISES_EXCEPTION\n1/0"), _cell("2/0")])
    new = nbformat.from_dict(json.loads(json.dumps(stored)))
    for cell in new.cells:
        cell.outputs = [new_output("error", ename="ZeroDivisionError", evalue="", traceback=[])]
    errors = tr.compare_notebooks(stored, new)["errors"]
    assert [(e["cell"], e["ename"]) for e in errors] == [(1, "ZeroDivisionError")]

# --- the set-up ---------------------------------------------------------------------------

NUMPY_24_ZEN3 = {"machine": "x86_64", "blas": [{"corename": "Haswell"}], "numpy": {
    "baseline": ["X86_V2"], "dispatch": ["X86_V3", "X86_V4", "AVX512_ICL", "AVX512_SPR"],
    "features": {"SSE42": True, "AVX": True, "AVX2": True, "FMA3": True, "X86_V2": True,
                 "X86_V3": True, "X86_V4": False, "AVX512_ICL": False, "AVX512_SPR": False}}}
NUMPY_1_DISPATCH = ["SSSE3", "SSE41", "POPCNT", "SSE42", "AVX", "F16C", "FMA3", "AVX2",
                    "AVX512F", "AVX512CD", "AVX512_KNL", "AVX512_SKX", "AVX512_CLX"]


def _numpy1(avx512, baseline=("SSE", "SSE2", "SSE3"), core="SkylakeX"):
    features = {f: True for f in NUMPY_1_DISPATCH + list(baseline)}
    for f in NUMPY_1_DISPATCH:
        if f.startswith("AVX512"):
            features[f] = avx512
    features["AVX512_KNL"] = False
    return {"machine": "AMD64", "blas": [{"corename": core}],
            "numpy": {"baseline": list(baseline), "dispatch": NUMPY_1_DISPATCH,
                      "features": features}}


def test_choose_npy_disable_takes_the_widest_tier_the_cpu_has():
    assert tr.choose_npy_disable(NUMPY_24_ZEN3) == ["X86_V3"]
    with_avx512 = json.loads(json.dumps(NUMPY_24_ZEN3))
    with_avx512["numpy"]["features"].update(X86_V4=True, AVX512_ICL=True)
    assert tr.choose_npy_disable(with_avx512) == ["X86_V4", "AVX512_ICL"]
    assert tr.choose_npy_disable(_numpy1(avx512=True)) == \
        ["AVX512F", "AVX512CD", "AVX512_SKX", "AVX512_CLX"]
    assert tr.choose_npy_disable(_numpy1(avx512=False)) == ["FMA3", "AVX2"]
    # a baseline feature can never be disabled (numpy raises)
    assert tr.choose_npy_disable(_numpy1(False, baseline=("AVX2", "FMA3"))) == []
    arm = {"machine": "aarch64", "numpy": {
        "baseline": ["NEON", "ASIMD"], "dispatch": ["ASIMDHP", "ASIMDDP", "ASIMDFHM", "SVE"],
        "features": {"ASIMDHP": True, "ASIMDDP": True, "ASIMDFHM": False, "SVE": False}}}
    assert tr.choose_npy_disable(arm) == ["ASIMDHP", "ASIMDDP"]
    assert tr.choose_npy_disable({"machine": "riscv64", "numpy": None}) == []


def test_choose_coretype_differs_from_the_default_and_suits_the_cpu():
    assert tr.choose_coretype(NUMPY_24_ZEN3)[0] == "Sandybridge"
    sandy = dict(NUMPY_24_ZEN3, blas=[{"corename": "SANDYBRIDGE"}])
    assert tr.choose_coretype(sandy)[0] == "Haswell"
    no_avx = {"machine": "x86_64", "blas": [{"corename": "Nehalem"}],
              "numpy": {"features": {"SSE3": True, "SSE42": True, "AVX": False}}}
    assert tr.choose_coretype(no_avx)[0] == "Prescott"
    assert tr.choose_coretype(dict(NUMPY_24_ZEN3, machine="arm64"))[0] is None
    assert tr.choose_coretype(dict(NUMPY_24_ZEN3, blas=[]))[0] is None


def test_build_env_sets_threads_core_and_simd_without_touching_the_base():
    base = {"PATH": "/bin", "OPENBLAS_CORETYPE": "Zen", "NPY_ENABLE_CPU_FEATURES": "AVX2",
            "OPENBLAS_NUM_THREADS": "1"}
    env = tr.build_env(3, "Sandybridge", ["X86_V3", "X86_V4"], base=base)
    assert {v: env[v] for v in tr.THREAD_VARS} == dict.fromkeys(tr.THREAD_VARS, "3")
    assert env["OPENBLAS_CORETYPE"] == "Sandybridge"
    assert env["NPY_DISABLE_CPU_FEATURES"] == "X86_V3,X86_V4"
    assert "NPY_ENABLE_CPU_FEATURES" not in env and env["PATH"] == "/bin"
    assert base["OPENBLAS_NUM_THREADS"] == "1"
    plain = tr.build_env(2, None, [], base=base)
    assert "OPENBLAS_CORETYPE" not in plain and "NPY_DISABLE_CPU_FEATURES" not in plain


def test_probe_defaults_reads_numpy_in_a_subprocess():
    np = pytest.importorskip("numpy")
    info = tr.probe_defaults()
    assert info["numpy"]["version"] == np.__version__
    assert set(info["numpy"]["baseline"]) <= set(info["numpy"]["features"])
    for blas in info["blas"]:
        assert isinstance(blas["corename"], str) and blas["corename"]


# --- a real replay of a tiny notebook -------------------------------------------------------

def test_replay_of_a_tiny_notebook_fails_beyond_and_passes_within_tolerance(tmp_path, capsys):
    pytest.importorskip("nbclient")
    nb = new_notebook(cells=[
        _cell('import os\nprint("threads", os.environ["OPENBLAS_NUM_THREADS"])', count=1,
              text="threads 3\n"),                     # the kernel gets the tolerant env
        _cell('print("accuracy 0.120")', count=2, text="accuracy 0.100\n"),  # within 0.03
        _cell('print("epochs", 6 * 2)', count=3, text="epochs 10\n"),         # 20 %: moved
        _cell("# NBVAL_SKIP\n1 / 0", count=4),        # not run, as nbval does not run it
    ])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    path = tmp_path / "tiny.ipynb"
    nbformat.write(nb, path)
    stored = path.read_bytes()
    common = [str(path), "--jobs", "1", "--threads", "3", "--coretype", "none",
              "--npy-disable", "none", "--no-probe", "--timeout", "60"]

    assert tr.main(common + ["--json", str(tmp_path / "r.json")]) == 1
    out = capsys.readouterr().out
    assert "MOVED tiny.ipynb Cell 2 (cells[2]) stdout line 1: 10 -> 12" in out
    report = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert not report["ok"]
    (nb_report,) = report["notebooks"]
    assert (nb_report["compared"], nb_report["changed"], nb_report["moved"]) == (3, 2, 1)

    assert tr.main(common + ["--rel", "0.25"]) == 0
    assert "OK: every printed number within tolerance" in capsys.readouterr().out
    assert path.read_bytes() == stored  # the stored notebook is never written


def test_a_cell_that_times_out_stops_the_run_and_fails(tmp_path, capsys):
    pytest.importorskip("nbclient")
    nb = new_notebook(cells=[_cell("import time; time.sleep(60)", count=1),
                             _cell('print("after 1")', count=2, text="after 1\n")])
    path = tmp_path / "slow.ipynb"
    nbformat.write(nb, path)
    assert tr.main([str(path), "--jobs", "1", "--coretype", "none", "--npy-disable", "none",
                    "--no-probe", "--timeout", "2"]) == 1
    out = capsys.readouterr().out
    assert "RUN STOPPED at Cell 0 (cells[0]): CellTimeoutError" in out
    assert "NOT RUN slow.ipynb Cell 1 (cells[1])" in out


def test_a_percentage_is_compared_as_the_fraction_it_stands_for():
    assert [v for v, *_ in tr.extract_numbers("accuracy 96%, 3 runs")] == [0.96, 3.0]
    # 0% -> 1% is one point of accuracy: within 0.03; 90% -> 80% is not
    assert not any(p["moved"] for p in tr.compare_text("acc 0%", "acc 1%")["numbers"])
    assert all(p["moved"] for p in tr.compare_text("acc 90%", "acc 80%")["numbers"])
