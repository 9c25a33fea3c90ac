"""``target-zohodesk --undo RESULTS``: a run reversed from its results file, through the CLI and the
emulator's recycle bin; a replayed undo changes nothing; what cannot be undone is said."""

from __future__ import annotations

import copy
import json
import subprocess
import sys

import pytest

from tap_zohodesk.api.catalog import BY_STREAM
from tests.helpers import singer_lines, target_emulator
from tests.test_target import open_schema

ENTRY = "from target_zohodesk.target import main; main()"
DELETED = "2026-01-01T00:00:00Z"
TABLES = ("tickets", "contacts", "accounts")


@pytest.fixture
def emu(tmp_path):
    with target_emulator(tmp_path, tickets=120, seed=41, keep_before_images=True) as emulator:
        yield emulator


def cli(tmp_path, config: dict, *args: str, text: str = "") -> subprocess.CompletedProcess:
    path = tmp_path / "config.json"
    path.write_text(json.dumps(config))
    return subprocess.run([sys.executable, "-c", ENTRY, "--config", str(path), *args], input=text,
                          capture_output=True, text=True, timeout=180)


def data(emu, *, times: bool = False) -> dict[str, dict[str, dict]]:
    """Every row of the three tables by id (without modifiedTime unless ``times``)."""
    return {t: {row["id"]: {k: v for k, v in row.items() if times or k != "modifiedTime"}
                for row in copy.deepcopy(emu.store.tables[t].rows)} for t in TABLES}


def lines(path) -> list[dict]:
    return [json.loads(x) for x in path.read_text().splitlines()]


def the_run(emu) -> str:
    tickets = [t["id"] for t in emu.store.tables["tickets"].rows[:5]]
    accounts = emu.store.tables["accounts"].rows[:4]
    assert len(tickets) == 5 and len(accounts) == 4
    text = singer_lines("tickets", open_schema(BY_STREAM["tickets"]),
                        [{"id": i, "_sdc_deleted_at": DELETED} for i in tickets])
    text += singer_lines("contacts", open_schema(BY_STREAM["contacts"]),
                         [{"lastName": f"Undo{i}", "email": f"undo{i}@x.example"} for i in range(3)])
    return text + singer_lines("accounts", open_schema(BY_STREAM["accounts"]), [
        {"id": a["id"], "phone": f"+1-555-000{i}", "description": "set by the run"}
        for i, a in enumerate(accounts)])


def test_a_run_undone_leaves_the_data_as_before_and_a_replayed_undo_changes_nothing(emu, tmp_path):
    before = data(emu)
    run = cli(tmp_path, emu.cfg, text=the_run(emu))
    assert run.returncode == 0, run.stderr[-2000:]
    results = tmp_path / "results.jsonl"
    assert data(emu) != before and len(lines(results)) == 12
    updates = [r for r in lines(results) if r["operation"] == "UPDATE"]
    assert len(updates) == 4 and all(set(r["before"]) == {"phone", "description"} for r in updates)
    assert emu.calls["GET /accounts/{id}"] == 4  # the before images: one read per update

    emu.reset_counts()
    undo = cli(tmp_path, emu.cfg, "--undo", str(results))
    assert undo.returncode == 0, undo.stderr[-2000:]
    assert data(emu) == before  # apart from modifiedTime
    undone = lines(tmp_path / "results.undo.jsonl")
    assert sorted((r["stream"], r["operation"], r["status"]) for r in undone) == sorted(
        [("tickets", "RESTORE", "ok")] * 5 + [("contacts", "TRASH", "ok")] * 3 + [("accounts", "REVERT", "ok")] * 4)
    assert emu.calls["POST /recycleBin/restore"] == 1 and emu.calls["POST /contacts/moveToTrash"] == 1
    assert "target-zohodesk results:" in undo.stderr and "RESTORE" in undo.stderr

    settled = data(emu, times=True)
    again = cli(tmp_path, emu.cfg, "--undo", str(results))
    assert again.returncode == 0, again.stderr[-2000:]
    assert data(emu, times=True) == settled  # the replay changes nothing, not even a modifiedTime
    replayed = lines(tmp_path / "results.undo.jsonl")[12:]
    assert len(replayed) == 12 and {r["status"] for r in replayed} == {"ok"}
    assert sorted({r["note"] for r in replayed}) == [
        "already as before", "already gone (Zoho has no such record)", "already restored (the record is live)"]


def test_what_cannot_be_undone_is_said_and_never_overwritten(emu, tmp_path):
    run = cli(tmp_path, emu.cfg, text=the_run(emu))
    assert run.returncode == 0, run.stderr[-2000:]
    results = tmp_path / "results.jsonl"
    account = emu.store.tables["accounts"].by_id[next(r["id"] for r in lines(results) if r["stream"] == "accounts")]
    emu.store.touch("accounts", [account["id"]], phone="+1-555-9999")  # someone changed it since
    created = next(r["id"] for r in lines(results) if r["stream"] == "contacts")
    emu.store.touch("contacts", [created], title="edited by an agent")
    ticket = next(r["id"] for r in lines(results) if r["stream"] == "tickets")
    entry = next(e for e in emu.store.recycle_bin if e["id"] == ticket)
    entry["deletedTime"] = "2020-01-01T00:00:00.000Z"  # past the 60 days the bin keeps
    undo = cli(tmp_path, emu.cfg, "--undo", str(results))
    assert undo.returncode == 0, undo.stderr[-2000:]
    skipped = {(r["stream"], r["id"]): r["error"] for r in lines(tmp_path / "results.undo.jsonl")
               if r["status"] == "skipped"}
    assert set(skipped) == {("accounts", account["id"]), ("contacts", created), ("tickets", ticket)}
    assert "changed since the run by someone else (phone)" in skipped[("accounts", account["id"])]
    assert "changed since it was created" in skipped[("contacts", created)]
    assert "keeps trashed records 60 days" in skipped[("tickets", ticket)]
    assert account["phone"] == "+1-555-9999" and account["description"] == "set by the run"  # not overwritten
    assert created in emu.store.tables["contacts"].by_id and ticket not in emu.store.tables["tickets"].by_id
    assert "3 record(s) could not be undone" in undo.stderr


