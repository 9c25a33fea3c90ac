"""Record shaping done once per record on the hot path: pruning to the schema, fast output.

The SDK's generic type conformance walks every value of every record; Zoho answers are
already JSON types, so all that is needed is to drop keys the schema does not declare (the
API adds fields over time). A pruner compiled once from the schema does that in a fraction
of the time, and warns once per unknown field.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable

from singer_sdk.contrib.msgspec import MsgSpecWriter
from singer_sdk.singerlib import RecordMessage

Pruner = Callable[[dict, str], None]


def _types(schema: dict) -> set[str]:
    kind = schema.get("type", [])
    return {kind} if isinstance(kind, str) else set(kind)


def compile_pruner(schema: dict, logger: logging.Logger, stream: str) -> Pruner:
    """Return a function that deletes, in place, every key ``schema`` does not declare."""
    warned: set[str] = set()

    def for_object(obj_schema: dict) -> Pruner | None:
        if obj_schema.get("additionalProperties", True) is not False and not obj_schema.get("properties"):
            return None  # an open object such as cf: keep as is
        props = obj_schema.get("properties", {})
        open_object = obj_schema.get("additionalProperties", True) is not False
        children: dict[str, Pruner] = {}
        items: dict[str, Pruner] = {}
        for name, sub in props.items():
            kinds = _types(sub)
            if "object" in kinds and (pr := for_object(sub)):
                children[name] = pr
            elif "array" in kinds and "object" in _types(sub.get("items", {})):
                if pr := for_object(sub["items"]):
                    items[name] = pr
        allowed = frozenset(props)

        def prune(record: dict, path: str) -> None:
            if not open_object:
                for key in [k for k in record if k not in allowed]:
                    del record[key]
                    where = f"{path}{key}"
                    if where not in warned:
                        warned.add(where)
                        logger.warning("%s: dropping field %r that the schema does not declare",
                                       stream, where)
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

    return for_object(schema) or (lambda record, path: None)


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
