"""Every budget progresses or says it cannot: a run stopped by max_api_credits or by Zoho's daily
credits always leaves the next run further on (first reads of any size, parents read for a child,
delete markers), nothing is lost across the stops, and a budget that cannot pay for one page and
its children is refused before any call."""

from __future__ import annotations

import json
import logging

from tap_zohodesk.streams import ZohoDeskStream
from tests.emulator import Emulator
from tests.helpers import catalog_for, run_tap
from tests.test_bad_config_and_answers import cli, ours

START = "2024-01-01T00:00:00Z"
STOP = "Stopped at the credit budget"


def _live(emu: Emulator) -> set[str]:
    return set(emu.store.tables["tickets"].by_id)


def _runs_until_done(emu: Emulator, config: dict, caplog, streams: list[str], most: int) -> tuple[list, int]:
    """Runs passing STATE along until one is not stopped by the budget: every run's records, the run count."""
    state: dict = {}
    results = []
    for _ in range(most):
        caplog.clear()
        with caplog.at_level(logging.WARNING):
            result = run_tap(config, streams=streams, state=state)
        results.append(result)
        state = result.state
        if STOP not in caplog.text:
            return results, len(results)
    return results, most + 1


def test_a_small_first_read_stopped_by_the_budget_resumes_where_it_got(caplog):
    """500 tickets at max_concurrency 5: read in order (no ranges), yet a stop used to restart it."""
    with Emulator(tickets=500, seed=51) as emu:
        results, runs = _runs_until_done(emu, emu.config(max_api_credits=6, max_concurrency=5), caplog,
                                         ["tickets"], 12)
        got = [r["id"] for result in results for r in result.records["tickets"]]
        assert runs <= 10  # about two pages a run: five pages need no more (it used to never end)
        assert runs >= 3  # the budget did bite
        assert set(got) == _live(emu)  # nothing lost across the stops
        assert len(got) - len(set(got)) <= 3 * runs  # each resume re-reads its last instant only


def test_children_move_on_under_zohos_daily_credits_even_when_the_parents_cost_more(caplog):
    """Zoho's daily credits are fewer than listing every ticket again: the child's read of its parents
    used to spend them all, every day, and never read a thread."""
    with Emulator(tickets=500, seed=52) as emu:
        live = _live(emu)
        threads = {r["id"] for r in emu.store.tables["threads"].rows if r["ticketId"] in live}
        config = emu.config(max_concurrency=5)
        state: dict = {}
        got: set[str] = set()
        new_per_day = []
        for day in range(14):  # 8 credits of each day go to the harness's discovery (field metadata)
            emu.daily.per_day = 8 + (60 if day < 2 else 18)
            emu.daily.resets_in(0)
            result = run_tap(config, streams=["tickets", "threads"], state=state)
            state = result.state
            if day >= 2:  # the tickets are all read: each day now pays one ticket page and a few threads lists
                assert len(result.records["tickets"]) <= 3
                new_per_day.append(len(set(result.ids("threads")) - got))
            got |= set(result.ids("threads"))
        assert len(new_per_day) == 12 and all(n > 0 for n in new_per_day), new_per_day  # every day moves on
        assert got <= threads and len(got) >= 12
        emu.daily.per_day = 100_000
        emu.daily.resets_in(0)
        last = run_tap(config, streams=["tickets", "threads"], state=state)
        assert got | set(last.ids("threads")) == threads  # nothing lost across the stops


def test_a_budget_below_one_page_and_its_children_is_refused_before_any_call(tmp_path):
    with Emulator(tickets=50, seed=53) as emu:
        catalog = tmp_path / "catalog.json"
        catalog.write_text(json.dumps(catalog_for(emu.config(), ["tickets", "threads"])))
        emu.reset_counts()
        proc, _ = cli(tmp_path, emu.config(max_api_credits=5), "--catalog", str(catalog))
        assert proc.returncode == 1 and "Traceback" not in proc.stderr
        assert ours(proc) == ["tap-zohodesk: max_api_credits 5 cannot read one page of tickets and its threads: needs "
                              "at least 303 (3 for a page of 100 tickets, then 3 for each one's lists)"]
        assert '"RECORD"' not in proc.stdout
        assert not [e for e in emu.log if "/api/v1/" in e["path"]]  # refused before any call
        proc, _ = cli(tmp_path, emu.config(max_api_credits=303), "--catalog", str(catalog))
        assert proc.returncode == 0 and not ours(proc)
        catalog.write_text(json.dumps(catalog_for(emu.config(emit_deletes=True), ["tickets"])))
        proc, _ = cli(tmp_path, emu.config(max_api_credits=5, emit_deletes=True), "--catalog", str(catalog))
        assert proc.returncode == 1 and ours(proc) == [
            "tap-zohodesk: max_api_credits 5 cannot read one page of tickets and its delete markers: needs at least 6 "
            "(a page of the recycle bin, then a page of tickets, 3 each)"]


def _deleted(emu: Emulator) -> set[str]:
    return {e["id"] for e in emu.store.recycle_bin if e["module"] == "tickets" and e["deletedTime"] >= START}


def test_delete_markers_of_a_first_sync_come_as_the_read_goes(monkeypatch):
    """emit_deletes with start_date on a first sync: the first record comes after the first page (the
    whole read used to be held in memory before it)."""
    with Emulator(tickets=500, seed=54) as emu:
        searches: list[str] = []
        emu.hook = lambda method, route: searches.append(route) if route.endswith("tickets/search") else None
        at_first: list[int] = []
        original = ZohoDeskStream.post_process

        def first_record(self, row, context=None):
            if self.name == "tickets" and not row.get("_sdc_deleted_at") and not at_first:
                at_first.append(len(searches))
            return original(self, row, context)

        monkeypatch.setattr(ZohoDeskStream, "post_process", first_record)
        result = run_tap(emu.config(emit_deletes=True, start_date=START, max_concurrency=5), streams=["tickets"])
        assert len(searches) >= 5 and at_first == [1]  # the first record right after the first page
        assert {r["id"] for r in result.records["tickets"]} == _live(emu) | _deleted(emu) and _deleted(emu)


def test_delete_markers_of_a_first_sync_resume_after_budget_stops(caplog):
    """The same read stopped by the budget resumes where it got (it used to emit nothing, ever)."""
    with Emulator(tickets=500, seed=54) as emu:
        config = emu.config(emit_deletes=True, start_date=START, max_concurrency=5, max_api_credits=6)
        results, runs = _runs_until_done(emu, config, caplog, ["tickets"], 15)
        got = [r["id"] for result in results for r in result.records["tickets"]]
        assert 3 <= runs <= 12
        assert set(got) == _live(emu) | _deleted(emu)  # records and markers, nothing lost across the stops
        assert len(got) - len(set(got)) <= 3 * runs  # each resume re-reads its last instant only
        assert "deletes_at" not in results[-1].state["bookmarks"]["tickets"]
