"""Child streams: read per parent record (``PerParent``, its lists ``ChildLists``), and what a run
owes to the next one (kept in the stream's state by streams.py ``read_as_child``).

- Full-table children (followers, tags, metrics, approvals, Jira issues, thread attachments)
  and children of parents read whole every run (departments, agents) visit every parent,
  every run: a full-table child stream always emits its full set, so a loader replacing the
  table loses nothing and a removed follower or tag disappears.
- Incremental children visit the parents changed since ``parent_watermark`` (the parent's
  replication key), in that key's order, and emit every child of each (a changed parent's
  children are re-read whole: nothing under it can be missed). The watermark moves after
  each parent is done, so a run stopped half-way resumes at the parent it stopped at; the parents
  it visited at that instant (``parents_done``, kept until the read ends) are not visited again,
  however many share it.
- Whether Zoho bumps a parent's ``modifiedTime`` when a child is added or edited is not
  settled: every ``child_sweep_days`` (default 7) the run is a sweep of every parent since
  ``start_date`` (the first run is one); ``sweep_from`` lets a stopped sweep resume.
- Parents whose rows carry a counter of these children (``threadCount``, ``commentCount``,
  thread ``attachmentCount``) are skipped at 0, and so are those whose detail answer says 0
  (a ticket's attachments, followers, time entries, approvals, tags: counters.py). A 404 on a
  parent's children is tolerated only when the parent itself is gone (checked with one GET), and
  counted.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from typing import TYPE_CHECKING, Any

from tap_zohodesk.api.catalog import BY_STREAM
from tap_zohodesk.api.client import ZohoDeskError, to_zoho_time
from tap_zohodesk.api.errors import GONE
from tap_zohodesk.filters import local_match, placeholders, refused
from tap_zohodesk.instants import visited, was_visited
from tap_zohodesk.reading import Strategy, by_ids

if TYPE_CHECKING:
    from tap_zohodesk.api.catalog import ObjectSpec
    from tap_zohodesk.reading import ReadInputs, Source


class ChildLists:
    """A child object's list under one parent record (its stream holds one; prefetch.py reads ahead
    with it); ``vanished``: parents gone during the run, whose children were skipped."""

    def __init__(self, source: Source, parents: Any):
        self.source, self.parents = source, parents  # parents: the run's ParentRows (parents.py)
        self.vanished = 0

    def link_values(self, parent: dict) -> dict:
        """The child's link fields (path placeholders) taken from its parent record."""
        spec = self.source.spec
        values = {k: parent.get(field) for k, field in spec.links.items()}
        missing = [field for k, field in spec.links.items() if values[k] in (None, "")]
        if missing:
            raise ZohoDeskError(f"{self.source.name}: parent {spec.parent.stream} record {parent.get('id')!r} has "
                                f"no {missing[0]!r} to address its children")
        return values

    def children_of(self, parent: dict, params: dict[str, str]) -> list[dict]:
        """The parent's children: the answer read ahead while the parent emitted (prefetch.py;
        its error raised here), or a read now."""
        ahead = self.parents.prefetch.take(self.source.name, parent.get("id"), params)
        return ahead.result() if ahead is not None else self.read_children(parent, params)

    def read_children(self, parent: dict, params: dict[str, str]) -> list[dict]:
        source, spec = self.source, self.source.spec
        client = source.client
        if spec.parent.counter and str(parent.get(spec.parent.counter)) == "0":
            return []  # the parent's row says it has none: no call
        told = self.parents.counters.none_for(spec, parent, client) if spec.parent.detail_counter else False
        if told:
            return []  # the parent's detail answer says it has none (counters.py)
        values = self.link_values(parent)
        params = {**spec.read.params, **params}
        if spec.parent.as_param:
            path = spec.read.path
            params[spec.parent.key] = values[spec.parent.key]
        else:
            path = spec.read.path.format(**values)
        label = f"list {spec.stream}"
        try:
            if spec.read.single:
                rows = self._single(client.get(path, params or None, label=label), path)
            else:
                pager = client.pages(path, limit=spec.read.limit, params=params, data_key=spec.read.envelope,
                                     label=label, paged=spec.read.paged, key=spec.read.path,
                                     max_from=spec.read.max_from,
                                     droppable=frozenset(spec.filters.param(n) for n in spec.filters.uncertain))
                rows = [r for page in pager for r in page]
                if not pager.exhausted:
                    raise ZohoDeskError(self._past_cap(values if not spec.parent.as_param else params))
        except ZohoDeskError as exc:
            if exc.kind == GONE and self._parent_gone(parent):  # a parent gone since: counted, not raised
                self.vanished += 1
                return []
            raise
        rows = list(source.checked(rows, f"GET /{path}", values))
        if told is None:  # no counter told: what the list answered is what counters.py learns from
            self.parents.counters.observe(spec.stream, not rows)
        for row in rows:
            row.update(values)
        return rows

    def _single(self, body: object, path: str) -> list[dict]:
        """One object per parent (metrics), the whole answer; where the row names a key (Jira:
        ``issueInfo``), only an answer carrying it is a record (null or absent: none)."""
        if body is None:
            return []
        if not isinstance(body, dict):
            raise ZohoDeskError(f"{self.source.name}: GET /{path} answered {str(body)[:80]!r}, not an object")
        marker = self.source.spec.read.envelope
        if marker != "data" and body.get(marker) is None:
            return []
        return [body] if body else []

    def _past_cap(self, under: dict) -> str:
        """The line for a parent whose children lie past the largest ``from`` the list takes."""
        spec = self.source.spec
        key = spec.parent.key
        cap = (spec.read.max_from or 0) + 1
        return (f"{self.source.name}: {key} {under.get(key)} has more than {cap:,} records, and GET "
                f"/{spec.read.path} takes 'from' only up to {cap - 1} with no parameter to split them by, so the "
                f"rest cannot be read; to read the other {key} values, filter {self.source.name} on {key}")

    def _parent_gone(self, parent: dict) -> bool:
        """Whether the parent record itself is gone (then its children's 404 is no error)."""
        parent_spec = BY_STREAM[self.source.spec.parent.stream]
        values = {k: parent.get(f) for k, f in parent_spec.links.items()}
        where = (parent_spec.read.one).format(**values, id=parent.get("id"))
        return self.source.client.gone(where, label=f"check parent of {self.source.name}")


