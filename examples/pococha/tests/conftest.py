"""Fixtures for the Pococha example's tests: generated data and local runs."""

from __future__ import annotations

from pathlib import Path

import pytest
from pococha_helpers import DAY, generate, run_local


@pytest.fixture(scope="session")
def default_day(tmp_path_factory) -> Path:
    """The dataset version for DAY at the default size."""
    out = tmp_path_factory.mktemp("pococha") / DAY.isoformat()
    generate.generate(DAY, out)
    return out


@pytest.fixture(scope="session")
def leaderboard(default_day, tmp_path_factory):
    """The example submissions run end to end (with the artifact stage), best first."""
    work = tmp_path_factory.mktemp("runs")
    return run_local.evaluate(run_local.example_submissions(), default_day, work, artifact=True)
