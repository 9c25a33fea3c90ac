"""How a stream reads its object: one strategy class per kind of endpoint (read_plans.py picks one).

- by id (``ById``): ``GET <record path>`` per id asked for (a missing one is simply absent);
- search windows (``SearchWindows``, windows.py): every read of a searchable object, in
  replication-key order; a stream's own first read may go in parallel time ranges (ranges.py);
- plain list (``PlainList``): page by page at the cap, or in one call where the endpoint takes no
  paging; the list's own time window when it has one (``time_param``), newest first down to the
  bound (``newest_first``), or client-side by the replication key; lists whose rows lack the key
  (``slim_list``) ask for it with ``fields=`` when they can and read the changed records by id;
- detail (``Detail``, a wrapper): one ``GET`` per record for fields only that call returns
  (``*_extended``, thread content); ``SiblingDetail``: the rows a sibling stream read this run, detailed.
A strategy takes what it reads with (``Source``: client, row, stream name and key) and the read's
inputs (``ReadInputs``), and yields rows from ``rows(bound, high)``. Every row must
carry its primary key; a row without it is an error naming the endpoint.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from tap_zohodesk.api.catalog import BY_STREAM
from tap_zohodesk.api.client import ZohoDeskClient, ZohoDeskError, parse_zoho_time, to_zoho_time
from tap_zohodesk.api.errors import GONE
from tap_zohodesk.filters import local_match, refused
from tap_zohodesk.ranges import DONE, PARALLEL_MIN_PAGES, read_ranges, split
from tap_zohodesk.windows import Search

if TYPE_CHECKING:
    from tap_zohodesk.api.catalog import ObjectSpec
    from tap_zohodesk.filters import FilterPlan

# Lower bound of a first (full) read: before any Zoho Desk data.
FLOOR = datetime(2000, 1, 1, tzinfo=timezone.utc)
# Records that lack their modification time (a comment never edited: ``modifiedTime`` null)
# are bookmarked on their creation time instead: never modified = modified then.
KEY_FALLBACKS = {"modifiedTime": ("commentedTime", "createdTime")}


def key_value(key: str | None, row: dict) -> str | None:
    """The row's value of replication key ``key``, or its creation time when Zoho left that out."""
    return row.get(key or "") or next((row[f] for f in KEY_FALLBACKS.get(key or "", ()) if row.get(f)), None)


@dataclass
class Source:
    """What every strategy reads with: the client, the object's row, the stream's name and key."""

    client: ZohoDeskClient
    spec: ObjectSpec
    name: str
    key: str | None  # the stream's replication key

    def keep(self, row: dict, bound: datetime | None) -> bool:
        """Client-side time filter for lists that have no server-side one."""
        if bound is None:
            return True
        value = key_value(self.key, row)
        if not value:
            raise ZohoDeskError(f"{self.name}: record {row.get('id')!r} from GET /{self.spec.read.path} has no "
                                f"{self.key}: cannot tell whether it changed")
        try:
            return parse_zoho_time(value) >= bound
        except ValueError as exc:
            raise ZohoDeskError(f"{self.name}: record {row.get('id')!r} has an unreadable "
                                f"{self.key} {value!r}") from exc

    def checked(self, rows: Iterable[dict], where: str, links: dict | None = None) -> Iterator[dict]:
        """Rows that carry their primary key (ids Zoho sends; link fields we set are ``links``)."""
        own = [k for k in self.spec.primary_key if k not in (links or {})]
        for row in rows:
            if not isinstance(row, dict) or any(row.get(k) in (None, "") for k in own):
                missing = next(k for k in own if not isinstance(row, dict) or row.get(k) in (None, ""))
                raise ZohoDeskError(f"{self.name}: a record from {where} has no {missing!r}: {str(row)[:120]}")
            yield row

    def record(self, where: str, links: dict | None = None) -> dict | None:
        """The one record at ``where`` (None: gone, e.g. moved to the recycle bin since it was listed)."""
        try:
            body = self.client.get(where, label=f"get {self.name}")
        except ZohoDeskError as exc:
            if exc.kind == GONE:
                return None
            raise
        if not isinstance(body, dict):
            raise ZohoDeskError(f"{self.name}: GET /{where} answered no record")
        return next(self.checked([{**body, **(links or {})}], f"GET /{where}", links))

    def with_detail(self, row: dict, include: dict | None) -> dict:
        """``row`` plus the fields only its own GET returns (``include``: its side objects asked for)."""
        spec = self.spec
        values = {k: row.get(k) for k in spec.links}
        where = (spec.read.one).format(**values, id=row["id"])
        body = self.client.get(where, include, label=f"detail {spec.stream}")
        if not isinstance(body, dict):
            raise ZohoDeskError(f"{self.name}: GET /{where} answered no record")
        row.update({k: v for k, v in body.items() if k not in values})
        return row


