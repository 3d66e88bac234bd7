"""The built-in region's numbers that come from the county data set (issue 13 item 3).

The Huzhou counties' firm counts follow their 2014 GDP (``model/data/county_statistics.csv``):
the 4,800 model firms of Huzhou less Anji's 650 (Anji's GDP is not stored) are split in
proportion to GDP by largest remainders. The test recomputes the split from the data rows, so a
changed or added row that the region file does not follow fails here.
"""

from __future__ import annotations

import math

from model.data import load_county_statistics
from model.sim.region import load_region

FOLLOWING_GDP = ("wuxing", "nanxun", "changxing", "deqing")
HUZHOU_FIRMS = 4800
ANJI_FIRMS = 650


def gdp_2014() -> dict[str, float]:
    rows = load_county_statistics()
    return {
        r.county: r.value
        for r in rows
        if r.quantity == "gdp" and r.year == 2014 and r.county in FOLLOWING_GDP
    }


def split_by_largest_remainder(total: int, weights: dict[str, float]) -> dict[str, int]:
    exact = {k: total * w / sum(weights.values()) for k, w in weights.items()}
    counts = {k: math.floor(v) for k, v in exact.items()}
    short = total - sum(counts.values())
    for key in sorted(exact, key=lambda k: counts[k] - exact[k])[:short]:
        counts[key] += 1
    return counts


def test_every_huzhou_county_but_anji_has_a_2014_gdp_row():
    assert sorted(gdp_2014()) == sorted(FOLLOWING_GDP)


def test_huzhou_firm_counts_follow_2014_gdp():
    counties = {c.key: c for c in load_region("jiaxing-huzhou").counties}
    expected = split_by_largest_remainder(HUZHOU_FIRMS - ANJI_FIRMS, gdp_2014())
    assert {k: counties[k].firms for k in FOLLOWING_GDP} == expected
    assert counties["anji"].firms == ANJI_FIRMS
    huzhou = [c for c in counties.values() if c.key in (*FOLLOWING_GDP, "anji")]
    assert sum(c.firms for c in huzhou) == HUZHOU_FIRMS
    # the report's 232 platforms of Huzhou (report §1.1) are still all there
    assert sum(c.platforms for c in huzhou) == 232


def test_the_region_file_says_which_counts_are_data_and_which_assumed():
    counties = {c.key: c for c in load_region("jiaxing-huzhou").counties}
    for key in FOLLOWING_GDP:
        assert "firms: data: 2014 GDP" in counties[key].source, key
    assert "firms: assumption: Anji's 2014 GDP is not in the data set" in counties["anji"].source
