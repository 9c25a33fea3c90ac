"""Counters of a parent's children that only the parent's own GET answers.

A ticket's search row counts its threads and comments, not its attachments, followers, time
entries, approvals or tags (catalog ``Parent.detail_counter``); GET tickets/{id} counts them all.
Where such a counter is at hand and says 0, the child list is not asked for (it would answer 204):

- when tickets_extended (the detail stream of tickets) is selected, its answers are read anyway:
  their counters are kept (SQLite, by parent id, memory stays flat) as its rows go by, for the
  children read after it;
- otherwise a child read GETs the parent's detail first only when that is expected to be cheaper:
  the empty lists it saves (for each of these children still to read that parent, the share of
  its lists found empty so far this run, from counters and from answers, 1/2 before any) must
  outnumber the one call it costs. So with one such child selected it never does; with two or more
  it does while the data bears it out, and stops when most lists turn out not to be empty.
A counter that is missing (deselected, absent from the answer, not a count) never means 0: the
list is asked for.
"""

from __future__ import annotations

import json
import threading
from collections import Counter
from typing import TYPE_CHECKING

from tap_zohodesk.api.catalog import BY_STREAM, OBJECTS
from tap_zohodesk.api.client import ZohoDeskClient, ZohoDeskError
from tap_zohodesk.api.errors import GONE
from tap_zohodesk.scratch import ScratchDb

if TYPE_CHECKING:
    from tap_zohodesk.api.catalog import ObjectSpec

ORDER = {spec.stream: n for n, spec in enumerate(OBJECTS)}


def counted_children(parent: str) -> list[ObjectSpec]:
    """Child objects of ``parent`` whose count only the parent's GET carries, in sync order."""
    return [s for s in OBJECTS if s.parent and s.parent.stream == parent and s.parent.detail_counter]


class DetailCounters:
    """The detail counters of this run's parents, and whether a detail GET is worth its call."""

    def __init__(self, selected: set[str]):
        self.selected = selected
        self._scratch = ScratchDb("counters")
        self._lock = threading.Lock()
        self._tables: set[str] = set()
        self.zeros: Counter[str] = Counter()  # child stream -> parents seen with none of its records
        self.seen: Counter[str] = Counter()  # child stream -> parents seen
        self.fetched = 0  # detail GETs made for counters

    def _children(self, parent: str) -> list[ObjectSpec]:
        return [s for s in counted_children(parent) if s.stream in self.selected]

    def note(self, name: str, row: dict) -> None:
        """A row emitted by stream ``name``: keep its counters if it is a parent's detail answer."""
        parent = BY_STREAM[name].read.details_of if name in BY_STREAM and BY_STREAM[name].read.extended else None
        if parent and row.get("id") and self._children(parent):
            self._keep(parent, row)

    def _keep(self, parent: str, body: dict) -> dict:
        counts = {s.parent.detail_counter: body.get(s.parent.detail_counter) for s in self._children(parent)}
        counts = {k: v for k, v in counts.items() if v is not None}
        for child in self._children(parent):
            value = counts.get(child.parent.detail_counter)
            if value is not None and str(value).isdigit():
                self.observe(child.stream, str(value) == "0")
        with self._lock:
            table = f"counts_{parent}"
            if table not in self._tables:
                self._scratch.db.execute(f"create table {table} (id text primary key, data text)")
                self._tables.add(table)
            self._scratch.db.execute(f"insert or replace into {table} values (?, ?)",
                                     (str(body["id"]), json.dumps(counts)))
        return counts

    def _known(self, parent: str, parent_id: str) -> dict | None:
        table = f"counts_{parent}"
        with self._lock:
            if table not in self._tables:
                return None
            found = self._scratch.db.execute(f"select data from {table} where id = ?", (str(parent_id),)).fetchone()
        return json.loads(found[0]) if found else None

    def none_for(self, spec: ObjectSpec, parent: dict, client: ZohoDeskClient) -> bool | None:
        """Whether the parent's detail counter says it has no ``spec`` records (a GET of the
        parent's detail first, when worth it); None when no counter tells (then the caller asks
        for the list and ``observe``s its answer)."""
        counter = spec.parent.detail_counter
        value = parent.get(counter)
        if value is None:
            counts = self._known(spec.parent.stream, parent["id"])
            if counts is None and self._worth_a_detail(spec):
                counts = self._fetch(spec, parent, client)
            value = (counts or {}).get(counter)
        if value is None or not str(value).isdigit():
            return None  # missing or not a count: never taken for 0
        return str(value) == "0"

    def observe(self, child: str, empty: bool) -> None:
        with self._lock:
            self.seen[child] += 1
            self.zeros[child] += empty

    def _worth_a_detail(self, spec: ObjectSpec) -> bool:
        """One detail GET against the empty lists it is expected to save (module docstring)."""
        later = [s.stream for s in self._children(spec.parent.stream) if ORDER[s.stream] >= ORDER[spec.stream]]
        with self._lock:
            saved = sum((self.zeros[c] + 1) / (self.seen[c] + 2) for c in later)
        return saved > 1

    def _fetch(self, spec: ObjectSpec, parent: dict, client: ZohoDeskClient) -> dict | None:
        base = BY_STREAM[spec.parent.stream]
        values = {k: parent.get(f) for k, f in base.links.items()}
        where = base.read.one.format(**values, id=parent["id"])
        try:
            body = client.get(where, label=f"counters of {base.stream}")
        except ZohoDeskError as exc:
            if exc.kind == GONE:  # the parent is gone: the list call will say so
                return None
            raise
        if not isinstance(body, dict) or not body.get("id"):
            raise ZohoDeskError(f"{spec.stream}: GET /{where} answered no record")
        with self._lock:
            self.fetched += 1
        return self._keep(base.stream, body)

    def discard(self) -> None:
        with self._lock:
            self._scratch.close()
            self._tables.clear()
