"""Predict stage: ``Predictor(model_dir).predict(batch)`` for every listener of the features.

Each row of a batch is ``{"listener_id": "L00042"}``; each prediction is a list of
liver ids, best first. Writes ``$HEKATON_OUTPUT_DIR/predictions.jsonl``.
"""

from _pococha import ID_FIELD, read_listeners, validate_recommendations
from hekaton import host

if __name__ == "__main__":
    host.main(host.run_predict, read_listeners, batch_size=256, id_field=ID_FIELD,
              validate=validate_recommendations)
