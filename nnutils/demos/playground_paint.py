"""The playground's picture (lesson 10), painted from arrays instead of a matplotlib figure.

Re-rendering a many-panel matplotlib figure per frame is far too slow for "play" (see
benchmarks/playground.py), so the picture is painted directly: the decision boundary and
every neuron's map are colour-mapped uint8 arrays, the data points precomputed pixel
sprites, links, text and loss curves are drawn with PIL, and the result is one PNG
(``nnutils.demos.png``). What the picture shows comes from a
``nnutils.experiments.playground.PlaygroundRun``; nothing here trains or evaluates.

    picture = PlaygroundPicture()
    picture.set_data(data)                       # new points
    picture.set_network(run, layers, units)      # new network: the parts that stay
    png = picture.paint(run, settings, playing=False, seeds=(0, 0))    # every frame
"""

from __future__ import annotations

import math
import os

import matplotlib
import numpy as np
from PIL import Image, ImageDraw, ImageFont

from nnutils.experiments.playground import GRID, N_POINTS, plane_grid
from nnutils.features import FEATURES, PLANE, feature_map
from nnutils.layers import Linear
from nnutils.plots import PALETTE

from .png import encode_png

__all__ = ["PlaygroundPicture", "colorize", "WIDTH", "HEIGHT"]


# --------------------------------------------------------------------------- colours
def _rgb(hex_colour):
    h = hex_colour.lstrip("#")
    return np.array([int(h[i:i + 2], 16) for i in (0, 2, 4)], dtype=np.float64)


WHITE = np.array([255.0, 255.0, 255.0])
CLASS_RGB = (_rgb(PALETTE[1]), _rgb(PALETTE[0]))      # class 0 orange (−), class 1 blue (+)
TRAIN_RGB, TEST_RGB = _rgb(PALETTE[2]), _rgb(PALETTE[3])   # the loss curves
GREY = "#555555"


def _lut(strength=1.0):
    """255 colours for values −1 … +1 (entry 127 is exactly 0: white): orange → white → blue,
    the two classes' colours."""
    v = np.linspace(-1.0, 1.0, 255)[:, None]
    colour = np.where(v < 0, CLASS_RGB[0], CLASS_RGB[1])
    return np.round(WHITE + strength * np.abs(v) * (colour - WHITE)).astype(np.uint8)


LUT_MAP = _lut(1.0)     # neurons and features
LUT_BG = _lut(0.6)      # behind the data points: lighter, so the points stand out


def colorize(v, lut=LUT_MAP):
    """Values in [−1, 1] (any shape) -> uint8 RGB via the lookup table; NaN shows as white."""
    idx = np.nan_to_num((np.asarray(v, dtype=np.float32) + 1.0) * 127.0, nan=127.0)
    return lut[np.rint(np.clip(idx, 0, 254)).astype(np.uint8)]


def _hex(rgb):
    return "#%02x%02x%02x" % tuple(int(c) for c in rgb)


_FONTS = {}


def _font(size, bold=False):
    """DejaVu Sans (shipped with matplotlib, so the same on every machine)."""
    key = (size, bold)
    if key not in _FONTS:
        name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
        path = os.path.join(matplotlib.get_data_path(), "fonts", "ttf", name)
        _FONTS[key] = ImageFont.truetype(path, size)
    return _FONTS[key]


# --------------------------------------------------------------------------- layout (pixels)
WIDTH, HEIGHT = 900, 520
TOP = 84                     # below the header (3 lines) and the column titles
BX, BY, BS = 578, TOP, 280   # decision boundary panel: left, top, size
CX, CY, CW, CH = BX, BY + BS + 46, BS, 80   # loss curves panel
NX0, NX1 = 62, BX - 34       # network: first column's left edge, last link's end
NY0, NY1 = TOP, HEIGHT - 12


