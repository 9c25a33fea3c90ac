"""Write handlers of the emulator, driven by write_facts.py.

A body may carry the fields its endpoint takes (write_facts.BODY) plus the write-only inputs
of facts.WRITE_ONLY; anything else is 422 INVALID_DATA naming every such field, and a missing
required one is 422 too. Creating or removing a child moves its parent's counter;
creating, editing or removing one moves the parent's ``modifiedTime`` unless the emulator was
built with ``child_bumps_parent=False`` (whether Zoho does is the open question of the API
document). A contact or account that would share its email / name with another is refused
as a duplicate (write_facts.UNIQUE).

Test knob: ``lose_answers(rate)``: from then on each write is processed and then, with that
probability, its answer is lost (the connection closes without one), as when a network cut
comes after the service did the work; ``answers_lost`` counts them.
"""

from __future__ import annotations

import math
import random
import re
import threading

from tests.emulator.errors import ApiError, not_found
from tests.emulator.facts import WRITE_ONLY, Endpoint
from tests.emulator.reads import PARENT_TABLES, reject_extra
from tests.emulator.write_facts import BODY, UNIQUE

SUPPORT_ADDRESSES = {"support@acme.example", "billing@acme.example"}
TRASH_MAX_IDS = 50  # not documented [U]; the emulator holds the target to a cautious cap
COUNTERS = {"comments": "commentCount", "attachments": "attachmentCount", "time_entries": "timeEntryCount",
            "threads": "threadCount", "followers": "followerCount", "approvals": "approvalCount",
            "tags": "tagCount"}
RECYCLE_NAME = {"articles": "solutions"}
RECYCLE_DAYS = 60  # Zoho KB "Using the Recycle Bin": kept 60 days, then purged


def invalid_data(field: str, kind: str, message: str | None = None) -> ApiError:
    return ApiError(422, "INVALID_DATA", "The data is invalid due to validation restrictions",
                    errors=[{"fieldName": f"/{field}", "errorType": kind, "errorMessage": message}])


