"""Reading ``hekaton.yaml`` without the daemon, for local runs and checks.

The daemon's parser is the authority; this module reads the same manifest with the
standard library only, so :mod:`hekaton.local` can run a competition's entrypoints on a
machine without ``hekatond``. It accepts the subset of YAML that manifests use (block
mappings and sequences, flow ``[...]`` and ``{...}``, plain and quoted scalars, comments)
and checks the same keys the daemon checks: an unknown key is an error with the line and
a suggestion, as in the daemon.
"""

from __future__ import annotations

import difflib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import FormatError

MANIFEST_FILE = "hekaton.yaml"

_STAGES = ["train", "predict", "score", "artifact"]
_LIMIT_KEYS = ["wall_time", "memory", "processes", "cpus", "gpus"]
_SCHEMA: dict[str, Any] = {
    "name": None,
    "description": None,
    "metric": {"name": None, "direction": None, "splits": {"public": None, "private": None}, "final_selections": None},
    "dataset": {"name": None, "train": None, "features": None, "labels": None,
                "source": {"directory": None, "command": None, "ready_file": None}},
    "entrypoints": {stage: None for stage in _STAGES},
    "limits": {key: {limit: None for limit in _LIMIT_KEYS} for key in ["default", *_STAGES]},
    "submission": {"max_bundle_bytes": None, "per_participant_per_day": None, "template": None},
    "parameters": "any",
    "schedules": {key: {"cron": None, "time_zone": None} for key in ["ingest", "retrain", "artifact"]},
    "promotion": {"tolerance": None, "retrain_top_k": None, "champion": None},
    "artifact": {"keep": None,
                 "oci": {"base": None, "base_reference": None, "prefix": None, "entrypoint": None, "cmd": None,
                         "working_dir": None, "env": None, "port": None}},
    "visibility": {"participant": None, "artifact": None, "private": None},
    # Environments as images: built by the daemon; the local runner uses this interpreter.
    "images": {"base": None, "allowed": None, "build": {"wall_time": None, "memory": None}},
    # When the daemon takes submissions; a local run ignores it.
    "phases": {"opens_at": None, "closes_at": None, "time_zone": None},
    # The file defining the competition's teams, which the daemon applies at publication.
    "teams": None,
    # Re-scoring the leaderboard's entries on each new dataset version (the daemon's).
    "rescore": {"top": None, "stability": None},
}
_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
_DEFAULT_WALL_TIME = 600.0
#: Bounds of each ``visibility`` list, as the daemon's.
MAX_VISIBLE_PATHS = 256
MAX_VISIBLE_PATH_BYTES = 1024


@dataclass(frozen=True)
class Manifest:
    """The parts of a manifest a local run needs; ``raw`` holds the whole document."""

    path: Path
    name: str
    metric: str
    direction: str
    dataset_train: str
    dataset_features: str
    dataset_labels: str
    entrypoints: dict[str, list[str]]
    parameters: dict[str, Any]
    wall_time: dict[str, float] = field(default_factory=dict)
    #: ``metric.splits``: the public and private shares of the evaluation rows, or None.
    splits: dict[str, float] | None = None
    #: Each stage's ``cpus`` limit (``limits.STAGE.cpus``, else ``limits.default.cpus``, else 1).
    cpus: dict[str, int] = field(default_factory=dict)
    template: str | None = None
    #: What train and predict see of the competition directory (``visibility.participant``,
    #: or else the scripts their entrypoints name).
    participant_paths: list[str] = field(default_factory=list)
    #: What the artifact stage sees: ``participant_paths`` and its own.
    artifact_paths: list[str] = field(default_factory=list)
    raw: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def directory(self) -> Path:
        return self.path.parent

    @property
    def params_json(self) -> str:
        """``$HEKATON_PARAMS`` as the daemon writes it: compact JSON with sorted keys."""
        return json.dumps(self.parameters, sort_keys=True, separators=(",", ":"))

    def wall_time_for(self, stage: str) -> float:
        return self.wall_time.get(stage, self.wall_time.get("default", _DEFAULT_WALL_TIME))

    def visible_paths(self, stage: str) -> list[str] | None:
        """What ``stage`` sees of the competition directory; None for all of it (score)."""
        if stage == "score":
            return None
        return self.artifact_paths if stage == "artifact" else self.participant_paths


