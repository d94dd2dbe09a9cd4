"""Lesson 7 demos: regularization (규제) against overfitting (과적합).

The experiments are ``nnutils.experiments.overfitting``: two set-ups (``LECTURE``: the
lecture's 300 images and 784-100×6-10; ``NOISY``: 1,000 images, 30 % wrong labels,
784-100-100-10) and ``overfit_run``, cached per setting, so a demo that returns to a slider
stop shows the run it already trained instead of training it again.

- ``WeightDecayDemo``: λ (log slider) × penalty L2 / L1 / elastic → train/test curves and the
  first layer's weight histogram, against the unregularised run (retrains, ≈ 1–3 s, cached).
- ``DropoutDemo``: dropout ratio 0 … 0.8 → train/test curves and the mask of a ``Dropout``
  layer (retrains, ≈ 1–3 s, cached).
- ``AugmentGallery``: one augmentation and its strength on eight MNIST digits (light).
"""

from __future__ import annotations

import time
from contextlib import contextmanager

import numpy as np

from nnutils import augment as A
from nnutils.data import load_mnist
from nnutils.experiments.overfitting import NOISY, overfit_run
from nnutils.i18n import tr
from nnutils.layers import Dropout
from nnutils.plots import PALETTE, hist_stairs, set_hist
from nnutils.widgets import Demo, controls as C

__all__ = ["WeightDecayDemo", "DropoutDemo", "AugmentGallery", "TRANSFORMS", "gallery_digits",
           "DEMOS"]


def _curves(ax, epochs):
    ax.set(xlim=(0, epochs), ylim=(0, 1.02), xlabel=tr("epoch"), ylabel=tr("accuracy"))
    lines = {
        "base_train": ax.plot([], [], color="0.6", lw=1.3, label=tr("no regularization: train"))[0],
        "base_test": ax.plot([], [], color="0.6", lw=1.3, ls="--",
                             label=tr("no regularization: test"))[0],
        "train": ax.plot([], [], color=PALETTE[0], lw=2.2, label=tr("train"))[0],
        "test": ax.plot([], [], color=PALETTE[1], lw=2.2, ls="--", label=tr("test"))[0],
    }
    ax.legend(loc="lower right", fontsize=7)
    text = ax.set_title("", fontsize=8, loc="left")
    return lines, text


def _compare(lines, text, base, run, label):
    """Draw ``run`` over the baseline's curves and say what the regularizer changed."""
    _show_run(lines, "", run)
    lines["train"].set_label(tr("{label}: train", label=label))
    lines["test"].set_label(tr("{label}: test", label=label))
    lines["train"].axes.legend(loc="lower right", fontsize=7)
    text.set_text(tr("final train − test gap: {gap_without:.3f} without, {gap_with:.3f} with {label}\n"
                     "final test accuracy: {before:.3f} → {after:.3f}", gap_without=base.gap,
                     gap_with=run.gap, label=label, before=base.test_acc[-1], after=run.test_acc[-1]))


def _show_run(lines, prefix, run):
    lines[f"{prefix}train"].set_data(np.arange(1, len(run.train_acc) + 1), run.train_acc)
    lines[f"{prefix}test"].set_data(run.test_epochs, run.test_acc)


class _RetrainDemo(Demo):
    retrains = True
    figsize = (9.0, 3.6)
    setup = NOISY

    def __init__(self, epochs=None, **values):
        self.epochs = int(epochs or self.setup.epochs)
        super().__init__(**values)

    @contextmanager
    def _training(self, label):
        """The progress callback for one run; afterwards the status line says whether it
        trained (it reported epochs) or came from the cache."""
        reported = []

        def progress(fraction, text=""):
            reported.append(fraction)
            self.progress(fraction, text)

        self.progress(0.0, tr("training {label} …", label=label))
        start = time.perf_counter()
        yield progress
        self.progress(1.0)
        self.status.value = (tr("{label}: trained in {seconds:.1f} s", label=label,
                                seconds=time.perf_counter() - start) if reported
                             else tr("{label}: cached result (this setting was trained before)",
                                     label=label))

    def _base(self):
        base = overfit_run(self.setup, epochs=self.epochs)
        _show_run(self.lines, "base_", base)
        return base


PENALTY_LABEL = {"l2": "L2: ½λΣW²", "l1": "L1: λΣ|W|", "elastic": "elastic: λ(½Σ|W| + ¼ΣW²)"}
W_BINS = np.linspace(-0.25, 0.25, 51)


