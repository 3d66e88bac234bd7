"""The explorer page's fixed texts in English and Chinese (``explore_*`` in model/report/text.toml).

All bilingual text of the project lives in one table, ``model/report/text.toml``; the page's
keys carry the prefix ``explore_``.
"""

from __future__ import annotations

from typing import Any

from model.report.text import TEXT


def t(key: str, lang: str = "en", **fmt: Any) -> str:
    """The text ``key`` in ``lang`` (``"en"`` or ``"zh"``), formatted with ``fmt``."""
    text = TEXT[f"explore_{key}"]["zh" if lang == "zh" else "en"]
    return text.format(**fmt) if fmt else text