@dataclass
class ReadInputs:
    """What a read's strategy is given (each takes the parts it needs): the source, the filters split
    once, the stream's state (``own``: the stream's own read, which keeps resume points there; a
    child's read with ``progress`` keeps its parent watermark there), the side objects its detail GET
    asks for, and for a child: the parent rows of the run, its per-parent lists (children.py
    ``ChildLists``), ``start_date``'s bound, since when parents are visited and the callback told of
    each parent done."""

    source: Source
    filters: FilterPlan
    state: dict | None = None
    own: bool = False
    may_range: Callable[[], bool] = bool
    include: dict | None = None
    parents: Any = None
    lists: Any = None
    start: datetime | None = None
    parents_since: datetime | None = None
    progress: Callable[[dict], None] | None = None


class Strategy:
    """What every kind of read answers besides its rows, for ``--estimate`` (estimate.py): what it
    would cost: ``count`` the records it would touch (one cheap call; None:
    cannot tell), ``counts_changes`` whether that count can be of the records changed since a time,
    ``cost`` the calls a read since ``low`` makes and the words saying why."""

    counts_changes = False

    @staticmethod
    def count(source: Source, filters: FilterPlan, low: datetime | None) -> int | None:
        return None

    @staticmethod
    def calls(records: int, limit: int) -> int:
        return max(1, math.ceil(records / limit))

    @staticmethod
    def basis(records: int) -> str:
        return f"{records:,} records"

    @classmethod
    def cost(cls, spec: ObjectSpec, since: Callable[[str, datetime | None], int | None], low: datetime | None,
             *, detailed: bool) -> tuple[int | None, str]:
        """Calls of a read since ``low`` (None: everything); ``since(stream, low)`` counts a stream's
        records (memoised by the estimate); ``detailed``: one more GET per record."""
        records = since(spec.stream, low if cls.counts_changes else None)
        if records is None:
            return None, "more than one page"
        return cls.calls(records, spec.read.limit) + (records if detailed else 0), cls.basis(records)


class ById(Strategy):
    """Exactly the records asked for by id (a missing one is simply absent)."""

    @staticmethod
    def count(source: Source, filters: FilterPlan, low: datetime | None) -> int | None:
        return len(filters.ids or [])

    @staticmethod
    def calls(records: int, limit: int) -> int:
        return records  # one GET per id

    @staticmethod
    def basis(records: int) -> str:
        return f"{records:,} records by id"

    def __init__(self, read: ReadInputs):
        self.source, self.ids = read.source, read.filters.ids or []

    def rows(self, bound: datetime | None, high: datetime) -> Iterator[dict]:
        return by_ids(self.source, self.ids, {})


def by_ids(source: Source, ids: list[str], links: dict[str, str]) -> Iterator[dict]:
    """The records ``ids`` under the parent ``links`` name (a missing one is simply absent)."""
    for record_id in ids:
        body = source.record(source.spec.read.one.format(**links, id=record_id), links)
        if body is not None:
            yield body


