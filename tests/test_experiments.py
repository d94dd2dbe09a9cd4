"""nnutils.experiments: the lectures' experiments are engine code (numpy only), each defined once.

The numbers of each experiment are tested with its lesson (test_init_lesson04.py,
test_backprop.py, test_batchnorm_lesson.py, test_regularization_lesson.py, ...); here: what
holds for all of them.
"""
import importlib
import inspect
import pkgutil
import subprocess
import sys

import pytest

import nnutils.demos
import nnutils.experiments

MODULES = sorted(m.name for m in pkgutil.iter_modules(nnutils.experiments.__path__))
VIEWS = ("matplotlib", "ipywidgets", "IPython")
VIEW_MODULES = ("nnutils.plots", "nnutils.widgets", "nnutils.graph_draw")


def test_there_are_experiments():
    assert {"initialization", "vanishing_gradients", "batchnorm", "overfitting",
            "learning_rate"} <= set(MODULES)


@pytest.mark.parametrize("name", MODULES)
def test_an_experiment_imports_no_view(name):
    """In a fresh interpreter, importing the module loads no view library and no view module."""
    code = (f"import sys, nnutils.experiments.{name}\n"
            f"print(sorted(m for m in sys.modules if m.split('.')[0] in {VIEWS!r}\n"
            f"             or m.startswith('nnutils.demos') or m in {VIEW_MODULES!r}))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]", f"nnutils.experiments.{name} imports {out.stdout.strip()}"


def _functions(module):
    """Functions and classes defined in `module` itself (not imported into it)."""
    return {n: obj for n, obj in vars(module).items()
            if (inspect.isfunction(obj) or inspect.isclass(obj))
            and obj.__module__ == module.__name__}


def test_every_public_name_is_exported_and_no_two_experiments_share_a_function_name():
    owner = {}
    for name in MODULES:
        module = importlib.import_module(f"nnutils.experiments.{name}")
        for attr in module.__all__:
            assert hasattr(module, attr), f"{name}.__all__ names {attr}, which does not exist"
        for fn in _functions(module):
            if fn.startswith("_"):
                continue
            assert fn not in owner, f"{fn} is defined in both {owner[fn]} and {name}"
            owner[fn] = name


def test_the_demos_import_the_experiments_instead_of_defining_them_again():
    experiment_names = set()
    for name in MODULES:
        experiment_names |= set(_functions(importlib.import_module(f"nnutils.experiments.{name}")))
    for info in pkgutil.iter_modules(nnutils.demos.__path__):
        module = importlib.import_module(f"nnutils.demos.{info.name}")
        again = experiment_names & set(_functions(module))
        assert not again, f"nnutils.demos.{info.name} defines {sorted(again)} again"


def test_the_trajectory_demo_builds_its_optimizers_through_the_one_lookup(monkeypatch):
    from nnutils import optim
    from nnutils.demos import optimizers as D
    calls = []

    def recording(name, **kw):
        calls.append((name, kw))
        return optim.make_optimizer(name, **kw)

    monkeypatch.setattr(D, "make_optimizer", recording)
    D.TrajectoryDemo(optimizers=D.OPTIMIZER_NAMES, lr=0.1, mu=0.8, beta1=0.7, beta2=0.99,
                     decay=0.95, steps=3)
    assert dict(calls) == {"SGD": {"lr": 0.1}, "Momentum": {"lr": 0.1, "momentum": 0.8},
                           "Nesterov": {"lr": 0.1, "momentum": 0.8}, "AdaGrad": {"lr": 0.1},
                           "RMSProp": {"lr": 0.1, "decay": 0.95},
                           "Adam": {"lr": 0.1, "beta1": 0.7, "beta2": 0.99}}
