"""Ingestion source: writes the day's data into ``$HEKATON_OUTPUT_DIR``.

Hekaton runs this for the ``ingest`` schedule (``dataset.source.command`` in hekaton.yaml)
with ``$HEKATON_DATE``, the schedule's day in its time zone. A real host would copy the
day's export of its viewing logs here; the example stands in for that upstream with the
synthetic world of ``world.py``, whose day D is a pure function of the seed and D, so
re-running a day gives the same bytes and Hekaton records "unchanged".

``parameters.world`` in hekaton.yaml may set ``seed``, ``listeners``, ``livers`` and
``history_days``.
"""

import datetime as dt
import json
import os
import sys
from pathlib import Path

import world


def main() -> int:
    try:
        day = dt.date.fromisoformat(os.environ["HEKATON_DATE"])
        out = Path(os.environ["HEKATON_OUTPUT_DIR"])
    except (KeyError, ValueError) as error:
        print(f"fetch.py: HEKATON_DATE and HEKATON_OUTPUT_DIR must be set by hekatond ({error})", file=sys.stderr)
        return 2
    settings = json.loads(os.environ.get("HEKATON_PARAMS") or "{}").get("world", {})
    allowed = {"seed", "listeners", "livers", "history_days"}
    unknown = set(settings) - allowed
    if unknown:
        print(f"fetch.py: unknown parameters.world keys {sorted(unknown)}; known: {sorted(allowed)}", file=sys.stderr)
        return 2
    counts = world.generate(day, out, **settings)
    print(f"pococha {day} -> {out}: " + ", ".join(f"{name}: {count}" for name, count in counts.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
