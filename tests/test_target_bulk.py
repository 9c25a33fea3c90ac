"""Bulk updates through the emulator: records setting one field to one value go out through
``{module}/updateMany`` 50 ids a call, each keeps its own result line, a refused bulk call or id
falls back to the record's own PATCH, and before images are kept as for a PATCH."""

from __future__ import annotations

import copy
from unittest import mock

import pytest

from tap_zohodesk.api.catalog import BY_STREAM
from target_zohodesk.estimate import estimate_lines
from tests.emulator import writes as emulator_writes
from tests.helpers import run_target, singer_lines, target_emulator
from tests.test_target import open_schema
from tests.test_target_undo import cli

BULK = "POST /tickets/updateMany"
PATCH = "PATCH /tickets/{id}"


def tickets_text(records: list[dict]) -> str:
    return singer_lines("tickets", open_schema(BY_STREAM["tickets"]), records)


@pytest.fixture
def emu(tmp_path):
    with target_emulator(tmp_path, tickets=160, seed=61) as emulator:
        yield emulator


def test_one_value_on_one_field_goes_out_fifty_ids_a_call_half_the_credits(emu):
    rows = emu.store.tables["tickets"].rows
    assert len(rows) >= 125
    same = [{"id": r["id"], "priority": "Urgent"} for r in rows[:120]]
    other = [{"id": r["id"], "priority": "Low", "subject": f"own {n}"} for n, r in enumerate(rows[120:123])]
    lonely = [{"id": rows[123]["id"], "status": "On Hold"}]  # one field, but no other record shares it
    emu.reset_counts()
    credits = emu.credits_left
    text = tickets_text(same + other + lonely)
    results = run_target(emu.cfg, text)
    assert len(results) == 124
    spent = (sum(n for route, n in emu.calls.items() if not route.startswith("GET ")), credits - emu.credits_left)
    assert f"tickets UPDATE 124: run {spent[0]} calls / {spent[1]} credits;" in estimate_lines(text.splitlines(), {})[0]
    assert [r["status"] for r in results] == ["ok"] * 124
    assert [r["id"] for r in results] == [r["id"] for r in same + other + lonely]
    assert emu.calls[BULK] == 3 and emu.calls[PATCH] == 4  # 50 + 50 + 20 ids; the rest one by one
    assert credits - emu.credits_left == 25 + 25 + 10 + 4
    assert all(emu.store.tables["tickets"].by_id[r["id"]]["priority"] == "Urgent" for r in same)
    assert [emu.store.tables["tickets"].by_id[r["id"]]["subject"] for r in other] == ["own 0", "own 1", "own 2"]
    assert emu.store.tables["tickets"].by_id[rows[123]["id"]]["status"] == "On Hold"
    assert not emu.errors()


def test_a_custom_field_goes_out_with_is_custom_field_and_keeps_the_others(emu):
    rows = emu.store.tables["tickets"].rows[:6]
    held = {r["id"]: dict(r["cf"]) for r in rows}
    assert len(rows) == 6 and all("cf_score" in cf for cf in held.values())
    emu.reset_counts()
    results = run_target(emu.cfg, tickets_text([{"id": r["id"], "cf": {"cf_region": "APAC"}} for r in rows]))
    assert [r["status"] for r in results] == ["ok"] * 6
    assert emu.calls[BULK] == 1 and emu.calls[PATCH] == 0
    for row in rows:
        assert emu.store.tables["tickets"].by_id[row["id"]]["cf"] == {**held[row["id"]], "cf_region": "APAC"}


def test_a_number_goes_out_as_a_number_as_a_patch_sends_it(emu, monkeypatch):
    rows = emu.store.tables["tickets"].rows[:3]
    sent = []
    served = type(emu)._update_many

    def noting(self, ep, ids, query, body=None):
        sent.append(body["fieldValue"])
        return served(self, ep, ids, query, body)

    monkeypatch.setattr(type(emu), "_update_many", noting)
    emu.routes = emu._build_routes()
    results = run_target(emu.cfg, tickets_text([{"id": r["id"], "cf": {"cf_score": 7}} for r in rows]))
    assert [r["status"] for r in results] == ["ok"] * 3
    assert sent == [7] and type(sent[0]) is int
    assert [emu.store.tables["tickets"].by_id[r["id"]]["cf"]["cf_score"] for r in rows] == ["7"] * 3


