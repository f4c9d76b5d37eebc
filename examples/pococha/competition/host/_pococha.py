"""What the Pococha host's entrypoints share: the task's parameters and its prediction format.

A prediction is the ranked list of liver ids to show one listener on the target day,
best first, at most MAX_LIST long; only its first ``k`` entries are scored.

(The leading underscore keeps this module's name clear of any a submission might ship.)
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import hekaton

#: How many livers are scored per listener (the manifest's ``parameters.k``).
K = int(hekaton.params().get("k", 10))
#: Longest list accepted; anything past ``K`` is ignored by the score.
MAX_LIST = 100
#: The feature file and its id column.
LISTENERS_FILE = "listeners.csv"
ID_FIELD = "listener_id"


def read_listeners(features: hekaton.Dataset):
    """The rows to predict for: one per listener, ``{"listener_id": "L00042"}``."""
    return features.iter_csv(LISTENERS_FILE)


def validate_recommendations(row: dict[str, Any], prediction: Any) -> list[str]:
    """Accept a list (or tuple, or array) of distinct liver id strings; return it as a list."""
    if hasattr(prediction, "tolist") and not isinstance(prediction, (list, tuple)):
        prediction = prediction.tolist()  # a NumPy array
    if not isinstance(prediction, (list, tuple)):
        raise TypeError(f"expected a list of liver ids, got {type(prediction).__name__}")
    if len(prediction) > MAX_LIST:
        raise ValueError(f"{len(prediction)} livers recommended; at most {MAX_LIST} are accepted (the first {K} count)")
    livers = []
    for item in prediction:
        if not isinstance(item, str):
            raise TypeError(f"liver ids are strings like 'V01234', got {item!r} ({type(item).__name__})")
        livers.append(str(item))
    if len(set(livers)) != len(livers):
        repeated = sorted({x for x in livers if livers.count(x) > 1})
        raise ValueError(f"liver ids repeated in the list: {', '.join(repeated)}")
    return livers


def read_relevant(labels: hekaton.Dataset) -> dict[str, set[str]]:
    """Listener id to the livers they watched on the target day."""
    relevant: dict[str, set[str]] = defaultdict(set)
    for row in labels.iter_csv("interactions.csv"):
        relevant[row["listener_id"]].add(row["liver_id"])
    return dict(relevant)
