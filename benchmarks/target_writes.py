"""Benchmark: target-zohodesk writes per second at injected latency; calls to delete tickets.

python -m benchmarks.target_writes [--latency-ms 100] [--records 100]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from tap_zohodesk.catalog import BY_STREAM
from tests.emulator import Emulator
from tests.helpers import run_target, singer_lines
from tests.test_target import open_schema


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--latency-ms", type=float, default=100)
    parser.add_argument("--records", type=int, default=100)
    args = parser.parse_args()
    schema = open_schema(BY_STREAM["contacts"])
    for concurrency in (1, 5):
        with Emulator(tickets=300, latency_ms=args.latency_ms) as emu, tempfile.TemporaryDirectory() as tmp:
            config = emu.config(max_concurrency=concurrency, results_path=str(Path(tmp) / "r.jsonl"),
                                journal_path=str(Path(tmp) / "j.sqlite"))
            records = [{"lastName": f"Bench{i}", "email": f"bench{i}@x.example"} for i in range(args.records)]
            started = time.monotonic()
            results = run_target(config, singer_lines("contacts", schema, records))
            seconds = time.monotonic() - started
            ok = sum(r["status"] == "ok" for r in results)
            print(f"max_concurrency {concurrency}: {ok} inserts in {seconds:.1f}s = {ok / seconds:.1f} writes/s "
                  f"at {args.latency_ms:.0f} ms latency (peak in flight {emu.peak_in_flight})")
    with Emulator(tickets=300) as emu, tempfile.TemporaryDirectory() as tmp:
        ids = [t["id"] for t in emu.store.tables["tickets"].rows[:250]]
        config = emu.config(results_path=str(Path(tmp) / "r.jsonl"), journal_path=str(Path(tmp) / "j.sqlite"))
        run_target(config, singer_lines("tickets", open_schema(BY_STREAM["tickets"]),
                                        [{"id": i, "_sdc_deleted_at": "2026-01-01T00:00:00Z"} for i in ids]))
        print(f"deleting 250 tickets: {sum(emu.calls.values())} API calls "
              f"({emu.calls['POST /tickets/moveToTrash']} x POST /tickets/moveToTrash)")


if __name__ == "__main__":
    main()
