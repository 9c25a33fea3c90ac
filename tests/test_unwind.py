"""Unwound nested tables (config ``unwind_nested``): every element of a nested array as a row of its own,
held against the emulator's own records, through incremental runs, shrinking arrays and deleted parents;
then through Meltano into DuckDB, joined back to the parent table."""

from __future__ import annotations

import logging
import tempfile
import time
import uuid
from collections import Counter, defaultdict

import jsonschema
import pytest

from tap_zohodesk import unwound_rows
from tap_zohodesk.api.catalog import OBJECTS
from tap_zohodesk.api.client import ZohoDeskClient, ZohoDeskError
from tap_zohodesk.api.schema_files import load_schema
from tests.emulator import Emulator
from tests.helpers import catalog_for, refuse_search_page, run_tap
from tests.warehouses import duckdb_env, duckdb_rows, meltano_run, need_plugins, tap_env

UNWOUND = {name: (spec, path) for spec in OBJECTS for name, path in spec.unwound}
META = ("_position", "_sdc_deleted_at")
# parent streams (and their tables in the emulator's store) with the unwound streams checked element by element
CHECKED = {"tickets": "tickets", "business_hours": "business_hours", "ticket_comments": "ticket_comments",
           "ticket_metrics": "ticket_metrics", "threads": "threads", "articles": "articles", "tasks": "tasks",
           "help_centers": "help_centers"}
ALONE = "help_centers"  # its unwound streams are selected without it: they read the help centers themselves


def _items(spec, path: str) -> set[str]:
    node = load_schema(spec)
    for part in path.split("."):
        node = node["properties"][part]
    return set(node["items"]["properties"])


def _array(row: dict, path: str) -> list:
    value = row
    for part in path.split("."):
        value = (value or {}).get(part)
    return value or []


def _parent_key(spec, record: dict) -> tuple:
    return tuple(record[f"_parent_{k}"] for k in spec.primary_key)


def _live(records: list[dict]) -> dict[tuple, list[dict]]:
    """Live rows of an unwound stream per parent key, in position order (parent fields dropped)."""
    out: dict[tuple, list[dict]] = defaultdict(list)
    for record in sorted((r for r in records if not r["_sdc_deleted_at"]), key=lambda r: r["_position"]):
        spec, _ = UNWOUND[record["__stream"]]
        out[_parent_key(spec, record)].append(record)
    return out


def _tag(result, stream: str) -> list[dict]:
    return [{**r, "__stream": stream} for r in result.records[stream]]


@pytest.fixture(scope="module")
def unwound_run(small_emulator):
    streams = [*CHECKED, *(n for n, (spec, _) in UNWOUND.items() if spec.stream in CHECKED)]
    streams.remove(ALONE)
    started = time.perf_counter()
    result = run_tap(small_emulator.config(unwind_nested=True), streams=streams)
    return result, time.perf_counter() - started


def test_unwinding_is_off_by_default_and_each_unwound_stream_follows_its_parent(small_emulator):
    plain = [e["tap_stream_id"] for e in catalog_for(small_emulator.config(), None)["streams"]]
    assert not [name for name in plain if "__" in name]
    entries = catalog_for(small_emulator.config(unwind_nested=True), None)["streams"]
    names = [e["tap_stream_id"] for e in entries]
    assert set(names) - set(plain) == set(UNWOUND) and len(UNWOUND) == 32
    assert {"tickets__shared_departments", "business_hours__associated_holiday_list_holidays",
            "ticket_metrics__staging_data", "archived_ticket_threads__actions"} <= set(UNWOUND)
    by_name = {e["tap_stream_id"]: e for e in entries}
    for spec in OBJECTS:
        at = names.index(spec.stream)
        assert names[at + 1:at + 1 + len(spec.unwound)] == [name for name, _ in spec.unwound]
        for name, path in spec.unwound:
            entry = by_name[name]
            assert entry["key_properties"] == [*(f"_parent_{k}" for k in spec.primary_key), "_position"]
            assert entry.get("replication_key") == (f"_parent_{spec.key}" if spec.key else None)
            assert set(entry["schema"]["properties"]) - {f"_parent_{k}" for k in spec.primary_key} - {
                f"_parent_{spec.key}", *META} == _items(spec, path)
            root = next(m["metadata"] for m in entry["metadata"] if m["breadcrumb"] == [])
            assert root.get("selected-by-default") is not spec.opt_in
    assert by_name["ticket_metrics__agents_handled"]["key_properties"] == ["_parent_ticketId", "_position"]


