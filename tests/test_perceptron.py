"""The perceptron engine: step, gates with the lecture's weights, learning rule, XOR."""
import itertools
import math

import numpy as np
import pytest

from nnutils import perceptron as P

# Truth tables written out by hand, rows (x1, x2) in the order (0,0), (1,0), (0,1), (1,1).
ROWS = [(0, 0), (1, 0), (0, 1), (1, 1)]
HAND = {"AND": [0, 0, 0, 1], "OR": [0, 1, 1, 1], "NAND": [1, 1, 1, 0], "NOR": [1, 0, 0, 0], "XOR": [0, 1, 1, 0]}


def test_inputs_order():
    assert P.INPUTS.tolist() == [list(r) for r in ROWS]


def test_step_is_heaviside_with_zero_at_threshold():
    assert P.step(np.array([-2.0, -1e-9, 0.0, 1e-9, 3.0])).tolist() == [0, 0, 0, 1, 1]
    assert P.step(0.5) == 1


@pytest.mark.parametrize("name,w,b", [("AND", (2, 2), -3), ("OR", (2, 2), -1),
                                      ("NAND", (-2, -2), 3), ("NAND2", (-2, -1), 2.5)])
def test_gates_have_the_lectures_weights(name, w, b):
    p = P.gate(name)
    assert p.w.tolist() == list(w) and p.b == b
    want = HAND["NAND" if name == "NAND2" else name]
    # compute by hand: 1 iff w1*x1 + w2*x2 + b > 0
    got = [int(w[0] * x1 + w[1] * x2 + b > 0) for x1, x2 in ROWS]
    assert got == want
    assert p.predict(P.INPUTS).tolist() == want


def test_gate_functions_and_xor_composition():
    for fn, name in [(P.AND, "AND"), (P.OR, "OR"), (P.NAND, "NAND"), (P.XOR, "XOR")]:
        assert [fn(x1, x2) for x1, x2 in ROWS] == HAND[name]
        assert P.truth_table(fn)[:, 2].tolist() == HAND[name]
    assert isinstance(P.AND(1, 1), int)


def test_xor_network_hidden_space_is_separable():
    s, y = P.xor_network(P.INPUTS)
    assert y.tolist() == HAND["XOR"]
    assert s[:, 0].tolist() == HAND["NAND"] and s[:, 1].tolist() == HAND["OR"]
    # in the hidden space, AND's line separates the classes: (1,0),(0,1) are not both present
    # as a class-0 point; the (1,1) hidden point is the only positive one
    assert {tuple(r) for r, t in zip(s.tolist(), y) if t == 1} == {(1, 1)}


def test_learning_rule_one_step_by_hand():
    p = P.Perceptron((0.0, 0.0), 0.0)
    err = p.update((1, 1), 1, lr=0.5)        # predicted 0, target 1 -> err = +1
    assert err == 1 and p.w.tolist() == [0.5, 0.5] and p.b == 0.5
    err = p.update((1, 0), 0, lr=0.5)        # net 1.0 > 0 -> predicted 1, target 0 -> err = -1
    assert err == -1 and p.w.tolist() == [0.0, 0.5] and p.b == 0.0
    assert p.update((0, 1), 1, lr=0.5) == 0  # net 0.5 -> 1, correct: nothing changes
    assert p.w.tolist() == [0.0, 0.5] and p.b == 0.0


@pytest.mark.parametrize("name", ["AND", "OR", "NAND", "NOR"])
@pytest.mark.parametrize("seed", [None, 0, 1])
def test_learning_converges_on_separable_gates(name, seed):
    p = P.Perceptron()
    hist = p.fit(name, max_epochs=100, seed=seed)
    assert hist.converged and hist.mistakes[-1] == 0 and hist.epochs == len(hist.mistakes)
    got = [int(p.w[0] * x1 + p.w[1] * x2 + p.b > 0) for x1, x2 in ROWS]
    assert got == HAND[name]
    assert len(hist.w) == len(hist.b) == 1 + sum(hist.mistakes)


def test_learning_never_converges_on_xor():
    hist = P.Perceptron().fit("XOR", max_epochs=200)
    assert not hist.converged and hist.epochs == 200 and min(hist.mistakes) > 0


def test_brute_force_search_matches_a_slow_loop():
    grid = np.linspace(-2, 2, 9)
    for name in ["AND", "NAND", "XOR"]:
        slow = [(w1, w2, b) for w1, w2, b in itertools.product(grid, grid, grid)
                if [int(w1 * x1 + w2 * x2 + b > 0) for x1, x2 in ROWS] == HAND[name]]
        fast = P.separating_weights(name, grid)
        assert sorted(map(tuple, fast.tolist())) == sorted(slow)
    assert len(P.separating_weights("XOR")) == 0
    found = P.separating_weights("AND")
    assert len(found) > 0 and [2.0, 2.0, -3.0] in found.tolist()
    assert [-2.0, -1.0, 2.5] in P.separating_weights("NAND").tolist()


def test_sigmoid_xor_lecture_weights_by_hand():
    s = lambda a: 1 / (1 + math.exp(-a))
    h, y = P.sigmoid_xor(P.INPUTS)
    for (x1, x2), hi, yi in zip(ROWS, h, y):
        h1, h2 = s(5 * x1 + 5 * x2 - 8), s(-7 * x1 - 7 * x2 + 3)
        assert hi == pytest.approx([h1, h2], rel=1e-6)
        assert yi == pytest.approx(s(-11 * h1 - 11 * h2 + 6), rel=1e-6)
    assert (y > 0.5).astype(int).tolist() == HAND["XOR"]


@pytest.mark.parametrize("call,needle", [
    (lambda: P.gate("XNOR"), "name"),
    (lambda: P.Perceptron(w=(1, 2, 3)), "w"),
    (lambda: P.Perceptron().fit("XNOR"), "targets"),
    (lambda: P.Perceptron().fit([0, 1, 2, 0]), "targets"),
    (lambda: P.Perceptron().fit("AND", max_epochs=0), "max_epochs"),
    (lambda: P.Perceptron().predict(np.zeros((4, 3))), "x"),
    (lambda: P.sigmoid_xor(P.INPUTS, W2=np.ones((3, 1))), "W2"),
    (lambda: P.separating_weights("AND", grid=[]), "grid"),
])
def test_bad_input_names_the_argument(call, needle):
    with pytest.raises(ValueError, match=needle):
        call()


def test_seed_6_is_a_saturated_plateau_not_a_minimum():
    """Lesson 1: inputs (0, 1) and (1, 1) get the same saturated hidden code, the output answers
    0.5 for both, and the loss creeps towards 1/2 (0.5^2 + 0.5^2)/4 while the gradient shrinks."""
    x = P.INPUTS.astype(np.float64)
    sizes = []
    for epochs in (2000, 10000):
        model, losses = P.train_sigmoid_xor(seed=6, epochs=epochs)
        sizes.append(math.sqrt(sum(float(np.sum(g ** 2)) for g in model.grads.values())))
    out = model.forward(x)[:, 0]
    hidden = model.layers[1].forward(model.layers[0].forward(x))
    np.testing.assert_allclose(out[2:], 0.5, atol=0.01)
    np.testing.assert_allclose(hidden[2], hidden[3], atol=0.01)
    assert np.all((hidden[2:] < 0.01) | (hidden[2:] > 0.99))           # saturated
    assert 0.0625 < losses[-1] < 0.0627 and sizes[1] < 0.5 * sizes[0]
