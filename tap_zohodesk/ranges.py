"""A first read of a large object split into time ranges read side by side.

A keyset scan is sequential by nature (each call starts where the last one ended), so a first
sync of 100,000 tickets at 100 ms a call would take 1,000 round trips in a row. When the read
starts without a bookmark and the search ``count`` says the window holds more than
``PARALLEL_MIN_PAGES`` pages, the span from the first record's time to the latest one's (a
second probe, newest first) is cut into ``max_concurrency`` equal time ranges, each read by its
own exact keyset scan (windows.py) on a worker thread. Rows come out on the calling thread, in
key order within each range (not across ranges), through a bounded queue: memory holds at most a
few pages per range. Rows are rarely spread evenly in time, so the ranges are balanced by rows
as they are read: every search answer counts the rows of its range, so the reader knows how many
rows each range has still to fetch. When a worker is left without a range and the range with the
most rows left holds more than its share (more than an even split over ``max_concurrency``
workers, plus a page), the idle worker asks for the row where half of them lie (one call, at an
offset into that range): the range now ends before that row's instant, a new range starts there
with the rows of that answer as its first page, and the workers end together instead of the last
one running alone. A scan whose range was cut asks only up to its new end from its next call on,
from the first row of the instant it has reached (windows.Search ``end``: a count of the shorter
range cannot be compared with one of the longer, so nothing is thrown away as "moved"). Ranges
are taken from a queue: a resumed read may hold more or fewer ranges than workers.

The stream's state keeps each range and how far it got (``time_ranges``: [low, high, at]), so
a run stopped half-way resumes every range from its last instant; the SDK's own bookmark is set
when the read completes. Cost: two probe calls, plus one short page per range (a cut's call is
its new range's first page).
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterator
from datetime import timedelta

from tap_zohodesk.api.times import parse_zoho_time, shift_zoho_time, to_zoho_time
from tap_zohodesk.windows import SEARCH_MAX_FROM, Search

PARALLEL_MIN_PAGES = 20


def split(first: str, last: str, high: str, parts: int) -> list[list[str]]:
    """``parts`` consecutive ranges covering [first, high] exactly (millisecond bounds), cut evenly
    in time over [first, last] (where the rows are); the last range runs on to ``high``."""
    start, end = parse_zoho_time(first), parse_zoho_time(last)
    step = (end - start) / max(1, parts)
    if step < timedelta(seconds=1):
        return [[first, high, first]]
    cuts = [start + step * k for k in range(parts)] + [end]
    out = []
    for k in range(parts):
        low, next_low = cuts[k].replace(microsecond=cuts[k].microsecond // 1000 * 1000), cuts[k + 1]
        next_low = next_low.replace(microsecond=next_low.microsecond // 1000 * 1000)
        out.append([to_zoho_time(low), to_zoho_time(next_low - timedelta(milliseconds=1)), to_zoho_time(low)])
    out[-1][1] = high
    return out


DONE = "done"


class _Reader:
    """The ranges of one read, scanned by worker threads taking them from a queue; rows come out on
    the calling thread. When a worker is left without a range, the range with the most rows left
    (by its last answer's ``count``) is cut where half of them lie: a worker asks for the row at
    that offset (one call), the range ends before that row's instant and a new range starts there."""

    def __init__(self, make_search: Callable[[], Search], key: str, ranges: list[list[str]],
                 on_progress: Callable[[int, str], None], workers: int, min_rows: int):
        self.make_search, self.key, self.ranges, self.on_progress = make_search, key, ranges, on_progress
        self.min_rows = min_rows
        self.slots, self.page = workers, max(1, min_rows // 2)
        self.pages: queue.Queue = queue.Queue(maxsize=2 * workers)
        self.tasks: queue.Queue = queue.Queue()
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.left: dict[int, int] = {}  # rows a range's scan has still to fetch, by its last answer's count
        self.idle = 0
        self.probing = False
        self.asked: tuple[int, int] | None = None
        self.missed: set = set()
        self.limits = {i: high for i, (_, high, _) in enumerate(ranges)}  # read by the workers
        self.emitted = dict.fromkeys(range(len(ranges)), 0)
        self.fetched = dict.fromkeys(range(len(ranges)), 0)  # rows a worker handed on (emitted or queued)
        self.skip: dict[int, set] = {}  # ids at a range's ``at`` already out (its first page came with its cut)
        todo = [i for i, (_, _, at) in enumerate(ranges) if at != DONE]
        for index in todo:
            self.tasks.put(index)
        self.remaining = len(todo)
        self.threads = [threading.Thread(target=self.work, name=f"zoho-range-{n}", daemon=True)
                        for n in range(workers if todo else 0)]

    def _add(self, index: int, stamp: str) -> int:
        """Range ``index`` now ends before ``stamp``; a new range (returned) runs from there to its end."""
        new, high = len(self.ranges), self.ranges[index][1]
        self.ranges.append([stamp, high, stamp])
        self.ranges[index][1] = self.limits[index] = shift_zoho_time(stamp, -1)
        self.limits[new], self.emitted[new], self.fetched[new] = high, 0, 0
        return new

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
            with self.lock:
                self.idle += 1
            task = self.tasks.get()
            with self.lock:
                self.idle -= 1
            if task is None:
                return
            try:
                done = self.probe(*task) if isinstance(task, tuple) else self.scan(task)
            except BaseException as exc:  # noqa: BLE001 - handed to the calling thread
                self.put(("error", task, exc))
                return
            if not done:
                return

    def _counting(self, index: int, search: Search) -> Search:
        """``search`` asking only up to the range's end (lowered when the range is cut: its scan reads
        on, exact, over the shorter range), and noting from each page's answer the rows it has still
        to fetch (an answer asked up to an end since lowered says nothing of the range as it is)."""

        def left(end: str, rows: int) -> None:
            if end == self.limits[index]:
                self.left[index] = rows

        search.end, search.on_page = (lambda: self.limits[index]), left
        return search

    def scan(self, index: int) -> bool:
        low, high, at = self.ranges[index]
        skip, start = self.skip.pop(index, set()), at or low
        batch: list[dict] = []
        for row in self._counting(index, self.make_search()).rows(self.key, start, high):
            if self.stop.is_set():
                return False
            if row[self.key] > self.limits[index]:
                break  # the rest of this range was handed to another worker
            if skip and row[self.key] == start and row.get("id") in skip:
                continue
            batch.append(row)
            if len(batch) >= 100:
                self.fetched[index] += len(batch)
                if not self.put(("rows", index, batch)):
                    return False
                batch = []
        self.fetched[index] += len(batch)
        return (not batch or self.put(("rows", index, batch))) and self.put(("done", index, None))

    def probe(self, index: int, low: str, high: str, offset: int) -> bool:
        """Where range ``index`` holds ``offset`` rows from ``low``: the first instant from there on
        that no earlier row shares, and the rows from it (the new range's first page), in one call."""
        search = self.make_search()
        rows, count = search.probe(self.key, low, high, offset - 1)
        stamps = [row.get(self.key) for row in rows]
        at = next((n for n in range(1, len(rows))
                   if isinstance(stamps[n], str) and stamps[n] > str(stamps[n - 1])), None)
        if at is None:
            return self.put(("cut", index, None))
        after = None if count is None else count - (offset - 1) - len(rows)  # rows past this page
        return self.put(("cut", index, (stamps[at], rows[at:], len(rows) == search.limit, after)))

    def _plan_cut(self) -> None:
        """A worker is idle: have it find where half the rows of the busiest range lie, when that
        range would otherwise be read on alone at the end (it holds more than an even share), or
        when fewer ranges than slots are left and it has more than a page to go (the cut's answer
        is the new range's first page: no call more, one round less)."""
        best, most, total = None, self.page + 1, 0
        for index, left in list(self.left.items()):
            if self.ranges[index][2] == DONE:
                continue
            total += left
            if left >= most and (index, left) not in self.missed:
                best, most = index, left
        busy = sum(1 for _, _, at in self.ranges if at != DONE)
        if best is None or (most <= total / self.slots + self.page and (busy >= self.slots or most < self.min_rows)):
            return
        self.asked = (best, most)
        low, high, at = self.ranges[best]
        pending = self.fetched[best] - self.emitted[best]  # fetched rows at or after ``at`` not out yet
        self.probing = True
        self.tasks.put((best, at or low, high, max(1, min(SEARCH_MAX_FROM, pending + most // 2))))

    def cut(self, index: int, found: tuple | None) -> Iterator[dict]:
        """Range ``index`` now ends before the instant found; a new range runs from there to its end,
        its first page the rows found (the whole range when they end before a full page)."""
        self.probing = False
        low, high, at = self.ranges[index]
        if found is None or at == DONE or not (at or low) < found[0] <= high:
            self.missed.add(self.asked)  # not asked again until the range's count moves
            return
        stamp, first, more, after = found
        new = self._add(index, stamp)
        self.left.pop(index, None)  # its scan's next answer says
        self.fetched[new] = len(first)
        yield from self._emit(new, first)
        if not more:
            self.on_progress(new, DONE)
            return
        if after is not None:
            self.left[new] = after
        self.skip[new] = {row.get("id") for row in first if row[self.key] == first[-1][self.key]}
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
                    self.left.pop(index, None)
                    self.on_progress(index, DONE)
                elif kind == "cut":
                    yield from self.cut(index, payload)
                else:
                    yield from self._emit(index, payload)
                if self.remaining and self.idle and not self.probing and self.tasks.empty():
                    self._plan_cut()
        finally:
            self.stop.set()
            for _ in self.threads:
                self.tasks.put(None)
            for thread in self.threads:
                thread.join(timeout=5)

    def _emit(self, index: int, payload: list[dict]) -> Iterator[dict]:
        high = self.ranges[index][1]
        for row in payload:
            if row[self.key] > high:
                break  # handed to another range since this page was read
            yield row
            self.emitted[index] += 1
            self.on_progress(index, row[self.key])  # a STATE written now resumes this range here


def read_ranges(make_search: Callable[[], Search], key: str, ranges: list[list[str]],
                on_progress: Callable[[int, str], None], *, workers: int, min_rows: int = 200) -> Iterator[dict]:
    """Rows of every range (``[low, high, at]``: read from ``at``; ``at`` DONE: skipped; ranges
    may be appended and a range's ``high`` lowered while reading, see _Reader), read on
    ``workers`` threads; ``on_progress(index, at)`` after each row is yielded (``at`` DONE at its
    end)."""
    return _Reader(make_search, key, ranges, on_progress, workers, min_rows).rows()
