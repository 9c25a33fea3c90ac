"""The five core streams read from the emulator over real HTTP."""

from __future__ import annotations

from collections import Counter

import jsonschema
import pytest

from tests.emulator import Emulator
from tests.helpers import run_tap

CORE = ["departments", "agents", "contacts", "accounts", "tickets"]


def test_full_sync_emits_every_record_exactly_once(shared_emulator):
    endpoint = "search tickets"
    result = run_tap(shared_emulator.config(), streams=CORE)
    for stream in CORE:
        expected = sorted(r["id"] for r in shared_emulator.store.tables[stream].rows)
        assert sorted(result.ids(stream)) == expected, stream
    # pages at the cap of 100 rows, ended by a short page (or by a 204 after a full one)
    tickets = len(shared_emulator.store.tables["tickets"].rows)
    assert result.stats["calls_by_endpoint"][endpoint] == tickets // 100 + 1


def test_fields_the_schema_does_not_declare_are_dropped(emulator):
    ticket = emulator.store.tables["tickets"].rows[0]
    ticket["brandNewApiField"] = "x"
    ticket["source"]["newNested"] = 1
    ticket["sharedDepartments"] = [{"id": "1", "name": "n", "type": "READ_ONLY", "extra": True}]
    result = run_tap(emulator.config(), streams=["tickets"])
    validator = jsonschema.Draft7Validator(result.schemas["tickets"])
    first = next(r for r in result.records["tickets"] if r["id"] == ticket["id"])
    validator.validate(first)
    assert "brandNewApiField" not in first and "newNested" not in first["source"]
    assert first["sharedDepartments"] == [{"id": "1", "name": "n", "type": "READ_ONLY"}]
    assert first["cf"]["cf_region"] == ticket["cf"]["cf_region"]
    assert first["cf"]["cf_score"] == int(ticket["cf"]["cf_score"])  # typed from field metadata


def test_records_validate_strictly_against_their_schemas(shared_emulator):
    result = run_tap(shared_emulator.config(), streams=CORE)
    for stream in CORE:
        schema = result.schemas[stream]
        assert schema["additionalProperties"] is False
        validator = jsonschema.Draft7Validator(schema)
        for record in result.records[stream]:
            validator.validate(record)
        assert Counter(result.ids(stream)).most_common(1)[0][1] == 1, f"duplicate key in {stream}"


def test_nested_fields_are_typed(shared_emulator):
    result = run_tap(shared_emulator.config(), streams=["tickets"])
    shared = result.schemas["tickets"]["properties"]["sharedDepartments"]
    assert shared["items"]["properties"]["type"]["type"] == ["string", "null"]
    assert any(r["sharedDepartments"] for r in result.records["tickets"])
    assert all(isinstance(r["cf"], dict) for r in result.records["tickets"])


def test_incremental_run_reads_only_changed_tickets(emulator):
    first = run_tap(emulator.config(), streams=["tickets"])
    bookmark = first.state["bookmarks"]["tickets"]["replication_key_value"]
    touched = [t["id"] for t in emulator.store.tables["tickets"].rows[5:8]]
    emulator.store.touch("tickets", touched, status="Closed")
    emulator.reset_counts()

    second = run_tap(emulator.config(), streams=["tickets"], state=first.state)

    extra = [r for r in second.records["tickets"] if r["id"] not in touched]
    assert set(touched) <= set(second.ids("tickets"))
    assert all(r["modifiedTime"] == bookmark for r in extra), "only boundary records may repeat"
    assert len(extra) <= sum(1 for r in emulator.store.tables["tickets"].rows
                             if r["modifiedTime"] == bookmark)
    assert emulator.calls["GET /tickets"] == 0, "an incremental run must not list every ticket"
    assert emulator.calls["GET /tickets/search"] == 1
    new_bookmark = second.state["bookmarks"]["tickets"]["replication_key_value"]
    assert new_bookmark == max(r["modifiedTime"] for r in emulator.store.tables["tickets"].rows)


def test_search_windows_slide_past_the_5000_row_cap():
    with Emulator(tickets=12_000, seed=3) as emu:
        config = emu.config(start_date="2023-01-01T00:00:00Z")
        result = run_tap(config, streams=["tickets"])
        expected = sorted(r["id"] for r in emu.store.tables["tickets"].rows)
        assert sorted(result.ids("tickets")) == expected
        offsets = [int(c["query"]["from"]) for c in emu.log if c["route"] == "GET /tickets/search"]
        assert max(offsets) <= 4999
        windows = {c["query"]["modifiedTimeRange"] for c in emu.log if c["route"] == "GET /tickets/search"}
        assert len(windows) >= 3  # 12,000 rows need at least three windows


@pytest.mark.parametrize("from_base", [0, 1])
def test_list_offsets_work_whether_zoho_counts_from_0_or_1(from_base):
    with Emulator(tickets=1200, seed=5, from_base=from_base) as emu:
        rows = emu.store.tables["customer_happiness"].rows
        assert len(rows) > 50  # more than one page of the list (cap 50)
        result = run_tap(emu.config(), streams=["customer_happiness"])
        assert sorted(result.ids("customer_happiness")) == sorted(r["id"] for r in rows)
        assert emu.calls["GET /customerHappiness"] >= 2


def test_empty_list_answered_204_is_an_empty_stream(emulator):
    for row in list(emulator.store.tables["agents"].rows):
        emulator.store.tables["agents"].remove(row["id"])
    result = run_tap(emulator.config(), streams=["agents", "departments"])
    assert result.records["agents"] == []
    assert len(result.records["departments"]) == len(emulator.store.tables["departments"].rows)
    assert emulator.calls["GET /agents"] == 1


@pytest.mark.parametrize("path, stream", [("contacts/search", "contacts"), ("tickets/{ticketId}/threads", "threads")])
def test_a_lower_cap_than_documented_is_tolerated_and_learned_once(path, stream):
    caps = {"contacts/search": 99, "tickets/{ticketId}/threads": 99}
    with Emulator(tickets=500, seed=6, limit_caps={path: caps[path]}) as emu:
        result = run_tap(emu.config(), streams=[stream])
        assert sorted(result.ids(stream)) == sorted(r["id"] for r in emu.store.tables[stream].rows
                                                    if stream == "contacts"
                                                    or r["ticketId"] in emu.store.tables["tickets"].by_id)
        limits = [int(c["query"]["limit"]) for c in emu.log if c["route"] == f"GET /{path}"]
        refused = [c for c in emu.errors()]
        # once per run: 100 -> 50 (the next documented cap) for a search; 200 -> 100 -> 99 for threads only,
        # whose pages Zoho's web UI clamps to 99
        assert len(refused) == (1 if stream == "contacts" else 2)
        step = 50 if stream == "contacts" else 99
        assert set(limits[len(refused):]) == {step}
        assert [line for line in result.stats["fallbacks"] if f"paging by {step}" in line] == [
            f"{path}: refuses {'a larger limit' if stream == 'contacts' else 'limit 100'}: paging by {step}"]
