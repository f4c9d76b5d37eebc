import pytest
from hekaton import FormatError
from hekaton.manifest import load_manifest, parse_duration
from sdk_helpers import write

MANIFEST = """
name: pococha                      # [a-z0-9][a-z0-9-]{0,62}
description: Recommend livers to listeners for the next day.
metric:
  name: recall@10
  direction: maximize              # or minimize
dataset:
  name: pococha-daily              # registered with `hekatonctl dataset register`
  train: train                     # paths inside each dataset version
  features: eval/features
  labels: eval/labels
entrypoints:
  train: [python3, host/train.py]
  predict: [python3, host/predict.py]
  score: [python3, host/score.py]
  artifact: [python3, host/artifact.py]
limits:                            # per stage, with defaults
  default: {wall_time: 10m, memory: 2GiB, processes: 64, cpus: 1}
  train: {wall_time: 20m}
submission:
  max_bundle_bytes: 10MiB
  per_participant_per_day: 20
  template: template
parameters:
  k: 10
schedules:
  ingest: {cron: "0 4 * * *", time_zone: Asia/Tokyo}
  artifact: {cron: "0 5 * * *", time_zone: Asia/Tokyo}
promotion:
  tolerance: 0.01
  retrain_top_k: 1
"""


def manifest(tmp_path, text):
    write(tmp_path / "hekaton.yaml", text)
    return load_manifest(tmp_path)


def test_reads_the_reference_manifest(tmp_path):
    m = manifest(tmp_path, MANIFEST)
    assert m.name == "pococha" and m.metric == "recall@10" and m.direction == "maximize"
    assert (m.dataset_train, m.dataset_features, m.dataset_labels) == ("train", "eval/features", "eval/labels")
    assert m.entrypoints["score"] == ["python3", "host/score.py"]
    assert m.parameters == {"k": 10} and m.params_json == '{"k":10}'
    assert m.wall_time_for("train") == 1200 and m.wall_time_for("predict") == 600
    assert m.template == "template" and m.directory == tmp_path
    assert m.raw["schedules"]["ingest"] == {"cron": "0 4 * * *", "time_zone": "Asia/Tokyo"}
    assert m.raw["promotion"] == {"tolerance": 0.01, "retrain_top_k": 1}


def test_agrees_with_pyyaml(tmp_path):
    yaml = pytest.importorskip("yaml")
    text = MANIFEST + """
# more shapes manifests may use
""".replace("parameters:\n  k: 10", "")
    text = text.replace("parameters:\n  k: 10\n", """parameters:
  k: 10
  weights: [0.5, 1.5e+3, -2, true, null, "quoted # not a comment", 'it''s']
  nested: {a: {b: [1, 2]}, c: ~}
  listing:
    - one
    - "two: 2"
  empty:
  hex: 0x1F
""")
    assert manifest(tmp_path, text).raw == yaml.safe_load(text)


@pytest.mark.parametrize("edit, message", [
    (("metric:\n", "metirc:\n"), r"hekaton.yaml:3: unknown key 'metirc'; did you mean 'metric'\?"),
    (("  direction: maximize", "  direction: maximise\n  order: up"), r"unknown key 'metric.order'"),
    (("  train: {wall_time: 20m}", "  train: {wall_time: 20m, disk: 1G}"), r"unknown key 'limits.train.disk'"),
    (("name: pococha ", "name: Pococha "), "not a valid competition name"),
    (("direction: maximize", "direction: up"), "maximize or minimize"),
    (("labels: eval/labels", "labels: ../labels"), "dataset.labels '../labels' must be a relative path"),
    (("  score: [python3, host/score.py]\n", ""), "missing required key 'entrypoints.score'"),
    (("  train: [python3, host/train.py]", "  train: []"), "entrypoints.train must be a command"),
    (("metric:\n  name: recall@10\n  direction: maximize", "metric: recall"), "metric must be a mapping"),
    (("  k: 10", "  k: 'unterminated"), "unterminated quoted string"),
    (("  k: 10", "  k: &anchor 10"), "not supported"),
    (("  k: 10", "\tk: 10"), "tabs are not allowed"),
    (("promotion:\n", "promotion:\n  tolerance: 1\n"), "duplicate key 'promotion.tolerance'"),
    (("  direction: maximize", "  direction: maximize\n  final_selections: 2"), "final_selections is for a competition with public and private boards"),
    (("  direction: maximize", "  direction: maximize\n  splits: {public: 0.3, private: 0.7}\n  final_selections: 0"),
     "final_selections must be a whole number from 1 to 20"),
])
def test_errors_name_the_problem(tmp_path, edit, message):
    old, new = edit
    assert old in MANIFEST
    with pytest.raises(FormatError, match=message):
        manifest(tmp_path, MANIFEST.replace(old, new, 1))


