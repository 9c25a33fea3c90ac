"""The probe's judgement of a stream's answers against its schema, by field path.

Paths are ``field``, ``object.field`` and ``array[].field``. Three findings, names and JSON
types only (never a value): fields the answers carry that the schema lacks (``extra``), declared
fields no answer carried (``missing``, inside objects that did appear), and values of another
JSON type than declared (``mismatches``; null is never one, as in a sync), each marked
``convertible`` when a sync converts it without loss (drift.py's rule) and so does not stop on it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from tap_zohodesk.drift import json_type, lossless, types_of


@dataclass
class Shape:
    extra: dict[str, str] = field(default_factory=dict)  # path -> JSON type found
    mismatches: dict[str, dict] = field(default_factory=dict)  # path -> {schema, found, convertible}
    carried: set[str] = field(default_factory=set)
    seen_objects: set[str] = field(default_factory=lambda: {""})  # object paths that appeared ("" = the record)
    rows: int = 0

    def missing(self, schema: dict, added: Iterable[str] = ()) -> list[str]:
        """Declared paths never carried, inside objects that appeared (``added``: fields the tap sets)."""
        out = []
        for path, parent in _declared(schema, ""):
            if parent in self.seen_objects and path not in self.carried and path not in added:
                out.append(path)
        return sorted(out)


def _declared(schema: dict, prefix: str) -> Iterable[tuple[str, str]]:
    for name, sub in (schema.get("properties") or {}).items():
        path = f"{prefix}{name}"
        yield path, prefix[:-1] if prefix else ""
        kinds = types_of(sub)
        if "object" in kinds:
            yield from _declared(sub, path + ".")
        elif "array" in kinds and isinstance(sub.get("items"), dict):
            yield from _declared(sub["items"], path + "[].")


def compare(rows: Iterable[Any], schema: dict, shape: Shape | None = None) -> Shape:
    """Add ``rows`` (an endpoint's answer) to ``shape``'s findings against ``schema``."""
    shape = shape or Shape()
    for row in rows:
        shape.rows += 1
        if isinstance(row, dict):
            _object(row, schema, "", shape)
    return shape


def _object(obj: dict, schema: dict, prefix: str, shape: Shape) -> None:
    props = schema.get("properties") or {}
    open_object = schema.get("additionalProperties", True) is not False
    if prefix:
        shape.seen_objects.add(prefix[:-1])
    for name, value in obj.items():
        path = f"{prefix}{name}"
        sub = props.get(name)
        if sub is None:
            if not open_object:  # as the pruner: an open object (cf) keeps what it is sent
                shape.extra.setdefault(path, json_type(value))
            continue
        shape.carried.add(path)
        _value(value, sub, path, shape)


def _value(value: Any, sub: dict, path: str, shape: Shape) -> None:
    kinds = types_of(sub)
    found = json_type(value)
    if kinds and value is not None and not (found in kinds or (found == "integer" and "number" in kinds)):
        if path not in shape.mismatches:
            shape.mismatches[path] = {"schema": sorted(kinds), "found": found,
                                      "convertible": lossless(value, kinds)[0]}
        return
    if isinstance(value, dict):
        _object(value, sub, path + ".", shape)
    elif isinstance(value, list) and isinstance(sub.get("items"), dict):
        for element in value:
            if isinstance(element, dict):
                _object(element, sub["items"], path + "[].", shape)
            else:
                _value(element, sub["items"], path + "[]", shape)
