"""Read endpoints of the emulator: lists, single records, search, field metadata, recycle bin.

Lists answer ``{"data": [...]}`` (``teams``: ``{"teams": [...]}``) or 204; a ``limit`` over the
cap, an unknown query parameter or a ``from`` past the search window is a 422; filters are
equality, comma-separated values OR-ed; fields only the single-record GET returns are left out
of list rows (DETAIL_ONLY).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from tap_zohodesk.catalog import SEARCH_MAX_FROM, ObjectSpec
from tests.emulator.data import LazyRows
from tests.emulator.errors import ApiError, invalid_param, not_found

if TYPE_CHECKING:
    from tests.emulator.server import Route

# Query parameters each list endpoint accepts besides from/limit (API facts, §4 and §6).
LIST_PARAMS: dict[str, set[str]] = {
    "tickets": {"departmentId", "departmentIds", "teamIds", "viewId", "assignee", "channel", "status",
                "priority", "receivedInDays", "dueDate", "closedTime", "include", "fields", "sortBy"},
    "contacts": {"viewId", "include", "sortBy"},
    "accounts": {"viewId", "include", "sortBy"},
    "agents": {"status", "searchStr", "departmentIds", "roleIds", "profileIds", "include",
               "isConfirmed", "rolePermissionType"},
    "departments": {"isEnabled", "searchStr", "chatStatus"},
}
SEARCH_PARAMS = {"_all", "id", "ticketNumber", "subject", "description", "status", "priority", "email",
                 "phone", "channel", "category", "tag", "accountId", "accountName", "contactId",
                 "contactName", "productId", "productName", "assigneeId", "departmentId",
                 "createdTimeRange", "modifiedTimeRange", "customerResponseTimeRange", "dueDateRange",
                 "sortBy", "firstName", "lastName", "fullName", "dueDate", "startTime", "departmentIds",
                 "ownerId"}
CF_MODULES = {"tickets", "contacts", "accounts", "tasks", "calls", "events", "products", "contracts"}


def zoho_field_type(value: object) -> str:
    """The Zoho field type a seeded custom value stands for."""
    if isinstance(value, bool):
        return "Boolean"
    text = str(value)
    if re.fullmatch(r"-?\d+", text):
        return "Number"
    if re.fullmatch(r"-?\d+\.\d+", text):
        return "Decimal"
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return "Date"
    if TIME_RE.match(text):
        return "DateTime"
    return "Picklist"


TRASH_MAX_IDS = 50  # not documented [U]; the emulator holds the target to a cautious cap
RECYCLE_MODULES = {"accounts", "contacts", "tickets", "tasks", "timeEntry", "calls", "events", "contracts",
                   "products", "topics", "solutions"}

# Parameters that shape an answer rather than filter it.
SHAPING = {"include", "sortBy", "viewId", "searchStr", "fields", "receivedInDays", "closedTime",
           "teamIds", "assignee", "roleIds", "profileIds", "_all"}


def _matches(value: object, wanted: set[str]) -> bool:
    if isinstance(value, list):
        return any(str(v) in wanted for v in value)
    if isinstance(value, bool):
        return str(value).lower() in wanted
    return str(value) in wanted


def narrow(rows: list[dict], query: dict) -> list[dict]:
    """Apply filter parameters the way Zoho does: equality, comma-separated values OR-ed."""
    for name, value in query.items():
        if name in SHAPING:
            continue
        field = "departmentId" if name == "departmentIds" else name
        wanted = set(value.split(","))
        rows = [r for r in rows if _matches(r.get(field, r.get(name)), wanted)]
    return rows


# Every child list also takes these.
CHILD_PARAMS = {"include", "sortBy", "isPublic"}
# Fields a list row does not carry: only the single-record GET returns them.
DETAIL_ONLY: dict[str, set[str]] = {
    "threads": {"content", "plainText", "attachments", "replyTo", "isContentTruncated", "fullContentURL"},
    "tickets": {"description"},
    "archived_tickets": {"description"},
}
SEARCH_SORT = {"relevance", "modifiedTime", "createdTime", "customerResponseTime"}
TIME_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")


def credit_weight(offset: int) -> int:
    """Zoho's published credit cost of a list call by offset."""
    for upto, weight in ((2000, 3), (10000, 5), (50000, 10), (100000, 50)):
        if offset <= upto:
            return weight
    return 100


