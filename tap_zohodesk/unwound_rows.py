"""The elements of nested arrays kept on disk for the unwound streams of one run (unwind.py).

While a parent syncs, each of its rows hands the arrays its selected unwound streams need to a
SQLite file in the temp folder (one table per stream, one row per parent: a parent emitted twice
keeps its latest version); the unwound stream reads them back when its turn comes and drops them.
The store knows the streams only by what they say of themselves (``unwinds``: the parent stream
they unwind; ``parts``, ``parent_spec``, ``name``, ``selected``, ``fed``), so it imports none.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from typing import Any

from tap_zohodesk.api.client import ZohoDeskError
from tap_zohodesk.scratch import ScratchDb

BATCH = 500
DELETED = "_sdc_deleted_at"


def elements(row: dict, parts: tuple[str, ...], where: str) -> list | None:
    """The array at ``parts`` in ``row``: [] where a null stands on the way, None where the row
    lacks a part (unknown: the parent's rows under it are left as they are)."""
    value: Any = row
    for part in parts:
        if value is None:
            return []
        if not isinstance(value, dict) or part not in value:
            return None
        value = value[part]
    if value is None:
        return []
    if not isinstance(value, list):
        raise ZohoDeskError(f"{where}: record {row.get('id')!r} has {'.'.join(parts)} = {str(value)[:60]!r}, "
                            "not an array")
    return value


class UnwoundRows:
    """The parents' elements of this run on disk, per selected unwound stream (module docstring)."""

    def __init__(self, streams: dict[str, Any]):
        self.streams = streams
        self._plans: dict[str, list[Any]] = {}
        self._pending: dict[str, list[tuple]] = {}
        self._tables: dict[str, str] = {}
        self._scratch = ScratchDb("unwind")
        self._lock = threading.Lock()

    def take(self, name: str, row: dict) -> None:
        """A row stream ``name`` emits (after its pruner): its elements are kept for the selected
        unwound streams that its read feeds."""
        plan = self._plans.get(name)
        if plan is None:
            plan = self._plans[name] = [s for s in self.streams.values() if getattr(s, "unwinds", None) == name
                                        and s.selected and s.fed]
        for stream in plan:
            self.add(stream, row)

    def add(self, stream: Any, row: dict) -> None:
        spec = stream.parent_spec
        deleted = row.get(DELETED)
        items = [] if deleted else elements(row, stream.parts, spec.stream)
        if items is None:
            return
        pending = self._pending.setdefault(stream.name, [])
        pending.append((json.dumps([row.get(k) for k in spec.primary_key]), row.get(spec.key) if spec.key else None,
                        deleted, len(items), json.dumps(items)))
        if len(pending) >= BATCH:
            self._flush(stream.name)

    def _table(self, name: str) -> str:
        with self._lock:
            if name not in self._tables:
                self._tables[name] = table = f"unwound_{len(self._tables) + 1}"
                self._scratch.db.execute(f"create table {table} (k text primary key, rep text, deleted text, "
                                         "n integer, items text)")
            return self._tables[name]

    def _flush(self, name: str) -> str:
        table, pending = self._table(name), self._pending.pop(name, [])
        if pending:
            with self._lock:
                self._scratch.db.executemany(f"insert or replace into {table} values (?, ?, ?, ?, ?)", pending)
        return table

    def longest(self, name: str) -> int:
        """The longest array kept for ``name`` (0: none)."""
        table = self._flush(name)
        with self._lock:
            return int(self._scratch.db.execute(f"select coalesce(max(n), 0) from {table}").fetchone()[0])

    def rows(self, name: str) -> Iterator[tuple[list, str | None, str | None, list]]:
        """(parent key values, bookmark value, deleted at, elements) of each parent kept for ``name``."""
        table = self._flush(name)
        with self._lock:
            cursor = self._scratch.db.execute(f"select k, rep, deleted, items from {table} order by rowid")
        while True:
            with self._lock:
                chunk = cursor.fetchmany(BATCH)
            if not chunk:
                return
            for key, rep, deleted, items in chunk:
                yield json.loads(key), rep, deleted, json.loads(items)

    def drop(self, name: str) -> None:
        """Forget what was kept for ``name``; the file goes with the last table."""
        self._pending.pop(name, None)
        table = self._tables.pop(name, None)
        if table is not None:
            with self._lock:
                self._scratch.db.execute(f"drop table {table}")
                if not self._tables:
                    self._scratch.close()

    def discard(self) -> None:
        """End of run, also a failed one: the file and its folder go."""
        with self._lock:
            self._pending.clear()
            self._tables.clear()
            self._scratch.close()
