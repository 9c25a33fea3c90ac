"""Search windows that stay exact while Zoho Desk changes under them.

A search call answers the rows of ``<key>Range=low,high`` sorted by ``<key>``, at most 100
from an offset ``from`` <= 4999, with ``count``: how many rows the range holds now. The
range's high end is fixed when the read starts, so an edit during the read moves a record
out of the range (its new time is later); it will be read by the next run, whose window
starts at this run's bookmark.

Reading policy (keyset): each call starts at the last instant read (``low``); offsets are
used only inside that instant, to step past the rows of ``low`` already emitted, which are
also dropped by id. A record at ``low`` that leaves the range shifts those offsets: the
answer's ``count`` then differs from what the previous answer predicts, and the read
starts that instant over from offset 0 (one call, dedupe by id). A full page that holds a
single instant (a bulk update, a workflow rule, a migration) is read by a nested keyset on
``createdTime`` within that instant, then by department, never by offsets past 4,999. Rows
come out in key order, so a stream reading this way is resumable at every row.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from tap_zohodesk.api.errors import ZohoDeskError
from tap_zohodesk.api.fallbacks import SMALLER_LIMIT, asks, smaller_limits
from tap_zohodesk.api.times import shift_zoho_time

SEARCH_MAX_FROM = 4999
log = logging.getLogger("zohodesk.windows")


@dataclass
class Search:
    """One search endpoint under fixed filters: ``get(params) -> body`` does the call."""

    get: Callable[[dict], object]
    path: str
    params: dict
    limit: int = 100
    departments: Callable[[], list[str]] | None = None  # for splitting a huge instant further
    on_limit: Callable[[int], None] | None = None  # told when the endpoint made us page smaller
    end: Callable[[], str] | None = None  # the range's end as it stands now, when another reader may lower it
    on_page: Callable[[str, int], None] | None = None  # told (the end asked up to, rows past the page) after each page

    def rows(self, key: str, low: str, high: str, first: tuple[list[dict], int | None] | None = None) -> Iterator[dict]:
        """Every row whose ``key`` lies in [low, high], in key order, each once (``first``: the
        answer of ``probe`` on the same range, used as the first page). With ``end``, each call
        asks up to ``end()`` instead of ``high`` once it is lower (ranges.py cuts a range while it is
        read: the rest is another reader's); ``on_page`` is told, after each page of the scan, how many
        rows lie past it up to that end."""
        nested = ("createdTime", "departmentId") if key != "createdTime" else ("departmentId",)
        yield from self._scan(dict(self.params), key, low, high, nested=nested, first=first, end=self.end,
                              on_page=self.on_page)

    def probe(self, key: str, low: str, high: str, offset: int = 0) -> tuple[list[dict], int | None]:
        """The page of [low, high] from ``offset`` and how many rows the range holds (one call)."""
        return self._call({**self.params, f"{key}Range": f"{low},{high}", "sortBy": key, "from": offset})

    def latest(self, key: str, low: str, high: str) -> str | None:
        """The latest ``key`` in [low, high] (one call, newest first)."""
        rows, _ = self._call({**self.params, f"{key}Range": f"{low},{high}", "sortBy": f"-{key}", "from": 0})
        return rows[0].get(key) if rows else None

    # -- the keyset scan --------------------------------------------------------------------
    def _call(self, query: dict) -> tuple[list[dict], int | None]:
        while True:
            try:
                body = self.get({**query, "limit": self.limit})
                break
            except ZohoDeskError as exc:  # a lower cap than documented: step down, once a run (fallbacks.py)
                smaller = smaller_limits(self.path, self.limit)
                if not asks(SMALLER_LIMIT, exc) or not smaller:
                    raise
                self.limit = smaller[0]
                if self.on_limit is not None:
                    self.on_limit(self.limit)
        if body is None:
            return [], 0
        rows = body.get("data") if isinstance(body, dict) else None
        if not isinstance(rows, list):
            raise ZohoDeskError(f"GET /{self.path}: the answer has no 'data' list: {str(body)[:120]}")
        try:
            return rows, int(body["count"]) if body.get("count") is not None else None
        except (TypeError, ValueError):
            return rows, None

    def _scan(self, params: dict, key: str, low: str, high: str, *, nested: tuple[str, ...],
              first: tuple[list[dict], int | None] | None = None,
              end: Callable[[], str] | None = None,
              on_page: Callable[[str, int], None] | None = None) -> Iterator[dict]:
        offset = 0  # rows of instant ``low`` that precede the next unread row
        seen: set = set()  # ids emitted at instant ``low``
        expected: int | None = None  # what ``count`` must say if nothing moved
        while True:
            if offset > SEARCH_MAX_FROM:
                raise ZohoDeskError(f"GET /{self.path}: more than {SEARCH_MAX_FROM + 1} records share "
                                    f"{key} {low} under {params}; no further way to split them")
            if end is not None and end() < high:
                # the range was cut: counts are of a shorter range from now on, so no count can tell
                # whether rows at ``low`` moved; ask from its first row again (``seen`` skips the read ones)
                high, offset, expected = end(), 0, None
                if low > high:
                    return
            if first is not None:
                (rows, count), first = first, None
            else:
                rows, count = self._call({**params, f"{key}Range": f"{low},{high}", "sortBy": key, "from": offset})
                if on_page is not None and count is not None:
                    on_page(high, count - offset - len(rows))
            if offset and expected is not None and count is not None and count != expected:
                # something left the range: offsets inside ``low`` may have moved
                log.debug("GET /%s: the range's count moved under the read: %s %s read again", self.path, key, low)
                offset, expected = 0, None
                continue
            previous = low
            for row in rows:
                stamp = row.get(key)
                if not isinstance(stamp, str) or not previous <= stamp <= high:
                    raise ZohoDeskError(f"GET /{self.path}: a row out of order or outside {key}Range "
                                        f"{low},{high}: {key}={stamp!r} (id {row.get('id')!r})")
                previous = stamp
            if nested and len(rows) == self.limit and rows[-1][key] == low:
                # a full page holding one instant: read that instant by a nested key instead
                yield from self._instant(params, key, low, high, nested, seen)
                low, offset, seen, expected = shift_zoho_time(low, 1), 0, set(), None
                if low > high:
                    return
                continue
            for row in rows:
                if row[key] == low:
                    if row.get("id") in seen:
                        continue
                    seen.add(row.get("id"))
                yield row
            if len(rows) < self.limit:
                return
            last = rows[-1][key]
            if last == low:
                offset += len(rows)
                expected = count
            else:
                before = sum(1 for r in rows if r[key] < last)
                seen = {r.get("id") for r in rows if r[key] == last}
                expected = None if count is None else count - offset - before
                low, offset = last, len(seen)

    def _instant(self, params: dict, key: str, instant: str, high: str, nested: tuple[str, ...],
                 seen: set) -> Iterator[dict]:
        """The rows at one instant of ``key`` (less ``seen``), read by the next key or by department."""
        fixed = {**params, f"{key}Range": f"{instant},{instant}"}
        inner, rest = nested[0], nested[1:]
        log.info("GET /%s: %d or more records share %s %s: reading them by %s", self.path, self.limit, key,
                 instant, inner)
        if inner == "departmentId":
            if self.departments is None:
                raise ZohoDeskError(f"GET /{self.path}: more than {self.limit} records share {key} {instant} "
                                    "and this search cannot be split further (it takes no departmentId)")
            rows: Iterator[dict] = (r for d in self.departments() for r in self._offsets({**fixed, "departmentId": d}))
        else:
            rows = self._scan(fixed, inner, "2000-01-01T00:00:00.000Z", high, nested=rest)
        for row in rows:
            if row.get("id") not in seen:
                seen.add(row.get("id"))
                yield row

    def _offsets(self, params: dict) -> Iterator[dict]:
        """A set fixed by every key and one department: plain offsets, started over when it changes."""
        offset, total = 0, None
        while offset <= SEARCH_MAX_FROM:
            rows, count = self._call({**params, "from": offset})
            if offset and total is not None and count is not None and count != total:
                offset, total = 0, None  # the set changed under the read: start over (the caller dedupes)
                log.debug("GET /%s: the count moved under the read of %s: read again", self.path, params)
                continue
            total = count
            yield from rows
            if len(rows) < self.limit:
                return
            offset += len(rows)
        raise ZohoDeskError(f"GET /{self.path}: more than {SEARCH_MAX_FROM + 1} records under {params}; "
                            "no further way to split them")
