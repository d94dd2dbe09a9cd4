"""Optimizers, as the lecture code writes them: ``opt.update(params, grads)`` changes every array
of ``params`` in place. Works for any dict of float arrays, e.g. {"xy": np.array([x, y])}.

Each ``update`` body is the rule on the slide, keyed like the params, and the state is kept in
dicts keyed the same way, so a lesson can look at it: Momentum.v, Nesterov.v, AdaGrad.cache,
RMSProp.cache, Adam.m, Adam.v, Adam.t.

    SGD        p -= lr g
    Momentum   v = mu v - lr g;  p += v
    Nesterov   v_prev = v;  v = mu v - lr g;  p += -mu v_prev + (1 + mu) v
    AdaGrad    h += g^2;  p -= lr g / (sqrt(h) + eps)
    RMSProp    h = decay h + (1 - decay) g^2;  p -= lr g / (sqrt(h) + eps)
    Adam       m = b1 m + (1 - b1) g;  v = b2 v + (1 - b2) g^2;
               m^ = m / (1 - b1^t);  v^ = v / (1 - b2^t);  p -= lr m^ / (sqrt(v^) + eps)

    >>> import numpy as np
    >>> params, grads = {"w": np.array([1.0, -2.0])}, {"w": np.array([0.5, 0.5])}
    >>> SGD(lr=0.1).update(params, grads)
    >>> params["w"]
    array([ 0.95, -2.05])
"""

import numpy as np

from .checks import number
from .names import canonical

__all__ = ["Optimizer", "SGD", "Momentum", "Nesterov", "AdaGrad", "RMSProp", "Adam",
           "AdamNoBiasCorrection", "make_optimizer", "OPTIMIZERS"]


class Optimizer:
    """Base class: the learning rate, and the state dicts named in ``_STATE`` (e.g. ("m", "v")).

    ``start(params, grads)`` at the top of ``update`` checks the two dicts and gives every new
    key its state, zeros like the parameter (the lecture's ``np.zeros_like(val)``).
    """

    _STATE = ()

    def __init__(self, lr):
        self.lr = number(lr, "learning rate lr", low=0, low_open=True)
        for name in self._STATE:
            setattr(self, name, {})

    @property
    def lr(self):
        return self._lr

    @lr.setter
    def lr(self, value):
        # schedules may set 0 (e.g. the first step of a warm-up), but never a negative or NaN lr
        self._lr = number(value, "learning rate lr", low=0)

    def start(self, params, grads):
        """Same keys, same shapes, float arrays -- or a clear error; zero state for new keys."""
        for key, p in params.items():
            g = grads.get(key)
            if not isinstance(p, np.ndarray) or p.dtype.kind != "f":
                kind = type(p).__name__ + (f" of {p.dtype}" if isinstance(p, np.ndarray) else "")
                raise TypeError(f"params[{key!r}] must be a float numpy array (updated in place), got {kind}")
            if g is None:
                raise ValueError(f"grads has no entry {key!r} (params keys: {list(params)})")
            if np.shape(g) != p.shape:
                raise ValueError(f"grads[{key!r}] has shape {np.shape(g)}, expected {p.shape} like params")
            for name in self._STATE:
                store = getattr(self, name)
                if key not in store or store[key].shape != p.shape:
                    store[key] = np.zeros_like(p)

    def update(self, params, grads):
        raise NotImplementedError

    def reset(self):
        """Forget the state (velocities, caches, step count)."""
        for name in self._STATE:
            getattr(self, name).clear()
        if hasattr(self, "t"):
            self.t = 0

    def __repr__(self):
        keys = [k for k in ("lr", "momentum", "decay", "beta1", "beta2", "eps") if hasattr(self, k)]
        return f"{type(self).__name__}(" + ", ".join(f"{k}={getattr(self, k):g}" for k in keys) + ")"


def _fraction(value, what):
    return number(value, what, low=0, high=1, high_open=True)


def _eps(value):
    return number(value, "eps", low=0, low_open=True)


class SGD(Optimizer):
    """Plain (stochastic) gradient descent: p -= lr * g."""

    def __init__(self, lr=0.01):
        super().__init__(lr)

    def update(self, params, grads):
        self.start(params, grads)
        for key in params:
            params[key] -= self.lr * grads[key]


class Momentum(Optimizer):
    """Momentum SGD: a velocity that remembers past gradients. v = mu v - lr g; p += v."""

    _STATE = ("v",)

    def __init__(self, lr=0.01, momentum=0.9):
        super().__init__(lr)
        self.momentum = _fraction(momentum, "momentum")

    def update(self, params, grads):
        self.start(params, grads)
        for key in params:
            self.v[key] = self.momentum * self.v[key] - self.lr * grads[key]
            params[key] += self.v[key]


