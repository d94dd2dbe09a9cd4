"""Auto-checks for lesson 4 (weight initialization, 가중치 초기화).

1. ``check_he_init(he_normal)``: write He initialization, ``he_normal(n_in, n_out, rng)``.
2. ``check_saturating_preset(name)``: predict which preset of the histogram demo saturates.
3. ``check_symmetry(answer)``: how many different rows does a constant-initialised layer keep?
"""

from __future__ import annotations

import numpy as np

from ..experiments.initialization import PRESETS, layer_activations, layer_stats
from ..i18n import tr
from . import Result, Reveal, attempt, failed, passed

__all__ = ["check_he_init", "check_saturating_preset", "saturation_by_preset",
           "check_symmetry", "why_small_std_does_not_learn"]


def _weights(fn, *args, what):
    return attempt(fn, *args, what=what, returns=tr("the weights"), as_array=True)


def check_he_init(he_normal) -> Result:
    """he_normal(n_in, n_out, rng) -> (n_in, n_out) array drawn from N(0, 2/n_in)."""
    for n_in, n_out in ((784, 300), (300, 784), (50, 2000)):
        what = f"he_normal({n_in}, {n_out}, rng)"
        W, err = _weights(he_normal, n_in, n_out, np.random.default_rng(0), what=what)
        if err is not None:
            return err
        if W.shape != (n_in, n_out):
            return failed(tr("{what}: expected shape (n_in, n_out) = {expected}, got {shape}",
                             what=what, expected=(n_in, n_out), shape=W.shape))
        n = W.size
        std, mean = float(W.std()), float(W.mean())
        # sampling error of the std of n normal draws is about std / sqrt(2n): allow 6 of those
        target = np.sqrt(2.0 / n_in)
        if abs(mean) > 6 * max(std, 1e-12) / np.sqrt(n):
            return failed(tr("{what}: the weights should be centred on 0, their mean is {mean:.3g}",
                             what=what, mean=mean))
        if abs(std / target - 1) > 6 / np.sqrt(2 * n):
            guesses = {
                ("LeCun's √(1/n_in) (the lecture's \"Xavier\"); He doubles the variance for ReLU: "
                 "√(2/n_in)"): np.sqrt(1 / n_in),
                "the variance 2/n_in used as the std; take the square root: √(2/n_in)": 2 / n_in,
                "Glorot's √(2/(n_in+n_out)); He uses only the fan-in n_in": np.sqrt(2 / (n_in + n_out)),
                "√(2/n_out): He scales by the fan-in n_in (rows of W), not n_out": np.sqrt(2 / n_out),
                "1 (plain randn): multiply by √(2/n_in)": 1.0,
            }
            for text, s in guesses.items():
                if abs(std / s - 1) < 6 / np.sqrt(2 * n):
                    return failed(tr("{what}: the std is {std:.4g}, which looks like {mistake}.",
                                     what=what, std=std, mistake=tr(text)))
            return failed(tr("{what}: the std should be √(2/{n_in}) = {target:.4g}, got {std:.4g}",
                             what=what, n_in=n_in, target=target, std=std))
        kurt = float(np.mean((W - mean) ** 4) / std ** 4)
        if kurt < 2.4:
            return failed(tr("{what}: the std is right but the values look uniform (kurtosis "
                             "{kurtosis:.2f}; a normal has 3). he_normal draws from a normal "
                             "distribution — rng.standard_normal(...) * std.",
                             what=what, kurtosis=kurt))
    W1, _ = _weights(he_normal, 100, 10, np.random.default_rng(1), what="he_normal")
    W2, _ = _weights(he_normal, 100, 10, np.random.default_rng(1), what="he_normal")
    W3, _ = _weights(he_normal, 100, 10, np.random.default_rng(2), what="he_normal")
    if not np.array_equal(W1, W2) or np.array_equal(W1, W3):
        return failed(tr("he_normal must draw from the rng it is given (same rng seed -> same "
                         "weights, another seed -> other weights); do not use np.random.* directly."))
    return passed(tr("He init: N(0, 2/n_in) — the factor 2 makes up for ReLU zeroing half of "
                     "its inputs, so the variance of the activations stays the same layer after "
                     "layer."))


def saturation_by_preset(layer=5):
    """% of saturated units in `layer` for each sigmoid/tanh preset of the histogram demo."""
    out = {}
    for name, p in PRESETS.items():
        if p["activation"] == "relu":
            continue
        acts = layer_activations(**p)
        out[name] = 100 * layer_stats(acts[layer - 1], p["activation"])[2]
    return out


def check_saturating_preset(name) -> Result:
    """name: the preset (a key of ``nnutils.experiments.initialization.PRESETS``) whose
    sigmoid/tanh activations pile up at the limits (more than a third of the layer-5 units
    saturated)."""
    if name not in PRESETS:
        return failed(tr("give one of the preset names: {names}; got {name!r}",
                         names=list(PRESETS), name=name))
    p = PRESETS[name]
    if p["activation"] == "relu":
        return failed(tr("{name!r} uses ReLU, which has no upper limit to saturate at; its "
                         "problem is different (units stuck at exactly 0).", name=name))
    sat = saturation_by_preset()
    if sat[name] > 100 / 3:
        return passed(tr("{name!r}: {share:.0f}% of the layer-5 units sit near 0 or 1, where "
                         "σ′ ≈ 0 — the gradient through them vanishes (기울기 소실).",
                         name=name, share=sat[name]))
    acts = layer_activations(**p)
    mean, std, _ = layer_stats(acts[-1], p["activation"])
    why = tr("they all collapsed near the middle: every unit outputs almost the same value"
             if std < 0.05 else "they are spread over the range")
    return failed(tr("{name!r}: only {share:.1f}% of the layer-5 units are saturated "
                     "(mean {mean:.3f}, std {std:.3f}) — {why}. Which std pushes w·x far "
                     "into the flat tails of the sigmoid?",
                     name=name, share=sat[name], mean=mean, std=std, why=why))


def check_symmetry(answer) -> Result:
    """answer: after training a 784-50-10 ReLU network whose weights all start at the same
    constant, how many *different* columns (units) does the first weight matrix W1 have?"""
    try:
        got = int(answer)
    except (TypeError, ValueError):
        return failed(tr("give a whole number, got {answer!r}", answer=answer))
    if got == 1:
        return passed(tr("1: every hidden unit computes the same output, gets the same gradient "
                         "and receives the same update, so the 50 units stay copies of each other "
                         "(symmetry is never broken). Random initialization breaks it."))
    if got == 50:
        return failed(tr("training does change W1, but does it change the units differently? "
                         "Look at dL/dW1 = xᵀ·dz: with identical columns of W1 and identical rows "
                         "of W2, every unit's dz is the same."))
    return failed(tr("{answer} is not it: think about whether two units that start equal can "
                     "ever receive different gradients.", answer=got))


why_small_std_does_not_learn = Reveal(
    "With std 0.01 and 100 inputs per unit, each layer multiplies the size of the signal by about "
    "0.01·√100·√½ ≈ 0.07 (ReLU passes half of it). After four hidden layers the scores are "
    "~10⁻⁵ of the input, so the softmax outputs 1/10 for every class and the loss sits at "
    "ln 10 ≈ 2.303. Backwards the same factors multiply the gradient, so the first layers get "
    "almost nothing (기울기 소실): SGD moves them by ~nothing per step. He's std √(2/n_in) keeps "
    "that factor at 1, so signals and gradients keep their size through every layer.",
    label="Why does std = 0.01 stay at loss 2.303 for the whole run? Think first, then click.")
