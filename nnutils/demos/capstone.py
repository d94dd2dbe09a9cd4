"""Lesson 9 demo: browse the test digits a trained network gets wrong (오분류 예).

``MistakeBrowser(probs, images, labels)``: the confusion matrix (혼동 행렬) of a classifier's
predictions beside a page of its misclassified images, each with its true and predicted
label and the probability the network gave its (wrong) answer. Choose a true digit and/or a
predicted digit (the matching cell of the matrix is outlined), the order (most or least
confident mistakes first) and the page. Nothing is retrained: it is a light demo.

Without arguments it uses ``nnutils.experiments.mistakes.default_predictions`` (a small network
trained for a second on the embedded sample, cached), so the demo also works on its own; the
lesson 9 notebook passes its recipe network's predictions.
"""

from __future__ import annotations

import numpy as np
from matplotlib import colormaps
from matplotlib.patches import Rectangle

from nnutils.experiments.mistakes import confusion_matrix, default_predictions
from nnutils.i18n import tr
from nnutils.widgets import Demo, controls as C

__all__ = ["MistakeBrowser", "DEMOS"]

ROWS, COLS = 3, 6
PER_PAGE = ROWS * COLS
ANY = -1
_DIGITS = [("any", ANY)] + [(str(d), d) for d in range(10)]


