"""Which fields a row carries, by how it was read: plain list, search, or the record's own GET.

- Plain list rows are slim. Airbyte's ``list_tickets`` schema, imported from real answers,
  has exactly the fields of TICKET_LIST below: no ``modifiedTime``, no ``cf``, no attachment /
  follower / time-entry / approval / tag counters. ``list_contacts``, ``list_accounts`` and
  ``list_products`` (and Qodex's "List contacts" sample) lack ``modifiedTime`` and ``cf``.
  Contract list rows are not shown anywhere with ``modifiedTime`` or ``createdTime``
  (Airbyte's contracts schema has neither).
- Search rows carry ``cf`` and ``modifiedTime`` (OAS ``SearchTicketResponseFields``) and
  ``threadCount``/``commentCount``, but still none of the other ticket counters.
- Thread list rows carry a summary only; content and attachments need the thread's GET.
- Fields Zoho sends as JSON numbers (the store keeps every id as a string): the organization
  ``id`` (Airbyte's organizations schema, imported from real answers, types it a number).
- ``fields=a,b`` on a list that defines it returns the record's id and those fields
  ("returns the values of mentioned fields (both pre-defined and custom)"; at most 30).
"""

from __future__ import annotations

from tests.emulator.errors import ApiError

TICKET_LIST = frozenset({
    "assigneeId", "channel", "commentCount", "contactId", "createdTime", "customerResponseTime",
    "departmentId", "dueDate", "email", "id", "isArchived", "isSpam", "language", "lastThread", "layoutId",
    "phone", "productId", "source", "status", "statusType", "subject", "threadCount", "ticketNumber", "webUrl",
})
TICKET_SEARCH_HIDES = frozenset({"attachmentCount", "followerCount", "timeEntryCount", "approvalCount",
                                 "tagCount", "description"})
LIST_HIDES = {
    "contacts": frozenset({"modifiedTime", "cf"}),
    "accounts": frozenset({"modifiedTime", "cf"}),
    "products": frozenset({"modifiedTime", "cf"}),
    "contracts": frozenset({"modifiedTime", "createdTime", "cf"}),
}
THREAD_LIST_HIDES = frozenset({"content", "plainText", "attachments", "replyTo", "isContentTruncated",
                               "fullContentURL"})
MAX_FIELDS = 30
NUMBERS = {"organizations": ("id",)}  # Airbyte organizations schema: "id": number


def numbered(table: str, row: dict) -> dict:
    """``row`` with the fields Zoho sends as JSON numbers turned into numbers (in place)."""
    for name in NUMBERS.get(table, ()):
        if isinstance(row.get(name), str) and row[name].isdigit():
            row[name] = int(row[name])
    return row


def shaped(table: str, shape: str, row: dict, fields: str | None = None) -> dict:
    """``row`` as an answer of this kind carries it (a new dict; the stored row is untouched)."""
    if fields is not None:
        names = [f for f in fields.split(",") if f]
        if not names or len(names) > MAX_FIELDS:
            raise ApiError(422, "UNPROCESSABLE_ENTITY", "The value passed for the 'fields' parameter is invalid.")
        out = {"id": row.get("id")}
        for name in names:
            if name.startswith("cf_"):
                out.setdefault("cf", {})[name] = (row.get("cf") or {}).get(name)
            elif name in row:
                out[name] = row[name]
        return out
    if shape == "list" and table in ("tickets", "archived_tickets"):
        return {k: v for k, v in row.items() if k in TICKET_LIST}
    return numbered(table, _shown(table, shape, row))


def _shown(table: str, shape: str, row: dict) -> dict:
    hidden: frozenset[str] = frozenset()
    if shape == "list":
        hidden = LIST_HIDES.get(table, frozenset())
    elif shape == "search" and table == "tickets":
        hidden = TICKET_SEARCH_HIDES
    elif shape == "threads":
        hidden = THREAD_LIST_HIDES
    return {k: v for k, v in row.items() if k not in hidden}


def served_fields(table: str, shape: str, stored: set[str]) -> set[str]:
    """The fields rows of ``table`` carry when read with ``shape`` (for the catalog test)."""
    return set(shaped(table, shape, dict.fromkeys(stored)))