class SearchWindows(Strategy):
    """Exact search windows (windows.py). The stream's own read (``state``: it emits) of a first
    sync keeps its resume points in ``time_ranges``: parallel time ranges (ranges.py) when large,
    else one range read in order; any other read (for a child, an unwound stream) is one keyset
    scan in key order that touches no state."""

    counts_changes = True

    @staticmethod
    def count(source: Source, filters: FilterPlan, low: datetime | None) -> int | None:
        """The records changed since ``low``: one search call of one row, with its ``count``."""
        params = {**filters.params, "from": 0, "limit": 1, "sortBy": "modifiedTime",
                  "modifiedTimeRange": f"{to_zoho_time(low or FLOOR)},{to_zoho_time(source.client.zoho_now())}"}
        body = source.client.get(source.spec.read.search, params, label=f"estimate {source.name}")
        return int((body or {}).get("count") or 0)

    def __init__(self, read: ReadInputs):
        self.source, self.params = read.source, read.filters.params
        self.state = read.state if read.own else None
        self.may_range = read.may_range

    def _search(self) -> Search:
        source, spec = self.source, self.source.spec
        path = spec.read.search or ""
        lesson = source.client.learned.of(path)

        def call(query: dict) -> Any:
            return source.client.get(path, query, label=f"search {spec.stream}")

        def learned(limit: int) -> None:
            lesson.limit = limit
            source.client.learned.note(path, f"refuses a larger limit: paging by {limit}")

        return Search(call, path, dict(self.params),
                      limit=min(spec.read.limit, lesson.limit or spec.read.limit), on_limit=learned,
                      departments=self._departments if "departmentId" in spec.filters.ops else None)

    def _departments(self) -> list[str]:
        pager = self.source.client.pages("departments", limit=200, label="list departments (window split)")
        return [row["id"] for page in pager for row in page]

    def rows(self, bound: datetime | None, high: datetime) -> Iterator[dict]:
        source, spec = self.source, self.source.spec
        where = f"GET /{spec.read.search}"
        key = source.key or "modifiedTime"
        low, top = to_zoho_time(bound or FLOOR), to_zoho_time(high)
        state = self.state
        if state is None:
            yield from source.checked(self._search().rows(key, low, top), where)
            return
        parts = state.get("time_ranges")
        search, probed = self._search(), None
        workers = source.client.limiter.maximum
        if parts is None and self.may_range():
            probed = search.probe(key, low, top)  # a first sync: is it worth reading in parallel?
            first, count = probed
            if first and count and count > PARALLEL_MIN_PAGES * spec.read.limit:
                parts = state["time_ranges"] = split(first[0][key], search.latest(key, low, top) or top, top, workers)
            else:  # one range, read in order on this thread: a stopped first read resumes where it got
                parts = state["time_ranges"] = [[low, top, low]]
        if parts and len(parts) == 1:
            rows: Iterator[dict] = _one_range(search, key, parts[0], probed)
        elif parts:
            def progress(index: int, at: str) -> None:
                parts[index][2] = at

            rows = read_ranges(self._search, key, parts, progress, workers=workers, min_rows=2 * spec.read.limit)
        else:
            rows = search.rows(key, low, top, first=probed)
        yield from source.checked(rows, where)
        state.pop("time_ranges", None)


def _one_range(search: Search, key: str, part: list[str], probed: tuple | None) -> Iterator[dict]:
    """The rows of one range ``[low, high, at]`` from ``at``, in key order; ``at`` follows each row
    (a STATE written then resumes at that instant); ``probed``: the answer of the range's first page."""
    low, high, at = part
    if at == DONE:
        return
    for row in search.rows(key, at, high, first=probed if at == low else None):
        part[2] = row[key]
        yield row


