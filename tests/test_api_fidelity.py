"""The catalog held against the emulator's own API facts, and every stream against the strict emulator.

tests/emulator/facts.py and write_facts.py are written from the public evidence, never from
tap_zohodesk; here every call a catalog row makes is looked up in them and every disagreement is
named. Then a sync of every stream must get no 4xx (but a fallback the evidence leaves open, once
per endpoint) and leave no stream empty.
"""

from __future__ import annotations

import ast
import json
import logging
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tap_zohodesk.api.catalog import BY_STREAM, OBJECTS, ObjectSpec
from tap_zohodesk.recycle import DELETED_RECORDS
from tests.emulator.facts import READS, Endpoint
from tests.emulator.seed_core import build_store
from tests.emulator.shapes import served_fields
from tests.emulator.write_facts import WRITES
from tests.helpers import run_tap

EMULATOR = Path(__file__).parent / "emulator"


def _norm(path: str) -> str:
    return re.sub(r"\{\w+\}", "{}", path)


ENDPOINTS = {(e.method, _norm(e.path)): e for e in READS + WRITES}


@pytest.fixture(scope="module")
def store():
    return build_store(seed=2, tickets=60)


def _endpoint(method: str, path: str) -> Endpoint | None:
    return ENDPOINTS.get((method, _norm(path)))


def _read_disagreements(spec: ObjectSpec, store) -> list[str]:
    out: list[str] = []
    read = _endpoint("GET", spec.read.path)
    if read is None:
        return [f"GET /{spec.read.path}: no such endpoint"]
    if spec.read.single != (read.op == "single"):
        out.append(f"GET /{spec.read.path}: the API answers {read.op}, the row says single={spec.read.single}")
    if read.op == "list":
        if spec.read.paged != read.paged:
            out.append(f"GET /{spec.read.path}: paged={read.paged} in the API, {spec.read.paged} in the row")
        if read.paged and spec.read.limit > (read.cap or 50):
            out.append(f"GET /{spec.read.path}: limit {spec.read.limit} over the cap {read.cap}")
        if read.envelope != spec.read.envelope:
            out.append(f"GET /{spec.read.path}: envelope {read.envelope!r}, the row reads {spec.read.envelope!r}")
        if read.paged and read.max_from != spec.read.max_from:
            out.append(f"GET /{spec.read.path}: 'from' goes up to {read.max_from} in the API, "
                       f"the row pages to {spec.read.max_from}")
    elif read.envelope not in (None, spec.read.envelope) or (read.envelope is None and spec.read.envelope != "data"):
        out.append(f"GET /{spec.read.path}: the object sits under {read.envelope!r}, "
                   f"the row reads {spec.read.envelope!r}")
    searching = _endpoint("GET", spec.read.search) if spec.read.search else None
    if spec.read.search and (searching is None or searching.op != "search"):
        out.append(f"GET /{spec.read.search}: no such search endpoint")
    links = set(spec.links)
    for name in spec.filters.ops:
        upward = spec.parent and name in BY_STREAM[spec.parent.stream].filters.ops
        if name == "id" or spec.filters.field(name) in links or upward:
            continue
        param = spec.filters.param(name)
        if name in spec.filters.local:
            if param in read.params:
                out.append(f"GET /{spec.read.path}: takes {param}, yet {name} is applied to the answer")
            continue
        target = searching if searching and name not in spec.filters.list_only else read
        if name in spec.filters.uncertain:
            if param in target.params:
                out.append(f"GET /{target.path}: documents {param}, yet the row calls it uncertain")
        elif param not in target.params:
            out.append(f"GET /{target.path}: filter {name} goes out as {param!r}, which the endpoint does not take")
    for name in spec.read.params:
        if name not in read.params:
            out.append(f"GET /{spec.read.path}: the row always sends {name}, which the endpoint does not take")
    as_param = spec.parent and spec.parent.as_param
    for name, wanted in ((spec.read.time_param, spec.read.time_param), ("sortBy", spec.read.newest_first),
                         ("fields", spec.read.fields_param or None), (as_param and spec.parent.key, as_param or None)):
        if wanted and name not in read.params:
            out.append(f"GET /{spec.read.path}: the row sends {name}, which the endpoint does not take")
    if "id" in spec.filters.ops:
        item = _endpoint("GET", spec.read.one)
        if spec.read.item_get != (item is not None):
            out.append(f"GET /{spec.read.one}: exists={item is not None}, "
                       f"the row says item_get={spec.read.item_get}")
    shape = searching.shape if searching else read.shape
    fields = served_fields(read.table, shape, set(store.fields(read.table)))
    key = spec.key
    if key and key not in fields and not (spec.read.slim or spec.read.extended or key == "modifiedTime"
                                          and {"commentedTime", "createdTime"} & fields):
        out.append(f"{spec.stream}: rows of GET /{spec.read.search or spec.read.path} carry no {key}")
    if spec.parent and spec.parent.counter:
        parent = BY_STREAM[spec.parent.stream]
        parent_read = _endpoint("GET", parent.read.search or parent.read.path)
        served = served_fields(parent_read.table, parent_read.shape, set(store.fields(parent_read.table)))
        if spec.parent.counter not in served:
            out.append(f"{spec.stream}: the parent rows of GET /{parent_read.path} carry no {spec.parent.counter}")
    if spec.parent and spec.parent.detail_counter:  # counters.py: only the parent's own GET carries it
        one = _endpoint("GET", BY_STREAM[spec.parent.stream].read.one)
        served = served_fields(one.table, one.shape, set(store.fields(one.table))) if one else set()
        if spec.parent.detail_counter not in served:
            out.append(f"{spec.stream}: GET /{BY_STREAM[spec.parent.stream].read.one} carries no "
                       f"{spec.parent.detail_counter}")
    return out