class ReadHandlers:
    """Mixed into the Emulator: handlers have the signature (route, ids, query, body)."""

    @staticmethod
    def _paging(query: dict, cap: int, *, max_from: int | None = None) -> tuple[int, int]:
        try:
            offset = int(query.pop("from", 0))
        except ValueError:
            raise invalid_param("from") from None
        try:
            limit = int(query.pop("limit", 10))
        except ValueError:
            raise invalid_param("limit") from None
        if limit < 1 or limit > cap:
            raise invalid_param("limit")
        if offset < 0 or (max_from is not None and offset > max_from):
            raise invalid_param("from")
        return offset, limit

    @staticmethod
    def _reject_extra(query: dict, allowed: set[str]) -> None:
        for name in query:
            if name not in allowed:
                raise ApiError(422, "UNPROCESSABLE_ENTITY",
                               f"Extra query parameter '{name}' is present in the input.")

    def _check_enabled(self, spec: ObjectSpec) -> None:
        if spec.stream in self.disabled:
            status, code = self.disabled[spec.stream]
            raise ApiError(status, code, f"The feature behind '{spec.path}' is not available in this portal.")

    def _parent_rows(self, spec: ObjectSpec, ids: dict, query: dict) -> list[dict]:
        """The rows of a list, narrowed to the parent named in the path or query."""
        table = self.store.table(spec.stream)
        links = {k: v for k, v in ids.items() if k != "id"}
        if spec.parent_param:
            value = query.pop(spec.parent_key, None)
            if not value:
                raise ApiError(422, "UNPROCESSABLE_ENTITY", f"The '{spec.parent_key}' parameter is required.")
            links[spec.parent_key] = value
        if not links:
            return list(table.rows)
        (first, value), *rest = links.items()
        rows = table.where(first, value)
        return [r for r in rows if all(r.get(k) == v for k, v in rest)]

    def _list(self, route: Route, ids: dict, query: dict, body=None):
        spec = route.spec
        self._check_enabled(spec)
        offset, limit = self._paging(query, self.limit_caps.get(spec.stream, spec.limit))
        with self.store.lock:
            rows = self._parent_rows(spec, ids, query)
        self._reject_extra(query, route.meta["allowed"])
        rows = narrow(rows, query)
        hidden = DETAIL_ONLY.get(spec.stream)
        start = max(0, offset - self.from_base) if self.from_base else offset
        page = rows[start:start + limit]
        weight = credit_weight(offset)
        if not page:
            return 204, None, weight
        if hidden:
            page = [{k: v for k, v in r.items() if k not in hidden} for r in page]
        return 200, {spec.data_key: page}, weight

    def _organization_fields(self, route: Route, ids: dict, query: dict, body=None):
        """Field metadata of a module; custom fields are described from the seeded ``cf`` values."""
        module = query.pop("module", None)
        self._reject_extra(query, {"departmentId"})
        if module not in CF_MODULES:
            raise invalid_param("module")
        seen: dict[str, str] = {}
        for row in self.store.table(module).rows[:500]:
            for name, value in (row.get("cf") or {}).items():
                if value is not None:
                    seen.setdefault(name, zoho_field_type(value))
                seen.setdefault(name, "Text")
        fields = [{"id": self.store.new_id(), "apiName": "subject", "displayLabel": "Subject", "type": "Text",
                   "isCustomField": False, "isMandatory": True}]
        fields += [{"id": self.store.new_id(), "apiName": name, "displayLabel": name[3:].title(),
                    "type": kind, "isCustomField": True, "isMandatory": False} for name, kind in seen.items()]
        return 200, {"data": fields}, 1

    def _recycle_bin(self, route: Route, ids: dict, query: dict, body=None):
        offset, limit = self._paging(query, 100)
        module = query.pop("module", None)
        sort = query.pop("sortBy", "-deletedTime")
        include = set(filter(None, query.pop("include", "").split(",")))
        department = query.pop("departmentId", None)
        self._reject_extra(query, set())
        if module is not None and module not in RECYCLE_MODULES:
            raise invalid_param("module")
        if sort.lstrip("-") not in {"name", "type", "department", "deletedBy", "deletedTime"}:
            raise invalid_param("sortBy")
        if not include <= {"department", "deletedBy"}:
            raise invalid_param("include")
        with self.store.lock:
            rows = [r for r in self.store.recycle_bin if module is None or r["module"] == module]
        if department:
            rows = [r for r in rows if r["departmentId"] == department]
        field = {"name": "displayName", "department": "departmentId", "deletedBy": "deletedById"}.get(
            sort.lstrip("-"), sort.lstrip("-"))
        rows = sorted(rows, key=lambda r: (r.get(field) or "", r["id"]), reverse=sort.startswith("-"))
        page = rows[offset:offset + limit]
        if not page:
            return 204, None, 3
        out = []
        for r in page:
            item = {k: r[k] for k in ("id", "displayName", "type", "departmentId", "deletedById", "deletedTime")}
            if "deletedBy" in include:
                item["deletedBy"] = r["deletedBy"]
            out.append(item)
        return 200, {"data": out}, credit_weight(offset)

    def _single(self, route: Route, ids: dict, query: dict, body=None):
        self._check_enabled(route.spec)
        self._reject_extra(query, set())
        rows = self._parent_rows(route.spec, ids, query)
        if not rows:
            raise not_found()
        return 200, rows[0], 1

    def _find(self, spec: ObjectSpec, ids: dict) -> dict:
        """The record a path names (archived tickets are tickets too), or 404."""
        row = self.store.table(spec.stream).by_id.get(ids["id"])
        if row is None and spec.stream == "tickets":
            row = self.store.table("archived_tickets").by_id.get(ids["id"])
        if row is None or any(row.get(k) != v for k, v in ids.items() if k != "id"):
            raise not_found()
        return row

    def _get(self, route: Route, ids: dict, query: dict, body=None):
        self._check_enabled(route.spec)
        self._reject_extra(query, {"include"})
        return 200, self._find(route.spec, ids), 1

    def _search(self, route: Route, ids: dict, query: dict, body=None):
        spec = route.spec
        offset, limit = self._paging(query, self.limit_caps.get(spec.stream, 100), max_from=SEARCH_MAX_FROM)
        self._reject_extra(query, SEARCH_PARAMS)
        sort = query.pop("sortBy", "relevance")
        if sort.lstrip("-") not in SEARCH_SORT:
            raise invalid_param("sortBy")
        table = self.store.table(spec.stream)
        with self.store.lock:
            rows = None
            for key in ("modifiedTime", "createdTime"):
                window = query.pop(f"{key}Range", None)
                if window is None:
                    continue
                low, _, high = window.partition(",")
                if not TIME_RE.match(low) or not TIME_RE.match(high) or low > high:
                    raise invalid_param(f"{key}Range")
                rows = table.time_range(key, low, high)
            if rows is None:
                rows = list(table.rows)
            if query:
                rows = narrow(list(rows), query)
            key = sort.lstrip("-")
            if key in ("modifiedTime", "createdTime") and not (
                    isinstance(rows, LazyRows) and key == table.time_key and not sort.startswith("-")):
                rows = sorted(rows, key=lambda r: (r.get(key) or "", r["id"]), reverse=sort.startswith("-"))
            page = rows[offset:offset + limit]
        if not page:
            return 204, None, 3
        hidden = DETAIL_ONLY.get(spec.stream, set())
        page = [{k: v for k, v in r.items() if k not in hidden} for r in page]
        return 200, {"data": page, "count": len(rows)}, 3
