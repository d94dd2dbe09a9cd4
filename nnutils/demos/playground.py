"""Lesson 10 — the playground (플레이그라운드): a network learning 2-D data, live.

Like TensorFlow Playground, but every knob of the course is there (six optimizers, L1/L2,
dropout, batch norm, initialization) and the code is one cell away. This module is the knobs
and the play button. What learns is ``demo.run``, a
``nnutils.experiments.playground.PlaygroundRun``: an ``nnutils.model.mlp`` trained one epoch
of ``nnutils.train.fit`` per frame. ``nnutils.demos.playground_paint`` paints it, and "show
code" prints the few lines that train the same network outside the demo.

    demo = PlaygroundDemo()          # nothing trains until you press play (or call step)
    demo.step(10)                    # 10 epochs, then one redraw (tests, static notebooks)
    demo.set(lr=0.1)                 # optimizer knobs keep the network ...
    demo.set(units=4)                # ... the architecture, features and data start a new one
    demo.run.test_loss[-1]           # the engine object behind the picture

Speed. Play runs as an asyncio task on the kernel's event loop: one epoch, one redraw, then
``await asyncio.sleep(...)`` so widget messages (pause, a slider) are handled between frames
and the notebook stays usable. A matplotlib figure would be far too slow to redraw per frame
(see benchmarks/playground.py), so the picture is painted from arrays.
"""

from __future__ import annotations

import asyncio
import time
import weakref

from nnutils.checks import positive_int
from nnutils.experiments.playground import (N_POINTS, PENALTIES, PlaygroundRun, n_test_points,
                                            playground_data)
from nnutils.features import DATASETS, FEATURES
from nnutils.i18n import tr
from nnutils.optim import OPTIMIZERS
from nnutils.widgets import Demo, controls as C

from .playground_paint import PlaygroundPicture

__all__ = ["PlaygroundDemo", "DEMOS"]

ACTIVATIONS = ("tanh", "relu", "sigmoid", "leaky_relu", "elu", "gelu", "silu")
INITS = (("normal with std ↓", "std"), ("LeCun (lecture's Xavier)", "lecun"),
         ("Xavier (Glorot)", "xavier"), ("He", "he"))
PENALTY = tuple((p if p == "none" else p.upper(), p) for p in PENALTIES)
FRAME_INTERVAL = 1 / 20     # play shows at most 20 frames per second (leaves the CPU some air)


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
    control_groups = {
        "data": ("dataset", "noise", "train_ratio", "show_test", "features"),
        "network": ("layers", "units", "activation", "init", "init_std", "batchnorm", "dropout"),
        "training": ("optimizer", "lr", "penalty", "strength", "batch_size", "discretize")}
    preset_heading = "experiments"
    button_icons = {"play": "play", "pause": "pause", "step": "step-forward",
                    "restart": "refresh", "new data": "random"}

    _all = weakref.WeakSet()    # every playground of the kernel: one plays at a time

    DATA_KEYS = ("dataset", "noise", "train_ratio")
    NET_KEYS = ("features", "layers", "units", "activation", "init", "init_std", "dropout",
                "batchnorm")

    def __init__(self, **values):
        self.data_seed = 0          # "new data" adds 1
        self.net_seed = 0           # "restart" adds 1
        self.data = self.run = None
        self.picture = PlaygroundPicture()
        self.applied = {}           # the settings the current data / network were built with
        self.playing = False
        self._task = None
        self.frames = 0             # frames drawn while playing (for the benchmark)
        self.seconds_per_frame = None
        for other in list(PlaygroundDemo._all):   # re-running the cell stops the old one
            other.pause()
        PlaygroundDemo._all.add(self)
        super().__init__(**values)

    # ------------------------------------------------------------------ controls
    def make_controls(self):
        controls = {
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
        controls["features"].rows = len(FEATURES)      # all seven visible, no scrolling
        for w in controls.values():
            w.layout.width = "290px"                    # three even columns
        return controls

    def buttons(self):
        return {"play": self.play, "pause": self.pause, "step": lambda: self.step(1),
                "restart": self.restart, "new data": self.new_data}

    def build(self, fig):
        pass    # nothing to build in matplotlib; see render()

    # ------------------------------------------------------------------ settings -> state
    def update(self, **v):
        if self._changed(v, self.DATA_KEYS) or "data" not in self.applied:
            self.data = playground_data(v["dataset"], v["noise"], v["train_ratio"],
                                        seed=self.data_seed)
            self.picture.set_data(self.data)
            self.applied.update({k: v[k] for k in self.DATA_KEYS}, data=self.data_seed)
            self.applied.pop("net", None)             # new data -> new network
        if self._changed(v, self.NET_KEYS) or "net" not in self.applied:
            self.run = PlaygroundRun(self.data, v["features"], v["layers"], v["units"],
                                     v["activation"], init=self._init(v),
                                     batchnorm=v["batchnorm"], dropout=v["dropout"],
                                     seed=self.net_seed)
            self.picture.set_network(self.run, v["layers"], v["units"])
            self.applied.update({k: v[k] for k in self.NET_KEYS}, net=self.net_seed)
        self.run.set_training(v["optimizer"], v["lr"], v["penalty"], v["strength"],
                              v["batch_size"])
        if self.run.diverged:
            self.message(self._diverged_message())

    def _changed(self, v, keys):
        return any(self.applied.get(k) != v[k] for k in keys)

    @staticmethod
    def _init(v):
        """The init argument of mlp: a name, or the std of a normal init."""
        return v["init_std"] if v["init"] == "std" else v["init"]

    def _diverged_message(self):
        return tr("{reason}: lower the learning rate and press restart", reason=self.run.diverged)

    # ------------------------------------------------------------------ training
    def step(self, n=1):
        """Train n epochs (one ``fit`` epoch each, seeded by the epoch number), then redraw."""
        for _ in range(positive_int(n, "n")):
            if not self._train_epoch():
                break
        self.render()
        return self

    def _train_epoch(self):
        """One epoch of the run; False if there is nothing to train or training diverged."""
        trained = self.run.train_epoch()
        if self.run.diverged:
            self.message(self._diverged_message())
        return trained

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
        if self.run.model is None or self.run.diverged:
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
    def render(self):
        """Paint the current state to one PNG and push it to the page (every frame)."""
        with self.lock:   # see "Threads" in nnutils.widgets
            message = self._message.get_text() if self._message.get_visible() else ""
            self.image.value = self.picture.paint(self.run, self.values, self.playing,
                                                  (self.data_seed, self.net_seed), message)

    # ------------------------------------------------------------------ code
    def code(self, **v):
        feats = tuple(f for f in FEATURES if f in v["features"])
        hidden = [v["units"]] * v["layers"]
        init = self._init(v)
        n_test = n_test_points(v["train_ratio"])
        reg = ("" if v["penalty"] == "none"
               else f", weight_decay={v['strength']:.3g}, penalty={v['penalty']!r}")
        # as many epochs as the demo has trained (100 before the first one)
        epochs = self.run.epoch or 100
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



DEMOS = {"playground": PlaygroundDemo}
