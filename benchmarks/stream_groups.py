"""Benchmark: records and API calls per stream group, full run then incremental after a small change.

python -m benchmarks.stream_groups [--tickets 1000]
"""

from __future__ import annotations

import argparse
import time
from collections import Counter

from tap_zohodesk.api.catalog import OBJECTS
from tests.emulator import Emulator
from tests.helpers import run_tap

GROUPS = {
    "tickets + children": lambda s: s.stream.startswith(("ticket", "thread", "jira")) or s.stream == "tags",
    "archived tickets + children": lambda s: s.stream.startswith("archived"),
    "contacts/accounts/contracts/products + children": lambda s: s.stream.split("_")[0] in (
        "contacts", "contact", "accounts", "account", "contracts", "contract", "products", "product"),
    "tasks/calls/events + children": lambda s: s.stream.split("_")[0] in (
        "tasks", "task", "calls", "call", "events", "event"),
    "knowledge base + help center": lambda s: s.stream.startswith(("article", "kb_", "help_center")),
}


def group_of(stream: str) -> str:
    spec = next(s for s in OBJECTS if s.stream == stream)
    return next((name for name, test in GROUPS.items() if test(spec)), "org, people, settings, recycle bin")


def calls_by_group(log: list[dict]) -> Counter:
    out: Counter = Counter()
    for call in log:
        path = call["path"].removeprefix("/api/v1/")
        match = next((s.stream for s in OBJECTS if _matches(s, path)), None)
        out[group_of(match) if match else "discovery (custom fields) / recycle bin"] += 1
    return out


def _matches(spec, path: str) -> bool:
    import re

    for template in (spec.read.path, spec.read.one, spec.read.search or "\0"):
        if re.fullmatch(re.sub(r"\{\w+\}", r"\\d+", template), path):
            return True
    return False


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tickets", type=int, default=1000)
    args = parser.parse_args()
    streams = [s.stream for s in OBJECTS if not s.read.extended] + ["deleted_records"]
    with Emulator(tickets=args.tickets) as emu:
        runs = []
        t0 = time.monotonic()
        full = run_tap(emu.config(), streams=streams)
        runs.append(("full", full, calls_by_group(emu.log), time.monotonic() - t0))
        tickets = emu.store.tables["tickets"].rows
        emu.store.touch("tickets", [t["id"] for t in tickets[:5]])
        emu.store.touch("contacts", [c["id"] for c in emu.store.tables["contacts"].rows[:5]])
        emu.store.touch("tasks", [c["id"] for c in emu.store.tables["tasks"].rows[:2]])
        emu.reset_counts()
        t0 = time.monotonic()
        inc = run_tap(emu.config(), streams=streams, state=full.state)
        runs.append(("incremental", inc, calls_by_group(emu.log), time.monotonic() - t0))
    print(f"{args.tickets} tickets; 5 tickets, 5 contacts, 2 tasks touched between the runs")
    print(f"{'group':<50}{'full rec':>10}{'calls':>8}{'incr rec':>10}{'calls':>8}")
    names = list(GROUPS) + ["org, people, settings, recycle bin", "discovery (custom fields) / recycle bin"]
    for name in names:
        cells = []
        for _, result, calls, _ in runs:
            records = sum(len(v) for k, v in result.records.items() if k in [s.stream for s in OBJECTS]
                          and group_of(k) == name)
            cells += [records, calls[name]]
        print(f"{name:<50}{cells[0]:>10}{cells[1]:>8}{cells[2]:>10}{cells[3]:>8}")
    for label, result, calls, seconds in runs:
        print(f"{label}: {sum(len(v) for v in result.records.values())} records, {sum(calls.values())} calls, "
              f"{result.stats['credits_used']} credits, {seconds:.1f}s")


if __name__ == "__main__":
    main()
