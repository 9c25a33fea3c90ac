"""Read handlers of the emulator, driven by the endpoint facts (facts.py) and row shapes (shapes.py).

A list answers ``{<envelope>: [...]}`` or 204 when empty; ``from``/``limit`` sent to an endpoint
without paging, any parameter the endpoint does not define, a ``limit`` over the cap or a
``from`` past ``max_from`` is a 422; a child list under a parent that does not exist is a 404.
Filters are equality with comma-separated values OR-ed; ranges are ``low,high`` inclusive.
Rows a child list serves do not repeat the parent ids of the path.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from tests.emulator.data import LazyRows, zoho_time
from tests.emulator.errors import ApiError, invalid_param, not_found
from tests.emulator.facts import Endpoint
from tests.emulator.shapes import shaped

TIME_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")
SEARCH_SORT = {"relevance", "modifiedTime", "createdTime", "customerResponseTime"}
# Path placeholder -> the tables a parent record of that name may live in.
PARENT_TABLES = {
    "ticketId": ("tickets", "archived_tickets"), "contactId": ("contacts",), "accountId": ("accounts",),
    "contractId": ("contracts",), "productId": ("products",), "taskId": ("tasks",), "callId": ("calls",),
    "eventId": ("events",), "agentId": ("agents",), "articleId": ("articles",), "threadId": ("threads",),
}
RECYCLE_MODULES = ("accounts", "contacts", "tickets", "tasks", "timeEntry", "calls", "events", "contracts",
                   "products", "topics", "solutions")
FEEDBACK_WINDOWS = {"LAST_24_HRS": 1, "LAST_7_DAYS": 7, "LAST_30_DAYS": 30, "LAST_365_DAYS": 365}
# GET tickets/{id}?include= (OAS enum); isRead and entitySkills are stored on every ticket here
TICKET_INCLUDES = {"contacts", "products", "departments", "team", "assignee", "contract", "isRead", "skills"}
# sortBy values the emulator applies (others defined by an endpoint are accepted and ignored)
APPLIED_SORTS = {"customerHappiness": {"ratedTime"}, "ticketTags": {"count", "createdTime"}}


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


def credit_weight(offset: int) -> int:
    """Zoho's published credit cost of a list call by offset."""
    for upto, weight in ((2000, 3), (10000, 5), (50000, 10), (100000, 50)):
        if offset <= upto:
            return weight
    return 100


def _matches(value: object, wanted: set[str]) -> bool:
    if isinstance(value, list):
        return any(str(v) in wanted for v in value)
    if isinstance(value, bool):
        return str(value).lower() in wanted
    return str(value) in wanted


def _window(name: str, value: str) -> tuple[str, str]:
    low, _, high = value.partition(",")
    if not TIME_RE.match(low) or not TIME_RE.match(high) or low > high:
        raise invalid_param(name)
    return low, high


def reject_extra(query: dict, allowed: frozenset[str] | set[str]) -> None:
    for name in query:
        if name not in allowed:
            raise ApiError(422, "UNPROCESSABLE_ENTITY", f"Extra query parameter '{name}' is present in the input.")


def links_of(path: str) -> list[str]:
    return [p for p in re.findall(r"\{(\w+)\}", path) if p != "id"]


