"""hekaton.local runs a competition's stages as the daemon would; a toy competition whose
entrypoints record their environment checks the contract from the inside."""

import json
import os
import sys
import time
from pathlib import Path

import pytest
from hekaton.context import COMMON_VARIABLES, STAGE_VARIABLES
from hekaton.local import main, run_pipeline
from sdk_helpers import SRC, write

RECORD = """
import json, os, shutil, sys
from pathlib import Path

def record(directory, stage):
    host = os.environ["HEKATON_HOST_DIR"]
    info = {
        "env": {k: v for k, v in os.environ.items() if k.startswith("HEKATON_")},
        "cwd": os.getcwd(),
        "host_files": sorted(os.path.relpath(os.path.join(d, f), host) for d, _, files in os.walk(host) for f in files),
        "python": shutil.which("python3"),
        "pythonpath": os.environ.get("PYTHONPATH", ""),
    }
    (Path(directory) / f"env-{stage}.json").write_text(json.dumps(info))
"""

TOY_MANIFEST = """
name: toy
metric: {name: accuracy, direction: maximize}
dataset: {name: toy-data, train: train, features: eval/features, labels: eval/labels}
entrypoints:
  train: [python3, host/train.py]
  predict: [python3, host/predict.py]
  score: [python3, host/score.py]
  artifact: [python3, host/artifact.py]
visibility:
  participant: [host/train.py, host/predict.py, host/_toy_record.py]
  artifact: [host/artifact.py]
  private: [host/secret.py]
limits:
  train: {wall_time: 20s}
parameters: {threshold: 2}
"""


@pytest.fixture
def toy(tmp_path):
    competition = tmp_path / "competition"
    write(competition / "hekaton.yaml", TOY_MANIFEST)
    write(competition / "host" / "_toy_record.py", RECORD)
    write(competition / "host" / "secret.py", "ANSWERS = 'only the host knows'\n")
    write(competition / "host" / "train.py", """
        import os
        from _toy_record import record
        from hekaton import host
        record(os.environ["HEKATON_MODEL_DIR"], "train")
        host.main(host.run_train)
    """)
    write(competition / "host" / "predict.py", """
        import os
        from _toy_record import record
        from hekaton import host
        record(os.environ["HEKATON_OUTPUT_DIR"], "predict")
        host.main(host.run_predict, lambda f: f.iter_csv("x.csv", types={"x": int}), id_field="id")
    """)
    write(competition / "host" / "score.py", """
        import os
        from _toy_record import record
        from hekaton import host
        record(os.environ["HEKATON_OUTPUT_DIR"], "score")
        def score(predictions, labels, ctx):
            truth = {row["id"]: row["y"] == "1" for row in labels.iter_csv("y.csv")}
            return sum(predictions[i] == truth[i] for i in truth) / len(truth), {}
        host.main(host.run_score, score, metric="accuracy")
    """)
    write(competition / "host" / "artifact.py", """
        import os
        from _toy_record import record
        from hekaton import host
        record(os.environ["HEKATON_OUTPUT_DIR"], "artifact")
        host.main(host.run_artifact, lambda ctx, predictor: (ctx.output_dir / "listing.txt").write_text(
            "\\n".join(sorted(str(p.relative_to(ctx.data_dir)) for p in ctx.data_dir.rglob("*")))))
    """)
    data = tmp_path / "data"
    write(data / "train" / "x.csv", "id,x\na,1\nb,3\n")
    write(data / "eval" / "features" / "x.csv", "id,x\nc,1\nd,5\ne,2\n")
    write(data / "eval" / "labels" / "y.csv", "id,y\nc,0\nd,1\ne,1\n")
    submission = tmp_path / "submission"
    write(submission / "submission.py", """
        import hekaton
        class Trainer(hekaton.Trainer):
            def train(self, dataset):
                (self.model_dir / "threshold").write_text(str(hekaton.params()["threshold"]))
        class Predictor(hekaton.Predictor):
            def __init__(self, model_dir):
                super().__init__(model_dir)
                self.threshold = int((self.model_dir / "threshold").read_text())
            def predict(self, batch):
                return [row["x"] > self.threshold for row in batch]
    """)
    write(submission / "requirements.txt", "")
    return competition, data, submission


