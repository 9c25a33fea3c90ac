"""Records the tap emits, fed back unchanged as updates, are taken: issue 16 item 3.

Zoho validates a request body against the endpoint's own field list (the emulator's
write_facts.BODY, written from the evidence), so a record sent back as read must lose what
Zoho computes and keep only what the endpoint takes. Every stream that can be updated is read
from the emulator, piped into target-zohodesk against the same emulator, and then nothing in
Zoho may have changed but ``modifiedTime``.
"""

from __future__ import annotations

import copy
import json
import logging
from collections import Counter

from tap_zohodesk.api.catalog import BY_STREAM, OBJECTS
from tests.emulator import Emulator
from tests.helpers import run_tap, run_target

UPDATABLE = sorted(s.stream for s in OBJECTS if "UPDATE" in s.write.dml)


def _stored(emu) -> dict[str, list[dict]]:
    """Every table of the emulator, rows without modifiedTime."""
    return {name: [{k: v for k, v in row.items() if k != "modifiedTime"} for row in table.rows]
            for name, table in emu.store.tables.items()}


def test_every_updatable_stream_round_trips_unchanged(tmp_path, caplog):
    with Emulator(tickets=40, seed=16) as emu:
        emitted = run_tap(emu.config(), streams=UPDATABLE)
        before = copy.deepcopy(_stored(emu))
        stamps = {name: [row.get("modifiedTime") for row in table.rows] for name, table in emu.store.tables.items()}
        lines = []
        for stream in UPDATABLE:
            lines.append({"type": "SCHEMA", "stream": stream, "schema": emitted.schemas[stream],
                          "key_properties": list(BY_STREAM[stream].primary_key)})
            lines += [{"type": "RECORD", "stream": stream, "record": r} for r in emitted.records[stream]]
        config = emu.config(results_path=str(tmp_path / "r.jsonl"), journal_path=str(tmp_path / "j.sqlite"))
        with caplog.at_level(logging.INFO, logger="target-zohodesk"):
            results = run_target(config, "\n".join(json.dumps(line) for line in lines) + "\n")
        after = _stored(emu)
        writes = [c for c in emu.log if c["method"] != "GET"]

    per_stream = Counter(r["stream"] for r in results)
    for stream in UPDATABLE:
        assert per_stream[stream] == len(emitted.records[stream]) > 0, stream
    assert {(r["operation"], r["status"]) for r in results} == {("UPDATE", "ok")}, \
        [r for r in results if r["status"] != "ok"][:3]
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(writes) == sum(1 for r in results if r.get("note") != "nothing to update") > 0
    assert after == before  # nothing changed but modifiedTime ...
    moved = {name for name, table in stamps.items()
             if any(a != b for a, b in zip(table, [r.get("modifiedTime") for r in emu.store.tables[name].rows],
                                           strict=True))}
    assert "tickets" in moved and "contacts" in moved  # ... which the updates did move
    dropped = [r.getMessage() for r in caplog.records if "left out fields" in r.getMessage()]
    assert len(dropped) == len({m.split(":")[0] for m in dropped})  # one line per stream
    contacts = next(m for m in dropped if m.startswith("contacts: UPDATE"))
    assert all(f"{name} ({len(emitted.records['contacts'])} records)" in contacts
               for name in ("isAnonymous", "isEndUser", "zohoCRMContact", "createdTime"))


def test_a_field_zoho_does_not_take_refuses_its_record_in_one_line(tmp_path):
    from tests.helpers import singer_lines, target_emulator

    with target_emulator(tmp_path, tickets=10, seed=3, fail_on_error=False) as emu:
        contacts = emu.store.tables["contacts"].rows[:2]
        schema = {"type": "object", "additionalProperties": True, "properties": {"id": {"type": "string"}}}
        records = [{"id": contacts[0]["id"], "lastName": "Kept", "isEndUser": True, "mood": "grumpy", "aura": 1},
                   {"id": contacts[1]["id"], "lastName": "Renamed", "isAnonymous": False, "webUrl": "x"}]
        results = run_target(emu.cfg, singer_lines("contacts", schema, records))
        writes = [c for c in emu.log if c["method"] != "GET"]
        stored = [emu.store.tables["contacts"].by_id[c["id"]]["lastName"] for c in contacts]

    assert [r["status"] for r in results] == ["error", "ok"]
    assert results[0]["error"] == (f"contacts: record {contacts[0]['id']}: UPDATE cannot carry aura, mood (Zoho Desk "
                                   "takes no such field on this write; the tap never emits it)")
    assert len(writes) == 1 and stored[1] == "Renamed" and stored[0] != "Kept"


