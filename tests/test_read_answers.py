"""Reads against the emulator answering as the public evidence says (issue 16, read side)."""

from __future__ import annotations

from tap_zohodesk.api.client import ZohoDeskClient
from tests.helpers import run_tap, run_target, singer_lines, target_emulator


def test_the_organization_id_sent_as_a_number_is_a_string_the_target_accepts(tmp_path):
    with target_emulator(tmp_path, tickets=10, seed=5) as emulator:
        answer = ZohoDeskClient(emulator.config()).get("organizations")["data"]
        assert len(answer) == 1 and type(answer[0]["id"]) is int  # Airbyte: the organization id is a number
        result = run_tap(emulator.config(), streams=["organizations"])
        records = result.records["organizations"]
        assert len(records) == 1
        assert records[0]["id"] == str(answer[0]["id"])
        emulator.reset_counts()
        lines = run_target(emulator.cfg, singer_lines("organizations", result.schemas["organizations"], records,
                                                      ["id"]))
        assert lines and all(line["status"] == "ok" for line in lines), lines
        assert emulator.calls_to("PATCH /organizations/{id}") == 1


def test_integers_where_the_schema_says_string_become_their_strings_at_every_level():
    """The pruner hands the record to the stream's drift counters (drift.py), which write each such
    integer as its string, at every level, and count it."""
    import logging

    from tap_zohodesk.drift import StreamDrift
    from tap_zohodesk.records import compile_pruner

    schema = {"type": "object", "additionalProperties": False, "properties": {
        "id": {"type": ["string"]}, "count": {"type": ["integer", "null"]}, "flag": {"type": ["boolean", "null"]},
        "departmentIds": {"type": ["array", "null"], "items": {"type": ["string"]}},
        "owner": {"type": ["object", "null"], "properties": {"id": {"type": ["string", "null"]}}},
        "rows": {"type": ["array", "null"], "items": {"type": "object", "properties": {"agentId": {"type": "string"}}}},
    }}
    record = {"id": 123456789012345678901, "count": 7, "flag": True,
              "departmentIds": [5, "6"], "owner": {"id": 9}, "rows": [{"agentId": 4}, {"agentId": "5"}]}
    drift = StreamDrift("s", schema, logging.getLogger("test"), False, ["id"])
    compile_pruner(schema, logging.getLogger("test"), "s", unknown=drift.unknown)(record, "")
    drift.settle(record)
    assert record == {"id": "123456789012345678901", "count": 7, "flag": True,
                      "departmentIds": ["5", "6"], "owner": {"id": "9"}, "rows": [{"agentId": "4"}, {"agentId": "5"}]}
    assert sum(drift.converted.values()) == 4


def test_a_refused_limit_steps_to_the_next_documented_cap_outside_threads():
    from tests.emulator import Emulator

    with Emulator(tickets=120, seed=6, limit_caps={"tickets/{ticketId}/comments": 99}) as emu:
        result = run_tap(emu.config(), streams=["ticket_comments"])
        tickets = emu.store.tables["tickets"].by_id
        expected = [r for r in emu.store.tables["ticket_comments"].rows if r["ticketId"] in tickets]
        assert expected and sorted(result.ids("ticket_comments")) == sorted(r["id"] for r in expected)
        limits = [int(c["query"]["limit"]) for c in emu.log if c["route"] == "GET /tickets/{ticketId}/comments"]
        assert len(emu.errors()) == 1  # 100 refused once, then 50: no 422 spent on 99
        assert set(limits[1:]) == {50}


def test_the_same_fallback_on_two_endpoints_is_logged_and_listed_for_each(caplog):
    import logging

    from tests.emulator import Emulator

    caps = {"contacts/search": 99, "accounts/search": 99}
    with Emulator(tickets=60, seed=6, limit_caps=caps) as emu, caplog.at_level(logging.WARNING):
        result = run_tap(emu.config(), streams=["contacts", "accounts"])
        assert result.records["contacts"] and result.records["accounts"]
    expected = [f"{path}: refuses a larger limit: paging by 50" for path in caps]
    assert sorted(result.stats["fallbacks"]) == sorted(expected)
    for line in expected:
        assert caplog.text.count(line) == 1


def test_a_jira_record_is_the_whole_answer_keyed_by_its_ticket(small_emulator):
    emu = small_emulator
    emu.reset_counts()
    result = run_tap(emu.config(), streams=["tickets", "jira_issues"])
    linked = {r["ticketId"]: r for r in emu.store.tables["jira_issues"].rows}
    records = result.records["jira_issues"]
    assert records and len(records) == len(linked)
    for record in records:  # DeskUI: the whole answer, issueInfo with issueKey and transitionInfo, no id
        assert record == linked[record["ticketId"]]
        assert record["issueInfo"]["issueKey"].startswith("DESK-") and "id" not in record
    calls = [c for c in emu.log if c["route"] == "GET /tickets/{ticketId}/jiraIssue"]
    assert len(calls) == len(emu.store.tables["tickets"].rows)  # one per ticket: unlinked ones answer no issueInfo
    assert all(c["query"] == {"isReact": "true"} and c["status"] == 200 for c in calls)


