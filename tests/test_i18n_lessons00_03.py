"""The Korean edition of lessons 0-3: their demos, figures and checkers speak Korean after
``set_language("ko")`` (and English before it), draw every glyph, and the Korean notebooks keep
the English notebooks' formulas and numbers."""

import ast
import json
import logging
import re
import warnings

import numpy as np
import pytest

import nnutils
from conftest import KOREAN_DIR, NOTEBOOKS_DIR, ROOT
from nnutils.demos import activations as activation_demos
from nnutils.demos import backprop as backprop_demos
from nnutils.demos import perceptron as perceptron_demos
from nnutils.demos import start_here
from nnutils.exercises import Reveal, lesson00, lesson01, lesson02, lesson03
from test_demos import clipped_labels, make_demo
from test_i18n import _demo_strings

CATALOGUE = ROOT / "nnutils" / "locales" / "ko" / "lessons00-03.json"
SOURCES = ["nnutils/demos/start_here.py", "nnutils/demos/perceptron.py", "nnutils/demos/backprop.py",
           "nnutils/demos/activations.py", "nnutils/graph_draw.py", "nnutils/perceptron.py",
           "nnutils/exercises/lesson00.py", "nnutils/exercises/lesson01.py",
           "nnutils/exercises/lesson02.py", "nnutils/exercises/lesson03.py"]
NOTEBOOKS = ["00_start_here", "01_perceptron_xor", "02_backprop_graph", "03_activation_functions"]
DEMOS = {f"{module.__name__.rsplit('.', 1)[1]}.{name}": cls
         for module in (start_here, perceptron_demos, backprop_demos, activation_demos)
         for name, cls in module.DEMOS.items()}
HANGUL = re.compile("[\uac00-\ud7a3]")
UNFILLED = re.compile(r"\{[a-z_]+(?:[:!][^}]*)?\}")      # a template field tr did not fill


@pytest.fixture
def korean():
    nnutils.set_language("ko")
    try:
        yield
    finally:
        nnutils.set_language("en")


class _GlyphLog(logging.Handler):
    """mathtext reports a glyph it lacks through matplotlib's log, not as a warning."""

    def __init__(self):
        super().__init__(logging.WARNING)
        self.messages = []

    def emit(self, record):
        if "glyph" in record.getMessage():
            self.messages.append(record.getMessage())


@pytest.fixture
def every_glyph():
    """Fails the test if a figure drawn inside it lacks a glyph (a UserWarning for ordinary
    text, a log record for mathtext)."""
    log, handler = logging.getLogger("matplotlib"), _GlyphLog()
    log.addHandler(handler)
    try:
        with warnings.catch_warnings():
            warnings.filterwarnings("error", message=".*missing from font")
            yield
    finally:
        log.removeHandler(handler)
    assert not handler.messages, handler.messages[:3]


def _texts(fig):
    fig.canvas.draw()
    return [t.get_text() for t in fig.findobj(lambda a: hasattr(a, "get_text") and hasattr(a, "get_fontname"))
            if t.get_visible() and t.get_text()]


