"""Child lists asked for while their parents are still being read.

The streams of a run are synced one after another, so a child stream's calls would start only
once its parent's read is over; a parent read by search windows is one call at a time, and the
other ``max_concurrency - 1`` slots would sit idle all along. While a parent stream emits its rows,
the first selected child stream after it (an unfiltered one, whose list takes no time window of
the run) has the lists of those parents read ahead on the idle slots, as each parent row arrives
(not when the parent is read in parallel time ranges, ranges.py: no slot is idle then).
The child's own read takes each answer from here (or the error it raised, raised then, in the
child's read) when it reaches that parent; a parent it has no answer for is asked as before.

Nothing here touches a stream's state: answers are only handed to the child's read, which emits
and keeps its resume points exactly as it would have. Memory stays bounded: at most
``AHEAD x max_concurrency`` answers are held; past that, the child reads the rest itself. Only the
parents the child will visit are read ahead: those at or after its parent watermark (all on a
first run); an answer the child does not take is dropped at the end of its read. Nothing is read
ahead while the credits left (``max_api_credits``, Zoho's daily credits) run short: a run stopped
by them keeps only what its streams emitted, so those credits go to the parent's own read.
"""

from __future__ import annotations

import concurrent.futures
import threading
from typing import Any

from tap_zohodesk.api.catalog import BY_STREAM, OBJECTS
from tap_zohodesk.filters import query_params
from tap_zohodesk.instants import visited, was_visited

# a child stream as this module uses it (streams.py's ZohoDeskStream; not imported: no circle)
ZohoDeskStream = Any

AHEAD = 32  # answers held ahead, per unit of max_concurrency
CREDITS_AHEAD = 6  # no read ahead while the credits left cover less than this per answer it may hold


def child_params(stream: ZohoDeskStream) -> dict:
    """The query an unfiltered child read sends for each parent (children.py ``PerParent``)."""
    return query_params(stream.spec, {})


class Prefetch:
    """Child lists read ahead while their parent stream emits (see the module docstring)."""

    def __init__(self, streams: dict[str, ZohoDeskStream]):
        self.streams = streams
        self._lock = threading.Lock()
        self._pool: concurrent.futures.ThreadPoolExecutor | None = None
        self.child: ZohoDeskStream | None = None  # whose lists are read ahead, while ``parent`` emits
        self.parent: str | None = None
        self._since: str | None = None
        self._params: dict = {}
        self._ahead: dict[str, concurrent.futures.Future] = {}
        self._limit = 0
        self._first = False
        self._done: tuple[str | None, set] = (None, set())

    def _child_of(self, parent: str, began: set[str]) -> ZohoDeskStream | None:
        """The first selected child of ``parent`` not read yet, if it can be read ahead for (one
        whose list skipping by detail counters waits for counters read later is not)."""
        for spec in OBJECTS:
            stream = self.streams.get(spec.stream)
            if stream is None or not stream.selected or not spec.parent or spec.parent.stream != parent:
                continue
            if spec.stream in began or spec.parent.as_param or spec.parent.detail_counter:
                return None
            return None if spec.read.time_param or stream.user_filters() else stream
        return None

    def start(self, parent: str, began: set[str]) -> None:
        """``parent`` starts emitting (``began``: the streams whose read began this run): read
        ahead for its first selected child, if any."""
        child = self._child_of(parent, began)
        workers = child.client.limiter.maximum - 1 if child is not None else 0
        if child is None or workers < 1 or BY_STREAM[parent].key is None or self.child is not None:
            return  # one child read ahead at a time: the one under way keeps its answers
        with self._lock:
            self.child, self.parent = child, parent
            self._since = (child.stream_state or {}).get("parent_watermark")
            self._done = visited(child.stream_state)  # visited at that instant by an earlier run: not again
            self._params = child_params(child)
            self._limit = AHEAD * (workers + 1)
            self._first = True
            self._pool = concurrent.futures.ThreadPoolExecutor(max_workers=workers, thread_name_prefix="zoho-ahead")

    def offer(self, parent: str, row: dict) -> None:
        """A row ``parent`` emits: read its child list ahead if it will be visited and room is left."""
        if parent != self.parent or self._pool is None or not row.get("id"):
            return
        if self._first:  # a first read in parallel time ranges keeps every slot busy: nothing to gain
            self._first = False
            if len((self.streams[parent].stream_state or {}).get("time_ranges") or ()) > 1:
                self.close(parent)
                return
        key = BY_STREAM[parent].key or ""
        if self._since and (row.get(key) or "") < self._since:
            return  # before the child's watermark: not visited this run
        if was_visited(self._done, key, row):
            return  # visited at the watermark's instant by an earlier run: not again
        left = self.child.client.credits.left() if self.child is not None else None
        if left is not None and left < CREDITS_AHEAD * self._limit:
            return  # credits run short: they go to the parent's own read, which a budget stop keeps
        with self._lock:
            if len(self._ahead) >= self._limit or row["id"] in self._ahead or self._pool is None:
                return
            child, params = self.child, dict(self._params)
            self._ahead[row["id"]] = self._pool.submit(child.lists.read_children, dict(row), params)

    def close(self, parent: str) -> None:
        """``parent`` stopped emitting: no more reads ahead (those under way finish)."""
        if parent == self.parent:
            with self._lock:
                self.parent = None
                if self._pool is not None:
                    self._pool.shutdown(wait=False)

    def take(self, child: str, parent_id: str | None, params: dict) -> concurrent.futures.Future | None:
        """The answer read ahead for this child and parent under these params, or None."""
        if self.child is None or child != self.child.name or parent_id is None:
            return None
        with self._lock:
            if params != self._params:
                return None
            return self._ahead.pop(parent_id, None)

    def done(self, name: str) -> None:
        """Stream ``name`` ended its read: if it was the child read ahead for, drop what it left."""
        if self.child is not None and name == self.child.name:
            with self._lock:
                self.stop()

    def discard(self) -> None:
        with self._lock:
            self.stop()

    def stop(self) -> None:
        """Drop every answer not taken (a child's read is over, or the run); under the lock."""
        pool, ahead = self._pool, list(self._ahead.values())
        self._pool, self.child, self.parent, self._ahead = None, None, None, {}
        for future in ahead:
            future.cancel()
        if pool is not None:
            pool.shutdown(wait=False)
