"""Lesson 10 — the playground (플레이그라운드): a network learning 2-D data, live.

Like TensorFlow Playground, but every knob of the course is there (six optimizers, L1/L2,
dropout, batch norm, initialization) and the code is one cell away: the network is an
``nnutils.model.mlp``, each frame of "play" is one epoch of ``nnutils.train.fit``, and
"show code" prints the few lines that train the same network outside the demo.

    demo = PlaygroundDemo()          # nothing trains until you press play (or call step)
    demo.step(10)                    # 10 epochs, then one redraw (tests, static notebooks)
    demo.set(lr=0.1)                 # optimizer knobs keep the network ...
    demo.set(units=4)                # ... the architecture, features and data start a new one

Speed. Play runs as an asyncio task on the kernel's event loop: one epoch, one redraw, then
``await asyncio.sleep(...)`` so widget messages (pause, a slider) are handled between frames
and the notebook stays usable. Re-rendering a many-panel matplotlib figure per frame is far
too slow for that (see benchmarks/playground.py), so the whole picture is painted from arrays:
the decision boundary and every neuron's map are colour-mapped uint8 arrays, links, text and
loss curves are drawn with PIL, and the result is one PNG (zlib level 1) in ``demo.image``.
"""

from __future__ import annotations

import asyncio
import math
import os
import struct
import time
import weakref
import zlib

import ipywidgets as W
import matplotlib
import numpy as np
from PIL import Image, ImageDraw, ImageFont

from nnutils.data import train_val_test_split
from nnutils.features import DATASETS, FEATURES, PLANE, feature_map, plane_data
from nnutils.layers import BatchNorm, Dropout, Linear
from nnutils.model import mlp
from nnutils.optim import OPTIMIZERS, make_optimizer
from nnutils.plots import PALETTE
from nnutils.train import fit
from nnutils.widgets import Demo, controls as C

__all__ = ["PlaygroundDemo", "DEMOS", "N_POINTS"]

N_POINTS = 500          # points per data set (train + test), as in TensorFlow Playground
ACTIVATIONS = ("tanh", "relu", "sigmoid", "leaky_relu", "elu", "gelu", "silu")
INITS = (("normal with std ↓", "std"), ("LeCun (lecture's Xavier)", "lecun"),
         ("Xavier (Glorot)", "xavier"), ("He", "he"))
PENALTY = (("none", "none"), ("L1", "l1"), ("L2", "l2"))
FRAME_INTERVAL = 1 / 20     # play shows at most 20 frames per second (leaves the CPU some air)


# --------------------------------------------------------------------------- colours
def _rgb(hex_colour):
    h = hex_colour.lstrip("#")
    return np.array([int(h[i:i + 2], 16) for i in (0, 2, 4)], dtype=np.float64)


WHITE = np.array([255.0, 255.0, 255.0])
CLASS_RGB = (_rgb(PALETTE[1]), _rgb(PALETTE[0]))      # class 0 orange (−), class 1 blue (+)
TRAIN_RGB, TEST_RGB = _rgb(PALETTE[2]), _rgb(PALETTE[3])   # the loss curves


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


def _png_chunk(kind, body):
    return (struct.pack(">I", len(body)) + kind + body
            + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF))


def encode_png(rgb):
    """uint8 (H, W, 3) -> PNG bytes, written directly: each row with the "Up" filter (the
    difference to the row above, one numpy subtraction) and zlib level 1. About twice as
    fast as PIL's encoder, whose per-row adaptive filtering dominates at this size."""
    rgb = np.ascontiguousarray(rgb, dtype=np.uint8)
    h, w, _ = rgb.shape
    rows = rgb.reshape(h, w * 3)
    raw = np.empty((h, w * 3 + 1), dtype=np.uint8)
    raw[:, 0] = 2                                        # filter type 2 = Up
    raw[0, 1:] = rows[0]
    np.subtract(rows[1:], rows[:-1], out=raw[1:, 1:])    # uint8 arithmetic wraps, as PNG wants
    header = struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)   # 8-bit RGB, no interlace
    return (b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", header)
            + _png_chunk(b"IDAT", zlib.compress(raw.tobytes(), 1)) + _png_chunk(b"IEND", b""))


