"""The object catalog: one row per Zoho Desk object.

The tap builds its streams from these rows and the target its sinks. Adding an object is
adding a row here and a schema in ``schemas/<stream>.json``. Every fact about the API a row
states is held against the test emulator's own facts (tests/emulator/facts.py) by
tests/test_api_fidelity.py.

Row fields:
- ``stream``: Singer stream name; ``path``: list path under /api/v1 (``{parent_key}`` is
  replaced by a parent id for child objects); ``limit``: the list endpoint's page cap;
  ``paged``: False where the endpoint takes no ``from``/``limit`` (one call answers all).
- ``mode``: ``modified+new`` | ``new only`` | ``full table``; ``replication_key`` follows.
- ``search_path``: an endpoint taking ``modifiedTimeRange`` + ``sortBy=modifiedTime``
  (capped at 5,000 rows per window), used for every read of the object.
- ``parent`` / ``parent_key``: child objects are read per parent record; ``parent_fields``
  maps each ``{placeholder}`` of the path (or, with ``parent_param``, the query parameter
  ``parent_key``) to a field of the parent record (default: ``{parent_key: "id"}``); the
  same fields are set on every child record. ``count_field``: the parent's counter of
  these children, where the parent's rows carry it (``"0"`` -> the parent is skipped).
  Incremental children are read only for parents changed since the child's last run;
  full-table children are read for every parent, every run (their full set).
- ``single``: the endpoint answers one object, not a list (``ticket_metrics``); with a
  ``data_key`` the record sits under that key (``jira_issues``: ``issueInfo``).
- ``detail``: one extra ``GET {detail_path or record_path}`` per record adds the fields
  only the single-record call returns (``*_extended`` streams: the user's explicit choice).
  ``details_of``: the stream whose rows this one details; when that stream read them in the
  same run, their ids are taken from it instead of reading the list again.
  ``detail_path`` is also where an ``id`` filter reads the record; without ``item_get``
  (no GET of one record exists) an ``id`` filter reads the parent's list and keeps that id.
- ``data_key``: the list's envelope (``data``; ``teams``; ``tags``).
- ``schema``: the schema file when several objects share a shape (default: the stream).
- ``filters``: Zoho field -> "=" or "in" (``In`` allowed), see filters.py; ``param_names``:
  the query parameter a filter goes out as when the API names it otherwise (a ``...Range``
  parameter takes the value as a one-day or one-instant range); ``list_only``: filters only
  the plain list takes (a read filtered so goes through the list); ``local_filters``:
  filters of an endpoint that takes no parameters at all, applied to its one answer;
  ``uncertain``: filters no evidence shows the endpoint takes: sent, and applied to the
  answer instead (logged once) when the API refuses the parameter.
- ``time_param``: the plain list's own time window (``modifiedTimeRange``; ``timeRange``,
  whose default is the last 7 days); ``newest_first``: the ``sortBy`` that lists newest
  first, so an incremental read stops at its bound.
- ``slim_list``: the plain list's rows lack the replication key and custom fields; the read
  asks the list for ``fields=<key>`` (``fields_param``) or takes every row, then reads the
  changed records by id.
- ``costly``: a call per record of another object every run (``*_extended``, per-ticket full
  sets and metrics): not selected by default in discovery; the user opts in.
- ``dml``: allowed writes; ``update_verb`` / ``update_path``: how an UPDATE goes out;
  ``trash_key``: the id-array key of ``POST /{path}/moveToTrash`` (``trash_path``);
  ``remove_verb`` / ``remove_path``: how a DELETE of one record goes out otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass, field

MODIFIED = "modified+new"
NEW_ONLY = "new only"
FULL = "full table"


@dataclass(frozen=True)
class ObjectSpec:
    stream: str
    path: str
    mode: str
    replication_key: str | None = None
    primary_key: tuple[str, ...] = ("id",)
    limit: int = 50
    paged: bool = True
    data_key: str = "data"
    search_path: str | None = None
    parent: str | None = None
    parent_key: str | None = None
    filters: dict[str, str] = field(default_factory=dict)
    param_names: dict[str, str] = field(default_factory=dict)
    list_only: frozenset[str] = frozenset()
    local_filters: frozenset[str] = frozenset()
    uncertain: frozenset[str] = frozenset()
    time_param: str | None = None
    newest_first: str | None = None
    slim_list: bool = False
    fields_param: bool = False
    dml: frozenset[str] = frozenset()
    trash_key: str | None = None
    trash_path: str | None = None
    update_verb: str = "PATCH"
    update_path: str | None = None
    remove_verb: str = "DELETE"
    remove_path: str | None = None
    parent_fields: dict[str, str] | None = None
    parent_param: bool = False
    count_field: str | None = None
    single: bool = False
    detail: bool = False
    detail_path: str | None = None
    item_get: bool = True
    details_of: str | None = None
    costly: bool = False
    all_parents: bool = False
    schema: str | None = None

    def __post_init__(self) -> None:
        if self.mode not in (MODIFIED, NEW_ONLY, FULL):
            raise ValueError(f"catalog row {self.stream}: unknown mode {self.mode!r}")
        if (self.mode == FULL) != (self.replication_key is None):
            raise ValueError(f"catalog row {self.stream}: mode and replication_key disagree")

    @property
    def record_path(self) -> str:
        """Path of one record: the list path plus ``/{id}``."""
        return f"{self.path}/{{id}}"

    @property
    def links(self) -> dict[str, str]:
        """Child field (= path placeholder) -> parent record field."""
        if self.parent_fields is not None:
            return self.parent_fields
        return {self.parent_key: "id"} if self.parent_key else {}

    @property
    def moves_to_trash(self) -> str | None:
        """Where ``moveToTrash`` takes this object's ids (None: deleted one by one)."""
        return (self.trash_path or f"{self.path}/moveToTrash") if self.trash_key else None

    @property
    def schema_name(self) -> str:
        return self.schema or self.stream

    def param(self, name: str) -> str:
        """The query parameter a filter goes out as."""
        return self.param_names.get(name, name)


