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

from tap_zohodesk.api.catalog import BY_STREAM, ObjectSpec
from tap_zohodesk.api.client import ZohoDeskError
from tap_zohodesk.api.errors import GONE, INVALID, REFUSALS, REFUSED, REFUSED_VALUE, UNSUPPORTED
from tap_zohodesk.api.writable import unproven
from target_zohodesk.outcome import RecordError, Result

TRASH_BATCH = 50
ALREADY_GONE = "already gone (Zoho has no such record)"
Item = tuple[int, dict]


def record_id(record: dict) -> str | None:
    return str(record["id"]) if record.get("id") else None


class GroupWrites:
    """Mixed into the Writer (which provides client, dry_run, _guard_group, _map, _links)."""

    client: object
    dry_run: bool
    _guard_group: Callable
    _map: Callable
    _links: Callable

    # -- deletes ----------------------------------------------------------------------------
    def _delete(self, stream: str, spec: ObjectSpec, items: list[Item]) -> Iterator[tuple[int, Result]]:
        if not items:
            return
        if spec.trash_path:
            for start in range(0, len(items), TRASH_BATCH):
                yield from self._guard_group(stream, "DELETE", items[start:start + TRASH_BATCH],
                                             lambda group: self._trash(stream, spec, group))
            return
        if spec.write.delete == "unfollow":
            by_parent: dict[str, list[Item]] = {}
            for i, record in items:
                by_parent.setdefault(str(record.get(spec.parent.key) or ""), []).append((i, record))
            for parent, group in by_parent.items():
                yield from self._guard_group(stream, "DELETE", group,
                                             lambda g, p=parent: self._unfollow(stream, spec, p, g))
            return
        yield from self._map(lambda item: (item[0], self._guard(stream, "DELETE", item[1],
                                                                 lambda: self._remove_one(stream, spec, item[1]))),
                             items)

    def _remove_one(self, stream: str, spec: ObjectSpec, record: dict) -> Result:
        links = self._links(spec, record, "DELETE")
        if not record.get("id"):
            raise RecordError(f"{stream}: DELETE needs id")
        note = unproven(spec, "DELETE")
        if not self.dry_run:
            path = (spec.write.remove_path or spec.read.one).format(**links, id=record["id"])
            try:
                self.client.request(spec.write.remove_verb, path, label=f"delete {stream}")
            except ZohoDeskError as exc:
                if exc.kind not in (GONE, UNSUPPORTED):
                    raise
                if exc.kind == GONE and self.client.gone(spec.read.one.format(**links, id=record["id"]),
                                                          label=f"check {stream}"):
                    return Result(stream, "DELETE", str(record["id"]), "ok", note=ALREADY_GONE)
                raise RecordError(f"{stream}: {spec.write.remove_verb} /{path} answered {exc.status} although "
                                  f"the record is there: Zoho Desk has no such call ({note or exc})") from None
        return Result(stream, "DELETE", str(record["id"]), "ok", note=note, dry_run=self.dry_run)

    def _trash(self, stream: str, spec: ObjectSpec, batch: list[Item]) -> Iterator[tuple[int, Result]]:
        missing = [(i, r) for i, r in batch if not r.get("id")]
        for i, _ in missing:
            yield i, Result(stream, "DELETE", None, "error", f"{stream}: DELETE needs id")
        batch = [(i, r) for i, r in batch if r.get("id")]
        ids = [str(r["id"]) for _, r in batch]
        if not ids:
            return
        try:
            if not self.dry_run:
                answer = self.client.request("POST", spec.trash_path, json={spec.write.trash_key: ids},
                                             label=f"trash {stream}")
                refused = [r for r in (answer or {}).get("results") or [] if not r.get("success")]
                if refused:  # a results array (articles): some ids were not trashed
                    raise ZohoDeskError(f"POST /{spec.trash_path}: refused {refused[0].get('id')}: "
                                        f"{refused[0].get('errors')}", status=422)
        except ZohoDeskError as exc:
            if exc.kind not in REFUSALS:
                raise
            if len(batch) > 1:  # isolate the ids Zoho refused
                for item in batch:
                    yield from self._trash(stream, spec, [item])
                return
            (i, _), record_id_ = batch[0], ids[0]
            if self.client.gone((spec.read.one).format(id=record_id_), label=f"check {stream}"):
                yield i, Result(stream, "DELETE", record_id_, "ok", note=ALREADY_GONE)
            else:
                yield i, Result(stream, "DELETE", record_id_, "error", str(exc))
            return
        for (i, _), rid in zip(batch, ids, strict=True):
            yield i, Result(stream, "DELETE", rid, "ok", dry_run=self.dry_run)

    def _unfollow(self, stream: str, spec: ObjectSpec, parent: str, group: list[Item]):
        ids = [record_id(r) for _, r in group]
        if not parent or not all(ids):
            reason = f"{stream}: DELETE needs {spec.parent.key} (the parent's id) and id"
            for i, r in group:
                yield i, Result(stream, "DELETE", record_id(r), "error", reason)
            return
        if self.dry_run:
            for (i, _), rid in zip(group, ids, strict=True):
                yield i, Result(stream, "DELETE", rid, "ok", dry_run=True)
            return
        base = spec.read.path.rsplit("/", 1)[0].format(**{spec.parent.key: parent})
        gone: set[str] = set()
        try:
            self.client.request("POST", f"{base}/removeFollowers", json={"followerIds": ids},
                                label=f"delete {stream}")
        except ZohoDeskError as exc:
            if exc.kind not in (GONE, REFUSED, REFUSED_VALUE, INVALID):
                raise
            still = self._followers(spec, parent)  # a parent gone (404) has none
            gone = {rid for rid in ids if rid not in still}
            left = [rid for rid in ids if rid in still]
            if left:
                self.client.request("POST", f"{base}/removeFollowers", json={"followerIds": left},
                                    label=f"delete {stream}")
        for (i, _), rid in zip(group, ids, strict=True):
            yield i, Result(stream, "DELETE", rid, "ok", note="not a follower any more" if rid in gone else None)

    def _followers(self, spec: ObjectSpec, parent: str) -> set[str]:
        try:
            pages = list(self.client.pages(spec.read.path.format(**{spec.parent.key: parent}), limit=spec.read.limit,
                                           paged=spec.read.paged, data_key=spec.read.envelope, label="check followers"))
        except ZohoDeskError as exc:
            if exc.kind == GONE:
                return set()
            raise
        return {str(r.get("id")) for page in pages for r in page}

    # -- tags -------------------------------------------------------------------------------
    def _tags(self, stream: str, operation: str, items: list[Item]) -> Iterator[tuple[int, Result]]:
        """Tags by name on tickets: one call per ticket for all its names."""
        by_ticket: dict[str, list[Item]] = {}
        for i, record in items:
            if not record.get("ticketId"):
                reason = (f"{stream}: Zoho Desk creates a tag only by tagging a ticket: give ticketId (the ticket "
                          "to tag) and name" if BY_STREAM[stream].parent.key != "ticketId"
                          else f"{stream}: {operation} needs ticketId")
                yield i, Result(stream, operation, record_id(record), "error", reason)
            elif not isinstance(record.get("name"), str) or not record["name"].strip():
                yield i, Result(stream, operation, record_id(record), "error", f"{stream}: {operation} needs name")
            else:
                by_ticket.setdefault(str(record["ticketId"]), []).append((i, record))
        for ticket, group in by_ticket.items():
            yield from self._guard_group(stream, operation, group,
                                         lambda g, t=ticket: self._tag_ticket(stream, operation, t, g))

    def _tag_ticket(self, stream: str, operation: str, ticket: str, group: list[Item]):
        names = list(dict.fromkeys(r["name"].strip() for _, r in group))
        path = BY_STREAM[stream].write.tag_calls[operation].format(ticketId=ticket)
        failed: dict[str, str] = {}
        if not self.dry_run:
            try:
                self.client.request("POST", path, json={"tags": names}, label=f"{operation.lower()} {stream}")
            except ZohoDeskError as exc:
                if exc.kind not in REFUSALS:
                    raise
                failed = self._tag_one_by_one(stream, operation, ticket, path, names, exc)
        for i, record in group:
            name = record["name"].strip()
            if name in failed and failed[name] != "gone":
                yield i, Result(stream, operation, record_id(record), "error", failed[name])
            else:
                note = "not on the ticket any more" if failed.get(name) == "gone" else None
                yield i, Result(stream, operation, record_id(record), "ok", note=note, dry_run=self.dry_run)

    def _tag_one_by_one(self, stream, operation, ticket, path, names, exc) -> dict[str, str]:
        if exc.kind == GONE:
            return dict.fromkeys(names, str(exc))
        failed = {}
        for name in names:
            try:
                self.client.request("POST", path, json={"tags": [name]}, label=f"{operation.lower()} {stream}")
            except ZohoDeskError as one:
                if one.status not in (400, 422):
                    raise
                failed[name] = str(one)
        if operation == "DELETE" and failed:
            on_ticket = {str(r.get("name")) for page in self.client.pages(
                f"tickets/{ticket}/tags", limit=100, paged=False, data_key="tags", label="check tags") for r in page}
            failed = {n: ("gone" if n not in on_ticket else why) for n, why in failed.items()}
        return failed
