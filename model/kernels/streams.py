"""Every random stream of the kernels, declared once.

A draw of :mod:`model.kernels.rng` is a function of ``(seed, step, stream, agent, draw)``;
the stream id keeps the draws of one phase apart from those of another. Each id below is used
by the kernels named in its comment and by no other, so two phases never share draws. The values
are part of the model's results: changing one changes every run (the golden digests of
``tests/test_golden.py`` catch it). Id 2 is unused: phase 2 (R&D decisions) draws nothing.
``tests/test_streams.py`` checks that the ids are unique and that every draw in
``model/kernels`` names one of them.
"""

from __future__ import annotations

#: Phase 1, talent market (``talent_market.py``): arrivals of S&T staff, experts and hub
#: talent (``count_arrivals``), attrition, drain to hubs, redundancy, arrivals' tier and sector
#: (``talent_market``), seekers' order and job choice (``_serve_pools``).
STREAM_TALENT_MARKET = 1

#: Phase 3, knowledge (``knowledge.py``): patent applications and grants
#: (``produce_knowledge``).
STREAM_KNOWLEDGE = 3

#: Phase 4, production (``production.py``): each firm's passing and lasting demand shocks
#: (``produce``).
STREAM_PRODUCTION = 4

#: Phase 5, finance (``finance.py``): which firms venture funds screen and their screening
#: noise, quotation on equity boards, raising equity and listing (``finance``).
STREAM_FINANCE = 5

#: Phase 6, exit (``entry_exit.py``): closure hazard and leaving for a hub (``exit_firms``).
STREAM_EXIT = 6

#: Phase 6, entry (``entry_exit.py``): number of start-ups per county and incubator
#: (``count_entries``), a new firm's cell, sector, productivity, high-tech share and R&D
#: taste (``enter_firms``).
STREAM_ENTRY = 7

#: Phase 7, platforms (``platforms.py``): switching, movers' order and platform choice
#: (``choose_platforms``).
STREAM_PLATFORMS = 8

#: Phase 8, government (``government.py``): voucher take-up and non-use (``govern``).
STREAM_GOVERNMENT = 9

#: Phase 7, region-wide relocation (``entry_exit.py``): who moves, movers' order and the
#: destination (``relocate_firms``).
STREAM_RELOCATION = 10

#: Every stream by name (for tests and documentation).
STREAMS = {name: value for name, value in dict(globals()).items() if name.startswith("STREAM_")}
