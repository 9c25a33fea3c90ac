"""Any upstream schema: the tap's own (strict, key required), a warehouse's; write-only inputs;
and what ``--about`` says each stream can be written with."""

from __future__ import annotations

import base64
import json
import subprocess
import sys

import pytest

from tap_zohodesk.api.catalog import BY_STREAM, OBJECTS
from tap_zohodesk.api.schema_files import load_schema
from tap_zohodesk.api.writable import allowed, write_only
from target_zohodesk.contract import write_contract
from tests.helpers import catalog_for, run_target, singer_lines, target_emulator


@pytest.fixture(scope="module")
def discovered(small_emulator) -> dict[str, dict]:
    """stream -> (schema, key_properties) as `tap-zohodesk --discover` gives them."""
    catalog = catalog_for(small_emulator.config(), None)
    return {e["tap_stream_id"]: (e["schema"], e["key_properties"]) for e in catalog["streams"]}


@pytest.fixture
def emu(tmp_path):
    with target_emulator(tmp_path, tickets=60, seed=4) as emulator:
        yield emulator


def test_discovered_schemas_are_strict_and_require_the_key(discovered):
    schema, key = discovered["tickets"]
    assert schema["additionalProperties"] is False and "id" in schema["required"] and key == ["id"]
    assert "contactEmail" not in schema["properties"]


def test_inserts_with_the_taps_own_schema(emu, discovered):
    """No id (the key the schema requires) is an INSERT; write-only inputs pass a strict schema."""
    contact = emu.store.tables["contacts"].rows[0]
    department = emu.store.tables["departments"].rows[0]["id"]
    ticket = emu.store.tables["tickets"].rows[0]
    cases = {
        "contacts": [{"lastName": "Schema", "email": "schema@x.example"}],
        "tickets": [{"subject": "by email", "departmentId": department, "contactEmail": contact["email"]},
                    {"subject": "new person", "departmentId": department, "contactEmail": "new.person@x.example"}],
        "ticket_attachments": [{"ticketId": ticket["id"], "name": "a.txt",
                                "contentBase64": base64.b64encode(b"strict schema").decode()}],
        "tags": [{"name": "from-tags-stream", "ticketId": ticket["id"]}],
    }
    text = "".join(singer_lines(stream, *discovered[stream][:1], records, discovered[stream][1])
                   for stream, records in cases.items())
    before = len(emu.store.tables["contacts"].rows)
    results = run_target(emu.cfg, text)
    assert [(r["stream"], r["operation"], r["status"]) for r in results] == [
        ("contacts", "INSERT", "ok"), ("tickets", "INSERT", "ok"), ("tickets", "INSERT", "ok"),
        ("ticket_attachments", "INSERT", "ok"), ("tags", "INSERT", "ok")], results
    tickets = emu.store.tables["tickets"].by_id
    assert tickets[results[1]["id"]]["contactId"] == contact["id"]  # the email's contact, not a new one
    made = emu.store.tables["contacts"].by_id[tickets[results[2]["id"]]["contactId"]]
    assert made["email"] == "new.person@x.example"
    assert len(emu.store.tables["contacts"].rows) == before + 2
    attachment = emu.store.tables["ticket_attachments"].by_id[results[3]["id"]]
    assert (attachment["name"], attachment["size"]) == ("a.txt", str(len(b"strict schema")))
    assert "from-tags-stream" in {t["name"] for t in emu.store.tables["ticket_tags"].where("ticketId", ticket["id"])}


def test_a_warehouse_schema_keyed_otherwise_and_nullable(emu):
    """A warehouse table: its own key (email), id present but null, integers as numbers."""
    schema = {"type": "object", "additionalProperties": False, "required": ["email", "id"],
              "properties": {"id": {"type": "string"}, "email": {"type": "string"}, "lastName": {"type": "string"},
                             "cf": {"type": "object", "properties": {"cf_score": {"type": "integer"}}}}}
    records = [{"id": None, "email": "wh1@x.example", "lastName": "Warehouse"},
               {"id": None, "email": "wh2@x.example", "lastName": 7}]  # still checked against the schema
    results = run_target({**emu.cfg, "fail_on_error": False}, singer_lines("contacts", schema, records, ["email"]))
    assert [(r["operation"], r["status"]) for r in results] == [("INSERT", "ok"), ("INSERT", "error")]
    assert "lastName: 7 is not of type 'string'" in results[1]["error"]
    assert any(r["email"] == "wh1@x.example" for r in emu.store.tables["contacts"].rows)


