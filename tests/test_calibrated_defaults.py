"""The default baseline is the calibrated one where the data identify a parameter (issue 13).

Every free parameter of the shipped calibration whose posterior the data narrow
(``posterior_summary``'s ``identified``: the data remove at least half its prior variance)
has its parameter-table default inside that interval and a source that says it was
calibrated; a parameter the data do not identify keeps its own source. Re-running the
calibration and shipping a new posterior without moving the defaults fails here.
"""

from __future__ import annotations

import pytest

from model.calibration.declaration import load_calibration
from model.calibration.posterior import posterior_summary, read_posterior
from model.params.table import SPEC_BY_NAME

SUMMARY = posterior_summary(read_posterior(), load_calibration("calibration"))


@pytest.mark.parametrize("name", list(SUMMARY.index))
def test_identified_parameters_default_to_the_posterior_and_say_so(name):
    row, spec = SUMMARY.loc[name], SPEC_BY_NAME[name]
    calibrated = spec.source.startswith("calibrated: ABC-SMC")
    if row.identified:
        assert row.p05 <= spec.default <= row.p95, (spec.default, row.p05, row.p95)
        assert calibrated, spec.source
    else:
        assert not calibrated, f"{name}: not identified by the shipped posterior"


def test_the_shipped_posterior_identifies_the_trend():
    # the growth targets can only be met through it (ODD §7.14)
    assert SUMMARY.loc["market_growth_per_year", "identified"]
