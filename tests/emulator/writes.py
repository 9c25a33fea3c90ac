"""Write endpoints of the emulator, strict like the service.

Creates (``POST``), updates (``PATCH``; ``PUT`` for time entries, both accepted), deletes
(``DELETE`` on sub-resources, ``removeFollowers``; ``moveToTrash`` lives in server.py),
attachment uploads (multipart ``file``) and ``sendReply``. A read-only field (times,
counters, display objects) or an unknown one is answered 422 INVALID_DATA naming it in
``errors[].fieldName``; a missing required field likewise with ``errorType: missing``.
Creating a child bumps its parent's counter, and its ``modifiedTime`` unless the emulator
was built with ``child_bumps_parent=False`` (the open question of the API document).
"""

from __future__ import annotations

import re
from functools import cache

from tap_zohodesk.catalog import BY_STREAM, OBJECTS, ObjectSpec
from tap_zohodesk.streams import load_schema
from tap_zohodesk.writable import read_only, required
from tests.emulator.errors import ApiError, not_found

SUPPORT_ADDRESSES = {"support@acme.example", "billing@acme.example"}
# Creates that take an inline object besides the read-only display ones.
INLINE_ON_CREATE = {"tickets": {"contact"}}
# Write-only inputs some creates take (ids of uploads, etc.).
WRITE_ONLY = {"attachmentIds", "uploads", "contactId"}
# PUT is 405 on records, except time entries (the OAS) and comments of non-ticket modules.
PUT_SHAPES = {"time_entries", "comments"}
COUNTERS = {"comments": "commentCount", "attachments": "attachmentCount", "time_entries": "timeEntryCount",
            "threads": "threadCount", "followers": "followerCount"}


def invalid_data(field: str, kind: str, message: str | None = None) -> ApiError:
    return ApiError(422, "INVALID_DATA", "The data is invalid due to validation restrictions",
                    errors=[{"fieldName": f"/{field}", "errorType": kind, "errorMessage": message}])


@cache
def _fields(stream: str) -> frozenset[str]:
    return frozenset(load_schema(BY_STREAM[stream])["properties"])


def writable_specs() -> list[ObjectSpec]:
    """One spec per API path that takes writes (the first catalog row with that path)."""
    seen, out = set(), []
    for spec in OBJECTS:
        if spec.path not in seen:
            seen.add(spec.path)
            if spec.dml:
                out.append(spec)
    return out


