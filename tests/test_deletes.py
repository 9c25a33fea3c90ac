"""Deleted records: the recycle bin stream and delete markers on incremental runs."""

from __future__ import annotations

import jsonschema

from tap_zohodesk.api.client import ZohoDeskClient
from tests.helpers import run_tap


def _trash_via_api(emulator, stream: str, key: str, ids: list[str]) -> None:
    ZohoDeskClient(emulator.config()).request("POST", f"{stream}/moveToTrash", json={key: ids})


def test_three_deleted_tickets_become_three_delete_markers(emulator):
    config = emulator.config(emit_deletes=True)
    first = run_tap(config, streams=["tickets"])
    assert not [r for r in first.records["tickets"] if r.get("_sdc_deleted_at")]
    doomed = [t["id"] for t in emulator.store.tables["tickets"].rows[20:23]]
    _trash_via_api(emulator, "tickets", "ticketIds", doomed)

    second = run_tap(config, streams=["tickets"], state=first.state)

    markers = [r for r in second.records["tickets"] if r.get("_sdc_deleted_at")]
    assert sorted(m["id"] for m in markers) == sorted(doomed)
    bin_times = {e["id"]: e["deletedTime"] for e in emulator.store.recycle_bin}
    assert all(m["_sdc_deleted_at"] == bin_times[m["id"]] for m in markers)
    jsonschema.Draft7Validator(second.schemas["tickets"]).validate(markers[0])
    # older recycle-bin entries (deleted before the first run) are not repeated
    assert len(markers) == 3


def test_markers_are_not_emitted_unless_asked(emulator):
    first = run_tap(emulator.config(), streams=["contacts"])
    _trash_via_api(emulator, "contacts", "contactIds", [emulator.store.tables["contacts"].rows[0]["id"]])
    second = run_tap(emulator.config(), streams=["contacts"], state=first.state)
    assert "_sdc_deleted_at" not in second.schemas["contacts"]["properties"]
    assert not any("_sdc_deleted_at" in r for r in second.records["contacts"])


def test_deleted_records_stream_reads_every_module(emulator):
    _trash_via_api(emulator, "tasks", "entityIds", [emulator.store.tables["tasks"].rows[0]["id"]])
    result = run_tap(emulator.config(), streams=["deleted_records"])
    got = {(r["module"], r["id"]) for r in result.records["deleted_records"]}
    assert got == {(e["module"], e["id"]) for e in emulator.store.recycle_bin}
    assert {m for m, _ in got} >= {"tickets", "contacts", "accounts", "tasks", "products"}
    record = result.records["deleted_records"][0]
    assert record["deletedBy"]["id"] == record["deletedById"] and record["displayName"]
    jsonschema.Draft7Validator(result.schemas["deleted_records"]).validate(record)


def test_deleted_records_options_and_incremental(emulator):
    first = run_tap(emulator.config(), streams=["deleted_records"])
    before = len(first.records["deleted_records"])
    _trash_via_api(emulator, "accounts", "accountIds", [emulator.store.tables["accounts"].rows[1]["id"]])
    second = run_tap(emulator.config(), streams=["deleted_records"], state=first.state)
    mark = first.state["bookmarks"]["deleted_records"]["replication_key_value"]
    fresh = [r for r in second.records["deleted_records"] if r["deletedTime"] != mark]
    assert [r["module"] for r in fresh] == ["accounts"]  # plus at most the boundary record
    assert len(second.records["deleted_records"]) - len(fresh) <= 1
    assert before == len(emulator.store.recycle_bin) - 1

    agent = emulator.current_agent()["id"]
    excluded = run_tap(emulator.config(deleted_records={"exclude_user_id": agent}), streams=["deleted_records"])
    assert excluded.records["deleted_records"] == []
    newest = max(e["deletedTime"] for e in emulator.store.recycle_bin)
    window = run_tap(emulator.config(deleted_records={"start_date": newest}), streams=["deleted_records"])
    assert [r["deletedTime"] for r in window.records["deleted_records"]] == [newest]


def test_move_to_trash_is_strict(emulator):
    client = ZohoDeskClient(emulator.config())
    import pytest

    from tap_zohodesk.api.client import ZohoDeskError

    with pytest.raises(ZohoDeskError, match=r"INVALID_DATA.*\[fields: /ticketIds \(missing\)\]"):
        client.request("POST", "tickets/moveToTrash", json={"ids": ["1"]})
    with pytest.raises(ZohoDeskError, match="at most 50 ids"):
        client.request("POST", "tickets/moveToTrash", json={"ticketIds": [str(i) for i in range(51)]})
