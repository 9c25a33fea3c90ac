"""Updates that go out in bulk: records of one stream setting the same value on the same field.

Zoho Desk sets one field on many records in one call (the UPDATE plan's ``bulk_path``, from the
row: OAS ``tickets/updateMany`` and ``contracts/updateMany``, evidence R13: ``{ids, fieldName,
fieldValue, isCustomField}``), at one credit per two records (the credit model, zoho-desk-api 10)
where a PATCH costs one per record.

The plan, per batch of a stream:
- an UPDATE whose body (after the allow-list, writable.py) is exactly one field with a value that is
  not null (a custom field: ``cf`` holding one ``cf_*`` name, sent with ``isCustomField`` true), and
  whose id no other UPDATE of the batch names, is a candidate; candidates sharing field and value,
  two or more, go out ``BULK_MAX_IDS`` ids a call; every other record goes out one by one as before;
- each record keeps its own result line; with ``keep_before_images`` each record is read first,
  exactly as a PATCH of it would be (preview.py), so ``--undo`` works the same;
- a call refused as a whole (4xx), or an id its results array marks failed or leaves out, is sent
  again alone as a PATCH (setting a value twice changes nothing), which gives that record its own
  line; a failure no record can fix stops the writer as any other call's does. A dry run writes
  nothing and previews record by record, as before.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable

from tap_zohodesk.api.client import ZohoDeskClient, ZohoDeskError
from tap_zohodesk.api.errors import REFUSALS
from tap_zohodesk.api.plans import WritePlan
from tap_zohodesk.api.writable import UnknownFields
from tap_zohodesk.api.writable import body as allowed_body
from target_zohodesk.outcome import RecordError, Result, is_fatal

BULK_MAX_IDS = 50  # no public source states a maximum: the cautious cap the target's moveToTrash uses too
Work = tuple[int, str, dict]


def one_field(body: dict) -> tuple[str, bool, object] | None:
    """(fieldName, isCustomField, fieldValue) when ``body`` sets exactly one field to a value, else None."""
    if len(body) != 1:
        return None
    (name, value), = body.items()
    custom = name == "cf"
    if custom:
        if not isinstance(value, dict) or len(value) != 1:
            return None
        (name, value), = value.items()
        if not str(name).startswith("cf_"):
            return None
    if value is None or isinstance(value, (dict, list)):
        return None
    return name, custom, value


class BulkUpdates:
    """Mixed into the Writer (which provides client, dry_run, stop, _body, _update, _halt, _map, before_image)."""

    client: ZohoDeskClient | None
    dry_run: bool
    stop: ZohoDeskError | None
    _body: Callable
    _update: Callable
    _halt: Callable
    _map: Callable
    before_image: Callable

    def bulk_updates(self, stream: str, plan: WritePlan | None, wave: list[Work], results: list) -> list[Work]:
        """Write the wave's bulk updates (their results set in ``results``); return the rest of the wave."""
        if self.dry_run or self.client is None or plan is None or plan.bulk_path is None:
            return wave
        groups = self._bulk_groups(plan, wave)
        chunks = [(key, group[start:start + BULK_MAX_IDS]) for key, group in groups.items() if len(group) > 1
                  for start in range(0, len(group), BULK_MAX_IDS)]
        if not chunks:
            return wave
        taken = {i for _, chunk in chunks for i, _ in chunk}
        for done in self._map(lambda c: self._bulk_chunk(stream, plan, c[0][:2], c[1]), chunks):
            for i, result in done:
                results[i] = result
        return [w for w in wave if w[0] not in taken]

    def _bulk_groups(self, plan: WritePlan, wave: list[Work]) -> dict[tuple, list[tuple[int, dict]]]:
        ids = Counter(str(r.get("id")) for _, op, r in wave if op == "UPDATE")
        groups: dict[tuple, list[tuple[int, dict]]] = {}
        for i, operation, record in wave:
            if operation != "UPDATE" or not record.get("id") or ids[str(record["id"])] > 1:
                continue
            try:
                field = one_field(allowed_body(plan.spec, "UPDATE", record)[0])
            except UnknownFields:
                continue  # refused record by record, as before
            if field is not None:
                name, custom, value = field
                same = (type(value).__name__, json.dumps(value, sort_keys=True, default=str))
                groups.setdefault((name, custom, same), []).append((i, record))
        return groups

    def _bulk_chunk(self, stream: str, plan: WritePlan, field: tuple[str, bool],
                    chunk: list[tuple[int, dict]]) -> list[tuple[int, Result]]:
        out: list[tuple[int, Result]] = []
        ready: list[tuple[int, dict, dict, Result]] = []  # index, record, body, the result if written
        for i, record in chunk:
            result = self._bulk_prepare(stream, plan, record, out, i)
            if result is not None:
                ready.append((i, record, *result))
        if not ready or self.stop is not None:
            return out + [(i, self._not_attempted(stream, record, None)) for i, record, _, _ in ready]
        ids = [str(record["id"]) for _, record, _, _ in ready]
        value = one_field(ready[0][2])[2]  # the value as JSON takes it (the writer's body), the same for all
        try:
            answer = self.client.request("POST", plan.bulk_path, label=f"bulk update {stream}", json={
                "ids": ids, "fieldName": field[0], "fieldValue": value, "isCustomField": field[1]})
        except ZohoDeskError as exc:
            if is_fatal(exc):
                self._halt(exc)
                return out + [(i, self._not_attempted(stream, r, exc)) for i, r, _, _ in ready]
            if exc.kind not in REFUSALS:  # not a no to this request: each record's error
                return out + [(i, Result(stream, "UPDATE", result.id, "error", str(exc))) for i, _, _, result in ready]
            answer = {"results": []}  # refused as a whole: each record alone, to learn which one
        rows = answer.get("results") if isinstance(answer, dict) else None
        passed = {str(r.get("id")) for r in rows if isinstance(r, dict) and r.get("success") is True} \
            if isinstance(rows, list) else set(ids)
        for (i, record, body, result), record_id in zip(ready, ids, strict=True):
            out.append((i, result if record_id in passed else self._alone(stream, plan, record, body, result)))
        return out

    def _bulk_prepare(self, stream: str, plan: WritePlan, record: dict, out: list, i: int):
        """(body, the ok result) of a record about to go out in bulk, its before image read as a PATCH's
        would be; None with its error line appended to ``out`` when that fails."""
        rid = str(record["id"])
        if self.stop is not None:
            out.append((i, self._not_attempted(stream, record, None)))
            return None
        try:
            body = self._body(plan, record)  # counts the fields left out, as a PATCH does
            seen = self.before_image(plan.spec, {}, rid, body)
        except RecordError as exc:
            out.append((i, Result(stream, "UPDATE", rid, "error", str(exc))))
            return None
        except ZohoDeskError as exc:
            if is_fatal(exc):
                self._halt(exc)
                out.append((i, self._not_attempted(stream, record, exc)))
            else:
                out.append((i, Result(stream, "UPDATE", rid, "error", str(exc))))
            return None
        note = "; ".join(filter(None, [plan.note, seen.pop("note", None)])) or None
        return body, Result(stream, "UPDATE", rid, "ok", note=note, matched_by=record.get("_upsert"), **seen)

    def _alone(self, stream: str, plan: WritePlan, record: dict, body: dict, result: Result) -> Result:
        """The record's own PATCH, after its bulk call refused or did not confirm it."""
        if self.stop is not None:
            return self._not_attempted(stream, record, None)
        try:
            self._update(plan, plan.path.format(id=record["id"]), body)
        except RecordError as exc:
            return Result(stream, "UPDATE", result.id, "error", str(exc))
        except ZohoDeskError as exc:
            if is_fatal(exc):
                self._halt(exc)
                return self._not_attempted(stream, record, exc)
            return Result(stream, "UPDATE", result.id, "error", str(exc))
        return result

    @staticmethod
    def _not_attempted(stream: str, record: dict, exc: ZohoDeskError | None) -> Result:
        return Result(stream, "UPDATE", str(record["id"]), "not_attempted", str(exc) if exc else None)