def test_the_whole_pipeline(toy, tmp_path):
    competition, data, submission = toy
    run = run_pipeline(competition, data, submission, tmp_path / "work",
                       ["train", "predict", "score", "artifact"], seed=5)
    assert run.ok, {s: r.log_text() for s, r in run.stages.items()}
    assert list(run.stages) == ["train", "predict", "score", "artifact"]
    assert run.metrics == {"metric": "accuracy", "value": pytest.approx(2 / 3), "details": {}}
    # The artifact stage sees train and features, never labels.
    assert (run.artifact_dir / "listing.txt").read_text().split() == [
        "eval", "eval/features", "eval/features/x.csv", "train", "train/x.csv"]


def test_each_stage_gets_exactly_its_variables(toy, tmp_path):
    competition, data, submission = toy
    run = run_pipeline(competition, data, submission, tmp_path / "work",
                       ["train", "predict", "score", "artifact"], seed=5)
    outputs = {"train": run.model_dir, "predict": run.predictions_dir, "score": run.score_dir,
               "artifact": run.artifact_dir}
    for stage, directory in outputs.items():
        info = json.loads((directory / f"env-{stage}.json").read_text())
        env = info["env"]
        assert set(env) == set(COMMON_VARIABLES) | set(STAGE_VARIABLES[stage]), stage
        assert env["HEKATON_STAGE"] == stage and env["HEKATON_COMPETITION"] == "toy"
        assert env["HEKATON_PARAMS"] == '{"threshold":2}' and env["HEKATON_SEED"] == "5"
        assert env["HEKATON_HOST_DIR"] == info["cwd"]
        assert (env["HEKATON_HOST_DIR"] == str(competition.resolve())) == (stage == "score"), stage
        assert all(os.path.isabs(v) for k, v in env.items() if k.endswith("_DIR"))
        assert Path(info["python"]).parent == Path(sys.executable).parent
        paths = info["pythonpath"].split(os.pathsep)
        assert paths[0] == str(SRC.resolve())
        assert (str(submission.resolve()) in paths) == (stage != "score")
    train_env = json.loads((run.model_dir / "env-train.json").read_text())["env"]
    assert train_env["HEKATON_TRAIN_DIR"] == str((data / "train").resolve())
    assert "HEKATON_LABELS_DIR" not in train_env


def test_stages_with_participant_code_see_only_what_is_visible(toy, tmp_path):
    competition, data, submission = toy
    run = run_pipeline(competition, data, submission, tmp_path / "work", ["train", "predict", "score", "artifact"])
    assert run.ok, {s: r.log_text() for s, r in run.stages.items()}
    seen = {stage: json.loads((directory / f"env-{stage}.json").read_text())["host_files"]
            for stage, directory in [("train", run.model_dir), ("predict", run.predictions_dir),
                                     ("score", run.score_dir), ("artifact", run.artifact_dir)]}
    participant = ["host/_toy_record.py", "host/predict.py", "host/train.py"]
    assert seen["train"] == seen["predict"] == participant
    assert seen["artifact"] == sorted(participant + ["host/artifact.py"])
    assert {"host/secret.py", "host/score.py", "hekaton.yaml"} <= set(seen["score"]), "score sees the whole directory"


def test_without_visibility_only_the_entrypoint_scripts_are_shown(toy, tmp_path):
    competition, data, submission = toy
    text = (competition / "hekaton.yaml").read_text()
    start, end = text.index("visibility:"), text.index("limits:")
    (competition / "hekaton.yaml").write_text(text[:start] + text[end:])
    run = run_pipeline(competition, data, submission, tmp_path / "work", ["train"])
    assert not run.ok, "the helper train.py imports is not shown by default"
    assert "No module named '_toy_record'" in run.stages["train"].log_text()
    assert sorted(p.name for p in (tmp_path / "work" / "host" / "participant" / "host").iterdir()) == [
        "predict.py", "train.py"]


