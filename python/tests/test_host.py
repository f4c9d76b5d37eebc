import json
import math
import os
import subprocess
import sys

import pytest
from hekaton import ContextError, Dataset, FormatError, StageContext, SubmissionError, host
from sdk_helpers import SRC, stage_env, write

GOOD_SUBMISSION = """
    import json, random
    import hekaton

    class Trainer(hekaton.Trainer):
        def train(self, dataset):
            rows = dataset.read_csv("rows.csv")
            (self.model_dir / "model.json").write_text(json.dumps({
                "n": len(rows), "params": hekaton.params(), "draw": random.random()}))

    class Predictor(hekaton.Predictor):
        def __init__(self, model_dir):
            super().__init__(model_dir)
            self.model = json.loads((self.model_dir / "model.json").read_text())

        def predict(self, batch):
            return [[row["id"], self.model["n"]] for row in batch]
"""


@pytest.fixture(autouse=True)
def isolated_imports(monkeypatch):
    """load_submission edits sys.path and sys.modules; undo it after each test."""
    monkeypatch.setattr(sys, "path", list(sys.path))
    monkeypatch.delitem(sys.modules, "submission", raising=False)
    yield
    sys.modules.pop("submission", None)


@pytest.fixture
def toy(stage_dirs):
    write(stage_dirs["submission"] / "submission.py", GOOD_SUBMISSION)
    write(stage_dirs["train"] / "rows.csv", "id\na\nb\n")
    write(stage_dirs["features"] / "rows.csv", "id\nx\ny\nz\n")
    return stage_dirs


# -- load_submission ----------------------------------------------------------------

def test_load_submission_finds_both_classes(toy):
    submission = host.load_submission(toy["submission"])
    assert submission.trainer.__name__ == "Trainer" and submission.predictor.__name__ == "Predictor"
    assert sys.modules["submission"] is submission.module


def test_missing_submission_file(tmp_path):
    write(tmp_path / "main.py", "")
    with pytest.raises(SubmissionError, match=r"no submission.py at its top level \(it holds: main.py\)"):
        host.load_submission(tmp_path)


def test_import_error_suggests_requirements(tmp_path):
    write(tmp_path / "submission.py", "import not_a_real_module_xyz\n")
    with pytest.raises(SubmissionError) as caught:
        host.load_submission(tmp_path)
    assert "importing submission.py raised ModuleNotFoundError" in caught.value.message
    assert "'not_a_real_module_xyz' listed in requirements.txt?" in caught.value.message
    assert 'submission.py", line 1' in caught.value.details
    assert "hekaton" + os.sep + "host.py" not in caught.value.details  # SDK frames trimmed


def test_missing_class_lists_what_is_defined(tmp_path):
    write(tmp_path / "submission.py", """
        class MyTrainer:
            def train(self, dataset): pass
        class Predictor:
            def predict(self, batch): return []
    """)
    with pytest.raises(SubmissionError, match=r"defines no Trainer \(classes it defines: MyTrainer, Predictor\)"):
        host.load_submission(tmp_path)


def test_missing_method(tmp_path):
    write(tmp_path / "submission.py", """
        class Trainer:
            def fit(self, dataset): pass
        class Predictor:
            def predict(self, batch): return []
    """)
    with pytest.raises(SubmissionError, match=r"Trainer has no method train\(\)"):
        host.load_submission(tmp_path)


def test_helper_modules_next_to_the_submission_import(tmp_path):
    write(tmp_path / "helpers.py", "VALUE = 42\n")
    write(tmp_path / "submission.py", """
        from helpers import VALUE
        class Trainer:
            def __init__(self, model_dir): pass
            def train(self, dataset): pass
        class Predictor:
            def __init__(self, model_dir): pass
            def predict(self, batch): return [VALUE] * len(batch)
    """)
    assert host.load_submission(tmp_path).module.VALUE == 42


# -- call_participant ---------------------------------------------------------------

def test_call_participant_reports_exceptions_and_exit():
    def broken():
        raise KeyError("missing")

    with pytest.raises(SubmissionError, match=r"^Trainer.train raised KeyError: 'missing'$") as caught:
        host.call_participant("Trainer.train", broken)
    assert "in broken" in caught.value.details and "Traceback" in caught.value.details
    with pytest.raises(SubmissionError, match=r"called sys.exit\(3\); return normally instead"):
        host.call_participant("Trainer.train", sys.exit, 3)


# -- stages in process --------------------------------------------------------------

