"""The delete guard: a stream's deletes are checked before the first is sent; past the guard none
goes out, each is not_attempted, the run exits 3 with one line; inserts and updates go through."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tap_zohodesk.api.catalog import BY_STREAM
from target_zohodesk.guard import DeletesHeld
from tests.helpers import run_target, singer_lines, target_emulator
from tests.test_target import open_schema

ENTRY = "from target_zohodesk.target import main; main()"
DELETED = "2026-01-01T00:00:00Z"


@pytest.fixture
def emu(tmp_path):
    with target_emulator(tmp_path, tickets=200, seed=31) as emulator:
        yield emulator


def run(tmp_path, config: dict, text: str) -> tuple[subprocess.CompletedProcess, list[dict]]:
    path = tmp_path / "config.json"
    path.write_text(json.dumps(config))
    proc = subprocess.run([sys.executable, "-c", ENTRY, "--config", str(path)], input=text, capture_output=True,
                          text=True, timeout=180)
    results = tmp_path / "results.jsonl"
    return proc, [json.loads(x) for x in results.read_text().splitlines()] if results.exists() else []


def ticket_deletes(emu, n: int) -> tuple[list[str], str]:
    ids = [t["id"] for t in emu.store.tables["tickets"].rows[:n]]
    assert len(ids) == n
    return ids, singer_lines("tickets", open_schema(BY_STREAM["tickets"]),
                             [{"id": i, "_sdc_deleted_at": DELETED} for i in ids])


def with_state(text: str, value: dict) -> str:
    return text + json.dumps({"type": "STATE", "value": value}) + "\n"


def test_30_deletes_past_max_deletes_10_delete_none_and_exit_non_zero(emu, tmp_path):
    ids, text = ticket_deletes(emu, 30)
    contact = emu.store.tables["contacts"].rows[0]
    text += singer_lines("contacts", open_schema(BY_STREAM["contacts"]),
                         [{"id": contact["id"], "lastName": "Guarded-but-updated"}, {"lastName": "Guard-new"}])
    proc, results = run(tmp_path, {**emu.cfg, "max_deletes": 10}, with_state(text, {"at": "end"}))
    assert proc.returncode == 3, proc.stderr[-2000:]
    ours = [line for line in proc.stderr.splitlines() if line.startswith("target-zohodesk: ")]
    assert len(ours) == 1 and "tickets: 30 deletes, more than max_deletes 10" in ours[0]
    deletes = [r for r in results if r["operation"] == "DELETE"]
    assert len(deletes) == 30 and {r["status"] for r in deletes} == {"not_attempted"}
    assert all("delete guard: tickets: 30 deletes, more than max_deletes 10" in r["error"] for r in deletes)
    assert set(ids) <= set(emu.store.tables["tickets"].by_id)  # none deleted
    assert emu.calls["POST /tickets/moveToTrash"] == 0
    # inserts and updates are not held back
    assert [r["status"] for r in results if r["stream"] == "contacts"] == ["ok", "ok"]
    assert contact["lastName"] == "Guarded-but-updated"
    assert any(r["lastName"] == "Guard-new" for r in emu.store.tables["contacts"].rows)
    assert proc.stdout.strip() == ""  # no STATE past the held deletes: the rerun brings them again


def test_within_the_guard_deletes_go_through_as_today(emu, tmp_path):
    ids, text = ticket_deletes(emu, 30)
    proc, results = run(tmp_path, {**emu.cfg, "max_deletes": 30, "max_delete_ratio": 0.2},
                        with_state(text, {"at": "end"}))
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert len(results) == 30 and {r["status"] for r in results} == {"ok"}
    assert not set(ids) & set(emu.store.tables["tickets"].by_id)
    assert emu.calls["POST /tickets/moveToTrash"] == 1 and emu.calls["GET /ticketsCount"] == 1  # 30 of 200: 15%
    assert [json.loads(x) for x in proc.stdout.splitlines()] == [{"at": "end"}]


def test_a_share_of_the_live_tickets_past_max_delete_ratio_is_held(emu, tmp_path):
    live = len(emu.store.tables["tickets"].rows)
    ids, text = ticket_deletes(emu, 60)
    proc, results = run(tmp_path, {**emu.cfg, "max_deletes": 1000}, text)
    assert proc.returncode == 3
    assert f"tickets: 60 deletes of {live} live records ({60 / live:.0%}), more than max_delete_ratio 0.2" \
        in proc.stderr
    assert len(results) == 60 and {r["status"] for r in results} == {"not_attempted"}
    assert set(ids) <= set(emu.store.tables["tickets"].by_id) and emu.calls["GET /ticketsCount"] == 1


def test_per_stream_limits_and_objects_without_a_count(emu, caplog):
    contacts = [c["id"] for c in emu.store.tables["contacts"].rows[:12]]
    assert len(contacts) == 12
    text = singer_lines("contacts", open_schema(BY_STREAM["contacts"]),
                        [{"id": i, "_sdc_deleted_at": DELETED} for i in contacts])
    results = run_target({**emu.cfg, "max_deletes": 5, "delete_guard": {"contacts": {"max_deletes": 12}}}, text)
    assert len(results) == 12 and {r["status"] for r in results} == {"ok"}
    assert not set(contacts) & set(emu.store.tables["contacts"].by_id)
    assert "Zoho Desk cannot count contacts in one call" in caplog.text
    assert sum(n for route, n in emu.calls.items() if "Count" in route or "count" in route) == 0


def test_dry_run_shows_what_the_guard_would_hold(emu, tmp_path):
    ids, text = ticket_deletes(emu, 30)
    with pytest.raises(DeletesHeld, match="tickets: 30 deletes, more than max_deletes 10"):
        run_target({**emu.cfg, "dry_run": True, "max_deletes": 10}, text)
    results = [json.loads(x) for x in (tmp_path / "results.jsonl").read_text().splitlines()]
    assert len(results) == 30 and {r["status"] for r in results} == {"not_attempted"}
    assert set(ids) <= set(emu.store.tables["tickets"].by_id) and emu.calls["POST /tickets/moveToTrash"] == 0


@pytest.mark.parametrize(("config", "message"), [
    ({"max_deletes": -1}, "config 'max_deletes' must be a whole number >= 0"),
    ({"max_delete_ratio": 1.5}, "config 'max_delete_ratio' must be a number above 0 and at most 1"),
    ({"delete_guard": {"agents_nope": {"max_deletes": 1}}}, "'agents_nope' is not a stream this target deletes"),
    ({"delete_guard": {"tickets": {"max": 1}}}, "config 'delete_guard'.tickets must be an object with"),
])
def test_bad_guard_settings_are_refused_in_one_line(emu, tmp_path, config, message):
    proc, _ = run(tmp_path, {**emu.cfg, **config}, "")
    assert proc.returncode != 0 and message in proc.stderr


def test_an_outage_when_the_held_deletes_go_out_stops_the_run_without_state(emu, tmp_path):
    ids, text = ticket_deletes(emu, 120)
    emu.inject("500", path="moveToTrash", times=50)
    proc, results = run(tmp_path, {**emu.cfg, "max_retries": 1, "max_delete_ratio": 1},
                        with_state(text, {"at": "end"}))
    assert proc.returncode == 1, proc.stderr[-2000:]
    assert len(results) == 120 and {r["status"] for r in results} == {"not_attempted"}
    assert set(ids) <= set(emu.store.tables["tickets"].by_id) and proc.stdout.strip() == ""
    assert "HTTP 500" in [x for x in proc.stderr.splitlines() if x.startswith("target-zohodesk: ")][0]
