"""The catalog row: everything the tap and the target know about one Zoho Desk object.

A row is an ``ObjectSpec`` made of named parts; this docstring is the reference for every field.

ObjectSpec
    ``stream``: the Singer stream name. ``mode``: ``modified+new`` (bookmark ``key``, the
    modification time), ``new only`` (``key`` is the creation time) or ``full table`` (no key).
    ``primary_key``. ``read``, ``parent``, ``filters``, ``write``: the parts below (what skips a stream is
    decided by the error's kind, api/errors.py, the same for every row).
    ``marks_deletes``: the recycle-bin module whose deletions this stream emits as delete markers
    with ``emit_deletes`` (None: none).

Read: how the object is read
    ``path``: the list under /api/v1 (``{placeholders}`` come from the parent record);
    ``limit``: the page cap; ``paged``: False where the endpoint takes no ``from``/``limit``;
    ``envelope``: the key of the list (``data``, ``teams``, ``tags``); ``search``: the search
    endpoint every read goes through (exact keyset windows); ``single``: one object per
    parent, the whole answer; when ``envelope`` is not ``data``, only an answer carrying that
    key is a record (Jira: ``issueInfo``; none when null or absent); ``params``: fixed query
    parameters every read of the list sends (Jira: ``isReact=true``, as Zoho's web UI);
    ``include``: the detail GET's ``include`` values, each with the field it fills (asked
    for when that field is selected); ``max_from``: the largest ``from`` the list takes
    (archived tickets: 4999 per department); ``extended``: one GET per
    record adds the fields only that call returns (``extended_by``: only when that boolean setting
    is on, e.g. ``include_thread_content``); ``record_path``: where one record is read
    (default ``path/{id}``); ``item_get``: such a GET exists (else an ``id`` filter reads the
    parent's list); ``details_of``: the stream whose rows this one details (their ids are taken
    from its read of the same run); ``time_param``: the list's own time window
    (``modifiedTimeRange``; ``timeRange``, whose default is 7 days; a child list's
    ``createdTimeRange`` is sent when the read has a lower bound); ``newest_first``: the
    ``sortBy`` listing newest first, so an incremental read stops at its bound; ``slim``: list
    rows lack the key and custom fields (the changed records are read by id; ``fields_param``:
    the list is asked ``fields=<key>`` first); ``schema``: the schema file (default: the
    stream); ``cf_module``: the module whose custom fields type ``cf``; ``costly``: a call per
    record of another object every run: not selected by default; ``unwind``: dotted paths of
    arrays of objects in the record (``sharedDepartments``, ``associatedHolidayList.holidays``)
    that config ``unwind_nested`` also makes streams of their own, named ``<stream>__<path in
    snake_case>`` (``unwound_name``; ``ObjectSpec.unwound`` lists them): one row per element
    with the record's primary key as ``_parent_<field>``, ``_position`` (the element's index) and
    the record's bookmark as ``_parent_<key>`` (tap_zohodesk/unwind.py).

Evidence: how sure the public evidence makes us of an endpoint
    ``grade``: ``confirmed`` (a source shows the call as we make it), ``split`` (sources
    disagree on a detail: the tap takes either answer, see the fallbacks) or ``unproven`` (no
    public source shows the endpoint; the reference lists the object); ``source``: the main
    source in one word (OAS, Airbyte, DeskUI, Qodex, n8n, Pipedream, Tapdata, reference). An
    unproven read is not selected by default, and a 404 on it skips the stream with one warning.
    ``Read.evidence`` grades the read; ``Write.evidence`` each write operation (default: the
    row's ``Write.proof``).

Parent: read per parent record
    ``stream``: the parent stream; ``key``: the link field, a path placeholder or, with
    ``as_param``, a query parameter; ``fields``: link field -> the parent record's field it
    takes (default ``{key: "id"}``); every child record carries them; ``counter``: the parent
    rows' count of these children (0: no call), only where the parent's read carries it;
    ``detail_counter``: that count where only the parent's own GET carries it (counters.py);
    ``every``: visit every parent every run (few parents).

Filters: the contract's native filters, pushed to the API
    ``ops``: field -> ``=`` or ``in``; ``names``: the query parameter a filter goes out as when
    the API names it otherwise (a ``...Range`` parameter takes a day or an instant);
    ``aliases``: the contract's name of a link field (``archivedTicketId`` -> ``ticketId``);
    ``list_only``: filters only the plain list takes (the read then uses it); ``local``: filters
    the endpoint does not take (it takes no parameter, or the evidence lists its parameters
    without them): never sent, applied to its answer; ``uncertain``: filters no evidence shows
    the endpoint takes: sent, and applied to the answer when refused.

Write: what target-zohodesk writes, and how (api/plans.py derives one plan per operation from it)
    ``dml``: the operations allowed (``SEND``: an action, e.g. an email reply); ``create``:
    ``json``, ``upload`` (multipart ``file``), ``tag`` (by name through the ticket,
    ``tag_calls``) or ``reply`` (an email reply on a ticket); ``create_path``: where a create
    or an action goes (default: ``Read.path``); ``required`` fields of a create, and
    ``contact_or``: it also needs one of these; ``fields``: the allow-list of a create's body
    (a ``Body``: ``insert``, ``update`` (default: as insert) and ``source``, the evidence it comes
    from: OAS request bodies, or ``schema`` (the stream's fields less what Zoho computes) where no
    request body was read); a record's other fields that the tap emits are dropped, anything else
    is refused (writable.py); ``write_only``: inputs no read returns (JSON schema each);
    ``update_verb`` / ``update_path``; ``bulk_path``: the call setting one field on many records
    (``updateMany``, bulk.py); ``delete``: ``trash`` (``POST <trash_path>`` with
    ``{trash_key: [ids]}``), ``unfollow`` (``removeFollowers``), ``tag`` or ``remove``
    (``remove_verb <remove_path>``); ``search_keys``: fields its search matches exactly, the
    possible natural keys of an upsert; ``proof`` / ``evidence``: how sure we are of each
    operation's call (see Evidence; an unproven one is kept, and each result says so).

"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

MODIFIED = "modified+new"
NEW_ONLY = "new only"
FULL = "full table"
CONFIRMED, SPLIT, UNPROVEN = "confirmed", "split", "unproven"


def unwound_name(stream: str, path: str) -> str:
    """The stream an unwound array becomes: ``tickets`` + ``associatedHolidayList.holidays`` ->
    ``tickets__associated_holiday_list_holidays``."""
    return f"{stream}__" + re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", path.replace(".", "_")).lower()


@dataclass(frozen=True)
class Evidence:
    grade: str = CONFIRMED
    source: str = "OAS"

    def __post_init__(self) -> None:
        if self.grade not in (CONFIRMED, SPLIT, UNPROVEN):
            raise ValueError(f"unknown evidence grade {self.grade!r}")

    def __str__(self) -> str:
        return f"{self.grade} ({self.source})"


OAS = Evidence()


@dataclass(frozen=True)
class Read:
    path: str
    limit: int = 50
    paged: bool = True
    envelope: str = "data"
    search: str | None = None
    single: bool = False
    extended: bool = False
    extended_by: str | None = None
    record_path: str | None = None
    item_get: bool = True
    details_of: str | None = None
    time_param: str | None = None
    newest_first: str | None = None
    slim: bool = False
    fields_param: bool = False
    schema: str | None = None
    cf_module: str | None = None
    costly: bool = False
    unwind: tuple[str, ...] = ()
    params: dict[str, str] = field(default_factory=dict)
    include: dict[str, str] = field(default_factory=dict)
    max_from: int | None = None
    evidence: Evidence = OAS

    @property
    def one(self) -> str:
        """Where one record is read."""
        return self.record_path or f"{self.path}/{{id}}"


@dataclass(frozen=True)
class Parent:
    stream: str
    key: str
    fields: dict[str, str] | None = None
    as_param: bool = False
    counter: str | None = None
    every: bool = False
    detail_counter: str | None = None

    @property
    def links(self) -> dict[str, str]:
        """Child field (a path placeholder) -> the parent record's field."""
        return self.fields if self.fields is not None else {self.key: "id"}


