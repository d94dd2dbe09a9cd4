"""The Korean edition of lessons 7 and 8: their demos, figures and checkers speak Korean after
set_language("ko") (and English by default), and the Korean notebooks keep the English
notebooks' formulas, code spans and cells."""

import json
import re
import warnings

import numpy as np
import pytest

from conftest import KOREAN_DIR, NOTEBOOKS_DIR, ROOT
from nnutils.exercises import lesson07, lesson08

HANGUL = re.compile(r"[\uac00-\ud7a3]")
CATALOGUE = ROOT / "nnutils" / "locales" / "ko" / "lessons07-08.json"
NOTEBOOKS = ("07_regularization.ipynb", "08_hyperparameter_search.ipynb")


def figure_text(fig):
    return " ".join(t.get_text() for t in fig.findobj(lambda a: hasattr(a, "get_text")) if t.get_visible())


def build_and_draw(make):
    """Build a demo and draw it, a missing glyph being an error."""
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=".*missing from font")
        demo = make()
        assert demo.error is None, demo.error
        demo.fig.canvas.draw()
    return demo


# --- demos ---------------------------------------------------------------------------------
def test_weight_decay_demo_in_korean(korean):
    from nnutils.demos.regularization import WeightDecayDemo
    demo = build_and_draw(lambda: WeightDecayDemo(epochs=2, penalty="elastic"))
    text = figure_text(demo.fig)
    assert "에폭" in text and "가중치 비율" in text and "엘라스틱 넷 λ=" in text, text
    assert "epoch" not in text and "fraction of weights" not in text
    assert "학습 완료" in demo.status.value or "저장된 결과" in demo.status.value
    assert HANGUL.search(demo.widget.children[0].value), "the title is not Korean"


def test_dropout_demo_in_korean(korean):
    from nnutils.demos.regularization import DropoutDemo
    demo = build_and_draw(lambda: DropoutDemo(epochs=2, ratio=0.2))
    text = figure_text(demo.fig)
    assert "Dropout 계층의 마스크" in text and "드롭아웃 0.2: 훈련" in text, text
    assert "1.25배" in text            # 1 / (1 − 0.2), the scale of the kept units


def test_augment_gallery_in_korean(korean):
    from nnutils.demos.regularization import AugmentGallery
    demo = build_and_draw(lambda: AugmentGallery(transform="rotate", strength=1.0))
    text = figure_text(demo.fig)
    assert "원본" in text and "레이블 9" in text, text
    assert "회전, 강도 1.00 (1 = 최대 ±180°)" in text, text


def test_random_search_demo_in_korean(korean):
    from nnutils.demos.search import RandomSearchDemo
    demo = build_and_draw(lambda: RandomSearchDemo(n_trials=5, live=False))
    text = figure_text(demo.fig)
    assert "5회 중 5회 시행" in text and "학습률 lr (로그)" in text and "우연 수준" in text, text
    assert demo.status.value == "5회 시행 완료"


def test_edge_warning_names_what_sits_at_the_edge(korean):
    from nnutils.demos.search import _edge_warning
    assert "lr과 λ가 모두" in _edge_warning(True, True)
    assert "최적의 lr 값이" in _edge_warning(True, False)
    assert "최적의 λ 값이" in _edge_warning(False, True)
    assert _edge_warning(False, False) == ""


def test_demos_speak_english_by_default():
    from nnutils.demos.regularization import AugmentGallery
    demo = AugmentGallery()
    assert not HANGUL.search(figure_text(demo.fig))
    assert "the label stays the same" in figure_text(demo.fig)


# --- checkers ------------------------------------------------------------------------------
def no_rescale(x, ratio, u):
    return x * (u > ratio)


def keeps_with_ratio(x, ratio, u):
    return x * (u <= ratio) / ratio


def l2_twice(params, grads, lam):
    return {k: g + 2 * lam * params[k] if k.startswith("W") else g for k, g in grads.items()}


def value_uniform(low, high, size, rng):
    return rng.uniform(low, high, size)


