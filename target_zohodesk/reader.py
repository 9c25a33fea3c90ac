"""Reading the Singer input line by line, knowing which line is which.

A line that is not JSON, or not a Singer message (not an object, no or an unknown ``type``,
a RECORD without ``stream``/``record``, a RECORD before its SCHEMA, nesting deeper than
``MAX_DEPTH``, ...) ends the reading:
the Singer stream cannot be trusted past it. The target then writes every record already
read, and stops non-zero naming the line (``malformed``). A run stopped by a failure no
record can fix ends the reading the same way (``stopped``). Blank lines are ignored. A record
whose text UTF-8 cannot carry (``not_utf8``) is refused alone, by its sink.
"""

from __future__ import annotations

import io
import json
import sys
import typing as t
from collections import Counter
from collections.abc import Callable, Iterable, Iterator

from singer_sdk.exceptions import RecordsWithoutSchemaException
from singer_sdk.io_base import SingerReader
from singer_sdk.singerlib.exceptions import InvalidInputLine
from singer_sdk.singerlib.json import deserialize_json

from tap_zohodesk.api.sdk import mark_line
from target_zohodesk.outcome import FatalStop, RunStopped

NEEDS = {"SCHEMA": ("stream", "schema"), "RECORD": ("stream", "record"), "STATE": ("value",),
         "ACTIVATE_VERSION": ("stream", "version"), "BATCH": ("stream", "encoding", "manifest")}
OBJECTS = {"SCHEMA": "schema", "RECORD": "record"}
MAX_DEPTH = 64


class Malformed(ValueError):
    """An input line that is not a Singer message; str() says which line and why."""

    def __init__(self, message: str, cause: Exception | None = None):
        super().__init__(message)
        self.cause = cause


class RecordBeforeSchema(RunStopped, RecordsWithoutSchemaException):
    """The run stopped at a RECORD whose stream had no SCHEMA yet (the SDK's own error too)."""


def depth(value: object) -> int:
    """How deeply a decoded JSON value nests (without recursion)."""
    deepest, todo = 0, [(value, 1)]
    while todo:
        item, level = todo.pop()
        if isinstance(item, (dict, list)):
            deepest = max(deepest, level)
            todo.extend((inner, level + 1) for inner in (item.values() if isinstance(item, dict) else item))
    return deepest


def not_utf8(value: object, where: str = "record") -> str | None:
    """Where a string of the record holds what UTF-8 cannot carry (undecodable input bytes, or a
    lone surrogate escape), or None."""
    todo = [(value, where)]
    while todo:
        item, path = todo.pop()
        if isinstance(item, str):
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                return path
        elif isinstance(item, dict):
            todo.extend((v, f"{path}/{_shown(k)}") for k, v in item.items())
            todo.extend((k, f"{path}/{_shown(k)} (its name)") for k in item if isinstance(k, str))
        elif isinstance(item, list):
            todo.extend((v, f"{path}/{i}") for i, v in enumerate(item))
    return None


def _shown(name: object) -> str:
    return str(name).encode("utf-8", "backslashreplace").decode("utf-8")


def json_line(text: str, number: int, where: str = "input", decode: Callable[[str], t.Any] = json.loads) -> t.Any:
    """The JSON value on line ``number`` of ``where``, or Malformed saying in one line which line and why."""
    try:
        return decode(text)
    except ValueError as exc:
        raise Malformed(f"{where} line {number} is not JSON ({exc.__class__.__name__}: {exc})") from None
    except RecursionError:
        raise Malformed(f"{where} line {number} nests deeper than JSON can be read here") from None


def json_lines(lines: Iterable[str], where: str) -> Iterator[tuple[int, t.Any]]:
    """(line number from 1, JSON value) of each line that is not blank (the input of ``--estimate``,
    the results file of ``--undo``); Malformed at the first line that is not JSON."""
    for number, text in enumerate(lines, start=1):
        if text.strip():
            yield number, json_line(text, number, where)


def check(line: str, number: int) -> dict:
    """The Singer message on this line, or Malformed."""
    message = json_line(line, number, decode=deserialize_json)
    if depth(message) > MAX_DEPTH:
        raise Malformed(f"input line {number} nests deeper than {MAX_DEPTH} levels: no Zoho Desk record does")
    if not isinstance(message, dict):
        raise Malformed(f"input line {number} is not a Singer message (a JSON {type(message).__name__})")
    kind = message.get("type")
    if kind not in NEEDS:
        raise Malformed(f"input line {number} is not a Singer message (type {kind!r})")
    missing = [k for k in NEEDS[kind] if k not in message]
    if missing:
        raise Malformed(f"input line {number}: a {kind} message without {', '.join(missing)}")
    inner = OBJECTS.get(kind)
    if inner and not isinstance(message[inner], dict):
        raise Malformed(f"input line {number}: the {inner} of a {kind} message is not an object")
    if kind == "SCHEMA" and not isinstance(message["schema"].get("properties"), dict):
        raise Malformed(f"input line {number}: a SCHEMA without properties")
    return message


class LineReader(SingerReader):
    """The SDK's reader, counting lines and stopping cleanly at a bad one or a fatal failure."""

    def __init__(self) -> None:
        super().__init__()
        self.malformed: Malformed | None = None
        self.stopped: FatalStop | None = None
        self.lines = 0

    @property
    def default_input(self) -> t.IO[str]:
        """stdin as UTF-8, undecodable bytes kept (as lone surrogates) for the record's sink to refuse."""
        raw = getattr(sys.stdin, "buffer", None)
        return sys.stdin if raw is None else io.TextIOWrapper(raw, encoding="utf-8", errors="surrogateescape")

    def process_lines(self, file_input: t.IO[str] | None,
                      callbacks: dict[str, t.Callable[[dict], None]]) -> t.Counter[str]:
        stats: Counter[str] = Counter()
        for number, line in enumerate(file_input or self.default_input, start=1):
            self.lines = number
            if not line.strip():
                continue
            mark_line(self, line)
            try:
                message = check(line, number)
                callbacks[message["type"]](message)
            except Malformed as exc:
                self.malformed = exc
                break
            except (InvalidInputLine, RecordsWithoutSchemaException) as exc:
                self.malformed = Malformed(f"input line {number}: {' '.join(str(exc).split())[:300]}", exc)
                break
            except FatalStop as exc:
                self.stopped = exc
                break
            stats[message["type"]] += 1
        return stats

