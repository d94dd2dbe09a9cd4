"""Optimizers, as in the lecture code: ``opt.update(params, grads)`` changes every array of
``params`` in place. Works for any dict of float arrays, e.g. {"xy": np.array([x, y])}.

The state is kept in dicts keyed like ``params`` so a lesson can look at it:
Momentum.v, Nesterov.v, AdaGrad.cache, RMSProp.cache, Adam.m, Adam.v, Adam.t.

    SGD        p -= lr g
    Momentum   v = mu v - lr g;  p += v
    Nesterov   p += mu^2 v - (1 + mu) lr g;  v = mu v - lr g      (see Nesterov's docstring)
    AdaGrad    h += g^2;  p -= lr g / (sqrt(h) + eps)
    RMSProp    h = decay h + (1 - decay) g^2;  p -= lr g / (sqrt(h) + eps)
    Adam       m = b1 m + (1 - b1) g;  v = b2 v + (1 - b2) g^2;
               m^ = m / (1 - b1^t);  v^ = v / (1 - b2^t);  p -= lr m^ / (sqrt(v^) + eps)

The updates reuse scratch buffers (no new arrays per step).
"""

import math

import numpy as np

from .names import canonical

__all__ = ["Optimizer", "SGD", "Momentum", "Nesterov", "AdaGrad", "RMSProp", "Adam",
           "make_optimizer", "OPTIMIZERS"]


def _check_unit(value, what):
    if not (isinstance(value, (int, float, np.floating, np.integer)) and 0.0 <= value < 1.0):
        raise ValueError(f"{what} must be in [0, 1), got {value!r}")
    return float(value)


def _check_eps(eps):
    if not (isinstance(eps, (int, float, np.floating)) and eps > 0 and math.isfinite(eps)):
        raise ValueError(f"eps must be a small number > 0, got {eps!r}")
    return float(eps)


class Optimizer:
    """Base class: holds the learning rate, the per-parameter state and scratch buffers.

    Subclasses name their state dicts in ``_STATE`` (e.g. ("m", "v")) and implement
    ``update`` as a loop over ``self._groups(params, grads)``, which yields tuples
    (param, grad, *state arrays, scratch) -- one per parameter.

    Speed-up, invisible to the maths: when every parameter is a view into one contiguous
    buffer, and every gradient into another with the same layout (``mlp`` builds models
    like that), there is a single group covering all of them, so each numpy operation runs
    once over all parameters instead of once per parameter. The state dicts still hold one
    array per parameter name (views into the shared state buffers).
    """

    _STATE = ()

    def __init__(self, lr):
        if isinstance(lr, bool) or not isinstance(lr, (int, float, np.floating, np.integer)) \
                or not (lr > 0 and math.isfinite(lr)):
            raise ValueError(f"learning rate lr must be a number > 0, got {lr!r}")
        self._lr = float(lr)
        self._plan = None

    @property
    def lr(self):
        return self._lr

    @lr.setter
    def lr(self, value):
        # schedules may set 0 (e.g. the first step of a warm-up), but never a negative or NaN lr
        if isinstance(value, bool) or not isinstance(value, (int, float, np.floating, np.integer)) \
                or not (value >= 0 and math.isfinite(value)):
            raise ValueError(f"learning rate lr must be a number >= 0, got {value!r}")
        self._lr = float(value)

    # ------------------------------------------------------------ bookkeeping
    def _check(self, params, grads):
        """Same keys, same shapes, float arrays -- or a clear error."""
        for key, p in params.items():
            if key not in grads:
                raise ValueError(f"grads has no entry {key!r} (params keys: {list(params)})")
            g = grads[key]
            if not isinstance(p, np.ndarray) or p.dtype.kind != "f":
                kind = type(p).__name__ + (f" of {p.dtype}" if isinstance(p, np.ndarray) else "")
                raise TypeError(f"params[{key!r}] must be a float numpy array (updated in place), got {kind}")
            if not isinstance(g, np.ndarray) or g.shape != p.shape:
                raise ValueError(f"grads[{key!r}] has shape {np.shape(g)}, expected {p.shape} like params")

    def _groups(self, params, grads):
        """The (param, grad, *states, scratch) tuples for this update, cached between calls."""
        sig = tuple((k, id(p), id(grads.get(k))) for k, p in params.items())
        plan = self._plan
        if plan is not None and plan[0] == sig and all(
                getattr(self, name).get(k) is arr for name, k, arr in plan[2]):
            return plan[1]
        self._check(params, grads)
        keys = list(params)
        packed = _packed([params[k] for k in keys], [grads[k] for k in keys])
        views = []                                  # (state name, key, array) to detect outside changes
        if packed is not None:
            P, G, spans = packed
            states = []
            for name in self._STATE:
                store, flat = getattr(self, name), np.zeros_like(P)
                for k, (a, b) in zip(keys, spans):
                    view = flat[a:b].reshape(params[k].shape)
                    old = store.get(k)
                    if old is not None and old.shape == view.shape:
                        view[...] = old               # keep any state we already had
                    store[k] = view
                    views.append((name, k, view))
                states.append(flat)
            groups = [(P, G, *states, np.empty_like(P))]
        else:
            groups = []
            for k in keys:
                p = params[k]
                states = []
                for name in self._STATE:
                    store = getattr(self, name)
                    if store.get(k) is None or store[k].shape != p.shape or store[k].dtype != p.dtype:
                        store[k] = np.zeros_like(p)
                    states.append(store[k])
                    views.append((name, k, store[k]))
                groups.append((p, grads[k], *states, np.empty_like(p)))
        # keep references to the arrays so their ids in `sig` stay theirs
        self._plan = (sig, groups, views, [params[k] for k in keys], [grads[k] for k in keys])
        return groups

    def update(self, params, grads):
        raise NotImplementedError

    def reset(self):
        """Forget the state (velocities, caches, step count)."""
        for name in self._STATE:
            getattr(self, name).clear()
        self._plan = None
        if hasattr(self, "t"):
            self.t = 0

    def __repr__(self):
        keys = [k for k in ("lr", "momentum", "decay", "beta1", "beta2", "eps") if hasattr(self, k)]
        return f"{type(self).__name__}(" + ", ".join(f"{k}={getattr(self, k):g}" for k in keys) + ")"