def test_write_only_inputs_are_data_per_object():
    assert set(write_only(BY_STREAM["tickets"])) == {"contactEmail"}
    assert set(write_only(BY_STREAM["ticket_attachments"])) == {"filePath", "contentBase64", "name"}
    assert set(write_only(BY_STREAM["tags"])) == {"ticketId"}
    assert write_only(BY_STREAM["contacts"]) == {}


def test_about_lists_each_streams_operations_and_fields():
    proc = subprocess.run([sys.executable, "-m", "target_zohodesk", "--about", "--format", "json"],
                          capture_output=True, text=True, timeout=120, check=True)
    writes = json.loads(proc.stdout)["writes"]
    assert writes == json.loads(json.dumps(write_contract()))
    assert set(writes) == {s.stream for s in OBJECTS if s.write.dml} | {"send_email_reply"}
    for spec in OBJECTS:
        if not spec.write.dml:
            continue
        entry = writes[spec.stream]
        assert entry["operations"] == sorted(spec.write.dml)
        schema = set(load_schema(spec)["properties"]) | set(write_only(spec))
        for op in spec.write.dml:
            assert entry[op]["call"] and set(entry[op]["required"]) <= set(entry[op]["fields"]) | {
                "contactId or contactEmail", "filePath, or name and contentBase64"}
            assert set(entry[op]["fields"]) - {"_sdc_deleted_at"} <= schema | {"ticketId"}
        if "INSERT" in spec.write.dml and spec.schema_name not in ("tags", "ticket_tags"):
            assert set(spec.write.required) <= set(entry["INSERT"]["required"])
            assert set(entry["INSERT"]["fields"]) == set(spec.links if not spec.parent.as_param else ()) | allowed(
                spec, "INSERT") if spec.parent else set(entry["INSERT"]["fields"]) == allowed(spec, "INSERT")
    assert "contactEmail" in writes["tickets"]["INSERT"]["fields"]
    assert writes["tickets"]["INSERT"]["required"] == ["subject", "departmentId", "contactId or contactEmail"]
    assert writes["ticket_tags"]["DELETE"]["call"] == "POST tickets/{ticketId}/dissociateTag"
    assert writes["contacts"]["upsert_keys"][0] == "email"
    assert writes["accounts"]["upsert_keys"] == ["accountName"]  # accounts/search takes no email/phone/website
    assert writes["contacts"]["UPDATE"]["source"] == "OAS" and "isEndUser" not in writes["contacts"]["UPDATE"]["fields"]
    # a ticket keeps its team, account and layout (the migration script's POST of a read ticket keeps them)
    assert {"teamId", "accountId", "layoutId"} <= set(writes["tickets"]["UPDATE"]["fields"]) & set(
        writes["tickets"]["INSERT"]["fields"])
    unproven = {(s, op) for s, e in writes.items() for op in e["operations"] if e[op].get("unproven")}
    assert unproven == {("kb_categories", "DELETE"), ("kb_categories", "UPDATE"),  # kbCategory/{id}: no operation
                        ("contract_comments", "UPDATE"), ("contract_comments", "DELETE"),  # verbs: nowhere
                        ("archived_tickets", "UPDATE"), ("archived_tickets", "DELETE"),  # archived ids: nowhere
                        ("call_attachments", "INSERT"), ("call_attachments", "DELETE"),  # no such module (R6)
                        ("event_attachments", "INSERT"), ("event_attachments", "DELETE")}
    assert writes["kb_categories"]["UPDATE"]["evidence"] == "unproven (reference)"
    assert writes["teams"]["UPDATE"]["evidence"] == "confirmed (OAS)"
    text = subprocess.run([sys.executable, "-m", "target_zohodesk", "--about"], capture_output=True, text=True,
                          timeout=120, check=True).stdout
    assert "Writes (per stream" in text and "  - Stream: ticket_tags" in text
    markdown = subprocess.run([sys.executable, "-m", "target_zohodesk", "--about", "--format", "markdown"],
                              capture_output=True, text=True, timeout=120, check=True).stdout
    assert "## Writes" in markdown and "| `contacts` | INSERT | `POST contacts` | lastName |" in markdown


def test_decimal_numbers_go_out_as_json_numbers(emu):
    """The SDK reads 1.5 as Decimal('1.5'); the body must still be JSON (it was a TypeError crash)."""
    ticket = emu.store.tables["tickets"].rows[2]
    schema = {"type": "object", "properties": {"id": {"type": "string"}, "cf": {"type": "object"}}}
    results = run_target(emu.cfg, singer_lines("tickets", schema, [{"id": ticket["id"], "cf": {"cf_score": 1.5,
                                                                                            "cf_level": 3.0}}]))
    assert [r["status"] for r in results] == ["ok"]
    assert (ticket["cf"]["cf_score"], ticket["cf"]["cf_level"]) == ("1.5", "3")
