"""Course-wide: every registered demo, every control, at its extreme values.

Each control must change the figure, and no value a student can reach may raise (an error
inside an update is shown in the demo and recorded in ``demo.error``, which must stay None).
Demos that need another control set for one to matter declare ``control_context``; demos
that retrain are built with a few epochs.
"""

import inspect

import pytest

from nnutils.demos import all_demos

DEMOS = all_demos()
FEW_EPOCHS = 3      # retraining demos train this long here: the tests are about controls, not results


def make_demo(cls, control=None):
    """The demo as a student gets it, with the context its control needs and few epochs."""
    kwargs = dict(getattr(cls, "control_context", {}).get(control, {}))
    if "epochs" in inspect.signature(cls.__init__).parameters:
        kwargs.setdefault("epochs", FEW_EPOCHS)
    return cls(**kwargs)


def control_names(cls):
    """The demo's control names without building it (collection must stay cheap)."""
    return list(cls.make_controls(cls.__new__(cls)))


def clipped_labels(fig):
    """Axis labels and titles reaching past the figure's edge (the layout is computed once,
    so new limits with wider tick labels could push a label out)."""
    renderer, (width, height) = fig.canvas.get_renderer(), fig.bbox.size
    out = []
    for ax in fig.axes:
        for label in (ax.xaxis.label, ax.yaxis.label, ax.title):
            if ax.get_visible() and label.get_visible() and label.get_text():
                x0, y0, x1, y1 = label.get_window_extent(renderer).extents
                if x0 < -1 or y0 < -1 or x1 > width + 1 or y1 > height + 1:
                    out.append(label.get_text())
    return out


CASES = [(name, control) for name, cls in DEMOS.items() for control in control_names(cls)]


def test_there_are_demos():
    assert DEMOS, "no demo is registered in nnutils.demos"


@pytest.mark.parametrize("name,control", CASES, ids=[f"{n}:{c}" for n, c in CASES])
def test_each_control_changes_the_figure_and_extremes_raise_nothing(name, control):
    demo = make_demo(DEMOS[name], control)
    assert demo.error is None, demo.error
    before = demo.png()
    changed = False
    for value in demo.extremes(control):
        demo.set(**{control: value})
        assert demo.error is None, f"{name}: {control}={value!r} -> {demo.error}"
        changed |= demo.png() != before
        clipped = clipped_labels(demo.fig)
        assert not clipped, f"{name}: {control}={value!r} clips {clipped}"
    assert changed, f"{name}: moving {control!r} to its extremes did not change the figure"


@pytest.mark.parametrize("name", list(DEMOS))
def test_presets_reset_and_code(name):
    demo = make_demo(DEMOS[name])
    start = demo.values
    for preset in demo.presets:
        demo.apply_preset(preset)
        assert demo.error is None, f"{name}: preset {preset!r} -> {demo.error}"
        for key, value in demo.presets[preset].items():
            assert demo.values[key] == pytest.approx(value), (preset, key)
    demo.reset()
    assert demo.values == start
    compile(demo.code_text(), f"<{name} code>", "exec")


@pytest.mark.parametrize("name", list(DEMOS))
def test_static_viewers_get_a_png_of_the_starting_state(name):
    demo = DEMOS[name]()
    bundle = demo._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    import base64
    png = base64.b64decode(bundle["image/png"])
    assert png.startswith(b"\x89PNG") and png == demo.initial_png