class WriteHandlers:
    """Mixed into the Emulator: handlers have the signature (route, ids, query, body)."""

    child_bumps_parent: bool = True

    def write_routes(self, add) -> None:
        for spec in writable_specs():
            dml = set().union(*(s.dml for s in OBJECTS if s.path == spec.path))
            if spec.schema_name == "followers":
                parent_path = spec.path.rsplit("/", 1)[0]
                add("POST", f"{parent_path}/removeFollowers", self._remove_followers, spec)
                continue
            if "INSERT" in dml:
                add("POST", spec.path, self._insert, spec)
            if "UPDATE" in dml:
                add("PATCH", spec.record_path, self._update, spec)
                if spec.schema_name in PUT_SHAPES:
                    add("PUT", spec.record_path, self._update, spec)
            if "DELETE" in dml and not spec.trash_key:
                add("DELETE", spec.record_path, self._delete, spec)
        add("POST", "tickets/{ticketId}/sendReply", self._send_reply, BY_STREAM["threads"])

    # -- helpers ------------------------------------------------------------------------
    @staticmethod
    def _stored(body: dict) -> dict:
        """Zoho keeps custom-field values as text and answers them as strings."""
        cf = body.get("cf")
        if isinstance(cf, dict):
            body = {**body, "cf": {k: v if v is None or isinstance(v, (bool, str)) else str(v) for k, v in cf.items()}}
        return body

    def _check_fields(self, spec: ObjectSpec, body: dict, *, creating: bool) -> None:
        allowed = _fields(spec.stream) | WRITE_ONLY
        blocked = read_only(spec) - (INLINE_ON_CREATE.get(spec.stream, set()) if creating else set())
        for name in body:
            if name in blocked:
                raise invalid_data(name, "invalid", "read-only field")
            if name not in allowed and not (creating and name in INLINE_ON_CREATE.get(spec.stream, set())):
                raise invalid_data(name, "invalid", "unknown field")

    def _parent_of(self, spec: ObjectSpec, ids: dict) -> tuple[dict | None, str | None]:
        if not spec.parent:
            return None, None
        parent_table = "tickets" if spec.parent == "archived_tickets" else spec.parent
        parent_id = ids.get(spec.parent_key) if not spec.parent_param else None
        table = self.store.table(parent_table)
        parent = table.by_id.get(parent_id) or self.store.table("archived_tickets").by_id.get(parent_id)
        if parent is None:
            raise not_found()
        return parent, parent_table

    def _count(self, spec: ObjectSpec, parent: dict | None, parent_table: str | None, step: int) -> None:
        if parent is None:
            return
        counter = spec.count_field or COUNTERS.get(spec.schema_name)
        if counter and counter in parent:
            parent[counter] = str(max(0, int(parent.get(counter) or 0) + step))
        if step > 0 and self.child_bumps_parent and "modifiedTime" in parent:
            parent["modifiedTime"] = self.store.now()
        self.store.table(parent_table).changed()

    # -- handlers -----------------------------------------------------------------------
    def _insert(self, route, ids: dict, query: dict, body=None):
        spec = route.spec
        if spec.schema_name == "attachments":
            return self._upload(route, ids, query, body)
        self._reject_extra(query, set())
        if not isinstance(body, dict):
            raise invalid_data("", "missing", "a JSON object is required")
        self._check_fields(spec, body, creating=True)
        for name in required(spec):
            if body.get(name) in (None, "", []):
                raise invalid_data(name, "missing")
        with self.store.lock:
            parent, parent_table = self._parent_of(spec, ids)
            row = dict.fromkeys(_fields(spec.stream))
            row.update({k: v for k, v in self._stored(body).items() if k in row})
            if spec.stream == "tickets":
                row["contactId"] = self._ticket_contact(body)
            now = self.store.now()
            row.update(id=self.store.new_id(), **{k: v for k, v in ids.items() if k != "id"})
            for key in ("createdTime", "modifiedTime", "commentedTime"):
                if key in row:
                    row[key] = now
            for key in row:
                if key.endswith("Count") and row[key] is None:
                    row[key] = "0"
            self.store.table(spec.stream).add(row)
            self._count(spec, parent, parent_table, +1)
        return 200, row, 1

    def _ticket_contact(self, body: dict) -> str:
        if body.get("contactId"):
            if body["contactId"] not in self.store.table("contacts").by_id:
                raise invalid_data("contactId", "invalid", "no such contact")
            return body["contactId"]
        contact = body.get("contact") or {}
        if not isinstance(contact, dict) or not (contact.get("email") or contact.get("lastName")):
            raise invalid_data("contactId", "missing", "contactId or contact{email|lastName} is required")
        email = contact.get("email")
        for row in self.store.table("contacts").rows:
            if email and row.get("email") == email:
                return row["id"]
        fresh = dict.fromkeys(_fields("contacts"))
        now = self.store.now()
        fresh.update(id=self.store.new_id(), email=email, lastName=contact.get("lastName") or email.split("@")[0],
                     firstName=contact.get("firstName"), createdTime=now, modifiedTime=now)
        self.store.table("contacts").add(fresh)
        return fresh["id"]

    def _upload(self, route, ids: dict, query: dict, body=None):
        spec = route.spec
        raw = self._raw_body or b""
        match = re.search(rb'name="file"; filename="([^"]+)"\r\n(?:[^\r\n]+\r\n)*\r\n', raw)
        if not match:
            raise invalid_data("file", "missing", "multipart field 'file' is required")
        content = raw[match.end():].rsplit(b"\r\n--", 1)[0]
        is_public = query.pop("isPublic", "false")
        self._reject_extra(query, set())
        with self.store.lock:
            parent, parent_table = self._parent_of(spec, ids)
            row = dict.fromkeys(_fields(spec.stream))
            now = self.store.now()
            row.update(id=self.store.new_id(), name=match.group(1).decode(), size=str(len(content)),
                       isPublic=is_public == "true", createdTime=now, creatorId=self.current_agent()["id"],
                       **{k: v for k, v in ids.items() if k != "id"})
            row["href"] = f"{self.base_url}/api/v1/{spec.path.format(**ids)}/{row['id']}/content"
            self.store.table(spec.stream).add(row)
            self._count(spec, parent, parent_table, +1)
        return 200, row, 1

    def _update(self, route, ids: dict, query: dict, body=None):
        spec = route.spec
        self._reject_extra(query, set())
        if not isinstance(body, dict) or not body:
            raise invalid_data("", "missing", "no field to update")
        self._check_fields(spec, body, creating=False)
        with self.store.lock:
            row = self._find(spec, ids)
            row.update(self._stored(body))
            if "modifiedTime" in row:
                row["modifiedTime"] = self.store.now()
            self.store.table(spec.stream).changed()
        return 200, row, 1

    def _delete(self, route, ids: dict, query: dict, body=None):
        spec = route.spec
        self._reject_extra(query, set())
        with self.store.lock:
            self._find(spec, ids)
            parent, parent_table = self._parent_of(spec, ids) if spec.parent else (None, None)
            self.store.table(spec.stream).remove(ids["id"])
            self._count(spec, parent, parent_table, -1)
        return 204, None, 1

    def _remove_followers(self, route, ids: dict, query: dict, body=None):
        spec = route.spec
        self._reject_extra(query, set())
        wanted = (body or {}).get("followerIds")
        if not isinstance(wanted, list) or not wanted:
            raise invalid_data("followerIds", "missing")
        with self.store.lock:
            parent, parent_table = self._parent_of(spec, ids)
            table = self.store.table(spec.stream)
            key = spec.parent_key
            gone = [r for r in table.where(key, ids[key]) if r["id"] in set(map(str, wanted))]
            if len(gone) != len(set(wanted)):
                raise invalid_data("followerIds", "invalid", "not a follower")
            table.rows[:] = [r for r in table.rows if not (r.get(key) == ids[key] and r in gone)]
            table.changed()
            self._count(spec, parent, parent_table, -len(gone))
        return 204, None, 1

    def _send_reply(self, route, ids: dict, query: dict, body=None):
        self._reject_extra(query, set())
        body = body if isinstance(body, dict) else {}
        for name in ("channel", "content"):
            if not body.get(name):
                raise invalid_data(name, "missing")
        if body["channel"] == "EMAIL":
            if not body.get("fromEmailAddress"):
                raise invalid_data("fromEmailAddress", "missing")
            if body["fromEmailAddress"] not in SUPPORT_ADDRESSES:
                raise invalid_data("fromEmailAddress", "invalid", "not an active, verified support address")
        if body.get("contentType", "plainText") not in ("html", "plainText"):
            raise invalid_data("contentType", "invalid")
        with self.store.lock:
            ticket = self.store.table("tickets").by_id.get(ids["ticketId"])
            if ticket is None:
                raise not_found()
            now = self.store.now()
            thread = dict.fromkeys(_fields("threads"))
            thread.update(
                id=self.store.new_id(), ticketId=ticket["id"], channel=body["channel"], direction="out",
                status="SUCCESS", content=body["content"], summary=str(body["content"])[:100],
                contentType=body.get("contentType", "plainText"), fromEmailAddress=body.get("fromEmailAddress"),
                to=body.get("to") or ticket.get("email"), cc=body.get("cc"), bcc=body.get("bcc"),
                isForward=bool(body.get("isForward")), visibility="public", createdTime=now,
                hasAttach=False, attachmentCount="0", canReply=True, isDescriptionThread=False,
            )
            self.store.table("threads").add(thread)
            ticket["threadCount"] = str(int(ticket.get("threadCount") or 0) + 1)
            ticket["modifiedTime"] = now
            self.store.table("tickets").changed()
        return 200, thread, 1
