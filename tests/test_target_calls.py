"""The calls target-zohodesk makes, as the evidence shows them (issue 16, Round 2 R3, R8, R9).

R3: ``kbCategory/{id}`` has no operation in the OAS: a category's UPDATE and DELETE are sent
but every result says the call is unproven, and a refusal says so. R8: an article's ``answer``
and a role's ``reportsTo`` are written. R9: an update uses the row's verb (PATCH for
departments, teams, article comments, ticket comments; PUT for comments elsewhere), never
another one after a 405. A DELETE answered 404 is ``ok`` only when the record is gone; a record
still there means the path does not exist (Zoho answers both 404 URL_NOT_FOUND).
"""

from __future__ import annotations

import pytest

from tap_zohodesk.api.catalog import BY_STREAM
from tests.emulator.errors import ApiError, not_found
from tests.helpers import run_target, singer_lines, target_emulator
from tests.test_target import open_schema

DELETED = "2026-01-01T00:00:00.000Z"


@pytest.fixture
def emu(tmp_path):
    with target_emulator(tmp_path, tickets=20, seed=8, fail_on_error=False) as emulator:
        yield emulator


def _writes(emu) -> list[tuple[str, str, int]]:
    return [(c["method"], c["route"], c["status"]) for c in emu.log if c["method"] != "GET"]


def test_an_article_answer_and_a_role_parent_are_written(emu):
    article = emu.store.tables["articles"].rows[0]
    role = emu.store.tables["roles"].rows[0]
    text = singer_lines("articles", open_schema(BY_STREAM["articles"]), [
        {"title": "How to reset", "categoryId": article["categoryId"], "answer": "<p>Press the button.</p>"},
        {"id": article["id"], "answer": "<p>Rewritten.</p>"}])
    text += singer_lines("roles", open_schema(BY_STREAM["roles"]), [{"name": "Night shift", "reportsTo": role["id"]}])
    results = run_target(emu.cfg, text)
    assert [(r["operation"], r["status"]) for r in results] == [("INSERT", "ok"), ("UPDATE", "ok"), ("INSERT", "ok")]
    created = emu.store.tables["articles"].by_id[results[0]["id"]]
    assert created["answer"] == "<p>Press the button.</p>" and created["title"] == "How to reset"
    assert emu.store.tables["articles"].by_id[article["id"]]["answer"] == "<p>Rewritten.</p>"
    assert emu.store.tables["roles"].by_id[results[2]["id"]]["reportsTo"] == role["id"]


@pytest.mark.parametrize("stream, verb", [("departments", "PATCH"), ("teams", "PATCH"), ("ticket_comments", "PATCH"),
                                          ("article_comments", "PATCH"), ("contact_comments", "PUT")])
def test_an_update_uses_the_rows_verb_and_no_other_after_a_405(emu, stream, verb):
    spec = BY_STREAM[stream]
    row = emu.store.tables[stream].rows[0]
    field = "content" if stream.endswith("_comments") else "description"
    record = {"id": row["id"], **{k: row[k] for k in spec.links}, field: "changed"}
    text = singer_lines(stream, open_schema(spec), [record])
    assert [r["status"] for r in run_target(emu.cfg, text)] == ["ok"]
    assert [(m, s) for m, _, s in _writes(emu)] == [(verb, 200)]
    assert emu.store.tables[stream].by_id[row["id"]][field] == "changed"

    def refuse(method, template):
        if method == verb:
            raise ApiError(405, "METHOD_NOT_ALLOWED", "The requested method is not allowed.")

    emu.log.clear()
    emu.hook = refuse
    results = run_target(emu.cfg, text)[1:]  # the results file holds both runs
    emu.hook = None
    assert results[0]["status"] == "error"
    assert "405" in results[0]["error"] and "\n" not in results[0]["error"]
    assert [(m, s) for m, _, s in _writes(emu)] == [(verb, 405)]  # no second verb tried


def test_a_kb_category_update_says_the_call_is_unproven(emu):
    category = emu.store.tables["kb_categories"].rows[0]
    results = run_target(emu.cfg, singer_lines("kb_categories", open_schema(BY_STREAM["kb_categories"]), [
        {"id": category["id"], "description": "new words"}]))
    assert results[0]["status"] == "ok"
    assert results[0]["note"] == "unproven call: no public source shows UPDATE of kb_categories at this path"
    assert emu.store.tables["kb_categories"].by_id[category["id"]]["description"] == "new words"


def test_a_delete_answered_404_is_ok_only_when_the_record_is_gone(emu):
    category = emu.store.tables["kb_categories"].rows[1]
    hours = emu.store.tables["business_hours"].rows[0]

    def no_such_path(method, template):  # as Zoho would if kbCategory/{id} took no DELETE
        if method == "DELETE" and template.startswith("DELETE /kbCategory/"):
            raise not_found()

    emu.hook = no_such_path
    text = singer_lines("kb_categories", open_schema(BY_STREAM["kb_categories"]), [
        {"id": category["id"], "_sdc_deleted_at": DELETED}])
    text += singer_lines("business_hours", open_schema(BY_STREAM["business_hours"]), [
        {"id": hours["id"], "_sdc_deleted_at": DELETED}, {"id": "1892000000999999", "_sdc_deleted_at": DELETED}])
    results = run_target(emu.cfg, text)
    emu.hook = None

    assert [r["status"] for r in results] == ["error", "ok", "ok"]
    assert results[0]["error"] == (
        "kb_categories: DELETE /kbCategory/{} answered 404 although the record is there: Zoho Desk has no such "
        "call (unproven call: no public source shows DELETE of kb_categories at this path)".format(category["id"]))
    assert category["id"] in emu.store.tables["kb_categories"].by_id
    assert results[1].get("note") is None and hours["id"] not in emu.store.tables["business_hours"].by_id
    assert results[2]["note"] == "already gone (Zoho has no such record)"
    assert emu.calls["GET /businessHours/{id}"] == 1 and emu.calls["GET /kbRootCategories/{id}"] == 1
