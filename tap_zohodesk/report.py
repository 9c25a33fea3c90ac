"""What a run tells its user: progress on long reads, and a table at the end.

- Every ``PROGRESS_SECONDS`` (30) while a stream syncs, one line: records so far, API calls,
  records per second, credits used and remaining (Zoho's ``X-Rate-Limit-Remaining-v3``).
- At the end, one line per stream (records, calls, credits, seconds) and a total with retries,
  token refreshes, the fallbacks learned and the faults survived, so a run that went through
  429s, 5xx or expired tokens says so.
Calls and credits are attributed to a stream by the labels its calls carry (``list threads``,
``search tickets``, ``detail tickets_extended`` ...).
"""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

PROGRESS_SECONDS = 30.0


@dataclass
class StreamRun:
    name: str
    started: float
    records: int = 0
    seconds: float = 0.0


class RunReport:
    """Per-stream counters of one tap run and the thread that logs progress."""

    def __init__(self, logger: logging.Logger, stats: Callable[[], dict], every: float | None = None):
        self.logger, self.stats, self.every = logger, stats, PROGRESS_SECONDS if every is None else every
        self.runs: dict[str, StreamRun] = {}
        self.current: StreamRun | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start_stream(self, name: str) -> None:
        self.end_stream()
        self.current = self.runs.setdefault(name, StreamRun(name, time.monotonic()))
        self.current.started = time.monotonic()
        if self._thread is None:
            self._thread = threading.Thread(target=self._tick, name="zoho-progress", daemon=True)
            self._thread.start()

    def record(self, name: str) -> None:
        run = self.runs.get(name)
        if run is not None:
            run.records += 1

    def end_stream(self) -> None:
        if self.current is not None:
            self.current.seconds += time.monotonic() - self.current.started
            self.current = None

    def _tick(self) -> None:
        while not self._stop.wait(self.every):
            run = self.current
            if run is not None:
                self.logger.info("%s", self.progress_line(run))

    def progress_line(self, run: StreamRun) -> str:
        stats = self.stats()
        calls = sum(n for label, n in stats["calls_by_endpoint"].items() if _owner(label) == run.name)
        elapsed = max(1e-9, time.monotonic() - run.started)
        remaining = stats.get("credits_remaining")
        return (f"progress {run.name}: {run.records:,} records, {calls:,} calls, {run.records / elapsed:,.0f} "
                f"records/s, {stats['credits_used']:,} credits used"
                + (f", {remaining:,} remaining today" if remaining is not None else ""))

    def close(self, failed: dict[str, str] | None = None, skipped: dict[str, str] | None = None) -> list[str]:
        """Stop the progress thread; the end-of-run table, one line per stream plus the total, then
        each stream that failed (its one line) or was skipped (why)."""
        self.end_stream()
        self._stop.set()
        stats = self.stats()
        calls: Counter[str] = Counter()
        credits: Counter[str] = Counter()
        for label, n in stats["calls_by_endpoint"].items():
            calls[_owner(label)] += n
        for label, n in stats.get("credits_by_endpoint", {}).items():
            credits[_owner(label)] += n
        lines = [f"{'stream':<30}{'records':>10}{'calls':>9}{'credits':>10}{'seconds':>9}"]
        for run in self.runs.values():
            lines.append(f"{run.name:<30}{run.records:>10,}{calls.pop(run.name, 0):>9,}"
                         f"{credits.pop(run.name, 0):>10,}{run.seconds:>9.1f}")
        for owner in sorted(calls):  # calls of no stream: discovery, parents read for a child
            lines.append(f"{'(' + owner + ')':<30}{'':>10}{calls[owner]:>9,}{credits[owner]:>10,}{'':>9}")
        remaining = stats.get("credits_remaining")
        lines.append(f"total: {sum(r.records for r in self.runs.values()):,} records, {stats['calls']:,} calls, "
                     f"{stats['credits_used']:,} credits"
                     + (f" ({remaining:,} left today)" if remaining is not None else "")
                     + f", {stats['retries']} retries, {stats['token_refreshes']} token refreshes survived")
        for line in stats.get("fallbacks") or []:
            lines.append(f"fallback learned: {line}")
        lines += [f"FAILED {name}: {line}" for name, line in (failed or {}).items()]
        lines += [f"skipped {name}: {why}" for name, why in (skipped or {}).items()]
        return lines


def _owner(label: str) -> str:
    """The stream a call label belongs to (``list threads`` -> threads)."""
    words = label.split()
    return words[-1] if len(words) >= 2 and words[0] in ("list", "search", "get", "detail") else label
