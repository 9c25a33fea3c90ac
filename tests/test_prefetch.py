"""A child's lists are read ahead while its parent stream emits (prefetch.py): they start before
the parent's read ends, each is asked for once, and the child's records and state are as before."""

from __future__ import annotations

from collections import Counter

from tests.emulator import Emulator
from tests.helpers import run_tap


def _threads(emu: Emulator) -> set[str]:
    live = emu.store.tables["tickets"].by_id
    return {r["id"] for r in emu.store.tables["threads"].rows if r["ticketId"] in live}


def _repeated(emu: Emulator) -> int:
    keys = Counter((c["method"], c["path"], tuple(sorted(c["query"].items()))) for c in emu.log)
    return sum(n - 1 for n in keys.values() if n > 1)


def test_thread_lists_start_while_the_tickets_are_read_and_each_is_asked_once():
    with Emulator(tickets=400, seed=11, latency_ms=10) as emu:
        emu.reset_counts()
        result = run_tap(emu.config(max_concurrency=4), streams=["tickets", "threads"])
        routes = [c["route"] for c in emu.log]
        last_search = max(i for i, r in enumerate(routes) if r == "GET /tickets/search")
        first_list = routes.index("GET /tickets/{ticketId}/threads")
        assert first_list < last_search  # read ahead, before the parent's read was over
        ids = [r["id"] for r in result.records["threads"]]
        assert len(ids) > 0 and sorted(ids) == sorted(_threads(emu))
        assert emu.calls["GET /tickets/{ticketId}/threads"] == len(emu.store.tables["tickets"].rows)
        assert _repeated(emu) == 0 and not emu.errors()
        assert result.state["bookmarks"]["threads"]["parent_watermark"] == max(
            t["modifiedTime"] for t in emu.store.tables["tickets"].rows)


def test_an_incremental_run_reads_ahead_only_the_changed_parents():
    with Emulator(tickets=400, seed=11, latency_ms=10) as emu:
        first = run_tap(emu.config(max_concurrency=4, child_sweep_days=0), streams=["tickets", "threads"])
        touched = [t["id"] for t in emu.store.tables["tickets"].rows[:7]]
        emu.store.touch("tickets", touched)
        emu.reset_counts()
        again = run_tap(emu.config(max_concurrency=4, child_sweep_days=0), streams=["tickets", "threads"],
                        state=first.state)
        asked = {c["path"].split("/")[4] for c in emu.log if c["route"] == "GET /tickets/{ticketId}/threads"}
        assert len(again.records["tickets"]) >= 7
        assert set(touched) <= asked <= {r["id"] for r in again.records["tickets"]}
        assert _repeated(emu) == 0
        assert {r["ticketId"] for r in again.records["threads"]} == asked
