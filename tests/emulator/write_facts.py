"""What Zoho Desk accepts as writes, endpoint by endpoint: the emulator's own facts.

Same sources as facts.py. Rules of the service (zoho-desk-api §6): an update is a PATCH
returning the whole record, except comments outside tickets (PUT, OAS ``contactComments``
and n8n "Tickets use PATCH, others use PUT") and ticket time entries (PUT in the OAS, PATCH
in n8n: both accepted); records of the main modules are deleted by ``POST
{module}/moveToTrash`` with an id array, sub-resources by ``DELETE``; agents are never
deleted, only deactivated (``POST agents/{id}/deactivate``) or, unconfirmed,
``POST agents/deleteUnconfirmed``; articles go to the trash with ``{"ids": [...]}``; KB
categories are written under ``kbCategory/{id}`` (``kbRootCategories/{id}`` is GET only).
A method the path does not take is 405; a body field the endpoint does not take (BODY below)
is 422 INVALID_DATA naming every such field. Duplicates (zoho-desk-api 3.3: INVALID_DATA with
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
    Endpoint("POST", "contracts/updateMany", "contracts", "bulk", "OAS contracts/updateMany", body_key="ids"),
    *_children("contracts", "contractId", "contract", "PUT", "Qodex (create); update verb: none, as siblings",
               attachments=False),
    *_module("products", "productIds", "OAS, n8n", "productName"),
    create("products/{productId}/attachments", "product_attachments", "Airbyte list_attachments"),
    delete("products/{productId}/attachments/{id}", "product_attachments", "none (as siblings)"),
    *_module("tickets", "ticketIds", "OAS, Pipedream", "subject", "departmentId"),
    Endpoint("POST", "tickets/updateMany", "tickets", "bulk", "OAS tickets/updateMany", body_key="ids"),
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

# What each write's body may carry, (table, op) -> fields; anything else is 422 INVALID_DATA
# naming every such field (errorType ``invalid``), as Zoho does with a record sent back as read.
# Sources: OAS request bodies where read (tickets: CommonKeys + CommonRequestJson, plus
# contactId/departmentId/contact on POST and contactId/resolution/sharedDepartments on PATCH;
# contacts: CommonJson + WithContactPatchRequestBody; roles: reportsTo in RolesPostRequestBody);
# the migration script (it strips isEndUser, isAnonymous, ... before a POST); elsewhere the
# object's own fields less the computed ones ("schema"). Custom fields go in ``cf``.
_COMMENT = {"content", "contentType", "isPublic", "attachmentIds"}  # OAS CommentsPostRequestBody
_ENTRY = {"executedTime", "description", "ownerId", "hoursSpent", "minutesSpent", "secondsSpent", "isBillable",
          "billingType", "requestChargeType", "additionalCost", "agentCostPerHour", "invoiceId", "cf"}
_TICKET_BOTH = {"subject", "description", "status", "priority", "channel", "classification", "category",
                "subCategory", "language", "dueDate", "email", "phone", "assigneeId", "productId", "cf"}
_TICKET_KEPT = {"teamId", "accountId", "layoutId"}
_ACTIVITY = {"subject", "departmentId", "contactId", "ticketId", "ownerId", "priority", "status", "cf"}
_BODIES = {
    "organizations": {"companyName", "description", "website", "phoneNumber", "mobile", "fax", "street", "city",
                      "state", "country", "zip", "employeeCount", "currencyCode", "currencyLocale",
                      "currencySymbol", "primaryContact", "logoURL", "isDefault"},
    # OAS DepartmentsPostRequestBody (isEnabled: enable/disable actions only)
    "departments": {"name", "description", "nameInCustomerPortal", "isVisibleInCustomerPortal",
                    "isAssignToTeamEnabled", "associatedAgentIds"},
    # OAS AgentInputStream
    "agents": {"firstName", "lastName", "emailId", "phone", "mobile", "extn", "countryCode", "langCode",
               "status", "aboutInfo", "roleId", "profileId", "rolePermissionType", "channelExpert",
               "associatedDepartmentIds", "associatedChatDepartmentIds", "cf"},
    "teams": {"name", "description", "departmentId", "agents", "roles", "rolesWithSubordinates", "subTeams"},  # OAS
    "profiles": {"name", "description", "type", "isVisible", "default"},
    "business_hours": {"name", "status", "type", "timeZone", "businessTimes", "associatedHolidayList"},
    "contacts": {"firstName", "lastName", "email", "secondaryEmail", "phone", "mobile", "accountId", "ownerId",
                 "type", "title", "description", "street", "city", "state", "country", "zip", "facebook",
                 "twitter", "cf"},
    # OAS request bodies (WithAccountPatchRequestBody, ContractsPostRequestBody, ProductsPostRequestBody)
    "accounts": {"accountName", "email", "phone", "website", "fax", "industry", "code", "description", "street",
                 "city", "state", "country", "ownerId", "cf"},
    "contracts": {"contractName", "contractNumber", "accountId", "departmentId", "productId", "ownerId",
                  "associatedSLAId", "startDate", "endDate", "description", "notifyBefore", "notificationAgentIds",
                  "cf"},
    "products": {"productName", "productCode", "productCategory", "unitPrice", "description", "ownerId",
                 "departmentIds", "cf"},
    # OAS: CommonJson of each activity module + what its POST / PATCH body adds
    "tasks": _ACTIVITY | {"dueDate"},
    "calls": _ACTIVITY | {"startTime", "duration", "direction", "reminder"},
    "events": _ACTIVITY | {"startTime", "duration", "category", "reminder"},
    "ticket_approvals": {"subject", "description", "approverIds"},
    "kb_categories": {"name", "description", "departmentId", "helpCenterId", "locale", "order", "status",
                      "visibility"},
    "articles": {"title", "answer", "summary", "categoryId", "departmentId", "status", "permission", "authorId",
                 "ownerId", "locale", "sourceLocale", "attachments"},
    "help_center_users": {"firstName", "lastName", "email", "contactId", "status", "helpCenterId", "groupIds",
                          "labelIds"},
    "help_center_groups": {"name", "description", "helpCenterId"},
    "help_center_labels": {"name", "description", "color", "helpCenterId"},
    "ticket_attachments": {"isPublic"},
}
BODY = {(table, op): frozenset(fields) for table, fields in _BODIES.items() for op in ("create", "update")}
BODY.update({("roles", "create"): frozenset({"name", "description", "shareDataWithPeers", "reportsTo"}),  # OAS
             ("roles", "update"): frozenset({"name", "description", "shareDataWithPeers"}),  # RoleupdateJson
             # + teamId/accountId/layoutId: the migration script's POST of a read ticket keeps them
             ("tickets", "create"): frozenset(_TICKET_BOTH | _TICKET_KEPT | {"contactId", "departmentId", "contact",
                                                                             "secondaryContacts"}),
             ("tickets", "update"): frozenset(_TICKET_BOTH | _TICKET_KEPT | {"contactId", "resolution",
                                                                             "sharedDepartments"})})
for _owner in ("ticket", "contact", "account", "contract", "task", "call", "event", "article"):
    BODY[(f"{_owner}_comments", "create")] = BODY[(f"{_owner}_comments", "update")] = frozenset(_COMMENT)
for _owner in ("ticket", "task"):
    BODY[(f"{_owner}_time_entries", "create")] = BODY[(f"{_owner}_time_entries", "update")] = frozenset(_ENTRY)

# Fields no two records of the table may share (compared case-insensitively).
UNIQUE = {"contacts": ("email",), "accounts": ("accountName",)}
