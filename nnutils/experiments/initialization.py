"""Lesson 4's experiment: weight initialization (가중치 초기화) and the activations it gives.

1,000 random inputs with 100 features go through 5 layers of 100 units (no bias), the weights
drawn by ``nnutils.init.initialize``. ``layer_activations`` runs it forwards (each layer's
activations), ``layer_gradient_stds`` backwards (how much gradient reaches each layer),
``layer_stats`` summarises one layer. ``PRESETS`` are the lecture's cases, as arguments of
``layer_activations``.
"""

import numpy as np

from ..activations import get_activation
from ..init import initialize

__all__ = ["PRESETS", "NEAR_LIMIT", "layer_activations", "layer_gradient_stds", "layer_stats"]

PRESETS = {
    "sigmoid std=1 (saturation)": {"activation": "sigmoid", "init": "normal", "std": 1.0},
    "sigmoid std=0.01 (all alike)": {"activation": "sigmoid", "init": "normal", "std": 0.01},
    "sigmoid Xavier": {"activation": "sigmoid", "init": "xavier"},
    "tanh Xavier": {"activation": "tanh", "init": "xavier"},
    "ReLU std=0.01 (collapse)": {"activation": "relu", "init": "normal", "std": 0.01},
    "ReLU Xavier (shrinks)": {"activation": "relu", "init": "xavier"},
    "ReLU He (stable)": {"activation": "relu", "init": "he"},
}
NEAR_LIMIT = 0.01   # sigmoid a < 0.01 or > 0.99, tanh |a| > 0.99: saturated (포화)


def layer_activations(activation="sigmoid", init="normal", std=1.0, n=1000, width=100, depth=5,
                      seed=0):
    """The lecture's forward experiment: a list of `depth` activation arrays of shape (n, width).

    Inputs x ~ N(0, 1); layer l computes a = f(a_prev @ W_l) with W_l from ``initialize`` (no
    bias). std is the slider of init "normal"; the other initializers set their own.
    """
    f, _ = get_activation(activation)
    rng = np.random.default_rng(seed)
    std = std if init == "normal" else None
    a = rng.standard_normal((n, width))
    acts = []
    for _ in range(depth):
        W = initialize(init, (width, width), rng=rng, std=std, dtype=np.float64)
        a = f(a @ W)
        acts.append(a)
    return acts


def layer_gradient_stds(activation="sigmoid", init="normal", std=1.0, n=1000, width=100,
                        depth=5, seed=0):
    """The same experiment backwards: send a random gradient dL/da ~ N(0, 1) into the last layer
    and backpropagate. Returns (std of dL/da per layer, std of dL/dW per layer), layer 1 first.
    Shrinking numbers towards layer 1 = vanishing gradients; growing = exploding."""
    f, df = get_activation(activation)
    rng = np.random.default_rng(seed)
    std = std if init == "normal" else None
    a = rng.standard_normal((n, width))
    Ws, inputs, pre = [], [], []
    for _ in range(depth):             # forward, keeping what backward needs
        W = initialize(init, (width, width), rng=rng, std=std, dtype=np.float64)
        z = a @ W
        Ws.append(W)
        inputs.append(a)
        pre.append(z)
        a = f(z)
    da = rng.standard_normal((n, width))
    g_act, g_w = [], []
    for W, a_in, z in zip(Ws[::-1], inputs[::-1], pre[::-1]):
        g_act.append(float(da.std()))
        dz = da * df(z)                # through the activation: times f′(z)
        g_w.append(float((a_in.T @ dz / n).std()))   # dL/dW = a_inᵀ dz (mean over the batch)
        da = dz @ W.T                  # to the layer below
    return np.array(g_act[::-1]), np.array(g_w[::-1])


def layer_stats(a, activation):
    """(mean, std, fraction) of one layer; fraction = saturated (|a| near the limits) for
    sigmoid/tanh, exactly zero for ReLU."""
    a = np.asarray(a)
    if activation == "sigmoid":
        frac = np.mean((a < NEAR_LIMIT) | (a > 1 - NEAR_LIMIT))
    elif activation == "tanh":
        frac = np.mean(np.abs(a) > 1 - NEAR_LIMIT)
    else:
        frac = np.mean(a == 0)
    return float(a.mean()), float(a.std()), float(frac)
