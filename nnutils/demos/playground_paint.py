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
import unicodedata

import matplotlib
import numpy as np
from matplotlib.ft2font import FT2Font
from PIL import Image, ImageDraw, ImageFont

from nnutils.experiments.playground import GRID, N_POINTS, plane_grid
from nnutils.features import FEATURES, PLANE, feature_map
from nnutils.fonts import korean_font_path
from nnutils.i18n import tr
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


_FONTS, _FALLBACKS, _CHARMAPS = {}, {}, {}


def _font(size, bold=False):
    """DejaVu Sans (shipped with matplotlib, so the same on every machine)."""
    key = (size, bold)
    if key not in _FONTS:
        name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
        path = os.path.join(matplotlib.get_data_path(), "fonts", "ttf", name)
        _FONTS[key] = ImageFont.truetype(path, size)
    return _FONTS[key]


def _fallback(font):
    """NanumGothic (the size of ``font``) for the characters DejaVu Sans lacks: Hangul, as
    matplotlib's Korean figures do (see nnutils.fonts). Its ExtraBold weight is the one that
    looks as heavy as DejaVu Sans Bold."""
    bold = font.path.endswith("Bold.ttf")
    key = (font.size, bold)
    if key not in _FALLBACKS:
        path = korean_font_path()
        if bold:
            path = path.with_name(path.stem + "ExtraBold.ttf")
        _FALLBACKS[key] = ImageFont.truetype(str(path), font.size)
    return _FALLBACKS[key]


def _has_glyph(font, char):
    if font.path not in _CHARMAPS:
        _CHARMAPS[font.path] = FT2Font(font.path).get_charmap()
    return ord(char) in _CHARMAPS[font.path]


def _runs(text, font):
    """``text`` cut into (piece, font) runs: DejaVu where it has the glyph, else NanumGothic."""
    runs = []
    for char in text:
        f = font if _has_glyph(font, char) else _fallback(font)
        if runs and runs[-1][1] is f:
            runs[-1][0] += char
        else:
            runs.append([char, f])
    return runs


def _text(d, xy, text, font, anchor="la", **style):
    """``d.text`` with a font fallback (PIL has none): Latin, digits and symbols in DejaVu
    Sans as in the English picture, Hangul in NanumGothic, on one baseline."""
    runs = _runs(text, font)
    if len(runs) <= 1 and (not runs or runs[0][1] is font):
        d.text(xy, text, font=font, anchor=anchor, **style)
        return
    widths = [f.getlength(piece) for piece, f in runs]
    x = xy[0] - {"l": 0.0, "m": sum(widths) / 2, "r": sum(widths)}[anchor[0]]
    # where ``anchor`` puts the baseline, by DejaVu's metrics (the English picture's)
    baseline = xy[1] + font.getbbox(text, anchor=anchor)[1] \
        - font.getbbox(text, anchor=anchor[0] + "s")[1]
    for (piece, f), w in zip(runs, widths):
        d.text((x, baseline), piece, font=f, anchor="ls", **style)
        x += w


def _multiline_text(d, xy, text, font, **style):
    """Lines centred on ``xy`` (anchor "mm"), each drawn by ``_text``."""
    if all(_has_glyph(font, c) for c in text if c != "\n"):
        d.multiline_text(xy, text, font=font, anchor="mm", align="center", **style)
        return
    lines = text.split("\n")
    pitch = font.getbbox("A")[3] + 4                 # PIL's own line pitch (spacing 4)
    top = xy[1] - pitch * (len(lines) - 1) / 2
    for i, line in enumerate(lines):
        _text(d, (xy[0], top + i * pitch), line, font, anchor="mm", **style)


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
            _multiline_text(d, (BX + BS / 2, BY + BS / 2), _wrap(message, 36),
                            _font(12, bold=True), fill="#b00020", stroke_width=3,
                            stroke_fill="white")
        _paint_curves(d, run.train_loss, run.test_loss)
        return encode_png(np.asarray(img))