@dataclass(frozen=True)
class Filters:
    ops: dict[str, str] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)
    aliases: dict[str, str] = field(default_factory=dict)
    list_only: frozenset[str] = frozenset()
    local: frozenset[str] = frozenset()
    uncertain: frozenset[str] = frozenset()

    def param(self, name: str) -> str:
        """The query parameter a filter goes out as."""
        return self.names.get(name, name)

    def field(self, name: str) -> str:
        """The record field a filter stands for."""
        return self.aliases.get(name, name)


@dataclass(frozen=True)
class Body:
    insert: frozenset[str] = frozenset()
    update: frozenset[str] | None = None
    source: str = "schema"

    def of(self, operation: str) -> frozenset[str]:
        """The fields a body of this operation may carry."""
        return self.update if operation == "UPDATE" and self.update is not None else self.insert


@dataclass(frozen=True)
class Write:
    dml: frozenset[str] = frozenset()
    create: str = "json"
    required: tuple[str, ...] = ()
    contact_or: tuple[str, ...] = ()
    fields: Body = field(default_factory=Body)
    write_only: dict[str, dict] = field(default_factory=dict)
    update_verb: str = "PATCH"
    update_path: str | None = None
    bulk_path: str | None = None
    create_path: str | None = None
    delete: str = "remove"
    trash_key: str | None = None
    trash_path: str | None = None
    remove_verb: str = "DELETE"
    remove_path: str | None = None
    tag_calls: dict[str, str] = field(default_factory=dict)
    search_keys: tuple[str, ...] = ()
    proof: Evidence = OAS
    evidence: dict[str, Evidence] = field(default_factory=dict)

    def evidence_of(self, operation: str) -> Evidence:
        """How sure we are of the call this operation makes."""
        return self.evidence.get(operation, self.proof)