def test_a_failing_stage_stops_the_run(toy, tmp_path):
    competition, data, submission = toy
    write(submission / "submission.py", """
        class Trainer:
            def __init__(self, model_dir): pass
            def train(self, dataset): raise RuntimeError("no data today")
        class Predictor:
            def __init__(self, model_dir): pass
            def predict(self, batch): return []
    """)
    run = run_pipeline(competition, data, submission, tmp_path / "work")
    assert not run.ok and list(run.stages) == ["train"] and run.metrics is None
    assert run.failed_stage.returncode == 1
    assert "submission error: Trainer.train raised RuntimeError: no data today" in run.failed_stage.log_text()


def test_wall_time_kills_the_process_tree(toy, tmp_path):
    competition, data, submission = toy
    manifest = (competition / "hekaton.yaml").read_text().replace("wall_time: 20s", "wall_time: 1s")
    (competition / "hekaton.yaml").write_text(manifest)
    pid_file = tmp_path / "child.pid"
    write(submission / "submission.py", f"""
        import subprocess, time
        class Trainer:
            def __init__(self, model_dir): pass
            def train(self, dataset):
                child = subprocess.Popen(["sleep", "60"])
                open({str(pid_file)!r}, "w").write(str(child.pid))
                time.sleep(60)
        class Predictor:
            def __init__(self, model_dir): pass
            def predict(self, batch): return []
    """)
    run = run_pipeline(competition, data, submission, tmp_path / "work")
    result = run.stages["train"]
    assert result.timed_out and not result.ok and result.seconds < 20
    assert "killed after the wall time limit of 1 s" in result.log_text()
    assert gone(int(pid_file.read_text())), "the trainer's child process survived the timeout"


def gone(pid: int, seconds: float = 5.0) -> bool:
    """True once ``pid`` no longer runs (reaped, or a zombie waiting for its reaper)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if Path(f"/proc/{pid}/stat").read_text().split()[2] == "Z":
                return True
        except (FileNotFoundError, ProcessLookupError):
            return True
        time.sleep(0.05)
    return False


def test_command_line(toy, tmp_path, capsys):
    competition, data, submission = toy
    code = main([str(competition), str(data), str(submission), "--work", str(tmp_path / "w"), "--quiet"])
    out = capsys.readouterr().out
    assert code == 0 and '"metric": "accuracy"' in out and "score     ok" in out
    assert main([str(competition), str(tmp_path), str(submission), "--quiet"]) == 2


def test_runs_repeat_as_under_the_daemon(toy):
    """The hash seed follows the run's seed and the numeric thread pools the stage's cpus
    limit, as the daemon sets them; a manifest with phases (the daemon's business) loads."""
    from hekaton.local import stage_environment
    from hekaton.manifest import load_manifest

    competition = toy[0]
    write(competition / "hekaton.yaml", TOY_MANIFEST.replace(
        "  train: {wall_time: 20s}\n", "  default: {cpus: 2}\n  train: {wall_time: 20s, cpus: 3}\n")
        + "phases: {closes_at: 2027-01-31 23:59, time_zone: Asia/Tokyo}\n")
    manifest = load_manifest(competition)
    assert manifest.cpus["train"] == 3 and manifest.cpus["predict"] == 2
    train = stage_environment(manifest, "train", {}, seed=7, base={})
    predict = stage_environment(manifest, "predict", {}, seed=2**32 + 7, base={})
    assert train["PYTHONHASHSEED"] == "7" and predict["PYTHONHASHSEED"] == "7"
    assert {train[name] for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS")} == {"3"}
    assert predict["OMP_NUM_THREADS"] == "2"
