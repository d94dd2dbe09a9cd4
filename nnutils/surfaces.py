"""2-D test functions (테스트 함수) for watching optimizers move.

Each surface is f(x, y) with its gradient written out by hand, a default start point,
view limits for plotting and a `trajectory(optimizer, start, steps)` helper that runs any
`nnutils.optim` optimizer on it -- the optimizer sees the point as one parameter array:

    >>> from nnutils.optim import SGD
    >>> bowl = get_surface("bowl")
    >>> path = bowl.trajectory(SGD(lr=0.95), steps=30)   # (31, 2): start + 30 steps
    >>> losses = bowl.loss(path)

numpy only (no plotting here).
"""
import numpy as np

from .checks import is_int

__all__ = ["Surface", "Bowl", "IllConditioned", "Rosenbrock", "Saddle",
           "SURFACES", "get_surface"]


class Surface:
    """Base class: subclasses define `f(x, y)` and `grad(x, y) -> (df/dx, df/dy)`.

    Both work element-wise on floats or arrays (so `f` can fill a contour grid).
    Attributes: name, formula (text), start (x0, y0), xlim, ylim, minimum (x*, y*) or None.
    """
    name = "surface"
    formula = ""
    start = (0.0, 0.0)
    xlim = (-1.0, 1.0)
    ylim = (-1.0, 1.0)
    minimum = None

    def f(self, x, y):
        raise NotImplementedError

    def grad(self, x, y):
        raise NotImplementedError

    def __call__(self, x, y):
        return self.f(x, y)

    def gradient(self, xy):
        """Gradient at a point xy = [x, y] as a float64 array of shape (2,)."""
        x, y = _point(xy, "xy")
        return np.array(self.grad(x, y), dtype=np.float64)

    def loss(self, path):
        """f along a path of shape (n, 2) -> array (n,)."""
        path = np.asarray(path, dtype=np.float64)
        if path.ndim != 2 or path.shape[1] != 2:
            raise ValueError(f"path: expected an array of shape (n, 2), got shape {path.shape}")
        return self.f(path[:, 0], path[:, 1])

    def grid(self, n=200):
        """X, Y, Z over the view limits (for contour plots)."""
        x = np.linspace(*self.xlim, n)
        y = np.linspace(*self.ylim, n)
        X, Y = np.meshgrid(x, y)
        return X, Y, self.f(X, Y)

    def trajectory(self, optimizer, start=None, steps=30, bound=1e6):
        """Run `optimizer` from `start` (default: the surface's) for `steps` updates.

        Returns the visited points, shape (k + 1, 2): the start and one row per step.
        The run stops early (k < steps) when the point stops being finite or leaves the
        box |x|, |y| <= bound -- the optimizer diverged; the last row is the last good point.
        Use a fresh optimizer per call: it keeps its state (velocity, cache, ...).
        """
        if not hasattr(optimizer, "update"):
            raise TypeError("optimizer: expected an object with update(params, grads) "
                            f"(e.g. nnutils.optim.SGD), got {type(optimizer).__name__}")
        if not is_int(steps) or steps < 0:
            raise ValueError(f"steps: expected an int >= 0, got {steps!r}")
        p = np.array(_point(self.start if start is None else start, "start"), dtype=np.float64)
        g = np.zeros(2)
        params, grads, path = {"xy": p}, {"xy": g}, [p.copy()]
        with np.errstate(over="ignore", invalid="ignore"):
            for _ in range(int(steps)):
                g[:] = self.grad(p[0], p[1])         # the same arrays every step, as in a model
                if not np.all(np.isfinite(g)):
                    break
                optimizer.update(params, grads)      # changes p in place
                if not np.all(np.isfinite(p)) or np.max(np.abs(p)) > bound:
                    break
                path.append(p.copy())
        return np.array(path)

    def __repr__(self):
        return f"{type(self).__name__}()  # {self.formula}"


def _point(xy, argname):
    a = np.asarray(xy, dtype=np.float64)
    if a.shape != (2,):
        raise ValueError(f"{argname}: expected a point (x, y), got shape {a.shape}")
    return float(a[0]), float(a[1])


class Bowl(Surface):
    """f(x, y) = x²/20 + y²: a bowl 20x steeper along y than along x (the lecture's)."""
    name = "bowl"
    formula = "f(x, y) = x²/20 + y²"
    start = (-7.0, 2.0)
    xlim = (-10.0, 10.0)
    ylim = (-5.0, 5.0)
    minimum = (0.0, 0.0)

    def f(self, x, y):
        return x ** 2 / 20.0 + y ** 2

    def grad(self, x, y):
        return x / 10.0, 2.0 * y


class IllConditioned(Surface):
    """f(x, y) = ½x² − 1.2xy + 0.75y²: a narrow valley tilted ~39° off the axes.

    Hessian [[1, −1.2], [−1.2, 1.5]]: eigenvalues ≈ 2.48 and 0.024 (condition number ≈ 100).
    Because the valley is not along an axis, per-coordinate step sizes (AdaGrad, RMSProp,
    Adam) cannot simply rescale it away.
    """
    name = "ill-conditioned"
    formula = "f(x, y) = ½x² − 1.2xy + 0.75y²"
    start = (-8.0, -2.0)
    xlim = (-10.0, 10.0)
    ylim = (-8.0, 8.0)
    minimum = (0.0, 0.0)

    def f(self, x, y):
        return 0.5 * x ** 2 - 1.2 * x * y + 0.75 * y ** 2

    def grad(self, x, y):
        return x - 1.2 * y, -1.2 * x + 1.5 * y


class Rosenbrock(Surface):
    """f(x, y) = (1 − x)² + 100(y − x²)²: a curved banana valley, minimum at (1, 1)."""
    name = "rosenbrock"
    formula = "f(x, y) = (1 − x)² + 100(y − x²)²"
    start = (-1.5, 2.0)
    xlim = (-2.0, 2.0)
    ylim = (-1.0, 3.0)
    minimum = (1.0, 1.0)

    def f(self, x, y):
        return (1.0 - x) ** 2 + 100.0 * (y - x ** 2) ** 2

    def grad(self, x, y):
        # d/dx: −2(1 − x) + 100·2(y − x²)·(−2x);  d/dy: 100·2(y − x²)
        return -2.0 * (1.0 - x) - 400.0 * x * (y - x ** 2), 200.0 * (y - x ** 2)


class Saddle(Surface):
    """f(x, y) = x² − y² + y⁴/4: the saddle x² − y² at the origin, walled off far out.

    Near (0, 0) it is exactly the lecture's saddle; the y⁴ term gives two minima at
    (0, ±√2) with f = −1 so the loss stays bounded. Start just off the ridge (y = 0.01).
    """
    name = "saddle"
    formula = "f(x, y) = x² − y² + y⁴/4"
    start = (-1.5, 0.01)
    xlim = (-2.0, 2.0)
    ylim = (-2.0, 2.0)
    minimum = (0.0, float(np.sqrt(2.0)))

    def f(self, x, y):
        return x ** 2 - y ** 2 + y ** 4 / 4.0

    def grad(self, x, y):
        return 2.0 * x, -2.0 * y + y ** 3


SURFACES = {s.name: s for s in (Bowl(), IllConditioned(), Rosenbrock(), Saddle())}


def get_surface(name):
    """A surface by name: one of SURFACES ("bowl", "ill-conditioned", "rosenbrock", "saddle")."""
    if isinstance(name, Surface):
        return name
    if name not in SURFACES:
        raise ValueError(f"name: expected one of {tuple(SURFACES)}, got {name!r}")
    return SURFACES[name]
