"""The in-memory store the emulator serves: tables with their indexes, and the operations
tests use to change data as Zoho would (touch, bulk update, add / edit / remove a child,
move to the recycle bin). Times are Zoho's ``YYYY-MM-DDTHH:MM:SS.mmmZ``; ``Store.now()`` is
strictly increasing. Seeding lives in seed_core.py, seed_org.py, seed_kb.py, seed_tickets.py
and seed_children.py (every comment, attachment, follower and time-entry table, from one table).
"""

from __future__ import annotations

import bisect
import threading
import time
from datetime import datetime, timezone

ORG_ID = "60012345678"  # the one emulated org
EPOCH = datetime(2024, 1, 1, tzinfo=timezone.utc).timestamp()
GRID = 900  # modification times are multiples of 15 minutes: ties on purpose


def zoho_time(ts: float) -> str:
    seconds, millis = divmod(int(round(ts * 1000)), 1000)
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds)) + f".{millis:03d}Z"


class Table:
    """Rows of one object in list order, an id index, and a (modifiedTime, id) index."""

    def __init__(self, name: str, time_key: str | None = "modifiedTime"):
        self.name = name
        self.time_key = time_key
        self.rows: list[dict] = []
        self.by_id: dict[str, dict] = {}
        self._sorted: list[tuple[str, str]] | None = None
        self._index: dict[str, dict[str, list[dict]]] = {}

    def add(self, row: dict) -> dict:
        self.rows.append(row)
        if "id" in row:
            self.by_id[row["id"]] = row
        self.changed()
        return row

    def remove(self, row_id: str) -> dict | None:
        row = self.by_id.pop(row_id, None)
        if row is not None:
            self.rows.remove(row)
            self.changed()
        return row

    def remove_row(self, row: dict) -> None:
        """Remove this very row (association tables repeat ids: a tag on many tickets)."""
        self.rows[:] = [r for r in self.rows if r is not row]
        if self.by_id.get(row.get("id")) is row:
            del self.by_id[row["id"]]
            for other in self.rows:
                if other.get("id") == row["id"]:
                    self.by_id[row["id"]] = other
        self.changed()

    def changed(self) -> None:
        self._sorted = None
        self._index.clear()

    def where(self, field: str, value: str) -> list[dict]:
        """Rows whose ``field`` equals ``value``, in list order (index built on first use)."""
        index = self._index.get(field)
        if index is None:
            index = {}
            for row in self.rows:
                index.setdefault(row.get(field), []).append(row)
            self._index[field] = index
        return index.get(value, [])

    def time_range(self, key: str, low: str, high: str) -> list[dict]:
        """Rows whose ``key`` lies in [low, high], sorted by (key, id)."""
        if key != self.time_key:
            rows = [r for r in self.rows if r.get(key) and low <= r[key] <= high]
            return sorted(rows, key=lambda r: (r[key], r["id"]))
        return LazyRows(self, *self._bounds(low, high))

    def _bounds(self, low: str, high: str) -> tuple[int, int]:
        if self._sorted is None:
            self._sorted = sorted((r[self.time_key], r["id"]) for r in self.rows if r.get(self.time_key))
        keys = self._sorted
        return bisect.bisect_left(keys, (low, "")), bisect.bisect_right(keys, (high, "\uffff"))


class LazyRows:
    """A sorted window of a table, materialised only for the slice asked for."""

    def __init__(self, table: Table, lo: int, hi: int):
        self.table, self.lo, self.hi = table, lo, hi

    def __len__(self) -> int:
        return self.hi - self.lo

    def __getitem__(self, item: slice) -> list[dict]:
        start, stop, _ = item.indices(len(self))
        keys = self.table._sorted[self.lo + start:self.lo + stop]
        return [self.table.by_id[i] for _, i in keys]

    def __iter__(self):
        return iter(self[:])


