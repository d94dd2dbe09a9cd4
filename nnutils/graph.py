"""A scalar computational graph (계산 그래프) with reverse-mode backpropagation (역전파).

In the spirit of Karpathy's micrograd: every arithmetic operation on ``Value`` objects makes a
new node that remembers its inputs (``parents``), the operation (``op``) and a tiny function
``_backward`` that applies the chain rule (연쇄 법칙) *locally*:

    parent.grad += (d node / d parent) * node.grad        # local derivative x upstream gradient

``backward()`` visits the nodes from the output back to the inputs (reverse topological
order), so when a node's ``_backward`` runs, its own ``grad`` is already complete.
Gradients are *accumulated* with ``+=``: a value used twice (fan-out) receives the sum of the
gradients of both branches. Writing ``=`` instead is the classic bug the lesson hunts down.

    >>> x, y = Value(2.0, "x"), Value(-3.0, "y")
    >>> f = x * y + x                     # x fans out into two branches
    >>> f.backward()
    >>> x.grad, y.grad                    # df/dx = y + 1, df/dy = x
    (-2.0, 2.0)

Only ``math`` is used: this is the engine, the pictures live in ``nnutils.graph_draw``.
"""

from __future__ import annotations

import math

from .checks import is_number

__all__ = ["Value", "neuron", "topological_order"]


def _as_float(x, name):
    if not is_number(x):
        raise TypeError(f"{name} must be a real number, got {type(x).__name__} {x!r}")
    return float(x)


class Value:
    """A scalar node: ``data`` (forward value), ``grad`` (dOutput/dThis after backward),
    ``op`` (the operation that made it, "" for an input), ``label`` and ``parents``."""

    def __init__(self, data, label="", parents=(), op=""):
        self.data = _as_float(data, "data")
        self.grad = 0.0
        self.label = str(label)
        self.parents = tuple(parents)
        self.op = str(op)
        self._backward = lambda: None  # inputs (leaves) have nothing to pass on

    def __repr__(self):
        name = f"{self.label!r}, " if self.label else ""
        return f"Value({name}data={self.data:.4g}, grad={self.grad:.4g})"

    # --- helpers --------------------------------------------------------------------------
    @staticmethod
    def _wrap(other):
        if isinstance(other, Value):
            return other
        return Value(_as_float(other, "operand"), label=f"{_as_float(other, 'operand'):g}")

    # --- binary operations ----------------------------------------------------------------
    def __add__(self, other):
        other = self._wrap(other)
        out = Value(self.data + other.data, parents=(self, other), op="+")

        def _backward():  # add gate = gradient distributor: both inputs get the upstream grad
            self.grad += out.grad
            other.grad += out.grad
        out._backward = _backward
        return out

    def __sub__(self, other):
        other = self._wrap(other)
        out = Value(self.data - other.data, parents=(self, other), op="−")

        def _backward():  # d(a − b)/da = 1, d(a − b)/db = −1
            self.grad += out.grad
            other.grad -= out.grad
        out._backward = _backward
        return out

    def __mul__(self, other):
        other = self._wrap(other)
        out = Value(self.data * other.data, parents=(self, other), op="×")

        def _backward():  # multiply gate = gradient switcher: each input gets the *other* input
            self.grad += other.data * out.grad
            other.grad += self.data * out.grad
        out._backward = _backward
        return out

    def __truediv__(self, other):
        other = self._wrap(other)
        if other.data == 0.0:
            raise ValueError(f"division by a Value with data 0 (divisor {other!r})")
        out = Value(self.data / other.data, parents=(self, other), op="÷")

        def _backward():  # d(a/b)/da = 1/b, d(a/b)/db = −a/b²
            self.grad += out.grad / other.data
            other.grad += -self.data / other.data ** 2 * out.grad
        out._backward = _backward
        return out

    def max(self, other):
        """max(self, other); a tie sends the gradient to ``self``."""
        other = self._wrap(other)
        first_wins = self.data >= other.data
        out = Value(self.data if first_wins else other.data, parents=(self, other), op="max")

        def _backward():  # max gate = gradient router: only the larger input gets the gradient
            if first_wins:
                self.grad += out.grad
            else:
                other.grad += out.grad
        out._backward = _backward
        return out

    def __pow__(self, p):
        p = _as_float(p, "exponent")
        if self.data == 0.0 and p < 1 and p != 0:
            raise ValueError(f"x ** {p:g} has no derivative at x = 0 (base {self!r})")
        if self.data < 0 and not p.is_integer():
            raise ValueError(f"a negative base ({self.data:g}) needs an integer exponent, got {p:g}")
        out = Value(self.data ** p, parents=(self,), op="1/x" if p == -1 else f"^{p:g}")

        def _backward():  # d(x^p)/dx = p·x^(p−1)
            local = 0.0 if p == 0 else p * self.data ** (p - 1)
            self.grad += local * out.grad
        out._backward = _backward
        return out

    # --- unary operations -----------------------------------------------------------------
    def __neg__(self):
        out = Value(-self.data, parents=(self,), op="neg")

        def _backward():
            self.grad -= out.grad
        out._backward = _backward
        return out

    def exp(self):
        e = math.exp(self.data) if self.data < 709.0 else math.inf  # overflow -> inf, like numpy
        out = Value(e, parents=(self,), op="exp")

        def _backward():  # d(e^x)/dx = e^x: reuse the forward result
            self.grad += out.data * out.grad
        out._backward = _backward
        return out

    def log(self):
        if self.data <= 0:
            raise ValueError(f"log needs a positive input, got {self.data:g} ({self!r})")
        out = Value(math.log(self.data), parents=(self,), op="log")

        def _backward():  # d(ln x)/dx = 1/x
            self.grad += out.grad / self.data
        out._backward = _backward
        return out

    def sigmoid(self):
        x = self.data
        e = math.exp(-abs(x))  # in (0, 1]: never overflows
        s = 1.0 / (1.0 + e) if x >= 0 else e / (1.0 + e)
        out = Value(s, parents=(self,), op="σ")

        def _backward():
            # σ'(x) = σ(x)(1 − σ(x)) ≤ 1/4. Written as e/(1+e)² so that 1 − σ is never formed
            # by subtraction, which loses every digit once σ rounds to 1 (x ≳ 20).
            self.grad += e / (1.0 + e) ** 2 * out.grad
        out._backward = _backward
        return out

    def tanh(self):
        t = math.tanh(self.data)
        out = Value(t, parents=(self,), op="tanh")

        def _backward():
            # tanh'(x) = 1 − tanh²(x) = 4e/(1+e)² with e = exp(−2|x|): the same number, but
            # accurate when tanh saturates (1 − t² would cancel to 0 there).
            e = math.exp(-2.0 * abs(self.data))
            self.grad += 4.0 * e / (1.0 + e) ** 2 * out.grad
        out._backward = _backward
        return out

    def relu(self):
        out = Value(self.data if self.data > 0 else 0.0, parents=(self,), op="ReLU")

        def _backward():  # 1 where the input was positive, else 0 (we take 0 at x = 0)
            self.grad += (1.0 if self.data > 0 else 0.0) * out.grad
        out._backward = _backward
        return out

    # --- numbers on the left: 2 * x, 1 - x, 1 / x ------------------------------------------
    def __radd__(self, other):
        return self._wrap(other) + self

    def __rsub__(self, other):
        return self._wrap(other) - self

    def __rmul__(self, other):
        return self._wrap(other) * self

    def __rtruediv__(self, other):
        return self._wrap(other) / self

    # --- the backward pass ----------------------------------------------------------------
    def nodes(self):
        """Every node this one depends on, inputs first (topological order)."""
        return topological_order(self)

    def zero_grad(self):
        for v in self.nodes():
            v.grad = 0.0

    def backward_steps(self, grad=1.0):
        """The backward pass one node at a time: a generator that yields each non-input node
        right after its ``_backward`` has sent its gradient to its parents.

        Before the first step every grad in the graph is reset to 0 and ``self.grad = grad``.
        Consume it fully (``backward()`` does) to get all gradients.
        """
        grad = _as_float(grad, "grad")
        order = self.nodes()
        for v in order:
            v.grad = 0.0
        self.grad = grad
        for v in reversed(order):  # output first: a node's grad is final before it is used
            if v.parents:
                v._backward()
                yield v

    def backward(self, grad=1.0):
        """Fill ``.grad`` of every node with d(self)/d(node). ``grad`` seeds the output
        (the upstream gradient); all grads are reset first, so calling it twice is safe."""
        for _ in self.backward_steps(grad):
            pass