class ReadHandlers:
    """Mixed into the Emulator: handlers have the signature (endpoint, ids, query, body)."""

    def _paging(self, ep: Endpoint, query: dict) -> tuple[int, int | None]:
        if not ep.paged or ep.path in self.unpaged:
            return 0, None
        try:
            offset = int(query.pop("from", 0))
        except ValueError:
            raise invalid_param("from") from None
        try:
            limit = int(query.pop("limit", 10))
        except ValueError:
            raise invalid_param("limit") from None
        if limit < 1 or limit > self.limit_caps.get(ep.path, ep.cap or 50):
            raise invalid_param("limit")
        if offset < 0 or (ep.max_from is not None and offset > ep.max_from):
            raise invalid_param("from")
        if ep.path in self.ignores_from:
            offset = 0
        return offset, limit

    def _check_enabled(self, ep: Endpoint) -> None:
        if ep.table in self.disabled:
            status, code = self.disabled[ep.table]
            raise ApiError(status, code, f"The feature behind '{ep.path}' is not available in this portal.")

    def _parent_exists(self, ids: dict) -> None:
        for name, value in ids.items():
            tables = PARENT_TABLES.get(name)
            if tables and not any(value in self.store.table(t).by_id for t in tables):
                raise not_found()

    def _under(self, ep: Endpoint, ids: dict) -> list[dict]:
        """The table's rows under the parent the path names, in list order."""
        table = self.store.table(ep.table)
        links = {k: v for k, v in ids.items() if k != "id"}
        if not links:
            return list(table.rows)
        (first, value), *rest = links.items()
        return [r for r in table.where(first, value) if all(r.get(k) == v for k, v in rest)]

    @staticmethod
    def _narrow(ep: Endpoint, rows, query: dict):
        for name, field in ep.ranges.items():
            if name in query:
                low, high = _window(name, query.pop(name))
                rows = [r for r in rows if r.get(field) and low <= r[field] <= high]
        for name, field in ep.filters.items():
            if name in query:
                wanted = set(query.pop(name).split(","))
                rows = [r for r in rows if _matches(r.get(field), wanted)]
        return rows

    def _list(self, ep: Endpoint, ids: dict, query: dict, body=None):
        self._check_enabled(ep)
        reject_extra(query, ep.params | ({"from", "limit"} if ep.paged and ep.path not in self.unpaged else set()))
        for name in ep.required:
            if not query.get(name):
                raise ApiError(422, "UNPROCESSABLE_ENTITY", f"The '{name}' parameter is required.")
        offset, limit = self._paging(ep, query)
        fields = query.pop("fields", None)
        with self.store.lock:
            self._parent_exists(ids)
            rows = self._narrow(ep, self._under(ep, ids), query)
            rows = self._special(ep, rows, query)
            start = max(0, offset - self.from_base) if self.from_base else offset
            page = rows if limit is None else rows[start:start + limit]
            hidden = set(links_of(ep.path))
            out = [{k: v for k, v in shaped(ep.table, ep.shape, r, fields).items() if k not in hidden} for r in page]
        weight = credit_weight(offset) if ep.paged else 1
        if not out:
            return 204, None, weight
        return 200, {ep.envelope: out}, weight

    def _special(self, ep: Endpoint, rows: list[dict], query: dict) -> list[dict]:
        """What a few endpoints do beyond filtering: default windows and applied sort orders."""
        if ep.path == "articleFeedbacks":
            value = query.pop("timeRange", "LAST_7_DAYS")
            if value in FEEDBACK_WINDOWS:
                now = datetime.fromisoformat(self.store.now().replace("Z", "+00:00"))
                low, high = zoho_time((now - timedelta(days=FEEDBACK_WINDOWS[value])).timestamp()), "9999"
            else:
                low, high = _window("timeRange", value)
            rows = [r for r in rows if low <= r.get("createdTime", "") <= high]
        sort = query.pop("sortBy", None)
        if sort and sort.lstrip("-") in APPLIED_SORTS.get(ep.path, ()):
            key = sort.lstrip("-")
            rows = sorted(rows, key=lambda r: (str(r.get(key) or ""), r.get("id") or ""),
                          reverse=sort.startswith("-"))
        return rows

    def _single(self, ep: Endpoint, ids: dict, query: dict, body=None):
        self._check_enabled(ep)
        reject_extra(query, ep.params)
        for name in ep.required:
            if not query.get(name):
                raise ApiError(422, "UNPROCESSABLE_ENTITY", f"The '{name}' parameter is required.")
        with self.store.lock:
            self._parent_exists(ids)
            rows = self._under(ep, ids)
        hidden = set(links_of(ep.path))
        row = {k: v for k, v in rows[0].items() if k not in hidden} if rows else None
        if ep.envelope:  # the whole object when it carries ``envelope`` (Jira: issueInfo), else that key null
            return 200, row or {ep.envelope: None}, 1
        if row is None:
            raise not_found()
        return 200, row, 1

    def _find(self, table: str, ids: dict) -> dict:
        """The record a path names (archived tickets are tickets too), or 404."""
        row = self.store.table(table).by_id.get(ids["id"])
        if row is None and table == "tickets":
            row = self.store.table("archived_tickets").by_id.get(ids["id"])
        if row is None or any(row.get(k) != v for k, v in ids.items() if k != "id"):
            raise not_found()
        return row

    def _get(self, ep: Endpoint, ids: dict, query: dict, body=None):
        self._check_enabled(ep)
        reject_extra(query, ep.params)
        with self.store.lock:
            row = shaped(ep.table, "get", self._find(ep.table, ids))
            if ep.path == "tickets/{id}":
                row.update(self._ticket_sides(row, query.pop("include", "")))
        return 200, row, 1

    def _ticket_sides(self, ticket: dict, include: str) -> dict:
        """The side objects ``include`` adds to a ticket (OAS tickets/{id} include enum: contacts,
        products, departments, team, assignee, contract, isRead, skills; embedded only when asked)."""
        asked = set(filter(None, include.split(",")))
        if not asked <= TICKET_INCLUDES:
            raise invalid_param("include")
        tables = self.store.tables
        contact = tables["contacts"].by_id.get(ticket.get("contactId"))
        agent = tables["agents"].by_id.get(ticket.get("assigneeId"))
        department = tables["departments"].by_id.get(ticket.get("departmentId"))
        team = tables["teams"].by_id.get(ticket.get("teamId"))
        product = tables["products"].by_id.get(ticket.get("productId"))
        contract = next(iter(tables["contracts"].where("accountId", ticket.get("accountId"))), None)
        sides = {
            "contacts": ("contact", contact and {k: contact.get(k) for k in (
                "id", "firstName", "lastName", "email", "phone", "mobile", "type", "isSpam")}),
            "products": ("product", product and {"id": product["id"], "productName": product["productName"]}),
            "departments": ("department", department and {"id": department["id"], "name": department["name"]}),
            "team": ("team", team and {"id": team["id"], "name": team["name"], "logoUrl": team["logoUrl"]}),
            "assignee": ("assignee", agent and {"id": agent["id"], "firstName": agent["firstName"],
                                                "lastName": agent["lastName"], "photoURL": agent["photoURL"],
                                                "email": agent["emailId"]}),
            "contract": ("contract", contract and {
                "id": contract["id"], "contractName": contract["contractName"], "contractNumber":
                contract["contractNumber"], "status": contract["contractStatus"], "startDate": contract["startDate"],
                "endDate": contract["endDate"], "productId": contract["productId"]}),
        }
        return {field: value for name, (field, value) in sides.items() if name in asked}

    def _search(self, ep: Endpoint, ids: dict, query: dict, body=None):
        self._check_enabled(ep)
        reject_extra(query, ep.params | {"from", "limit"})
        offset, limit = self._paging(ep, query)
        sort = query.pop("sortBy", "relevance")
        if sort.lstrip("-") not in SEARCH_SORT:
            raise invalid_param("sortBy")
        table = self.store.table(ep.table)
        with self.store.lock:
            rows = None
            window = query.pop("modifiedTimeRange", None) if table.time_key == "modifiedTime" else None
            if window is not None:
                rows = table.time_range("modifiedTime", *_window("modifiedTimeRange", window))
            if rows is None:
                rows = list(table.rows)
            if query:
                rows = self._narrow(ep, list(rows), query)
            key = sort.lstrip("-")
            if key != "relevance" and not (isinstance(rows, LazyRows) and key == table.time_key
                                           and not sort.startswith("-")):
                rows = sorted(rows, key=lambda r: (r.get(key) or "", r["id"]), reverse=sort.startswith("-"))
            page = rows[offset:offset + limit]
            count = len(rows)
            out = [shaped(ep.table, ep.shape, r) for r in page]
        if not out:
            return 204, None, credit_weight(offset)
        return 200, {"data": out, "count": count}, credit_weight(offset)

    def _organization_fields(self, ep: Endpoint, ids: dict, query: dict, body=None):
        """Field metadata of a module; custom fields are described from the seeded ``cf`` values."""
        reject_extra(query, ep.params)
        module = query.pop("module", None)
        if module not in {"tickets", "contacts", "accounts", "tasks", "calls", "events", "products", "contracts"}:
            raise invalid_param("module")
        seen: dict[str, str] = {}
        for row in self.store.table(module).rows[:500]:
            for name, value in (row.get("cf") or {}).items():
                if value is not None:
                    seen.setdefault(name, zoho_field_type(value))
                seen.setdefault(name, "Text")
        fields = [{"id": "1892000000000001", "apiName": "subject", "displayLabel": "Subject", "type": "Text",
                   "isCustomField": False, "isMandatory": True}]
        fields += [{"id": str(1892000000000002 + k), "apiName": name, "displayLabel": name[3:].title(),
                    "type": kind, "isCustomField": True, "isMandatory": False}
                   for k, (name, kind) in enumerate(seen.items())]
        return 200, {"data": fields}, 1

    def _organization_modules(self, ep: Endpoint, ids: dict, query: dict, body=None):
        reject_extra(query, ep.params)
        return 200, {"data": [{"id": str(1892000000100000 + k), "apiName": name, "displayLabel": name.title()}
                              for k, name in enumerate(RECYCLE_MODULES)]}, 1

    def _count_records(self, ep: Endpoint, ids: dict, query: dict, body=None):
        """``GET ticketsCount``: the live records of the table (of a department with ``departmentId``)."""
        reject_extra(query, ep.params)
        department = query.pop("departmentId", None)
        with self.store.lock:
            rows = self.store.table(ep.table).rows
            count = len(rows) if department is None else sum(1 for r in rows if r.get("departmentId") == department)
        return 200, {"count": count}, 1

    def _recycle_bin(self, ep: Endpoint, ids: dict, query: dict, body=None):
        """Qodex's recycle bin (``module``, ``sortBy``) or the OAS's (``moduleId``, no ``sortBy``)."""
        allowed = ep.params - ({"moduleId"} if self.recycle_style == "qodex" else {"module", "sortBy"})
        reject_extra(query, allowed | {"from", "limit"})
        offset, limit = self._paging(ep, query)
        module = query.pop("module", None)
        module_id = query.pop("moduleId", None)
        if module_id is not None:
            names = {str(1892000000100000 + k): n for k, n in enumerate(RECYCLE_MODULES)}
            if module_id not in names:
                raise invalid_param("moduleId")
            module = names[module_id]
        sort = query.pop("sortBy", "-deletedTime" if self.recycle_style == "qodex" else None)
        include = set(filter(None, query.pop("include", "").split(",")))
        department = query.pop("departmentId", None)
        if module is not None and module not in RECYCLE_MODULES:
            raise invalid_param("module")
        if sort and sort.lstrip("-") not in {"name", "type", "department", "deletedBy", "deletedTime"}:
            raise invalid_param("sortBy")
        if not include <= {"department", "deletedBy"}:
            raise invalid_param("include")
        with self.store.lock:
            rows = [r for r in self.store.recycle_bin if module is None or r["module"] == module]
        if department:
            rows = [r for r in rows if r["departmentId"] == department]
        if sort:
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
