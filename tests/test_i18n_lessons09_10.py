"""Lessons 9 and 10 in Korean: the mistake browser, the playground's painted picture and the
checkers speak Korean after set_language("ko"), draw every glyph they need, and English stays
the default."""

import ast
import io
import json
import warnings

import numpy as np
import pytest
from matplotlib.ft2font import FT2Font
from PIL import Image, ImageDraw

from conftest import NOTEBOOKS_DIR
from nnutils import i18n
from nnutils.demos import playground_paint as paint
from nnutils.demos.capstone import MistakeBrowser
from nnutils.demos.playground import PlaygroundDemo
from nnutils.exercises import lesson09, lesson10
from nnutils.losses import one_hot, softmax


def hangul(text):
    return any(0xAC00 <= ord(c) <= 0xD7A3 for c in text)


# --- lesson 9: the mistake browser (matplotlib) -------------------------------------------
def _browser():
    rng = np.random.default_rng(0)
    labels = np.arange(60) % 10
    probs = rng.dirichlet(np.ones(10), size=60)
    probs[:30, :] = np.eye(10)[labels[:30]] * 0.9 + 0.01      # the first half right
    return MistakeBrowser(probs, rng.random((60, 784)), labels)


def test_mistake_browser_speaks_korean_and_draws_every_glyph(korean):
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=".*missing from font")
        demo = _browser()
        for values in ({"true": 4, "predicted": 4}, {"page": 5}, {"true": 3}):
            demo.set(**values)
            assert demo.error is None, demo.error
            demo.fig.canvas.draw()
            texts = [t.get_text() for t in demo.fig.findobj(lambda a: hasattr(a, "get_text"))]
            assert hangul(demo.head.get_text()), demo.head.get_text()
            assert not any("mistake" in t or "predicted" in t for t in texts), texts
    assert "정답은 오분류가 아니다" not in demo.head.get_text()       # 3 → any: not a right answer
    demo.set(true=4, predicted=4)
    assert "정답은 오분류가 아니다" in demo.head.get_text()


def test_mistake_browser_is_english_by_default():
    demo = _browser().set(true=4, predicted=4)
    assert demo.head.get_text() == ("true 4 → predicted 4: no mistakes of this kind "
                                    "(a right answer is not a mistake)")
    assert demo.fig.axes[0].get_xlabel() == "predicted digit"


# --- lesson 10: the playground's picture (PIL) ----------------------------------------------
@pytest.fixture
def drawn(monkeypatch):
    """Every (text, font file) the picture draws."""
    calls = []
    text = ImageDraw.ImageDraw.text

    def recording(self, xy, string, *args, **kwargs):
        calls.append((string, kwargs["font"].path))
        return text(self, xy, string, *args, **kwargs)

    monkeypatch.setattr(ImageDraw.ImageDraw, "text", recording)
    return calls


def _charmap(path, cache={}):
    if path not in cache:
        cache[path] = FT2Font(path).get_charmap()
    return cache[path]


def _busy_playground():
    """A playground whose header carries every optional part, trained a few epochs."""
    demo = PlaygroundDemo(layers=6, units=4, init="std", batchnorm=True, dropout=0.25,
                          penalty="l1", discretize=True)
    return demo.step(3)


def test_korean_picture_has_a_glyph_for_every_character(korean, drawn):
    _busy_playground()
    assert any(hangul(s) for s, _ in drawn), "no Hangul drawn"
    missing = {(c, path.rsplit("/", 1)[-1]) for s, path in drawn for c in s
               if not c.isspace() and ord(c) not in _charmap(path)}
    assert not missing, f"drawn without a glyph: {sorted(missing)}"


def test_english_picture_uses_dejavu_only(drawn):
    _busy_playground()
    assert drawn and all("DejaVuSans" in path for _, path in drawn)
    assert not any(hangul(s) for s, _ in drawn)


