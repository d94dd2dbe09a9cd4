"""The language the package speaks: English by default, Korean after ``set_language("ko")``.

Every user-facing string (demo titles, control labels, preset names, status lines, figure
text, the exercise checkers' messages) is written in English in the code and passed through
``tr``; the Korean catalogue, nnutils/locales/ko.json, maps each English string to its Korean
one. A string with fields is a template: ``tr("trained in {seconds:.1f} s", seconds=1.23)``.

    >>> set_language("ko"); tr("learning rate")
    '학습률'
    >>> set_language("en"); tr("learning rate")
    'learning rate'
"""

import json
from pathlib import Path

__all__ = ["LANGUAGES", "set_language", "language", "tr", "catalogue"]

LANGUAGES = ("en", "ko")
_LOCALES = Path(__file__).parent / "locales"
_state = {"language": "en"}
_catalogues = {}


def catalogue(code):
    """The catalogue of a language: English string -> its translation (empty for English)."""
    if code == "en":
        return {}
    if code not in _catalogues:
        merged = {}
        for path in sorted((_LOCALES / code).glob("*.json")):
            with open(path, encoding="utf-8") as f:
                merged.update(json.load(f))
        _catalogues[code] = merged
    return _catalogues[code]


def set_language(code="en"):
    """Speak ``code`` ("en" or "ko") from now on: demos and checkers built after this call
    use it. With "ko", figures use the Korean font the package ships with (NanumGothic)."""
    if code not in LANGUAGES:
        raise ValueError(f"language must be one of {LANGUAGES}, got {code!r}")
    catalogue(code)                                  # fail now, not in the middle of a demo
    _state["language"] = code
    try:
        from .fonts import use_font_for
    except ImportError:                              # no matplotlib: nothing to draw anyway
        return
    use_font_for(code)


def language():
    """The language the package speaks now."""
    return _state["language"]


def tr(text, **fields):
    """``text`` in the current language, its {fields} filled in."""
    text = catalogue(_state["language"]).get(text, text)
    return text.format(**fields) if fields else text