@dataclass(frozen=True)
class ObjectSpec:
    stream: str
    mode: str
    key: str | None
    read: Read
    primary_key: tuple[str, ...] = ("id",)
    parent: Parent | None = None
    filters: Filters = field(default_factory=Filters)
    write: Write = field(default_factory=Write)
    marks_deletes: str | None = None

    def __post_init__(self) -> None:
        if self.mode not in (MODIFIED, NEW_ONLY, FULL):
            raise ValueError(f"catalog row {self.stream}: unknown mode {self.mode!r}")
        if (self.mode == FULL) != (self.key is None):
            raise ValueError(f"catalog row {self.stream}: mode and key disagree")
        if self.write.delete == "trash" and not self.write.trash_key:
            raise ValueError(f"catalog row {self.stream}: deletes by trash without a trash_key")
        if any(not all(path.split(".")) for path in self.read.unwind):
            raise ValueError(f"catalog row {self.stream}: an empty part in unwind paths {self.read.unwind}")

    @property
    def links(self) -> dict[str, str]:
        return self.parent.links if self.parent else {}

    @property
    def opt_in(self) -> bool:
        """Not selected by default: a call per record of another object every run, or an
        endpoint no public source shows."""
        return self.read.costly or self.read.evidence.grade == UNPROVEN

    @property
    def unwound(self) -> tuple[tuple[str, str], ...]:
        """(stream, path) of each array this object's rows unwind into with ``unwind_nested``."""
        return tuple((unwound_name(self.stream, path), path) for path in self.read.unwind)

    @property
    def schema_name(self) -> str:
        return self.read.schema or self.stream

    @property
    def trash_path(self) -> str | None:
        """Where ``moveToTrash`` takes this object's ids (None: not deleted that way)."""
        w = self.write
        return (w.trash_path or f"{self.read.path}/moveToTrash") if w.delete == "trash" else None

    @property
    def reads_every_parent(self) -> bool:
        """Children of every parent, every run: full-table children, few or full-table parents."""
        return bool(self.parent) and (self.mode == FULL or self.parent.every)