class WeightDecayDemo(_RetrainDemo):
    """λ × penalty → train/test accuracy curves and the histogram of the first layer's weights."""

    title = f"Weight decay (가중치 감소): {NOISY}"
    presets = {"λ = 0.03, L2": {"lam": 10 ** -1.5, "penalty": "l2"},
               "λ = 0.1, L2 (the lecture's λ)": {"lam": 0.1, "penalty": "l2"},
               "λ = 0.001, L1 (sparse)": {"lam": 0.001, "penalty": "l1"},
               "λ = 0.001, L2 (almost none)": {"lam": 0.001, "penalty": "l2"},
               "λ = 1 (too strong)": {"lam": 1.0, "penalty": "l2"}}

    def make_controls(self):
        # stops every half decade (0.001, 0.0032, 0.01, ..., 1): each stop's run is cached
        return {"lam": C.slider(10 ** -1.5, 1e-3, 1.0, log=True, step=0.5, description="λ"),
                "penalty": C.dropdown([(v, k) for k, v in PENALTY_LABEL.items()], "l2",
                                      description="penalty")}

    def build(self, fig):
        ax, axw = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1.4, 1]})
        self.lines, self.text = _curves(ax, self.epochs)
        self.h_base = axw.stairs(np.full(len(W_BINS) - 1, 1e-9), W_BINS, color="0.45", lw=1.3,
                                 label=tr("no regularization"))
        self.h_now = hist_stairs(axw, W_BINS, color=PALETTE[0], alpha=0.6, label=tr("regularized"))
        self.h_now.set_data(np.full(len(W_BINS) - 1, 1e-9))
        axw.set(yscale="log", ylim=(1e-4, 1.0), xlim=(W_BINS[0], W_BINS[-1]),
                xlabel=tr("weight value (layer 1)"), ylabel=tr("fraction of weights"))
        axw.legend(loc="upper right", fontsize=7)
        self.w_text = axw.text(0.02, 0.97, "", transform=axw.transAxes, va="top", fontsize=8)

    def update(self, lam, penalty):
        base = self._base()
        label = f"{penalty.upper() if penalty != 'elastic' else tr('elastic')} λ={lam:.2g}"
        with self._training(label) as progress:
            run = overfit_run(self.setup, weight_decay=lam, penalty=penalty, epochs=self.epochs,
                              progress=progress)
        _compare(self.lines, self.text, base, run, label)
        w0, w1 = base.model.params["W1"], run.model.params["W1"]
        set_hist(self.h_base, w0)
        set_hist(self.h_now, w1)
        self.w_text.set_text(tr("|w| < 0.001: {small_before:.0%} → {small_after:.0%}\n"
                                "std: {std_before:.3f} → {std_after:.3f}",
                                small_before=np.mean(np.abs(w0) < 1e-3),
                                small_after=np.mean(np.abs(w1) < 1e-3),
                                std_before=w0.std(), std_after=w1.std()))


class DropoutDemo(_RetrainDemo):
    """Dropout ratio → train/test accuracy curves and the mask of a Dropout layer."""

    title = f"Dropout (드롭아웃): {NOISY}"
    presets = {"no dropout": {"ratio": 0.0}, "ratio 0.2 (the lecture's)": {"ratio": 0.2},
               "ratio 0.5": {"ratio": 0.5}, "ratio 0.8 (too much)": {"ratio": 0.8}}

    def make_controls(self):
        return {"ratio": C.slider(0.5, 0.0, 0.8, step=0.1, description="dropout ratio (drop prob.)",
                                  readout_format=".1f")}

    def build(self, fig):
        ax, axm = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1.4, 1]})
        self.lines, self.text = _curves(ax, self.epochs)
        self.mask_img = axm.imshow(np.ones((20, 100)), cmap="Greys_r", vmin=0, vmax=1,
                                   aspect="auto", interpolation="nearest")
        axm.set(xlabel=tr("unit of hidden layer 1 (100)"), ylabel=tr("example in the batch"))
        self.mask_title = axm.set_title("", fontsize=9)

    def update(self, ratio):
        ratio = round(float(ratio), 10)
        base = self._base()
        label = tr("dropout {ratio:.1f}", ratio=ratio)
        with self._training(label) as progress:
            run = overfit_run(self.setup, dropout=ratio, epochs=self.epochs, progress=progress)
        _compare(self.lines, self.text, base, run, label)
        layer = Dropout(ratio, rng=np.random.default_rng(1))
        layer.forward(np.ones((20, 100)), train=True)          # the mask it draws for a batch
        keep = layer.mask if layer.mask is not None else np.ones((20, 100), dtype=bool)
        self.mask_img.set_data(keep.astype(float))
        self.mask_title.set_text(tr("a Dropout layer's mask: white = kept ({kept:.0%}),\n"
                                    "kept units scaled by 1/(1 − ratio) = {scale:.2f}",
                                    kept=keep.mean(), scale=1 / (1 - ratio)))


