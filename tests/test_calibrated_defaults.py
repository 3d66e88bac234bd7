"""The default baseline is the calibrated one (issue 13).

Every free parameter of the shipped calibration defaults to its posterior mean in
``model/data/posterior.csv``, rounded to two significant digits, and its source says so,
with whether the data identify it (``posterior_summary``'s ``identified``: the data remove at
least half its prior variance). Re-running the calibration and shipping a new posterior
without moving the defaults (``python -m model.calibration.posterior_defaults --write``)
fails here. A parameter set by its own target outside the county data (the young-firm hazard
by start-up survival) is not free in the calibration, so it is not in the posterior.
"""

from __future__ import annotations

import pytest

from model.calibration.declaration import load_calibration
from model.calibration.posterior import posterior_summary, read_posterior
from model.calibration.posterior_defaults import (
    CALIBRATED,
    display_width,
    planned_changes,
    rewrite_table,
    wrapped,
)
from model.params.table import SPEC_BY_NAME

SUMMARY = posterior_summary(read_posterior(), load_calibration("calibration"))


@pytest.mark.parametrize("name", list(SUMMARY.index))
def test_free_parameters_default_to_the_posterior_mean_and_say_so(name):
    row, spec = SUMMARY.loc[name], SPEC_BY_NAME[name]
    # two significant digits are within 5% of the mean
    assert spec.default == pytest.approx(row["mean"], rel=0.05), (spec.default, row["mean"])
    assert row.p05 <= spec.default <= row.p95
    assert spec.source.startswith(CALIBRATED), spec.source
    assert ("not identified" in spec.source) != bool(row.identified), spec.source
    assert ("identified;" in spec.source) == bool(row.identified), spec.source


def test_the_shipped_posterior_identifies_the_trend():
    # the growth targets can only be met through it (ODD §7.14)
    assert SUMMARY.loc["market_growth_per_year", "identified"]


def test_rewriting_the_table_moves_only_the_named_defaults_and_sources(tmp_path, monkeypatch):
    import importlib.util
    import sys
    from dataclasses import astuple

    from model.params import table

    source_text = open(table.__file__, encoding="utf-8").read()
    changes = planned_changes(SUMMARY)
    name = "patent_grant_probability"
    changes[name] = (0.123, "calibrated: ABC-SMC posterior mean 0.123 (a test; " + "x " * 60)
    path = tmp_path / "table_rewritten.py"
    path.write_text(rewrite_table(source_text, changes), encoding="utf-8")
    spec = importlib.util.spec_from_file_location("table_rewritten", path)
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, "table_rewritten", module)
    spec.loader.exec_module(module)
    assert module.SPEC_BY_NAME[name].default == 0.123
    assert module.SPEC_BY_NAME[name].source == changes[name][1]
    untouched = [n for n in SPEC_BY_NAME if n not in changes]
    assert untouched and all(
        astuple(module.SPEC_BY_NAME[n]) == astuple(SPEC_BY_NAME[n]) for n in untouched
    )
    assert max(len(line) for line in path.read_text().splitlines()) <= 100


def test_wrapped_pieces_fit_their_width_counting_wide_characters_twice():
    text = "SAIC (2013) 全国内资企业生存时间分析报告 (yearly death rates 1.6%, 6.3%, 9.5%)"
    pieces = wrapped(text, 30)
    assert "".join(pieces) == text
    assert len(pieces) == 4
    assert all(display_width(piece) <= 30 for piece in pieces)
    assert display_width("全国") == 4
