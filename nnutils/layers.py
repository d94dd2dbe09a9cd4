"""Layers in the style of the lecture code: each has

    forward(x, train=False) -> out      (keeps what backward needs)
    backward(dout) -> dx                (fills self.grads, same keys as self.params)

``params`` and ``grads`` are dicts of numpy arrays with the same keys. An optimizer changes
the arrays of ``params`` in place; ``backward`` puts new arrays into ``grads``, so read
``layer.grads`` (or ``model.grads``) after each backward.
"""

import numpy as np

from . import activations as A
from .checks import generator, is_number, number, positive_int
from .init import initialize
from .names import canonical

__all__ = ["Layer", "Linear", "Sigmoid", "Tanh", "ReLU", "LeakyReLU", "ELU", "GELU", "SiLU",
           "activation_layer", "BatchNorm", "Dropout", "Maxout"]


class Layer:
    """Base class: no parameters; subclasses override forward and backward."""

    def __init__(self):
        self.params = {}
        self.grads = {}

    def forward(self, x, train=False):
        raise NotImplementedError

    def backward(self, dout):
        raise NotImplementedError

    def __repr__(self):
        return f"{type(self).__name__}()"


# --------------------------------------------------------------------------- Linear

class Linear(Layer):
    """Affine layer out = x @ W + b, with W of shape (n_in, n_out) and b of shape (n_out,).

    Inputs with more axes are flattened for the matmul: (..., n_in) -> (..., n_out), or a
    batch of images (N, 28, 28) with n_in = 784 -> (N, n_out). backward returns dx in the
    input's original shape. Inputs are cast to the layer's dtype (float32 stays float32).

    init: an initializer name (see nnutils.init) or a number, meaning "normal" with that std.
    """

    def __init__(self, n_in, n_out, init="he", std=None, rng=None, dtype=np.float64):
        super().__init__()
        self.n_in = positive_int(n_in, "n_in")
        self.n_out = positive_int(n_out, "n_out")
        if is_number(init):
            init, std = "normal", float(init)
        self.init = init
        W = initialize(init, (self.n_in, self.n_out), rng=generator(rng), std=std, dtype=dtype)
        self.params = {"W": W, "b": np.zeros(self.n_out, dtype=dtype)}
        self.grads = {"W": np.zeros_like(W), "b": np.zeros(self.n_out, dtype=dtype)}
        self.x = None

    def forward(self, x, train=False):
        self.x = self._as_matrix(x)
        out = self.x @ self.params["W"] + self.params["b"]
        return out.reshape(self.out_shape)

    def backward(self, dout):
        """dx = dout W^T, dW = x^T dout, db = the sum of dout over the batch."""
        if self.x is None:
            raise RuntimeError("Linear.backward called before forward")
        dout = np.asarray(dout)
        if dout.size != self.x.shape[0] * self.n_out:
            raise ValueError(f"Linear.backward: dout must have {self.x.shape[0]} rows of "
                             f"{self.n_out}, got shape {dout.shape}")
        dout = dout.reshape(self.x.shape[0], self.n_out)
        self.grads["W"] = self.x.T @ dout
        self.grads["b"] = dout.sum(axis=0)
        return (dout @ self.params["W"].T).reshape(self.in_shape)

    def _as_matrix(self, x):
        """x as a (batch, n_in) matrix of the layer's dtype; remembers the input's shape for
        backward and the output's for forward."""
        x = np.asarray(x, dtype=self.params["W"].dtype)
        self.in_shape = x.shape
        if x.ndim >= 1 and x.shape[-1] == self.n_in:          # (N, n_in) or (..., n_in)
            self.out_shape = x.shape[:-1] + (self.n_out,)
            return x.reshape(-1, self.n_in)
        if x.ndim >= 2 and int(np.prod(x.shape[1:])) == self.n_in:   # (N, 28, 28) images
            self.out_shape = (x.shape[0], self.n_out)
            return x.reshape(x.shape[0], self.n_in)
        raise ValueError(f"Linear({self.n_in}, {self.n_out}): expected input of shape "
                         f"(N, {self.n_in}) (or (..., {self.n_in})), got {x.shape}")

    def __repr__(self):
        return f"Linear({self.n_in}, {self.n_out}, init={self.init!r})"


# --------------------------------------------------------------- activation layers

