"""The object catalog: one row per Zoho Desk object.

The tap builds its streams from these rows, the target its sinks, and the test emulator
its routes. Adding an object is adding a row here and a schema in ``schemas/<stream>.json``.

Row fields:
- ``stream``: Singer stream name; ``path``: list path under /api/v1 (``{parent_key}`` is
  replaced by a parent id for child objects); ``limit``: the list endpoint's page cap.
- ``mode``: ``modified+new`` | ``new only`` | ``full table``; ``replication_key`` follows.
- ``search_path``: an endpoint taking ``modifiedTimeRange`` + ``sortBy=modifiedTime``
  (capped at 5,000 rows per window), used for incremental reads.
- ``parent`` / ``parent_key``: child objects are read per parent id.
- ``filters``: Zoho field -> "=" or "in" (``In`` allowed); ``dml``: allowed writes.
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
    required_on_insert: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.mode not in (MODIFIED, NEW_ONLY, FULL):
            raise ValueError(f"catalog row {self.stream}: unknown mode {self.mode!r}")
        if (self.mode == FULL) != (self.replication_key is None):
            raise ValueError(f"catalog row {self.stream}: mode and replication_key disagree")

    @property
    def record_path(self) -> str:
        """Path of one record: the list path plus ``/{id}``."""
        return f"{self.path}/{{id}}"


def _dml(text: str) -> frozenset[str]:
    return frozenset(op for op in text.split("/") if op and op != "read-only")


OBJECTS: tuple[ObjectSpec, ...] = (
    ObjectSpec("departments", "departments", NEW_ONLY, "createdTime", limit=200,
               filters={"id": "=", "chatStatus": "="}, dml=_dml("INSERT/UPDATE")),
    ObjectSpec("agents", "agents", FULL, limit=200,
               filters={"id": "=", "rolePermissionType": "=", "status": "=", "isConfirmed": "="},
               dml=_dml("INSERT/UPDATE/DELETE")),
    ObjectSpec("contacts", "contacts", MODIFIED, "modifiedTime", limit=100,
               search_path="contacts/search", filters={"id": "="},
               dml=_dml("INSERT/UPDATE/DELETE"), trash_key="contactIds",
               required_on_insert=("lastName",)),
    ObjectSpec("accounts", "accounts", MODIFIED, "modifiedTime", limit=100,
               search_path="accounts/search", filters={"id": "="},
               dml=_dml("INSERT/UPDATE/DELETE"), trash_key="accountIds",
               required_on_insert=("accountName",)),
    ObjectSpec("tickets", "tickets", MODIFIED, "modifiedTime", limit=100,
               search_path="tickets/search",
               filters={"id": "=", "departmentId": "in", "channel": "in", "status": "in",
                        "priority": "in"},
               dml=_dml("INSERT/UPDATE/DELETE"), trash_key="ticketIds",
               required_on_insert=("subject", "departmentId")),
)

BY_STREAM: dict[str, ObjectSpec] = {spec.stream: spec for spec in OBJECTS}

# A search window can be paged up to this offset (``from`` 0..4999).
SEARCH_MAX_FROM = 4999
