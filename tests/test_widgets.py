"""The demo toolkit itself, on a tiny demo defined here."""

import threading

import numpy as np
import pytest

from nnutils.widgets import Demo, controls as C


class Line(Demo):
    title = "a line"
    presets = {"steep": {"slope": 5.0}}

    def make_controls(self):
        return {"slope": C.slider(1.0, 0.1, 10.0, log=True),
                "shift": C.slider(0.0, -2.0, 2.0),
                "kind": C.dropdown(["line", "broken"])}

    def build(self, fig):
        ax = fig.add_subplot()
        self.builds = getattr(self, "builds", 0) + 1
        self.x = np.linspace(-1, 1, 50)
        (self.line,) = ax.plot(self.x, self.x)
        ax.set(xlim=(-1, 1), ylim=(-20, 20))

    def update(self, slope, shift, kind):
        if kind == "broken":
            raise RuntimeError("the update failed on purpose")
        self.line.set_ydata(slope * self.x + shift)


def test_update_changes_artists_in_place_and_the_png():
    demo = Line()
    fig, line, png = demo.fig, demo.line, demo.png()
    demo.set(slope=3.0)
    assert demo.fig is fig and demo.line is line and demo.builds == 1
    np.testing.assert_allclose(line.get_ydata(), 3.0 * demo.x)
    assert demo.png() != png


def test_moving_a_widget_updates_like_set():
    demo = Line()
    demo.controls["shift"].value = 1.5
    np.testing.assert_allclose(demo.line.get_ydata(), demo.x + 1.5)


def test_initial_values_presets_reset_and_code():
    demo = Line(slope=2.0)
    np.testing.assert_allclose(demo.line.get_ydata(), 2.0 * demo.x)
    assert "Line(slope=2.0)" in demo.code_text()
    demo.apply_preset("steep")
    assert demo.values["slope"] == 5.0
    demo.reset()
    assert demo.values == {"slope": 1.0, "shift": 0.0, "kind": "line"}
    ns = {}
    exec(demo.set(shift=1.0).code_text(), ns)


def test_errors_are_shown_not_swallowed_and_the_demo_recovers():
    demo = Line()
    demo.set(kind="broken")
    assert demo.error == "RuntimeError: the update failed on purpose"
    assert "failed on purpose" in demo.status.value
    assert demo._message.get_visible()
    demo.set(kind="line")
    assert demo.error is None and not demo._message.get_visible()


def test_bad_names_are_reported():
    with pytest.raises(ValueError, match="no control named"):
        Line(slop=2.0)
    with pytest.raises(ValueError, match="unknown preset"):
        Line().apply_preset("nope")
    with pytest.raises(ValueError, match="log slider needs min > 0"):
        C.slider(1.0, 0.0, 2.0, log=True)


def test_set_updates_once_for_several_controls():
    demo = Line()
    calls = []
    original = demo.update
    demo.update = lambda **v: (calls.append(v), original(**v))
    demo.set(slope=2.0, shift=1.0)
    assert len(calls) == 1


def test_progress_bar_shows_only_while_busy():
    demo = Line()
    demo.progress(0.5, "training 50%")
    assert demo.bar.layout.visibility == "visible" and demo.bar.value == 0.5
    demo.progress(1.0)
    assert demo.bar.layout.visibility == "hidden"


def test_extremes_cover_both_ends_and_every_option():
    demo = Line()
    assert demo.extremes("slope") == pytest.approx([0.1, 10.0])
    assert demo.extremes("shift") == [-2.0, 2.0]
    assert demo.extremes("kind") == ["line", "broken"]


def test_layout_is_computed_once_then_frozen():
    demo = Line()
    assert demo.fig.get_layout_engine() is None or \
        type(demo.fig.get_layout_engine()).__name__ == "PlaceHolderLayoutEngine"
    position = demo.fig.axes[0].get_position().bounds
    demo.set(slope=9.0, shift=-2.0)
    assert demo.fig.axes[0].get_position().bounds == position


def _texts(box):
    """The label of each button (or the text of each HTML) in a widget box, in order."""
    return [w.value if hasattr(w, "value") else w.description for w in box.children]


def test_without_groups_the_knobs_wrap_in_one_row_after_the_presets():
    demo = Line()
    knobs, buttons = demo.widget.children[1:3]
    assert list(knobs.children) == list(demo.controls.values())
    assert _texts(buttons) == ["steep", "reset", "show code"]


class Grouped(Line):
    """A Line with its knobs under two headings, the presets in a row of their own."""
    control_groups = {"shape": ("kind", "slope"), "position": ("shift",)}
    preset_heading = "try"
    button_icons = {"nudge": "arrow-up"}

    def buttons(self):
        return {"nudge": lambda: self.set(shift=self.values["shift"] + 0.5)}


def test_control_groups_make_one_headed_column_per_group_in_the_given_order():
    demo = Grouped()
    columns = demo.widget.children[1].children
    assert [c.children[0].value for c in columns] == ["<b>shape</b>", "<b>position</b>"]
    assert [c.children[1:] for c in columns] == [
        (demo.controls["kind"], demo.controls["slope"]), (demo.controls["shift"],)]


