"""Benchmark: the tap killed (SIGKILL) again and again while agents edit, with Zoho's clock off.

For each clock (Zoho's the same, 10 minutes ahead, 10 minutes behind): tickets + threads + comments
of N tickets; a first sync, then incremental runs, each killed at a random record and resumed from
the last STATE it emitted, while a thread edits tickets (one by one, and 50 at one instant, as a
mass update does). After the kills, clean runs until one emits nothing (5 at most).
Printed per clock: kills, records emitted, emitted again per stream (the same id at the same
modification time: a re-read; a child list is read whole whenever its ticket changed), and lost:
a ticket whose latest version was never emitted, a thread or comment of a live ticket never emitted.

python -m benchmarks.kills [--tickets 2000] [--kills 8] [--clocks 0,600,-600]
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import random
import subprocess
import sys
import tempfile
import threading
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from tests.emulator import Emulator
from tests.helpers import catalog_for

STREAMS = ["tickets", "threads", "ticket_comments"]


class Seen:
    """What the runs emitted: each ticket's latest modification time, every child id, re-reads."""

    def __init__(self) -> None:
        self.latest: dict[str, str] = {}
        self.children: set[tuple[str, str]] = set()
        self.versions: Counter = Counter()
        self.emitted = 0

    def take(self, stream: str, record: dict) -> None:
        self.emitted += 1
        self.versions[(stream, record["id"], record.get("modifiedTime") or record.get("createdTime"))] += 1
        if stream == "tickets":
            self.latest[record["id"]] = max(self.latest.get(record["id"], ""), record["modifiedTime"])
        else:
            self.children.add((stream, record["id"]))

    def again(self) -> str:
        """Versions emitted more than once, per stream (a child list is read whole with its parent)."""
        by: Counter = Counter()
        for (stream, _, _), n in self.versions.items():
            by[stream] += n - 1
        return ", ".join(f"{stream} {n:,}" for stream, n in sorted(by.items()))


def run_killed(files: dict[str, Path], state: dict, take: Callable[[str, dict], None], kill_at: int | None,
               scratch: Path) -> tuple[dict, int]:
    """One tap run (config, catalog and state files in ``files``) from ``state``, each record handed to
    ``take(stream, record)``; killed (SIGKILL) after ``kill_at`` records (None: to its end), as a crash
    would. (The last STATE it wrote, records.)"""
    files["state"].write_text(json.dumps(state))
    proc = subprocess.Popen(
        [sys.executable, "-c", "from tap_zohodesk.tap import main; main()", "--config", str(files["config"]),
         "--catalog", str(files["catalog"]), "--state", str(files["state"])],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env={**os.environ, "TMPDIR": str(scratch)})
    count = 0
    assert proc.stdout is not None
    for line in proc.stdout:
        message = json.loads(line)
        if message["type"] == "STATE":
            state = message["value"]
        elif message["type"] == "RECORD":
            take(message["stream"], message["record"])
            count += 1
            if kill_at is not None and count >= kill_at:
                proc.kill()
                break
    proc.wait(timeout=600)
    return state, count


def _editor(emu: Emulator, stop: threading.Event, rng: random.Random) -> None:
    """An agent at work: a ticket edited, now and then 50 at one instant, a thread added."""
    ids = list(emu.store.tables["tickets"].by_id)
    while not stop.wait(0.01):
        pick = rng.random()
        if pick < 0.05:
            emu.store.touch("tickets", rng.sample(ids, 50), at_once=True, status="On Hold")
        elif pick < 0.9:
            emu.store.touch("tickets", [rng.choice(ids)], priority=rng.choice(["High", "Low"]))


def _lost(emu: Emulator, seen: Seen) -> int:
    live = emu.store.tables["tickets"].by_id
    lost = sum(seen.latest.get(i) != t["modifiedTime"] for i, t in live.items())
    for stream in ("threads", "ticket_comments"):
        lost += sum((stream, r["id"]) not in seen.children for r in emu.store.tables[stream].rows
                    if r["ticketId"] in live)
    return lost


def one_clock(skew: float, tickets: int, kills: int, folder: Path) -> str:
    rng = random.Random(20261206)
    with Emulator(tickets=tickets, seed=5, clock_skew=skew) as emu:
        files = {name: folder / f"{name}.json" for name in ("config", "catalog", "state")}
        files["config"].write_text(json.dumps(emu.config(max_concurrency=5)))
        files["catalog"].write_text(json.dumps(catalog_for(emu.config(), STREAMS)))
        scratch = folder / "tmp"
        scratch.mkdir(exist_ok=True)
        seen, state, stop = Seen(), {}, threading.Event()
        editor = threading.Thread(target=_editor, args=(emu, stop, rng), daemon=True)
        editor.start()
        try:
            for _ in range(kills):
                state, _ = run_killed(files, state, seen.take, rng.randint(50, 3 * tickets), scratch)
        finally:
            stop.set()
            editor.join()
        runs = 0
        while True:  # clean runs: the last one finds nothing new
            state, count = run_killed(files, state, seen.take, None, scratch)
            runs += 1
            if count == 0 or runs >= 5:
                break
        return (f"Zoho's clock {skew:+5.0f} s: {kills} kills, then {runs} clean runs; {seen.emitted:,} records "
                f"emitted, emitted again: {seen.again()}; {_lost(emu, seen)} lost "
                f"({len(emu.store.tables['tickets'].by_id):,} tickets)")


def main() -> None:
    options = argparse.ArgumentParser(description="kills under edits, per clock")
    for flag, default in (("--tickets", 2000), ("--kills", 8)):
        options.add_argument(flag, type=int, default=default)
    options.add_argument("--clocks", default="0,600,-600", help="Zoho's clock ahead of ours, in seconds")
    args = options.parse_args()
    for skew in (float(s) for s in args.clocks.split(",")):
        with tempfile.TemporaryDirectory() as folder, contextlib.redirect_stderr(io.StringIO()):
            line = one_clock(skew, args.tickets, args.kills, Path(folder))  # (a killed tap's reset connections)
        print(line, flush=True)

if __name__ == "__main__":
    main()
