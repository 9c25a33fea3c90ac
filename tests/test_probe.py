"""``--probe``: one cheap read per endpoint, a verdict per stream on stderr and in a JSON report that
holds no record value; a later sync takes the fallbacks the probe learned from its first call."""

from __future__ import annotations

import contextlib
import io
import json
import re
import subprocess
import sys

import pytest

from tap_zohodesk.api.catalog import OBJECTS
from tap_zohodesk.api.client import ZohoAuthError
from tap_zohodesk.api.schema_files import load_schema
from tap_zohodesk.tap import TapZohoDesk
from tests.emulator import Emulator
from tests.emulator.oauth import CLIENT_SECRET, REFRESH_TOKEN
from tests.emulator.variants import Variants
from tests.helpers import run_tap

STREAMS = [spec.stream for spec in OBJECTS] + ["deleted_records"]


def probe(emulator: Emulator, tmp_path, **config) -> tuple[str, dict]:
    """Run the probe in-process: (what it printed on stderr, its JSON report)."""
    path = tmp_path / "probe.json"
    err = io.StringIO()
    planned_first: list[bool] = []

    def first_call(method, route):
        if not planned_first:
            planned_first.append("calls planned" in err.getvalue())

    emulator.hook = emulator.hook or first_call
    tap = TapZohoDesk(config=emulator.config(probe=True, probe_report=str(path), **config), parse_env_config=False)
    out = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(out):
        tap.sync_all()
    assert out.getvalue() == ""  # a probe emits no Singer message
    if emulator.hook is first_call:
        assert planned_first == [True]  # the plan is printed before the first call
    return err.getvalue(), json.loads(path.read_text())


def line_of(table: str, stream: str) -> str:
    """The table's line of a stream that differs or is not available."""
    return next(line for line in table.splitlines() if line[15:45].strip() == stream)


def confirmed_in(table: str) -> list[str]:
    """The streams the table names as confirmed."""
    lines = table.splitlines()
    start = next(k for k, line in enumerate(lines) if line.startswith("confirmed"))
    block = [lines[start][15:]] + [line[15:] for line in lines[start + 1:] if line.startswith(" " * 15)]
    return " ".join(block).split(") ", 1)[1].split(", ")


def test_the_default_emulator_confirms_every_stream_in_under_200_read_calls(small_emulator, tmp_path):
    small_emulator.reset_counts()
    table, report = probe(small_emulator, tmp_path)
    log = list(small_emulator.log)
    assert 0 < len(log) < 200 and {e["method"] for e in log} == {"GET"}  # reads only
    assert small_emulator.errors() == []
    assert report["calls"] == len(log) and report["credits"] > 0
    assert {s: v["verdict"] for s, v in report["streams"].items()} == {s: "confirmed" for s in STREAMS}
    assert confirmed_in(table) == STREAMS
    assert not [line for line in table.splitlines() if line.startswith(("differs", "not available"))]
    assert report["streams"]["tickets"]["rows_seen"] > 0 and report["lessons"] == {}
    assert f"probe: {len(log)} calls ({report['planned_calls']} planned)" in table
    plan = table.splitlines()[0]
    assert plan.startswith(f"probe: {report['planned_calls']} calls planned") and "credits" in plan


def _differing(emulator: Emulator) -> Variants:
    variants = Variants(emulator)
    variants.extra_field("GET /tickets/search", "slaBreachReason", lambda row: "late")
    variants.rename_envelope("GET /agents", "data", "items")
    variants.retype("GET /accounts/search", "accountName", lambda value: [value])
    variants.retype("GET /tickets/search", "threadCount", int)
    variants.missing("GET /customerHappiness")
    variants.licence("products")
    variants.scope("tasks")
    variants.page_cap("contracts", 50)
    return variants


def test_each_difference_appears_in_both_outputs_with_its_field_path(tmp_path):
    with Emulator(tickets=60, seed=33) as emulator:
        _differing(emulator)
        table, report = probe(emulator, tmp_path)
    streams = report["streams"]
    tickets = line_of(table, "tickets")
    assert "differs" in tickets and "slaBreachReason not in the schema" in tickets
    assert "threadCount is integer where the schema says null/string (a sync converts it)" in tickets
    assert streams["tickets"]["extra_fields"] == {"slaBreachReason": "string"}
    assert streams["tickets"]["type_mismatches"] == {
        "threadCount": {"schema": ["null", "string"], "found": "integer", "convertible": True}}
    assert "accountName is array where the schema says null/string (a sync stops on it)" in line_of(table, "accounts")
    assert streams["accounts"]["type_mismatches"]["accountName"]["convertible"] is False
    assert "GET /agents: envelope 'items' where 'data' was expected" in line_of(table, "agents")
    agents = next(e for e in report["endpoints"] if e["endpoint"] == "GET /agents")
    assert agents["envelope"] == {"expected": "data", "found": "items"} and agents["rows"] > 0
    assert "GET /customerHappiness: answered 404 URL_NOT_FOUND" in line_of(table, "customer_happiness")
    assert streams["customer_happiness"]["verdict"] == "differs"
    products = line_of(table, "products")
    assert "403 LICENSE_ACCESS_LIMITED" in products and "not available" in products
    assert streams["products"]["verdict"] == "not available"
    assert any("edition" in why for why in streams["products"]["why"])
    assert streams["product_attachments"]["verdict"] == "not available"  # no product to probe through
    assert "GET /tasks/search, GET /tasks answered SCOPE_MISMATCH" in line_of(table, "tasks")
    assert "add Desk.search.READ and Desk.tasks.READ, mint a new refresh token" in line_of(table, "tasks")
    assert [w for w in streams["tasks"]["why"] if "add Desk.search.READ and Desk.tasks.READ" in w]
    scoped = next(e for e in report["endpoints"] if e["endpoint"] == "GET /tasks")
    assert scoped["not_available"]["scope"] == "Desk.tasks.READ" and scoped["status"] == 403
    contracts = line_of(table, "contracts")
    assert "GET /contracts: refuses limit 100: paging by 50" in contracts and "differs" in contracts
    assert report["lessons"] == {"contracts": {"limit": 50, "unpaged": False, "dropped": []}}
    confirmed = {s for s, v in streams.items() if v["verdict"] == "confirmed"}
    differing = {"tickets", "tickets_extended", "accounts", "agents", "customer_happiness", "products",
                 "product_attachments", "contracts", "tasks", "task_comments", "task_attachments", "task_time_entries"}
    assert confirmed == set(confirmed_in(table)) == set(STREAMS) - differing


