"""What the real Zoho Desk API does, endpoint by endpoint: the emulator's own facts.

Written from the public evidence (the audit of 2026-11-29: Zoho's OpenAPI spec as generated
SDKs show it, Airbyte's schemas imported from real responses, Zoho's web UI bundle, Qodex's
copy of Zoho's Postman collection, Pipedream, an n8n node checked against the OpenAPI spec,
Tapdata, field notes of other connector authors). Nothing here is read from ``tap_zohodesk``:
the tap is tested against these facts, never the other way round. Each row names its source
(``src``); ``none`` marks an endpoint the tap uses that no public source shows, served here as
the closest documented sibling does.

Row fields: ``op`` picks the handler (list, search, get, single, create, update, delete, trash,
unfollow, reply, action, fields, recycle, modules); ``params`` are the query parameters the
endpoint defines besides ``from``/``limit`` (any other one is answered 422 "Extra query
parameter"); ``paged`` whether it takes ``from``/``limit`` at all; ``cap`` the largest
``limit``; ``max_from`` the largest ``from``; ``envelope`` the key of the list (None: a bare
object); ``filters`` query parameter -> record field (equality, comma-separated values OR-ed);
``ranges`` parameter -> time field (``low,high`` inclusive); ``required`` query parameters
the call cannot do without; ``shape`` which fields a row carries (see shapes.py); ``body_key``
the id array of a bulk call.
"""

from __future__ import annotations

from dataclasses import dataclass, field

SEARCH_MAX_FROM = 4999  # D29 [V]: search `from` 0..4999; archived tickets likewise


@dataclass(frozen=True)
class Endpoint:
    method: str
    path: str
    table: str
    op: str
    src: str
    params: frozenset[str] = frozenset()
    paged: bool = False
    cap: int | None = None
    max_from: int | None = None
    envelope: str | None = "data"
    filters: dict[str, str] = field(default_factory=dict)
    ranges: dict[str, str] = field(default_factory=dict)
    required: tuple[str, ...] = ()
    shape: str = "full"
    body_key: str | None = None

    @property
    def template(self) -> str:
        return f"{self.method} /{self.path}"


def _ps(*names: str) -> frozenset[str]:
    return frozenset(names)


def lst(path, table, src, *, cap=None, params=(), filters=None, paged=True, **kw) -> Endpoint:
    filters = dict(filters or {})
    return Endpoint("GET", path, table, "list", src, _ps(*params, *filters, *kw.get("ranges", {})),
                    paged, cap if paged else None, filters=filters, **kw)


def get(path, table, src, params=("include",)) -> Endpoint:
    return Endpoint("GET", path, table, "get", src, _ps(*params), envelope=None)


def search(module, src, params, *, ranges=None, filters=None, shape="full") -> Endpoint:
    ranges = {"modifiedTimeRange": "modifiedTime", "createdTimeRange": "createdTime", **(ranges or {})}
    filters = {"id": "id", **(filters or {})}
    return Endpoint("GET", f"{module}/search", module, "search", src,
                    _ps("_all", "sortBy", *params, *filters, *ranges), True, 100, SEARCH_MAX_FROM,
                    filters=filters, ranges=ranges, shape=shape)


# OAS ticketTimeEntry (and contacts, accounts, tasks): billStatus, createdTimeRange, from, include, limit,
# modifiedTimeRange, module, orderBy; OAS agentTimeEntry adds departmentId, and DeskUI sends isBillable
# on the agent list only
TIME_ENTRY_PARAMS = ("include", "orderBy", "module")
TIME_ENTRY_FILTERS = {"billStatus": "billStatus"}
AGENT_TIME_ENTRY_FILTERS = {**TIME_ENTRY_FILTERS, "isBillable": "isBillable"}
TIME_ENTRY_RANGES = {"createdTimeRange": "createdTime", "modifiedTimeRange": "modifiedTime"}


def children(owner: str, link: str, table_prefix: str, kinds: tuple[str, ...], src: str) -> list[Endpoint]:
    """The comments / attachments / followers / time entries of records of ``owner``."""
    base = f"{owner}/{{{link}}}"
    out: list[Endpoint] = []
    if "comments" in kinds:
        out += [lst(f"{base}/comments", f"{table_prefix}_comments", src, cap=100, params=("include", "sortBy")),
                get(f"{base}/comments/{{id}}", f"{table_prefix}_comments", src)]
    if "attachments" in kinds:
        out.append(lst(f"{base}/attachments", f"{table_prefix}_attachments", src, cap=100,
                       params=("include", "sortBy"),
                       filters={"isPublic": "isPublic"} if owner == "tickets" else None))
    if "followers" in kinds:  # OAS: `{module}/{id}/followers?orgId` and nothing else
        out.append(lst(f"{base}/followers", f"{table_prefix}_followers", "OAS", paged=False))
    if "timeEntry" in kinds:  # OAS {module}TimeEntry
        out += [lst(f"{base}/timeEntry", f"{table_prefix}_time_entries", src, cap=100,
                    params=TIME_ENTRY_PARAMS, filters=TIME_ENTRY_FILTERS, ranges=TIME_ENTRY_RANGES),
                get(f"{base}/timeEntry/{{id}}", f"{table_prefix}_time_entries", src)]
    return out


