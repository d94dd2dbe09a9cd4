"""The font figures use for a language: matplotlib's default (DejaVu Sans) for English, and
for Korean NanumGothic (SIL Open Font License 1.1), which the PyPI package
koreanize-matplotlib ships; we read its font file and leave its settings alone."""

import importlib.util
from pathlib import Path

import matplotlib as mpl
from matplotlib import font_manager

__all__ = ["KOREAN_FONT", "korean_font_path", "use_font_for"]

KOREAN_FONT = "NanumGothic"
_DEFAULT_FAMILY = list(mpl.rcParams["font.family"])


def korean_font_path():
    """The NanumGothic file of the installed koreanize-matplotlib package."""
    spec = importlib.util.find_spec("koreanize_matplotlib")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("Korean figures need the font package: pip install koreanize-matplotlib "
                           "(`make` installs it from requirements.lock)")
    path = Path(list(spec.submodule_search_locations)[0]) / "fonts" / f"{KOREAN_FONT}.ttf"
    if not path.is_file():
        raise RuntimeError(f"koreanize-matplotlib has no {path.name}; reinstall it")
    return path


def use_font_for(code):
    """Set matplotlib's sans-serif font for the language (figures made after this call)."""
    if code == "ko":
        regular = korean_font_path()
        # ExtraBold has weight 700, what matplotlib calls "bold" (NanumGothicBold is 600)
        for path in (regular, regular.with_name(f"{KOREAN_FONT}ExtraBold.ttf")):
            if path.is_file():
                font_manager.fontManager.addfont(str(path))
        # Latin letters, digits and symbols from DejaVu Sans as in the English figures; each glyph
        # it lacks (Hangul) from NanumGothic. Fallback goes from one entry of font.family to the
        # next, so both are named there.
        mpl.rcParams["font.family"] = ["DejaVu Sans", KOREAN_FONT]
    else:
        mpl.rcParams["font.family"] = _DEFAULT_FAMILY
