"""Figure helpers shared by the lessons' static figures and interactive demos.

Each helper creates its artists once and returns them, so a demo can update them in place
(``Stairs.set_data``, ``AxesImage.set_data``, ``Line2D.set_data``) instead of redrawing.
"""

from __future__ import annotations

import numpy as np

from nnutils.i18n import tr

__all__ = ["moving_average", "plane_grid", "boundary_image", "hist_stairs", "set_hist",
           "curves", "loss_curves", "PALETTE"]

# one colour per idea, used across lessons (colour-blind friendly, Okabe–Ito)
PALETTE = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442", "#000000"]


def moving_average(y, window=20):
    """Smoothed curve of the same length (the first points average what is there so far)."""
    y = np.asarray(y, dtype=float)
    if window <= 1 or y.size == 0:
        return y
    c = np.cumsum(np.insert(y, 0, 0.0))
    n = np.arange(1, y.size + 1)
    lo = np.maximum(n - window, 0)
    return (c[n] - c[lo]) / (n - lo)


def plane_grid(xlim, ylim, n=120):
    """A grid over the input plane: (xx, yy, points) with points of shape (n*n, 2), float32."""
    xs = np.linspace(*xlim, n, dtype=np.float32)
    ys = np.linspace(*ylim, n, dtype=np.float32)
    xx, yy = np.meshgrid(xs, ys)
    return xx, yy, np.column_stack([xx.ravel(), yy.ravel()])


def boundary_image(ax, xlim, ylim, n=120, cmap="RdBu", vmin=0.0, vmax=1.0, alpha=0.8):
    """An image artist over the plane for a decision surface; update it with ``set_data``."""
    return ax.imshow(np.full((n, n), (vmin + vmax) / 2), origin="lower", aspect="auto",
                     extent=(*xlim, *ylim), cmap=cmap, vmin=vmin, vmax=vmax, alpha=alpha,
                     interpolation="bilinear")


def hist_stairs(ax, bins, color=PALETTE[0], **kw):
    """A filled step histogram with fixed bins; update with ``set_hist(stairs, values)``."""
    bins = np.asarray(bins, dtype=float)
    return ax.stairs(np.zeros(bins.size - 1), bins, fill=True, color=color, **kw)


def set_hist(stairs, values, density=True):
    """Re-count ``values`` into the stairs' fixed bins (values outside are clipped to the edges
    so nothing silently disappears from the picture)."""
    edges = stairs.get_data().edges
    v = np.clip(np.ravel(values), edges[0], edges[-1])
    counts, _ = np.histogram(v, edges)
    if density and counts.sum():
        counts = counts / counts.sum()
    stairs.set_data(counts)
    return counts


def curves(ax, names, colors=None, **kw):
    """Empty named lines, to be filled with ``lines[name].set_data(x, y)``."""
    colors = colors or PALETTE
    return {name: ax.plot([], [], label=name, color=colors[i % len(colors)], **kw)[0]
            for i, name in enumerate(names)}


def loss_curves(ax, histories, window=20, ylabel="training loss", xlabel="iteration"):
    """Static figure: one smoothed loss curve per named history (``History.loss``); the axis
    labels in the current language."""
    for i, (name, h) in enumerate(histories.items()):
        loss = getattr(h, "loss", h)
        ax.plot(moving_average(loss, window), label=name, color=PALETTE[i % len(PALETTE)])
    ax.set(xlabel=tr(xlabel), ylabel=tr(ylabel))
    ax.legend()
    return ax
