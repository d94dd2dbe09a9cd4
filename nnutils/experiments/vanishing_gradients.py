"""Lesson 2's experiment: how much gradient reaches each layer of a deep network (기울기 소실).

``bias_gradient_magnitudes`` backpropagates once through a freshly initialised MLP and returns
the mean |∂L/∂b| of every hidden layer: sigmoid shrinks it layer by layer, ReLU with He's
scale keeps it.
"""

import numpy as np

from ..model import mlp

__all__ = ["bias_gradient_magnitudes"]


def bias_gradient_magnitudes(activation, depth, gain, width=64, batch=64, seed=0):
    """Mean |∂L/∂b_k| for the hidden layers k = 1..depth of a freshly initialised MLP.

    The net is ``depth`` hidden layers of ``width`` units with ``activation`` and a 10-class
    softmax cross-entropy on random labels; weights are N(0, gain²/n_in) (gain 1: LeCun's scale,
    which the lecture calls "Xavier"; gain √2: He). Inputs and labels are random (seeded): we
    look at the network, not a task. float64, so neither 1e-60 nor 1e+40 under/overflows.
    """
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((batch, width))
    y = rng.integers(0, 10, size=batch)
    model = mlp([width] + [width] * depth + [10], activation=activation, init="normal",
                std=gain / np.sqrt(width), dtype=np.float64, seed=seed)
    model.gradient(x, y)
    grads = model.grads
    return np.array([np.abs(grads[f"b{k}"]).mean() for k in range(1, depth + 1)])
