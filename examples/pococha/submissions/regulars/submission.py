"""Regulars: each listener's own favourite livers, ranked in SQL by the sqlite3 tool.

Live-streaming audiences come back: the best single predictor of whom a listener watches
tomorrow is whom they watched this week. The trainer loads the training window into an
in-memory SQLite database with the ``sqlite3`` command-line tool (installed by this
submission's Dockerfile; pip cannot provide it) and ranks, per listener, the livers they
watched by recency-weighted minutes; retired livers are left out. Listeners with short
histories are topped up with the recency-weighted global ranking.
"""

import json
import shutil
import subprocess

import hekaton

KEEP = 50

QUERY = """
.mode csv
.import --csv "{interactions}" interactions
.import --csv "{livers}" livers
.mode json
CREATE TEMP VIEW weighted AS
  SELECT listener_id, liver_id,
         (1.0 + watch_seconds / 60.0) / (1.0 + julianday((SELECT max(day) FROM interactions)) - julianday(day)) AS weight
  FROM interactions
  WHERE liver_id NOT IN (SELECT liver_id FROM livers WHERE status = 'retired');
SELECT listener_id, liver_id, sum(weight) AS weight FROM weighted
  GROUP BY listener_id, liver_id ORDER BY listener_id, weight DESC, liver_id;
SELECT liver_id, sum(weight) AS weight FROM weighted GROUP BY liver_id ORDER BY weight DESC, liver_id LIMIT {keep};
"""


def sqlite(script: str) -> list[list[dict]]:
    """Runs a script with the sqlite3 tool; each SELECT's rows come back as one JSON list."""
    tool = shutil.which("sqlite3")
    if tool is None:
        raise RuntimeError("the sqlite3 tool is missing: this submission needs its Dockerfile's environment")
    done = subprocess.run([tool, ":memory:"], input=script, capture_output=True, text=True, check=True)
    decoder, text, results, at = json.JSONDecoder(), done.stdout, [], 0
    while at < len(text):
        if text[at].isspace():
            at += 1
            continue
        rows, at = decoder.raw_decode(text, at)
        results.append(rows)
    return results


class Trainer(hekaton.Trainer):
    def train(self, dataset: hekaton.Dataset) -> None:
        interactions, livers = dataset.path_of("interactions.csv"), dataset.path_of("livers.csv")
        per_listener, overall = sqlite(QUERY.format(interactions=interactions, livers=livers, keep=KEEP))
        favourites: dict[str, list[str]] = {}
        for row in per_listener:
            ranked = favourites.setdefault(row["listener_id"], [])
            if len(ranked) < KEEP:
                ranked.append(row["liver_id"])
        if not overall:
            raise ValueError("interactions.csv is empty: nothing to learn from")
        model = {"favourites": favourites, "popular": [row["liver_id"] for row in overall]}
        (self.model_dir / "regulars.json").write_text(json.dumps(model))


class Predictor(hekaton.Predictor):
    def __init__(self, model_dir):
        super().__init__(model_dir)
        model = json.loads((self.model_dir / "regulars.json").read_text())
        self.favourites, self.popular = model["favourites"], model["popular"]
        self.k = int(hekaton.params().get("k", 10))

    def predict(self, batch: list[dict]) -> list[list[str]]:
        lists = []
        for row in batch:
            ranked = list(self.favourites.get(row["listener_id"], []))[: self.k]
            ranked += [liver for liver in self.popular if liver not in ranked][: self.k - len(ranked)]
            lists.append(ranked)
        return lists
