"""Benchmark: what a quiet run reads after a bulk update at the bookmark's instant.

python -m benchmarks.instants [--only tickets|children]

- tickets: 12,000 tickets given one modifiedTime (a mass edit), read by a first run;
- children: 300 tickets likewise, with their threads and comments.
Then a quiet run (nothing changed) from the first run's state, twice: "before", the state without
the finished-instant notes (instants.py), which reads as the tap did before them (the window
starts at the bookmark, inclusive; children visit the parents at their watermark), and "after",
the state as written. Printed: the quiet run's records per stream and its calls per endpoint.
"""

from __future__ import annotations

import argparse
import copy
import time
from collections import Counter

from tap_zohodesk.instants import DONE, PARENT_DONE
from tests.emulator import Emulator
from tests.helpers import run_tap


def without_notes(state: dict) -> dict:
    out = copy.deepcopy(state)
    for marks in out.get("bookmarks", {}).values():
        marks.pop(DONE, None)
        marks.pop(PARENT_DONE, None)
    return out


def quiet_runs(tickets: int, seed: int, streams: list[str]) -> None:
    with Emulator(tickets=tickets, seed=seed) as emu:
        ids = list(emu.store.tables["tickets"].by_id)
        emu.store.touch("tickets", ids, at_once=True, subject="bulk")
        time.sleep(1.1)  # a moment later (Zoho's Date header has whole seconds)
        first = run_tap(emu.config(), streams=streams)
        print(f"  first run: {', '.join(f'{len(first.records[s]):,} {s}' for s in streams)}")
        for label, state in (("before", without_notes(first.state)), ("after", first.state)):
            emu.reset_counts()
            started = time.monotonic()
            quiet = run_tap(emu.config(), streams=streams, state=state)
            took = time.monotonic() - started
            calls = Counter(entry["route"] for entry in emu.log if "organizationFields" not in entry["route"])
            records = ", ".join(f"{len(quiet.records[s]):,} {s}" for s in streams)
            per_route = ", ".join(f"{n:,} {route}" for route, n in calls.most_common())
            print(f"  quiet run {label}: {records}; {sum(calls.values()):,} calls ({per_route or 'none'}); "
                  f"{took:.2f}s")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--only", choices=("tickets", "children"))
    args = parser.parse_args()
    if args.only in (None, "tickets"):
        print("12,000 tickets at one instant")
        quiet_runs(12_000, 3, ["tickets"])
    if args.only in (None, "children"):
        print("300 tickets at one instant, with threads and comments")
        quiet_runs(300, 11, ["tickets", "threads", "ticket_comments"])


if __name__ == "__main__":
    main()
