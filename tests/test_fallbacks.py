"""Where the evidence is split the tap tolerates both answers, once per endpoint; where an answer
cannot be right it stops with one line. Each test fails when that promise breaks."""

from __future__ import annotations

import dataclasses
import logging

import pytest

from tap_zohodesk.api.client import ZohoDeskError
from tap_zohodesk.api.plans import PLANS
from tests.emulator import Emulator
from tests.helpers import catalog_for, run_tap, run_target, singer_lines


def test_a_list_that_refuses_paging_is_read_in_one_call_learned_once(emulator, caplog):
    emulator.unpaged.add("tickets/{ticketId}/approvals")  # OAS: no params; Zoho's web UI: from, limit
    with caplog.at_level(logging.WARNING):
        result = run_tap(emulator.config(), streams=["ticket_approvals"])
    expected = {r["id"] for r in emulator.store.tables["ticket_approvals"].rows
                if r["ticketId"] in emulator.store.tables["tickets"].by_id}
    assert set(result.ids("ticket_approvals")) == expected and expected
    refused = emulator.errors()
    assert len(refused) == 1 and "Extra query parameter" not in str(refused)  # the log holds the query
    assert result.stats["fallbacks"] == [
        "tickets/{ticketId}/approvals: refuses 'from': read in one call without paging"]  # listed with its endpoint
    assert caplog.text.count("read in one call without paging") == 1


def test_recycle_bin_asked_by_module_id_when_module_is_refused(emulator):
    with Emulator(tickets=120, seed=4, recycle_style="oas") as oas:
        result = run_tap(oas.config(), streams=["deleted_records"])
        got = {(r["module"], r["id"]) for r in result.records["deleted_records"]}
        assert got == {(e["module"], e["id"]) for e in oas.store.recycle_bin}
        assert len(oas.errors()) == 1  # learned on the first module, not re-learned for the others
        assert any("moduleId" in line for line in result.stats["fallbacks"])
        assert oas.calls["GET /organizationModules"] == 1


def _break_first_row(broken):
    def hook(route, payload):
        if isinstance(payload, dict) and payload.get("data"):
            row = payload["data"][0]
            if broken == "drop id":
                del row["id"]
            else:
                row.update(broken)
        return payload

    return hook


@pytest.mark.parametrize("broken", [{"id": None}, {"id": ""}, "drop id"])
def test_a_record_without_its_key_stops_the_run(emulator, broken):
    emulator.answer_hook = _break_first_row(broken)
    with pytest.raises(ZohoDeskError, match=r"tickets: a record from GET /tickets/search has no 'id'"):
        run_tap(emulator.config(), streams=["tickets"])


def test_a_child_record_without_its_key_stops_the_run(emulator):
    hook = _break_first_row({"id": None})
    emulator.answer_hook = lambda route, payload: hook(route, payload) if route.endswith("/comments") else payload
    with pytest.raises(ZohoDeskError, match=r"ticket_comments: a record from GET /tickets/\d+/comments has no 'id'"):
        run_tap(emulator.config(), streams=["ticket_comments"])


def test_a_server_that_ignores_from_is_caught_on_the_second_page(emulator):
    emulator.ignores_from.add("customerHappiness")
    rows = emulator.store.tables["customer_happiness"]
    while len(rows.rows) <= 50:  # more than one page
        rows.add({**rows.rows[0], "id": emulator.store.new_id()})
    with pytest.raises(ZohoDeskError, match=r"GET /customerHappiness: the page at from=50 repeats the previous page"):
        run_tap(emulator.config(), streams=["customer_happiness"])
    assert emulator.calls["GET /customerHappiness"] == 2


def test_custom_field_types_come_from_the_catalog_the_run_was_given(emulator):
    from tap_zohodesk.tap import TapZohoDesk

    catalog = catalog_for(emulator.config(), ["tickets"])  # discovery: cf_score is an integer
    emulator.inject("500", times=1000, path="organizationFields")  # metadata unreachable from now on
    emulator.reset_counts()
    tap = TapZohoDesk(config=emulator.config(max_retries=0), catalog=catalog, state={}, parse_env_config=False)
    import contextlib
    import io
    import json

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        tap.sync_all()
    records = [json.loads(x)["record"] for x in out.getvalue().splitlines() if '"RECORD"' in x]
    assert records and all(isinstance(r["cf"]["cf_score"], int) for r in records)
    assert emulator.calls["GET /organizationFields"] == 0  # no metadata call during a sync with a catalog


def test_a_custom_value_that_is_not_its_type_stops_the_run(emulator):
    catalog = catalog_for(emulator.config(), ["tickets"])
    emulator.store.tables["tickets"].rows[3]["cf"]["cf_score"] = "not a number"
    from tap_zohodesk.tap import TapZohoDesk

    tap = TapZohoDesk(config=emulator.config(), catalog=catalog, state={}, parse_env_config=False)
    with pytest.raises(ZohoDeskError, match=r"tickets record \d+ cf.cf_score: 'not a number' is not a integer"):
        import contextlib
        import io

        with contextlib.redirect_stdout(io.StringIO()):
            tap.sync_all()