# --------------------------------------------------------------------------- the parts
def _paint_titles(d, cols, n_hidden):
    xs, size, _ = cols
    bold = _font(11, bold=True)
    _text(d, (xs[0] + size / 2, TOP - 16), tr("features"), bold, fill="black", anchor="mm")
    for i in range(n_hidden):
        _text(d, (xs[i + 1] + size / 2, TOP - 16), tr("layer {n}", n=i + 1), bold,
              fill="black", anchor="mm")
    _text(d, (BX + BS / 2, TOP - 16), tr("output: P(class 1) over the plane"), bold,
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
    for cls in (0, 1):
        x0 = BX + 4 + cls * 72
        d.ellipse([x0, ly - 4, x0 + 8, ly + 4], fill=_hex(CLASS_RGB[cls]), outline="white")
        _text(d, (x0 + 12, ly), tr("class {n}", n=cls), small, fill="black", anchor="lm")
    d.ellipse([BX + 150, ly - 4, BX + 158, ly + 4], fill="#999999", outline="black")
    _text(d, (BX + 162, ly), tr("test point (black ring)"), small, fill="black", anchor="lm")
    d.rectangle([CX - 1, CY - 1, CX + CW, CY + CH], outline=GREY)
    _text(d, (CX, CY - 4), tr("loss"), bold, fill="black", anchor="lb")
    _text(d, (CX + 40, CY - 4), tr("— train"), small, fill=_hex(TRAIN_RGB), anchor="lb")
    _text(d, (CX + 92, CY - 4), tr("— test"), small, fill=_hex(TEST_RGB), anchor="lb")
    _text(d, (CX + CW / 2, CY + CH + 3), tr("epoch"), bold, fill="black", anchor="mt")
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
    state = tr("▶ playing") if playing else tr("paused") if run.epoch else tr("press play")
    if run.model is None:
        _text(d, (8, 6), tr("choose at least one input feature"), big, fill="black")
    else:
        _text(d, (8, 6), tr("epoch {epoch:,}", epoch=run.epoch), big, fill="black")
        _text(d, (140, 6), tr("train loss {train:.3f}   test loss {test:.3f}   test accuracy "
                              "{accuracy:.0%}", train=run.train_loss[-1], test=run.test_loss[-1],
                              accuracy=run.test_acc), big, fill="black")
    _text(d, (WIDTH - 8, 6), state, big, fill=PALETTE[2] if playing else "#777777", anchor="ra")
    n_tr = len(run.data.x_tr)
    net = (f"{v['layers']} × {v['units']} {v['activation']}" if v["layers"]
           else tr("no hidden layer"))
    init = tr("normal(std {std:.3g})", std=v["init_std"]) if v["init"] == "std" else v["init"]
    extras = "".join([", " + tr("batch norm") if v["batchnorm"] else "",
                      ", " + tr("dropout {ratio:.2f}", ratio=v["dropout"]) if v["dropout"] else ""])
    data_seed, net_seed = seeds
    data = tr("data: {dataset}, noise {noise:.2f}, {n_train} train / {n_test} test points "
              "(seed {seed})", dataset=v["dataset"], noise=v["noise"], n_train=n_tr,
              n_test=N_POINTS - n_tr, seed=data_seed)
    network = tr("network: {net}, init {init}{extras} (seed {seed})", net=net, init=init,
                 extras=extras, seed=net_seed)
    _text(d, (8, 28), f"{data}   ·   {network}", small, fill="#333333")
    pen = "" if v["penalty"] == "none" else f", {v['penalty'].upper()} λ = {v['strength']:.3g}"
    training = tr("training: {optimizer}, learning rate {lr:.3g}, batch size {batch_size}",
                  optimizer=v["optimizer"], lr=v["lr"], batch_size=v["batch_size"])
    _text(d, (8, 44), training + pen + ("   ·   " + tr("output discretized") if v["discretize"]
                                        else ""), small, fill="#333333")


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


def _columns_wide(text):
    """Width in columns: a Hangul syllable is about two Latin letters wide."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _wrap(text, width):
    words, lines, line = text.split(), [], ""
    for w in words:
        if line and _columns_wide(line) + 1 + _columns_wide(w) > width:
            lines.append(line)
            line = w
        else:
            line = f"{line} {w}".strip()
    return "\n".join(lines + [line])