def load_manifest(location: str | Path) -> Manifest:
    """Read and check ``hekaton.yaml`` (``location`` is the file or its directory)."""
    path = Path(location)
    if path.is_dir():
        path = path / MANIFEST_FILE
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise FormatError(f"no manifest at {path}") from None
    document, lines = _Parser(text, str(path)).parse()
    if not isinstance(document, dict):
        raise FormatError(f"{path}: the manifest must be a mapping of keys to values")
    _check_keys(document, _SCHEMA, "", lines, str(path))

    def need(mapping: dict[str, Any], key: str, where: str) -> Any:
        if key not in mapping:
            raise FormatError(f"{path}: missing required key '{where}{key}'")
        return mapping[key]

    name = need(document, "name", "")
    if not isinstance(name, str) or not _NAME.match(name):
        raise FormatError(f"{path}: name {name!r} is not a valid competition name (lower-case letters, "
                          "digits and dashes, at most 63 characters)")
    metric = need(document, "metric", "")
    direction = need(metric, "direction", "metric.")
    if direction not in ("maximize", "minimize"):
        raise FormatError(f"{path}: metric.direction must be maximize or minimize, got {direction!r}")
    dataset = need(document, "dataset", "")
    entrypoints: dict[str, list[str]] = {}
    for stage, argv in need(document, "entrypoints", "").items():
        argv = [argv] if isinstance(argv, str) else argv
        if not isinstance(argv, list) or not argv or not all(isinstance(a, str) for a in argv):
            raise FormatError(f"{path}: entrypoints.{stage} must be a command, like [python3, host/{stage}.py]")
        entrypoints[stage] = argv
    for stage in ("train", "predict", "score"):
        need(document["entrypoints"], stage, "entrypoints.")
    parameters = document.get("parameters") or {}
    if not isinstance(parameters, dict):
        raise FormatError(f"{path}: parameters must be a mapping")
    wall_time = {stage: parse_duration(limits["wall_time"])
                 for stage, limits in (document.get("limits") or {}).items()
                 if isinstance(limits, dict) and "wall_time" in limits}
    limits = document.get("limits") or {}
    default_cpus = (limits.get("default") or {}).get("cpus", 1) if isinstance(limits.get("default"), dict) else 1
    cpus = {}
    for stage in _STAGES:
        stage_limits = limits.get(stage) if isinstance(limits.get(stage), dict) else {}
        value = stage_limits.get("cpus", default_cpus)
        cpus[stage] = value if isinstance(value, int) and not isinstance(value, bool) and value >= 1 else 1
    paths = {key: _relative(need(dataset, key, "dataset."), f"dataset.{key}", path)
             for key in ("train", "features", "labels")}
    participant, artifact = _visibility(document, entrypoints, lines, path)
    return Manifest(path=path, name=name, metric=str(need(metric, "name", "metric.")), direction=direction,
                    dataset_train=paths["train"], dataset_features=paths["features"],
                    dataset_labels=paths["labels"], entrypoints=entrypoints, parameters=parameters,
                    wall_time=wall_time, cpus=cpus, splits=_splits(metric, path), template=(document.get("submission") or {}).get("template"),
                    participant_paths=participant, artifact_paths=artifact, raw=document)


