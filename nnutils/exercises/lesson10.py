"""Auto-checks for lesson 10 (the playground): features that make a straight line enough.

The learner writes a feature function ``f(x) -> array (N, k)`` of 2-D points x (N, 2). The
check trains a network with NO hidden layer (softmax regression: its decision boundary is a
straight line — a hyperplane — in feature space) on the playground's data and passes when
the test accuracy reaches 95 %:

    check_circle_features(f)   circles, at most 2 features
    check_xor_feature(f)       XOR, exactly 1 feature
"""

from __future__ import annotations

import numpy as np

from ..data import train_val_test_split
from ..features import plane_data
from ..i18n import tr
from ..model import mlp
from ..optim import Adam
from ..train import fit
from . import Result, failed, passed

__all__ = ["circle_features_reference", "xor_feature_reference", "linear_accuracy",
           "check_circle_features", "check_xor_feature"]

TARGET = 0.95


def circle_features_reference(x):
    # distance from the centre decides the class: x1² and x2² (their sum is r²)
    return np.column_stack([x[:, 0] ** 2, x[:, 1] ** 2])


def xor_feature_reference(x):
    # the class is "the signs differ": x1·x2 < 0 on one class, > 0 on the other
    return (x[:, 0] * x[:, 1])[:, None]


def linear_accuracy(features, dataset, noise=0.1, epochs=60, seed=0):
    """Test accuracy of a no-hidden-layer network trained on features(x) of a playground set."""
    x, y = plane_data(dataset, n=400, noise=noise, seed=seed)
    (x_tr, y_tr), _, (x_te, y_te) = train_val_test_split(x, y, val=0, test=0.5, seed=seed)
    f_tr, f_te = _features(features, x_tr), _features(features, x_te)
    # standardise with the training statistics: a fair start for any scale of feature
    mean, std = f_tr.mean(axis=0), f_tr.std(axis=0) + 1e-8
    f_tr, f_te = (f_tr - mean) / std, (f_te - mean) / std
    model = mlp([f_tr.shape[1], 2], seed=seed)
    fit(model, Adam(lr=0.05), f_tr, y_tr, epochs=epochs, batch_size=20, seed=seed,
        progress=False)
    return model.accuracy(f_te, y_te)


def _features(fn, x):
    out = np.asarray(fn(x.copy()), dtype=np.float64)
    if out.ndim == 1:
        out = out[:, None]
    return out.astype(np.float32)


def _call(fn, k_max, what):
    x, _ = plane_data("circles", n=20, noise=0.1, seed=1)
    try:
        out = fn(x.copy())
    except NotImplementedError:
        return failed(tr("{what} is not written yet (it raises NotImplementedError).", what=what))
    except Exception as exc:
        return failed(tr("{what} raised {error}: {message}", what=what,
                         error=type(exc).__name__, message=exc))
    if out is None:
        return failed(tr("{what} returned None — return an array of shape (N, k).", what=what))
    out = np.asarray(out)
    if out.ndim == 1:
        out = out[:, None]
    if out.ndim != 2 or out.shape[0] != len(x):
        return failed(tr("{what}: expected an array of shape (N, k) for N = {n} points, got "
                         "shape {shape}", what=what, n=len(x), shape=out.shape))
    if out.shape[1] > k_max:
        return failed(tr("{what}: use at most {k} feature(s), got {got} — the point is to find "
                         "the few that matter", what=what, k=k_max, got=out.shape[1]))
    if not np.issubdtype(out.dtype, np.number) or not np.all(np.isfinite(out)):
        return failed(tr("{what}: the features must be finite numbers", what=what))
    return None


def _check(fn, dataset, k_max, what, hint):
    problem = _call(fn, k_max, what)
    if problem is not None:
        return problem
    acc = linear_accuracy(fn, dataset)
    if acc >= TARGET:
        return passed(tr("with your feature(s) a straight line (no hidden layer) separates "
                         "{accuracy:.0%} of the test points on {dataset}.", accuracy=acc,
                         dataset=dataset))
    return failed(tr("with your feature(s) a network without hidden layers reaches only "
                     "{accuracy:.0%} test accuracy on {dataset} (target {target:.0%}): {hint}",
                     accuracy=acc, dataset=dataset, target=TARGET, hint=hint))


def check_circle_features(fn) -> Result:
    """At most 2 features that make the circles linearly separable."""
    return _check(fn, "circles", 2, tr("your circle features"),
                  tr("the class depends on the distance from the centre, and no straight line "
                     "in (x1, x2) follows a circle — which features grow with that distance?"))


def check_xor_feature(fn) -> Result:
    """One feature that makes XOR linearly separable."""
    return _check(fn, "xor", 1, tr("your XOR feature"),
                  tr("XOR's class is 'the two signs differ'; sums such as x1 + x2 or squares "
                     "cannot see a sign — which single product can?"))