class Store:
    """All tables of one emulated org, with the operations tests use to change data."""

    def __init__(self) -> None:
        self.tables: dict[str, Table] = {}
        self.recycle_bin: list[dict] = []
        self.lock = threading.RLock()
        self._fields: dict[str, frozenset[str]] = {}
        self._clock = 0.0
        self.skew = 0.0  # seconds the service's clock is ahead of this machine's (negative: behind)
        self._next_id = 1893000000000000  # above every seeded id

    def table(self, name: str) -> Table:
        if name not in self.tables:
            self.tables[name] = Table(name)
        return self.tables[name]

    def fields(self, name: str) -> frozenset[str]:
        """The fields records of this table carry (their seeded shape, kept when the table empties)."""
        known = self._fields.get(name)
        if known is None:
            rows = self.table(name).rows
            known = frozenset().union(*(r.keys() for r in rows[:50])) if rows else frozenset()
            if known:
                self._fields[name] = known
        return known

    def new_id(self) -> str:
        with self.lock:
            self._next_id += 1
            return str(self._next_id)

    def now(self) -> str:
        """Current time in Zoho format; strictly increasing between calls."""
        with self.lock:
            ts = max(datetime.now(timezone.utc).timestamp() + self.skew, self._clock + 0.001)
            self._clock = ts
            return zoho_time(ts)

    def add_child(self, table: str, row: dict, *, parent_table: str, parent_key: str,
                  count_field: str | None = None, bump_parent: bool = True) -> dict:
        """Add a child record (comment, thread, ...) the way the service would; whether the
        parent's modifiedTime moves is the open question, hence ``bump_parent``."""
        with self.lock:
            parent = self.tables[parent_table].by_id[row[parent_key]]
            row.setdefault("id", self.new_id())
            self.table(table).add(row)
            if count_field:
                parent[count_field] = str(int(parent.get(count_field) or 0) + 1)
            if bump_parent:
                parent["modifiedTime"] = self.now()
            self.tables[parent_table].changed()
            return row

    def change_child(self, table: str, row: dict, *, parent_table: str, parent_key: str,
                     count_field: str | None = None, bump_parent: bool = True, remove: bool = False,
                     **changes: object) -> dict:
        """Edit (``changes``, its ``modifiedTime`` moves when it has one) or ``remove`` a child
        record; the parent's ``modifiedTime`` moves with ``bump_parent`` (the open question)."""
        with self.lock:
            parent = self.tables[parent_table].by_id[row[parent_key]]
            if remove:
                self.table(table).remove_row(row)
                if count_field:
                    parent[count_field] = str(max(0, int(parent.get(count_field) or 0) - 1))
            else:
                row.update(changes)
                if "modifiedTime" in row:
                    row["modifiedTime"] = self.now()
                self.table(table).changed()
            if bump_parent:
                parent["modifiedTime"] = self.now()
            self.tables[parent_table].changed()
            return row

    def trash(self, stream: str, record_id: str, *, deleted_by: dict, when: str | None = None,
              module: str | None = None, parent: str | None = None) -> dict:
        """Move a record to the recycle bin, as moveToTrash does (``parent``: the id of the record
        it went to the bin with, as a ticket's attachment goes with its ticket)."""
        with self.lock:
            self.fields(stream)
            row = self.tables[stream].remove(record_id)
            name = (row.get("subject") or row.get("accountName") or row.get("contractName")
                    or row.get("productName") or " ".join(filter(None, [row.get("firstName"), row.get("lastName")])))
            entry = {
                "id": record_id, "module": module or stream, "type": (module or stream).capitalize(),
                "displayName": name,
                "departmentId": row.get("departmentId"), "deletedById": deleted_by["id"],
                "deletedBy": {"id": deleted_by["id"], "name": deleted_by.get("name"),
                              "photoURL": deleted_by.get("photoURL")},
                "deletedTime": when or self.now(), "record": row, "table": stream, "parentId": parent,
            }
            self.recycle_bin.append(entry)
            return entry

    def restore(self, record_id: str, *, with_children: bool, kept_days: int) -> list[str] | None:
        """Bring a record back from the recycle bin to its table, with the parent it was trashed
        with, and with its children when asked (Postman collection: ``isChildNeedToBeRestored``);
        the ids restored, or None when the bin has no such record (never there, or older than
        ``kept_days``: purged)."""
        with self.lock:
            cutoff = zoho_time(datetime.now(timezone.utc).timestamp() - kept_days * 86400)
            self.recycle_bin[:] = [e for e in self.recycle_bin if e["deletedTime"] >= cutoff]
            entry = next((e for e in self.recycle_bin if e["id"] == record_id), None)
            if entry is None:
                return None
            chain = [entry]
            while chain[-1].get("parentId"):
                parent = next((e for e in self.recycle_bin if e["id"] == chain[-1]["parentId"]), None)
                if parent is None:
                    break
                chain.append(parent)
            if with_children:
                chain += [e for e in self.recycle_bin if e.get("parentId") == record_id]
            for item in chain:
                self.recycle_bin.remove(item)
                row = item["record"]
                if "modifiedTime" in row:  # [U] whether a restore moves it; here it does, as any change
                    row["modifiedTime"] = self.now()
                self.table(item["table"]).add(row)
            return [item["id"] for item in chain]

    def touch(self, stream: str, ids: list[str], *, at_once: bool = False, **changes: object) -> list[dict]:
        """Modify records as an agent would: apply ``changes``, bump modifiedTime (one instant
        for all of them with ``at_once``, as a bulk update or a workflow rule does)."""
        with self.lock:
            table = self.tables[stream]
            out = []
            instant = self.now() if at_once else None
            for row_id in ids:
                row = table.by_id[row_id]
                row.update(changes)
                row["modifiedTime"] = instant or self.now()
                out.append(row)
            table.changed()
            return out
