"""Input features (입력 특징) for 2-D points: what a network sees of a point (x1, x2).

As in TensorFlow Playground, a small network on the raw coordinates may need depth to bend
its decision boundary into a circle or a spiral; handing it x1², x2², x1·x2 or sin x1 as extra
inputs can make one layer (or none) enough. A feature is just a column computed from x:

    "x1"       x1                "x1^2"   x1²            "sin(x1)"   sin x1
    "x2"       x2                "x2^2"   x2²            "sin(x2)"   sin x2
    "x1*x2"    x1·x2

    feature_map(x, ("x1", "x2", "x1^2", "x2^2"))   # (N, 2) -> (N, 4)

``plane_data`` puts the toy sets of ``nnutils.data`` on one plane, [-6, 6]² as in
TensorFlow Playground, so the same features mean the same thing for every data set (sin x1
goes through almost two periods across the plane; x1² reaches 36).
"""

import numpy as np

from . import data

__all__ = ["FEATURES", "feature_map", "DATASETS", "PLANE", "plane_data"]

# name -> function of the two coordinate columns (each shape (N,))
_FEATURES = {
    "x1": lambda a, b: a,
    "x2": lambda a, b: b,
    "x1^2": lambda a, b: a * a,
    "x2^2": lambda a, b: b * b,
    "x1*x2": lambda a, b: a * b,
    "sin(x1)": lambda a, b: np.sin(a),
    "sin(x2)": lambda a, b: np.sin(b),
}
FEATURES = tuple(_FEATURES)


def _check_features(features):
    if isinstance(features, str):
        features = (features,)
    features = tuple(features)
    unknown = [f for f in features if f not in _FEATURES]
    if unknown:
        raise ValueError(f"features: unknown name(s) {unknown}; expected names from {FEATURES}")
    if len(set(features)) != len(features):
        raise ValueError(f"features: each feature at most once, got {features}")
    if not features:
        raise ValueError(f"features: choose at least one of {FEATURES}")
    return features


def feature_map(x, features=("x1", "x2"), dtype=np.float64):
    """The chosen features of 2-D points x (N, 2) as columns of an (N, len(features)) array."""
    features = _check_features(features)
    x = np.asarray(x)
    if x.ndim != 2 or x.shape[1] != 2:
        raise ValueError(f"x: expected 2-D points of shape (N, 2), got shape {x.shape}")
    if x.dtype.kind not in "fiu":
        raise TypeError(f"x: expected a numeric array, got dtype {x.dtype}")
    a, b = x[:, 0].astype(dtype), x[:, 1].astype(dtype)
    out = np.empty((len(x), len(features)), dtype=dtype)
    for j, name in enumerate(features):
        out[:, j] = _FEATURES[name](a, b)
    return out


# ------------------------------------------------------------------ the toy sets on one plane
PLANE = 6.0          # the plane shown and sampled: [-PLANE, PLANE]²

# name -> (generator of nnutils.data, noise at noise=0 and added per unit of noise (in the
# generator's own units), centre and scale that bring its shape to about [-5, 5]²)
_DATASETS = {
    "circles": (lambda n, s, seed: data.make_circles(n, noise=s, seed=seed), 0.0, 0.5, (0.0, 0.0), 5.0),
    "xor": (lambda n, s, seed: data.make_xor(n, noise=s, seed=seed), 0.1, 0.4, (0.5, 0.5), 7.0),
    "gaussians": (lambda n, s, seed: data.make_gaussians(n, noise=s, seed=seed), 0.3, 2.0, (0.0, 0.0), 1.5),
    "spirals": (lambda n, s, seed: data.make_spirals(n, noise=s, seed=seed, turns=1.75), 0.0, 0.3,
                (0.0, 0.0), 5.0),
    "moons": (lambda n, s, seed: data.make_moons(n, noise=s, seed=seed), 0.0, 0.5, (0.5, 0.25), 3.3),
}
DATASETS = tuple(_DATASETS)


def plane_data(name="circles", n=500, noise=0.0, seed=0):
    """A toy set of nnutils.data scaled to the plane [-6, 6]²: (x float32 (n, 2), y int64).

    noise in [0, 1]: 0 = the clean shape, 0.5 = classes starting to overlap (the Gaussian blobs
    and XOR clouds keep a little spread even at 0). Same seed, same points.
    """
    if name not in _DATASETS:
        raise ValueError(f"name: unknown data set {name!r}; expected one of {DATASETS}")
    if not (isinstance(noise, (int, float, np.integer, np.floating)) and 0 <= noise <= 1):
        raise ValueError(f"noise: expected a number in [0, 1], got {noise!r}")
    make, base, per_unit, centre, scale = _DATASETS[name]
    x, y = make(n, base + per_unit * float(noise), seed)
    x = (x - np.asarray(centre, dtype=np.float32)) * np.float32(scale)
    return x.astype(np.float32), y
