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

The updates reuse one scratch buffer per parameter (no new arrays per step).
"""

import math

import numpy as np

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
    """Base class: holds the learning rate and a scratch buffer per parameter."""

    def __init__(self, lr):
        if isinstance(lr, bool) or not isinstance(lr, (int, float, np.floating, np.integer)) \
                or not (lr > 0 and math.isfinite(lr)):
            raise ValueError(f"learning rate lr must be a number > 0, got {lr!r}")
        self._lr = float(lr)
        self._buf = {}

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

    def _pairs(self, params, grads):
        """(key, param, grad) triples, checked: same keys, same shapes, float arrays."""
        for key, p in params.items():
            if key not in grads:
                raise ValueError(f"grads has no entry {key!r} (params keys: {list(params)})")
            g = grads[key]
            if not isinstance(p, np.ndarray) or p.dtype.kind != "f":
                raise TypeError(f"params[{key!r}] must be a float numpy array (updated in place), "
                                f"got {type(p).__name__}{'' if not isinstance(p, np.ndarray) else ' of ' + str(p.dtype)}")
            if g.shape != p.shape:
                raise ValueError(f"grads[{key!r}] has shape {g.shape}, expected {p.shape} like params")
            yield key, p, g

    def _state(self, store, key, p):
        s = store.get(key)
        if s is None or s.shape != p.shape:
            s = store[key] = np.zeros_like(p)
        return s

    def _scratch(self, key, p):
        return self._state(self._buf, key, p)

    def update(self, params, grads):
        raise NotImplementedError

    def reset(self):
        """Forget the state (velocities, caches, step count)."""
        for value in vars(self).values():
            if isinstance(value, dict):
                value.clear()
        if hasattr(self, "t"):
            self.t = 0

    def __repr__(self):
        keys = [k for k in ("lr", "momentum", "decay", "beta1", "beta2", "eps") if hasattr(self, k)]
        return f"{type(self).__name__}(" + ", ".join(f"{k}={getattr(self, k):g}" for k in keys) + ")"


class SGD(Optimizer):
    """Plain gradient descent: p -= lr * g."""

    def __init__(self, lr=0.01):
        super().__init__(lr)

    def update(self, params, grads):
        for key, p, g in self._pairs(params, grads):
            step = self._scratch(key, p)
            np.multiply(g, self.lr, out=step)
            p -= step


class Momentum(Optimizer):
    """Momentum SGD: a velocity that remembers past gradients. v = mu v - lr g; p += v."""

    def __init__(self, lr=0.01, momentum=0.9):
        super().__init__(lr)
        self.momentum = _check_unit(momentum, "momentum")
        self.v = {}

    def update(self, params, grads):
        for key, p, g in self._pairs(params, grads):
            v, step = self._state(self.v, key, p), self._scratch(key, p)
            v *= self.momentum
            np.multiply(g, self.lr, out=step)
            v -= step
            p += v


class Nesterov(Optimizer):
    """Nesterov accelerated gradient in the form used by the lecture code.

    Textbook form: the gradient is taken at the look-ahead point p + mu v:
        v <- mu v - lr grad(p + mu v);   p <- p + v.
    Tracking the look-ahead point q = p + mu v instead gives an update that only needs
    the gradient at the current parameters (which is what we are given):
        q <- q + mu^2 v - (1 + mu) lr g;   v <- mu v - lr g.
    """

    def __init__(self, lr=0.01, momentum=0.9):
        super().__init__(lr)
        self.momentum = _check_unit(momentum, "momentum")
        self.v = {}

    def update(self, params, grads):
        mu = self.momentum
        for key, p, g in self._pairs(params, grads):
            v, step = self._state(self.v, key, p), self._scratch(key, p)
            np.multiply(v, mu * mu, out=step)
            p += step
            np.multiply(g, (1 + mu) * self.lr, out=step)
            p -= step
            v *= mu
            np.multiply(g, self.lr, out=step)
            v -= step


class AdaGrad(Optimizer):
    """Per-parameter learning rates: h += g^2; p -= lr g / (sqrt(h) + eps).
    h only grows, so the effective step keeps shrinking."""

    def __init__(self, lr=0.01, eps=1e-7):
        super().__init__(lr)
        self.eps = _check_eps(eps)
        self.cache = {}

    def update(self, params, grads):
        for key, p, g in self._pairs(params, grads):
            h, step = self._state(self.cache, key, p), self._scratch(key, p)
            np.multiply(g, g, out=step)
            h += step
            np.sqrt(h, out=step)
            step += self.eps
            np.divide(g, step, out=step)
            step *= self.lr
            p -= step


class RMSProp(Optimizer):
    """AdaGrad with a leaky memory: h = decay h + (1 - decay) g^2; p -= lr g / (sqrt(h) + eps)."""

    def __init__(self, lr=0.01, decay=0.99, eps=1e-7):
        super().__init__(lr)
        self.decay = _check_unit(decay, "decay")
        self.eps = _check_eps(eps)
        self.cache = {}

    def update(self, params, grads):
        d = self.decay
        for key, p, g in self._pairs(params, grads):
            h, step = self._state(self.cache, key, p), self._scratch(key, p)
            # h += (1 - d) (g^2 - h)  is  h = d h + (1 - d) g^2
            np.multiply(g, g, out=step)
            step -= h
            step *= 1 - d
            h += step
            np.sqrt(h, out=step)
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
        for key, p, g in self._pairs(params, grads):
            m, v = self._state(self.m, key, p), self._state(self.v, key, p)
            step = self._scratch(key, p)
            np.subtract(g, m, out=step)          # m += (1 - b1)(g - m)
            step *= 1 - b1
            m += step
            np.multiply(g, g, out=step)          # v += (1 - b2)(g^2 - v)
            step -= v
            step *= 1 - b2
            v += step
            np.sqrt(v, out=step)
            step += eps_t
            np.divide(m, step, out=step)
            step *= lr_t
            p -= step


_OPTIMIZERS = {"sgd": SGD, "momentum": Momentum, "nesterov": Nesterov, "adagrad": AdaGrad,
               "rmsprop": RMSProp, "adam": Adam}
OPTIMIZERS = tuple(_OPTIMIZERS)


def make_optimizer(name, **kw):
    """An optimizer by name, e.g. make_optimizer("adam", lr=1e-3)."""
    if not isinstance(name, str):
        raise TypeError(f"optimizer name must be a string, one of {OPTIMIZERS}; got {name!r}")
    key = name.lower().replace("-", "").replace("_", "")
    if key not in _OPTIMIZERS:
        raise ValueError(f"unknown optimizer {name!r}; expected one of {OPTIMIZERS}")
    return _OPTIMIZERS[key](**kw)
