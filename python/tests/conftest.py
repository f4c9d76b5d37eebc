"""Fixtures for the SDK's tests."""

from __future__ import annotations

from pathlib import Path

import pytest
import sdk_helpers  # noqa: F401 - puts python/src on sys.path


@pytest.fixture
def stage_dirs(tmp_path: Path) -> dict[str, Path]:
    """A directory for every path variable, plus a host directory."""
    names = ["host", "submission", "train", "model", "features", "output", "predictions", "labels", "data"]
    dirs = {name: tmp_path / name for name in names}
    for path in dirs.values():
        path.mkdir()
    return dirs
