"""One stream class for every catalog row.

Read policy, per row of the catalog:
- ``full table`` rows: the list endpoint, page size = the endpoint's cap.
- ``modified+new`` rows with a search endpoint: ``modifiedTimeRange=<bound>,<now>`` sorted
  by ``modifiedTime``, bound = bookmark, else ``start_date``, else 2000-01-01. A
  window is paged to the API's 5,000-row limit, then slides to start at the last
  ``modifiedTime`` read (ids already emitted at that instant are dropped), so no window
  ever needs more than the cap and no call is spent re-reading.
- other incremental rows: the list endpoint; rows older than the bound are dropped (these
  lists have no server-side time filter).
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any

from singer_sdk.helpers._typing import TypeConformanceLevel
from singer_sdk.streams import Stream

from tap_zohodesk.catalog import SEARCH_MAX_FROM, ObjectSpec
from tap_zohodesk.client import ZohoDeskClient, ZohoDeskError, parse_zoho_time, to_zoho_time
from tap_zohodesk.records import compile_pruner

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

    from tap_zohodesk.tap import TapZohoDesk


# Lower bound of a first (full) read through search windows: before any Zoho Desk data.
SEARCH_FLOOR = datetime(2000, 1, 1, tzinfo=timezone.utc)


@cache
def load_schema(stream: str) -> dict:
    """The packaged JSON schema of a stream (read once per process)."""
    text = resources.files("tap_zohodesk").joinpath("schemas", f"{stream}.json").read_text()
    return json.loads(text)


class ZohoDeskStream(Stream):
    """A Zoho Desk object, configured entirely by its catalog row."""

    # Zoho answers are JSON already: records are pruned to the schema in post_process
    TYPE_CONFORMANCE_LEVEL = TypeConformanceLevel.NONE

    def __init__(self, tap: TapZohoDesk, spec: ObjectSpec, schema: dict):
        self.spec = spec
        super().__init__(tap, schema=schema, name=spec.stream)
        self.primary_keys = list(spec.primary_key)
        self.replication_key = spec.replication_key
        self._tap_ref = tap
        self._prune = compile_pruner(self.schema, self.logger, self.name)

    def post_process(self, row: dict, context: dict | None = None) -> dict | None:
        self._prune(row, "")
        return row

    @property
    def client(self) -> ZohoDeskClient:
        return self._tap_ref.client

    @property
    def is_sorted(self) -> bool:  # search windows are sorted, lists are not: be safe
        return False

    # -- reading ------------------------------------------------------------------------
    def _lower_bound(self, context: dict | None) -> datetime | None:
        if not self.replication_key:
            return None
        start = self.get_starting_timestamp(context)
        if start is None:
            return None
        lookback = float(self.config.get("lookback_seconds") or 0)
        return start - timedelta(seconds=lookback)

    def get_records(self, context: dict | None) -> Iterable[dict[str, Any]]:
        bound = self._lower_bound(context)
        if bound is None and self.spec.search_path and self.config.get("full_sync_method") != "list":
            bound = SEARCH_FLOOR
        if bound is not None and self.spec.search_path:
            yield from self._search_windows(bound)
            return
        yield from self._list(bound)

    def _list(self, bound: datetime | None) -> Iterator[dict]:
        spec = self.spec
        for page in self.client.pages(spec.path, limit=spec.limit, data_key=spec.data_key,
                                      label=f"list {spec.stream}"):
            for row in page:
                if bound is not None and not self._at_or_after(row, bound):
                    continue
                yield row

    def _at_or_after(self, row: dict, bound: datetime) -> bool:
        value = row.get(self.replication_key or "")
        if not value:
            return True  # cannot tell: keep it rather than lose it
        try:
            return parse_zoho_time(value) >= bound
        except ValueError as exc:
            raise ZohoDeskError(
                f"{self.name}: record {row.get('id')!r} has an unreadable "
                f"{self.replication_key} {value!r}"
            ) from exc

    def _search_windows(self, bound: datetime) -> Iterator[dict]:
        spec = self.spec
        key = self.replication_key or "modifiedTime"
        low = to_zoho_time(bound)
        high = to_zoho_time(datetime.now(timezone.utc))
        done_at_low: set = set()  # ids already emitted whose key equals ``low``
        while True:
            last_time: str | None = None
            ids_at_last: set = set()
            pager = self.client.pages(
                spec.search_path or "", limit=spec.limit, label=f"search {spec.stream}",
                params={"modifiedTimeRange": f"{low},{high}", "sortBy": key},
                max_from=SEARCH_MAX_FROM,
            )
            for page in pager:
                for row in page:
                    stamp = row.get(key)
                    if stamp == low and row.get("id") in done_at_low:
                        continue
                    if stamp != last_time:
                        last_time, ids_at_last = stamp, set()
                    ids_at_last.add(row.get("id"))
                    yield row
            if pager.exhausted:
                return
            if not last_time or last_time == low:
                raise ZohoDeskError(
                    f"{self.name}: more than {SEARCH_MAX_FROM + 1} records share "
                    f"{key} {low}; the search window cannot be narrowed further"
                )
            low, done_at_low = last_time, ids_at_last
