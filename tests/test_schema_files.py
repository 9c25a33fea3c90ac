"""The schema files say each thing once, and resolve to exactly the schemas the tap had before.

tests/contract/resolved_schemas.json is the schema of every file as ``streams._schema`` resolved it
at 3c8ace0, before the files were rewritten with ``$defs``/``$ref`` (one stream a line). It is a
record of past behaviour: never regenerate it from ``schema_files.load``.
"""

from __future__ import annotations

import importlib.util
import json
from importlib import resources
from pathlib import Path

import jsonschema
import pytest

from tap_zohodesk.api import schema_files
from tap_zohodesk.api.schema_files import SchemaFileError

ROOT = Path(__file__).resolve().parent.parent
SNAPSHOT = json.loads((ROOT / "tests" / "contract" / "resolved_schemas.json").read_text())
FOLDER = resources.files("tap_zohodesk").joinpath("schemas")
FILES = sorted(entry.name for entry in FOLDER.iterdir() if entry.name.endswith(".json"))
STREAM_FILES = [name.removesuffix(".json") for name in FILES if not name.startswith("_")]
RESOLVER_ONLY = {"$ref", "$defs", "$schema", "$comment"}


def _keywords(schema: object):
    """Every keyword of a resolved schema and its sub-schemas (property names are not keywords)."""
    if isinstance(schema, list):
        for item in schema:
            yield from _keywords(item)
    elif isinstance(schema, dict):
        for keyword, value in schema.items():
            yield keyword
            if keyword == "properties":
                for sub in value.values():
                    yield from _keywords(sub)
            elif keyword in ("items", "additionalProperties"):
                yield from _keywords(value)


@pytest.mark.parametrize("name", sorted(SNAPSHOT))
def test_every_file_resolves_to_the_schema_it_had(name):
    resolved = schema_files.load(name)
    assert resolved == SNAPSHOT[name]
    assert list(resolved["properties"]) == list(SNAPSHOT[name]["properties"]), "column order changed"


def test_every_stream_file_loads_flat():
    assert set(SNAPSHOT) <= set(STREAM_FILES)
    for name in STREAM_FILES:
        assert not RESOLVER_ONLY & set(_keywords(schema_files.load(name))), name


def test_each_load_is_a_new_schema_sharing_nothing():
    first = schema_files.load("jira_issues")
    issue = first["properties"]["issueInfo"]["properties"]
    assert issue["assignee"] == issue["reporter"]
    assert issue["assignee"] is not issue["reporter"]
    issue["assignee"]["properties"].clear()
    first["properties"]["ticketId"]["type"].append("integer")
    first["properties"].pop("transitionInfo")
    assert schema_files.load("jira_issues") == SNAPSHOT["jira_issues"]
    assert schema_files.load("tickets") == SNAPSHOT["tickets"]


def test_no_file_uses_the_home_made_extends():
    for name in FILES:
        assert "$extends" not in FOLDER.joinpath(name).read_text(), name


def test_files_are_standard_json_schema():
    for name in FILES:
        document = json.loads(FOLDER.joinpath(name).read_text())
        assert document.get("$schema") == "https://json-schema.org/draft/2020-12/schema", name
        jsonschema.Draft202012Validator.check_schema(document)


def test_every_shared_part_is_used():
    shared = json.loads(FOLDER.joinpath("_defs.json").read_text())["$defs"]
    texts = "".join(FOLDER.joinpath(name).read_text() for name in FILES)
    for part in shared:
        assert f'"_defs.json#/$defs/{part}"' in texts or f'"#/$defs/{part}"' in texts, f"{part} is never used"


def test_files_keep_one_layout():
    spec = importlib.util.spec_from_file_location("format_schemas", ROOT / "scripts" / "format_schemas.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    for name in FILES:
        text = FOLDER.joinpath(name).read_text()
        assert text == module.dumps(json.loads(text)), f"run scripts/format_schemas.py ({name})"


@pytest.fixture
def files(monkeypatch):
    """Schema files given as a dict (file name -> parsed document) instead of the package's."""
    documents: dict[str, object] = {}

    def document(file: str):
        if file not in documents:
            raise FileNotFoundError(file)
        return documents[file]

    monkeypatch.setattr(schema_files, "_document", document)
    return documents


def test_ref_siblings_extend_what_the_ref_points_to(files):
    name = {"type": ["string", "null"]}
    files["_defs.json"] = {"$defs": {"who": {"type": "object", "properties": {"id": name},
                                             "description": "shared", "$comment": "dropped"},
                                     "when": {"$ref": "#/$defs/who/properties/id", "format": "date-time"}}}
    files["base.json"] = {"$schema": "x", "type": "object", "properties": {"a": name, "b": name}, "required": ["a"]}
    files["more.json"] = {"$ref": "base.json", "$comment": "dropped",
                          "properties": {"b": {"$ref": "_defs.json#/$defs/when"},
                                         "c": {"$ref": "_defs.json#/$defs/who", "description": "own"}}}
    assert schema_files.load("more") == {
        "type": "object", "required": ["a"],
        "properties": {"a": name, "b": {"type": ["string", "null"], "format": "date-time"},
                       "c": {"type": "object", "properties": {"id": name}, "description": "own"}}}


@pytest.mark.parametrize(("ref", "says"), [
    ("_defs.json#/$defs/nope", "points nowhere: _defs.json has no #/$defs/nope"),
    ("#/$defs/nope", "points nowhere: a.json has no #/$defs"),
    ("gone.json", "names gone.json, which is not a schema file"),
    ("../a.json", "must name a .json file beside it"),
    ("_defs.json#$defs", "must use a JSON pointer"),
    ("a.json#/properties/x", "refers back to itself"),
])
def test_a_broken_ref_names_the_file_and_the_pointer(files, ref, says):
    files["_defs.json"] = {"$defs": {"ok": {"type": "string"}}}
    files["a.json"] = {"type": "object", "properties": {"ok": {"$ref": "_defs.json#/$defs/ok"}, "x": {"$ref": ref}}}
    with pytest.raises(SchemaFileError) as raised:
        schema_files.load("a")
    message = str(raised.value)
    assert message.startswith("a.json#/properties/x: $ref "), message
    assert repr(ref) in message and says in message, message


def test_a_broken_ref_in_a_shared_part_names_that_part(files):
    files["_defs.json"] = {"$defs": {"who": {"properties": {"team": {"$ref": "#/$defs/team"}}}}}
    files["a.json"] = {"properties": {"owner": {"$ref": "_defs.json#/$defs/who"}}}
    with pytest.raises(SchemaFileError, match=r"^_defs\.json#/\$defs/who/properties/team: \$ref '#/\$defs/team'"):
        schema_files.load("a")


def test_a_ref_is_looked_up_as_json_schema_reads_it(files):
    """Where a ``$ref`` points is found by ``referencing`` (the library jsonschema and the SDK use),
    so a pointer reads as the standard says: percent-encoded, ``~1`` for a slash in a name."""
    files["_defs.json"] = {"$defs": {"a b": {"type": "string"}, "c/d": {"type": "integer"}}}
    files["a.json"] = {"type": "object", "properties": {"x": {"$ref": "_defs.json#/$defs/a%20b"},
                                                         "y": {"$ref": "_defs.json#/$defs/c~1d"}}}
    resolved = schema_files.load("a")
    assert len(resolved["properties"]) == 2
    assert resolved["properties"] == {"x": {"type": "string"}, "y": {"type": "integer"}}
