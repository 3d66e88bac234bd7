"""Command-line interface: ``innovsim run``, ``compare``, ``scenarios`` and ``sweep``.

Every command validates its inputs (scenario files, parameters) before any run starts, shows
progress on long work, and writes results atomically with a manifest.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

from model.params.reader import InputError
from model.params.table import ParameterError, check_value

DEFAULT_REGION = "jiaxing-huzhou"
#: Longest run, in quarters (as for experiment files, see docs/inputs.md).
MAX_STEPS = 400


def _parse_set(values: list[str]) -> dict:
    """Parse ``--set name=value`` options into validated parameter overrides."""
    import tomllib

    out = {}
    for item in values or []:
        if "=" not in item:
            raise ParameterError(f"--set {item!r}: expected NAME=VALUE")
        name, raw = item.split("=", 1)
        try:
            value = tomllib.loads(f"v = {raw}")["v"]
        except tomllib.TOMLDecodeError:
            raise ParameterError(f"--set {item!r}: {raw!r} is not a number or true/false") from None
        out[name.strip()] = check_value(name.strip(), value, origin="--set")
    return out


def _check_run_options(args: argparse.Namespace, min_steps: int) -> None:
    """Refuse bad ``run``/``compare`` options before any scenario loads or any run starts."""
    from model.cli_checks import MAX_SEED, check_int, check_output_folder, check_region

    check_int("--workers", args.workers, 1)
    check_int("--seeds", args.seeds, 1)
    check_int("--base-seed", args.base_seed, 0, MAX_SEED)
    check_int("--steps", args.steps, min_steps, MAX_STEPS)
    check_output_folder(args.out)
    check_region(args.region)


def _command_line() -> str:
    import shlex

    return shlex.join(["innovsim", *sys.argv[1:]])


def cmd_run(args: argparse.Namespace) -> int:
    """Run one scenario over several seeds; write indicators, manifest and figures."""
    from model.experiments.scenario_run import run_scenario

    _check_run_options(args, min_steps=1)
    run = run_scenario(
        args.scenario,
        seeds=args.seeds,
        steps=args.steps,
        region=args.region,
        overrides=_parse_set(args.set),
        base_seed=args.base_seed,
        out=args.out,
        workers=args.workers,
        progress=not args.quiet,
        command=_command_line(),
    )
    status = run.status
    if len(run.results):
        run.write_tables()
        run.write_figures(args.lang)
    print(
        f"{status['done']} runs done, {status['skipped']} skipped (already there), "
        f"{status['failed']} failed, in {status['wall_s']:.1f} s -> {run.out}"
    )
    return 1 if status["failed"] else 0


def cmd_compare(args: argparse.Namespace) -> int:
    """Compare scenarios against the baseline over common seeds; write the report folder."""
    from model.experiments.comparison import compare

    _check_run_options(args, min_steps=4)
    if args.posterior is not None:
        from model.cli_checks import check_int

        check_int("--posterior", args.posterior, 1)
    result = compare(
        args.scenarios or None,
        seeds=args.seeds,
        steps=args.steps,
        region=args.region,
        overrides=_parse_set(args.set),
        base_seed=args.base_seed,
        out=args.out,
        workers=args.workers,
        progress=not args.quiet,
        command=_command_line(),
        posterior=args.posterior,
        posterior_file=args.posterior_file,
    )
    result.write_tables()
    result.write_reports(args.lang, workers=args.workers)
    status = result.status
    print(
        f"{status['done']} runs done, {status['skipped']} reused, {status['failed']} failed, "
        f"in {status['wall_s']:.1f} s; report: {result.out / 'report_en.md'}"
    )
    return 1 if status["failed"] else 0


def cmd_scenarios(args: argparse.Namespace) -> int:
    """List the scenarios with their report passages."""
    from model.params.scenarios import list_scenarios, load_scenario

    for name in list_scenarios():
        s = load_scenario(name)
        print(f"{name:26s} {s.report:12s} {s.label('en')} / {s.name_zh}")
    return 0


def cmd_parameters(args: argparse.Namespace) -> int:
    """Print the parameter table."""
    from model.report.parameter_list import parameter_table

    text = parameter_table(args.lang, "csv" if args.csv else "text")
    sys.stdout.write(text if text.endswith("\n") else text + "\n")
    return 0


def _version() -> str:
    from importlib import metadata

    try:
        return metadata.version("innovsim")
    except metadata.PackageNotFoundError:  # running from a checkout that is not installed
        return "unknown (not installed)"


def cmd_warm_up(args: argparse.Namespace) -> int:
    """Compile every numba kernel into numba's on-disk cache, so later runs start at once."""
    import numba

    from model.params.scenarios import load_scenario
    from model.runs.run import simulate

    start = time.perf_counter()
    # the combined package switches every rule on, so every kernel is called; a tiny region
    # scale keeps the run itself short (kernel types do not depend on the scale)
    overrides = load_scenario("combined").parameters({"firm_scale": 0.05}).changed()
    simulate(overrides, seed=1, steps=8, scenario="warm-up")
    where = numba.config.CACHE_DIR or "model/kernels/__pycache__"
    elapsed = time.perf_counter() - start
    print(f"numba kernels compiled or loaded in {elapsed:.1f} s (cache: {where})")
    return 0


