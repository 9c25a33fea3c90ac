"""Which streams of a sync match the emulator's store exactly (benchmarks/targets.py, fanout.py).

A stream is exact when its primary keys are those of its table's rows, and for a child, of the rows
whose parent the parent stream emitted (a trashed ticket's metrics are no record; an archived
ticket's threads live in the threads table but belong to ``archived_ticket_threads``).
"""

from __future__ import annotations

from tap_zohodesk.api.catalog import BY_STREAM


def table_of(stream: str, tables: dict) -> str | None:
    """The emulator table holding a stream's rows (archived children share the live ones' table)."""
    name = stream.removesuffix("_extended")
    if name not in tables and name.startswith("archived_ticket_"):
        name = name.replace("archived_ticket_", "ticket_")
        name = "threads" if name == "ticket_threads" else name
    return name if name in tables else None


def expected_keys(stream: str, tables: dict, records: dict) -> list[tuple] | None:
    spec = BY_STREAM[stream]
    table = table_of(stream, tables)
    if table is None:
        return None
    rows = tables[table].rows
    if spec.parent is not None:
        parents = {r["id"] for r in records.get(spec.parent.stream, [])}
        rows = [r for r in rows if r.get(spec.parent.key) in parents]
    return sorted(tuple(str(r.get(k)) for k in spec.primary_key) for r in rows)


def inexact(records: dict, tables: dict) -> tuple[list[str], int]:
    """(the streams whose keys differ from the store's, how many streams were compared)."""
    differ, compared = [], 0
    for stream, rows in records.items():
        if stream not in BY_STREAM or (want := expected_keys(stream, tables, records)) is None:
            continue
        compared += 1
        got = sorted(tuple(str(r.get(k)) for k in BY_STREAM[stream].primary_key) for r in rows)
        if got != want:
            differ.append(f"{stream} ({len(got):,} vs {len(want):,})")
    return differ, compared
