"""The golden outputs stay byte-identical, with one and with two numba threads.

``tests/golden/golden.json`` holds, for every built-in scenario, per-quarter SHA-256 digests of
the county indicators and of the live state (40 quarters, seed 1, default region). A change
that is meant to move results regenerates it (``python tests/golden/golden.py --write``) and
says why in its commit.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numba
import pytest

sys.path.insert(0, str(Path(__file__).parent / "golden"))
import golden  # noqa: E402

GOLDEN = json.loads(golden.GOLDEN_FILE.read_text())


@pytest.mark.parametrize("threads", [1, 2])
def test_every_scenario_matches_the_golden_digests(threads):
    if threads > numba.config.NUMBA_NUM_THREADS:
        pytest.skip(f"numba has {numba.config.NUMBA_NUM_THREADS} thread(s)")
    before = numba.get_num_threads()
    try:
        digests = golden.compute(threads)
    finally:
        numba.set_num_threads(before)
    assert sorted(digests) == sorted(GOLDEN), "the set of built-in scenarios changed"
    for name, kinds in GOLDEN.items():
        for kind, expected in kinds.items():
            got = digests[name][kind]
            first = next(
                (q for q, (a, b) in enumerate(zip(got, expected, strict=False)) if a != b), None
            )
            assert first is None and len(got) == len(expected), (
                f"{name}: {kind} differ from the golden file from quarter {first}"
            )
