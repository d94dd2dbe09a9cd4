"""The perceptron (Rosenblatt, 1957), logic gates and the XOR problem.

A perceptron takes a weighted sum of its inputs, adds a bias and passes the result
through the Heaviside step function::

    y = step(w1*x1 + w2*x2 + b)        step(a) = 1 if a > 0 else 0

The bias is minus the threshold: "fire when w.x > theta" is "fire when w.x + b > 0" with
b = -theta.  One perceptron draws one straight line through the input plane, so it can
realise AND, OR and NAND but not XOR.  Two layers can (XOR = AND(NAND, OR)), and with
smooth sigmoid units the two-layer network can be *trained* by backpropagation.

Numpy only (plus the course's own engine modules for the trained network).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .checks import is_int

# The four inputs of a two-input truth table, in the lecture's order.
INPUTS = np.array([[0, 0], [1, 0], [0, 1], [1, 1]], dtype=np.int64)

# Target column of each truth table, in the order of INPUTS.
TARGETS = {
    "AND": (0, 0, 0, 1),
    "OR": (0, 1, 1, 1),
    "NAND": (1, 1, 1, 0),
    "NOR": (1, 0, 0, 0),
    "XOR": (0, 1, 1, 0),
}

# The lecture's weights (w1, w2) and bias b for each gate.  NAND2 is a second, different
# choice that realises the same NAND: many weights realise the same gate.
GATES = {
    "AND": ((2.0, 2.0), -3.0),
    "OR": ((2.0, 2.0), -1.0),
    "NAND": ((-2.0, -2.0), 3.0),
    "NAND2": ((-2.0, -1.0), 2.5),
}

# The lecture's sigmoid network that computes XOR (2 inputs -> 2 hidden -> 1 output).
SIGMOID_XOR = {
    "W1": np.array([[5.0, -7.0], [5.0, -7.0]]),
    "b1": np.array([-8.0, 3.0]),
    "W2": np.array([[-11.0], [-11.0]]),
    "b2": np.array([6.0]),
}


def step(a):
    """Heaviside step: 1 where a > 0, else 0 (so a sum exactly at the threshold gives 0)."""
    return (np.asarray(a) > 0).astype(np.int64)


def _targets(targets):
    """A gate name or four 0/1 values -> int array of shape (4,)."""
    if isinstance(targets, str):
        key = targets.upper()
        if key not in TARGETS:
            raise ValueError(f"targets: expected one of {sorted(TARGETS)} or four 0/1 values, got {targets!r}")
        return np.array(TARGETS[key], dtype=np.int64)
    t = np.asarray(targets)
    if t.shape != (4,) or not np.isin(t, (0, 1)).all():
        raise ValueError(f"targets: expected four 0/1 values (one per row of INPUTS), got {targets!r}")
    return t.astype(np.int64)


def _inputs(x, name="x"):
    x = np.asarray(x, dtype=np.float64)
    if x.ndim not in (1, 2) or x.shape[-1] != 2:
        raise ValueError(f"{name}: expected shape (2,) or (n, 2), got {x.shape}")
    return x


class Perceptron:
    """One unit: y = step(x @ w + b), trained by Rosenblatt's rule w += lr * (t - y) * x."""

    def __init__(self, w=(0.0, 0.0), b=0.0):
        w = np.asarray(w, dtype=np.float64)
        if w.shape != (2,):
            raise ValueError(f"w: expected two weights (w1, w2), got shape {w.shape}")
        self.w = w.copy()
        self.b = float(b)

    def net(self, x):
        """The weighted sum w.x + b (before the step)."""
        return _inputs(x) @ self.w + self.b

    def predict(self, x):
        return step(self.net(x))

    __call__ = predict

    def update(self, x, t, lr=1.0):
        """One step of the learning rule on one example; returns the error t - y (-1, 0 or 1)."""
        x = _inputs(x)
        err = int(t) - int(self.predict(x))
        # A mistake moves the line towards the example: w += lr*err*x, b += lr*err.
        # A correct answer (err = 0) changes nothing.
        self.w += lr * err * x
        self.b += lr * err
        return err

    def fit(self, targets, x=None, lr=1.0, max_epochs=100, seed=None):
        """Learn a truth table with the perceptron rule, one example at a time.

        targets: a gate name ("AND", "OR", "NAND", "NOR", "XOR") or four 0/1 values.
        x: the inputs (default INPUTS). seed: None visits the rows in order; an int
        shuffles them every epoch with np.random.default_rng(seed).
        Stops after the first epoch without a mistake, or after max_epochs.
        """
        t = _targets(targets) if x is None else np.asarray(targets, dtype=np.int64)
        x = INPUTS.astype(np.float64) if x is None else _inputs(x)
        if x.ndim != 2 or len(x) != len(t):
            raise ValueError(f"x: expected one row per target ({len(t)}), got shape {x.shape}")
        if not int(max_epochs) >= 1:
            raise ValueError(f"max_epochs: expected an integer >= 1, got {max_epochs!r}")
        rng = None if seed is None else np.random.default_rng(seed)
        hist = PerceptronHistory(w=[self.w.copy()], b=[self.b])
        for _ in range(int(max_epochs)):
            order = np.arange(len(t)) if rng is None else rng.permutation(len(t))
            mistakes = 0
            for i in order:
                if self.update(x[i], t[i], lr) != 0:
                    mistakes += 1
                    hist.w.append(self.w.copy())
                    hist.b.append(self.b)
            hist.mistakes.append(mistakes)
            if mistakes == 0:
                hist.converged = True
                break
        return hist

    def __repr__(self):
        return f"Perceptron(w=({self.w[0]:g}, {self.w[1]:g}), b={self.b:g})"


