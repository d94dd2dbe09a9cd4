"""Auto-checks for the learners' exercises, one module per lesson (``lesson01``, ...).

A check returns a ``Result`` that says what is wrong, not just "wrong"; it shows as a
coloured line in a notebook and is truthy when the answer passes.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

import numpy as np

__all__ = ["Result", "passed", "failed", "attempt", "check_close", "check_cases", "Reveal"]


@dataclass(frozen=True)
class Result:
    ok: bool
    message: str

    def __bool__(self):
        return self.ok

    def __repr__(self):
        return ("✔ correct — " if self.ok else "✘ not yet — ") + self.message

    def _repr_html_(self):
        color = "#1a7f37" if self.ok else "#b00020"
        mark = "✔ correct" if self.ok else "✘ not yet"
        return f"<span style='color:{color}'><b>{mark}</b> — {html.escape(self.message)}</span>"


def passed(message="well done.") -> Result:
    return Result(True, message)


def failed(message) -> Result:
    return Result(False, message)


def attempt(fn, *args, what, returns="the result", as_array=False):
    """Call the learner's function. Returns ``(value, None)``, or ``(None, failed Result)``
    saying what went wrong: not written yet, an exception, None returned, or (with
    ``as_array``) something that is not an array of numbers."""
    try:
        with np.errstate(all="ignore"):  # overflow in the learner's code is judged by its result
            got = fn(*args)
    except NotImplementedError:
        return None, failed(f"{what} is not written yet (it raises NotImplementedError).")
    except Exception as exc:
        return None, failed(f"{what} raised {type(exc).__name__}: {exc}")
    if got is None:
        return None, failed(f"{what} returned None — fill in the body and return {returns}.")
    if as_array:
        try:
            got = np.asarray(got, dtype=float)
        except (TypeError, ValueError):
            return None, failed(f"{what} should return an array of numbers, "
                                f"got {type(got).__name__}")
    return got, None


def check_close(actual, expected, what, rtol=1e-5, atol=1e-8) -> Result:
    """Compare an array answer with the expected one; the message names the first mismatch."""
    try:
        actual = np.asarray(actual, dtype=float)
    except (TypeError, ValueError):
        return failed(f"{what}: expected numbers, got {type(actual).__name__}")
    expected = np.asarray(expected, dtype=float)
    if actual.shape != expected.shape:
        return failed(f"{what}: expected shape {expected.shape}, got {actual.shape}")
    bad = ~np.isclose(actual, expected, rtol=rtol, atol=atol)
    if bad.any():
        i = np.unravel_index(np.argmax(bad), bad.shape) if bad.ndim else ()
        where = f" at index {tuple(int(j) for j in i)}" if i else ""
        return failed(f"{what}{where}: expected {expected[i]:.6g}, got {actual[i]:.6g}")
    return passed(f"{what} matches.")


def check_cases(fn, cases, what) -> Result:
    """Call ``fn(*args)`` for each ``(args, expected)`` and report the first wrong case."""
    for args, expected in cases:
        try:
            got = fn(*args)
        except Exception as exc:
            return failed(f"{what}{args} raised {type(exc).__name__}: {exc}")
        result = check_close(got, expected, f"{what}{args}")
        if not result:
            return result
    return passed(f"{what} is right on all {len(cases)} cases.")


class Reveal:
    """A self-check answer hidden behind a click (HTML <details>)."""

    def __init__(self, answer, label="show the answer"):
        self.answer, self.label = answer, label

    def _repr_html_(self):
        return (f"<details><summary>{html.escape(self.label)}</summary>"
                f"<div style='margin:6px 0 0 12px'>{html.escape(self.answer)}</div></details>")

    def __repr__(self):
        return f"{self.label}: (click to reveal in JupyterLab)"
