"""A first read of a large object split into time ranges read side by side.

A keyset scan is sequential by nature (each call starts where the last one ended), so a first
sync of 100,000 tickets at 100 ms a call would take 1,000 round trips in a row. When the read
starts without a bookmark and the search ``count`` says the window holds more than
``PARALLEL_MIN_PAGES`` pages, the span from the first record's time to the latest one's (a
second probe, newest first) is cut into ``max_concurrency`` equal time ranges, each read by its
own exact keyset scan (windows.py) on a worker thread. Rows come out on the calling thread, in
key order within each range (not across ranges), through a bounded queue: memory holds at most a
few pages per range. Rows are rarely spread evenly in time, so a worker whose range ends takes
the far half (in time) of the range with the most rows left, estimated from the rows it gave so
far: that range now ends at the cut, a new range starts there, and the workers end together
instead of the last one running alone (ranges are taken from a queue: a resumed read may hold
more ranges than workers).

The stream's state keeps each range and how far it got (``time_ranges``: [low, high, at]), so
a run stopped half-way resumes every range from its last instant; the SDK's own bookmark is set
when the read completes. Cost: two probe calls, plus one short page per range (and about one
call per cut).
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta

from tap_zohodesk.windows import Search

PARALLEL_MIN_PAGES = 20
FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"


def _parse(stamp: str) -> datetime:
    return datetime.strptime(stamp, FORMAT)


def _text(value: datetime) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


def split(first: str, last: str, high: str, parts: int) -> list[list[str]]:
    """``parts`` consecutive ranges covering [first, high] exactly (millisecond bounds), cut evenly
    in time over [first, last] (where the rows are); the last range runs on to ``high``."""
    start, end = _parse(first), _parse(last)
    step = (end - start) / max(1, parts)
    if step < timedelta(seconds=1):
        return [[first, high, first]]
    cuts = [start + step * k for k in range(parts)] + [end]
    out = []
    for k in range(parts):
        low, next_low = cuts[k].replace(microsecond=cuts[k].microsecond // 1000 * 1000), cuts[k + 1]
        next_low = next_low.replace(microsecond=next_low.microsecond // 1000 * 1000)
        out.append([_text(low), _text(next_low - timedelta(milliseconds=1)), _text(low)])
    out[-1][1] = high
    return out


DONE = "done"


class _Reader:
    """The ranges of one read, scanned by ``workers`` threads taking them from a queue; rows come
    out on the calling thread. A worker left without a range takes the far half of the range that
    has the most rows left (estimated from its rows so far): ranges end close together."""

    def __init__(self, make_search: Callable[[], Search], key: str, ranges: list[list[str]],
                 on_progress: Callable[[int, str], None], workers: int, min_rows: int, last: str | None):
        self.make_search, self.key, self.ranges, self.on_progress = make_search, key, ranges, on_progress
        self.min_rows, self.last = min_rows, last
        self.pages: queue.Queue = queue.Queue(maxsize=2 * workers)
        self.tasks: queue.Queue = queue.Queue()
        self.stop = threading.Event()
        self.limits = {i: high for i, (_, high, _) in enumerate(ranges)}  # read by the workers
        self.started = {i: at or low for i, (low, _, at) in enumerate(ranges)}
        self.emitted = dict.fromkeys(range(len(ranges)), 0)
        todo = [i for i, (_, _, at) in enumerate(ranges) if at != DONE]
        for index in todo:
            self.tasks.put(index)
        self.remaining = len(todo)
        self.threads = [threading.Thread(target=self.work, name=f"zoho-range-{n}", daemon=True)
                        for n in range(min(workers, len(todo)))]

    def put(self, item: tuple) -> bool:
        while not self.stop.is_set():
            try:
                self.pages.put(item, timeout=0.2)
                return True
            except queue.Full:
                continue
        return False

    def work(self) -> None:
        while not self.stop.is_set():
            index = self.tasks.get()
            if index is None:
                return
            try:
                if not self.scan(index):
                    return
            except BaseException as exc:  # noqa: BLE001 - handed to the calling thread
                self.put(("error", index, exc))
                return

    def scan(self, index: int) -> bool:
        low, high, at = self.ranges[index]
        batch: list[dict] = []
        for row in self.make_search().rows(self.key, at or low, high):
            if self.stop.is_set():
                return False
            if row[self.key] > self.limits[index]:
                break  # the rest of this range was handed to another worker
            batch.append(row)
            if len(batch) >= 100:
                if not self.put(("rows", index, batch)):
                    return False
                batch = []
        return (not batch or self.put(("rows", index, batch))) and self.put(("done", index, None))

    def split(self) -> None:
        """Hand the far half of the range with the most rows left to a new range (and worker)."""
        best, most = None, self.min_rows
        for index, (_, high, at) in enumerate(self.ranges):
            if at == DONE or not self.emitted[index] or at <= self.started[index]:
                continue
            end = min(high, self.last) if self.last else high
            if end <= at:
                continue
            begun, now, stop = _parse(self.started[index]), _parse(at), _parse(end)
            left = self.emitted[index] * (stop - now) / (now - begun)
            if left >= most:
                best, most = (index, now + (stop - now) / 2), left
        if best is None:
            return
        index, middle = best
        cut = _text(middle.replace(microsecond=middle.microsecond // 1000 * 1000))
        if cut <= self.ranges[index][2]:
            return
        new = len(self.ranges)
        self.ranges.append([cut, self.ranges[index][1], cut])
        self.ranges[index][1] = self.limits[index] = _text(_parse(cut) - timedelta(milliseconds=1))
        self.limits[new], self.started[new], self.emitted[new] = self.ranges[new][1], cut, 0
        self.remaining += 1
        self.tasks.put(new)

    def rows(self) -> Iterator[dict]:
        for thread in self.threads:
            thread.start()
        try:
            while self.remaining:
                kind, index, payload = self.pages.get()
                if kind == "error":
                    raise payload
                if kind == "done":
                    self.remaining -= 1
                    self.on_progress(index, DONE)
                    if self.remaining and self.tasks.empty():
                        self.split()
                    continue
                high = self.ranges[index][1]
                for row in payload:
                    if row[self.key] > high:
                        break  # handed to another range since this page was read
                    yield row
                    self.emitted[index] += 1
                    self.on_progress(index, row[self.key])  # a STATE written now resumes this range here
        finally:
            self.stop.set()
            for _ in self.threads:
                self.tasks.put(None)
            for thread in self.threads:
                thread.join(timeout=5)


def read_ranges(make_search: Callable[[], Search], key: str, ranges: list[list[str]],
                on_progress: Callable[[int, str], None], *, workers: int, min_rows: int = 200,
                last: str | None = None) -> Iterator[dict]:
    """Rows of every range (``[low, high, at]``: read from ``at``; ``at`` DONE: skipped; ranges
    may be appended and a range's ``high`` lowered while reading, see _Reader), read on
    ``workers`` threads; ``on_progress(index, at)`` after each row is yielded (``at`` DONE at its
    end). ``last``: the latest row's key, if known (where the rows end in the last range)."""
    return _Reader(make_search, key, ranges, on_progress, workers, min_rows, last).rows()
