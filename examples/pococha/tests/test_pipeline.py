"""The example competition end to end: the three submissions through the real entrypoints."""

import csv
import json
import subprocess
import sys
import urllib.request

import pytest
from hekaton import host
from hekaton.local import run_pipeline
from hekaton.manifest import load_manifest
from pococha_helpers import EXAMPLE, run_local

COMPETITION = EXAMPLE / "competition"


def by_name(leaderboard):
    return {entry.name: entry for entry in leaderboard}


def test_every_submission_runs_every_stage(leaderboard):
    assert {entry.name for entry in leaderboard} == {"popularity", "itemknn", "mf", "regulars"}
    for entry in leaderboard:
        assert entry.run.ok, {s: r.log_text() for s, r in entry.run.stages.items()}
        assert list(entry.run.stages) == ["train", "predict", "score", "artifact"]
        assert entry.run.stages["train"].seconds < 60


def test_ranking_order_is_clear(leaderboard):
    scores = {entry.name: entry.score for entry in leaderboard}
    assert scores["itemknn"] > scores["popularity"] + 0.15
    assert scores["mf"] > scores["popularity"] + 0.15
    assert scores["regulars"] > scores["popularity"] + 0.15
    assert 0.1 < scores["popularity"] < 0.5 and scores["itemknn"] < 0.9
    assert [entry.name for entry in leaderboard][-1] == "popularity"


def test_metrics_format(leaderboard):
    for entry in leaderboard:
        metrics = host.read_metrics(entry.run.score_dir)
        assert metrics["metric"] == "recall@10"
        details = metrics["details"]
        assert 0 <= details["ndcg@10"] <= 1
        assert details["listeners_scored"] > 500 and details["listeners_without_predictions"] == 0
        assert details["predictions"] == 2000


def test_predictions_format(leaderboard, default_day):
    with open(default_day / "eval/features/listeners.csv", newline="") as handle:
        listeners = [row["listener_id"] for row in csv.DictReader(handle)]
    livers = set()
    with open(default_day / "train/livers.csv", newline="") as handle:
        livers = {row["liver_id"] for row in csv.DictReader(handle) if row["status"] == "active"}
    for entry in leaderboard:
        pairs = list(host.iter_predictions(entry.run.predictions_dir))
        assert [listener for listener, _ in pairs] == listeners
        for _, recommended in pairs:
            assert len(recommended) == 10 == len(set(recommended))
            assert set(recommended) <= livers, entry.name  # retired livers are never recommended


def test_artifact_recommendations_and_bundle(leaderboard):
    for entry in leaderboard:
        artifact = entry.run.artifact_dir
        lines = (artifact / "recommendations.jsonl").read_text().splitlines()
        assert len(lines) == 2000
        first = json.loads(lines[0])
        assert set(first) == {"listener_id", "livers"} and len(first["livers"]) == 10
        predictions = host.read_predictions(entry.run.predictions_dir)
        assert first["livers"] == predictions[first["listener_id"]]
        serving = artifact / "serving"
        for path in ["server.py", "serving.json", "requirements.txt", "model", "submission/submission.py",
                     "lib/hekaton/host.py"]:
            assert (serving / path).exists(), path
        assert sorted(p.name for p in (serving / "model").iterdir()) == sorted(
            p.name for p in entry.run.model_dir.iterdir())
        assert json.loads((artifact / "artifact.json").read_text())["listeners"] == 2000


def test_serving_bundle_answers_http(leaderboard, tmp_path):
    entry = by_name(leaderboard)["mf"]
    serving = entry.run.artifact_dir / "serving"
    batch = {}
    for line in (entry.run.artifact_dir / "recommendations.jsonl").read_text().splitlines()[:3]:
        record = json.loads(line)
        batch[record["listener_id"]] = record["livers"]
    server = subprocess.Popen([sys.executable, str(serving / "server.py"), "--port", "0", "--quiet"],
                              cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              env={"PATH": "/usr/bin:/bin"})
    try:
        banner = server.stdout.readline()
        assert banner.startswith("serving pococha recommendations on http://127.0.0.1:"), server.stderr.read()
        base = banner.split()[-1]

        def get(path):
            try:
                with urllib.request.urlopen(base + path, timeout=10) as response:
                    return response.status, json.loads(response.read())
            except urllib.error.HTTPError as error:
                return error.code, json.loads(error.read())

        for listener, livers in batch.items():
            assert get(f"/recommend?listener={listener}") == (200, {"listener": listener, "livers": livers})
        status, body = get("/recommend?listener=L99999&k=3")
        assert status == 200 and len(body["livers"]) == 3
        assert get("/healthz") == (200, {"status": "ok"})
        assert get("/recommend")[0] == 400 and get("/nope")[0] == 404
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_template_is_a_working_submission(default_day, tmp_path):
    manifest = load_manifest(COMPETITION)
    template = COMPETITION / manifest.template
    assert sorted(p.name for p in template.iterdir()) == ["README.md", "requirements.txt", "submission.py"]
    run = run_pipeline(COMPETITION, default_day, template, tmp_path)
    assert run.ok and run.metrics["value"] > 0.1