def _dml(text: str) -> frozenset[str]:
    return frozenset(op for op in text.split("/") if op and op != "read-only")


S = ObjectSpec  # the table below is easier to scan with a short name
CRUD, CR, CD, RD = _dml("INSERT/UPDATE/DELETE"), _dml("INSERT/UPDATE"), _dml("INSERT/DELETE"), _dml("UPDATE/DELETE")
ID = {"id": "="}


def _children(owner: str, key: str, *, crud: dict[str, frozenset[str]], modes: dict[str, str],
              counts: dict[str, str] | None = None, prefix: str | None = None, comment_update: str = "PUT",
              time_entry_update: str = "PUT", extra_filters: dict[str, dict[str, str]] | None = None,
              ) -> tuple[ObjectSpec, ...]:
    """Comments / attachments / followers / time entries of one parent object.

    Comments are updated with PUT outside tickets (OAS ``contactComments``; n8n: "Tickets use
    PATCH, others use PUT"); followers are one unpaged list; time entries take ``isBillable``
    (Zoho's web UI sends it) and maybe ``invoiceId`` (no evidence: ``uncertain``)."""
    prefix = prefix or owner[:-1]
    counts = counts or {}
    extra_filters = extra_filters or {}
    shapes = {
        "comments": ("comments", "modifiedTime", 100, {"id": "=", key: "="}, {"update_verb": comment_update}),
        "attachments": ("attachments", "createdTime", 100, {key: "="}, {}),
        "followers": ("followers", None, 100, {key: "="}, {"paged": False, "costly": True}),
        "time_entries": ("timeEntry", "createdTime", 100,
                         {"id": "=", key: "=", "isBillable": "=", "invoiceId": "="},
                         {"update_verb": time_entry_update, "uncertain": frozenset({"invoiceId"})}),
    }
    out = []
    for kind, mode in modes.items():
        sub, rkey, limit, filters, facts = shapes[kind]
        out.append(S(f"{prefix}_{kind}", f"{owner}/{{{key}}}/{sub}", mode,
                     None if mode == FULL else rkey, parent=owner, parent_key=key,
                     primary_key=(key, "id") if kind == "followers" else ("id",),
                     limit=limit, filters={**filters, **extra_filters.get(kind, {})},
                     dml=crud.get(kind, frozenset()), count_field=counts.get(kind), schema=kind, **facts))
    return tuple(out)


