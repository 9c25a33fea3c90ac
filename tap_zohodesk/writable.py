"""Write facts per object, as data: which fields a write may carry, which it must, which
inputs a write takes that no read returns, and how a record is found again.

A record exactly as the tap emitted it can be written back: the fields below are computed
by Zoho (times, counters, URLs, display objects embedded in answers) and are dropped before
a write; the API rejects them with 422 INVALID_DATA naming the field.
"""

from __future__ import annotations

from tap_zohodesk.catalog import ObjectSpec

COMMON_READ_ONLY = frozenset({
    "id", "createdTime", "modifiedTime", "createdBy", "modifiedBy", "creatorId", "modifierId", "webUrl",
    "portalUrl", "layoutDetails", "isDeleted", "isTrashed", "isFollowing", "isRead", "isArchived",
    "threadCount", "commentCount", "taskCount", "approvalCount", "timeEntryCount", "attachmentCount",
    "tagCount", "followerCount", "sharedCount", "accountCount", "userCount", "articleCount", "viewCount",
    "likeCount", "dislikeCount", "feedbackCount", "publishedArticleCount", "sectionCount", "count",
    "customerHappiness", "lastThread", "lastActivityTime", "photoURL", "logoUrl", "zuid",
    "isSpam",  # set through the markSpam actions of tickets and contacts
    # display objects Zoho embeds in answers; writes use the matching ...Id field
    "department", "departments", "contact", "assignee", "team", "product", "creator", "commenter",
    "owner", "author", "account", "requester", "approver", "sla",
})
READ_ONLY_BY_SHAPE: dict[str, frozenset[str]] = {
    "tickets": frozenset({"ticketNumber", "statusType", "channelCode", "closedTime", "onholdTime",
                          "customerResponseTime", "isOverDue", "isResponseOverdue", "source", "sentiment",
                          "isSpam", "isEscalated", "entitySkills"}),
    "tickets_extended": frozenset({"ticketNumber", "statusType", "channelCode", "closedTime", "onholdTime",
                                   "customerResponseTime", "isOverDue", "isResponseOverdue", "source",
                                   "sentiment", "isSpam", "isEscalated", "entitySkills", "contract",
                                   "descAttachments", "channelRelatedInfo", "customFields",
                                   "resolutionDetails"}),
    "comments": frozenset({"commentedTime", "commenterId", "mention"}),
    "attachments": frozenset({"name", "size", "href"}),
    "time_entries": frozenset({"totalCost", "billStatus"}),
    "articles": frozenset({"permalink", "latestVersion", "latestVersionStatus", "latestVersionTranslationId",
                           "latestPublishedVersion", "translationId", "availableLocaleTranslations", "tags",
                           "rootCategoryId"}),
    "contracts": frozenset({"contractNumber"}),
    "agents": frozenset({"status", "isConfirmed", "name"}),
    "departments": frozenset({"sanitizedName", "hasLogo", "chatStatus", "isDefault"}),
    "organizations": frozenset({"edition", "portalURL", "isAdminInOrg", "isSandboxPortal", "faviconURL",
                                "isPayloadEncryptionEnabled", "portalName"}),
    "help_center_users": frozenset({"name", "lastLoginTime", "type"}),
    "tasks": frozenset({"completedTime", "isCompleted"}),
    "calls": frozenset({"completedTime"}),
    "ticket_approvals": frozenset({"status", "processedTime", "requesterId"}),
}
# What a create needs, per shape (tickets also need contactId or a contact: see the target).
REQUIRED_BY_SHAPE: dict[str, tuple[str, ...]] = {
    "tickets": ("subject", "departmentId"),
    "tickets_extended": ("subject", "departmentId"),
    "contacts": ("lastName",),
    "accounts": ("accountName",),
    "contracts": ("contractName", "accountId", "departmentId"),
    "products": ("productName",),
    "tasks": ("subject", "departmentId"),
    "calls": ("subject", "departmentId", "startTime", "direction", "duration", "status"),
    "events": ("subject", "departmentId", "startTime"),
    "departments": ("name",),
    "agents": ("lastName", "emailId"),
    "roles": ("name",),
    "teams": ("name", "departmentId"),
    "business_hours": ("name",),
    "kb_categories": ("name",),
    "articles": ("title", "categoryId"),
    "help_center_groups": ("name",),
    "help_center_labels": ("name",),
    "comments": ("content",),
    "time_entries": ("executedTime",),
    "ticket_approvals": ("subject", "approverIds"),
}


_TEXT = {"type": ["string", "null"]}
# Inputs a write takes that no read returns (JSON schema of each), accepted by the target
# whatever the incoming schema says: a ticket's contact by email (zoho-desk-api 7.1: an
# existing email is matched to its contact, else one is created), an attachment's file,
# the ticket a tag is put on (Zoho creates a tag only by tagging a ticket, 6.9).
WRITE_ONLY_BY_SHAPE: dict[str, dict[str, dict]] = {
    "tickets": {"contactEmail": _TEXT},
    "tickets_extended": {"contactEmail": _TEXT},
    "attachments": {"filePath": _TEXT, "contentBase64": _TEXT, "name": _TEXT},
    "tags": {"ticketId": _TEXT},
}
# Tags are written by name through the ticket (zoho-desk-api 6.9): operation -> call.
TAG_CALLS = {"INSERT": "tickets/{ticketId}/associateTag", "DELETE": "tickets/{ticketId}/dissociateTag"}
TAG_SHAPES = frozenset({"tags", "ticket_tags"})
# Fields a module's search takes as an exact filter (values comma-separated are OR-ed),
# usable as natural keys (config upsert_keys): OAS contacts/search and accounts/search.
SEARCH_KEYS: dict[str, tuple[str, ...]] = {
    "contacts": ("email", "firstName", "lastName", "phone", "mobile"),
    "accounts": ("accountName", "email", "phone", "website"),
}


def read_only(spec: ObjectSpec) -> frozenset[str]:
    """Fields a write of this object must not carry (links to the parent go in the URL)."""
    return COMMON_READ_ONLY | READ_ONLY_BY_SHAPE.get(spec.schema_name, frozenset()) | frozenset(spec.links)


def required(spec: ObjectSpec) -> tuple[str, ...]:
    return REQUIRED_BY_SHAPE.get(spec.schema_name, ())


def write_only(spec: ObjectSpec) -> dict[str, dict]:
    """Inputs this object's writes take beyond the fields its records carry."""
    return WRITE_ONLY_BY_SHAPE.get(spec.schema_name, {})
