"""One sink per stream; records are checked here and written in batches by the Writer.

Records are validated against the schema the upstream sent, loosened where a writer must
be: the primary key is never required (a record without it is an INSERT) and may be null,
and the write-only inputs of the object (writable.WRITE_ONLY_BY_SHAPE: a ticket's
``contactEmail``, an attachment's file, a tag's ``ticketId``) are accepted even when the
schema forbids extra properties. A stream the target cannot write at all is refused once:
its records are counted as skipped, none is validated or buffered. A batch's deletes are
handed to the delete guard (guard.py), which holds them until the input is read.
"""

from __future__ import annotations

import copy

from jsonschema import Draft7Validator
from singer_sdk.sinks import BatchSink

from tap_zohodesk.api.plans import ROWS, operation_of, refusal
from tap_zohodesk.api.sdk import pending_batch
from tap_zohodesk.api.writable import write_only
from target_zohodesk.batches import record_id
from target_zohodesk.outcome import FatalStop, Result
from target_zohodesk.reader import not_utf8


def _nullable(prop: dict) -> dict:
    prop = dict(prop)
    kinds = prop.get("type")
    if isinstance(kinds, str) and kinds != "null":
        prop["type"] = [kinds, "null"]
    elif isinstance(kinds, list) and "null" not in kinds:
        prop["type"] = [*kinds, "null"]
    for combo in ("anyOf", "oneOf"):
        if isinstance(prop.get(combo), list) and {"type": "null"} not in prop[combo]:
            prop[combo] = [*prop[combo], {"type": "null"}]
    return prop


def validation_schema(stream: str, schema: dict, key_properties: list[str] | None) -> dict:
    """The upstream schema as this target checks records against it (see the module docstring)."""
    out = copy.deepcopy(schema)
    spec = ROWS.get(stream)
    keys = {"id", *(key_properties or []), *(spec.primary_key if spec else ())}
    if isinstance(out.get("required"), list):
        out["required"] = [name for name in out["required"] if name not in keys]
    props = out.setdefault("properties", {})
    for name in keys & set(props):
        props[name] = _nullable(props[name])
    for name, prop in (write_only(spec) if spec else {}).items():
        props.setdefault(name, prop)
    return out


class ZohoDeskSink(BatchSink):
    """Collects a stream's records; each batch is written (or refused) record by record."""

    MAX_SIZE_DEFAULT = 200

    def __init__(self, target, stream_name, schema, key_properties):
        self.owner = target  # the SDK keeps no reference to its target
        super().__init__(target, stream_name, schema, key_properties)
        self.refused = refusal(stream_name)
        if self.refused:
            target.refuse_stream(stream_name, self.refused)
        checked = self.refused is None and self.config.get("validate_records", True)
        self._validator = Draft7Validator(validation_schema(stream_name, self.schema, key_properties)) \
            if checked else None

    @property
    def include_sdc_metadata_properties(self) -> bool:
        return True  # _sdc_deleted_at is what marks a DELETE

    def _singer_validate_message(self, record: dict) -> None:
        """A record without its key is an INSERT here, not a malformed message."""

    def _validate_and_parse(self, record: dict) -> dict:
        """Keep values as sent (Zoho wants its own timestamp strings back); checked below."""
        return record

    def process_record(self, record: dict, context: dict) -> None:
        operation = operation_of(self.stream_name, record)
        if self.refused:
            self.owner.report([Result(self.stream_name, operation, record_id(record), "skipped", self.refused)])
            return
        error = next(iter(self._validator.iter_errors(record)), None) if self._validator else None
        refused, garbled = None, not_utf8(record)
        if garbled is not None:  # reported with its batch, in input order
            refused = Result(self.stream_name, operation, record_id(record), "error",
                             f"{self.stream_name}: {garbled}: text that is not valid UTF-8 (refused, nothing sent)")
        elif error is not None:
            where = "/".join(map(str, error.absolute_path)) or "record"
            refused = Result(self.stream_name, operation, record_id(record), "error",
                             f"{self.stream_name}: {where}: {error.message}")
        if refused is None and operation in ("INSERT", "SEND"):
            self.owner.tag(self.stream_name, record)
        context.setdefault("items", []).append((record, refused))

    def process_batch(self, context: dict) -> None:
        items = self.owner.guard.take_deletes(self.stream_name, context.get("items") or [])
        records = [record for record, refused in items if refused is None]
        stop = None
        try:
            results = self.owner.writer.write(self.stream_name, records) if records else []
        except FatalStop as exc:
            stop, results = exc, exc.results
        written = iter(results)
        self.owner.report([refused or next(written) for _, refused in items])
        if stop is not None:
            raise stop


def pending_records(sink: ZohoDeskSink) -> list[dict]:
    """Records a sink holds that were never sent."""
    return [record for record, refused in pending_batch(sink).get("items") or [] if refused is None]
