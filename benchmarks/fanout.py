"""Benchmark: how close the tap's reads come to the ideal ``calls x latency / max_concurrency``.

python -m benchmarks.fanout [--only ranges|children|calls]

- ranges: a first read of 20,000 tickets at 100 ms, max_concurrency 5 (parallel time ranges);
- children: tickets + threads, 2,000 tickets at 100 ms, max_concurrency 5 and 10;
- calls: all streams at 1,000 tickets: calls, repeated identical requests, 4xx answers, and how
  many calls answered 204 (an empty list).
The tap runs as a child process (benchmarks.targets); ``span`` is the time from the first API call
to the last answer, ``start-up`` the rest of the wall time (process start, imports, catalog, end).
"""

from __future__ import annotations

import argparse
import tempfile
from collections import Counter
from pathlib import Path

from benchmarks.targets import Emulator, spanned_run
from tap_zohodesk.api.catalog import OBJECTS
from tests.helpers import crowd_late, run_tap


def timed_run(emu: Emulator, streams: list[str], folder: Path, workers: int, latency: float) -> None:
    run = spanned_run(emu, streams, folder, workers, latency)
    span, ideal = run["span"], run["ideal"]
    print(f"  {'+'.join(streams)}, C={workers}: {run['records']:,} records, {run['calls']:,} calls, "
          f"wall {run['wall']:.2f}s = span {span:.2f}s + start-up {run['wall'] - span:.2f}s; "
          f"ideal {ideal:.2f}s: {ideal / span:.0%} of the ideal (span {span / max(ideal, 1e-9):.3f} x ideal)")


def ranges(folder: Path) -> None:
    for skewed in (False, True):
        print(f"first read, 20,000 tickets at 100 ms{', over half in the last fifth of the span' if skewed else ''}")
        with Emulator(tickets=20_000, seed=12, latency_ms=100) as emu:
            if skewed:
                crowd_late(emu)
            timed_run(emu, ["tickets"], folder, 5, 0.1)


def children(folder: Path) -> None:
    print("tickets + threads, 2,000 tickets at 100 ms")
    for workers in (5, 10):
        with Emulator(tickets=2_000, seed=11, latency_ms=100) as emu:
            timed_run(emu, ["tickets", "threads"], folder, workers, 0.1)


def calls() -> None:
    print("all streams at 1,000 tickets")
    with Emulator(tickets=1000, seed=7) as emu:
        emu.reset_counts()
        result = run_tap(emu.config(), streams=[s.stream for s in OBJECTS] + ["deleted_records"])
        keys = Counter((c["method"], c["path"], tuple(sorted(c["query"].items()))) for c in emu.log)
        repeated = sum(n - 1 for n in keys.values() if n > 1)
        empty = Counter(c["route"] for c in emu.log if c["status"] == 204)
        print(f"  {len(emu.log):,} calls, {repeated} repeated, {len(emu.errors())} 4xx, "
              f"{sum(empty.values()):,} answered 204; {sum(len(v) for v in result.records.values()):,} records")
        for route, n in empty.most_common(12):
            print(f"    204 x {n:>5}  {route}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=["ranges", "children", "calls"])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        if args.only in (None, "ranges"):
            ranges(Path(tmp))
        if args.only in (None, "children"):
            children(Path(tmp))
        if args.only in (None, "calls"):
            calls()


if __name__ == "__main__":
    main()
