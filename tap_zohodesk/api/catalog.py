"""The object catalog: one row per Zoho Desk object (rows.py says what each field means).

The tap builds its streams from these rows and the target its sinks; docs and checks are
generated from them. Adding an object is adding a row here and a schema in
``schemas/<stream>.json``. Every fact about the API a row states is held against the test
emulator's own facts (tests/emulator/facts.py) by tests/test_api_fidelity.py.
"""

from __future__ import annotations

from dataclasses import replace

from tap_zohodesk.api import bodies as B
from tap_zohodesk.api.rows import (
    CONFIRMED,
    FULL,
    MODIFIED,
    NEW_ONLY,
    SPLIT,
    UNPROVEN,
    Evidence,
    Filters,
    ObjectSpec,
    Parent,
    Read,
    Write,
)

# the contract's time-entry filters; no time-entry list takes invoiceId, only the agents' takes
# isBillable (OAS names billStatus; DeskUI sends isBillable on the agent list only)
ENTRY_FILTERS = {"isBillable": "=", "invoiceId": "="}
CREATED = "createdTimeRange"  # time-entry lists window their answer server side (OAS, the agents' list too)
ALL, INSERT_UPDATE, INSERT_DELETE = frozenset({"INSERT", "UPDATE", "DELETE"}), frozenset({"INSERT", "UPDATE"}), \
    frozenset({"INSERT", "DELETE"})
ONLY_ID = Filters({"id": "="})
TEXT = {"type": ["string", "null"]}
TICKET_WRITE = dict(required=("subject", "departmentId"), contact_or=("contactId", "contactEmail"),
                    write_only={"contactEmail": TEXT}, delete="trash", trash_key="ticketIds", fields=B.TICKET)
TAG_CALLS = {"INSERT": "tickets/{ticketId}/associateTag", "DELETE": "tickets/{ticketId}/dissociateTag"}
# A search window, and the archived tickets of one department, can be paged up to this offset (``from`` 0..4999).
SEARCH_MAX_FROM = 4999
# nested arrays of objects that become streams of their own with unwind_nested (rows.py: Read.unwind)
COMMENT_UNWIND = ("attachments", "mention")
SHARED = ("sharedDepartments",)


def named(dml: frozenset[str], **write) -> Write:
    """The write part of an object named on creation (``name`` required)."""
    return Write(dml, required=("name",), **write)


def children(owner: str, link: str, kinds: dict[str, frozenset[str]], *, counts: dict[str, str] | None = None,
             detail_counts: dict[str, str] | None = None, comment_update: str = "PUT", entry_update: str = "PUT",
             extra: dict[str, dict[str, str]] | None = None) -> tuple[ObjectSpec, ...]:
    """Comments / attachments / followers / time entries of records of ``owner``: ``kinds`` maps
    each kind to the writes allowed. Comments are updated with PUT outside tickets (OAS
    ``contactComments``; n8n: "Tickets use PATCH, others use PUT"); followers are one unpaged
    list, opt-in (every parent, every run); time-entry lists take ``billStatus``, not
    ``isBillable`` or ``invoiceId`` (OAS ``ticketTimeEntry``: billStatus, createdTimeRange, from,
    include, limit, modifiedTimeRange, module, orderBy): those two are applied to the answer."""
    prefix, counts, extra, detail_counts = owner[:-1], counts or {}, extra or {}, detail_counts or {}
    out = []
    for kind, dml in kinds.items():
        parent = Parent(owner, link, counter=counts.get(kind), detail_counter=detail_counts.get(kind))
        ops = {link: "=", **extra.get(kind, {})}
        if kind == "comments":
            out.append(ObjectSpec(
                f"{prefix}_comments", MODIFIED, "modifiedTime", Read(f"{owner}/{{{link}}}/comments", 100,
                                                                     schema="comments", unwind=COMMENT_UNWIND),
                parent=parent, filters=Filters({"id": "=", **ops}),
                write=Write(dml, required=("content",), fields=B.COMMENT, update_verb=comment_update)))
        elif kind == "attachments":
            out.append(ObjectSpec(
                f"{prefix}_attachments", NEW_ONLY, "createdTime", Read(f"{owner}/{{{link}}}/attachments", 100,
                                                                       schema="attachments"),
                parent=parent, filters=Filters(ops),
                write=Write(dml, create="upload", fields=B.UPLOAD,
                            write_only={"filePath": TEXT, "contentBase64": TEXT, "name": TEXT})))
        elif kind == "followers":
            out.append(ObjectSpec(
                f"{prefix}_followers", FULL, None, Read(f"{owner}/{{{link}}}/followers", 100, paged=False,
                                                        schema="followers", costly=True),
                primary_key=(link, "id"), parent=parent, filters=Filters(ops), write=Write(dml, delete="unfollow")))
        else:
            out.append(ObjectSpec(
                f"{prefix}_time_entries", NEW_ONLY, "createdTime", Read(f"{owner}/{{{link}}}/timeEntry", 100,
                                                                        schema="time_entries", time_param=CREATED),
                parent=parent, filters=Filters({"id": "=", **ops, **ENTRY_FILTERS}, local=frozenset(ENTRY_FILTERS)),
                write=Write(dml, required=("executedTime",), fields=B.TIME_ENTRY, update_verb=entry_update)))
    return tuple(out)