def cmd_explore(args: argparse.Namespace) -> int:
    """Serve the explorer page on a local address until interrupted."""
    from model.cli_checks import check_int
    from model.explore.server import serve

    check_int("--port", args.port, 0, 65535)
    return serve(args.host, args.port, region=args.region)


def add_sweep_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the arguments of ``innovsim sweep`` (also those of ``python -m model.experiments``)."""
    parser.add_argument("file", help="experiment file (.toml), or the name of one in experiments/")
    parser.add_argument("--out", default=None, help="result folder (default: results/sweeps/NAME)")
    parser.add_argument(
        "--resume",
        action="store_true",
        help="continue an interrupted sweep in --out: skip finished runs, retry failed ones",
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=None,
        help="worker processes (default: every CPU; 1 runs in this process), or the size of "
        "a local Dask cluster with --scheduler local",
    )
    parser.add_argument(
        "--scheduler",
        default=None,
        metavar="ADDRESS",
        help="run on a Dask cluster: a scheduler address (tcp://host:8786), or 'local' to "
        "start a LocalCluster",
    )
    parser.add_argument(
        "--dry-run",
        action="store_true",
        help="validate the file and print the size of the sweep; run nothing",
    )
    parser.add_argument("--quiet", action="store_true", help="no progress bar")


def add_sweep_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add the ``sweep`` command to ``innovsim``'s subparsers; returns its parser."""
    parser = subparsers.add_parser(
        "sweep",
        help="run a parameter sweep or sensitivity analysis from an experiment file",
        description="Run the experiment declared in FILE (scenarios, levers, uncertainties, "
        "design, seeds, outputs; see experiments/README.md). Each finished run is written at "
        "once to OUT/runs/ as Parquet; a manifest records the experiment, the sample, seeds, "
        "versions and git commit. A killed sweep continues with --resume. Sobol and Morris "
        "experiments with an [analysis] table also write sensitivity indices and figures.",
    )
    add_sweep_arguments(parser)
    parser.set_defaults(func=cmd_sweep)
    return parser