class Sigmoid(Layer):
    """out = sigmoid(x); backward uses the saved output: dx = dout * out (1 - out)."""

    def forward(self, x, train=False):
        self.out = A.sigmoid(x)
        return self.out

    def backward(self, dout):
        return dout * self.out * (1 - self.out)


class Tanh(Layer):
    """out = tanh(x); dx = dout * (1 - out^2)."""

    def forward(self, x, train=False):
        self.out = A.tanh(x)
        return self.out

    def backward(self, dout):
        return dout * (1 - self.out * self.out)


class ReLU(Layer):
    """out = max(0, x); the gradient passes where x > 0 and is blocked elsewhere."""

    def forward(self, x, train=False):
        x = np.asarray(x)
        self.mask = x > 0
        return np.maximum(x, 0)

    def backward(self, dout):
        return dout * self.mask


class _Pointwise(Layer):
    """An activation given by a function and its derivative (both of x)."""

    f = f_grad = None

    def __init__(self, **kw):
        super().__init__()
        self.kw = kw

    def forward(self, x, train=False):
        self.x = np.asarray(x)
        return type(self).f(self.x, **self.kw)

    def backward(self, dout):
        return dout * type(self).f_grad(self.x, **self.kw)

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.kw.items())
        return f"{type(self).__name__}({args})"


class LeakyReLU(_Pointwise):
    """x for x > 0 else slope * x."""
    f, f_grad = staticmethod(A.leaky_relu), staticmethod(A.leaky_relu_grad)

    def __init__(self, slope=0.01):
        super().__init__(slope=slope)


class ELU(_Pointwise):
    """x for x > 0 else alpha (e^x - 1)."""
    f, f_grad = staticmethod(A.elu), staticmethod(A.elu_grad)

    def __init__(self, alpha=1.0):
        super().__init__(alpha=alpha)


class GELU(_Pointwise):
    """GELU (tanh approximation)."""
    f, f_grad = staticmethod(A.gelu), staticmethod(A.gelu_grad)

    def __init__(self):
        super().__init__()


class SiLU(_Pointwise):
    """x * sigmoid(x) (a.k.a. swish)."""
    f, f_grad = staticmethod(A.silu), staticmethod(A.silu_grad)

    def __init__(self):
        super().__init__()


_ACTIVATION_LAYERS = {"sigmoid": Sigmoid, "tanh": Tanh, "relu": ReLU, "leaky_relu": LeakyReLU,
                      "elu": ELU, "gelu": GELU, "silu": SiLU}


def activation_layer(name, **kw):
    """A new activation layer by name, e.g. activation_layer("leaky_relu", slope=0.1)."""
    return _ACTIVATION_LAYERS[canonical(name, _ACTIVATION_LAYERS, "activation", A.ALIASES)](**kw)


# ----------------------------------------------------------------------- BatchNorm

class BatchNorm(Layer):
    """Batch normalisation over the batch axis, for inputs (N, n) (or (..., n)).

    train: xn = (x - mean) / sqrt(var + eps) with the batch mean and the *biased* batch
    variance, out = gamma * xn + beta; running averages are updated as
    running = momentum * running + (1 - momentum) * batch   (momentum = fraction kept).
    test:  the same with running_mean / running_var instead of the batch statistics.
    running_mean starts at zeros and running_var at ones.
    """

    def __init__(self, n, momentum=0.9, eps=1e-5, dtype=np.float64):
        super().__init__()
        self.n = positive_int(n, "n")
        self.momentum = number(momentum, "BatchNorm momentum (the fraction kept)", low=0, high=1)
        self.eps = number(eps, "BatchNorm eps", low=0, low_open=True)
        self.params = {"gamma": np.ones(self.n, dtype=dtype), "beta": np.zeros(self.n, dtype=dtype)}
        self.grads = {"gamma": np.zeros(self.n, dtype=dtype), "beta": np.zeros(self.n, dtype=dtype)}
        self.running_mean = np.zeros(self.n, dtype=dtype)
        self.running_var = np.ones(self.n, dtype=dtype)
        self.xn = None

    def forward(self, x, train=False):
        x = self._as_matrix(x)
        self.train = train
        if train:
            mu = x.mean(axis=0)
            var = np.mean((x - mu) ** 2, axis=0)          # biased: divide by N
            m = self.momentum
            self.running_mean = m * self.running_mean + (1 - m) * mu
            self.running_var = m * self.running_var + (1 - m) * var
        else:
            mu, var = self.running_mean, self.running_var
        self.std = np.sqrt(var + self.eps)
        self.xn = (x - mu) / self.std
        out = self.params["gamma"] * self.xn + self.params["beta"]
        return out.reshape(self.in_shape)

    def backward(self, dout):
        """dbeta = sum dout, dgamma = sum dout * xn, and in train mode (batch stats depend on x)
        dx = (dxn - mean(dxn) - xn * mean(dxn * xn)) / std with dxn = dout * gamma."""
        if self.xn is None:
            raise RuntimeError("BatchNorm.backward called before forward")
        dout = np.asarray(dout).reshape(-1, self.n)
        self.grads["beta"] = dout.sum(axis=0)
        self.grads["gamma"] = np.sum(dout * self.xn, axis=0)
        dxn = dout * self.params["gamma"]
        if self.train:
            dxn = dxn - dxn.mean(axis=0) - self.xn * np.mean(dxn * self.xn, axis=0)
        return (dxn / self.std).reshape(self.in_shape)

    def _as_matrix(self, x):
        x = np.asarray(x, dtype=self.params["gamma"].dtype)
        if x.ndim < 1 or x.shape[-1] != self.n:
            raise ValueError(f"BatchNorm({self.n}): expected input of shape (N, {self.n}), got {x.shape}")
        self.in_shape = x.shape
        return x.reshape(-1, self.n)

    def __repr__(self):
        return f"BatchNorm({self.n}, momentum={self.momentum}, eps={self.eps})"