class MistakeBrowser(Demo):
    """Confusion matrix + a page of misclassified test images, filtered by true/predicted digit."""

    title = "Mistakes (오분류): the test images the network gets wrong"
    figsize = (9.6, 3.9)
    presets = {"4 taken for 9": {"true": 4, "predicted": 9}, "all 7s": {"true": 7},
               "least confident": {"order": "least"}}

    def __init__(self, probs=None, images=None, labels=None, **values):
        if probs is None:
            probs, images, labels = default_predictions()
        probs = np.asarray(probs, dtype=np.float64)
        labels = np.asarray(labels)
        images = np.asarray(images)
        if probs.ndim != 2 or probs.shape[1] != 10 or len(probs) != len(labels) \
                or len(images) != len(labels):
            raise ValueError(f"probs (n, 10), images (n, 784 or 28, 28) and labels (n,) must "
                             f"match; got {probs.shape}, {images.shape}, {labels.shape}")
        self.probs, self.labels = probs, labels
        self.images = images.reshape(len(images), 28, 28)
        self.pred = probs.argmax(axis=1)
        self.conf = probs[np.arange(len(probs)), self.pred]
        self.counts = confusion_matrix(labels, self.pred)
        super().__init__(**values)

    def make_controls(self):
        return {"true": C.dropdown(_DIGITS, ANY, description="true digit"),
                "predicted": C.dropdown(_DIGITS, ANY, description="predicted as"),
                "order": C.dropdown([("most confident first", "most"),
                                     ("least confident first", "least")], "most",
                                    description="order"),
                "page": C.int_slider(0, 0, 5, description="page")}

    def build(self, fig):
        fig.set_layout_engine("none")
        ax = fig.add_axes((0.055, 0.13, 0.33, 0.72))
        off = self.counts.astype(float)
        np.fill_diagonal(off, np.nan)               # the diagonal (right answers) would swamp it
        cmap = colormaps["Reds"].with_extremes(bad="#dfe9f3")
        ax.imshow(off, cmap=cmap, vmin=0, vmax=max(1.0, np.nanmax(off)), interpolation="nearest")
        dark = 0.6 * max(1.0, np.nanmax(off))
        for i in range(10):
            for j in range(10):
                c = self.counts[i, j]
                if c:
                    ax.text(j, i, str(c), ha="center", va="center", fontsize=6.5,
                            color="0.25" if i == j else ("w" if c > dark else "k"))
        ax.set_xticks(range(10))
        ax.set_yticks(range(10))
        ax.tick_params(labelsize=7, length=0)
        ax.set(xlabel=tr("predicted digit"), ylabel=tr("true digit"))
        right = int(self.counts.trace())
        ax.set_title(tr("confusion matrix: {right} right (blue diagonal), {wrong} wrong",
                        right=right, wrong=int(self.counts.sum()) - right), fontsize=8)
        self.cell = ax.add_patch(Rectangle((-0.5, -0.5), 10, 10, fill=False, edgecolor="#0072B2",
                                           lw=2.2))
        # the page of images: one mosaic image plus a caption per tile
        gx = fig.add_axes((0.43, 0.02, 0.56, 0.83))
        self.mosaic = np.ones((ROWS * 36, COLS * 32), dtype=np.float32)
        self.tiles = gx.imshow(self.mosaic, cmap="gray_r", vmin=0, vmax=1, interpolation="nearest")
        gx.set_axis_off()
        # each tile: the image in its top 28 rows, its caption right below it (y grows downwards)
        self.captions = [gx.text(c * 32 + 14, r * 36 + 29.5, "", ha="center", va="top",
                                 fontsize=7) for r in range(ROWS) for c in range(COLS)]
        self.head = fig.text(0.43, 0.97, "", fontsize=9, va="top")
        fig.text(0.43, 0.905, tr("under each image: true → predicted (probability the network "
                                 "gave its prediction)"), fontsize=7.5, va="top", color="0.35")

    def update(self, true, predicted, order, page):
        sel = self.pred != self.labels
        if true != ANY:
            sel &= self.labels == true
        if predicted != ANY:
            sel &= self.pred == predicted
        idx = np.flatnonzero(sel)
        idx = idx[np.argsort(-self.conf[idx] if order == "most" else self.conf[idx], kind="stable")]
        shown = idx[page * PER_PAGE:(page + 1) * PER_PAGE]
        self.mosaic.fill(0.0)
        for k, cap in enumerate(self.captions):
            if k < len(shown):
                i = shown[k]
                r, c = divmod(k, COLS)
                self.mosaic[r * 36 + 1:r * 36 + 29, c * 32 + 1:c * 32 + 29] = self.images[i]
                cap.set_text(f"{self.labels[i]} → {self.pred[i]} ({self.conf[i]:.2f})")
            else:
                cap.set_text("")
        self.tiles.set_data(self.mosaic)
        # outline the chosen row, column or cell of the matrix
        x0, w = (-0.5, 10) if predicted == ANY else (predicted - 0.5, 1)
        y0, h = (-0.5, 10) if true == ANY else (true - 0.5, 1)
        self.cell.set_bounds(x0, y0, w, h)
        what = tr("true {true} → predicted {predicted}",
                  true=true if true != ANY else tr("any"),
                  predicted=predicted if predicted != ANY else tr("any"))
        pages = max(1, -(-len(idx) // PER_PAGE))
        if len(shown):
            self.head.set_text(tr("{what}: {n} mistakes (page {page} of {pages})", what=what,
                                  n=len(idx), page=page + 1, pages=pages))
        elif len(idx):
            self.head.set_text(tr("{what}: {n} mistakes fill {pages} page(s) — page {page} is "
                                  "empty", what=what, n=len(idx), pages=pages, page=page + 1))
        else:
            why = (f" ({tr('a right answer is not a mistake')})"
                   if true != ANY and true == predicted else "")
            self.head.set_text(tr("{what}: no mistakes of this kind", what=what) + why)

    def code(self, true, predicted, order, page):
        cond = ["pred != labels"]
        if true != ANY:
            cond.append(f"labels == {true}")
        if predicted != ANY:
            cond.append(f"pred == {predicted}")
        key = "-conf[idx]" if order == "most" else "conf[idx]"
        return ("# probs: predicted probabilities (n, 10); images; labels\n"
                "pred = probs.argmax(axis=1)\n"
                "conf = probs.max(axis=1)\n"
                f"idx = np.flatnonzero({' & '.join(f'({c})' for c in cond)})\n"
                f"idx = idx[np.argsort({key}, kind='stable')]\n"
                f"page = idx[{page * PER_PAGE}:{(page + 1) * PER_PAGE}]")


DEMOS = {"mistakes": MistakeBrowser}
