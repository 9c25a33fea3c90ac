"""One stream class for every catalog row.

Read policy, per row of the catalog:
- ``full table`` rows: the list endpoint, page size = the endpoint's cap.
- ``modified+new`` rows with a search endpoint: ``modifiedTimeRange=<bound>,<now>`` sorted
  by ``modifiedTime``, bound = bookmark, else ``start_date``, else 2000-01-01. A
  window is paged to the API's 5,000-row limit, then slides to start at the last
  ``modifiedTime`` read (ids already emitted at that instant are dropped), so no window
  ever needs more than the cap and no call is spent re-reading. Search calls stay at
  offsets below 5,000, the cheapest credit tier: a first read of 100,000 tickets costs about
  3,000 credits this way against about 29,500 through the plain list, whose deep offsets
  cost up to 50 credits a call. ``full_sync_method: list`` forces the plain list.
- other incremental rows: the list endpoint; rows older than the bound are dropped (these
  lists have no server-side time filter).
- child rows (per parent record): parents come from the parent stream of this run when it
  ran, else are read afresh. Only parents whose replication key moved since the child's
  last run are visited (``parent_watermark`` in the child's state), parents whose counter
  says 0 children are skipped, and calls run ``max_concurrency`` at a time. Whether a new
  comment, thread or attachment bumps its parent's ``modifiedTime`` is not settled, so
  every ``child_sweep_days`` (default 7) a child stream visits every parent with a non-zero
  counter and emits all their children: a child record missed because its parent did not
  move arrives at the latest with the next sweep. Cost of a sweep: one list call per such
  parent.
- a stream the portal cannot serve (feature off, scope or edition: 401 SCOPE_MISMATCH,
  403, 422) is skipped with one warning; the sync goes on.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any

from singer_sdk.helpers.conform import TypeConformanceLevel
from singer_sdk.streams import Stream

from tap_zohodesk.catalog import BY_STREAM, FULL, SEARCH_MAX_FROM, ObjectSpec
from tap_zohodesk.client import ZohoDeskClient, ZohoDeskError, parse_zoho_time, to_zoho_time
from tap_zohodesk.custom_fields import coerce
from tap_zohodesk.filters import Filters, placeholders, split_child_filters
from tap_zohodesk.records import compile_pruner
from tap_zohodesk.recycle import delete_markers

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

    from tap_zohodesk.tap import TapZohoDesk


# Lower bound of a first (full) read through search windows: before any Zoho Desk data.
SEARCH_FLOOR = datetime(2000, 1, 1, tzinfo=timezone.utc)
# Records that lack their modification time (comments carry only commentedTime in some
# samples) are bookmarked on their creation time instead: never modified = modified then.
KEY_FALLBACKS = {"modifiedTime": ("commentedTime", "createdTime")}
UNAVAILABLE_CODES = {"SCOPE_MISMATCH", "LICENSE_ACCESS_LIMITED", "FORBIDDEN", "FEATURE_NOT_AVAILABLE"}


@cache
def _schema_file(name: str) -> str:
    return resources.files("tap_zohodesk").joinpath("schemas", f"{name}.json").read_text()


def _schema(name: str) -> dict:
    """A schema file; ``{"$extends": base, "properties": {...}}`` adds properties to ``base``."""
    schema = json.loads(_schema_file(name))
    base = schema.pop("$extends", None)
    if base is None:
        return schema
    merged = _schema(base)
    merged["properties"].update(schema["properties"])
    return merged


def load_schema(spec: ObjectSpec) -> dict:
    """The stream's schema: its (possibly shared) file plus the fields linking to the parent."""
    schema = _schema(spec.schema_name)
    for link in spec.links:
        key = link in spec.primary_key
        schema["properties"].setdefault(link, {"type": ["string"] if key else ["string", "null"]})
        if key and link not in schema.get("required", []):
            schema.setdefault("required", []).append(link)
    return schema


def _params(filters: Filters, names: dict[str, str] | None = None) -> dict[str, str]:
    """Query parameters for filters other than ``id``; a list becomes Zoho's comma-separated OR."""
    names = names or {}
    return {names.get(k, k): ",".join(v) for k, v in filters.items() if k != "id"}


def unavailable(exc: ZohoDeskError) -> bool:
    """True when the error says this org cannot serve the object (not a bug of ours)."""
    return exc.status in (403, 422) or exc.code in UNAVAILABLE_CODES