def test_updates_without_before_images_are_not_guessed(emu, tmp_path):
    run = cli(tmp_path, {**emu.cfg, "keep_before_images": False}, text=the_run(emu))
    assert run.returncode == 0, run.stderr[-2000:]
    assert emu.calls["GET /accounts/{id}"] == 0
    undo = cli(tmp_path, emu.cfg, "--undo", str(tmp_path / "results.jsonl"))
    assert undo.returncode == 0
    reverts = [r for r in lines(tmp_path / "results.undo.jsonl") if r["operation"] == "REVERT"]
    assert len(reverts) == 4 and {r["status"] for r in reverts} == {"skipped"}
    assert all("no before image" in r["error"] for r in reverts)


def test_the_recycle_bin_restores_parents_with_their_children_when_asked(emu):
    ticket = emu.store.tables["tickets"].rows[0]
    attachment = next(a for a in emu.store.tables["ticket_attachments"].rows if a["ticketId"] == ticket["id"])
    agent = emu.current_agent()
    emu.store.trash("tickets", ticket["id"], deleted_by=agent)
    emu.store.trash("ticket_attachments", attachment["id"], deleted_by=agent, module="tickets", parent=ticket["id"])
    assert emu.store.restore(ticket["id"], with_children=False, kept_days=60) == [ticket["id"]]
    assert attachment["id"] not in emu.store.tables["ticket_attachments"].by_id
    emu.store.trash("tickets", ticket["id"], deleted_by=agent)
    assert emu.store.restore(attachment["id"], with_children=False, kept_days=60) == [attachment["id"], ticket["id"]]
    emu.store.trash("ticket_attachments", attachment["id"], deleted_by=agent, module="tickets", parent=ticket["id"])
    emu.store.trash("tickets", ticket["id"], deleted_by=agent)
    assert emu.store.restore(ticket["id"], with_children=True, kept_days=60) == [ticket["id"], attachment["id"]]
    assert emu.store.restore(ticket["id"], with_children=True, kept_days=60) is None


def test_records_the_upsert_lookup_found_keep_its_row_as_before_image(emu, tmp_path):
    known = emu.store.tables["contacts"].rows[:3]
    assert len(known) == 3
    before = data(emu)
    text = singer_lines("contacts", open_schema(BY_STREAM["contacts"]),
                        [{"lastName": c["lastName"], "email": c["email"], "title": "Upserted"} for c in known])
    config = {**emu.cfg, "upsert_keys": {"contacts": ["email"]}}
    run = cli(tmp_path, config, text=text)
    assert run.returncode == 0, run.stderr[-2000:]
    updates = lines(tmp_path / "results.jsonl")
    assert [(r["operation"], r["matched_by"]) for r in updates] == [("UPDATE", "email")] * 3
    assert [r["before"]["title"] for r in updates] == [c_before["title"] for c_before in
                                                      (before["contacts"][c["id"]] for c in known)]
    assert emu.calls["GET /contacts/{id}"] == 0  # no read: the search row was the image
    assert cli(tmp_path, config, "--undo", str(tmp_path / "results.jsonl")).returncode == 0
    assert data(emu) == before


def test_a_results_file_of_two_runs_is_undone_to_before_the_first(emu, tmp_path):
    accounts = emu.store.tables["accounts"].rows[:2]
    before = data(emu)
    for value in ("first run", "second run"):
        text = singer_lines("accounts", open_schema(BY_STREAM["accounts"]),
                            [{"id": a["id"], "description": value} for a in accounts])
        if value == "first run":
            text += singer_lines("contacts", open_schema(BY_STREAM["contacts"]),
                                 [{"lastName": "Twice", "email": "twice@x.example"}])
        assert cli(tmp_path, emu.cfg, text=text).returncode == 0
    assert [a["description"] for a in accounts] == ["second run"] * 2
    assert len(lines(tmp_path / "results.jsonl")) == 5  # both runs appended to one file
    undo = cli(tmp_path, emu.cfg, "--undo", str(tmp_path / "results.jsonl"))
    assert undo.returncode == 0, undo.stderr[-2000:]
    assert data(emu) == before  # each field's earliest before image: as before the first run
    assert len(lines(tmp_path / "results.undo.jsonl")) == 3


def test_an_undo_refuses_dry_run_and_a_missing_results_file(emu, tmp_path):
    dry = cli(tmp_path, {**emu.cfg, "dry_run": True}, "--undo", str(tmp_path / "results.jsonl"))
    assert dry.returncode == 1 and "--undo writes: it does not take dry_run" in dry.stderr
    missing = cli(tmp_path, emu.cfg, "--undo", str(tmp_path / "nothing.jsonl"))
    assert missing.returncode == 1 and "--undo: no results file" in missing.stderr
    assert sum(emu.calls.values()) == 0
