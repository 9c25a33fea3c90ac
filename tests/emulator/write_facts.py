"""What Zoho Desk accepts as writes, endpoint by endpoint: the emulator's own facts.

Same sources as facts.py. Rules of the service (zoho-desk-api §6): an update is a PATCH
returning the whole record, except comments outside tickets (PUT, OAS ``contactComments``
and n8n "Tickets use PATCH, others use PUT") and ticket time entries (PUT in the OAS, PATCH
in n8n: both accepted); records of the main modules are deleted by ``POST
{module}/moveToTrash`` with an id array, sub-resources by ``DELETE``; agents are never
deleted, only deactivated (``POST agents/{id}/deactivate``) or, unconfirmed,
``POST agents/deleteUnconfirmed``; articles go to the trash with ``{"ids": [...]}``; KB
categories are written under ``kbCategory/{id}`` (``kbRootCategories/{id}`` is GET only).
A method the path does not take is 405; a field the record does not have, or one Zoho
computes, is 422 INVALID_DATA naming it. Duplicates (zoho-desk-api 3.3: INVALID_DATA with
``errorType`` ``duplicate`` on the field): a contact whose email, an account whose name
another record of the org already has (compared without case) is refused, on create and on
update.
"""

from __future__ import annotations

from tests.emulator.facts import Endpoint


def create(path: str, table: str, src: str, *required: str) -> Endpoint:
    return Endpoint("POST", path, table, "create", src, required=required)


def update(path: str, table: str, src: str, method: str = "PATCH") -> Endpoint:
    return Endpoint(method, path, table, "update", src)


def delete(path: str, table: str, src: str) -> Endpoint:
    return Endpoint("DELETE", path, table, "delete", src)


def trash(module: str, table: str, key: str, src: str) -> Endpoint:
    return Endpoint("POST", f"{module}/moveToTrash", table, "trash", src, body_key=key)


def unfollow(owner: str, link: str, table: str) -> Endpoint:
    return Endpoint("POST", f"{owner}/{{{link}}}/removeFollowers", table, "unfollow", "OAS", body_key="followerIds")


def _children(owner: str, link: str, prefix: str, comment_update: str, src: str, *, attachments=True,
              followers=False) -> list[Endpoint]:
    base = f"{owner}/{{{link}}}"
    out = [create(f"{base}/comments", f"{prefix}_comments", src, "content"),
           update(f"{base}/comments/{{id}}", f"{prefix}_comments", src, comment_update),
           delete(f"{base}/comments/{{id}}", f"{prefix}_comments", src)]
    if attachments:
        out += [create(f"{base}/attachments", f"{prefix}_attachments", src),
                delete(f"{base}/attachments/{{id}}", f"{prefix}_attachments", src)]
    if followers:
        out.append(unfollow(owner, link, f"{prefix}_followers"))
    return out


def _module(module: str, key: str, src: str, *required: str) -> list[Endpoint]:
    return [create(module, module, src, *required), update(f"{module}/{{id}}", module, src),
            trash(module, module, key, src)]