class PlainList(Strategy):
    """The object's list, page by page (see the module docstring)."""

    @staticmethod
    def count(source: Source, filters: FilterPlan, low: datetime | None) -> int | None:
        """The records of the list's first page, when it is the only one (None: more than a page)."""
        read = source.spec.read
        pager = source.client.pages(read.path, limit=read.limit, data_key=read.envelope,
                                    label=f"estimate {source.name}", paged=read.paged, key=read.path)
        first = next(iter(pager), [])
        return len(first) if len(first) < read.limit or not read.paged else None

    def __init__(self, read: ReadInputs):
        self.source, self.filters = read.source, read.filters

    def rows(self, bound: datetime | None, high: datetime) -> Iterator[dict]:
        source, spec = self.source, self.source.spec
        given = self.filters.query
        params = dict(self.filters.params)
        if spec.read.time_param:
            params[spec.read.time_param] = f"{to_zoho_time(bound or FLOOR)},{to_zoho_time(high)}"
        if spec.read.newest_first:
            params["sortBy"] = spec.read.newest_first
        if spec.read.slim and spec.read.fields_param and source.key:
            params["fields"] = source.key
        pager = source.client.pages(spec.read.path, limit=spec.read.limit, data_key=spec.read.envelope,
                                    params=params, label=f"list {spec.stream}", paged=spec.read.paged,
                                    key=spec.read.path,
                                    droppable=frozenset(spec.filters.param(n) for n in spec.filters.uncertain))
        local = local_match(spec, given, set(spec.filters.local))
        rows = source.checked((r for page in pager for r in page), f"GET /{spec.read.path}")
        if spec.read.slim:
            yield from self._changed_by_id(rows, bound)
            return
        refused_here = local_match(spec, given, refused(spec, source.client.learned.dropped(spec.read.path)))
        for row in rows:
            if spec.read.newest_first and bound is not None and not source.keep(row, bound):
                return  # newest first: everything after this is older still
            if source.keep(row, bound) and local(row) and refused_here(row):
                yield row

    def _changed_by_id(self, rows: Iterable[dict], bound: datetime | None) -> Iterator[dict]:
        """Slim list rows: read the records that changed since ``bound`` (all when the list
        cannot say) by id, for the fields the list leaves out."""
        source = self.source
        wanted = (r for r in rows if source.keep(r, bound)) if source.spec.read.fields_param else iter(rows)
        path = source.spec.read.one
        for body in source.client.map(lambda r: source.record(path.format(id=r["id"])), wanted):
            if body is not None and source.keep(body, bound):
                yield body


class Detail:
    """A wrapper: each row of ``inner`` plus the fields only its own GET returns (a child's rows
    then kept by the bound: its list could not tell)."""

    def __init__(self, inner: Any, read: ReadInputs):
        self.inner, self.source, self.include = inner, read.source, read.include

    def rows(self, bound: datetime | None, high: datetime) -> Iterator[dict]:
        source = self.source
        rows = source.client.map(lambda row: source.with_detail(row, self.include), self.inner.rows(bound, high))
        if source.spec.parent and bound is not None:
            rows = (r for r in rows if source.keep(r, bound))
        return rows


class SiblingDetail:
    """Rows of the stream this one details (``details_of``) that its read kept this run: only the
    detail calls remain; without such a read, ``inner`` reads as usual."""

    def __init__(self, inner: Any, read: ReadInputs):
        self.inner, self.source, self.include, self.parents = inner, read.source, read.include, read.parents

    def rows(self, bound: datetime | None, high: datetime) -> Iterator[dict]:
        source = self.source
        sibling = source.spec.read.details_of or ""
        same_key = BY_STREAM[sibling].key == source.key
        read = self.parents.cached(sibling, bound if same_key else None)
        if read is None:
            yield from self.inner.rows(bound, high)
            return
        detailed = source.client.map(lambda row: source.with_detail(row, self.include), read)
        yield from (r for r in detailed if same_key or source.keep(r, bound))
