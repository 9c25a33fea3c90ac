"""A bulk update at the bookmark's instant is read once: the state notes the instant finished
(instants.py), so a quiet run reads neither its records nor their parents' children again;
nothing at an instant that could still change, or that a stopped read left half-read, is skipped."""

from __future__ import annotations

import time
from collections import Counter
from datetime import datetime, timezone

from tap_zohodesk.api.clock import ZohoClock
from tests.emulator import Emulator
from tests.helpers import refuse_search_page, run_tap

STREAMS = ["tickets", "threads", "ticket_comments"]
CHILD_LISTS = ("GET /tickets/{ticketId}/threads", "GET /tickets/{ticketId}/comments")


def _bulk_update(emu: Emulator, ids: list[str]) -> str:
    """One modifiedTime for all of ``ids`` (a mass edit), a moment before the next run; its instant."""
    [first, *_] = emu.store.touch("tickets", ids, at_once=True, subject="bulk")
    time.sleep(1.1)  # Zoho's Date header has whole seconds: the tap's estimate of its clock errs early
    return first["modifiedTime"]


def _calls(emu: Emulator) -> Counter:
    return Counter(entry["route"] for entry in emu.log)


def test_a_quiet_run_after_a_bulk_update_reads_nothing_of_it_again():
    with Emulator(tickets=300, seed=11) as emu:
        ids = list(emu.store.tables["tickets"].by_id)
        instant = _bulk_update(emu, ids)
        first = run_tap(emu.config(), streams=STREAMS)
        assert sorted(first.ids("tickets")) == sorted(ids)
        assert len(first.records["threads"]) > 300 and len(first.records["ticket_comments"]) > 100

        emu.reset_counts()
        second = run_tap(emu.config(), streams=STREAMS, state=first.state)
        calls = _calls(emu)
        assert {s: len(second.records[s]) for s in STREAMS} == dict.fromkeys(STREAMS, 0)
        assert calls["GET /tickets/search"] == 1  # one empty window past the instant, no paging through it
        assert [calls[route] for route in CHILD_LISTS] == [0, 0]
        marks = first.state["bookmarks"]
        assert marks["tickets"]["replication_key_value"] == marks["tickets"]["instant_done"] == instant
        assert marks["threads"]["parent_watermark"] == marks["threads"]["parent_instant_done"] == instant
        assert second.state["bookmarks"]["tickets"]["instant_done"] == instant

        emu.store.touch("tickets", ids[:3], subject="edited after")  # changed again: a later time, read
        third = run_tap(emu.config(), streams=STREAMS, state=second.state)
        assert sorted(third.ids("tickets")) == sorted(ids[:3])
        assert {r["ticketId"] for r in third.records["threads"]} <= set(ids[:3])


def test_an_instant_zoho_had_not_passed_when_the_read_began_is_read_again(monkeypatch):
    # Zoho's clock 30 s behind, and the read's upper bound on this machine's clock (the read bounds
    # itself on Zoho's clock, clock.py; this pins the instants' own guard): a bulk update landing as
    # the read starts is inside the window but not before Zoho's time at the start, so another
    # record may still get that very instant
    monkeypatch.setattr(ZohoClock, "now", lambda self: datetime.now(timezone.utc))
    with Emulator(tickets=300, seed=11, clock_skew=-30) as emu:
        ids = list(emu.store.tables["tickets"].by_id)
        touched: list[dict] = []

        def bulk_update_as_the_read_starts(method: str, route: str) -> None:
            if route == "GET /tickets/search" and not touched:
                touched.extend(emu.store.touch("tickets", ids[:150], at_once=True, subject="bulk"))

        emu.hook = bulk_update_as_the_read_starts
        first = run_tap(emu.config(), streams=["tickets"])
        emu.hook = None
        instant = touched[0]["modifiedTime"]
        assert sorted(first.ids("tickets")) == sorted(ids)
        assert first.state["bookmarks"]["tickets"]["replication_key_value"] == instant
        assert "instant_done" not in first.state["bookmarks"]["tickets"]

        late = emu.store.tables["tickets"].by_id[ids[200]]
        late.update(subject="written later in that instant", modifiedTime=instant)
        emu.store.tables["tickets"].changed()
        second = run_tap(emu.config(), streams=["tickets"], state=first.state)
        got = {r["id"]: r for r in second.records["tickets"]}
        assert len(got) == 151 and got[ids[200]]["subject"] == "written later in that instant"


