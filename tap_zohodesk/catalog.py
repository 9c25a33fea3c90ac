"""The object catalog: one row per Zoho Desk object.

The tap builds its streams from these rows, the target its sinks, and the test emulator
its routes. Adding an object is adding a row here and a schema in ``schemas/<stream>.json``.

Row fields:
- ``stream``: Singer stream name; ``path``: list path under /api/v1 (``{parent_key}`` is
  replaced by a parent id for child objects); ``limit``: the list endpoint's page cap.
- ``mode``: ``modified+new`` | ``new only`` | ``full table``; ``replication_key`` follows.
- ``search_path``: an endpoint taking ``modifiedTimeRange`` + ``sortBy=modifiedTime``
  (capped at 5,000 rows per window), used for incremental reads.
- ``parent`` / ``parent_key``: child objects are read per parent record; ``parent_fields``
  maps each ``{placeholder}`` of the path (or, with ``parent_param``, the query parameter
  ``parent_key``) to a field of the parent record (default: ``{parent_key: "id"}``); the
  same fields are set on every child record. ``count_field``: the parent's counter of
  these children (``"0"`` -> the parent is skipped).
  Children are read only for parents changed since the child's last run (by the parent's
  replication key), unless ``all_parents`` (few parents, e.g. departments) or the parent
  is a full-table object.
- ``single``: the endpoint answers one object, not a list (``ticket_metrics``).
- ``detail``: one extra ``GET {detail_path or record_path}`` per record adds the fields
  only the single-record call returns (``*_extended`` streams: the user's explicit choice).
  ``detail_path`` is also where an ``id`` filter reads the record.
- ``schema``: the schema file when several objects share a shape (default: the stream).
- ``filters``: Zoho field -> "=" or "in" (``In`` allowed), see filters.py;
  ``list_param_names``: where the plain list calls a filter otherwise (``departmentIds``).
- ``dml``: allowed writes.
- ``trash_key``: the id-array key of ``POST /{path}/moveToTrash``.
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
    data_key: str = "data"
    search_path: str | None = None
    parent: str | None = None
    parent_key: str | None = None
    filters: dict[str, str] = field(default_factory=dict)
    dml: frozenset[str] = frozenset()
    trash_key: str | None = None
    trash_path: str | None = None
    parent_fields: dict[str, str] | None = None
    parent_param: bool = False
    count_field: str | None = None
    single: bool = False
    detail: bool = False
    detail_path: str | None = None
    all_parents: bool = False
    schema: str | None = None
    list_param_names: dict[str, str] = field(default_factory=dict)

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
    def delete_path(self) -> str | None:
        """Where ``moveToTrash`` takes this object's ids (None: deleted one by one)."""
        return (self.trash_path or f"{self.path}/moveToTrash") if self.trash_key else None

    @property
    def schema_name(self) -> str:
        return self.schema or self.stream


def _dml(text: str) -> frozenset[str]:
    return frozenset(op for op in text.split("/") if op and op != "read-only")


S = ObjectSpec  # the table below is easier to scan with a short name
CRUD, CR, CD, RD = _dml("INSERT/UPDATE/DELETE"), _dml("INSERT/UPDATE"), _dml("INSERT/DELETE"), _dml("UPDATE/DELETE")
ID = {"id": "="}


def _children(owner: str, key: str, *, crud: dict[str, frozenset[str]], modes: dict[str, str],
              counts: dict[str, str] | None = None, prefix: str | None = None,
              extra_filters: dict[str, dict[str, str]] | None = None) -> tuple[ObjectSpec, ...]:
    """Comments / attachments / followers / time entries of one parent object."""
    prefix = prefix or owner[:-1]
    counts = counts or {}
    extra_filters = extra_filters or {}
    shapes = {
        "comments": ("comments", "modifiedTime", 100, {"id": "=", key: "="}),
        "attachments": ("attachments", "createdTime", 100, {key: "="}),
        "followers": ("followers", None, 100, {key: "="}),
        "time_entries": ("timeEntry", "createdTime", 100,
                         {"id": "=", key: "=", "isBillable": "=", "invoiceId": "="}),
    }
    out = []
    for kind, mode in modes.items():
        sub, rkey, limit, filters = shapes[kind]
        out.append(S(f"{prefix}_{kind}", f"{owner}/{{{key}}}/{sub}", mode,
                     None if mode == FULL else rkey, parent=owner, parent_key=key,
                     primary_key=(key, "id") if kind == "followers" else ("id",),
                     limit=limit, filters={**filters, **extra_filters.get(kind, {})},
                     dml=crud.get(kind, frozenset()), count_field=counts.get(kind), schema=kind))
    return tuple(out)


TICKET_FILTERS = {"id": "=", "departmentId": "in", "channel": "in", "status": "in", "priority": "in"}
ARCHIVED = {"parent": "archived_tickets", "parent_key": "ticketId",
            "parent_fields": {"ticketId": "id", "departmentId": "departmentId"}}