def _vocabulary() -> set[str]:
    """Names the report is made of (streams, fields, paths, types): a value equal to one is a name."""
    words = set(STREAMS) | {"string", "integer", "number", "boolean", "array", "object", "null"}
    for spec in OBJECTS:
        words |= set(spec.read.path.replace("/", " ").split())
        schema = json.dumps(load_schema(spec))
        words |= set(json.loads(schema)["properties"])
    return words


def test_the_report_holds_no_value_of_the_records(tmp_path):
    with Emulator(tickets=60, seed=33) as emulator:
        _differing(emulator)
        _, report = probe(emulator, tmp_path)
        values = set()
        for table in emulator.store.tables.values():
            for row in table.rows:
                stack = [row]
                while stack:
                    item = stack.pop()
                    if isinstance(item, dict):
                        stack += list(item.values())
                    elif isinstance(item, list):
                        stack += item
                    elif isinstance(item, str) and len(item) >= 4:
                        values.add(item)
        secrets = {emulator.org_id if hasattr(emulator, "org_id") else "", CLIENT_SECRET, REFRESH_TOKEN}
    text = (tmp_path / "probe.json").read_text()
    checked = values - _vocabulary()
    assert len(checked) > 1000 and report["calls"] > 0
    tokens = set(re.findall(r"[^\s/{}\[\]'\":,()?=]+", text))
    leaked = sorted(v for v in checked if v in tokens or (len(v) >= 10 and v in text))  # ids, emails, sentences
    assert leaked == []
    assert not any(s and s in text for s in secrets | {"@", "1000."})  # no email, no token
    assert "late" not in json.dumps(report["endpoints"])  # the extra field's value, too


def test_a_sync_given_the_probe_report_takes_the_fallbacks_from_the_first_call(tmp_path):
    streams = ["contracts", "ticket_approvals", "deleted_records"]
    with Emulator(tickets=60, seed=33, recycle_style="oas", limit_caps={"contracts": 50}) as emulator:
        emulator.unpaged.add("tickets/{ticketId}/approvals")
        _, report = probe(emulator, tmp_path)
        assert report["lessons"] == {"contracts": {"limit": 50, "unpaged": False, "dropped": []},
                                     "recycleBin": {"limit": None, "unpaged": False, "dropped": ["module"]},
                                     "tickets/{ticketId}/approvals": {"limit": None, "unpaged": True, "dropped": []}}
        emulator.reset_counts()
        taught = run_tap(emulator.config(probe_report=str(tmp_path / "probe.json")), streams=streams)
        assert emulator.errors() == [] and taught.stats["fallbacks"] == []
        emulator.reset_counts()
        untaught = run_tap(emulator.config(), streams=streams)
        assert len(emulator.errors()) >= 3  # each fallback costs a 4xx without the report
    for stream in streams:
        assert len(taught.records[stream]) > 0
        assert sorted(map(json.dumps, taught.records[stream])) == sorted(map(json.dumps, untaught.records[stream]))


@pytest.mark.parametrize("content", ["not json", '{"probe_report": 9}', '{"probe_report": 1, "lessons": {"x": 3}}'])
def test_a_file_that_is_not_a_probe_report_fails_the_sync_with_one_line(small_emulator, tmp_path, content):
    path = tmp_path / "bad.json"
    path.write_text(content)
    with pytest.raises(Exception, match=f"config 'probe_report' '{path}'"):
        run_tap(small_emulator.config(probe_report=str(path)), streams=["teams"])


def test_the_probe_never_passes_max_api_credits(small_emulator, tmp_path):
    small_emulator.reset_counts()
    table, report = probe(small_emulator, tmp_path, max_api_credits=40)
    assert 0 < report["credits"] <= 40
    unprobed = [s for s, v in report["streams"].items() if any("max_api_credits" in w for w in v["why"])]
    assert unprobed and all(report["streams"][s]["verdict"] == "not available" for s in unprobed)
    assert "max_api_credits 40 is never passed" in table.splitlines()[0]


def test_the_cli_flags(small_emulator, tmp_path):
    config = tmp_path / "config.json"
    config.write_text(json.dumps(small_emulator.config()))
    path = tmp_path / "report.json"
    done = subprocess.run([sys.executable, "-m", "tap_zohodesk", "--config", str(config), "--probe",
                           "--probe-report", str(path)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout == ""
    assert "tickets" in confirmed_in(done.stderr)
    assert json.loads(path.read_text())["streams"]["tickets"]["verdict"] == "confirmed"


def test_a_probe_whose_token_cannot_be_refreshed_stops_at_once(small_emulator, tmp_path):
    small_emulator.reset_counts()
    with pytest.raises(ZohoAuthError, match="OAuth refresh"):
        probe(small_emulator, tmp_path, refresh_token="1000.not.this")
    assert small_emulator.log == [] and not (tmp_path / "probe.json").exists()
