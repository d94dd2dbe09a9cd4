"""Learning-rate schedules against their formulas."""

import math

import pytest

from nnutils import schedules as S


def test_constant():
    assert [S.Constant(0.1)(t) for t in (0, 5, 100)] == [0.1, 0.1, 0.1]


def test_step_decay():
    s = S.StepDecay(0.8, drop=0.5, every=10)
    assert [s(t) for t in (0, 9, 10, 19, 20, 35)] == [0.8, 0.8, 0.4, 0.4, 0.2, 0.1]


def test_exponential_and_inverse_time():
    e = S.Exponential(0.1, k=0.5)
    assert e(0) == pytest.approx(0.1)
    assert e(4) == pytest.approx(0.1 * math.exp(-2))
    i = S.InverseTime(0.1, k=0.5)
    assert i(0) == pytest.approx(0.1)
    assert i(4) == pytest.approx(0.1 / 3)


def test_cosine():
    c = S.Cosine(1.0, total=10, lr_min=0.1)
    assert c(0) == pytest.approx(1.0)
    assert c(5) == pytest.approx(0.55)                     # halfway: the mean of lr and lr_min
    assert c(10) == pytest.approx(0.1)
    assert c(50) == pytest.approx(0.1)                     # stays at lr_min afterwards
    values = [c(t) for t in range(11)]
    assert values == sorted(values, reverse=True)


def test_warmup():
    w = S.Warmup(4, S.StepDecay(0.2, drop=0.5, every=2))
    # five equal increments up to 0.2: never 0, so the first epoch is not wasted
    assert [w(t) for t in range(4)] == pytest.approx([0.04, 0.08, 0.12, 0.16])
    assert [w(t) for t in (4, 5, 6)] == pytest.approx([0.2, 0.2, 0.1])
    assert S.Warmup(2, 0.1)(1) == pytest.approx(0.1 * 2 / 3)
    assert S.Warmup(0, 0.1)(0) == pytest.approx(0.1)


def test_make_schedule():
    assert isinstance(S.make_schedule("step", lr=0.1), S.StepDecay)
    assert S.make_schedule("1/t", lr=1.0, k=1.0)(1) == pytest.approx(0.5)
    assert S.make_schedule("cosine", lr=1.0, total=4)(4) == pytest.approx(0.0)
    assert set(S.SCHEDULES) == {"constant", "step", "exponential", "inverse_time", "cosine", "warmup"}
    with pytest.raises(ValueError, match=r"unknown schedule 'linear'; expected one of"):
        S.make_schedule("linear", lr=0.1)


def test_bad_arguments():
    with pytest.raises(ValueError, match="lr must be a number > 0"):
        S.Constant(0)
    with pytest.raises(ValueError, match="every must be a positive int"):
        S.StepDecay(0.1, every=0)
    with pytest.raises(ValueError, match="total must be a number > 0"):
        S.Cosine(0.1, total=0)
    with pytest.raises(ValueError, match="t must be a number >= 0"):
        S.Constant(0.1)(-1)
    with pytest.raises(TypeError, match="then must be a schedule"):
        S.Warmup(3, "adam")
