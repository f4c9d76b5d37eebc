"""The participant contract: a ``Trainer`` and a ``Predictor``.

A submission's ``submission.py`` defines two classes named ``Trainer`` and ``Predictor``.
Subclassing the bases below is optional (any class with the same constructor and method
works), but they document the contract and give clear errors for what is left out::

    import json
    import hekaton

    class Trainer(hekaton.Trainer):
        def train(self, dataset: hekaton.Dataset) -> None:
            rows = dataset.read_csv("interactions.csv")
            (self.model_dir / "model.json").write_text(json.dumps(...))

    class Predictor(hekaton.Predictor):
        def __init__(self, model_dir):
            super().__init__(model_dir)
            self.model = json.loads((self.model_dir / "model.json").read_text())

        def predict(self, batch: list[dict]) -> list:
            return [self.model_answer_for(row) for row in batch]

The train stage calls ``Trainer(model_dir).train(dataset)`` once; the model directory is
fresh and empty, and everything the predictor needs must be written into it. The predict
stage calls ``Predictor(model_dir)`` once (the model directory is then read-only) and
``predict(batch)`` for each batch of feature rows; it returns one prediction per row, in
order.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from .dataset import Dataset


class Trainer:
    """Base class for a participant's trainer.

    :param model_dir: a writable, empty directory; save the trained model here.
    """

    def __init__(self, model_dir: str | os.PathLike[str]) -> None:
        self.model_dir = Path(model_dir)

    def train(self, dataset: Dataset) -> None:
        """Train on ``dataset`` (read-only) and write the model into ``self.model_dir``."""
        raise NotImplementedError(f"{type(self).__name__}.train(dataset) is not implemented")


class Predictor:
    """Base class for a participant's predictor.

    :param model_dir: the directory the trainer wrote, read-only from now on.
    """

    def __init__(self, model_dir: str | os.PathLike[str]) -> None:
        self.model_dir = Path(model_dir)

    def predict(self, batch: list[dict[str, Any]]) -> list[Any]:
        """Return one prediction per row of ``batch``, in the same order."""
        raise NotImplementedError(f"{type(self).__name__}.predict(batch) is not implemented")
