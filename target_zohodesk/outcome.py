"""What happened to each record, what stops a run, and the end-of-run table.

Every record gets one ``Result``: ``ok``, ``error`` (this record only), ``skipped`` (its
stream or operation is not writable in Zoho Desk: refused once, not per record) or
``not_attempted`` (the run stopped before writing it).

A failure no record can fix stops the run (``is_fatal``): the OAuth refresh failing, a token
for another org, a host that cannot be reached, the daily credits gone, or a call still
failing after its retry budget (429, 5xx, cut connections of calls that are safe to retry).
A create answered 5xx or cut off is not fatal: Zoho may have done it, so the writer looks it
up (``is_unsure``).
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import asdict, dataclass

from tap_zohodesk.api.errors import THROTTLED, UNSURE, ZohoDeskError

STATUSES = ("ok", "error", "skipped", "not_attempted")


@dataclass
class Result:
    stream: str
    operation: str
    id: str | None
    status: str
    error: str | None = None
    note: str | None = None
    dry_run: bool = False
    journal: bool = False
    matched_by: str | None = None
    before: dict | None = None  # an UPDATE with keep_before_images: the fields' values before it (preview.py)
    after: dict | None = None  # ... and the values it sent
    changes: list[str] | None = None  # an UPDATE in a dry run: the fields that would change


def result_line(result: Result) -> str:
    data = asdict(result)
    return json.dumps({k: v for k, v in data.items() if v not in (None, False) or k in ("id", "status")})


class RecordError(ValueError):
    """This record cannot be written; the message is its one-line reason."""


class FatalStop(Exception):
    """The run must stop: ``error`` says why; ``results`` are those of the batch so far."""

    def __init__(self, error: ZohoDeskError, results: list[Result] | None = None):
        super().__init__(str(error))
        self.error = error
        self.results = results or []


class RunStopped(Exception):
    """The run stopped before the end of its input; str() is the one line to print."""

    exit_code = 1


class RecordsFailed(RunStopped):
    """The run went to the end but some records failed (config fail_on_error)."""

    exit_code = 2


def is_fatal(exc: ZohoDeskError, *, retried: bool = True) -> bool:
    """Whether no other record can succeed either. ``retried``: the call was safe to retry,
    so the client already spent its retry budget on it. Decided by the error's kind (connection.py)."""
    if exc.fatal or exc.kind == THROTTLED:  # 429: retried (creates too) until the budget ran out
        return True
    return retried and is_unsure(exc)


def is_unsure(exc: ZohoDeskError) -> bool:
    """A 5xx or a cut connection: the call may or may not have been done."""
    return exc.kind == UNSURE


class Tally:
    """Counts of results by stream, operation and status; the end-of-run table."""

    def __init__(self) -> None:
        self.counts: Counter[tuple[str, str, str]] = Counter()

    def add(self, result: Result) -> None:
        self.counts[(result.stream, result.operation, result.status)] += 1

    def total(self, status: str | None = None) -> int:
        return sum(n for (_, _, s), n in self.counts.items() if status is None or s == status)

    def table(self) -> list[str]:
        rows = sorted({(stream, op) for stream, op, _ in self.counts})
        if not rows:
            return ["no records"]
        width = max(len("stream"), *(len(s) for s, _ in rows))
        head = f"{'stream':<{width}}  {'operation':<9}  " + "  ".join(f"{s:>13}" for s in STATUSES)
        lines = [head]
        for stream, op in rows:
            cells = "  ".join(f"{self.counts[(stream, op, s)]:>13}" for s in STATUSES)
            lines.append(f"{stream:<{width}}  {op:<9}  {cells}")
        return lines
