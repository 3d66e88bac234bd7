"""Every fixed text of the reports and figures, in English and Chinese, in one table.

Figures (:mod:`model.report.plots`), the sensitivity figures
(:mod:`model.experiments.sensitivity`) and the Markdown report
(:mod:`model.report.markdown`) all read their words from :data:`TEXT` through :func:`t`, so a
translation is checked and changed in one place: ``model/report/text.toml``. Indicator labels
and units live with the indicators (:mod:`model.sim.indicators`), scenario names and notes in
the scenario files.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

LANGS = ("en", "zh")

#: Fixed texts, ``{key: {"en": ..., "zh": ...}}`` (from ``text.toml`` beside this file);
#: ``{name}`` fields are filled by :func:`t`.
TEXT: dict[str, dict[str, str]] = tomllib.loads(
    Path(__file__).with_name("text.toml").read_text(encoding="utf-8")
)


def t(key: str, lang: str, **fmt: Any) -> str:
    """Return text ``key`` in ``lang`` (``"en"`` or ``"zh"``), formatted with ``fmt``.

    Raises
    ------
    ValueError
        If ``lang`` is not one of :data:`LANGS`.
    KeyError
        If ``key`` is not in :data:`TEXT`.
    """
    if lang not in LANGS:
        raise ValueError(f"lang must be one of {LANGS}, got {lang!r}")
    template = TEXT[key][lang]
    return template.format(**fmt) if fmt else template
