// The files are Swift literals so that hekatonctl needs no resource bundle beside it.
// `__NAME__` becomes the competition's name, `__MODULE__` the name of its host helper module.

extension CompetitionScaffold {
    // The host's entrypoints, each a few lines on the SDK's `hekaton.host` (python/README.md).

    /// `host/_NAME.py`
    static let hostShared = #"""
    """What the __NAME__ host's entrypoints share: the files, the columns and the
    prediction format.

    A prediction is one finite number per house: its price, in thousands.

    (The leading underscore and the competition's name keep this module clear of any module
    a submission might ship: the script's directory comes first on ``sys.path``.)
    """

    from __future__ import annotations

    import math
    from typing import Any

    import hekaton

    #: The column to predict (the manifest's ``parameters.target``).
    TARGET = hekaton.params().get("target", "price")
    #: The features and labels files, and their id column.
    HOUSES_FILE = "houses.csv"
    PRICES_FILE = "prices.csv"
    ID_FIELD = "id"
    #: Feature columns read as numbers; ``district`` stays text.
    FEATURE_TYPES = {"area_m2": float, "rooms": int, "age_years": int, "distance_km": float}


    def read_houses(features: hekaton.Dataset):
        """The rows to predict, typed: ``{"id": "H000001", "district": "harbor", "area_m2": 74.5, ...}``."""
        return features.iter_csv(HOUSES_FILE, types=FEATURE_TYPES)


    def validate_price(row: dict[str, Any], prediction: Any) -> float:
        """Accept a finite number (a NumPy scalar too); return it as a float."""
        if hasattr(prediction, "item") and not isinstance(prediction, (int, float)):
            prediction = prediction.item()  # a NumPy scalar
        if isinstance(prediction, bool) or not isinstance(prediction, (int, float)):
            raise TypeError(f"expected a number (the price in thousands), got {type(prediction).__name__}")
        if not math.isfinite(prediction):
            raise ValueError(f"expected a finite number, got {prediction!r}")
        return float(prediction)


    def read_prices(labels: hekaton.Dataset) -> dict[str, float]:
        """House id to its true price."""
        return {row[ID_FIELD]: row[TARGET] for row in labels.iter_csv(PRICES_FILE, types={TARGET: float})}

    """#

    /// `host/train.py`
    static let hostTrain = #"""
    """Train stage: the participant's ``Trainer(model_dir).train(dataset)`` on ``train/``.

    The dataset holds ``houses.csv``: id, district, area_m2, rooms, age_years, distance_km
    and the price (in thousands).
    """

    from hekaton import host

    if __name__ == "__main__":
        host.main(host.run_train)

    """#

    /// `host/predict.py`
    static let hostPredict = #"""
    """Predict stage: ``Predictor(model_dir).predict(batch)`` for every house of the features.

    Each row of a batch is a house without its price, with numbers already typed; each
    prediction must be a finite number. Writes ``$HEKATON_OUTPUT_DIR/predictions.jsonl``.
    """

    from __MODULE__ import ID_FIELD, read_houses, validate_price
    from hekaton import host

    if __name__ == "__main__":
        host.main(host.run_predict, read_houses, batch_size=256, id_field=ID_FIELD, validate=validate_price)

    """#

    /// `host/score.py`
    static let hostScore = #"""
    """Score stage (no participant code runs here): the root mean squared error of the
    predicted prices against the true ones. Lower is better.

    A house without a prediction counts as predicted at 0, so leaving rows out never pays.
    MAE and R² are reported in the details.
    """

    import math

    from __MODULE__ import read_prices
    from hekaton import host


    def score(predictions, labels, ctx):
        truth = read_prices(labels)
        if not truth:
            raise ValueError("the labels hold no prices")
        missing = 0
        squared = absolute = 0.0
        for house, price in truth.items():
            predicted = predictions.get(house)
            if not isinstance(predicted, (int, float)):
                missing += 1
                predicted = 0.0
            squared += (predicted - price) ** 2
            absolute += abs(predicted - price)
        count = len(truth)
        mean = sum(truth.values()) / count
        spread = sum((price - mean) ** 2 for price in truth.values())
        details = {
            "mae": absolute / count,
            "r2": 1 - squared / spread if spread else 0.0,
            "houses_scored": count,
            "houses_without_predictions": missing,
        }
        return math.sqrt(squared / count), details


    if __name__ == "__main__":
        host.main(host.run_score, score, metric="rmse")

    """#

    /// `host/artifact.py`
    static let hostArtifact = #"""
    """Artifact stage: what production uses from the production model.

    Writes into ``$HEKATON_OUTPUT_DIR``:

    * ``predictions.csv``: ``id,price`` for every house of the dataset version's features
      (batch predictions);
    * ``model/``, ``submission/``: the trained model and the participant's code, to serve it;
    * ``artifact.json``: what was built, from what.

    Nothing here depends on the clock, so the same model and data give the same bytes.
    """

    import csv
    import json
    import shutil

    import hekaton
    from __MODULE__ import ID_FIELD, TARGET, read_houses, validate_price
    from hekaton import host

    FEATURES = "eval/features"  # the manifest's dataset.features, inside $HEKATON_DATA_DIR
    IGNORE = shutil.ignore_patterns("__pycache__", "*.pyc", ".git")


    def build(ctx, predictor):
        out = ctx.require("output_dir")
        features = hekaton.Dataset(ctx.require("data_dir")).subset(FEATURES)
        count = 0
        with open(out / "predictions.csv", "w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow([ID_FIELD, TARGET])
            for row, price in host.predict_batches(predictor, read_houses(features), 256, validate=validate_price,
                                                   describe_row=lambda r: f"{ID_FIELD} {r.get(ID_FIELD)!r}"):
                writer.writerow([row[ID_FIELD], f"{price:.3f}"])
                count += 1
        host.log(f"wrote predictions for {count} houses")
        shutil.copytree(ctx.require("model_dir"), out / "model", ignore=IGNORE)
        shutil.copytree(ctx.require("submission_dir"), out / "submission", ignore=IGNORE)
        (out / "artifact.json").write_text(json.dumps({
            "competition": ctx.competition,
            "houses": count,
            "predictions": "predictions.csv",
            "model": "model",
            "submission": "submission",
        }, indent=2) + "\n")


    if __name__ == "__main__":
        host.main(host.run_artifact, build)

    """#
}
