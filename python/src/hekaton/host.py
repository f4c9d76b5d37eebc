"""Helpers for a competition host's entrypoints.

A host's entrypoint is a short script that the daemon runs for one stage, inside the
sandbox, with the variables of :mod:`hekaton.context`. With these helpers each is a few
lines::

    # host/train.py
    from hekaton import host
    host.main(host.run_train)

    # host/predict.py
    from hekaton import host
    host.main(host.run_predict, lambda features: features.iter_csv("listeners.csv"),
              batch_size=256, id_field="listener_id")

    # host/score.py
    from hekaton import host
    def score(predictions, labels, ctx):
        ...
        return value, {"details": ...}
    host.main(host.run_score, score, metric="recall@10")

:func:`main` runs the stage and turns failures into a message on stderr and exit status 1.
It tells the two kinds apart for whoever reads the log: a :class:`~hekaton.errors.SubmissionError`
("Trainer.train raised ValueError: ...", with the participant's part of the traceback) is
the submission's fault; any other exception is a bug on the host's side.

File formats (documented in ``python/README.md``):

* predictions: ``predictions.jsonl``, one JSON object per line,
  ``{"id": <row id>, "prediction": <any JSON value>}``;
* metrics: ``metrics.json``, ``{"metric": "<name>", "value": <finite number>, "details": {...}}``.
"""

from __future__ import annotations

import hashlib
import importlib.util
import inspect
import itertools
import json
import math
import os
import random
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any, NoReturn

from .context import StageContext
from .dataset import Dataset
from .errors import ContextError, FormatError, HekatonError, SubmissionError
from .metrics import evaluate_ranking, ndcg_at_k, recall_at_k

__all__ = [
    "StageContext", "Submission", "load_submission", "load_predictor",
    "run_train", "run_predict", "run_score", "run_artifact", "predict_batches", "split", "split_of",
    "write_predictions", "read_predictions", "iter_predictions", "write_metrics", "read_metrics",
    "main", "log", "seed_everything", "recall_at_k", "ndcg_at_k", "evaluate_ranking",
    "call_participant", "PREDICTIONS_FILE", "METRICS_FILE", "SUBMISSION_FILE",
    "HekatonError", "ContextError", "SubmissionError", "FormatError",
]

PREDICTIONS_FILE = "predictions.jsonl"
METRICS_FILE = "metrics.json"
SUBMISSION_FILE = "submission.py"

_SDK_DIR = str(Path(__file__).resolve().parent) + os.sep

#: Validates one prediction: receives the feature row and the prediction, returns the
#: prediction to write (possibly normalized), raises ValueError or TypeError to reject it.
Validator = Callable[[Mapping[str, Any], Any], Any]


# -- logging ------------------------------------------------------------------------

def log(message: str) -> None:
    """Print one progress line to the stage log (stdout), prefixed with ``hekaton:`` and the stage."""
    stage = os.environ.get("HEKATON_STAGE")
    prefix = f"hekaton: {stage}: " if stage else "hekaton: "
    print(prefix + message, flush=True)


# -- the participant's code ---------------------------------------------------------

@dataclass(frozen=True)
class Submission:
    """A participant's imported ``submission.py`` and its two classes."""

    directory: Path
    module: ModuleType
    trainer: type
    predictor: type


