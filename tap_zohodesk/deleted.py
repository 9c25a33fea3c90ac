"""Stream ``deleted_records`` (the reference's GetDeleted); see recycle.py for the policy."""

from __future__ import annotations

from collections.abc import Iterator

from tap_zohodesk.api.client import parse_zoho_time
from tap_zohodesk.recycle import MODULES, recycle_bin
from tap_zohodesk.streams import ZohoDeskStream


class DeletedRecordsStream(ZohoDeskStream):
    """Stream ``deleted_records``: every GetDeleted module's recycle bin."""

    def records(self, context: dict | None) -> Iterator[dict]:
        options = self.config.get("deleted_records") or {}
        bound = self.lower_bound(context)
        start = options.get("start_date")
        if start and (bound is None or parse_zoho_time(start) > bound):
            bound = parse_zoho_time(start)
        end = parse_zoho_time(options["end_date"]) if options.get("end_date") else None
        excluded = str(options.get("exclude_user_id") or "")
        for module in MODULES:
            for row in recycle_bin(self.client, module, bound):
                if end and row.get("deletedTime") and parse_zoho_time(row["deletedTime"]) > end:
                    continue
                if excluded and str(row.get("deletedById")) == excluded:
                    continue
                yield row
