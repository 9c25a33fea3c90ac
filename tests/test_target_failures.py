"""What no record can fix stops the run at once; what one record did wrong stays with it.

Each case runs the console entry point on a file of contact creates framed by STATE messages,
and checks: the exit code, one ``target-zohodesk:`` line, the results file (every record read
has a line: ok / error / not_attempted), the emulator's contacts, and the STATE on stdout.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys

import pytest

from tap_zohodesk.api.catalog import BY_STREAM
from tests.helpers import singer_lines, target_emulator
from tests.test_target import open_schema

ENTRY = "from target_zohodesk.target import main; main()"
N = 30


def contacts(n: int = N, prefix: str = "fail") -> list[dict]:
    return [{"lastName": f"{prefix}{i}", "email": f"{prefix}{i}@x.example"} for i in range(n)]


def with_states(text: str, before: dict, after: dict) -> str:
    head, *rest = text.splitlines(keepends=True)
    return head + json.dumps({"type": "STATE", "value": before}) + "\n" + "".join(rest) + json.dumps(
        {"type": "STATE", "value": after}) + "\n"


def run(tmp_path, config: dict, text: str, env: dict | None = None) -> tuple[subprocess.CompletedProcess, list]:
    path = tmp_path / "config.json"
    path.write_text(json.dumps(config))
    proc = subprocess.run([sys.executable, "-c", ENTRY, "--config", str(path)], input=text, capture_output=True,
                          text=True, timeout=180, env={**os.environ, **(env or {})})
    results = tmp_path / "results.jsonl"
    lines = [json.loads(x) for x in results.read_text().splitlines()] if results.exists() else []
    return proc, lines


def ours(proc) -> list[str]:
    return [line for line in proc.stderr.splitlines() if line.startswith("target-zohodesk: ")]


def states(proc) -> list[dict]:
    return [json.loads(line) for line in proc.stdout.splitlines() if line.strip()]


@pytest.fixture
def emu(tmp_path):
    with target_emulator(tmp_path, tickets=40, seed=21, max_concurrency=1) as emulator:
        yield emulator


def _created(emu, prefix="fail") -> int:
    return sum(1 for r in emu.store.tables["contacts"].rows if str(r["lastName"]).startswith(prefix))


def _on_create(number: int, action):
    """An emulator hook that runs ``action`` as contact create ``number`` (from 1) arrives."""
    seen = []

    def hook(method, template):
        if template == "POST /contacts":
            seen.append(1)
            if len(seen) == number:
                action()
    return hook


def _revoke_after(emu, creates: int):
    """After ``creates`` contact creates every token dies and the refresh token is refused."""
    def revoke():
        emu.expire_tokens_after(0)
        emu.oauth.token = lambda *a: (200, {"error": "invalid_code"}, {})
    return _on_create(creates + 1, revoke)


def _quota_after(emu, creates: int):
    return _on_create(creates, lambda: emu.inject("quota", times=1000, retry_after=3600))


def _outage_after(emu, creates: int):
    return _on_create(creates, lambda: emu.inject("500", times=10_000))


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.parametrize("case, expect", [
    ("revoked token", "returned no access_token (error: invalid_code)"),
    ("revoked mid-run", "returned no access_token (error: invalid_code)"),
    ("other org", "OAUTH_ORG_MISMATCH"),
    ("wrong data center", "cannot reach 127.0.0.1:"),
    ("daily credits gone", "the org's daily API credits are spent; they come back in 1h00m"),
])
def test_what_no_record_can_fix_stops_the_run_at_once(emu, tmp_path, case, expect):
    config, written = dict(emu.cfg), 0
    if case == "revoked token":
        config["refresh_token"] = "1000.revoked.token"
    elif case == "revoked mid-run":
        emu.hook, written = _revoke_after(emu, 7), 7
    elif case == "other org":
        config["org_id"] = "60099999999"
    elif case == "wrong data center":
        port = _closed_port()
        config.update(api_url=f"http://127.0.0.1:{port}/api/v1", accounts_url=emu.base_url)
    else:
        emu.hook, written = _quota_after(emu, 12), 11
    text = with_states(singer_lines("contacts", open_schema(BY_STREAM["contacts"]), contacts()),
                       {"at": "start"}, {"at": "end"})
    proc, results = run(tmp_path, config, text)
    emu.hook = None
    assert proc.returncode == 1, proc.stderr[-3000:]
    assert len(ours(proc)) == 1 and expect in ours(proc)[0] and "Traceback" not in proc.stderr
    assert f"{N - written} record(s) not attempted" in ours(proc)[0]
    assert "ERROR" not in proc.stderr  # no line per record
    assert _created(emu) == written
    assert [r["status"] for r in results] == ["ok"] * written + ["not_attempted"] * (N - written)
    assert {"at": "end"} not in states(proc)
    assert "not_attempted" in proc.stderr  # the end-of-run table


def test_an_outage_past_the_retry_budget_stops_the_run(emu, tmp_path):
    """Updates are safe to retry: the budget (max_retries 2) is spent on one record, then the run stops."""
    rows = emu.store.tables["contacts"].rows[:8]
    seen = []

    def hook(method, template):
        if method == "PATCH":
            seen.append(1)
            if len(seen) == 4:
                emu.inject("500", times=10_000)

    emu.hook = hook
    records = [{"id": r["id"], "lastName": f"outage{i}"} for i, r in enumerate(rows)]
    proc, results = run(tmp_path, {**emu.cfg, "max_retries": 2},
                        singer_lines("contacts", open_schema(BY_STREAM["contacts"]), records))
    emu.hook = None
    assert proc.returncode == 1 and len(ours(proc)) == 1 and "HTTP 500" in ours(proc)[0]
    assert "5 record(s) not attempted" in ours(proc)[0]
    assert [r["lastName"] for r in rows] == ["outage0", "outage1", "outage2"] + [r["lastName"] for r in rows[3:]]
    assert not any(str(r["lastName"]).startswith("outage") for r in rows[3:])
    assert [r["status"] for r in results] == ["ok"] * 3 + ["not_attempted"] * 5
    assert emu.calls["PATCH /contacts/{id}"] == 3 + 3  # the fourth: one try and two retries


def test_an_outage_on_creates_stops_after_the_lookups_fail_too(emu, tmp_path):
    """A create answered 500 may have been done: it is looked up, and when the lookup (a GET,
    retried) fails past its budget too, the run stops: nothing created twice, the rest untouched."""
    emu.hook = _outage_after(emu, 3)
    proc, results = run(tmp_path, {**emu.cfg, "max_retries": 1},
                        singer_lines("contacts", open_schema(BY_STREAM["contacts"]), contacts()))
    emu.hook = None
    assert proc.returncode == 1 and len(ours(proc)) == 1 and "HTTP 500" in ours(proc)[0]
    assert _created(emu) == 2
    assert [r["status"] for r in results] == ["ok"] * 2 + ["not_attempted"] * (N - 2)


def test_per_record_problems_stay_per_record_and_set_the_exit_code(emu, tmp_path):
    existing = emu.store.tables["contacts"].rows[0]
    records = contacts(5, "good") + [
        {"lastName": "dup", "email": existing["email"]},  # 422 duplicate email: this record only
        {"firstName": "no last name"},  # refused before any call
        {"id": "999", "lastName": "ghost"},  # 404: no such contact
    ] + contacts(3, "late")
    comment = {"ticketId": "123", "content": "orphan"}  # a missing parent: 404
    text = singer_lines("contacts", open_schema(BY_STREAM["contacts"]), records) + singer_lines(
        "ticket_comments", open_schema(BY_STREAM["ticket_comments"]), [comment])
    text = with_states(text, {"at": "start"}, {"at": "end"})
    proc, results = run(tmp_path, emu.cfg, text)
    assert proc.returncode == 2, proc.stderr[-2000:]
    assert ours(proc) == [f"target-zohodesk: 4 of 12 record(s) failed (see {emu.cfg['results_path']})"]
    assert [r["status"] for r in results].count("ok") == 8 and _created(emu, "good") == 5
    assert _created(emu, "late") == 3
    errors = [r["error"] for r in results if r["status"] == "error"]
    assert len(errors) == 4 and any("(duplicate)" in e for e in errors) and any("URL_NOT_FOUND" in e for e in errors)
    assert states(proc)[-1] == {"at": "end"}  # the run went to the end: STATE goes out
    table = proc.stderr[proc.stderr.index("target-zohodesk results:"):]
    assert "contacts" in table and "ticket_comments" in table and "not_attempted" in table

    (tmp_path / "results.jsonl").unlink()
    proc, results = run(tmp_path, {**emu.cfg, "fail_on_error": False}, text)
    assert proc.returncode == 0 and not ours(proc)
    # the first load went to its end (STATE "end" out): its creates guard nothing any more, so this second
    # load sends its 8 contacts again and Zoho refuses each as a duplicate email (nothing created twice)
    errors = [r["error"] for r in results if r["status"] == "error"]
    assert len(errors) == 12 and sum("(duplicate)" in e for e in errors) == 9
    assert not any(r.get("journal") for r in results) and _created(emu, "good") == 5 and _created(emu, "late") == 3


def test_malformed_line_writes_what_came_before_then_stops(emu, tmp_path):
    """1,800 lines, line 150 is broken: the 146 records before it are written, then exit 1 naming
    the line; the last STATE before it goes out, none after."""
    schema = open_schema(BY_STREAM["contacts"])
    lines = [json.dumps({"type": "SCHEMA", "stream": "contacts", "schema": schema, "key_properties": ["id"]})]
    for i in range(1, 1800):
        if i % 50 == 0:
            lines.append(json.dumps({"type": "STATE", "value": {"line": i + 1}}))
        else:
            lines.append(json.dumps({"type": "RECORD", "stream": "contacts",
                                     "record": {"lastName": f"line{i + 1}", "email": f"line{i + 1}@x.example"}}))
    lines[149] = '{"type": "RECORD", "stream": "contacts", "record": {"lastName": "cut'  # line 150
    proc, results = run(tmp_path, emu.cfg, "\n".join(lines) + "\n")
    assert proc.returncode == 1
    assert len(ours(proc)) == 1 and ours(proc)[0].startswith("target-zohodesk: input line 150 is not JSON")
    before = [x for x in lines[1:149] if '"RECORD"' in x]
    assert len(before) == 146 and [r["status"] for r in results] == ["ok"] * 146
    assert _created(emu, "line") == 146
    assert states(proc) == [{"line": 101}]  # the STATE at line 101 is the last one before line 150


@pytest.mark.parametrize("bad, why", [
    ('["RECORD"]', "is not a Singer message (a JSON list)"),
    ('{"type": "RECORDS", "stream": "contacts"}', "is not a Singer message (type 'RECORDS')"),
    ('{"type": "RECORD", "record": {"lastName": "x"}}', "a RECORD message without stream"),
    ('{"type": "RECORD", "stream": "tickets", "record": {"subject": "x"}}', "before a corresponding schema"),
])
def test_not_a_singer_message_is_named_by_its_line(emu, tmp_path, bad, why):
    text = singer_lines("contacts", open_schema(BY_STREAM["contacts"]), contacts(3)) + bad + "\n" + singer_lines(
        "contacts", open_schema(BY_STREAM["contacts"]), contacts(3, "after"))
    proc, results = run(tmp_path, emu.cfg, text)
    assert proc.returncode == 1 and len(ours(proc)) == 1
    assert ours(proc)[0].startswith("target-zohodesk: input line 5") and why in ours(proc)[0]
    assert _created(emu) == 3 and _created(emu, "after") == 0 and len(results) == 3


def test_debug_keeps_the_traceback_of_a_stopped_run(emu, tmp_path):
    proc, _ = run(tmp_path, {**emu.cfg, "refresh_token": "1000.revoked"},
                  singer_lines("contacts", open_schema(BY_STREAM["contacts"]), contacts(2)), env={"LOGLEVEL": "DEBUG"})
    assert proc.returncode == 1 and "Traceback" in proc.stderr  # debug adds the traceback to the same line
    assert len(ours(proc)) == 1 and "returned no access_token" in ours(proc)[0]