OBJECTS: tuple[ObjectSpec, ...] = (
    # -- organization and people -------------------------------------------------------
    S("organizations", "organizations", FULL, filters=ID, dml=_dml("UPDATE")),
    S("departments", "departments", NEW_ONLY, "createdTime", limit=200,
      filters={"id": "=", "chatStatus": "="}, dml=CR),
    S("agents", "agents", FULL, limit=200,
      filters={"id": "=", "rolePermissionType": "=", "status": "=", "isConfirmed": "="}, dml=CRUD),
    S("teams", "teams", FULL, data_key="teams", filters=ID, dml=CR),
    S("roles", "roles", FULL, limit=500, filters={"id": "=", "isDefault": "=", "isVisible": "="}, dml=CR),
    S("profiles", "profiles", FULL, filters={"id": "=", "isVisible": "=", "default": "="}, dml=_dml("UPDATE")),
    S("business_hours", "businessHours", MODIFIED, "modifiedTime", filters=ID, dml=CRUD),
    S("agent_time_entries", "agents/{agentId}/timeEntry", NEW_ONLY, "createdTime", parent="agents",
      parent_key="agentId", filters={"id": "=", "agentId": "=", "isBillable": "=", "invoiceId": "="},
      schema="time_entries"),
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
    S("contracts", "contracts", MODIFIED, "modifiedTime",
      filters={"id": "=", "accountId": "=", "departmentId": "=", "ownerId": "="}, dml=CRUD,
      trash_key="contractIds"),
    *_children("contracts", "contractId", modes={"comments": MODIFIED}, crud={"comments": CRUD}),
    S("products", "products", MODIFIED, "modifiedTime", limit=100, search_path="products/search",
      filters={"id": "=", "departmentIds": "=", "ownerId": "="}, dml=CRUD, trash_key="productIds"),
    *_children("products", "productId", modes={"attachments": NEW_ONLY}, crud={"attachments": CD}),
    S("customer_happiness", "customerHappiness", NEW_ONLY, "createdTime",
      filters={"departmentId": "=", "agentId": "=", "contactId": "=", "ticketId": "=", "accountId": "=",
               "rating": "="}),
    # -- tickets -----------------------------------------------------------------------
    S("tickets", "tickets", MODIFIED, "modifiedTime", limit=100, search_path="tickets/search",
      filters=TICKET_FILTERS, dml=CRUD, trash_key="ticketIds",
      list_param_names={"departmentId": "departmentIds"}),
    S("tickets_extended", "tickets", MODIFIED, "modifiedTime", limit=100, search_path="tickets/search",
      filters=TICKET_FILTERS, dml=CRUD, trash_key="ticketIds",
      list_param_names={"departmentId": "departmentIds"}, detail=True),
    S("threads", "tickets/{ticketId}/threads", NEW_ONLY, "createdTime", parent="tickets", parent_key="ticketId",
      limit=200, filters={"id": "=", "ticketId": "="}, count_field="threadCount"),
    S("thread_attachments", "tickets/{ticketId}/threads/{threadId}/attachments", FULL, parent="threads",
      parent_key="threadId", parent_fields={"ticketId": "ticketId", "threadId": "id"},
      primary_key=("threadId", "id"), filters={"threadId": "=", "ticketId": "="},
      count_field="attachmentCount", schema="attachments"),
    *_children("tickets", "ticketId", modes={"comments": MODIFIED, "attachments": NEW_ONLY,
               "followers": FULL, "time_entries": NEW_ONLY},
               crud={"comments": CRUD, "attachments": CRUD, "followers": _dml("DELETE"), "time_entries": CRUD},
               counts={"comments": "commentCount", "attachments": "attachmentCount",
                       "followers": "followerCount", "time_entries": "timeEntryCount"},
               extra_filters={"attachments": {"isPublic": "="}}),
    S("ticket_activities", "tickets/{ticketId}/activities", MODIFIED, "modifiedTime", parent="tickets",
      parent_key="ticketId", filters={"id": "=", "ticketId": "="}),
    S("ticket_approvals", "tickets/{ticketId}/approvals", FULL, parent="tickets", parent_key="ticketId",
      filters={"id": "=", "ticketId": "="}, dml=_dml("INSERT"), count_field="approvalCount"),
    S("ticket_metrics", "tickets/{ticketId}/metrics", FULL, parent="tickets", parent_key="ticketId",
      primary_key=("ticketId",), filters={"ticketId": "="}, single=True),
    S("jira_issues", "tickets/{ticketId}/jiraIssue", FULL, parent="tickets", parent_key="ticketId",
      primary_key=("ticketId", "id"), filters={"zohoTicketId": "="}),
    S("tags", "ticketTags", FULL, parent="departments", parent_key="departmentId", parent_param=True,
      filters={"departmentId": "="}, all_parents=True),
    S("ticket_tags", "tickets/{ticketId}/tags", FULL, parent="tickets", parent_key="ticketId",
      parent_fields={"ticketId": "id", "departmentId": "departmentId"}, primary_key=("ticketId", "id"),
      filters={"departmentId": "="}, count_field="tagCount"),
    # -- archived tickets (per department; the list needs departmentId) -----------------
    S("archived_tickets", "tickets/archivedTickets", NEW_ONLY, "createdTime", parent="departments",
      parent_key="departmentId", parent_param=True, limit=100, filters={"departmentId": "="}, dml=RD,
      detail_path="tickets/{id}", schema="tickets", all_parents=True, trash_key="ticketIds",
      trash_path="tickets/moveToTrash"),
    S("archived_tickets_extended", "tickets/archivedTickets", MODIFIED, "modifiedTime", parent="departments",
      parent_key="departmentId", parent_param=True, limit=100, filters={"departmentId": "="}, detail=True,
      detail_path="tickets/{id}", schema="tickets_extended", all_parents=True),
    S("archived_ticket_threads", "tickets/{ticketId}/threads", NEW_ONLY, "createdTime", **ARCHIVED, limit=200,
      filters={"id": "=", "ticketId": "=", "departmentId": "="}, count_field="threadCount", schema="threads"),
    S("archived_ticket_comments", "tickets/{ticketId}/comments", MODIFIED, "modifiedTime", **ARCHIVED,
      limit=100, filters={"id": "=", "archivedTicketId": "=", "departmentId": "="},
      count_field="commentCount", schema="comments"),
    S("archived_ticket_attachments", "tickets/{ticketId}/attachments", NEW_ONLY, "createdTime", **ARCHIVED,
      limit=100, filters={"archivedTicketId": "=", "departmentId": "="}, count_field="attachmentCount",
      schema="attachments"),
    S("archived_ticket_followers", "tickets/{ticketId}/followers", FULL, **ARCHIVED,
      primary_key=("ticketId", "id"), limit=100, filters={"archivedTicketId": "=", "departmentId": "="},
      count_field="followerCount", schema="followers"),
    S("archived_ticket_time_entries", "tickets/{ticketId}/timeEntry", NEW_ONLY, "createdTime", **ARCHIVED,
      limit=100, filters={"id": "=", "archivedTicketId": "=", "isBillable": "=", "invoiceId": "=",
                          "departmentId": "="}, count_field="timeEntryCount", schema="time_entries"),
    # -- activities --------------------------------------------------------------------
    *(x for owner in ("tasks", "calls", "events") for x in (
        S(owner, owner, MODIFIED, "modifiedTime", limit=100, search_path=f"{owner}/search",
          filters={"id": "=", "departmentId": "=", "dueDate" if owner == "tasks" else "startTime": "="},
          dml=CRUD, trash_key="entityIds"),
        *_children(owner, f"{owner[:-1]}Id", modes={"comments": MODIFIED, "attachments": NEW_ONLY,
                   **({"time_entries": NEW_ONLY} if owner == "tasks" else {})},
                   crud={"comments": CRUD, "attachments": CD, "time_entries": CRUD}),
    )),
    # -- knowledge base and help center ------------------------------------------------
    S("kb_categories", "kbRootCategories", FULL, filters={"departmentId": "="}, dml=CRUD),
    S("articles", "articles", MODIFIED, "modifiedTime", limit=100,
      filters={"id": "=", "categoryId": "=", "status": "=", "permission": "=", "authorId": "="}, dml=CRUD),
    S("article_comments", "articles/{articleId}/translations/{translationId}/comments", MODIFIED,
      "modifiedTime", parent="articles", parent_key="articleId",
      parent_fields={"articleId": "id", "translationId": "latestVersionTranslationId"},
      filters={"id": "=", "articleId": "="}, dml=CRUD, count_field="commentCount", schema="comments"),
    S("article_feedbacks", "articleFeedbacks", NEW_ONLY, "createdTime", filters=ID, dml=_dml("DELETE")),
    S("help_centers", "helpCenters", FULL, filters={"id": "=", "status": "="}),
    S("help_center_users", "users", FULL, filters={"id": "=", "status": "="}, dml=_dml("UPDATE")),
    S("help_center_groups", "groups", MODIFIED, "modifiedTime", filters=ID, dml=CRUD),
    S("help_center_labels", "labels", MODIFIED, "modifiedTime", filters=ID, dml=CRUD),
)

BY_STREAM: dict[str, ObjectSpec] = {spec.stream: spec for spec in OBJECTS}

# A search window can be paged up to this offset (``from`` 0..4999).
SEARCH_MAX_FROM = 4999