ACTIVITY_SEARCH = ("subject", "ticketNumber")
ACTIVITY_FILTERS = {"departmentId": "departmentId", "priority": "priority", "status": "status"}

READS: list[Endpoint] = [
    # -- organization and people ---------------------------------------------------------
    lst("organizations", "organizations", "OAS (no params), Airbyte (no paginator)", paged=False),
    get("organizations/{id}", "organizations", "OAS"),
    lst("departments", "departments", "Tapdata (limit 0-200), n8n", cap=200, params=("searchStr",),
        filters={"chatStatus": "chatStatus", "isEnabled": "isEnabled"}),
    get("departments/{id}", "departments", "Tapdata"),
    lst("agents", "agents", "Qodex (max 200)", cap=200,
        params=("searchStr", "departmentIds", "roleIds", "profileIds", "include"),
        filters={"status": "status", "isConfirmed": "isConfirmed", "rolePermissionType": "rolePermissionType"}),
    get("agents/{id}", "agents", "OAS"),
    lst("teams", "teams", "OAS (no params), Airbyte/WHY-notes (envelope teams)", paged=False, envelope="teams"),
    get("teams/{id}", "teams", "zoho-desk-api 6.15"),
    lst("roles", "roles", "OAS; cap 500: AI-skill only", cap=500, params=("searchStr",),
        filters={"isDefault": "isDefault", "isVisible": "isVisible"}),
    get("roles/{id}", "roles", "OAS"),
    lst("profiles", "profiles", "OAS (default, searchStr, visible; no paging)", paged=False,
        params=("searchStr",), filters={"visible": "isVisible", "default": "default"}),
    get("profiles/{id}", "profiles", "OAS"),
    lst("businessHours", "business_hours", "OAS", cap=50, params=("businessHourIds",),
        filters={"status": "status"}),
    get("businessHours/{id}", "business_hours", "OAS"),
    lst("agents/{agentId}/timeEntry", "agent_time_entries", "OAS agentTimeEntry, DeskUI (isBillable)", cap=50,
        params=(*TIME_ENTRY_PARAMS, "departmentId"), filters=AGENT_TIME_ENTRY_FILTERS, ranges=TIME_ENTRY_RANGES),
    get("agents/{agentId}/timeEntry/{id}", "agent_time_entries", "zoho-desk-api 6.5"),
    # -- customers -------------------------------------------------------------------------
    lst("contacts", "contacts", "Qodex, Airbyte list_contacts (slim rows)", cap=100,
        params=("viewId", "include", "sortBy", "fields"), shape="list"),
    search("contacts", "OAS contacts/search",
           ("email", "firstName", "lastName", "fullName", "phone", "mobile", "accountName"),
           filters={f: f for f in ("email", "firstName", "lastName", "phone", "mobile")}),
    get("contacts/{id}", "contacts", "OAS"),
    *children("contacts", "contactId", "contact", ("comments", "attachments", "followers", "timeEntry"),
              "OAS contactComments/contactAttachment/contactTimeEntry"),
    lst("accounts", "accounts", "Airbyte list_accounts (slim rows)", cap=100,
        params=("viewId", "include", "sortBy", "fields"), shape="list"),
    # R4: accounts/search takes accountName (not email, phone or website) besides the common ones
    search("accounts", "OAS accounts/search, Qodex", ("accountName",), filters={"accountName": "accountName"}),
    get("accounts/{id}", "accounts", "OAS"),
    *children("accounts", "accountId", "account", ("comments", "attachments", "followers", "timeEntry"),
              "OAS accountAttachment/accountTimeEntry, n8n"),
    # contracts: no search endpoint (n8n); OAS names the filters in the plural, Tapdata in the
    # singular: both accepted. Whether list rows carry modifiedTime is not shown: they do not here.
    lst("contracts", "contracts", "OAS, Tapdata (cap 100)", cap=100,
        params=("contractName", "fields", "include", "sortBy"),
        filters={"accountId": "accountId", "departmentId": "departmentId", "departmentIds": "departmentId",
                 "ownerId": "ownerId", "ownerIds": "ownerId"}, shape="list"),
    get("contracts/{id}", "contracts", "OAS"),
    *children("contracts", "contractId", "contract", ("comments",), "Qodex create-a-contract-comment"),
    lst("products", "products", "OAS (departmentId, ownerId), Airbyte list_products (slim)", cap=100,
        params=("viewId", "include", "sortBy"), filters={"departmentId": "departmentIds", "ownerId": "ownerId"},
        shape="list"),
    search("products", "OAS products/search", ("productCode", "productName", "accountId", "contactId"),
           filters={"departmentId": "departmentIds"}),
    get("products/{id}", "products", "OAS"),
    *children("products", "productId", "product", ("attachments",), "Airbyte list_attachments"),
    # customer happiness: DeskUI and two client snippets; rows timed by ratedTime
    lst("customerHappiness", "customer_happiness", "DeskUI, CH-clients (department=, sortBy=-ratedTime)", cap=50,
        params=("include", "sortBy"),
        filters={"department": "departmentId", "agentId": "agentId", "contactId": "contactId",
                 "ticketId": "ticketId", "accountId": "accountId", "rating": "rating"}),
    # -- tickets ---------------------------------------------------------------------------
    lst("tickets", "tickets", "OAS, Tapdata (DeskDoc copy), Airbyte list_tickets (slim rows)", cap=100,
        params=("teamIds", "viewId", "assignee", "receivedInDays", "dueDate", "closedTime", "include",
                "fields", "sortBy"),
        filters={"departmentId": "departmentId", "departmentIds": "departmentId", "channel": "channel",
                 "status": "status", "priority": "priority"}, shape="list"),
    search("tickets", "OAS tickets/search, D29",
           ("ticketNumber", "subject", "description", "email", "phone", "category", "tag", "accountName",
            "contactName", "productName"),
           ranges={"customerResponseTimeRange": "customerResponseTime", "dueDateRange": "dueDate"},
           filters={"departmentId": "departmentId", "channel": "channel", "status": "status",
                    "priority": "priority", "accountId": "accountId", "contactId": "contactId",
                    "productId": "productId", "assigneeId": "assigneeId"}, shape="search"),
    get("tickets/{id}", "tickets", "OAS (include: contacts, products, departments, team, assignee, contract, isRead, "
        "skills)"),
    lst("tickets/archivedTickets", "archived_tickets", "OAS, D29 (departmentId required, from 0-4999)", cap=100,
        max_from=SEARCH_MAX_FROM, params=("include", "viewType"), filters={"departmentId": "departmentId"},
        required=("departmentId",), shape="list"),
    lst("tickets/{ticketId}/threads", "threads", "OAS (sortBy sendDateTime); cap 200: D29", cap=200,
        params=("sortBy", "include"), shape="threads"),
    get("tickets/{ticketId}/threads/{id}", "threads", "OAS, Pipedream, n8n"),
    lst("tickets/{ticketId}/threads/{threadId}/attachments", "thread_attachments", "Pipedream getThreadAttachments",
        cap=50),
    *children("tickets", "ticketId", "ticket", ("comments", "attachments", "followers", "timeEntry"),
              "Pipedream, DeskUI, OAS ticketTimeEntry"),
    lst("tickets/{ticketId}/activities", "ticket_activities", "OAS, Airbyte (page 100)", cap=100,
        params=("include", "sortBy"), filters={"isCompleted": "isCompleted", "isSpam": "isSpam"}),
    lst("tickets/{ticketId}/approvals", "ticket_approvals", "DeskUI (from, limit, status)", cap=50,
        filters={"status": "status"}),
    get("tickets/{ticketId}/approvals/{id}", "ticket_approvals", "n8n"),
    Endpoint("GET", "tickets/{ticketId}/metrics", "ticket_metrics", "single", "OAS (one object)", envelope=None),
    # Jira: the web UI asks with isReact=true and keeps the whole answer when it has ``issueInfo``
    # (``envelope`` of a single object: the key the answer carries when there is a record)
    Endpoint("GET", "tickets/{ticketId}/jiraIssue", "jira_issues", "single", "DeskUI jiraLeftPanel (isReact=true)",
             _ps("isReact"), envelope="issueInfo", required=("isReact",)),
    lst("ticketTags", "tags", "OAS (departmentId required), DeskUI (limit=50, sortBy=count)", cap=50,
        params=("searchStr", "sortBy"), filters={"departmentId": "departmentId"}, required=("departmentId",)),
    lst("tickets/{ticketId}/tags", "ticket_tags", "OAS TagsGetResponse {tags: [...]}, no params", paged=False,
        envelope="tags"),
    # -- activities ------------------------------------------------------------------------
    *(e for module, extra in (("tasks", {"dueDateRange": "dueDate"}), ("calls", {"startDateRange": "startTime"}),
                              ("events", {"startDateRange": "startTime"})) for e in (
        lst(module, module, "OAS (departmentId, include, sortBy), Airbyte", cap=100, params=("include", "sortBy"),
            filters={"departmentId": "departmentId"}),
        search(module, f"OAS {module}/search, n8n", ACTIVITY_SEARCH, ranges=extra, filters=ACTIVITY_FILTERS),
        get(f"{module}/{{id}}", module, "OAS"),
        *children(module, f"{module[:-1]}Id", module[:-1],
                  ("comments", "attachments", "timeEntry") if module == "tasks" else ("comments", "attachments"),
                  "OAS taskAttachment, Airbyte list_call_comments" if module != "events" else "none (events)"),
    )),
    # -- knowledge base and help center -----------------------------------------------------
    lst("kbRootCategories", "kb_categories", "OAS (no from/limit)", paged=False,
        params=("include", "isReviewEnabled", "sortBy"), filters={"departmentId": "departmentId"}),
    get("kbRootCategories/{id}", "kb_categories", "OAS (GET only)"),
    get("kbCategory/{id}", "kb_categories", "zoho-desk-api 6.19 (kbCategory module)"),
    lst("articles", "articles", "OAS (modifiedTimeRange, sortBy ...)", cap=100, params=("sortBy", "include"),
        filters={"authorId": "authorId", "categoryId": "categoryId", "permission": "permission", "status": "status"},
        ranges={"modifiedTimeRange": "modifiedTime", "expiryTimeRange": "expiryTime"}),
    get("articles/{id}", "articles", "OAS"),
    lst("articles/{articleId}/translations/{locale}/comments", "article_comments",
        "OAS articleComment (segment is the locale)", cap=50, params=("include", "sortBy")),
    get("articles/{articleId}/translations/{locale}/comments/{id}", "article_comments", "OAS"),
    lst("articleFeedbacks", "article_feedbacks", "OAS (timeRange default LAST_7_DAYS)", cap=50,
        params=("sortBy", "timeRange"), filters={"departmentIds": "departmentId", "rootCategoryIds": "rootCategoryId"}),
    get("articleFeedbacks/{id}", "article_feedbacks", "OAS"),
    lst("helpCenters", "help_centers", "OAS (no params)", paged=False),
    get("helpCenters/{id}", "help_centers", "zoho-desk-api 6.21"),
    lst("users", "help_center_users", "Qodex (max 50, status, helpCenterId, sortBy), Airbyte", cap=50,
        params=("sortBy", "searchStr"), filters={"status": "status", "helpCenterId": "helpCenterId"}),
    get("users/{id}", "help_center_users", "OAS"),
    lst("groups", "help_center_groups", "OAS", cap=50, params=("searchBy", "sortBy"),
        filters={"helpCenterId": "helpCenterId"}),
    get("groups/{id}", "help_center_groups", "OAS"),
    lst("labels", "help_center_labels", "OAS", cap=50, params=("searchBy", "sortBy"),
        filters={"helpCenterId": "helpCenterId"}),
    get("labels/{id}", "help_center_labels", "OAS"),
    # R14: counts in one call (OAS); the answer is {"count": n} (Zoho iOS SDK ZDTicketsCount)
    Endpoint("GET", "ticketsCount", "tickets", "count", "OAS ticketsCount, Zoho iOS SDK", _ps("departmentId")),
    # -- metadata and the recycle bin -------------------------------------------------------
    Endpoint("GET", "organizationFields", "", "fields", "OAS field module", _ps("module", "departmentId"),
             required=("module",)),
    Endpoint("GET", "organizationModules", "", "modules", "zoho-desk-api 6.25 (row shape: none)"),
    # Qodex: module + sortBy; OAS: moduleId, no sortBy. Which one the emulator speaks is a knob.
    Endpoint("GET", "recycleBin", "", "recycle", "Qodex / OAS (split)",
             _ps("module", "moduleId", "sortBy", "include", "departmentId"), True, 100),
]

# Creates take these besides the fields a record carries (ids of things to link or upload).
WRITE_ONLY = {"tickets": {"contact", "contactId", "attachmentIds", "uploads"},
              "ticket_comments": {"attachmentIds"}}
