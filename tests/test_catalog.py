"""The catalog against the contract table in tests/contract/objects.md (the project spec's copy), and discovery."""

from __future__ import annotations

import fnmatch
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tap_zohodesk.api.catalog import BY_STREAM, OBJECTS
from tap_zohodesk.api.schema_files import load_schema
from tests.warehouses import meltano_project

CONTRACT = Path(__file__).resolve().parent / "contract" / "objects.md"
ROW = re.compile(r"^\| (\w+) \| `(\w+)` \| ([^|]+) \| ([^|]+) \| ([^|]+) \| ([^|]+) \|$")
# Documented extensions of the contract table, which lists both tag streams as read-only:
# Zoho Desk writes tags by name through a ticket (zoho-desk-api 6.9: POST tickets/{id}/associateTag
# and dissociateTag), and the reference's rule for `tags` is "a tag record with ticketId tags
# that ticket" (tests/contract/objects.md). Issue 10. Only these two streams may differ.
DML_EXTENSIONS = {"tags": {"INSERT"}, "ticket_tags": {"INSERT", "DELETE"}}


def contract_rows() -> list[dict]:
    if not CONTRACT.exists():  # an error at collection, never an empty (skipped) parametrization
        raise FileNotFoundError(f"contract table not found at {CONTRACT}")
    rows = []
    for line in CONTRACT.read_text().splitlines():
        match = ROW.match(line.strip())
        if match and match.group(2) != "stream":
            seed, stream, filters, mode, dml, nested = (g.strip() for g in match.groups())
            rows.append({"stream": stream, "filters": filters, "mode": mode, "dml": dml, "nested": nested})
    return rows


def lower_camel(name: str) -> str:
    return name[0].lower() + name[1:]


def test_contract_has_62_objects_and_catalog_matches_names():
    rows = contract_rows()
    assert CONTRACT.exists(), f"contract table not found at {CONTRACT}"
    assert len(rows) == 62
    assert sorted(r["stream"] for r in rows) == sorted(spec.stream for spec in OBJECTS)


@pytest.mark.parametrize("row", contract_rows(), ids=lambda r: r["stream"])
def test_catalog_row_matches_contract(row):
    spec = BY_STREAM[row["stream"]]
    assert spec.mode == row["mode"]
    if row["mode"] == "modified+new":
        assert spec.key == "modifiedTime"
    elif row["mode"] == "new only":  # the creation time; a rating's is when it was given (ratedTime)
        assert spec.key == ("ratedTime" if spec.stream == "customer_happiness" else "createdTime")
    else:
        assert spec.key is None
    expected_dml = set() if row["dml"] == "read-only" else set(row["dml"].split("/"))
    expected_dml |= DML_EXTENSIONS.get(row["stream"], set())
    assert set(spec.write.dml) == expected_dml
    # filters: "Id =; DepartmentId,Channel,Status,Priority =,In"
    expected: dict[str, str] = {}
    for part in row["filters"].split(";"):
        names, _, ops = part.strip().partition(" ")
        for name in names.split(","):
            expected[lower_camel(name.strip())] = "in" if "In" in ops else "="
    assert spec.filters.ops == expected
    schema = load_schema(spec)
    for field in ([] if row["nested"] == "-" else [n.strip() for n in row["nested"].split(",")]):
        prop = schema["properties"][lower_camel(field)]
        kinds = prop["type"]
        target = prop["items"] if "array" in kinds else prop
        assert "object" in target["type"], f"{spec.stream}.{field} must be an object or array of objects"
        assert target["properties"], f"{spec.stream}.{field} must declare its properties"


def test_every_schema_is_strict_and_declares_its_keys():
    for spec in OBJECTS:
        schema = load_schema(spec)
        assert schema["additionalProperties"] is False, spec.stream
        for key in spec.primary_key:
            assert schema["properties"][key]["type"] == ["string"], (spec.stream, key)
        if spec.key:
            assert spec.key in schema["properties"], spec.stream


def test_discover_lists_the_62_objects_and_deleted_records(shared_emulator, tmp_path):
    config = tmp_path / "config.json"
    config.write_text(json.dumps(shared_emulator.config()))
    proc = subprocess.run([sys.executable, "-m", "tap_zohodesk", "--config", str(config), "--discover"],
                          capture_output=True, text=True, timeout=120, check=True)
    catalog = json.loads(proc.stdout)
    entries = {e["tap_stream_id"]: e for e in catalog["streams"]}
    assert len(entries) == 63 and "deleted_records" in entries  # 62 objects + the recycle bin
    assert entries["deleted_records"]["key_properties"] == ["module", "id"]
    for spec in OBJECTS:
        entry = entries[spec.stream]
        assert entry["key_properties"] == list(spec.primary_key)
        assert entry.get("replication_key") == spec.key
        assert entry["replication_method"] == ("INCREMENTAL" if spec.key else "FULL_TABLE")
    cf = entries["tickets"]["schema"]["properties"]["cf"]
    assert cf["properties"]["cf_score"]["type"] == ["integer", "null"]
    assert cf["properties"]["cf_region"]["type"] == ["string", "null"]


def test_about_needs_no_credentials():
    proc = subprocess.run([sys.executable, "-m", "tap_zohodesk", "--about", "--format", "json"],
                          capture_output=True, text=True, timeout=120, check=True)
    about = json.loads(proc.stdout)
    assert about["name"] == "tap-zohodesk"
    assert {"client_id", "org_id", "data_center"} <= set(about["settings"]["properties"])


def test_meltano_selects_what_discovery_selects_by_default():
    """The opt-in streams (a call per record of another object every run), and with unwind_nested their
    unwound arrays, stay out of both."""
    import yaml

    project = yaml.safe_load((Path(__file__).resolve().parents[1] / "meltano.yml").read_text())
    tap = next(p for p in project["plugins"]["extractors"] if p["name"] == "tap-zohodesk")
    patterns = [rule[1:].rsplit(".", 1)[0] for rule in tap["select"] if rule.startswith("!")]
    every = {name for spec in OBJECTS for name in (spec.stream, *dict(spec.unwound))}
    excluded = {name for name in every if any(fnmatch.fnmatchcase(name, p) for p in patterns)}
    assert tap["select"][0] == "*.*"
    assert excluded == {name for spec in OBJECTS if spec.opt_in for name in (spec.stream, *dict(spec.unwound))}
    assert {"ticket_metrics", "jira_issues", "ticket_activities", "tickets_extended"} <= excluded


def test_discovery_needs_no_credentials_so_meltano_select_list_works_on_a_fresh_project(tmp_path):
    """``meltano select tap-zohodesk --list`` before any credential is set: custom fields stay
    untyped (one warning), every stream is listed."""
    import os

    root = Path(__file__).resolve().parents[1]
    meltano = root / ".venv" / "bin" / "meltano"
    if not meltano.exists():
        pytest.fail("meltano is installed by `make test`")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TAP_ZOHODESK_", "MELTANO_"))}
    proc = subprocess.run([str(meltano), "--environment=prod", "select", "tap-zohodesk", "--list", "--all"],
                          cwd=meltano_project(), env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    listed = {line.split("]")[1].strip().split(".")[0] for line in proc.stdout.splitlines() if "] " in line}
    assert {spec.stream for spec in OBJECTS} <= listed
    assert "Custom fields stay untyped: no credentials" in proc.stderr
