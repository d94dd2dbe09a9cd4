"""The Korean edition: every English string has a Korean one, Korean figures draw no missing
glyph, and the Korean notebooks run the English notebooks' code cell for cell."""

import ast
import json
import string
import warnings

import pytest
from matplotlib.text import Text

import nnutils
from conftest import KOREAN_DIR, ROOT, notebook_paths
from nnutils import i18n
from nnutils.demos import all_demos

PACKAGE = ROOT / "nnutils"
HANGUL = range(0xAC00, 0xD7A4)
LANGUAGE_CELL = 'import nnutils\nnnutils.set_language("ko")   # 한국어: 데모, 그림, 채점 메시지'


def _fields(template):
    return {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}


def _tr_literals():
    """(file:line, string) of every tr("...") in the package."""
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", None)) == "tr" \
                    and node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str):
                yield f"{path.relative_to(ROOT)}:{node.lineno}", node.args[0].value


def _demo_strings(cls):
    """What the base Demo passes through tr: title, preset names, control labels."""
    demo = cls.__new__(cls)
    texts = [cls.title, cls.preset_heading] + list(cls.presets) + list(cls.control_groups)
    try:
        texts += list(cls.buttons(demo))                # e.g. the playground's "play"
    except AttributeError:                              # needs a built demo: covered by its tests
        pass
    for control in cls.make_controls(demo).values():
        texts.append(control.description)
        # the labels of (label, value) options; a plain option is a value, shown as it is
        texts += [o[0] for o in getattr(control, "options", ()) if isinstance(o, tuple)]
    return [t for t in texts if t]


def test_english_is_the_default_and_unknown_languages_are_refused():
    assert nnutils.language() == "en" and i18n.tr("learning rate") == "learning rate"
    with pytest.raises(ValueError, match=r"language must be one of \('en', 'ko'\), got 'fr'"):
        nnutils.set_language("fr")
    assert nnutils.language() == "en"


def test_templates_fill_their_fields(korean):
    assert i18n.tr("{what} is right on all {n} cases.", what="x", n=3).count("3") == 1
    assert i18n.tr("show the answer") != "show the answer"


def test_catalogue_files_agree_with_each_other():
    seen = {}
    for path in sorted((PACKAGE / "locales" / "ko").glob("*.json")):
        entries = json.loads(path.read_text(encoding="utf-8"))
        for key, value in entries.items():
            assert isinstance(value, str) and value, f"{path.name}: empty translation of {key!r}"
            if key in seen:
                assert seen[key][1] == value, f"{key!r}: {seen[key][0]} and {path.name} disagree"
            seen[key] = (path.name, value)


def test_every_string_the_code_translates_has_a_korean_one():
    ko = i18n.catalogue("ko")
    missing = [f"{where}: {text!r}" for where, text in _tr_literals() if text not in ko]
    assert not missing, f"{len(missing)} strings have no Korean:\n" + "\n".join(missing[:40])
    wrong = [f"{where}: {text!r} -> {ko[text]!r}" for where, text in _tr_literals()
             if _fields(ko[text]) != _fields(text)]
    assert not wrong, "fields differ between English and Korean:\n" + "\n".join(wrong)


@pytest.mark.parametrize("name", sorted(all_demos()))
def test_every_demo_label_has_a_korean_one(name):
    ko = i18n.catalogue("ko")
    cls = all_demos()[name]
    missing = [t for t in _demo_strings(cls) if t not in ko]
    assert not missing, f"{name}: no Korean for {missing}"


def test_korean_is_hangul_not_a_copy():
    ko = i18n.catalogue("ko")
    copies = [k for k, v in ko.items() if v == k and any(c.isalpha() and c.isascii() for c in k)
              and len(k.split()) > 2]
    assert not copies, f"untranslated (Korean = English): {copies[:20]}"


# --- the notebooks ------------------------------------------------------------------------
def _code_cells(path):
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    return [("".join(c["source"]), c.get("id")) for c in cells if c["cell_type"] == "code"]


def test_every_english_notebook_has_a_korean_one():
    missing = [p.name for p in notebook_paths() if not (KOREAN_DIR / p.name).is_file()]
    assert not missing, f"no Korean notebook for {missing}"


@pytest.mark.parametrize("english", notebook_paths(), ids=[p.name for p in notebook_paths()])
def test_korean_code_cells_are_the_english_ones(english):
    korean = KOREAN_DIR / english.name
    if not korean.is_file():
        pytest.skip("no Korean notebook (test_every_english_notebook_has_a_korean_one fails)")
    ko_cells = _code_cells(korean)
    assert ko_cells and ko_cells[0][0] == LANGUAGE_CELL, \
        "the first code cell of a Korean notebook switches the language:\n" + LANGUAGE_CELL
    en_code = [src for src, _ in _code_cells(english)]
    ko_code = [src for src, _ in ko_cells[1:]]
    assert len(ko_code) == len(en_code), f"{len(ko_code)} code cells, the English has {len(en_code)}"
    for i, (en, ko) in enumerate(zip(en_code, ko_code)):
        assert en == ko, f"code cell {i + 1} differs from the English notebook's:\n{ko[:300]}"


def test_lesson_0_of_each_edition_links_to_the_other():
    english = (ROOT / "notebooks" / "00_start_here.ipynb").read_text(encoding="utf-8")
    assert "ko/00_start_here.ipynb" in english
    korean = (KOREAN_DIR / "00_start_here.ipynb")
    if korean.is_file():
        assert "../00_start_here.ipynb" in korean.read_text(encoding="utf-8")


# --- figures -------------------------------------------------------------------------------
@pytest.mark.parametrize("name", sorted(all_demos()))
def test_korean_demos_draw_hangul_and_no_missing_glyph(name, korean):
    from test_demos import make_demo
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=".*missing from font")
        demo = make_demo(all_demos()[name])
        assert demo.error is None, demo.error
        demo.png()
        demo.fig.canvas.draw()                         # every text artist laid out with its font
    drawn = " ".join(t.get_text() for t in demo.fig.findobj(Text) if t.get_visible())
    header = demo.widget.children[0].value if demo.title else ""
    assert any(ord(c) in HANGUL for c in drawn + header), f"{name}: no Hangul in the demo"