def test_run_train_then_predict(toy, capsys, monkeypatch):
    for name, value in stage_env("train", toy).items():
        monkeypatch.setenv(name, value)
    summary = host.run_train()  # reads the environment
    assert summary["files"] == 1
    model = json.loads((toy["model"] / "model.json").read_text())
    assert model["n"] == 2 and model["params"] == {"k": 3}
    sys.modules.pop("submission")
    count = host.run_predict(lambda features: features.iter_csv("rows.csv"), batch_size=2, id_field="id",
                             ctx=StageContext.from_env(stage_env("predict", toy)))
    assert count == 3
    assert host.read_predictions(toy["output"]) == {"x": ["x", 2], "y": ["y", 2], "z": ["z", 2]}
    assert "Trainer.train finished" in capsys.readouterr().out


def test_run_train_seeds_random(toy):
    draws = []
    for _ in range(2):
        for path in toy["model"].iterdir():
            path.unlink()
        host.run_train(StageContext.from_env(stage_env("train", toy)))
        draws.append(json.loads((toy["model"] / "model.json").read_text())["draw"])
    assert draws[0] == draws[1]


def test_predict_without_id_field_numbers_rows(toy):
    (toy["model"] / "model.json").write_text('{"n": 0}')
    host.run_predict(lambda f: f.iter_csv("rows.csv"), ctx=StageContext.from_env(stage_env("predict", toy)))
    assert list(host.read_predictions(toy["output"])) == [0, 1, 2]


def test_predict_wrong_length_and_type(toy):
    class Short:
        def predict(self, batch):
            return batch[:-1]

    class Text:
        def predict(self, batch):
            return "nope"

    rows = [{"id": "a"}, {"id": "b"}]
    with pytest.raises(SubmissionError, match="returned 1 predictions for a batch of 2 rows"):
        list(host.predict_batches(Short(), rows))
    with pytest.raises(SubmissionError, match="Predictor.predict returned str; return a list with one prediction"):
        list(host.predict_batches(Text(), rows))


def test_predict_lazy_generator_errors_blame_the_participant():
    class Lazy:
        def predict(self, batch):
            for _ in batch:
                yield 1 / 0

    with pytest.raises(SubmissionError, match="Predictor.predict raised ZeroDivisionError"):
        list(host.predict_batches(Lazy(), [{"id": 1}]))


def test_validator_rejects_and_normalizes():
    class Echo:
        def predict(self, batch):
            return [row["value"] for row in batch]

    def validate(row, prediction):
        if prediction < 0:
            raise ValueError("must not be negative")
        return prediction * 10

    out = list(host.predict_batches(Echo(), [{"value": 1}, {"value": 2}], validate=validate))
    assert [prediction for _, prediction in out] == [10, 20]
    with pytest.raises(SubmissionError, match="invalid prediction for row .*must not be negative"):
        list(host.predict_batches(Echo(), [{"value": -1}], validate=validate))


def test_run_train_refuses_the_wrong_stage(toy):
    with pytest.raises(ContextError, match="runs the train stage"):
        host.run_train(StageContext.from_env(stage_env("predict", toy)))


# -- file formats -------------------------------------------------------------------

class FakeArray:
    """Stands in for a NumPy array or scalar: JSON through tolist()."""

    def __init__(self, value):
        self.value = value

    def tolist(self):
        return self.value


def test_predictions_round_trip(tmp_path):
    count = host.write_predictions(tmp_path, [("a", [1, 2]), (7, FakeArray(["x"])), ("c", None)])
    assert count == 3
    lines = (tmp_path / "predictions.jsonl").read_text().splitlines()
    assert json.loads(lines[0]) == {"id": "a", "prediction": [1, 2]}
    assert host.read_predictions(tmp_path) == {"a": [1, 2], 7: ["x"], "c": None}
    assert list(host.iter_predictions(tmp_path / "predictions.jsonl"))[1] == (7, ["x"])


def test_unwritable_predictions_leave_no_file(tmp_path):
    with pytest.raises(SubmissionError, match="for id 'b' cannot be written as JSON"):
        host.write_predictions(tmp_path, [("a", 1), ("b", math.nan)])
    with pytest.raises(SubmissionError, match="cannot be written as JSON"):
        host.write_predictions(tmp_path, [("a", {1, 2})])
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(FormatError, match="ids must be strings or integers"):
        host.write_predictions(tmp_path, [(1.5, 1)])