class PerParent(Strategy):
    """A child object read per parent visited: the parents changed since ``parents_since`` (every
    parent for a child of a parent read whole), in their key order, less those an earlier run
    visited at the instant this read resumes from; an ``id`` filter reads those records only."""

    @classmethod
    def cost(cls, spec: ObjectSpec, since: Callable[[str, datetime | None], int | None], low: datetime | None,
             *, detailed: bool) -> tuple[int | None, str]:
        """One call per parent visited: every parent for a child of a parent read whole, else those
        changed since ``low``."""
        parent = spec.parent.stream
        visited = since(parent, None if spec.reads_every_parent else low)
        if visited is None:
            return None, f"one call per {parent} record"
        basis = f"one call per {parent} record visited"
        return visited, basis + (", plus one per record read (not counted)" if detailed else "")

    def __init__(self, read: ReadInputs):
        self.source, self.filters, self.lists, self.parents = read.source, read.filters, read.lists, read.parents
        self.start, self.since, self.progress = read.start, read.parents_since, read.progress
        self.state = read.state

    def parent_rows(self, since: datetime | None) -> Iterable[dict]:
        """The parents to visit, in their key order (parents.py keeps them on disk)."""
        spec = self.source.spec
        if spec.reads_every_parent:
            since = self.start
        return self.parents.rows(spec.parent.stream, since, self.filters.upward)

    def rows(self, bound: datetime | None, high: datetime) -> Iterator[dict]:
        source, spec, plan, lists = self.source, self.source.spec, self.filters, self.lists
        if plan.ids is not None and not spec.read.item_get:  # no GET of one record: the parent's list, that id
            wanted = set(plan.ids)
            for parent in self.parent_rows(None):
                yield from (r for r in lists.children_of(parent, plan.params) if r["id"] in wanted)
            return
        if plan.ids is not None:  # exactly these records, under the parent the filters name
            given = {k: v[0] for k, v in plan.links.items()}
            if placeholders(spec.read.one) <= given.keys():
                yield from by_ids(source, plan.ids, given)
                return
            for parent in self.parent_rows(None):  # one parent, read by id
                yield from by_ids(source, plan.ids, lists.link_values(parent))
            return
        params = dict(plan.params)
        if spec.read.time_param and bound is not None:  # the list's own window (time entries: createdTimeRange)
            params[spec.read.time_param] = f"{to_zoho_time(bound)},{to_zoho_time(source.client.zoho_now())}"
        since = self.since if self.since is not None else bound
        parents = self._unvisited(self.parent_rows(since)) if self.progress else self.parent_rows(since)
        for parent, rows in source.client.map(lambda p: (p, lists.children_of(p, params)), parents):
            dropped = refused(spec, source.client.learned.dropped(spec.read.path))
            keep = local_match(spec, plan.query, dropped | spec.filters.local)  # filters the API does not take
            for row in rows:
                if keep(row) and (spec.read.extended or source.keep(row, bound)):
                    yield row
            if self.progress is not None:
                self.progress(parent)

    def _unvisited(self, parents: Iterable[dict]) -> Iterator[dict]:
        """``parents`` less those already visited at the instant the read resumes from (``parents_done``:
        that instant and the ids visited at it): parents sharing one instant never hold a stopped read
        back, however many there are."""
        key = BY_STREAM[self.source.spec.parent.stream].key or ""
        done = visited(self.state)
        return (p for p in parents if not was_visited(done, key, p))

