"""The package is the readable copy a lesson prints: short functions, the lecture's shapes,
an engine that imports no views."""

import ast
import inspect
import pathlib
import subprocess
import sys

import nnutils
from nnutils import layers, model, train

PACKAGE = pathlib.Path(nnutils.__file__).parent
VIEWS = {"plots", "widgets", "graph_draw", "png", "fonts"}


def _modules():
    for path in sorted(PACKAGE.rglob("*.py")):
        yield path, ".".join(("nnutils",) + path.relative_to(PACKAGE).with_suffix("").parts)


def test_no_function_is_longer_than_60_lines():
    long = []
    for path, name in _modules():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                lines = node.end_lineno - node.lineno + 1
                if lines > 60:
                    long.append(f"{name}.{node.name}: {lines} lines")
    assert not long, long


def _engine_modules():
    for _, name in _modules():
        parts = name.split(".")
        if parts[-1] == "__init__":
            parts = parts[:-1]
        if len(parts) > 1 and (parts[1] in VIEWS or parts[1] == "demos" or parts[-1] in VIEWS):
            continue
        yield ".".join(parts)


def test_the_engine_imports_no_views():
    engine = sorted(set(_engine_modules()))
    assert "nnutils.fastpath" in engine and "nnutils.optim" in engine
    code = ("import sys\n" + "".join(f"import {m}\n" for m in engine)
            + "bad = sorted(m for m in sys.modules if m.split('.')[0] in "
              "('matplotlib', 'ipywidgets', 'IPython') or m.startswith('nnutils.demos')"
              " or m in ('nnutils.plots', 'nnutils.widgets', 'nnutils.graph_draw', 'nnutils.fonts'))\n"
              "print(','.join(bad))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "", f"engine modules pulled in: {out.stdout.strip()}"


def test_the_model_backward_is_the_lecture_loop():
    body = inspect.getsource(model.Sequential.backward)
    assert "for layer in reversed(self.layers):" in body
    assert "dout = layer.backward(dout)" in body
    assert len(body.splitlines()) <= 12


def test_layer_backwards_take_only_dout():
    for name, cls in inspect.getmembers(layers, inspect.isclass):
        if issubclass(cls, layers.Layer) and cls is not layers.Layer:
            params = list(inspect.signature(cls.backward).parameters)
            assert params == ["self", "dout"], f"{name}.backward{params}"
    for path, name in _modules():                # a speed flag lives only on the speed path
        if name != "nnutils.fastpath":
            assert "input_grad" not in path.read_text(encoding="utf-8"), name


def test_train_step_is_the_three_lines_of_the_lecture():
    body = inspect.getsource(train.train_step)
    code = [line.strip() for line in body.splitlines()[2:] if line.strip()]
    assert code == ["loss = model.loss(x, y, train=True)", "model.backward()",
                    "optimizer.update(model.params, model.grads)", "return loss"]
