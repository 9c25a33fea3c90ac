"""Turn records into Zoho Desk writes, with one result per record and a replay journal.

Policy in a few lines:
- operation: ``_sdc_deleted_at`` set -> DELETE, else ``id`` -> UPDATE, else INSERT (tags are
  written by name: a ``ticket_tags`` record is always an INSERT unless deleted); an operation
  the stream never takes is ``skipped`` (the target says so once per stream and operation);
- with ``upsert_keys`` a record without ``id`` is looked up by those fields first (lookup.py)
  and becomes an UPDATE of the record found, or an INSERT;
- the body is the record's fields in the row's allow-list for the operation (writable.py);
  the parent ids go in the URL; other fields the tap emits are dropped (one log line per stream
  and operation at the end), any other field refuses the record; INSERT drops nulls, UPDATE
  patches exactly the fields present; an update uses the row's verb, never another;
- creates (INSERT, sendReply) are journaled (journal.py): intent before the call, outcome
  after; an intent without outcome, or a create answered 5xx or cut off, is looked up in
  Zoho before it is sent again, so no record is created twice;
- deletes and tags go in groups (batches.py); updates setting one field to one value, in bulk (bulk.py);
- a failure no record can fix (outcome.is_fatal) stops the writer: what is in flight ends,
  nothing more is sent, the rest is ``not_attempted`` and ``FatalStop`` is raised.
"""

from __future__ import annotations

import base64
import mimetypes
import threading
import time
from collections import Counter
from datetime import datetime, timezone
from decimal import Decimal

from tap_zohodesk.api.catalog import BY_STREAM, ObjectSpec
from tap_zohodesk.api.client import ZohoDeskClient, ZohoDeskError
from tap_zohodesk.api.errors import GONE, UNSUPPORTED
from tap_zohodesk.api.writable import UnknownFields, required, unproven
from tap_zohodesk.api.writable import body as allowed_body
from target_zohodesk.batches import GroupWrites, Item, record_id
from target_zohodesk.bulk import BulkUpdates
from target_zohodesk.journal import Journal
from target_zohodesk.lookup import Lookup, folded, natural_key
from target_zohodesk.outcome import FatalStop, RecordError, Result, is_fatal, is_unsure
from target_zohodesk.preview import BeforeImages, Prefetch
from target_zohodesk.uploads import allowed_file

ACTION = "send_email_reply"
REPLY_REQUIRED = ("ticketId", "fromEmailAddress", "to", "content", "contentType")
CONTENT_TYPES = {"html": "html", "plaintext": "plainText"}


def operation_of(stream: str, record: dict) -> str:
    if stream == ACTION:
        return "SEND"
    if record.get("_sdc_deleted_at"):
        return "DELETE"
    spec = BY_STREAM.get(stream)
    by_name = spec is not None and spec.write.create == "tag" and ("ticketId" in spec.links or record.get("ticketId"))
    return "INSERT" if by_name or not record.get("id") else "UPDATE"


def refusal(stream: str, operation: str | None = None) -> str | None:
    """Why this stream (or this operation of it) cannot be written, or None."""
    if stream == ACTION:
        return None
    spec = BY_STREAM.get(stream)
    if spec is None:
        return f"{stream}: not a Zoho Desk object this target writes"
    if not spec.write.dml:
        return f"{stream}: read-only in Zoho Desk (no write exists)"
    if operation is not None and operation not in spec.write.dml:
        return f"{stream}: {operation} is not possible in Zoho Desk (allowed: {'/'.join(sorted(spec.write.dml))})"
    return None


