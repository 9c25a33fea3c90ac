"""Benchmark: full and incremental ticket sync against the emulator; prints numbers.

python -m benchmarks.sync_speed --tickets 100000 [--latency-ms 0]
"""

from __future__ import annotations

import argparse
import time

from tests.emulator import Emulator
from tests.helpers import run_tap


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--latency-ms", type=float, default=0)
    parser.add_argument("--start-date", default=None, help="use search windows from this date")
    args = parser.parse_args()

    started = time.monotonic()
    with Emulator(tickets=args.tickets, latency_ms=args.latency_ms) as emu:
        print(f"seeded {args.tickets} tickets in {time.monotonic() - started:.1f}s")
        config = emu.config()
        if args.start_date:
            config["start_date"] = args.start_date

        def timed(label: str, state: dict | None):
            emu.reset_counts()
            t0 = time.monotonic()
            result = run_tap(config, streams=["tickets"], state=state)
            seconds = time.monotonic() - t0
            n = len(result.records["tickets"])
            print(f"{label:>11}: {n} tickets in {seconds:.2f}s ({n / seconds:,.0f}/s), "
                  f"{result.stats['calls']} API calls, {result.stats['credits_used']} credits")
            return result

        full = timed("full", None)
        emu.store.touch("tickets", [r["id"] for r in emu.store.tables["tickets"].rows[:25]])
        timed("incremental", full.state)

if __name__ == "__main__":
    main()
