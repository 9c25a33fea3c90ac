"""Turn records into Zoho Desk writes, with per-record results and a replay journal.

Policy in a few lines:
- operation: ``_sdc_deleted_at`` set -> DELETE, else ``id`` -> UPDATE, else INSERT; an
  operation the contract does not allow for the stream is an error for that record only;
- the body is the record less what Zoho computes (writable.py) and less the parent ids,
  which go in the URL; INSERT drops nulls, UPDATE patches exactly the fields present;
- DELETE goes through ``moveToTrash`` in batches of 50 ids (one call), followers through
  ``removeFollowers`` per parent, other sub-resources one ``DELETE`` each; a refused batch
  is retried id by id so that one bad id fails alone;
- creating writes (INSERT, sendReply) are recorded in a SQLite journal keyed by a hash of
  stream and record: a replay after a crash does not create them again;
- every record gets one result: stream, operation, Zoho id, ``ok``/``error``, the error line.
"""

from __future__ import annotations

import base64
import hashlib
import json
import mimetypes
import sqlite3
import threading
from dataclasses import asdict, dataclass
from pathlib import Path

from tap_zohodesk.catalog import BY_STREAM, ObjectSpec
from tap_zohodesk.client import ZohoDeskClient, ZohoDeskError
from tap_zohodesk.writable import read_only, required

TRASH_BATCH = 50
ACTION = "send_email_reply"
REPLY_REQUIRED = ("ticketId", "fromEmailAddress", "to", "content", "contentType")
CONTENT_TYPES = {"html": "html", "plaintext": "plainText"}


@dataclass
class Result:
    stream: str
    operation: str
    id: str | None
    status: str
    error: str | None = None
    dry_run: bool = False
    journal: bool = False


class RecordError(ValueError):
    """This record cannot be written; the message is its one-line reason."""


def operation_of(record: dict) -> str:
    if record.get("_sdc_deleted_at"):
        return "DELETE"
    return "UPDATE" if record.get("id") else "INSERT"


def record_key(stream: str, record: dict) -> str:
    clean = {k: v for k, v in record.items() if not k.startswith("_sdc_")}
    return hashlib.sha256(json.dumps([stream, clean], sort_keys=True, default=str).encode()).hexdigest()


class Journal:
    """Creating writes already done: key -> Zoho id, in a local SQLite file."""

    def __init__(self, path: str):
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._db.execute("create table if not exists done (key text primary key, stream text, zoho_id text,"
                         " at text default current_timestamp)")
        self._lock = threading.Lock()

    def get(self, key: str) -> tuple[str | None] | None:
        """``(zoho_id,)`` when this write was done (the id may be unknown), else None."""
        with self._lock:
            return self._db.execute("select zoho_id from done where key = ?", (key,)).fetchone()

    def put(self, key: str, stream: str, zoho_id: str | None) -> None:
        with self._lock:
            self._db.execute("insert or replace into done (key, stream, zoho_id) values (?, ?, ?)",
                             (key, stream, zoho_id))


