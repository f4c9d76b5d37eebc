#!/usr/bin/env python3
"""Synthetic daily viewing logs for the Pococha example: writes one dataset version.

    python3 examples/pococha/generate.py --day 2026-11-28 --out DIR [--seed N] [--listeners N] [--livers N]

The generator itself is ``competition/host/world.py``: it lives inside the competition so
that the competition's ingestion source (``host/fetch.py``) can run it as the "upstream"
that exports each day's data. This script is the same thing from the command line.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent / "competition" / "host"))

from world import *  # noqa: E402,F401,F403
from world import dt, generate, main  # noqa: E402,F401

if __name__ == "__main__":
    raise SystemExit(main())
