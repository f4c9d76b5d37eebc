#!/usr/bin/env python3
"""Run Pococha submissions end to end on this machine, without the daemon.

Generates the dataset version for ``--day`` (unless ``--data`` points at one), then runs
train → predict → score (and, with ``--artifact``, the artifact stage) for each
submission through the competition's real entrypoints, with the environment the daemon
sets, and prints a leaderboard::

    python3 examples/pococha/run_local.py                       # the example submissions
    python3 examples/pococha/run_local.py path/to/my-submission --artifact

There is no sandbox here (see ``python3 -m hekaton.local --help``); each stage's log is in
``WORK/SUBMISSION/logs/``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
COMPETITION_DIR = HERE / "competition"
SUBMISSIONS_DIR = HERE / "submissions"
SDK_DIR = HERE.parent.parent / "python" / "src"
if str(SDK_DIR) not in sys.path:
    sys.path.insert(0, str(SDK_DIR))
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

import generate  # noqa: E402
from hekaton.local import LocalRun, run_pipeline  # noqa: E402

DEFAULT_DAY = dt.date(2026, 11, 28)


@dataclass
class Entry:
    """One submission's local run, for the leaderboard."""

    name: str
    run: LocalRun

    @property
    def score(self) -> float | None:
        return self.run.metrics["value"] if self.run.metrics else None


def example_submissions() -> list[Path]:
    """The bundled example submissions, in name order."""
    return sorted(path for path in SUBMISSIONS_DIR.iterdir() if (path / "submission.py").is_file())


def evaluate(submissions: list[Path], data_dir: Path, work_dir: Path, *, artifact: bool = False,
             seed: int = 0, python: str | None = None, echo: bool = False) -> list[Entry]:
    """Run each submission against one dataset version; best first, failures last."""
    stages = ["train", "predict", "score"] + (["artifact"] if artifact else [])
    entries = []
    for submission in submissions:
        name = submission.resolve().name
        run = run_pipeline(COMPETITION_DIR, data_dir, submission, work_dir / name, stages,
                           seed=seed, python=python, echo=echo)
        entries.append(Entry(name, run))
    return sorted(entries, key=lambda e: (e.score is None, -(e.score or 0.0)))


def print_leaderboard(entries: list[Entry]) -> None:
    print(f"{'rank':<5} {'submission':<20} {'recall@10':>9} {'ndcg@10':>8} {'train s':>8} {'predict s':>9}")
    for rank, entry in enumerate(entries, start=1):
        stages = entry.run.stages
        if entry.score is None:
            failed = entry.run.failed_stage
            if failed is None:  # pragma: no cover - a run without metrics has a failed stage
                print(f"{'-':<5} {entry.name:<20} no metrics")
                continue
            print(f"{'-':<5} {entry.name:<20} failed in {failed.stage}: {failed.log_path}")
            for line in failed.log_text().splitlines()[-8:]:
                print(f"      | {line}")
            continue
        details = entry.run.metrics.get("details", {})
        print(f"{rank:<5} {entry.name:<20} {entry.score:>9.4f} {details.get('ndcg@10', float('nan')):>8.4f} "
              f"{stages['train'].seconds:>8.2f} {stages['predict'].seconds:>9.2f}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("submissions", nargs="*", type=Path,
                        help="submission directories (default: the examples in submissions/)")
    parser.add_argument("--day", type=dt.date.fromisoformat, default=DEFAULT_DAY,
                        help=f"target day of the generated data (default {DEFAULT_DAY})")
    parser.add_argument("--data", type=Path, help="an existing dataset version instead of generating one")
    parser.add_argument("--work", type=Path, help="work directory (default: a new temporary one)")
    parser.add_argument("--seed", type=int, default=generate.DEFAULT_SEED, help="the data generator's seed")
    parser.add_argument("--listeners", type=int, default=generate.DEFAULT_LISTENERS)
    parser.add_argument("--livers", type=int, default=generate.DEFAULT_LIVERS)
    parser.add_argument("--history-days", type=int, default=generate.DEFAULT_HISTORY_DAYS)
    parser.add_argument("--artifact", action="store_true", help="also run the artifact stage")
    parser.add_argument("--python", help="interpreter (e.g. a virtual environment's python3) for the stages")
    parser.add_argument("--verbose", action="store_true", help="echo every stage's log")
    args = parser.parse_args(argv)

    work = args.work or Path(tempfile.mkdtemp(prefix="pococha-"))
    data = args.data
    if data is None:
        data = work / "data" / args.day.isoformat()
        counts = generate.generate(args.day, data, args.seed, args.listeners, args.livers, args.history_days)
        print(f"generated {args.day} into {data}: {counts['train/interactions.csv']} training interactions, "
              f"{counts['eval/labels/interactions.csv']} label interactions")
    submissions = args.submissions or example_submissions()
    entries = evaluate(submissions, data, work, artifact=args.artifact, python=args.python, echo=args.verbose)
    print_leaderboard(entries)
    print(f"work directory: {work}")
    return 0 if all(entry.score is not None and entry.run.ok for entry in entries) else 1


if __name__ == "__main__":
    sys.exit(main())