def _packed(ps, gs):
    """(P, G, spans) if the arrays ps tile one contiguous 1-D buffer P exactly (and gs tile G
    with the same layout), else None."""
    if not ps:
        return None
    P, G = ps[0].base, gs[0].base
    if P is None or G is None or P is G or P.ndim != 1 or G.ndim != 1 or P.size != G.size \
            or P.dtype != G.dtype or P.dtype != ps[0].dtype \
            or not (P.flags.c_contiguous and G.flags.c_contiguous and P.flags.writeable):
        return None
    spans = []
    item = P.itemsize
    for p, g in zip(ps, gs):
        if p.base is not P or g.base is not G or not (p.flags.c_contiguous and g.flags.c_contiguous):
            return None
        a = (p.ctypes.data - P.ctypes.data) // item
        if (g.ctypes.data - G.ctypes.data) // item != a:
            return None
        spans.append((a, a + p.size))
    order = sorted(spans)
    if order[0][0] != 0 or order[-1][1] != P.size or any(b != c for (_, b), (c, _) in zip(order, order[1:])):
        return None                                   # gaps or overlaps: not an exact tiling
    return P, G, spans


class SGD(Optimizer):
    """Plain gradient descent: p -= lr * g."""

    def __init__(self, lr=0.01):
        super().__init__(lr)

    def update(self, params, grads):
        for p, g, step in self._groups(params, grads):
            np.multiply(g, self.lr, out=step)      # p -= lr g, without a temporary array
            p -= step


class Momentum(Optimizer):
    """Momentum SGD: a velocity that remembers past gradients. v = mu v - lr g; p += v."""

    _STATE = ("v",)

    def __init__(self, lr=0.01, momentum=0.9):
        super().__init__(lr)
        self.momentum = _check_unit(momentum, "momentum")
        self.v = {}

    def update(self, params, grads):
        for p, g, v, step in self._groups(params, grads):
            v *= self.momentum                     # v = mu v - lr g
            np.multiply(g, self.lr, out=step)
            v -= step
            p += v                                 # p += v


class Nesterov(Optimizer):
    """Nesterov accelerated gradient in the form used by the lecture code.

    Textbook form: the gradient is taken at the look-ahead point p + mu v:
        v <- mu v - lr grad(p + mu v);   p <- p + v.
    Tracking the look-ahead point q = p + mu v instead gives an update that only needs
    the gradient at the current parameters (which is what we are given):
        q <- q + mu^2 v - (1 + mu) lr g;   v <- mu v - lr g.
    """

    _STATE = ("v",)

    def __init__(self, lr=0.01, momentum=0.9):
        super().__init__(lr)
        self.momentum = _check_unit(momentum, "momentum")
        self.v = {}

    def update(self, params, grads):
        mu = self.momentum
        for p, g, v, step in self._groups(params, grads):
            np.multiply(v, mu * mu, out=step)      # p += mu^2 v - (1 + mu) lr g   (old v)
            p += step
            np.multiply(g, (1 + mu) * self.lr, out=step)
            p -= step
            v *= mu                                # v = mu v - lr g
            np.multiply(g, self.lr, out=step)
            v -= step


