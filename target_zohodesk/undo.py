"""``target-zohodesk --config CONFIG --undo RESULTS``: reverse a run from its results file.

Per ``ok`` line of the run (dry-run lines are left out; a record met twice, as in a file runs
appended to, is undone once: see ``merged``):

- a DELETE that trashed the record -> ``RESTORE``: ``POST recycleBin/restore {"ids",
  "isChildNeedToBeRestored": true}`` (Zoho's Postman collection), 50 ids a call; Zoho keeps
  trashed records 60 days, so an older one cannot come back (said per record). A record that
  was already gone before the run, or that was removed for good (sub-resources: DELETE), is
  not restored (said);
- an INSERT -> ``TRASH``: the record is read first; one changed since it was created
  (``modifiedTime`` past ``createdTime``) is left alone (said); the others go to the trash as a
  DELETE does (``moveToTrash`` 50 a call, or its DELETE);
- an UPDATE with a before image (``keep_before_images``) -> ``REVERT``: the record is read; the
  fields that still hold what the run set get their earlier values back (one PATCH/PUT); a
  field someone changed since is never overwritten: the record is left as it is (said).

Streams are undone in the reverse order of the run (a ticket created for a new contact goes
before the contact). Child records (comments, attachments, ...) are not undone: their parent's id is not in the
results. The undo writes its own results file (RESULTS less ``.jsonl`` plus ``.undo.jsonl``,
appended) and its table; replaying it changes nothing: a restored record is found live, a
trashed one gone, a reverted one already as before (each ``ok`` with a note).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from tap_zohodesk.api.catalog import BY_STREAM, ObjectSpec
from tap_zohodesk.api.client import ZohoDeskClient, ZohoDeskError
from tap_zohodesk.api.errors import GONE
from tap_zohodesk.api.plans import TRASH, plan
from target_zohodesk.batches import ALREADY_GONE
from target_zohodesk.outcome import FatalStop, Result, is_fatal
from target_zohodesk.preview import same
from target_zohodesk.reader import json_lines
from target_zohodesk.writer import Writer

UNDO = {"DELETE": "RESTORE", "INSERT": "TRASH", "UPDATE": "REVERT"}
RESTORE_BATCH = 50  # ids per restore call: not documented [U]; as moveToTrash
NOT_IN_BIN = ("not in the recycle bin: Zoho Desk keeps trashed records 60 days; this one is older, was deleted "
              "from the bin, or was never trashed")


def undo_results_path(results: str) -> Path:
    path = Path(results)
    return path.with_name((path.name[:-6] if path.name.endswith(".jsonl") else path.name) + ".undo.jsonl")


def read_lines(results: str) -> list[dict]:
    """The run's ok lines, each record once (the last line of a record wins), in file order."""
    path = Path(results)
    if not path.is_file():
        raise FileNotFoundError(f"--undo: no results file {results!r}")
    picked: dict[tuple[str, str, str], dict] = {}
    for number, line in json_lines(path.read_text(encoding="utf-8").splitlines(), f"--undo: {results}"):
        if not isinstance(line, dict) or not {"stream", "operation", "status"} <= set(line):
            raise ValueError(f"--undo: {results} line {number} is not a results line")
        if line["status"] == "ok" and not line.get("dry_run") and line.get("id"):
            key = (line["stream"], line["operation"], str(line["id"]))
            earlier = picked.pop(key, None)
            picked[key] = line if earlier is None else merged(earlier, line)
    return list(picked.values())


def merged(earlier: dict, later: dict) -> dict:
    """One record twice in a results file (runs append to it): an update keeps the earliest
    value of each field as its before image and the latest as its after; a create or delete the
    line of the run that did it (not a replay's "already written" / "already gone")."""
    if later["operation"] == "UPDATE" and isinstance(earlier.get("before"), dict) \
            and isinstance(later.get("before"), dict):
        return {**later, "before": {**later["before"], **earlier["before"]},
                "after": {**(earlier.get("after") or {}), **(later.get("after") or {})}}
    if _replayed(later) and not _replayed(earlier):
        return earlier
    return later


def _replayed(line: dict) -> bool:
    return bool(line.get("journal")) or line.get("note") == ALREADY_GONE


def why_not(line: dict) -> str | None:
    """Why this line cannot be undone, or None."""
    stream, operation = line["stream"], line["operation"]
    spec = BY_STREAM.get(stream)
    if operation not in UNDO or spec is None:
        return f"{stream}: a {operation} cannot be undone"
    if spec.links and not (spec.parent and spec.parent.as_param):
        return f"{stream}: a child record: its parent's id is not in the results"
    if operation == "DELETE" and line.get("note") == ALREADY_GONE:
        return "it was already gone before the run: nothing to restore"
    if operation == "INSERT" and line.get("journal"):
        return "created by an earlier run (journal): undo with that run's results"
    if operation == "UPDATE" and line.get("note") == "nothing to update":
        return "the run changed nothing"
    if operation == "DELETE" and plan(spec, "DELETE").grouping != TRASH:
        return f"{stream}: removed for good (not trashed): Zoho Desk has no restore for it"
    if operation == "UPDATE" and not isinstance(line.get("before"), dict):
        return "no before image (keep_before_images was off): the earlier values are unknown"
    return None


