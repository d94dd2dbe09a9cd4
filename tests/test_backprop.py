"""Lesson 2: the backprop demos' specifics and the exercise checks.

(The course-wide tests/test_demos.py already moves every control to its extremes.)
"""

import math
import time

import numpy as np
import pytest

from nnutils.demos.backprop import DEMOS, LECTURE_NEURON, NeuronGraphDemo, VanishingGradientDemo
from nnutils.experiments.vanishing_gradients import bias_gradient_magnitudes
from nnutils.exercises import lesson02 as ex


# --- the neuron demo ------------------------------------------------------------------------------
def _texts(demo):
    drawing = demo.drawings[demo.values["decompose"]]
    return {drawing.nodes[i].label: (drawing.data_texts[i].get_text(),
                                     drawing.grad_texts[i].get_text())
            for i in drawing.data_texts}


def test_neuron_demo_shows_the_lecture_numbers():
    demo = NeuronGraphDemo()
    assert demo.error is None
    t = _texts(demo)
    assert t["f"] == ("data 0.73", "grad 1.00")
    expected = {"x0": "grad 0.39", "w0": "grad -0.20", "x1": "grad -0.59", "w1": "grad -0.39",
                "w2": "grad 0.20"}  # the lecture's slide
    assert {k: t[k][1] for k in expected} == expected
    assert "0.73" in demo.headline.get_text()


def test_neuron_demo_sliders_redraw_values_and_gradients():
    demo = NeuronGraphDemo()
    before = demo.png()
    demo.set(x0=0.0)  # multiply gate: w0 gets x0 * upstream = 0
    assert demo.png() != before
    t = _texts(demo)
    assert t["w0"][1] in ("grad 0.00", "grad -0.00")
    assert t["x0"][0] == "data 0.00"


def test_step_button_walks_the_backward_pass_one_node_at_a_time():
    demo = NeuronGraphDemo()
    from nnutils.graph import neuron
    n = sum(1 for v in neuron().nodes() if v.parents)
    demo.restart()
    assert "step 0" in demo.headline.get_text()
    assert _texts(demo)["z"][1] == "grad 0.00"
    pngs = [demo.png()]
    demo.step()  # σ has run: z gets σ'(z) = 0.73·0.27 = 0.20, the inputs still 0
    t = _texts(demo)
    assert t["z"][1] == "grad 0.20" and t["w0"][1] == "grad 0.00"
    drawing = demo.drawings[False]
    hi = [i for i, box in drawing.boxes.items() if box.get_linewidth() > 2.5]
    assert [drawing.nodes[i].label for i in hi] == ["f"], "the node that just ran is highlighted"
    pngs.append(demo.png())
    for _ in range(n - 1):
        demo.step()
        pngs.append(demo.png())
    assert len(set(pngs)) == len(pngs), "every step changes the figure"
    assert _texts(demo)["w0"][1] == "grad -0.20"  # last step: the gradient reached the inputs
    demo.step()  # after the last step: start over
    assert demo.steps_done == 0
    demo.finish()
    assert "complete" in demo.headline.get_text()


def test_decompose_toggle_switches_to_the_four_gate_sigmoid():
    demo = NeuronGraphDemo()
    demo.set(decompose=True)
    assert demo.drawings[True].ax.get_visible() and not demo.drawings[False].ax.get_visible()
    t = _texts(demo)
    assert t["exp(−z)"][0] == f"data {math.exp(-1.0):.2f}"
    assert t["w0"][1] == "grad -0.20"  # the same gradients either way


def test_neuron_demo_extremes_raise_nothing():
    demo = NeuronGraphDemo()
    for v in (-4.0, 4.0):
        demo.set(**{k: v for k in LECTURE_NEURON}, decompose=True)
        assert demo.error is None
        demo.step()
        assert demo.error is None


# --- vanishing gradients --------------------------------------------------------------------------
def test_sigmoid_gradient_shrinks_by_at_most_g_over_4_per_layer():
    depth, gain = 12, 1.0
    g = bias_gradient_magnitudes("sigmoid", depth, gain)
    assert g.shape == (depth,)
    ratios = g[:-1] / g[1:]  # layer k vs layer k+1
    assert np.all(ratios < 0.5), "each sigmoid layer should shrink the gradient"
    assert g[0] / g[-1] < (gain / 4) ** (depth - 1) * 10, "bound |w·σ′| ≤ g/4 per layer, roughly"


def test_relu_with_he_gain_keeps_the_gradient():
    g = bias_gradient_magnitudes("relu", 20, math.sqrt(2))
    assert 0.1 < g[0] / g[-1] < 10, "He scaling should keep ReLU gradients within an order"
    small = bias_gradient_magnitudes("relu", 20, 0.5)
    assert small[0] / small[-1] < 1e-5, "a small gain makes ReLU gradients vanish too"


def test_bias_gradient_magnitudes_match_an_independent_numpy_backprop():
    """Recompute mean |∂L/∂b| with plain numpy (no nnutils layers)."""
    depth, width, batch, gain, seed = 3, 64, 64, 1.3, 0
    ours = bias_gradient_magnitudes("sigmoid", depth, gain, width=width, batch=batch, seed=seed)
    from nnutils.model import mlp
    model = mlp([width] + [width] * depth + [10], activation="sigmoid", init="normal",
                std=gain / np.sqrt(width), dtype=np.float64, seed=seed)
    Ws = [model.params[f"W{k}"] for k in range(1, depth + 2)]
    bs = [model.params[f"b{k}"] for k in range(1, depth + 2)]
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((batch, width))
    y = rng.integers(0, 10, size=batch)
    acts = [x]
    for W, b in zip(Ws[:-1], bs[:-1]):
        acts.append(1 / (1 + np.exp(-(acts[-1] @ W + b))))
    s = acts[-1] @ Ws[-1] + bs[-1]
    p = np.exp(s - s.max(1, keepdims=True))
    p /= p.sum(1, keepdims=True)
    d = p.copy()
    d[np.arange(batch), y] -= 1
    d /= batch
    d = d @ Ws[-1].T
    mine = []
    for k in range(depth, 0, -1):
        dz = d * acts[k] * (1 - acts[k])
        mine.append(np.abs(dz.sum(0)).mean())
        d = dz @ Ws[k - 1].T
    np.testing.assert_allclose(ours, mine[::-1], rtol=1e-10)


