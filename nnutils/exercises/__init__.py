"""Auto-checks for the learners' exercises, one module per lesson (``lesson01``, ...).

A check returns a ``Result`` that says what is wrong, not just "wrong"; it shows as a
coloured line in a notebook and is truthy when the answer passes.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

import numpy as np

from ..i18n import tr

__all__ = ["Result", "passed", "failed", "attempt", "check_close", "check_cases", "Reveal"]


@dataclass(frozen=True)
class Result:
    ok: bool
    message: str

    def __bool__(self):
        return self.ok

    def __repr__(self):
        return (tr("✔ correct") if self.ok else tr("✘ not yet")) + " — " + self.message

    def _repr_html_(self):
        color = "#1a7f37" if self.ok else "#b00020"
        mark = tr("✔ correct") if self.ok else tr("✘ not yet")
        return f"<span style='color:{color}'><b>{mark}</b> — {html.escape(self.message)}</span>"


def passed(message=None) -> Result:
    return Result(True, tr("well done.") if message is None else message)


def failed(message) -> Result:
    return Result(False, message)


def attempt(fn, *args, what, returns=None, as_array=False):
    """Call the learner's function. Returns ``(value, None)``, or ``(None, failed Result)``
    saying what went wrong: not written yet, an exception, None returned, or (with
    ``as_array``) something that is not an array of numbers."""
    try:
        with np.errstate(all="ignore"):  # overflow in the learner's code is judged by its result
            got = fn(*args)
    except NotImplementedError:
        return None, failed(tr("{what} is not written yet (it raises NotImplementedError).", what=what))
    except Exception as exc:
        return None, failed(tr("{what} raised {error}: {message}", what=what,
                               error=type(exc).__name__, message=exc))
    if got is None:
        return None, failed(tr("{what} returned None — fill in the body and return {returns}.",
                               what=what, returns=tr("the result") if returns is None else returns))
    if as_array:
        try:
            got = np.asarray(got, dtype=float)
        except (TypeError, ValueError):
            return None, failed(tr("{what} should return an array of numbers, got {kind}",
                                   what=what, kind=type(got).__name__))
    return got, None


def check_close(actual, expected, what, rtol=1e-5, atol=1e-8) -> Result:
    """Compare an array answer with the expected one; the message names the first mismatch."""
    try:
        actual = np.asarray(actual, dtype=float)
    except (TypeError, ValueError):
        return failed(tr("{what}: expected numbers, got {kind}", what=what, kind=type(actual).__name__))
    expected = np.asarray(expected, dtype=float)
    if actual.shape != expected.shape:
        return failed(tr("{what}: expected shape {expected}, got {actual}", what=what,
                         expected=expected.shape, actual=actual.shape))
    bad = ~np.isclose(actual, expected, rtol=rtol, atol=atol)
    if bad.any():
        i = np.unravel_index(np.argmax(bad), bad.shape) if bad.ndim else ()
        where = tr(" at index {index}", index=tuple(int(j) for j in i)) if i else ""
        return failed(tr("{what}{where}: expected {expected:.6g}, got {actual:.6g}", what=what,
                         where=where, expected=expected[i], actual=actual[i]))
    return passed(tr("{what} matches.", what=what))


def check_cases(fn, cases, what) -> Result:
    """Call ``fn(*args)`` for each ``(args, expected)`` and report the first wrong case."""
    for args, expected in cases:
        try:
            got = fn(*args)
        except Exception as exc:
            return failed(tr("{what}{args} raised {error}: {message}", what=what, args=args,
                             error=type(exc).__name__, message=exc))
        result = check_close(got, expected, f"{what}{args}")
        if not result:
            return result
    return passed(tr("{what} is right on all {n} cases.", what=what, n=len(cases)))


class Reveal:
    """A self-check answer hidden behind a click (HTML <details>), in the current language."""

    def __init__(self, answer, label="show the answer"):
        self.answer, self.label = answer, label          # in English; shown in the language of the moment

    def _repr_html_(self):
        return (f"<details><summary>{html.escape(tr(self.label))}</summary>"
                f"<div style='margin:6px 0 0 12px'>{html.escape(tr(self.answer))}</div></details>")

    def __repr__(self):
        return tr("{label}: (click to reveal in JupyterLab)", label=tr(self.label))
