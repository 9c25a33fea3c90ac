"""One write plan per (stream, operation): how target-zohodesk writes a record, derived once from
the catalog row (rows.py ``Write``; ``catalog.ACTIONS`` for writes such as an email reply). The
writer executes the plans, ``--about`` prints them, the preview, the undo and ``--estimate``
read them; nothing else reads a row's write part.

A plan says:

- ``verb`` and ``path`` of the call (``{placeholders}``: the record's parent ids and ``{id}``);
- ``body``, the builder of what goes out: ``json`` (the record's fields in ``fields``, the
  row's allow-list: writable.py), ``upload`` (a multipart file), ``reply`` (an email reply),
  ``tags`` (names under ``key``), ``ids`` (the records' ids under ``key``) or ``none``;
- ``grouping``: ``one`` (a call per record), ``trash`` (``batch`` ids a call), ``per parent``
  (the ids of one parent's records a call) or ``per ticket`` (the names of one ticket a call);
  an UPDATE with a ``bulk_path`` also goes out in bulk: one field set to one value on many
  records (bulk.py);
- ``links``: the parent ids the path takes from the record; ``required`` and ``either``: the
  fields a record must give (all of them, and one of these);
- ``journaled``: a create, guarded by the journal (journal.py) so that a replay creates
  nothing twice;
- ``evidence``: how sure the public evidence makes us of the call (rows.py: Evidence);
- ``listing``: the row whose read lists, per parent, what a grouped call changes (a ticket's
  tags, a record's followers): read when Zoho refuses the group, to tell gone from refused.

A new write verb is a plan here (derived from its row); a new grouping is one executor in
target_zohodesk/batches.py as well.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tap_zohodesk.api.catalog import ACTIONS, BY_STREAM, OBJECTS
from tap_zohodesk.api.rows import OAS, UNPROVEN, Evidence, ObjectSpec
from tap_zohodesk.api.writable import allowed

ONE, TRASH, PER_PARENT, PER_TICKET = "one", "trash", "per parent", "per ticket"
JSON, UPLOAD, REPLY, TAGS, IDS, NONE = "json", "upload", "reply", "tags", "ids", "none"
TRASH_BATCH = 50  # ids a moveToTrash call: no public source states a maximum; a cautious cap
UPLOAD_NEEDS = "filePath, or name and contentBase64"
DELETED = "_sdc_deleted_at"  # what marks a DELETE
CREATES = {"upload": UPLOAD, "reply": REPLY}  # Write.create -> the body builder (else json)


@dataclass(frozen=True)
class WritePlan:
    stream: str
    operation: str
    verb: str
    path: str
    body: str = JSON
    grouping: str = ONE
    fields: frozenset[str] = frozenset()
    links: tuple[str, ...] = ()
    required: tuple[str, ...] = ()
    either: tuple[str, ...] = ()
    key: str | None = None
    batch: int = 1
    journaled: bool = False
    bulk_path: str | None = None
    evidence: Evidence = OAS
    source: str | None = None
    spec: ObjectSpec | None = field(default=None, compare=False, repr=False)
    listing: ObjectSpec | None = field(default=None, compare=False, repr=False)

    @property
    def call(self) -> str:
        """The call as ``--about`` names it."""
        per = f" ({self.key}, {self.batch} a call)" if self.grouping == TRASH else ""
        return f"{self.verb} {self.path}{per}"

    @property
    def unproven(self) -> bool:
        return self.evidence.grade == UNPROVEN

    @property
    def note(self) -> str | None:
        """What each result of an unproven call says (None: a public source shows the call)."""
        if not self.unproven:
            return None
        return (f"unproven call ({self.evidence.source}): no public source shows {self.operation} of {self.stream} "
                "at this path")

    @property
    def by_id(self) -> bool:
        """The record names what it changes by ``id`` (an UPDATE, a DELETE but of a tag)."""
        return self.operation in ("UPDATE", "DELETE") and self.body != TAGS

    @property
    def needs(self) -> list[str]:
        """The fields a record must carry (an alternative said in words)."""
        out = ["id"] if self.by_id else []
        out += [*self.links, *self.required]
        out += [" or ".join(self.either)] if self.either else []
        out += [UPLOAD_NEEDS] if self.body == UPLOAD else []
        return out + ([DELETED] if self.by_id and self.operation == "DELETE" else [])

    @property
    def takes(self) -> list[str]:
        """The fields a record may carry."""
        out = ["id"] if self.by_id else []
        out += [*self.links, *(sorted(self.fields) if self.fields else self.required)]
        return out + ([DELETED] if self.by_id and self.operation == "DELETE" else [])


def plan(spec: ObjectSpec, operation: str) -> WritePlan:
    """The plan of one operation of a row (also of one its dml leaves out: the undo of a create)."""
    w = spec.write
    links = () if spec.parent and spec.parent.as_param else tuple(spec.links)
    common = {"stream": spec.stream, "operation": operation, "evidence": w.evidence_of(operation), "spec": spec}
    if w.create == "tag":  # by name through the ticket (tag_calls), both ways
        return WritePlan(**common, verb="POST", path=w.tag_calls[operation], body=TAGS, grouping=PER_TICKET,
                         key="tags", required=("ticketId", "name"), listing=_per_ticket(spec))
    if operation == "DELETE":
        return _delete(spec, common, links)
    if operation == "UPDATE":
        return WritePlan(**common, verb=w.update_verb, path=w.update_path or spec.read.one, links=links,
                         fields=allowed(spec, operation), bulk_path=w.bulk_path, source=w.fields.source)
    return WritePlan(**common, verb="POST", path=w.create_path or spec.read.path, body=CREATES.get(w.create, JSON),
                     links=links, fields=allowed(spec, operation), required=w.required, either=w.contact_or,
                     journaled=True, source=w.fields.source)


def _delete(spec: ObjectSpec, common: dict, links: tuple[str, ...]) -> WritePlan:
    w = spec.write
    if spec.trash_path:
        return WritePlan(**common, verb="POST", path=spec.trash_path, body=IDS, grouping=TRASH, key=w.trash_key,
                         batch=TRASH_BATCH, links=links)
    if w.delete == "unfollow":
        return WritePlan(**common, verb="POST", path=spec.read.path.rsplit("/", 1)[0] + "/removeFollowers", body=IDS,
                         grouping=PER_PARENT, key="followerIds", links=links, listing=spec)
    return WritePlan(**common, verb=w.remove_verb, path=w.remove_path or spec.read.one, body=NONE, links=links)


def _per_ticket(spec: ObjectSpec) -> ObjectSpec:
    """The row reading a ticket's tags: among the rows written by the same tag calls, the one per ticket."""
    return next(row for row in OBJECTS if row.write.tag_calls == spec.write.tag_calls
                and row.parent and row.parent.key == "ticketId" and not row.parent.as_param)