def cmd_sweep(args: argparse.Namespace) -> int:
    """Run ``innovsim sweep``: 0 on success, 1 if runs failed, 2 if the input is refused."""
    from model.experiments.declaration import ExperimentError, load_experiment
    from model.experiments.run import run_experiment
    from model.params.scenarios import ScenarioError
    from model.runs.executors import make_executor
    from model.runs.store import default_folder

    try:
        experiment = load_experiment(args.file)
        if args.workers is not None and args.workers < 1:
            raise ExperimentError(f"--workers: must be an integer >= 1, got {args.workers}")
        n_runs = experiment.n_runs()
        out = Path(args.out) if args.out else default_folder(experiment)
        if not args.dry_run:
            from model.cli_checks import check_output_folder, check_scheduler

            check_output_folder(out)
            if args.scheduler and args.scheduler != "local":
                check_scheduler(args.scheduler)  # before anything is written
        print(
            f"{experiment.name}: {experiment.n_points()} points x {experiment.replications} "
            f"replications x {len(experiment.all_scenarios)} scenario(s) = {n_runs} runs of "
            f"{experiment.steps} quarters on {experiment.region} -> {out}",
            file=sys.stderr,
        )
        if args.dry_run:
            return 0
        executor = make_executor(args.workers, args.scheduler)
        results = run_experiment(
            experiment,
            out,
            executor=executor,
            resume=args.resume,
            progress=not args.quiet,
            command=_sweep_command_line(args),
        )
    except (ExperimentError, ParameterError, ScenarioError, InputError) as err:
        print(f"innovsim: error: {err}", file=sys.stderr)
        return 2
    last = results.last_run
    status = results.status()
    print(
        f"{last['done']} runs done, {last['skipped']} skipped (already there), "
        f"{last['failed']} failed, in {last['wall_s']:.1f} s; {status['done']}/{status['total']} "
        f"finished -> {out}",
        file=sys.stderr,
    )
    if status["failed"]:
        print(
            f"failed runs are listed in {out / 'failures'}; rerun with --resume to retry them",
            file=sys.stderr,
        )
    if experiment.analysis is not None:
        if status["done"] < status["total"]:
            print("sensitivity analysis skipped: not every run finished", file=sys.stderr)
        else:
            from model.experiments.sensitivity import analyse_results

            try:
                written = analyse_results(results)
            except ExperimentError as err:
                print(f"innovsim: sensitivity analysis failed: {err}", file=sys.stderr)
                return 1
            print(f"sensitivity analysis: {', '.join(str(p) for p in written)}", file=sys.stderr)
    return 1 if status["failed"] else 0


def _sweep_command_line(args: argparse.Namespace) -> str:
    """The ``innovsim sweep`` command line equivalent to ``args`` (for the manifest)."""
    import shlex

    parts = ["innovsim", "sweep", str(args.file)]
    if args.out:
        parts += ["--out", str(args.out)]
    if args.resume:
        parts.append("--resume")
    if args.workers is not None:
        parts += ["--workers", str(args.workers)]
    if args.scheduler:
        parts += ["--scheduler", args.scheduler]
    return shlex.join(parts)


