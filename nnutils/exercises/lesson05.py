"""Auto-checks for lesson 5 (optimizers): write Momentum and Adam yourself.

The learner writes two classes with the interface of ``nnutils.optim``:

    class MyMomentum:
        def __init__(self, lr=0.01, momentum=0.9): ...
        def update(self, params, grads): ...        # change params[key] in place

    class MyAdam:
        def __init__(self, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8): ...
        def update(self, params, grads): ...

``check_momentum(MyMomentum)`` and ``check_adam(MyAdam)`` run them next to the reference
(``nnutils.optim``) on a few steps -- including Adam's very first step and a step with a tiny
gradient -- and, when the answer is wrong, try to name the classic mistake.
"""
from __future__ import annotations

import numpy as np

from ..i18n import tr
from . import Result, failed, passed

__all__ = ["check_momentum", "check_adam", "momentum_cases", "adam_cases"]


def _params(seed):
    rng = np.random.default_rng(seed)
    return {"W": rng.normal(0, 1, size=(3, 4)), "b": rng.normal(0, 1, size=4)}


def _grads(seed, steps, scale=1.0):
    rng = np.random.default_rng(seed)
    return [{"W": scale * rng.normal(0, 1, size=(3, 4)), "b": scale * rng.normal(0, 1, size=4)}
            for _ in range(steps)]


def momentum_cases():
    """(kwargs, start params, list of grads) for the Momentum check."""
    return [({"lr": 0.1, "momentum": 0.9}, _params(0), _grads(1, 5)),
            ({"lr": 0.01, "momentum": 0.5}, _params(2), _grads(3, 4, scale=10.0))]


def adam_cases():
    """(kwargs, start params, list of grads): Adam's first steps, then a tiny-gradient step."""
    first_only = _grads(7, 1)                  # first step: bias correction makes it ≈ lr·sign(g)
    tiny = _grads(5, 3, scale=1e-9)            # |g| ~ eps: where eps goes shows in the step
    return [({"lr": 0.1, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8}, _params(8), first_only),
            ({"lr": 0.001, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8}, _params(4), _grads(6, 6)),
            ({"lr": 0.01, "beta1": 0.8, "beta2": 0.99, "eps": 1e-8}, _params(9), tiny)]


def _run(factory, kwargs, params0, grads_seq, what):
    """Run an optimizer; return (list of params after each step, None) or (None, Result)."""
    try:
        opt = factory(**kwargs)
    except Exception as exc:
        return None, failed(tr("{what}{args} raised {error}: {message}", what=what,
                               args=f"({_kw(kwargs)})", error=type(exc).__name__, message=exc))
    params = {k: v.copy() for k, v in params0.items()}
    arrays = dict(params)                       # the objects a model would hold
    out = []
    for i, g in enumerate(grads_seq):
        try:
            opt.update(params, {k: v.copy() for k, v in g.items()})
        except NotImplementedError:
            return None, failed(tr("{what} is not written yet (it raises NotImplementedError).",
                                   what=f"{what}.update"))
        except Exception as exc:
            return None, failed(tr("{what}.update raised {error} at step {step}: {message}",
                                   what=what, error=type(exc).__name__, step=i + 1, message=exc))
        for k in params:
            if params[k] is not arrays[k]:
                return None, failed(tr(
                    "{what}.update replaced params[{key!r}] with a new array; change it in place "
                    "(params[key] -= ... or params[key] += ...) so the model's own arrays move.",
                    what=what, key=k))
        out.append({k: v.copy() for k, v in params.items()})
    return out, None


def _kw(kwargs):
    return ", ".join(f"{k}={v}" for k, v in kwargs.items())


def _same(run_a, run_b, rtol=1e-6, atol=1e-12):
    """Two runs (lists of params after each step) agree at every step."""
    return all(np.allclose(a[k], b[k], rtol=rtol, atol=atol)
               for a, b in zip(run_a, run_b) for k in a)


def _first_mismatch(got, want):
    for step, (g, w) in enumerate(zip(got, want), start=1):
        for k in w:
            bad = ~np.isclose(g[k], w[k], rtol=1e-6, atol=1e-12)
            if bad.any():
                i = np.unravel_index(np.argmax(bad), bad.shape)
                return step, k, tuple(int(j) for j in i), float(w[k][i]), float(g[k][i])
    return None


def _check(factory, what, cases, reference, variants):
    """Compare the learner's optimizer with the reference; name a matching wrong variant."""
    for kwargs, params0, grads_seq in cases:
        got, err = _run(factory, kwargs, params0, grads_seq, what)
        if err is not None:
            return err
        want, _ = _run(reference, kwargs, params0, grads_seq, "reference")
        for step, p in enumerate(got, start=1):
            if not all(np.all(np.isfinite(v)) for v in p.values()):
                return failed(tr("with {kwargs}: the parameters became NaN or inf at step "
                                 "{step} — a division by zero? (Adam: increase t before computing "
                                 "1 − β1ᵗ, so the first step uses t = 1.)",
                                 kwargs=_kw(kwargs), step=step))
        mismatch = _first_mismatch(got, want)
        if mismatch is None:
            continue
        step, key, idx, w, g = mismatch
        for hint, variant in variants.items():
            guess, _ = _run(variant, kwargs, params0, grads_seq, "variant")
            if guess is not None and _same(got, guess):
                return failed(tr("with {kwargs}: step {step}, params[{key!r}]{index} "
                                 "should be {want:.8g}, got {got:.8g} — it looks like {mistake}.",
                                 kwargs=_kw(kwargs), step=step, key=key, index=list(idx),
                                 want=w, got=g, mistake=tr(hint)))
        return failed(tr("with {kwargs}: after step {step}, params[{key!r}]{index} "
                         "should be {want:.8g}, got {got:.8g}.",
                         kwargs=_kw(kwargs), step=step, key=key, index=list(idx), want=w, got=g))
    return passed(tr("{what} matches the reference step by step on {n} runs.",
                     what=what, n=len(cases)))


