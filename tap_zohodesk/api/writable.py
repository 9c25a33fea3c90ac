"""What a write's body carries: the row's allow-list, one rule for every object.

Per object and operation the row names the fields Zoho Desk takes (``Write.fields``, from the
evidence: api/bodies.py), write-only inputs such as a ticket's ``contactEmail`` included where
the operation takes them. The parent ids go in the URL, ``id`` names the record, ``_sdc_*`` are
Singer's. Of the rest, a field the tap emits for the stream (its schema) is one Zoho computes or
does not take on this write: it is dropped (the caller counts it); any other field is refused,
since Zoho would answer it with 422 INVALID_DATA.
"""

from __future__ import annotations

from tap_zohodesk.api.rows import ObjectSpec
from tap_zohodesk.api.schema_files import load_schema

LOCAL = frozenset({"id", "_upsert"})  # read by the writer, never sent
_EMITTED: dict[str, frozenset[str]] = {}


class UnknownFields(ValueError):
    """A record carries fields Zoho Desk does not take on this write and the tap never emits."""

    def __init__(self, stream: str, operation: str, record_id: str | None, fields: list[str]):
        which = f"record {record_id}" if record_id else "a record without id"
        super().__init__(f"{stream}: {which}: {operation} cannot carry {', '.join(fields)} (Zoho Desk takes "
                         f"no such field on this write; the tap never emits it)")
        self.fields = fields


def allowed(spec: ObjectSpec, operation: str) -> frozenset[str]:
    """The fields a body of this operation may carry (the write-only inputs it takes included)."""
    return spec.write.fields.of(operation)


def emitted(spec: ObjectSpec) -> frozenset[str]:
    """The fields the tap emits for this stream (its schema's properties)."""
    if spec.stream not in _EMITTED:
        _EMITTED[spec.stream] = frozenset(load_schema(spec)["properties"])
    return _EMITTED[spec.stream]


def body(spec: ObjectSpec, operation: str, record: dict) -> tuple[dict, list[str]]:
    """The body of this write and the emitted fields it leaves out; ``UnknownFields`` for the others."""
    take = allowed(spec, operation)
    out, dropped, unknown = {}, [], []
    for name, value in record.items():
        if name in take:
            out[name] = value
        elif name.startswith("_sdc_") or name in LOCAL or name in spec.links:
            continue
        elif name in emitted(spec):
            dropped.append(name)
        else:
            unknown.append(name)
    if unknown:
        rid = record.get("id")
        raise UnknownFields(spec.stream, operation, str(rid) if rid else None, sorted(unknown))
    return out, dropped


def write_only(spec: ObjectSpec) -> dict[str, dict]:
    """Inputs this object's writes take beyond the fields its records carry."""
    return spec.write.write_only
