import csv
import filecmp
import subprocess
import sys
from collections import Counter, defaultdict

import pytest
from pococha_helpers import DAY, EXAMPLE, generate

SMALL = {"listeners": 300, "livers": 60}
HEADER = ["listener_id", "liver_id", "day", "watch_seconds", "gifts"]


def rows(path):
    with open(path, newline="") as handle:
        return list(csv.reader(handle))


def dicts(path):
    with open(path, newline="") as handle:
        return list(csv.DictReader(handle))


def test_layout_is_exactly_the_four_files(default_day):
    files = sorted(str(p.relative_to(default_day)) for p in default_day.rglob("*") if p.is_file())
    assert files == ["eval/features/listeners.csv", "eval/labels/interactions.csv",
                     "train/interactions.csv", "train/livers.csv"]
    assert rows(default_day / "train/interactions.csv")[0] == HEADER
    assert rows(default_day / "eval/labels/interactions.csv")[0] == HEADER
    assert rows(default_day / "train/livers.csv")[0] == ["liver_id", "genre", "debut_day", "status"]
    assert rows(default_day / "eval/features/listeners.csv")[0] == ["listener_id"]


def test_windows_and_ids(default_day):
    train = dicts(default_day / "train/interactions.csv")
    labels = dicts(default_day / "eval/labels/interactions.csv")
    listeners = [row["listener_id"] for row in dicts(default_day / "eval/features/listeners.csv")]
    livers = {row["liver_id"]: row for row in dicts(default_day / "train/livers.csv")}
    days = sorted({row["day"] for row in train})
    assert days[0] == "2026-11-14" and days[-1] == "2026-11-27" and len(days) == 14
    assert {row["day"] for row in labels} == {DAY.isoformat()}
    assert len(listeners) == len(set(listeners)) == 2000
    assert {row["listener_id"] for row in labels} <= set(listeners)
    assert {row["liver_id"] for row in train + labels} <= set(livers)
    assert 200 < len(livers) < 400
    pairs = [(row["listener_id"], row["liver_id"], row["day"]) for row in train]
    assert len(pairs) == len(set(pairs))  # one row per listener, liver and day
    assert all(int(row["watch_seconds"]) >= 10 and int(row["gifts"]) >= 0 for row in train)
    assert 10_000 < len(train) < 25_000 and 500 < len(labels)


def test_realistic_dynamics(default_day):
    train = dicts(default_day / "train/interactions.csv")
    labels = dicts(default_day / "eval/labels/interactions.csv")
    livers = dicts(default_day / "train/livers.csv")
    # Heavy popularity skew: the top 10% of livers draw a large share of viewing.
    views = Counter(row["liver_id"] for row in train)
    top = sum(count for _, count in views.most_common(len(views) // 10))
    assert top / len(train) > 0.35
    # New livers debut inside the window, and some careers end.
    assert sum(row["debut_day"] >= "2026-11-14" for row in livers) >= 5
    assert any(row["status"] == "retired" for row in livers)
    # Repeat viewing: much of the target day was already watched by the same listener.
    history = defaultdict(set)
    for row in train:
        history[row["listener_id"]].add(row["liver_id"])
    repeats = sum(row["liver_id"] in history[row["listener_id"]] for row in labels)
    assert repeats / len(labels) > 0.3
    # Drift: the most watched livers of the first and second week differ.
    first = Counter(row["liver_id"] for row in train if row["day"] < "2026-11-21")
    second = Counter(row["liver_id"] for row in train if row["day"] >= "2026-11-21")
    assert {liver for liver, _ in first.most_common(10)} != {liver for liver, _ in second.most_common(10)}
    # Weekends are busier than weekdays.
    per_day = Counter(row["day"] for row in train)
    assert per_day["2026-11-21"] > per_day["2026-11-18"]  # Saturday vs Wednesday


def test_deterministic(tmp_path):
    for name in ("a", "b"):
        generate.generate(DAY, tmp_path / name, seed=3, **SMALL)
    comparison = filecmp.dircmp(tmp_path / "a", tmp_path / "b")
    for path in ["train/interactions.csv", "train/livers.csv", "eval/features/listeners.csv",
                 "eval/labels/interactions.csv"]:
        assert (tmp_path / "a" / path).read_bytes() == (tmp_path / "b" / path).read_bytes(), path
    assert not comparison.diff_files
    generate.generate(DAY, tmp_path / "c", seed=4, **SMALL)
    assert (tmp_path / "a/train/interactions.csv").read_bytes() != (tmp_path / "c/train/interactions.csv").read_bytes()


def test_consecutive_days_agree(tmp_path):
    next_day = DAY + generate.dt.timedelta(days=1)
    generate.generate(DAY, tmp_path / "d0", **SMALL)
    generate.generate(next_day, tmp_path / "d1", **SMALL)
    labels = rows(tmp_path / "d0/eval/labels/interactions.csv")[1:]
    train0 = rows(tmp_path / "d0/train/interactions.csv")[1:]
    train1 = rows(tmp_path / "d1/train/interactions.csv")[1:]
    assert labels and [r for r in train1 if r[2] == DAY.isoformat()] == labels
    overlap = [r for r in train0 if r[2] > "2026-11-14"]
    assert overlap == [r for r in train1 if r[2] < DAY.isoformat()]
    # A longer history window ending on the same day holds the same days' rows.
    generate.generate(next_day, tmp_path / "long", history_days=20, **SMALL)
    train_long = rows(tmp_path / "long/train/interactions.csv")[1:]
    assert [r for r in train_long if r[2] >= "2026-11-15"] == train1


def test_command_line(tmp_path):
    script = str(EXAMPLE / "generate.py")
    done = subprocess.run([sys.executable, script, "--day", "2026-01-05", "--out", str(tmp_path / "x"),
                           "--listeners", "50", "--livers", "20", "--history-days", "3", "--seed", "9"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "pococha 2026-01-05 (seed 9)" in done.stdout
    assert {r[2] for r in rows(tmp_path / "x/train/interactions.csv")[1:]} <= {"2026-01-02", "2026-01-03", "2026-01-04"}
    bad = subprocess.run([sys.executable, script, "--day", "1999-01-01", "--out", str(tmp_path / "y")],
                         capture_output=True, text=True, timeout=60)
    assert bad.returncode == 2 and "the world starts on 2005-01-01" in bad.stderr


def test_bad_sizes():
    with pytest.raises(ValueError):
        generate.World(listeners=0)