def _splits(metric: dict[str, Any], path: Path) -> dict[str, float] | None:
    """``metric.splits``, checked as the daemon checks it: both shares above 0, adding up to 1."""
    splits = metric.get("splits")
    selections = metric.get("final_selections")
    if selections is not None:
        if splits is None:
            raise FormatError(f"{path}: metric.final_selections is for a competition with public and private boards; "
                              f"add splits: {{public: 0.3, private: 0.7}} beside it, or remove it")
        if isinstance(selections, bool) or not isinstance(selections, int) or not 1 <= selections <= 20:
            raise FormatError(f"{path}: metric.final_selections must be a whole number from 1 to 20, got {selections!r}")
    if splits is None:
        return None
    if not isinstance(splits, dict) or set(splits) != {"public", "private"}:
        raise FormatError(f"{path}: metric.splits must name public and private, like {{public: 0.3, private: 0.7}}")
    shares = {}
    for name in ("public", "private"):
        value = splits[name]
        try:
            shares[name] = float(value)
        except (TypeError, ValueError):
            raise FormatError(f"{path}: metric.splits.{name} must be a number, got {value!r}") from None
    if not all(0 < v < 1 for v in shares.values()) or abs(sum(shares.values()) - 1) > 1e-9:
        raise FormatError(f"{path}: metric.splits are public {shares['public']} and private {shares['private']}, "
                          f"which do not add up to 1 with both above 0")
    return shares


def script_files(argv: list[str]) -> list[str]:
    """The scripts a command names inside the competition directory: its ``.py`` and ``.sh``
    arguments after the program, as clean relative paths (``./host/x.py`` is ``host/x.py``)."""
    files = []
    for argument in argv[1:]:
        parts = [p for p in argument.split("/") if p not in ("", ".")]
        if argument.endswith((".py", ".sh")) and not argument.startswith("/") and parts and ".." not in parts:
            files.append("/".join(parts))
    return files


def _visibility(document: dict[str, Any], entrypoints: dict[str, list[str]], lines: dict[str, int],
                path: Path) -> tuple[list[str], list[str]]:
    """``visibility`` read and checked as the daemon does: (participant paths, artifact paths).

    A listed path must be a relative path that exists in the directory; neither list, nor
    the submission template, may show the score entrypoint's script, the ingestion source's
    or a private path, and each stage must see its own script."""
    section = document.get("visibility") or {}
    if not isinstance(section, dict):
        raise FormatError(f"{path}:{lines.get('visibility', '?')}: visibility must be a mapping")

    def listed(key: str) -> list[str] | None:
        where = f"{path}:{lines.get('visibility.' + key, '?')}: visibility.{key}"
        value = section.get(key)
        if value is None:
            return None
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise FormatError(f"{where} must be a list of paths, like [host/train.py, host/predict.py]")
        if len(value) > MAX_VISIBLE_PATHS:
            raise FormatError(f"{where}: {len(value)} paths listed; at most {MAX_VISIBLE_PATHS} are accepted")
        result: list[str] = []
        for index, item in enumerate(value):
            if len(item.encode()) > MAX_VISIBLE_PATH_BYTES:
                raise FormatError(f"{where}[{index}] is {len(item.encode())} bytes long; "
                                  f"at most {MAX_VISIBLE_PATH_BYTES} are accepted")
            relative = _relative(item, f"visibility.{key}[{index}]", path)
            if not _in_directory(path.parent, relative):
                raise FormatError(f"{where}[{index}]: {relative} does not exist in the competition directory; "
                                  "list paths relative to the directory that holds hekaton.yaml, or remove this one")
            if relative not in result:
                result.append(relative)
        return result

    participant, artifact, private = listed("participant"), listed("artifact"), listed("private") or []
    source = ((document.get("dataset") or {}).get("source") or {}).get("command")
    protected = [(p, "the score entrypoint's script (entrypoints.score)") for p in script_files(entrypoints["score"])]
    if source is not None:
        protected += [(p, "the ingestion source's script (dataset.source.command)")
                      for p in script_files([source] if isinstance(source, str) else source)]
    protected += [(p, "private (visibility.private)") for p in private]
    own = {stage: script_files(entrypoints.get(stage, [])) for stage in ("train", "predict", "artifact")}

    def shown(key: str, declared: list[str] | None, stages: tuple[str, ...]) -> list[tuple[str, str]]:
        """(path, the field that shows it): the list, or else the stages' own scripts."""
        if declared is not None:
            return [(p, f"visibility.{key}") for p in declared]
        return [(p, f"entrypoints.{stage}") for stage in stages for p in own[stage]]

    participant_shown = shown("participant", participant, ("train", "predict"))
    artifact_shown = shown("artifact", artifact, ("artifact",))
    template = (document.get("submission") or {}).get("template")
    template_shown = [] if template is None else [
        (_relative(template, "submission.template", path), "submission.template")]
    for visible, where in participant_shown + artifact_shown + template_shown:
        for hidden, why in protected:
            if visible == hidden or hidden.startswith(visible + "/") or visible.startswith(hidden + "/"):
                raise FormatError(f"{path}:{lines.get(where, '?')}: {where}: participants would see {visible}, "
                                  f"and {hidden} is {why}; show only what train, predict and artifact need")
    for stage, visible, listing in (("train", participant_shown, "visibility.participant"),
                                    ("predict", participant_shown, "visibility.participant"),
                                    ("artifact", participant_shown + artifact_shown,
                                     "visibility.participant or visibility.artifact")):
        for script in own[stage]:
            if not any(script == v or script.startswith(v + "/") for v, _ in visible):
                raise FormatError(f"{path}:{lines.get('entrypoints.' + stage, '?')}: the {stage} stage runs "
                                  f"{script}, which {listing} does not show; add {script} to {listing}")
    participant_paths = [p for p, _ in participant_shown]
    return participant_paths, participant_paths + [p for p, _ in artifact_shown]