# --------------------------------------------------------------------------- layout (pixels)
WIDTH, HEIGHT = 900, 520
TOP = 84                     # below the header (3 lines) and the column titles
BX, BY, BS = 578, TOP, 280   # decision boundary panel: left, top, size
CX, CY, CW, CH = BX, BY + BS + 46, BS, 80   # loss curves panel
NX0, NX1 = 62, BX - 34       # network: first column's left edge, last link's end
NY0, NY1 = TOP, HEIGHT - 12
GRID = 100                   # the boundary is evaluated on GRID × GRID points of the plane
CHUNK = 1024                 # rows per forward pass over the grid (see _forward_capture)


def _sprite(radius):
    r = int(math.ceil(radius))
    dy, dx = np.mgrid[-r:r + 1, -r:r + 1]
    d = np.hypot(dy, dx)
    return dy, dx, d


class _Points:
    """Data points as precomputed (flat pixel index, colour) pairs: one numpy write per frame."""

    def __init__(self, x, y, ring_rgb, fill_radius=2.8, ring_radius=4.0):
        dy, dx, d = _sprite(ring_radius)
        fill, ring = d <= fill_radius, (d > fill_radius) & (d <= ring_radius)
        px = np.round(BX + (x[:, 0] + PLANE) / (2 * PLANE) * (BS - 1)).astype(int)
        py = np.round(BY + (PLANE - x[:, 1]) / (2 * PLANE) * (BS - 1)).astype(int)
        r = int(math.ceil(ring_radius))
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