def _write_disagreements(spec: ObjectSpec) -> list[str]:
    out: list[str] = []
    if spec.write.create == "tag":  # tags are written by name through the ticket
        ops = {"INSERT": "tag", "DELETE": "untag"}
        return [f"POST /{spec.write.tag_calls[op]}: not a {ops[op]} call of the API" for op in sorted(spec.write.dml)
                if getattr(_endpoint("POST", spec.write.tag_calls[op]), "op", None) != ops[op]]
    calls = []
    if "INSERT" in spec.write.dml:
        calls.append(("POST", spec.read.path, "create"))
    if "UPDATE" in spec.write.dml:
        calls.append((spec.write.update_verb, spec.write.update_path or spec.read.one, "update"))
    if "DELETE" in spec.write.dml:
        if spec.trash_path:
            calls.append(("POST", spec.trash_path, "trash"))
        elif spec.write.delete == "unfollow":
            calls.append(("POST", spec.read.path.rsplit("/", 1)[0] + "/removeFollowers", "unfollow"))
        else:
            calls.append((spec.write.remove_verb, spec.write.remove_path or spec.read.one, None))
    for method, path, op in calls:
        endpoint = _endpoint(method, path)
        if endpoint is None:
            out.append(f"{method} /{path}: the API takes no such call")
        elif op and endpoint.op != op:
            out.append(f"{method} /{path}: is a {endpoint.op} in the API, the row uses it to {op}")
        elif op == "trash" and endpoint.body_key != spec.write.trash_key:
            out.append(f"POST /{path}: ids go under {endpoint.body_key!r}, the row sends {spec.write.trash_key!r}")
    return out


def test_the_catalog_agrees_with_the_api_facts(store):
    problems = [p for spec in OBJECTS for p in _read_disagreements(spec, store) + _write_disagreements(spec)]
    recycle = _endpoint("GET", DELETED_RECORDS.read.path)
    if recycle is None or DELETED_RECORDS.read.limit > (recycle.cap or 50):
        problems.append("GET /recycleBin: missing or limit over its cap")
    assert not problems, "\n".join(problems)


def test_the_emulator_imports_nothing_from_the_tap():
    for path in EMULATOR.glob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else (
                [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            assert not any(n.split(".")[0] in ("tap_zohodesk", "target_zohodesk") for n in names), path.name


def test_a_sync_of_every_stream_gets_no_4xx_and_leaves_no_stream_empty(small_emulator):
    small_emulator.reset_counts()
    streams = [spec.stream for spec in OBJECTS] + ["deleted_records"]
    result = run_tap(small_emulator.config(), streams=streams)
    assert [e for e in small_emulator.errors()] == []
    assert [s for s in streams if not result.records.get(s)] == []
    assert result.stats["fallbacks"] == []


def test_a_refused_parameter_fails_the_run_with_zohos_line(emulator, tmp_path):
    """A 422 about our own request is not "this org cannot serve it": that stream fails, the others go
    on, and the run ends non-zero with one line naming the stream and Zoho's answer."""
    config = tmp_path / "config.json"
    config.write_text(json.dumps(emulator.config()))
    emulator.inject("extra_param", path="/teams$", param="sortOrder")
    proc = subprocess.run([sys.executable, "-c", "from tap_zohodesk.tap import main; main()", "--config",
                           str(config), "--catalog", str(_catalog(tmp_path, emulator, ["agents", "teams", "roles"]))],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1
    line = "GET /teams -> HTTP 422 UNPROCESSABLE_ENTITY: Extra query parameter 'sortOrder' is present in the input."
    assert f"tap-zohodesk: {line} (stream 'teams' failed); the other streams completed" in proc.stderr.splitlines()
    assert "Traceback" not in proc.stderr
    records = [json.loads(x) for x in proc.stdout.splitlines() if '"RECORD"' in x]
    assert {r["stream"] for r in records} == {"agents", "roles"}  # before and after the failed stream


def test_not_available_here_skips_the_stream_with_what_to_do(emulator, caplog):
    emulator.disable("teams", 403, "FEATURE_NOT_AVAILABLE")
    with caplog.at_level(logging.WARNING):
        result = run_tap(emulator.config(), streams=["agents", "teams", "roles"])
    assert result.records["teams"] == [] and len(result.records["roles"]) == len(emulator.store.tables["roles"].rows)
    assert "Skipping stream 'teams': Zoho answered FEATURE_NOT_AVAILABLE" in caplog.text
    assert "turn it on in Zoho Desk Setup" in caplog.text


def test_forbidden_is_not_a_reason_to_skip(emulator):
    from tap_zohodesk.api.client import ZohoDeskError

    emulator.disable("teams", 403, "FORBIDDEN")
    with pytest.raises(ZohoDeskError, match="GET /teams -> HTTP 403 FORBIDDEN"):
        run_tap(emulator.config(), streams=["teams"])


def _catalog(tmp_path, emulator, streams: list[str]) -> Path:
    from tests.helpers import catalog_for

    path = tmp_path / "catalog.json"
    path.write_text(json.dumps(catalog_for(emulator.config(), streams)))
    return path