class ZohoDeskStream(Stream):
    """A Zoho Desk object, configured entirely by its catalog row."""

    # Zoho answers are JSON already: records are pruned to the schema in post_process
    TYPE_CONFORMANCE_LEVEL = TypeConformanceLevel.NONE

    def __init__(self, tap: TapZohoDesk, spec: ObjectSpec, schema: dict):
        self.spec = spec
        super().__init__(tap, schema=schema, name=spec.stream)
        self.primary_keys = list(spec.primary_key)
        self.replication_key = spec.replication_key
        self._tap_ref = tap
        self._prune = compile_pruner(self.schema, self.logger, self.name)
        self._fallbacks = KEY_FALLBACKS.get(spec.replication_key or "", ())
        self._parent_mark: str | None = None
        cf = self.schema["properties"].get("cf", {})
        self._cf_types: dict = (cf.get("properties") or {}) if cf.get("additionalProperties") is False else {}

    @property
    def client(self) -> ZohoDeskClient:
        return self._tap_ref.client

    @property
    def is_sorted(self) -> bool:  # search windows are sorted, lists are not: be safe
        return False

    def post_process(self, row: dict, context: dict | None = None) -> dict | None:
        key = self.replication_key
        if key and not row.get(key):
            row[key] = self._key_value(row)
        custom = row.get("cf")
        if self._cf_types and isinstance(custom, dict):
            for name, value in custom.items():
                if name in self._cf_types:
                    custom[name] = coerce(value, self._cf_types[name])
        self._prune(row, "")
        self._tap_ref.parents.remember(self.name, row)
        return row

    # -- entry point --------------------------------------------------------------------
    def get_records(self, context: dict | None) -> Iterable[dict[str, Any]]:
        try:
            if self.spec.parent:
                yield from self._read_as_child()
            else:
                bound = self._lower_bound(context)
                self._tap_ref.parents.open(self.name, bound)
                yield from self.rows_since(bound)
                self._tap_ref.parents.close(self.name)
                if bound is not None and "_sdc_deleted_at" in self.schema["properties"]:
                    yield from delete_markers(self.client, self.name, bound)
        except ZohoDeskError as exc:
            if not unavailable(exc):
                raise
            self.logger.warning("Skipping stream '%s': this Zoho Desk org cannot serve it (%s)", self.name, exc)

    def _lower_bound(self, context: dict | None) -> datetime | None:
        if not self.replication_key:
            return None
        start = self.get_starting_timestamp(context)
        if start is None:
            return None
        lookback = float(self.config.get("lookback_seconds") or 0)
        return start - timedelta(seconds=lookback)

    # -- reading without side effects -----------------------------------------------------
    def rows_since(self, bound: datetime | None, *, parents_since: datetime | None = None,
                   extra: Filters | None = None) -> Iterator[dict]:
        """This object's rows whose replication key is >= ``bound`` (all when None), under the
        configured filters plus ``extra`` (filters pushed down by a child).

        For a child object ``parents_since`` selects the parents visited (default: bound).
        """
        spec = self.spec
        filters = {**self._tap_ref.filters.get(self.name, {}), **(extra or {})}
        if spec.parent:
            since = parents_since if parents_since is not None else bound
            rows = self._child_rows(since, bound, filters)
        elif "id" in filters:
            rows = self._by_ids(filters["id"], {})
        elif spec.search_path and (bound is not None or self.config.get("full_sync_method") != "list"):
            rows = self._search_windows(bound or SEARCH_FLOOR, _params(filters))
        else:
            rows = self._list(bound, _params(filters, spec.list_param_names))
        if spec.detail or self._wants_thread_content():
            rows = self.client.map(self._with_detail, rows)
        yield from rows

    def _wants_thread_content(self) -> bool:
        return self.spec.schema_name == "threads" and bool(self.config.get("include_thread_content"))

    def _with_detail(self, row: dict) -> dict:
        spec = self.spec
        values = {k: row.get(k) for k in spec.links}
        path = (spec.detail_path or spec.record_path).format(**values, id=row["id"])
        body = self.client.get(path, label=f"detail {spec.stream}")
        if isinstance(body, dict):
            row.update({k: v for k, v in body.items() if k not in values})
        return row

    def _key_value(self, row: dict) -> str | None:
        """The row's replication value, or its creation time when Zoho left that out."""
        return row.get(self.replication_key or "") or next((row[f] for f in self._fallbacks if row.get(f)), None)

    def _keep(self, row: dict, bound: datetime | None) -> bool:
        """Client-side time filter for lists that have no server-side one."""
        if bound is None:
            return True
        value = self._key_value(row)
        if not value:
            return True  # cannot tell: keep it rather than lose it
        try:
            return parse_zoho_time(value) >= bound
        except ValueError as exc:
            raise ZohoDeskError(
                f"{self.name}: record {row.get('id')!r} has an unreadable {self.replication_key} {value!r}"
            ) from exc

    def _by_ids(self, ids: list[str], links: dict[str, str]) -> Iterator[dict]:
        """Exactly the records asked for by id (a missing one is simply absent)."""
        path = self.spec.detail_path or self.spec.record_path
        for record_id in ids:
            try:
                body = self.client.get(path.format(**links, id=record_id), label=f"get {self.name}")
            except ZohoDeskError as exc:
                if exc.status == 404:
                    continue
                raise
            if isinstance(body, dict):
                body.update(links)
                yield body

    def _list(self, bound: datetime | None, params: dict[str, str]) -> Iterator[dict]:
        spec = self.spec
        for page in self.client.pages(spec.path, limit=spec.limit, data_key=spec.data_key,
                                      params=params, label=f"list {spec.stream}"):
            for row in page:
                if self._keep(row, bound):
                    yield row

    def _search_windows(self, bound: datetime, params: dict[str, str]) -> Iterator[dict]:
        spec = self.spec
        key = self.replication_key or "modifiedTime"
        low = to_zoho_time(bound)
        high = to_zoho_time(datetime.now(timezone.utc))
        done_at_low: set = set()  # ids already emitted whose key equals ``low``
        while True:
            last_time: str | None = None
            ids_at_last: set = set()
            pager = self.client.pages(
                spec.search_path or "", limit=spec.limit, label=f"search {spec.stream}",
                params={**params, "modifiedTimeRange": f"{low},{high}", "sortBy": key},
                max_from=SEARCH_MAX_FROM,
            )
            for page in pager:
                for row in page:
                    stamp = row.get(key)
                    if stamp == low and row.get("id") in done_at_low:
                        continue
                    if stamp != last_time:
                        last_time, ids_at_last = stamp, set()
                    ids_at_last.add(row.get("id"))
                    yield row
            if pager.exhausted:
                return
            if not last_time or last_time == low:
                raise ZohoDeskError(
                    f"{self.name}: more than {SEARCH_MAX_FROM + 1} records share "
                    f"{key} {low}; the search window cannot be narrowed further"
                )
            low, done_at_low = last_time, ids_at_last

    # -- children -------------------------------------------------------------------------
    def _parents(self, since: datetime | None, upward: Filters) -> list[dict]:
        spec = self.spec
        parent_spec = BY_STREAM[spec.parent or ""]
        if spec.all_parents or parent_spec.mode == FULL:
            since = None
        parents = self._tap_ref.parents.rows(parent_spec.stream, since, upward)
        key = parent_spec.replication_key
        if key:
            self._parent_mark = max((p[key] for p in parents if p.get(key)), default=None)
        if spec.count_field:
            parents = [p for p in parents if str(p.get(spec.count_field, "1") or "0") != "0"]
        return parents

    def _link_values(self, parent: dict) -> dict:
        """The child's link fields (path placeholders) taken from its parent record."""
        return {k: parent.get(field) for k, field in self.spec.links.items()}

    def _children_of(self, parent: dict, query: dict[str, str]) -> list[dict]:
        spec = self.spec
        values = self._link_values(parent)
        if any(v is None for v in values.values()):
            return []
        params = dict(query)
        if spec.parent_param:
            path = spec.path
            params[spec.parent_key] = values[spec.parent_key]
        else:
            path = spec.path.format(**values)
        label = f"list {spec.stream}"
        try:
            if spec.single:
                body = self.client.get(path, params or None, label=label)
                rows = [body] if isinstance(body, dict) and body else []
            else:
                rows = [r for page in self.client.pages(path, limit=spec.limit, params=params,
                                                         data_key=spec.data_key, label=label) for r in page]
        except ZohoDeskError as exc:
            if exc.status == 404:  # the parent went away between the two reads
                return []
            raise
        for row in rows:
            row.update(values)
        return rows

    def _child_rows(self, parents_since: datetime | None, bound: datetime | None,
                    filters: Filters) -> Iterator[dict]:
        links, upward, query = split_child_filters(self.spec, filters)
        if "id" in filters:  # exactly these records, under the parent the filters name
            given = {k: v[0] for k, v in links.items()}
            if placeholders(self.spec.detail_path or self.spec.record_path) <= given.keys():
                yield from self._by_ids(filters["id"], given)
                return
            for parent in self._parents(None, upward):  # one parent, read by id
                yield from self._by_ids(filters["id"], self._link_values(parent))
            return
        params = _params(query)
        parents = self._parents(parents_since, upward)
        for rows in self.client.map(lambda parent: self._children_of(parent, params), parents):
            for row in rows:
                if self._keep(row, bound):
                    yield row

    def _read_as_child(self) -> Iterator[dict]:
        """Read children of changed parents; keep the parent watermark in this stream's state."""
        state = self.stream_state
        now = datetime.now(timezone.utc)
        mark = state.get("parent_watermark")
        last_sweep = state.get("last_full_sweep")
        sweep_days = float(self.config.get("child_sweep_days", 7) or 0)
        sweep_due = mark is not None and sweep_days > 0 and (
            last_sweep is None or now - parse_zoho_time(last_sweep) >= timedelta(days=sweep_days))
        if sweep_due:
            parents_since = bound = None
        elif mark is None:  # first run: every parent since start_date
            parents_since = bound = self._lower_bound(None)
        else:
            parents_since, bound = parse_zoho_time(mark), self._lower_bound(None)
        self._parent_mark = None
        self._tap_ref.parents.open(self.name, bound)
        yield from self.rows_since(bound, parents_since=parents_since)
        self._tap_ref.parents.close(self.name)
        if self._tap_ref.filters.get(self.name):
            return  # a filtered read covers some parents only: it moves no watermark
        if self._parent_mark and (mark is None or self._parent_mark > mark):
            state["parent_watermark"] = self._parent_mark
        if parents_since is None:
            state["last_full_sweep"] = to_zoho_time(now)
            if sweep_due:
                self.logger.info("%s: periodic sweep of every parent done", self.name)