def module(stream: str, *, trash_key: str, required: tuple[str, ...], filters: Filters = ONLY_ID,
           unwind: tuple[str, ...] = (), **write) -> ObjectSpec:
    """A main module: searchable (keyset windows), custom fields, written with PATCH, deleted to
    the recycle bin (and its deletions marked with ``emit_deletes``)."""
    return ObjectSpec(stream, MODIFIED, "modifiedTime", Read(stream, 100, search=f"{stream}/search", cf_module=stream,
                                                             unwind=unwind),
                      filters=filters, write=Write(ALL, required=required, delete="trash", trash_key=trash_key,
                                                   **write), marks_deletes=stream)


# GET tickets/{id}?include= (OAS enum) -> the field each value fills
TICKET_INCLUDE = {"contacts": "contact", "products": "product", "departments": "department", "team": "team",
                  "assignee": "assignee", "contract": "contract", "isRead": "isRead", "skills": "entitySkills"}
TICKET_FILTERS = Filters({"id": "=", "departmentId": "in", "channel": "in", "status": "in", "priority": "in"})
# Counters of a ticket's children that only GET tickets/{id} carries, not its list or search rows
# (zoho-desk-api: the ticket's string counts; OAS SearchTicketResponseFields lists none of them)
TICKET_DETAIL_COUNTS = {"attachments": "attachmentCount", "followers": "followerCount",
                        "time_entries": "timeEntryCount"}
ARCHIVED = Parent("archived_tickets", "ticketId", {"ticketId": "id", "departmentId": "departmentId"})
ARCHIVED_ALIAS = {"archivedTicketId": "ticketId"}