def load_submission(submission_dir: str | os.PathLike[str]) -> Submission:
    """Import ``submission.py`` from ``submission_dir`` and find ``Trainer`` and ``Predictor``.

    The directory is put first on ``sys.path`` (so the submission may import modules it
    ships next to ``submission.py``) and the module is registered as ``submission`` (so
    objects pickled from it load again in a later stage).

    :raises SubmissionError: the file is missing, its import fails, or a class is missing
        or lacks its method; the message says which and what to do.
    """
    directory = Path(submission_dir)
    path = directory / SUBMISSION_FILE
    if not path.is_file():
        present = sorted(p.name for p in directory.iterdir()) if directory.is_dir() else []
        raise SubmissionError(f"the submission has no {SUBMISSION_FILE} at its top level "
                              f"(it holds: {', '.join(present) or 'nothing'}); "
                              f"define the classes Trainer and Predictor in {SUBMISSION_FILE}")
    if str(directory) not in sys.path:
        sys.path.insert(0, str(directory))
    spec = importlib.util.spec_from_file_location("submission", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["submission"] = module
    try:
        spec.loader.exec_module(module)
    except KeyboardInterrupt:
        raise
    except BaseException as error:  # noqa: BLE001 - anything the import does is the submission's
        del sys.modules["submission"]
        hint = ""
        if isinstance(error, ModuleNotFoundError):
            hint = f"; is {error.name or 'the module'!r} listed in requirements.txt?"
        raise SubmissionError(f"importing {SUBMISSION_FILE} raised {_describe(error)}{hint}",
                              details=_participant_traceback(error)) from None

    classes = {}
    for name, method in (("Trainer", "train"), ("Predictor", "predict")):
        cls = getattr(module, name, None)
        if cls is None:
            defined = sorted(n for n, v in vars(module).items()
                             if inspect.isclass(v) and v.__module__ == module.__name__)
            raise SubmissionError(f"{SUBMISSION_FILE} defines no {name} "
                                  f"(classes it defines: {', '.join(defined) or 'none'}); "
                                  f"a submission needs classes named Trainer and Predictor")
        if not callable(cls):
            raise SubmissionError(f"{SUBMISSION_FILE}: {name} is a {type(cls).__name__}, not a class")
        if not callable(getattr(cls, method, None)):
            raise SubmissionError(f"{SUBMISSION_FILE}: {name} has no method {method}(); "
                                  f"see the template's README for the contract")
        classes[name] = cls
    return Submission(directory=directory, module=module, trainer=classes["Trainer"],
                      predictor=classes["Predictor"])


def call_participant(label: str, func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Call participant code, turning any exception into a :class:`SubmissionError`.

    ``label`` names the call in the message, e.g. ``"Trainer.train"``. ``sys.exit()`` from
    participant code is reported too: a stage must return, not exit.
    """
    try:
        return func(*args, **kwargs)
    except KeyboardInterrupt:
        raise
    except SystemExit as error:
        raise SubmissionError(f"{label} called sys.exit({error.code!r}); return normally instead",
                              details=_participant_traceback(error)) from None
    except BaseException as error:  # noqa: BLE001
        raise SubmissionError(f"{label} raised {_describe(error)}", details=_participant_traceback(error)) from None


def seed_everything(seed: int) -> None:
    """Seed Python's ``random`` and, if the submission imported it, NumPy's global generator."""
    random.seed(seed)
    numpy = sys.modules.get("numpy")
    if numpy is not None and hasattr(numpy, "random"):
        numpy.random.seed(seed % 2**32)


def load_predictor(ctx: StageContext) -> Any:
    """Import the submission and construct ``Predictor(model_dir)`` for ``ctx``."""
    submission = load_submission(ctx.require("submission_dir"))
    seed_everything(ctx.seed)
    return call_participant("Predictor(model_dir)", submission.predictor, ctx.require("model_dir"))


# -- stages -------------------------------------------------------------------------

def run_train(ctx: StageContext | None = None) -> dict[str, Any]:
    """The whole train stage: ``Trainer(model_dir).train(Dataset(train_dir))``.

    :returns: a summary (seconds, files and bytes in the model directory), also logged.
    """
    ctx = ctx or StageContext.from_env(stage="train")
    ctx.expect("train")
    model_dir = ctx.require("model_dir")
    log(f"competition {ctx.competition}, seed {ctx.seed}, params {json.dumps(ctx.params, sort_keys=True)}")
    submission = load_submission(ctx.require("submission_dir"))
    seed_everything(ctx.seed)
    dataset = Dataset(ctx.require("train_dir"))
    started = time.monotonic()
    trainer = call_participant("Trainer(model_dir)", submission.trainer, model_dir)
    call_participant("Trainer.train", trainer.train, dataset)
    seconds = time.monotonic() - started
    files = [p for p in model_dir.rglob("*") if p.is_file()]
    size = sum(p.stat().st_size for p in files)
    log(f"Trainer.train finished in {seconds:.2f} s; the model directory holds "
        f"{len(files)} file{'s' * (len(files) != 1)}, {_human_bytes(size)}")
    if not files:
        log("warning: the model directory is empty; the Predictor will get nothing from training")
    return {"seconds": seconds, "files": len(files), "bytes": size}


def predict_batches(
    predictor: Any,
    rows: Iterable[Mapping[str, Any]],
    batch_size: int = 256,
    *,
    validate: Validator | None = None,
    describe_row: Callable[[Mapping[str, Any]], str] = lambda row: f"row {dict(row)!r}",
) -> Iterator[tuple[Mapping[str, Any], Any]]:
    """Call ``predictor.predict`` on batches of ``rows``; yield each row with its prediction.

    Checks what participant code returns: one prediction per row (a list, tuple or array
    of the batch's length), each accepted by ``validate`` when given.

    :raises SubmissionError: naming the batch or row at fault.
    """
    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, got {batch_size}")
    for batch in _batched(rows, batch_size):
        given = [dict(row) for row in batch]  # the participant may mutate its copy
        output = call_participant("Predictor.predict", predictor.predict, given)
        if isinstance(output, (str, bytes, dict)) or not hasattr(output, "__iter__"):
            raise SubmissionError(f"Predictor.predict returned {type(output).__name__}; "
                                  f"return a list with one prediction per row")
        # A generator or array runs participant code while it is consumed.
        predictions = call_participant("Predictor.predict", list, output)
        if len(predictions) != len(batch):
            raise SubmissionError(f"Predictor.predict returned {len(predictions)} predictions for a batch of "
                                  f"{len(batch)} rows; return exactly one prediction per row, in order")
        for row, prediction in zip(batch, predictions, strict=True):
            if validate is not None:
                try:
                    checked = validate(row, prediction)
                except (TypeError, ValueError) as error:
                    raise SubmissionError(f"Predictor.predict returned an invalid prediction for "
                                          f"{describe_row(row)}: {error}") from None
                prediction = prediction if checked is None else checked
            yield row, prediction


def run_predict(
    read_features: Callable[[Dataset], Iterable[Mapping[str, Any]]],
    batch_size: int = 256,
    *,
    id_field: str | None = None,
    validate: Validator | None = None,
    ctx: StageContext | None = None,
) -> int:
    """The whole predict stage: ``Predictor(model_dir).predict(batch)`` over the feature rows,
    written to ``$HEKATON_OUTPUT_DIR/predictions.jsonl``.

    :param read_features: given the features :class:`Dataset`, returns the rows (dicts)
        to predict, e.g. ``lambda features: features.iter_csv("listeners.csv")``.
    :param batch_size: rows per ``predict`` call.
    :param id_field: the row column that identifies a prediction; without it, rows are
        identified by their position (0, 1, ...).
    :param validate: checks (and may normalize) each prediction; see :data:`Validator`.
    :returns: the number of predictions written.
    """
    ctx = ctx or StageContext.from_env(stage="predict")
    ctx.expect("predict")
    predictor = load_predictor(ctx)
    features = Dataset(ctx.require("features_dir"))
    started = time.monotonic()
    rows = read_features(features)

    positions = itertools.count()

    def row_id(row: Mapping[str, Any]) -> Any:
        if id_field is None:
            return next(positions)
        if id_field not in row:
            raise FormatError(f"feature row has no {id_field!r} column: {dict(row)!r}")
        return row[id_field]

    def describe(row: Mapping[str, Any]) -> str:
        return f"{id_field} {row.get(id_field)!r}" if id_field else f"row {dict(row)!r}"

    pairs = ((row_id(row), prediction) for row, prediction in
             predict_batches(predictor, rows, batch_size, validate=validate, describe_row=describe))
    count = write_predictions(ctx.require("output_dir"), pairs)
    log(f"wrote {count} predictions in {time.monotonic() - started:.2f} s")
    return count


def split_of(key: Any, ctx: StageContext) -> str:
    """``"public"`` or ``"private"``: where the row with ``key`` counts, by a hash of the
    competition's name and the key, so the same row lands on the same board in every run.

    :raises ContextError: the competition declares no ``metric.splits``.
    """
    if not ctx.splits:
        raise ContextError("this competition has one leaderboard: add metric.splits to hekaton.yaml to split the rows")
    digest = hashlib.sha256(f"{ctx.competition}\x00{key}".encode()).digest()
    position = int.from_bytes(digest[:8], "big") / 2**64
    return "public" if position < ctx.splits["public"] else "private"


def split(rows: Mapping[Any, Any], ctx: StageContext) -> dict[str, dict[Any, Any]]:
    """``rows`` (a mapping from each row's key, such as the labels by user) cut into
    ``{"public": ..., "private": ...}`` by :func:`split_of`; score each part as the whole."""
    parts: dict[str, dict[Any, Any]] = {"public": {}, "private": {}}
    for key, value in rows.items():
        parts[split_of(key, ctx)][key] = value
    return parts


def run_score(
    score: Callable[[dict[Any, Any], Dataset, StageContext], Any],
    metric: str,
    ctx: StageContext | None = None,
) -> dict[str, Any]:
    """The whole score stage: read the predictions, call ``score``, write ``metrics.json``.

    No participant code runs here.

    :param score: ``score(predictions, labels, ctx)`` with predictions as a dict (row id to
        prediction) and the labels as a :class:`Dataset`; returns the value, or
        ``(value, details)``, or with ``metric.splits`` ``(value, details, {"public": v,
        "private": v})`` (cut the rows with :func:`split`).
    :param metric: the metric's name, as in ``hekaton.yaml``.
    """
    ctx = ctx or StageContext.from_env(stage="score")
    ctx.expect("score")
    predictions = read_predictions(ctx.require("predictions_dir"))
    result = score(predictions, Dataset(ctx.require("labels_dir")), ctx)
    parts = result if isinstance(result, tuple) else (result,)
    value = parts[0]
    details = parts[1] if len(parts) > 1 else {}
    splits = parts[2] if len(parts) > 2 else None
    if ctx.splits and splits is None:
        raise FormatError("hekaton.yaml splits the rows into public and private (metric.splits): "
                          "return (value, details, {'public': ..., 'private': ...}) from score(); host.split cuts the rows")
    metrics = write_metrics(ctx.require("output_dir"), metric, value, details, splits=splits)
    # With splits only the public figure goes to the log, which participants may read.
    if splits:
        log(f"{metric} = {metrics['splits']['public']:.6f} on the public rows")
    else:
        log(f"{metric} = {metrics['value']:.6f}")
    return metrics


def run_artifact(build: Callable[[StageContext, Any], Any], ctx: StageContext | None = None) -> Any:
    """The artifact stage's frame: construct the predictor, then ``build(ctx, predictor)``
    writes the artifact into ``ctx.output_dir``."""
    ctx = ctx or StageContext.from_env(stage="artifact")
    ctx.expect("artifact")
    started = time.monotonic()
    predictor = load_predictor(ctx)
    result = build(ctx, predictor)
    files = [p for p in ctx.require("output_dir").rglob("*") if p.is_file()]
    log(f"artifact built in {time.monotonic() - started:.2f} s: {len(files)} files, "
        f"{_human_bytes(sum(p.stat().st_size for p in files))}")
    return result


# -- file formats -------------------------------------------------------------------

def write_predictions(destination: str | os.PathLike[str], items: Iterable[tuple[Any, Any]]) -> int:
    """Write ``(id, prediction)`` pairs as ``predictions.jsonl``.

    :param destination: a directory (the file is ``predictions.jsonl`` in it) or a file path.
    :returns: the number of lines written. The file appears only when complete.
    :raises SubmissionError: a prediction is not JSON (NaN, an object, a set...).
    """
    path = _file_in(destination, PREDICTIONS_FILE)
    count = 0
    with _atomic_writer(path) as handle:
        for row_id, prediction in items:
            if not isinstance(row_id, (str, int)) or isinstance(row_id, bool):
                raise FormatError(f"prediction ids must be strings or integers, got {row_id!r}")
            try:
                line = json.dumps({"id": row_id, "prediction": prediction}, default=_json_default,
                                  allow_nan=False, separators=(",", ":"), ensure_ascii=False)
            except (TypeError, ValueError) as error:
                raise SubmissionError(f"the prediction for id {row_id!r} cannot be written as JSON: {error}") from None
            handle.write(line + "\n")
            count += 1
    return count


def iter_predictions(source: str | os.PathLike[str]) -> Iterator[tuple[Any, Any]]:
    """The ``(id, prediction)`` pairs of a predictions file (or the directory holding it)."""
    path = _file_in(source, PREDICTIONS_FILE)
    if not path.is_file():
        raise FormatError(f"no predictions file at {path}; the predict stage writes {PREDICTIONS_FILE}")
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as error:
                raise FormatError(f"{path.name}, line {number}: not valid JSON: {error.msg}") from None
            if not isinstance(record, dict) or "id" not in record or "prediction" not in record:
                raise FormatError(f'{path.name}, line {number}: expected {{"id": ..., "prediction": ...}}')
            yield record["id"], record["prediction"]


def read_predictions(source: str | os.PathLike[str]) -> dict[Any, Any]:
    """All predictions as a dict from id to prediction; a repeated id is an error."""
    result: dict[Any, Any] = {}
    for row_id, prediction in iter_predictions(source):
        if not isinstance(row_id, (str, int)) or isinstance(row_id, bool):
            raise FormatError(f"prediction ids must be strings or integers, got {row_id!r}")
        if row_id in result:
            raise FormatError(f"the predictions hold id {row_id!r} more than once")
        result[row_id] = prediction
    return result


def write_metrics(destination: str | os.PathLike[str], metric: str, value: float,
                  details: Mapping[str, Any] | None = None,
                  splits: Mapping[str, float] | None = None) -> dict[str, Any]:
    """Write ``metrics.json``: ``{"metric": metric, "value": value, "details": details}``.

    :param destination: a directory (the file is ``metrics.json`` in it) or a file path.
    :raises FormatError: the value is not a finite number, or the details are not JSON.
    """
    if not isinstance(metric, str) or not metric:
        raise FormatError(f"the metric name must be a non-empty string, got {metric!r}")
    if isinstance(value, bool) or not isinstance(value, (int, float)) and not hasattr(value, "__float__"):
        raise FormatError(f"the metric value must be a number, got {value!r}")
    number = float(value)
    if not math.isfinite(number):
        raise FormatError(f"the metric value must be finite, got {number!r}")
    document: dict[str, Any] = {"metric": metric, "value": number, "details": dict(details or {})}
    if splits is not None:
        if not isinstance(splits, Mapping) or set(splits) != {"public", "private"}:
            raise FormatError(f"the splits must be {{'public': value, 'private': value}}, got {splits!r}")
        document["splits"] = {}
        for name in ("public", "private"):
            part = splits[name]
            if isinstance(part, bool) or not isinstance(part, (int, float)) and not hasattr(part, "__float__"):
                raise FormatError(f"the {name} score must be a number, got {part!r}")
            if not math.isfinite(float(part)):
                raise FormatError(f"the {name} score must be finite, got {float(part)!r}")
            document["splits"][name] = float(part)
    try:
        text = json.dumps(document, default=_json_default, allow_nan=False, indent=2, sort_keys=True)
    except (TypeError, ValueError) as error:
        raise FormatError(f"the metric details cannot be written as JSON: {error}") from None
    with _atomic_writer(_file_in(destination, METRICS_FILE)) as handle:
        handle.write(text + "\n")
    return document


def read_metrics(source: str | os.PathLike[str]) -> dict[str, Any]:
    """A metrics file (or the directory holding it), checked as the daemon checks it."""
    path = _file_in(source, METRICS_FILE)
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise FormatError(f"no metrics file at {path}; the score stage writes {METRICS_FILE}") from None
    except json.JSONDecodeError as error:
        raise FormatError(f"{path.name}: not valid JSON: {error.msg}") from None
    if not isinstance(document, dict):
        raise FormatError(f"{path.name}: expected a JSON object")
    value = document.get("value")
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise FormatError(f"{path.name}: 'value' must be a finite number, got {value!r}")
    if not isinstance(document.get("metric"), str):
        raise FormatError(f"{path.name}: 'metric' must be a string")
    if not isinstance(document.get("details", {}), dict):
        raise FormatError(f"{path.name}: 'details' must be an object")
    splits = document.get("splits")
    if splits is not None and (not isinstance(splits, dict) or set(splits) != {"public", "private"} or not all(
            isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) for v in splits.values())):
        raise FormatError(f"{path.name}: 'splits' must be {{\"public\": number, \"private\": number}}")
    return document


# -- running an entrypoint ----------------------------------------------------------

def main(func: Callable[..., Any], *args: Any, **kwargs: Any) -> NoReturn:
    """Run ``func(*args, **kwargs)`` as the entrypoint's body and exit.

    Exit status 0 when it returns; 1 with a clear message on stderr when it fails:
    ``submission error: ...`` for a failure of participant code, ``error: ...`` for a
    broken environment or file, and a traceback labelled as the host's bug for anything
    else. 130 on interrupt.
    """
    stage = os.environ.get("HEKATON_STAGE", "")
    prefix = f"hekaton: {stage}: " if stage else "hekaton: "
    try:
        func(*args, **kwargs)
    except SubmissionError as error:
        _report(f"{prefix}submission error: {error.message}", error.details)
        sys.exit(1)
    except HekatonError as error:
        _report(f"{prefix}error: {error.message}", error.details)
        sys.exit(1)
    except KeyboardInterrupt:
        _report(f"{prefix}interrupted", None)
        sys.exit(130)
    except Exception:  # noqa: BLE001
        _report(f"{prefix}the competition's {stage or 'host'} entrypoint failed "
                f"(a bug on the host's side, not in the submission):", traceback.format_exc())
        sys.exit(1)
    sys.stdout.flush()
    sys.exit(0)


# -- internals ----------------------------------------------------------------------

def _report(message: str, details: str | None) -> None:
    sys.stdout.flush()
    print(message, file=sys.stderr)
    if details:
        print(details.rstrip("\n"), file=sys.stderr)
    sys.stderr.flush()


def _describe(error: BaseException) -> str:
    text = str(error)
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


def _participant_traceback(error: BaseException) -> str:
    """The traceback of ``error`` without the SDK's (and the import system's) frames at its top."""
    tb = error.__traceback__
    while tb is not None and tb.tb_frame.f_code.co_filename.startswith((_SDK_DIR, "<frozen ")):
        tb = tb.tb_next
    return "".join(traceback.format_exception(type(error), error, tb))


def _batched(rows: Iterable[Any], size: int) -> Iterator[list[Any]]:
    batch: list[Any] = []
    for row in rows:
        batch.append(row)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _json_default(value: Any) -> Any:
    """JSON for NumPy scalars and arrays (via ``tolist``/``item``) and paths."""
    if hasattr(value, "tolist"):
        return value.tolist()
    if hasattr(value, "item"):
        return value.item()
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def _file_in(location: str | os.PathLike[str], default_name: str) -> Path:
    path = Path(location)
    return path / default_name if path.is_dir() else path


class _atomic_writer:
    """A text file that appears at ``path`` only once completely written (temp + rename)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __enter__(self) -> Any:
        fd, self.temp = tempfile.mkstemp(prefix=f".{self.path.name}.", suffix=".tmp", dir=self.path.parent)
        self.handle = os.fdopen(fd, "w", encoding="utf-8")
        return self.handle

    def __exit__(self, kind: Any, value: Any, tb: Any) -> None:
        try:
            self.handle.flush()
            if kind is None:
                os.fsync(self.handle.fileno())
        finally:
            self.handle.close()
        if kind is None:
            os.replace(self.temp, self.path)
        else:
            os.unlink(self.temp)


def _human_bytes(size: int) -> str:
    value = float(size)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if value < 1024 or unit == "GiB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{size} B"  # pragma: no cover
