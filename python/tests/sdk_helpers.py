"""Helpers shared by the SDK's tests (a distinct name, so it never clashes with other test
directories' modules when pytest collects several at once)."""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

SRC = Path(__file__).resolve().parent.parent / "src"
if str(SRC) not in sys.path:
    sys.path.insert(0, str(SRC))


def write(path: Path, text: str) -> Path:
    """Write dedented ``text`` to ``path``, creating its directory."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip("\n"))
    return path


def stage_env(stage: str, dirs: dict[str, Path], **extra: str) -> dict[str, str]:
    """The environment the daemon gives ``stage``, built from ``stage_dirs``."""
    per_stage = {
        "train": {"HEKATON_SUBMISSION_DIR": "submission", "HEKATON_TRAIN_DIR": "train", "HEKATON_MODEL_DIR": "model"},
        "predict": {"HEKATON_SUBMISSION_DIR": "submission", "HEKATON_MODEL_DIR": "model",
                    "HEKATON_FEATURES_DIR": "features", "HEKATON_OUTPUT_DIR": "output"},
        "score": {"HEKATON_PREDICTIONS_DIR": "predictions", "HEKATON_LABELS_DIR": "labels",
                  "HEKATON_OUTPUT_DIR": "output"},
        "artifact": {"HEKATON_SUBMISSION_DIR": "submission", "HEKATON_MODEL_DIR": "model",
                     "HEKATON_DATA_DIR": "data", "HEKATON_OUTPUT_DIR": "output"},
    }[stage]
    env = {"HEKATON_STAGE": stage, "HEKATON_COMPETITION": "toy", "HEKATON_PARAMS": '{"k":3}',
           "HEKATON_HOST_DIR": str(dirs["host"]), "HEKATON_SEED": "7"}
    env.update({name: str(dirs[key]) for name, key in per_stage.items()})
    env.update(extra)
    return env