class AdaGrad(Optimizer):
    """Per-parameter learning rates: h += g^2; p -= lr g / (sqrt(h) + eps).
    h only grows, so the effective step keeps shrinking."""

    _STATE = ("cache",)

    def __init__(self, lr=0.01, eps=1e-7):
        super().__init__(lr)
        self.eps = _check_eps(eps)
        self.cache = {}

    def update(self, params, grads):
        for p, g, h, step in self._groups(params, grads):
            np.multiply(g, g, out=step)            # h += g^2
            h += step
            np.sqrt(h, out=step)                   # p -= lr g / (sqrt(h) + eps)
            step += self.eps
            np.divide(g, step, out=step)
            step *= self.lr
            p -= step


class RMSProp(Optimizer):
    """AdaGrad with a leaky memory: h = decay h + (1 - decay) g^2; p -= lr g / (sqrt(h) + eps)."""

    _STATE = ("cache",)

    def __init__(self, lr=0.01, decay=0.99, eps=1e-7):
        super().__init__(lr)
        self.decay = _check_unit(decay, "decay")
        self.eps = _check_eps(eps)
        self.cache = {}

    def update(self, params, grads):
        d = self.decay
        for p, g, h, step in self._groups(params, grads):
            # h += (1 - d) (g^2 - h)  is  h = d h + (1 - d) g^2
            np.multiply(g, g, out=step)
            step -= h
            step *= 1 - d
            h += step
            np.sqrt(h, out=step)                   # p -= lr g / (sqrt(h) + eps)
            step += self.eps
            np.divide(g, step, out=step)
            step *= self.lr
            p -= step


class Adam(Optimizer):
    """Adam (Kingma & Ba 2015) with bias correction and eps added after the square root.

        m = b1 m + (1 - b1) g;   v = b2 v + (1 - b2) g^2;   t += 1
        p -= lr * m^ / (sqrt(v^) + eps),  m^ = m / (1 - b1^t),  v^ = v / (1 - b2^t)

    We compute it as p -= lr_t m / (sqrt(v) + eps_t) with lr_t = lr sqrt(1 - b2^t) / (1 - b1^t)
    and eps_t = eps sqrt(1 - b2^t), which is the same number with fewer array operations.
    bias_correction=False drops m^ and v^ (uses m and v directly).
    """

    _STATE = ("m", "v")

    def __init__(self, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8, bias_correction=True):
        super().__init__(lr)
        self.beta1 = _check_unit(beta1, "beta1")
        self.beta2 = _check_unit(beta2, "beta2")
        self.eps = _check_eps(eps)
        self.bias_correction = bool(bias_correction)
        self.m, self.v, self.t = {}, {}, 0

    def update(self, params, grads):
        self.t += 1
        b1, b2 = self.beta1, self.beta2
        if self.bias_correction:
            c2 = math.sqrt(1.0 - b2 ** self.t)
            lr_t = self.lr * c2 / (1.0 - b1 ** self.t)
            eps_t = self.eps * c2
        else:
            lr_t, eps_t = self.lr, self.eps
        for p, g, m, v, step in self._groups(params, grads):
            np.subtract(g, m, out=step)          # m += (1 - b1)(g - m)
            step *= 1 - b1
            m += step
            np.multiply(g, g, out=step)          # v += (1 - b2)(g^2 - v)
            step -= v
            step *= 1 - b2
            v += step
            np.sqrt(v, out=step)                 # p -= lr_t m / (sqrt(v) + eps_t)
            step += eps_t
            np.divide(m, step, out=step)
            step *= lr_t
            p -= step


_OPTIMIZERS = {"sgd": SGD, "momentum": Momentum, "nesterov": Nesterov, "adagrad": AdaGrad,
               "rmsprop": RMSProp, "adam": Adam}
OPTIMIZERS = tuple(_OPTIMIZERS)
_ALIASES = {"rms_prop": "rmsprop", "ada_grad": "adagrad"}


def make_optimizer(name, **kw):
    """An optimizer by name, e.g. make_optimizer("adam", lr=1e-3)."""
    return _OPTIMIZERS[canonical(name, _OPTIMIZERS, "optimizer", _ALIASES)](**kw)
