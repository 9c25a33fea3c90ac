"""Record shaping done once per record on the hot path: pruning to the schema, fast output.

The SDK's generic type conformance and its deselected-property pass walk every value of every
record; Zoho answers are already JSON types, so all that is needed is to drop keys the schema
does not declare (the API adds fields over time) or the catalog deselected. A pruner compiled
once from the selected schema does both in one pass, in a fraction of the time, and hands each
unknown field to the stream's drift counters (drift.py: counted, warned once, kept in
``_sdc_extra`` with keep_unknown_fields), which then check the declared values' JSON types:
what the schema types as a string but Zoho sent as a JSON integer (the organization ``id`` is a
number in real answers, Airbyte's schema shows; every id is a string in our schemas) is written
as its string, which is exact, and counted.
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Callable, Iterator

from singer_sdk.contrib.msgspec import MsgSpecWriter
from singer_sdk.helpers.conform import TypeConformanceLevel
from singer_sdk.singerlib import RecordMessage

from tap_zohodesk.api.schema_files import types_of
from tap_zohodesk.api.sdk import stream_version, utc_now
from tap_zohodesk.drift import StreamDrift

Pruner = Callable[[dict, str], None]


def compile_pruner(schema: dict, logger: logging.Logger, stream: str,
                   selected: Callable[[tuple[str, ...]], bool] | None = None,
                   unknown: Callable[[str, object], None] | None = None) -> Pruner:
    """Return a function that deletes, in place, every key ``schema`` does not declare (with a
    warning, once per field; ``unknown(path, value)`` is told instead when given, drift.py, with
    each array element's index in the path: ``sharedDepartments[1].shareMode``) and
    every property the catalog deselected (``selected(breadcrumb)`` False), in one pass over the record."""
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
        for name in keep:
            sub, here = props[name], (*crumb, "properties", name)
            kinds = types_of(sub)
            if "object" in kinds and (pr := for_object(sub, here)):
                children[name] = pr
            elif "array" in kinds and "object" in types_of(sub.get("items", {})):
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
                    where = f"{path}{key}"
                    if unknown is not None:
                        unknown(where, record.pop(key))
                        continue
                    del record[key]
                    where = re.sub(r"\[\d+\]", "[]", where)
                    if where not in warned:
                        warned.add(where)
                        logger.warning("%s: dropping field %r that the schema does not declare", stream, where)
            for key, pr in children.items():
                value = record.get(key)
                if isinstance(value, dict):
                    pr(value, f"{path}{key}.")
            for key, pr in items.items():
                value = record.get(key)
                if isinstance(value, list):
                    for index, element in enumerate(value):
                        if isinstance(element, dict):
                            pr(element, f"{path}{key}[{index}].")

        return prune

    return for_object(schema, ()) or (lambda record, path: None)


class PrunedRecordMessages:
    """Mixed into a stream (before the SDK's Stream, with FlatteningSafeStream) whose post_process
    prunes each record to its selected schema: the SDK's record messages, less its two walks of
    every record: deselected properties are already gone, and records are JSON already."""

    TYPE_CONFORMANCE_LEVEL = TypeConformanceLevel.NONE
    _pruner: Pruner | None = None  # compiled at the first record, once the catalog's selection is known
    _drift: StreamDrift | None = None

    def prune(self, row: dict) -> None:
        """Drop, in place, the keys the schema does not declare (counted, or kept with
        keep_unknown_fields) and the properties deselected; convert or refuse values of
        another type (drift.py)."""
        if self._pruner is None:
            mask = self.mask
            self._drift = self.run.drift_of(self)
            self._pruner = compile_pruner(self.schema, self.logger, self.name, lambda crumb: mask[crumb],
                                          self._drift.unknown)
        self._pruner(row, "")
        self._drift.settle(row)

    def _generate_record_messages(self, record: dict) -> Iterator[RecordMessage]:
        record = self.flattening_ready(record)
        for stream_map in self.stream_maps:
            mapped = stream_map.transform(record)
            if mapped is not None:
                yield RecordMessage(stream=stream_map.stream_alias, record=mapped, version=stream_version(self),
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