def cmd_calibrate(args: argparse.Namespace) -> int:
    """Run or resume an ABC-SMC calibration; write its posterior and target table."""
    from model.calibration.declaration import load_calibration
    from model.calibration.run import calibrate
    from model.cli_checks import check_int, check_output_folder, check_scheduler
    from model.runs.executors import make_executor

    if args.workers is not None:
        check_int("--workers", args.workers, 1)
    calibration = load_calibration(args.file)
    if args.small:
        calibration = calibration.small_version()
    out = Path(args.out) if args.out else Path("results") / "calibration" / calibration.name
    check_output_folder(out)
    if args.scheduler and args.scheduler != "local":
        check_scheduler(args.scheduler)
    result = calibrate(
        calibration,
        out,
        executor=make_executor(args.workers, args.scheduler),
        posterior_file=args.posterior_file,
        progress=not args.quiet,
        command=_command_line(),
    )
    hits = int(result.summary["hit"].sum())
    held = result.holdout_summary
    held_text = f" (out of sample: {int(held['hit'].sum())} of {len(held)})" if len(held) else ""
    print(
        f"{len(result.posterior)} posterior particles; {hits} of {len(result.summary)} targets "
        f"hit{held_text}; {result.runs['done']} runs now, {result.runs['reused']} reused, "
        f"{result.runs['failed']} failed -> {result.out}"
        + (f"; stopped early: {result.stopped}" if result.stopped else "")
    )
    return 1 if result.runs["failed"] else 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``innovsim``."""
    parser = argparse.ArgumentParser(
        prog="innovsim",
        description="Agent-based simulator of county S&T innovation systems: run policy "
        "scenarios, compare them, sweep parameters.",
    )
    parser.add_argument(
        "--version", action="version", version=f"%(prog)s {_version()}", help="show the version"
    )
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser(
        "run",
        help="run one scenario over several seeds",
        description="Run one scenario over several seeds and write the "
        "indicators (Parquet), a manifest and figures.",
    )
    run.add_argument(
        "scenario",
        nargs="?",
        default="baseline",
        help="scenario name (see 'innovsim scenarios'), a .toml path, or names "
        "joined with '+' (default: baseline)",
    )
    _add_run_options(run, compare=False)
    cmp_ = sub.add_parser(
        "compare",
        help="compare scenarios against the baseline and write a report",
        description="Run each scenario and the baseline over the same seeds (common random "
        "numbers) and write a report folder: Markdown report (en/zh), figures, "
        "tidy results (Parquet), effects, fiscal costs and a manifest.",
    )
    cmp_.add_argument(
        "scenarios",
        nargs="*",
        help="scenario names or .toml paths, or names joined with '+' "
        "(default: every scenario in scenarios/)",
    )
    _add_run_options(cmp_, compare=True)
    cmp_.add_argument(
        "--posterior",
        type=int,
        default=None,
        metavar="N",
        help="run every scenario at N draws of the calibrated posterior, --seeds seeds each; "
        "the report splits each effect's uncertainty into parameters and chance",
    )
    cmp_.add_argument(
        "--posterior-file",
        default=None,
        metavar="PATH",
        help="the posterior (default: the shipped model/data/posterior.csv)",
    )

    params = sub.add_parser(
        "parameters",
        help="list every parameter with its default, allowed values, unit and source",
        description="List every model parameter (docs/ODD.md §9): default, allowed values, "
        "unit and source. Scenario files and --set change them.",
    )
    params.add_argument("--lang", choices=["en", "zh"], default="en", help="language")
    params.add_argument("--csv", action="store_true", help="comma-separated values")
    params.set_defaults(func=cmd_parameters)

    scen = sub.add_parser(
        "scenarios",
        help="list the built-in scenarios",
        description="List the built-in scenarios and the report passages they test.",
    )
    scen.set_defaults(func=cmd_scenarios)

    warm = sub.add_parser(
        "warm-up",
        help="compile the numba kernels once (about a minute) so later runs start at once",
        description="Compile every numba kernel into numba's on-disk cache (NUMBA_CACHE_DIR, "
        "or __pycache__ next to the kernels) by a short run of the combined scenario. Runs "
        "compile on first use anyway; this moves the wait to a moment you choose, such as "
        "building a container image or before starting sweep workers.",
    )
    warm.set_defaults(func=cmd_warm_up)

    explore = sub.add_parser(
        "explore",
        help="open the explorer: move a scenario's levers and watch the counties (web page)",
        description="Serve a local web page (Solara) to pick a scenario, move its levers within "
        "their documented ranges, run the model quarter by quarter beside the baseline (county "
        "map, trajectories, fiscal cost), and browse a finished 'innovsim compare' folder. "
        "The address is printed; Ctrl-C stops the server.",
    )
    explore.add_argument("--host", default="127.0.0.1", help="address (default 127.0.0.1)")
    explore.add_argument("--port", type=int, default=0, help="port (default: a free one)")
    explore.add_argument(
        "--region", default=DEFAULT_REGION, help=f"region key or file (default {DEFAULT_REGION})"
    )
    explore.set_defaults(func=cmd_explore)

    add_sweep_parser(sub)
    cal = sub.add_parser(
        "calibrate",
        help="fit the free behavioural parameters to the county data set (ABC-SMC)",
        description="Run the ABC-SMC calibration declared in FILE (default: "
        "experiments/calibration.toml; docs/calibration.md). Each population is a sweep whose "
        "runs are stored at once under OUT; the same command resumes a killed calibration and "
        "ends with the same posterior. Writes OUT/posterior.csv, OUT/targets.md and "
        "OUT/particles.parquet.",
    )
    cal.add_argument(
        "file",
        nargs="?",
        default="calibration",
        help="calibration file (.toml), or the name of one in experiments/ (default calibration)",
    )
    cal.add_argument(
        "--small", action="store_true", help="the file's [small] sizes: a quick pipeline check"
    )
    cal.add_argument("--out", default=None, help="folder (default results/calibration/NAME)")
    cal.add_argument(
        "--posterior-file",
        default=None,
        metavar="PATH",
        help="also write the posterior here (the shipped one is model/data/posterior.csv)",
    )
    cal.add_argument(
        "--workers",
        type=int,
        default=None,
        help="worker processes (default: every CPU; 1 runs in this process)",
    )
    cal.add_argument(
        "--scheduler",
        default=None,
        metavar="ADDRESS",
        help="run on a Dask cluster (tcp://host:8786), or 'local' for a LocalCluster",
    )
    cal.add_argument("--quiet", action="store_true", help="no progress output")
    cal.set_defaults(func=cmd_calibrate)
    return parser


def _add_run_options(parser: argparse.ArgumentParser, *, compare: bool) -> None:
    """Add the options ``run`` and ``compare`` share, and the command to call."""
    seeds, out = (6, "results/compare") if compare else (10, "results/run")
    seeds_help = "seeds per scenario" if compare else "number of seeds"
    every = " in every scenario" if compare else ""
    languages = "report and figure languages" if compare else "figure languages"
    parser.add_argument("--seeds", type=int, default=seeds, help=f"{seeds_help} (default {seeds})")
    parser.add_argument(
        "--base-seed",
        type=int,
        default=0,
        help="the seeds of the replications follow from it, as in a sweep (default 0)",
    )
    parser.add_argument("--steps", type=int, default=40, help="quarters (default 40)")
    parser.add_argument(
        "--region", default=DEFAULT_REGION, help=f"region key or file (default {DEFAULT_REGION})"
    )
    parser.add_argument("--out", default=out, help=f"output folder (default {out})")
    parser.add_argument(
        "--workers", type=int, default=min(2, _cpus()), help="worker processes (default: up to 2)"
    )
    parser.add_argument(
        "--set",
        action="append",
        metavar="NAME=VALUE",
        help=f"override a parameter{every} (repeatable)",
    )
    parser.add_argument(
        "--lang",
        nargs="+",
        default=["en", "zh"],
        choices=["en", "zh"],
        help=f"{languages} (default: en zh)",
    )
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    parser.set_defaults(func=cmd_compare if compare else cmd_run)


def _cpus() -> int:
    import os

    return max(1, os.cpu_count() or 1)


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``innovsim`` command.

    Returns 0 on success, 1 if runs failed or an internal error occurred (one line on stderr
    says where the traceback was logged), 2 if an input was refused (one line on stderr:
    ``innovsim: error: FILE or FLAG: what is wrong and what is allowed``).
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except InputError as err:  # scenario, experiment, region, parameter or flag refused
        print(f"innovsim: error: {_one_line(str(err))}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:  # Ctrl-C: runs stop, every finished one is in the folder
        out = getattr(args, "out", None)
        where = f" in {out}; the same command completes the rest" if out else ""
        print(f"innovsim: interrupted; finished runs are kept{where}", file=sys.stderr)
        return 130
    except BrokenPipeError:  # output piped into a reader that closed (`| head`)
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except Exception as err:  # a bug, not a user's mistake: keep the traceback in a log
        log = _log_traceback()
        print(
            f"innovsim: internal error ({type(err).__name__}: {_one_line(str(err))[:200]}); "
            f"the traceback is in {log}",
            file=sys.stderr,
        )
        return 1


def _one_line(text: str) -> str:
    """``text`` on one line (TOML syntax errors and tracebacks carry newlines)."""
    return " ".join(text.split())


def _log_traceback() -> str:
    """Write the current exception's traceback to a log file; return its path."""
    import tempfile
    import traceback

    with tempfile.NamedTemporaryFile(
        "w", prefix="innovsim-error-", suffix=".log", delete=False, encoding="utf-8"
    ) as log:
        log.write("innovsim " + " ".join(sys.argv[1:]) + "\n\n")
        log.write(traceback.format_exc())
    return log.name


if __name__ == "__main__":
    sys.exit(main())
