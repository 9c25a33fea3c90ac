"""Schema drift: what Zoho sends that a stream's schema does not say, kept in view.

- A field the schema lacks is dropped by the pruner (records.py), counted per stream and field
  path, warned once, and named in the end-of-run table; with ``keep_unknown_fields`` its value
  goes to the record's JSON column ``_sdc_extra`` (field path -> value, an array element's index
  in the path: ``sharedDepartments[1].shareMode``) instead of being lost.
- A value of another JSON type than the schema declares is converted when that loses nothing
  (a number where a string is declared: ``123`` -> ``"123"``; a numeric string where a number is
  declared: ``"42"`` -> ``42``; ``5.0`` where an integer is declared) and counted; any other one
  stops the stream with one line naming the record's key and the field path.
The probe (probe_fields.py) judges the answers it reads with the same rules (``json_type``,
``lossless``), so what a probe reports is what a sync would do.
"""

from __future__ import annotations

import logging
import math
import re
from collections import Counter
from collections.abc import Callable
from typing import Any

from tap_zohodesk.api.errors import ZohoDeskError
from tap_zohodesk.api.schema_files import types_of

EXTRA = "_sdc_extra"
EXTRA_SCHEMA = {"type": ["object", "null"],
                "description": "Fields Zoho sent that the schema does not declare: field path -> value "
                               "(keep_unknown_fields)."}
_PYTHON = {str: "string", bool: "boolean", int: "integer", float: "number", list: "array", dict: "object",
           type(None): "null"}
_ACCEPTS = {"string": (str,), "integer": (int,), "number": (int, float), "boolean": (bool,), "null": (type(None),),
            "object": (dict,), "array": (list,)}
_INTEGER = re.compile(r"-?(?:0|[1-9]\d*)")
_INDEX = re.compile(r"\[\d+\]")
_NUMBER = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?")

Check = Callable[[dict], dict]


def json_type(value: Any) -> str:
    return _PYTHON.get(type(value), type(value).__name__)


def lossless(value: Any, kinds: frozenset[str]) -> tuple[bool, Any]:
    """(True, the converted value) when ``value`` becomes one of ``kinds`` without loss."""
    if isinstance(value, bool):
        return False, value
    if isinstance(value, int) and "string" in kinds:
        return True, str(value)
    if isinstance(value, float) and value.is_integer() and "integer" in kinds:
        return True, int(value)
    if isinstance(value, str):
        if ("integer" in kinds or "number" in kinds) and _INTEGER.fullmatch(value):
            return True, int(value)
        if "number" in kinds and _NUMBER.fullmatch(value) and math.isfinite(float(value)):
            return True, float(value)
    return False, value


class StreamDrift:
    """One stream's drift counters, and what its records do with unknown fields and other types."""

    def __init__(self, stream: str, schema: dict, logger: logging.Logger, keep: bool, key: list[str]):
        self.stream, self.logger, self.keep, self.key = stream, logger, keep, key
        self.unknown_fields: Counter[str] = Counter()
        self.converted: Counter[tuple[str, str, str]] = Counter()  # (path, found, declared)
        self._pending: dict[str, Any] = {}
        self._check = _compile(schema, self)

    def unknown(self, where: str, value: Any) -> None:
        """A field the schema lacks, dropped from the record (the pruner calls this; ``where`` has
        the index of each array element, the field's path has ``[]``)."""
        path = _INDEX.sub("[]", where) if "[" in where else where
        if path not in self.unknown_fields:
            self.logger.warning("%s: field %r is not in the schema: %s", self.stream, path,
                                f"kept in {EXTRA}" if self.keep else
                                f"dropped and counted (keep_unknown_fields keeps it in {EXTRA})")
        self.unknown_fields[path] += 1
        if self.keep:
            self._pending[where] = value

    def settle(self, row: dict) -> None:
        """After pruning: declared values of another type converted or refused; unknown ones kept."""
        self._check(row)
        if self._pending:
            row[EXTRA] = self._pending
            self._pending = {}

    def refuse(self, path: str, value: Any, kinds: frozenset[str], row_key: str) -> None:
        raise ZohoDeskError(f"{self.stream}: record {row_key} field {path} is {json_type(value)} where the schema "
                            f"declares {'/'.join(sorted(kinds))}; stopping the stream (not convertible without loss)")