def test_vanishing_demo_controls_and_note():
    demo = VanishingGradientDemo()
    assert demo.error is None
    x, _ = demo.lines["sigmoid"].get_data()
    assert len(x) == 10
    before = demo.png()
    demo.set(depth=30)
    assert len(demo.lines["relu"].get_data()[0]) == 30
    assert "layer 30" in demo.note.get_text()
    demo.set(gain=4.0)
    assert demo.png() != before and demo.error is None
    for preset in demo.presets:
        demo.apply_preset(preset)
        assert demo.error is None


def test_demo_updates_are_fast_enough():
    """Light demos: ≤ 0.25 s per update on an idle 2-core machine; CI is shared, so 1 s here."""
    for demo, moves in ((NeuronGraphDemo(), [dict(w0=1.0), dict(x1=0.5), dict(decompose=True)]),
                        (VanishingGradientDemo(), [dict(depth=40), dict(gain=0.3)])):
        times = []
        for m in moves:
            start = time.perf_counter()
            demo.set(**m)
            times.append(time.perf_counter() - start)
        assert np.median(times) < 1.0, (type(demo).__name__, times)


def test_registered():
    assert set(DEMOS) == {"neuron_graph", "vanishing_gradient"}


# --- exercise 1: gradients of a small graph by hand -------------------------------------------------
# f = (a·b + c)·max(d, e), a=2, b=-3, c=4, d=3, e=-2: q = a·b + c = -2, m = max(d, e) = 3
HAND = {"a": -9.0, "b": 6.0, "c": 3.0, "d": -2.0, "e": 0.0}


def test_small_graph_reference_answer_passes():
    assert ex.small_graph(**ex.SMALL_GRAPH) == -6.0
    assert ex.check_small_graph(HAND)


@pytest.mark.parametrize("wrong, words", [
    ({**HAND, "e": -2.0}, "routes"),                 # max gate sends to both
    ({**HAND, "a": -3.0}, "upstream"),               # forgot ×max(d, e)
    ({**HAND, "b": -9.0}, "OTHER input"),            # b got its own value × m
    ({**HAND, "b": -3.0}, "OTHER input"),            # b got its own value
    ({**HAND, "d": 1.0}, "a·b + c"),                 # max gate forgot its upstream
    ({**HAND, "c": 1.0}, "add gate"),
    ({**HAND, "c": None}, "fill in"),
    ({"a": 1}, "fill in"),
    ([1, 2, 3], "dict"),
])
def test_small_graph_wrong_answers_fail_with_a_reason(wrong, words):
    r = ex.check_small_graph(wrong)
    assert not r and words in r.message, r.message


# --- exercise 2: the division gate ------------------------------------------------------------------
def test_div_backward_reference_passes():
    assert ex.check_div_backward(lambda a, b, dout: (dout / b, -a * dout / b ** 2))


@pytest.mark.parametrize("wrong, words", [
    (lambda a, b, dout: (1 / b, -a / b ** 2), "upstream"),
    (lambda a, b, dout: (dout / b, a * dout / b ** 2), "sign"),
    (lambda a, b, dout: (dout / b, -a * dout / b), "b squared"),
    (lambda a, b, dout: (dout * b, -a * dout / b ** 2), "da should be"),
    (lambda a, b, dout: (_ for _ in ()).throw(NotImplementedError), "not written"),
    (lambda a, b, dout: 3.0, "two numbers"),
])
def test_div_backward_wrong_answers_fail_with_a_reason(wrong, words):
    r = ex.check_div_backward(wrong)
    assert not r and words in r.message, r.message


# --- exercise 3: find the bug -----------------------------------------------------------------------
def fixed_neuron_grads(w1, w2, x, t):
    z = w1 * x
    h = 1.0 / (1.0 + math.exp(-z))
    y = w2 * h
    dy = y - t
    dh = dy * w2
    return 0.5 * (y - t) ** 2, dh * h * (1 - h) * x, dy * h


def test_bug_fix_reference_passes_and_the_bug_fails():
    assert ex.check_neuron_grads(fixed_neuron_grads)
    r = ex.check_neuron_grads(ex.buggy_neuron_grads)
    assert not r and "still the buggy value" in r.message


def test_bug_fix_other_wrong_answers():
    def broke_dw2(w1, w2, x, t):
        loss, dw1, dw2 = fixed_neuron_grads(w1, w2, x, t)
        return loss, dw1, dw2 * 2
    r = ex.check_neuron_grads(broke_dw2)
    assert not r and "dw2" in r.message

    def no_chain(w1, w2, x, t):  # forgot to multiply by dh
        loss, dw1, dw2 = fixed_neuron_grads(w1, w2, x, t)
        h = 1 / (1 + math.exp(-w1 * x))
        return loss, h * (1 - h) * x, dw2
    r = ex.check_neuron_grads(no_chain)
    assert not r and "dw1 should be" in r.message

    def unwritten(*args):
        raise NotImplementedError
    assert "not written" in ex.check_neuron_grads(unwritten).message


def test_reveal_has_an_answer():
    assert "+=" in ex.why_accumulate.answer
