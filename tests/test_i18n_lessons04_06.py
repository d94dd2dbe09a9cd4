"""Lessons 4-6 in Korean: the histogram, trajectory, learning-rate and batch-norm demos, the
static figures of lesson 5 and the checkers of lessons 4-6 speak Korean after
set_language("ko"), ask the catalogue only for strings it has, draw every glyph they need,
and English stays the default."""

import ast
import json
import string
import warnings

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.text import Text

import nnutils
from conftest import KOREAN_DIR, ROOT
from nnutils import i18n
from nnutils.demos.batchnorm import BatchNormDemo
from nnutils.demos.initialization import HistogramDemo
from nnutils.demos.optimizers import LearningRateDemo, TrajectoryDemo, nesterov_figure, state_figure
from nnutils.exercises import Reveal, lesson04, lesson05, lesson06
from nnutils.experiments import learning_rate
from nnutils.model import mlp
from nnutils.optim import SGD
from nnutils.train import fit

CATALOGUE = ROOT / "nnutils" / "locales" / "ko" / "lessons04-06.json"


def hangul(text):
    return any(0xAC00 <= ord(c) <= 0xD7A3 for c in text)


def texts(fig):
    """Every visible text of a figure, laid out with its font first (a missing glyph warns)."""
    fig.canvas.draw()
    return [t.get_text() for t in fig.findobj(Text) if t.get_visible() and t.get_text()]


@pytest.fixture(autouse=True)
def runs_of_this_module(monkeypatch):
    """lr_run remembers each run with fit's "diverged at step ..." in the words of that run: the
    Korean runs made here must not be reused by another module's English test, nor theirs here."""
    monkeypatch.setattr(learning_rate, "_RUNS", {})


@pytest.fixture
def uncatalogued(monkeypatch, korean):
    """Korean, recording every English string looked up; call it for those the catalogue lacks."""
    real = dict(korean)
    asked = set()

    class Recording(dict):
        def get(self, key, default=None):
            asked.add(key)
            return super().get(key, default)

    monkeypatch.setattr(i18n, "catalogue", lambda code: Recording(real) if code == "ko" else {})
    return lambda: sorted(asked - set(real))


# --- the catalogue file ---------------------------------------------------------------------
def _fields(template):
    return sorted(name for _, name, _, _ in string.Formatter().parse(template) if name is not None)


def test_catalogue_is_sorted_utf8_with_the_same_fields():
    text = CATALOGUE.read_text(encoding="utf-8")
    entries = json.loads(text)
    assert text == json.dumps(dict(sorted(entries.items())), ensure_ascii=False, indent=1) + "\n"
    wrong = {k: v for k, v in entries.items() if _fields(k) != _fields(v)}
    assert not wrong, f"fields differ between English and Korean: {wrong}"


def _reveals(name):
    """(answer, label) of every Reveal(...) in a Korean notebook's code cells."""
    cells = json.loads((KOREAN_DIR / f"{name}.ipynb").read_text(encoding="utf-8"))["cells"]
    for cell in cells:
        if cell["cell_type"] == "code" and "Reveal(" in "".join(cell["source"]):
            for node in ast.walk(ast.parse("".join(cell["source"]))):
                if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "Reveal":
                    yield (ast.literal_eval(node.args[0]),
                           *(ast.literal_eval(k.value) for k in node.keywords if k.arg == "label"))


@pytest.mark.parametrize("name", ["05_optimizers", "06_batch_normalization"])
def test_the_notebooks_hints_are_in_korean(name, korean):
    hints = list(_reveals(name))
    assert hints, f"no Reveal in {name}"
    for strings in hints:
        shown = Reveal(*strings)._repr_html_()
        summary, answer = shown.split("</summary>")
        assert hangul(summary) and hangul(answer), strings


# --- the demos ----------------------------------------------------------------------------
def _drive(demo):
    """The default state, then every preset: (figure texts, status line) after each."""
    states = [(texts(demo.fig), demo.status.value)]
    for name in demo.presets:
        demo.apply_preset(name)
        assert demo.error is None, f"{name}: {demo.error}"
        states.append((texts(demo.fig), demo.status.value))
    return states


DEMOS = {"histograms": HistogramDemo, "trajectories": TrajectoryDemo,
         "learning rate": LearningRateDemo, "batch norm": lambda: BatchNormDemo(epochs=2)}