WRONG = [
    (lambda: lesson07.check_dropout_forward(no_rescale), "rescaled", "크기를 조정하지 않았다"),
    (lambda: lesson07.check_dropout_forward(keeps_with_ratio), "KEEPING", "'유지할' 확률"),
    (lambda: lesson07.check_dropout_backward(lambda dout, ratio, u: dout), "dropped units",
     "버려진 유닛"),
    (lambda: lesson07.check_l2_grads(l2_twice), "½ convention", "½ 관례"),
    (lambda: lesson08.check_initial_loss(1.0), "natural logarithm", "자연로그"),
    (lambda: lesson08.check_initial_loss("ten"), "expected a number", "숫자를 기대했는데"),
    (lambda: lesson08.check_log_uniform(value_uniform), "top decade", "맨 위 자릿수 구간"),
    (lambda: lesson08.check_next_range("weight_decay", 1e-8, 1e-4), "not what decides",
     "결과를 가르는 것은 λ가 아니다"),
    (lambda: lesson08.check_next_range("lr", 1e-4, 1e-2), "ABOVE", "위에 있을 수 있다"),
]


@pytest.mark.parametrize("check, english, korean_text", WRONG, ids=[w[1] for w in WRONG])
def test_checkers_explain_a_wrong_answer_in_korean(check, english, korean_text, korean):
    result = check()
    assert not result
    assert korean_text in result.message and english not in result.message, result.message


@pytest.mark.parametrize("check, english, korean_text", WRONG, ids=[w[1] for w in WRONG])
def test_checkers_explain_a_wrong_answer_in_english_by_default(check, english, korean_text):
    result = check()
    assert not result and english in result.message and not HANGUL.search(result.message)


def test_a_right_answer_is_praised_in_korean(korean):
    result = lesson08.check_log_uniform(lambda lo, hi, n, rng: 10 ** rng.uniform(np.log10(lo),
                                                                                  np.log10(hi), n))
    assert result and "4분의 1" in result.message
    result = lesson08.check_initial_loss(np.log(10))
    assert result and "ln 10 ≈ 2.303" in result.message


# --- the catalogue file and the notebooks -------------------------------------------------
def test_catalogue_file_is_sorted_utf8_with_indent_1():
    text = CATALOGUE.read_text(encoding="utf-8")
    entries = json.loads(text)
    assert text == json.dumps(dict(sorted(entries.items())), ensure_ascii=False, indent=1) + "\n"


MATH = re.compile(r"\$\$.*?\$\$|\$[^$]+\$", re.S)
CODE_SPAN = re.compile(r"`[^`]+`")
LINK = re.compile(r"\]\(([^)\s]+)\)")


def cells(path):
    return json.loads(path.read_text(encoding="utf-8"))["cells"]


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_korean_notebook_translates_every_markdown_cell_and_keeps_formulas(name):
    english = cells(NOTEBOOKS_DIR / name)
    korean = cells(KOREAN_DIR / name)
    assert korean[1]["id"] == "ko-language" and korean[1]["metadata"] == {}
    korean = korean[:1] + korean[2:]
    assert [c["id"] for c in korean] == [c["id"] for c in english]
    for en, ko in zip(english, korean):
        if en["cell_type"] != "markdown":
            continue
        en_text, ko_text = "".join(en["source"]), "".join(ko["source"])
        assert HANGUL.search(ko_text), f"{en['id']} is not translated"
        for what, pattern in (("formulas", MATH), ("code spans", CODE_SPAN), ("links", LINK)):
            assert sorted(pattern.findall(ko_text)) == sorted(pattern.findall(en_text)), \
                f"{en['id']}: {what} differ from the English"
        # CommonMark: "**…)**이다" is not bold (a closing ** after punctuation needs a space or
        # punctuation after it), so no ** may be left over in the rendered text
        plain = CODE_SPAN.sub("", MATH.sub("", ko_text))
        for run in re.finditer(r"\*\*[^*\n]+?\*\*", plain):
            before, after = plain[run.start() - 1:run.start()], plain[run.end():run.end() + 1]
            closing_ok = not re.match(r"[^\w\s]", run.group()[-3]) or not re.match(r"\w", after)
            opening_ok = not re.match(r"[^\w\s]", run.group()[2]) or not re.match(r"\w", before)
            assert closing_ok and opening_ok, f"{en['id']}: {run.group()!r} does not render as bold"