@dataclass
class PerceptronHistory:
    """What Perceptron.fit did: mistakes per epoch, and (w, b) after every update."""
    w: list = field(default_factory=list)
    b: list = field(default_factory=list)
    mistakes: list = field(default_factory=list)
    converged: bool = False

    @property
    def epochs(self):
        """Epochs run, including the final mistake-free one when it converged."""
        return len(self.mistakes)


def gate(name):
    """The lecture's perceptron for a gate: "AND", "OR", "NAND" or "NAND2"."""
    key = str(name).upper()
    if key not in GATES:
        raise ValueError(f"name: expected one of {sorted(GATES)}, got {name!r}")
    w, b = GATES[key]
    return Perceptron(w, b)


def _gate2(name, x1, x2):
    x = np.stack(np.broadcast_arrays(np.asarray(x1, float), np.asarray(x2, float)), axis=-1)
    y = gate(name).predict(x.reshape(-1, 2)).reshape(x.shape[:-1])
    return int(y) if y.ndim == 0 else y


def AND(x1, x2):
    return _gate2("AND", x1, x2)


def OR(x1, x2):
    return _gate2("OR", x1, x2)


def NAND(x1, x2):
    return _gate2("NAND", x1, x2)


def XOR(x1, x2):
    """XOR by composition: a second layer ANDs the first layer's NAND and OR."""
    s1 = NAND(x1, x2)
    s2 = OR(x1, x2)
    return AND(s1, s2)


def xor_network(x):
    """The two-layer XOR network on inputs x (n, 2) -> (hidden s (n, 2), output y (n,)).

    Layer 1: s1 = NAND(x), s2 = OR(x) maps input space X to a hidden space S in which
    the four points are linearly separable; layer 2: y = AND(s1, s2) separates them.
    """
    x = _inputs(x, "x").reshape(-1, 2)
    s = np.stack([gate("NAND").predict(x), gate("OR").predict(x)], axis=1)
    return s, gate("AND").predict(s)


def truth_table(fn, x=None):
    """Rows (x1, x2, y) of a two-input function fn(x1, x2), e.g. truth_table(AND)."""
    x = INPUTS if x is None else np.asarray(x)
    y = np.asarray(fn(x[:, 0], x[:, 1])).reshape(len(x))
    return np.column_stack([x, y]).astype(np.int64)


def format_truth_table(rows, names=("x1", "x2", "y")):
    """A truth table as aligned text (for print)."""
    rows = np.asarray(rows)
    head = "  ".join(f"{n:>4}" for n in names)
    lines = [head, "-" * len(head)]
    for r in rows:
        lines.append("  ".join(f"{v:>4g}" for v in r))
    return "\n".join(lines)


def _sigmoid(a):
    # the course's sigmoid, imported lazily so this module loads on its own
    from nnutils.activations import sigmoid
    return sigmoid(a)


