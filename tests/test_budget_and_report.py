"""A credit budget stops a run cleanly where it resumes; --estimate costs a run before it happens;
long reads report progress; every run ends with a table per stream."""

from __future__ import annotations

import json
import logging
import math
import subprocess
import sys

import tap_zohodesk.report as report
from tests.emulator import Emulator
from tests.helpers import catalog_for, run_tap

STREAMS = ["tickets", "threads"]


def _expected(emu: Emulator) -> dict[str, set]:
    live = emu.store.tables["tickets"].by_id
    threads = {r["id"] for r in emu.store.tables["threads"].rows if r["ticketId"] in live}
    return {"tickets": set(live), "threads": threads}


def test_a_credit_budget_stops_cleanly_and_the_next_runs_resume_there(caplog):
    with Emulator(tickets=600, seed=31) as emu:
        got: dict[str, set] = {s: set() for s in STREAMS}
        state: dict = {}
        runs = 0
        while True:
            runs += 1
            emu.reset_counts()
            with caplog.at_level(logging.WARNING):
                result = run_tap(emu.config(max_api_credits=600, max_concurrency=1), streams=STREAMS, state=state)
            for stream in STREAMS:
                got[stream] |= set(result.ids(stream))
            assert result.stats["credits_used"] <= 600 + 3  # the budget, plus at most the call it was checked before
            state = result.state
            if "Stopped at the credit budget" not in caplog.text:
                break
            caplog.clear()
            assert runs < 20
        assert runs >= 3  # the budget did bite
        assert got == _expected(emu)  # nothing lost across the stops


def _estimate(config, catalog) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", "from tap_zohodesk.tap import main; main()", "--config",
                           str(config), "--catalog", str(catalog), "--estimate"],
                          capture_output=True, text=True, timeout=120)


def test_estimate_prints_the_cost_and_syncs_nothing(tmp_path):
    with Emulator(tickets=900, seed=32) as emu:
        config = tmp_path / "config.json"
        config.write_text(json.dumps(emu.config()))
        catalog = tmp_path / "catalog.json"
        catalog.write_text(json.dumps(catalog_for(emu.config(), STREAMS)))
        emu.reset_counts()
        proc = _estimate(config, catalog)
        assert proc.returncode == 0, proc.stderr[-2000:]
        assert '"RECORD"' not in proc.stdout
        lines = [x.split("estimate | ", 1)[1] for x in proc.stderr.splitlines() if "estimate | " in x]
        tickets = next(line.split() for line in lines if line.startswith("tickets "))
        count = len(emu.store.tables["tickets"].rows)
        assert int(tickets[1].replace(",", "")) == math.ceil(count / 100)
        threads = next(line.split() for line in lines if line.startswith("threads "))
        assert int(threads[1].replace(",", "")) == count  # one call per ticket
        assert "plus one per record" not in " ".join(threads)
        assert sum(emu.calls.values()) <= 4  # the counts cost a few calls, not a sync
        config.write_text(json.dumps(emu.config(include_thread_content=True)))
        proc = _estimate(config, catalog)
        threads = next(x for x in proc.stderr.splitlines() if "estimate | threads " in x)
        assert "plus one per record read (not counted)" in threads  # the content calls are not hidden


def test_estimate_costs_the_read_the_filters_choose(tmp_path):
    """The estimate asks the read plan the run would take: an ``id`` filter reads one record per id."""
    with Emulator(tickets=300, seed=34) as emu:
        wanted = emu.store.tables["tickets"].rows[0]["id"]
        config = tmp_path / "config.json"
        config.write_text(json.dumps(emu.config(filters={"tickets": {"id": wanted}})))
        catalog = tmp_path / "catalog.json"
        catalog.write_text(json.dumps(catalog_for(emu.config(), ["tickets"])))
        proc = _estimate(config, catalog)
        assert proc.returncode == 0, proc.stderr[-2000:]
        tickets = next(x.split("estimate | ", 1)[1] for x in proc.stderr.splitlines() if "estimate | tickets " in x)
        assert len(emu.store.tables["tickets"].rows) > 200  # the search would page through them
        assert int(tickets.split()[1]) == 1  # one GET for the id, not the search's 3 pages of every ticket
        assert "1 records by id" in tickets


def test_long_reads_report_progress_and_every_run_ends_with_a_table(monkeypatch, caplog):
    monkeypatch.setattr(report, "PROGRESS_SECONDS", 0.05)
    with Emulator(tickets=400, seed=33, latency_ms=20) as emu:
        with caplog.at_level(logging.INFO):
            result = run_tap(emu.config(max_concurrency=2), streams=STREAMS)
    progress = [x for x in caplog.text.splitlines() if "progress threads:" in x]
    assert progress and "records/s" in progress[-1] and "remaining today" in progress[-1]
    table = {x.split("run | ", 1)[1].split()[0]: x.split("run | ", 1)[1].split()
             for x in caplog.text.splitlines() if "run | " in x}
    assert int(table["tickets"][1].replace(",", "")) == len(result.records["tickets"])
    assert int(table["threads"][1].replace(",", "")) == len(result.records["threads"])
    assert int(table["threads"][2].replace(",", "")) == emu.calls["GET /tickets/{ticketId}/threads"]
