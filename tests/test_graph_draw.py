"""nnutils.graph_draw: layered layout and in-place updates of a drawn graph."""

import random

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from nnutils.graph import Value, neuron  # noqa: E402
from nnutils.graph_draw import BOX_H, BOX_W, OP_R, draw_graph, layout  # noqa: E402


def random_graph(n_values=20, seed=0):
    rng = random.Random(seed)
    vs = [Value(rng.uniform(-1, 1), f"v{i}") for i in range(4)]
    while len(vs) < n_values - 1:
        a, b = rng.sample(vs[-5:], 2)
        op = rng.choice(["add", "mul", "tanh", "max"])
        n = a + b if op == "add" else a * b if op == "mul" else a.tanh() if op == "tanh" else a.max(b)
        n.label = f"n{len(vs)}"
        vs.append(n)
    out = vs[-1]
    for v in vs:  # every value without a consumer feeds the output: all reachable
        if v is not vs[-1] and not any(v in w.parents for w in vs):
            out = out + v
    out.label = "out"
    return out


def _overlap(a, b, w, h):
    return abs(a[0] - b[0]) < w and abs(a[1] - b[1]) < h


@pytest.mark.parametrize("root", [neuron(), neuron(decompose=True), random_graph(20)],
                         ids=["neuron", "neuron-decomposed", "random-20"])
def test_layout_is_left_to_right_and_boxes_do_not_overlap(root):
    nodes, value_xy, op_xy = layout(root)
    index = {id(v): i for i, v in enumerate(nodes)}
    assert nodes[-1] is root and value_xy[-1][0] == max(x for x, _ in value_xy)
    for i, v in enumerate(nodes):
        if v.parents:
            # the op sits just left of its value, on the same row; every input further left
            assert op_xy[i][0] < value_xy[i][0] and op_xy[i][1] == value_xy[i][1]
            for p in v.parents:
                assert value_xy[index[id(p)]][0] + BOX_W / 2 < op_xy[i][0] - OP_R
        else:
            assert op_xy[i] is None
    for i in range(len(nodes)):
        for j in range(i + 1, len(nodes)):
            assert not _overlap(value_xy[i], value_xy[j], BOX_W, BOX_H), (nodes[i], nodes[j])
    ops = [xy for xy in op_xy if xy is not None]
    for a in ops:
        for b in value_xy:
            assert not _overlap(a, b, OP_R + BOX_W / 2, OP_R + BOX_H / 2)


def test_drawing_shows_label_data_and_grad():
    f = neuron()
    f.backward()
    d = draw_graph(f)
    texts = {t.get_text() for t in d.ax.texts}
    assert {"x0", "w0", "f", "data 0.73", "grad 1.00", "grad -0.20", "σ", "×", "+"} <= texts
    plt.close(d.ax.figure)


def test_update_in_place_and_highlight():
    f = neuron()
    d = draw_graph(f)
    n_artists = len(d.ax.patches) + len(d.ax.texts)
    steps = list(f.backward_steps())
    g = neuron(x0=0.5)
    g.backward()
    d.update(g, highlight=3)
    assert len(d.ax.patches) + len(d.ax.texts) == n_artists, "update must not add artists"
    assert "data 0.50" in {t.get_text() for t in d.ax.texts}
    widths = {i: box.get_linewidth() for i, box in d.boxes.items()}
    assert max(widths, key=widths.get) == 3
    parents = {id(p) for p in d.nodes[3].parents}
    outlined = {i for i, box in d.boxes.items() if box.get_linestyle() != "-"}
    assert {id(d.nodes[i]) for i in outlined} == parents
    d.update(g)  # no highlight: all boxes back to normal
    assert len({box.get_linewidth() for box in d.boxes.values()}) == 1
    assert steps  # the generator ran to completion above
    plt.close(d.ax.figure)


def test_update_rejects_another_structure_and_bad_highlights():
    d = draw_graph(neuron())
    with pytest.raises(ValueError, match="same structure"):
        d.update(neuron(decompose=True))
    with pytest.raises(ValueError, match="not a node"):
        d.update(neuron(), highlight=Value(1.0))
    with pytest.raises(ValueError, match="index"):
        d.update(neuron(), highlight=99)
    with pytest.raises(TypeError, match="highlight"):
        d.update(neuron(), highlight="f")
    with pytest.raises(TypeError, match="root"):
        draw_graph(3.0)
    plt.close(d.ax.figure)


def test_twenty_nodes_stay_readable():
    root = random_graph(20)
    d = draw_graph(root)
    assert len(root.nodes()) >= 20
    w, h = d.ax.figure.get_size_inches()
    assert w <= 13.01 and h <= 8.4
    assert d.fontsize >= 4.5
    plt.close(d.ax.figure)
