"""Turn records into Zoho Desk writes, with one result per record and a replay journal.

The writer executes the write plans (api/plans.py: one per stream and operation, derived from
the catalog row): the plan gives the call, the body builder, the grouping and the journaling.

Policy in a few lines:
- operation (plans.operation_of): an action's own (``SEND``), ``_sdc_deleted_at`` set -> DELETE,
  else ``id`` -> UPDATE, else INSERT (tags are written by name: a ``ticket_tags`` record is
  always an INSERT unless deleted); an operation the stream never takes is ``skipped`` (the
  target says so once per stream and operation);
- with ``upsert_keys`` a record without ``id`` is looked up by those fields first (lookup.py)
  and becomes an UPDATE of the record found, or an INSERT;
- the body is the record's fields in the row's allow-list for the operation (writable.py);
  the parent ids go in the URL; other fields the tap emits are dropped (one log line per stream
  and operation at the end), any other field refuses the record; INSERT drops nulls, UPDATE
  patches exactly the fields present; an update uses the row's verb, never another;
- creates (INSERT, SEND: plans ``journaled``) are journaled (journal.py): intent before the call, outcome
  after; an intent without outcome, or a create answered 5xx or cut off, is looked up in
  Zoho before it is sent again, so no record is created twice;
- deletes and tags go in groups as their plans say (batches.py); updates setting one field to
  one value, in bulk (bulk.py);
- a failure no record can fix (outcome.is_fatal) stops the writer: what is in flight ends,
  nothing more is sent, the rest is ``not_attempted`` and ``FatalStop`` is raised.
"""

from __future__ import annotations

import threading
from collections import Counter
from datetime import datetime, timezone

from tap_zohodesk.api.client import ZohoDeskClient, ZohoDeskError
from tap_zohodesk.api.errors import GONE, UNSUPPORTED
from tap_zohodesk.api.plans import JSON, ONE, REPLY, ROWS, UPLOAD, WritePlan, operation_of, plans_of, refusal
from tap_zohodesk.api.retry import quick
from tap_zohodesk.api.rows import ObjectSpec
from tap_zohodesk.api.writable import UnknownFields
from tap_zohodesk.api.writable import body as allowed_body
from target_zohodesk.batches import GroupWrites, Item, record_id
from target_zohodesk.bulk import BulkUpdates
from target_zohodesk.calls import plain, reply_body
from target_zohodesk.journal import Journal
from target_zohodesk.lookup import Lookup, folded, natural_key
from target_zohodesk.outcome import FatalStop, RecordError, Result, is_fatal, is_unsure
from target_zohodesk.preview import BeforeImages, Prefetch
from target_zohodesk.uploads import upload


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
        spec = ROWS.get(stream)
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
        """The wave by its plans: bulk updates first, then a call per record side by side, then each
        plan's grouped records (deletes last, whatever their grouping)."""
        plans = plans_of(stream)
        self.prefetch(spec, wave)  # a dry run reads its updates' records 25 a search where it can (preview.py)
        wave = self.bulk_updates(stream, plans.get("UPDATE"), wave, results)  # one field, one value (bulk.py)
        singles = [w for w in wave if w[1] != "DELETE" and plans[w[1]].grouping == ONE]
        for (i, _op, _record), result in zip(singles, self._map(
                lambda w: self._guard(stream, w[1], w[2], lambda: self.one(plans[w[1]], w[2])), singles),
                strict=True):
            results[i] = result
        for operation, plan in plans.items():
            group = [(i, record) for i, op, record in wave
                     if op == operation and (op == "DELETE" or plan.grouping != ONE)]
            for i, result in self.grouped(plan, group) if group else ():
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
    @staticmethod
    def _links(plan: WritePlan, record: dict) -> dict[str, str]:
        """The parent ids the plan's path takes from the record."""
        missing = next((link for link in plan.links if not record.get(link)), None)
        if missing:
            raise RecordError(f"{plan.stream}: {plan.operation} needs {missing} (the parent's id)")
        return {link: str(record[link]) for link in plan.links}

    def _body(self, plan: WritePlan, record: dict) -> dict:
        """The ``json`` builder: the record's fields in the plan's allow-list (writable.py)."""
        try:
            body, dropped = allowed_body(plan.spec, plan.operation, record)
        except UnknownFields as exc:
            raise RecordError(str(exc)) from None
        if dropped:
            with self._stop_lock:
                self.dropped.setdefault((plan.stream, plan.operation), Counter()).update(dropped)
        return {k: plain(v) for k, v in body.items() if not (plan.operation == "INSERT" and v is None)}

    def dropped_lines(self) -> list[str]:
        """One line per stream and operation: the emitted fields left out of its bodies, and how often."""
        return [f"{stream}: {operation} left out fields Zoho Desk computes or does not take on this write: "
                + ", ".join(f"{name} ({n} records)" for name, n in sorted(counts.items()))
                for (stream, operation), counts in sorted(self.dropped.items())]

    def _insert_body(self, plan: WritePlan, record: dict) -> dict:
        body = self._body(plan, record)
        if plan.either:  # tickets: contactId, or a contact by email (matched or created by Zoho)
            email = body.pop("contactEmail", None)
            if not body.get("contactId"):
                if not email:
                    raise RecordError(f"{plan.stream}: INSERT needs {' or '.join(plan.either)}")
                body["contact"] = {"email": email}
        missing = [f for f in plan.required if body.get(f) in (None, "", [])]
        if missing:
            raise RecordError(f"{plan.stream}: INSERT needs {', '.join(missing)}")
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
    def one(self, plan: WritePlan, record: dict) -> Result:
        """One record's call, as its plan says: a create (journaled), an update, or a delete."""
        if plan.operation == "DELETE":
            return self._remove_one(plan, record)
        matched = record.pop("_upsert", None)
        if plan.journaled:
            call, links = self._create_call(plan, record)
            result = self._creating(plan, record, call, links)
            result.matched_by = matched
            return result
        links = self._links(plan, record)
        body = self._body(plan, record)
        path = plan.path.format(**links, id=record["id"])
        if not body:
            return Result(plan.stream, plan.operation, str(record["id"]), "ok", note="nothing to update",
                          dry_run=self.dry_run)
        note = plan.note
        seen = self.before_image(plan.spec, links, str(record["id"]), body)  # preview.py: kept, or previewed
        note = "; ".join(filter(None, [note, seen.pop("note", None)])) or None
        if not self.dry_run:
            self._update(plan, path, body)
        return Result(plan.stream, plan.operation, str(record["id"]), "ok", note=note, dry_run=self.dry_run,
                      matched_by=matched, **seen)

    def _create_call(self, plan: WritePlan, record: dict) -> tuple[tuple, dict]:
        """(verb, path, body, files) of a create by its plan's body builder, and the parent ids."""
        if plan.body == REPLY:
            body = reply_body(plan, record)  # says every field missing, the ticket's id included
            links = self._links(plan, record)
            return (plan.verb, plan.path.format(**links), body, None), links
        links = self._links(plan, record)
        if plan.body == UPLOAD:
            return upload(plan, record, links, self.attachments_dir), links
        if plan.body != JSON:
            raise ValueError(f"{plan.stream}: no body builder {plan.body!r} for a create")
        return (plan.verb, plan.path.format(**links), self._insert_body(plan, record), None), links

    def _update(self, plan: WritePlan, path: str, body: dict) -> None:
        """The plan's verb and no other (R9); where no public source shows the call, an error says so."""
        try:
            self.client.request(plan.verb, path, json=body, label=f"update {plan.stream}")
        except ZohoDeskError as exc:
            note = plan.note
            if note and exc.kind in (GONE, UNSUPPORTED):
                raise RecordError(f"{exc} ({note})") from None
            raise

    def _creating(self, plan: WritePlan, record: dict, call: tuple, links: dict) -> Result:
        """A create, journaled: intent, call, outcome; an unknown outcome is looked up first (where the
        plan's row reads what it makes)."""
        _method, _path, body, files = call
        stream, spec, operation = plan.stream, plan.spec, plan.operation
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
        tries = _UnsureCreate(self, plan, call, links, key, sent)
        return quick(tries, (self.client.backoff,) * tries.tries, _Lost)  # the core's retry policy