@pytest.mark.parametrize("name", DEMOS)
def test_korean_demos_ask_only_for_catalogued_strings_and_draw_them(name, uncatalogued):
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=".*missing from font")
        states = _drive(DEMOS[name]())
    for drawn, _ in states:
        assert any(hangul(t) for t in drawn), f"{name}: no Hangul in {drawn}"
    assert not uncatalogued(), f"{name}: no Korean for {uncatalogued()}"


def test_korean_status_lines_and_messages(korean):
    lr = LearningRateDemo()
    lr.set(lr=0.05)
    assert hangul(lr.status.value) and "0.05" in lr.status.value
    lr.set(lr=100.0)                                   # diverges in the first steps
    assert "폭주했다" in lr.status.value and "lr=100" in lr.status.value
    trajectories = TrajectoryDemo(optimizers=("SGD",), lr=3.0)
    assert "SGD" in trajectories.note.get_text() and "발산" in trajectories.note.get_text()
    bn = BatchNormDemo(epochs=1)                       # trains BN, scale 0.01
    bn.set(batchnorm=False, scale=1.0)                 # explodes at once
    assert "발산" in bn.status.value and "BN 없음" in bn.status.value
    bn.set(batchnorm=True, scale=0.01)                 # trained before: the stored run
    assert "저장된 결과" in bn.status.value


def test_english_stays_the_default():
    demo = HistogramDemo()
    assert demo.fig._suptitle.get_text() == "sigmoid, weights N(0, 1²)"
    assert [ax.get_title() for ax in demo.axes] == [f"layer {i}" for i in range(1, 6)]
    assert not any(hangul(t) for t in texts(demo.fig))
    model = mlp([4, 3, 2], seed=0)
    x, y = np.random.default_rng(0).normal(size=(40, 4)), np.arange(40) % 2
    hist = fit(model, SGD(lr=1e6), x, y, epochs=2, batch_size=10, progress=False)
    assert hist.diverged.startswith("diverged at step ") and hist.diverged.endswith(
        "; lower the learning rate")


def test_the_diverged_message_of_fit_in_korean(korean):
    model = mlp([4, 3, 2], seed=0)
    x, y = np.random.default_rng(0).normal(size=(40, 4)), np.arange(40) % 2
    hist = fit(model, SGD(lr=1e6), x, y, epochs=2, batch_size=10, progress=False)
    assert "발산했다" in hist.diverged and "lr=1e+06" in hist.diverged


# --- lesson 5's static figures ------------------------------------------------------------
def _notebook_state_labels():
    """The state names lesson 5's notebook records (LABELS) and the title it gives state_figure."""
    cells = json.loads((ROOT / "notebooks" / "05_optimizers.ipynb").read_text(encoding="utf-8"))
    source = next(s for s in ("".join(c["source"]) for c in cells["cells"])
                  if "state_figure(records" in s)
    tree = ast.parse(source)
    labels = next(ast.literal_eval(n.value) for n in tree.body
                  if isinstance(n, ast.Assign) and n.targets[0].id == "LABELS")
    title = next(ast.literal_eval(n.args[1]) for n in ast.walk(tree)
                 if isinstance(n, ast.Call) and getattr(n.func, "id", "") == "state_figure")
    return labels, title


def test_static_figures_in_korean(uncatalogued):
    labels, title = _notebook_state_labels()
    t = np.linspace(1.0, 0.0, 5)
    records = {}
    for (optimizer, _), label in labels.items():
        records.setdefault(optimizer, {"grad": t})[label] = t
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=".*missing from font")
        figures = [state_figure(records, title), nesterov_figure()]
        drawn = [texts(fig) for fig in figures]
    for fig in figures:
        plt.close(fig)
    legends = [t for t in drawn[0] if t.split()[0] in ("속도", "√cache", "m", "√v")]
    assert len(set(legends)) == len(set(labels.values())) and all(hangul(t) for t in legends)
    assert hangul(figures[0]._suptitle.get_text()) and all(hangul(" ".join(d)) for d in drawn)
    assert not uncatalogued(), uncatalogued()


# --- the checkers -------------------------------------------------------------------------
def _lecun(n_in, n_out, rng):
    return rng.standard_normal((n_in, n_out)) * np.sqrt(1.0 / n_in)


def _uniform_he(n_in, n_out, rng):
    a = np.sqrt(6.0 / n_in)                        # std √(2/n_in), but uniform
    return rng.uniform(-a, a, (n_in, n_out))


