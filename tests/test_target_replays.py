"""The journal protects replays, not content forever: a later load may write what an earlier
one wrote, a replay of an interrupted load creates nothing twice. Counted in the emulator."""

from __future__ import annotations

import json
import sqlite3

import pytest

from tap_zohodesk.api.catalog import BY_STREAM
from target_zohodesk.outcome import RunStopped
from tests.helpers import run_target, singer_lines, target_emulator
from tests.test_target import open_schema

STREAM = "ticket_comments"


@pytest.fixture
def emu(tmp_path):
    with target_emulator(tmp_path, tickets=30, seed=6, max_concurrency=1) as emulator:
        emulator.ticket = emulator.store.tables["tickets"].rows[0]["id"]
        yield emulator


def _load(emu, contents: list[str], state: dict | None = None) -> str:
    records = [{"ticketId": emu.ticket, "content": c, "isPublic": False, "contentType": "plainText"}
               for c in contents]
    text = singer_lines(STREAM, open_schema(BY_STREAM[STREAM]), records)
    return text + (json.dumps({"type": "STATE", "value": state}) + "\n" if state else "")


def _said(emu, content: str) -> int:
    return sum(1 for c in emu.store.tables["ticket_comments"].rows
               if c["ticketId"] == emu.ticket and c["content"] == content)


def _results(emu) -> list[dict]:
    with open(emu.cfg["results_path"]) as lines:
        return [json.loads(line) for line in lines]


def test_the_same_comment_on_two_days_is_written_twice(emu):
    day1 = run_target(emu.cfg, _load(emu, ["+1"], {"day": 1}))
    day2 = run_target(emu.cfg, _load(emu, ["+1"], {"day": 2}))[1:]
    assert [(r["status"], r.get("note"), r.get("journal")) for r in day1 + day2] == [("ok", None, None)] * 2
    assert day1[0]["id"] != day2[0]["id"] and _said(emu, "+1") == 2


def test_identical_records_of_one_load_are_all_written_and_so_is_a_rerun(emu):
    first = run_target(emu.cfg, _load(emu, ["same", "same", "same"]))
    assert [r["status"] for r in first] == ["ok"] * 3 and len({r["id"] for r in first}) == 3
    assert _said(emu, "same") == 3
    again = run_target(emu.cfg, _load(emu, ["same", "same", "same"]))[3:]  # a second load, after the first ended
    assert [(r["status"], r.get("journal")) for r in again] == [("ok", None)] * 3
    assert _said(emu, "same") == 6


def test_a_replay_of_an_interrupted_load_creates_nothing_twice(emu):
    seen = []

    def quota_at_third(method, template):  # Zoho's daily credits end as the third create arrives
        if template == "POST /tickets/{ticketId}/comments":
            seen.append(1)
            if len(seen) == 3:
                emu.inject("quota", times=1000, retry_after=3600)

    emu.hook = quota_at_third
    text = _load(emu, ["again", "again", "again", "other"], {"loaded": True})
    with pytest.raises(RunStopped, match="daily API credits are spent"):
        run_target(emu.cfg, text)
    emu.hook = None
    assert [r["status"] for r in _results(emu)] == ["ok", "ok", "not_attempted", "not_attempted"]
    assert _said(emu, "again") == 2
    emu._faults.clear()  # the credits are back
    replay = run_target(emu.cfg, text)[4:]
    assert [(r["status"], r.get("note")) for r in replay] == [
        ("ok", "already written (journal)"), ("ok", "already written (journal)"), ("ok", None), ("ok", None)]
    assert _said(emu, "again") == 3 and _said(emu, "other") == 1
    later = run_target(emu.cfg, text)[8:]  # the replay went to its end: the same input again is a new load
    assert [(r["status"], r.get("note")) for r in later] == [("ok", None)] * 4
    assert _said(emu, "again") == 6 and _said(emu, "other") == 2


def test_a_state_emitted_past_a_create_ends_its_guard_and_only_its(emu):
    head = _load(emu, ["before the state"], {"at": 1})
    tail = "".join(line + "\n" for line in _load(emu, ["after the state"]).splitlines()[1:])
    with pytest.raises(RunStopped, match="input line 5 is not JSON"):
        run_target(emu.cfg, head + tail + "{not json\n")  # STATE {"at": 1} goes out, then the run stops
    assert [r["status"] for r in _results(emu)] == ["ok", "ok"]
    resent = run_target(emu.cfg, _load(emu, ["after the state"]))[2:]  # the sender resends what follows its STATE
    assert [(r["status"], r.get("note")) for r in resent] == [("ok", "already written (journal)")]
    later = run_target(emu.cfg, _load(emu, ["before the state"]))[3:]  # a later load: the STATE covered that one
    assert [(r["status"], r.get("note")) for r in later] == [("ok", None)]
    assert _said(emu, "after the state") == 1 and _said(emu, "before the state") == 2


def test_a_journal_of_the_first_version_still_guards_its_open_creates(emu):
    from datetime import datetime, timezone

    from target_zohodesk.journal import record_key

    written = run_target({**emu.cfg, "journal_path": emu.cfg["journal_path"] + ".unused"}, _load(emu, ["old"]))
    record = {"ticketId": emu.ticket, "content": "old", "isPublic": False, "contentType": "plainText"}
    now = datetime.now(timezone.utc).isoformat()
    with sqlite3.connect(emu.cfg["journal_path"]) as db:  # the first version's table: one entry per content
        db.execute("create table writes (key text primary key, org text, host text, stream text, state text, "
                   "zoho_id text, started text, tried text, finished text)")
        db.execute("insert into writes values (?, ?, ?, ?, 'done', ?, ?, ?, ?)", (
            record_key(emu.cfg["org_id"], f"127.0.0.1:{emu.port}", STREAM, record), emu.cfg["org_id"],
            f"127.0.0.1:{emu.port}", STREAM, written[0]["id"], now, now, now))
    replay = run_target(emu.cfg, _load(emu, ["old"]))[1:]
    assert [(r["status"], r["id"], r.get("note")) for r in replay] == [("ok", written[0]["id"],
                                                                       "already written (journal)")]
    assert _said(emu, "old") == 1
    with sqlite3.connect(emu.cfg["journal_path"]) as db:
        assert db.execute("select state, zoho_id from writes").fetchall() == [("settled", written[0]["id"])]