def test_preset_heading_and_button_icons():
    actions, presets = Grouped().widget.children[2].children
    assert _texts(actions) == ["nudge", "reset", "show code"]
    assert [b.icon for b in actions.children] == ["arrow-up", "undo", "code"]
    assert _texts(presets) == ["try:&nbsp;", "steep"]


@pytest.mark.parametrize("groups,problem", [
    ({"all": ("slope", "shift")}, r"in no group: \['kind'\]"),
    ({"all": ("slope", "shift", "kind", "tilt")}, r"not a control: \['tilt'\]"),
    ({"a": ("slope", "shift"), "b": ("kind", "shift")}, r"in more than one group: \['shift'\]")])
def test_control_groups_must_name_every_control_once(groups, problem):
    cls = type("BadGroups", (Line,), {"control_groups": groups})
    with pytest.raises(ValueError, match=r"BadGroups\.control_groups .*" + problem):
        cls()


@pytest.mark.parametrize("value,low,high,log", [(0.3, 1e-4, 10.0, True), (0.5, 0.0, 0.8, False),
                                                (0.99, 0.0, 0.999, False), (1e-3, 1e-5, 1.0, True)])
def test_a_default_lies_on_its_sliders_grid(value, low, high, log):
    # the browser snaps a slider's value to min + k·step and sends it back
    w = C.slider(value, low, high, log=log)
    origin, v = (w.min, np.log10(value)) if log else (w.min, value)
    k = (v - origin) / w.step
    assert abs(k - round(k)) < 1e-9
    assert 50 <= (w.max - w.min) / w.step <= 200  # still about a hundred positions


# --- threads: JupyterLab may deliver a widget message on a kernel subshell thread ----------
class Slow(Line):
    """A Line whose updates can be held open, counting how many run at once."""

    def __init__(self, **values):
        self.running = self.most_running = 0
        self.entered, self.release = threading.Event(), threading.Event()
        self.release.set()
        self.drawn = []
        super().__init__(**values)

    def update(self, **values):
        self.running += 1
        self.most_running = max(self.most_running, self.running)
        self.entered.set()
        self.release.wait(timeout=10)
        self.drawn.append(values)
        self.running -= 1
        super().update(**values)


def _in_thread(action):
    t = threading.Thread(target=action, daemon=True)
    t.start()
    return t


def test_changes_from_two_threads_update_one_at_a_time_and_the_last_shows_both():
    demo = Slow()
    demo.release.clear()
    demo.entered.clear()
    first = _in_thread(lambda: setattr(demo.controls["slope"], "value", 2.0))
    assert demo.entered.wait(timeout=10)
    second = _in_thread(lambda: setattr(demo.controls["shift"], "value", 1.0))
    second.join(timeout=0.3)
    assert second.is_alive(), "the second change did not wait for the first update"
    demo.release.set()
    first.join(timeout=10), second.join(timeout=10)
    assert demo.most_running == 1
    assert demo.drawn[-1] == {"slope": 2.0, "shift": 1.0, "kind": "line"}
    np.testing.assert_allclose(demo.line.get_ydata(), 2.0 * demo.x + 1.0)


def test_a_change_while_another_thread_holds_is_drawn_after_the_hold():
    demo = Slow()
    holding, done = threading.Event(), threading.Event()

    def hold_a_while():
        with demo.hold():
            demo.controls["slope"].value = 3.0
            holding.set()
            done.wait(timeout=10)

    holder = _in_thread(hold_a_while)
    assert holding.wait(timeout=10)
    mover = _in_thread(lambda: setattr(demo.controls["shift"], "value", -1.0))
    mover.join(timeout=0.3)
    done.set()
    holder.join(timeout=10), mover.join(timeout=10)
    # the mover's update was neither skipped (the hold was another thread's) nor run mid-hold
    assert demo.drawn[-1] == {"slope": 3.0, "shift": -1.0, "kind": "line"}


def test_a_slider_value_echoed_with_float_noise_is_not_redrawn_or_printed():
    demo = Line()
    demo.set(shift=0.01)
    updates, png = demo.updates, demo.png()
    demo.controls["shift"].value = -8 + 801 * 0.01   # = 0.009999999999999787, as a browser sends
    assert demo.updates == updates and demo.png() == png
    assert demo.values["shift"] == 0.01 and "shift=0.01)" in demo.code_text()
    demo.controls["shift"].value = 0.02               # a real move still updates
    assert demo.updates == updates + 1


def test_a_demos_stops_are_every_value_its_controls_can_take():
    from nnutils.demos.batchnorm import BatchNormDemo
    demo = BatchNormDemo(epochs=1)
    np.testing.assert_allclose(demo.stops("scale"), np.logspace(-4, 0, 9), rtol=1e-12)
    np.testing.assert_allclose(demo.stops("lr"), np.logspace(-3, 0, 7), rtol=1e-12)
    assert sorted(demo.stops("batchnorm")) == [False, True]