def test_malformed_predictions(tmp_path):
    path = tmp_path / "predictions.jsonl"
    for text, message in [
        ('{"id": "a", "prediction": 1}\nnot json\n', "line 2: not valid JSON"),
        ('{"id": "a"}\n', r'line 1: expected \{"id": ..., "prediction": ...\}'),
        ('{"id": "a", "prediction": 1}\n{"id": "a", "prediction": 2}\n', "id 'a' more than once"),
        ('{"id": [1], "prediction": 1}\n', "ids must be strings or integers"),
    ]:
        path.write_text(text)
        with pytest.raises(FormatError, match=message):
            host.read_predictions(tmp_path)
    path.unlink()
    with pytest.raises(FormatError, match="no predictions file"):
        host.read_predictions(tmp_path)


def test_metrics_round_trip_and_validation(tmp_path):
    document = host.write_metrics(tmp_path, "recall@10", FakeNumber(0.25), {"users": 3})
    assert document == {"metric": "recall@10", "value": 0.25, "details": {"users": 3}}
    assert json.loads((tmp_path / "metrics.json").read_text()) == document
    assert host.read_metrics(tmp_path) == document
    for value in (math.nan, math.inf, "0.5", True, None):
        with pytest.raises(FormatError):
            host.write_metrics(tmp_path, "m", value)
    with pytest.raises(FormatError, match="metric name"):
        host.write_metrics(tmp_path, "", 1.0)
    with pytest.raises(FormatError, match="details cannot be written"):
        host.write_metrics(tmp_path, "m", 1.0, {"x": object()})
    (tmp_path / "metrics.json").write_text('{"metric": "m", "value": "high"}')
    with pytest.raises(FormatError, match="'value' must be a finite number"):
        host.read_metrics(tmp_path)


class FakeNumber:
    """Stands in for a NumPy float: a number through __float__."""

    def __init__(self, value):
        self.value = value

    def __float__(self):
        return self.value


# -- entrypoints as processes -------------------------------------------------------