def _in_directory(directory: Path, relative: str) -> bool:
    """Whether ``relative`` is in ``directory`` as a snapshot holds it: no symlinked
    directory on the way, the last component anything (a link too)."""
    parts = relative.split("/")
    current = directory
    for index, part in enumerate(parts):
        current = current / part
        if not (current.exists() or current.is_symlink()):
            return False
        if index < len(parts) - 1 and (current.is_symlink() or not current.is_dir()):
            return False
    return True


def parse_duration(text: Any) -> float:
    """Seconds in ``90s``, ``10m``, ``2h``, ``1d`` or a plain number of seconds."""
    match = re.fullmatch(r"\s*([0-9]+(?:\.[0-9]+)?)\s*([smhd]?)\s*", str(text))
    if not match:
        raise FormatError(f"{text!r} is not a duration; write it like 90s, 10m or 2h")
    return float(match.group(1)) * {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}[match.group(2)]


def _relative(value: Any, where: str, path: Path) -> str:
    parts = [p for p in str(value).split("/") if p]
    if not isinstance(value, str) or value.startswith("/") or not parts or ".." in parts or "." in parts:
        raise FormatError(f"{path}: {where} {value!r} must be a relative path inside the directory, without '..'")
    return "/".join(parts)


def _check_keys(node: Any, schema: Any, where: str, lines: dict[str, int], file: str) -> None:
    if not isinstance(schema, dict) or node is None:
        return
    if not isinstance(node, dict):
        name = where.rstrip(".")
        raise FormatError(f"{file}:{lines.get(name, '?')}: {name} must be a mapping")
    for key, value in node.items():
        dotted = where + key
        if key not in schema:
            close = difflib.get_close_matches(key, list(schema), n=1)
            suggestion = f"did you mean '{close[0]}'?" if close else f"known keys here: {', '.join(schema)}"
            raise FormatError(f"{file}:{lines.get(dotted, '?')}: unknown key '{dotted}'; {suggestion}")
        _check_keys(value, schema[key], dotted + ".", lines, file)


