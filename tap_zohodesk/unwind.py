"""Nested arrays as tables of their own (config ``unwind_nested``, off by default).

Each path a catalog row lists in ``Read.unwind`` (an array of objects in its records, such as
``tickets.sharedDepartments`` or ``business_hours.associatedHolidayList.holidays``) becomes the
stream ``<parent>__<path in snake_case>``, right after its parent in the catalog, which is the
order streams sync in. One row per element: the element's properties, the parent's primary key as
``_parent_<field>``, ``_position`` (the element's index; with the parent key, the primary key),
the parent's bookmark value as ``_parent_<key>`` (the replication key; the stream is full table
when its parent is) and ``_sdc_deleted_at``.

- A parent emitted this run replaces its rows: every element is emitted, and each position it no
  longer has, from its length up to the longest array earlier runs have seen (``max_length`` in
  the stream's state; nothing past it was ever emitted, so a first run marks nothing), is a delete
  marker (``_sdc_deleted_at``: the parent's ``modifiedTime``, else the run's start). A parent
  emitted as deleted (``emit_deletes``) marks every position. A row
  that lacks the path is left alone (unknown, not empty); a null on the way
  (``associatedHolidayList: null``) is an empty array.
- No row of a parent this run did not emit is touched, so nothing is deleted that was not re-read.
  A full-table parent is emitted whole every run, and so is its unwound stream.
- Memory stays flat: while the parent syncs, the elements go to a SQLite file in the temp folder,
  only for selected unwound streams (one table each, one row per parent: a parent emitted twice
  keeps its latest version); the unwound stream reads them back when its turn comes, and drops them.
- What the parent's read of this run did not cover, the unwound stream reads itself (the parent's
  rows, not emitted): when the parent or the path is not selected, and when a parent with a bookmark
  read from later than ``covered_to`` (the latest parent value unwound, in the stream's state): a
  stream just turned on, or a run stopped between the parent and this stream. When the parent's
  read noted its bookmark's instant finished and every parent at ``covered_to`` was unwound from
  such a read (``covered_instant_done``, instants.py), both start past that instant. Child parents
  (comments, threads) are taken as they come: what their incremental read skips, their sweep brings.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Iterator
from datetime import datetime, timezone
from itertools import chain
from typing import TYPE_CHECKING, Any

from tap_zohodesk.api.client import BudgetSpent, ZohoDeskError, parse_zoho_time, to_zoho_time
from tap_zohodesk.api.rows import MODIFIED, ObjectSpec, unwound_name
from tap_zohodesk.api.schema_files import types_of
from tap_zohodesk.flattening import FlatteningSafeStream
from tap_zohodesk.instants import COVERED_DONE, DONE, start_after
from tap_zohodesk.records import PrunedRecordMessages
from tap_zohodesk.recycle import delete_markers
from tap_zohodesk.unwound_rows import DELETED

if TYPE_CHECKING:
    from singer_sdk import Tap

    from tap_zohodesk.run import RunContext

POSITION = "_position"


def _parent_fields(spec: ObjectSpec) -> tuple[str, ...]:
    """The parent's fields each unwound row carries as ``_parent_<field>``: its key, its bookmark."""
    return (*spec.primary_key, *((spec.key,) if spec.key else ()))


def unwound_schema(spec: ObjectSpec, parent: dict, path: str) -> dict:
    """The schema of ``spec``'s unwound ``path``, from the parent's schema ``parent``."""
    node: dict = parent
    for part in path.split("."):
        node = (node.get("properties") or {}).get(part) or {}
    items = node.get("items") or {}
    if "array" not in types_of(node) or "object" not in types_of(items) or not items.get("properties"):
        raise ValueError(f"catalog row {spec.stream}: unwind path {path!r} is not an array of objects in its schema")
    fields = {f"_parent_{name}": parent["properties"][name] for name in _parent_fields(spec)}
    clash = (set(fields) | {POSITION, DELETED}) & set(items["properties"])
    if clash:
        raise ValueError(f"catalog row {spec.stream}: unwind path {path!r} has properties named {sorted(clash)}")
    props = {**fields, POSITION: {"type": ["integer"]}, **items["properties"],
             DELETED: {"type": ["string", "null"], "format": "date-time"}}
    return {"type": "object", "properties": copy.deepcopy(props), "additionalProperties": False}


