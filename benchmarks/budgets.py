"""Benchmark: budgets that progress, and a first sync with delete markers that streams.

(a) tickets + threads at N tickets under ``max_api_credits``: the smallest budget the tap accepts
    (one page of tickets and the threads list of each of its rows), then, for that budget and a few
    larger ones, how many runs (STATE passed along) until no stream is stopped by the budget, and
    whether every ticket and thread arrived; then the same under Zoho's daily credits (``--daily``),
    the day turning between runs (nothing refuses those at start: they must progress all the same);
(b) a first sync of M tickets with ``emit_deletes`` and ``start_date``, the tap in its own process:
    seconds to the first record, seconds in all, and the tap's peak resident memory; then a first sync
    of 3,000 tickets killed 3 times at random records, resumed from its STATE: records emitted again.

python -m benchmarks.budgets [--tickets 5000] [--first-sync 20000] [--runs 200] [--daily 90] [--part a|b|both]
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

from benchmarks.kills import run_killed
from tap_zohodesk.tap import TapZohoDesk
from tests.emulator import Emulator
from tests.helpers import catalog_for, run_tap

STREAMS = ["tickets", "threads"]


class _Stops(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.stopped = False

    def emit(self, record: logging.LogRecord) -> None:
        self.stopped |= record.getMessage().startswith("Stopped at the credit budget")


def smallest_budget(emu: Emulator) -> int:
    """The least max_api_credits the tap takes for tickets + threads (it refuses less at start, saying so)."""
    from tap_zohodesk.estimate import budget_too_small

    streams = TapZohoDesk(config=emu.config(), catalog=catalog_for(emu.config(), STREAMS),
                          parse_env_config=False).streams
    low, high = 1, 100_000
    while low < high:
        middle = (low + high) // 2
        if budget_too_small(streams, middle):
            low = middle + 1
        else:
            high = middle
    return low


def runs_to_finish(tickets: int, budget: int, most: int, *, daily: bool = False) -> None:
    """Runs of tickets + threads under ``budget`` (max_api_credits, or Zoho's daily credits when
    ``daily``: the day turns between runs; 8 more a day pay the harness's discovery calls)."""
    with Emulator(tickets=tickets, seed=61) as emu:
        live = set(emu.store.tables["tickets"].by_id)
        threads = {r["id"] for r in emu.store.tables["threads"].rows if r["ticketId"] in live}
        got: dict[str, set] = {s: set() for s in STREAMS}
        state: dict = {}
        credits = runs = 0
        started = time.perf_counter()
        while runs < most:
            runs += 1
            stops = _Stops()
            logging.getLogger().addHandler(stops)
            try:
                if daily:
                    emu.daily.per_day = budget + 8
                    emu.daily.resets_in(0)
                config = emu.config(**({} if daily else {"max_api_credits": budget}))
                result = run_tap(config, streams=STREAMS, state=state)
            finally:
                logging.getLogger().removeHandler(stops)
            state = result.state
            credits += result.stats.get("credits_used", 0)
            for stream in STREAMS:
                got[stream] |= set(result.ids(stream))
            if not stops.stopped:
                break
        whole = got["tickets"] == live and got["threads"] == threads
        what = "Zoho's daily credits" if daily else "max_api_credits"
        print(f"  {what} {budget:>6,}: {runs:>4} runs{' (gave up)' if stops.stopped else ''}, "
              f"{credits:,} credits in all, {time.perf_counter() - started:.1f} s; tickets {len(got['tickets']):,}"
              f"/{len(live):,}, threads {len(got['threads']):,}/{len(threads):,}: "
              f"{'all read' if whole else 'NOT ALL READ'}")


def _peak_rss(proc: subprocess.Popen, peak: list[int]) -> None:
    """The process's resident high-water mark (kB, /proc VmHWM), sampled until it ends."""
    while proc.poll() is None:
        try:
            text = Path(f"/proc/{proc.pid}/status").read_text()
        except OSError:
            return
        for line in text.splitlines():
            if line.startswith("VmHWM:"):
                peak[0] = max(peak[0], int(line.split()[1]))
        time.sleep(0.05)


def first_sync(tickets: int) -> None:
    """The tap in its own process (as a pipeline runs it): the first RECORD line's arrival, the whole
    run, and the process's peak resident memory."""
    with Emulator(tickets=tickets, seed=62) as emu, tempfile.TemporaryDirectory() as folder:
        config = emu.config(emit_deletes=True, start_date="2020-01-01T00:00:00Z", max_concurrency=5)
        paths = {name: Path(folder) / f"{name}.json" for name in ("config", "catalog")}
        paths["config"].write_text(json.dumps(config))
        paths["catalog"].write_text(json.dumps(catalog_for(config, ["tickets"])))
        started = time.perf_counter()
        proc = subprocess.Popen([sys.executable, "-c", "from tap_zohodesk.tap import main; main()", "--config",
                                 str(paths["config"]), "--catalog", str(paths["catalog"])],
                                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                                env={**os.environ, "TMPDIR": folder})
        peak = [0]
        sampler = threading.Thread(target=_peak_rss, args=(proc, peak), daemon=True)
        sampler.start()
        first, records = None, 0
        for line in proc.stdout:
            if '"RECORD"' in line[:30]:
                records += 1
                first = first or time.perf_counter()
        proc.wait()
        seconds = time.perf_counter() - started
        sampler.join()
        peak_mb = peak[0] / 1024
    print(f"  first sync of {tickets:,} tickets, emit_deletes + start_date: {records:,} records, first record at "
          f"{(first or started) - started:.1f} s of {seconds:.1f} s, tap peak RSS {peak_mb:.0f} MB")


def killed_first_sync(tickets: int, kills: int) -> None:
    """The same first sync killed (SIGKILL) ``kills`` times at random records, each run resumed from the
    last STATE it wrote: records emitted again, and whether any was lost."""
    with Emulator(tickets=tickets, seed=63) as emu, tempfile.TemporaryDirectory() as folder:
        config = emu.config(emit_deletes=True, start_date="2020-01-01T00:00:00Z", max_concurrency=5)
        paths = {name: Path(folder) / f"{name}.json" for name in ("config", "catalog", "state")}
        paths["config"].write_text(json.dumps(config))
        paths["catalog"].write_text(json.dumps(catalog_for(config, ["tickets"])))
        wanted = set(emu.store.tables["tickets"].by_id) | {
            e["id"] for e in emu.store.recycle_bin if e["module"] == "tickets"}
        points = sorted(random.Random(20261206).sample(range(200, len(wanted) - 200), kills))
        seen: Counter[str] = Counter()
        state: dict = {}
        emitted = 0
        for point in [*points, None]:  # killed once ``point`` records have come out in all
            kill_at = None if point is None else max(1, point - emitted)
            state, count = run_killed(paths, state, lambda stream, record: seen.update([record["id"]]), kill_at,
                                      Path(folder))
            emitted += count
        again = sum(seen.values()) - len(seen)
    print(f"  the same first sync of {tickets:,} tickets killed {kills} times: {again:,} records emitted again, "
          f"{len(wanted - set(seen)):,} lost of {len(wanted):,}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tickets", type=int, default=5000)
    parser.add_argument("--first-sync", type=int, default=20000)
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--daily", type=int, default=90, help="Zoho's daily credits for the last (a) line")
    parser.add_argument("--part", choices=["a", "b", "both"], default="both")
    args = parser.parse_args()
    logging.disable(logging.INFO)
    if args.part in ("a", "both"):
        with Emulator(tickets=20, seed=61) as emu:
            least = smallest_budget(emu)
        print(f"(a) tickets + threads at {args.tickets:,} tickets: the smallest max_api_credits taken is {least:,} "
              f"(less is refused at start, saying so)")
        for budget in (least, 2 * least, 5 * least):
            runs_to_finish(args.tickets, budget, args.runs)
        runs_to_finish(args.tickets, args.daily, args.runs, daily=True)
    if args.part in ("b", "both"):
        print("(b)")
        first_sync(args.first_sync)
        killed_first_sync(3000, 3)


if __name__ == "__main__":
    main()