class WriteHandlers:
    """Mixed into the Emulator: handlers have the signature (endpoint, ids, query, body)."""

    child_bumps_parent: bool = True
    _losing: tuple[float, random.Random, threading.Lock] | None = None
    answers_lost: int = 0

    def lose_answers(self, rate: float, seed: int = 1) -> None:
        """From now on a write is done and then, with probability ``rate``, its answer is lost."""
        self._losing = (rate, random.Random(seed), threading.Lock())
        self.answers_lost = 0

    def _answer_lost(self, answer: tuple):
        """``answer``, or a closed connection instead (the write stays done)."""
        if self._losing is not None:
            rate, rng, lock = self._losing
            with lock:
                lost = rng.random() < rate
                self.answers_lost += lost
            if lost:
                from tests.emulator.server import DropConnection  # the transport's own signal

                raise DropConnection()
        return answer

    # -- helpers ------------------------------------------------------------------------
    @staticmethod
    def _stored(body: dict, row: dict | None = None) -> dict:
        """Zoho keeps custom-field values as text and answers them as strings; a decimal field
        keeps its places (the value it held shows how many: ``33.00`` written as 33 is ``33.00``)."""
        cf = body.get("cf")
        if isinstance(cf, dict):
            held = (row or {}).get("cf") or {}

            def text(name, value):
                if value is None or isinstance(value, (bool, str)):
                    return value
                places = re.fullmatch(r"-?\d+\.(\d+)", str(held.get(name) or ""))
                return f"{value:.{len(places.group(1))}f}" if places else str(value)

            body = {**body, "cf": {**held, **{k: text(k, v) for k, v in cf.items()}}}  # a PATCH keeps the others
        return body

    @staticmethod
    def _check_fields(ep: Endpoint, body: dict) -> None:
        """Every field the endpoint does not take, named in one 422 (write_facts.BODY)."""
        allowed = BODY.get((ep.table, ep.op), frozenset()) | WRITE_ONLY.get(ep.table, set())
        bad = [name for name in body if name not in allowed]
        if bad:
            raise ApiError(422, "INVALID_DATA", "The data is invalid due to validation restrictions",
                           errors=[{"fieldName": f"/{name}", "errorType": "invalid", "errorMessage": None}
                                   for name in bad])

    def _unique(self, table: str, body: dict, own_id: str | None = None) -> None:
        """Refuse a value another record of the table already has (write_facts.UNIQUE)."""
        for name in UNIQUE.get(table, ()):
            value = body.get(name)
            if not isinstance(value, str) or not value.strip():
                continue
            wanted = value.strip().casefold()
            for row in self.store.table(table).rows:
                if row["id"] != own_id and str(row.get(name) or "").strip().casefold() == wanted:
                    raise invalid_data(name, "duplicate", f"a record with this {name} already exists")

    def _parent(self, ids: dict) -> tuple[dict | None, str | None]:
        for name, value in ids.items():
            for table in PARENT_TABLES.get(name, ()):
                row = self.store.table(table).by_id.get(value)
                if row is not None and name != "threadId":
                    return row, table
        if any(name in PARENT_TABLES for name in ids):
            raise not_found()
        return None, None

    def _count(self, table: str, parent: dict | None, parent_table: str | None, step: int) -> None:
        if parent is None:
            return
        counter = COUNTERS.get(table.rsplit("_", 1)[-1]) or COUNTERS.get(table.split("_", 1)[-1])
        if counter and counter in parent:
            parent[counter] = str(max(0, int(parent.get(counter) or 0) + step))
        if self.child_bumps_parent and "modifiedTime" in parent:
            parent["modifiedTime"] = self.store.now()
        self.store.table(parent_table).changed()

    # -- handlers -----------------------------------------------------------------------
    def _insert(self, ep: Endpoint, ids: dict, query: dict, body=None):
        if ep.table.endswith("_attachments"):
            return self._upload(ep, ids, query)
        reject_extra(query, set())
        if not isinstance(body, dict):
            raise invalid_data("", "missing", "a JSON object is required")
        self._check_fields(ep, body)
        for name in ep.required:
            if body.get(name) in (None, "", []):
                raise invalid_data(name, "missing")
        with self.store.lock:
            self._unique(ep.table, body)
            parent, parent_table = self._parent({k: v for k, v in ids.items() if k != "id"})
            row = dict.fromkeys(self.store.fields(ep.table))
            taken = BODY.get((ep.table, ep.op), frozenset())  # inputs no read returns (answer, reportsTo) kept too
            row.update({k: v for k, v in self._stored(body).items() if k in row or k in taken})
            if ep.table == "tickets":
                row["contactId"] = self._ticket_contact(body)
            now = self.store.now()
            row.update(id=self.store.new_id(), **{k: v for k, v in ids.items() if k != "id"})
            for key in ("createdTime", "modifiedTime", "commentedTime"):
                if key in row:
                    row[key] = now
            for key in row:
                if key.endswith("Count") and row[key] is None:
                    row[key] = "0"
            self.store.table(ep.table).add(row)
            self._count(ep.table, parent, parent_table, +1)
        return self._answer_lost((200, dict(row), 1))

    def _ticket_contact(self, body: dict) -> str:
        if body.get("contactId"):
            if body["contactId"] not in self.store.table("contacts").by_id:
                raise invalid_data("contactId", "invalid", "no such contact")
            return body["contactId"]
        contact = body.get("contact") or {}
        if not isinstance(contact, dict) or not (contact.get("email") or contact.get("lastName")):
            raise invalid_data("contactId", "missing", "contactId or contact{email|lastName} is required")
        email = contact.get("email")
        for row in self.store.table("contacts").rows:  # matched as the duplicate rule compares: without case
            if email and str(row.get("email") or "").strip().casefold() == str(email).strip().casefold():
                return row["id"]
        fresh = dict.fromkeys(self.store.fields("contacts"))
        now = self.store.now()
        fresh.update(id=self.store.new_id(), email=email, lastName=contact.get("lastName") or email.split("@")[0],
                     firstName=contact.get("firstName"), createdTime=now, modifiedTime=now)
        self.store.table("contacts").add(fresh)
        return fresh["id"]

    def _upload(self, ep: Endpoint, ids: dict, query: dict):
        raw = self._raw_body or b""
        match = re.search(rb'name="file"; filename="([^"]+)"\r\n(?:[^\r\n]+\r\n)*\r\n', raw)
        if not match:
            raise invalid_data("file", "missing", "multipart field 'file' is required")
        content = raw[match.end():].rsplit(b"\r\n--", 1)[0]
        is_public = query.pop("isPublic", "false")
        reject_extra(query, set())
        with self.store.lock:
            parent, parent_table = self._parent(ids)
            row = dict.fromkeys(self.store.fields(ep.table))
            now = self.store.now()
            row.update(id=self.store.new_id(), name=match.group(1).decode(), size=str(len(content)),
                       isPublic=is_public == "true", createdTime=now, creatorId=self.current_agent()["id"],
                       **ids)
            row["href"] = f"{self.base_url}/api/v1/{ep.path.format(**ids)}/{row['id']}/content"
            self.store.table(ep.table).add(row)
            self._count(ep.table, parent, parent_table, +1)
        return self._answer_lost((200, dict(row), 1))

    def _update(self, ep: Endpoint, ids: dict, query: dict, body=None):
        reject_extra(query, set())
        if not isinstance(body, dict) or not body:
            raise invalid_data("", "missing", "no field to update")
        self._check_fields(ep, body)
        with self.store.lock:
            row = self._find(ep.table, ids)
            self._unique(ep.table, body, own_id=row["id"])
            row.update(self._stored(body, row))
            if "modifiedTime" in row:
                row["modifiedTime"] = self.store.now()
            self.store.table(ep.table).changed()
            parent, parent_table = self._parent({k: v for k, v in ids.items() if k != "id"})
            self._count(ep.table, parent, parent_table, 0)
            answer = 200, dict(row), 1
        return self._answer_lost(answer)

    def _delete(self, ep: Endpoint, ids: dict, query: dict, body=None):
        reject_extra(query, set())
        with self.store.lock:
            self._find(ep.table, ids)
            parent, parent_table = self._parent({k: v for k, v in ids.items() if k != "id"})
            self.store.table(ep.table).remove(ids["id"])
            self._count(ep.table, parent, parent_table, -1)
        return self._answer_lost((204, None, 1))

    def _ids_in(self, ep: Endpoint, body) -> list[str]:
        wanted = (body or {}).get(ep.body_key)
        if not isinstance(wanted, list) or not wanted:
            raise invalid_data(ep.body_key, "missing")
        if len(wanted) > TRASH_MAX_IDS:
            raise invalid_data(ep.body_key, "invalid", f"at most {TRASH_MAX_IDS} ids per call")
        return [str(i) for i in wanted]

    def _move_to_trash(self, ep: Endpoint, ids: dict, query: dict, body=None):
        reject_extra(query, set())
        wanted = self._ids_in(ep, body)
        tables = [ep.table] + (["archived_tickets"] if ep.table == "tickets" else [])
        with self.store.lock:
            homes = {i: next((t for t in tables if i in self.store.table(t).by_id), None) for i in wanted}
            missing = [i for i, home in homes.items() if home is None]
            if missing:
                raise invalid_data(ep.body_key, "invalid", f"unknown id {missing[0]}")
            if ep.table == "agents":  # deleteUnconfirmed: only agents who never confirmed
                confirmed = [i for i in wanted if self.store.table("agents").by_id[i].get("isConfirmed")]
                if confirmed:
                    raise invalid_data(ep.body_key, "invalid", f"agent {confirmed[0]} is confirmed")
                for i in wanted:
                    self.store.table("agents").remove(i)
                return 204, None, len(wanted)
            for record_id, home in homes.items():
                self.store.trash(home, record_id, deleted_by=self.current_agent(),
                                 module=RECYCLE_NAME.get(ep.table, ep.table if home != "archived_tickets"
                                                         else "tickets"))
        if ep.table == "articles":  # OAS: a results array
            return self._answer_lost(
                (200, {"results": [{"id": i, "success": True, "errors": None} for i in wanted]}, 6 * len(wanted)))
        return self._answer_lost((204, None, 6 * len(wanted)))

    def _update_many(self, ep: Endpoint, ids: dict, query: dict, body=None):
        """``POST {module}/updateMany`` (OAS tickets/updateMany, contracts/updateMany): one field set on
        many records, ``{ids, fieldName, fieldValue, isCustomField}``; the field checked against the
        module's update body (a custom one is a ``cf_`` name); 1 credit per 2 records (Credits model,
        zoho-desk-api 10); answered as Qodex shows the bulk actions: a results array, an unknown id
        ``success: false`` with a 422."""
        reject_extra(query, set())
        wanted = self._ids_in(ep, body)
        extra = sorted(set(body) - {"ids", "fieldName", "fieldValue", "isCustomField"})
        if extra:
            raise invalid_data(extra[0], "invalid")
        name, custom = body.get("fieldName"), body.get("isCustomField", False)
        if not isinstance(custom, bool):
            raise invalid_data("isCustomField", "invalid", "a boolean is required")
        if "fieldValue" not in body:
            raise invalid_data("fieldValue", "missing")
        allowed = BODY.get((ep.table, "update"), frozenset()) - {"cf"}
        if not isinstance(name, str) or not (name.startswith("cf_") if custom else name in allowed):
            raise invalid_data("fieldName", "invalid", f"{name!r} cannot be set in bulk")
        patch = {"cf": {name: body["fieldValue"]}} if custom else {name: body["fieldValue"]}
        results = []
        with self.store.lock:
            table = self.store.table(ep.table)
            for record_id in wanted:
                row = table.by_id.get(record_id)
                if row is not None:
                    row.update(self._stored(patch, row))
                    row.update({"modifiedTime": self.store.now()} if "modifiedTime" in row else {})
                results.append({"id": record_id, "success": row is not None, "errors": None if row is not None else {
                    "errorMessage": None, "errorCode": "UNPROCESSABLE_ENTITY", "httpCode": "422"}})
            table.changed()
        return self._answer_lost((200, {"results": results}, math.ceil(len(wanted) / 2)))

    def _restore(self, ep: Endpoint, ids: dict, query: dict, body=None):
        """``POST recycleBin/restore`` as Zoho's Postman collection shows it (Qodex): ids, and
        ``isChildNeedToBeRestored``; a results array, an id the bin does not have (never there,
        restored already, or purged after RECYCLE_DAYS) ``success: false`` with a 422."""
        reject_extra(query, set())
        wanted = self._ids_in(ep, body)
        children = body.get("isChildNeedToBeRestored", False)
        if not isinstance(children, bool):
            raise invalid_data("isChildNeedToBeRestored", "invalid", "a boolean is required")
        results = []
        for record_id in wanted:
            done = self.store.restore(record_id, with_children=children, kept_days=RECYCLE_DAYS)
            results.append({"id": record_id, "success": done is not None, "errors": None if done is not None else {
                "errorMessage": None, "errorCode": "UNPROCESSABLE_ENTITY", "httpCode": "422"}})
        return self._answer_lost((200, {"results": results}, 6 * len(wanted)))

    def _deactivate(self, ep: Endpoint, ids: dict, query: dict, body=None):
        reject_extra(query, set())
        with self.store.lock:
            agent = self._find("agents", ids)
            agent["status"] = "DISABLED"
            agent["modifiedTime"] = self.store.now()
        return 204, None, 1

    def _remove_followers(self, ep: Endpoint, ids: dict, query: dict, body=None):
        reject_extra(query, set())
        wanted = set(self._ids_in(ep, body))
        (link, parent_id), = ids.items()
        with self.store.lock:
            parent, parent_table = self._parent(ids)
            table = self.store.table(ep.table)
            gone = [r for r in table.where(link, parent_id) if r["id"] in wanted]
            if len(gone) != len(wanted):
                raise invalid_data("followerIds", "invalid", "not a follower")
            table.rows[:] = [r for r in table.rows if not any(r is g for g in gone)]
            table.changed()
            self._count(ep.table, parent, parent_table, -len(gone))
        return 204, None, 1

    def _tag(self, ep: Endpoint, ids: dict, query: dict, body=None):
        """associateTag / dissociateTag: tags by name on one ticket (a new name creates the tag)."""
        reject_extra(query, set())
        names = (body or {}).get("tags")
        if not isinstance(names, list) or not names or not all(isinstance(n, str) and n for n in names):
            raise invalid_data("tags", "missing")
        with self.store.lock:
            ticket = self.store.table("tickets").by_id.get(ids["ticketId"])
            if ticket is None:
                raise not_found()
            links = self.store.table("ticket_tags")
            current = {r["name"]: r for r in links.where("ticketId", ticket["id"])}
            tags = {t["name"]: t for t in self.store.table("tags").where("departmentId", ticket["departmentId"])}
            for name in names:
                if ep.op == "untag":
                    if name not in current:
                        raise invalid_data("tags", "invalid", f"tag {name!r} is not on the ticket")
                    links.remove_row(current.pop(name))
                elif name not in current:
                    tag = tags.get(name) or self.store.table("tags").add(
                        {"id": self.store.new_id(), "name": name, "tagType": "MANUAL", "count": "0",
                         "departmentId": ticket["departmentId"], "createdTime": self.store.now(),
                         "createdBy": self.current_agent()["id"]})
                    current[name] = links.add({"id": tag["id"], "name": name, "tagType": tag["tagType"],
                                               "departmentId": tag["departmentId"], "ticketId": ticket["id"]})
            ticket["tagCount"] = str(len(current))
            if self.child_bumps_parent:
                ticket["modifiedTime"] = self.store.now()
            self.store.table("tickets").changed()
        return self._answer_lost((204, None, 1))

    def _send_reply(self, ep: Endpoint, ids: dict, query: dict, body=None):
        reject_extra(query, set())
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
            thread = dict.fromkeys(self.store.fields("threads"))
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
        return self._answer_lost((200, {k: v for k, v in thread.items() if k != "ticketId"}, 1))
