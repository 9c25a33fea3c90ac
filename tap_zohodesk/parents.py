"""Parent records handed from a parent stream to its child streams within one run."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from tap_zohodesk.catalog import BY_STREAM, OBJECTS
from tap_zohodesk.client import parse_zoho_time

if TYPE_CHECKING:
    from tap_zohodesk.streams import ZohoDeskStream


def needed_fields() -> dict[str, frozenset[str]]:
    """Parent stream -> the fields its children use (ids, links, counters, time)."""
    out: dict[str, set[str]] = {}
    for spec in OBJECTS:
        if spec.parent:
            parent = BY_STREAM[spec.parent]
            fields = out.setdefault(spec.parent, {"id"} | ({parent.replication_key} - {None}))
            fields.update(spec.links.values())
            if spec.count_field:
                fields.add(spec.count_field)
    return {k: frozenset(v) for k, v in out.items()}


@dataclass
class _Cache:
    low: datetime | None
    rows: list[dict] = field(default_factory=list)
    complete: bool = False
    whole: bool = True  # False: a child stream's read of some parents' children only


class ParentRows:
    """Slim copies of the parent rows a stream emitted this run, reused by its children.

    A child asking for parents changed since ``since`` is served from the cache when the
    parent's own read started at or before ``since``; otherwise the parent is read again
    (without emitting anything)."""

    def __init__(self, streams: dict[str, ZohoDeskStream]):
        self.streams = streams
        self.fields = needed_fields()
        self.caches: dict[str, _Cache] = {}

    def open(self, name: str, low: datetime | None, *, whole: bool = True) -> None:
        if name in self.fields:
            self.caches[name] = _Cache(low, whole=whole)

    def close(self, name: str) -> None:
        if name in self.caches:
            self.caches[name].complete = True

    def remember(self, name: str, row: dict) -> None:
        cache = self.caches.get(name)
        if cache is not None and not cache.complete:
            cache.rows.append(self._slim(name, row))

    def _slim(self, name: str, row: dict) -> dict:
        return {k: row[k] for k in self.fields[name] if k in row}

    def rows(self, name: str, since: datetime | None, extra: dict | None = None) -> list[dict]:
        """Parent rows changed since ``since`` (all when None); ``extra``: filters a child
        pushes down (always a fresh, narrow read)."""
        cache = self.caches.get(name)
        key = BY_STREAM[name].replication_key
        covers = cache and cache.complete and cache.whole and (
            cache.low is None or (since is not None and cache.low <= since))
        if extra or not covers:
            rows = [self._slim(name, r) for r in self.streams[name].rows_since(since, extra=extra)]
            if not extra:  # every other child of this parent asking no earlier reuses this read
                self.caches[name] = _Cache(since, rows, complete=True)
            return rows
        if since is None or not key:
            return cache.rows
        return [r for r in cache.rows if not r.get(key) or parse_zoho_time(r[key]) >= since]
