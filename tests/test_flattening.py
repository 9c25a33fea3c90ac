"""The tap's own flattening and stream maps, end to end through Meltano into DuckDB and PostgreSQL.

Flattening (`flattening_enabled`, `flattening_max_depth`) turns each nested object into one column per
property (`source__type`), down to the given depth; deeper objects and arrays become JSON text.
A ticket whose nested object is null (`layoutDetails`, in every emulator ticket) must load too.
"""

from __future__ import annotations

import json

import jsonschema
import pytest

from tests.emulator import Emulator
from tests.helpers import run_tap
from tests.warehouses import (
    duckdb_env,
    duckdb_rows,
    meltano_run,
    need_plugins,
    tap_env,
    throwaway_postgres,
)

LAYOUT = {"id": "1892000000009001", "layoutName": "Escalations"}


@pytest.fixture(scope="module")
def pg():
    need_plugins("target-postgres")
    with throwaway_postgres() as server:
        yield server


def _emulator(seed: int) -> Emulator:
    """Tickets whose layoutDetails is null, except one that has a layout."""
    emu = Emulator(tickets=80, seed=seed)
    first = emu.store.tables["tickets"].rows[0]["id"]
    emu.store.touch("tickets", [first], layoutDetails=dict(LAYOUT))
    return emu


def _flat(depth: int, streams: list[str]) -> dict:
    return {"select": [f"{s}.*" for s in streams], "flattening_enabled": True, "flattening_max_depth": depth}


def _check_flat_tickets(rows: list[dict], columns: set[str], emu: Emulator, depth: int) -> None:
    """Rows of the flattened tickets table (column names lower-cased) against the emulator."""
    tickets = {t["id"]: t for t in emu.store.tables["tickets"].rows}
    assert {r["id"] for r in rows} == set(tickets)
    assert {"source__type", "layoutdetails__id", "layoutdetails__layoutname", "cf__cf_region"} <= columns
    assert "source" not in columns and "layoutdetails" not in columns
    nested = "contact__account__accountname" if depth >= 2 else "contact__account"
    assert nested in columns
    for row in rows:
        ticket = tickets[row["id"]]
        assert row["source__type"] == ticket["source"]["type"]
        assert row["layoutdetails__layoutname"] == (ticket["layoutDetails"] or {}).get("layoutName")
        assert row["cf__cf_region"] == (ticket.get("cf") or {}).get("cf_region")
        if ticket.get("sharedDepartments") is not None:  # arrays stay one column of JSON text
            assert json.loads(row["shareddepartments"]) == ticket["sharedDepartments"]
    assert sum(1 for r in rows if r["layoutdetails__id"] is None) == len(rows) - 1


@pytest.mark.parametrize("depth", [1, 2])
def test_flattened_records_match_the_flattened_schema_for_every_stream(small_emulator, depth):
    config = small_emulator.config(flattening_enabled=True, flattening_max_depth=depth)
    result = run_tap(config)
    assert result.records["tickets"] and result.records["ticket_activities"]
    for stream, records in result.records.items():
        validator = jsonschema.Draft7Validator(result.schemas[stream])
        for record in records:
            errors = sorted(validator.iter_errors(record), key=str)
            assert not errors, f"{stream}: {errors[0].message}"
    ticket = result.records["tickets"][0]
    assert "source__type" in ticket and "source" not in ticket


@pytest.mark.parametrize("depth", [1, 2])
def test_flattened_tickets_into_duckdb(tmp_path, depth):
    need_plugins("target-duckdb")
    db = tmp_path / "flat.duckdb"
    with _emulator(seed=40 + depth) as emu:
        meltano_run(tap_env(emu, **_flat(depth, ["tickets"])), "target-duckdb", duckdb_env(db))
        rows = duckdb_rows(db, "select * from zohodesk.tickets")
        columns = {c["column_name"] for c in duckdb_rows(
            db, "select column_name from information_schema.columns where table_name = 'tickets'")}
        _check_flat_tickets(rows, columns, emu, depth)


@pytest.mark.parametrize("depth", [1, 2])
def test_flattened_tickets_into_postgres(pg, depth):
    db = pg.create_database()
    with _emulator(seed=50 + depth) as emu:
        meltano_run(tap_env(emu, **_flat(depth, ["tickets"])), "target-postgres", pg.loader_env(db))
        rows = [{k.lower(): v for k, v in r.items()} for r in pg.rows("select * from zohodesk.tickets", database=db)]
        columns = {r["column_name"].lower() for r in pg.rows(
            "select column_name from information_schema.columns where table_name = 'tickets'", database=db)}
        _check_flat_tickets(rows, columns, emu, depth)


def test_stream_map_renames_filters_and_drops_a_field(pg):
    db = pg.create_database()
    maps = {"tickets": {"__alias__": "open_tickets", "__filter__": "status == 'Open'", "email": "__NULL__"}}
    with Emulator(tickets=120, seed=60) as emu:
        meltano_run(tap_env(emu, select=["tickets.*"], stream_maps=maps), "target-postgres", pg.loader_env(db))
        open_ids = {t["id"] for t in emu.store.tables["tickets"].rows if t["status"] == "Open"}
        assert 0 < len(open_ids) < len(emu.store.tables["tickets"].rows)
    tables = {r["table_name"] for r in pg.rows(
        "select table_name from information_schema.tables where table_schema = 'zohodesk'", database=db)}
    assert tables == {"open_tickets"}
    assert {r["id"] for r in pg.rows("select id from zohodesk.open_tickets", database=db)} == open_ids
    columns = {r["column_name"] for r in pg.rows(
        "select column_name from information_schema.columns where table_name = 'open_tickets'", database=db)}
    assert "email" not in columns and {"id", "status", "subject"} <= columns