OBJECTS: tuple[ObjectSpec, ...] = (
    # -- organization and people -------------------------------------------------------
    ObjectSpec("organizations", FULL, None, Read("organizations", paged=False), filters=ONLY_ID,
               write=Write(frozenset({"UPDATE"}), fields=B.ORGANIZATION)),
    ObjectSpec("departments", NEW_ONLY, "createdTime", Read("departments", 200),
               filters=Filters({"id": "=", "chatStatus": "="}),
               write=named(INSERT_UPDATE, fields=B.DEPARTMENT)),
    ObjectSpec("agents", FULL, None, Read("agents", 200),
               filters=Filters({"id": "=", "rolePermissionType": "=", "status": "=", "isConfirmed": "="}),
               write=Write(ALL, required=("lastName", "emailId"), fields=B.AGENT,
                           remove_verb="POST", remove_path="agents/{id}/deactivate")),  # never deleted
    ObjectSpec("teams", FULL, None, Read("teams", paged=False, envelope="teams"), filters=ONLY_ID,
               write=Write(INSERT_UPDATE, required=("name", "departmentId"), fields=B.TEAM)),
    ObjectSpec("roles", FULL, None, Read("roles", 500),
               filters=Filters({"id": "=", "isDefault": "=", "isVisible": "="}),
               write=named(INSERT_UPDATE, fields=B.ROLE, write_only={"reportsTo": TEXT})),
    ObjectSpec("profiles", FULL, None, Read("profiles", paged=False),
               filters=Filters({"id": "=", "isVisible": "=", "default": "="}, names={"isVisible": "visible"}),
               write=Write(frozenset({"UPDATE"}), fields=B.PROFILE)),
    ObjectSpec("business_hours", MODIFIED, "modifiedTime",
               Read("businessHours", unwind=("businessTimes", "associatedHolidayList.holidays")), filters=ONLY_ID,
               write=named(ALL, fields=B.BUSINESS_HOURS)),
    ObjectSpec("agent_time_entries", NEW_ONLY, "createdTime",
               Read("agents/{agentId}/timeEntry", schema="time_entries", time_param=CREATED),
               parent=Parent("agents", "agentId", every=True),
               filters=Filters({"id": "=", "agentId": "=", **ENTRY_FILTERS}, local=frozenset({"invoiceId"}))),
    # -- customers ---------------------------------------------------------------------
    module("contacts", trash_key="contactIds", required=("lastName",), fields=B.CONTACT,
           search_keys=("email", "firstName", "lastName", "phone", "mobile")),
    *children("contacts", "contactId", {"comments": ALL, "attachments": INSERT_DELETE,
                                        "followers": frozenset({"DELETE"}), "time_entries": frozenset()}),
    # accounts/search takes accountName, not email, phone or website (OAS, Qodex)
    module("accounts", trash_key="accountIds", required=("accountName",), fields=B.ACCOUNT,
           search_keys=("accountName",)),
    *children("accounts", "accountId", {"comments": ALL, "attachments": INSERT_DELETE,
                                        "followers": frozenset({"DELETE"}), "time_entries": frozenset()}),
    # no search endpoint; list rows show no modifiedTime: ask for it with fields=, read changes by id
    ObjectSpec("contracts", MODIFIED, "modifiedTime", Read("contracts", 100, slim=True, fields_param=True,
                                                           cf_module="contracts"),
               filters=Filters({"id": "=", "accountId": "=", "departmentId": "=", "ownerId": "="}),
               write=Write(ALL, required=("contractName", "accountId", "departmentId"), fields=B.CONTRACT,
                           delete="trash", trash_key="contractIds", bulk_path="contracts/updateMany"),
               marks_deletes="contracts"),
    *children("contracts", "contractId", {"comments": ALL}),
    ObjectSpec("products", MODIFIED, "modifiedTime", Read("products", 100, search="products/search", slim=True,
                                                          cf_module="products"),
               filters=Filters({"id": "=", "departmentIds": "=", "ownerId": "="},
                               names={"departmentIds": "departmentId"}, list_only=frozenset({"ownerId"})),
               write=Write(ALL, required=("productName",), fields=B.PRODUCT, delete="trash", trash_key="productIds"),
               marks_deletes="products"),
    *children("products", "productId", {"attachments": INSERT_DELETE}),
    ObjectSpec("customer_happiness", NEW_ONLY, "ratedTime", Read("customerHappiness", newest_first="-ratedTime"),
               filters=Filters({"departmentId": "=", "agentId": "=", "contactId": "=", "ticketId": "=",
                                "accountId": "=", "rating": "="}, names={"departmentId": "department"})),
    # -- tickets -----------------------------------------------------------------------
    ObjectSpec("tickets", MODIFIED, "modifiedTime", Read("tickets", 100, search="tickets/search",
                                                         cf_module="tickets", unwind=SHARED),
               filters=TICKET_FILTERS, write=Write(ALL, bulk_path="tickets/updateMany", **TICKET_WRITE),
               marks_deletes="tickets"),
    ObjectSpec("tickets_extended", MODIFIED, "modifiedTime",
               Read("tickets", 100, search="tickets/search", extended=True, details_of="tickets", cf_module="tickets",
                    costly=True, unwind=SHARED, include=TICKET_INCLUDE),
               filters=TICKET_FILTERS, write=Write(ALL, **TICKET_WRITE)),
    ObjectSpec("threads", NEW_ONLY, "createdTime", Read("tickets/{ticketId}/threads", 200,
                                                        extended_by="include_thread_content", unwind=("actions",)),
               parent=Parent("tickets", "ticketId", counter="threadCount"),
               filters=Filters({"id": "=", "ticketId": "="})),
    ObjectSpec("thread_attachments", FULL, None,
               Read("tickets/{ticketId}/threads/{threadId}/attachments", schema="attachments", costly=True),
               primary_key=("threadId", "id"),
               parent=Parent("threads", "threadId", {"ticketId": "ticketId", "threadId": "id"},
                             counter="attachmentCount"),
               filters=Filters({"threadId": "=", "ticketId": "="})),
    *children("tickets", "ticketId", {"comments": ALL, "attachments": ALL, "followers": frozenset({"DELETE"}),
                                      "time_entries": ALL},
              counts={"comments": "commentCount"}, detail_counts=TICKET_DETAIL_COUNTS, comment_update="PATCH",
              extra={"attachments": {"isPublic": "="}}),
    ObjectSpec("ticket_activities", MODIFIED, "modifiedTime",
               Read("tickets/{ticketId}/activities", 100, item_get=False, costly=True),
               parent=Parent("tickets", "ticketId"), filters=Filters({"id": "=", "ticketId": "="})),
    ObjectSpec("ticket_approvals", FULL, None, Read("tickets/{ticketId}/approvals", costly=True),
               parent=Parent("tickets", "ticketId", detail_counter="approvalCount"),
               filters=Filters({"id": "=", "ticketId": "="}),
               write=Write(frozenset({"INSERT"}), required=("subject", "approverIds"), fields=B.APPROVAL)),
    ObjectSpec("ticket_metrics", FULL, None, Read("tickets/{ticketId}/metrics", single=True, costly=True,
                                                  unwind=("stagingData", "agentsHandled")),
               primary_key=("ticketId",), parent=Parent("tickets", "ticketId"), filters=Filters({"ticketId": "="})),
    # Jira: one linked issue per ticket, the whole answer (issueInfo, transitionInfo), as Zoho's web UI reads it
    ObjectSpec("jira_issues", FULL, None,
               Read("tickets/{ticketId}/jiraIssue", single=True, envelope="issueInfo", costly=True,
                    params={"isReact": "true"}),
               primary_key=("ticketId",), parent=Parent("tickets", "ticketId"),
               filters=Filters({"zohoTicketId": "="}, aliases={"zohoTicketId": "ticketId"})),
    # tags are written by name through a ticket (zoho-desk-api 6.9), an extension of the contract
    ObjectSpec("tags", FULL, None, Read("ticketTags"), parent=Parent("departments", "departmentId", as_param=True,
                                                                     every=True),
               filters=Filters({"departmentId": "="}),
               write=Write(frozenset({"INSERT"}), create="tag", delete="tag", tag_calls=TAG_CALLS,
                           write_only={"ticketId": TEXT})),
    ObjectSpec("ticket_tags", FULL, None, Read("tickets/{ticketId}/tags", paged=False, envelope="tags", costly=True),
               primary_key=("ticketId", "id"),
               parent=Parent("tickets", "ticketId", {"ticketId": "id", "departmentId": "departmentId"},
                             detail_counter="tagCount"),
               filters=Filters({"departmentId": "="}),
               write=Write(INSERT_DELETE, create="tag", delete="tag", tag_calls=TAG_CALLS)),
    # -- archived tickets (per department; the list needs departmentId, from 0..4999) ----
    ObjectSpec("archived_tickets", NEW_ONLY, "createdTime",
               Read("tickets/archivedTickets", 100, record_path="tickets/{id}", schema="tickets",
                    max_from=SEARCH_MAX_FROM),
               parent=Parent("departments", "departmentId", as_param=True, every=True),
               filters=Filters({"departmentId": "="}),
               write=Write(frozenset({"UPDATE", "DELETE"}), fields=B.TICKET, update_path="tickets/{id}",
                           delete="trash", trash_key="ticketIds", trash_path="tickets/moveToTrash")),
    ObjectSpec("archived_tickets_extended", MODIFIED, "modifiedTime",
               Read("tickets/archivedTickets", 100, extended=True, record_path="tickets/{id}",
                    schema="tickets_extended", details_of="archived_tickets", costly=True, include=TICKET_INCLUDE,
                    max_from=SEARCH_MAX_FROM),
               parent=Parent("departments", "departmentId", as_param=True, every=True),
               filters=Filters({"departmentId": "="})),
    ObjectSpec("archived_ticket_threads", NEW_ONLY, "createdTime",
               Read("tickets/{ticketId}/threads", 200, schema="threads",
                    extended_by="include_thread_content", unwind=("actions",)),
               parent=replace(ARCHIVED, counter="threadCount"),
               filters=Filters({"id": "=", "ticketId": "=", "departmentId": "="})),
    ObjectSpec("archived_ticket_comments", MODIFIED, "modifiedTime",
               Read("tickets/{ticketId}/comments", 100, schema="comments", unwind=COMMENT_UNWIND),
               parent=replace(ARCHIVED, counter="commentCount"),
               filters=Filters({"id": "=", "archivedTicketId": "=", "departmentId": "="}, aliases=ARCHIVED_ALIAS)),
    ObjectSpec("archived_ticket_attachments", NEW_ONLY, "createdTime",
               Read("tickets/{ticketId}/attachments", 100, schema="attachments"),
               parent=replace(ARCHIVED, detail_counter="attachmentCount"),
               filters=Filters({"archivedTicketId": "=", "departmentId": "="}, aliases=ARCHIVED_ALIAS)),
    ObjectSpec("archived_ticket_followers", FULL, None,
               Read("tickets/{ticketId}/followers", paged=False, schema="followers", costly=True),
               primary_key=("ticketId", "id"), parent=replace(ARCHIVED, detail_counter="followerCount"),
               filters=Filters({"archivedTicketId": "=", "departmentId": "="}, aliases=ARCHIVED_ALIAS)),
    ObjectSpec("archived_ticket_time_entries", NEW_ONLY, "createdTime",
               Read("tickets/{ticketId}/timeEntry", 100, schema="time_entries", time_param=CREATED),
               parent=replace(ARCHIVED, detail_counter="timeEntryCount"),
               filters=Filters({"id": "=", "archivedTicketId": "=", **ENTRY_FILTERS, "departmentId": "="},
                               aliases=ARCHIVED_ALIAS, local=frozenset(ENTRY_FILTERS))),
    # -- activities (search: dueDateRange / startDateRange; time entries of tasks: PATCH) ----
    module("tasks", trash_key="entityIds", required=("subject", "departmentId"), unwind=("reminder",),
           filters=Filters({"id": "=", "departmentId": "=", "dueDate": "="}, names={"dueDate": "dueDateRange"}),
           fields=B.TASK),
    *children("tasks", "taskId", {"comments": ALL, "attachments": INSERT_DELETE, "time_entries": ALL},
              entry_update="PATCH"),
    module("calls", trash_key="entityIds", unwind=("reminder",),
           required=("subject", "departmentId", "startTime", "direction", "duration", "status", "contactId"),
           filters=Filters({"id": "=", "departmentId": "=", "startTime": "="}, names={"startTime": "startDateRange"}),
           fields=B.CALL),
    *children("calls", "callId", {"comments": ALL, "attachments": INSERT_DELETE}),
    module("events", trash_key="entityIds", required=("subject", "departmentId", "startTime"), unwind=("reminder",),
           fields=B.EVENT,
           filters=Filters({"id": "=", "departmentId": "=", "startTime": "="}, names={"startTime": "startDateRange"})),
    *children("events", "eventId", {"comments": ALL, "attachments": INSERT_DELETE}),
    # -- knowledge base and help center ------------------------------------------------
    ObjectSpec("kb_categories", FULL, None, Read("kbRootCategories", paged=False),
               filters=Filters({"departmentId": "="}),
               # UPDATE/DELETE unproven (WRITE_EVIDENCE): the OAS declares kbCategory/{id} with no operation on it
               write=named(ALL, fields=B.KB_CATEGORY, update_path="kbCategory/{id}", remove_path="kbCategory/{id}")),
    ObjectSpec("articles", MODIFIED, "modifiedTime", Read("articles", 100, time_param="modifiedTimeRange",
                                                          unwind=("availableLocaleTranslations",)),
               filters=Filters({"id": "=", "categoryId": "=", "status": "=", "permission": "=", "authorId": "="}),
               write=Write(ALL, required=("title", "categoryId"), delete="trash", trash_key="ids", fields=B.ARTICLE,
                           write_only={"answer": TEXT})),
    ObjectSpec("article_comments", MODIFIED, "modifiedTime",
               Read("articles/{articleId}/translations/{locale}/comments", schema="comments", unwind=COMMENT_UNWIND),
               parent=Parent("articles", "articleId", {"articleId": "id", "locale": "locale"}, counter="commentCount"),
               filters=Filters({"id": "=", "articleId": "="}),
               write=Write(ALL, required=("content",), fields=B.COMMENT)),
    ObjectSpec("article_feedbacks", NEW_ONLY, "createdTime", Read("articleFeedbacks", time_param="timeRange"),
               filters=ONLY_ID, write=Write(frozenset({"DELETE"}))),
    ObjectSpec("help_centers", FULL, None, Read("helpCenters", paged=False, unwind=("helpCenterLocales", "domains")),
               filters=Filters({"id": "=", "status": "="}, local=frozenset({"status"}))),
    ObjectSpec("help_center_users", FULL, None, Read("users"), filters=Filters({"id": "=", "status": "="}),
               write=Write(frozenset({"UPDATE"}), fields=B.HC_USER)),
    ObjectSpec("help_center_groups", MODIFIED, "modifiedTime", Read("groups"), filters=ONLY_ID,
               write=named(ALL, fields=B.HC_GROUP)),
    ObjectSpec("help_center_labels", MODIFIED, "modifiedTime", Read("labels"), filters=ONLY_ID,
               write=named(ALL, fields=B.HC_LABEL)),
)