def _columns(n_hidden, units):
    """x of each column (features, hidden layers), the map size and the row pitch."""
    rows = max(len(FEATURES), units if n_hidden else 0)
    pitch = min(44, (NY1 - NY0) // rows)
    size = max(10, min(34, pitch - 5))
    n_cols = 1 + n_hidden
    step = (NX1 - NX0) / n_cols
    xs = [int(NX0 + i * step) for i in range(n_cols)]
    return xs, size, pitch


def _rows(n, pitch):
    """The top edge of each of n maps in a column, centred vertically."""
    top = NY0 + ((NY1 - NY0) - n * pitch) // 2
    return [top + j * pitch for j in range(n)]


def _subsample(size):
    """Grid indices that shrink a GRID × GRID map to size × size."""
    return np.linspace(0, GRID - 1, size).round().astype(int)


class _Points:
    """Data points as precomputed (flat pixel index, colour) pairs: one numpy write per frame."""

    def __init__(self, x, y, ring_rgb, fill_radius=2.8, ring_radius=4.0):
        r = int(math.ceil(ring_radius))
        dy, dx = np.mgrid[-r:r + 1, -r:r + 1]
        d = np.hypot(dy, dx)
        fill, ring = d <= fill_radius, (d > fill_radius) & (d <= ring_radius)
        px = np.round(BX + (x[:, 0] + PLANE) / (2 * PLANE) * (BS - 1)).astype(int)
        py = np.round(BY + (PLANE - x[:, 1]) / (2 * PLANE) * (BS - 1)).astype(int)
        inside = (px >= BX + r) & (px < BX + BS - r) & (py >= BY + r) & (py < BY + BS - r)
        px, py, y = px[inside], py[inside], y[inside]
        idx, col = [], []
        for mask, colour in ((ring, None), (fill, "class")):
            oy, ox = dy[mask], dx[mask]
            flat = ((py[:, None] + oy) * WIDTH + (px[:, None] + ox)).ravel()
            idx.append(flat)
            if colour is None:
                col.append(np.broadcast_to(ring_rgb, (flat.size, 3)))
            else:
                c = np.where(y[:, None] == 1, CLASS_RGB[1], CLASS_RGB[0])
                col.append(np.repeat(c, mask.sum(), axis=0))
        self.idx = np.concatenate(idx)
        self.rgb = np.concatenate(col).astype(np.uint8)

    def paint(self, canvas):
        canvas.reshape(-1, 3)[self.idx] = self.rgb


# --------------------------------------------------------------------------- the picture
class PlaygroundPicture:
    """The playground's picture: header, features, hidden neurons, boundary, loss curves."""

    def set_data(self, data):
        """New points (a ``PlaneSplit``): training points ringed white, test points black."""
        self.train_points = _Points(data.x_tr, data.y_tr, WHITE)
        self.test_points = _Points(data.x_te, data.y_te, np.zeros(3))

    def set_network(self, run, layers, units):
        """What stays the same until the data, features or architecture change."""
        n_hidden = layers if run.model is not None else 0
        self.cols = _columns(n_hidden, units)
        img = Image.new("RGB", (WIDTH, HEIGHT), "white")
        _paint_titles(ImageDraw.Draw(img), self.cols, n_hidden)
        canvas = np.asarray(img).copy()
        _paint_feature_maps(canvas, run.features, self.cols)
        img = Image.fromarray(canvas)
        d = ImageDraw.Draw(img)
        _paint_feature_labels(d, run.features, self.cols)
        xs, size, pitch = self.cols
        # a frame around every hidden neuron's map, so a white (silent) neuron still shows
        for i in range(n_hidden):
            for y0 in _rows(units, pitch):
                d.rectangle([xs[i + 1] - 1, y0 - 1, xs[i + 1] + size, y0 + size],
                            outline="#bbbbbb")
        _paint_axes_and_legend(d)
        self.static = np.asarray(img).copy()

    def paint(self, run, settings, playing, seeds, message=""):
        """The current state as PNG bytes (every frame). ``seeds``: (data seed, network seed);
        ``message`` (e.g. "diverged …") is written across the boundary panel."""
        canvas = self.static.copy()
        links = []
        with np.errstate(all="ignore"):
            if run.model is not None:
                boundary, hidden = run.plane_outputs()
                if settings["discretize"]:
                    boundary = np.sign(boundary)
                rows_per_col = _paint_network_maps(canvas, boundary, hidden, self.cols)
                links = _weight_links(run.model, run.features, self.cols, rows_per_col)
            else:
                canvas[BY:BY + BS, BX:BX + BS] = 255
        if settings["show_test"]:
            self.test_points.paint(canvas)
        self.train_points.paint(canvas)
        img = Image.fromarray(canvas)
        d = ImageDraw.Draw(img)
        for xy, colour, width in links:
            d.line(xy, fill=colour, width=width)
        _paint_header(d, run, settings, playing, seeds)
        if message:
            d.multiline_text((BX + BS / 2, BY + BS / 2), _wrap(message, 36),
                             font=_font(12, bold=True), fill="#b00020", anchor="mm",
                             align="center", stroke_width=3, stroke_fill="white")
        _paint_curves(d, run.train_loss, run.test_loss)
        return encode_png(np.asarray(img))


# --------------------------------------------------------------------------- the parts
def _paint_titles(d, cols, n_hidden):
    xs, size, _ = cols
    bold = _font(11, bold=True)
    d.text((xs[0] + size / 2, TOP - 16), "features", font=bold, fill="black", anchor="mm")
    for i in range(n_hidden):
        d.text((xs[i + 1] + size / 2, TOP - 16), f"layer {i + 1}", font=bold, fill="black",
               anchor="mm")
    d.text((BX + BS / 2, TOP - 16), "output: P(class 1) over the plane", font=bold,
           fill="black", anchor="mm")


def _paint_feature_maps(canvas, features, cols):
    """Every feature over the plane: the selected ones in full colour, the others faded."""
    xs, size, pitch = cols
    sub = _subsample(size)
    pts = plane_grid().reshape(GRID, GRID, 2)[sub][:, sub].reshape(-1, 2)
    maps = feature_map(pts, FEATURES)
    maps = maps / np.abs(maps).max(axis=0)
    for j, (name, y0) in enumerate(zip(FEATURES, _rows(len(FEATURES), pitch))):
        rgb = colorize(maps[:, j].reshape(size, size))
        if name not in features:
            rgb = (rgb * 0.25 + 255 * 0.75).astype(np.uint8)
        canvas[y0:y0 + size, xs[0]:xs[0] + size] = rgb


def _paint_feature_labels(d, features, cols):
    xs, size, pitch = cols
    small, bold = _font(11), _font(11, bold=True)
    for name, y0 in zip(FEATURES, _rows(len(FEATURES), pitch)):
        on = name in features
        d.text((xs[0] - 5, y0 + size / 2), _pretty(name), font=bold if on else small,
               fill="black" if on else "#aaaaaa", anchor="rm")
        if on:
            d.rectangle([xs[0] - 1, y0 - 1, xs[0] + size, y0 + size], outline="black")


def _paint_axes_and_legend(d):
    small, bold = _font(11), _font(11, bold=True)
    # axes of the boundary panel (ticks on the right, clear of the links)
    d.rectangle([BX - 1, BY - 1, BX + BS, BY + BS], outline=GREY)
    d.text((BX, BY + BS + 3), f"−{PLANE:g}", font=small, fill=GREY, anchor="lt")
    d.text((BX + BS, BY + BS + 3), f"{PLANE:g}", font=small, fill=GREY, anchor="rt")
    d.text((BX + BS / 2, BY + BS + 3), "x1", font=bold, fill="black", anchor="mt")
    d.text((BX + BS + 4, BY), f"{PLANE:g}", font=small, fill=GREY, anchor="lt")
    d.text((BX + BS + 4, BY + BS), f"−{PLANE:g}", font=small, fill=GREY, anchor="lb")
    d.text((BX + BS + 4, BY + BS / 2), "x2", font=bold, fill="black", anchor="lm")
    # legend of the points and of the curves
    ly = BY + BS + 20
    for cls, label in ((0, "class 0"), (1, "class 1")):
        x0 = BX + 4 + cls * 72
        d.ellipse([x0, ly - 4, x0 + 8, ly + 4], fill=_hex(CLASS_RGB[cls]), outline="white")
        d.text((x0 + 12, ly), label, font=small, fill="black", anchor="lm")
    d.ellipse([BX + 150, ly - 4, BX + 158, ly + 4], fill="#999999", outline="black")
    d.text((BX + 162, ly), "test point (black ring)", font=small, fill="black", anchor="lm")
    d.rectangle([CX - 1, CY - 1, CX + CW, CY + CH], outline=GREY)
    d.text((CX, CY - 4), "loss", font=bold, fill="black", anchor="lb")
    d.text((CX + 40, CY - 4), "— train", font=small, fill=_hex(TRAIN_RGB), anchor="lb")
    d.text((CX + 92, CY - 4), "— test", font=small, fill=_hex(TEST_RGB), anchor="lb")
    d.text((CX + CW / 2, CY + CH + 3), "epoch", font=bold, fill="black", anchor="mt")
    d.text((CX, CY + CH + 3), "0", font=small, fill=GREY, anchor="lt")
    d.text((CX + CW + 4, CY + CH), "0", font=small, fill=GREY, anchor="lb")


def _paint_network_maps(canvas, boundary, hidden, cols):
    """The boundary panel and every hidden neuron's map; returns each column's map rows."""
    xs, size, pitch = cols
    rgb = Image.fromarray(colorize(boundary, LUT_BG)).resize((BS, BS), Image.BILINEAR)
    canvas[BY:BY + BS, BX:BX + BS] = np.asarray(rgb)
    sub = _subsample(size)
    rows_per_col = [_rows(len(FEATURES), pitch)]
    for i, h in enumerate(hidden):
        a = h[sub][:, sub]                                          # (size, size, units)
        # one scale per layer, never below 1: tanh outputs are shown as they are, and a
        # neuron that outputs ~0 everywhere (dead ReLU, vanished signal) stays white
        top = float(np.nan_to_num(np.abs(a).max(), nan=1.0, posinf=1.0))
        a = a / max(1.0, top)
        rows = _rows(a.shape[2], pitch)
        rows_per_col.append(rows)
        x0 = xs[i + 1]
        for j, y0 in enumerate(rows):
            canvas[y0:y0 + size, x0:x0 + size] = colorize(a[:, :, j])
    return rows_per_col


def _weight_links(model, features, cols, rows_per_col):
    """One line per weight, colour = sign, darkness and width = |w| / max |w| of the layer,
    weakest first (so the strong ones are drawn on top): ((from, to), colour, width)."""
    xs, size, _ = cols
    weights = [layer.params["W"] for layer in model.layers if isinstance(layer, Linear)]
    feature_rows = [FEATURES.index(f) for f in features]
    links = []
    for i, W in enumerate(weights):
        last = i == len(weights) - 1
        if last:      # the output: what raises P(class 1) is W[:, 1] − W[:, 0]
            W = (W[:, 1] - W[:, 0])[:, None]
        src = rows_per_col[i]
        src = [src[r] for r in feature_rows] if i == 0 else src
        x_from = xs[i] + size + 1
        if last:
            x_to, dst = BX - 2, [BY + BS / 2 - size / 2]
        else:
            x_to, dst = xs[i + 1] - 2, rows_per_col[i + 1]
        mag = np.abs(W)
        top = mag.max()
        if not np.isfinite(top) or top == 0:
            continue
        strength = mag / top
        for a in np.argsort(strength, axis=None):
            r, c = np.unravel_index(a, W.shape)
            s = float(strength[r, c])
            if s < 0.04:
                continue
            colour = CLASS_RGB[1] if W[r, c] > 0 else CLASS_RGB[0]
            colour = _hex(WHITE + min(1.0, 0.15 + s) * (colour - WHITE))
            links.append((((x_from, src[r] + size / 2), (x_to, dst[c] + size / 2)),
                          colour, 1 + int(s * 3.5)))
    return links


def _paint_header(d, run, v, playing, seeds):
    """Epoch, losses and state on the first line; the data, network and training settings."""
    big, small = _font(15, bold=True), _font(11)
    state = "▶ playing" if playing else "paused" if run.epoch else "press play"
    if run.model is None:
        d.text((8, 6), "choose at least one input feature", font=big, fill="black")
    else:
        d.text((8, 6), f"epoch {run.epoch:,}", font=big, fill="black")
        d.text((140, 6), f"train loss {run.train_loss[-1]:.3f}   test loss "
               f"{run.test_loss[-1]:.3f}   test accuracy {run.test_acc:.0%}",
               font=big, fill="black")
    d.text((WIDTH - 8, 6), state, font=big, fill=PALETTE[2] if playing else "#777777",
           anchor="ra")
    n_tr = len(run.data.x_tr)
    net = f"{v['layers']} × {v['units']} {v['activation']}" if v["layers"] else "no hidden layer"
    init = f"normal(std {v['init_std']:.3g})" if v["init"] == "std" else v["init"]
    extras = "".join([", batch norm" if v["batchnorm"] else "",
                      f", dropout {v['dropout']:.2f}" if v["dropout"] else ""])
    data_seed, net_seed = seeds
    d.text((8, 28), f"data: {v['dataset']}, noise {v['noise']:.2f}, {n_tr} train / "
           f"{N_POINTS - n_tr} test points (seed {data_seed})   ·   network: "
           f"{net}, init {init}{extras} (seed {net_seed})", font=small, fill="#333333")
    pen = "" if v["penalty"] == "none" else f", {v['penalty'].upper()} λ = {v['strength']:.3g}"
    d.text((8, 44), f"training: {v['optimizer']}, learning rate {v['lr']:.3g}, batch size "
           f"{v['batch_size']}{pen}" + ("   ·   output discretized" if v["discretize"] else ""),
           font=small, fill="#333333")


def _paint_curves(d, train_loss, test_loss):
    if not train_loss:
        return
    tr, te = np.asarray(train_loss), np.asarray(test_loss)
    both = np.concatenate([tr, te])
    both = both[np.isfinite(both)]
    top = max(0.1, float(both.max())) if both.size else 1.0
    n = len(tr)
    idx = np.unique(np.linspace(0, n - 1, min(n, CW)).round().astype(int))
    xs = CX + (idx / max(n - 1, 1)) * (CW - 1)
    for values, colour in ((tr, TRAIN_RGB), (te, TEST_RGB)):
        ys = CY + CH - 1 - np.clip(np.nan_to_num(values[idx], nan=top) / top, 0, 1) * (CH - 2)
        pts = list(zip(xs.tolist(), ys.tolist()))
        if len(pts) == 1:
            pts = pts * 2
        d.line(pts, fill=_hex(colour), width=2)
    small = _font(11)
    d.text((CX + CW + 4, CY), _short(top), font=small, fill=GREY, anchor="lt")
    d.text((CX + CW, CY + CH + 3), f"{max(n - 1, 0):,}", font=small, fill=GREY, anchor="rt")


def _short(value):
    """Two digits, an exponent without "+" and leading zeros (3.9e+09 -> 3.9e9): the loss
    axis' label has ~35 pixels right of the panel."""
    for digits in (2, 1):
        text = f"{value:.{digits}g}"
        mantissa, _, exponent = text.partition("e")
        text = f"{mantissa}e{int(exponent)}" if exponent else text
        if len(text) <= 5:
            break
    return text


def _pretty(name):
    return name.replace("^2", "²").replace("*", "·").replace("sin(", "sin ").replace(")", "")


def _wrap(text, width):
    words, lines, line = text.split(), [], ""
    for w in words:
        if line and len(line) + 1 + len(w) > width:
            lines.append(line)
            line = w
        else:
            line = f"{line} {w}".strip()
    return "\n".join(lines + [line])
