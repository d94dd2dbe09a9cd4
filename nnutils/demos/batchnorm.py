"""Lesson 6 demo: batch normalization (배치 정규화) rescues a badly scaled initialization.

The lecture's network: 784-100×5-10 ReLU, weights ~ N(0, scale²), trained with SGD on 1,000
MNIST training images for 20 epochs. Without BN only a narrow band of scales trains; with BN
(Linear → BatchNorm → ReLU) almost any scale does, and larger learning rates become usable.

The experiment is ``nnutils.experiments.batchnorm`` (``train_run``, shared with the notebook's
sweep, and ``relu_outputs``); ``BatchNormDemo`` puts scale × BN on/off × lr under controls,
in half-decade stops, and retrains on release (≈ 0.5–2 s, with progress; each setting is
trained once and remembered; the browser edition loads all 126 settings computed ahead of time).
"""

from __future__ import annotations

import numpy as np

from nnutils import precomputed
from nnutils.experiments.batchnorm import EPOCHS, SIZES, lecture_setup, relu_outputs, train_run
from nnutils.i18n import tr
from nnutils.model import mlp
from nnutils.plots import PALETTE, hist_stairs
from nnutils.widgets import Demo, controls as C

__all__ = ["HIST_BINS", "BatchNormDemo", "DEMOS"]

HIST_BINS = np.linspace(0.0, 3.0, 16)       # ReLU outputs; values beyond 3 land in the last bin

# per-setting results of the demo (curve, histogram counts): every run is seeded, so a setting
# always gives the same numbers; returning to it shows the stored run instead of retraining
_RESULTS = {}


def _fmt_std(s):
    if not np.isfinite(s):
        return "inf"
    return f"{s:.2g}" if 1e-2 <= s < 1e3 else f"{s:.0e}"


def _setting(scale, batchnorm, lr):
    """The words for one setting, as the legend, the status line and the messages say it."""
    return tr("BN, scale {scale:.2g}, lr {lr:.2g}" if batchnorm
              else "no BN, scale {scale:.2g}, lr {lr:.2g}", scale=scale, lr=lr)


