"""Artifact stage: the production outputs of the production model.

Writes into ``$HEKATON_OUTPUT_DIR``:

* ``recommendations.jsonl``: ``{"listener_id": ..., "livers": [...]}`` for every listener
  of the dataset version's features (batch recommendations for the next day);
* ``serving/``: a self-contained serving bundle. ``model/`` (the trained model),
  ``submission/`` (the participant's code), ``lib/hekaton`` (the SDK), the submission's
  ``requirements.txt``, ``serving.json`` and ``server.py``, a standard-library HTTP server
  answering ``GET /recommend?listener=ID``. Run it with ``python3 serving/server.py
  --port 8080`` in an environment with the requirements installed.
* ``artifact.json``: what was built, from what.

Nothing here depends on the clock, so the same model and data give the same bytes.
"""

import json
import shutil
from pathlib import Path

import hekaton
from _pococha import ID_FIELD, LISTENERS_FILE, K, validate_recommendations
from hekaton import host

HERE = Path(__file__).resolve().parent
FEATURES = "eval/features"  # the manifest's dataset.features, inside $HEKATON_DATA_DIR
IGNORE = shutil.ignore_patterns("__pycache__", "*.pyc", ".git")


def build(ctx, predictor):
    out = ctx.require("output_dir")
    data = hekaton.Dataset(ctx.require("data_dir"))
    listeners = data.iter_csv(f"{FEATURES}/{LISTENERS_FILE}")
    count = 0
    with open(out / "recommendations.jsonl", "w", encoding="utf-8") as handle:
        for row, livers in host.predict_batches(predictor, listeners, 256, validate=validate_recommendations,
                                                describe_row=lambda r: f"{ID_FIELD} {r.get(ID_FIELD)!r}"):
            handle.write(json.dumps({ID_FIELD: row[ID_FIELD], "livers": livers[:K]}, separators=(",", ":")) + "\n")
            count += 1
    host.log(f"wrote batch recommendations for {count} listeners")

    serving = out / "serving"
    serving.mkdir()
    submission_dir = ctx.require("submission_dir")
    shutil.copytree(ctx.require("model_dir"), serving / "model", ignore=IGNORE)
    shutil.copytree(submission_dir, serving / "submission", ignore=IGNORE)
    shutil.copytree(Path(hekaton.__file__).resolve().parent, serving / "lib" / "hekaton", ignore=IGNORE)
    shutil.copy2(HERE / "serving_server.py", serving / "server.py")
    requirements = submission_dir / "requirements.txt"
    (serving / "requirements.txt").write_text(requirements.read_text() if requirements.is_file() else "")
    (serving / "serving.json").write_text(json.dumps(
        {"competition": ctx.competition, "params": ctx.params, "k": K, "id_field": ID_FIELD}, indent=2) + "\n")
    (out / "artifact.json").write_text(json.dumps({
        "competition": ctx.competition,
        "k": K,
        "listeners": count,
        "recommendations": "recommendations.jsonl",
        "serving": {"directory": "serving", "entrypoint": ["python3", "server.py"],
                    "requirements": "requirements.txt", "endpoint": "GET /recommend?listener=ID"},
    }, indent=2) + "\n")


if __name__ == "__main__":
    host.main(host.run_artifact, build)