def test_unwound_rows_are_the_emulators_arrays_element_by_element(small_emulator, unwound_run):
    result, seconds = unwound_run
    store = small_emulator.store.tables
    checked = Counter()
    for name, (spec, path) in UNWOUND.items():
        if spec.stream not in CHECKED:
            continue
        records = _tag(result, name)
        validator = jsonschema.Draft7Validator(result.schemas[name])
        for record in records:
            assert not list(validator.iter_errors({k: v for k, v in record.items() if k != "__stream"})), record
        keys = Counter((*_parent_key(spec, r), r["_position"]) for r in records)
        assert max(keys.values(), default=1) == 1, f"{name}: a (parent, position) twice"
        key_field = spec.primary_key[0]
        table = {r[key_field]: r for r in store[CHECKED[spec.stream]].rows}
        emitted = ({r[key_field] for r in result.records[spec.stream]} if spec.stream != ALONE else set(table))
        live = _live(records)
        assert {k[0] for k in live} <= emitted
        declared = _items(spec, path)
        for parent_id in emitted:
            source = table[parent_id]
            expected = [{k: v for k, v in element.items() if k in declared} for element in _array(source, path)]
            got = live.get((parent_id,), [])
            assert [r["_position"] for r in got] == list(range(len(got))), name
            assert [{k: v for k, v in r.items() if k in declared} for r in got] == expected, (name, parent_id)
            if spec.key:
                assert all(r[f"_parent_{spec.key}"] == source[spec.key] for r in got)
            checked[name] += len(got)
        longest = max(len(_array(table[p], path)) for p in emitted)
        assert result.state["bookmarks"][name]["max_length"] == longest
        # a first run marks nothing: no position was ever emitted before it
        assert [r for r in records if r["_sdc_deleted_at"]] == [], name
    for name in ("tickets__shared_departments", "business_hours__business_times", "ticket_comments__mention",
                 "business_hours__associated_holiday_list_holidays", "ticket_metrics__staging_data",
                 "help_centers__domains", "threads__actions", "articles__available_locale_translations",
                 "tasks__reminder"):
        assert checked[name] > 0, f"{name}: no element checked"
    logging.getLogger(__name__).info("unwound run: %.2fs, rows %s", seconds, dict(checked))


def _parent_fields(spec) -> tuple[str, ...]:
    return (*spec.primary_key, *((spec.key,) if spec.key else ()))


def _shared(emu: Emulator, count: int, offset: int = 0) -> list[dict]:
    return [{"id": d["id"], "name": d["name"], "type": "READ_ONLY"}
            for d in emu.store.tables["departments"].rows[offset:offset + count]]


PAIR = ["tickets", "tickets__shared_departments"]


def test_a_shrunk_array_is_emitted_whole_and_its_vanished_positions_are_deleted(emulator):
    config = emulator.config(unwind_nested=True)
    tickets = emulator.store.tables["tickets"].rows
    shrunk, emptied = tickets[5]["id"], tickets[6]["id"]
    emulator.store.touch("tickets", [shrunk], sharedDepartments=_shared(emulator, 3))
    emulator.store.touch("tickets", [emptied], sharedDepartments=_shared(emulator, 2, 1))
    first = run_tap(config, streams=PAIR)
    state = first.state["bookmarks"]["tickets__shared_departments"]
    assert state["max_length"] == 3 and state["covered_to"] == first.state["bookmarks"]["tickets"][
        "replication_key_value"]
    rows = [r for r in first.records["tickets__shared_departments"] if r["_parent_id"] == shrunk]
    assert [(r["_position"], r["id"]) for r in rows] == [(k, d["id"]) for k, d in enumerate(_shared(emulator, 3))]

    kept = _shared(emulator, 1, 2)
    [after] = emulator.store.touch("tickets", [shrunk], sharedDepartments=kept)
    [cleared] = emulator.store.touch("tickets", [emptied], sharedDepartments=[])
    second = run_tap(config, streams=PAIR, state=first.state)

    out = second.records["tickets__shared_departments"]
    assert {r["_parent_id"] for r in out} == set(second.ids("tickets"))  # only the parents emitted this run
    mine = sorted((r for r in out if r["_parent_id"] == shrunk), key=lambda r: r["_position"])
    assert [(r["_position"], r.get("id"), r["_sdc_deleted_at"]) for r in mine] == [
        (0, kept[0]["id"], None), (1, None, after["modifiedTime"]), (2, None, after["modifiedTime"])]
    gone = [(r["_position"], r["_sdc_deleted_at"]) for r in out if r["_parent_id"] == emptied]
    assert sorted(gone) == [(p, cleared["modifiedTime"]) for p in range(3)]
    assert second.state["bookmarks"]["tickets__shared_departments"]["max_length"] == 3


def test_a_deleted_parent_marks_every_position(emulator):
    config = emulator.config(unwind_nested=True, emit_deletes=True)
    doomed = emulator.store.tables["tickets"].rows[9]["id"]
    emulator.store.touch("tickets", [doomed], sharedDepartments=_shared(emulator, 2))
    first = run_tap(config, streams=PAIR)
    assert len([r for r in first.records["tickets__shared_departments"] if r["_parent_id"] == doomed]) == 2
    ZohoDeskClient(emulator.config()).request("POST", "tickets/moveToTrash", json={"ticketIds": [doomed]})
    second = run_tap(config, streams=PAIR, state=first.state)
    deleted_at = next(e["deletedTime"] for e in emulator.store.recycle_bin if e["id"] == doomed)
    marks = [(r["_position"], r["_sdc_deleted_at"], r["_parent_modifiedTime"])
             for r in second.records["tickets__shared_departments"] if r["_parent_id"] == doomed]
    longest = first.state["bookmarks"]["tickets__shared_departments"]["max_length"]
    assert sorted(marks) == [(p, deleted_at, deleted_at) for p in range(longest)] and longest >= 2