def test_korean_header_fits_the_picture(korean):
    img = np.asarray(Image.open(io.BytesIO(_busy_playground().png())).convert("L"))
    header = img[:60]                                 # the three header lines
    assert (header[:, -6:] > 200).all(), "the header reaches the right edge of the picture"
    assert (header[:, paint.WIDTH // 2:] < 128).any(), "no header text right of the middle"


@pytest.mark.parametrize("anchor,x,edge", [("lm", 20, "left"), ("rm", 280, "right"),
                                           ("mm", 150, "centre")])
def test_mixed_text_is_anchored_like_one_string(anchor, x, edge):
    img = Image.new("L", (300, 40), 255)
    paint._text(ImageDraw.Draw(img), (x, 20), "lr 0.03 학습률 λ", paint._font(15, bold=True),
                fill=0, anchor=anchor)
    cols = np.flatnonzero((np.asarray(img) < 128).any(axis=0))
    rows = np.flatnonzero((np.asarray(img) < 128).any(axis=1))
    measured = {"left": cols[0], "right": cols[-1] + 1, "centre": (cols[0] + cols[-1] + 1) / 2}
    assert abs(measured[edge] - x) <= 3, (edge, measured[edge], x)
    assert abs((rows[0] + rows[-1]) / 2 - 20) <= 4           # vertically centred on y = 20


def test_divergence_is_reported_in_korean(korean):
    demo = PlaygroundDemo(optimizer="momentum", lr=10.0, activation="relu", init="std",
                          init_std=10.0, layers=6, units=16)
    demo.step(5)
    assert demo.run.diverged and "발산" in demo.status.value
    assert "학습률을 낮추고 다시 시작을 누르라" in demo.status.value
    assert "diverged" not in demo.status.value


# --- the checkers ----------------------------------------------------------------------------
def _ce_mistakes():
    """Wrong gradients the lesson 9 checker names, each with words of its Korean hint."""
    return {
        "합(SUM)": lambda a, t: softmax(a) - one_hot(t, 10),
        "부호가 반대": lambda a, t: (one_hot(t, 10) - softmax(a)) / len(a),
        "소프트맥스가 빠졌다": lambda a, t: (a - one_hot(t, 10)) / len(a),
        "확률 y에 대한": lambda a, t: -one_hot(t, 10) / softmax(a) / len(a),
    }


@pytest.mark.parametrize("words", list(_ce_mistakes()))
def test_ce_grad_checker_explains_in_korean(korean, words):
    result = lesson09.check_ce_grad(_ce_mistakes()[words])
    assert not result and words in result.message, result.message


def test_confusion_matrix_checkers_explain_in_korean(korean):
    cm = lesson09.EXAMPLE_CM
    by_column = lesson09.check_per_digit_accuracy(lambda m: np.diag(m) / m.sum(axis=0))
    assert not by_column and "정밀도" in by_column.message
    assert "재현율" in lesson09.check_per_digit_accuracy(
        lesson09.per_digit_accuracy_reference).message
    a, b = lesson09.most_confused_pair_reference(cm)
    reversed_pair = lesson09.check_most_confused_pair(lambda m: (b, a))
    assert not reversed_pair and "순서가 틀렸다" in reversed_pair.message
    diagonal = lesson09.check_most_confused_pair(lambda m: (3, 3))
    assert not diagonal and "대각선" in diagonal.message
    right = lesson09.check_most_confused_pair(lesson09.most_confused_pair_reference)
    assert right and hangul(right.message) and str(cm[a, b] + cm[b, a]) in right.message


def test_feature_checkers_explain_in_korean(korean):
    sums = lesson10.check_xor_feature(lambda x: x[:, 0] + x[:, 1])
    assert not sums and "부호" in sums.message and "%" in sums.message
    too_many = lesson10.check_circle_features(lambda x: np.column_stack([x, x]))
    assert not too_many and "최대 2개" in too_many.message
    assert "아직 작성되지 않았다" in lesson10.check_xor_feature(_not_written).message
    assert hangul(lesson10.check_circle_features(lesson10.circle_features_reference).message)


def _not_written(x):
    raise NotImplementedError


def test_hints_of_the_lesson_10_notebook_have_korean():
    """Reveal translates its texts; the notebook's hints must be in the catalogue."""
    ko = i18n.catalogue("ko")
    cells = json.loads((NOTEBOOKS_DIR / "10_playground.ipynb").read_text(encoding="utf-8"))["cells"]
    sources = ["".join(c["source"]) for c in cells if c["cell_type"] == "code"]
    texts = [arg.value for source in sources if "Reveal(" in source    # (others hold %magics)
             for node in ast.walk(ast.parse(source))
             if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "Reveal"
             for arg in node.args + [k.value for k in node.keywords]]
    assert len(texts) == 4
    assert all(t in ko and hangul(ko[t]) for t in texts), [t for t in texts if t not in ko]
