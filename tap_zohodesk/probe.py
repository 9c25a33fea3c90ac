"""``tap-zohodesk --probe``: which of the catalog's facts a real org confirms, in a few hundred credits.

One cheap call per read endpoint of the catalog, never a write: the first page of each list or
search at the catalog's page cap (the cap is one of the facts to confirm; the page costs what a
smaller one costs); a child endpoint through the first parent that has children (a parent whose
row counts some is asked first; at most ``PARENT_TRIES`` parents are asked); the GET of one
record where the catalog reads one; the recycle bin per module; the custom-field metadata per
module. The number of calls is printed before the first one; no call is made that could take
the run past ``max_api_credits``. What the answers say is judged in probe_report.py.
"""

from __future__ import annotations

import sys
from collections import defaultdict
from datetime import datetime, timezone
from itertools import islice
from typing import TYPE_CHECKING, Any

from singer_sdk import typing as th

from tap_zohodesk.api.catalog import BY_STREAM, OBJECTS
from tap_zohodesk.api.client import BudgetSpent, ZohoDeskClient, ZohoDeskError, to_zoho_time
from tap_zohodesk.api.credits import LIST_CALL_CREDITS
from tap_zohodesk.api.errors import AUTH, ORG
from tap_zohodesk.api.paging import Pager, rows_of
from tap_zohodesk.api.rows import ObjectSpec
from tap_zohodesk.drift import json_type
from tap_zohodesk.probe_report import Call, ProbeReport, Step
from tap_zohodesk.reading import FLOOR
from tap_zohodesk.recycle import DELETED_RECORDS, recycle_bin
from tap_zohodesk.recycle import MODULES as RECYCLE_MODULES

if TYPE_CHECKING:
    from tap_zohodesk.run import RunContext

PARENT_TRIES = 5
# The count a parent row may carry of its children (tickets: followerCount ...): parents that
# count some are asked first (a row counting none is still asked when no other is left).
COUNTERS = {"threads": "threadCount", "comments": "commentCount", "attachments": "attachmentCount",
            "followers": "followerCount", "approvals": "approvalCount", "timeEntry": "timeEntryCount",
            "tags": "tagCount"}
MAX_WEIGHT = LIST_CALL_CREDITS  # credits of the costliest call a probe makes (a first page)
SPECS: tuple[ObjectSpec, ...] = (*OBJECTS, DELETED_RECORDS)

PROBE_SETTINGS = (
    th.Property("probe", th.BooleanType, default=False,
                description="Sync nothing: one cheap read per endpoint of the catalog, then a verdict per stream "
                "(confirmed, differs, not available) on stderr (same as --probe). Never writes."),
    th.Property("probe_report", th.StringType,
                description="With probe: where the JSON probe report goes (field names, types, statuses, Zoho's "
                "codes; no record value). In a sync: an earlier probe's report, whose learned fallbacks "
                "are taken from the first call (same as --probe-report PATH)."),
    th.Property("keep_unknown_fields", th.BooleanType, default=False,
                description="Fields Zoho sends that the schema lacks go to a JSON column _sdc_extra (path -> "
                "value) instead of being dropped; they are counted in the end-of-run table either way."),
)


def take_probe_flags(argv: list[str]) -> tuple[bool, str | None]:
    """Take ``--probe`` and ``--probe-report PATH`` out of ``argv`` (before the SDK parses it)."""
    probe = "--probe" in argv
    if probe:
        argv.remove("--probe")
    path = None
    for k, arg in enumerate(argv):
        if arg.startswith("--probe-report="):
            path = argv.pop(k).split("=", 1)[1]
            break
        if arg == "--probe-report":
            if k + 1 >= len(argv):
                raise SystemExit("tap-zohodesk: --probe-report needs a file path")
            path = argv[k + 1]
            del argv[k:k + 2]
            break
    return probe, path


def plan() -> dict[str, list[Step]]:
    """Stream -> the steps whose answers judge it, in catalog order (steps shared by streams once)."""
    out: dict[str, list[Step]] = {}
    for spec in SPECS:
        read, steps = spec.read, []
        if spec is DELETED_RECORDS:
            steps = [Step("recycle", read.path, spec.stream, m) for m in RECYCLE_MODULES]
        elif spec.parent:
            steps.append(Step("single" if read.single else "child", read.path, spec.parent.stream))
        else:
            if read.search:
                steps.append(Step("search", read.search, spec.stream))
            steps.append(Step("list", read.path, spec.stream))
        if read.item_get and ("id" in spec.filters.ops or read.slim or read.extended or read.extended_by):
            steps.append(Step("detail", read.one, read.details_of or spec.stream))
        if read.cf_module:
            steps.append(Step("fields", "organizationFields", "", read.cf_module))
        out[spec.stream] = steps
    return out


