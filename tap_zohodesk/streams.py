"""One stream class for every catalog row: the policy in a few lines.

- Searchable objects are read through exact search windows (windows.py) in replication-key
  order, so the stream is declared sorted and the SDK's STATE after any page is a valid
  resume point; everything else keeps the SDK's safe default (resume from the last run).
- Other objects read their list (reading.py), children their parents' children
  (children.py); an ``id`` filter reads exactly that record. Which of these a read takes is its
  read plan (read_plans.py), chosen once from the row and the filters; this class keeps the SDK
  glue: state, bookmarks, a child's parent watermark and sweeps, post-processing.
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
from datetime import datetime, timedelta, timezone
from itertools import chain
from typing import TYPE_CHECKING, Any

from tap_zohodesk.api.catalog import BY_STREAM, FULL, ObjectSpec
from tap_zohodesk.api.client import BudgetSpent, ZohoDeskClient, ZohoDeskError, parse_zoho_time, to_zoho_time
from tap_zohodesk.api.sdk import tap_state
from tap_zohodesk.children import ChildLists
from tap_zohodesk.custom_fields import coerce_all
from tap_zohodesk.filters import plan_filters
from tap_zohodesk.flattening import FlatteningSafeStream
from tap_zohodesk.instants import DONE, ONE_MS, PARENT_DONE, VISITED, bookmark, note, note_visited, start_after
from tap_zohodesk.read_plans import exact, plan
from tap_zohodesk.reading import ReadInputs, Source, key_value
from tap_zohodesk.records import PrunedRecordMessages
from tap_zohodesk.recycle import delete_markers
from tap_zohodesk.run import RunContext

if TYPE_CHECKING:
    from singer_sdk import Tap

    from tap_zohodesk.filters import Filters


class ZohoDeskStream(PrunedRecordMessages, FlatteningSafeStream):
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
        self._lists: ChildLists | None = None

    @property
    def client(self) -> ZohoDeskClient:
        return self.run.client

    @property
    def parents(self):
        return self.run.parents

    def user_filters(self) -> Filters:
        return self.run.filters.get(self.name, {})

    @property
    def source(self) -> Source:
        """What this stream's reads read with (reading.py)."""
        return Source(self.client, self.spec, self.name, self.replication_key)

    @property
    def lists(self) -> ChildLists:
        """A child's list per parent (children.py), one for the run (prefetch.py reads ahead with it)."""
        if self._lists is None:
            self._lists = ChildLists(self.source, self.parents)
        return self._lists

    def key_value(self, row: dict) -> str | None:
        """The row's replication value, or its creation time when Zoho left that out."""
        return key_value(self.replication_key, row)

    @staticmethod
    def now() -> datetime:
        return datetime.now(timezone.utc)

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
                                       and ZohoDeskClient.max_concurrency(self.config) > 1)

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
        if self._lists is not None and self._lists.vanished:
            self.logger.info("%s: %d parents were deleted during the run; their children were skipped",
                             self.name, self._lists.vanished)

    def records(self, context: dict | None) -> Iterator[dict]:
        """What this stream emits in a run (get_records adds the run's bookkeeping)."""
        return self.read_as_child() if self.spec.parent else self._read_top(context)

    def _note_parent_instant(self, state: dict) -> None:
        """After a complete read: the watermark's instant is finished if every parent at it came from
        an exact read that began after Zoho's clock had passed it (instants.py)."""
        parent = self.spec.parent.stream
        began = self.parents.began(parent)
        if began is None or not exact(BY_STREAM[parent], self.run.filters.get(parent, {})):
            state.pop(PARENT_DONE, None)
            return
        note(state, PARENT_DONE, state.get("parent_watermark"), self.client, began)

    def read_as_child(self) -> Iterator[dict]:
        """Children of the parents this run owes (see children.py's docstring); keeps the state."""
        if self.spec.reads_every_parent:
            bound = None if self.spec.mode == FULL else self.lower_bound(None)
            self.parents.open(self.name, bound)
            yield from self.rows_since(bound, parents_since=None)
            self.parents.close(self.name)
            return
        state = self.stream_state
        key = BY_STREAM[self.spec.parent.stream].key or ""
        start = self.start_bound()
        now = self.now()
        mark, resume = state.get("parent_watermark"), state.get("sweep_from")
        last_sweep = state.get("last_full_sweep")
        days = float(self.config.get("child_sweep_days", 7) or 0)
        due = days > 0 and (last_sweep is None or now - parse_zoho_time(last_sweep) >= timedelta(days=days))
        sweeping = resume is not None or mark is None or due
        since = parse_zoho_time(resume) if resume else (start if sweeping else parse_zoho_time(mark))
        if not sweeping:  # parents at the watermark all visited by an earlier run: start past them (instants.py)
            since = start_after(state, mark, PARENT_DONE, float(self.config.get("lookback_seconds") or 0)) or since
        filtered = bool(self.user_filters())
        if sweeping and not filtered:
            state.setdefault("sweep_started", to_zoho_time(now))
            if resume is None:
                state.pop(VISITED, None)  # a new sweep visits every parent again

        def progress(parent: dict) -> None:
            value = parent.get(key)
            if value:
                if sweeping:
                    state["sweep_from"] = value
                if not state.get("parent_watermark") or value > state["parent_watermark"]:
                    state["parent_watermark"] = value
                note_visited(state, value, parent.get("id"))

        self.parents.open(self.name, start, whole=since == start and not filtered)
        yield from self.rows_since(start, parents_since=since, progress=None if filtered else progress)
        self.parents.close(self.name)
        if filtered:
            return  # a filtered read covers some parents only: it moves no watermark
        self._note_parent_instant(state)
        state.pop(VISITED, None)  # kept only for the resume of a stopped read
        if sweeping:
            state["last_full_sweep"] = state.pop("sweep_started", to_zoho_time(now))
            state.pop("sweep_from", None)
            if due and mark is not None:
                self.logger.info("%s: periodic sweep of every parent done", self.name)

    def keep_own_resume_points(self) -> None:
        """A read stopped before its end: the bookmark moves only as far as a sorted read got (the
        SDK's progress up to the last record); an unsorted one keeps what it had, plus the resume
        points the stream keeps itself (children's parent watermark, first-read ranges)."""
        if not self.is_sorted:
            self.stream_state.pop("progress_markers", None)

    def _read_top(self, context: dict | None) -> Iterator[dict]:
        bound = self.lower_bound(context)
        high = self.client.zoho_now()  # on Zoho's clock: a record it just wrote is inside the read
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
        high = high or self.client.zoho_now()
        detailed = self.reads_each_record
        read = ReadInputs(self.source, plan_filters(spec, filters), own=own, may_range=self.may_read_in_ranges,
                          state=self.stream_state if own or progress is not None else None,
                          include=self._detail_params() if detailed or spec.read.details_of else None,
                          parents=self.parents if spec.parent or spec.read.details_of else None,
                          lists=self.lists if spec.parent else None,
                          start=self.start_bound() if spec.parent else None,
                          parents_since=parents_since, progress=progress)
        yield from plan(read, detailed=detailed).rows(bound, high)

    def _detail_params(self) -> dict | None:
        """``include=`` for the side objects of the detail GET whose fields are selected (None: none)."""
        mask = self.mask
        asked = [value for value, name in self.spec.read.include.items() if mask.get(("properties", name), True)]
        return {"include": ",".join(asked)} if asked else None
