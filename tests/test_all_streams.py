"""Every catalog stream against a seeded emulator: records, schemas, keys, incremental."""

from __future__ import annotations

import logging
from collections import Counter

import jsonschema
import pytest

from tap_zohodesk.api.catalog import BY_STREAM, OBJECTS
from tests.emulator import Emulator
from tests.helpers import run_tap

ALL = [spec.stream for spec in OBJECTS]


@pytest.fixture(scope="module")
def small(small_emulator):
    return small_emulator


@pytest.fixture(scope="module")
def full_run(small):
    return run_tap(small.config(), streams=ALL)


@pytest.mark.parametrize("stream", ALL)
def test_stream_emits_valid_records_with_unique_keys(full_run, stream):
    records = full_run.records[stream]
    assert records, f"{stream} emitted no record"
    validator = jsonschema.Draft7Validator(full_run.schemas[stream])
    for record in records:
        errors = sorted(validator.iter_errors(record), key=str)
        assert not errors, f"{stream}: {errors[0].message} in {record}"
    spec = BY_STREAM[stream]
    keys = Counter(tuple(r[k] for k in spec.primary_key) for r in records)
    duplicated = [k for k, n in keys.items() if n > 1]
    assert not duplicated, f"{stream}: duplicate primary keys {duplicated[:3]}"


def test_children_match_the_emulator_exactly(small, full_run):
    for stream, table in [("ticket_comments", "ticket_comments"), ("threads", "threads")]:
        active = {t["id"] for t in small.store.tables["tickets"].rows}
        expected = sorted(r["id"] for r in small.store.tables[table].rows if r["ticketId"] in active)
        assert sorted(full_run.ids(stream)) == expected, stream


def test_parents_with_zero_children_are_not_called(small):
    small.reset_counts()
    run_tap(small.config(), streams=["tickets", "ticket_comments"])
    with_comments = sum(1 for t in small.store.tables["tickets"].rows if t["commentCount"] != "0")
    assert 0 < with_comments < len(small.store.tables["tickets"].rows)
    assert small.calls["GET /tickets/{ticketId}/comments"] == with_comments
    assert small.calls["GET /tickets/search"] == 1  # parents read once, shared with the child


def test_child_reads_its_parents_itself_when_the_parent_is_not_selected(small):
    result = run_tap(small.config(), streams=["ticket_comments"])
    assert "tickets" not in result.records
    assert len(result.records["ticket_comments"]) == sum(
        int(t["commentCount"]) for t in small.store.tables["tickets"].rows)


def test_custom_fields_are_typed_and_converted(full_run):
    cf = full_run.schemas["tickets"]["properties"]["cf"]
    assert cf["additionalProperties"] is False
    assert cf["properties"]["cf_score"]["type"] == ["integer", "null"]
    assert all(isinstance(r["cf"]["cf_score"], int) for r in full_run.records["tickets"])
    assert full_run.schemas["contacts"]["properties"]["cf"]["properties"]["cf_vip"]["type"] == ["boolean", "null"]


def test_custom_field_metadata_unreachable_leaves_cf_open(emulator, caplog):
    emulator.inject("500", times=100, path="organizationFields")
    with caplog.at_level(logging.WARNING):
        result = run_tap(emulator.config(max_retries=0), streams=["tickets"])
    assert result.schemas["tickets"]["properties"]["cf"]["additionalProperties"] is True
    assert "Custom fields of tickets stay untyped" in caplog.text
    assert len(result.records["tickets"]) == len(emulator.store.tables["tickets"].rows)


def test_unavailable_stream_is_skipped_with_a_warning(emulator, caplog):
    emulator.disable("jira_issues", 403, "LICENSE_ACCESS_LIMITED")
    with caplog.at_level(logging.WARNING):
        result = run_tap(emulator.config(), streams=["tickets", "jira_issues", "agents"])
    assert result.records["jira_issues"] == []
    assert len(result.records["agents"]) == len(emulator.store.tables["agents"].rows)
    assert "Skipping stream 'jira_issues'" in caplog.text and "LICENSE_ACCESS_LIMITED" in caplog.text


