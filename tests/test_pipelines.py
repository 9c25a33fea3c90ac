"""Real pipelines on the project's meltano.yml: tap-zohodesk into PostgreSQL and into CSV files.

Every run is `meltano run tap-zohodesk <loader>` (tap-zohodesk-flat for CSV) against an emulator started
in this process; what landed is read back with SQL (psql) or from the files, and compared with the
emulator's tables. PostgreSQL is a throwaway cluster of Debian's server (see tests/warehouses.py).
"""

from __future__ import annotations

import json

import pytest

from tap_zohodesk.api.client import ZohoDeskClient
from tests.emulator import Emulator
from tests.warehouses import csv_rows, meltano_run, need_plugins, tap_env, throwaway_postgres

STREAMS = ["tickets", "contacts", "agents", "threads"]


@pytest.fixture(scope="module")
def pg():
    need_plugins("target-postgres")
    with throwaway_postgres() as server:
        yield server


def _select(streams: list[str]) -> list[str]:
    return [f"{name}.*" for name in streams]


def expected_rows(emu: Emulator, stream: str) -> int:
    """Rows the API serves: threads only of the tickets the list serves (not of archived or trashed ones)."""
    rows = emu.store.tables[stream].rows
    if stream == "threads":
        active = {t["id"] for t in emu.store.tables["tickets"].rows}
        rows = [r for r in rows if r["ticketId"] in active]
    return len(rows)


def test_full_load_into_postgres_matches_the_emulator(pg):
    db = pg.create_database()
    with Emulator(tickets=300, seed=21) as emu:
        meltano_run(tap_env(emu, select=_select(STREAMS), emit_deletes=True), "target-postgres", pg.loader_env(db))
        tables = emu.store.tables
        for stream in STREAMS:
            assert pg.count(stream, database=db) == expected_rows(emu, stream), stream
        ids = {row["id"] for row in pg.rows("select id from zohodesk.tickets", database=db)}
        assert ids == {t["id"] for t in tables["tickets"].rows}

        # nested objects land as jsonb, arrays of objects as jsonb[]: both queryable with the JSON operators
        some = next(t for t in tables["tickets"].rows if t.get("cf") and t["cf"].get("cf_region"))
        got = pg.rows("select source->>'type' as source_type, cf->>'cf_region' as region, "
                      "jsonb_typeof(\"layoutDetails\") as layout "
                      f"from zohodesk.tickets where id = '{some['id']}'", database=db)
        assert got == [{"source_type": some["source"]["type"], "region": some["cf"]["cf_region"],
                        "layout": "null" if some["layoutDetails"] is None else "object"}]
        types = {r["column_name"]: r["udt_name"] for r in pg.rows(
            "select column_name, udt_name from information_schema.columns "
            "where table_schema = 'zohodesk' and table_name = 'tickets'", database=db)}
        assert [types[c] for c in ("source", "cf", "layoutDetails", "sharedDepartments", "secondaryContacts")] == [
            "jsonb", "jsonb", "jsonb", "_jsonb", "_text"]
        shared = [t for t in tables["tickets"].rows if t.get("sharedDepartments")]
        name = shared[0]["sharedDepartments"][0]["name"]
        hits = pg.rows("select id from zohodesk.tickets t where exists "
                       f"(select from unnest(t.\"sharedDepartments\") d where d->>'name' = '{name}')", database=db)
        assert {r["id"] for r in hits} == {t["id"] for t in shared
                                           if any(d["name"] == name for d in t["sharedDepartments"])}
        regions = pg.rows("select cf->>'cf_region' as region, count(*) as n from zohodesk.tickets "
                          "group by 1 order by 1", database=db)
        want: dict = {}
        for t in tables["tickets"].rows:
            region = (t.get("cf") or {}).get("cf_region")
            want[region] = want.get(region, 0) + 1
        assert {r["region"]: r["n"] for r in regions} == want


def test_incremental_run_updates_changed_rows_and_flags_deleted_ones(pg):
    """meltanolabs-target-postgres upserts by primary key, so the second run's delete marker
    {id, _sdc_deleted_at, modifiedTime} overwrites the row: it stays, flagged, its other columns NULL.
    (Its hard_delete setting acts only on ACTIVATE_VERSION messages, which incremental runs do not send.)"""
    db = pg.create_database()
    state_id = f"pg-{db}"
    with Emulator(tickets=300, seed=22) as emu:
        env = tap_env(emu, select=_select(["tickets", "contacts"]), emit_deletes=True)
        meltano_run(env, "target-postgres", pg.loader_env(db), state_id=state_id)
        rows = emu.store.tables["tickets"].rows
        closed = [t["id"] for t in rows if t.get("status") != "Closed"][:5]
        emu.store.touch("tickets", closed, status="Closed")
        doomed = [t["id"] for t in rows if t["id"] not in closed][:3]
        ZohoDeskClient(emu.config()).request("POST", "tickets/moveToTrash", json={"ticketIds": doomed})
        live = {t["id"]: t for t in emu.store.tables["tickets"].rows}
        binned = {e["id"]: e["deletedTime"] for e in emu.store.recycle_bin if e["module"] == "tickets"}

        meltano_run(env, "target-postgres", pg.loader_env(db), state_id=state_id)

    statuses = pg.rows(f"select id, status from zohodesk.tickets where id in ({_quoted(closed)})", database=db)
    assert {r["id"]: r["status"] for r in statuses} == dict.fromkeys(closed, "Closed")
    assert pg.sql("select count(*) = count(distinct id) from zohodesk.tickets", database=db) == "t"

    # the view a consumer wants: rows not flagged are exactly the live tickets, with their data
    kept = pg.rows('select id, subject, "modifiedTime" from zohodesk.tickets where _sdc_deleted_at is null',
                   database=db)
    assert {r["id"]: r["subject"] for r in kept} == {i: t["subject"] for i, t in live.items()}
    flagged = pg.rows("select id, _sdc_deleted_at, subject, status from zohodesk.tickets "
                      "where _sdc_deleted_at is not null", database=db)
    assert {r["id"] for r in flagged} >= set(doomed)
    for row in flagged:  # deleted in Zoho: the deletion time kept, the rest of the row overwritten
        assert row["_sdc_deleted_at"][:19] == binned[row["id"]][:19]
        assert row["subject"] is None and row["status"] is None