TICKET_FILTERS = {"id": "=", "departmentId": "in", "channel": "in", "status": "in", "priority": "in"}
ARCHIVED = {"parent": "archived_tickets", "parent_key": "ticketId",
            "parent_fields": {"ticketId": "id", "departmentId": "departmentId"}}
ENTRY_FACTS = {"uncertain": frozenset({"invoiceId"})}
UNPAGED = {"paged": False}

OBJECTS: tuple[ObjectSpec, ...] = (
    # -- organization and people -------------------------------------------------------
    S("organizations", "organizations", FULL, filters=ID, dml=_dml("UPDATE"), **UNPAGED),
    S("departments", "departments", NEW_ONLY, "createdTime", limit=200,
      filters={"id": "=", "chatStatus": "="}, dml=CR),
    S("agents", "agents", FULL, limit=200,
      filters={"id": "=", "rolePermissionType": "=", "status": "=", "isConfirmed": "="}, dml=CRUD,
      remove_verb="POST", remove_path="agents/{id}/deactivate"),
    S("teams", "teams", FULL, data_key="teams", filters=ID, dml=CR, **UNPAGED),
    S("roles", "roles", FULL, limit=500, filters={"id": "=", "isDefault": "=", "isVisible": "="}, dml=CR),
    S("profiles", "profiles", FULL, filters={"id": "=", "isVisible": "=", "default": "="},
      param_names={"isVisible": "visible"}, dml=_dml("UPDATE"), **UNPAGED),
    S("business_hours", "businessHours", MODIFIED, "modifiedTime", filters=ID, dml=CRUD),
    S("agent_time_entries", "agents/{agentId}/timeEntry", NEW_ONLY, "createdTime", parent="agents",
      parent_key="agentId", filters={"id": "=", "agentId": "=", "isBillable": "=", "invoiceId": "="},
      schema="time_entries", **ENTRY_FACTS),
    # -- customers ---------------------------------------------------------------------
    S("contacts", "contacts", MODIFIED, "modifiedTime", limit=100, search_path="contacts/search",
      filters=ID, dml=CRUD, trash_key="contactIds"),
    *_children("contacts", "contactId", modes={"comments": MODIFIED, "attachments": NEW_ONLY,
               "followers": FULL, "time_entries": NEW_ONLY},
               crud={"comments": CRUD, "attachments": CD, "followers": _dml("DELETE")}),
    S("accounts", "accounts", MODIFIED, "modifiedTime", limit=100, search_path="accounts/search",
      filters=ID, dml=CRUD, trash_key="accountIds"),
    *_children("accounts", "accountId", modes={"comments": MODIFIED, "attachments": NEW_ONLY,
               "followers": FULL, "time_entries": NEW_ONLY},
               crud={"comments": CRUD, "attachments": CD, "followers": _dml("DELETE")}),
    # no search endpoint; list rows show no modifiedTime: ask for it with fields=, read changes by id
    S("contracts", "contracts", MODIFIED, "modifiedTime", limit=100, slim_list=True, fields_param=True,
      filters={"id": "=", "accountId": "=", "departmentId": "=", "ownerId": "="}, dml=CRUD,
      trash_key="contractIds"),
    *_children("contracts", "contractId", modes={"comments": MODIFIED}, crud={"comments": CRUD}),
    S("products", "products", MODIFIED, "modifiedTime", limit=100, search_path="products/search",
      filters={"id": "=", "departmentIds": "=", "ownerId": "="}, param_names={"departmentIds": "departmentId"},
      list_only=frozenset({"ownerId"}), slim_list=True, dml=CRUD, trash_key="productIds"),
    *_children("products", "productId", modes={"attachments": NEW_ONLY}, crud={"attachments": CD}),
    S("customer_happiness", "customerHappiness", NEW_ONLY, "ratedTime", newest_first="-ratedTime",
      filters={"departmentId": "=", "agentId": "=", "contactId": "=", "ticketId": "=", "accountId": "=",
               "rating": "="}, param_names={"departmentId": "department"}),
    # -- tickets -----------------------------------------------------------------------
    S("tickets", "tickets", MODIFIED, "modifiedTime", limit=100, search_path="tickets/search",
      filters=TICKET_FILTERS, dml=CRUD, trash_key="ticketIds"),
    S("tickets_extended", "tickets", MODIFIED, "modifiedTime", limit=100, search_path="tickets/search",
      filters=TICKET_FILTERS, dml=CRUD, trash_key="ticketIds", detail=True, details_of="tickets", costly=True),
    S("threads", "tickets/{ticketId}/threads", NEW_ONLY, "createdTime", parent="tickets", parent_key="ticketId",
      limit=200, filters={"id": "=", "ticketId": "="}, count_field="threadCount"),
    S("thread_attachments", "tickets/{ticketId}/threads/{threadId}/attachments", FULL, parent="threads",
      parent_key="threadId", parent_fields={"ticketId": "ticketId", "threadId": "id"},
      primary_key=("threadId", "id"), filters={"threadId": "=", "ticketId": "="},
      count_field="attachmentCount", schema="attachments", costly=True),
    *_children("tickets", "ticketId", modes={"comments": MODIFIED, "attachments": NEW_ONLY,
               "followers": FULL, "time_entries": NEW_ONLY},
               crud={"comments": CRUD, "attachments": CRUD, "followers": _dml("DELETE"), "time_entries": CRUD},
               counts={"comments": "commentCount"}, comment_update="PATCH",
               extra_filters={"attachments": {"isPublic": "="}}),
    S("ticket_activities", "tickets/{ticketId}/activities", MODIFIED, "modifiedTime", parent="tickets",
      parent_key="ticketId", limit=100, filters={"id": "=", "ticketId": "="}, item_get=False, costly=True),
    S("ticket_approvals", "tickets/{ticketId}/approvals", FULL, parent="tickets", parent_key="ticketId",
      filters={"id": "=", "ticketId": "="}, dml=_dml("INSERT"), costly=True),
    S("ticket_metrics", "tickets/{ticketId}/metrics", FULL, parent="tickets", parent_key="ticketId",
      primary_key=("ticketId",), filters={"ticketId": "="}, single=True, costly=True),
    S("jira_issues", "tickets/{ticketId}/jiraIssue", FULL, parent="tickets", parent_key="ticketId",
      primary_key=("ticketId", "id"), filters={"zohoTicketId": "="}, single=True, data_key="issueInfo", costly=True),
    S("tags", "ticketTags", FULL, parent="departments", parent_key="departmentId", parent_param=True,
      filters={"departmentId": "="}, all_parents=True, dml=_dml("INSERT")),
    S("ticket_tags", "tickets/{ticketId}/tags", FULL, parent="tickets", parent_key="ticketId",
      parent_fields={"ticketId": "id", "departmentId": "departmentId"}, primary_key=("ticketId", "id"),
      filters={"departmentId": "="}, data_key="tags", dml=CD, **UNPAGED, costly=True),
    # -- archived tickets (per department; the list needs departmentId, from 0..4999) ----
    S("archived_tickets", "tickets/archivedTickets", NEW_ONLY, "createdTime", parent="departments",
      parent_key="departmentId", parent_param=True, limit=100, filters={"departmentId": "="}, dml=RD,
      detail_path="tickets/{id}", schema="tickets", all_parents=True, trash_key="ticketIds",
      trash_path="tickets/moveToTrash", update_path="tickets/{id}"),
    S("archived_tickets_extended", "tickets/archivedTickets", MODIFIED, "modifiedTime", parent="departments",
      parent_key="departmentId", parent_param=True, limit=100, filters={"departmentId": "="}, detail=True,
      detail_path="tickets/{id}", schema="tickets_extended", all_parents=True, details_of="archived_tickets",
      costly=True),
    S("archived_ticket_threads", "tickets/{ticketId}/threads", NEW_ONLY, "createdTime", **ARCHIVED, limit=200,
      filters={"id": "=", "ticketId": "=", "departmentId": "="}, count_field="threadCount", schema="threads"),
    S("archived_ticket_comments", "tickets/{ticketId}/comments", MODIFIED, "modifiedTime", **ARCHIVED,
      limit=100, filters={"id": "=", "archivedTicketId": "=", "departmentId": "="},
      count_field="commentCount", schema="comments"),
    S("archived_ticket_attachments", "tickets/{ticketId}/attachments", NEW_ONLY, "createdTime", **ARCHIVED,
      limit=100, filters={"archivedTicketId": "=", "departmentId": "="}, schema="attachments"),
    S("archived_ticket_followers", "tickets/{ticketId}/followers", FULL, **ARCHIVED,
      primary_key=("ticketId", "id"), filters={"archivedTicketId": "=", "departmentId": "="},
      schema="followers", **UNPAGED, costly=True),
    S("archived_ticket_time_entries", "tickets/{ticketId}/timeEntry", NEW_ONLY, "createdTime", **ARCHIVED,
      limit=100, filters={"id": "=", "archivedTicketId": "=", "isBillable": "=", "invoiceId": "=",
                          "departmentId": "="}, schema="time_entries", **ENTRY_FACTS),
    # -- activities (search: dueDateRange / startDateRange; time entries of tasks: PATCH) ----
    *(x for owner, when in (("tasks", "dueDate"), ("calls", "startTime"), ("events", "startTime")) for x in (
        S(owner, owner, MODIFIED, "modifiedTime", limit=100, search_path=f"{owner}/search",
          filters={"id": "=", "departmentId": "=", when: "="},
          param_names={when: "dueDateRange" if owner == "tasks" else "startDateRange"},
          dml=CRUD, trash_key="entityIds"),
        *_children(owner, f"{owner[:-1]}Id", modes={"comments": MODIFIED, "attachments": NEW_ONLY,
                   **({"time_entries": NEW_ONLY} if owner == "tasks" else {})},
                   crud={"comments": CRUD, "attachments": CD, "time_entries": CRUD}, time_entry_update="PATCH"),
    )),
    # -- knowledge base and help center ------------------------------------------------
    S("kb_categories", "kbRootCategories", FULL, filters={"departmentId": "="}, dml=CRUD,
      update_path="kbCategory/{id}", remove_path="kbCategory/{id}", **UNPAGED),
    S("articles", "articles", MODIFIED, "modifiedTime", limit=100, time_param="modifiedTimeRange",
      filters={"id": "=", "categoryId": "=", "status": "=", "permission": "=", "authorId": "="}, dml=CRUD,
      trash_key="ids"),
    S("article_comments", "articles/{articleId}/translations/{locale}/comments", MODIFIED,
      "modifiedTime", parent="articles", parent_key="articleId",
      parent_fields={"articleId": "id", "locale": "locale"},
      filters={"id": "=", "articleId": "="}, dml=CRUD, count_field="commentCount", schema="comments"),
    S("article_feedbacks", "articleFeedbacks", NEW_ONLY, "createdTime", time_param="timeRange", filters=ID,
      dml=_dml("DELETE")),
    S("help_centers", "helpCenters", FULL, filters={"id": "=", "status": "="},
      local_filters=frozenset({"status"}), **UNPAGED),
    S("help_center_users", "users", FULL, filters={"id": "=", "status": "="}, dml=_dml("UPDATE")),
    S("help_center_groups", "groups", MODIFIED, "modifiedTime", filters=ID, dml=CRUD),
    S("help_center_labels", "labels", MODIFIED, "modifiedTime", filters=ID, dml=CRUD),
)

BY_STREAM: dict[str, ObjectSpec] = {spec.stream: spec for spec in OBJECTS}

# A search window can be paged up to this offset (``from`` 0..4999).
SEARCH_MAX_FROM = 4999