# --------------------------------------------------------------------------- the demo
class PlaygroundDemo(Demo):
    """A TensorFlow-Playground-like trainer on nnutils: data, features, network, optimizer.

    Buttons: play / pause (an asyncio task: one epoch per frame), step (one epoch),
    restart (new weights, same settings), new data (new seed). The optimizer knobs
    (optimizer, learning rate, penalty, λ, batch size) act on the running network; the data,
    features and architecture (layers, units, activation, init, dropout, batch norm) start a
    new one. ``demo.step(n)`` trains n epochs synchronously (what tests and static notebooks use).
    """

    title = "Playground (플레이그라운드): train a network on 2-D data, live"
    figsize = (1.0, 1.0)     # the matplotlib figure is unused: the view is painted from arrays
    presets = {
        "spirals: depth": dict(dataset="spirals", features=("x1", "x2"), layers=3, units=12,
                               activation="tanh", optimizer="adam", lr=0.02),
        "spirals: sin features": dict(dataset="spirals", features=FEATURES[:2] + FEATURES[5:],
                                      layers=1, units=8, activation="tanh", optimizer="adam",
                                      lr=0.03),
        "L1 prunes inputs": dict(dataset="circles", features=FEATURES, layers=1, units=4,
                                 optimizer="sgd", lr=0.1, penalty="l1", strength=0.01),
        "lr too large": dict(dataset="circles", optimizer="sgd", lr=3.0, activation="relu",
                             init="he"),
        "dropout, small net": dict(dataset="xor", layers=1, units=3, dropout=0.5,
                                   optimizer="adam", lr=0.03),
        "bad init + BN": dict(dataset="circles", layers=3, units=8, activation="tanh",
                              init="std", init_std=0.01, batchnorm=True, optimizer="sgd",
                              lr=0.1),
    }
    # a knob that only matters under another setting (for the course-wide control test)
    control_context = {"init_std": {"init": "std"}, "strength": {"penalty": "l2"}}

    _all = weakref.WeakSet()    # every playground of the kernel: one plays at a time

    DATA_KEYS = ("dataset", "noise", "train_ratio")
    NET_KEYS = ("features", "layers", "units", "activation", "init", "init_std", "dropout",
                "batchnorm")

    def __init__(self, **values):
        self.data_seed = 0          # "new data" adds 1
        self.net_seed = 0           # "restart" adds 1
        self.model = None
        self.optimizer = None
        self.applied = {}           # the settings the current data / network were built with
        self.playing = False
        self._task = None
        self.frames = 0             # frames drawn while playing (for the benchmark)
        self.seconds_per_frame = None
        self.diverged = None
        self.epoch = 0
        for other in list(PlaygroundDemo._all):   # re-running the cell stops the old one
            other.pause()
        PlaygroundDemo._all.add(self)
        super().__init__(**values)

    # ------------------------------------------------------------------ controls
    def make_controls(self):
        return {
            "dataset": C.dropdown(DATASETS, value="circles", description="data set"),
            "noise": C.slider(0.1, 0.0, 0.5, description="noise"),
            "train_ratio": C.slider(0.5, 0.1, 0.9, step=0.1, description="train ratio"),
            "features": C.choose_many(FEATURES, value=("x1", "x2"), description="features"),
            "layers": C.int_slider(2, 0, 6, description="hidden layers"),
            "units": C.int_slider(8, 1, 16, description="units per layer"),
            "activation": C.dropdown(ACTIVATIONS, value="tanh", description="activation"),
            "init": C.dropdown(INITS, value="lecun", description="init"),
            "init_std": C.slider(0.1, 0.001, 10.0, log=True, description="init std"),
            "batchnorm": C.toggle(False, description="batch norm"),
            "dropout": C.slider(0.0, 0.0, 0.8, step=0.05, description="dropout ratio"),
            "optimizer": C.dropdown(OPTIMIZERS, value="sgd", description="optimizer"),
            "lr": C.slider(0.03, 1e-4, 10.0, log=True, description="learning rate"),
            "penalty": C.dropdown(PENALTY, value="none", description="regularization"),
            "strength": C.slider(1e-3, 1e-5, 1.0, log=True, description="λ"),
            "batch_size": C.int_slider(10, 1, 64, description="batch size"),
            "show_test": C.toggle(True, description="show test data"),
            "discretize": C.toggle(False, description="discretize output"),
        }

    def buttons(self):
        return {"play": self.play, "pause": self.pause, "step": lambda: self.step(1),
                "restart": self.restart, "new data": self.new_data}

    def build(self, fig):
        pass    # nothing to build in matplotlib; see render()

    GROUPS = (("data", ("dataset", "noise", "train_ratio", "show_test", "features")),
              ("network", ("layers", "units", "activation", "init", "init_std", "batchnorm",
                           "dropout")),
              ("training", ("optimizer", "lr", "penalty", "strength", "batch_size",
                            "discretize")))

    def _layout(self):
        """The base layout, with the knobs in three labelled columns and the buttons in two
        rows: play / pause / step / restart / new data, then the experiments (presets)."""
        box = super()._layout()
        children = list(box.children)
        knobs = next(c for c in children if list(getattr(c, "children", ())) ==
                     list(self.controls.values()))
        row = next(c for c in children[children.index(knobs) + 1:] if isinstance(c, W.Box))
        columns = []
        self.controls["features"].rows = len(FEATURES)      # all seven visible, no scrolling
        for name, keys in self.GROUPS:
            for k in keys:
                self.controls[k].layout.width = "290px"
            columns.append(W.VBox([W.HTML(f"<b>{name}</b>")] + [self.controls[k] for k in keys]))
        buttons = list(row.children)
        n_presets = len(self.presets)
        for b in buttons[n_presets:n_presets + len(self.buttons())]:
            b.icon = {"play": "play", "pause": "pause", "step": "step-forward",
                      "restart": "refresh", "new data": "random"}.get(b.description, "")
        players = W.HBox(buttons[n_presets:])
        experiments = W.HBox([W.HTML("experiments:&nbsp;")] + buttons[:n_presets],
                             layout=W.Layout(flex_flow="row wrap", align_items="center"))
        i = children.index(knobs)
        children[i:i + 1] = [W.HBox(columns)]
        children[children.index(row)] = W.VBox([players, experiments])
        box.children = children
        return box

    # ------------------------------------------------------------------ settings -> state
    def update(self, **v):
        if self._changed(v, self.DATA_KEYS) or "data" not in self.applied:
            self._make_data(v)
        if self._changed(v, self.NET_KEYS) or "net" not in self.applied:
            self._make_network(v)
        if self.model is not None:
            self._set_training_knobs(v)
        if self.diverged:
            self.message(self.diverged)

    def _changed(self, v, keys):
        return any(self.applied.get(k) != v[k] for k in keys)

    def _make_data(self, v):
        x, y = plane_data(v["dataset"], N_POINTS, v["noise"], seed=self.data_seed)
        n_test = N_POINTS - int(round(v["train_ratio"] * N_POINTS))
        (self.x_tr, self.y_tr), _, (self.x_te, self.y_te) = train_val_test_split(
            x, y, val=0, test=n_test, seed=self.data_seed)
        self._train_points = _Points(self.x_tr, self.y_tr, WHITE)
        self._test_points = _Points(self.x_te, self.y_te, np.zeros(3))
        self.applied.update({k: v[k] for k in self.DATA_KEYS}, data=self.data_seed)
        self.applied.pop("net", None)             # new data -> new network

    def _make_network(self, v):
        self.features = tuple(f for f in FEATURES if f in v["features"])   # in a fixed order
        self.epoch, self.train_loss, self.test_loss = 0, [], []
        self.train_acc = self.test_acc = None
        self.diverged = None
        self.applied.update({k: v[k] for k in self.NET_KEYS}, net=self.net_seed)
        self.applied.pop("optimizer", None)
        if not self.features:       # nothing to learn from: show the data and say so
            self.model = self.optimizer = None
            self._static = self._paint_static(v)
            return
        self.f_tr = feature_map(self.x_tr, self.features)
        self.f_te = feature_map(self.x_te, self.features)
        self.model = mlp([len(self.features), *[v["units"]] * v["layers"], 2],
                         activation=v["activation"], **self._init_kw(v),
                         batchnorm=v["batchnorm"], dropout=v["dropout"], seed=self.net_seed)
        self._grid_features = feature_map(self._grid, self.features)
        self._record_losses()
        self._static = self._paint_static(v)

    @staticmethod
    def _init_kw(v):
        return {"init": v["init_std"]} if v["init"] == "std" else {"init": v["init"]}

    def _set_training_knobs(self, v):
        if self.applied.get("optimizer") != v["optimizer"]:
            # a new optimizer starts with empty state (velocities, caches); the weights stay
            self.optimizer = make_optimizer(v["optimizer"], lr=v["lr"])
            self.applied["optimizer"] = v["optimizer"]
        self.optimizer.lr = v["lr"]
        self.model.penalty_name = "l2" if v["penalty"] == "none" else v["penalty"]
        self.model.weight_decay = 0.0 if v["penalty"] == "none" else float(v["strength"])
        self.batch_size = int(v["batch_size"])

    def _record_losses(self):
        with np.errstate(all="ignore"):
            tl, ta = self.model.evaluate(self.f_tr, self.y_tr)
            vl, va = self.model.evaluate(self.f_te, self.y_te)
        self.train_loss.append(tl)
        self.test_loss.append(vl)
        self.train_acc, self.test_acc = ta, va

    # ------------------------------------------------------------------ training
    def step(self, n=1):
        """Train n epochs (one ``fit`` epoch each, seeded by the epoch number), then redraw."""
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
            raise ValueError(f"n: expected a number of epochs >= 1, got {n!r}")
        for _ in range(n):
            if not self._train_epoch():
                break
        self.render()
        return self

    def _train_epoch(self):
        """One epoch; False if there is nothing to train or training diverged."""
        if self.model is None or self.diverged:
            return False
        with np.errstate(all="ignore"):
            # stop only on a NaN/inf loss: a loss ratio test misfires once the loss is ~0
            h = fit(self.model, self.optimizer, self.f_tr, self.y_tr, epochs=1,
                    batch_size=self.batch_size, x_val=self.f_te, y_val=self.y_te,
                    seed=self.epoch, progress=False, divergence_factor=math.inf)
        if h.diverged or not np.isfinite(h.train_loss[-1]):
            self.diverged = (f"diverged in epoch {self.epoch + 1} with lr={self.optimizer.lr:.3g}: "
                             "lower the learning rate and press restart")
            self.message(self.diverged)
            return False
        self.epoch += 1
        self.train_loss.append(h.train_loss[-1])
        self.test_loss.append(h.val_loss[-1])
        self.train_acc, self.test_acc = h.train_acc[-1], h.val_acc[-1]
        return True

    def restart(self):
        """New initial weights (the next seed), same settings; epoch 0."""
        self.net_seed += 1
        self.applied.pop("net", None)
        self.refresh()

    def new_data(self):
        """New points (the next data seed) and a new network."""
        self.data_seed += 1
        self.applied.pop("data", None)
        self.refresh()

    def apply_preset(self, name):
        """An experiment starts from a fresh network, even if its settings are already set."""
        self.applied.pop("net", None)
        return super().apply_preset(name)

    def reset(self):
        """All settings back to the defaults, first seeds, epoch 0."""
        self.pause(render=False)
        self.data_seed = self.net_seed = 0
        self.applied = {}
        return super().reset()

    # ------------------------------------------------------------------ play / pause
    def play(self):
        """Train and redraw on the running event loop until pause (one epoch per frame)."""
        if self.playing:
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            raise RuntimeError("play needs a running asyncio event loop (a Jupyter kernel has "
                               "one); in a script call demo.step(n)") from None
        if self.model is None or self.diverged:
            self.render()
            return
        for other in list(PlaygroundDemo._all):   # one playground plays at a time (2 cores)
            if other is not self:
                other.pause()
        self.playing = True
        self._frame()                     # the first frame at once: the click shows something
        self._task = loop.create_task(self._play_loop())

    def pause(self, render=True):
        was = self.playing
        self.playing = False
        task, self._task = self._task, None
        if task is not None and not task.done():
            # the click may arrive on another thread than the loop playing (a kernel subshell)
            task.get_loop().call_soon_threadsafe(task.cancel)
        if render and was:
            self.render()

    async def _play_loop(self):
        try:
            while self.playing:
                # sleep until the next frame is due (at least a little: widget messages such
                # as "pause" or a slider are handled while we sleep)
                due = self._frame_start + FRAME_INTERVAL - time.perf_counter()
                await asyncio.sleep(max(due, 0.005))
                if self.playing:
                    self._frame()
        except KeyboardInterrupt:     # "interrupt the kernel" landed in a frame: stop playing
            self.playing = False
            self.render()
        finally:
            self.playing = False

    def _frame(self):
        with self.lock:   # a slider moved on another thread waits for this frame to finish
            start = self._frame_start = time.perf_counter()
            try:
                trained = self._train_epoch()
                self.render()
            except Exception as exc:          # shown in the demo, and playing stops
                self.error = f"{type(exc).__name__}: {exc}"
                self.message(self.error)
                trained = False
                try:
                    self.render()
                except Exception:             # the status line beside the image still says it
                    pass
            if not trained:
                self.playing = False
            self.frames += 1
            self.seconds_per_frame = time.perf_counter() - start

    # ------------------------------------------------------------------ drawing
    @property
    def _grid(self):
        if not hasattr(self, "_grid_points"):
            # pixel centres of the boundary panel, row 0 at the top (x2 = +6)
            c = (np.arange(GRID, dtype=np.float32) + 0.5) / GRID * 2 * PLANE - PLANE
            xx, yy = np.meshgrid(c, c[::-1])
            self._grid_points = np.column_stack([xx.ravel(), yy.ravel()])
        return self._grid_points

    def _layout_columns(self, n_hidden, units):
        """x of each column (features, hidden layers), the map size and the row pitch."""
        rows = max(len(FEATURES), units if n_hidden else 0)
        pitch = min(44, (NY1 - NY0) // rows)
        size = max(10, min(34, pitch - 5))
        n_cols = 1 + n_hidden
        step = (NX1 - NX0) / n_cols
        xs = [int(NX0 + i * step) for i in range(n_cols)]
        return xs, size, pitch

    def _rows(self, n, size, pitch):
        top = NY0 + ((NY1 - NY0) - n * pitch) // 2
        return [top + j * pitch for j in range(n)]

    def _paint_static(self, v):
        """What stays the same until the data, features or architecture change."""
        img = Image.new("RGB", (WIDTH, HEIGHT), "white")
        d = ImageDraw.Draw(img)
        n_hidden = v["layers"] if self.model is not None else 0
        xs, size, pitch = self._layout_columns(n_hidden, v["units"])
        self._cols = (xs, size, pitch)
        small, bold = _font(11), _font(11, bold=True)
        grey = "#555555"
        # column titles
        d.text((xs[0] + size / 2, TOP - 16), "features", font=bold, fill="black", anchor="mm")
        for i in range(n_hidden):
            d.text((xs[i + 1] + size / 2, TOP - 16), f"layer {i + 1}", font=bold, fill="black",
                   anchor="mm")
        d.text((BX + BS / 2, TOP - 16), "output: P(class 1) over the plane", font=bold,
               fill="black", anchor="mm")
        # the feature maps: selected ones in full colour, the others faded
        grid = self._grid.reshape(GRID, GRID, 2)
        sub = np.linspace(0, GRID - 1, size).round().astype(int)
        pts = grid[sub][:, sub].reshape(-1, 2)
        maps = feature_map(pts, FEATURES)
        maps = maps / np.abs(maps).max(axis=0)
        canvas = np.asarray(img).copy()
        for j, (name, y0) in enumerate(zip(FEATURES, self._rows(len(FEATURES), size, pitch))):
            rgb = colorize(maps[:, j].reshape(size, size))
            if name not in self.features:
                rgb = (rgb * 0.25 + 255 * 0.75).astype(np.uint8)
            canvas[y0:y0 + size, xs[0]:xs[0] + size] = rgb
        img = Image.fromarray(canvas)
        d = ImageDraw.Draw(img)
        for name, y0 in zip(FEATURES, self._rows(len(FEATURES), size, pitch)):
            on = name in self.features
            d.text((xs[0] - 5, y0 + size / 2), _pretty(name), font=bold if on else small,
                   fill="black" if on else "#aaaaaa", anchor="rm")
            if on:
                d.rectangle([xs[0] - 1, y0 - 1, xs[0] + size, y0 + size], outline="black")
        # a frame around every hidden neuron's map, so a white (silent) neuron still shows
        for i in range(n_hidden):
            for y0 in self._rows(v["units"], size, pitch):
                d.rectangle([xs[i + 1] - 1, y0 - 1, xs[i + 1] + size, y0 + size],
                            outline="#bbbbbb")
        # axes of the boundary panel (ticks on the right, clear of the links)
        d.rectangle([BX - 1, BY - 1, BX + BS, BY + BS], outline=grey)
        d.text((BX, BY + BS + 3), f"−{PLANE:g}", font=small, fill=grey, anchor="lt")
        d.text((BX + BS, BY + BS + 3), f"{PLANE:g}", font=small, fill=grey, anchor="rt")
        d.text((BX + BS / 2, BY + BS + 3), "x1", font=bold, fill="black", anchor="mt")
        d.text((BX + BS + 4, BY), f"{PLANE:g}", font=small, fill=grey, anchor="lt")
        d.text((BX + BS + 4, BY + BS), f"−{PLANE:g}", font=small, fill=grey, anchor="lb")
        d.text((BX + BS + 4, BY + BS / 2), "x2", font=bold, fill="black", anchor="lm")
        # legend of the points and of the curves
        ly = BY + BS + 20
        for cls, label in ((0, "class 0"), (1, "class 1")):
            x0 = BX + 4 + cls * 72
            d.ellipse([x0, ly - 4, x0 + 8, ly + 4], fill=_hex(CLASS_RGB[cls]), outline="white")
            d.text((x0 + 12, ly), label, font=small, fill="black", anchor="lm")
        d.ellipse([BX + 150, ly - 4, BX + 158, ly + 4], fill="#999999", outline="black")
        d.text((BX + 162, ly), "test point (black ring)", font=small, fill="black", anchor="lm")
        d.rectangle([CX - 1, CY - 1, CX + CW, CY + CH], outline=grey)
        d.text((CX, CY - 4), "loss", font=bold, fill="black", anchor="lb")
        d.text((CX + 40, CY - 4), "— train", font=small, fill=_hex(TRAIN_RGB), anchor="lb")
        d.text((CX + 92, CY - 4), "— test", font=small, fill=_hex(TEST_RGB), anchor="lb")
        d.text((CX + CW / 2, CY + CH + 3), "epoch", font=bold, fill="black", anchor="mt")
        d.text((CX, CY + CH + 3), "0", font=small, fill=grey, anchor="lt")
        d.text((CX + CW + 4, CY + CH), "0", font=small, fill=grey, anchor="lb")
        return np.asarray(img).copy()

    def render(self):
        """Paint the current state to one PNG and push it to the page (every frame)."""
        with self.lock:   # see "Threads" in nnutils.widgets
            v = self.values
            canvas = self._static.copy()
            links = []
            with np.errstate(all="ignore"):
                if self.model is not None:
                    links = self._paint_network(canvas, v)
                else:
                    canvas[BY:BY + BS, BX:BX + BS] = 255
            if v["show_test"]:
                self._test_points.paint(canvas)
            self._train_points.paint(canvas)
            img = Image.fromarray(canvas)
            d = ImageDraw.Draw(img)
            for xy, colour, width in links:
                d.line(xy, fill=colour, width=width)
            self._paint_text(d, v)
            self._paint_curves(d)
            self.image.value = encode_png(np.asarray(img))

    def _paint_network(self, canvas, v):
        """Boundary and neuron maps into the canvas; returns the links to draw with PIL."""
        xs, size, pitch = self._cols
        out, hidden = _forward_capture(self.model, self._grid_features)
        # P(class 1) − P(class 0) = tanh((s1 − s0) / 2): −1 … +1, no overflow
        value = np.tanh(0.5 * (out[:, 1] - out[:, 0])).reshape(GRID, GRID)
        if v["discretize"]:
            value = np.sign(value)
        rgb = Image.fromarray(colorize(value, LUT_BG)).resize((BS, BS), Image.BILINEAR)
        canvas[BY:BY + BS, BX:BX + BS] = np.asarray(rgb)
        sub = np.linspace(0, GRID - 1, size).round().astype(int)
        rows_per_col = [self._rows(len(FEATURES), size, pitch)]
        for i, h in enumerate(hidden):
            a = h.reshape(GRID, GRID, -1)[sub][:, sub]                 # (size, size, units)
            # one scale per layer, never below 1: tanh outputs are shown as they are, and a
            # neuron that outputs ~0 everywhere (dead ReLU, vanished signal) stays white
            top = float(np.nan_to_num(np.abs(a).max(), nan=1.0, posinf=1.0))
            a = a / max(1.0, top)
            rows = self._rows(a.shape[2], size, pitch)
            rows_per_col.append(rows)
            x0 = xs[i + 1]
            for j, y0 in enumerate(rows):
                canvas[y0:y0 + size, x0:x0 + size] = colorize(a[:, :, j])
        # links: one per weight, colour = sign, darkness and width = |w| / max |w| of the layer
        weights = [layer.params["W"] for layer in self.model.layers if isinstance(layer, Linear)]
        feature_rows = [FEATURES.index(f) for f in self.features]
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

    def _paint_text(self, d, v):
        big, small = _font(15, bold=True), _font(11)
        state = ("▶ playing" if self.playing else "paused" if self.epoch
                 else "press play")
        if self.model is None:
            d.text((8, 6), "choose at least one input feature", font=big, fill="black")
        else:
            d.text((8, 6), f"epoch {self.epoch:,}", font=big, fill="black")
            d.text((140, 6), f"train loss {self.train_loss[-1]:.3f}   test loss "
                   f"{self.test_loss[-1]:.3f}   test accuracy {self.test_acc:.0%}",
                   font=big, fill="black")
        d.text((WIDTH - 8, 6), state, font=big, fill=PALETTE[2] if self.playing else "#777777",
               anchor="ra")
        n_tr = len(self.x_tr)
        net = (f"{v['layers']} × {v['units']} {v['activation']}" if v["layers"] else "no hidden layer")
        init = f"normal(std {v['init_std']:.3g})" if v["init"] == "std" else v["init"]
        extras = "".join([", batch norm" if v["batchnorm"] else "",
                          f", dropout {v['dropout']:.2f}" if v["dropout"] else ""])
        d.text((8, 28), f"data: {v['dataset']}, noise {v['noise']:.2f}, {n_tr} train / "
               f"{N_POINTS - n_tr} test points (seed {self.data_seed})   ·   network: "
               f"{net}, init {init}{extras} (seed {self.net_seed})", font=small, fill="#333333")
        pen = "" if v["penalty"] == "none" else f", {v['penalty'].upper()} λ = {v['strength']:.3g}"
        d.text((8, 44), f"training: {v['optimizer']}, learning rate {v['lr']:.3g}, batch size "
               f"{v['batch_size']}{pen}" + ("   ·   output discretized" if v["discretize"] else ""),
               font=small, fill="#333333")
        if self._message.get_visible():
            d.multiline_text((BX + BS / 2, BY + BS / 2), _wrap(self._message.get_text(), 36),
                             font=_font(12, bold=True), fill="#b00020", anchor="mm",
                             align="center", stroke_width=3, stroke_fill="white")

    def _paint_curves(self, d):
        if not self.train_loss:
            return
        tr, te = np.asarray(self.train_loss), np.asarray(self.test_loss)
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
        d.text((CX + CW + 4, CY), f"{top:.2g}", font=small, fill="#555555", anchor="lt")
        d.text((CX + CW, CY + CH + 3), f"{max(n - 1, 0):,}", font=small, fill="#555555",
               anchor="rt")

    # ------------------------------------------------------------------ code
    def code(self, **v):
        feats = tuple(f for f in FEATURES if f in v["features"])
        hidden = [v["units"]] * v["layers"]
        init = self._init_kw(v)["init"]
        n_test = N_POINTS - int(round(v["train_ratio"] * N_POINTS))
        reg = ("" if v["penalty"] == "none"
               else f", weight_decay={v['strength']:.3g}, penalty={v['penalty']!r}")
        # as many epochs as the demo has trained (100 before the first one)
        epochs = self.epoch if self.model is not None and self.epoch else 100
        return "\n".join([
            "from nnutils.data import train_val_test_split",
            "from nnutils.features import feature_map, plane_data",
            "from nnutils.model import mlp",
            "from nnutils.optim import make_optimizer",
            "from nnutils.train import fit",
            "",
            f"x, y = plane_data({v['dataset']!r}, n={N_POINTS}, noise={v['noise']:.3g}, "
            f"seed={self.data_seed})",
            f"(x_tr, y_tr), _, (x_te, y_te) = train_val_test_split(x, y, val=0, test={n_test}, "
            f"seed={self.data_seed})",
            f"features = {feats!r}",
            "f_tr, f_te = feature_map(x_tr, features), feature_map(x_te, features)",
            f"model = mlp([len(features), *{hidden!r}, 2], activation={v['activation']!r}, "
            f"init={init!r},",
            f"            batchnorm={v['batchnorm']}, dropout={v['dropout']:.3g}{reg}, "
            f"seed={self.net_seed})",
            f"opt = make_optimizer({v['optimizer']!r}, lr={v['lr']:.3g})",
            f"for epoch in range({epochs}):   # the play button: one epoch per frame",
            f"    h = fit(model, opt, f_tr, y_tr, epochs=1, batch_size={v['batch_size']}, "
            "x_val=f_te, y_val=y_te,",
            "            seed=epoch, progress=False, divergence_factor=float('inf'))",
            "print(f'train loss {h.train_loss[-1]:.3f}, test loss {h.val_loss[-1]:.3f}')",
        ])


def _forward_capture(model, x):
    """The model's scores on x (test mode) and the output of every hidden activation.

    In chunks of CHUNK rows: above roughly 500,000 multiply-adds OpenBLAS splits a matrix
    product over threads, and on a busy 2-core machine waking those threads costs ~20 ms
    per product (measured), where the whole chunked pass takes about 1 ms.
    """
    outs, hidden = [], []
    for start in range(0, len(x), CHUNK):
        h, acts = x[start:start + CHUNK], []
        for layer in model.layers:
            h = layer.forward(h, train=False)
            if not isinstance(layer, (Linear, BatchNorm, Dropout)):
                acts.append(h)
        outs.append(h)
        hidden.append(acts)
    return np.concatenate(outs), [np.concatenate(a) for a in zip(*hidden)]


def _pretty(name):
    return (name.replace("^2", "²").replace("*", "·").replace("sin(", "sin ").replace(")", ""))


def _wrap(text, width):
    words, lines, line = text.split(), [], ""
    for w in words:
        if line and len(line) + 1 + len(w) > width:
            lines.append(line)
            line = w
        else:
            line = f"{line} {w}".strip()
    return "\n".join(lines + [line])


DEMOS = {"playground": PlaygroundDemo}
