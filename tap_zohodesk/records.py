"""Record shaping done once per record on the hot path: pruning to the schema, fast output.

The SDK's generic type conformance and its deselected-property pass walk every value of every
record; Zoho answers are already JSON types, so all that is needed is to drop keys the schema
does not declare (the API adds fields over time) or the catalog deselected, and to write as a
string what the schema types as a string but Zoho sent as a JSON integer (the organization
``id`` is a number in real answers, Airbyte's schema shows; every id is a string in our
schemas): ``str()`` of an integer is exact. A pruner compiled once from the selected schema
does all of it in one pass, in a fraction of the time, and warns once per unknown field.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Iterator

from singer_sdk.contrib.msgspec import MsgSpecWriter
from singer_sdk.helpers._util import utc_now
from singer_sdk.helpers.conform import TypeConformanceLevel
from singer_sdk.singerlib import RecordMessage

Pruner = Callable[[dict, str], None]


def _types(schema: dict) -> set[str]:
    kind = schema.get("type", [])
    return {kind} if isinstance(kind, str) else set(kind)


def _string_only(schema: dict) -> bool:
    """The schema takes a plain string and no number: a JSON integer there is written as its
    string (not under a ``format``: an integer is no date-time, and stays an error downstream)."""
    kinds = _types(schema)
    return "string" in kinds and not kinds & {"integer", "number"} and "format" not in schema


def _stringify(record: dict, names: tuple[str, ...], lists: tuple[str, ...]) -> None:
    """Integers (not booleans) under ``names``, and in the arrays under ``lists``, as strings."""
    for key in names:
        if type(record.get(key)) is int:
            record[key] = str(record[key])
    for key in lists:
        value = record.get(key)
        if isinstance(value, list) and any(type(v) is int for v in value):
            record[key] = [str(v) if type(v) is int else v for v in value]


def compile_pruner(schema: dict, logger: logging.Logger, stream: str,
                   selected: Callable[[tuple[str, ...]], bool] | None = None) -> Pruner:
    """Return a function that deletes, in place, every key ``schema`` does not declare (with a
    warning, once per field) and every property the catalog deselected (``selected(breadcrumb)``
    False), in one pass over the record."""
    warned: set[str] = set()
    chosen = selected or (lambda crumb: True)

    def for_object(obj_schema: dict, crumb: tuple[str, ...]) -> Pruner | None:
        props = obj_schema.get("properties") or {}
        open_object = obj_schema.get("additionalProperties", True) is not False
        keep = frozenset(n for n in props if chosen((*crumb, "properties", n)))
        if open_object and keep == frozenset(props) and not props:
            return None  # an open object such as cf: keep as is
        children: dict[str, Pruner] = {}
        items: dict[str, Pruner] = {}
        strings = tuple(n for n in keep if _string_only(props[n]))
        string_lists = tuple(n for n in keep if "array" in _types(props[n]) and _string_only(props[n].get("items", {})))
        for name in keep:
            sub, here = props[name], (*crumb, "properties", name)
            kinds = _types(sub)
            if "object" in kinds and (pr := for_object(sub, here)):
                children[name] = pr
            elif "array" in kinds and "object" in _types(sub.get("items", {})):
                if pr := for_object(sub["items"], here):
                    items[name] = pr
        declared = frozenset(props)
        trims = not open_object or keep != declared

        def prune(record: dict, path: str) -> None:
            if trims:
                for key in record.keys() - keep:
                    if key in declared or open_object:  # deselected: silently
                        if key in declared:
                            del record[key]
                        continue
                    del record[key]
                    where = f"{path}{key}"
                    if where not in warned:
                        warned.add(where)
                        logger.warning("%s: dropping field %r that the schema does not declare", stream, where)
            _stringify(record, strings, string_lists)
            for key, pr in children.items():
                value = record.get(key)
                if isinstance(value, dict):
                    pr(value, f"{path}{key}.")
            for key, pr in items.items():
                value = record.get(key)
                if isinstance(value, list):
                    for element in value:
                        if isinstance(element, dict):
                            pr(element, f"{path}{key}[].")

        return prune

    return for_object(schema, ()) or (lambda record, path: None)


class PrunedRecordMessages:
    """Mixed into a stream (before the SDK's Stream, with FlatteningSafeStream) whose post_process
    prunes each record to its selected schema: the SDK's record messages, less its two walks of
    every record: deselected properties are already gone, and records are JSON already."""

    TYPE_CONFORMANCE_LEVEL = TypeConformanceLevel.NONE
    _pruner: Pruner | None = None  # compiled at the first record, once the catalog's selection is known

    def prune(self, row: dict) -> None:
        """Drop, in place, the keys the schema does not declare and the properties deselected."""
        if self._pruner is None:
            mask = self.mask
            self._pruner = compile_pruner(self.schema, self.logger, self.name, lambda crumb: mask[crumb])
        self._pruner(row, "")

    def _generate_record_messages(self, record: dict) -> Iterator[RecordMessage]:
        record = self.flattening_ready(record)
        for stream_map in self.stream_maps:
            mapped = stream_map.transform(record)
            if mapped is not None:
                yield RecordMessage(stream=stream_map.stream_alias, record=mapped, version=self._stream_version,
                                    time_extracted=utc_now())


class FastWriter(MsgSpecWriter):
    """msgspec-encoded Singer messages; works on a real stdout and on a captured one."""

    def write_message(self, message) -> None:
        data = self.format_message(message)
        out = sys.stdout
        buffer = getattr(out, "buffer", None)
        if buffer is not None:
            buffer.write(data)
        else:
            out.write(data.decode("utf-8"))
        if not isinstance(message, RecordMessage):
            out.flush()
