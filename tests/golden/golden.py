"""The golden outputs: every built-in scenario's per-quarter indicators and state hashes.

A refactoring of the engine must leave these byte-identical. For each scenario (seed 1, the
default region and size, 40 quarters) this records, per quarter, a SHA-256 of the county
indicator array and a SHA-256 of the live state: every live row of every population table
(in row order, fields by name), the county table and the province account. Run with one and
with two numba threads, both must equal the committed file.

Regenerate (only when a change is meant to move results, and say why in the commit)::

    uv run python tests/golden/golden.py --write
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path

import numba
import numpy as np

from model import InnovationModel, list_scenarios, load_scenario

GOLDEN_FILE = Path(__file__).with_name("golden.json")
SEED = 1
STEPS = 40


def _digest(arrays: list[np.ndarray]) -> str:
    h = hashlib.sha256()
    for a in arrays:
        a = np.ascontiguousarray(a)
        h.update(str(a.dtype).encode())
        h.update(str(a.shape).encode())
        h.update(a.tobytes())
    return h.hexdigest()


def state_digest(sim) -> str:
    """SHA-256 of the live state of a simulation (dead rows are free slots, not state)."""
    arrays = []
    for table in (sim.firms, sim.platforms, sim.talent, sim.capital):
        live = table.arrays["alive"]
        arrays += [table.arrays[name][live] for name in sorted(table.arrays)]
    arrays += [sim.counties.arrays[name] for name in sorted(sim.counties.arrays)]
    arrays.append(sim.province)
    return _digest(arrays)


def scenario_digests(name: str, steps: int = STEPS) -> dict[str, list[str]]:
    """Per-quarter indicator and state digests of one built-in scenario (quarters 0..steps)."""
    scenario = load_scenario(name)
    model = InnovationModel(
        parameters=scenario.overrides, scenario=name, seed=SEED, build_mesa_grid=False
    )
    indicators, states = [], []
    for quarter in range(steps + 1):
        if quarter:
            model.step()
        indicators.append(_digest([model.sim.indicators]))
        states.append(state_digest(model.sim))
    return {"indicators": indicators, "state": states}


def compute(threads: int, steps: int = STEPS) -> dict[str, dict[str, list[str]]]:
    """Digests of every built-in scenario with ``threads`` numba threads."""
    numba.set_num_threads(threads)
    return {name: scenario_digests(name, steps) for name in list_scenarios()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="rewrite the golden file")
    args = parser.parse_args()
    one, two = compute(1), compute(min(2, numba.config.NUMBA_NUM_THREADS))
    if one != two:
        print("1 and 2 threads differ", file=sys.stderr)
        return 1
    if args.write:
        GOLDEN_FILE.write_text(json.dumps(one, indent=1, sort_keys=True) + "\n")
        print(f"wrote {GOLDEN_FILE}")
        return 0
    golden = json.loads(GOLDEN_FILE.read_text())
    differ = [name for name in golden if golden[name] != one.get(name)]
    print("identical" if not differ and golden.keys() == one.keys() else f"differ: {differ}")
    return 1 if differ or golden.keys() != one.keys() else 0


if __name__ == "__main__":
    sys.exit(main())