def test_manifest_matches_the_example(default_day):
    manifest = load_manifest(COMPETITION)
    assert manifest.name == "pococha" and manifest.metric == "recall@10" and manifest.direction == "maximize"
    assert manifest.parameters == {"k": 10}
    for argv in manifest.entrypoints.values():
        assert argv[0] == "python3" and (COMPETITION / argv[1]).is_file()
    for part in (manifest.dataset_train, manifest.dataset_features, manifest.dataset_labels):
        assert (default_day / part).is_dir()


def test_generator_source_and_scorer_are_private():
    manifest = load_manifest(COMPETITION)
    private = {"host/world.py", "host/fetch.py", "host/score.py", "hekaton.yaml"}
    assert private.isdisjoint(manifest.participant_paths) and private.isdisjoint(manifest.artifact_paths)
    assert {"host/train.py", "host/predict.py"} <= set(manifest.participant_paths)


def test_a_submission_cannot_reach_the_generator(default_day, tmp_path):
    submission = tmp_path / "submission"
    submission.mkdir()
    (submission / "submission.py").write_text("""
import os
def look(stage):
    host = os.environ["HEKATON_HOST_DIR"]
    print(stage, "SEES", sorted(os.path.relpath(os.path.join(d, f), host) for d, _, fs in os.walk(host) for f in fs))
    try:
        import world
        print(stage, "IMPORTED world")
    except ImportError:
        print(stage, "NO world")
class Trainer:
    def __init__(self, model_dir): look("train")
    def train(self, dataset): pass
class Predictor:
    def __init__(self, model_dir): look("predict")
    def predict(self, batch): return [[] for _ in batch]
""")
    run = run_pipeline(COMPETITION, default_day, submission, tmp_path / "work")
    assert run.ok, {s: r.log_text() for s, r in run.stages.items()}
    for stage in ("train", "predict"):
        log = run.stages[stage].log_text()
        assert f"{stage} NO world" in log, log
        seen = log.split(f"{stage} SEES ", 1)[1].splitlines()[0]
        assert "world.py" not in seen and "score.py" not in seen and "fetch.py" not in seen, seen


@pytest.mark.parametrize("code, stage, message", [
    ("""
class Trainer:
    def __init__(self, model_dir): pass
    def train(self, dataset):
        raise ValueError("learning rate must be positive")
class Predictor:
    def __init__(self, model_dir): pass
    def predict(self, batch): return []
""", "train", "submission error: Trainer.train raised ValueError: learning rate must be positive"),
    ("""
class Trainer:
    def __init__(self, model_dir): pass
    def train(self, dataset): pass
class Predictor:
    def __init__(self, model_dir): pass
    def predict(self, batch): return [["V00001", "V00001"] for _ in batch]
""", "predict", "invalid prediction for listener_id 'L00000': liver ids repeated in the list: V00001"),
    ("""
class Trainer:
    def __init__(self, model_dir): pass
    def train(self, dataset): pass
class Predictor:
    def __init__(self, model_dir): pass
    def predict(self, batch): return [[1, 2] for _ in batch]
""", "predict", "liver ids are strings like 'V01234', got 1 (int)"),
    ("""
class Trainer:
    def __init__(self, model_dir): pass
    def train(self, dataset): pass
class Predictor:
    def __init__(self, model_dir): pass
    def predict(self, batch): return [[] for _ in batch[1:]]
""", "predict", "returned 255 predictions for a batch of 256 rows"),
])
def test_broken_submissions_fail_clearly(default_day, tmp_path, code, stage, message):
    submission = tmp_path / "submission"
    submission.mkdir()
    (submission / "submission.py").write_text(code)
    run = run_pipeline(COMPETITION, default_day, submission, tmp_path / "work")
    failed = run.failed_stage
    assert failed is not None and failed.stage == stage and failed.returncode == 1
    assert message in failed.log_text()


def test_local_runner_command_line(default_day, tmp_path):
    done = subprocess.run([sys.executable, str(EXAMPLE / "run_local.py"), str(EXAMPLE / "submissions" / "popularity"),
                           "--data", str(default_day), "--work", str(tmp_path)],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "1     popularity" in done.stdout


def test_leaderboard_printout(leaderboard, capsys):
    run_local.print_leaderboard(leaderboard)
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split()[:3] == ["rank", "submission", "recall@10"]
    assert lines[1].split()[1] == leaderboard[0].name
