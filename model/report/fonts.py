"""CJK-capable font for the bilingual (English/Chinese) figures.

Readers of the reports work in Chinese, so every figure must render Chinese text with a real
CJK font. The dependency ``mplfonts`` ships Noto Sans CJK SC
(``mplfonts/fonts/NotoSansCJKsc-Regular.otf``), which also covers Latin text; this module
registers that file with matplotlib (no download, no CLI) and makes it the default sans-serif
font. :func:`missing_glyphs` checks strings against the font's character map so tests can prove
that labels render without replacement boxes.
"""

from __future__ import annotations

import importlib.util
import unicodedata
from functools import lru_cache
from pathlib import Path

#: File name of the font inside ``mplfonts/fonts``.
CJK_FONT_FILE = "NotoSansCJKsc-Regular.otf"

_registered: str | None = None


@lru_cache(maxsize=1)
def cjk_font_path() -> Path:
    """Return the path of the Noto Sans CJK SC font shipped by ``mplfonts``.

    The package is located without importing it.

    Returns
    -------
    pathlib.Path
        Absolute path of ``NotoSansCJKsc-Regular.otf``.

    Raises
    ------
    FileNotFoundError
        If ``mplfonts`` is not installed or does not contain the font file.
    """
    spec = importlib.util.find_spec("mplfonts")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError(
            "package 'mplfonts' is not installed; it provides the CJK font for figures"
        )
    for location in spec.submodule_search_locations:
        path = Path(location) / "fonts" / CJK_FONT_FILE
        if path.is_file():
            return path.resolve()
    raise FileNotFoundError(f"{CJK_FONT_FILE} not found in the 'mplfonts' package")


def use_cjk_font() -> str:
    """Register the CJK font with matplotlib and make it the default font.

    The font file is added to matplotlib's font manager once per process. Every call sets
    ``font.family`` to ``sans-serif`` with the CJK family first in ``font.sans-serif`` (followed
    by the previous entries, so DejaVu Sans remains a per-glyph fallback) and turns
    ``axes.unicode_minus`` off (ASCII hyphen-minus for negative tick labels).

    Returns
    -------
    str
        The font family name (``"Noto Sans CJK SC"``).
    """
    global _registered
    import matplotlib as mpl
    from matplotlib import font_manager

    if _registered is None:
        path = cjk_font_path()
        known = {Path(entry.fname).resolve() for entry in font_manager.fontManager.ttflist}
        if path not in known:
            font_manager.fontManager.addfont(str(path))
        _registered = font_manager.FontProperties(fname=str(path)).get_name()
    family = _registered
    rest = [name for name in mpl.rcParams["font.sans-serif"] if name != family]
    mpl.rcParams["font.sans-serif"] = [family, *rest]
    mpl.rcParams["font.family"] = ["sans-serif"]
    mpl.rcParams["axes.unicode_minus"] = False
    return family


@lru_cache(maxsize=8)
def _charmap(font_path: str) -> frozenset[int]:
    """Return the code points mapped by the font at ``font_path``."""
    from fontTools.ttLib import TTFont

    font = TTFont(font_path, lazy=True)
    try:
        cmap = font.getBestCmap() or {}
        return frozenset(cmap)
    finally:
        font.close()


def missing_glyphs(text: str, font_path: str | Path | None = None) -> set[str]:
    """Return the characters of ``text`` that the font cannot render.

    Control characters (Unicode category ``Cc``, e.g. newlines) are ignored: they are never
    drawn as glyphs.

    Parameters
    ----------
    text : str
        Text to check.
    font_path : str or pathlib.Path, optional
        Font file to check against; defaults to :func:`cjk_font_path`.

    Returns
    -------
    set of str
        Characters without a glyph in the font's character map (empty if all render).
    """
    path = Path(font_path) if font_path is not None else cjk_font_path()
    cmap = _charmap(str(path.resolve()))
    return {ch for ch in set(text) if unicodedata.category(ch) != "Cc" and ord(ch) not in cmap}