ROWS: dict[str, ObjectSpec] = {**BY_STREAM, **{spec.stream: spec for spec in ACTIONS}}  # every stream the target knows
OPERATIONS = ("INSERT", "UPDATE", "DELETE", "SEND")
PLANS: dict[tuple[str, str], WritePlan] = {(spec.stream, op): plan(spec, op) for spec in (*OBJECTS, *ACTIONS)
                                           for op in OPERATIONS if op in spec.write.dml}


def plans_of(stream: str) -> dict[str, WritePlan]:
    """operation -> plan, of the operations the stream takes."""
    return {op: p for (name, op), p in PLANS.items() if name == stream}


def operation_of(stream: str, record: dict) -> str:
    """The operation a record asks for: an action's own (``SEND``); ``_sdc_deleted_at`` set -> DELETE;
    else ``id`` -> UPDATE, else INSERT (a tag is named, not numbered: always an INSERT)."""
    spec = ROWS.get(stream)
    if spec is not None and "SEND" in spec.write.dml:
        return "SEND"
    if record.get(DELETED):
        return "DELETE"
    by_name = spec is not None and spec.write.create == "tag" and ("ticketId" in spec.links or record.get("ticketId"))
    return "INSERT" if by_name or not record.get("id") else "UPDATE"


def refusal(stream: str, operation: str | None = None) -> str | None:
    """Why this stream (or this operation of it) cannot be written, or None."""
    spec = ROWS.get(stream)
    if spec is None:
        return f"{stream}: not a Zoho Desk object this target writes"
    if not spec.write.dml:
        return f"{stream}: read-only in Zoho Desk (no write exists)"
    if operation is not None and operation not in spec.write.dml:
        return f"{stream}: {operation} is not possible in Zoho Desk (allowed: {'/'.join(sorted(spec.write.dml))})"
    return None
