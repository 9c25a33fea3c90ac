"""Upsert by natural key (config ``upsert_keys``), and Zoho's duplicate rules in the emulator."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tap_zohodesk.api.catalog import BY_STREAM
from tests.helpers import run_target, singer_lines, target_emulator
from tests.test_target import open_schema

UPSERT = {"contacts": ["email"], "accounts": ["accountName"]}


@pytest.fixture
def emu(tmp_path):
    with target_emulator(tmp_path, tickets=300, seed=12, upsert_keys=UPSERT) as emulator:
        yield emulator


def _emails(emu) -> list[str]:
    return [str(r.get("email") or "").casefold() for r in emu.store.tables["contacts"].rows]


def test_plain_inserts_of_existing_records_fail_as_zohos_would(emu):
    contact = emu.store.tables["contacts"].rows[3]
    account = emu.store.tables["accounts"].rows[1]
    text = singer_lines("contacts", open_schema(BY_STREAM["contacts"]),
                        [{"lastName": "Again", "email": contact["email"].upper()}]) + singer_lines(
        "accounts", open_schema(BY_STREAM["accounts"]), [{"accountName": account["accountName"]}])
    before = (len(emu.store.tables["contacts"].rows), len(emu.store.tables["accounts"].rows))
    results = run_target({**emu.cfg, "upsert_keys": {}, "fail_on_error": False}, text)
    assert [r["status"] for r in results] == ["error", "error"]
    assert "/email (duplicate)" in results[0]["error"] and "/accountName (duplicate)" in results[1]["error"]
    assert (len(emu.store.tables["contacts"].rows), len(emu.store.tables["accounts"].rows)) == before


def test_warehouse_rows_without_ids_update_or_insert_by_natural_key(emu):
    contacts = emu.store.tables["contacts"].rows
    existing = contacts[:60]
    assert len(existing) == 60
    rows = [{"lastName": f"Wh{i}", "email": c["email"], "phone": f"+1-555-{i:04d}"} for i, c in enumerate(existing)]
    rows += [{"lastName": f"New{i}", "email": f"new{i}@warehouse.example"} for i in range(40)]
    accounts = [{"accountName": a["accountName"], "website": "https://updated.example"}
                for a in emu.store.tables["accounts"].rows[:5]] + [{"accountName": "Brand New Ltd"}]
    text = singer_lines("contacts", open_schema(BY_STREAM["contacts"]), rows) + singer_lines(
        "accounts", open_schema(BY_STREAM["accounts"]), accounts)
    before_contacts, before_accounts = len(contacts), len(emu.store.tables["accounts"].rows)
    results = run_target(emu.cfg, text)
    assert [(r["operation"], r["status"], r["matched_by"]) for r in results] == (
        [("UPDATE", "ok", "email")] * 60 + [("INSERT", "ok", "email")] * 40
        + [("UPDATE", "ok", "accountName")] * 5 + [("INSERT", "ok", "accountName")])
    assert [r["id"] for r in results[:60]] == [c["id"] for c in existing]
    assert len(contacts) == before_contacts + 40 and len(emu.store.tables["accounts"].rows) == before_accounts + 1
    assert [c["phone"] for c in existing] == [r["phone"] for r in rows[:60]]
    assert len(set(_emails(emu))) == len(_emails(emu))
    assert emu.calls["GET /contacts/search"] == 4  # 100 emails, 25 a call (OR-ed)
    assert emu.calls["POST /contacts"] == 40 and emu.calls["PATCH /contacts/{id}"] == 60

    rerun = [dict(r, lastName=r["lastName"] + " v2") for r in rows]  # the next run of the same table
    results = run_target(emu.cfg, singer_lines("contacts", open_schema(BY_STREAM["contacts"]), rerun))
    assert {(r["operation"], r["status"]) for r in results[-100:]} == {("UPDATE", "ok")}
    assert len(contacts) == before_contacts + 40
    assert {c["lastName"] for c in contacts if c["email"].startswith("new")} == {f"New{i} v2" for i in range(40)}


def test_two_rows_with_one_new_key_create_one_record(emu):
    rows = [{"lastName": "First", "email": "twice@x.example"}, {"lastName": "Second", "email": "TWICE@x.example"}]
    results = run_target(emu.cfg, singer_lines("contacts", open_schema(BY_STREAM["contacts"]), rows))
    assert [(r["operation"], r["status"]) for r in results] == [("INSERT", "ok"), ("UPDATE", "ok")]
    assert results[0]["id"] == results[1]["id"]
    made = [c for c in emu.store.tables["contacts"].rows if c["email"].casefold() == "twice@x.example"]
    assert len(made) == 1 and made[0]["lastName"] == "Second"


def test_a_key_two_records_share_is_not_guessed(emu):
    """Data older than the rule (or a race): two contacts with one email; the row updates neither."""
    twin = dict(emu.store.tables["contacts"].rows[0], id="1899000000000001", lastName="Twin")
    emu.store.tables["contacts"].add(twin)
    results = run_target({**emu.cfg, "fail_on_error": False}, singer_lines(
        "contacts", open_schema(BY_STREAM["contacts"]), [{"lastName": "Which", "email": twin["email"]}]))
    assert results[0]["status"] == "error" and "2 records have email" in results[0]["error"]
    assert not [c for c in emu.store.tables["contacts"].rows if c["lastName"] == "Which"]


@pytest.mark.parametrize("upsert, message", [
    ({"tickets": ["subject"]}, "'tickets' cannot be upserted"),
    ({"contacts": ["lastname"]}, "lastname not searchable"),
    ({"contacts": []}, "must be a non-empty list"),
    ({"ticket_metrics": ["ticketId"]}, "'ticket_metrics' cannot be upserted"),
])
def test_bad_upsert_keys_are_refused_in_one_line(emu, tmp_path, upsert, message):
    config = tmp_path / "config.json"
    config.write_text(json.dumps({**emu.cfg, "upsert_keys": upsert}))
    proc = subprocess.run([sys.executable, "-c", "from target_zohodesk.target import main; main()", "--config",
                           str(config)], input="", capture_output=True, text=True, timeout=60)
    lines = [x for x in proc.stderr.splitlines() if x.startswith("target-zohodesk: ")]
    assert proc.returncode == 1 and len(lines) == 1 and message in lines[0], proc.stderr[-1500:]