class _Lost(Exception):
    """A create whose answer was lost (``unsure``): the retry policy waits, then it is looked up."""


class _UnsureCreate:
    """The tries of one journaled create, through the core's retry policy (retry.quick): a create
    whose answer is lost raises ``_Lost``; after the policy's wait the next try first looks for it
    in Zoho, and creates it again only if it is not there. ``max_retries + 1`` creates at most, the
    last one looked up too: then the record fails, still unsure."""

    def __init__(self, writer: Writer, plan: WritePlan, call: tuple, links: dict, key: str | None, sent: dict):
        self.writer, self.plan, self.call, self.links, self.key, self.sent = writer, plan, call, links, key, sent
        self.tries = writer.client.max_retries + 1
        self.creates, self.since, self.last = 0, None, None

    def __call__(self) -> Result:
        writer, plan, key = self.writer, self.plan, self.key
        stream, operation = plan.stream, plan.operation
        if self.last is not None:  # the last create's answer was lost: is the record in Zoho?
            found = writer.lookup.created(stream, plan.spec, self.sent, self.links, self.since,
                                          datetime.now(timezone.utc), key) if key else None
            if found:
                return Result(stream, operation, found, "ok", note="the answer was lost; found in Zoho")
            if self.creates == self.tries:
                raise RecordError(f"{self.last} (still unsure after {self.tries} tries and as many lookups: "
                                  "a replay looks it up again before creating it)")
        method, path, body, files = self.call
        self.since = writer.journal.intend(key, stream) if key else None
        self.creates += 1
        try:
            answer = writer.client.request(method, path, json=body, files=files,
                                           label=f"{operation.lower()} {stream}", retry_unsafe=False)
        except ZohoDeskError as exc:
            if not is_unsure(exc):
                if key and not is_fatal(exc, retried=False):
                    writer.journal.forget(key)
                raise
            self.last = exc
            raise _Lost(exc) from exc
        zoho_id = str(answer["id"]) if isinstance(answer, dict) and answer.get("id") else None
        if key:
            writer.journal.done(key, stream, zoho_id)
        return Result(stream, operation, zoho_id, "ok")