class UnwoundStream(PrunedRecordMessages, FlatteningSafeStream):
    """One nested array of a catalog row's records as a stream (see the module docstring)."""

    def __init__(self, tap: Tap, spec: ObjectSpec, path: str, parent_schema: dict, run: RunContext):
        self.parent_spec, self.path, self.parts = spec, path, tuple(path.split("."))
        super().__init__(tap, schema=unwound_schema(spec, parent_schema, path), name=unwound_name(spec.stream, path))
        self.primary_keys = [*(f"_parent_{k}" for k in spec.primary_key), POSITION]
        self.replication_key = f"_parent_{spec.key}" if spec.key else None
        self.selected_by_default = not spec.opt_in
        self.run = run

    @property
    def unwinds(self) -> str:
        """The stream whose rows this one unwinds (how the run's store of elements knows it)."""
        return self.parent_spec.stream

    @property
    def parent(self):
        return self.run.unwound.streams[self.parent_spec.stream]

    @property
    def fed(self) -> bool:
        """Whether the parent's own read brings the elements: the parent and the path are selected."""
        parent, crumb = self.parent, ()
        if not parent.selected:
            return False
        for part in self.parts:
            crumb = (*crumb, "properties", part)
            if not parent.mask[crumb]:
                return False
        return True

    def post_process(self, row: dict, context: dict | None = None) -> dict | None:
        self.prune(row)
        if self.run.report is not None:
            self.run.report.record(self.name)
        return row

    def get_records(self, context: dict | None) -> Iterable[dict[str, Any]]:
        run = self.run
        if run.report is not None:
            run.report.start_stream(self.name)
        try:
            since, owed = self._owed()
            if owed and not run.stopped_by_budget:
                self._read_parents(since)
            yield from self._unwind(advance=not owed or not run.stopped_by_budget)
        except BudgetSpent as exc:  # the read of our own stopped: next run reads from covered_to again
            run.stopped_by_budget = (self.name, str(exc))
        except ZohoDeskError as exc:  # likewise, and the run goes on (fatal kinds are raised)
            run.stream_error(self.name, self.parent_spec, exc, self.logger)
        finally:
            run.unwound.drop(self.name)
            if run.report is not None:
                run.report.end_stream()

    def _owed(self) -> tuple[datetime | None, bool]:
        """(since when the parent's rows are owed, whether this stream must read them itself)."""
        spec = self.parent_spec
        mark = self.stream_state.get("covered_to")
        since = parse_zoho_time(mark) if mark else (self.parent.start_bound() if spec.key else None)
        if mark:  # every parent at covered_to unwound, the parent's read starts past it: so may this one
            lookback = float(self.config.get("lookback_seconds") or 0)
            since = start_after(self.stream_state, mark, COVERED_DONE, lookback) or since
        read = self.run.parents.reads.get(spec.stream)  # (low, whole) of the parent's read of this run
        if not self.fed or read is None:
            return since, True
        if spec.parent or not spec.key:  # children are taken as they come; full-table parents are read whole
            return since, False
        low, whole = read
        return since, not (whole and (low is None or (since is not None and low <= since)))

    def _read_parents(self, since: datetime | None) -> None:
        spec, parent = self.parent_spec, self.parent
        self.logger.info("%s: reading the %s rows changed since %s itself (its read of this run does not bring "
                         "them all)", self.name, spec.stream, to_zoho_time(since) if since else "the start")
        rows: Iterable[dict] = parent.rows_since(since)
        if since is not None and DELETED in parent.schema["properties"]:
            high = parent.client.zoho_now()
            rows = chain(rows, delete_markers(parent.client, spec.stream, since, high, spec.key or ""))
        for row in rows:
            if spec.key and not row.get(spec.key):
                row[spec.key] = parent.key_value(row)
            self.run.unwound.add(self, row)

    def _unwind(self, *, advance: bool) -> Iterator[dict]:
        spec, state, kept = self.parent_spec, self.stream_state, self.run.unwound
        before = int(state.get("max_length") or 0)  # no position at or past this ever went downstream
        longest = max(before, kept.longest(self.name))
        now = to_zoho_time(datetime.now(timezone.utc))
        top = state.get("covered_to")
        for keys, rep, deleted, items in kept.rows(self.name):
            base = {f"_parent_{k}": v for k, v in zip(spec.primary_key, keys, strict=True)}
            if spec.key:
                base[f"_parent_{spec.key}"] = rep
                if rep and (top is None or parse_zoho_time(rep) > parse_zoho_time(top)):
                    top = rep
            for position, element in enumerate(items):
                yield {**(element if isinstance(element, dict) else {}), **base, POSITION: position, DELETED: None}
            gone = deleted or (rep if spec.mode == MODIFIED else None) or now
            for position in range(len(items), before):
                yield {**base, POSITION: position, DELETED: gone}
        state["max_length"] = longest
        if advance and top:
            state["covered_to"] = top
            if top == self.parent.stream_state.get(DONE):  # the parent read that instant whole (instants.py)
                state[COVERED_DONE] = top
            else:
                state.pop(COVERED_DONE, None)
