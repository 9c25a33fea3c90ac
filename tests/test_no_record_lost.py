"""No record lost: reads stay exact while Zoho Desk changes under them, mass updates are read
whole, and faults, token expiry and a concurrency cap change nothing in what is emitted."""

from __future__ import annotations

import json
import logging
import math
import random
import time
from collections import Counter

from tests.emulator import Emulator
from tests.helpers import run_tap


def _latest(*runs, stream: str) -> dict[str, dict]:
    """The union of runs, id by id, keeping each record's latest version."""
    out: dict[str, dict] = {}
    for run in runs:
        for record in run.records[stream]:
            known = out.get(record["id"])
            if known is None or record["modifiedTime"] >= known["modifiedTime"]:
                out[record["id"]] = record
    return out


def test_reads_stay_exact_while_records_change_under_them():
    with Emulator(tickets=3000, seed=21) as emu:
        store, tickets = emu.store, emu.store.tables["tickets"]
        rng = random.Random(5)
        ids = list(tickets.by_id)
        for size in (40, 150, 60, 300, 20, 99, 101):  # instants shared by many: bulk updates
            store.touch("tickets", rng.sample(ids, size), at_once=True, subject="bulk")
        edits: Counter[str] = Counter()

        def edit_during_the_read(method: str, route: str) -> None:
            """Before each search call: edit one ticket behind the cursor, one ahead, one at its instant."""
            if route != "GET /tickets/search":
                return
            window = emu.log[-1]["query"].get("modifiedTimeRange", ",")
            low = window.split(",")[0]
            with store.lock:
                pools = {"behind": [t for t in tickets.rows if t["modifiedTime"] < low],
                         "ahead": [t for t in tickets.rows if t["modifiedTime"] > low],
                         "at": [t for t in tickets.rows if t["modifiedTime"] == low]}
                for kind, pool in pools.items():
                    if pool:
                        edits[kind] += 1
                        store.touch("tickets", [rng.choice(pool)["id"]], subject=f"edit {sum(edits.values())}")

        emu.hook = edit_during_the_read
        first = run_tap(emu.config(), streams=["tickets"])
        emu.hook = None
        second = run_tap(emu.config(), streams=["tickets"], state=first.state)

        union = _latest(first, second, stream="tickets")
        assert edits["behind"] > 20 and edits["ahead"] > 20 and edits["at"] > 20, edits
        assert set(union) == set(tickets.by_id)  # id for id
        stale = [i for i, t in tickets.by_id.items()
                 if (union[i]["modifiedTime"], union[i]["subject"]) != (t["modifiedTime"], t["subject"])]
        assert stale == []  # version for version
        mark = first.state["bookmarks"]["tickets"]["replication_key_value"]
        at_mark = sum(1 for r in first.records["tickets"] if r["modifiedTime"] == mark)
        assert len(second.records["tickets"]) <= sum(edits.values()) + at_mark  # the edits and the boundary


def test_a_mass_update_of_12000_records_is_read_whole_at_the_price_of_its_pages():
    with Emulator(tickets=12_000, seed=3) as emu:
        ids = list(emu.store.tables["tickets"].by_id)
        emu.store.touch("tickets", ids, at_once=True, status="Closed")  # one modifiedTime for all
        emu.reset_counts()
        result = run_tap(emu.config(), streams=["tickets"])
        assert sorted(result.ids("tickets")) == sorted(ids)
        searches = [c for c in emu.log if c["route"] == "GET /tickets/search"]
        assert len(searches) <= math.ceil(12_000 / 100) * 1.05
        assert max(int(c["query"]["from"]) for c in searches) <= 4999
        assert any("createdTimeRange" in c["query"] for c in searches)  # the instant split by creation time


def test_an_instant_shared_by_both_times_is_split_by_department():
    with Emulator(tickets=600, seed=8) as emu:
        tickets = emu.store.tables["tickets"]
        twins = tickets.rows[:450]  # a migration: one creation time, then one bulk update
        for row in twins:
            row["createdTime"] = "2024-03-01T00:00:00.000Z"
        emu.store.touch("tickets", [r["id"] for r in twins], at_once=True)
        result = run_tap(emu.config(), streams=["tickets"])
        assert sorted(result.ids("tickets")) == sorted(tickets.by_id)
        assert any("departmentId" in c["query"] for c in emu.log if c["route"] == "GET /tickets/search")
        assert not emu.errors()


STREAMS = ["tickets", "threads", "ticket_comments", "contacts", "ticket_followers"]


def _by_key(result, stream: str) -> dict:
    return {json.dumps([r.get(k) for k in ("ticketId", "id")]): r for r in result.records[stream]}


def test_a_long_read_under_faults_token_expiry_and_a_concurrency_cap_emits_a_clean_runs_records(caplog):
    with Emulator(tickets=1500, seed=13) as emu:
        clean = run_tap(emu.config(), streams=STREAMS)
    with Emulator(tickets=1500, seed=13, max_concurrency=3) as emu:
        emu.random_faults(0.10, kinds=("429", "500", "drop"), seed=2)
        emu.oauth.expire_every = 50
        with caplog.at_level(logging.INFO):
            faulty = run_tap(emu.config(max_concurrency=5, max_retries=8), streams=STREAMS)
        served = sum(emu.faults_served.values())
    for stream in STREAMS:
        assert _by_key(faulty, stream) == _by_key(clean, stream), stream
    stats = faulty.stats
    assert served > 0.05 * stats["calls"] and stats["retries"] > 0.05 * stats["calls"]
    assert stats["token_refreshes"] >= stats["calls"] // 60  # a token lives 50 calls (faulted calls aside)
    summary = next(line for line in caplog.text.splitlines() if "Zoho Desk API:" in line)
    assert f"{stats['retries']} retries" in summary and f"{stats['token_refreshes']} token refreshes" in summary


def test_with_zohos_clock_ten_minutes_ahead_a_record_written_just_now_is_read_in_this_run():
    """A read's upper bound is Zoho's time, not this machine's: with Zoho's clock 10 minutes ahead,
    the tickets and threads it wrote in its last 10 minutes are inside the run that follows."""
    with Emulator(tickets=300, seed=4, clock_skew=600) as emu:
        tickets = emu.store.tables["tickets"]
        first = run_tap(emu.config(), streams=["tickets", "threads"])
        assert len(first.records["tickets"]) == len(tickets.by_id) > 250
        touched = [t["id"] for t in tickets.rows[:40:4]]
        emu.store.touch("tickets", touched, status="On Hold")
        time.sleep(1.2)  # Zoho's Date header has whole seconds: its last second is the next run's
        again = run_tap(emu.config(), streams=["tickets", "threads"], state=first.state)
        latest = {t["id"]: t["modifiedTime"] for t in again.records["tickets"]}
        assert len(touched) == 10 and all(latest.get(i) == tickets.by_id[i]["modifiedTime"] for i in touched), latest
        assert {r["ticketId"] for r in again.records["threads"]} >= {
            r["ticketId"] for r in emu.store.tables["threads"].rows if r["ticketId"] in touched}
