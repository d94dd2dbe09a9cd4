"""The training loop's speed path: ``train_step``'s arithmetic, bit for bit, in fewer passes.

No lesson prints this module; ``fit`` switches it on. ``step_function(model, optimizer)``
returns a callable ``(x, y) -> loss`` that changes the model exactly as
``train_step(model, optimizer, x, y)`` does -- the same numpy operations on the same numbers
in the same order, so the results are identical to the last bit (tests/test_fastpath.py) --
but

* writes the results of the Linear and ReLU layers into buffers it keeps (``out=``, in
  place) instead of making new arrays, and skips re-checking inputs that fit checked once;
* skips the gradient with respect to the network's input, which nobody uses;
* updates the parameters of an ``mlp`` model, which live in one contiguous buffer (see
  ``pack``), with one numpy call per operation instead of one per parameter.

For a model or an optimizer it does not know (e.g. a subclass with its own ``update``), it
returns plain ``train_step``.
"""

import numpy as np

from .layers import Linear, ReLU
from .model import Sequential
from .optim import SGD, AdaGrad, Adam, Momentum, Nesterov, RMSProp

__all__ = ["step_function", "pack"]


def pack(model):
    """Move the model's parameters into one contiguous buffer and its gradients into another
    (each layer's arrays become views of them, with the same values); returns the model.
    ``mlp`` does this when it builds a model, before anyone holds on to the arrays."""
    names = model._names
    arrays = [layer.params[key] for _, layer, key in names]
    if not arrays or len({a.dtype for a in arrays}) != 1:
        return model
    flat_p = np.empty(sum(a.size for a in arrays), dtype=arrays[0].dtype)
    flat_g = np.zeros_like(flat_p)
    start = 0
    for (_, layer, key), a in zip(names, arrays):
        stop = start + a.size
        layer.params[key] = flat_p[start:stop].reshape(a.shape)
        layer.params[key][...] = a
        layer.grads[key] = flat_g[start:stop].reshape(a.shape)
        start = stop
    model._packed = (flat_p, flat_g)
    return model


def step_function(model, optimizer):
    """``(x, y) -> loss``: train_step(model, optimizer, x, y), done faster where possible."""
    from .train import train_step
    update = _UPDATES.get(type(optimizer))
    if type(model) is not Sequential or update is None \
            or len({p.dtype for p in model.params.values()}) > 1:
        return lambda x, y: train_step(model, optimizer, x, y)
    groups = _Groups(model, optimizer)

    def step(x, y):
        loss = model.loss_layer.forward(_forward(model, x, groups), y) + model.penalty()
        _backward(model, groups)
        update(optimizer, groups.current())
        return loss
    return step


def _forward(model, x, groups):
    """model.forward(x, train=True), the Linear and ReLU layers into buffers."""
    for layer in model.layers:
        if type(layer) is Linear:
            layer.x = layer._as_matrix(x)
            out = groups.buffer(layer, "out", (len(layer.x), layer.n_out), layer.x.dtype)
            np.matmul(layer.x, layer.params["W"], out=out)     # x @ W + b
            out += layer.params["b"]
            x = out.reshape(layer.out_shape)
        elif type(layer) is ReLU and groups.owns(x):
            layer.mask = np.greater(x, 0, out=groups.buffer(layer, "mask", x.shape, bool))
            x = np.maximum(x, 0, out=x)
        else:
            x = layer.forward(x, train=True)
    return x


def _backward(model, groups):
    """model.backward(), writing each weight gradient into the gradient buffer, and without
    the first layer's input gradient."""
    dout = model.loss_layer.backward(1.0)
    layers = model.layers
    for layer in reversed(layers[1:]):
        if type(layer) is Linear:
            dout = _linear_backward(layer, dout, groups)
        elif type(layer) is ReLU and groups.owns(dout):
            dout = np.multiply(dout, layer.mask, out=dout)      # dout * mask
        else:
            dout = layer.backward(dout)
    first = layers[0]
    if type(first) is Linear:
        _linear_backward(first, dout, groups, input_grad=False)
    else:
        first.backward(dout)
    groups.collect_grads()
    if model.weight_decay:
        model._add_penalty_gradient()
        groups.collect_grads()


def _linear_backward(layer, dout, groups, input_grad=True):
    """Linear.backward's three lines, into the buffers."""
    dout = np.asarray(dout).reshape(layer.x.shape[0], layer.n_out)
    np.matmul(layer.x.T, dout, out=groups.grad_buffer(layer, "W"))
    np.sum(dout, axis=0, out=groups.grad_buffer(layer, "b"))
    if not input_grad:
        return None
    dx = groups.buffer(layer, "dx", (len(dout), layer.n_in), dout.dtype)
    np.matmul(dout, layer.params["W"].T, out=dx)
    return dx.reshape(layer.in_shape)