# --- the catalogue ------------------------------------------------------------------------------
def _tr_literals():
    for path in SOURCES:
        for node in ast.walk(ast.parse((ROOT / path).read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) in ("tr", "Reveal"):
                for arg in node.args + [k.value for k in node.keywords if k.arg == "label"]:
                    if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                        yield arg.value


def _notebook_code():
    return "\n".join("".join(c["source"]) for name in NOTEBOOKS
                     for c in json.loads((NOTEBOOKS_DIR / f"{name}.ipynb").read_text(encoding="utf-8"))["cells"]
                     if c["cell_type"] == "code")


def test_the_catalogue_is_sorted_json_with_no_stale_entry():
    text = CATALOGUE.read_text(encoding="utf-8")
    entries = json.loads(text)
    assert text == json.dumps(dict(sorted(entries.items())), indent=1, ensure_ascii=False) + "\n"
    used = set(_tr_literals()) | {t for cls in DEMOS.values() for t in _demo_strings(cls)}
    used |= set(backprop_demos.NeuronGraphDemo.buttons(backprop_demos.NeuronGraphDemo.__new__(
        backprop_demos.NeuronGraphDemo)))
    used |= set(activation_demos.LABELS.values())
    code = _notebook_code()        # titles the notebooks hand to draw_graph / xor_training_figure
    stale = [k for k in entries if k not in used and k not in code]
    assert not stale, f"entries nothing translates: {stale}"


# --- demos --------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", sorted(DEMOS))
def test_korean_demos_speak_korean_at_every_preset_and_draw_every_glyph(name, korean, every_glyph):
    demo = make_demo(DEMOS[name])
    for preset in [None, *demo.presets]:
        if preset is not None:
            demo.apply_preset(preset)
        assert demo.error is None, demo.error
        texts = _texts(demo.fig)
        assert any(HANGUL.search(t) for t in texts), f"{name} {preset}: no Hangul in {texts}"
        assert not clipped_labels(demo.fig), f"{name} {preset}: {clipped_labels(demo.fig)}"
        assert not UNFILLED.search(" ".join(texts)), f"{name} {preset}: a field left unfilled"
    assert HANGUL.search(demo.widget.children[0].value), "the title is not Korean"
    assert HANGUL.search(demo._repr_mimebundle_()["text/plain"])


def test_english_demos_have_no_hangul_but_the_titles_korean_terms():
    for name, cls in DEMOS.items():
        demo = make_demo(cls)
        drawn = " ".join(_texts(demo.fig))
        assert not HANGUL.search(drawn), f"{name} draws Korean in the English edition: {drawn[:200]}"


def test_korean_status_lines_progress_and_buttons(korean, every_glyph):
    zigzag = activation_demos.ZigZagDemo(lr=10.0, steps=300)
    assert zigzag.status.value.count("발산") == 1 and "lr = 10" in zigzag.status.value
    xor = perceptron_demos.XorTrainDemo(epochs=250)
    messages = []
    xor.progress = lambda fraction, text="": messages.append(text)
    xor.refresh()
    assert any(t.startswith("학습 중: 에폭 ") for t in messages if t), messages
    graph = backprop_demos.NeuronGraphDemo()
    graph.restart()
    graph.step()
    assert graph.headline.get_text().startswith("역전파 5단계 중 1단계")
    labels = [b.description for b in graph.widget.children[2].children]
    assert "한 단계 ▶" in labels and "다시 시작" in labels, labels


def test_english_status_lines_are_unchanged():
    zigzag = activation_demos.ZigZagDemo(lr=10.0, steps=300)
    assert "diverged: lr = 10 is too large; lower the learning rate" in zigzag.status.value
    graph = backprop_demos.NeuronGraphDemo()
    graph.restart()
    assert graph.headline.get_text() == "backward step 0 of 5: seed the output, ∂f/∂f = 1"


# --- static figures -------------------------------------------------------------------------------
def _static_figures():
    from nnutils import perceptron as P
    from nnutils.graph import neuron
    from nnutils.graph_draw import draw_graph

    histories = {name: P.Perceptron().fit(name, max_epochs=30) for name in ("AND", "XOR")}
    model, losses = P.train_sigmoid_xor(epochs=50)
    f = neuron()
    f.backward()
    return {"gates": perceptron_demos.gates_figure(),
            "learning": perceptron_demos.learning_figure(histories),
            "spaces": perceptron_demos.xor_spaces_figure(),
            "training": perceptron_demos.xor_training_figure(
                losses, lambda x: model.forward(x)[:, 0],
                title="2-2-1 sigmoid network trained on XOR (lr 5, seed 0)",
                hidden=(model.params["W1"], model.params["b1"])),
            "graph": draw_graph(f, title="f = (x + y)·z: forward values in black, gradients in red").ax.figure}


def test_static_figures_of_lessons_1_and_2_in_korean(korean, every_glyph):
    """Korean labels are longer than English ones: none may reach past an edge the English
    one stays inside (the notebooks save figures with a tight bounding box; demos may not)."""
    import matplotlib.pyplot as plt
    nnutils.set_language("en")
    english = {}
    for name, fig in _static_figures().items():
        _texts(fig)
        english[name] = len(clipped_labels(fig))
    plt.close("all")
    nnutils.set_language("ko")
    for name, fig in _static_figures().items():
        texts = _texts(fig)
        assert any(HANGUL.search(t) for t in texts), f"{name}: no Hangul in {texts}"
        assert len(clipped_labels(fig)) <= english[name], f"{name}: {clipped_labels(fig)}"
        assert not UNFILLED.search(" ".join(texts)), f"{name}: a field left unfilled"
    plt.close("all")


def test_the_notebook_titles_are_translated_only_when_asked():
    import matplotlib.pyplot as plt
    fig = _static_figures()["graph"]
    assert fig.axes[0].get_title() == "f = (x + y)·z: forward values in black, gradients in red"
    plt.close("all")


# --- checkers -------------------------------------------------------------------------------------
def _sign_flipped_update(w, b, x, t, lr=1.0):
    err = t - int(np.asarray(w) @ np.asarray(x) + b > 0)
    return np.asarray(w) - lr * err * np.asarray(x), b - lr * err


def _local_only_div(a, b, dout):
    return 1 / b, -a / b ** 2


WRONG_ANSWERS = {  # a wrong answer per checker, each meeting one of its named mistakes
    "steepest slope": lambda: lesson00.check_steepest_slope(2.0),
    "NOR": lambda: lesson01.check_nor(0.0, 0.0, 0.0),
    "update": lambda: lesson01.check_update(_sign_flipped_update),
    "XOR layers": lambda: lesson01.check_xor_layers([(1, 0, -0.5), (0, 1, -0.5)], (1, 1, -0.5)),
    "small graph": lambda: lesson02.check_small_graph(dict(a=-3.0, b=6.0, c=3.0, d=-2.0, e=0.0)),
    "div backward": lambda: lesson02.check_div_backward(_local_only_div),
    "neuron grads": lambda: lesson02.check_neuron_grads(lesson02.buggy_neuron_grads),
    "ELU": lambda: lesson03.check_elu(lambda x, a=1.0: np.where(x > 0, x, a * np.exp(x)),
                                      lesson03.elu_grad_reference),
    "tanh": lambda: lesson03.check_tanh_from_sigmoid(lambda x: 2 / (1 + np.exp(-x)) - 1),
    "dead units": lambda: lesson03.check_dead_units([1, 3]),
}


@pytest.mark.parametrize("checker", sorted(WRONG_ANSWERS))
def test_checkers_say_what_is_wrong_in_korean(checker, korean):
    result = WRONG_ANSWERS[checker]()
    assert not result and HANGUL.search(result.message), result.message
    assert "{" not in result.message, result.message
    assert repr(result).startswith("✘ 아직")


@pytest.mark.parametrize("checker", sorted(WRONG_ANSWERS))
def test_checkers_speak_english_by_default(checker):
    result = WRONG_ANSWERS[checker]()
    assert not result and not HANGUL.search(result.message), result.message


def test_a_korean_message_keeps_the_numbers_of_the_english_one(korean):
    korean_message = lesson02.check_neuron_grads(lesson02.buggy_neuron_grads).message
    nnutils.set_language("en")
    english_message = lesson02.check_neuron_grads(lesson02.buggy_neuron_grads).message
    number = re.compile(r"-?\d+(?:\.\d+)?")
    assert sorted(number.findall(korean_message)) == sorted(number.findall(english_message))


def test_a_wrongly_shaped_elu_gets_a_message_not_a_crash(korean):
    result = lesson03.check_elu(lambda x, a=1.0: np.zeros(3), lesson03.elu_grad_reference)
    assert not result and "(3,)" in result.message and HANGUL.search(result.message)
    result = lesson03.check_elu(lesson03.elu_reference, lambda x, a=1.0: np.zeros(3))
    assert not result and "elu_grad" in result.message


def test_the_self_checks_reveal_korean_answers(korean):
    for reveal in (lesson01.why_hidden_layer, lesson02.why_accumulate, lesson03.why_speedup_differs):
        shown = reveal._repr_html_()                    # shown in the language of the moment
        assert HANGUL.search(shown) and reveal.answer not in shown


def test_right_answers_pass_in_korean(korean):
    assert lesson00.check_steepest_slope(4.0)
    assert lesson01.check_nor(-1.0, -1.0, 0.5)
    assert lesson02.check_div_backward(lambda a, b, dout: (dout / b, -a * dout / b ** 2))
    assert lesson03.check_dead_units(lesson03.dead_units_reference())
    assert lesson03.check_elu(lesson03.elu_reference, lesson03.elu_grad_reference).message.startswith(
        "ELU와 그 도함수가 맞다")


# --- the Korean notebooks -----------------------------------------------------------------------
MATH = re.compile(r"\$\$.+?\$\$|\$[^$]+\$", re.S)
NUMBER = re.compile(r"(?<![A-Za-z0-9_.])\d[\d,.]*\d|(?<![A-Za-z0-9_.])\d")


def _markdown(path):
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    return {c["id"]: "".join(c["source"]) for c in cells if c["cell_type"] == "markdown"}


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_korean_markdown_keeps_every_formula_and_number(name):
    english, korean = _markdown(NOTEBOOKS_DIR / f"{name}.ipynb"), _markdown(KOREAN_DIR / f"{name}.ipynb")
    assert list(korean) == list(english), "the markdown cells differ in number, order or id"
    for cell, text in english.items():
        missing = [m for m in MATH.findall(text) if m not in korean[cell]]
        assert not missing, f"cell {cell}: formulas changed or dropped: {missing}"
        numbers = {n.rstrip(".,") for n in NUMBER.findall(MATH.sub(" ", korean[cell]))}
        dropped = [n for n in NUMBER.findall(MATH.sub(" ", text)) if n.rstrip(".,") not in numbers]
        assert not dropped, f"cell {cell}: numbers of the English text missing in Korean: {dropped}"
        assert HANGUL.search(korean[cell]), f"cell {cell} is not translated"


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_korean_notebooks_link_to_the_docs_from_their_own_folder(name):
    text = " ".join(_markdown(KOREAN_DIR / f"{name}.ipynb").values())
    for target in re.findall(r"\]\((\.\./[^)#]+)", text):
        assert (KOREAN_DIR / target).resolve().is_file(), f"broken link {target}"
