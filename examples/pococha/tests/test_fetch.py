"""The competition's ingestion source, host/fetch.py, as hekatond runs it."""

import filecmp
import json
import os
import subprocess
import sys

from pococha_helpers import EXAMPLE, generate

FETCH = EXAMPLE / "competition" / "host" / "fetch.py"


def fetch(out, date="2026-12-03", world=None):
    env = {**os.environ, "HEKATON_DATE": date, "HEKATON_OUTPUT_DIR": str(out),
           "HEKATON_PARAMS": json.dumps({"k": 10, "world": world or {"listeners": 200, "livers": 50}})}
    return subprocess.run([sys.executable, str(FETCH)], cwd=FETCH.parent.parent, env=env,
                          capture_output=True, text=True)


def same_tree(a, b):
    comparison = filecmp.dircmp(a, b)
    return not comparison.left_only and not comparison.right_only and not comparison.diff_files and all(
        same_tree(a / sub, b / sub) for sub in comparison.common_dirs)


def test_writes_the_day_the_generator_writes(tmp_path):
    result = fetch(tmp_path / "fetched")
    assert result.returncode == 0, result.stderr
    generate.generate(generate.dt.date(2026, 12, 3), tmp_path / "generated", listeners=200, livers=50)
    assert same_tree(tmp_path / "fetched", tmp_path / "generated")


def test_the_same_day_gives_the_same_bytes_and_another_day_others(tmp_path):
    assert fetch(tmp_path / "a").returncode == 0
    assert fetch(tmp_path / "b").returncode == 0
    assert fetch(tmp_path / "c", date="2026-12-04").returncode == 0
    assert same_tree(tmp_path / "a", tmp_path / "b")
    assert not same_tree(tmp_path / "a", tmp_path / "c")


def test_bad_settings_fail_clearly_and_write_nothing(tmp_path):
    bad_date = fetch(tmp_path / "x", date="yesterday")
    assert bad_date.returncode == 2 and "HEKATON_DATE" in bad_date.stderr
    unknown = fetch(tmp_path / "y", world={"listners": 10})
    assert unknown.returncode == 2 and "listners" in unknown.stderr
    assert not (tmp_path / "x").exists() and not (tmp_path / "y").exists()
