"""target-zohodesk against the emulator: every allowed write, checked in the emulator's data."""

from __future__ import annotations

import base64
import copy
import json
import os
import signal
import subprocess
import sys

import pytest

from tap_zohodesk.api.catalog import BY_STREAM, OBJECTS
from tap_zohodesk.api.schema_files import load_schema
from tap_zohodesk.api.writable import allowed
from tests.emulator import Emulator
from tests.helpers import run_tap, run_target, singer_lines, target_emulator

WRITABLE = [s for s in OBJECTS if s.write.dml and s.write.create != "tag"]  # tags: test_target_tags.py
UNIQUE = {"contacts": "email", "accounts": "accountName"}  # Zoho refuses a second record with the same value
TEXT_FIELDS = ("subject", "content", "name", "title", "description", "lastName", "accountName", "productName",
               "contractName", "companyName", "summary")


def table_of(spec):
    first = next(s for s in OBJECTS if s.read.path == spec.read.path)
    return first.stream


def open_schema(spec) -> dict:
    schema = copy.deepcopy(load_schema(spec))
    schema["additionalProperties"] = True
    schema.pop("required", None)
    for prop in schema["properties"].values():  # tests send partial records
        if isinstance(prop.get("type"), list) and "null" not in prop["type"]:
            prop["type"] = prop["type"] + ["null"]
    return schema


@pytest.fixture
def emu(tmp_path):
    with target_emulator(tmp_path, tickets=400, seed=5, fail_on_error=False) as emulator:
        yield emulator


def _text_field(spec) -> str:
    writable = set(load_schema(spec)["properties"]) & allowed(spec, "UPDATE")
    return next(f for f in TEXT_FIELDS if f in writable)


@pytest.mark.parametrize("spec", WRITABLE, ids=lambda s: s.stream)
def test_every_allowed_operation_lands_in_zoho(emu, spec):
    table = emu.store.tables[table_of(spec)]
    if spec.stream == "archived_tickets":
        table = emu.store.tables["archived_tickets"]
    parents = set()
    if spec.parent and not spec.parent.as_param:  # children of records still alive (not in the recycle bin)
        for name in {table_of(BY_STREAM[spec.parent.stream]), spec.parent.stream}:
            parents |= set(emu.store.tables[name].by_id) if name in emu.store.tables else set()
    rows = [r for r in table.rows if all(r.get(k) for k in spec.links)
            and (not parents or r[spec.parent.key] in parents)]
    assert len(rows) >= (2 if {"UPDATE", "DELETE"} <= spec.write.dml else 1), f"seed has too few {spec.stream}"
    updated = rows[min(1, len(rows) - 1)]
    records, expect = [], []
    if "INSERT" in spec.write.dml:
        record = {k: v for k, v in rows[0].items() if k != "id"}
        if spec.schema_name == "attachments":
            record.update(name="note.txt", contentBase64=base64.b64encode(b"hello zoho").decode())
        if spec.stream in UNIQUE:
            record[UNIQUE[spec.stream]] = f"copy-of-{record[UNIQUE[spec.stream]]}"
        records.append(record)
        expect.append("INSERT")
    if "UPDATE" in spec.write.dml and spec.schema_name != "attachments":
        field = _text_field(spec)
        records.append({"id": updated["id"], **{k: updated[k] for k in spec.links}, field: "changed by target"})
        expect.append("UPDATE")
    elif "UPDATE" in spec.write.dml:
        records.append({"id": updated["id"], **{k: updated[k] for k in spec.links},
                        "isPublic": not updated["isPublic"]})
        expect.append("UPDATE")
    if "DELETE" in spec.write.dml:
        victim = next(r for r in reversed(rows) if r.get("status") != "DISABLED")
        records.append({"id": victim["id"], **{k: victim[k] for k in spec.links},
                        "_sdc_deleted_at": "2026-01-01T00:00:00.000Z"})
        expect.append("DELETE")
    before = len(table.rows)

    results = run_target(emu.cfg, singer_lines(spec.stream, open_schema(spec), records))

    assert [r["operation"] for r in results] == expect
    assert all(r["status"] == "ok" for r in results), results
    for result, record in zip(results, records, strict=True):
        if result["operation"] == "INSERT":
            created = table.by_id[result["id"]] if spec.schema_name != "followers" else None
            if spec.schema_name == "attachments":
                assert created["name"] == "note.txt" and created["size"] == "10"
            else:
                field = _text_field(spec)
                assert created[field] == record[field]
        elif result["operation"] == "UPDATE":
            row = next(r for r in table.rows if r["id"] == record["id"])
            changed = next(k for k in record if k != "id" and k not in spec.links)
            assert row[changed] == record[changed]
        elif (spec.write.remove_path or "").endswith("/deactivate"):  # agents are deactivated, never deleted
            assert table.by_id[record["id"]]["status"] == "DISABLED"
        else:
            links = {k: record[k] for k in spec.links}
            survivors = [r for r in table.rows
                         if r["id"] == record["id"] and all(r.get(k) == v for k, v in links.items())]
            assert not survivors
    removed = expect.count("DELETE") if not (spec.write.remove_path or "").endswith("/deactivate") else 0
    assert len(table.rows) == before + expect.count("INSERT") - removed