def test_an_update_verb_refused_with_405_is_an_error_not_a_second_verb(emulator, tmp_path, monkeypatch):
    """Round 2 R9: an update uses the row's verb only (no evidence is split there); a 405 fails the record."""
    plan = PLANS[("contract_comments", "UPDATE")]  # PUT like its siblings; made PATCH here, which the path refuses
    monkeypatch.setitem(PLANS, ("contract_comments", "UPDATE"), dataclasses.replace(plan, verb="PATCH"))
    rows = emulator.store.tables["contract_comments"].rows[:2]
    before = [r["content"] for r in rows]
    records = [{"id": r["id"], "contractId": r["contractId"], "content": f"edited {k}"} for k, r in enumerate(rows)]
    schema = {"type": "object", "properties": {"id": {"type": "string"}, "contractId": {"type": "string"},
                                               "content": {"type": "string"}}}
    config = emulator.config(results_path=str(tmp_path / "r.jsonl"), journal_path=str(tmp_path / "j.sqlite"),
                             max_concurrency=1, fail_on_error=False)
    results = run_target(config, singer_lines("contract_comments", schema, records))
    assert [r["status"] for r in results] == ["error", "error"]
    assert all("405" in r["error"] and "METHOD_NOT_ALLOWED" in r["error"] for r in results)
    assert [r["content"] for r in rows] == before
    assert [e["method"] for e in emulator.log if "/comments/" in e["path"]] == ["PATCH", "PATCH"]


def _refusing(refusals: dict[str, ZohoDeskError], rows: int = 3):
    """A ``get`` that refuses each query holding a parameter of ``refusals`` (by name), else answers ``rows``."""
    calls = []

    def get(path, params, *, label=None):
        calls.append(dict(params or {}))
        for name, exc in refusals.items():
            if name in (params or {}) and (name != "limit" or params["limit"] > 50):
                raise exc
        return {"data": [{"id": str(n)} for n in range(rows)]}
    return get, calls


def test_the_pager_takes_the_fallbacks_of_the_one_table_and_no_other():
    """api/fallbacks.py ``FALLBACKS`` is the one table of learned fallbacks: the pager learns each
    row's lesson on the refusal it names, says the row's line once, and raises any other refusal."""
    from tap_zohodesk.api.errors import GONE, REFUSED, REFUSED_VALUE
    from tap_zohodesk.api.fallbacks import DROPPED, FALLBACKS, MODULE_ID, SMALLER_LIMIT, UNPAGED, Learned, asks
    from tap_zohodesk.api.paging import Pager

    assert set(FALLBACKS) == {UNPAGED, DROPPED, SMALLER_LIMIT, MODULE_ID}
    refuse = {"from": ZohoDeskError("x", kind=REFUSED, param="from"),
              "status": ZohoDeskError("x", kind=REFUSED, param="status"),
              "limit": ZohoDeskError("x", kind=REFUSED_VALUE, param="limit")}
    assert asks(MODULE_ID, ZohoDeskError("x", kind=REFUSED_VALUE, param="module"))
    assert not asks(DROPPED, refuse["status"]) and asks(DROPPED, refuse["status"], frozenset({"status"}))
    learned = Learned()
    get, calls = _refusing({"status": refuse["status"], "limit": refuse["limit"]})
    pages = list(Pager(get, learned, "things", limit=100, params={"status": "open"}, data_key="data", label=None,
                       max_from=None, droppable=frozenset({"status"})))
    assert len(pages) == 1 and len(pages[0]) == 3 and calls[-1] == {"from": 0, "limit": 50}
    assert learned.export() == {"things": {"limit": 50, "unpaged": False, "dropped": ["status"]}}
    assert learned.fired == ["things: refuses filter 'status': applied to the answer instead",
                             "things: refuses limit 100: paging by 50"]
    get, calls = _refusing({"from": refuse["from"]})
    assert len(list(Pager(get, learned, "other", limit=100, params=None, data_key="data", label=None,
                          max_from=None))) == 1
    assert calls == [{"from": 0, "limit": 100}, {}] and learned.of("other").unpaged
    assert learned.fired[-1] == "other: refuses 'from': read in one call without paging"
    gone = ZohoDeskError("x", kind=GONE, param="from")
    get, _ = _refusing({"from": gone})
    with pytest.raises(ZohoDeskError) as raised:
        list(Pager(get, learned, "third", limit=100, params=None, data_key="data", label=None, max_from=None))
    assert raised.value is gone and len(learned.fired) == 3