def _archive(emu, count: int) -> str:
    """``count`` archived tickets in the first department (copies of a seeded one); its id."""
    table = emu.store.tables["archived_tickets"]
    department = emu.store.tables["departments"].rows[0]["id"]
    model = next(r for r in table.rows if r["departmentId"] == department)
    have = sum(1 for r in table.rows if r["departmentId"] == department)
    for _ in range(count - have):
        table.add({**model, "id": emu.store.new_id()})
    return department


def test_archived_tickets_past_the_from_cap_stop_with_one_line_naming_the_department():
    import pytest

    from tap_zohodesk.api.client import ZohoDeskError
    from tests.emulator import Emulator

    with Emulator(tickets=60, seed=8) as emu:
        department = _archive(emu, 5_050)
        with pytest.raises(ZohoDeskError) as err:
            run_tap(emu.config(), streams=["archived_tickets"])
        line = str(err.value)
        assert f"archived_tickets: departmentId {department} has more than 5,000 records" in line
        assert "filter archived_tickets on departmentId" in line and "\n" not in line
        assert emu.errors() == []  # never asked past from=4999 (the emulator answers that with a 422)
        offsets = [int(c["query"]["from"]) for c in emu.log if c["query"].get("departmentId") == department]
        assert max(offsets) == 4999


def test_a_department_with_exactly_5000_archived_tickets_is_read_whole():
    from tests.emulator import Emulator

    with Emulator(tickets=60, seed=8) as emu:
        department = _archive(emu, 5_000)
        result = run_tap(emu.config(), streams=["archived_tickets"])
        ids = [r["id"] for r in result.records["archived_tickets"] if r["departmentId"] == department]
        assert len(ids) == len(set(ids)) == 5_000
        everything = emu.store.tables["archived_tickets"].rows
        assert sorted(result.ids("archived_tickets")) == sorted(r["id"] for r in everything)
        assert emu.errors() == []


def test_the_extended_ticket_read_asks_for_the_side_objects_its_schema_declares(small_emulator):
    emu = small_emulator
    emu.reset_counts()
    result = run_tap(emu.config(), streams=["tickets", "tickets_extended"])
    records = result.records["tickets_extended"]
    assert records and len(records) == len(emu.store.tables["tickets"].rows)
    contracts = {}
    for contract in emu.store.tables["contracts"].rows:
        contracts.setdefault(contract["accountId"], contract)
    with_contract = [r for r in records if r["accountId"] in contracts]
    assert with_contract  # the seed links some tickets' accounts to a contract
    for record in with_contract:
        assert record["contract"]["id"] == contracts[record["accountId"]]["id"]
        assert record["department"]["id"] == record["departmentId"]
        contact = emu.store.tables["contacts"].by_id.get(record["contactId"])  # None: in the recycle bin
        assert (record["contact"] or {}).get("id") == (contact or {}).get("id")
    details = [c for c in emu.log if c["route"] == "GET /tickets/{id}"]
    assert details and all(set(c["query"]["include"].split(",")) == {
        "contacts", "products", "departments", "team", "assignee", "contract", "isRead", "skills"} for c in details)


def test_an_incremental_time_entry_read_is_windowed_by_the_server():
    from tests.emulator import Emulator

    with Emulator(tickets=60, seed=9) as emu:
        first = run_tap(emu.config(), streams=["agent_time_entries"])
        entries = emu.store.tables["agent_time_entries"].rows
        assert first.records["agent_time_entries"] and len(first.records["agent_time_entries"]) == len(entries)
        bookmark = first.state["bookmarks"]["agent_time_entries"]["replication_key_value"]
        added = emu.store.add_child("agent_time_entries", {**entries[0], "id": emu.store.new_id(),
                                                           "createdTime": emu.store.now()},
                                    parent_table="agents", parent_key="agentId", bump_parent=False)
        served = []

        def count(route, payload):
            if route == "GET /agents/{agentId}/timeEntry" and payload:
                served.extend(payload["data"])
            return payload

        emu.reset_counts()
        emu.answer_hook = count
        second = run_tap(emu.config(), streams=["agent_time_entries"], state=first.state)
        got = second.records["agent_time_entries"]
        assert added["id"] in [r["id"] for r in got]
        assert all(r["createdTime"] >= bookmark for r in got)
        calls = [c for c in emu.log if c["route"] == "GET /agents/{agentId}/timeEntry"]
        assert calls and all(c["query"]["createdTimeRange"].startswith(f"{bookmark[:19]}") for c in calls)
        assert len(served) == len(got) < len(entries)  # only the new entries crossed the wire
