"""Native filters: checked before any call, and pushed to the API (proved by the call log)."""

from __future__ import annotations

from collections import Counter

import pytest

from tap_zohodesk.api.catalog import BY_STREAM, OBJECTS
from tap_zohodesk.filters import FilterError, parse_filters
from tap_zohodesk.tap import TapZohoDesk
from tests.helpers import run_tap

CASES = [(spec.stream, name) for spec in OBJECTS for name in spec.filters.ops]
# filters that address a record under a parent need the parent ids as well
COMPANIONS = {("thread_attachments", "threadId"): ["ticketId"]}


@pytest.fixture(scope="module")
def emu(small_emulator):
    return small_emulator


@pytest.fixture(scope="module")
def baseline(emu):
    """Per stream: its records and the rows that crossed the wire for them, unfiltered."""
    cache = {}

    def get(stream):
        if stream not in cache:
            emu.reset_counts()
            result = run_tap(emu.config(), streams=[stream])
            cache[stream] = (result.records[stream], emu.rows_served)
        return cache[stream]

    return get


def _value(record: dict, field: str):
    value = record.get(field)
    return value[0] if isinstance(value, list) and value else value


def test_every_contract_filter_is_covered():
    assert len(CASES) >= 120  # the contract's filter column, row by row


@pytest.mark.parametrize("stream, name", CASES, ids=[f"{s}.{n}" for s, n in CASES])
def test_filter_is_pushed_to_the_api(emu, baseline, stream, name):
    spec = BY_STREAM[stream]
    records, served = baseline(stream)
    field = spec.filters.field(name)
    candidates = [r for r in records if _value(r, field) is not None]
    if not candidates and field not in spec.links and name != "id":
        pytest.fail(f"seed data has no {stream} record with {field}")
    counts = Counter(str(_value(r, field)).lower() if isinstance(_value(r, field), bool) else str(_value(r, field))
                     for r in candidates)
    wanted = min(counts, key=lambda v: (counts[v], v))  # the rarest value: the filter must narrow
    record = next(r for r in candidates if str(_value(r, field)).lower() == wanted.lower())
    filters = {name: wanted}
    companions = list(COMPANIONS.get((stream, name), []))
    if name == "id" and spec.parent:  # a child record is addressed under its parent
        companions += [n for n in spec.filters.ops if spec.links.get(spec.filters.field(n)) == "id"]
    for extra in companions:
        filters[extra] = record[spec.filters.field(extra)]
    emu.reset_counts()
    result = run_tap(emu.config(filters={stream: filters}), streams=[stream])
    got = result.records[stream]

    assert got, f"{stream} filtered on {name}={wanted} emitted nothing"
    assert all(str(_value(r, field)).lower() == wanted.lower() or isinstance(r.get(field), list)
               and wanted in map(str, r[field]) for r in got if field in r)
    assert {tuple(r[k] for k in spec.primary_key) for r in got} <= {
        tuple(r[k] for k in spec.primary_key) for r in records}
    if name in spec.filters.local:  # the endpoint does not take it: never sent, applied to the answer
        assert not any(spec.filters.param(name) in c["query"] for c in emu.log), emu.log[:5]
        if not spec.parent:  # an endpoint that takes no parameter at all: one call
            assert emu.calls[f"GET /{spec.read.path}"] == 1
        return
    if name == "id" and not spec.read.item_get:  # no GET of one record: the one parent's list, that id kept
        assert [r["id"] for r in got] == [wanted]
        assert [c["route"] for c in emu.log if "/activities" in c["path"]] == [f"GET /{spec.read.path}"]
        return
    # the value went to the API: in a query parameter or in the path of a call
    assert any(wanted in str(c["query"].values()) or wanted in c["path"] for c in emu.log), emu.log[:5]
    if name in spec.filters.uncertain:  # no evidence the endpoint takes it: refused once, then applied here
        assert any(f"refuses filter '{spec.filters.param(name)}'" in line for line in result.stats["fallbacks"])
        return
    everyone_matches = all(str(_value(r, field)).lower() == wanted.lower() for r in records)
    assert emu.rows_served < served or everyone_matches, (emu.rows_served, served)


def test_in_filter_is_one_comma_separated_parameter(emu):
    tickets = emu.store.tables["tickets"].rows
    result = run_tap(emu.config(filters={"tickets": {"status": ["On Hold", "Escalated"]}}), streams=["tickets"])
    expected = {t["id"] for t in tickets if t["status"] in ("On Hold", "Escalated")}
    assert set(result.ids("tickets")) == expected
    searches = [c for c in emu.log if c["route"] == "GET /tickets/search"]
    assert searches and all(c["query"]["status"] == "On Hold,Escalated" for c in searches)


@pytest.mark.parametrize("filters, message", [
    ({"nope": {"id": "1"}}, "filters: 'nope' is not a stream of tap-zohodesk"),
    ({"tickets": {"subject": "x"}}, "filters.tickets: field 'subject' cannot be filtered natively; allowed: id (=)"),
    ({"agents": {"status": ["ACTIVE", "DISABLED"]}}, "filters.agents.status: a list ('In') is not allowed"),
    ({"ticket_comments": {"id": "1"}}, "also filter on ticketId"),
    ({"thread_attachments": {"threadId": "1"}}, "also filter on ticketId"),
])
def test_bad_filters_fail_before_any_call(filters, message):
    with pytest.raises(FilterError) as err:
        parse_filters(filters)
    assert message in str(err.value) and "\n" not in str(err.value)


def test_tap_refuses_bad_filters_at_start_up(emu):
    emu.reset_counts()
    with pytest.raises(SystemExit, match="filters.tickets: field 'subject'"):
        TapZohoDesk(config=emu.config(filters={"tickets": {"subject": "x"}}), parse_env_config=False)
    assert sum(emu.calls.values()) == 0
