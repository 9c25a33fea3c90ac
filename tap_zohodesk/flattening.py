"""Records that stay valid when the SDK flattens them (`flattening_enabled`, `flattening_max_depth`).

Two gaps of singer-sdk 0.54's flattening (helpers/_flattening.py) meet our strict schemas
(`additionalProperties: false` at the top):

* A nested object that the schema declares is replaced in the flattened schema by one column per
  property (`layoutDetails__id`, `layoutDetails__layoutName`), but a record whose value is null keeps
  `layoutDetails: null` under the old key, which the flattened schema no longer has: every loader that
  validates rejects the record ("Additional properties are not allowed ('layoutDetails' was
  unexpected)"). Given `{}` instead, the SDK emits no column for it, which loaders read as null.
* An open object declared with empty `properties` (`cf` before its custom fields are typed) vanishes
  from the flattened schema, while its values still come out as `cf__<name>` keys. Without the empty
  `properties` (the same JSON schema) the SDK keeps it as one column holding JSON text.

`FlatteningSafeStream` applies both, and only when the tap's own flattening is on.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from singer_sdk import Stream

from tap_zohodesk.api.schema_files import types_of

Plan = dict[str, "Plan"]  # object properties the SDK expands into columns, nested the same way


def flattening_depth(config: Mapping[str, Any]) -> int:
    """Depth the SDK flattens to with this plugin config; 0 when it does not flatten."""
    if not config.get("flattening_enabled"):
        return 0
    return max(int(config.get("flattening_max_depth") or 0), 0)


def open_objects_as_text(schema: dict) -> dict:
    """``schema`` without the empty `properties` of open objects (equivalent JSON schema), recursively."""
    out = dict(schema)
    props = schema.get("properties")
    if "object" in types_of(schema) and props == {} and schema.get("additionalProperties", True) is not False:
        del out["properties"]
    elif isinstance(props, dict):
        out["properties"] = {name: open_objects_as_text(sub) for name, sub in props.items()}
    return out


def expanded_objects(schema: Mapping, max_depth: int, depth: int = 0) -> Plan:
    """The object properties the SDK expands into columns, mirroring `_flatten_schema`'s own test."""
    plan: Plan = {}
    if depth >= max_depth:
        return plan
    for name, sub in (schema.get("properties") or {}).items():
        if "object" in types_of(sub) and "properties" in sub:
            plan[name] = expanded_objects(sub, max_depth, depth + 1)
    return plan


def fill_null_objects(record: dict, plan: Plan) -> dict:
    """``record`` with each null object of ``plan`` as `{}` (copies only what changes)."""
    out = record
    for name, inner in plan.items():
        if name not in record:
            continue
        value = record[name]
        if value is None:
            new: object = {}
        elif inner and isinstance(value, dict):
            new = fill_null_objects(value, inner)
        else:
            continue
        if new is not value:
            if out is record:
                out = dict(record)
            out[name] = new
    return out


class FlatteningSafeStream(Stream):
    """A Stream whose records survive the SDK's flattening; a no-op when flattening is off."""

    def __init__(self, tap, schema: dict | None = None, name: str | None = None, **kwargs: Any):
        depth = flattening_depth(tap.config)
        self._flattening_plan: Plan = {}
        if depth and isinstance(schema, dict):
            schema = open_objects_as_text(schema)
            self._flattening_plan = expanded_objects(schema, depth)
        super().__init__(tap, schema=schema, name=name, **kwargs)

    def flattening_ready(self, record: dict) -> dict:
        """``record`` as the SDK's flattening (in the stream maps, next) can load it."""
        return fill_null_objects(record, self._flattening_plan) if self._flattening_plan else record
