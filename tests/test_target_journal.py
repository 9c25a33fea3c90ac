"""The journal belongs to one org; a replayed DELETE of what is gone is ok."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys

import pytest

from tap_zohodesk.api.catalog import BY_STREAM
from target_zohodesk.outcome import RunStopped
from tests.emulator import Emulator
from tests.helpers import run_target, singer_lines, target_emulator
from tests.test_target import open_schema

OTHER_ORG = "60087654321"
DELETED = "2026-01-01T00:00:00Z"


class OtherOrg(Emulator):
    """A second emulated org: its own id (a token for the first org is refused here, and back)."""

    org_id = OTHER_ORG

    def config(self, **overrides) -> dict:
        return super().config(**{"org_id": OTHER_ORG, **overrides})


def _ours(emu) -> list[dict]:
    return [r for r in emu.store.tables["contacts"].rows if str(r["lastName"]).startswith("Both")]


def _cut(config: dict, text: str) -> list[dict]:
    """A load that stops at a malformed last line: its creates stay open in the journal (replayable)."""
    with pytest.raises(RunStopped, match="input line 22 is not JSON"):
        run_target(config, text + "not json\n")
    return [json.loads(line) for line in open(config["results_path"])]


def test_the_same_input_into_two_orgs_creates_it_in_both(tmp_path):
    records = [{"lastName": f"Both{i}", "email": f"both{i}@x.example"} for i in range(20)]
    text = singer_lines("contacts", open_schema(BY_STREAM["contacts"]), records)
    shared = str(tmp_path / "shared.sqlite")  # even one journal file for both: entries are per org
    with Emulator(tickets=40, seed=2) as first, OtherOrg(tickets=40, seed=2) as second:
        assert first.config()["org_id"] != second.config()["org_id"]
        # both loads stop before their end, so a replay of either would meet its journal entries
        one = _cut(first.config(journal_path=shared, results_path=str(tmp_path / "1.jsonl")), text)
        two = _cut(second.config(journal_path=shared, results_path=str(tmp_path / "2.jsonl")), text)
        assert [r["status"] for r in one] == [r["status"] for r in two] == ["ok"] * 20
        assert not any(r.get("journal") for r in two)
        assert len(_ours(first)) == len(_ours(second)) == 20
        again = run_target(second.config(journal_path=shared, results_path=str(tmp_path / "3.jsonl")), text)
        assert all(r.get("journal") for r in again) and len(_ours(second)) == 20
    with sqlite3.connect(shared) as db:
        orgs = dict(db.execute("select org, count(*) from writes group by org").fetchall())
    assert orgs == {first.config()["org_id"]: 20, OTHER_ORG: 20}


def test_the_default_journal_is_named_by_the_org(tmp_path):
    records = [{"lastName": f"Both{i}", "email": f"both{i}@x.example"} for i in range(3)]
    text = singer_lines("contacts", open_schema(BY_STREAM["contacts"]), records)
    with Emulator(tickets=40, seed=2) as first, OtherOrg(tickets=40, seed=2) as second:
        for emu in (first, second):
            config = tmp_path / f"{emu.port}.json"
            config.write_text(json.dumps(emu.config(results_path=str(tmp_path / f"{emu.port}.jsonl"))))
            proc = subprocess.run([sys.executable, "-m", "target_zohodesk", "--config", str(config)], input=text,
                                  capture_output=True, text=True, timeout=120, cwd=tmp_path)
            assert proc.returncode == 0, proc.stderr[-2000:]
        assert len(_ours(first)) == len(_ours(second)) == 3
    for org in (first.config()["org_id"], OTHER_ORG):
        with sqlite3.connect(tmp_path / ".target-zohodesk" / org / "journal.sqlite") as db:
            assert db.execute("select count(*), min(org), max(org) from writes").fetchone() == (3, org, org)


@pytest.fixture
def emu(tmp_path):
    with target_emulator(tmp_path, tickets=80, seed=8) as emulator:
        yield emulator


def test_a_replayed_delete_of_what_is_gone_is_ok(emu):
    tickets = [t["id"] for t in emu.store.tables["tickets"].rows[:3]]
    alive = set(emu.store.tables["tickets"].by_id) - set(tickets)
    comment = next(c for c in emu.store.tables["ticket_comments"].rows if c["ticketId"] in alive)
    follower = next(f for f in emu.store.tables["ticket_followers"].rows if f["ticketId"] in alive)
    text = singer_lines("tickets", open_schema(BY_STREAM["tickets"]),
                        [{"id": i, "_sdc_deleted_at": DELETED} for i in tickets])
    text += singer_lines("ticket_comments", open_schema(BY_STREAM["ticket_comments"]), [
        {"id": comment["id"], "ticketId": comment["ticketId"], "_sdc_deleted_at": DELETED}])
    text += singer_lines("ticket_followers", open_schema(BY_STREAM["ticket_followers"]), [
        {"id": follower["id"], "ticketId": follower["ticketId"], "_sdc_deleted_at": DELETED}])
    first = run_target(emu.cfg, text)
    assert [(r["status"], r.get("note")) for r in first] == [("ok", None)] * 5
    assert not set(tickets) & set(emu.store.tables["tickets"].by_id)
    replay = run_target(emu.cfg, text)[5:]
    assert [r["status"] for r in replay] == ["ok"] * 5, replay
    assert [r["note"] for r in replay] == ["already gone (Zoho has no such record)"] * 4 + ["not a follower any more"]
    assert emu.calls["POST /tickets/moveToTrash"] == 1 + 1 + 3  # the replay: one call refused, then id by id


def test_a_delete_zoho_refuses_for_a_record_it_has_stays_an_error(emu):
    ticket = emu.store.tables["tickets"].rows[0]
    emu.inject("extra_param", path="moveToTrash", times=5, param="ticketIds")  # Zoho says no, the ticket stays
    results = run_target({**emu.cfg, "fail_on_error": False}, singer_lines(
        "tickets", open_schema(BY_STREAM["tickets"]), [{"id": ticket["id"], "_sdc_deleted_at": DELETED}]))
    assert results[0]["status"] == "error" and "Extra query parameter" in results[0]["error"]
    assert ticket["id"] in emu.store.tables["tickets"].by_id