class _MomentumEMA:
    def __init__(self, lr=0.01, momentum=0.9):
        self.lr, self.momentum, self.v = lr, momentum, {}

    def update(self, params, grads):
        for k in params:
            v = self.v.setdefault(k, np.zeros_like(params[k]))
            v *= self.momentum
            v += (1 - self.momentum) * grads[k]
            params[k] -= self.lr * v


class _MomentumNewArrays(_MomentumEMA):
    def update(self, params, grads):
        for k in params:
            params[k] = params[k] - self.lr * grads[k]


class _AdamNoCorrection:
    def __init__(self, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
        self.lr, self.b1, self.b2, self.eps, self.m, self.v = lr, beta1, beta2, eps, {}, {}

    def update(self, params, grads):
        for k in params:
            m = self.m.setdefault(k, np.zeros_like(params[k]))
            v = self.v.setdefault(k, np.zeros_like(params[k]))
            m[...] = self.b1 * m + (1 - self.b1) * grads[k]
            v[...] = self.b2 * v + (1 - self.b2) * grads[k] ** 2
            params[k] -= self.lr * m / (np.sqrt(v) + self.eps)


def _bn_unbiased(x, gamma, beta, eps=1e-5):
    return gamma * (x - x.mean(0)) / np.sqrt(x.var(0, ddof=1) + eps) + beta


def _bn_backward_constant_stats(dout, x, gamma, eps=1e-5):
    std = np.sqrt(x.var(0) + eps)                  # dβ, dγ right; dx as if μ, σ were constants
    return gamma * dout / std, (dout * (x - x.mean(0)) / std).sum(0), dout.sum(0)


def _bn_backward_pair(dout, x, gamma, eps=1e-5):
    return dout, dout


CHECKS = {
    "He init, LeCun's std": lambda: lesson04.check_he_init(_lecun),
    "He init, uniform": lambda: lesson04.check_he_init(_uniform_he),
    "preset that does not saturate":
        lambda: lesson04.check_saturating_preset("sigmoid std=0.01 (all alike)"),
    "ReLU preset": lambda: lesson04.check_saturating_preset("ReLU He (stable)"),
    "unknown preset": lambda: lesson04.check_saturating_preset("no such preset"),
    "the saturating preset": lambda: lesson04.check_saturating_preset("sigmoid std=1 (saturation)"),
    "symmetry, 50 units": lambda: lesson04.check_symmetry(50),
    "symmetry, 3 units": lambda: lesson04.check_symmetry(3),
    "symmetry, not a number": lambda: lesson04.check_symmetry("many"),
    "symmetry, 1 unit": lambda: lesson04.check_symmetry(1),
    "Momentum as an average": lambda: lesson05.check_momentum(_MomentumEMA),
    "Momentum with new arrays": lambda: lesson05.check_momentum(_MomentumNewArrays),
    "Adam without correction": lambda: lesson05.check_adam(_AdamNoCorrection),
    "BN forward, unbiased": lambda: lesson06.check_bn_forward(_bn_unbiased),
    "BN forward, right": lambda: lesson06.check_bn_forward(lesson06.bn_forward_reference),
    "BN backward, constant statistics": lambda: lesson06.check_bn_backward(_bn_backward_constant_stats),
    "BN backward, two arrays": lambda: lesson06.check_bn_backward(_bn_backward_pair),
}
RIGHT = {"the saturating preset", "symmetry, 1 unit", "BN forward, right"}


@pytest.mark.parametrize("case", CHECKS)
def test_checkers_speak_korean(case, uncatalogued):
    nnutils.set_language("en")
    english = CHECKS[case]()
    nnutils.set_language("ko")
    result = CHECKS[case]()
    assert bool(result) == bool(english) == (case in RIGHT)
    assert hangul(result.message) and result.message != english.message, result.message
    assert not uncatalogued(), uncatalogued()


def test_the_lesson_4_hint_speaks_the_language_of_the_moment(korean):
    hint = lesson04.why_small_std_does_not_learn
    summary, answer = hint._repr_html_().split("</summary>")
    assert hangul(summary) and hangul(answer) and "2.303" in answer
    nnutils.set_language("en")
    assert repr(hint).startswith("Why does std = 0.01")
    assert not hangul(hint._repr_html_().split("</summary>")[0])