WRITES: list[Endpoint] = [
    update("organizations/{id}", "organizations", "n8n"),
    create("departments", "departments", "none (zoho-desk-api 6.14 [U])", "name"),
    update("departments/{id}", "departments", "none (zoho-desk-api 6.14 [U])"),
    create("agents", "agents", "n8n", "lastName", "emailId"),
    update("agents/{id}", "agents", "OAS, n8n"),
    Endpoint("POST", "agents/{id}/deactivate", "agents", "action", "OAS, n8n"),
    Endpoint("POST", "agents/deleteUnconfirmed", "agents", "trash", "OAS, n8n", body_key="agentIds"),
    create("teams", "teams", "zoho-desk-api 6.15 [U]", "name", "departmentId"),
    update("teams/{id}", "teams", "zoho-desk-api 6.15 [U]"),
    create("roles", "roles", "n8n", "name"),
    update("roles/{id}", "roles", "n8n"),
    update("profiles/{id}", "profiles", "n8n"),
    create("businessHours", "business_hours", "n8n", "name"),
    update("businessHours/{id}", "business_hours", "n8n"),
    delete("businessHours/{id}", "business_hours", "n8n"),
    *_module("contacts", "contactIds", "OAS, n8n, w6w", "lastName"),
    *_children("contacts", "contactId", "contact", "PUT", "OAS contactComments", followers=True),
    *_module("accounts", "accountIds", "OAS, n8n, w6w", "accountName"),
    *_children("accounts", "accountId", "account", "PUT", "n8n (others use PUT)", followers=True),
    *_module("contracts", "contractIds", "OAS, DeskUI, n8n", "contractName", "accountId"),
    *_children("contracts", "contractId", "contract", "PUT", "Qodex (create); update verb: none, as siblings",
               attachments=False),
    *_module("products", "productIds", "OAS, n8n", "productName"),
    create("products/{productId}/attachments", "product_attachments", "Airbyte list_attachments"),
    delete("products/{productId}/attachments/{id}", "product_attachments", "none (as siblings)"),
    *_module("tickets", "ticketIds", "OAS, Pipedream", "subject", "departmentId"),
    *_children("tickets", "ticketId", "ticket", "PATCH", "Pipedream, n8n, DeskUI", followers=True),
    update("tickets/{ticketId}/attachments/{id}", "ticket_attachments", "DeskUI, n8n"),
    create("tickets/{ticketId}/timeEntry", "ticket_time_entries", "OAS ticketTimeEntry", "executedTime"),
    update("tickets/{ticketId}/timeEntry/{id}", "ticket_time_entries", "OAS (PUT)", "PUT"),
    update("tickets/{ticketId}/timeEntry/{id}", "ticket_time_entries", "n8n (PATCH)"),
    delete("tickets/{ticketId}/timeEntry/{id}", "ticket_time_entries", "OAS"),
    create("tickets/{ticketId}/approvals", "ticket_approvals", "zoho-desk-api 6.7, n8n", "subject", "approverIds"),
    Endpoint("POST", "tickets/{ticketId}/sendReply", "threads", "reply", "OAS, n8n, Pipedream"),
    Endpoint("POST", "tickets/{ticketId}/associateTag", "ticket_tags", "tag", "zoho-desk-api 6.9 [U]",
             body_key="tags"),
    Endpoint("POST", "tickets/{ticketId}/dissociateTag", "ticket_tags", "untag", "zoho-desk-api 6.9 [U]",
             body_key="tags"),
    *_module("tasks", "entityIds", "OAS tasks/moveToTrash", "subject", "departmentId"),
    *_children("tasks", "taskId", "task", "PUT", "OAS taskAttachment, n8n"),
    create("tasks/{taskId}/timeEntry", "task_time_entries", "OAS taskTimeEntry", "executedTime"),
    update("tasks/{taskId}/timeEntry/{id}", "task_time_entries", "OAS (get, patch)"),
    delete("tasks/{taskId}/timeEntry/{id}", "task_time_entries", "none (as ticket time entries)"),
    *_module("calls", "entityIds", "Qodex create-call, n8n", "subject", "departmentId", "startTime", "direction",
             "duration", "status", "contactId"),
    *_children("calls", "callId", "call", "PUT", "n8n; attachments: none"),
    *_module("events", "entityIds", "n8n", "subject", "departmentId", "startTime"),
    *_children("events", "eventId", "event", "PUT", "n8n; attachments: none"),
    create("kbRootCategories", "kb_categories", "OAS", "name"),
    update("kbCategory/{id}", "kb_categories", "zoho-desk-api 6.19 (kbCategory)"),
    delete("kbCategory/{id}", "kb_categories", "none (kbCategory sibling of PATCH)"),
    create("articles", "articles", "OAS", "title", "categoryId"),
    update("articles/{id}", "articles", "OAS (get, patch)"),
    Endpoint("POST", "articles/moveToTrash", "articles", "trash", "OAS articles/moveToTrash", body_key="ids"),
    create("articles/{articleId}/translations/{locale}/comments", "article_comments", "OAS articleComment",
           "content"),
    update("articles/{articleId}/translations/{locale}/comments/{id}", "article_comments", "zoho-desk-api 6.19"),
    delete("articles/{articleId}/translations/{locale}/comments/{id}", "article_comments", "zoho-desk-api 6.19"),
    delete("articleFeedbacks/{id}", "article_feedbacks", "OAS"),
    update("users/{id}", "help_center_users", "OAS"),
    create("groups", "help_center_groups", "OAS", "name"),
    update("groups/{id}", "help_center_groups", "OAS"),
    delete("groups/{id}", "help_center_groups", "OAS"),
    create("labels", "help_center_labels", "OAS", "name"),
    update("labels/{id}", "help_center_labels", "OAS"),
    delete("labels/{id}", "help_center_labels", "OAS"),
    # {"ids": [...], "isChildNeedToBeRestored": bool} -> results[] (Qodex: Zoho's Postman collection)
    Endpoint("POST", "recycleBin/restore", "", "restore", "Qodex restore-deleted-resources (Postman collection)",
             body_key="ids"),
]

# Fields Zoho computes or embeds for display: a write that carries one is 422 INVALID_DATA.
READ_ONLY = frozenset({
    "id", "createdTime", "modifiedTime", "createdBy", "modifiedBy", "creatorId", "modifierId", "webUrl",
    "portalUrl", "layoutDetails", "isDeleted", "isTrashed", "isFollowing", "isRead", "isArchived",
    "threadCount", "commentCount", "taskCount", "approvalCount", "timeEntryCount", "attachmentCount",
    "tagCount", "followerCount", "sharedCount", "accountCount", "userCount", "articleCount", "viewCount",
    "likeCount", "dislikeCount", "feedbackCount", "publishedArticleCount", "sectionCount", "count",
    "customerHappiness", "lastThread", "lastActivityTime", "photoURL", "logoUrl", "zuid",
    "department", "departments", "assignee", "team", "product", "creator", "commenter", "owner", "author",
    "account", "requester", "approver", "sla", "ticketNumber", "statusType", "closedTime", "onholdTime",
    "customerResponseTime", "isOverDue", "isResponseOverdue", "source", "sentiment", "isSpam", "isEscalated",
    "entitySkills", "commentedTime", "commenterId", "mention", "name", "size", "href", "totalCost",
    "billStatus", "permalink", "latestVersion", "latestVersionStatus", "latestVersionTranslationId",
    "latestPublishedVersion", "translationId", "availableLocaleTranslations", "rootCategoryId",
    "contractNumber", "edition", "portalURL", "isAdminInOrg",
    "isSandboxPortal", "faviconURL", "isPayloadEncryptionEnabled", "portalName", "lastLoginTime",
    "completedTime", "isCompleted", "processedTime", "requesterId", "ratedTime", "channelCode",
})
# Read-only on one object only (the department flags are set by enable/disable actions).
READ_ONLY_OF = {"departments": {"isDefault", "sanitizedName", "hasLogo", "chatStatus"}}
# ... except where the object itself is named by that field when created or changed.
WRITABLE_EXCEPTIONS = {
    "departments": {"name"}, "roles": {"name"}, "teams": {"name"}, "profiles": {"name"},
    "business_hours": {"name"}, "kb_categories": {"name"}, "help_center_groups": {"name"},
    "help_center_labels": {"name"},
}

# Fields no two records of the table may share (compared case-insensitively).
UNIQUE = {"contacts": ("email",), "accounts": ("accountName",)}