class _Groups:
    """The arrays an update works on, as (param, grad, *state, scratch, scratch) tuples: one
    tuple covering every parameter when they tile one buffer, else one per parameter."""

    def __init__(self, model, optimizer):
        self.model, self.optimizer = model, optimizer
        self.entries = [(name, layer, key) for name, layer, key in model._names]
        self.buffers = {}            # (id(layer), key) -> the array gradients are written into
        for _, layer, key in self.entries:
            g = layer.grads[key]
            if not (isinstance(g, np.ndarray) and g.shape == layer.params[key].shape
                    and g.dtype == layer.params[key].dtype):
                g = np.zeros_like(layer.params[key])
            self.buffers[id(layer), key] = g
        self.packed = getattr(model, "_packed", None)
        if self.packed is not None and not self._tiles():
            self.packed = None
        self.states = None
        self.work = {}               # (id(layer), what, shape, dtype) -> a buffer
        self.owned = set()           # ids of those buffers

    def buffer(self, layer, what, shape, dtype):
        """A buffer for one layer's intermediate result, kept from step to step."""
        key = (id(layer), what, shape, np.dtype(dtype))
        buf = self.work.get(key)
        if buf is None:
            buf = self.work[key] = np.empty(shape, dtype=dtype)
            self.owned.add(id(buf))
        return buf

    def owns(self, x):
        """Whether x is one of this step's buffers (safe to overwrite in place)."""
        return id(x) in self.owned or (isinstance(x, np.ndarray) and id(x.base) in self.owned)

    def _tiles(self):
        flat_p, flat_g = self.packed
        start = 0
        for _, layer, key in self.entries:
            p, g = layer.params[key], self.buffers[id(layer), key]
            if p.base is not flat_p or g.base is not flat_g \
                    or p.ctypes.data != flat_p.ctypes.data + start * flat_p.itemsize \
                    or g.ctypes.data != flat_g.ctypes.data + start * flat_g.itemsize:
                return False
            start += p.size
        return start == flat_p.size

    def grad_buffer(self, layer, key):
        buf = self.buffers[id(layer), key]
        layer.grads[key] = buf
        return buf

    def collect_grads(self):
        """Gradients a layer's own backward put into new arrays go into the buffers."""
        for _, layer, key in self.entries:
            buf = self.buffers[id(layer), key]
            if layer.grads[key] is not buf:
                buf[...] = layer.grads[key]
                layer.grads[key] = buf

    def current(self):
        """The tuples for this update (rebuilt when the optimizer's state was replaced)."""
        stores = [getattr(self.optimizer, s) for s in type(self.optimizer)._STATE]
        if self.states is None or any(store.get(name) is not view
                                      for store, views in zip(stores, self.states)
                                      for (name, _, _), view in zip(self.entries, views)):
            self.optimizer.start(self.model.params, self.model.grads)   # state for new keys
            self._build(stores)
        return self.groups

    def _build(self, stores):
        params = [layer.params[key] for _, layer, key in self.entries]
        grads = [self.buffers[id(layer), key] for _, layer, key in self.entries]
        if self.packed is not None:
            flat_p, flat_g = self.packed
            flats = [_flat_state(store, self.entries, params, flat_p) for store in stores]
            self.groups = [(flat_p, flat_g, *flats, np.empty_like(flat_p), np.empty_like(flat_p))]
        else:
            self.groups = [(p, g, *(store[name] for store in stores), np.empty_like(p), np.empty_like(p))
                           for (name, _, _), p, g in zip(self.entries, params, grads)]
        self.states = [[store[name] for name, _, _ in self.entries] for store in stores]


def _flat_state(store, entries, params, flat_p):
    """One buffer for one state dict, its entries becoming views of it (values kept)."""
    flat = np.zeros_like(flat_p)
    start = 0
    for (name, _, _), p in zip(entries, params):
        view = flat[start:start + p.size].reshape(p.shape)
        view[...] = store[name]
        store[name] = view
        start += p.size
    return flat


# Each function repeats its optimizer's update with out= buffers, operation for operation.
def _sgd(opt, groups):
    for p, g, s, _ in groups:
        np.multiply(opt.lr, g, out=s)              # params[key] -= self.lr * grads[key]
        p -= s


def _momentum(opt, groups):
    for p, g, v, s, _ in groups:
        v *= opt.momentum                          # v = momentum * v - lr * g
        np.multiply(opt.lr, g, out=s)
        v -= s
        p += v


def _nesterov(opt, groups):
    mu = opt.momentum
    for p, g, v, s, s2 in groups:
        np.multiply(-mu, v, out=s)                 # -momentum * v_prev
        v *= mu                                    # v = momentum * v - lr * g
        np.multiply(opt.lr, g, out=s2)
        v -= s2
        np.multiply(1 + mu, v, out=s2)             # + (1 + momentum) * v
        s += s2
        p += s


def _adaptive_step(opt, p, g, h, s, s2):
    np.multiply(opt.lr, g, out=s)                  # params -= lr * g / (sqrt(h) + eps)
    np.sqrt(h, out=s2)
    s2 += opt.eps
    s /= s2
    p -= s


def _adagrad(opt, groups):
    for p, g, h, s, s2 in groups:
        np.multiply(g, g, out=s)                   # h += g * g
        h += s
        _adaptive_step(opt, p, g, h, s, s2)


def _rmsprop(opt, groups):
    for p, g, h, s, s2 in groups:
        h *= opt.decay                             # h = decay * h + (1 - decay) * g ** 2
        np.multiply(g, g, out=s)
        np.multiply(1 - opt.decay, s, out=s)
        h += s
        _adaptive_step(opt, p, g, h, s, s2)


def _adam(opt, groups):
    opt.t += 1
    b1, b2 = opt.beta1, opt.beta2
    for p, g, m, v, s, s2 in groups:
        m *= b1                                    # m = b1 * m + (1 - b1) * g
        np.multiply(1 - b1, g, out=s)
        m += s
        v *= b2                                    # v = b2 * v + (1 - b2) * g ** 2
        np.multiply(g, g, out=s)
        np.multiply(1 - b2, s, out=s)
        v += s
        np.divide(m, 1 - b1 ** opt.t, out=s)       # lr * m_hat / (sqrt(v_hat) + eps)
        np.multiply(opt.lr, s, out=s)
        np.divide(v, 1 - b2 ** opt.t, out=s2)
        np.sqrt(s2, out=s2)
        s2 += opt.eps
        s /= s2
        p -= s


_UPDATES = {SGD: _sgd, Momentum: _momentum, Nesterov: _nesterov, AdaGrad: _adagrad,
            RMSProp: _rmsprop, Adam: _adam}
