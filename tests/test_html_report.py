"""``innovsim compare`` writes report_{lang}.html beside each Markdown report: one file that
opens offline, with every figure embedded and every table row of the Markdown."""

from __future__ import annotations

import base64
import html
import re

import pytest

from model.report.html import write_html_report


@pytest.fixture(scope="module")
def report_folder(tmp_path_factory):
    from model.experiments.comparison import compare

    out = tmp_path_factory.mktemp("cmp")
    cmp = compare(
        ["tax_rebate"],
        seeds=2,
        steps=4,
        out=out,
        workers=1,
        progress=False,
        overrides={"firm_scale": 0.1},
    )
    cmp.write_tables()
    cmp.write_reports(("en", "zh"))
    return out


def _markdown_rows(text: str) -> list[list[str]]:
    rows = []
    for line in text.splitlines():
        if line.startswith("|") and not re.fullmatch(r"\|[\s:|-]+\|", line.strip()):
            rows.append(
                [c.strip().replace("**", "").strip("*") for c in line.strip()[1:-1].split("|")]
            )
    return rows


def _html_rows(page: str) -> list[list[str]]:
    rows = []
    for row in re.findall(r"<tr>(.*?)</tr>", page, re.S):
        cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        rows.append([html.unescape(re.sub(r"<[^>]+>", "", c)).strip() for c in cells])
    return rows


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_html_report_is_self_contained_with_every_figure_and_table_row(report_folder, lang):
    md_path = report_folder / f"report_{lang}.md"
    page = (report_folder / f"report_{lang}.html").read_text(encoding="utf-8")
    text = md_path.read_text(encoding="utf-8")
    assert not re.search(r"https?://", page)  # nothing to fetch: it opens offline
    figures = re.findall(r"\]\((figures/[^)]+\.png)\)", text)
    assert len(figures) == 4
    embedded = re.findall(r'src="data:image/png;base64,([^"]+)"', page)
    assert len(embedded) == len(figures)
    for rel, data in zip(figures, embedded, strict=True):
        assert base64.b64decode(data) == (report_folder / rel).read_bytes(), rel
    md_rows = _markdown_rows(text)
    assert len(md_rows) >= 4  # two tables (effects, fiscal cost): header and one scenario
    assert _html_rows(page) == md_rows
    assert "@media print" in page


def test_a_missing_figure_is_refused_by_name(tmp_path):
    md = tmp_path / "report_en.md"
    md.write_text("# R\n\n![map](figures/map.png)\n", encoding="utf-8")
    with pytest.raises(FileNotFoundError, match="map.png"):
        write_html_report(md)
    assert not (tmp_path / "report_en.html").exists()
