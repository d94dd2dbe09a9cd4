"""Initializers: the standard deviation (or range) each name promises, seeding, errors."""

import math

import numpy as np
import pytest

from nnutils.init import INITIALIZERS, init_std, initialize

N_IN, N_OUT = 400, 200


@pytest.mark.parametrize("name, std", [
    ("lecun", math.sqrt(1 / N_IN)),
    ("lecun_normal", math.sqrt(1 / N_IN)),
    # the frameworks' "xavier" (PyTorch xavier_normal_, Keras glorot_normal) is Glorot's formula
    ("xavier", math.sqrt(2 / (N_IN + N_OUT))),
    ("xavier_normal", math.sqrt(2 / (N_IN + N_OUT))),
    ("xavier_uniform", math.sqrt(2 / (N_IN + N_OUT))),
    ("glorot_normal", math.sqrt(2 / (N_IN + N_OUT))),
    ("glorot_uniform", math.sqrt(2 / (N_IN + N_OUT))),
    ("he", math.sqrt(2 / N_IN)),
    ("he_normal", math.sqrt(2 / N_IN)),
    ("he_uniform", math.sqrt(2 / N_IN)),
])
def test_standard_deviation_matches_the_formula(name, std):
    assert init_std(name, N_IN, N_OUT) == pytest.approx(std)
    w = initialize(name, (N_IN, N_OUT), rng=np.random.default_rng(0))
    assert w.shape == (N_IN, N_OUT) and w.dtype == np.float64           # the course's default
    assert abs(w.mean()) < 0.01 * std * 10
    assert w.std() == pytest.approx(std, rel=0.02)          # 80,000 samples: ~0.5% noise


@pytest.mark.parametrize("name, limit", [("glorot_uniform", math.sqrt(6 / (N_IN + N_OUT))),
                                         ("he_uniform", math.sqrt(6 / N_IN))])
def test_uniform_limits(name, limit):
    w = initialize(name, (N_IN, N_OUT), rng=np.random.default_rng(1), dtype=np.float64)
    assert w.max() <= limit and w.min() >= -limit
    assert w.max() > 0.99 * limit and w.min() < -0.99 * limit


def test_normal_needs_std_and_uses_it():
    w = initialize("normal", (300, 300), std=0.05, rng=np.random.default_rng(2))
    assert w.std() == pytest.approx(0.05, rel=0.02)
    with pytest.raises(ValueError, match="needs std="):
        initialize("normal", (3, 3))


def test_zeros_and_constant():
    np.testing.assert_array_equal(initialize("zeros", (2, 3)), np.zeros((2, 3)))
    np.testing.assert_array_equal(initialize("constant", (4,), value=0.5), [0.5] * 4)
    assert init_std("zeros", 3, 3) == 0


def test_seeded_and_dtype_independent():
    a = initialize("he", (5, 4), rng=np.random.default_rng(3))
    b = initialize("he", (5, 4), rng=np.random.default_rng(3))
    c = initialize("he", (5, 4), rng=np.random.default_rng(3), dtype=np.float64)
    np.testing.assert_array_equal(a, b)
    np.testing.assert_allclose(a, c, rtol=1e-6)                # same numbers in float32 and float64
    assert c.dtype == np.float64
    d = initialize("he", (5, 4), rng=np.random.default_rng(4))
    assert not np.array_equal(a, d)
    np.testing.assert_array_equal(initialize("he", (5, 4)), initialize("he", (5, 4)))   # default seed


def test_names_list():
    assert set(INITIALIZERS) >= {"zeros", "constant", "normal", "lecun", "xavier", "glorot_normal",
                                 "glorot_uniform", "he", "he_normal", "he_uniform"}
    for name in INITIALIZERS:
        kw = {"std": 0.1} if name == "normal" else {}
        assert initialize(name, (3, 2), **kw).shape == (3, 2)


def test_bad_names_and_arguments():
    with pytest.raises(ValueError, match=r"unknown initializer 'orthogonal'; expected one of \("):
        initialize("orthogonal", (3, 3))
    with pytest.raises(TypeError, match="initializer name must be a string"):
        initialize(None, (3, 3))
    with pytest.raises(ValueError, match="std= is only used with init='normal'"):
        initialize("he", (3, 3), std=0.1)
    with pytest.raises(ValueError, match="shape must be"):
        initialize("he", (3, -1))
    with pytest.raises(TypeError, match="rng must be a numpy.random.Generator"):
        initialize("he", (3, 3), rng=np.random.RandomState(0))
