"""A sequential model (a list of layers + a loss) and the ``mlp`` builder.

Parameters are named as in the lecture code: W1, b1 for the first Linear (or Maxout) layer,
gamma1, beta1 for the first BatchNorm, W2, b2, ... ``model.params`` and ``model.grads`` hold
the *same array objects* as the layers, so an optimizer that updates ``model.params`` in
place trains the model.

Penalties act on weights only (W of Linear and Maxout layers; never b, gamma, beta):
    "l2":      1/2 * lam * sum W^2                                   gradient lam * W
    "l1":      lam * sum |W|                                         gradient lam * sign(W)
    "elastic": lam * (l1_ratio * sum |W| + (1 - l1_ratio) * 1/2 sum W^2)
"""

from collections.abc import Mapping

import numpy as np

from .checks import is_int, is_number, number
from .layers import BatchNorm, Dropout, Linear, Maxout, activation_layer
from .losses import SoftmaxCrossEntropy, _labels, softmax

__all__ = ["Sequential", "mlp", "PENALTIES"]

PENALTIES = ("l2", "l1", "elastic")


class LayerArrays(Mapping):
    """A dict of the model's arrays by name (W1, b1, gamma1, ...): each lookup asks the layer
    for its current array (``layer.params[key]`` or ``layer.grads[key]``), and ``d[name] = a``
    (what ``params[key] -= step`` does after the in-place subtraction) goes to the layer."""

    def __init__(self, names, attr):
        self._where = {name: (layer, key) for name, layer, key in names}
        self._attr = attr

    def __getitem__(self, name):
        layer, key = self._where[name]
        return getattr(layer, self._attr)[key]

    def __setitem__(self, name, value):
        layer, key = self._where[name]
        getattr(layer, self._attr)[key] = value

    def __iter__(self):
        return iter(self._where)

    def __len__(self):
        return len(self._where)

    def __repr__(self):
        return repr(dict(self))