class ProbeClient:
    """The run's client as a pager sees it, keeping the last answer and never passing the budget."""

    def __init__(self, client: ZohoDeskClient):
        self.client, self.learned, self.last = client, client.learned, None

    def get(self, path: str, params: dict | None = None, *, label: str | None = None) -> Any:
        budget = self.client.credits.budget
        if budget is not None and self.client.credits.used + MAX_WEIGHT > budget:
            raise BudgetSpent(f"max_api_credits {budget:,}: the next call could pass it")
        self.last = None
        self.last = self.client.get(path, params, label=label)
        return self.last

    def pages(self, path: str, *, limit: int, params: dict | None = None, data_key: str = "data",
              label: str | None = None, paged: bool = True, key: str | None = None,
              droppable: frozenset[str] = frozenset()) -> Pager:
        return Pager(self.get, self.learned, path, limit=limit, params=params, data_key=data_key, label=label,
                     max_from=None, paged=paged, key=key, droppable=droppable)


class Probe:
    def __init__(self, client: ZohoDeskClient):
        self.client, self.api = client, ProbeClient(client)
        self.steps = plan()
        self.done: dict[Step, Call] = {}
        self.rows: dict[str, list[dict]] = defaultdict(list)  # stream -> rows of its own list/child answers
        self.budget_hit = False

    @property
    def planned(self) -> int:
        return len({s for steps in self.steps.values() for s in steps})

    def run(self) -> dict[str, list[Call]]:
        for stream, steps in self.steps.items():
            for step in steps:
                if step not in self.done:
                    self.done[step] = self._execute(BY_STREAM.get(stream, DELETED_RECORDS), step)
        return {stream: [self.done[s] for s in steps] for stream, steps in self.steps.items()}

    def _execute(self, spec: ObjectSpec, step: Step) -> Call:
        call = Call(step, envelope=None if step.kind == "detail" else (spec.read.envelope or "data"))
        fired, calls = len(self.client.learned.fired), self.client.stats()["calls"]
        if self.budget_hit:
            call.problem = "not probed: max_api_credits reached"
            return call
        self.api.last = None
        try:
            call.rows = self._answer(spec, step, call)
            call.status = call.status or (204 if self.api.last is None else 200)
        except BudgetSpent:
            self.budget_hit = True
            call.problem = "not probed: max_api_credits reached"
        except _NoParent as exc:
            call.problem = str(exc)
        except _NoRecord as exc:
            call.note = str(exc)
        except ZohoDeskError as exc:
            self._failed(call, exc)
        call.fallbacks = [line.split(': ', 1)[-1] for line in self.client.learned.fired[fired:]]  # less the key
        call.calls = self.client.stats()["calls"] - calls
        if step.kind in ("list", "search", "child", "single", "recycle"):  # rows under another envelope too
            self.rows[spec.stream if step.kind != "recycle" else DELETED_RECORDS.stream] += call.rows
        elif step.kind == "detail":  # the whole record: it carries counters of children lists leave out
            self.rows[step.source][:0] = call.rows
        return call

    def _failed(self, call: Call, exc: ZohoDeskError) -> None:
        """What a refused or unexpected answer says, in names and codes only (Zoho's message can
        quote values). No answer at all, a failed OAuth refresh or the wrong org stop the probe."""
        body = self.api.last
        if exc.kind in (AUTH, ORG) or (exc.status is None
                                                                                 and body is None):
            raise exc
        if exc.status is None and not isinstance(body, dict):  # a list page that is no object
            call.status, call.problem = 200, f"answered a JSON {json_type(body)} where an object was expected"
            return
        if isinstance(exc, _Odd):
            call.status, call.problem = 200 if body is not None else 204, str(exc)
            return
        if exc.status is None:  # an answer of another shape than expected
            lists = sorted(k for k, v in body.items() if isinstance(v, list))
            call.status, call.found = 200, (lists[0] if lists else "(none)")
            call.rows = list(body[lists[0]]) if lists else []
            call.problem = f"envelope {call.found!r} where {call.envelope!r} was expected"
            return
        call.status, call.code = exc.status, exc.code
        call.problem = f"answered {exc.status or 'no status'}" + (f" {exc.code}" if exc.code else "")

    def _answer(self, spec: ObjectSpec, step: Step, call: Call) -> list:
        read = spec.read
        label = f"probe {spec.stream}"
        if step.kind in ("list", "search"):
            window = f"{to_zoho_time(FLOOR)},{to_zoho_time(datetime.now(timezone.utc))}"
            params = {"sortBy": "modifiedTime", "modifiedTimeRange": window} if step.kind == "search" else \
                {read.time_param: window} if read.time_param else {}  # as the sync asks (reading.py)
            params.update(read.params)
            pager = self.api.pages(step.path, limit=read.limit, params=params, data_key=call.envelope,
                                   label=label, paged=read.paged, key=step.path)
            rows = next(iter(pager), [])
            call.found = call.envelope if self.api.last is not None else None
            return rows
        if step.kind == "detail":
            return self._detail(spec, step, label)
        if step.kind == "recycle":
            rows = list(islice(recycle_bin(self.api, step.module or "", None), read.limit))
            call.found = "data" if rows else None
            return rows
        if step.kind == "fields":
            body = self.api.get(step.path, {"module": step.module}, label="probe custom fields")
            call.found = "data" if body is not None else None
            return rows_of(body, "data", f"GET /{step.path}")
        return self._children(spec, step, call, label)

    def _children(self, spec: ObjectSpec, step: Step, call: Call, label: str) -> list:
        parent = spec.parent
        counter = parent.counter or COUNTERS.get(step.path.rsplit("/", 1)[-1])

        def has_none(row: dict) -> bool:  # the parent's row counts none of these children
            return str(row.get(counter)) in ("0", "None") if counter else False

        seen: set = set()
        unique = [p for p in self.rows.get(parent.stream, []) if isinstance(p, dict)
                  and p.get("id") not in seen and not seen.add(p.get("id"))]  # a record's first (fullest) row
        candidates = sorted(unique, key=has_none)
        if not candidates:
            raise _NoParent(f"no {parent.stream} record to probe through")
        rows: list = []
        call.note = f"no rows under the first {min(PARENT_TRIES, len(candidates))} {parent.stream} records: " \
            "fields unchecked"
        for parent_row in candidates[:PARENT_TRIES]:
            values = {k: parent_row.get(f) for k, f in spec.links.items()}
            path, params = step.path, dict(spec.read.params)  # fixed parameters the row always sends
            if parent.as_param:
                params[parent.key] = values[parent.key]
            else:
                path = step.path.format(**values)
            if step.kind == "single":
                rows = self._single(spec, self.api.get(path, params or None, label=label), call)
            else:
                pager = self.api.pages(path, limit=spec.read.limit, params=params, data_key=call.envelope,
                                       label=label, paged=spec.read.paged, key=step.path)
                rows = next(iter(pager), [])
                call.found = call.envelope if self.api.last is not None else None
            if rows:
                call.note = None
                return [{**r, **values} if isinstance(r, dict) else r for r in rows]
        return rows

    def _single(self, spec: ObjectSpec, body: Any, call: Call) -> list:
        if body is None:
            return []
        if not isinstance(body, dict):
            raise _Odd(f"answered a JSON {json_type(body)} where an object was expected")
        call.found = "(the record)"  # the whole answer is the record, as the sync reads it (children.py)
        marker = spec.read.envelope
        if marker != "data" and body.get(marker) is None:  # Jira: only an answer carrying issueInfo is one
            call.found = None
            return []
        return [body] if body else []

    def _detail(self, spec: ObjectSpec, step: Step, label: str) -> list:
        source = BY_STREAM.get(step.source, spec)
        row = next((r for r in self.rows.get(step.source, []) if isinstance(r, dict) and r.get("id")), None)
        if row is None:
            raise _NoRecord(f"no {step.source} record to read by id: this GET is unchecked")
        values = {k: row.get(k) for k in source.links}
        body = self.api.get(step.path.format(**values, id=row["id"]), label=label)
        if not isinstance(body, dict):
            raise _Odd("answered no record" if body is None else f"answered a JSON {json_type(body)}, not a record")
        return [{**body, **values}]


class _Odd(ZohoDeskError):
    """An answer of a shape the probe did not expect (the text is the problem reported)."""


class _NoRecord(ZohoDeskError):
    """No record to read by id: that GET is left unchecked (a note, not a difference)."""


class _NoParent(_NoRecord):
    """No parent record to reach a child endpoint through: the stream is not probed."""


def run_probe(tap, run: RunContext) -> None:
    """The probe of ``tap``'s config: plan printed first, the table on stderr, the JSON report."""
    run.probing = True
    client = run.client
    probe = Probe(client)
    budget = client.credits.budget
    print(f"probe: {probe.planned} calls planned, one per endpoint (a child may ask up to {PARENT_TRIES} parents; "
          f"a refused parameter costs one more call), at most {probe.planned * MAX_WEIGHT:,} credits"
          + (f"; max_api_credits {budget:,} is never passed" if budget else ""), file=sys.stderr, flush=True)
    results = probe.run()
    report = ProbeReport(results, client, probe.planned)
    print("\n".join(report.table()), file=sys.stderr, flush=True)
    path = run.config.get("probe_report")
    if path:
        report.write(path)
        print(f"probe: report written to {path} (names, types, statuses and codes only: attach it as it is)",
              file=sys.stderr, flush=True)
