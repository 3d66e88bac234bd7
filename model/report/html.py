"""A finished Markdown report as one self-contained HTML file a county bureau can open offline.

:func:`write_html_report` converts ``report_{lang}.md`` (headings, paragraphs, pipe tables,
images, code blocks, emphasis) with the ``markdown`` package and embeds every figure as a
base64 ``data:`` URI, so the file needs no folder beside it and no network: it opens in any
browser, and prints with page breaks kept out of tables and figures.
"""

from __future__ import annotations

import base64
import html
import os
import re
from pathlib import Path

from model.runs.results import atomic_write_bytes

_STYLE = """
body { font-family: "Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei",
       system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem;
       line-height: 1.5; color: #222; }
h1, h2, h3 { line-height: 1.25; }
table { border-collapse: collapse; margin: 1rem 0; font-size: 0.9rem; }
th, td { border: 1px solid #bbb; padding: 0.25rem 0.5rem; }
th { background: #eef2f5; }
tr:nth-child(even) td { background: #f8f9fa; }
td { font-variant-numeric: tabular-nums; }
img { max-width: 100%; height: auto; display: block; margin: 1rem auto; }
pre, code { background: #f4f4f4; font-size: 0.85rem; }
pre { padding: 0.5rem; overflow-x: auto; white-space: pre-wrap; }
@media print {
  body { max-width: none; margin: 0; font-size: 10pt; }
  table, img, pre { page-break-inside: avoid; break-inside: avoid; }
  h1, h2, h3 { page-break-after: avoid; break-after: avoid; }
  tr:nth-child(even) td { background: none; }
}
"""

_IMG_SRC = re.compile(r'(<img\b[^>]*?\bsrc=")([^"]+)(")')
_MIME = {".png": "image/png", ".svg": "image/svg+xml", ".jpg": "image/jpeg", ".jpeg": "image/jpeg"}


def markdown_to_html(text: str, base_dir: Path, title: str = "", lang: str = "en") -> str:
    """The HTML page of Markdown ``text``, images under ``base_dir`` embedded as data URIs.

    Raises
    ------
    FileNotFoundError
        An image the Markdown refers to is not in ``base_dir``.
    """
    import markdown

    body = markdown.markdown(text, extensions=["tables", "fenced_code"], output_format="html")

    def embed(match: re.Match[str]) -> str:
        src = html.unescape(match.group(2))
        if src.startswith("data:"):
            return match.group(0)
        path = base_dir / src
        if not path.is_file():
            raise FileNotFoundError(f"{path}: figure of the report not found")
        mime = _MIME.get(path.suffix.lower(), "application/octet-stream")
        data = base64.b64encode(path.read_bytes()).decode("ascii")
        return f"{match.group(1)}data:{mime};base64,{data}{match.group(3)}"

    body = _IMG_SRC.sub(embed, body)
    if not title:
        heading = re.search(r"<h1>(.*?)</h1>", body, re.S)
        title = re.sub(r"<[^>]+>", "", heading.group(1)) if heading else "report"
    return (
        f'<!DOCTYPE html>\n<html lang="{"zh-CN" if lang == "zh" else "en"}">\n<head>\n'
        f'<meta charset="utf-8">\n<meta name="viewport" content="width=device-width, '
        f'initial-scale=1">\n<title>{html.escape(title)}</title>\n<style>{_STYLE}</style>\n'
        f"</head>\n<body>\n{body}\n</body>\n</html>\n"
    )


def write_html_report(
    markdown_path: str | os.PathLike[str], out_path: str | os.PathLike[str] | None = None
) -> Path:
    """Write the self-contained HTML version of a Markdown report; return its path.

    Parameters
    ----------
    markdown_path : path
        ``report_{lang}.md``; its images are read relative to its folder.
    out_path : path, optional
        Where to write (default: the same name with ``.html``). Written atomically.
    """
    md = Path(markdown_path)
    out = Path(out_path) if out_path is not None else md.with_suffix(".html")
    lang = "zh" if md.stem.endswith("_zh") else "en"
    page = markdown_to_html(md.read_text(encoding="utf-8"), md.parent, lang=lang)
    atomic_write_bytes(out, page.encode("utf-8"))
    return out
