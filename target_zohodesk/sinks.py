"""One sink per stream; records are checked here and written in batches by the Writer."""

from __future__ import annotations

from jsonschema import Draft7Validator
from singer_sdk.sinks import BatchSink

from target_zohodesk.writer import ACTION, Result, operation_of


class ZohoDeskSink(BatchSink):
    """Collects a stream's records; each batch is written (or refused) record by record."""

    MAX_SIZE_DEFAULT = 200

    def __init__(self, target, *args, **kwargs):
        self.owner = target  # the SDK keeps no reference to its target
        super().__init__(target, *args, **kwargs)
        self._validator = Draft7Validator(self.schema)

    @property
    def include_sdc_metadata_properties(self) -> bool:
        return True  # _sdc_deleted_at is what marks a DELETE

    def _singer_validate_message(self, record: dict) -> None:
        """A record without its key is an INSERT here, not a malformed message."""

    def _validate_and_parse(self, record: dict) -> dict:
        """Keep values as sent (Zoho wants its own timestamp strings back); checked below."""
        return record

    def process_record(self, record: dict, context: dict) -> None:
        error = next(iter(self._validator.iter_errors(record)), None)
        if error is not None:
            where = "/".join(map(str, error.absolute_path)) or "record"
            operation = "SEND" if self.stream_name == ACTION else operation_of(record)
            self.owner.report([Result(self.stream_name, operation, record.get("id"), "error",
                                        f"{self.stream_name}: {where}: {error.message}")])
            return
        context.setdefault("records", []).append(record)

    def process_batch(self, context: dict) -> None:
        records = context.get("records") or []
        if records:
            self.owner.report(self.owner.writer.write(self.stream_name, records))