class BatchNormDemo(Demo):
    """Init scale × BN on/off × learning rate → training accuracy and layer histograms."""

    title = "Batch normalization vs the init scale (784-100×5-10 ReLU, 1,000 images, SGD)"
    figsize = (9.0, 5.0)
    retrains = True
    presets = {
        "no BN, scale 0.01 (stuck)": {"batchnorm": False, "scale": 0.01, "lr": 0.01},
        "BN, scale 0.01 (trains)": {"batchnorm": True, "scale": 0.01, "lr": 0.01},
        "no BN, scale 0.2 (the narrow band)": {"batchnorm": False, "scale": 0.2, "lr": 0.01},
        "no BN, scale 1 (explodes)": {"batchnorm": False, "scale": 1.0, "lr": 0.01},
        "BN, lr 0.3 (higher lr)": {"batchnorm": True, "scale": 0.01, "lr": 0.3},
    }

    def __init__(self, epochs=EPOCHS, **values):
        self.epochs = int(epochs)
        self.previous = None
        super().__init__(**values)

    def make_controls(self):
        # half-decade stops: few enough settings (9 x 2 x 7) to be computed ahead of time
        return {"scale": C.slider(0.01, 1e-4, 1.0, log=True, step=0.5,
                                  description="init scale (std)"),
                "batchnorm": C.toggle(True, description="batch norm"),
                "lr": C.slider(0.01, 1e-3, 1.0, log=True, step=0.5, description="learning rate")}

    def build(self, fig):
        gs = fig.add_gridspec(2, 5, height_ratios=[1.25, 1.0])
        ax = fig.add_subplot(gs[0, :])
        ax.set(xlim=(0, self.epochs), ylim=(0, 1.02), xlabel=tr("epoch"),
               ylabel=tr("training accuracy"))
        ax.axhline(0.1, color="0.6", lw=0.8, ls=":")
        ax.text(0.2, 0.12, tr("chance"), ha="left", va="bottom", fontsize=8, color="0.4")
        (self.prev_line,) = ax.plot([], [], color="0.55", ls="--", lw=1.5,
                                    label=tr("previous setting"))
        (self.line,) = ax.plot([], [], color=PALETTE[0], lw=2.2, marker="o", ms=3,
                               label=tr("this setting"))
        self.final_text = ax.text(0.01, 0.96, "", transform=ax.transAxes, va="top", fontsize=9)
        ax.legend(loc="center right", fontsize=8)
        self.ax_curve = ax
        self.hist_after, self.hist_init, self.std_text = [], [], []
        for i in range(5):
            axh = fig.add_subplot(gs[1, i])
            self.hist_init.append(axh.stairs(np.zeros(len(HIST_BINS) - 1), HIST_BINS,
                                             color=PALETTE[1], lw=1.5, label=tr("at init")))
            self.hist_after.append(hist_stairs(axh, HIST_BINS, color=PALETTE[0], alpha=0.55,
                                               label=tr("after training")))
            axh.set(xlim=(0, 3), ylim=(0, 1), xticks=[0, 1, 2, 3],
                    xticklabels=["0", "1", "2", "≥3"], title=tr("layer {n}", n=i + 1))
            axh.title.set_fontsize(9)
            axh.set_xlabel(tr("ReLU output"), fontsize=8)
            axh.tick_params(labelsize=7)
            if i == 0:
                axh.set_ylabel(tr("fraction of units"), fontsize=8)
            else:
                axh.set_yticklabels([])
            self.std_text.append(axh.text(0.97, 0.95, "", transform=axh.transAxes, ha="right",
                                          va="top", fontsize=7))
        self.hist_init[0].axes.legend(loc="center right", fontsize=6)

    def update(self, scale, batchnorm, lr):
        label = _setting(scale, batchnorm, lr)
        if self.previous is not None and self.previous[0] != label:
            self.prev_line.set_data(*self.previous[1])
            self.prev_line.set_label(tr("previous: {setting}", setting=self.previous[0]))
        key = (round(float(scale), 12), bool(batchnorm), round(float(lr), 12), self.epochs)
        cached = key in _RESULTS
        if not cached:
            self.progress(0.0, tr("training {setting} …", setting=label))
            _RESULTS[key] = precomputed.remembered(
                "batchnorm_demo", list(key), lambda: self._compute(scale, batchnorm, lr))
            self.progress(1.0)
        r = _RESULTS[key]
        epochs = np.arange(1, len(r["acc"]) + 1)
        self.line.set_data(epochs, r["acc"])
        self.line.set_label(tr("this setting: {setting}", setting=label))
        self.ax_curve.legend(loc="center right", fontsize=8)
        self.previous = (label, (epochs, list(r["acc"])))
        self.final_text.set_text(
            tr("{setting}: final training accuracy {accuracy:.3f}", setting=label,
               accuracy=r["acc"][-1]) if r["acc"]
            else tr("{setting}: no complete epoch", setting=label))
        for i in range(5):
            self.hist_init[i].set_data(r["init_counts"][i])
            self.hist_after[i].set_data(r["after_counts"][i])
            self.std_text[i].set_text(tr("init std = {init}\nafter std = {after}",
                                         init=_fmt_std(r["init_std"][i]),
                                         after=_fmt_std(r["after_std"][i])))
        if r["diverged"]:
            self.message(f"{label}: {precomputed.diverged_message(*r['diverged'])}")
        elif cached:
            self.status.value = tr("{setting}: cached result (this setting was trained before)",
                                   setting=label)

    def _compute(self, scale, batchnorm, lr):
        """Train once; keep only what the figure shows (curve, histogram counts, stds, where
        it diverged), as JSON."""
        probe = lecture_setup()[0][:500]
        # train_run's network before training: the "at init" histograms
        untrained = mlp(SIZES, init="normal", std=scale, batchnorm=batchnorm, seed=0)
        report = (lambda h: self.progress(h.epochs / self.epochs,
                                          tr("epoch {epoch}/{epochs}, training accuracy {accuracy:.3f}",
                                             epoch=h.epochs, epochs=self.epochs,
                                             accuracy=h.train_acc[-1])))
        with np.errstate(all="ignore"):
            init_acts = relu_outputs(untrained, probe, train=True)
            model, hist = train_run(scale, batchnorm, lr, epochs=self.epochs, progress=report)
            after = relu_outputs(model, probe, train=False)
        out = {"acc": list(hist.train_acc),
               "diverged": [hist.steps + 1, hist.lr[-1]] if hist.diverged else None,
               "init_counts": [], "after_counts": [], "init_std": [], "after_std": []}
        for acts, counts, stds in [(init_acts, out["init_counts"], out["init_std"]),
                                   (after, out["after_counts"], out["after_std"])]:
            for a in acts:
                a = np.nan_to_num(a, nan=np.inf)
                counts.append(_fractions(a).tolist())
                with np.errstate(all="ignore"):
                    stds.append(float(np.std(a)))
        return out


def _fractions(values):
    """Fraction of values per HIST_BINS bin; values outside are counted in the edge bins."""
    v = np.clip(np.ravel(values), HIST_BINS[0], HIST_BINS[-1])
    counts, _ = np.histogram(v, HIST_BINS)
    return counts / max(counts.sum(), 1)


DEMOS = {"batchnorm": BatchNormDemo}
