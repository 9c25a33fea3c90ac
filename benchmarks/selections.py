"""Benchmark: what a sync of the default selection and of every stream costs at N tickets, and what
went wrong where: calls, credits, 4xx per endpoint, streams skipped (and why) or failed.

python -m benchmarks.selections [--tickets 1000] [--missing call_attachments]
(--missing makes the emulator answer that object's endpoint 404 URL_NOT_FOUND, as an org without it would.)
"""

from __future__ import annotations

import argparse
import logging
import time
from collections import Counter

from tap_zohodesk.api.catalog import OBJECTS
from tests.emulator import Emulator
from tests.helpers import run_tap

DEFAULT = [s.stream for s in OBJECTS if not s.opt_in] + ["deleted_records"]
EVERY = [s.stream for s in OBJECTS] + ["deleted_records"]


class _Skips(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        text = record.getMessage()
        if text.startswith(("Skipping stream", "Stream '")):
            self.lines.append(text.split(":", 2)[0] + ": " + text.split(":", 2)[1].strip()[:90])


def measure(name: str, streams: list[str], tickets: int, missing: str | None) -> None:
    with Emulator(tickets=tickets, seed=7) as emu:
        if missing:
            emu.disable(missing, 404, "URL_NOT_FOUND")
        handler = _Skips()
        logging.getLogger().addHandler(handler)
        started = time.perf_counter()
        try:
            result = run_tap(emu.config(), streams=streams, failing=None)  # a failed stream is reported below
        finally:
            logging.getLogger().removeHandler(handler)
        seconds = time.perf_counter() - started
        api = [e for e in emu.log if "/api/v1/" in e["path"]]
        errors = Counter(e["route"] for e in emu.errors())
    credits = result.stats.get("credits_used", 0)
    records = sum(len(v) for v in result.records.values())
    empty = sorted(s for s in streams if not result.records.get(s))
    print(f"{name}: {len(streams)} streams, {tickets:,} tickets: {len(api):,} calls, {credits:,} credits, "
          f"{records:,} records, {seconds:.1f} s")
    print(f"  4xx per endpoint: {dict(errors) or 'none'}")
    print(f"  streams with no record: {empty or 'none'}")
    for line in handler.lines:
        print(f"  {line}")
    if result.error is not None:
        print(f"  run ended with: {result.error}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tickets", type=int, default=1000)
    parser.add_argument("--missing", default=None)
    args = parser.parse_args()
    measure("default selection", DEFAULT, args.tickets, args.missing)
    measure("every stream", EVERY, args.tickets, args.missing)


if __name__ == "__main__":
    main()