# ------------------------------------------------------------------------- Dropout

class Dropout(Layer):
    """Inverted dropout. ratio = probability of DROPPING a unit.

    train: each unit is kept with probability 1 - ratio and the kept ones are scaled by
    1 / (1 - ratio), so the expected activation is unchanged; test: identity.
    The mask is kept for backward. Set ``fixed = True`` to reuse the current mask in
    later forward passes (gradient checks need a fixed mask).
    """

    def __init__(self, ratio=0.5, rng=None):
        super().__init__()
        self.ratio = number(ratio, "dropout ratio (probability of dropping)", low=0, high=1,
                            high_open=True)
        self.rng = generator(rng)
        self.mask = None
        self.fixed = False

    def forward(self, x, train=False):
        self.train = train
        if not train:
            return x
        if not (self.fixed and self.mask is not None and self.mask.shape == np.shape(x)):
            # float32 draws: the same mask statistics as float64, at half the cost
            self.mask = self.rng.random(np.shape(x), dtype=np.float32) >= self.ratio
        return x * self.mask / (1.0 - self.ratio)

    def backward(self, dout):
        if not self.train:
            return dout
        return dout * self.mask / (1.0 - self.ratio)

    def __repr__(self):
        return f"Dropout(ratio={self.ratio})"


# -------------------------------------------------------------------------- Maxout

class Maxout(Layer):
    """Maxout unit layer: an affine map to n_out * k pieces, then the max of each group of k.

    params W (n_in, n_out*k), b (n_out*k,); unit j is max(z[..., j*k:(j+1)*k]).
    backward sends dout to the winning piece of each group only.
    """

    def __init__(self, n_in, n_out, k=2, init="he", rng=None, dtype=np.float64):
        super().__init__()
        self.k = positive_int(k, "k")
        self.n_out = positive_int(n_out, "n_out")
        self.linear = Linear(n_in, self.n_out * self.k, init=init, rng=rng, dtype=dtype)
        self.n_in = self.linear.n_in
        self.params, self.grads = self.linear.params, self.linear.grads    # the same dicts

    def forward(self, x, train=False):
        z = self.linear.forward(x, train)
        z = z.reshape(*z.shape[:-1], self.n_out, self.k)
        self.idx = z.argmax(axis=-1)[..., None]
        self._z_shape = z.shape
        return np.take_along_axis(z, self.idx, axis=-1)[..., 0]

    def backward(self, dout):
        dz = np.zeros(self._z_shape, dtype=self.params["W"].dtype)
        np.put_along_axis(dz, self.idx, np.asarray(dout)[..., None], axis=-1)
        return self.linear.backward(dz.reshape(*self._z_shape[:-2], -1))

    def __repr__(self):
        return f"Maxout({self.n_in}, {self.n_out}, k={self.k})"
