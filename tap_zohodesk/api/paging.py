"""Reading a Zoho Desk list page by page, and what a list teaches about itself during a run.

Offsets start at 0 and advance by the rows received. Whether the server counts ``from``
from 0 or 1 is not settled; with 1-based counting consecutive pages overlap by one row,
which is dropped by id, so no row is skipped either way. Iteration stops on 204, on a short
page, or when ``from`` would pass ``max_from``: one call at ``max_from`` then tells whether
rows lie past it, which cannot be read (``exhausted`` stays False; True when all were read).

Where the public evidence is split, the pager tolerates both answers, once per endpoint per
run, and logs the fallback the first time it is learned on each endpoint (``Learned``; the
run's summary lists each with its endpoint):
- 422 "Extra query parameter 'from'" (or 'limit'): the list takes no paging; read it in one call;
- 422 on ``limit``: step the page size down to the next documented cap (500/200 -> 200 -> 100
  -> 50); to 99 only for threads, whose pages Zoho's web UI clamps to 99 (DeskUI);
- 422 "Extra query parameter 'x'" for a parameter the caller marked droppable (a filter no
  evidence shows the endpoint takes): send it no more; the caller applies it to the answer.
Any other refusal is an error. So are answers that cannot be right: an envelope without the
expected list, a page that repeats the previous one (the server ignored ``from``).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from tap_zohodesk.api.errors import REFUSED, REFUSED_VALUE, ZohoDeskError

Get = Callable[..., Any]  # get(path, params, *, label): the decoded answer, or None for 204

LIMIT_STEPS = (200, 100, 50)  # the documented caps
CLAMPED = {"tickets/{ticketId}/threads": 99}  # DeskUI asks threads by at most 99


def smaller_limits(key: str, limit: int) -> list[int]:
    """The page sizes to step down to from ``limit`` on the endpoint ``key``, largest first."""
    steps = {*LIMIT_STEPS, *([CLAMPED[key]] if key in CLAMPED else [])}
    return sorted((step for step in steps if step < limit), reverse=True)
log = logging.getLogger("zohodesk.client")


@dataclass
class Lesson:
    limit: int | None = None
    unpaged: bool = False
    dropped: set[str] = field(default_factory=set)
    settled: bool = False  # one call answered: what the endpoint takes is known
    gate: threading.Lock = field(default_factory=threading.Lock)  # the first call goes alone


class Learned:
    """Fallbacks learned per endpoint (path template) during one run, shared by all threads."""

    def __init__(self) -> None:
        self._lessons: dict[str, Lesson] = {}
        self.memo: dict[str, object] = {}  # answers worth reading once per run (module ids, ...)
        self._lock = threading.Lock()
        self.fired: list[str] = []  # "<endpoint>: <fallback>", one per fallback and endpoint, for the summary

    def of(self, key: str) -> Lesson:
        with self._lock:
            return self._lessons.setdefault(key, Lesson())

    def note(self, key: str, line: str) -> None:
        """Log and list a fallback learned on endpoint ``key``, once per endpoint."""
        entry = f"{key}: {line}"
        with self._lock:
            if entry not in self.fired:
                self.fired.append(entry)
                log.warning("%s", entry)

    def dropped(self, key: str) -> set[str]:
        return set(self.of(key).dropped)

    def export(self) -> dict[str, dict]:
        """What each endpoint (path template) taught, for a probe report: nothing of a record."""
        with self._lock:
            return {key: {"limit": n.limit, "unpaged": n.unpaged, "dropped": sorted(n.dropped)}
                    for key, n in sorted(self._lessons.items()) if n.limit or n.unpaged or n.dropped}

    def seed(self, lessons: dict[str, dict]) -> None:
        """Start the run knowing what an earlier run (a probe) learned: no call asks again."""
        for key, taught in lessons.items():
            lesson = self.of(key)
            lesson.limit = taught.get("limit") or lesson.limit
            lesson.unpaged = lesson.unpaged or bool(taught.get("unpaged"))
            lesson.dropped |= set(taught.get("dropped") or ())


def rows_of(body: Any, data_key: str, where: str) -> list[dict]:
    """The rows of a list answer (204 -> none); anything else is an error naming the call."""
    if body is None:
        return []
    if isinstance(body, dict) and isinstance(body.get(data_key), list):
        return body[data_key]
    raise ZohoDeskError(f"{where}: the answer has no {data_key!r} list: {str(body)[:120]}")


def _row_key(row: dict) -> Any:
    return row.get("id") if isinstance(row, dict) and "id" in row else repr(sorted(row.items()))


class Pager:
    """The pages of one list call (see the module docstring)."""

    def __init__(self, get: Get, learned: Learned, path: str, *, limit: int, params: dict | None, data_key: str,
                 label: str | None, max_from: int | None, paged: bool = True, key: str | None = None,
                 droppable: frozenset[str] = frozenset()):
        """``get(path, params, label=...)``: one call (the client's, or a probe's that records it);
        ``learned``: the run's fallbacks, read and taught here."""
        self.get, self.learned, self.path, self.data_key, self.label = get, learned, path, data_key, label
        self.params, self.max_from, self.droppable = dict(params or {}), max_from, droppable
        self.key = key or path
        self.lesson = learned.of(self.key)
        self.limit = min(limit, self.lesson.limit or limit)
        self.paged = paged and not self.lesson.unpaged
        self.exhausted = False

    def __iter__(self) -> Iterator[list[dict]]:
        offset = 0
        previous: set = set()
        where = f"GET /{self.path}"
        while True:
            if self.max_from is not None and offset > self.max_from:
                self.exhausted = not self._rows_past_cap(previous, where)
                return
            if offset == 0 and not self.lesson.settled:
                with self.lesson.gate:  # concurrent pagers of one endpoint learn from the first call only
                    body = self._call(offset)
                    self.lesson.settled = True
            else:
                body = self._call(offset)
            rows = rows_of(body, self.data_key, where)
            if not self.paged:
                if rows:
                    yield rows
                break
            if not rows:
                break
            keys = [_row_key(r) for r in rows]
            fresh = [r for r, k in zip(rows, keys, strict=True) if k not in previous]
            if not fresh:
                raise ZohoDeskError(f"{where}: the page at from={offset} repeats the previous page "
                                    "(the server ignored 'from'); stopping instead of reading forever")
            yield fresh
            if len(rows) < self.limit:
                break
            previous = set(keys)
            offset += len(rows)
        self.exhausted = True

    def _rows_past_cap(self, previous: set, where: str) -> bool:
        """Whether the list holds rows past ``max_from`` (the last page read was ``previous``)."""
        rows = rows_of(self._call(self.max_from or 0), self.data_key, where)
        return any(_row_key(r) not in previous for r in rows)

    def _call(self, offset: int) -> Any:
        while True:
            self.limit = min(self.limit, self.lesson.limit or self.limit)
            self.paged = self.paged and not self.lesson.unpaged
            query = {k: v for k, v in self.params.items() if k not in self.lesson.dropped}
            if self.paged:
                query.update({"from": offset, "limit": self.limit})
            try:
                return self.get(self.path, query or None, label=self.label)
            except ZohoDeskError as exc:
                if offset == 0 and self._learn(exc):
                    continue
                raise

    def _learn(self, exc: ZohoDeskError) -> bool:
        """Adopt the fallback a 422 asks for, if it is one the evidence leaves open."""
        learned = self.learned
        if exc.kind == REFUSED:
            name = exc.param
            if name in ("from", "limit") and self.paged:
                self.paged = False
                self.lesson.unpaged = True
                learned.note(self.key, f"refuses '{name}': read in one call without paging")
                return True
            if name in self.droppable and name not in self.lesson.dropped:
                self.lesson.dropped.add(name)
                learned.note(self.key, f"refuses filter '{name}': applied to the answer instead")
                return True
            return False
        if self.paged and exc.kind == REFUSED_VALUE and exc.param == "limit":
            smaller = smaller_limits(self.key, self.limit)
            if smaller:
                learned.note(self.key, f"refuses limit {self.limit}: paging by {smaller[0]}")
                self.limit = self.lesson.limit = smaller[0]
                return True
        return False
