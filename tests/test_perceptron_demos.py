"""Lesson 1 demos and the trained sigmoid XOR: what each figure must show."""
import numpy as np
import pytest

from nnutils import perceptron as P
from nnutils.demos.perceptron import (GateDemo, StepVsSigmoidDemo, XorTrainDemo, line_through_box,
                                      gates_figure, learning_figure, xor_spaces_figure,
                                      xor_training_figure)


@pytest.mark.parametrize("w1,w2,b", [(2, 2, -3), (-2, -1, 2.5), (0, 3, -1), (3, 0, -1), (1e-3, -5, 2)])
def test_line_through_box_lies_on_the_decision_boundary(w1, w2, b):
    x1, x2 = line_through_box(w1, w2, b)
    assert np.allclose(w1 * np.asarray(x1) + w2 * np.asarray(x2) + b, 0, atol=1e-9)
    assert line_through_box(0, 0, 1) is None


def _dot_outputs(demo):
    # output colour of each input dot: orange (C1) = 1
    from nnutils.demos.perceptron import C1
    from matplotlib.colors import to_rgba
    return [int(np.allclose(fc, to_rgba(C1))) for fc in demo.dots.get_facecolors()]


@pytest.mark.parametrize("preset,gate", [("AND", "AND"), ("OR", "OR"), ("NAND", "NAND"),
                                         ("NAND (2nd)", "NAND")])
def test_gate_presets_compute_their_gate(preset, gate):
    d = GateDemo()
    d.apply_preset(preset)
    assert d.error is None
    assert _dot_outputs(d) == list(P.TARGETS[gate])
    assert len(d.wrong.get_offsets()) == 0
    assert f"computes {gate}" in d.verdict.get_text()


def test_xor_preset_shows_no_line_works_and_the_grid_search():
    d = GateDemo()
    d.apply_preset("XOR?")
    assert len(d.wrong.get_offsets()) >= 1
    text = d.verdict.get_text()
    assert "Grid search: 0 of 68,921" in text and "No line separates XOR" in text


@pytest.mark.parametrize("w1,w2,b", [(-5.0, 5.0, 0.0), (0.0, 0.0, 0.0), (0.0, 0.0, 1.0), (1.5, -0.5, -1.0)])
def test_gate_dots_and_table_follow_the_sliders(w1, w2, b):
    d = GateDemo(w1=w1, w2=w2, b=b)
    want = [int(w1 * x1 + w2 * x2 + b > 0) for x1, x2 in [(0, 0), (1, 0), (0, 1), (1, 1)]]
    assert _dot_outputs(d) == want
    rows = d.table.get_text().splitlines()[2:]
    assert [int(r.split("|")[2]) for r in rows] == want
    assert d.line.get_visible() and (len(d.line.get_xdata()) == 0) == (w1 == 0 and w2 == 0)


def test_train_sigmoid_xor_one_step_matches_hand_backprop():
    # forward/backward written out here in float64, from the same initial weights
    m0 = P.sigmoid_xor_model(hidden=3, seed=4)
    W1, b1, W2, b2 = (m0.params[k].astype(np.float64) for k in ("W1", "b1", "W2", "b2"))
    x = P.INPUTS.astype(np.float64)
    t = np.array(P.TARGETS["XOR"], dtype=np.float64)[:, None]
    s = lambda a: 1 / (1 + np.exp(-a))
    h = s(x @ W1 + b1)
    y = s(h @ W2 + b2)
    loss = 0.5 * np.sum((y - t) ** 2) / 4
    dy = (y - t) / 4 * y * (1 - y)
    dW2, db2 = h.T @ dy, dy.sum(0)
    dh = dy @ W2.T * h * (1 - h)
    dW1, db1 = x.T @ dh, dh.sum(0)
    lr = 0.7
    m, losses = P.train_sigmoid_xor(hidden=3, lr=lr, epochs=1, seed=4)
    assert losses[0] == pytest.approx(loss, rel=1e-5)
    for k, g, p0 in (("W1", dW1, W1), ("b1", db1, b1), ("W2", dW2, W2), ("b2", db2, b2)):
        assert np.allclose(m.params[k], p0 - lr * g, atol=1e-6), k


def test_train_sigmoid_xor_learns_xor_and_is_deterministic():
    m, losses = P.train_sigmoid_xor(hidden=2, lr=5.0, epochs=2000, seed=0)
    out = m.forward(P.INPUTS)[:, 0]
    assert ((out > 0.5).astype(int) == P.TARGETS["XOR"]).all() and losses[-1] < 0.01
    _, again = P.train_sigmoid_xor(hidden=2, lr=5.0, epochs=2000, seed=0)
    assert np.array_equal(losses, again)
    m1, l1 = P.train_sigmoid_xor(hidden=1, lr=5.0, epochs=2000, seed=0)
    assert not ((m1.forward(P.INPUTS)[:, 0] > 0.5).astype(int) == P.TARGETS["XOR"]).all()
    with pytest.raises(ValueError, match="hidden"):
        P.train_sigmoid_xor(hidden=0)
    with pytest.raises(ValueError, match="lr"):
        P.train_sigmoid_xor(lr=-1.0)
    with pytest.raises(ValueError, match="epochs"):
        P.train_sigmoid_xor(epochs=0)


def test_xor_training_demo_reports_progress_and_outcome():
    d = XorTrainDemo()
    assert d.error is None and "XOR learned ✓" in d.a2.get_title()
    calls = []
    d.progress = lambda frac, text="": calls.append(frac)
    d.set(hidden=1)
    assert "not XOR ✗" in d.a2.get_title()
    assert len(calls) >= 10 and calls[-1] == 1.0 and calls == sorted(calls)
    # the hidden units' lines: one visible line per hidden unit
    assert sum(len(l.get_xdata()) > 0 for l in d.hlines) == 1
    d.set(hidden=4)
    assert sum(len(l.get_xdata()) > 0 for l in d.hlines) == 4
    # the loss curve is the one the engine returns for these settings
    _, losses = P.train_sigmoid_xor(4, d.values["lr"], d.values["epochs"], d.values["seed"])
    assert np.allclose(d.curve.get_ydata(), np.clip(losses, 1e-4, None))


def test_step_vs_sigmoid_numbers():
    d = StepVsSigmoidDemo()
    d.apply_preset("across the threshold")        # w = 0.95 -> 1.05 crosses the threshold 1
    s = lambda a: 1 / (1 + np.exp(-a))
    text = d.text.get_text()
    assert "Δy step    = +1.000" in text
    assert f"Δy sigmoid = {s(0.05) - s(-0.05):+.3f}" in text
    d.apply_preset("small nudge")
    assert "Δy step    = +0.000" in d.text.get_text()
    d.set(steepness=50.0)
    assert np.allclose(d.sig.get_ydata(), s(50.0 * (d.ws - 1)))


def test_static_figures_build():
    import matplotlib
    matplotlib.use("agg")
    import matplotlib.pyplot as plt
    hists = {n: P.Perceptron().fit(n, max_epochs=10) for n in ("AND", "XOR")}
    m, losses = P.train_sigmoid_xor(epochs=50)
    for fig in (gates_figure(), learning_figure(hists), xor_spaces_figure(),
                xor_training_figure(losses, lambda X: m.forward(X)[:, 0],
                                    hidden=(m.params["W1"], m.params["b1"]))):
        assert all(ax.get_xlabel() for ax in fig.axes if ax.get_label() != "<colorbar>")
        plt.close(fig)