def test_thread_content_is_off_by_default_and_costs_one_call_per_thread(emulator):
    plain = run_tap(emulator.config(), streams=["threads"])
    assert all("content" not in r for r in plain.records["threads"])
    emulator.reset_counts()
    rich = run_tap(emulator.config(include_thread_content=True), streams=["threads"])
    assert all(r["content"] for r in rich.records["threads"])
    assert emulator.calls["GET /tickets/{ticketId}/threads/{id}"] == len(rich.records["threads"])


def test_tickets_extended_adds_single_record_fields(emulator):
    lean = run_tap(emulator.config(), streams=["tickets"])
    assert all("description" not in r for r in lean.records["tickets"])
    emulator.reset_counts()
    rich = run_tap(emulator.config(), streams=["tickets_extended"])
    tickets = emulator.store.tables["tickets"].rows
    assert {r["id"]: r["description"] for r in rich.records["tickets_extended"]} == {
        t["id"]: t["description"] for t in tickets}
    assert emulator.calls["GET /tickets/{id}"] == len(tickets)


def _new_comment(emu: Emulator, ticket_id: str, *, bump: bool) -> dict:
    template = next(c for c in emu.store.tables["ticket_comments"].rows)
    now = emu.store.now()
    row = {**template, "id": emu.store.new_id(), "ticketId": ticket_id, "content": "new",
           "commentedTime": now, "modifiedTime": now}
    return emu.store.add_child("ticket_comments", row, parent_table="tickets", parent_key="ticketId",
                               count_field="commentCount", bump_parent=bump)


INCREMENTAL_SET = ["tickets", "ticket_comments", "threads", "contacts", "agents", "departments"]


def test_incremental_run_emits_only_changes_children_included(emulator):
    first = run_tap(emulator.config(), streams=INCREMENTAL_SET)
    tickets = emulator.store.tables["tickets"].rows
    touched = [tickets[3]["id"], tickets[4]["id"]]
    emulator.store.touch("tickets", touched)
    comment = _new_comment(emulator, tickets[10]["id"], bump=True)
    emulator.store.touch("contacts", [emulator.store.tables["contacts"].rows[0]["id"]])
    emulator.reset_counts()

    second = run_tap(emulator.config(), streams=INCREMENTAL_SET, state=first.state)

    def boundary_only(stream, keep):
        mark = first.state["bookmarks"][stream]["replication_key_value"]
        key = BY_STREAM[stream].key
        return all(r[key] == mark for r in second.records[stream] if r["id"] not in keep)

    assert set(touched) | {tickets[10]["id"]} <= set(second.ids("tickets"))
    assert boundary_only("tickets", set(touched) | {tickets[10]["id"]})
    assert comment["id"] in second.ids("ticket_comments")
    changed = set(second.ids("tickets"))  # a changed parent's children are re-read whole
    for stream in ("ticket_comments", "threads"):
        expected = {r["id"] for r in emulator.store.tables[stream].rows if r["ticketId"] in changed}
        assert set(second.ids(stream)) == expected, stream
    assert boundary_only("contacts", {emulator.store.tables["contacts"].rows[0]["id"]})
    assert boundary_only("departments", set())
    assert len(second.records["agents"]) == len(emulator.store.tables["agents"].rows)  # full table
    changed_parents = len(set(touched) | {tickets[10]["id"]} | {
        r["id"] for r in second.records["tickets"]})
    assert emulator.calls["GET /tickets/{ticketId}/threads"] <= changed_parents
    assert emulator.calls["GET /tickets/{ticketId}/comments"] <= changed_parents


def test_child_added_without_bumping_its_parent_arrives_with_the_sweep(emulator):
    config = emulator.config()
    first = run_tap(config, streams=["tickets", "ticket_comments"])
    quiet = emulator.store.tables["tickets"].rows[7]["id"]
    comment = _new_comment(emulator, quiet, bump=False)

    second = run_tap(config, streams=["tickets", "ticket_comments"], state=first.state)
    assert comment["id"] not in second.ids("ticket_comments")  # the parent did not move

    due = run_tap(emulator.config(child_sweep_days=1e-9), streams=["tickets", "ticket_comments"],
                  state=second.state)
    assert comment["id"] in due.ids("ticket_comments")
    assert "last_full_sweep" in due.state["bookmarks"]["ticket_comments"]
