// The files are Swift literals so that hekatonctl needs no resource bundle beside it.
// `__NAME__` becomes the competition's name, `__MODULE__` the name of its host helper module.

extension CompetitionScaffold {
    // What participants start from: a Trainer and a Predictor that run, and the contract.

    /// `template/submission.py`
    static let templateSubmission = #"""
    """A working starting point for the __NAME__ competition: price per square metre,
    per district.

    Hekaton calls, in separate sandboxed processes:

        Trainer(model_dir).train(dataset)     # once; write your model into model_dir
        Predictor(model_dir)                  # once; model_dir is now read-only
        Predictor.predict(batch)              # per batch of houses without their price

    `predict` returns one number per house, in the batch's order: its price in thousands.
    Scored by RMSE against the true prices; lower is better. Improve on this!
    """

    import json
    from collections import defaultdict

    import hekaton

    TARGET = hekaton.params().get("target", "price")


    class Trainer(hekaton.Trainer):
        def train(self, dataset: hekaton.Dataset) -> None:
            # dataset.files() == ["houses.csv"]: id, district, area_m2, rooms, age_years, distance_km, price
            price_sum: dict[str, float] = defaultdict(float)
            area_sum: dict[str, float] = defaultdict(float)
            for row in dataset.iter_csv("houses.csv", types={"area_m2": float, TARGET: float}):
                price_sum[row["district"]] += row[TARGET]
                area_sum[row["district"]] += row["area_m2"]
            model = {
                "per_m2": {district: price_sum[district] / area_sum[district] for district in sorted(price_sum)},
                "overall_per_m2": sum(price_sum.values()) / sum(area_sum.values()),
            }
            (self.model_dir / "model.json").write_text(json.dumps(model, indent=2, sort_keys=True))


    class Predictor(hekaton.Predictor):
        def __init__(self, model_dir):
            super().__init__(model_dir)
            self.model = json.loads((self.model_dir / "model.json").read_text())

        def predict(self, batch: list[dict]) -> list[float]:
            # Each row: {"id": "H002001", "district": "harbor", "area_m2": 74.5, "rooms": 3, "age_years": 12, "distance_km": 4.2}
            per_m2 = self.model["per_m2"]
            return [per_m2.get(row["district"], self.model["overall_per_m2"]) * row["area_m2"] for row in batch]

    """#

    /// `template/requirements.txt`
    static let templateRequirements = ""

    /// `template/.hekatonignore`
    static let templateIgnore = #"""
    # What `hekatonctl submit` leaves out of your bundle, in .gitignore syntax.
    # .git/, __pycache__/, *.pyc, .hekaton/ and .venv/ are always left out.
    data/
    *.log

    """#

    /// `template/README.md`
    static let templateReadme = #"""
    # __NAME__: predict what a house sells for

    For every house of the evaluation set, predict its price in thousands from its area,
    rooms, age, distance to the centre and district. Your score is the **root mean squared
    error (RMSE)** of your predictions against the true prices; **lower is better**.

    ## What you submit

    This directory, as it is here:

    | file | what |
    |---|---|
    | `submission.py` | defines the classes `Trainer` and `Predictor` |
    | `requirements.txt` | the packages you need, in pip's format (may be empty); Hekaton builds a virtual environment from it |
    | `README.md` | what your approach is |
    | `.hekatonignore` | what to leave out of the bundle (`.gitignore` syntax) |

    Submit with `hekatonctl submit [--tag TAG] [DIR]`. Follow progress with
    `hekatonctl submissions` and `hekatonctl logs SUBMISSION`; your code's output and errors
    are in those logs.

    ## The contract

    ```python
    Trainer(model_dir).train(dataset)        # train stage
    Predictor(model_dir).predict(batch)      # predict stage; called once per batch
    ```

    * **Train.** `model_dir` is an empty, writable `pathlib.Path`; save everything your
      predictor needs there. `dataset` is a `hekaton.Dataset` over the training data, one file:
      `houses.csv` with the columns `id, district, area_m2, rooms, age_years, distance_km,
      price`. `dataset.iter_csv("houses.csv", types={"area_m2": float})` streams rows as
      dicts; `dataset.read_csv`, `dataset.open`, `dataset.files()` and `dataset.path` are
      there too.
    * **Predict.** `Predictor(model_dir)` is built once, with `model_dir` read-only. Each
      `predict(batch)` gets a list of houses without their price, numbers already typed
      (`{"id": "H002001", "district": "harbor", "area_m2": 74.5, "rooms": 3, "age_years": 12,
      "distance_km": 4.2}`), and returns a list of the same length: one finite number per
      house, in order.
    * `hekaton.params()` holds the competition's parameters (`{"target": "price"}`) and
      `hekaton.seed()` the run's seed; Python's `random` (and NumPy's global generator, if you
      import NumPy) are already seeded with it.
    * Subclassing `hekaton.Trainer` / `hekaton.Predictor` is optional; the class names are not.

    ## The rules of the sandbox

    Your code runs without network access, with the data read-only, and with limits on time
    (20 minutes to train, 10 to predict), memory (2 GiB), processes and one CPU. The true
    prices are never visible to your code. An exception in your code fails the submission
    with its traceback in the log.

    """#
}