class Nesterov(Optimizer):
    """Nesterov accelerated gradient, in the form of the CS231n notes.

    Textbook form: the gradient is taken at the look-ahead point p + mu v:
        v <- mu v - lr grad(p + mu v);   p <- p + v.
    Tracking the look-ahead point instead of p gives an update that only needs the gradient
    at the current parameters (which is what we are given):
        v_prev = v;   v <- mu v - lr g;   p <- p - mu v_prev + (1 + mu) v.
    """

    _STATE = ("v",)

    def __init__(self, lr=0.01, momentum=0.9):
        super().__init__(lr)
        self.momentum = _fraction(momentum, "momentum")

    def update(self, params, grads):
        self.start(params, grads)
        for key in params:
            v_prev = self.v[key]
            self.v[key] = self.momentum * self.v[key] - self.lr * grads[key]
            params[key] += -self.momentum * v_prev + (1 + self.momentum) * self.v[key]


class AdaGrad(Optimizer):
    """Per-parameter learning rates: h += g^2; p -= lr g / (sqrt(h) + eps).
    h only grows, so the effective step keeps shrinking."""

    _STATE = ("cache",)

    def __init__(self, lr=0.01, eps=1e-7):
        super().__init__(lr)
        self.eps = _eps(eps)

    def update(self, params, grads):
        self.start(params, grads)
        for key in params:
            self.cache[key] += grads[key] * grads[key]
            params[key] -= self.lr * grads[key] / (np.sqrt(self.cache[key]) + self.eps)


class RMSProp(Optimizer):
    """AdaGrad with a leaky memory: h = decay h + (1 - decay) g^2; p -= lr g / (sqrt(h) + eps)."""

    _STATE = ("cache",)

    def __init__(self, lr=0.01, decay=0.99, eps=1e-7):
        super().__init__(lr)
        self.decay = _fraction(decay, "decay")
        self.eps = _eps(eps)

    def update(self, params, grads):
        self.start(params, grads)
        for key in params:
            self.cache[key] = self.decay * self.cache[key] + (1 - self.decay) * grads[key] ** 2
            params[key] -= self.lr * grads[key] / (np.sqrt(self.cache[key]) + self.eps)


class Adam(Optimizer):
    """Adam (Kingma & Ba 2015), the paper's Algorithm 1: bias-corrected moments, eps added after
    the square root."""

    _STATE = ("m", "v")

    def __init__(self, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
        super().__init__(lr)
        self.beta1 = _fraction(beta1, "beta1")
        self.beta2 = _fraction(beta2, "beta2")
        self.eps = _eps(eps)
        self.t = 0

    def update(self, params, grads):
        self.start(params, grads)
        self.t += 1
        for key in params:
            self.m[key] = self.beta1 * self.m[key] + (1 - self.beta1) * grads[key]
            self.v[key] = self.beta2 * self.v[key] + (1 - self.beta2) * grads[key] ** 2
            m_hat = self.m[key] / (1 - self.beta1 ** self.t)
            v_hat = self.v[key] / (1 - self.beta2 ** self.t)
            params[key] -= self.lr * m_hat / (np.sqrt(v_hat) + self.eps)


class AdamNoBiasCorrection(Adam):
    """Adam without the bias correction (m and v used as they are): what the correction fixes.
    m and v start at 0 and are biased towards it, v more than m with the default betas, so the
    first step is (1 - b1) / sqrt(1 - b2) = 3.2 times lr instead of lr."""

    def update(self, params, grads):
        self.start(params, grads)
        self.t += 1
        for key in params:
            self.m[key] = self.beta1 * self.m[key] + (1 - self.beta1) * grads[key]
            self.v[key] = self.beta2 * self.v[key] + (1 - self.beta2) * grads[key] ** 2
            params[key] -= self.lr * self.m[key] / (np.sqrt(self.v[key]) + self.eps)


_OPTIMIZERS = {"sgd": SGD, "momentum": Momentum, "nesterov": Nesterov, "adagrad": AdaGrad,
               "rmsprop": RMSProp, "adam": Adam}
OPTIMIZERS = tuple(_OPTIMIZERS)
_ALIASES = {"rms_prop": "rmsprop", "ada_grad": "adagrad"}


def make_optimizer(name, **kw):
    """An optimizer by name, e.g. make_optimizer("adam", lr=1e-3)."""
    return _OPTIMIZERS[canonical(name, _OPTIMIZERS, "optimizer", _ALIASES)](**kw)