class Writer:
    def __init__(self, client: ZohoDeskClient | None, journal: Journal | None, *, dry_run: bool):
        self.client = client
        self.journal = journal
        self.dry_run = dry_run

    # -- planning -----------------------------------------------------------------------
    def _links(self, spec: ObjectSpec, record: dict, operation: str) -> dict[str, str]:
        links = {}
        for link in spec.links:
            if spec.parent_param:
                continue
            if not record.get(link):
                raise RecordError(f"{spec.stream}: {operation} needs {link} (the parent's id)")
            links[link] = str(record[link])
        return links

    def _body(self, spec: ObjectSpec, record: dict, *, drop_nulls: bool) -> dict:
        blocked = read_only(spec)
        return {k: v for k, v in record.items()
                if not k.startswith("_sdc_") and k not in blocked and not (drop_nulls and v is None)}

    def _insert_body(self, spec: ObjectSpec, record: dict) -> dict:
        body = self._body(spec, record, drop_nulls=True)
        if spec.schema_name in ("tickets", "tickets_extended"):
            email = body.pop("contactEmail", None)
            if not body.get("contactId"):
                if not email:
                    raise RecordError(f"{spec.stream}: INSERT needs contactId or contactEmail")
                body["contact"] = {"email": email}
        missing = [f for f in required(spec) if body.get(f) in (None, "", [])]
        if missing:
            raise RecordError(f"{spec.stream}: INSERT needs {', '.join(missing)}")
        return body

    # -- execution ----------------------------------------------------------------------
    def write(self, stream: str, records: list[dict]) -> list[Result]:
        """Write one batch of a stream; one result per record, in input order."""
        spec = BY_STREAM.get(stream)
        results: list[Result | None] = [None] * len(records)
        singles: list[tuple[int, str, dict]] = []
        deletes: list[tuple[int, dict]] = []
        for i, record in enumerate(records):
            operation = "SEND" if stream == ACTION else operation_of(record)
            try:
                if stream != ACTION:
                    if spec is None:
                        raise RecordError(f"{stream}: not a Zoho Desk object of this target")
                    if operation not in spec.dml:
                        allowed = "/".join(sorted(spec.dml)) or "nothing (read-only)"
                        raise RecordError(f"{stream}: {operation} is not allowed (allowed: {allowed})")
                if operation == "DELETE":
                    deletes.append((i, record))
                else:
                    singles.append((i, operation, record))
            except RecordError as exc:
                results[i] = Result(stream, operation, _id(record), "error", str(exc))
        for i, result in zip([s[0] for s in singles],
                             self._map(lambda s: self._one(stream, spec, s[1], s[2]), singles), strict=True):
            results[i] = result
        for i, result in self._delete(stream, spec, deletes):
            results[i] = result
        return [r for r in results if r is not None]

    def _map(self, fn, items):
        if self.dry_run or self.client is None:
            return [fn(item) for item in items]
        return list(self.client.map(fn, items))

    def _one(self, stream: str, spec: ObjectSpec | None, operation: str, record: dict) -> Result:
        try:
            if operation == "SEND":
                return self._creating(stream, operation, record, *self._reply(record))
            if operation == "INSERT":
                links = self._links(spec, record, operation)
                if spec.schema_name == "attachments":
                    return self._creating(stream, operation, record, *self._upload(spec, record, links))
                body = self._insert_body(spec, record)
                return self._creating(stream, operation, record, "POST", spec.path.format(**links), body, None)
            links = self._links(spec, record, operation)
            body = self._body(spec, record, drop_nulls=False)
            path = (spec.update_path or spec.record_path).format(**links, id=record["id"])
            if not body:
                return Result(stream, operation, str(record["id"]), "ok", "nothing to update", self.dry_run)
            if self.dry_run:
                return Result(stream, operation, str(record["id"]), "ok", dry_run=True)
            self._update(spec, path, body)
            return Result(stream, operation, str(record["id"]), "ok")
        except (RecordError, ZohoDeskError) as exc:
            return Result(stream, operation, _id(record), "error", str(exc), self.dry_run)

    def _update(self, spec: ObjectSpec, path: str, body: dict) -> None:
        """PATCH or PUT as the row says; where the evidence is thin a 405 tries the other verb,
        once per endpoint per run (remembered, logged once)."""
        key = f"update {spec.update_path or spec.record_path}"
        lesson = self.client.learned.of(key)
        verb = "PUT" if (spec.update_verb == "PUT") != ("verb" in lesson.dropped) else "PATCH"
        try:
            self.client.request(verb, path, json=body, label=f"update {spec.stream}")
        except ZohoDeskError as exc:
            if exc.status != 405 or "verb" in lesson.dropped:
                raise
            lesson.dropped.add("verb")
            other = "PATCH" if verb == "PUT" else "PUT"
            self.client.learned.note(key, f"refuses {verb}: updating with {other}")
            self.client.request(other, path, json=body, label=f"update {spec.stream}")

    def _creating(self, stream, operation, record, method, path, body, files) -> Result:
        key = record_key(stream, record)
        done = self.journal.get(key) if self.journal else None
        if done is not None:
            return Result(stream, operation, done[0], "ok", "already written (journal)", journal=True)
        if self.dry_run:
            return Result(stream, operation, None, "ok", dry_run=True)
        answer = self.client.request(method, path, json=body, files=files, label=f"{operation.lower()} {stream}",
                                     retry_unsafe=False)
        zoho_id = str(answer.get("id")) if isinstance(answer, dict) and answer.get("id") else None
        if self.journal:
            self.journal.put(key, stream, zoho_id)
        return Result(stream, operation, zoho_id, "ok")

    def _reply(self, record: dict):
        missing = [f for f in REPLY_REQUIRED if record.get(f) in (None, "")]
        if missing:
            raise RecordError(f"{ACTION}: missing {', '.join(missing)}")
        content_type = CONTENT_TYPES.get(str(record["contentType"]).lower())
        if content_type is None:
            raise RecordError(f"{ACTION}: contentType must be html or plainText, got {record['contentType']!r}")
        body = {"channel": "EMAIL", "fromEmailAddress": record["fromEmailAddress"], "to": record["to"],
                "content": record["content"], "contentType": content_type,
                "isForward": bool(record.get("isForward"))}
        body.update({k: record[k] for k in ("cc", "bcc") if record.get(k)})
        return "POST", f"tickets/{record['ticketId']}/sendReply", body, None

    def _upload(self, spec: ObjectSpec, record: dict, links: dict):
        if record.get("filePath"):
            path = Path(record["filePath"])
            if not path.is_file():
                raise RecordError(f"{spec.stream}: filePath {str(path)!r} is not a readable file")
            name, content = record.get("name") or path.name, path.read_bytes()
        elif record.get("contentBase64") and record.get("name"):
            name, content = record["name"], base64.b64decode(record["contentBase64"])
        else:
            raise RecordError(f"{spec.stream}: INSERT needs filePath, or name and contentBase64 (the file)")
        kind = mimetypes.guess_type(name)[0] or "application/octet-stream"
        path = spec.path.format(**links)
        if record.get("isPublic") is not None:
            path += f"?isPublic={str(bool(record['isPublic'])).lower()}"
        return "POST", path, None, {"file": (name, content, kind)}

    def _delete(self, stream: str, spec: ObjectSpec | None, deletes: list[tuple[int, dict]]):
        if not deletes:
            return
        if spec.moves_to_trash:
            for start in range(0, len(deletes), TRASH_BATCH):
                yield from self._trash(stream, spec, deletes[start:start + TRASH_BATCH])
            return
        if spec.schema_name == "followers":
            by_parent: dict[str, list[tuple[int, dict]]] = {}
            for i, record in deletes:
                by_parent.setdefault(str(record.get(spec.parent_key) or ""), []).append((i, record))
            for parent, group in by_parent.items():
                yield from self._remove_followers(stream, spec, parent, group)
            return

        def one(item):
            i, record = item
            try:
                links = self._links(spec, record, "DELETE")
                if not self.dry_run:
                    self.client.request(spec.remove_verb, (spec.remove_path or spec.record_path).format(
                        **links, id=record["id"]), label=f"delete {stream}")
                return i, Result(stream, "DELETE", str(record["id"]), "ok", dry_run=self.dry_run)
            except (RecordError, ZohoDeskError) as exc:
                return i, Result(stream, "DELETE", _id(record), "error", str(exc), self.dry_run)

        yield from self._map(one, deletes)

    def _trash(self, stream: str, spec: ObjectSpec, batch: list[tuple[int, dict]]):
        ids = [str(r["id"]) for _, r in batch]
        try:
            if not self.dry_run:
                answer = self.client.request("POST", spec.moves_to_trash, json={spec.trash_key: ids},
                                             label=f"trash {stream}")
                refused = [r for r in (answer or {}).get("results") or [] if not r.get("success")]
                if refused:  # a results array (articles): some ids were not trashed
                    raise ZohoDeskError(f"POST /{spec.moves_to_trash}: refused {refused[0].get('id')}: "
                                        f"{refused[0].get('errors')}", status=422)
        except ZohoDeskError as exc:
            if len(batch) == 1:
                i, record = batch[0]
                yield i, Result(stream, "DELETE", ids[0], "error", str(exc))
                return
            for item in batch:  # isolate the ids Zoho refused
                yield from self._trash(stream, spec, [item])
            return
        for (i, _), record_id in zip(batch, ids, strict=True):
            yield i, Result(stream, "DELETE", record_id, "ok", dry_run=self.dry_run)

    def _remove_followers(self, stream: str, spec: ObjectSpec, parent: str, group):
        ids = [str(r["id"]) for _, r in group]
        error = None if parent else f"{stream}: DELETE needs {spec.parent_key} (the parent's id)"
        if error is None and not self.dry_run:
            path = f"{spec.path.rsplit('/', 1)[0].format(**{spec.parent_key: parent})}/removeFollowers"
            try:
                self.client.request("POST", path, json={"followerIds": ids}, label=f"delete {stream}")
            except ZohoDeskError as exc:
                error = str(exc)
        for (i, _), record_id in zip(group, ids, strict=True):
            yield i, Result(stream, "DELETE", record_id, "error" if error else "ok", error, self.dry_run)


def _id(record: dict) -> str | None:
    return str(record["id"]) if record.get("id") else None


def result_line(result: Result) -> str:
    data = asdict(result)
    return json.dumps({k: v for k, v in data.items() if v not in (None, False) or k in ("id", "status")})
