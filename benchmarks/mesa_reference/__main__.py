"""Time a quarter of the Mesa reference and of the numba engine, in one process.

Usage (from the repository root)::

    .venv/bin/python -m benchmarks.mesa_reference --firm-scale 0.1 --steps 8
    .venv/bin/python -m benchmarks.mesa_reference --firm-scale 1.0 --steps 4

Both start from the same initial populations (the engine's ``initial_state`` seed) and are
timed over ``--steps`` quarters after one warm-up quarter (the engine's kernels are compiled
or loaded from numba's cache before timing). Prints live agents and median seconds per step.
"""

from __future__ import annotations

import argparse
import statistics
import time

from benchmarks.mesa_reference.model import ReferenceModel
from model.params.table import Parameters
from model.sim.engine import Simulation
from model.sim.region import load_region


def _median_step_s(step, n: int) -> float:
    step()  # warm-up
    times = []
    for _ in range(n):
        start = time.perf_counter()
        step()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--firm-scale", type=float, default=0.1)
    parser.add_argument("--steps", type=int, default=8)
    parser.add_argument("--region", default="jiaxing-huzhou")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    region = load_region(args.region)
    params = Parameters({"firm_scale": args.firm_scale})

    start = time.perf_counter()
    engine = Simulation(region, params, args.seed)
    engine_build = time.perf_counter() - start
    engine_step = _median_step_s(engine.step, args.steps)

    start = time.perf_counter()
    reference = ReferenceModel(
        region=region, seed=args.seed, initial_state_seed=args.seed, firm_scale=args.firm_scale
    )
    reference_build = time.perf_counter() - start
    reference_step = _median_step_s(reference.step, args.steps)

    print(f"region {args.region}, firm_scale {args.firm_scale}, median of {args.steps} steps")
    print(
        f"  live agents (engine): {engine.firms.n_alive()} firms, "
        f"{engine.platforms.n_alive()} platforms, {engine.talent.n_alive()} S&T workers"
    )
    print(
        f"  live agents (reference): {len(reference.firms)} firms, "
        f"{len(reference.platforms)} platforms, {len(reference.talent)} S&T workers"
    )
    print(
        f"  numba engine : {engine_step * 1e3:9.1f} ms/step (build + burn-in {engine_build:.1f} s)"
    )
    print(
        f"  Mesa reference: {reference_step * 1e3:9.1f} ms/step "
        f"(build + burn-in {reference_build:.1f} s)"
    )
    print(f"  ratio         : {reference_step / engine_step:9.1f} x")


if __name__ == "__main__":
    main()
