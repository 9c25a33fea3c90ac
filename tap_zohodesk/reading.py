"""How a stream reads its object, one strategy per kind of endpoint, chosen from its catalog row.

- by id: ``GET <record path>`` per id asked for (a missing one is simply absent);
- search windows (windows.py): every read of a searchable object, in replication-key order;
- plain list: page by page at the cap, or in one call where the endpoint takes no paging;
  the list's own time window when it has one (``time_param``), newest first down to the bound
  (``newest_first``), or client-side by the replication key; lists whose rows lack the key
  (``slim_list``) ask for it with ``fields=`` when they can and read the changed records by id;
- detail: one ``GET`` per record for fields only that call returns (``*_extended``, thread content).
Every row must carry its primary key; a row without it is an error naming the endpoint.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from tap_zohodesk.api.client import ZohoDeskClient, ZohoDeskError, parse_zoho_time, to_zoho_time
from tap_zohodesk.api.errors import GONE
from tap_zohodesk.filters import Filters, local_match, query_params, refused
from tap_zohodesk.ranges import DONE, PARALLEL_MIN_PAGES, read_ranges, split
from tap_zohodesk.windows import Search

if TYPE_CHECKING:
    from tap_zohodesk.api.catalog import ObjectSpec

# Lower bound of a first (full) read: before any Zoho Desk data.
FLOOR = datetime(2000, 1, 1, tzinfo=timezone.utc)
# Records that lack their modification time (a comment never edited: ``modifiedTime`` null)
# are bookmarked on their creation time instead: never modified = modified then.
KEY_FALLBACKS = {"modifiedTime": ("commentedTime", "createdTime")}


class Reads:
    """Read strategies of a stream (mixed into ZohoDeskStream, which provides spec, client, name)."""

    spec: ObjectSpec
    name: str
    replication_key: str | None
    mask: dict

    @property
    def client(self) -> ZohoDeskClient:
        raise NotImplementedError

    def may_read_in_ranges(self) -> bool:
        raise NotImplementedError

    def key_value(self, row: dict) -> str | None:
        """The row's replication value, or its creation time when Zoho left that out."""
        key = self.replication_key or ""
        return row.get(key) or next((row[f] for f in KEY_FALLBACKS.get(key, ()) if row.get(f)), None)

    def _keep(self, row: dict, bound: datetime | None) -> bool:
        """Client-side time filter for lists that have no server-side one."""
        if bound is None:
            return True
        value = self.key_value(row)
        if not value:
            raise ZohoDeskError(f"{self.name}: record {row.get('id')!r} from GET /{self.spec.read.path} has no "
                                f"{self.replication_key}: cannot tell whether it changed")
        try:
            return parse_zoho_time(value) >= bound
        except ValueError as exc:
            raise ZohoDeskError(f"{self.name}: record {row.get('id')!r} has an unreadable "
                                f"{self.replication_key} {value!r}") from exc

    def checked(self, rows: Iterable[dict], where: str, links: dict | None = None) -> Iterator[dict]:
        """Rows that carry their primary key (ids Zoho sends; link fields we set are ``links``)."""
        own = [k for k in self.spec.primary_key if k not in (links or {})]
        for row in rows:
            if not isinstance(row, dict) or any(row.get(k) in (None, "") for k in own):
                missing = next(k for k in own if not isinstance(row, dict) or row.get(k) in (None, ""))
                raise ZohoDeskError(f"{self.name}: a record from {where} has no {missing!r}: {str(row)[:120]}")
            yield row

    # -- strategies ---------------------------------------------------------------------
    def by_ids(self, ids: list[str], links: dict[str, str]) -> Iterator[dict]:
        """Exactly the records asked for by id (a missing one is simply absent)."""
        path = self.spec.read.one
        for record_id in ids:
            where = path.format(**links, id=record_id)
            try:
                body = self.client.get(where, label=f"get {self.name}")
            except ZohoDeskError as exc:
                if exc.kind == GONE:
                    continue
                raise
            if not isinstance(body, dict):
                raise ZohoDeskError(f"{self.name}: GET /{where} answered no record")
            yield from self.checked([{**body, **links}], f"GET /{where}", links)

    def search_rows(self, bound: datetime | None, high: datetime, filters: Filters, *,
                    own: bool = False) -> Iterator[dict]:
        """Exact search windows (windows.py). The stream's own read (``own``: it emits) of a first
        sync keeps its resume points in ``time_ranges``: parallel time ranges (ranges.py) when large,
        else one range read in order; any other read (for a child, an unwound stream) is one keyset
        scan in key order that touches no state."""
        spec = self.spec
        path = spec.read.search or ""
        lesson = self.client.learned.of(path)

        def call(query: dict) -> Any:
            return self.client.get(path, query, label=f"search {spec.stream}")

        def learned(limit: int) -> None:
            lesson.limit = limit
            self.client.learned.note(path, f"refuses a larger limit: paging by {limit}")

        def make() -> Search:
            return Search(call, path, query_params(spec, filters),
                          limit=min(spec.read.limit, lesson.limit or spec.read.limit), on_limit=learned,
                          departments=self._departments if "departmentId" in spec.filters.ops else None)

        key = self.replication_key or "modifiedTime"
        low, top = to_zoho_time(bound or FLOOR), to_zoho_time(high)
        if not own:
            yield from self.checked(make().rows(key, low, top), f"GET /{path}")
            return
        state = self.stream_state
        parts = state.get("time_ranges")
        search, probed, last = make(), None, None
        workers = self.client.limiter.maximum
        if parts is None and self.may_read_in_ranges():
            probed = search.probe(key, low, top)  # a first sync: is it worth reading in parallel?
            first, count = probed
            if first and count and count > PARALLEL_MIN_PAGES * spec.read.limit:
                last = search.latest(key, low, top) or top
                parts = state["time_ranges"] = split(first[0][key], last, top, workers)
            else:  # one range, read in order on this thread: a stopped first read resumes where it got
                parts = state["time_ranges"] = [[low, top, low]]
        if parts and len(parts) == 1:
            rows: Iterator[dict] = self._one_range(search, key, parts[0], probed)
        elif parts:
            def progress(index: int, at: str) -> None:
                parts[index][2] = at

            rows = read_ranges(make, key, parts, progress, workers=workers, min_rows=2 * spec.read.limit, last=last)
        else:
            rows = search.rows(key, low, top, first=probed)
        yield from self.checked(rows, f"GET /{path}")
        state.pop("time_ranges", None)

    @staticmethod
    def _one_range(search: Search, key: str, part: list[str], probed: tuple | None) -> Iterator[dict]:
        """The rows of one range ``[low, high, at]`` from ``at``, in key order; ``at`` follows each row
        (a STATE written then resumes at that instant); ``probed``: the answer of the range's first page."""
        low, high, at = part
        if at == DONE:
            return
        for row in search.rows(key, at, high, first=probed if at == low else None):
            part[2] = row[key]
            yield row

    def _departments(self) -> list[str]:
        pager = self.client.pages("departments", limit=200, label="list departments (window split)")
        return [row["id"] for page in pager for row in page]

    def list_rows(self, bound: datetime | None, high: datetime, filters: Filters) -> Iterator[dict]:
        spec = self.spec
        params = query_params(spec, filters)
        if spec.read.time_param:
            params[spec.read.time_param] = f"{to_zoho_time(bound or FLOOR)},{to_zoho_time(high)}"
        if spec.read.newest_first:
            params["sortBy"] = spec.read.newest_first
        if spec.read.slim and spec.read.fields_param and self.replication_key:
            params["fields"] = self.replication_key
        pager = self.client.pages(spec.read.path, limit=spec.read.limit, data_key=spec.read.envelope, params=params,
                                  label=f"list {spec.stream}", paged=spec.read.paged, key=spec.read.path,
                                  droppable=frozenset(spec.filters.param(n) for n in spec.filters.uncertain))
        local = local_match(spec, filters, set(spec.filters.local))
        rows = self.checked((r for page in pager for r in page), f"GET /{spec.read.path}")
        if spec.read.slim:
            yield from self._changed_by_id(rows, bound, filters)
            return
        refused_here = local_match(spec, filters, refused(spec, self.client.learned.dropped(spec.read.path)))
        for row in rows:
            if spec.read.newest_first and bound is not None and not self._keep(row, bound):
                return  # newest first: everything after this is older still
            if self._keep(row, bound) and local(row) and refused_here(row):
                yield row

    def _changed_by_id(self, rows: Iterable[dict], bound: datetime | None, filters: Filters) -> Iterator[dict]:
        """Slim list rows: read the records that changed since ``bound`` (all when the list
        cannot say) by id, for the fields the list leaves out."""
        spec = self.spec
        if spec.read.fields_param:
            wanted = (r for r in rows if self._keep(r, bound))
        else:
            wanted = iter(rows)
        path = spec.read.one
        for body in self.client.map(lambda r: self._get_record(path.format(id=r["id"])), wanted):
            if body is not None and self._keep(body, bound):
                yield body

    def _get_record(self, where: str) -> dict | None:
        try:
            body = self.client.get(where, label=f"get {self.name}")
        except ZohoDeskError as exc:
            if exc.kind == GONE:  # gone between the list and this read: it is in the recycle bin
                return None
            raise
        if not isinstance(body, dict):
            raise ZohoDeskError(f"{self.name}: GET /{where} answered no record")
        return next(self.checked([body], f"GET /{where}"))

    def with_detail(self, row: dict) -> dict:
        """``row`` plus the fields only its own GET returns."""
        spec = self.spec
        values = {k: row.get(k) for k in spec.links}
        where = (spec.read.one).format(**values, id=row["id"])
        body = self.client.get(where, self._detail_params(), label=f"detail {spec.stream}")
        if not isinstance(body, dict):
            raise ZohoDeskError(f"{self.name}: GET /{where} answered no record")
        row.update({k: v for k, v in body.items() if k not in values})
        return row

    def _detail_params(self) -> dict | None:
        """``include=`` for the side objects of the detail GET whose fields are selected (None: none)."""
        mask = self.mask
        asked = [value for value, name in self.spec.read.include.items() if mask.get(("properties", name), True)]
        return {"include": ",".join(asked)} if asked else None

    @staticmethod
    def now() -> datetime:
        return datetime.now(timezone.utc)
