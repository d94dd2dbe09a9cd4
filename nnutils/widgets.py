"""The one pattern every interactive demo uses: controls -> update -> a figure built once.

A demo is a plain object. It makes its controls, builds its figure once, and on every change
updates the figure's artists in place (``set_data``, ``set_height``, ``Stairs.set_data``, fixed
limits) and re-renders it to a PNG shown in an ``ipywidgets.Image``. Nothing is rebuilt per move.

    import numpy as np
    from nnutils.activations import sigmoid
    from nnutils.widgets import Demo, controls as C

    class Sigmoid(Demo):
        title = "sigmoid(a·(x − c))"
        presets = {"steep": {"slope": 8.0}, "shifted": {"shift": 2.0}}

        def make_controls(self):
            return {"slope": C.slider(1.0, 0.1, 10.0, log=True, description="slope a"),
                    "shift": C.slider(0.0, -4.0, 4.0, description="shift c")}

        def build(self, fig):                      # once
            ax = fig.add_subplot()
            self.x = np.linspace(-6, 6, 200)
            (self.line,) = ax.plot(self.x, 0 * self.x)
            ax.set(xlim=(-6, 6), ylim=(-0.05, 1.05), xlabel="x", ylabel="output")

        def update(self, slope, shift):            # every change
            self.line.set_ydata(sigmoid(slope * (self.x - shift)))

    Sigmoid()                 # last expression of a cell: the live demo
    Sigmoid(slope=8.0)        # start from other settings (what "show code" prints)

What the base class adds to every demo: preset buttons a teacher can jump to, a reset, a
"show code" button that prints the call reproducing the current settings, a status line where
an exception or a diverged run is shown (also written on the figure), a progress bar for
demos that retrain (``self.progress(...)``), and a PNG of the starting state in the display
bundle so a notebook read without a kernel (GitHub, nbviewer, HTML export) still shows it.

Tests drive demos without a browser: ``demo.set(slope=3.0)`` or
``demo.controls["slope"].value = 3.0``, then look at ``demo.fig``'s artists, ``demo.png()``
or ``demo.error``.

Threads. JupyterLab (4.4 and later, with ipykernel 7) delivers widget messages on a kernel
subshell: a thread beside the main one, which may at that moment be running a cell, a
"play" loop or another update. Two threads drawing one matplotlib figure leave it blank, so
a demo's updates, renders and button actions take its lock (``with demo.lock:``) and run one
at a time.
"""

from __future__ import annotations

import base64
import html
import io
import math
import threading
import time
from contextlib import contextmanager

import ipywidgets as W
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from nnutils.i18n import tr

__all__ = ["Demo", "controls", "render_png"]