class _Parser:
    """A small YAML subset parser that records the line of every key."""

    def __init__(self, text: str, file: str) -> None:
        self.file = file
        self.lines: list[tuple[int, int, str]] = []  # (line number, indent, content)
        for number, raw in enumerate(text.splitlines(), start=1):
            if "\t" in raw[: len(raw) - len(raw.lstrip())]:
                self.fail(number, "tabs are not allowed for indentation")
            content = _strip_comment(raw).rstrip()
            if content.strip() in ("", "---"):
                continue
            if content.strip() == "...":
                break
            self.lines.append((number, len(content) - len(content.lstrip()), content.strip()))
        self.key_lines: dict[str, int] = {}

    def fail(self, line: int, message: str) -> None:
        raise FormatError(f"{self.file}:{line}: {message} (the local manifest reader knows a YAML subset; "
                          "the daemon's parser is the authority)")

    def parse(self) -> tuple[Any, dict[str, int]]:
        if not self.lines:
            return {}, self.key_lines
        value, index = self.block(0, self.lines[0][1], "")
        if index < len(self.lines):
            self.fail(self.lines[index][0], "unexpected indentation")
        return value, self.key_lines

    def block(self, index: int, indent: int, where: str) -> tuple[Any, int]:
        if self.lines[index][2].startswith("- ") or self.lines[index][2] == "-":
            return self.sequence(index, indent, where)
        return self.mapping(index, indent, where)

    def sequence(self, index: int, indent: int, where: str) -> tuple[list[Any], int]:
        items: list[Any] = []
        while index < len(self.lines):
            number, current, content = self.lines[index]
            if current < indent:
                break
            if current > indent or not (content.startswith("- ") or content == "-"):
                self.fail(number, "expected a list item ('- ...') at this indentation")
            rest = content[1:].strip()
            path = f"{where}[{len(items)}]"
            if not rest:
                if index + 1 < len(self.lines) and self.lines[index + 1][1] > indent:
                    value, index = self.block(index + 1, self.lines[index + 1][1], path)
                    items.append(value)
                    continue
                items.append(None)
            elif _split_key(rest) is not None:
                self.fail(number, "mappings inside block lists are not supported; use {key: value}")
            else:
                items.append(self.inline(rest, number))
            index += 1
        return items, index

    def mapping(self, index: int, indent: int, where: str) -> tuple[dict[str, Any], int]:
        result: dict[str, Any] = {}
        while index < len(self.lines):
            number, current, content = self.lines[index]
            if current < indent:
                break
            if current > indent:
                self.fail(number, "unexpected indentation")
            split = _split_key(content)
            if split is None:
                self.fail(number, f"expected 'key: value', got {content!r}")
            key, rest = split
            if key in result:
                self.fail(number, f"duplicate key '{where}{key}'")
            self.key_lines[where + key] = number
            index += 1
            if rest:
                result[key] = self.inline(rest, number)
            elif index < len(self.lines) and (self.lines[index][1] > indent or (
                    self.lines[index][1] == indent and self.lines[index][2].startswith("- "))):
                result[key], index = self.block(index, self.lines[index][1], where + key + ".")
            else:
                result[key] = None
        return result, index

    def inline(self, text: str, line: int) -> Any:
        if text[0] in "|>&*!":
            self.fail(line, f"'{text[0]}' (block scalars, anchors, aliases, tags) is not supported")
        if text[0] in "[{":
            value, end = self.flow(text, 0, line)
            if text[end:].strip():
                self.fail(line, f"unexpected text after the closing bracket: {text[end:]!r}")
            return value
        if text[0] in "\"'":
            value, end = _quoted(text, 0, line, self)
            if text[end:].strip():
                self.fail(line, f"unexpected text after the quoted string: {text[end:]!r}")
            return value
        return _resolve(text)

    def flow(self, text: str, pos: int, line: int) -> tuple[Any, int]:
        opening = text[pos]
        closing = "]" if opening == "[" else "}"
        items: list[Any] = []
        mapping: dict[str, Any] = {}
        pos += 1
        while True:
            pos = _skip_spaces(text, pos)
            if pos >= len(text):
                self.fail(line, f"missing '{closing}' (flow collections must fit on one line here)")
            if text[pos] == closing:
                return (items if opening == "[" else mapping), pos + 1
            if opening == "{":
                key, pos = self.flow_scalar(text, pos, line, key=True)
                pos = _skip_spaces(text, pos)
                if pos >= len(text) or text[pos] != ":":
                    self.fail(line, f"expected ':' after the key {key!r}")
                value, pos = self.flow_value(text, pos + 1, line)
                if str(key) in mapping:
                    self.fail(line, f"duplicate key {key!r}")
                mapping[str(key)] = value
            else:
                value, pos = self.flow_value(text, pos, line)
                items.append(value)
            pos = _skip_spaces(text, pos)
            if pos < len(text) and text[pos] == ",":
                pos += 1
            elif pos < len(text) and text[pos] != closing:
                self.fail(line, f"expected ',' or '{closing}' at column {pos + 1}")

    def flow_value(self, text: str, pos: int, line: int) -> tuple[Any, int]:
        pos = _skip_spaces(text, pos)
        if pos < len(text) and text[pos] in "[{":
            return self.flow(text, pos, line)
        return self.flow_scalar(text, pos, line)

    def flow_scalar(self, text: str, pos: int, line: int, key: bool = False) -> tuple[Any, int]:
        if pos < len(text) and text[pos] in "\"'":
            return _quoted(text, pos, line, self)
        end = pos
        while end < len(text) and text[end] not in ",]}":
            if text[end] == ":" and (key or end + 1 == len(text) or text[end + 1] in " ,]}"):
                break
            end += 1
        raw = text[pos:end].strip()
        return (raw if key else _resolve(raw)), end


