"""The environment the daemon gives each stage, read and checked in one place.

The variables are documented in ``python/README.md``; :data:`STAGE_VARIABLES` is the same
table in code. :meth:`StageContext.from_env` refuses an environment that breaks the
contract, naming the variable at fault, so a misconfigured stage fails on its first line
with a message that says why.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import ContextError

#: The pipeline's stages, in order.
STAGES = ("train", "predict", "score", "artifact")

#: Variables set for every stage.
COMMON_VARIABLES = ("HEKATON_STAGE", "HEKATON_COMPETITION", "HEKATON_PARAMS", "HEKATON_HOST_DIR", "HEKATON_SEED")

#: Directory variables per stage, each with its access: ``"ro"`` (read-only input) or
#: ``"rw"`` (the stage's writable output).
STAGE_VARIABLES: dict[str, dict[str, str]] = {
    "train": {"HEKATON_SUBMISSION_DIR": "ro", "HEKATON_TRAIN_DIR": "ro", "HEKATON_MODEL_DIR": "rw"},
    "predict": {"HEKATON_SUBMISSION_DIR": "ro", "HEKATON_MODEL_DIR": "ro", "HEKATON_FEATURES_DIR": "ro",
                "HEKATON_OUTPUT_DIR": "rw"},
    "score": {"HEKATON_PREDICTIONS_DIR": "ro", "HEKATON_LABELS_DIR": "ro", "HEKATON_OUTPUT_DIR": "rw"},
    "artifact": {"HEKATON_SUBMISSION_DIR": "ro", "HEKATON_MODEL_DIR": "ro", "HEKATON_DATA_DIR": "ro",
                 "HEKATON_OUTPUT_DIR": "rw"},
}

#: Every directory variable, mapped to the :class:`StageContext` attribute that holds it.
DIRECTORY_ATTRIBUTES = {
    "HEKATON_SUBMISSION_DIR": "submission_dir",
    "HEKATON_TRAIN_DIR": "train_dir",
    "HEKATON_MODEL_DIR": "model_dir",
    "HEKATON_FEATURES_DIR": "features_dir",
    "HEKATON_PREDICTIONS_DIR": "predictions_dir",
    "HEKATON_LABELS_DIR": "labels_dir",
    "HEKATON_DATA_DIR": "data_dir",
    "HEKATON_OUTPUT_DIR": "output_dir",
}

_HINT = ("the daemon sets it for every {stage} stage (see python/README.md); "
         "to run an entrypoint outside the daemon, use `python3 -m hekaton.local`")


@dataclass(frozen=True)
class StageContext:
    """What one run of one stage may read and write.

    Directory attributes that the stage does not receive are ``None``; use
    :meth:`require` to get one with a clear error when it is missing.
    """

    stage: str
    competition: str
    params: dict[str, Any]
    host_dir: Path
    seed: int
    submission_dir: Path | None = None
    train_dir: Path | None = None
    model_dir: Path | None = None
    features_dir: Path | None = None
    predictions_dir: Path | None = None
    labels_dir: Path | None = None
    data_dir: Path | None = None
    output_dir: Path | None = None
    #: The score stage's public and private shares of the rows (``HEKATON_SPLITS``, from the
    #: manifest's ``metric.splits``); None when the competition has one leaderboard.
    splits: dict[str, float] | None = None
    environ: Mapping[str, str] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, stage: str | None = None) -> StageContext:
        """Read and check the stage's variables from ``environ`` (default: ``os.environ``).

        :param stage: when given, ``HEKATON_STAGE`` must be this stage (an entrypoint
            wired to the wrong stage in ``hekaton.yaml`` then fails clearly).
        :raises ContextError: naming the first variable that is missing or wrong.
        """
        env = os.environ if environ is None else environ

        def get(name: str, for_stage: str = "") -> str:
            value = env.get(name)
            if value is None or value == "":
                raise ContextError(f"{name} is not set; " + _HINT.format(stage=for_stage or "pipeline"))
            return value

        actual = get("HEKATON_STAGE")
        if actual not in STAGES:
            raise ContextError(f"HEKATON_STAGE is {actual!r}; expected one of {', '.join(STAGES)}")
        if stage is not None and actual != stage:
            raise ContextError(f"this entrypoint runs the {stage} stage but HEKATON_STAGE is {actual!r}; "
                               f"check `entrypoints:` in hekaton.yaml")

        competition = get("HEKATON_COMPETITION", actual)
        raw_params = get("HEKATON_PARAMS", actual)
        try:
            params = json.loads(raw_params)
        except json.JSONDecodeError as error:
            raise ContextError(f"HEKATON_PARAMS is not valid JSON ({error.msg}): {raw_params!r}") from None
        if not isinstance(params, dict):
            raise ContextError(f"HEKATON_PARAMS must be a JSON object, got {raw_params!r}")
        raw_seed = get("HEKATON_SEED", actual)
        try:
            seed = int(raw_seed)
        except ValueError:
            raise ContextError(f"HEKATON_SEED must be an integer, got {raw_seed!r}") from None

        host_dir = _directory(env, "HEKATON_HOST_DIR", get("HEKATON_HOST_DIR", actual), "ro")
        dirs: dict[str, Path] = {}
        required = STAGE_VARIABLES[actual]
        for name, attribute in DIRECTORY_ATTRIBUTES.items():
            if name in required:
                dirs[attribute] = _directory(env, name, get(name, actual), required[name])
            elif env.get(name):
                # Not part of this stage's contract: passed through unchecked, but usable.
                dirs[attribute] = Path(env[name])
        splits = None
        raw_splits = env.get("HEKATON_SPLITS")
        if raw_splits:
            try:
                splits = json.loads(raw_splits)
            except json.JSONDecodeError:
                splits = None
            if (not isinstance(splits, dict) or set(splits) != {"public", "private"}
                    or not all(isinstance(v, (int, float)) and 0 < v < 1 for v in splits.values())
                    or abs(sum(splits.values()) - 1) > 1e-9):
                raise ContextError(f'HEKATON_SPLITS must be {{"public": share, "private": share}} adding up to 1, got {raw_splits!r}')
        return cls(stage=actual, competition=competition, params=params, host_dir=host_dir, seed=seed,
                   splits=splits, environ=dict(env), **dirs)

    def require(self, attribute: str) -> Path:
        """The directory ``attribute`` (``"model_dir"``, ...), or a clear error if this stage has none."""
        value = getattr(self, attribute, None)
        if value is None:
            variable = next((k for k, v in DIRECTORY_ATTRIBUTES.items() if v == attribute), attribute)
            raise ContextError(f"the {self.stage} stage has no {variable}")
        return value

    def expect(self, stage: str) -> None:
        """Fail unless this context is for ``stage``."""
        if self.stage != stage:
            raise ContextError(f"this entrypoint runs the {stage} stage but HEKATON_STAGE is {self.stage!r}; "
                               f"check `entrypoints:` in hekaton.yaml")

    def param(self, name: str, default: Any = None) -> Any:
        """One value of the manifest's ``parameters``."""
        return self.params.get(name, default)


def _directory(env: Mapping[str, str], name: str, value: str, access: str) -> Path:
    path = Path(value)
    if not path.is_absolute():
        raise ContextError(f"{name} must be an absolute path, got {value!r}")
    if not path.is_dir():
        raise ContextError(f"{name} is {value!r}, which is not a directory")
    if access == "rw" and not os.access(path, os.W_OK):
        raise ContextError(f"{name} is {value!r}, which is not writable")
    return path


def params(environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The competition's ``parameters`` (``HEKATON_PARAMS``), or ``{}`` outside a stage.

    Participant code may use this, for example to learn how many items to recommend.
    """
    env = os.environ if environ is None else environ
    raw = env.get("HEKATON_PARAMS")
    if not raw:
        return {}
    value = json.loads(raw)
    if not isinstance(value, dict):
        raise ContextError(f"HEKATON_PARAMS must be a JSON object, got {raw!r}")
    return value


def seed(environ: Mapping[str, str] | None = None, default: int = 0) -> int:
    """The run's seed (``HEKATON_SEED``), or ``default`` outside a stage."""
    env = os.environ if environ is None else environ
    raw = env.get("HEKATON_SEED")
    return int(raw) if raw else default
