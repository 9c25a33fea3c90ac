"""Benchmark: the performance and credit targets, each printed beside its reference.

python -m benchmarks.targets [--quick] [--only SECTION ...] [--markdown]

--quick keeps the 20,000-ticket syncs and the 1,000-ticket bulk update, leaves out the 100,000-ticket
parallel sync and shrinks the memory sizes; --markdown ends with the README's Performance table
built from the run.

The emulator runs in this process; the tap and the reference loops run as child processes,
measured with os.wait4 (wall seconds, CPU seconds, peak RSS). The CPU reference is a plain
requests + json loop replaying exactly the GET calls the tap made, in the same run, on one
connection: what the pages cost without the tap around them; beside it, a bare singer-sdk tap over
the same calls (benchmarks/sdk_floor.py): what the SDK alone costs. Parallel reads are measured by
their span, from the tap's first API call to its last answer, against calls x latency / workers.
"""

from __future__ import annotations

import argparse
import gc
import json
import math
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from benchmarks.exact import inexact
from tap_zohodesk.api.catalog import OBJECTS
from tests.emulator import Emulator as _Emulator
from tests.helpers import catalog_for, run_tap

# Peak memory is the child's own high-water mark after exec (VmHWM): ru_maxrss would count the
# pages of this process, which holds the emulator, as they stood when the child was forked.
HIGH_WATER = ("import atexit, os; atexit.register(lambda: open(os.environ['HWM_FILE'], 'w').write(next("
              "x for x in open('/proc/self/status') if x.startswith('VmHWM')).split()[1])); ")
class Emulator(_Emulator):
    """The emulator with its seeded store out of the garbage collector's sight while it serves:
    collections scanning a million rows would stall its answers (not the tap's doing)."""

    def start(self):
        gc.collect()
        gc.freeze()
        return super().start()

    def stop(self) -> None:
        super().stop()
        gc.unfreeze()


TAP = [sys.executable, "-c", HIGH_WATER + "from tap_zohodesk.tap import main; main()"]
REPLAY = [sys.executable, "-c", HIGH_WATER + "from benchmarks.replay import main; main()"]
SDK_FLOOR = [sys.executable, "-c", HIGH_WATER + "from benchmarks.sdk_floor import main; main()"]