def _skip_spaces(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] == " ":
        pos += 1
    return pos


def _quoted(text: str, pos: int, line: int, parser: _Parser) -> tuple[str, int]:
    quote = text[pos]
    out: list[str] = []
    i = pos + 1
    while i < len(text):
        char = text[i]
        if quote == "'" and char == "'":
            if i + 1 < len(text) and text[i + 1] == "'":
                out.append("'")
                i += 2
                continue
            return "".join(out), i + 1
        if quote == '"' and char == "\\" and i + 1 < len(text):
            escapes = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\", "/": "/", "0": "\0"}
            out.append(escapes.get(text[i + 1], "\\" + text[i + 1]))
            i += 2
            continue
        if quote == '"' and char == '"':
            return "".join(out), i + 1
        out.append(char)
        i += 1
    parser.fail(line, "unterminated quoted string")
    raise AssertionError  # unreachable


def _strip_comment(line: str) -> str:
    quote = None
    for i, char in enumerate(line):
        if quote:
            if char == quote:
                quote = None
        elif char in "\"'" and (i == 0 or line[i - 1] in " [{,:"):
            quote = char
        elif char == "#" and (i == 0 or line[i - 1] in " \t"):
            return line[:i]
    return line


def _split_key(content: str) -> tuple[str, str] | None:
    """``key: rest`` → (key, rest); None when the line is not a mapping entry."""
    if content[0] in "\"'":
        quote = content[0]
        end = content.find(quote, 1)
        if end < 0 or not content[end + 1:].lstrip().startswith(":"):
            return None
        rest = content[end + 1:].lstrip()[1:]
        return content[1:end], rest.strip()
    if content[0] in "[{":
        return None
    match = re.match(r"^([^:#\[\]{},]+?)\s*:(?:\s+(.*)|$)", content)
    if not match:
        return None
    return match.group(1), (match.group(2) or "").strip()


_INT = re.compile(r"^[-+]?[0-9]+$")
_FLOAT = re.compile(r"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")


def _resolve(text: str) -> Any:
    """A plain scalar typed as YAML 1.2's core schema types it."""
    if text in ("", "~", "null", "Null", "NULL"):
        return None
    if text in ("true", "True", "TRUE"):
        return True
    if text in ("false", "False", "FALSE"):
        return False
    if _INT.match(text):
        return int(text)
    if re.match(r"^0x[0-9a-fA-F]+$", text):
        return int(text, 16)
    if re.match(r"^0o[0-7]+$", text):
        return int(text[2:], 8)
    if _FLOAT.match(text):
        return float(text)
    if text in (".inf", ".Inf", ".INF", "+.inf"):
        return float("inf")
    if text in ("-.inf", "-.Inf", "-.INF"):
        return float("-inf")
    if text in (".nan", ".NaN", ".NAN"):
        return float("nan")
    return text
