"""Parent records handed from a parent stream to its child streams within one run.

Slim copies (ids, links, counters, time) of the rows a parent stream emits are kept, only when
a selected stream will use them, in a SQLite file in the temp folder, not in memory: memory
stays flat however many tickets a run reads. A child asking for parents changed since ``since``
is served from there when the parent's own read started at or before ``since``; otherwise the
parent is read again (without emitting anything) into the same kind of store, which every
other child asking no earlier then reuses. Rows come back in the parent's key order.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from tap_zohodesk.api.catalog import BY_STREAM, OBJECTS
from tap_zohodesk.api.client import to_zoho_time
from tap_zohodesk.counters import DetailCounters
from tap_zohodesk.scratch import ScratchDb

BATCH = 500


def needed_fields() -> dict[str, dict[str, frozenset[str]]]:
    """Parent stream -> {consumer stream: the fields it uses (ids, links, counters, time)}."""
    out: dict[str, dict[str, set[str]]] = {}
    for spec in OBJECTS:
        source = spec.parent.stream if spec.parent else spec.read.details_of
        if not source:
            continue
        base = BY_STREAM[source]
        fields = out.setdefault(source, {}).setdefault(spec.stream, {"id"} | ({base.key} - {None}))
        fields.update(spec.links.values() if spec.parent else spec.links)
        if spec.parent:
            fields.update({spec.parent.counter, spec.parent.detail_counter} - {None})
    return {k: {c: frozenset(f) for c, f in v.items()} for k, v in out.items()}


@dataclass
class _Cache:
    table: str
    low: datetime | None
    key: str | None
    fields: frozenset[str]
    complete: bool = False
    whole: bool = True  # False: a child stream's read of some parents' children only
    pending: list | None = None
    began: datetime | None = None  # this machine's time before the read that fills it began


class ParentRows:
    """The parent rows of this run, on disk (see the module docstring). Fed by two callables, so
    nothing here calls up into the streams: ``read(name, since, extra)`` reads a parent's rows
    again without emitting them (and says whether they come in key order), ``selected(name)`` says
    whether a consumer stream is selected; ``prefetch`` (prefetch.py) reads a child's lists ahead
    while its parent emits."""

    def __init__(self, read: Callable[[str, datetime | None, dict | None], tuple[Iterable[dict], bool]],
                 selected: Callable[[str], bool], prefetch: Any):
        self.read, self.selected = read, selected
        self.consumers = needed_fields()
        self.caches: dict[str, _Cache] = {}
        self.reads: dict[str, tuple[datetime | None, bool]] = {}  # stream -> (low, whole) of its emitting read
        self._scratch = ScratchDb("parents")
        self._lock = threading.Lock()
        self._serial = 0
        self.counters = DetailCounters({spec.stream for spec in OBJECTS if selected(spec.stream)})
        self.prefetch = prefetch

    def _fields(self, name: str) -> frozenset[str]:
        """What the selected consumers of ``name`` need (empty: nobody will ask)."""
        wanted = [f for c, f in self.consumers.get(name, {}).items() if self.selected(c)]
        return frozenset().union(*wanted) if wanted else frozenset()

    def _new(self, name: str, low: datetime | None, fields: frozenset[str], whole: bool) -> _Cache:
        with self._lock:
            self._serial += 1
            table = f"rows_{self._serial}"
            self._scratch.db.execute(f"create table {table} (k text, data text)")
        began = datetime.now(timezone.utc)
        return _Cache(table, low, BY_STREAM[name].key, fields, whole=whole, pending=[], began=began)

    def open(self, name: str, low: datetime | None, *, whole: bool = True) -> None:
        self.prefetch.start(name, set(self.reads))
        self.reads[name] = (low, whole)
        fields = self._fields(name)
        if fields:
            self.caches[name] = self._new(name, low, fields, whole)

    def remember(self, name: str, row: dict) -> None:
        self.counters.note(name, row)
        self.prefetch.offer(name, row)
        cache = self.caches.get(name)
        if cache is not None and not cache.complete:
            cache.pending.append(self._slim(cache, row))
            if len(cache.pending) >= BATCH:
                self._flush(cache)

    def close(self, name: str) -> None:
        self.prefetch.close(name)
        self.prefetch.done(name)
        cache = self.caches.get(name)
        if cache is not None:
            self._flush(cache)
            cache.complete = True

    def discard(self) -> None:
        """End of run: the file and its folder go (a scheduled pipeline leaves nothing behind)."""
        with self._lock:
            self._scratch.close()
            self.caches.clear()
        self.counters.discard()
        self.prefetch.discard()

    @staticmethod
    def _pick(cache: _Cache, row: dict) -> dict:
        return {k: row[k] for k in cache.fields if k in row}

    @staticmethod
    def _entry(cache: _Cache, slim: dict) -> tuple[str, str]:
        return (slim.get(cache.key) or "") if cache.key else "", json.dumps(slim)

    def _slim(self, cache: _Cache, row: dict) -> tuple[str, str]:
        return self._entry(cache, self._pick(cache, row))

    def _flush(self, cache: _Cache) -> None:
        if cache.pending:
            with self._lock:
                self._scratch.db.executemany(f"insert into {cache.table} values (?, ?)", cache.pending)
            cache.pending = []

    def _covers(self, cache: _Cache | None, since: datetime | None) -> bool:
        return bool(cache and cache.complete and cache.whole and (
            cache.low is None or (since is not None and cache.low <= since)))

    def _read(self, cache: _Cache, since: datetime | None) -> Iterator[dict]:
        query = f"select data from {cache.table}"
        args: tuple = ()
        if since is not None and cache.key:
            query, args = query + " where k = '' or k >= ?", (to_zoho_time(since),)
        with self._lock:
            cursor = self._scratch.db.execute(query + (" order by k, rowid" if cache.key else " order by rowid"), args)
        while True:
            with self._lock:
                chunk = cursor.fetchmany(BATCH)
            if not chunk:
                return
            for (data,) in chunk:
                yield json.loads(data)

    def began(self, name: str) -> datetime | None:
        """When the complete read of ``name`` that served the last ``rows`` began, or None."""
        cache = self.caches.get(name)
        return cache.began if cache is not None and cache.complete else None

    def cached(self, name: str, since: datetime | None) -> Iterator[dict] | None:
        """The rows of ``name`` this run read since ``since`` or earlier, or None (no fresh read)."""
        cache = self.caches.get(name)
        return self._read(cache, since) if self._covers(cache, since) else None

    def rows(self, name: str, since: datetime | None, extra: dict | None = None) -> Iterable[dict]:
        """Parent rows changed since ``since`` (all when None), in key order; ``extra``: filters a
        child pushes down (always a fresh, narrow read). A fresh read that comes in key order is
        handed on row by row as it is stored (the child's first parents are visited after the first
        page, so a run stopped mid-read still moved the child on); any other is stored whole first."""
        cache = self.caches.get(name)
        if not extra and self._covers(cache, since):
            return self._read(cache, since)
        fields = self._fields(name) or frozenset({"id"})
        fresh = self._new(name, since, fields, True)
        rows, ordered = self.read(name, since, extra)
        stored = self._store(name, fresh, rows, keep=not extra)
        if ordered:
            return stored
        for _ in stored:
            pass
        return self._read(fresh, None)

    def _store(self, name: str, fresh: _Cache, rows: Iterable[dict], *, keep: bool) -> Iterator[dict]:
        """Each row stored into ``fresh`` and handed on (slim); at the end ``fresh`` is complete and,
        when ``keep``, every other child of this parent asking no earlier reuses it."""
        for row in rows:
            slim = self._pick(fresh, row)
            fresh.pending.append(self._entry(fresh, slim))
            if len(fresh.pending) >= BATCH:
                self._flush(fresh)
            yield slim
        self._flush(fresh)
        fresh.complete = True
        if keep:
            self.caches[name] = fresh