def topological_order(root):
    """Nodes reachable from ``root``, each after all of its parents (iterative DFS, so deep
    graphs do not hit Python's recursion limit)."""
    if not isinstance(root, Value):
        raise TypeError(f"root must be a Value, got {type(root).__name__}")
    order, seen, stack = [], set(), [(root, False)]
    while stack:
        node, expanded = stack.pop()
        if expanded:
            order.append(node)
            continue
        if id(node) in seen:
            continue
        seen.add(id(node))
        stack.append((node, True))
        for p in reversed(node.parents):
            if id(p) not in seen:
                stack.append((p, False))
    return order


def neuron(x0=-1.0, w0=2.0, x1=-2.0, w1=-3.0, w2=-3.0, decompose=False):
    """The lecture's neuron f = σ(w0·x0 + w1·x1 + w2) as a labelled graph; returns f.

    The defaults are the lecture's numbers (f ≈ 0.73). ``decompose=True`` builds σ(z) from
    primitive gates, 1 / (1 + exp(−z)), as drawn in the lecture, instead of one σ gate.
    """
    x0, w0 = Value(x0, "x0"), Value(w0, "w0")
    x1, w1 = Value(x1, "x1"), Value(w1, "w1")
    w2 = Value(w2, "w2")
    a = x0 * w0
    a.label = "w0·x0"
    b = x1 * w1
    b.label = "w1·x1"
    s = a + b
    s.label = "s"
    z = s + w2
    z.label = "z"
    if not decompose:
        f = z.sigmoid()
    else:
        m = z * Value(-1.0, "−1")
        m.label = "−z"
        e = m.exp()
        e.label = "exp(−z)"
        d = e + Value(1.0, "1")
        d.label = "1+exp(−z)"
        f = d ** -1
    f.label = "f"
    return f
