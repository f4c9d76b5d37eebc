"""Read-only access to a directory of data files.

A :class:`Dataset` is what ``Trainer.train`` receives, and what host code uses for features,
labels and the data of the artifact stage. Names are relative paths inside the directory
(``"interactions.csv"``, ``"eval/features/listeners.csv"``); a name that would leave the
directory is refused. Large files can be streamed with the ``iter_*`` methods.
"""

from __future__ import annotations

import csv
import json
import os
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path, PurePosixPath
from typing import IO, Any

#: Converters for :meth:`Dataset.iter_csv`'s ``types``: column name to a callable such as
#: ``int`` or ``float`` applied to the column's text.
ColumnTypes = Mapping[str, Callable[[str], Any]]


class Dataset:
    """A directory of data files, opened read-only.

    >>> data = Dataset("/data/train")                      # doctest: +SKIP
    >>> data.files()                                       # doctest: +SKIP
    ['interactions.csv', 'livers.csv']
    >>> for row in data.iter_csv("interactions.csv", types={"gifts": int}):  # doctest: +SKIP
    ...     ...
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        if not self.path.is_dir():
            raise NotADirectoryError(f"dataset directory {str(self.path)!r} does not exist or is not a directory")

    def __repr__(self) -> str:
        return f"Dataset({str(self.path)!r})"

    def __fspath__(self) -> str:
        return str(self.path)

    # -- names and files ------------------------------------------------------------

    def files(self) -> list[str]:
        """Every regular file below the directory, as sorted relative POSIX paths."""
        found: list[str] = []
        for root, dirs, names in os.walk(self.path):
            dirs.sort()
            rel = Path(root).relative_to(self.path)
            for name in names:
                full = Path(root, name)
                if full.is_file():
                    found.append((rel / name).as_posix() if rel.parts else name)
        return sorted(found)

    def path_of(self, name: str) -> Path:
        """The absolute path of ``name``, which must be a relative path inside the dataset."""
        pure = PurePosixPath(name)
        if not name or pure.is_absolute() or ".." in pure.parts:
            raise ValueError(f"{name!r} is not a relative path inside the dataset {str(self.path)!r}")
        return self.path.joinpath(*pure.parts)

    def exists(self, name: str) -> bool:
        """True when ``name`` is a file in the dataset."""
        return self.path_of(name).is_file()

    def subset(self, name: str) -> Dataset:
        """The subdirectory ``name`` as a dataset of its own."""
        return Dataset(self.path_of(name))

    # -- raw access -----------------------------------------------------------------

    def open(self, name: str, mode: str = "r", encoding: str | None = "utf-8", newline: str | None = None) -> IO[Any]:
        """Open ``name`` for reading, as text (``"r"``, the default) or bytes (``"rb"``)."""
        if mode not in ("r", "rt", "rb"):
            raise ValueError(f"datasets are read-only; cannot open {name!r} with mode {mode!r}")
        path = self._existing(name)
        if "b" in mode:
            return open(path, "rb")
        return open(path, encoding=encoding, newline=newline)

    def read_text(self, name: str, encoding: str = "utf-8") -> str:
        """The whole of ``name`` as text."""
        return self._existing(name).read_text(encoding=encoding)

    def read_bytes(self, name: str) -> bytes:
        """The whole of ``name`` as bytes."""
        return self._existing(name).read_bytes()

    def iter_lines(self, name: str) -> Iterator[str]:
        """The lines of ``name`` without their line endings, one at a time."""
        with self.open(name) as handle:
            for line in handle:
                yield line.rstrip("\r\n")

    # -- structured formats ---------------------------------------------------------

    def iter_csv(self, name: str, types: ColumnTypes | None = None) -> Iterator[dict[str, Any]]:
        """The rows of the CSV file ``name`` (with a header line) as dictionaries, one at a time.

        Values are strings unless ``types`` maps their column to a converter, for example
        ``{"watch_seconds": int}``. A value that does not convert is an error naming the
        file, line and column.
        """
        with self.open(name, newline="") as handle:
            reader = csv.DictReader(handle)
            if types:
                missing = [column for column in types if column not in (reader.fieldnames or [])]
                if missing:
                    raise ValueError(f"{name}: no column {', '.join(map(repr, missing))}; "
                                     f"the header has {', '.join(reader.fieldnames or [])}")
            for row in reader:
                if types:
                    for column, convert in types.items():
                        try:
                            row[column] = convert(row[column])
                        except (TypeError, ValueError) as error:
                            raise ValueError(f"{name}, line {reader.line_num}, column {column!r}: "
                                             f"cannot convert {row[column]!r}: {error}") from None
                yield row

    def read_csv(self, name: str, types: ColumnTypes | None = None) -> list[dict[str, Any]]:
        """All rows of the CSV file ``name``; see :meth:`iter_csv`."""
        return list(self.iter_csv(name, types))

    def csv_columns(self, name: str) -> list[str]:
        """The header of the CSV file ``name``."""
        with self.open(name, newline="") as handle:
            return next(csv.reader(handle), [])

    def iter_jsonl(self, name: str) -> Iterator[Any]:
        """The values of the JSON Lines file ``name``, one per non-blank line."""
        with self.open(name) as handle:
            for number, line in enumerate(handle, start=1):
                if not line.strip():
                    continue
                try:
                    yield json.loads(line)
                except json.JSONDecodeError as error:
                    raise ValueError(f"{name}, line {number}: not valid JSON: {error.msg}") from None

    def read_json(self, name: str) -> Any:
        """The JSON document ``name``."""
        with self.open(name) as handle:
            try:
                return json.load(handle)
            except json.JSONDecodeError as error:
                raise ValueError(f"{name}, line {error.lineno}: not valid JSON: {error.msg}") from None

    # -- internals ------------------------------------------------------------------

    def _existing(self, name: str) -> Path:
        path = self.path_of(name)
        if not path.is_file():
            available = self.files()
            listing = ", ".join(available[:20]) + (" …" if len(available) > 20 else "") if available else "nothing"
            raise FileNotFoundError(f"{name!r} is not a file in the dataset {str(self.path)!r}; it holds: {listing}")
        return path