def test_a_read_stopped_inside_an_instant_reads_the_rest_of_it_next_run():
    with Emulator(tickets=300, seed=11) as emu:
        ids = list(emu.store.tables["tickets"].by_id)
        _bulk_update(emu, ids[:50])
        base = run_tap(emu.config(), streams=STREAMS)
        ids = list(emu.store.tables["tickets"].by_id)  # the emulator sends one ticket to the bin during a run
        assert sorted(base.ids("tickets")) == sorted(ids) and "instant_done" in base.state["bookmarks"]["tickets"]

        bulk = ids[50:]
        instant = _bulk_update(emu, bulk)
        refuse_search_page(emu, 3)  # the read of the new instant fails after its first page
        stopped = run_tap(emu.config(), streams=STREAMS, state=base.state, failing=True)
        emu.hook = None
        assert 0 < len(stopped.records["tickets"]) < len(bulk)

        rest = run_tap(emu.config(), streams=STREAMS, state=stopped.state)
        assert set(stopped.ids("tickets")) | set(rest.ids("tickets")) == set(bulk)
        marks = stopped.state["bookmarks"]["tickets"]
        assert marks["replication_key_value"] == instant and marks["instant_done"] != instant
        assert rest.state["bookmarks"]["tickets"]["instant_done"] == instant
        parents = {r["ticketId"] for r in stopped.records["threads"] + rest.records["threads"]}
        assert {t["ticketId"] for t in emu.store.tables["threads"].rows if t["ticketId"] in bulk} <= parents


def test_a_look_back_rereads_the_bookmarks_instant_with_its_children():
    with Emulator(tickets=120, seed=11) as emu:
        ids = list(emu.store.tables["tickets"].by_id)
        _bulk_update(emu, ids)
        first = run_tap(emu.config(), streams=STREAMS)
        assert sorted(first.ids("tickets")) == sorted(ids) and first.records["threads"]
        emu.reset_counts()
        again = run_tap(emu.config(lookback_seconds=1), streams=STREAMS, state=first.state)
        assert sorted(again.ids("tickets")) == sorted(ids)
        assert len(again.records["threads"]) == len(first.records["threads"])
        assert _calls(emu)["GET /tickets/{ticketId}/threads"] > 0


def test_an_unwound_stream_starts_past_the_finished_instant_with_its_parent():
    pair = ["tickets", "tickets__shared_departments"]
    with Emulator(tickets=120, seed=11) as emu:
        ids = list(emu.store.tables["tickets"].by_id)
        _bulk_update(emu, ids)
        config = emu.config(unwind_nested=True)
        first = run_tap(config, streams=pair)
        assert sorted(first.ids("tickets")) == sorted(ids) and first.records[pair[1]]
        emu.reset_counts()
        second = run_tap(config, streams=pair, state=first.state)
        assert [len(second.records[s]) for s in pair] == [0, 0]
        assert _calls(emu)["GET /tickets/search"] == 1  # the unwound stream reads no parent itself


def test_a_first_read_in_parallel_ranges_notes_its_instant_too():
    with Emulator(tickets=2500, seed=5) as emu:
        ids = list(emu.store.tables["tickets"].by_id)
        instant = _bulk_update(emu, ids)
        first = run_tap(emu.config(max_concurrency=5), streams=["tickets"])
        assert sorted(first.ids("tickets")) == sorted(ids)
        assert any(c["query"].get("sortBy") == "-modifiedTime" for c in emu.log)  # ranges.py's probe of the end
        assert any("createdTimeRange" in c["query"] for c in emu.log)  # the instant read inside by creation time
        assert first.state["bookmarks"]["tickets"]["instant_done"] == instant
        emu.reset_counts()
        second = run_tap(emu.config(max_concurrency=5), streams=["tickets"], state=first.state)
        assert second.records["tickets"] == [] and _calls(emu)["GET /tickets/search"] == 1
