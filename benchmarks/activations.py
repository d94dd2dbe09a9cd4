"""What an activation costs per element on this machine: ReLU (a comparison) against sigmoid
and tanh (an exponential), on a million float32 values — lesson 3 §2.3.

    python benchmarks/activations.py
"""

import timeit

import numpy as np


def main():
    z = np.random.default_rng(0).standard_normal(1_000_000).astype(np.float32)
    cost = {name: min(timeit.repeat(fn, number=5, repeat=5)) / 5 for name, fn in [
        ("relu", lambda: np.maximum(z, 0)),
        ("sigmoid", lambda: 1 / (1 + np.exp(-z))),
        ("tanh", lambda: np.tanh(z)),
    ]}
    for name, t in cost.items():
        print(f"{name:8s} {1e3 * t:6.2f} ms per million values   ({t / cost['relu']:.1f}× ReLU)")


if __name__ == "__main__":
    main()