def plain(value):
    """JSON-ready: the SDK reads numbers as Decimal."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value


class Writer(GroupWrites, BulkUpdates, BeforeImages, Prefetch):
    def __init__(self, client: ZohoDeskClient | None, journal: Journal | None, *, dry_run: bool,
                 upsert_keys: dict[str, list[str]] | None = None, attachments_dir: str | None = None,
                 keep_before_images: bool = False):
        self.keep_before_images = keep_before_images
        self.client = client
        self.attachments_dir = attachments_dir
        self.journal = journal
        self.dry_run = dry_run
        self.upsert_keys = upsert_keys or {}
        self.lookup = Lookup(client, journal) if client is not None else None
        self.stop: ZohoDeskError | None = None
        self._stop_lock = threading.Lock()
        self.dropped: dict[tuple[str, str], Counter] = {}

    # -- one batch ----------------------------------------------------------------------------
    def write(self, stream: str, records: list[dict]) -> list[Result]:
        """Write one batch of a stream; one result per record, in input order (FatalStop on a fatal failure)."""
        spec = BY_STREAM.get(stream)
        results: list[Result | None] = [None] * len(records)
        work: list[tuple[int, str, dict]] = []
        for i, record in enumerate(records):
            operation = operation_of(stream, record)
            why = refusal(stream, operation)
            if why:
                results[i] = Result(stream, operation, record_id(record), "skipped", why)
            else:
                work.append((i, operation, record))
        waves, keys = self._upserts(stream, spec, work, results) if stream in self.upsert_keys else ([work], {})
        made: dict[tuple[str, ...], str] = {}
        for n, wave in enumerate(waves):
            if n:  # rows repeating a key of this batch: an UPDATE of what the first one created
                wave = [(i, "UPDATE", {**r, "id": made[keys[i]]}) if keys[i] in made else (i, op, r)
                        for i, op, r in wave]
            self._run(stream, spec, wave, results)
            for i, _, _ in wave:
                if i in keys and results[i] is not None and results[i].status == "ok" and results[i].id:
                    made.setdefault(keys[i], results[i].id)
        if self.stop is not None:
            done = [r or Result(stream, operation_of(stream, rec), record_id(rec), "not_attempted")
                    for r, rec in zip(results, records, strict=True)]
            raise FatalStop(self.stop, done)
        return [r for r in results if r is not None]

    def _run(self, stream: str, spec: ObjectSpec | None, wave: list, results: list) -> None:
        tags = spec is not None and spec.write.create == "tag"
        self.prefetch(spec, wave)  # a dry run reads its updates' records 25 a search where it can (preview.py)
        wave = self.bulk_updates(stream, spec, wave, results)  # one field, one value, many records (bulk.py)
        singles = [w for w in wave if w[1] != "DELETE" and not tags]
        for (i, _op, _record), result in zip(singles, self._map(
                lambda w: self._guard(stream, w[1], w[2], lambda: self._one(stream, spec, w[1], w[2])), singles),
                strict=True):
            results[i] = result
        for operation in ("INSERT", "DELETE"):
            group = [(i, record) for i, op, record in wave if op == operation and (tags or op == "DELETE")]
            writes = self._tags(stream, operation, group) if tags else self._delete(stream, spec, group)
            for i, result in writes:
                results[i] = result

    def _map(self, fn, items):
        if self.client is None:
            return [fn(item) for item in items]
        return list(self.client.map(fn, items))

    # -- failures -----------------------------------------------------------------------------
    def _halt(self, exc: ZohoDeskError) -> None:
        with self._stop_lock:
            if self.stop is None:
                self.stop = exc

    def _guard(self, stream: str, operation: str, record: dict, fn) -> Result:
        if self.stop is not None:
            return Result(stream, operation, record_id(record), "not_attempted")
        try:
            return fn()
        except RecordError as exc:
            return Result(stream, operation, record_id(record), "error", str(exc), dry_run=self.dry_run)
        except ZohoDeskError as exc:
            if is_fatal(exc):
                self._halt(exc)
                return Result(stream, operation, record_id(record), "not_attempted", str(exc))
            return Result(stream, operation, record_id(record), "error", str(exc), dry_run=self.dry_run)

    def _guard_group(self, stream: str, operation: str, group: list[Item], fn):
        done: set[int] = set()
        status, error = "not_attempted", None
        if self.stop is None:
            try:
                for i, result in fn(group):
                    done.add(i)
                    yield i, result
                return
            except RecordError as exc:
                status, error = "error", str(exc)
            except ZohoDeskError as exc:
                status, error = ("not_attempted", str(exc)) if is_fatal(exc) else ("error", str(exc))
                if status == "not_attempted":
                    self._halt(exc)
        for i, record in group:
            if i not in done:
                yield i, Result(stream, operation, record_id(record), status, error)

    # -- planning -----------------------------------------------------------------------------
    def _links(self, spec: ObjectSpec, record: dict, operation: str) -> dict[str, str]:
        links = {}
        for link in spec.links:
            if spec.parent.as_param:
                continue
            if not record.get(link):
                raise RecordError(f"{spec.stream}: {operation} needs {link} (the parent's id)")
            links[link] = str(record[link])
        return links

    def _body(self, spec: ObjectSpec, operation: str, record: dict) -> dict:
        try:
            body, dropped = allowed_body(spec, operation, record)
        except UnknownFields as exc:
            raise RecordError(str(exc)) from None
        if dropped:
            with self._stop_lock:
                self.dropped.setdefault((spec.stream, operation), Counter()).update(dropped)
        return {k: plain(v) for k, v in body.items() if not (operation == "INSERT" and v is None)}

    def dropped_lines(self) -> list[str]:
        """One line per stream and operation: the emitted fields left out of its bodies, and how often."""
        return [f"{stream}: {operation} left out fields Zoho Desk computes or does not take on this write: "
                + ", ".join(f"{name} ({n} records)" for name, n in sorted(counts.items()))
                for (stream, operation), counts in sorted(self.dropped.items())]

    def _insert_body(self, spec: ObjectSpec, record: dict) -> dict:
        body = self._body(spec, "INSERT", record)
        if spec.write.contact_or:  # tickets: contactId, or a contact by email (matched or created by Zoho)
            email = body.pop("contactEmail", None)
            if not body.get("contactId"):
                if not email:
                    raise RecordError(f"{spec.stream}: INSERT needs {' or '.join(spec.write.contact_or)}")
                body["contact"] = {"email": email}
        missing = [f for f in required(spec) if body.get(f) in (None, "", [])]
        if missing:
            raise RecordError(f"{spec.stream}: INSERT needs {', '.join(missing)}")
        return body

    def _upserts(self, stream: str, spec: ObjectSpec, work: list, results: list) -> tuple[list[list], dict]:
        """INSERTs looked up by natural key: found -> UPDATE of that id. Records sharing a new
        key go in later waves (returned with each one's folded key), as UPDATEs of what the
        first one created."""
        fields = self.upsert_keys[stream]
        keyed = {}
        for i, operation, record in work:
            if operation == "INSERT" and not self._journaled(stream, record):
                key = natural_key(record, fields)
                if key is not None:
                    keyed[i] = key
        found: dict[tuple[str, ...], list[str]] = {}
        if keyed and self.stop is None:  # a dry run looks up too (reads only): its preview says UPDATE or INSERT
            try:
                found = self.lookup.by_natural_key(spec, fields, list(keyed.values()))
            except ZohoDeskError as exc:
                fatal = is_fatal(exc)
                if fatal:
                    self._halt(exc)
                for i in keyed:
                    results[i] = Result(stream, "INSERT", None, "not_attempted" if fatal else "error", str(exc))
                work = [w for w in work if w[0] not in keyed]
                keyed = {}
        waves: list[list] = [[]]
        seen: dict[tuple[str, ...], int] = {}
        for i, operation, record in work:
            key = keyed.get(i)
            ids = found.get(folded(key), []) if key else []
            if key and len(ids) > 1:
                results[i] = Result(stream, "INSERT", None, "error", f"{stream}: {len(ids)} records have "
                                    f"{'/'.join(fields)} {'/'.join(key)} (ids {', '.join(ids[:5])}): not updating any")
                continue
            wave = 0
            if ids:
                record = {**record, "id": ids[0], "_upsert": "/".join(fields)}
                operation = "UPDATE"
            elif key:
                record = {**record, "_upsert": "/".join(fields)}
                wave = seen[folded(key)] = seen.get(folded(key), -1) + 1
            while len(waves) <= wave:
                waves.append([])
            waves[wave].append((i, operation, record))
        return waves, {i: folded(key) for i, key in keyed.items()}

    def _journaled(self, stream: str, record: dict) -> bool:
        if self.journal is None:
            return False
        entry = self.journal.get(self.journal.key(stream, record))
        return entry is not None and entry.state == "done"

    # -- execution ----------------------------------------------------------------------------
    def _one(self, stream: str, spec: ObjectSpec | None, operation: str, record: dict) -> Result:
        matched = record.pop("_upsert", None)
        if operation == "SEND":
            links = {"ticketId": str(record.get("ticketId") or "")}
            return self._creating(stream, BY_STREAM["threads"], record, self._reply(record), links)
        links = self._links(spec, record, operation)
        if operation == "INSERT":
            if spec.write.create == "upload":
                call = self._upload(spec, record, links)
            else:
                call = ("POST", spec.read.path.format(**links), self._insert_body(spec, record), None)
            result = self._creating(stream, spec, record, call, links)
            result.matched_by = matched
            return result
        body = self._body(spec, operation, record)
        path = (spec.write.update_path or spec.read.one).format(**links, id=record["id"])
        if not body:
            return Result(stream, operation, str(record["id"]), "ok", note="nothing to update", dry_run=self.dry_run)
        note = unproven(spec, operation)
        seen = self.before_image(spec, links, str(record["id"]), body)  # preview.py: kept, or previewed
        note = "; ".join(filter(None, [note, seen.pop("note", None)])) or None
        if not self.dry_run:
            self._update(spec, path, body)
        return Result(stream, operation, str(record["id"]), "ok", note=note, dry_run=self.dry_run,
                      matched_by=matched, **seen)

    def _update(self, spec: ObjectSpec, path: str, body: dict) -> None:
        """The row's verb and no other (R9); where no public source shows the call, an error says so."""
        try:
            self.client.request(spec.write.update_verb, path, json=body, label=f"update {spec.stream}")
        except ZohoDeskError as exc:
            note = unproven(spec, "UPDATE")
            if note and exc.kind in (GONE, UNSUPPORTED):
                raise RecordError(f"{exc} ({note})") from None
            raise

    def _creating(self, stream: str, spec: ObjectSpec, record: dict, call: tuple, links: dict) -> Result:
        """A create, journaled: intent, call, outcome; an unknown outcome is looked up first."""
        method, path, body, files = call
        operation = "SEND" if stream == ACTION else "INSERT"
        sent = body if files is None else {"name": files["file"][0], "size": str(len(files["file"][1]))}
        key = self.journal.key(stream, record) if self.journal else None
        entry = self.journal.get(key) if key else None
        if entry is not None and entry.state == "done":
            return Result(stream, operation, entry.zoho_id, "ok", note="already written (journal)", journal=True)
        if self.dry_run:
            return Result(stream, operation, None, "ok", dry_run=True)
        if entry is not None:  # intent without outcome: a run stopped between the two
            try:
                found = self.lookup.created(stream, spec, sent, links, entry.started, entry.tried, key)
            except ZohoDeskError as exc:
                if is_fatal(exc):
                    raise
                raise RecordError(f"{stream}: an earlier run may have created this record and looking for it "
                                  f"failed ({exc}); not creating it again while that is unknown") from None
            if found:
                return Result(stream, operation, found, "ok", note="created by an earlier run (found in Zoho)",
                              journal=True)
        last: ZohoDeskError | None = None
        for _ in range(self.client.max_retries + 1):
            since = self.journal.intend(key, stream) if key else None
            try:
                answer = self.client.request(method, path, json=body, files=files,
                                             label=f"{operation.lower()} {stream}", retry_unsafe=False)
            except ZohoDeskError as exc:
                if not is_unsure(exc):
                    if key and not is_fatal(exc, retried=False):
                        self.journal.forget(key)
                    raise
                last = exc
                time.sleep(self.client.backoff)  # give Zoho a moment before looking
                found = self.lookup.created(stream, spec, sent, links, since, datetime.now(timezone.utc),
                                            key) if key else None
                if found:
                    return Result(stream, operation, found, "ok", note="the answer was lost; found in Zoho")
                continue
            zoho_id = str(answer["id"]) if isinstance(answer, dict) and answer.get("id") else None
            if key:
                self.journal.done(key, stream, zoho_id)
            return Result(stream, operation, zoho_id, "ok")
        raise RecordError(f"{last} (still unsure after {self.client.max_retries + 1} tries and as many lookups: "
                          "a replay looks it up again before creating it)")

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
        return "POST", f"tickets/{record['ticketId']}/sendReply", plain(body), None

    def _upload(self, spec: ObjectSpec, record: dict, links: dict):
        if record.get("filePath"):
            path = allowed_file(spec.stream, record["filePath"], self.attachments_dir)
            name, content = record.get("name") or path.name, path.read_bytes()
        elif record.get("contentBase64") and record.get("name"):
            name, content = record["name"], base64.b64decode(record["contentBase64"])
        else:
            raise RecordError(f"{spec.stream}: INSERT needs filePath, or name and contentBase64 (the file)")
        kind = mimetypes.guess_type(name)[0] or "application/octet-stream"
        path = spec.read.path.format(**links)
        if record.get("isPublic") is not None:
            path += f"?isPublic={str(bool(record['isPublic'])).lower()}"
        return "POST", path, None, {"file": (name, content, kind)}
