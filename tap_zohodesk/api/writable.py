"""What a write may carry: the fields every Zoho object computes, plus each row's own write facts.

A record exactly as the tap emitted it can be written back: the fields below are computed
by Zoho (times, counters, URLs, display objects embedded in answers) and are dropped before
a write; the API rejects them with 422 INVALID_DATA naming the field. Per object, the row's
``write`` part adds its own read-only fields, required fields and write-only inputs.
"""

from __future__ import annotations

from tap_zohodesk.api.rows import ObjectSpec

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


def read_only(spec: ObjectSpec) -> frozenset[str]:
    """Fields a write of this object must not carry (links to the parent go in the URL)."""
    return COMMON_READ_ONLY | spec.write.read_only | frozenset(spec.links)


def required(spec: ObjectSpec) -> tuple[str, ...]:
    return spec.write.required


def write_only(spec: ObjectSpec) -> dict[str, dict]:
    """Inputs this object's writes take beyond the fields its records carry."""
    return spec.write.write_only
