"""Writes that go out in groups: deletes (``moveToTrash`` 50 ids a call, ``removeFollowers``
per parent, one ``DELETE`` per sub-resource) and tags (``associateTag`` / ``dissociateTag``
per ticket, by name).

A refused group is retried member by member, so one bad id fails alone. Removing what is
already gone is ``ok`` (noted), so a replayed DELETE succeeds: a record that Zoho answers
404 for, a follower no longer following, a tag no longer on the ticket. Zoho answers a wrong
path and a missing record alike (404 URL_NOT_FOUND), so a DELETE answered 404 is ``ok`` only
when reading the record answers 404 too; a record still there means the path itself does not
exist, and that is an error.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from tap_zohodesk.api.client import ZohoDeskError
from tap_zohodesk.api.errors import GONE, INVALID, REFUSALS, REFUSED, REFUSED_VALUE, UNSUPPORTED
from tap_zohodesk.api.plans import PER_PARENT, PER_TICKET, TRASH, WritePlan
from target_zohodesk.outcome import RecordError, Result

ALREADY_GONE = "already gone (Zoho has no such record)"
Item = tuple[int, dict]


def record_id(record: dict) -> str | None:
    return str(record["id"]) if record.get("id") else None


class GroupWrites:
    """Mixed into the Writer (which provides client, dry_run, _guard, _guard_group, _map, _links, one)."""

    client: object
    dry_run: bool
    _guard: Callable
    _guard_group: Callable
    _map: Callable
    _links: Callable
    one: Callable

    def grouped(self, plan: WritePlan, items: list[Item]) -> Iterator[tuple[int, Result]]:
        """The records of one plan, in its grouping: trash ``batch`` ids a call, one parent's or one
        ticket's a call, else a call per record (side by side)."""
        stream, operation = plan.stream, plan.operation
        if plan.grouping == TRASH:
            for start in range(0, len(items), plan.batch):
                yield from self._guard_group(stream, operation, items[start:start + plan.batch],
                                             lambda group: self._trash(plan, group))
        elif plan.grouping == PER_PARENT:
            yield from self._per_parent(plan, items)
        elif plan.grouping == PER_TICKET:
            yield from self._tags(plan, items)
        else:
            yield from self._map(lambda item: (item[0], self._guard(stream, operation, item[1],
                                                                     lambda: self.one(plan, item[1]))), items)

    # -- deletes ----------------------------------------------------------------------------
    def _remove_one(self, plan: WritePlan, record: dict) -> Result:
        stream = plan.stream
        links = self._links(plan, record)
        if not record.get("id"):
            raise RecordError(f"{stream}: DELETE needs id")
        note = plan.note
        if not self.dry_run:
            path = plan.path.format(**links, id=record["id"])
            try:
                self.client.request(plan.verb, path, label=f"delete {stream}")
            except ZohoDeskError as exc:
                if exc.kind not in (GONE, UNSUPPORTED):
                    raise
                if exc.kind == GONE and self.client.gone(plan.spec.read.one.format(**links, id=record["id"]),
                                                          label=f"check {stream}"):
                    return Result(stream, "DELETE", str(record["id"]), "ok", note=ALREADY_GONE)
                raise RecordError(f"{stream}: {plan.verb} /{path} answered {exc.status} although "
                                  f"the record is there: Zoho Desk has no such call ({note or exc})") from None
        return Result(stream, "DELETE", str(record["id"]), "ok", note=note, dry_run=self.dry_run)

    def _trash(self, plan: WritePlan, batch: list[Item]) -> Iterator[tuple[int, Result]]:
        stream = plan.stream
        missing = [(i, r) for i, r in batch if not r.get("id")]
        for i, _ in missing:
            yield i, Result(stream, "DELETE", None, "error", f"{stream}: DELETE needs id")
        batch = [(i, r) for i, r in batch if r.get("id")]
        ids = [str(r["id"]) for _, r in batch]
        if not ids:
            return
        try:
            if not self.dry_run:
                answer = self.client.request(plan.verb, plan.path, json={plan.key: ids}, label=f"trash {stream}")
                refused = [r for r in (answer or {}).get("results") or [] if not r.get("success")]
                if refused:  # a results array (articles): some ids were not trashed
                    raise ZohoDeskError(f"{plan.verb} /{plan.path}: refused {refused[0].get('id')}: "
                                        f"{refused[0].get('errors')}", status=422)
        except ZohoDeskError as exc:
            if exc.kind not in REFUSALS:
                raise
            if len(batch) > 1:  # isolate the ids Zoho refused
                for item in batch:
                    yield from self._trash(plan, [item])
                return
            (i, _), record_id_ = batch[0], ids[0]
            if self.client.gone(plan.spec.read.one.format(id=record_id_), label=f"check {stream}"):
                yield i, Result(stream, "DELETE", record_id_, "ok", note=ALREADY_GONE)
            else:
                yield i, Result(stream, "DELETE", record_id_, "error", str(exc))
            return
        for (i, _), rid in zip(batch, ids, strict=True):
            yield i, Result(stream, "DELETE", rid, "ok", dry_run=self.dry_run)

    def _per_parent(self, plan: WritePlan, items: list[Item]) -> Iterator[tuple[int, Result]]:
        by_parent: dict[str, list[Item]] = {}
        for i, record in items:
            by_parent.setdefault(str(record.get(plan.spec.parent.key) or ""), []).append((i, record))
        for parent, group in by_parent.items():
            yield from self._guard_group(plan.stream, plan.operation, group,
                                         lambda g, p=parent: self._unfollow(plan, p, g))

    def _unfollow(self, plan: WritePlan, parent: str, group: list[Item]):
        stream, key = plan.stream, plan.spec.parent.key
        ids = [record_id(r) for _, r in group]
        if not parent or not all(ids):
            reason = f"{stream}: DELETE needs {key} (the parent's id) and id"
            for i, r in group:
                yield i, Result(stream, "DELETE", record_id(r), "error", reason)
            return
        if self.dry_run:
            for (i, _), rid in zip(group, ids, strict=True):
                yield i, Result(stream, "DELETE", rid, "ok", dry_run=True)
            return
        path = plan.path.format(**{key: parent})
        gone: set[str] = set()
        try:
            self.client.request(plan.verb, path, json={plan.key: ids}, label=f"delete {stream}")
        except ZohoDeskError as exc:
            if exc.kind not in (GONE, REFUSED, REFUSED_VALUE, INVALID):
                raise
            still = self._listed(plan, parent, "check followers")  # a parent gone (404) has none
            gone = {rid for rid in ids if rid not in still}
            left = [rid for rid in ids if rid in still]
            if left:
                self.client.request(plan.verb, path, json={plan.key: left}, label=f"delete {stream}")
        for (i, _), rid in zip(group, ids, strict=True):
            yield i, Result(stream, "DELETE", rid, "ok", note="not a follower any more" if rid in gone else None)

    def _listed(self, plan: WritePlan, parent: str, label: str, field: str = "id") -> set[str]:
        """``field`` of the records listed under one parent where the plan says (none when it is gone)."""
        read, key = plan.listing.read, plan.listing.parent.key
        try:
            pages = list(self.client.pages(read.path.format(**{key: parent}), limit=read.limit,
                                           paged=read.paged, data_key=read.envelope, label=label))
        except ZohoDeskError as exc:
            if exc.kind == GONE:
                return set()
            raise
        return {str(r.get(field)) for page in pages for r in page}

    # -- tags -------------------------------------------------------------------------------
    def _tags(self, plan: WritePlan, items: list[Item]) -> Iterator[tuple[int, Result]]:
        """Tags by name on tickets: one call per ticket for all its names."""
        stream, operation = plan.stream, plan.operation
        by_ticket: dict[str, list[Item]] = {}
        for i, record in items:
            if not record.get("ticketId"):
                reason = (f"{stream}: Zoho Desk creates a tag only by tagging a ticket: give ticketId (the ticket "
                          "to tag) and name" if "ticketId" not in plan.spec.links
                          else f"{stream}: {operation} needs ticketId")
                yield i, Result(stream, operation, record_id(record), "error", reason)
            elif not isinstance(record.get("name"), str) or not record["name"].strip():
                yield i, Result(stream, operation, record_id(record), "error", f"{stream}: {operation} needs name")
            else:
                by_ticket.setdefault(str(record["ticketId"]), []).append((i, record))
        for ticket, group in by_ticket.items():
            yield from self._guard_group(stream, operation, group, lambda g, t=ticket: self._tag_ticket(plan, t, g))

    def _tag_ticket(self, plan: WritePlan, ticket: str, group: list[Item]):
        stream, operation = plan.stream, plan.operation
        names = list(dict.fromkeys(r["name"].strip() for _, r in group))
        path = plan.path.format(ticketId=ticket)
        failed: dict[str, str] = {}
        if not self.dry_run:
            try:
                self.client.request(plan.verb, path, json={plan.key: names}, label=f"{operation.lower()} {stream}")
            except ZohoDeskError as exc:
                if exc.kind not in REFUSALS:
                    raise
                failed = self._tag_one_by_one(plan, ticket, path, names, exc)
        for i, record in group:
            name = record["name"].strip()
            if name in failed and failed[name] != "gone":
                yield i, Result(stream, operation, record_id(record), "error", failed[name])
            else:
                note = "not on the ticket any more" if failed.get(name) == "gone" else None
                yield i, Result(stream, operation, record_id(record), "ok", note=note, dry_run=self.dry_run)

    def _tag_one_by_one(self, plan: WritePlan, ticket: str, path: str, names: list[str], exc) -> dict[str, str]:
        if exc.kind == GONE:
            return dict.fromkeys(names, str(exc))
        failed = {}
        for name in names:
            try:
                self.client.request(plan.verb, path, json={plan.key: [name]},
                                    label=f"{plan.operation.lower()} {plan.stream}")
            except ZohoDeskError as one:
                if one.status not in (400, 422):
                    raise
                failed[name] = str(one)
        if plan.operation == "DELETE" and failed:
            on_ticket = self._listed(plan, ticket, "check tags", "name")
            failed = {n: ("gone" if n not in on_ticket else why) for n, why in failed.items()}
        return failed