@pytest.mark.parametrize("stream, record, status, message", [
    ("ticket_approvals", {"id": "1", "ticketId": "2", "subject": "x"}, "skipped",
     "UPDATE is not possible in Zoho Desk (allowed: INSERT)"),
    ("ticket_metrics", {"ticketId": "2"}, "skipped", "ticket_metrics: read-only in Zoho Desk"),
    ("tags", {"name": "vip", "ticketId": None}, "error", "Zoho Desk creates a tag only by tagging a ticket"),
    ("tickets", {"subject": "x", "departmentId": "1"}, "error", "INSERT needs contactId or contactEmail"),
    ("contacts", {"firstName": "no last name"}, "error", "INSERT needs lastName"),
    ("ticket_comments", {"content": "orphan"}, "error", "INSERT needs ticketId (the parent's id)"),
    ("nope", {"a": 1}, "skipped", "nope: not a Zoho Desk object this target writes"),
])
def test_refused_records_are_reported_one_line_each(emu, stream, record, status, message):
    spec = BY_STREAM.get(stream)
    schema = open_schema(spec) if spec else {"type": "object", "properties": {"a": {"type": "integer"}}}
    results = run_target(emu.cfg, singer_lines(stream, schema, [record]))
    assert len(results) == 1 and results[0]["status"] == status
    assert message in results[0]["error"] and "\n" not in results[0]["error"]
    assert not [c for c in emu.log if c["method"] != "GET"]


def test_mixed_batch_writes_every_good_record_and_reports_every_bad_one(emu):
    contact = emu.store.tables["contacts"].rows[0]
    good = [{"lastName": f"Good{i}", "email": f"good{i}@x.example"} for i in range(5)]
    bad = [{"firstName": "missing last name"}, {"lastName": 42}, {"id": "999", "lastName": "ghost"}]
    update = {"id": contact["id"], "lastName": "Renamed"}
    results = run_target(emu.cfg, singer_lines("contacts", open_schema(BY_STREAM["contacts"]),
                                               good[:3] + bad + good[3:] + [update]))
    ok = [r for r in results if r["status"] == "ok"]
    errors = [r for r in results if r["status"] == "error"]
    assert len(results) == 9 and len(ok) == 6 and len(errors) == 3
    names = {r["lastName"] for r in emu.store.tables["contacts"].rows}
    assert {g["lastName"] for g in good} <= names and "Renamed" in names
    assert any("lastName" in e["error"] for e in errors)
    assert any("404" in e["error"] and "URL_NOT_FOUND" in e["error"] for e in errors)


def test_round_trip_of_unchanged_tickets_changes_only_modified_time(emu):
    emitted = run_tap(emu.config(), streams=["tickets"])
    before = {t["id"]: dict(t) for t in emu.store.tables["tickets"].rows}
    schema = emitted.schemas["tickets"]
    results = run_target(emu.cfg, singer_lines("tickets", schema, emitted.records["tickets"], ["id"]))
    assert {r["status"] for r in results} == {"ok"} and len(results) == len(before)
    for row in emu.store.tables["tickets"].rows:
        old = before[row["id"]]
        assert row["modifiedTime"] > old["modifiedTime"]
        assert {k: v for k, v in row.items() if k != "modifiedTime"} == {
            k: v for k, v in old.items() if k != "modifiedTime"}


def test_send_email_reply_creates_a_thread(emu):
    ticket = emu.store.tables["tickets"].rows[0]
    schema = {"type": "object", "properties": {k: {} for k in (
        "ticketId", "fromEmailAddress", "to", "content", "contentType", "isForward", "cc", "bcc")}}
    good = {"ticketId": ticket["id"], "fromEmailAddress": "support@acme.example", "to": "a@b.example",
            "content": "<p>Fixed</p>", "contentType": "html", "cc": "c@d.example"}
    missing = {"ticketId": ticket["id"], "content": "no sender", "contentType": "html", "to": "a@b.example"}
    wrong_type = {**good, "contentType": "rtf"}
    threads_before = int(ticket["threadCount"])
    results = run_target(emu.cfg, singer_lines("send_email_reply", schema, [good, missing, wrong_type]))
    assert [r["status"] for r in results] == ["ok", "error", "error"]
    assert "missing fromEmailAddress" in results[1]["error"]
    assert "contentType must be html or plainText" in results[2]["error"]
    thread = emu.store.tables["threads"].by_id[results[0]["id"]]
    assert thread["ticketId"] == ticket["id"] and thread["direction"] == "out" and thread["cc"] == "c@d.example"
    assert int(ticket["threadCount"]) == threads_before + 1