def _compile(schema: dict, drift: StreamDrift) -> Check:
    """A function that checks (and converts in place) every declared value of a record. Null is
    never a difference (Zoho leaves fields out and sends them null alike)."""
    top = _object(schema, drift, "")
    if top is None:
        return lambda row: row

    def check(row: dict) -> dict:
        top(row, row)
        return row

    return check


def _value(schema: dict, drift: StreamDrift, path: str):
    """(JSON types declared, Python types accepted, nested check) of the property at ``path``;
    None: anything goes."""
    kinds = types_of(schema)
    if not kinds:
        return None
    accepted = frozenset({t for k in kinds | {"null"} for t in _ACCEPTS.get(k, ())})
    nested = None
    if "object" in kinds:
        nested = _object(schema, drift, path + ".")
    elif "array" in kinds and isinstance(schema.get("items"), dict):
        item = _value(schema["items"], drift, path + "[]")
        if item is not None:
            nested = _array(item, drift, path + "[]")
    return kinds, accepted, nested


def _converted(drift: StreamDrift, value: Any, kinds: frozenset[str], where: str, row: dict) -> Any:
    ok, converted = lossless(value, kinds)
    if not ok:
        drift.refuse(where, value, kinds, ", ".join(f"{k}={row.get(k)}" for k in drift.key) or "(no key)")
    drift.converted[(where, json_type(value), "/".join(sorted(kinds - {"null"})))] += 1
    return converted


def _object(schema: dict, drift: StreamDrift, prefix: str):
    """The check of an object's declared values (``row``: the record, for its key). Hot path: the
    values of the properties that accept the same types are checked at once (C-level), one by one
    only when one differs."""
    rules = {name: v for name, sub in (schema.get("properties") or {}).items()
             if (v := _value(sub, drift, prefix + name))}
    if not rules:
        return None
    groups: dict[frozenset, list[str]] = {}
    for name, (_, accepted, _) in rules.items():
        groups.setdefault(accepted, []).append(name)
    batches = [(accepted, tuple(names)) for accepted, names in groups.items()]
    nested = [(name, rule[2]) for name, rule in rules.items() if rule[2] is not None]

    fine: set[tuple] = set()  # (keys, value types) of objects found right: most objects repeat one

    def check(obj: dict, row: dict) -> None:
        get = obj.get
        seen = (tuple(obj), tuple(map(type, obj.values())))
        if seen not in fine:
            for accepted, names in batches:
                if not accepted.issuperset(map(type, map(get, names))):
                    for name in names:
                        value = get(name)
                        if type(value) not in accepted:
                            obj[name] = _converted(drift, value, rules[name][0], prefix + name, row)
            if len(fine) < 4096 and seen == (tuple(obj), tuple(map(type, obj.values()))):
                fine.add(seen)
        for name, inner in nested:
            value = get(name)
            if value:
                inner(value, row)

    return check


def _array(item, drift: StreamDrift, where: str):
    kinds, accepted, nested = item

    def check(values: list, row: dict) -> None:
        if not accepted.issuperset(map(type, values)):
            for index, value in enumerate(values):
                if type(value) not in accepted:
                    values[index] = _converted(drift, value, kinds, where, row)
        if nested is not None:
            for value in values:
                if value:
                    nested(value, row)

    return check


def drift_lines(drifts: list[StreamDrift]) -> list[str]:
    """The end-of-run table's lines about drift: every unknown field and every conversion, once."""
    lines = []
    for drift in drifts:
        for path, count in sorted(drift.unknown_fields.items()):
            what = f"kept in {EXTRA}" if drift.keep else "dropped"
            lines.append(f"schema drift: {drift.stream}.{path} not in the schema, {count:,} records ({what})")
        for (path, found, declared), count in sorted(drift.converted.items()):
            lines.append(f"schema drift: {drift.stream}.{path} sent as {found}, converted to {declared} "
                         f"({count:,} values)")
    return lines
