"""Deleted records: the recycle bin as a stream, and delete markers for the main streams.

Zoho keeps soft-deleted records 60 days in the recycle bin (``GET /recycleBin``, sorted by
``-deletedTime``, read per module until a row is older than the bound). Two uses:
- stream ``deleted_records`` (the reference's GetDeleted): module, id, displayName,
  deletedTime, deletedBy, incremental on ``deletedTime``; config ``deleted_records``
  takes ``start_date``, ``end_date`` and ``exclude_user_id``;
- with ``emit_deletes: true`` an incremental run of a module's stream also emits, for each
  record deleted since its bookmark, ``{id, modifiedTime: deletedTime, _sdc_deleted_at}``,
  which a loader with hard delete removes and others mark.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from tap_zohodesk.catalog import NEW_ONLY, ObjectSpec
from tap_zohodesk.client import ZohoDeskClient, parse_zoho_time

# GetDeleted's modules (the reference) -> recycle-bin module name
MODULES = ("accounts", "contacts", "contracts", "tickets", "tasks", "calls", "events", "products", "topics")
# streams that get delete markers with emit_deletes
MARKED_STREAMS = ("tickets", "contacts", "accounts", "contracts", "tasks", "calls", "events", "products")

DELETED_RECORDS = ObjectSpec("deleted_records", "recycleBin", NEW_ONLY, "deletedTime",
                             primary_key=("module", "id"), limit=100)


def recycle_bin(client: ZohoDeskClient, module: str, since: datetime | None) -> Iterator[dict]:
    """Recycle-bin rows of one module, newest first, down to ``since``."""
    params = {"module": module, "sortBy": "-deletedTime", "include": "deletedBy"}
    for page in client.pages(DELETED_RECORDS.path, limit=DELETED_RECORDS.limit, params=params,
                             label="list recycleBin"):
        for row in page:
            when = row.get("deletedTime")
            if since is not None and when and parse_zoho_time(when) < since:
                return
            yield {**row, "module": module}


def delete_markers(client: ZohoDeskClient, module: str, since: datetime) -> Iterator[dict]:
    for row in recycle_bin(client, module, since):
        yield {"id": row["id"], "modifiedTime": row["deletedTime"], "_sdc_deleted_at": row["deletedTime"]}
