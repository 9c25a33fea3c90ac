"""Sinks: one per stream, driven by the tap's object catalog."""

from __future__ import annotations

from collections import Counter

from singer_sdk.sinks import BatchSink

from tap_zohodesk.catalog import BY_STREAM


def classify(record: dict) -> str:
    """INSERT without id, UPDATE with id, DELETE when _sdc_deleted_at is set."""
    if record.get("_sdc_deleted_at"):
        return "DELETE"
    return "UPDATE" if record.get("id") else "INSERT"


class ZohoDeskSink(BatchSink):
    """Validates records against the catalog's allowed operations.

    Writing to Zoho Desk is not implemented yet: every record is checked and counted,
    and the would-be operations are logged when the batch drains.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.spec = BY_STREAM.get(self.stream_name)
        self.outcomes: Counter[str] = Counter()

    def _singer_validate_message(self, record: dict) -> None:
        """A record without its key is an INSERT here, not a malformed message."""

    def process_record(self, record: dict, context: dict) -> None:
        operation = classify(record)
        if self.spec is None:
            self.logger.error("%s: not a Zoho Desk object this target knows; record skipped",
                              self.stream_name)
            self.outcomes["error"] += 1
        elif operation not in self.spec.dml:
            allowed = "/".join(sorted(self.spec.dml)) or "nothing (read-only)"
            self.logger.error("%s: %s not allowed (allowed: %s); record id=%s skipped",
                              self.stream_name, operation, allowed, record.get("id"))
            self.outcomes["error"] += 1
        else:
            self.outcomes[operation] += 1

    def process_batch(self, context: dict) -> None:
        self.logger.info("%s: validated %s (writes not implemented yet)", self.stream_name,
                         dict(self.outcomes))
        self.outcomes.clear()
