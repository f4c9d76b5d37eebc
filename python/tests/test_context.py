import json
from pathlib import Path

import hekaton
import pytest
from hekaton import ContextError, StageContext
from hekaton.context import STAGE_VARIABLES
from sdk_helpers import stage_env


@pytest.mark.parametrize("stage", ["train", "predict", "score", "artifact"])
def test_every_stage_reads_its_variables(stage, stage_dirs):
    ctx = StageContext.from_env(stage_env(stage, stage_dirs), stage=stage)
    assert ctx.stage == stage and ctx.competition == "toy" and ctx.seed == 7
    assert ctx.params == {"k": 3} and ctx.param("k") == 3 and ctx.param("missing", 1) == 1
    assert ctx.host_dir == stage_dirs["host"]
    for variable in STAGE_VARIABLES[stage]:
        attribute = variable.removeprefix("HEKATON_").lower()
        assert isinstance(getattr(ctx, attribute), Path)
    assert ctx.labels_dir is None or stage == "score"


@pytest.mark.parametrize("stage", ["train", "predict", "score", "artifact"])
@pytest.mark.parametrize("variable", ["HEKATON_STAGE", "HEKATON_COMPETITION", "HEKATON_PARAMS",
                                      "HEKATON_HOST_DIR", "HEKATON_SEED"])
def test_a_missing_common_variable_is_named(stage, variable, stage_dirs):
    env = stage_env(stage, stage_dirs)
    del env[variable]
    with pytest.raises(ContextError, match=f"^{variable} is not set"):
        StageContext.from_env(env)


@pytest.mark.parametrize("stage", ["train", "predict", "score", "artifact"])
def test_a_missing_directory_variable_is_named(stage, stage_dirs):
    for variable in STAGE_VARIABLES[stage]:
        env = stage_env(stage, stage_dirs)
        del env[variable]
        with pytest.raises(ContextError, match=f"^{variable} is not set; the daemon sets it for every {stage} stage"):
            StageContext.from_env(env)


def test_bad_values(stage_dirs, tmp_path):
    cases = {
        "HEKATON_STAGE": ("deploy", "expected one of train, predict, score, artifact"),
        "HEKATON_PARAMS": ("{k: 1}", "HEKATON_PARAMS is not valid JSON"),
        "HEKATON_SEED": ("seven", "HEKATON_SEED must be an integer"),
        "HEKATON_MODEL_DIR": ("relative/model", "HEKATON_MODEL_DIR must be an absolute path"),
        "HEKATON_TRAIN_DIR": (str(tmp_path / "nope"), "which is not a directory"),
    }
    for variable, (value, message) in cases.items():
        env = stage_env("train", stage_dirs, **{variable: value})
        with pytest.raises(ContextError, match=message):
            StageContext.from_env(env)
    with pytest.raises(ContextError, match="must be a JSON object"):
        StageContext.from_env(stage_env("train", stage_dirs, HEKATON_PARAMS="[1]"))


def test_wrong_stage_points_at_the_manifest(stage_dirs):
    with pytest.raises(ContextError, match="runs the train stage but HEKATON_STAGE is 'predict'.*entrypoints"):
        StageContext.from_env(stage_env("predict", stage_dirs), stage="train")


def test_require_names_what_the_stage_lacks(stage_dirs):
    ctx = StageContext.from_env(stage_env("train", stage_dirs))
    assert ctx.require("model_dir") == stage_dirs["model"]
    with pytest.raises(ContextError, match="the train stage has no HEKATON_LABELS_DIR"):
        ctx.require("labels_dir")


def test_participant_helpers_read_params_and_seed():
    assert hekaton.params({}) == {} and hekaton.seed({}) == 0
    env = {"HEKATON_PARAMS": json.dumps({"k": 5}), "HEKATON_SEED": "3"}
    assert hekaton.params(env) == {"k": 5} and hekaton.seed(env) == 3