class Sequential:
    """Layers applied in order, followed by a loss layer (softmax cross-entropy by default)."""

    def __init__(self, layers, loss=None, weight_decay=0.0, penalty="l2", l1_ratio=0.5):
        layers = list(layers)
        for i, layer in enumerate(layers):
            if not (hasattr(layer, "forward") and hasattr(layer, "backward") and hasattr(layer, "params")):
                raise TypeError(f"layers[{i}] is not a layer (needs forward, backward, params): {layer!r}")
        if not layers:
            raise ValueError("Sequential needs at least one layer")
        if penalty not in PENALTIES:
            raise ValueError(f"unknown penalty {penalty!r}; expected one of {PENALTIES}")
        self.layers = layers
        self.loss_layer = SoftmaxCrossEntropy() if loss is None else loss
        self.weight_decay = number(weight_decay, "weight_decay", low=0)
        self.penalty_name = penalty
        self.l1_ratio = number(l1_ratio, "l1_ratio", low=0, high=1)
        self._names = []           # (model name, layer, key in layer.params)
        n_w = n_bn = 0
        for layer in layers:
            if isinstance(layer, (Linear, Maxout)):
                n_w += 1
                self._names += [(f"W{n_w}", layer, "W"), (f"b{n_w}", layer, "b")]
            elif isinstance(layer, BatchNorm):
                n_bn += 1
                self._names += [(f"gamma{n_bn}", layer, "gamma"), (f"beta{n_bn}", layer, "beta")]
            else:
                for key in layer.params:
                    self._names.append((f"{key}{len(self._names)}", layer, key))
        self._weights = [name for name, layer, key in self._names if key == "W"]

    # ---------------------------------------------------------------- parameters
    @property
    def params(self):
        """name -> parameter array (the layers' own arrays, not copies), like a dict."""
        return LayerArrays(self._names, "params")

    @property
    def grads(self):
        """name -> gradient array (filled by backward), like a dict. It looks the arrays up
        when asked, so one kept from before a backward pass shows the new gradients."""
        return LayerArrays(self._names, "grads")

    @property
    def dtype(self):
        for _, layer, key in self._names:
            return layer.params[key].dtype
        return np.dtype(np.float64)

    def n_params(self):
        return int(sum(p.size for p in self.params.values()))

    def state(self):
        """A copy of everything that defines the model's outputs: params and BN running stats."""
        s = {name: p.copy() for name, p in self.params.items()}
        for i, layer in enumerate(self.layers):
            if isinstance(layer, BatchNorm):
                s[f"running_mean@{i}"] = layer.running_mean.copy()
                s[f"running_var@{i}"] = layer.running_var.copy()
        return s

    def load_state(self, state):
        """Copy a state() back *into* the existing arrays (references stay valid)."""
        targets = dict(self.params)
        for i, layer in enumerate(self.layers):
            if isinstance(layer, BatchNorm):
                targets[f"running_mean@{i}"] = layer.running_mean
                targets[f"running_var@{i}"] = layer.running_var
        missing = set(targets) - set(state)
        if missing:
            raise ValueError(f"load_state: state is missing {sorted(missing)}")
        for name, arr in targets.items():
            src = np.asarray(state[name])
            if src.shape != arr.shape:
                raise ValueError(f"load_state: {name} has shape {src.shape}, expected {arr.shape}")
            arr[...] = src

    # ------------------------------------------------------------------- compute
    def _check_x(self, x):
        x = np.asarray(x)
        if x.dtype.kind not in "fiub":
            raise TypeError(f"x must be a numeric array, got dtype {x.dtype}")
        if x.ndim == 0 or x.shape[0] == 0:
            raise ValueError(f"x must be a non-empty batch (N, features), got shape {x.shape}")
        if x.dtype.kind == "f" and not np.isfinite(x).all():
            raise ValueError("x contains NaN or inf values; the inputs must be finite numbers")
        return x

    def forward(self, x, train=False):
        """Scores (pre-softmax outputs) for a batch x."""
        x = self._check_x(x)
        for layer in self.layers:
            x = layer.forward(x, train)
        return x

    def layer_outputs(self, x, train=False):
        """The output of every layer for the batch x, in order (the last one is the scores).

        train=True uses the batch statistics in BN layers and draws dropout masks; the BN
        running averages are restored afterwards, so looking does not change the model.
        """
        state = self.state() if train else None
        outs, h = [], self._check_x(x)
        for layer in self.layers:
            h = layer.forward(h, train)
            outs.append(h)
        if state is not None:
            self.load_state(state)
        return outs

    def penalty(self):
        """The regularisation term added to the loss (weights only)."""
        lam = self.weight_decay
        if lam == 0:
            return 0.0
        total = 0.0
        params = self.params
        for name in self._weights:
            W = params[name]
            if self.penalty_name == "l2":
                total += 0.5 * lam * float(np.sum(W * W))
            elif self.penalty_name == "l1":
                total += lam * float(np.abs(W).sum())
            else:
                total += lam * (self.l1_ratio * float(np.abs(W).sum())
                                + (1 - self.l1_ratio) * 0.5 * float(np.sum(W * W)))
        return total

    def loss(self, x, y, train=False):
        """Data loss (mean over the batch) + penalty. Evaluation mode by default (dropout off, BN
        with its running statistics, which it leaves alone); train=True is a training step's
        loss: dropout masks drawn, BN with the batch statistics (and its running averages
        updated)."""
        scores = self.forward(x, train)
        return self.loss_layer.forward(scores, y) + self.penalty()

    def data_loss(self, x, y, train=False):
        """The loss without the penalty (what we compare between train and validation)."""
        return self.loss_layer.forward(self.forward(x, train), y)

    def backward(self):
        """Backprop from the last loss() call: fills self.grads (and adds the penalty's
        gradient to the weights); returns dL/dx."""
        dout = self.loss_layer.backward(1.0)
        for layer in reversed(self.layers):
            dout = layer.backward(dout)
        if self.weight_decay:
            self._add_penalty_gradient()
        return dout

    def _add_penalty_gradient(self):
        lam, params = self.weight_decay, self.params
        for name, layer, key in self._names:
            if key != "W":
                continue
            W = params[name]
            if self.penalty_name == "l2":
                layer.grads[key] = layer.grads[key] + lam * W
            elif self.penalty_name == "l1":
                layer.grads[key] = layer.grads[key] + lam * np.sign(W)
            else:
                layer.grads[key] = layer.grads[key] + lam * (self.l1_ratio * np.sign(W)
                                                             + (1 - self.l1_ratio) * W)

    def gradient(self, x, y):
        """forward + backward in training mode; returns the loss (grads in self.grads)."""
        loss = self.loss(x, y, train=True)
        self.backward()
        return loss

    # ----------------------------------------------------------------- evaluate
    def predict_proba(self, x, batch_size=2048):
        """Class probabilities (softmax of the scores), in test mode."""
        return softmax(self._scores(x, batch_size))

    def predict(self, x, batch_size=2048):
        """Predicted integer labels, in test mode (a single output: class 1 when it is > 0.5)."""
        return _classes(self._scores(x, batch_size))

    def _scores(self, x, batch_size):
        x = self._check_x(x)
        if len(x) <= batch_size:
            return self.forward(x, train=False)
        return np.concatenate([self.forward(x[i:i + batch_size], train=False)
                               for i in range(0, len(x), batch_size)])

    def accuracy(self, x, y, batch_size=2048):
        """Fraction of correct predictions (y: int labels or one-hot)."""
        scores = self._scores(x, batch_size)
        labels, onehot = _labels(y, scores.shape[0], scores.shape[-1])
        if labels is None:
            labels = _classes(onehot)
        return float(np.mean(_classes(scores) == labels))

    def evaluate(self, x, y, batch_size=2048):
        """(data loss, accuracy) in test mode, in batches (no penalty term)."""
        x = self._check_x(x)
        total, correct, n = 0.0, 0, len(x)
        labels_all, onehot_all = _labels(y, n, self._n_classes(x))
        for i in range(0, n, batch_size):
            scores = self.forward(x[i:i + batch_size], train=False)
            yb = (labels_all if labels_all is not None else onehot_all)[i:i + batch_size]
            total += self.loss_layer.forward(scores, yb) * len(scores)
            lab = yb if labels_all is not None else _classes(yb)
            correct += int(np.sum(_classes(scores) == lab))
        return total / n, correct / n

    def _n_classes(self, x):
        for layer in reversed(self.layers):
            if hasattr(layer, "n_out"):
                return layer.n_out
        return self.forward(x[:1]).shape[-1]

    def __repr__(self):
        inner = ",\n  ".join(repr(layer) for layer in self.layers)
        extra = f", weight_decay={self.weight_decay}, penalty={self.penalty_name!r}" if self.weight_decay else ""
        return f"Sequential([\n  {inner}\n]{extra})"


