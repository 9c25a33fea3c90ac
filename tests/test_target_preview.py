"""The preview: a dry run ends with the table the real run ends with, plus the fields its updates
would change on how many records; it reads (one GET per update, upsert lookups) and writes nothing."""

from __future__ import annotations

import json
import logging
import re
import subprocess
import sys

import pytest

from tap_zohodesk.api.catalog import BY_STREAM
from tests.helpers import run_target, singer_lines, target_emulator
from tests.test_target import open_schema

DELETED = "2026-01-01T00:00:00Z"
WRITES = ("POST", "PATCH", "PUT", "DELETE")


@pytest.fixture
def emu(tmp_path):
    with target_emulator(tmp_path, tickets=150, seed=51, upsert_keys={"contacts": ["email"]}) as emulator:
        yield emulator


def closing_lines(caplog) -> list[str]:
    messages = [r.getMessage() for r in caplog.records if r.name == "target-zohodesk"]
    return messages[messages.index("target-zohodesk results:") + 1:]


def the_input(emu) -> str:
    tickets = [t["id"] for t in emu.store.tables["tickets"].rows[:5]]
    accounts = emu.store.tables["accounts"].rows[:4]
    known = emu.store.tables["contacts"].rows[:2]
    assert len(tickets) == 5 and len(accounts) == 4 and len(known) == 2
    text = singer_lines("tickets", open_schema(BY_STREAM["tickets"]),
                        [{"id": i, "_sdc_deleted_at": DELETED} for i in tickets])
    text += singer_lines("contacts", open_schema(BY_STREAM["contacts"]),
                         [{"lastName": f"Preview{i}", "email": f"preview{i}@x.example"} for i in range(3)]
                         + [{"lastName": c["lastName"], "email": c["email"], "title": "Found by email"} for c in known])
    return text + singer_lines("accounts", open_schema(BY_STREAM["accounts"]), [
        {"id": a["id"], "phone": a["phone"] if i % 2 else "+1-555-0100", "description": f"preview {i}"}
        for i, a in enumerate(accounts)])


def test_a_dry_run_ends_with_the_real_runs_table_and_the_fields_that_would_change(emu, tmp_path, caplog):
    caplog.set_level(logging.INFO, logger="target-zohodesk")
    text = the_input(emu)
    preview = run_target({**emu.cfg, "dry_run": True, "results_path": str(tmp_path / "preview.jsonl")}, text)
    assert len(preview) == 14 and all(r["dry_run"] for r in preview if r["status"] == "ok")
    assert not [route for route in emu.calls if route.split()[0] in WRITES]  # nothing written
    assert emu.calls["GET /accounts/search"] == 1 and emu.calls["GET /accounts/{id}"] == 0  # 4 ids, one search
    assert emu.calls["GET /contacts/{id}"] == 0  # the upsert lookup read them already
    assert emu.calls["GET /contacts/search"] == 1  # the upsert lookup: 5 emails in one search
    previewed = closing_lines(caplog)
    assert "accounts UPDATE would change: description on 4, phone on 2" in previewed
    assert "contacts UPDATE would change: title on 2" in previewed

    caplog.clear()
    real = run_target(emu.cfg, text)
    assert len(real) == 14 and {r["status"] for r in real} == {"ok"}
    table = closing_lines(caplog)
    assert table == [line for line in previewed if "would change" not in line]  # the same table
    assert any(line.startswith("accounts") and "UPDATE" in line for line in table)
    assert all(a["description"].startswith("preview") for a in emu.store.tables["accounts"].rows[:4])


def test_a_preview_of_updates_that_change_nothing_says_so(emu):
    accounts = emu.store.tables["accounts"].rows[:3]
    assert len(accounts) == 3
    results = run_target({**emu.cfg, "dry_run": True}, singer_lines(
        "accounts", open_schema(BY_STREAM["accounts"]), [{"id": a["id"], "phone": a["phone"]} for a in accounts]))
    assert [(r["status"], r.get("note")) for r in results] == [("ok", "nothing would change")] * 3


def _cost(line: str, label: str) -> tuple[int, int]:
    """(calls, credits) of ``label`` in an estimate line: '<label> 1,234 calls / 5,678 credits'."""
    match = re.search(re.escape(label) + r" \+?([\d,]+) calls / ([\d,]+) credits", line)
    assert match, (label, line)
    return int(match.group(1).replace(",", "")), int(match.group(2).replace(",", ""))


def _spent(emu, before: int) -> tuple[int, int]:
    return sum(emu.calls.values()), before - emu.credits_left


def test_estimate_says_what_a_run_its_preview_and_its_undo_cost(emu, tmp_path):
    tickets = emu.store.tables["tickets"].rows
    assert len(tickets) >= 72
    text = singer_lines("tickets", open_schema(BY_STREAM["tickets"]),
                        [{"id": t["id"], "subject": f"Estimated {i}"} for i, t in enumerate(tickets[:60])]
                        + [{"id": t["id"], "_sdc_deleted_at": DELETED} for t in tickets[60:72]])
    text += singer_lines("contacts", open_schema(BY_STREAM["contacts"]),
                         [{"lastName": f"Est{i}", "email": f"est{i}@x.example"} for i in range(7)])
    config = {**emu.cfg, "keep_before_images": True}
    (tmp_path / "config.json").write_text(json.dumps(config))
    entry = [sys.executable, "-c", "from target_zohodesk.target import main; main()", "--config",
             str(tmp_path / "config.json")]
    estimate = subprocess.run([*entry, "--estimate"], input=text, capture_output=True, text=True, timeout=120)
    assert estimate.returncode == 0, estimate.stderr[-2000:]
    said = [line.split("estimate | ", 1)[1] for line in estimate.stderr.splitlines() if "estimate | " in line]
    assert len(said) == 4 and sum(emu.calls.values()) == 0  # three streams/operations and the total; no call
    total = said[-1]
    assert "tickets DELETE 12: run 2 calls / 73 credits" in said[1]  # one moveToTrash (6 a record), one count

    credits = emu.credits_left
    run_target({**config, "dry_run": True, "results_path": str(tmp_path / "preview.jsonl")}, text)
    assert _spent(emu, credits) == _cost(total, "preview (dry_run)")
    emu.reset_counts()
    credits = emu.credits_left
    run_target(config, text)
    run, images = _cost(total, "run"), _cost(total, "keep_before_images")
    assert _spent(emu, credits) == (run[0] + images[0], run[1] + images[1])
    emu.reset_counts()
    credits = emu.credits_left
    undo = subprocess.run([*entry, "--undo", str(tmp_path / "results.jsonl")], capture_output=True, text=True,
                          timeout=120)
    assert undo.returncode == 0, undo.stderr[-2000:]
    assert _spent(emu, credits) == _cost(total, "undo")