def test_a_stream_turned_on_later_reads_what_its_parent_read_before(emulator, caplog):
    before = run_tap(emulator.config(), streams=["tickets"])
    shared = {t["id"]: t["sharedDepartments"] for t in emulator.store.tables["tickets"].rows if t["sharedDepartments"]}
    assert shared
    config = emulator.config(unwind_nested=True)
    with caplog.at_level(logging.INFO):
        on = run_tap(config, streams=PAIR, state=before.state)
    assert len(on.records["tickets"]) < len(shared)  # the parent read only what changed
    live = defaultdict(list)
    for r in on.records["tickets__shared_departments"]:
        if not r["_sdc_deleted_at"]:
            live[r["_parent_id"]].append(r["id"])
    assert live == {k: [d["id"] for d in v] for k, v in shared.items()}
    assert "reading the tickets rows changed since the start itself" in caplog.text
    emulator.reset_counts()
    again = run_tap(config, streams=PAIR, state=on.state)  # covered now: nothing read twice
    assert emulator.calls["GET /tickets/search"] == 1
    assert {r["_parent_id"] for r in again.records["tickets__shared_departments"]} <= set(again.ids("tickets"))


# -- through Meltano into DuckDB ----------------------------------------------------------------
JOIN = ("select t.id as ticket, s._position as position, s.id as department, s.name as name "
        "from zohodesk.tickets__shared_departments s join zohodesk.tickets t on s._parent_id = t.id "
        "order by 1, 2")


def _expected(emu: Emulator) -> list[dict]:
    return sorted(({"ticket": t["id"], "position": k, "department": d["id"], "name": d["name"]}
                   for t in emu.store.tables["tickets"].rows for k, d in enumerate(t["sharedDepartments"])),
                  key=lambda r: (r["ticket"], r["position"]))


def test_meltano_loads_the_unwound_table_into_duckdb_and_a_shrink_removes_rows(tmp_path):
    need_plugins("target-duckdb")
    db = tmp_path / "unwind.duckdb"
    state_id = f"unwind-{uuid.uuid4().hex[:8]}"
    loader = duckdb_env(db, TARGET_DUCKDB_HARD_DELETE="true")
    with Emulator(tickets=150, seed=8) as emu:
        tickets = emu.store.tables["tickets"].rows
        wide = tickets[3]["id"]
        emu.store.touch("tickets", [wide], sharedDepartments=_shared(emu, 3))
        settings = tap_env(emu, unwind_nested=True, select=["tickets.*", "tickets__shared_departments.*"])
        meltano_run(settings, "target-duckdb", loader, state_id=state_id)
        assert duckdb_rows(db, JOIN) == _expected(emu)
        assert len(_expected(emu)) > 3

        emu.store.touch("tickets", [wide], sharedDepartments=_shared(emu, 1, 1))
        narrowed = next(t["id"] for t in tickets if len(t["sharedDepartments"]) == 1 and t["id"] != wide)
        emu.store.touch("tickets", [narrowed], sharedDepartments=[])
        meltano_run(settings, "target-duckdb", loader, state_id=state_id)
        assert duckdb_rows(db, JOIN) == _expected(emu)
    left = duckdb_rows(db, "select _position from zohodesk.tickets__shared_departments where _parent_id = "
                           f"'{wide}'")
    assert left == [{"_position": 0}]


def test_a_run_leaves_nothing_in_the_temp_folder(small_emulator, tmp_path, monkeypatch):
    """The kept parent rows (threads read after tickets) and the unwound elements live in SQLite files
    for one run only: a scheduled pipeline must not fill the temp folder."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    streams = ["tickets", "threads", "tickets__shared_departments"]
    result = run_tap(small_emulator.config(unwind_nested=True), streams=streams)
    assert result.records["threads"] and result.records["tickets__shared_departments"]
    assert list(tmp_path.iterdir()) == []


def test_a_failed_run_leaves_nothing_in_the_temp_folder(emulator, tmp_path, monkeypatch):
    """The tickets read fails on its second page, after its first page's arrays were kept on disk."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    monkeypatch.setattr(unwound_rows, "BATCH", 50)  # the first page's arrays reach the file
    searches = refuse_search_page(emulator, 2)
    with pytest.raises(ZohoDeskError, match="sortOrder") as failed:
        run_tap(emulator.config(unwind_nested=True, max_concurrency=1),
                streams=["tickets", "threads", "tickets__shared_departments"])
    # the fault answered once: tickets failed alone, and threads read the tickets again for itself
    assert str(failed.value).endswith("(stream 'tickets' failed); the other streams completed")
    assert len(searches) == 5  # tickets: 2 (the second failed); threads, reading the tickets again: 3
    assert list(tmp_path.iterdir()) == []