class Undo:
    """One undo: the writer's calls (trash, update), the recycle bin's restore, one result per line."""

    def __init__(self, client: ZohoDeskClient, report: Callable[[list[Result]], None]):
        self.client = client
        self.report = report
        self.writer = Writer(client, None, dry_run=False)

    def run(self, lines: list[dict]) -> None:
        groups: dict[tuple[str, str], list[dict]] = {}
        for line in lines:
            why = why_not(line)
            if why:
                self.report([Result(line["stream"], UNDO.get(line["operation"], line["operation"]),
                                    str(line["id"]), "skipped", why)])
            else:
                groups.setdefault((line["stream"], line["operation"]), []).append(line)
        for (stream, operation), group in reversed(groups.items()):  # last done, first undone
            spec = BY_STREAM[stream]
            if operation == "DELETE":
                for start in range(0, len(group), RESTORE_BATCH):
                    self.report(self._restore(spec, [str(x["id"]) for x in group[start:start + RESTORE_BATCH]]))
            elif operation == "INSERT":
                self.report(self._trash(spec, [str(x["id"]) for x in group]))
            else:
                self.report(list(self.client.map(lambda x, s=spec: self._guarded(s, "REVERT", x, self._revert),
                                                 group)))

    def _guarded(self, spec: ObjectSpec, operation: str, line: dict, fn) -> Result:
        try:
            return fn(spec, line)
        except ZohoDeskError as exc:
            if is_fatal(exc):
                raise FatalStop(exc) from None
            return Result(spec.stream, operation, str(line["id"]), "error", str(exc))

    # -- deleted -> restored ----------------------------------------------------------------
    def _restore(self, spec: ObjectSpec, ids: list[str]) -> list[Result]:
        try:
            answer = self.client.request("POST", "recycleBin/restore",
                                         json={"ids": ids, "isChildNeedToBeRestored": True},
                                         label=f"restore {spec.stream}")
        except ZohoDeskError as exc:
            if is_fatal(exc):
                raise FatalStop(exc) from None
            if len(ids) > 1:
                return [r for rid in ids for r in self._restore(spec, [rid])]
            answer = {"results": [{"id": ids[0], "success": False, "errors": str(exc)}]}
        refused = {str(r.get("id")) for r in (answer or {}).get("results") or [] if not r.get("success")}
        out = []
        for rid in ids:
            if rid not in refused:
                out.append(Result(spec.stream, "RESTORE", rid, "ok"))
            else:
                out.append(self._guarded(spec, "RESTORE", {"id": rid}, self._restore_refused))
        return out

    def _restore_refused(self, spec: ObjectSpec, line: dict) -> Result:
        rid = str(line["id"])
        if self.client.gone(spec.read.one.format(id=rid), label=f"check {spec.stream}"):
            return Result(spec.stream, "RESTORE", rid, "skipped", NOT_IN_BIN)
        return Result(spec.stream, "RESTORE", rid, "ok", note="already restored (the record is live)")

    # -- created -> trashed -----------------------------------------------------------------
    def _trash(self, spec: ObjectSpec, ids: list[str]) -> list[Result]:
        checked = list(self.client.map(lambda rid: self._guarded(spec, "TRASH", {"id": rid}, self._untouched), ids))
        out = [r for r in checked if r.status != "ok" or r.note]
        go = [(i, {"id": r.id}) for i, r in enumerate(checked) if r.status == "ok" and not r.note]
        sent = [r for _, r in self.writer.grouped(plan(spec, "DELETE"), go)]  # as the run deletes it
        if self.writer.stop is not None:
            raise FatalStop(self.writer.stop)
        return out + [Result(spec.stream, "TRASH", r.id, r.status, r.error, note=r.note) for r in sent]

    def _untouched(self, spec: ObjectSpec, line: dict) -> Result:
        """ok without note: the record is as created, trash it; ok with a note: gone already."""
        rid = str(line["id"])
        try:
            row = self.client.get(spec.read.one.format(id=rid), label=f"check {spec.stream}")
        except ZohoDeskError as exc:
            if exc.kind == GONE:
                return Result(spec.stream, "TRASH", rid, "ok", note=ALREADY_GONE)
            raise
        row = row if isinstance(row, dict) else {}
        created, modified = row.get("createdTime"), row.get("modifiedTime")
        if created and modified and not same(modified, created):
            return Result(spec.stream, "TRASH", rid, "skipped", f"changed since it was created (modifiedTime "
                          f"{modified}, createdTime {created}): not trashed")
        return Result(spec.stream, "TRASH", rid, "ok")

    # -- updated -> set back ----------------------------------------------------------------
    def _revert(self, spec: ObjectSpec, line: dict) -> Result:
        rid, before, after = str(line["id"]), line["before"], line.get("after") or {}
        current = self.client.get(spec.read.one.format(id=rid), label=f"check {spec.stream}")
        current = current if isinstance(current, dict) else {}
        back = {name: value for name, value in before.items() if not same(current.get(name), value)}
        if not back:
            return Result(spec.stream, "REVERT", rid, "ok", note="already as before")
        moved = [name for name in back if name not in after or not same(current.get(name), after[name])]
        if moved:
            return Result(spec.stream, "REVERT", rid, "skipped", f"changed since the run by someone else "
                          f"({', '.join(moved)}): not set back")
        update = plan(spec, "UPDATE")
        self.client.request(update.verb, update.path.format(id=rid), json=back, label=f"revert {spec.stream}")
        return Result(spec.stream, "REVERT", rid, "ok")
