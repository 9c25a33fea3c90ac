"""Child streams: read per parent record, and what a run owes to the next one.

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
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from tap_zohodesk.api.catalog import BY_STREAM, FULL
from tap_zohodesk.api.client import ZohoDeskError, parse_zoho_time, to_zoho_time
from tap_zohodesk.api.errors import GONE
from tap_zohodesk.filters import Filters, local_match, placeholders, query_params, refused, split_child_filters
from tap_zohodesk.instants import PARENT_DONE, exact, note, start_after

if TYPE_CHECKING:
    from tap_zohodesk.api.catalog import ObjectSpec


class ChildReads:
    """Child reading of a stream (mixed into ZohoDeskStream)."""

    spec: ObjectSpec
    vanished: int = 0

    def parent_rows(self, since: datetime | None, upward: Filters) -> Iterable[dict]:
        """The parents to visit, in their key order (parents.py keeps them on disk)."""
        if self.spec.reads_every_parent:
            since = self.start_bound()
        return self.parents.rows(self.spec.parent.stream, since, upward)

    def link_values(self, parent: dict) -> dict:
        """The child's link fields (path placeholders) taken from its parent record."""
        values = {k: parent.get(field) for k, field in self.spec.links.items()}
        missing = [field for k, field in self.spec.links.items() if values[k] in (None, "")]
        if missing:
            raise ZohoDeskError(f"{self.name}: parent {self.spec.parent.stream} record {parent.get('id')!r} has no "
                                f"{missing[0]!r} to address its children")
        return values

    def children_of(self, parent: dict, params: dict[str, str]) -> list[dict]:
        """The parent's children: the answer read ahead while the parent emitted (prefetch.py;
        its error raised here), or a read now."""
        ahead = self.parents.prefetch.take(self.name, parent.get("id"), params)
        return ahead.result() if ahead is not None else self.read_children(parent, params)

    def read_children(self, parent: dict, params: dict[str, str]) -> list[dict]:
        spec = self.spec
        if spec.parent.counter and str(parent.get(spec.parent.counter)) == "0":
            return []  # the parent's row says it has none: no call
        told = self.parents.counters.none_for(spec, parent, self.client) if spec.parent.detail_counter else False
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
                rows = self._single(self.client.get(path, params or None, label=label), path)
            else:
                pager = self.client.pages(path, limit=spec.read.limit, params=params, data_key=spec.read.envelope,
                                          label=label, paged=spec.read.paged, key=spec.read.path,
                                          max_from=spec.read.max_from,
                                          droppable=frozenset(spec.filters.param(n) for n in spec.filters.uncertain))
                rows = [r for page in pager for r in page]
                if not pager.exhausted:
                    raise ZohoDeskError(self._past_cap(values if not spec.parent.as_param else params))
        except ZohoDeskError as exc:
            if exc.kind == GONE and self.spec.errors.gone_parent and self._parent_gone(parent):
                self.vanished += 1
                return []
            raise
        rows = list(self.checked(rows, f"GET /{path}", values))
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
            raise ZohoDeskError(f"{self.name}: GET /{path} answered {str(body)[:80]!r}, not an object")
        marker = self.spec.read.envelope
        if marker != "data" and body.get(marker) is None:
            return []
        return [body] if body else []

    def _past_cap(self, under: dict) -> str:
        """The line for a parent whose children lie past the largest ``from`` the list takes."""
        spec = self.spec
        key = spec.parent.key
        cap = (spec.read.max_from or 0) + 1
        return (f"{self.name}: {key} {under.get(key)} has more than {cap:,} records, and GET /{spec.read.path} "
                f"takes 'from' only up to {cap - 1} with no parameter to split them by, so the rest cannot be "
                f"read; to read the other {key} values, filter {self.name} on {key}")

    def _parent_gone(self, parent: dict) -> bool:
        """Whether the parent record itself is gone (then its children's 404 is no error)."""
        parent_spec = BY_STREAM[self.spec.parent.stream]
        values = {k: parent.get(f) for k, f in parent_spec.links.items()}
        where = (parent_spec.read.one).format(**values, id=parent.get("id"))
        return self.client.gone(where, label=f"check parent of {self.name}")

    def child_rows(self, parents_since: datetime | None, bound: datetime | None, filters: Filters,
                   progress: Callable[[dict], None] | None = None) -> Iterator[dict]:
        spec = self.spec
        links, upward, query = split_child_filters(spec, filters)
        if "id" in filters and not spec.read.item_get:  # no GET of one record: the parent's list, that id
            wanted = set(filters["id"])
            for parent in self.parent_rows(None, upward):
                yield from (r for r in self.children_of(parent, query_params(spec, query)) if r["id"] in wanted)
            return
        if "id" in filters:  # exactly these records, under the parent the filters name
            given = {k: v[0] for k, v in links.items()}
            if placeholders(spec.read.one) <= given.keys():
                yield from self.by_ids(filters["id"], given)
                return
            for parent in self.parent_rows(None, upward):  # one parent, read by id
                yield from self.by_ids(filters["id"], self.link_values(parent))
            return
        params = query_params(spec, query)
        if spec.read.time_param and bound is not None:  # the list's own window (time entries: createdTimeRange)
            params[spec.read.time_param] = f"{to_zoho_time(bound)},{to_zoho_time(self.now())}"
        parents = self._unvisited(self.parent_rows(parents_since, upward)) if progress else \
            self.parent_rows(parents_since, upward)
        for parent, rows in self.client.map(lambda p: (p, self.children_of(p, params)), parents):
            dropped = refused(spec, self.client.learned.dropped(spec.read.path))
            keep = local_match(spec, query, dropped | spec.filters.local)  # filters the API does not take
            for row in rows:
                if keep(row) and (spec.read.extended or self._keep(row, bound)):
                    yield row
            if progress is not None:
                progress(parent)

    def note_parent_instant(self, state: dict) -> None:
        """After a complete read: the watermark's instant is finished if every parent at it came from
        an exact read that began after Zoho's clock had passed it (instants.py)."""
        parent = self.spec.parent.stream
        began = self.parents.began(parent)
        if began is None or not exact(BY_STREAM[parent], self.run.filters.get(parent, {})):
            state.pop(PARENT_DONE, None)
            return
        note(state, PARENT_DONE, state.get("parent_watermark"), self.client, began)

    def _unvisited(self, parents: Iterable[dict]) -> Iterator[dict]:
        """``parents`` less those already visited at the instant the read resumes from (``parents_done``:
        that instant and the ids visited at it): parents sharing one instant never hold a stopped read
        back, however many there are."""
        done = self.stream_state.get("parents_done")
        key = BY_STREAM[self.spec.parent.stream].key or ""
        at, ids = (done[0], set(done[1])) if done else (None, set())
        return (p for p in parents if not (at and p.get(key) == at and p.get("id") in ids))

    def read_as_child(self) -> Iterator[dict]:
        """Children of the parents this run owes (see the module docstring); keeps the state."""
        if self.spec.reads_every_parent:
            bound = None if self.spec.mode == FULL else self.lower_bound(None)
            self.parents.open(self.name, bound)
            yield from self.rows_since(bound, parents_since=None)
            self.parents.close(self.name)
            return
        state = self.stream_state
        key = BY_STREAM[self.spec.parent.stream].key or ""
        start = self.start_bound()
        now = self.now()
        mark, resume = state.get("parent_watermark"), state.get("sweep_from")
        last_sweep = state.get("last_full_sweep")
        days = float(self.config.get("child_sweep_days", 7) or 0)
        due = days > 0 and (last_sweep is None or now - parse_zoho_time(last_sweep) >= timedelta(days=days))
        sweeping = resume is not None or mark is None or due
        since = parse_zoho_time(resume) if resume else (start if sweeping else parse_zoho_time(mark))
        if not sweeping:  # parents at the watermark all visited by an earlier run: start past them (instants.py)
            since = start_after(state, mark, PARENT_DONE, float(self.config.get("lookback_seconds") or 0)) or since
        filtered = bool(self.user_filters())
        if sweeping and not filtered:
            state.setdefault("sweep_started", to_zoho_time(now))
            if resume is None:
                state.pop("parents_done", None)  # a new sweep visits every parent again

        def progress(parent: dict) -> None:
            value = parent.get(key)
            if value:
                if sweeping:
                    state["sweep_from"] = value
                if not state.get("parent_watermark") or value > state["parent_watermark"]:
                    state["parent_watermark"] = value
                done = state.get("parents_done")
                if done and done[0] == value:
                    done[1].append(parent.get("id"))
                else:
                    state["parents_done"] = [value, [parent.get("id")]]

        self.parents.open(self.name, start, whole=since == start and not filtered)
        yield from self.rows_since(start, parents_since=since, progress=None if filtered else progress)
        self.parents.close(self.name)
        if filtered:
            return  # a filtered read covers some parents only: it moves no watermark
        self.note_parent_instant(state)
        state.pop("parents_done", None)  # kept only for the resume of a stopped read
        if sweeping:
            state["last_full_sweep"] = state.pop("sweep_started", to_zoho_time(now))
            state.pop("sweep_from", None)
            if due and mark is not None:
                self.logger.info("%s: periodic sweep of every parent done", self.name)
