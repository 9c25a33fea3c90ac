"""One stream class for every catalog row: the policy in a few lines.

- Searchable objects are read through exact search windows (windows.py) in replication-key
  order, so the stream is declared sorted and the SDK's STATE after any page is a valid
  resume point; everything else keeps the SDK's safe default (resume from the last run).
- Other objects read their list (reading.py), children their parents' children
  (children.py); an ``id`` filter reads exactly that record.
- With ``emit_deletes``, an incremental run also emits ``{id, <key>: deletedTime,
  _sdc_deleted_at}`` for records deleted since the bookmark, merged in key order.
- Only Zoho's explicit "not available here" answers skip a stream, with one warning that
  says what to do; every other error stops the run with one line.
- A record without its primary key is an error; fields the schema does not declare are
  dropped with one warning per field; custom fields are typed by the run's catalog.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Iterator
from datetime import datetime, timedelta
from itertools import chain
from typing import TYPE_CHECKING, Any

from tap_zohodesk.api.catalog import BY_STREAM, ObjectSpec
from tap_zohodesk.api.client import BudgetSpent, ZohoDeskClient, ZohoDeskError, parse_zoho_time, to_zoho_time
from tap_zohodesk.api.sdk import tap_state
from tap_zohodesk.children import ChildReads
from tap_zohodesk.custom_fields import coerce_all
from tap_zohodesk.flattening import FlatteningSafeStream
from tap_zohodesk.instants import DONE, ONE_MS, bookmark, exact, note, start_after
from tap_zohodesk.read_plans import BY_ID, CHILD, SEARCH, choose
from tap_zohodesk.reading import Reads
from tap_zohodesk.records import PrunedRecordMessages
from tap_zohodesk.recycle import delete_markers
from tap_zohodesk.run import RunContext

if TYPE_CHECKING:
    from singer_sdk import Tap

    from tap_zohodesk.filters import Filters


class ZohoDeskStream(Reads, ChildReads, PrunedRecordMessages, FlatteningSafeStream):
    """A Zoho Desk object, configured entirely by its catalog row."""

    # a STATE message every page or so: with sorted reads, a stopped run re-reads one page
    STATE_MSG_FREQUENCY = 100

    def __init__(self, tap: Tap, spec: ObjectSpec, schema: dict, run: RunContext):
        self.spec = spec
        super().__init__(tap, schema=schema, name=spec.stream)
        self.primary_keys = list(spec.primary_key)
        self.replication_key = spec.key
        self.selected_by_default = not spec.opt_in
        self.run = run
        cf = self.schema["properties"].get("cf", {})
        self._cf_typed: dict = (cf.get("properties") or {}) if cf.get("additionalProperties") is False else {}
        self.vanished = 0

    @property
    def client(self) -> ZohoDeskClient:
        return self.run.client

    @property
    def parents(self):
        return self.run.parents

    def user_filters(self) -> Filters:
        return self.run.filters.get(self.name, {})

    @property
    def is_sorted(self) -> bool:
        """Only search-window reads come in replication-key order (a first read in parallel
        ranges does not, and keeps its own resume points)."""
        return self.reads_search_windows() and not self.may_read_in_ranges()

    def reads_search_windows(self, filters: Filters | None = None) -> bool:
        """Whether a read under ``filters`` (default: the configured ones) goes by search windows."""
        return exact(self.spec, self.user_filters() if filters is None else filters)

    def may_read_in_ranges(self) -> bool:
        """A first read (no bookmark yet, or ranges left by a stopped one) with calls to spare for
        parallel time ranges (ranges.py). Read from the tap's state dict: the SDK asks ``is_sorted``
        while it builds its state manager."""
        own = tap_state(self).get("bookmarks", {}).get(self.name, {})
        return "time_ranges" in own or ("replication_key_value" not in own
                                       and int(self.config.get("max_concurrency") or 5) > 1)

    def post_process(self, row: dict, context: dict | None = None) -> dict | None:
        key = self.replication_key
        if key and not row.get(key):
            row[key] = self.key_value(row)
        custom = row.get("cf")
        if self._cf_typed and isinstance(custom, dict):
            coerce_all(custom, self._cf_typed, f"{self.name} record {row.get('id')}")
        self.prune(row)
        self.run.unwound.take(self.name, row)
        if not row.get("_sdc_deleted_at"):
            self.parents.remember(self.name, row)
        if self.run.report is not None:
            self.run.report.record(self.name)
        return row

    @property
    def reads_each_record(self) -> bool:
        """One GET per record adds fields the list lacks (always, or when the row's setting is on)."""
        read = self.spec.read
        return read.extended or bool(read.extended_by and self.config.get(read.extended_by))

    # -- entry point --------------------------------------------------------------------
    def get_records(self, context: dict | None) -> Iterable[dict[str, Any]]:
        run = self.run
        if run.stopped_by_budget:
            return  # the credit budget ran out in an earlier stream: this one waits for the next run
        if run.report is not None:
            run.report.start_stream(self.name)
        run.resumes_itself = bool(self.spec.parent) or (self.reads_search_windows() and self.may_read_in_ranges())
        began = self.now()  # an instant Zoho's clock had passed by now is finished once read (instants.py)
        try:
            yield from self.records(context)
            if self.reads_search_windows():
                note(self.stream_state, DONE, bookmark(self.stream_state), self.client, began)
        except BudgetSpent as exc:
            run.stopped_by_budget = (self.name, str(exc))
            self.keep_own_resume_points()
        except ZohoDeskError as exc:  # this stream stops here; the run goes on (fatal kinds are raised)
            run.stream_error(self.name, self.spec, exc, self.logger)
            self.keep_own_resume_points()
        finally:
            run.resumes_itself = False
            if run.report is not None:
                run.report.end_stream()
        if self.vanished:
            self.logger.info("%s: %d parents were deleted during the run; their children were skipped",
                             self.name, self.vanished)

    def records(self, context: dict | None) -> Iterator[dict]:
        """What this stream emits in a run (get_records adds the run's bookkeeping)."""
        return self.read_as_child() if self.spec.parent else self._read_top(context)

    def keep_own_resume_points(self) -> None:
        """A read stopped before its end: the bookmark moves only as far as a sorted read got (the
        SDK's progress up to the last record); an unsorted one keeps what it had, plus the resume
        points the stream keeps itself (children's parent watermark, first-read ranges)."""
        if not self.is_sorted:
            self.stream_state.pop("progress_markers", None)

    def _read_top(self, context: dict | None) -> Iterator[dict]:
        bound = self.lower_bound(context)
        high = self.now()
        self.parents.open(self.name, bound, whole="time_ranges" not in self.stream_state)  # resumed ranges: a part
        rows: Iterable[dict] = self.rows_since(bound, high=high, own=True)
        if bound is not None and "_sdc_deleted_at" in self.schema["properties"]:
            key = self.replication_key or "modifiedTime"
            markers = sorted(delete_markers(self.client, self.name, bound, high, key), key=lambda m: m[key])
            rows = heapq.merge(rows, markers, key=lambda r: self.key_value(r) or "") if self.is_sorted \
                else chain(self._markers_once(markers, key, high), rows)
        yield from rows
        self.stream_state.pop("deletes_at", None)
        self.parents.close(self.name)

    def _markers_once(self, markers: list[dict], key: str, high: datetime) -> Iterator[dict]:
        """Delete markers ahead of an unsorted read (a record restored since then comes after its
        marker), streamed; ``deletes_at`` keeps how far they went: a resumed read emits only the markers
        at or after it (once all are out: the instant after this read's high end)."""
        state = self.stream_state
        done = state.get("deletes_at")
        for marker in markers:
            if done is None or marker[key] >= done:
                state["deletes_at"] = marker[key]
                yield marker
        state["deletes_at"] = to_zoho_time(high + timedelta(milliseconds=1))

    def start_bound(self) -> datetime | None:
        """``start_date`` less the look-back, or None."""
        start = self.config.get("start_date")
        if not start:
            return None
        return parse_zoho_time(start) - timedelta(seconds=float(self.config.get("lookback_seconds") or 0))

    def lower_bound(self, context: dict | None) -> datetime | None:
        if not self.replication_key:
            return None
        start = self.get_starting_timestamp(context)
        if start is None:
            return None
        lookback = float(self.config.get("lookback_seconds") or 0)
        mark = self.stream_state.get("replication_key_value")
        after = start_after(self.stream_state, mark, DONE, lookback)  # the bookmark's instant is finished
        if after is not None and after - ONE_MS == start:  # (a later start_date wins as before)
            return after
        return start - timedelta(seconds=lookback)

    # -- reading without side effects -----------------------------------------------------
    def rows_for_others(self, since: datetime | None, extra: Filters | None) -> tuple[Iterator[dict], bool]:
        """This object's rows changed since ``since`` for a child's read (nothing emitted, no state
        touched), and whether they come in key order (search windows: a child then visits each parent
        as it is read, and its resume points move from the first page on)."""
        filters = {**self.user_filters(), **(extra or {})}
        return self.rows_since(since, extra=extra), bool(self.replication_key) and self.reads_search_windows(filters)

    def rows_since(self, bound: datetime | None, *, parents_since: datetime | None = None,
                   extra: Filters | None = None, high: datetime | None = None,
                   progress=None, own: bool = False) -> Iterator[dict]:
        """This object's rows whose replication key is >= ``bound`` (all when None), under the
        configured filters plus ``extra`` (filters pushed down by a child); ``own``: the stream's
        own read, which keeps resume points in its state (any other read touches none).

        For a child object ``parents_since`` selects the parents visited (default: bound)."""
        spec = self.spec
        filters = {**self.user_filters(), **(extra or {})}
        high = high or self.now()
        if spec.read.details_of and not filters:  # the sibling read these rows this run: only the detail calls remain
            same_key = BY_STREAM[spec.read.details_of].key == self.replication_key
            read = self.parents.cached(spec.read.details_of, bound if same_key else None)
            if read is not None:
                yield from (r for r in self.client.map(self.with_detail, read) if same_key or self._keep(r, bound))
                return
        kind = choose(spec, filters)
        if kind == CHILD:
            since = parents_since if parents_since is not None else bound
            rows: Iterable[dict] = self.child_rows(since, bound, filters, progress)
        elif kind == BY_ID:
            rows = self.by_ids(filters["id"], {})
        elif kind == SEARCH:
            rows = self.search_rows(bound, high, filters, own=own)
        else:
            rows = self.list_rows(bound, high, filters)
        if self.reads_each_record:
            rows = self.client.map(self.with_detail, rows)
            if spec.parent and bound is not None:
                rows = (r for r in rows if self._keep(r, bound))
        yield from rows