def test_an_id_the_bulk_call_refuses_is_sent_alone_and_fails_alone(emu):
    rows = emu.store.tables["tickets"].rows[:4]
    missing = "1892999999999999"
    assert missing not in emu.store.tables["tickets"].by_id
    records = [{"id": r["id"], "priority": "High"} for r in rows[:2]] + [{"id": missing, "priority": "High"}] + \
        [{"id": r["id"], "priority": "High"} for r in rows[2:]]
    emu.reset_counts()
    results = run_target({**emu.cfg, "fail_on_error": False}, tickets_text(records))
    assert [(r["id"], r["status"]) for r in results] == [(r["id"], "ok" if r["id"] != missing else "error")
                                                         for r in records]
    assert "404" in results[2]["error"] and missing in results[2]["error"]
    assert emu.calls[BULK] == 1 and emu.calls[PATCH] == 1  # only the refused id, once
    assert all(emu.store.tables["tickets"].by_id[r["id"]]["priority"] == "High" for r in rows)


def test_a_bulk_call_refused_as_a_whole_gives_each_record_its_own_line(emu):
    rows = emu.store.tables["tickets"].rows[:3]
    before = copy.deepcopy([emu.store.tables["tickets"].by_id[r["id"]] for r in rows])
    refused = dict(emulator_writes.BODY)
    refused[("tickets", "update")] = refused[("tickets", "update")] - {"priority"}
    emu.reset_counts()
    with mock.patch.object(emulator_writes, "BODY", refused):
        results = run_target({**emu.cfg, "fail_on_error": False},
                             tickets_text([{"id": r["id"], "priority": "High"} for r in rows]))
    assert len(results) == 3
    assert all(r["status"] == "error" and "/priority" in r["error"] for r in results)
    assert emu.calls[BULK] == 1 and emu.calls[PATCH] == 3
    assert [emu.store.tables["tickets"].by_id[r["id"]] for r in rows] == before


def test_a_cut_bulk_answer_is_retried_and_each_record_written_once(emu):
    rows = emu.store.tables["tickets"].rows[:5]
    emu.inject("500", path="updateMany")
    emu.reset_counts()
    results = run_target(emu.cfg, tickets_text([{"id": r["id"], "priority": "Low"} for r in rows]))
    assert [r["status"] for r in results] == ["ok"] * 5
    assert emu.calls[BULK] == 2 and emu.calls[PATCH] == 0
    assert all(emu.store.tables["tickets"].by_id[r["id"]]["priority"] == "Low" for r in rows)


def test_kept_before_images_are_read_as_for_a_patch(tmp_path):
    with target_emulator(tmp_path, tickets=40, seed=62, keep_before_images=True) as emu:
        rows = emu.store.tables["tickets"].rows[:4]
        was = {r["id"]: r["priority"] for r in rows}
        assert len(set(was.values()) | {"Urgent"}) > 1
        emu.reset_counts()
        results = run_target(emu.cfg, tickets_text([{"id": r["id"], "priority": "Urgent"} for r in rows]))
        assert len(results) == 4
        assert [(r["status"], r["before"], r["after"]) for r in results] == [
            ("ok", {"priority": was[r["id"]]}, {"priority": "Urgent"}) for r in rows]
        assert emu.calls["GET /tickets/{id}"] == 4 and emu.calls[BULK] == 1 and emu.calls[PATCH] == 0
        undo = cli(tmp_path, emu.cfg, "--undo", emu.cfg["results_path"])  # sets each one back
        assert undo.returncode == 0, undo.stderr[-2000:]
        assert {r["id"]: emu.store.tables["tickets"].by_id[r["id"]]["priority"] for r in rows} == was


def test_contracts_go_out_in_bulk_too_and_an_answer_without_body_is_every_id_done(emu, monkeypatch):
    rows = emu.store.tables["contracts"].rows[:3]
    assert len(rows) == 3
    served = type(emu)._update_many

    def no_body(self, *args, **kwargs):  # the 204 other bulk actions answer (zoho-desk-api 3.1)
        status, _, weight = served(self, *args, **kwargs)
        return 204, None, weight

    monkeypatch.setattr(type(emu), "_update_many", no_body)
    emu.routes = emu._build_routes()
    emu.reset_counts()
    results = run_target(emu.cfg, singer_lines("contracts", open_schema(BY_STREAM["contracts"]),
                                               [{"id": r["id"], "description": "renewed"} for r in rows]))
    assert [(r["id"], r["status"]) for r in results] == [(r["id"], "ok") for r in rows]
    assert emu.calls["POST /contracts/updateMany"] == 1 and emu.calls["PATCH /contracts/{id}"] == 0
    assert [emu.store.tables["contracts"].by_id[r["id"]]["description"] for r in rows] == ["renewed"] * 3


def test_a_dry_run_writes_nothing_and_previews_record_by_record(tmp_path):
    with target_emulator(tmp_path, tickets=40, seed=63, dry_run=True) as emu:
        rows = emu.store.tables["tickets"].rows[:3]
        emu.reset_counts()
        results = run_target(emu.cfg, tickets_text([{"id": r["id"], "priority": "Urgent"} for r in rows]))
        assert len(results) == 3 and all(r["status"] == "ok" and r["dry_run"] for r in results)
        assert emu.calls[BULK] == 0 and emu.calls[PATCH] == 0
