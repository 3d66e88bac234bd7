"""Shared command-line options of the study scripts in experiments/ (not a study itself)."""

from __future__ import annotations

import argparse
from pathlib import Path

from model import make_executor

HERE = Path(__file__).resolve().parent


def parser(description: str, default_out: str) -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--out", default=default_out, help=f"result folder (default {default_out})")
    p.add_argument("--resume", action="store_true", help="continue an interrupted run")
    p.add_argument("--workers", type=int, default=None, help="worker processes (default: CPUs)")
    p.add_argument("--scheduler", default=None, help="Dask scheduler address, or 'local'")
    p.add_argument(
        "--smoke",
        action="store_true",
        help="a tiny version (few points, seeds and quarters, a tenth of the firms) that "
        "checks the pipeline in a minute; written to OUT-smoke",
    )
    p.add_argument("--lang", nargs="+", default=["en", "zh"], choices=["en", "zh"])
    return p


def executor(args: argparse.Namespace):
    return make_executor(args.workers, args.scheduler)


def out_dir(args: argparse.Namespace) -> Path:
    return Path(args.out + "-smoke") if args.smoke else Path(args.out)