def mlp(sizes, activation="relu", init="he", std=None, batchnorm=False, dropout=0.0,
        weight_decay=0.0, penalty="l2", l1_ratio=0.5, dtype=np.float64, seed=0, loss=None):
    """A multilayer perceptron: Linear, [BatchNorm], activation, [Dropout], ..., Linear.

    sizes: (n_in, hidden..., n_out), e.g. (784, 100, 100, 10). No activation after the last
    Linear (its outputs are the scores for the softmax cross-entropy loss).
    activation: a name from nnutils.activations, or "maxout" / "maxout<k>" (k pieces, default 2).
    init: an initializer name, or a number meaning normal with that std (or give std=).
    All randomness (weights, dropout masks) comes from np.random.default_rng(seed).
    dtype: float64 by default, so results are the same on every CPU (see nnutils/__init__.py).
    """
    sizes = list(sizes)
    if len(sizes) < 2 or not all(is_int(s) and s >= 1 for s in sizes):
        raise ValueError(f"sizes must be at least two positive ints (n_in, ..., n_out), got {sizes!r}")
    if is_number(init):
        init, std = "normal", float(init)
    number(dropout, "dropout ratio (probability of dropping)", low=0, high=1, high_open=True)
    rng = np.random.default_rng(seed)
    maxout_k = None
    if isinstance(activation, str) and activation.lower().startswith("maxout"):
        tail = activation[6:]
        maxout_k = int(tail) if tail.isdigit() else 2
    elif not isinstance(activation, str):
        raise TypeError(f"activation must be a name such as 'relu', got {activation!r}")
    else:
        activation_layer(activation)     # fail early on an unknown name
    layers = []
    for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        last = i == len(sizes) - 2
        if maxout_k and not last:
            layers.append(Maxout(n_in, n_out, k=maxout_k, init=init if std is None else std,
                                 rng=rng, dtype=dtype))
        else:
            layers.append(Linear(n_in, n_out, init=init, std=std, rng=rng, dtype=dtype))
        if last:
            break
        if batchnorm:
            layers.append(BatchNorm(n_out, dtype=dtype))
        if not maxout_k:
            layers.append(activation_layer(activation))
        if dropout > 0:
            layers.append(Dropout(dropout, rng=rng))
    from .fastpath import pack      # the layout fit's speed path updates in one pass
    return pack(Sequential(layers, loss=loss, weight_decay=weight_decay, penalty=penalty,
                           l1_ratio=l1_ratio))


def _classes(scores):
    """Class of each row: the largest score, or for a single output (e.g. a 0/1 target under
    MSE) whether it exceeds 0.5 — an argmax over one column would always say 0."""
    if scores.shape[-1] == 1:
        return (scores[..., 0] > 0.5).astype(np.int64)
    return scores.argmax(axis=-1)