def _quoted(ids: list[str]) -> str:
    return ", ".join(f"'{i}'" for i in ids)


def test_csv_one_file_per_stream_nested_values_as_json(tmp_path):
    """target-csv writes what it gets; tap-zohodesk-flat (the tap with flattening_max_depth 1) gives it
    one column per property of a nested object and JSON text for arrays and deeper objects."""
    need_plugins("target-csv")
    out = tmp_path / "csv"
    with Emulator(tickets=120, seed=23) as emu:
        meltano_run(tap_env(emu, select=_select(STREAMS)), "target-csv", {"TARGET_CSV_OUTPUT_PATH": str(out)},
                    tap="tap-zohodesk-flat")
        assert sorted(p.name for p in out.iterdir()) == sorted(STREAMS)  # a folder per stream
        assert all(len(list((out / s).iterdir())) == 1 for s in STREAMS)  # a file per run
        for stream in STREAMS:
            assert len(csv_rows(out, stream)) == expected_rows(emu, stream), stream
        by_id = {t["id"]: t for t in emu.store.tables["tickets"].rows}
    tickets = csv_rows(out, "tickets")
    assert "source" not in tickets[0] and "layoutDetails" not in tickets[0]
    for row in tickets:
        ticket = by_id[row["id"]]
        assert row["source__type"] == ticket["source"]["type"]
        assert json.loads(row["sharedDepartments"] or "null") == ticket["sharedDepartments"]
    assert any(json.loads(row["sharedDepartments"]) for row in tickets)


def test_full_table_streams_send_activate_version_so_hard_delete_drops_rows_zoho_no_longer_has(pg):
    """The activate-version capability delivered: with emit_activate_version_messages, a full-table stream
    (teams) sends ACTIVATE_VERSION, and target-postgres with hard_delete removes the rows a run did not see."""
    db = pg.create_database()
    with Emulator(tickets=40, seed=24) as emu:
        env = tap_env(emu, select=_select(["teams"]), emit_activate_version_messages=True)
        loader = pg.loader_env(db, TARGET_POSTGRES_HARD_DELETE="true")
        meltano_run(env, "target-postgres", loader)
        teams = emu.store.tables["teams"]
        before = {r["id"] for r in pg.rows("select id from zohodesk.teams", database=db)}
        assert len(before) > 1 and before == {t["id"] for t in teams.rows}
        gone = sorted(before)[0]
        teams.remove(gone)  # deleted in Zoho: the next full read no longer returns it
        meltano_run(env, "target-postgres", loader)
    after = {r["id"] for r in pg.rows("select id from zohodesk.teams", database=db)}
    assert after == before - {gone}


def test_csv_incremental_runs_keep_every_row_and_delete_markers_carry_sdc_deleted_at(tmp_path):
    """meltano.yml's target-csv writes a file per stream and run (target-csv 0.5.0 rewrites an existing file, so
    one file per stream would hold only the last run's rows) and adds the record metadata, so a delete marker
    is a row with _sdc_deleted_at."""
    need_plugins("target-csv")
    out, state_id = tmp_path / "csv", f"csv-{tmp_path.name}"
    with Emulator(tickets=120, seed=25) as emu:
        env = tap_env(emu, select=_select(["tickets"]), emit_deletes=True)
        loader = {"TARGET_CSV_OUTPUT_PATH": str(out)}
        meltano_run(env, "target-csv", loader, state_id=state_id, tap="tap-zohodesk-flat")
        first = csv_rows(out, "tickets")
        rows = emu.store.tables["tickets"].rows
        assert len(first) > 0 and sorted(r["id"] for r in first) == sorted(t["id"] for t in rows)
        edited = [t["id"] for t in rows[:4]]
        emu.store.touch("tickets", edited, status="On Hold")
        doomed = [t["id"] for t in rows[10:13]]
        ZohoDeskClient(emu.config()).request("POST", "tickets/moveToTrash", json={"ticketIds": doomed})
        meltano_run(env, "target-csv", loader, state_id=state_id, tap="tap-zohodesk-flat")
    assert len(list((out / "tickets").iterdir())) == 2
    both = csv_rows(out, "tickets")
    assert both[:len(first)] == first  # the first run's rows kept
    second = both[len(first):]
    assert {r["id"] for r in second if r["status"] == "On Hold"} >= set(edited)
    assert sorted(r["id"] for r in second if r["_sdc_deleted_at"]) == sorted(doomed)
    assert not any(r["_sdc_deleted_at"] for r in first)
