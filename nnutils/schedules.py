"""Learning-rate schedules: callables ``schedule(t) -> lr`` with t = 0, 1, 2, ... counting
epochs or steps (``fit(..., schedule_per="epoch" | "step")``).

    Constant(lr)                  lr
    StepDecay(lr, drop, every)    lr * drop ** (t // every)
    Exponential(lr, k)            lr * e^(-k t)
    InverseTime(lr, k)            lr / (1 + k t)            ("1/t decay")
    Cosine(lr, total, lr_min)     lr_min + (lr - lr_min) (1 + cos(pi t / total)) / 2, then lr_min
    Warmup(steps, then)           then(0) * t / steps for t < steps, then then(t - steps)
"""

import math

from .checks import is_int, is_number

from .names import canonical

__all__ = ["Schedule", "Constant", "StepDecay", "Exponential", "InverseTime", "Cosine", "Warmup",
           "make_schedule", "SCHEDULES"]


def _positive(value, what, allow_zero=False):
    ok = is_number(value) and math.isfinite(value)
    if not ok or value < 0 or (value == 0 and not allow_zero):
        raise ValueError(f"{what} must be a number {'>=' if allow_zero else '>'} 0, got {value!r}")
    return value


def _t(t):
    if not is_number(t) or t < 0:
        raise ValueError(f"schedule time t must be a number >= 0, got {t!r}")
    return t


class Schedule:
    """Base class; subclasses implement __call__(t)."""

    def __call__(self, t):
        raise NotImplementedError

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in vars(self).items())
        return f"{type(self).__name__}({args})"


class Constant(Schedule):
    def __init__(self, lr):
        self.lr = _positive(lr, "lr")

    def __call__(self, t):
        _t(t)
        return float(self.lr)


class StepDecay(Schedule):
    """Multiply by `drop` every `every` epochs (steps)."""

    def __init__(self, lr, drop=0.5, every=10):
        self.lr = _positive(lr, "lr")
        self.drop = _positive(drop, "drop")
        if not is_int(every) or every < 1:
            raise ValueError(f"every must be a positive int, got {every!r}")
        self.every = every

    def __call__(self, t):
        return float(self.lr * self.drop ** (int(_t(t)) // self.every))


class Exponential(Schedule):
    """lr * exp(-k t)."""

    def __init__(self, lr, k):
        self.lr = _positive(lr, "lr")
        self.k = _positive(k, "k", allow_zero=True)

    def __call__(self, t):
        return float(self.lr * math.exp(-self.k * _t(t)))


class InverseTime(Schedule):
    """lr / (1 + k t)."""

    def __init__(self, lr, k):
        self.lr = _positive(lr, "lr")
        self.k = _positive(k, "k", allow_zero=True)

    def __call__(self, t):
        return float(self.lr / (1 + self.k * _t(t)))


class Cosine(Schedule):
    """Half a cosine from lr down to lr_min over `total` epochs (steps); lr_min afterwards."""

    def __init__(self, lr, total, lr_min=0.0):
        self.lr = _positive(lr, "lr")
        self.total = _positive(total, "total")
        self.lr_min = _positive(lr_min, "lr_min", allow_zero=True)

    def __call__(self, t):
        frac = min(_t(t), self.total) / self.total
        return float(self.lr_min + 0.5 * (self.lr - self.lr_min) * (1 + math.cos(math.pi * frac)))


class Warmup(Schedule):
    """Linear warm-up to then(0) over `steps`, then the schedule `then` (restarted at 0).

    The ramp climbs in steps + 1 equal increments, then(0)·(t + 1)/(steps + 1), so the first
    epoch (or step) already learns instead of spending it at lr = 0.
    `then` may be a schedule or a number (a constant learning rate).
    """

    def __init__(self, steps, then):
        if not is_int(steps) or steps < 0:
            raise ValueError(f"warm-up steps must be an int >= 0, got {steps!r}")
        if is_number(then):
            then = Constant(then)
        if not callable(then):
            raise TypeError(f"then must be a schedule (callable t -> lr) or a number, got {then!r}")
        self.steps, self.then = steps, then

    def __call__(self, t):
        t = _t(t)
        if t < self.steps:
            return float(self.then(0) * (t + 1) / (self.steps + 1))
        return float(self.then(t - self.steps))


_SCHEDULES = {"constant": Constant, "step": StepDecay, "exponential": Exponential,
              "inverse_time": InverseTime, "cosine": Cosine, "warmup": Warmup}
SCHEDULES = tuple(_SCHEDULES)
_ALIASES = {"step_decay": "step", "exp": "exponential", "1/t": "inverse_time",
            "inverse": "inverse_time", "inversetime": "inverse_time", "cos": "cosine"}


def make_schedule(name, **kw):
    """A schedule by name: "constant", "step", "exponential", "inverse_time" (or "1/t"),
    "cosine", "warmup"; keyword arguments as in the classes."""
    return _SCHEDULES[canonical(name, _SCHEDULES, "schedule", _ALIASES)](**kw)