def test_dry_run_calls_no_write_endpoint(emu):
    contact = emu.store.tables["contacts"].rows[0]
    records = [{"lastName": "New"}, {"id": contact["id"], "lastName": "Changed"},
               {"id": contact["id"], "_sdc_deleted_at": "2026-01-01T00:00:00Z"}, {"firstName": "bad"}]
    results = run_target({**emu.cfg, "dry_run": True},
                         singer_lines("contacts", open_schema(BY_STREAM["contacts"]), records))
    assert sorted((r["operation"], r["status"], r.get("dry_run", False)) for r in results) == [
        ("DELETE", "ok", True), ("INSERT", "error", True), ("INSERT", "ok", True), ("UPDATE", "ok", True)]
    assert dict(emu.calls) == {"GET /contacts/{id}": 1}  # the preview reads the updated record; nothing written
    assert next(r for r in results if r["operation"] == "UPDATE")["changes"] == ["lastName"]
    assert contact["lastName"] != "Changed"


def test_deleting_250_tickets_takes_5_calls(tmp_path):
    with Emulator(tickets=300, seed=9) as emu:
        ids = [t["id"] for t in emu.store.tables["tickets"].rows[:250]]
        records = [{"id": i, "_sdc_deleted_at": "2026-01-01T00:00:00Z"} for i in ids]
        cfg = emu.config(results_path=str(tmp_path / "r.jsonl"), journal_path=str(tmp_path / "j.sqlite"),
                         max_delete_ratio=1)  # 250 of 300 tickets: past the default guard (test_target_guard.py)
        results = run_target(cfg, singer_lines("tickets", open_schema(BY_STREAM["tickets"]), records))
        assert len(results) == 250 and {r["status"] for r in results} == {"ok"}
        assert emu.calls["POST /tickets/moveToTrash"] == 5
        assert not set(ids) & set(emu.store.tables["tickets"].by_id)


def test_replay_after_a_crash_creates_no_duplicate(emu, tmp_path):
    records = [{"lastName": f"Replay{i}", "email": f"replay{i}@x.example"} for i in range(10)]
    text = singer_lines("contacts", open_schema(BY_STREAM["contacts"]), records)
    config = tmp_path / "config.json"
    config.write_text(json.dumps({**emu.cfg, "max_concurrency": 1}))
    proc = subprocess.Popen([sys.executable, "-m", "target_zohodesk", "--config", str(config)],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    posts = []

    def crash_on_sixth_create(method, template):
        if method == "POST" and template == "POST /contacts":
            posts.append(1)
            if len(posts) == 6:
                os.kill(proc.pid, signal.SIGKILL)
                raise RuntimeError("target killed")

    emu.hook = crash_on_sixth_create
    proc.communicate(text, timeout=120)
    assert proc.returncode == -signal.SIGKILL
    emu.hook = None
    created_first = [r for r in emu.store.tables["contacts"].rows if r["lastName"].startswith("Replay")]
    assert len(created_first) == 5

    rerun = subprocess.run([sys.executable, "-m", "target_zohodesk", "--config", str(config)], input=text,
                           capture_output=True, text=True, timeout=120)
    assert rerun.returncode == 0, rerun.stderr[-2000:]
    replayed = [r for r in emu.store.tables["contacts"].rows if r["lastName"].startswith("Replay")]
    assert sorted(r["lastName"] for r in replayed) == sorted(r["lastName"] for r in records)
    lines = [json.loads(x) for x in (tmp_path / "results.jsonl").read_text().splitlines()]
    assert sum(1 for x in lines if x.get("journal")) == 5


def test_shell_pipe_tap_into_target(emu, tmp_path):
    """`tap-zohodesk | target-zohodesk`: every contact read is written back, one result each."""
    config = tmp_path / "config.json"
    config.write_text(json.dumps(emu.cfg))
    catalog = tmp_path / "catalog.json"
    discovered = subprocess.run([sys.executable, "-m", "tap_zohodesk", "--config", str(config), "--discover"],
                                capture_output=True, text=True, check=True, timeout=120).stdout
    entries = json.loads(discovered)
    for entry in entries["streams"]:
        for meta in entry["metadata"]:
            if meta["breadcrumb"] == []:
                meta["metadata"]["selected"] = entry["tap_stream_id"] == "contacts"
    catalog.write_text(json.dumps(entries))
    pipe = subprocess.run(
        f"{sys.executable} -m tap_zohodesk --config {config} --catalog {catalog} | "
        f"{sys.executable} -m target_zohodesk --config {config}",
        shell=True, capture_output=True, text=True, timeout=300)
    assert pipe.returncode == 0, pipe.stderr[-2000:]
    assert json.loads(pipe.stdout.strip().splitlines()[-1])["bookmarks"]["contacts"]["replication_key_value"]
    results = [json.loads(x) for x in (tmp_path / "results.jsonl").read_text().splitlines()]
    assert len(results) == len(emu.store.tables["contacts"].rows)
    assert {(r["operation"], r["status"]) for r in results} == {("UPDATE", "ok")}
