"""Deleted records: the recycle bin as a stream, and delete markers for the main streams.

Zoho keeps soft-deleted records 60 days in the recycle bin. Two uses:
- stream ``deleted_records`` (the reference's GetDeleted): module, id, displayName,
  deletedTime, deletedBy, incremental on ``deletedTime``; config ``deleted_records``
  takes ``start_date``, ``end_date`` and ``exclude_user_id``;
- with ``emit_deletes: true`` an incremental run of a module's stream also emits, for each
  record deleted since its bookmark, ``{id, <replication key>: deletedTime, _sdc_deleted_at}``,
  which a loader with hard delete removes and others mark.

The evidence is split on how the recycle bin is asked for a module: Qodex's copy of Zoho's
documentation says ``module=<name>`` and ``sortBy=-deletedTime`` (newest first: the read
stops at the bound), the OpenAPI spec says ``moduleId=<id>`` and has no ``sortBy``. The
first is tried; a 422 naming ``module`` switches the run to the second (module ids from
``GET /organizationModules``, every page read, logged once), a 422 naming ``sortBy`` drops it
(fallbacks.py ``MODULE_ID`` and ``DROPPED``).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from tap_zohodesk.api.catalog import OBJECTS
from tap_zohodesk.api.client import ZohoDeskClient, ZohoDeskError, parse_zoho_time
from tap_zohodesk.api.fallbacks import MODULE_ID, asks
from tap_zohodesk.api.paging import rows_of
from tap_zohodesk.api.rows import NEW_ONLY, SPLIT, Evidence, ObjectSpec, Read

# GetDeleted's modules (the reference): the streams marking deletes (catalog rows) and topics
MODULES = (*(spec.marks_deletes for spec in OBJECTS if spec.marks_deletes), "topics")

# split: Qodex asks by ``module`` and ``sortBy``, the OAS by ``moduleId`` (either is taken, see above)
DELETED_RECORDS = ObjectSpec("deleted_records", NEW_ONLY, "deletedTime",
                             Read("recycleBin", 100, evidence=Evidence(SPLIT, "Qodex")), primary_key=("module", "id"))
PATH = DELETED_RECORDS.read.path


def _module_id(client: ZohoDeskClient, module: str) -> str:
    ids = client.learned.memo.get("organizationModules")
    if ids is None:
        body = client.get("organizationModules", label="list organizationModules")
        ids = {str(m.get("apiName")): str(m.get("id")) for m in rows_of(body, "data", "GET /organizationModules")}
        client.learned.memo["organizationModules"] = ids
    if module not in ids:
        raise ZohoDeskError(f"GET /organizationModules: no module {module!r} (modules: {', '.join(sorted(ids))})")
    return ids[module]


def recycle_bin(client: ZohoDeskClient, module: str, since: datetime | None) -> Iterator[dict]:
    """Recycle-bin rows of one module deleted at or after ``since`` (newest first when Zoho sorts)."""
    lesson = client.learned.of(PATH)
    while True:
        by_id = "module" in lesson.dropped
        params = {"include": "deletedBy"}
        params.update({"moduleId": _module_id(client, module)} if by_id else {"module": module,
                                                                             "sortBy": "-deletedTime"})
        pager = client.pages(PATH, limit=DELETED_RECORDS.read.limit, params=params, label="list recycleBin",
                             key=PATH, droppable=frozenset({"sortBy"}))
        started = False
        try:
            for page in pager:
                started = True
                for row in page:
                    when = row.get("deletedTime")
                    if not row.get("id") or not when:
                        raise ZohoDeskError(f"GET /{PATH}: a row without id or deletedTime: {str(row)[:120]}")
                    if since is not None and parse_zoho_time(when) < since:
                        if "sortBy" in lesson.dropped or by_id:
                            continue  # unsorted: look at every row
                        return  # newest first: the rest is older still
                    yield {**row, "module": module}
            return
        except ZohoDeskError as exc:
            if started or by_id or not asks(MODULE_ID, exc):
                raise
            client.learned.learn(PATH, MODULE_ID, param=exc.param)


def delete_markers(client: ZohoDeskClient, module: str, since: datetime, until: datetime,
                   key: str) -> Iterator[dict]:
    """``{id, key: deletedTime, _sdc_deleted_at}`` for records deleted in [since, until]."""
    for row in recycle_bin(client, module, since):
        if parse_zoho_time(row["deletedTime"]) <= until:
            yield {"id": row["id"], key: row["deletedTime"], "_sdc_deleted_at": row["deletedTime"]}
