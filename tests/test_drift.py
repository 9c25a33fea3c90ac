"""Schema drift during a sync: unknown fields counted and named once (kept in _sdc_extra with
keep_unknown_fields), values of another JSON type converted when lossless and counted, others stop
the stream with one line naming the record's key and the field path."""

from __future__ import annotations

import logging

import pytest

from tap_zohodesk.api.client import ZohoDeskError
from tap_zohodesk.drift import lossless
from tests.emulator import Emulator
from tests.emulator.variants import Variants
from tests.helpers import run_tap


@pytest.fixture
def drifting():
    with Emulator(tickets=60, seed=33) as emulator:
        variants = Variants(emulator)
        variants.extra_field("GET /tickets/search", "slaBreachReason", lambda row: f"late {row['ticketNumber']}")
        yield emulator, variants


def _tickets(emulator: Emulator) -> dict[str, dict]:
    return {r["id"]: r for r in emulator.store.tables["tickets"].rows}


def test_an_unknown_field_is_dropped_counted_and_named_once_in_the_end_table(drifting, caplog):
    emulator, _ = drifting
    with caplog.at_level(logging.INFO):
        result = run_tap(emulator.config(), streams=["tickets"])
    records = result.records["tickets"]
    assert len(records) == len(_tickets(emulator)) > 0
    assert all("slaBreachReason" not in r and "_sdc_extra" not in r for r in records)
    assert "_sdc_extra" not in result.schemas["tickets"]["properties"]
    line = f"schema drift: tickets.slaBreachReason not in the schema, {len(records):,} records (dropped)"
    assert caplog.text.count(line) == 1
    assert caplog.text.count("'slaBreachReason' is not in the schema") == 1  # warned once, not per record


def test_keep_unknown_fields_keeps_them_in_sdc_extra(drifting, caplog):
    emulator, _ = drifting
    with caplog.at_level(logging.INFO):
        result = run_tap(emulator.config(keep_unknown_fields=True), streams=["tickets"])
    records = result.records["tickets"]
    seeded = _tickets(emulator)
    assert len(records) == len(seeded) > 0
    assert all(r["_sdc_extra"] == {"slaBreachReason": f"late {seeded[r['id']]['ticketNumber']}"} for r in records)
    assert result.schemas["tickets"]["properties"]["_sdc_extra"]["type"] == ["object", "null"]
    assert f"tickets.slaBreachReason not in the schema, {len(records):,} records (kept in _sdc_extra)" in caplog.text


def test_a_nested_unknown_field_is_counted_by_its_path(caplog):
    with Emulator(tickets=60, seed=33) as emulator:
        variants = Variants(emulator)
        variants.retype("GET /tickets/search", "sharedDepartments",
                        lambda value: [{**d, "shareMode": f"mode {k}"} for k, d in enumerate(value * 2)])
        with caplog.at_level(logging.INFO):
            result = run_tap(emulator.config(keep_unknown_fields=True), streams=["tickets"])
    shared = [r for r in result.records["tickets"] if r.get("sharedDepartments")]
    assert len(shared) > 0
    assert all(len(r["sharedDepartments"]) > 1 for r in shared)
    assert all(r["_sdc_extra"] == {f"sharedDepartments[{k}].shareMode": f"mode {k}"  # every element's value
                                   for k in range(len(r["sharedDepartments"]))} for r in shared)
    elements = sum(len(r["sharedDepartments"]) for r in shared)
    assert f"tickets.sharedDepartments[].shareMode not in the schema, {elements:,} records" in caplog.text


def test_a_number_where_a_string_is_declared_is_converted_and_counted(caplog):
    with Emulator(tickets=60, seed=33) as emulator:
        Variants(emulator).retype("GET /tickets/search", "threadCount", int)
        seeded = _tickets(emulator)
        with caplog.at_level(logging.INFO):
            result = run_tap(emulator.config(), streams=["tickets"])
    records = result.records["tickets"]
    counted = [r for r in records if r.get("threadCount") is not None]
    assert len(counted) > 0
    assert all(r["threadCount"] == str(int(seeded[r["id"]]["threadCount"])) for r in counted)
    assert f"tickets.threadCount sent as integer, converted to string ({len(counted):,} values)" in caplog.text


def test_a_value_that_cannot_be_converted_stops_the_stream_naming_record_and_path():
    with Emulator(tickets=60, seed=33) as emulator:
        Variants(emulator).retype("GET /accounts/search", "accountName", lambda value: [value])
        first = emulator.store.tables["accounts"].rows
        assert first
        with pytest.raises(ZohoDeskError, match=r"^accounts: record id=\d+ field accountName is array where the "
                                                r"schema declares null/string"):
            run_tap(emulator.config(), streams=["accounts"])


@pytest.mark.parametrize(("value", "kinds", "expected"), [
    (123, {"string", "null"}, (True, "123")), ("42", {"integer"}, (True, 42)), ("4.5", {"number"}, (True, 4.5)),
    (5.0, {"integer"}, (True, 5)), ("007", {"integer"}, (False, "007")), ("4.5", {"integer"}, (False, "4.5")),
    (True, {"string"}, (False, True)), ("abc", {"number"}, (False, "abc")), ({"a": 1}, {"string"}, (False, {"a": 1})),
])
def test_what_converts_without_loss(value, kinds, expected):
    assert lossless(value, frozenset(kinds)) == expected