def test_the_emulator_names_every_field_its_endpoint_does_not_take():
    from tap_zohodesk.api.client import ZohoDeskClient, ZohoDeskError

    with Emulator(tickets=5, seed=2) as emu:
        contact = emu.store.tables["contacts"].rows[0]
        before = dict(contact)
        client = ZohoDeskClient(emu.config())
        try:
            client.request("PATCH", f"contacts/{contact['id']}", json={
                "lastName": "x", "isAnonymous": False, "isEndUser": True, "zohoCRMContact": None})
        except ZohoDeskError as exc:
            error = exc
        else:
            error = None
        client.request("PATCH", f"contacts/{contact['id']}", json={"lastName": "Accepted"})
        after = dict(emu.store.tables["contacts"].by_id[contact["id"]])

    assert error is not None and error.status == 422
    assert "INVALID_DATA" in str(error)
    assert "[fields: /isAnonymous (invalid), /isEndUser (invalid), /zohoCRMContact (invalid)]" in str(error)
    assert before["lastName"] != "x" and after["lastName"] == "Accepted"


def test_accounts_are_upserted_only_by_what_their_search_takes():
    from tap_zohodesk.api.client import ZohoDeskClient, ZohoDeskError
    from target_zohodesk.target import ConfigError, check_upsert_keys

    assert check_upsert_keys({"accounts": ["accountName"]}) == {"accounts": ["accountName"]}
    for field in ("email", "phone", "website"):
        try:
            check_upsert_keys({"accounts": [field]})
        except ConfigError as exc:
            assert str(exc) == f"config 'upsert_keys'.accounts: {field} not searchable (its search takes accountName)"
        else:
            raise AssertionError(f"{field} accepted")
    with Emulator(tickets=5, seed=2) as emu:
        account = emu.store.tables["accounts"].rows[0]
        client = ZohoDeskClient(emu.config())
        found = client.get("accounts/search", params={"accountName": account["accountName"]}, label="t")
        refused = []
        for field in ("email", "phone", "website"):
            try:
                client.get("accounts/search", params={field: "x"}, label="t")
            except ZohoDeskError as exc:
                refused.append(exc.status)
    assert [row["id"] for row in found["data"]] == [account["id"]]
    assert refused == [422, 422, 422]


def test_the_catalog_and_the_emulator_take_the_same_fields_the_tap_emits():
    """Both allow-lists are written from the evidence, separately: on every field the tap emits
    for a stream they agree, per operation (inputs no read returns may differ in name)."""
    from tap_zohodesk.api.writable import allowed, emitted
    from tests.emulator.write_facts import BODY, WRITES

    calls = {(e.method, e.path): e for e in WRITES}
    checked = 0
    for spec in OBJECTS:
        if spec.write.create != "json":
            continue
        for operation, method, path in (("INSERT", "POST", spec.read.path),
                                        ("UPDATE", spec.write.update_verb, spec.write.update_path or spec.read.one)):
            if operation not in spec.write.dml:
                continue
            endpoint = calls[(method, path)]
            theirs = BODY[(endpoint.table, endpoint.op)] & emitted(spec)
            if spec.write.contact_or and operation == "INSERT":
                theirs -= {"contact"}  # built by the writer from contactEmail, never taken from the record
            assert allowed(spec, operation) & emitted(spec) == theirs, (spec.stream, operation)
            checked += 1
    assert checked > 40
