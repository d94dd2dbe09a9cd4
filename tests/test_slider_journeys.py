"""From a demo's slider to the numpy line that does the work, a reader follows at most 4
definitions.

Measured, not counted by hand: while a control moves, we watch the calls. When the function
that holds the numpy line (or the constructor of the object that does) is called with the
control's value, the chain of calls that passed the value down to it -- from the demo's
``update`` -- is the journey a reader follows. Each definition counts once: a method counts as
its class (the reader opens the class), a nested function as the function around it.
"""

import sys

import pytest

from nnutils import init, layers, optim
from nnutils.demos.initialization import HistogramDemo
from nnutils.demos.optimizers import TrajectoryDemo
from nnutils.demos.regularization import DropoutDemo
from nnutils.experiments.overfitting import clear_overfit_cache


def _carries(frame, value):
    """Whether the value is among the frame's arguments (directly, or in *args / **kwargs)."""
    code = frame.f_code
    names = code.co_varnames[:code.co_argcount + code.co_kwonlyargcount
                             + bool(code.co_flags & 4) + bool(code.co_flags & 8)]
    for name in names:
        arg = frame.f_locals.get(name)
        items = arg.values() if isinstance(arg, dict) else arg if isinstance(arg, tuple) else (arg,)
        if any(isinstance(a, (int, float)) and not isinstance(a, bool) and a == value for a in items):
            return True
    return False


def _definition(frame):
    qualname = frame.f_code.co_qualname.split(".<locals>")[0]
    return frame.f_globals.get("__name__", "?") + ":" + qualname.split(".")[0]


def journeys(demo, control, value, target):
    """Each journey (a list of definitions) by which the control's value reached ``target``."""
    update_code = type(demo).update.__code__
    found = []

    def profile(frame, event, arg):
        if event != "call" or frame.f_code is not target.__code__ or not _carries(frame, value):
            return
        chain, f = [], frame
        while f is not None and f.f_code is not update_code:
            if _carries(f, value):
                chain.append(_definition(f))
            f = f.f_back
        if f is not None:                                # reached from the demo's update
            chain.append(_definition(f))
            found.append(list(dict.fromkeys(chain[::-1])))

    sys.setprofile(profile)
    try:
        demo.set(**{control: value})
    finally:
        sys.setprofile(None)
    assert demo.error is None, demo.error
    assert found, f"moving {control!r} never passed its value to {target.__qualname__}"
    return found


def _longest(found):
    return max(found, key=len)


def test_dropout_ratio_reaches_the_dropout_layer_in_at_most_four_definitions():
    clear_overfit_cache()                                  # the demo trains: not a cached run
    found = journeys(DropoutDemo(epochs=1), "ratio", 0.3, layers.Dropout.__init__)
    longest = _longest(found)
    # the training run's layers (through mlp), not only the mask panel's own Dropout
    assert any(any(d.endswith(":mlp") for d in j) for j in found), found
    assert len(longest) <= 4, " -> ".join(longest)


def test_init_std_reaches_the_weight_draw_in_at_most_four_definitions():
    longest = _longest(journeys(HistogramDemo(), "std", 0.05, init.initialize))
    assert longest[-1] == "nnutils.init:initialize"
    assert len(longest) <= 4, " -> ".join(longest)


def test_learning_rate_reaches_the_optimizer_in_at_most_four_definitions():
    longest = _longest(journeys(TrajectoryDemo(optimizers=("SGD",)), "lr", 0.05, optim.SGD.__init__))
    assert longest[-1] == "nnutils.optim:SGD"          # whose update is the slide's line
    assert len(longest) <= 4, " -> ".join(longest)


def test_the_measure_counts_a_wrapper(monkeypatch):
    import nnutils.demos.initialization as module
    original = module.layer_activations

    def wrapper(*args, **kwargs):                       # one more definition on the way
        return original(*args, **kwargs)

    monkeypatch.setattr(module, "layer_activations", wrapper)
    direct = len(_longest(journeys(HistogramDemo(), "std", 0.07, init.initialize)))
    monkeypatch.undo()
    assert direct == len(_longest(journeys(HistogramDemo(), "std", 0.08, init.initialize))) + 1


@pytest.fixture(autouse=True)
def _no_profile_left_behind():
    yield
    assert sys.getprofile() is None