def run_child(argv: list[str], stdout=subprocess.DEVNULL) -> dict:
    started = time.monotonic()
    with tempfile.NamedTemporaryFile() as mark:
        env = {**os.environ, "HWM_FILE": mark.name}
        proc = subprocess.Popen(argv, stdout=stdout, stderr=subprocess.DEVNULL, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
        if os.waitstatus_to_exitcode(status):
            raise SystemExit(f"{argv} failed with exit {os.waitstatus_to_exitcode(status)}")
        peak_kb = int(Path(mark.name).read_text() or 0)
    return {"wall": time.monotonic() - started, "cpu": usage.ru_utime + usage.ru_stime, "rss_mb": peak_kb / 1024}


def tap_run(emu: Emulator, streams: list[str], folder: Path, *, state: dict | None = None, **config) -> dict:
    (folder / "config.json").write_text(json.dumps(emu.config(**config)))
    (folder / "catalog.json").write_text(json.dumps(catalog_for(emu.config(), streams)))
    (folder / "state.json").write_text(json.dumps(state or {}))
    emu.reset_counts()
    credits_before = emu.credits_left
    out = folder / "out.jsonl"
    with out.open("w") as sink:
        measured = run_child([*TAP, "--config", str(folder / "config.json"), "--catalog", str(folder / "catalog.json"),
                              "--state", str(folder / "state.json")], stdout=sink)
    last_state = {}
    records = 0
    for line in out.read_text().splitlines():
        if line.startswith('{"type":"STATE"'):
            last_state = json.loads(line)["value"]
        elif line.startswith('{"type":"RECORD"'):
            records += 1
    gets = [c for c in emu.log if c["method"] == "GET"]
    (folder / "calls.json").write_text(json.dumps([[c["path"], c["query"]] for c in gets]))
    return {**measured, "records": records, "calls": len(gets), "state": last_state,
            "credits": credits_before - emu.credits_left, "errors": len(emu.errors())}


def replay(emu: Emulator, folder: Path, argv: list[str] = REPLAY, *extra: str) -> dict:
    (folder / "replay.json").write_text(json.dumps(emu.config()))
    return run_child([*argv, str(folder / "replay.json"), str(folder / "calls.json"), *extra])


ROWS: list[tuple[str, str, str, bool]] = []  # every measure of the run, for --markdown


def line(name: str, got: str, target: str, ok: bool, detail: str = "") -> None:
    """Print one measure beside its target; ``detail`` goes in the table only. An indented name
    belongs to the measure above it (the table names that one too)."""
    if name.startswith(" ") and ROWS:
        row_name = f"{ROWS[-1][0].split(':')[0]}: {name.strip()}"
    else:
        row_name = name
    ROWS.append((row_name, f"{got} {detail}".strip(), target, ok))
    print(f"{name:<58}{got:>34}   {'ok ' if ok else 'MISS'}  target {target}", flush=True)


def markdown() -> str:
    """The README's Performance table: one row per measure, its figure beside its target."""
    out = ["| measure | got | target |", "|---|---|---|"]
    for name, got, target, ok in ROWS:
        out.append(f"| {name} | {got} | {target}{'' if ok else ': **missed**'} |")
    return "\n".join(out)


def full_sync(n: int, folder: Path) -> None:
    with Emulator(tickets=n, seed=9) as emu:
        run = tap_run(emu, ["tickets"], folder, max_concurrency=1)
        credits = run["credits"]
        line(f"full sync of {n:,} tickets: calls", f"{run['calls']:,}", f"<= {math.ceil(n / 100) + 2:,}",
             run["calls"] <= math.ceil(n / 100) + 2)
        line("  credits per 100 tickets", f"{credits / n * 100:.2f}", "<= 3.1", credits / n * 100 <= 3.1)
        plain = replay(emu, folder)
        # What start-up alone costs each (imports, catalog, no page): the rest is the pages' share.
        tap_start = run_child([*TAP, "--config", str(folder / "config.json"), "--about"])["cpu"]
        plain_start = run_child([sys.executable, "-c", "import json, requests"])["cpu"]
        tap_pages, plain_pages = run["cpu"] - tap_start, plain["cpu"] - plain_start
        line(f"  CPU vs a plain requests+json loop over the same {run['calls']:,} pages",
             f"{run['cpu']:.2f}s vs {plain['cpu']:.2f}s = {run['cpu'] / plain['cpu']:.2f}x", "<= 1.2x",
             run["cpu"] <= 1.2 * plain["cpu"], f"(start-up {tap_start:.2f}s vs {plain_start:.2f}s; the pages "
             f"{tap_pages:.2f}s vs {plain_pages:.2f}s = {tap_pages / plain_pages:.2f}x)")
        print(f"    of which start-up {tap_start:.2f}s vs {plain_start:.2f}s; the pages {tap_pages:.2f}s vs "
              f"{plain_pages:.2f}s = {tap_pages / plain_pages:.2f}x (printed, no target)")
        # The SDK's own share: a bare singer-sdk tap replaying the same calls (benchmarks/sdk_floor.py).
        sdk_import = run_child([sys.executable, "-c", "import singer_sdk, requests"])["cpu"]
        bare, least = replay(emu, folder, SDK_FLOOR)["cpu"], replay(emu, folder, SDK_FLOOR, "none")["cpu"]
        line("  CPU vs a bare singer-sdk tap over the same pages", f"{run['cpu']:.2f}s vs {bare:.2f}s = "
             f"{run['cpu'] / bare:.2f}x", "printed", True, f"(with no type conformance {least:.2f}s; "
             f"importing singer_sdk alone {sdk_import:.2f}s)")
        print(f"    with no type conformance {least:.2f}s = {run['cpu'] / least:.2f}x; importing singer_sdk alone "
              f"{sdk_import:.2f}s, {sdk_import / plain['cpu']:.0%} of the plain loop's whole CPU")


def incremental(folder: Path) -> None:
    with Emulator(tickets=5000, seed=10) as emu:
        first = tap_run(emu, ["tickets", "threads"], folder, max_concurrency=5)
        emu.store.touch("tickets", [t["id"] for t in emu.store.tables["tickets"].rows[:50]])
        again = tap_run(emu, ["tickets", "threads"], folder, state=first["state"], max_concurrency=5)
        line("incremental, 50 of 5,000 tickets touched, + threads: calls", f"{again['calls']}", "<= 60",
             again["calls"] <= 60)


def all_streams() -> None:
    with Emulator(tickets=1000, seed=7) as emu:
        emu.reset_counts()
        result = run_tap(emu.config(), streams=[s.stream for s in OBJECTS] + ["deleted_records"])
        api = [c for c in emu.log if "/api/v1/" in c["path"]]
        empty = sum(c["status"] == 204 for c in api)
        line("all streams at 1,000 tickets: API calls", f"{len(api):,}", "<= 9,500", len(api) <= 9500,
             f"({empty:,} answered 204, an empty list; `python -m benchmarks.fanout --only calls` names them)")
        differ, compared = inexact(result.records, emu.store.tables)
        line("  streams exact (keys equal to the emulator's rows)", f"{compared - len(differ)} of {compared}",
             f"{compared}", not differ, f"({', '.join(differ)})" if differ else "")
        keys = Counter((c["method"], c["path"], tuple(sorted(c["query"].items()))) for c in emu.log)
        repeated = sum(n - 1 for n in keys.values() if n > 1)
        line("  repeated identical requests", f"{repeated}", "0", repeated == 0)
        line("  4xx answers", f"{len(emu.errors())} of {len(emu.log):,} calls", "0", not emu.errors())


def spanned_run(emu: Emulator, streams: list[str], folder: Path, workers: int, latency: float) -> dict:
    """tap_run, plus ``span``: from the tap's first API call to its last answer (the rest of the
    wall is start-up: process, imports, catalog, end) and ``ideal``: calls x latency / workers."""
    stamps: list[float] = []
    emu.hook = lambda method, route: stamps.append(time.monotonic())
    reset = emu.reset_counts
    emu.reset_counts = lambda: (reset(), stamps.clear())  # tap_run resets just before the tap starts
    try:
        run = tap_run(emu, streams, folder, max_concurrency=workers)
    finally:
        emu.hook, emu.reset_counts = None, reset
    span = stamps[-1] - stamps[0] + latency if stamps else 0.0
    return {**run, "span": span, "ideal": run["calls"] * latency / workers}


def fan_out(folder: Path, latency: float) -> None:
    """Tickets + threads, a first read: the thread calls start as the ticket pages arrive."""
    for workers, share in ((5, 0.95), (10, 0.90)):
        with Emulator(tickets=2_000, seed=11, latency_ms=latency * 1000) as emu:
            run = spanned_run(emu, ["tickets", "threads"], folder, workers, latency)
        got = run["ideal"] / run["span"]
        line(f"tickets + threads, 2,000 at {latency * 1000:.0f} ms, max_concurrency {workers}: share of the ideal",
             f"{got:.1%}", f">= {share:.0%}", got >= share, f"(span {run['span']:.1f}s for {run['calls']:,} calls, "
             f"ideal {run['ideal']:.1f}s; start-up {run['wall'] - run['span']:.1f}s)")


def big_parallel(sizes: tuple[int, ...], folder: Path, latency: float, runs: int = 3) -> None:
    """A first read in parallel time ranges, cut by rows: no worker runs alone at the end. The
    median of ``runs`` runs (the emulator shares this machine's cores with the tap)."""
    for n in sizes:
        got = []
        for _ in range(runs):
            with Emulator(tickets=n, seed=12, latency_ms=latency * 1000) as emu:
                run = spanned_run(emu, ["tickets"], folder, 5, latency)
            got.append((run["span"] / run["ideal"], run))
        got.sort(key=lambda pair: pair[0])
        ratio, run = got[len(got) // 2]
        line(f"full sync of {n:,} tickets at {latency * 1000:.0f} ms, max_concurrency 5: span / ideal",
             f"{ratio:.3f}x", "<= 1.15x", ratio <= 1.15, f"(median of {runs}, {got[0][0]:.3f}x to {got[-1][0]:.3f}x; "
             f"span {run['span']:.1f}s for {run['calls']:,} calls, ideal {run['ideal']:.1f}s; wall {run['wall']:.1f}s "
             "with start-up)")


def memory(sizes: tuple[int, int], folder: Path) -> None:
    for streams in (["tickets"], ["tickets", "threads"]):
        peaks = {}
        for n in sizes:
            with Emulator(tickets=n, seed=13) as emu:
                first = tap_run(emu, streams, folder, max_concurrency=5)
                emu.store.touch("tickets", [t["id"] for t in emu.store.tables["tickets"].rows[:50]])
                again = tap_run(emu, streams, folder, state=first["state"], max_concurrency=5)
                peaks[n] = (first["rss_mb"], again["rss_mb"])
        for k, label in enumerate(("first", "incremental")):
            small, big = peaks[sizes[0]][k], peaks[sizes[1]][k]
            growth = big / small - 1
            line(f"peak memory {'+'.join(streams)}, {label} run, {sizes[0]:,} -> {sizes[1]:,}",
                 f"{small:.0f} -> {big:.0f} MB (+{growth:.0%})", "<= +20%", growth <= 0.20)


def bulk_update(n: int, folder: Path) -> None:
    """``n`` tickets set to one priority through the target; the reference is the same records one
    PATCH each (the writer with no bulk call known), on a fresh emulator with the same seed."""
    from dataclasses import replace
    from unittest import mock

    from tap_zohodesk.api.catalog import BY_STREAM
    from tap_zohodesk.api.plans import PLANS
    from tests.helpers import run_target, singer_lines
    from tests.test_target import open_schema

    def once(bulk: bool) -> tuple[int, int, int, float]:
        with Emulator(tickets=n + 100, seed=14) as emu, \
                mock.patch.dict(PLANS, {} if bulk else {("tickets", "UPDATE"): replace(
                    PLANS[("tickets", "UPDATE")], bulk_path=None)}):
            config = emu.config(results_path=str(folder / f"bulk{bulk}.jsonl"), max_concurrency=5)
            records = [{"id": t["id"], "priority": "Urgent"} for t in emu.store.tables["tickets"].rows[:n]]
            emu.reset_counts()
            credits, started = emu.credits_left, time.monotonic()
            results = run_target(config, singer_lines("tickets", open_schema(BY_STREAM["tickets"]), records))
            writes = sum(v for k, v in emu.calls.items() if not k.startswith("GET "))
            ok = sum(r["status"] == "ok" for r in results)
            return writes, credits - emu.credits_left, ok, time.monotonic() - started

    calls, credits, ok, wall = once(True)
    ref_calls, ref_credits, ref_ok, ref_wall = once(False)
    line(f"{n:,} tickets set to one priority through the target: calls", f"{calls:,} vs {ref_calls:,} one by one",
         "<= 30", calls <= 30)
    line("  results ok", f"{ok:,} of {n:,} (one by one {ref_ok:,})", f"{n:,}", ok == n)
    line("  credits", f"{credits:,} vs {ref_credits:,}", f"<= {math.ceil(n / 2):,}", credits <= math.ceil(n / 2))
    print(f"    wall {wall:.1f}s vs {ref_wall:.1f}s (no latency; printed, no target)")


SECTIONS = ("full_sync", "bulk_update", "incremental", "all_streams", "fan_out", "big_parallel", "memory")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes (minutes, not tens of minutes)")
    parser.add_argument("--markdown", action="store_true", help="end with the README's Performance table")
    parser.add_argument("--only", nargs="+", choices=SECTIONS, default=SECTIONS, help="these measures only")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        runs = {"full_sync": lambda: full_sync(20_000, folder),
                "bulk_update": lambda: bulk_update(1_000, folder),
                "incremental": lambda: incremental(folder), "all_streams": all_streams,
                "fan_out": lambda: fan_out(folder, 0.1),
                "big_parallel": lambda: big_parallel((20_000,) if args.quick else (20_000, 100_000), folder, 0.1),
                "memory": lambda: memory((2_000, 20_000) if args.quick else (10_000, 100_000), folder)}
        for name in SECTIONS:
            if name in args.only:
                runs[name]()
    if args.markdown:
        print(markdown())


if __name__ == "__main__":
    main()
