"""Lesson 4 demo: weight initialization (가중치 초기화) and the activation histograms.

The lecture's experiment: 1,000 random inputs with 100 features go through 5 layers of 100
units (no bias); we look at the distribution of each layer's activations. Too small a std
collapses them (every unit alike, gradients vanish — 기울기 소실); too large a std saturates
sigmoid/tanh or blows ReLU up; Xavier (sigmoid/tanh) and He (ReLU) keep them spread.

The experiment is ``nnutils.experiments.initialization`` (``layer_activations`` forwards,
``layer_gradient_stds`` backwards); ``HistogramDemo`` puts activation × init under controls,
runs ``layer_activations`` on every change and redraws the 5 panels in place.
"""

from __future__ import annotations

import matplotlib as mpl
import numpy as np
from matplotlib.ticker import FuncFormatter, MaxNLocator

from nnutils.experiments.initialization import PRESETS, layer_activations, layer_stats
from nnutils.i18n import tr
from nnutils.init import init_std
from nnutils.plots import PALETTE
from nnutils.widgets import Demo, controls as C

__all__ = ["HistogramDemo", "HIST_RANGE", "DEMOS"]

# Histogram ranges that fit each activation: tanh's negative half and ReLU's values above 1
# must be visible (values beyond the right edge are counted in the last bin and reported).
HIST_RANGE = {"sigmoid": (0.0, 1.0), "tanh": (-1.0, 1.0), "relu": (0.0, 5.0)}
TICKS = {"sigmoid": (0, 0.5, 1), "tanh": (-1, 0, 1), "relu": (0, 1, 2, 3, 4, 5)}
N_BINS = 40


class HistogramDemo(Demo):
    """5 per-layer activation histograms for activation × init, redrawn in place."""

    title = "Activation histograms of 5 layers (층별 활성값 분포): activation × weight init"
    figsize = (12.0, 3.3)
    presets = PRESETS

    def make_controls(self):
        return {
            "activation": C.dropdown([("sigmoid", "sigmoid"), ("tanh", "tanh"), ("ReLU", "relu")],
                                     "sigmoid", description="activation"),
            "init": C.dropdown([("N(0, std²) — use the slider", "normal"),
                                ("Xavier: √(2/(n_in+n_out)) = √(1/100)", "xavier"),
                                ("He: std = √(2/n_in)", "he")], "normal",
                               description="weight init"),
            "std": C.slider(1.0, 1e-3, 10.0, log=True, description="std (log scale)"),
        }

    def build(self, fig):
        self.depth, self.width = 5, 100
        # fixed margins instead of constrained layout: the panels never move, and recomputing
        # the layout costs about a third of every redraw of 5 panels
        fig.set_layout_engine("none")
        grid = fig.add_gridspec(1, self.depth, left=0.065, right=0.99, bottom=0.15, top=0.83,
                                wspace=0.18)
        self.axes = grid.subplots(sharey=True)
        self.axes[0].yaxis.set_major_formatter(
            FuncFormatter(lambda v, _: f"{100 * v:.3g}%" if v <= 1.0001 else ""))
        self.stairs, self.texts, self.overflow = [], [], []
        for i, ax in enumerate(self.axes):
            self.stairs.append(ax.stairs(np.zeros(N_BINS), np.linspace(0, 1, N_BINS + 1),
                                         fill=True, color=PALETTE[0], alpha=0.85))
            # monospace for the aligned numbers; letters it lacks (Hangul) from the figure's fonts
            self.texts.append(ax.text(0.03, 0.97, "", transform=ax.transAxes, va="top",
                                      ha="left", fontsize=8,
                                      family=["monospace", *mpl.rcParams["font.family"]],
                                      bbox=dict(fc="white", ec="0.8", alpha=0.85, pad=2)))
            self.overflow.append(ax.text(0.97, 0.55, "", transform=ax.transAxes, ha="right",
                                         fontsize=8, color=PALETTE[1]))
            ax.set_title(tr("layer {n}", n=i + 1), fontsize=10)
        self.axes[0].set_ylabel(tr("share of the 100,000 values"))
        self.axes[0].yaxis.set_major_locator(MaxNLocator(4))
        fig.supxlabel(tr("activation value of each layer"), fontsize=10, y=0.01)
        self._bins = None

    def update(self, activation, init, std):
        # the same seed every time: moving the std slider rescales the same N(0, 1) draws
        acts = layer_activations(activation, init, std, width=self.width, depth=self.depth)
        s = init_std(init, self.width, self.width, std=std)    # "normal": the slider's std
        lo, hi = HIST_RANGE[activation]
        edges = np.linspace(lo, hi, N_BINS + 1)
        if self._bins != activation:               # fixed bins per activation
            for ax in self.axes:
                ax.set_xlim(lo, hi)
                ax.set_xticks(TICKS[activation], [f"{t:g}" for t in TICKS[activation]])
            self._bins = activation
        top = 0.0
        for l, a in enumerate(acts):
            mean, sd, frac = layer_stats(a, activation)
            v = a[a > 0] if activation == "relu" else a.ravel()   # ReLU zeros: reported as text
            # bin index by arithmetic (faster than np.histogram); beyond the range -> edge bins
            # np.intp: np.bincount takes it on 32-bit platforms (Pyodide) too
            idx = np.clip(((v - lo) * (N_BINS / (hi - lo))).astype(np.intp), 0, N_BINS - 1)
            counts = np.bincount(idx, minlength=N_BINS) / a.size
            self.stairs[l].set_data(counts, edges)
            top = max(top, counts.max())
            stats = ("mean {mean:9.3g}\nstd  {std:9.3g}\nzero {share:7.1f}%" if activation == "relu"
                     else "mean {mean:9.3g}\nstd  {std:9.3g}\nsat. {share:7.1f}%")
            self.texts[l].set_text(tr(stats, mean=mean, std=sd, share=100 * frac))
            beyond = np.mean(a > hi)
            self.overflow[l].set_text(tr("{share:.0f}% > {limit:g}\n(in last bin) →",
                                         share=100 * beyond, limit=hi) if beyond > 0.005 else "")
        self.axes[0].set_ylim(0, max(top, 0.05) * 1.6)   # room for the text box above the bars
        self.fig.suptitle(tr("{activation}, weights N(0, {std:.3g}²)", activation=activation, std=s)
                          + ("" if init == "normal" else f" = {init}")
                          + (tr("  —  ReLU zeros not drawn (see 'zero')") if activation == "relu"
                             else ""),
                          fontsize=10)

    def code(self, activation, init, std):
        extra = f", std={std:.3g}" if init == "normal" else ""
        return ("from nnutils.experiments.initialization import layer_activations, layer_stats\n"
                f"acts = layer_activations({activation!r}, init={init!r}{extra})\n"
                f"for a in acts:\n    print(layer_stats(a, {activation!r}))")


DEMOS = {"activation_histograms": HistogramDemo}
