"""A first read of a large object split into time ranges read side by side.

A keyset scan is sequential by nature (each call starts where the last one ended), so a first
sync of 100,000 tickets at 100 ms a call would take 1,000 round trips in a row. When the read
starts without a bookmark and the search ``count`` says the window holds more than
``PARALLEL_MIN_PAGES`` pages, the span from the first record's time to the latest one's (a
second probe, newest first) is cut into ``max_concurrency`` equal time ranges, each read by its
own exact keyset scan (windows.py) on a worker thread. Rows come out on the calling thread, in
key order within each range (not across ranges), through a bounded queue: memory holds at most a
few pages per range.

The stream's state keeps each range and how far it got (``time_ranges``: [low, high, at]), so
a run stopped half-way resumes every range from its last instant; the SDK's own bookmark is set
when the read completes. Cost: two probe calls, plus one short page per range.
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


def read_ranges(make_search: Callable[[], Search], key: str, ranges: list[list[str]],
                on_progress: Callable[[int, str], None]) -> Iterator[dict]:
    """Rows of every range (``[low, high, at]``: read from ``at``; ``at`` DONE: skipped), read on
    worker threads; ``on_progress(index, at)`` after each row is yielded (``at`` DONE at its end)."""
    pages: queue.Queue = queue.Queue(maxsize=2 * len(ranges))
    stop = threading.Event()

    def put(item: tuple) -> bool:
        while not stop.is_set():
            try:
                pages.put(item, timeout=0.2)
                return True
            except queue.Full:
                continue
        return False

    def work(index: int, low: str, high: str) -> None:
        try:
            batch: list[dict] = []
            for row in make_search().rows(key, low, high):
                if stop.is_set():
                    return
                batch.append(row)
                if len(batch) >= 100:
                    if not put(("rows", index, batch)):
                        return
                    batch = []
            if (not batch or put(("rows", index, batch))) and put(("done", index, None)):
                return
        except BaseException as exc:  # noqa: BLE001 - handed to the calling thread
            put(("error", index, exc))

    workers = [threading.Thread(target=work, args=(i, at or low, high), name=f"zoho-range-{i}", daemon=True)
               for i, (low, high, at) in enumerate(ranges) if at != DONE]
    for worker in workers:
        worker.start()
    try:
        remaining = len(workers)
        while remaining:
            kind, index, payload = pages.get()
            if kind == "error":
                raise payload
            if kind == "done":
                remaining -= 1
                on_progress(index, DONE)
                continue
            for row in payload:
                yield row
                on_progress(index, row[key])  # a STATE written now resumes this range here
    finally:
        stop.set()
        for worker in workers:
            worker.join(timeout=5)
