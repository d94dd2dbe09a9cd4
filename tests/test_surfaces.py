"""nnutils.surfaces: analytic gradients vs centred differences, trajectories vs closed forms."""
import numpy as np
import pytest

from nnutils.surfaces import SURFACES, Surface, get_surface


class PlainSGD:
    """A test-local SGD so these tests do not depend on nnutils.optim."""
    def __init__(self, lr):
        self.lr = lr

    def update(self, params, grads):
        for k in params:
            params[k] -= self.lr * grads[k]


def centred_diff(f, x, y, h=1e-6):
    return ((f(x + h, y) - f(x - h, y)) / (2 * h), (f(x, y + h) - f(x, y - h)) / (2 * h))


@pytest.mark.parametrize("name", list(SURFACES))
def test_gradient_matches_centred_difference(name):
    s = get_surface(name)
    rng = np.random.default_rng(0)
    xs = rng.uniform(*s.xlim, size=20)
    ys = rng.uniform(*s.ylim, size=20)
    for x, y in zip(xs, ys):
        a = s.gradient([x, y])
        n = np.array(centred_diff(s.f, x, y))
        err = np.max(np.abs(a - n) / np.maximum(1e-8, np.abs(a) + np.abs(n)))
        assert err < 1e-6, f"{name}: gradient at ({x:.3f}, {y:.3f}) off by rel. err {err:.2e}"


@pytest.mark.parametrize("name", list(SURFACES))
def test_metadata_and_minimum(name):
    s = get_surface(name)
    assert s.name == name and s.formula
    assert s.xlim[0] < s.start[0] < s.xlim[1] and s.ylim[0] < s.start[1] < s.ylim[1]
    # the minimum has zero gradient and is lower than the start
    g = s.gradient(s.minimum)
    assert np.allclose(g, 0.0, atol=1e-12)
    assert s.f(*s.minimum) < s.f(*s.start)
    X, Y, Z = s.grid(50)
    assert X.shape == Y.shape == Z.shape == (50, 50) and np.all(np.isfinite(Z))


def test_known_values():
    assert get_surface("bowl").f(-7.0, 2.0) == pytest.approx(49 / 20 + 4)
    assert get_surface("rosenbrock").f(1.0, 1.0) == 0.0
    assert get_surface("rosenbrock").f(0.0, 0.0) == 1.0
    assert get_surface("saddle").f(0.0, np.sqrt(2.0)) == pytest.approx(-1.0)
    # the ill-conditioned quadratic is ½ pᵀAp with the Hessian in its docstring
    A = np.array([[1.0, -1.2], [-1.2, 1.5]])
    p = np.array([0.3, -2.0])
    assert get_surface("ill-conditioned").f(*p) == pytest.approx(0.5 * p @ A @ p)
    lam = np.linalg.eigvalsh(A)
    assert lam[1] / lam[0] > 50


def test_trajectory_sgd_on_bowl_matches_closed_form():
    # SGD on x²/20 + y²: x <- (1 - lr/10) x, y <- (1 - 2 lr) y
    lr, steps = 0.1, 25
    path = get_surface("bowl").trajectory(PlainSGD(lr), steps=steps)
    k = np.arange(steps + 1)
    expect = np.stack([-7.0 * (1 - lr / 10) ** k, 2.0 * (1 - 2 * lr) ** k], axis=1)
    assert path.shape == (steps + 1, 2)
    np.testing.assert_allclose(path, expect, rtol=1e-12)
    np.testing.assert_allclose(get_surface("bowl").loss(path), expect[:, 0] ** 2 / 20 + expect[:, 1] ** 2)


def test_trajectory_custom_start_and_zero_steps():
    s = get_surface("rosenbrock")
    assert s.trajectory(PlainSGD(1e-3), start=(0.5, 0.5), steps=0).tolist() == [[0.5, 0.5]]
    path = s.trajectory(PlainSGD(1e-3), start=(0.5, 0.5), steps=3)
    assert path.shape == (4, 2) and path[0].tolist() == [0.5, 0.5]
    assert path[1] == pytest.approx(np.array([0.5, 0.5]) - 1e-3 * s.gradient([0.5, 0.5]))


def test_trajectory_stops_when_diverging():
    # lr = 1.5 on the bowl: y <- -2 y, so |y| doubles each step and leaves the box
    path = get_surface("bowl").trajectory(PlainSGD(1.5), steps=200, bound=1e3)
    assert len(path) < 201
    assert np.all(np.isfinite(path)) and np.max(np.abs(path)) <= 1e3


def test_trajectory_with_nnutils_optimizers():
    optim = pytest.importorskip("nnutils.optim")
    s = get_surface("bowl")
    path = s.trajectory(optim.SGD(lr=0.1), steps=5)
    np.testing.assert_allclose(path, s.trajectory(PlainSGD(0.1), steps=5))
    for name in optim.OPTIMIZERS:
        path = s.trajectory(optim.make_optimizer(name), steps=3)
        assert path.shape == (4, 2), name


def test_bad_input():
    s = get_surface("bowl")
    with pytest.raises(ValueError, match="name"):
        get_surface("sphere")
    with pytest.raises(ValueError, match="start"):
        s.trajectory(PlainSGD(0.1), start=(1.0, 2.0, 3.0))
    with pytest.raises(ValueError, match="steps"):
        s.trajectory(PlainSGD(0.1), steps=-1)
    with pytest.raises(TypeError, match="optimizer"):
        s.trajectory("sgd")
    with pytest.raises(ValueError, match="path"):
        s.loss(np.zeros(3))
    assert isinstance(get_surface(s), Surface)