# ------------------------------------------------------------------- augmentation gallery
# name -> (label, function(images, strength in [0, 1], rng), description of full strength)
TRANSFORMS = {
    "flip": ("flip left-right", lambda x, s, rng: A.flip(x, p=s, rng=rng), "probability 1"),
    "shift": ("shift", lambda x, s, rng: A.shift(x, max_shift=int(round(6 * s)), rng=rng),
              "up to 6 pixels"),
    "rotate": ("rotate", lambda x, s, rng: A.rotate(x, max_degrees=180 * s, rng=rng),
               "up to ±180°"),
    "crop": ("crop and resize", lambda x, s, rng: A.crop_resize(x, max_crop=0.5 * s, rng=rng),
             "keep as little as 50%"),
    "noise": ("Gaussian noise", lambda x, s, rng: A.noise(x, std=0.5 * s, rng=rng), "std 0.5"),
    "brightness": ("brightness", lambda x, s, rng: A.brightness(x, max_delta=0.6 * s, rng=rng),
                   "±0.6"),
    "contrast": ("contrast", lambda x, s, rng: A.contrast(x, max_change=s, rng=rng), "±100%"),
    "all": ("shift + rotate + crop + noise",
            lambda x, s, rng: A.Augmenter(shift=int(round(3 * s)), rotate=30 * s, crop=0.3 * s,
                                          noise=0.2 * s)(x, rng),
            "3 px, ±30°, 30% crop, noise 0.2"),
}
GALLERY_DIGITS = (1, 2, 3, 4, 5, 6, 7, 9)


def gallery_digits(digits=GALLERY_DIGITS, per_digit=1):
    """The first test image(s) of each digit, shape (n, 28, 28), and their labels."""
    m = load_mnist(flatten=False)
    idx = [i for d in digits for i in np.flatnonzero(m.y_test == d)[:per_digit]]
    return m.x_test[idx], m.y_test[idx]


class AugmentGallery(Demo):
    """One augmentation at a chosen strength on eight digits: originals on top, copies below."""

    title = "Data augmentation (데이터 증강) on MNIST digits"
    figsize = (8.0, 3.6)
    presets = {"flip (wrong for digits)": {"transform": "flip", "strength": 1.0},
               "rotate ±180° (6 ↔ 9!)": {"transform": "rotate", "strength": 1.0},
               "sensible: small shift + rotation": {"transform": "all", "strength": 0.5}}

    def make_controls(self):
        return {"transform": C.dropdown([(v[0], k) for k, v in TRANSFORMS.items()], "shift",
                                        description="transform"),
                "strength": C.slider(0.5, 0.0, 1.0, step=0.05, description="strength"),
                "seed": C.int_slider(0, 0, 9, description="random draw")}

    def build(self, fig):
        self.images, self.labels = gallery_digits()
        n = len(self.images)
        ax = fig.add_subplot()
        # one image artist holding the whole 3 × n mosaic: a single set_data per update
        self.mosaic = np.zeros((3 * 30 - 2, n * 30 - 2), dtype=np.float32)
        self._paste(0, self.images)
        self.img = ax.imshow(self.mosaic, cmap="gray_r", vmin=0, vmax=1,
                             interpolation="nearest")
        ax.set_xticks([30 * j + 13.5 for j in range(n)],
                      [tr("label {digit}", digit=d) for d in self.labels], fontsize=8)
        ax.set_yticks([13.5, 43.5, 73.5], [tr("original"), tr("copy 1"), tr("copy 2")], fontsize=8)
        ax.tick_params(length=0)
        for j in range(1, n):                 # thin separators between the digits
            ax.axvline(30 * j - 1.5, color="0.75", lw=0.8)
        for i in (1, 2):
            ax.axhline(30 * i - 1.5, color="0.75", lw=0.8)
        ax.xaxis.tick_top()
        self.caption = ax.set_xlabel("", fontsize=9)

    def _paste(self, row, images):
        for j, im in enumerate(images):
            self.mosaic[30 * row:30 * row + 28, 30 * j:30 * j + 28] = im

    def update(self, transform, strength, seed):
        label, fn, full = TRANSFORMS[transform]
        rng = np.random.default_rng(seed)
        for row in (1, 2):
            self._paste(row, fn(self.images, float(strength), rng))
        self.img.set_data(self.mosaic)
        self.caption.set_text(tr("{transform}, strength {strength:.2f} (1 = {full}); "
                                 "the label stays the same", transform=tr(label),
                                 strength=strength, full=tr(full)))


DEMOS = {"weight_decay": WeightDecayDemo, "dropout": DropoutDemo, "augment_gallery": AugmentGallery}