def run_entrypoint(script, env):
    full = {"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(SRC), "PYTHONDONTWRITEBYTECODE": "1", **env}
    return subprocess.run([sys.executable, "-c", script], env=full, capture_output=True, text=True, timeout=60)


TRAIN = "from hekaton import host; host.main(host.run_train)"


def test_entrypoint_success_exits_zero(toy):
    result = run_entrypoint(TRAIN, stage_env("train", toy))
    assert result.returncode == 0, result.stderr
    assert "hekaton: train: Trainer.train finished" in result.stdout


def test_entrypoint_reports_a_raising_trainer(toy):
    write(toy["submission"] / "submission.py", """
        class Trainer:
            def __init__(self, model_dir):
                self.model_dir = model_dir
            def train(self, dataset):
                raise ValueError("learning rate must be positive")
        class Predictor:
            def __init__(self, model_dir): pass
            def predict(self, batch): return []
    """)
    result = run_entrypoint(TRAIN, stage_env("train", toy))
    assert result.returncode == 1
    first, *rest = result.stderr.splitlines()
    assert first == ("hekaton: train: submission error: "
                     "Trainer.train raised ValueError: learning rate must be positive")
    assert rest[0] == "Traceback (most recent call last):"
    assert 'submission.py", line 5, in train' in result.stderr
    assert "hekaton/host.py" not in result.stderr


def test_entrypoint_reports_a_missing_variable(toy):
    env = stage_env("train", toy)
    del env["HEKATON_TRAIN_DIR"]
    result = run_entrypoint(TRAIN, env)
    assert result.returncode == 1
    assert result.stderr.startswith("hekaton: train: error: HEKATON_TRAIN_DIR is not set")


def test_entrypoint_blames_the_host_for_its_own_bugs(toy):
    script = "from hekaton import host\ndef body():\n    raise RuntimeError('oops')\nhost.main(body)"
    result = run_entrypoint(script, stage_env("score", toy))
    assert result.returncode == 1
    assert "the competition's score entrypoint failed (a bug on the host's side" in result.stderr
    assert "RuntimeError: oops" in result.stderr


def test_run_score_writes_metrics(toy):
    host.write_predictions(toy["predictions"], [("a", 1), ("b", 0)])
    write(toy["labels"] / "labels.csv", "id,label\na,1\nb,1\n")
    script = """
from hekaton import host
def score(predictions, labels, ctx):
    truth = {row["id"]: int(row["label"]) for row in labels.iter_csv("labels.csv")}
    right = sum(predictions[i] == truth[i] for i in truth)
    return right / len(truth), {"rows": len(truth), "k": ctx.param("k")}
host.main(host.run_score, score, metric="accuracy")
"""
    result = run_entrypoint(script, stage_env("score", toy))
    assert result.returncode == 0, result.stderr
    assert host.read_metrics(toy["output"]) == {"metric": "accuracy", "value": 0.5,
                                                "details": {"rows": 2, "k": 3}}
    assert "hekaton: score: accuracy = 0.500000" in result.stdout


def test_run_artifact_builds_with_the_predictor(toy):
    (toy["model"] / "model.json").write_text('{"n": 5}')
    write(toy["data"] / "rows.csv", "id\nq\n")
    script = """
import json
from hekaton import Dataset, host
def build(ctx, predictor):
    rows = Dataset(ctx.data_dir).iter_csv("rows.csv")
    out = [p for _, p in host.predict_batches(predictor, rows)]
    (ctx.output_dir / "out.json").write_text(json.dumps(out))
host.main(host.run_artifact, build)
"""
    result = run_entrypoint(script, stage_env("artifact", toy))
    assert result.returncode == 0, result.stderr
    assert json.loads((toy["output"] / "out.json").read_text()) == [["q", 5]]


def test_dataset_is_what_train_receives(toy):
    write(toy["submission"] / "submission.py", """
        import hekaton
        class Trainer(hekaton.Trainer):
            def train(self, dataset):
                assert isinstance(dataset, hekaton.Dataset), type(dataset)
                assert dataset.files() == ["rows.csv"]
                (self.model_dir / "ok").write_text(str(self.model_dir))
        class Predictor(hekaton.Predictor):
            def predict(self, batch): return []
    """)
    host.run_train(StageContext.from_env(stage_env("train", toy)))
    assert (toy["model"] / "ok").read_text() == str(toy["model"])
    assert isinstance(Dataset(toy["train"]), Dataset)


SPLIT_SCORE = """
from hekaton import host
def score(predictions, labels, ctx):
    truth = {row["id"]: int(row["label"]) for row in labels.iter_csv("labels.csv")}
    def accuracy(rows):
        return sum(predictions[i] == rows[i] for i in rows) / max(len(rows), 1)
    parts = host.split(truth, ctx)
    return accuracy(truth), {}, {name: accuracy(part) for name, part in parts.items()}
host.main(host.run_score, score, metric="accuracy")
"""


def test_run_score_with_splits(toy):
    """With HEKATON_SPLITS each row lands on one board by a hash of the competition and its
    key, the same every run; metrics.json gets both scores and the log only the public one."""
    rows = [(f"r{i}", i % 2) for i in range(400)]
    host.write_predictions(toy["predictions"], [(key, 1) for key, _ in rows])
    write(toy["labels"] / "labels.csv", "id,label\n" + "".join(f"{key},{label}\n" for key, label in rows))
    env = stage_env("score", toy) | {"HEKATON_SPLITS": '{"private":0.7,"public":0.3}'}
    result = run_entrypoint(SPLIT_SCORE, env)
    assert result.returncode == 0, result.stderr
    metrics = host.read_metrics(toy["output"])
    assert set(metrics["splits"]) == {"public", "private"} and metrics["value"] == 0.5
    assert "on the public rows" in result.stdout and f"{metrics['value']:.6f}" not in result.stdout.replace(
        f"{metrics['splits']['public']:.6f}", "")
    ctx = StageContext.from_env(env, stage="score")
    boards = [host.split_of(key, ctx) for key, _ in rows]
    assert boards == [host.split_of(key, ctx) for key, _ in rows], "deterministic"
    assert 80 <= boards.count("public") <= 160, "about 30% public"


def test_run_score_needs_splits_when_the_manifest_declares_them(toy):
    host.write_predictions(toy["predictions"], [("a", 1)])
    write(toy["labels"] / "labels.csv", "id,label\na,1\n")
    env = stage_env("score", toy) | {"HEKATON_SPLITS": '{"private":0.7,"public":0.3}'}
    script = "from hekaton import host\nhost.main(host.run_score, lambda p, l, c: 1.0, metric='accuracy')"
    result = run_entrypoint(script, env)
    assert result.returncode == 1 and "return (value, details, {'public'" in result.stderr
    bad = stage_env("score", toy) | {"HEKATON_SPLITS": '{"public":0.5,"private":0.6}'}
    with pytest.raises(ContextError, match="adding up to 1"):
        StageContext.from_env(bad, stage="score")
    without = StageContext.from_env(stage_env("score", toy), stage="score")
    with pytest.raises(ContextError, match="one leaderboard"):
        host.split_of("a", without)
