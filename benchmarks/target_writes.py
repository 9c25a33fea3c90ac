"""Benchmark: target-zohodesk writes per second at injected latency; calls to delete tickets.

Inserts (new contacts), updates (existing contacts by id) and upserts (rows without id, half
of them existing, matched by email through contacts/search) at max_concurrency 1 and 5.

python -m benchmarks.target_writes [--latency-ms 100] [--records 100]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from tap_zohodesk.api.catalog import BY_STREAM
from tests.emulator import Emulator
from tests.helpers import run_target, singer_lines
from tests.test_target import open_schema


def _records(kind: str, emu: Emulator, n: int) -> list[dict]:
    contacts = emu.store.tables["contacts"].rows
    if kind == "inserts":
        return [{"lastName": f"Bench{i}", "email": f"bench{i}@x.example"} for i in range(n)]
    if kind == "updates":
        return [{"id": contacts[i % len(contacts)]["id"], "lastName": f"Updated{i}"} for i in range(n)]
    old = [{"lastName": f"Upsert{i}", "email": c["email"]} for i, c in enumerate(contacts[:n // 2])]
    return old + [{"lastName": f"Upsert{i}", "email": f"upsert{i}@x.example"} for i in range(n - len(old))]


def measure(kind: str, concurrency: int, latency_ms: float, n: int) -> str:
    with Emulator(tickets=600, latency_ms=latency_ms) as emu, tempfile.TemporaryDirectory() as tmp:
        extra = {"upsert_keys": {"contacts": ["email"]}} if kind == "upserts" else {}
        config = emu.config(max_concurrency=concurrency, results_path=str(Path(tmp) / "r.jsonl"),
                            journal_path=str(Path(tmp) / "j.sqlite"), **extra)
        records = _records(kind, emu, n)
        started = time.monotonic()
        results = run_target(config, singer_lines("contacts", open_schema(BY_STREAM["contacts"]), records))
        seconds = time.monotonic() - started
        ok = sum(r["status"] == "ok" for r in results)
        ops = {op: sum(r["operation"] == op for r in results) for op in ("INSERT", "UPDATE")}
        return (f"{kind:<8} max_concurrency {concurrency}: {ok}/{n} ok in {seconds:5.1f}s = {ok / seconds:5.1f} "
                f"writes/s at {latency_ms:.0f} ms ({ops['INSERT']} inserts, {ops['UPDATE']} updates, "
                f"{sum(emu.calls.values())} API calls, peak in flight {emu.peak_in_flight})")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--latency-ms", type=float, default=100)
    parser.add_argument("--records", type=int, default=100)
    args = parser.parse_args()
    for kind in ("inserts", "updates", "upserts"):
        for concurrency in (1, 5):
            print(measure(kind, concurrency, args.latency_ms, args.records), flush=True)
    with Emulator(tickets=300) as emu, tempfile.TemporaryDirectory() as tmp:
        ids = [t["id"] for t in emu.store.tables["tickets"].rows[:250]]
        config = emu.config(results_path=str(Path(tmp) / "r.jsonl"), journal_path=str(Path(tmp) / "j.sqlite"),
                            max_delete_ratio=1)  # 250 of 300 tickets: past the default delete guard
        run_target(config, singer_lines("tickets", open_schema(BY_STREAM["tickets"]),
                                        [{"id": i, "_sdc_deleted_at": "2026-01-01T00:00:00Z"} for i in ids]))
        print(f"deleting 250 tickets: {sum(emu.calls.values())} API calls "
              f"({emu.calls['POST /tickets/moveToTrash']} x POST /tickets/moveToTrash)")


if __name__ == "__main__":
    main()