def test_artifact_entrypoint_is_optional(tmp_path):
    m = manifest(tmp_path, MANIFEST.replace("  artifact: [python3, host/artifact.py]\n", ""))
    assert "artifact" not in m.entrypoints


def test_missing_manifest(tmp_path):
    with pytest.raises(FormatError, match="no manifest at"):
        load_manifest(tmp_path)


def test_durations():
    assert parse_duration("90s") == 90 and parse_duration("10m") == 600
    assert parse_duration("2h") == 7200 and parse_duration("1d") == 86400 and parse_duration(45) == 45
    with pytest.raises(FormatError):
        parse_duration("ten minutes")


VISIBILITY = """
visibility:
  participant: [host/train.py, host/predict.py, host/_shared.py]
  artifact: [host/artifact.py, host/lib]
  private: [host/world.py]
"""
HOST_FILES = ["host/train.py", "host/predict.py", "host/score.py", "host/artifact.py", "host/_shared.py",
              "host/world.py", "host/lib/a.py"]


def competition(tmp_path, text):
    for name in HOST_FILES:
        write(tmp_path / name, "")
    return manifest(tmp_path, text)


def test_visibility_says_what_participant_stages_see(tmp_path):
    m = competition(tmp_path, MANIFEST + VISIBILITY)
    assert m.participant_paths == ["host/train.py", "host/predict.py", "host/_shared.py"]
    assert m.artifact_paths == m.participant_paths + ["host/artifact.py", "host/lib"]
    assert m.visible_paths("train") == m.visible_paths("predict") == m.participant_paths
    assert m.visible_paths("artifact") == m.artifact_paths and m.visible_paths("score") is None


def test_without_visibility_only_the_entrypoint_scripts(tmp_path):
    m = competition(tmp_path, MANIFEST.replace("[python3, host/predict.py]", "[python3, ./host/predict.py, --fast]"))
    assert m.participant_paths == ["host/train.py", "host/predict.py"]
    assert m.artifact_paths == ["host/train.py", "host/predict.py", "host/artifact.py"]


@pytest.mark.parametrize("edit, message", [
    (("host/_shared.py]", "host/score.py]"),
     r"hekaton.yaml:\d+: visibility.participant: participants would see host/score.py, and host/score.py is "
     r"the score entrypoint's script"),
    (("[host/train.py, host/predict.py, host/_shared.py]", "[host]"), r"would see host, and host/score.py is"),
    (("[host/artifact.py, host/lib]", "[host/artifact.py, host/world.py]"),
     r"visibility.artifact: participants would see host/world.py, and host/world.py is private"),
    (("private: [host/world.py]", "private: [host/lib/a.py]"), r"would see host/lib, and host/lib/a.py is private"),
    (("host/_shared.py]", "host/shared.py]"),
     r"visibility.participant\[2\]: host/shared.py does not exist in the competition directory"),
    (("host/_shared.py]", "../secrets]"), r"visibility.participant\[2\] '../secrets' must be a relative path"),
    (("host/_shared.py]", "/etc/shadow]"), r"must be a relative path"),
    (("[host/train.py, host/predict.py, host/_shared.py]", "host/train.py"), r"must be a list of paths"),
    (("[host/train.py, host/predict.py, host/_shared.py]", "[host/train.py]"),
     r"the predict stage runs host/predict.py, which visibility.participant does not show"),
    (("[host/artifact.py, host/lib]", "[host/lib]"),
     r"add host/artifact.py to visibility.participant or visibility.artifact"),
    (("template: template", "template: host"), r"submission.template: participants would see host, and host/score.py"),
    (("  participant:", "  participants:"), r"unknown key 'visibility.participants'; did you mean 'participant'\?"),
])
def test_visibility_refusals(tmp_path, edit, message):
    old, new = edit
    text = MANIFEST + VISIBILITY
    assert old in text
    with pytest.raises(FormatError, match=message):
        competition(tmp_path, text.replace(old, new, 1))


def test_default_visibility_refuses_a_participant_entrypoint_that_runs_the_scorer(tmp_path):
    text = MANIFEST.replace("predict: [python3, host/predict.py]", "predict: [python3, host/score.py, --predict]")
    with pytest.raises(FormatError, match=r"hekaton.yaml:\d+: entrypoints.predict: participants would see "
                                          r"host/score.py"):
        competition(tmp_path, text)


def test_visibility_bounds(tmp_path):
    many = ", ".join(f"host/f{i}.py" for i in range(257))
    with pytest.raises(FormatError, match="257 paths listed; at most 256"):
        competition(tmp_path, MANIFEST + f"visibility:\n  participant: [{many}]\n")
    with pytest.raises(FormatError, match="1029 bytes long; at most 1024"):
        competition(tmp_path, MANIFEST + f"visibility:\n  private: [host/{'x' * 1024}]\n")
