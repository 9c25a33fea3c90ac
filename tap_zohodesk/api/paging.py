"""Reading a Zoho Desk list page by page (what a list teaches about itself: fallbacks.py).

Offsets start at 0 and advance by the rows received. Whether the server counts ``from``
from 0 or 1 is not settled; with 1-based counting consecutive pages overlap by one row,
which is dropped by id, so no row is skipped either way. Iteration stops on 204, on a short
page, or when ``from`` would pass ``max_from``: one call at ``max_from`` then tells whether
rows lie past it, which cannot be read (``exhausted`` stays False; True when all were read).

Where the public evidence is split, the pager tolerates both answers as the table of learned
fallbacks says (fallbacks.py ``FALLBACKS``: a list that takes no paging, a smaller page size, a
droppable parameter dropped), once per endpoint per run (``Learned``). Any other refusal is an
error. So are answers that cannot be right: an envelope without the expected list, a page that
repeats the previous one (the server ignored ``from``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from tap_zohodesk.api.errors import ZohoDeskError
from tap_zohodesk.api.fallbacks import DROPPED, SMALLER_LIMIT, UNPAGED, Learned, asks, smaller_limits

Get = Callable[..., Any]  # get(path, params, *, label): the decoded answer, or None for 204

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
        """Adopt the fallback a refusal asks for (fallbacks.FALLBACKS), if it is one the evidence leaves open."""
        if self.paged and asks(UNPAGED, exc):
            self.paged = False
            self.learned.learn(self.key, UNPAGED, param=exc.param)
            return True
        if asks(DROPPED, exc, self.droppable) and exc.param not in self.lesson.dropped:
            self.learned.learn(self.key, DROPPED, param=exc.param)
            return True
        smaller = smaller_limits(self.key, self.limit)
        if self.paged and asks(SMALLER_LIMIT, exc) and smaller:
            self.learned.learn(self.key, SMALLER_LIMIT, limit=self.limit, smaller=smaller[0])
            self.limit = smaller[0]
            return True
        return False
