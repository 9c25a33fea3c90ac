"""``target-zohodesk --estimate``: what the input would cost, before anything is read from or
written to Zoho (no call at all).

The input is read and each record's operation counted per stream (as the run decides it: a
record without ``id`` of a stream with ``upsert_keys`` may turn out an UPDATE; counted as
INSERT). For each stream and operation, calls and credits of:

- the run: a create or an update 1 call, 1 credit, but updates going out in bulk (bulk.py: one
  field set to one value by two records or more of a batch, batches of the sink's 200 records)
  50 ids a call, 1 credit per 2 records; deletes through ``moveToTrash`` 50 ids a
  call, 6 credits a record (D29 quoting Zoho's credit model), other deletes 1 call each; upsert
  lookups 25 keys a search, 3 credits a search; the delete guard's count 1 call (tickets);
- the preview (``dry_run``): the lookups, the guard's count and one GET per update, or one
  search per 25 updates where the module's search takes ids (preview.Prefetch; a record whose
  search row lacks a field sent, as a ticket's description, costs a GET more: not counted);
- ``keep_before_images``: one GET per update more;
- an undo of the run (``--undo``): a restore of trashed records 50 ids a call, 6 credits a
  record; a create read (1) then trashed (as a delete); an update read (1) and set back (1);
  child records are not undone (nothing).
"""

from __future__ import annotations

import json
import math
from collections import Counter
from dataclasses import dataclass

from tap_zohodesk.api.plans import PLANS, ROWS, TRASH, operation_of, plan, refusal
from tap_zohodesk.api.writable import UnknownFields
from tap_zohodesk.api.writable import body as allowed_body
from target_zohodesk.bulk import BULK_MAX_IDS, one_field
from target_zohodesk.guard import COUNT_PATHS, RATIO_FLOOR, DeleteGuard
from target_zohodesk.lookup import LOOKUP_BATCH
from target_zohodesk.preview import ID_BATCH, SEARCH_BY_ID
from target_zohodesk.reader import json_lines
from target_zohodesk.sinks import ZohoDeskSink as Sink
from target_zohodesk.undo import RESTORE_BATCH

TRASH_CREDITS, SEARCH_CREDITS = 6, 3


@dataclass
class Cost:
    calls: int = 0
    credits: int = 0

    def __add__(self, other: Cost) -> Cost:
        return Cost(self.calls + other.calls, self.credits + other.credits)

    def __str__(self) -> str:
        return f"{self.calls:,} calls / {self.credits:,} credits"


def count_input(lines, bulk: Counter | None = None) -> Counter[tuple[str, str]]:
    """(stream, operation) -> records of the Singer input; operations the stream refuses are left out.
    ``bulk`` gets (stream, batch, field, value) -> the updates that could go out in bulk together."""
    counts: Counter[tuple[str, str]] = Counter()
    for _, message in json_lines(lines, "--estimate: input"):
        if isinstance(message, dict) and message.get("type") == "RECORD" and isinstance(message.get("record"), dict):
            operation = operation_of(message.get("stream", ""), message["record"])
            if refusal(message.get("stream", ""), operation) is None:
                seen = sum(n for (stream, _), n in counts.items() if stream == message["stream"])
                counts[(message["stream"], operation)] += 1
                if bulk is not None and operation == "UPDATE" and PLANS[(message["stream"], operation)].bulk_path:
                    field = _one_field(message["stream"], message["record"])
                    if field is not None:
                        bulk[(message["stream"], seen // Sink.MAX_SIZE_DEFAULT, *field)] += 1
    return counts


def _one_field(stream: str, record: dict) -> tuple | None:
    try:
        field = one_field(allowed_body(ROWS[stream], "UPDATE", record)[0])
    except UnknownFields:
        return None
    if field is None:
        return None
    return field[0], field[1], type(field[2]).__name__, json.dumps(field[2], sort_keys=True, default=str)


def _bulk_cost(stream: str, bulk: Counter) -> tuple[int, Cost]:
    """The updates of ``stream`` that go out in bulk, and what their calls cost."""
    sizes = [n for key, n in bulk.items() if key[0] == stream and n > 1]
    chunks = [min(BULK_MAX_IDS, n - start) for n in sizes for start in range(0, n, BULK_MAX_IDS)]
    return sum(sizes), Cost(len(chunks), sum(math.ceil(c / 2) for c in chunks))


def _delete(stream: str, n: int) -> Cost:
    """``n`` deletes as the stream's DELETE plan sends them (also the undo's of a create)."""
    spec = ROWS.get(stream)
    delete = plan(spec, "DELETE") if spec is not None else None
    if delete is not None and delete.grouping == TRASH:
        return Cost(math.ceil(n / delete.batch), TRASH_CREDITS * n)
    return Cost(n, n)


def costs(stream: str, operation: str, n: int, config: dict, bulk: Counter | None = None) -> dict[str, Cost]:
    """The run, preview, before images and undo of ``n`` records of one stream and operation."""
    run, preview, images, undo = Cost(), Cost(), Cost(), Cost()
    spec = ROWS.get(stream)
    child = spec is not None and bool(spec.links) and not (spec.parent and spec.parent.as_param)
    if operation == "DELETE":
        run = _delete(stream, n)
        limits = DeleteGuard(config).limits(stream)
        if stream in COUNT_PATHS and limits.max_ratio < 1 and RATIO_FLOOR < n <= limits.max_deletes:
            run, preview = run + Cost(1, 1), Cost(1, 1)
        restored = spec is not None and plan(spec, "DELETE").grouping == TRASH  # undo.py: trashed ones come back
        undo = Cost(math.ceil(n / RESTORE_BATCH), TRASH_CREDITS * n) if restored else Cost()
    elif operation == "UPDATE":
        together, calls = _bulk_cost(stream, bulk or Counter())
        run, preview, images, undo = Cost(n - together, n - together) + calls, Cost(n, n), Cost(n, n), \
            Cost(2 * n, 2 * n)
        if stream in SEARCH_BY_ID:
            searches = math.ceil(n / ID_BATCH)
            preview = Cost(searches, SEARCH_CREDITS * searches)
    else:
        run, undo = Cost(n, n), Cost(n, n) + _delete(stream, n)
        if stream in (config.get("upsert_keys") or {}):
            searches = math.ceil(n / LOOKUP_BATCH)
            lookups = Cost(searches, SEARCH_CREDITS * searches)
            run, preview = run + lookups, lookups
    if child:  # undo.py leaves child records alone: their parent's id is not in the results
        undo = Cost()
    return {"run": run, "preview": preview, "images": images, "undo": undo}


def estimate_lines(lines, config: dict) -> list[str]:
    bulk: Counter = Counter()
    counts = count_input(lines, bulk)
    if not counts:
        return ["no records to write"]
    out, total = [], {"run": Cost(), "preview": Cost(), "images": Cost(), "undo": Cost()}
    for (stream, operation), n in sorted(counts.items()):
        each = costs(stream, operation, n, config, bulk)
        total = {k: total[k] + each[k] for k in total}
        out.append(f"{stream} {operation} {n:,}: run {each['run']}; preview (dry_run) {each['preview']}; "
                   f"keep_before_images +{each['images']}; undo {each['undo']}")
    out.append(f"all: run {total['run']}; preview (dry_run) {total['preview']}; keep_before_images "
               f"+{total['images']}; undo {total['undo']}")
    return out
