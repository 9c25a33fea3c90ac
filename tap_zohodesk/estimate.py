"""``tap-zohodesk --estimate``: what the selected streams would cost, before any sync.

From counts the API gives cheaply (one search call per searchable object, with ``count``; one
first page of other lists), for each selected stream: the calls and credits of a first run and
of an incremental run. The incremental run is the next one after the given state (changes since
each bookmark), or, without state, a daily run (changes of the last 24 hours). Credits: 3 a call
(every read stays at offsets below 2,000, the cheapest tier). Child streams cost one call per
parent visited: every parent for full-table children, changed parents for the others. Children
counted only in their parent's detail answer (counters.py) show both plans of a first run: every
list, or the detail counters and the non-empty lists only; the stream lines count the first.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import TYPE_CHECKING

from tap_zohodesk.api.catalog import BY_STREAM
from tap_zohodesk.api.credits import LIST_CALL_CREDITS
from tap_zohodesk.counters import counted_children
from tap_zohodesk.filters import plan_filters
from tap_zohodesk.read_plans import choose

if TYPE_CHECKING:
    from tap_zohodesk.streams import ZohoDeskStream

CREDITS_PER_CALL = LIST_CALL_CREDITS


class Counts:
    """How many records an object holds, and how many changed since a time (memoised)."""

    def __init__(self, streams: dict[str, ZohoDeskStream]):
        self.streams = streams
        self._memo: dict[tuple, int | None] = {}

    def since(self, name: str, low) -> int | None:
        key = (name, low)
        if key not in self._memo:
            self._memo[key] = self._count(name, low)
        return self._memo[key]

    def _count(self, name: str, low) -> int | None:
        stream = self.streams[name]
        filters = stream.user_filters()
        return choose(stream.spec, filters).count(stream.source, plan_filters(stream.spec, filters), low)


def _calls(stream: ZohoDeskStream, counts: Counts, low) -> tuple[int | None, str]:
    """Calls of one run that reads changes since ``low`` (None: everything), as the stream's read
    plan costs them (reading.py ``Strategy.cost``)."""
    strategy = choose(stream.spec, stream.user_filters())
    return strategy.cost(stream.spec, counts.since, low, detailed=stream.reads_each_record)


def estimate_lines(streams: dict[str, ZohoDeskStream], state: dict) -> list[str]:
    counts = Counts(streams)
    lines = [f"{'stream':<30}{'first run: calls':>18}{'credits':>10}{'next run: calls':>17}{'credits':>10}  basis"]
    totals = [0, 0]
    for name, stream in streams.items():
        if not stream.selected or not hasattr(stream, "spec"):
            continue
        mark = ((state.get("bookmarks") or {}).get(name) or {}).get("parent_watermark") or (
            (state.get("bookmarks") or {}).get(name) or {}).get("replication_key_value")
        since = stream.now() - timedelta(days=1)
        if mark:
            from tap_zohodesk.api.client import parse_zoho_time

            since = parse_zoho_time(mark)
        first, basis = _calls(stream, counts, None)
        nxt, _ = _calls(stream, counts, since if stream.spec.key or stream.spec.parent else None)
        for k, value in enumerate((first, nxt)):
            totals[k] += value or 0
        show = [f"{v:,}" if v is not None else "?" for v in (first, nxt)]
        credit = [f"{v * CREDITS_PER_CALL:,}" if v is not None else "?" for v in (first, nxt)]
        lines.append(f"{name:<30}{show[0]:>18}{credit[0]:>10}{show[1]:>17}{credit[1]:>10}  {basis}")
    lines += counter_plans(streams, counts)
    lines.append(f"{'total (known)':<30}{totals[0]:>18,}{totals[0] * CREDITS_PER_CALL:>10,}"
                 f"{totals[1]:>17,}{totals[1] * CREDITS_PER_CALL:>10,}  next run: "
                 + ("since the state's bookmarks" if state.get("bookmarks") else "a day of changes"))
    return lines


def counter_plans(streams: dict[str, ZohoDeskStream], counts: Counts) -> list[str]:
    """Both plans of a first run for the selected children counted in their parent's detail answer."""
    out = []
    for parent in dict.fromkeys(s.parent.stream for s in BY_STREAM.values() if s.parent and s.parent.detail_counter):
        chosen = [s.stream for s in counted_children(parent) if s.stream in streams and streams[s.stream].selected]
        records = counts.since(parent, None) if chosen else None
        if records is None:
            continue
        k = len(chosen)
        free = next((n for n, st in streams.items() if st.selected and BY_STREAM.get(n) is not None
                     and BY_STREAM[n].read.details_of == parent and BY_STREAM[n].read.extended), None)
        details = 0 if free else records
        how = f"{free} reads them: no extra call" if free else f"{records:,} detail calls"
        better = "always cheaper" if free else f"cheaper when over 1/{k} of the lists are empty"
        out.append(f"  {parent}' children counted in its detail answer only ({', '.join(chosen)}): "
                   f"plan 'every list': {records * k:,} calls; plan 'detail counters': {how} + the non-empty "
                   f"lists, {details:,} + {records * k:,} x (1 - empty share) calls, {better}; the run "
                   f"picks by the empty share it measures")
    return out


def _call_credits(spec) -> int:
    """Credits of one list call of ``spec`` (an unpaged list or a single object: 1)."""
    return CREDITS_PER_CALL if spec.read.paged and not spec.read.single else 1


def _steps(streams: dict[str, ZohoDeskStream]) -> Iterator[tuple[int, str]]:
    """The credits and words of each step a run of the selected streams must finish to move on."""
    chosen = [s for s in streams.values() if s.selected and getattr(s, "spec", None) is not None]
    for parent in dict.fromkeys(s.spec.parent.stream for s in chosen if s.spec.parent):
        children = [s.spec for s in chosen if s.spec.parent and s.spec.parent.stream == parent]
        base = BY_STREAM[parent]
        page = _call_credits(base) + (base.read.limit if streams[parent].reads_each_record else 0)
        each = sum(_call_credits(spec) for spec in children)
        need = page + base.read.limit * each
        yield need, (f"one page of {parent} and its {', '.join(spec.stream for spec in children)}: needs at least "
                     f"{need:,} ({page} for a page of {base.read.limit} {parent}, then {each} for each one's lists)")
    for stream in chosen:  # delete markers are read whole (one recycle-bin page at least) before the rows
        if "_sdc_deleted_at" in stream.schema["properties"]:
            need = 2 * CREDITS_PER_CALL
            yield need, (f"one page of {stream.name} and its delete markers: needs at least {need} (a page of the "
                         f"recycle bin, then a page of {stream.name}, {CREDITS_PER_CALL} each)")


def budget_too_small(streams: dict[str, ZohoDeskStream], budget: int) -> str | None:
    """The line refusing ``max_api_credits`` when it cannot pay for one step of the selected streams
    (one page of a parent and the list of each selected child for every row of that page: the least
    a run must finish to move a child's resume point; a recycle-bin page and a page for a stream with
    delete markers), else None. A stream read alone always moves on: the call that passes the budget
    is still made. Detail calls per child record are not counted."""
    worst = max(_steps(streams), default=None, key=lambda step: step[0])
    if worst is None or budget >= worst[0]:
        return None
    return f"max_api_credits {budget:,} cannot read {worst[1]}"
