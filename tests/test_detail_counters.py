"""A ticket's attachments, followers, time entries, approvals and tags are counted only in its
detail answer (GET tickets/{id}); counters.py uses those counts to skip the lists they say are
empty: for free when tickets_extended is read, by cost otherwise. A missing counter never means 0."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.emulator import Emulator
from tests.helpers import catalog_for, run_tap

COUNTED = {"ticket_attachments": ("attachments", "attachmentCount"), "ticket_followers": ("followers", "followerCount"),
           "ticket_time_entries": ("timeEntry", "timeEntryCount"), "ticket_approvals": ("approvals", "approvalCount"),
           "ticket_tags": ("tags", "tagCount")}


def _expected(emu: Emulator, stream: str) -> set[tuple]:
    live = emu.store.tables["tickets"].by_id
    return {(r["ticketId"], r["id"]) for r in emu.store.tables[stream].rows if r["ticketId"] in live}


def _lists(emu: Emulator, stream: str) -> int:
    return emu.calls[f"GET /tickets/{{ticketId}}/{COUNTED[stream][0]}"]


def _with_children(emu: Emulator, stream: str) -> int:
    return sum(1 for t in emu.store.tables["tickets"].rows if t[COUNTED[stream][1]] != "0")


def _check_records(emu: Emulator, result, streams: list[str]) -> None:
    for stream in streams:
        got = [(r["ticketId"], r["id"]) for r in result.records[stream]]
        assert len(got) > 0, stream
        assert sorted(got) == sorted(_expected(emu, stream)), stream


def test_with_tickets_extended_its_counters_skip_the_empty_lists_at_no_extra_call():
    streams = ["ticket_attachments", "ticket_followers"]
    with Emulator(tickets=300, seed=11) as emu:
        emu.reset_counts()
        result = run_tap(emu.config(), streams=["tickets", "tickets_extended", *streams])
        tickets = len(emu.store.tables["tickets"].rows)
        _check_records(emu, result, streams)
        assert emu.calls["GET /tickets/{id}"] == tickets  # tickets_extended's own detail calls, no more
        for stream in streams:
            assert 0 < _lists(emu, stream) == _with_children(emu, stream) < tickets, stream
        assert not [c for c in emu.log if c["status"] == 204 and "/tickets/" in c["path"]]


def test_without_it_five_counted_children_pay_one_detail_call_per_ticket_and_skip_the_empty_lists():
    streams = list(COUNTED)
    with Emulator(tickets=300, seed=11) as emu:
        emu.reset_counts()
        result = run_tap(emu.config(), streams=["tickets", *streams])
        tickets = len(emu.store.tables["tickets"].rows)
        _check_records(emu, result, streams)
        details = emu.calls["GET /tickets/{id}"]
        assert 0 < details <= tickets
        lists = sum(_lists(emu, s) for s in streams)
        assert details + lists < len(streams) * tickets * 0.6  # the plan chosen costs less than every list
        assert lists <= sum(_with_children(emu, s) for s in streams) + (tickets - details) * len(streams)


def test_one_counted_child_alone_reads_its_lists_without_a_detail_call():
    with Emulator(tickets=300, seed=11) as emu:
        emu.reset_counts()
        result = run_tap(emu.config(), streams=["tickets", "ticket_attachments"])
        _check_records(emu, result, ["ticket_attachments"])
        assert emu.calls["GET /tickets/{id}"] == 0  # one call to save at most one: never worth it
        assert _lists(emu, "ticket_attachments") == len(emu.store.tables["tickets"].rows)


def test_a_counter_missing_from_the_detail_answer_never_means_zero():
    streams = ["ticket_attachments", "ticket_followers"]
    with Emulator(tickets=300, seed=11) as emu:
        def without_attachment_count(route: str, payload):
            if route == "GET /tickets/{id}" and isinstance(payload, dict):
                return {k: v for k, v in payload.items() if k != "attachmentCount"}
            return payload

        emu.answer_hook = without_attachment_count
        emu.reset_counts()
        result = run_tap(emu.config(), streams=["tickets", "tickets_extended", *streams])
        tickets = len(emu.store.tables["tickets"].rows)
        _check_records(emu, result, streams)
        assert _lists(emu, "ticket_attachments") == tickets  # no count: every list asked for
        assert _lists(emu, "ticket_followers") == _with_children(emu, "ticket_followers") < tickets


def test_estimate_shows_both_plans(tmp_path):
    streams = ["ticket_attachments", "ticket_followers", "ticket_approvals"]
    with Emulator(tickets=300, seed=11) as emu:
        config, catalog = tmp_path / "config.json", tmp_path / "catalog.json"
        config.write_text(json.dumps(emu.config()))
        catalog.write_text(json.dumps(catalog_for(emu.config(), ["tickets", *streams])))
        proc = subprocess.run([sys.executable, "-c", "from tap_zohodesk.tap import main; main()", "--config",
                               str(config), "--catalog", str(catalog), "--estimate"],
                              capture_output=True, text=True, timeout=120)
        assert proc.returncode == 0, proc.stderr[-2000:]
        tickets = len(emu.store.tables["tickets"].rows)
        plans = next(x for x in proc.stderr.splitlines() if "plan 'every list'" in x)
        assert f"plan 'every list': {tickets * 3:,} calls" in plans
        assert f"plan 'detail counters': {tickets:,} detail calls" in plans and "over 1/3" in plans
