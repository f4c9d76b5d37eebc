"""Paths and modules shared by the Pococha example's tests (a distinct name, so it never
clashes with other test directories' modules when pytest collects several at once)."""

from __future__ import annotations

import sys
from pathlib import Path

EXAMPLE = Path(__file__).resolve().parent.parent
SDK = EXAMPLE.parent.parent / "python" / "src"
for path in (SDK, EXAMPLE):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

import generate  # noqa: E402
import run_local  # noqa: E402

DAY = generate.dt.date(2026, 11, 28)

__all__ = ["DAY", "EXAMPLE", "SDK", "generate", "run_local"]