def render_png(fig, dpi=None) -> bytes:
    """The figure as PNG bytes. Low zlib effort: the image is re-sent on every move."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, pil_kwargs={"compress_level": 1})
    return buf.getvalue()


def _without_float_noise(value):
    """A slider's value to 12 significant digits. The browser computes a slider's position
    in binary floating point and sends it back (−8 + 801 × 0.01 = 0.009999999999999787);
    no slider shows more than a few digits, so this only drops the noise "show code" would
    print."""
    return float(f"{value:.12g}") if type(value) is float else value


def _step_through(value, low, high, n=100):
    """About (high − low)/n, adjusted so that ``value`` lies on the grid low + k·step: a
    browser slider snaps its value to that grid and sends the snapped value back, so a default
    off the grid would change (0.3 → 0.294) as soon as the demo is shown."""
    step = (high - low) / n
    if value > low:
        step = (value - low) / max(1, round((value - low) / step))
    return step


class controls:
    """Small constructors so demos read like a list of knobs."""

    @staticmethod
    def slider(value, min, max, step=None, log=False, description=None, readout_format=None):
        """A float slider; ``log=True`` for a knob that spans decades (min, max are the values)."""
        if not min <= value <= max:
            raise ValueError(f"slider value {value} must lie in [{min}, {max}]")
        style = {"description_width": "initial"}
        if log:
            if min <= 0:
                raise ValueError(f"a log slider needs min > 0, got {min}")
            lo, hi = math.log10(min), math.log10(max)
            return W.FloatLogSlider(value=value, base=10, min=lo, max=hi,
                                    step=step or _step_through(math.log10(value), lo, hi), description=tr(description or ""),
                                    readout_format=readout_format or ".3g", style=style)
        return W.FloatSlider(value=value, min=min, max=max, step=step or _step_through(value, min, max),
                             description=tr(description or ""), readout_format=readout_format or ".3g",
                             style=style)

    @staticmethod
    def int_slider(value, min, max, step=1, description=None):
        if not min <= value <= max:
            raise ValueError(f"slider value {value} must lie in [{min}, {max}]")
        return W.IntSlider(value=value, min=min, max=max, step=step, description=tr(description or ""),
                           style={"description_width": "initial"})

    @staticmethod
    def dropdown(options, value=None, description=None):
        options = list(options)
        values = [o[1] if isinstance(o, tuple) else o for o in options]
        if value is None:
            value = values[0]
        if value not in values:
            raise ValueError(f"dropdown value {value!r} must be one of {values}")
        options = [(tr(o[0]), o[1]) if isinstance(o, tuple) else o for o in options]
        return W.Dropdown(options=options, value=value, description=tr(description or ""),
                          style={"description_width": "initial"})

    @staticmethod
    def toggle(value=False, description=""):
        return W.Checkbox(value=bool(value), description=tr(description), indent=False)

    @staticmethod
    def choose_many(options, value=(), description=None):
        """Pick any subset (e.g. which optimizers to show)."""
        return W.SelectMultiple(options=list(options), value=tuple(value),
                                description=tr(description or ""), rows=min(len(options), 6),
                                style={"description_width": "initial"})


class Demo:
    """Base class of every interactive demo; see the module docstring for the pattern.

    Subclasses define ``make_controls()`` (name -> ipywidget), ``build(fig)`` (once) and
    ``update(**values)`` (every change), and optionally ``presets``, ``buttons()`` (label ->
    callable, e.g. a "step" button) and ``code(**values)``.

    Layout. By default the knobs wrap in one row and the buttons (presets, ``buttons()``,
    reset, show code) in the next. A demo with many knobs sorts them under headings instead:

        control_groups = {"data": ("dataset", "noise"), "training": ("lr", "batch_size")}

    puts each group in a column of its own, headed by its name, in the order given; every
    control belongs to exactly one group. ``preset_heading = "experiments"`` moves the preset
    buttons to a row of their own under the other buttons, after that heading, and
    ``button_icons`` (label -> Font Awesome name, e.g. ``{"play": "play"}``) puts an icon on
    a ``buttons()`` button.
    """

    title = ""
    presets: dict = {}
    control_groups: dict = {}   # heading -> control names; empty: the knobs wrap in one row
    preset_heading = ""         # non-empty: the presets get their own row, after this heading
    button_icons: dict = {}     # label of a buttons() button -> Font Awesome icon name
    figsize = (7.0, 3.5)
    dpi = 80
    retrains = False  # True: sliders update on release and the progress bar is shown
    relayout = False  # True: re-run the figure's layout engine on every render (slow)

    def __init__(self, **values):
        self.controls = self.make_controls()
        unknown = set(values) - set(self.controls)
        if unknown:
            raise ValueError(f"{type(self).__name__} has no control named {sorted(unknown)}; "
                             f"its controls are {list(self.controls)}")
        self.defaults = {name: w.value for name, w in self.controls.items()}
        self.error = None
        self.last_update_seconds = None
        self.updates = 0                 # how many times update() ran
        self.lock = threading.RLock()    # see "Threads" in the module docstring
        self._holding = False
        self._drawn = None               # the values the figure shows

        self.fig = Figure(figsize=self.figsize, dpi=self.dpi, layout="constrained")
        FigureCanvasAgg(self.fig)
        self.build(self.fig)
        self._message = self.fig.text(0.5, 0.5, "", ha="center", va="center", color="#b00020",
                                      fontsize=12, wrap=True, zorder=10,
                                      bbox=dict(facecolor="white", edgecolor="#b00020", alpha=0.9))
        self._message.set_visible(False)

        self.image = W.Image(format="png")
        self.status = W.HTML()
        self.bar = W.FloatProgress(min=0.0, max=1.0, layout=W.Layout(visibility="hidden"))
        self.code_view = W.HTML()
        for w in self.controls.values():
            if self.retrains and hasattr(w, "continuous_update"):
                w.continuous_update = False
            w.observe(self._on_change, names="value")
        self.widget = self._layout()

        with self.hold():
            for name, v in values.items():
                self.controls[name].value = v
        self.refresh()
        self.initial_png = self.image.value

    # --- to override -------------------------------------------------------------------
    def make_controls(self) -> dict:
        return {}

    def build(self, fig):
        raise NotImplementedError

    def update(self, **values):
        raise NotImplementedError

    def buttons(self) -> dict:
        """Extra buttons: label -> callable (no arguments)."""
        return {}

    def code(self, **values) -> str:
        """Python that reproduces the current settings; the default rebuilds this demo."""
        args = ", ".join(f"{k}={v!r}" for k, v in values.items() if v != self.defaults[k])
        cls = type(self)
        return f"from {cls.__module__} import {cls.__name__}\n{cls.__name__}({args})"

    # --- what tests and notebooks use ------------------------------------------------------
    @property
    def values(self) -> dict:
        return {name: _without_float_noise(w.value) for name, w in self.controls.items()}

    def set(self, **values):
        """Change several controls, then update once. Returns the demo (for chaining)."""
        unknown = set(values) - set(self.controls)
        if unknown:
            raise ValueError(f"{type(self).__name__} has no control named {sorted(unknown)}; "
                             f"its controls are {list(self.controls)}")
        with self.lock:
            with self.hold():
                for name, v in values.items():
                    self.controls[name].value = v
            self.refresh()
        return self

    def apply_preset(self, name):
        if name not in self.presets:
            raise ValueError(f"unknown preset {name!r}; presets are {list(self.presets)}")
        return self.set(**{**self.defaults, **self.presets[name]})

    def reset(self):
        return self.set(**self.defaults)

    def code_text(self) -> str:
        return self.code(**self.values)

    def extremes(self, name) -> list:
        """The values a test (or a curious student) should try for a control: both ends of a
        slider, every option of a dropdown, both states of a toggle, none/one/all of a set."""
        w = self.controls[name]
        if isinstance(w, W.FloatLogSlider):
            return [w.base ** w.min, w.base ** w.max]
        if isinstance(w, (W.FloatSlider, W.IntSlider)):
            return [w.min, w.max]
        if isinstance(w, W.Checkbox):
            return [not w.value, w.value]
        if isinstance(w, W.SelectMultiple):
            return [(), tuple(w.options)[:1], tuple(w.options)]
        if isinstance(w, (W.Dropdown, W.ToggleButtons, W.RadioButtons)):
            return [v for _, v in w._options_full]
        raise TypeError(f"no extreme values known for a {type(w).__name__}")

    def stops(self, name) -> list:
        """Every value a control can take: each step of a slider, every option of a dropdown,
        both states of a toggle (what make lite runs to record a retraining demo)."""
        w = self.controls[name]
        if isinstance(w, (W.FloatSlider, W.IntSlider, W.FloatLogSlider)):
            grid = [w.min + w.step * k for k in range(round((w.max - w.min) / w.step) + 1)]
            return [w.base ** g for g in grid] if isinstance(w, W.FloatLogSlider) else grid
        if isinstance(w, W.SelectMultiple):
            raise TypeError("a multiple choice has no list of stops")
        return self.extremes(name)

    def png(self) -> bytes:
        return self.image.value

    def refresh(self):
        """Run the update, show any error on the figure and beside it, and re-render."""
        with self.lock:
            start = time.perf_counter()
            self.message("")
            self.error = None
            self._drawn = values = self.values
            self.updates += 1
            try:
                self.update(**values)
            except Exception as exc:  # shown to the student, never swallowed
                self.error = f"{type(exc).__name__}: {exc}"
                self.message(self.error)
            self.render()
            self.last_update_seconds = time.perf_counter() - start

    def render(self):
        """Push the current figure to the page (also usable mid-update, e.g. while training)."""
        with self.lock:
            self.image.value = render_png(self.fig)
            if not self.relayout:
                # limits are fixed, so the first render's layout stays right; re-running the
                # constrained layout on every move costs more than the rest of an update
                self.fig.set_layout_engine("none")

    def message(self, text):
        """Show a message (e.g. "diverged at step 12 …") on the figure and in the status line."""
        self._message.set_text(text)
        self._message.set_visible(bool(text))
        self.status.value = (f"<span style='color:#b00020'>{html.escape(text)}</span>"
                             if text else "")

    def progress(self, fraction, text=""):
        """Progress of a slow update; call with fraction >= 1 (or use ``busy``) to hide it."""
        done = fraction >= 1
        self.bar.value = min(max(float(fraction), 0.0), 1.0)
        self.bar.layout.visibility = "hidden" if done else "visible"
        if text and not self.error:
            self.status.value = html.escape(text)

    @contextmanager
    def hold(self):
        """Change several controls without an update per change."""
        with self.lock:   # a change from another thread meanwhile waits, then updates
            previous, self._holding = self._holding, True
            try:
                yield self
            finally:
                self._holding = previous

    # --- plumbing ---------------------------------------------------------------------------
    def _on_change(self, change):
        with self.lock:
            # skip a change the figure already shows: an update that waited for another
            # thread's, or a slider echoing a value back with float noise
            if not self._holding and self.values != self._drawn:
                self.refresh()

    def _layout(self):
        presets, actions = [], []
        for name in self.presets:
            b = W.Button(description=tr(name), tooltip=tr("preset: {name}", name=tr(name)),
                         layout=W.Layout(width="auto"))
            b.on_click(lambda _, n=name: self.apply_preset(n))
            presets.append(b)
        for label, action in self.buttons().items():
            b = W.Button(description=tr(label), layout=W.Layout(width="auto"), button_style="info",
                         icon=self.button_icons.get(label, ""))
            b.on_click(lambda _, f=action: self._run_button(f))
            actions.append(b)
        reset = W.Button(description=tr("reset"), icon="undo", layout=W.Layout(width="auto"))
        reset.on_click(lambda _: self.reset())
        show = W.Button(description=tr("show code"), icon="code", layout=W.Layout(width="auto"))
        show.on_click(lambda _: self._show_code())
        actions += [reset, show]
        if self.preset_heading:
            heading = W.HTML(f"{html.escape(tr(self.preset_heading))}:&nbsp;")
            buttons = W.VBox([W.HBox(actions), W.HBox([heading] + presets, layout=W.Layout(
                flex_flow="row wrap", align_items="center"))])
        else:
            buttons = W.Box(presets + actions, layout=W.Layout(flex_flow="row wrap"))
        header = [W.HTML(f"<b>{html.escape(tr(self.title))}</b>")] if self.title else []
        return W.VBox(header + [self._knobs(), buttons, self.bar, self.status, self.image,
                                self.code_view])

    def _knobs(self):
        """The controls: one wrapping row, or a headed column per entry of control_groups."""
        if not self.control_groups:
            return W.Box(list(self.controls.values()),
                         layout=W.Layout(display="flex", flex_flow="row wrap"))
        grouped = [name for names in self.control_groups.values() for name in names]
        problems = {"not a control": sorted(set(grouped) - set(self.controls)),
                    "in more than one group": sorted({n for n in grouped if grouped.count(n) > 1}),
                    "in no group": [n for n in self.controls if n not in grouped]}
        problems = "; ".join(f"{what}: {names}" for what, names in problems.items() if names)
        if problems:
            raise ValueError(f"{type(self).__name__}.control_groups must name every control "
                             f"exactly once ({problems})")
        return W.HBox([W.VBox([W.HTML(f"<b>{html.escape(tr(heading))}</b>")]
                              + [self.controls[name] for name in names])
                       for heading, names in self.control_groups.items()],
                      layout=W.Layout(flex_flow="row wrap"))

    def _run_button(self, action):
        with self.lock:
            try:
                action()
            except Exception as exc:
                self.error = f"{type(exc).__name__}: {exc}"
                self.message(self.error)
                self.render()

    def _show_code(self):
        self.code_view.value = ("<pre style='background:#f6f8fa;padding:6px'>"
                                f"{html.escape(self.code_text())}</pre>")

    def _repr_mimebundle_(self, include=None, exclude=None):
        bundle = self.widget._repr_mimebundle_(include=include, exclude=exclude) or {}
        if isinstance(bundle, tuple):
            bundle = bundle[0]
        bundle = dict(bundle)
        bundle["image/png"] = base64.b64encode(self.initial_png).decode("ascii")
        bundle["text/plain"] = f"<{type(self).__name__} demo: {tr(self.title)}>"
        return bundle