def sigmoid_xor(x, W1=None, b1=None, W2=None, b2=None):
    """Forward pass of a 2-H-1 sigmoid network (default: the lecture's 2-2-1 XOR weights).

    Returns (h, y): hidden activations (n, H) and outputs (n,) in (0, 1).
    """
    W1 = SIGMOID_XOR["W1"] if W1 is None else np.asarray(W1, dtype=np.float64)
    b1 = SIGMOID_XOR["b1"] if b1 is None else np.asarray(b1, dtype=np.float64)
    W2 = SIGMOID_XOR["W2"] if W2 is None else np.asarray(W2, dtype=np.float64)
    b2 = SIGMOID_XOR["b2"] if b2 is None else np.asarray(b2, dtype=np.float64)
    H = W1.shape[-1]
    for name, arr, shape in (("W1", W1, (2, H)), ("b1", b1, (H,)), ("W2", W2, (H, 1)), ("b2", b2, (1,))):
        if arr.shape != shape:
            raise ValueError(f"{name}: expected shape {shape}, got {arr.shape}")
    x = _inputs(x).reshape(-1, 2)
    h = _sigmoid(x @ W1 + b1)
    y = _sigmoid(h @ W2 + b2)
    return h, y[:, 0]


def separating_weights(targets, grid=None):
    """Brute force: every (w1, w2, b) on a grid whose perceptron gives the truth table.

    targets: a gate name or four 0/1 values. grid: the values tried for each of w1, w2 and
    b (default np.linspace(-5, 5, 41), i.e. 41**3 = 68,921 triples).
    Returns an array (k, 3) of the triples that work; k = 0 means no line on the grid does.
    """
    t = _targets(targets)
    g = np.linspace(-5.0, 5.0, 41) if grid is None else np.asarray(grid, dtype=np.float64).ravel()
    if g.size == 0:
        raise ValueError("grid: expected at least one value, got an empty grid")
    w1, w2, b = (a.ravel() for a in np.meshgrid(g, g, g, indexing="ij"))
    # net[i, j] = weighted sum for triple i on input row j: all triples at once
    net = np.outer(w1, INPUTS[:, 0]) + np.outer(w2, INPUTS[:, 1]) + b[:, None]
    ok = (step(net) == t).all(axis=1)
    return np.column_stack([w1[ok], w2[ok], b[ok]])


def sigmoid_xor_model(hidden=2, seed=0, init="lecun"):
    """A 2-hidden-1 network of sigmoid units with MSE loss, built from the engine's layers."""
    from nnutils.layers import Linear, Sigmoid
    from nnutils.losses import MSELoss
    from nnutils.model import Sequential
    if not is_int(hidden) or hidden < 1:
        raise ValueError(f"hidden: expected a number of hidden units >= 1, got {hidden!r}")
    rng = np.random.default_rng(seed)
    return Sequential([Linear(2, int(hidden), init=init, rng=rng), Sigmoid(),
                       Linear(int(hidden), 1, init=init, rng=rng), Sigmoid()], loss=MSELoss())


def train_sigmoid_xor(hidden=2, lr=5.0, epochs=2000, seed=0, init="lecun", on_epoch=None):
    """Train a 2-hidden-1 sigmoid network on XOR by backpropagation (full batch, plain SGD).

    Each epoch is one gradient step on all four rows: loss -> backward -> W -= lr * dW.
    (The four-row batch is why we loop here instead of calling nnutils.train.fit: fit also
    evaluates after every epoch, which would double the cost of a 1-step epoch.)
    on_epoch(epoch, loss) is called after every step, e.g. to show progress.
    Returns (model, losses) with losses[k] the MSE loss before step k + 1.
    """
    from nnutils.optim import SGD
    if not is_int(epochs) or epochs < 1:
        raise ValueError(f"epochs: expected an integer >= 1, got {epochs!r}")
    if not (np.isfinite(lr) and lr > 0):
        raise ValueError(f"lr: expected a learning rate > 0, got {lr!r}")
    model = sigmoid_xor_model(hidden, seed, init)
    x = INPUTS.astype(np.float32)
    t = np.array(TARGETS["XOR"], dtype=np.float32)[:, None]
    opt = SGD(lr=lr)
    params, grads = model.params, model.grads
    losses = np.empty(int(epochs))
    for k in range(int(epochs)):
        losses[k] = model.gradient(x, t)   # forward + backward: fills model.grads
        opt.update(params, grads)
        if on_epoch is not None:
            on_epoch(k + 1, losses[k])
    return model, losses
