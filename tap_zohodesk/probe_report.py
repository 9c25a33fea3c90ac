"""What a probe found: a verdict per stream, a table a person reads in one screen, a JSON report.

The JSON report holds endpoint templates (``tickets/{ticketId}/threads``, never an id), statuses,
Zoho's error codes, envelope names, field paths and JSON types, the fallbacks learned and the
calls and credits spent: never a record value, a token, an email, an id or Zoho's message text
(which can quote values), so it can be attached to a bug report as it is. Given back to a sync
(``probe_report``), its ``lessons`` seed the client's learned fallbacks (fallbacks.Learned.seed):
what the org already answered is taken from the first call, without the 4xx that taught it.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tap_zohodesk.api.catalog import BY_STREAM
from tap_zohodesk.api.errors import NOT_AVAILABLE_CODES as NOT_AVAILABLE
from tap_zohodesk.api.errors import ConfigError
from tap_zohodesk.api.schema_files import load_schema
from tap_zohodesk.probe_fields import Shape, compare
from tap_zohodesk.recycle import DELETED_RECORDS

if TYPE_CHECKING:
    from tap_zohodesk.api.client import ZohoDeskClient

VERSION = 1
MAX_WHY = 4  # differences per stream in the table (the JSON report has them all)
ROW_KINDS = ("list", "search", "child", "single", "detail", "recycle")
FIELD_META = {"type": "object", "properties": {"apiName": {"type": "string"}, "type": {"type": "string"},
                                               "isCustomField": {"type": "boolean"}}}
# The OAuth scope an endpoint needs (zoho-desk-api.md 2.4); None: no public source says.
SCOPES = (("search", "Desk.search.READ"), ("recycleBin", "Desk.settings.READ"), ("roles", "Desk.settings.READ"),
          ("profiles", "Desk.settings.READ"), ("businessHours", "Desk.settings.READ"),
          ("kbRootCategories", "Desk.settings.READ"), ("tickets", "Desk.tickets.READ"),
          ("ticketTags", "Desk.tickets.READ"), ("contacts", "Desk.contacts.READ"), ("accounts", "Desk.contacts.READ"),
          ("tasks", "Desk.tasks.READ"), ("calls", "Desk.calls.READ"), ("events", "Desk.events.READ"),
          ("products", "Desk.products.READ"), ("contracts", "Desk.contracts.READ"),
          ("articles", "Desk.articles.READ"), ("organization", "Desk.basic.READ"), ("agents", "Desk.basic.READ"),
          ("departments", "Desk.basic.READ"), ("teams", "Desk.basic.READ"))
log = logging.getLogger("zohodesk.client")


def scope_of(path: str) -> str | None:
    """The scopes a path needs (a module's search: the search scope and the module's)."""
    scopes = dict.fromkeys(scope for word, scope in SCOPES if word in path)
    return " and ".join(scopes) or None


def _schema(stream: str) -> dict:
    return load_schema(BY_STREAM.get(stream, DELETED_RECORDS))


def _added(stream: str) -> set[str]:
    """Fields the tap sets itself (parent links, the recycle bin's module): never in an answer."""
    spec = BY_STREAM.get(stream, DELETED_RECORDS)
    return set(spec.links) | ({"module"} if spec is DELETED_RECORDS else set())


@dataclass(frozen=True)
class Step:
    """One planned call: ``kind`` list, search, child, single, detail, recycle or fields."""

    kind: str
    path: str
    source: str  # the stream whose rows address it (a child's parent, a detail's own stream)
    module: str | None = None

    @property
    def endpoint(self) -> str:
        return f"GET /{self.path}" + (f"?module={self.module}" if self.module else "")


@dataclass
class Call:
    """What one step's answer was (rows are kept in memory, never written out)."""

    step: Step
    status: int | None = None
    code: str | None = None
    envelope: str | None = None  # expected
    found: str | None = None  # found
    rows: list[Any] = field(default_factory=list)
    fallbacks: list[str] = field(default_factory=list)
    problem: str | None = None
    note: str | None = None  # what was left unchecked, and why (not a difference)
    calls: int = 0


def _endpoint(call: Call, streams: list[str]) -> dict:
    step = call.step
    entry = {"endpoint": step.endpoint, "kind": step.kind, "streams": streams, "status": call.status,
             "code": call.code, "envelope": {"expected": call.envelope, "found": call.found},
             "rows": len(call.rows), "calls": call.calls, "fallbacks": list(call.fallbacks), "problem": call.problem,
             "note": call.note}
    if call.code in NOT_AVAILABLE:
        entry["not_available"] = {"code": call.code, "what_to_do": NOT_AVAILABLE[call.code],
                                  "scope": scope_of(step.path)}
    schemas = {s: FIELD_META if step.kind == "fields" else _schema(s) for s in streams}
    entry["fields"] = {}
    for stream, schema in schemas.items():
        shape = compare(call.rows, schema)
        if shape.rows:
            entry["fields"][stream] = {"extra_fields": shape.extra, "type_mismatches": shape.mismatches,
                                       "never_carried": shape.missing(schema, _added(stream))}
    return entry


def _verdict(stream: str, calls: list[Call]) -> dict:
    shape, why, unavailable, notes = Shape(), [], [], []
    refused: dict[str, tuple[list[str], dict]] = {}  # Zoho's "not here" code -> (endpoints, scopes they need)
    for call in calls:
        where = call.step.endpoint
        if call.note:
            notes.append(f"{where}: {call.note}")
        if call.code in NOT_AVAILABLE and call.step.kind != "fields":
            ends, scopes = refused.setdefault(call.code, ([], {}))
            ends.append(where)
            scopes.update(dict.fromkeys((scope_of(call.step.path) or "").split(" and ")))
        elif call.problem and (call.problem.startswith("not probed") or call.problem.startswith("no ")):
            unavailable.append(f"{where}: {call.problem}")
        elif call.problem:
            why.append(f"{where}: {call.problem}")
        why += [f"{where}: {line}" for line in call.fallbacks]
        if call.step.kind in ROW_KINDS:
            compare(call.rows, _schema(stream), shape)
    why += [f"{path} not in the schema (sent as {kind})" for path, kind in sorted(shape.extra.items())]
    for path, m in sorted(shape.mismatches.items()):
        line = f"{path} is {m['found']} where the schema says {'/'.join(m['schema'])} (" + (
            "a sync converts it)" if m["convertible"] else "a sync stops on it)")
        # an id sent as a JSON integer (the organization's, R7) is expected: every id is a string in
        # our records, so it is a note; any other field of another type differs
        an_id = path.rsplit(".", 1)[-1].split("[")[0] == "id" or path.endswith("Id")
        (notes if an_id and m["found"] == "integer" and "string" in m["schema"] else why).append(line)
    unavailable = [f"{', '.join(ends)} answered {code}: " + (
        f"the OAuth client lacks a scope: add {' and '.join(s for s in scopes if s) or 'the one Zoho names'}, "
        "mint a new refresh token, or deselect the stream" if code == "SCOPE_MISMATCH" else NOT_AVAILABLE[code])
        for code, (ends, scopes) in refused.items()] + unavailable
    verdict = "not available" if unavailable else "differs" if why else "confirmed"
    return {"verdict": verdict, "why": unavailable or why, "notes": notes, "rows_seen": shape.rows,
            "extra_fields": shape.extra, "type_mismatches": shape.mismatches,
            "never_carried": shape.missing(_schema(stream), _added(stream)) if shape.rows else []}


class ProbeReport:
    def __init__(self, results: dict[str, list[Call]], client: ZohoDeskClient, planned: int):
        self.results, self.planned = results, planned
        stats = client.stats()
        self.calls, self.credits = stats["calls"], stats["credits_used"]
        self.lessons = client.learned.export()
        self.verdicts = {stream: _verdict(stream, calls) for stream, calls in results.items()}

    def endpoints(self) -> list[dict]:
        users: dict[int, tuple[Call, list[str]]] = {}
        for stream, calls in self.results.items():
            for call in calls:
                users.setdefault(id(call), (call, []))[1].append(stream)
        return [_endpoint(call, streams) for call, streams in users.values()]

    def to_dict(self) -> dict:
        return {"probe_report": VERSION, "made_by": "tap-zohodesk --probe", "planned_calls": self.planned,
                "calls": self.calls, "credits": self.credits, "lessons": self.lessons,
                "endpoints": self.endpoints(), "streams": self.verdicts}

    def write(self, path: str) -> None:
        Path(path).write_text(json.dumps(self.to_dict(), indent=1, sort_keys=True) + "\n")

    def table(self) -> list[str]:
        """One line per stream that differs or is not available (what, by endpoint and field path),
        the confirmed ones named together, the unchecked parts, the calls and credits spent."""
        lines = [f"{'verdict':<15}{'stream':<30}{'status':<27}what"]
        for kind in ("differs", "not available"):
            for stream, calls in self.results.items():
                v = self.verdicts[stream]
                if v["verdict"] == kind:
                    codes = sorted({f"{c.status}" + (f" {c.code}" if c.code else "") for c in calls if c.status}
                                   - {"200", "204"})
                    what = v["why"][:MAX_WHY] + ([f"+{len(v['why']) - MAX_WHY} more in the JSON report"]
                                                 if len(v["why"]) > MAX_WHY else [])
                    status = ", ".join(codes) or ("200" if any(c.status for c in calls) else "-")
                    lines.append(f"{kind:<15}{stream:<30}{status:<27}{'; '.join(what)}")
        confirmed = [s for s, v in self.verdicts.items() if v["verdict"] == "confirmed"]
        lines += _wrapped(f"{'confirmed':<15}", f"({len(confirmed)}) " + ", ".join(confirmed))
        lines += [f"{'unchecked':<15}{s:<30}{'':<27}{'; '.join(v['notes'])}" for s, v in self.verdicts.items()
                  if v["notes"] and v["verdict"] == "confirmed"]
        counts = {k: sum(v["verdict"] == k for v in self.verdicts.values())
                  for k in ("confirmed", "differs", "not available")}
        lines.append(f"probe: {self.calls:,} calls ({self.planned} planned), {self.credits:,} credits; "
                     + ", ".join(f"{n} {k}" for k, n in counts.items())
                     + ("; send us the --probe-report file of a run that differs" if counts["differs"] else ""))
        return lines


def _wrapped(head: str, text: str, width: int = 110) -> list[str]:
    lines, line = [], ""
    for word in text.split(" "):
        if line and len(line) + 1 + len(word) > width - len(head):
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    return [(head if k == 0 else " " * len(head)) + part for k, part in enumerate([*lines, line])]


def seed_lessons(client: ZohoDeskClient, path: str) -> None:
    """Start ``client`` with the fallbacks an earlier probe's report learned (one clear line when the
    file is not such a report)."""
    try:
        report = json.loads(Path(path).read_text())
    except (OSError, ValueError) as exc:
        raise ConfigError(f"config 'probe_report' {path!r}: cannot read a probe report ({exc})") from None
    lessons = report.get("lessons") if isinstance(report, dict) else None
    if not isinstance(report, dict) or report.get("probe_report") != VERSION or not isinstance(lessons, dict):
        raise ConfigError(f"config 'probe_report' {path!r}: not a probe report of version {VERSION} "
                          "(write one with tap-zohodesk --probe --probe-report PATH)")
    for key, lesson in lessons.items():
        ok = isinstance(lesson, dict) and (lesson.get("limit") is None or isinstance(lesson["limit"], int)) \
            and isinstance(lesson.get("unpaged", False), bool) \
            and all(isinstance(d, str) for d in lesson.get("dropped") or [])
        if not ok:
            raise ConfigError(f"config 'probe_report' {path!r}: lesson {key!r} is not "
                              '{"limit": int|null, "unpaged": bool, "dropped": [names]}')
    client.learned.seed(lessons)
    for key, lesson in lessons.items():
        log.info("from the probe report: %s: %s", key, ", ".join(
            part for part in (f"paging by {lesson['limit']}" if lesson.get("limit") else "",
                              "read in one call" if lesson.get("unpaged") else "",
                              *(f"refuses '{d}'" for d in lesson.get("dropped") or [])) if part))
