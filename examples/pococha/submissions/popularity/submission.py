"""Global popularity baseline: everyone gets the livers with the most recent viewers.

Each (listener, liver, day) viewing counts once, weighted by recency (half-life of three
days), so today's risers beat last week's stars; retired livers are left out. Standard
library only.
"""

import datetime as dt
import json
from collections import defaultdict

import hekaton

HALF_LIFE_DAYS = 3.0
KEEP = 100


class Trainer(hekaton.Trainer):
    def train(self, dataset: hekaton.Dataset) -> None:
        retired = {row["liver_id"] for row in dataset.iter_csv("livers.csv") if row["status"] == "retired"}
        rows = dataset.read_csv("interactions.csv")
        if not rows:
            raise ValueError("interactions.csv is empty: nothing to learn from")
        last = max(dt.date.fromisoformat(row["day"]) for row in rows)
        score: dict[str, float] = defaultdict(float)
        for row in rows:
            age = (last - dt.date.fromisoformat(row["day"])).days
            score[row["liver_id"]] += 0.5 ** (age / HALF_LIFE_DAYS)
        ranking = sorted((liver for liver in score if liver not in retired), key=lambda liver: (-score[liver], liver))
        (self.model_dir / "ranking.json").write_text(json.dumps({"ranking": ranking[:KEEP]}))


class Predictor(hekaton.Predictor):
    def __init__(self, model_dir):
        super().__init__(model_dir)
        self.ranking = json.loads((self.model_dir / "ranking.json").read_text())["ranking"]
        self.k = int(hekaton.params().get("k", 10))

    def predict(self, batch: list[dict]) -> list[list[str]]:
        top = self.ranking[: self.k]
        return [list(top) for _ in batch]
