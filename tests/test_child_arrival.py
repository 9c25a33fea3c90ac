"""Child records always arrive, within the bound the README states, whichever way Zoho behaves:
a parent's modifiedTime bumped by a child's change, or not."""

from __future__ import annotations

import logging

import pytest

from tests.emulator import Emulator
from tests.helpers import run_tap

STREAMS = ["tickets", "ticket_comments", "ticket_followers", "ticket_tags", "ticket_metrics"]


def _full_set(emu: Emulator, table: str) -> set[tuple[str, str]]:
    live = emu.store.tables["tickets"].by_id
    return {(r["ticketId"], r["id"]) for r in emu.store.tables[table].rows if r["ticketId"] in live}


@pytest.mark.parametrize("bumps", [True, False], ids=["parent bumped", "parent not bumped"])
def test_children_arrive_within_the_stated_bound(bumps):
    with Emulator(tickets=200, seed=17, child_bumps_parent=bumps) as emu:
        store = emu.store
        first = run_tap(emu.config(), streams=STREAMS)
        tickets = store.tables["tickets"].rows
        comments = store.tables["ticket_comments"]
        template = comments.rows[0]
        fresh = store.add_child("ticket_comments", {**template, "id": store.new_id(), "ticketId": tickets[30]["id"],
                                                    "content": "new", "commentedTime": store.now()},
                                parent_table="tickets", parent_key="ticketId", count_field="commentCount",
                                bump_parent=bumps)
        edited = next(c for c in comments.rows if c["ticketId"] in store.tables["tickets"].by_id
                      and c["id"] != fresh["id"] and c["ticketId"] != fresh["ticketId"])
        store.change_child("ticket_comments", edited, parent_table="tickets", parent_key="ticketId",
                           bump_parent=bumps, content="edited")
        gone = store.tables["ticket_followers"].rows[0]
        store.change_child("ticket_followers", gone, parent_table="tickets", parent_key="ticketId",
                           count_field="followerCount", bump_parent=bumps, remove=True)
        untagged = store.tables["ticket_tags"].rows[0]
        store.change_child("ticket_tags", untagged, parent_table="tickets", parent_key="ticketId",
                           count_field="tagCount", bump_parent=bumps, remove=True)

        second = run_tap(emu.config(), streams=STREAMS, state=first.state)
        got = {c["id"]: c for c in second.records["ticket_comments"]}
        if bumps:  # the next run
            assert fresh["id"] in got and got[edited["id"]]["content"] == "edited"
        else:  # not before the next sweep
            assert fresh["id"] not in got and edited["id"] not in got
        # full-table children: the whole current set, every run, in both behaviours
        for stream in ("ticket_followers", "ticket_tags"):
            assert {(r["ticketId"], r["id"]) for r in second.records[stream]} == _full_set(emu, stream), stream
        assert (gone["ticketId"], gone["id"]) not in {(r["ticketId"], r["id"]) for r in second.records[
            "ticket_followers"]}
        assert {r["ticketId"] for r in second.records["ticket_metrics"]} == set(store.tables["tickets"].by_id)

        swept = run_tap(emu.config(child_sweep_days=1e-9), streams=STREAMS, state=second.state)
        got = {c["id"]: c for c in swept.records["ticket_comments"]}
        assert fresh["id"] in got and got[edited["id"]]["content"] == "edited"
        assert swept.state["bookmarks"]["ticket_comments"]["last_full_sweep"] > first.state["bookmarks"][
            "ticket_comments"]["last_full_sweep"]


def test_the_first_run_counts_as_the_sweep(emulator):
    """A first run with start_date visits every parent since then: the next run is no sweep."""
    config = emulator.config(start_date="2000-01-01T00:00:00Z")
    first = run_tap(config, streams=["tickets", "threads"])
    assert "last_full_sweep" in first.state["bookmarks"]["threads"]
    emulator.store.touch("tickets", [emulator.store.tables["tickets"].rows[9]["id"]])
    emulator.reset_counts()
    second = run_tap(config, streams=["tickets", "threads"], state=first.state)
    assert emulator.calls["GET /tickets/{ticketId}/threads"] <= 2  # the changed ticket (and its boundary)
    assert {r["ticketId"] for r in second.records["threads"]} <= set(second.ids("tickets"))


def test_a_parent_deleted_during_the_run_skips_only_its_own_children(emulator, caplog):
    """Tickets are read, then a ticket goes to the recycle bin before its threads are asked for:
    its 404 is checked against the ticket itself (gone: skipped and counted), every other ticket's
    threads arrive, and the run succeeds."""
    tickets, threads = emulator.store.tables["tickets"], emulator.store.tables["threads"]
    with_threads = {r["ticketId"] for r in threads.rows}
    victim = [t for t in tickets.rows if t["id"] in with_threads][-1]["id"]
    agent = emulator.store.tables["agents"].rows[0]

    def trash_when_its_thread_list_is_asked_for(method, route):
        """Thread lists are read ahead while tickets are still read (prefetch.py): the victim goes
        to the recycle bin as its own list is served, after its ticket row was read."""
        own = f"/tickets/{victim}/threads"
        if route.endswith("/threads") and victim in tickets.by_id and any(
                e["path"].endswith(own) for e in emulator.log[-16:]):
            emulator.store.trash("tickets", victim, deleted_by=agent)

    emulator.hook = trash_when_its_thread_list_is_asked_for
    with caplog.at_level(logging.INFO):
        result = run_tap(emulator.config(), streams=["tickets", "threads"])
    emulator.hook = None
    assert victim in {t["id"] for t in result.records["tickets"]}
    got = {r["id"] for r in result.records["threads"]}
    assert victim not in tickets.by_id
    assert got == {r["id"] for r in threads.rows if r["ticketId"] in tickets.by_id}  # live tickets' threads
    assert "threads: 1 parents were deleted during the run" in caplog.text
