"""A working starting point for the Pococha competition: recommend the most-watched livers.

Hekaton calls, in separate sandboxed processes:

    Trainer(model_dir).train(dataset)     # once; write your model into model_dir
    Predictor(model_dir)                  # once; model_dir is now read-only
    Predictor.predict(batch)              # per batch of rows like {"listener_id": "L00042"}

`predict` returns one list of liver ids per row, best first; the first k (10) are scored
with recall@10 against what each listener watched on the next day. Improve on this!
"""

import json
from collections import Counter

import hekaton


class Trainer(hekaton.Trainer):
    def train(self, dataset: hekaton.Dataset) -> None:
        # dataset.files() == ["interactions.csv", "livers.csv"]
        views = Counter(row["liver_id"] for row in dataset.iter_csv("interactions.csv"))
        ranking = [liver for liver, _ in views.most_common(100)]
        (self.model_dir / "ranking.json").write_text(json.dumps(ranking))


class Predictor(hekaton.Predictor):
    def __init__(self, model_dir):
        super().__init__(model_dir)
        self.ranking = json.loads((self.model_dir / "ranking.json").read_text())
        self.k = int(hekaton.params().get("k", 10))

    def predict(self, batch: list[dict]) -> list[list[str]]:
        return [self.ranking[: self.k] for _ in batch]