# --- wrong variants, for naming the mistake ------------------------------------------------
class _State:
    def _zeros(self, params):
        return {k: np.zeros_like(v) for k, v in params.items()}


class _MomentumPlusSign(_State):
    def __init__(self, lr=0.01, momentum=0.9):
        self.lr, self.momentum, self.v = lr, momentum, None

    def update(self, params, grads):
        self.v = self.v or self._zeros(params)
        for k in params:
            self.v[k] = self.momentum * self.v[k] + self.lr * grads[k]
            params[k] += self.v[k]


class _MomentumEMA(_State):
    def __init__(self, lr=0.01, momentum=0.9):
        self.lr, self.momentum, self.v = lr, momentum, None

    def update(self, params, grads):
        self.v = self.v or self._zeros(params)
        for k in params:
            self.v[k] = self.momentum * self.v[k] + (1 - self.momentum) * grads[k]
            params[k] -= self.lr * self.v[k]


class _MomentumNoMemory(_State):
    def __init__(self, lr=0.01, momentum=0.9):
        self.lr, self.momentum = lr, momentum

    def update(self, params, grads):
        for k in params:                      # the velocity is recreated every step
            params[k] += -self.lr * grads[k]


class _Adam(_State):
    """Adam with switches for the usual mistakes."""
    correct_m = correct_v = True
    eps_inside = False

    def __init__(self, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
        self.lr, self.beta1, self.beta2, self.eps = lr, beta1, beta2, eps
        self.m = self.v = None
        self.t = 0

    def update(self, params, grads):
        if self.m is None:
            self.m, self.v = self._zeros(params), self._zeros(params)
        self.t += 1
        t = self.t
        for k in params:
            self.m[k] = self.beta1 * self.m[k] + (1 - self.beta1) * grads[k]
            self.v[k] = self.beta2 * self.v[k] + (1 - self.beta2) * grads[k] ** 2
            m_hat = self.m[k] / (1 - self.beta1 ** t) if self.correct_m else self.m[k]
            v_hat = self.v[k] / (1 - self.beta2 ** t) if self.correct_v else self.v[k]
            if self.eps_inside:
                params[k] -= self.lr * m_hat / np.sqrt(v_hat + self.eps)
            else:
                params[k] -= self.lr * m_hat / (np.sqrt(v_hat) + self.eps)


class _AdamNoCorrection(_Adam):
    correct_m = correct_v = False


class _AdamOnlyM(_Adam):
    correct_v = False


class _AdamOnlyV(_Adam):
    correct_m = False


class _AdamEpsInside(_Adam):
    eps_inside = True


class _AdamNoSqrt(_Adam):
    def update(self, params, grads):
        if self.m is None:
            self.m, self.v = self._zeros(params), self._zeros(params)
        self.t += 1
        for k in params:
            self.m[k] = self.beta1 * self.m[k] + (1 - self.beta1) * grads[k]
            self.v[k] = self.beta2 * self.v[k] + (1 - self.beta2) * grads[k] ** 2
            m_hat = self.m[k] / (1 - self.beta1 ** self.t)
            v_hat = self.v[k] / (1 - self.beta2 ** self.t)
            params[k] -= self.lr * m_hat / (v_hat + self.eps)


MOMENTUM_MISTAKES = {
    "the velocity adds +lr·grad (v = μv + lr·dx); the lecture writes v = μv − lr·dx, x += v":
        _MomentumPlusSign,
    "an exponential average of the gradients (v = μv + (1 − μ)dx); the lecture's momentum "
    "accumulates v = μv − lr·dx with no (1 − μ) factor": _MomentumEMA,
    "plain SGD: the velocity must be kept between calls (e.g. in self.v, one array per key)":
        _MomentumNoMemory,
}

ADAM_MISTAKES = {
    "Adam without bias correction: divide m by (1 − β1ᵗ) and v by (1 − β2ᵗ)": _AdamNoCorrection,
    "only m is bias-corrected; v needs v / (1 − β2ᵗ) too": _AdamOnlyM,
    "only v is bias-corrected; m needs m / (1 − β1ᵗ) too": _AdamOnlyV,
    "eps is inside the square root; the paper adds it after: m̂ / (√v̂ + eps) "
    "(the tiny-gradient step shows the difference)": _AdamEpsInside,
    "the square root is missing: divide by √v̂, not by v̂": _AdamNoSqrt,
}


def _reference(name):
    from nnutils import optim          # imported here: the reference is the package's optimizer
    return getattr(optim, name)


def check_momentum(MyMomentum) -> Result:
    """Check a Momentum class (constructor lr, momentum; update(params, grads) in place)."""
    return _check(MyMomentum, "Momentum", momentum_cases(), _reference("Momentum"),
                  MOMENTUM_MISTAKES)


def check_adam(MyAdam) -> Result:
    """Check an Adam class (lr, beta1, beta2, eps; bias-corrected; update in place)."""
    return _check(MyAdam, "Adam", adam_cases(), _reference("Adam"), ADAM_MISTAKES)
