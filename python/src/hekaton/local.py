"""Run a competition's stages for one submission on this machine, without the daemon.

For hosts developing a competition and participants trying a submission: each stage's
entrypoint runs as a child process with exactly the variables the daemon sets (see
``python/README.md``), with the SDK and the submission on ``PYTHONPATH`` and the chosen
interpreter first on ``PATH``. As under the daemon, score runs in the competition
directory and train, predict and artifact in a copy of only what the manifest's
``visibility`` shows them (``WORK/host/participant``, ``WORK/host/artifact``), so a helper
left out of ``visibility.participant`` fails here too. There is no sandbox: inputs are not
made read-only and the network stays reachable, so a run that passes here can still fail
under the daemon if it writes where it may not, or reaches outside its directories.

Command line::

    python3 -m hekaton.local COMPETITION_DIR DATA_DIR SUBMISSION_DIR \\
        [--work DIR] [--stages train,predict,score,artifact] [--seed N] [--python PATH]

``DATA_DIR`` is one dataset version, laid out as the manifest's ``dataset`` section says.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .context import STAGES
from .errors import HekatonError
from .host import METRICS_FILE, read_metrics
from .manifest import Manifest, load_manifest

SDK_SOURCE_DIR = Path(__file__).resolve().parent.parent
"""The directory that holds the ``hekaton`` package (``python/src``): what goes on ``PYTHONPATH``."""


@dataclass
class StageResult:
    """One stage's run: its command, exit status, time and log."""

    stage: str
    argv: list[str]
    returncode: int
    seconds: float
    log_path: Path
    timed_out: bool = False

    @property
    def ok(self) -> bool:
        return self.returncode == 0

    def log_text(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")


@dataclass
class LocalRun:
    """The stages run so far (in order) and their directories."""

    work_dir: Path
    manifest: Manifest
    stages: dict[str, StageResult] = field(default_factory=dict)
    metrics: dict[str, Any] | None = None

    @property
    def ok(self) -> bool:
        return all(result.ok for result in self.stages.values())

    @property
    def failed_stage(self) -> StageResult | None:
        return next((result for result in self.stages.values() if not result.ok), None)

    @property
    def model_dir(self) -> Path:
        return self.work_dir / "model"

    @property
    def predictions_dir(self) -> Path:
        return self.work_dir / "predictions"

    @property
    def score_dir(self) -> Path:
        return self.work_dir / "score"

    @property
    def artifact_dir(self) -> Path:
        return self.work_dir / "artifact"


def stage_environment(
    manifest: Manifest,
    stage: str,
    directories: Mapping[str, Path],
    *,
    seed: int = 0,
    submission_dir: Path | None = None,
    python: str | os.PathLike[str] | None = None,
    base: Mapping[str, str] | None = None,
    host_dir: Path | None = None,
) -> dict[str, str]:
    """The environment the daemon gives ``stage``: the contract's variables on top of
    ``base`` (default: this process's environment without its ``HEKATON_*`` variables).
    ``HEKATON_HOST_DIR`` is ``host_dir``, by default the competition directory."""
    env = {k: v for k, v in (os.environ if base is None else base).items() if not k.startswith("HEKATON_")}
    interpreter_dir = str(Path(python or sys.executable).parent)
    env["PATH"] = interpreter_dir + os.pathsep + env.get("PATH", os.defpath)
    python_path = [str(SDK_SOURCE_DIR)] + ([str(submission_dir)] if submission_dir else [])
    env["PYTHONPATH"] = os.pathsep.join(python_path)
    env["PYTHONDONTWRITEBYTECODE"] = "1"  # inputs are read-only in the sandbox
    env["PYTHONUNBUFFERED"] = "1"         # keep stdout and stderr in order in the log
    # As the daemon: runs that repeat (the hash seed orders sets; numeric thread pools of a
    # fixed width, the stage's cpus limit, add up the same way).
    env["PYTHONHASHSEED"] = str(abs(seed) % 2**32)
    threads = str(manifest.cpus.get(stage, 1))
    for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS"):
        env[name] = threads
    env.update({
        "HEKATON_STAGE": stage,
        "HEKATON_COMPETITION": manifest.name,
        "HEKATON_PARAMS": manifest.params_json,
        "HEKATON_HOST_DIR": str((host_dir or manifest.directory).resolve()),
        "HEKATON_SEED": str(seed),
    })
    if stage == "score" and manifest.splits:
        env["HEKATON_SPLITS"] = json.dumps({"private": manifest.splits["private"], "public": manifest.splits["public"]},
                                           separators=(",", ":"))
    for name, path in directories.items():
        env[name] = str(Path(path).resolve())
    return env


def run_stage(manifest: Manifest, stage: str, env: Mapping[str, str], log_path: Path,
              echo: bool = False, timeout: float | None = None) -> StageResult:
    """Run the manifest's entrypoint for ``stage`` with ``env`` in ``$HEKATON_HOST_DIR`` (the
    competition directory when ``env`` has none); its output goes to ``log_path``."""
    argv = manifest.entrypoints.get(stage)
    if argv is None:
        raise HekatonError(f"{manifest.path}: no entrypoint for the {stage} stage")
    timeout = manifest.wall_time_for(stage) if timeout is None else timeout
    log_path.parent.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    timed_out = False
    with open(log_path, "wb") as log:
        try:
            process = subprocess.Popen(argv, cwd=env.get("HEKATON_HOST_DIR", manifest.directory), env=dict(env),
                                       stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                       start_new_session=True)
        except OSError as error:
            log.write(f"hekaton: {stage}: cannot start {argv[0]!r}: {error}\n".encode())
            return StageResult(stage, list(argv), 127, 0.0, log_path)
        try:
            returncode = process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            timed_out = True
            os.killpg(process.pid, signal.SIGKILL)  # the whole process tree, as the sandbox does
            returncode = process.wait()
            log.write(f"hekaton: {stage}: killed after the wall time limit of {timeout:.0f} s\n".encode())
    result = StageResult(stage, list(argv), returncode, time.monotonic() - started, log_path, timed_out)
    if echo:
        text = result.log_text()
        if text:
            sys.stdout.write(text if text.endswith("\n") else text + "\n")
            sys.stdout.flush()
    return result


def run_pipeline(
    competition_dir: str | os.PathLike[str],
    data_dir: str | os.PathLike[str],
    submission_dir: str | os.PathLike[str],
    work_dir: str | os.PathLike[str] | None = None,
    stages: Iterable[str] = ("train", "predict", "score"),
    *,
    seed: int = 0,
    python: str | os.PathLike[str] | None = None,
    echo: bool = False,
) -> LocalRun:
    """Run ``stages`` in order for one submission against one dataset version, stopping at
    the first failure.

    The work directory (a new temporary one by default) receives ``model/``,
    ``predictions/``, ``score/``, ``artifact/``, ``logs/STAGE.log`` and ``host/`` (the
    visible copies of the competition directory). A stage that needs
    an earlier stage's output finds it there, so ``stages=["artifact"]`` works after a
    run with ``train``.
    """
    manifest = load_manifest(competition_dir)
    data = Path(data_dir).resolve()
    submission = Path(submission_dir).resolve()
    work = Path(work_dir) if work_dir is not None else Path(tempfile.mkdtemp(prefix=f"hekaton-{manifest.name}-"))
    work = work.resolve()
    work.mkdir(parents=True, exist_ok=True)
    run = LocalRun(work_dir=work, manifest=manifest)
    for stage in stages:
        if stage not in STAGES:
            raise HekatonError(f"unknown stage {stage!r}; expected one of {', '.join(STAGES)}")
    for name in (manifest.dataset_train, manifest.dataset_features, manifest.dataset_labels):
        if not (data / name).is_dir():
            raise HekatonError(f"the dataset version at {data} has no directory {name}/ "
                               f"(from the manifest's dataset section)")

    for stage in stages:
        with_submission = stage != "score"
        if stage == "train":
            _fresh(run.model_dir)
            directories = {"HEKATON_SUBMISSION_DIR": submission, "HEKATON_TRAIN_DIR": data / manifest.dataset_train,
                           "HEKATON_MODEL_DIR": run.model_dir}
        elif stage == "predict":
            _fresh(run.predictions_dir)
            directories = {"HEKATON_SUBMISSION_DIR": submission, "HEKATON_MODEL_DIR": run.model_dir,
                           "HEKATON_FEATURES_DIR": data / manifest.dataset_features,
                           "HEKATON_OUTPUT_DIR": run.predictions_dir}
        elif stage == "score":
            _fresh(run.score_dir)
            directories = {"HEKATON_PREDICTIONS_DIR": run.predictions_dir,
                           "HEKATON_LABELS_DIR": data / manifest.dataset_labels,
                           "HEKATON_OUTPUT_DIR": run.score_dir}
        else:
            _fresh(run.artifact_dir)
            directories = {"HEKATON_SUBMISSION_DIR": submission, "HEKATON_MODEL_DIR": run.model_dir,
                           "HEKATON_DATA_DIR": _without_labels(manifest, data, work / "artifact-data"),
                           "HEKATON_OUTPUT_DIR": run.artifact_dir}
        for name, path in directories.items():
            if not Path(path).is_dir():
                raise HekatonError(f"the {stage} stage needs {path} ({name}); run the earlier stages first")
        visible = manifest.visible_paths(stage)
        host_dir = None if visible is None else _visible_copy(manifest, visible, work / "host" / (
            "artifact" if stage == "artifact" else "participant"))
        env = stage_environment(manifest, stage, directories, seed=seed,
                                submission_dir=submission if with_submission else None, python=python,
                                host_dir=host_dir)
        if echo:
            print(f"==> {stage}: {' '.join(manifest.entrypoints.get(stage, ['(none)']))}", flush=True)
        result = run_stage(manifest, stage, env, work / "logs" / f"{stage}.log", echo=echo)
        run.stages[stage] = result
        if not result.ok:
            break
        if stage == "score":
            run.metrics = read_metrics(run.score_dir / METRICS_FILE)
    return run


def _fresh(path: Path) -> None:
    if path.exists():
        shutil.rmtree(path)
    path.mkdir(parents=True)


def _visible_copy(manifest: Manifest, paths: list[str], view: Path) -> Path:
    """A fresh copy of the parts of the competition directory at ``paths``: what a stage
    that runs participant code sees. Copies, not links: Python puts a script's real
    directory on ``sys.path``, so a link would make hidden helpers importable."""
    if view.exists():
        shutil.rmtree(view)
    view.mkdir(parents=True)
    for relative in paths:
        source, target = manifest.directory / relative, view / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.is_dir() and not source.is_symlink():
            shutil.copytree(source, target, symlinks=True, dirs_exist_ok=True)
        elif source.exists() or source.is_symlink():
            shutil.copy2(source, target, follow_symlinks=False)
    return view


def _without_labels(manifest: Manifest, data: Path, view: Path) -> Path:
    """A directory holding the train and features parts of ``data`` and not its labels:
    what ``HEKATON_DATA_DIR`` holds. Directories are real, files are symlinks, so the
    view walks like the daemon's mounts without copying data."""
    if view.exists():
        shutil.rmtree(view)
    for part in (manifest.dataset_train, manifest.dataset_features):
        source = data / part
        for root, _, files in os.walk(source):
            target = view / part / Path(root).relative_to(source)
            target.mkdir(parents=True, exist_ok=True)
            for name in files:
                (target / name).symlink_to(Path(root, name))
    return view


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python3 -m hekaton.local", description=__doc__.split("\n\n")[0])
    parser.add_argument("competition", help="the competition directory (holds hekaton.yaml)")
    parser.add_argument("data", help="one dataset version (holds the manifest's train, features and labels paths)")
    parser.add_argument("submission", help="the submission directory (holds submission.py)")
    parser.add_argument("--work", help="work directory for models, outputs and logs (default: a new temporary one)")
    parser.add_argument("--stages", default="train,predict,score",
                        help="comma-separated stages to run, in order (default: train,predict,score)")
    parser.add_argument("--seed", type=int, default=0, help="HEKATON_SEED (default: 0)")
    parser.add_argument("--python", help="interpreter whose directory goes first on PATH (default: this one); "
                                         "point it at a virtual environment's python3 to use its packages")
    parser.add_argument("--quiet", action="store_true", help="do not echo the stage logs")
    args = parser.parse_args(argv)
    try:
        run = run_pipeline(args.competition, args.data, args.submission, args.work,
                           [s.strip() for s in args.stages.split(",") if s.strip()],
                           seed=args.seed, python=args.python, echo=not args.quiet)
    except HekatonError as error:
        print(f"hekaton.local: {error}", file=sys.stderr)
        return 2
    for result in run.stages.values():
        status = "ok" if result.ok else ("timed out" if result.timed_out else f"failed (exit {result.returncode})")
        print(f"{result.stage:<9} {status:<18} {result.seconds:7.2f} s   {result.log_path}")
    if run.metrics is not None:
        print(json.dumps(run.metrics, indent=2, sort_keys=True))
    return 0 if run.ok else 1


if __name__ == "__main__":
    sys.exit(main())