# Actions: writes that make a record of another object; target-zohodesk takes them as streams, the tap reads
# none. An email reply on a ticket makes a thread, read (after an unsure send) where the ticket's threads are.
ACTIONS: tuple[ObjectSpec, ...] = (
    ObjectSpec("send_email_reply", FULL, None, Read("tickets/{ticketId}/threads", 200, schema="threads"),
               parent=Parent("tickets", "ticketId"),
               write=Write(frozenset({"SEND"}), create="reply", create_path="tickets/{ticketId}/sendReply",
                           required=("fromEmailAddress", "to", "content", "contentType"), fields=B.REPLY)),
)


# -- how sure the public evidence makes us of each endpoint (rows.py: Evidence) ----------
# ../shared/api-evidence.md, by row; not listed: confirmed by Zoho's OpenAPI spec (OAS).
def _seen(source: str) -> Evidence:
    return Evidence(CONFIRMED, source)


UNSHOWN = Evidence(UNPROVEN, "reference")  # the reference lists the object; no source shows the call
READ_EVIDENCE: dict[str, Evidence] = {
    "departments": _seen("Tapdata"), "agents": _seen("Qodex"), "teams": _seen("Airbyte"),
    "contract_comments": _seen("Qodex"), "product_attachments": _seen("Airbyte"),
    "customer_happiness": _seen("DeskUI"), "thread_attachments": _seen("Pipedream"),
    "ticket_comments": _seen("Pipedream"), "ticket_attachments": _seen("DeskUI"),
    "ticket_approvals": _seen("DeskUI"), "task_attachments": _seen("Airbyte"), "call_comments": _seen("Airbyte"),
    "event_comments": _seen("n8n"), "task_comments": _seen("n8n"), "help_center_users": _seen("Qodex"),
    "threads": Evidence(SPLIT, "DeskUI"),  # page cap 200 (Zoho's docs) or 99 (the web UI's SDK)
    "jira_issues": Evidence(SPLIT, "DeskUI"),  # only the web UI calls it; not in the OAS
    "call_attachments": UNSHOWN, "event_attachments": UNSHOWN,  # no such module anywhere (Round 2, R6)
    # nothing shows a ticket's detail or sub-resources read with an archived ticket's id (#52-#57)
    "archived_tickets_extended": UNSHOWN, "archived_ticket_threads": UNSHOWN, "archived_ticket_comments": UNSHOWN,
    "archived_ticket_attachments": UNSHOWN, "archived_ticket_followers": UNSHOWN,
    "archived_ticket_time_entries": UNSHOWN,
}
WRITE_EVIDENCE: dict[str, dict[str, Evidence]] = {
    "organizations": {"UPDATE": _seen("n8n")}, "profiles": {"UPDATE": _seen("n8n")},
    "business_hours": dict.fromkeys(ALL, _seen("n8n")), "ticket_approvals": {"INSERT": _seen("n8n")},
    "tags": {"INSERT": _seen("DeskDoc")}, "ticket_tags": dict.fromkeys(INSERT_DELETE, _seen("DeskDoc")),
    "contract_comments": {"INSERT": _seen("Qodex"), "UPDATE": UNSHOWN, "DELETE": UNSHOWN},
    "kb_categories": {"UPDATE": UNSHOWN, "DELETE": UNSHOWN},  # kbCategory/{id} has no operation (R3)
    "archived_tickets": {"UPDATE": UNSHOWN, "DELETE": UNSHOWN},
    "call_attachments": dict.fromkeys(INSERT_DELETE, UNSHOWN),
    "event_attachments": dict.fromkeys(INSERT_DELETE, UNSHOWN),
    **{f"{owner}_comments": {"UPDATE": _seen("n8n")} for owner in ("account", "task", "call", "event")},
}


def _graded(spec: ObjectSpec) -> ObjectSpec:
    read = replace(spec.read, evidence=READ_EVIDENCE.get(spec.stream, spec.read.evidence))
    write = replace(spec.write, evidence={**spec.write.evidence, **WRITE_EVIDENCE.get(spec.stream, {})})
    return replace(spec, read=read, write=write)


OBJECTS = tuple(_graded(spec) for spec in OBJECTS)
BY_STREAM: dict[str, ObjectSpec] = {spec.stream: spec for spec in OBJECTS}


def check_parent_order() -> None:
    """A parent's row comes before its children's: the tap syncs in catalog order and children
    reuse the rows their parent emitted in the same run."""
    seen: set[str] = set()
    for spec in OBJECTS:
        for needed in (spec.parent.stream if spec.parent else None, spec.read.details_of):
            if needed and needed not in seen:
                raise ValueError(f"catalog row {spec.stream} comes before {needed}, which it reads from")
        seen.add(spec.stream)


check_parent_order()
