"""The stream schemas: JSON Schema files that say each thing once, resolved into the flat schemas streams need.

The files in ``schemas/`` are JSON Schema 2020-12. Parts several streams share live once in
``_defs.json`` under ``$defs``; a file may keep its own parts under its own ``$defs``. The SDK,
Meltano and loaders want one flat, self-contained schema per stream, so ``load`` resolves:

- ``{"$ref": "_defs.json#/$defs/attachment"}``, ``{"$ref": "#/$defs/user"}`` (same file) and
  ``{"$ref": "tickets.json"}`` (a whole file) are replaced by what they point to, itself resolved
  (its own ``$ref`` read relative to its own file).
- Keywords beside a ``$ref`` are laid over what it points to: ``properties`` are added to its
  properties (a same-named one replaced), any other keyword replaces its value. That is how
  ``tickets_extended.json`` is tickets plus five fields, and how a shared part takes its own
  ``description``. (A validator reading the unresolved files would take ``$ref`` plus ``properties``
  as "both apply", and tickets' ``additionalProperties: false`` would then refuse the five fields:
  only the resolved schema is meant for validating records.)
- ``$defs``, ``$schema`` and ``$comment`` are dropped from the result.

Where a ``$ref`` points is looked up with ``referencing`` (the library jsonschema and the SDK use:
base URIs, JSON pointers, ``$defs``); laying the siblings over it is ours, as neither it nor the
SDK's ``resolve_schema_references`` does that (the SDK's lets what a ``$ref`` points to replace
its siblings). Each ``load`` returns a new schema (no part shared with another call or with another place in the
same schema), so callers may change it. A ``$ref`` that points nowhere, or in a circle, raises
``SchemaFileError`` naming the file and the JSON pointer where the ``$ref`` is written.
"""

from __future__ import annotations

import copy
import json
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any

from referencing import Registry, Resource
from referencing.exceptions import PointerToNowhere, Unresolvable
from referencing.jsonschema import DRAFT202012

if TYPE_CHECKING:
    from tap_zohodesk.api.rows import ObjectSpec

PACKAGE = "tap_zohodesk"
FOLDER = "schemas"
DROPPED = frozenset({"$defs", "$schema", "$comment"})
# Keywords whose value is a map of names to schemas, one schema, or a list of schemas; any other
# keyword's value is a plain value (type, required, format, description ...) and copied as it is.
SCHEMA_MAPS = frozenset({"properties", "patternProperties", "dependentSchemas"})
SCHEMA_ONE = frozenset({"items", "additionalProperties", "unevaluatedProperties", "unevaluatedItems", "not",
                        "contains", "propertyNames", "if", "then", "else"})
SCHEMA_LISTS = frozenset({"allOf", "anyOf", "oneOf", "prefixItems"})


class SchemaFileError(ValueError):
    """A schema file that cannot be resolved: a ``$ref`` to nowhere or in a circle."""


def types_of(schema: dict) -> frozenset[str]:
    """The JSON types a (resolved) schema node declares: ``"string"`` or ``["string", "null"]``."""
    kind = schema.get("type", ())
    return frozenset([kind] if isinstance(kind, str) else kind)


def load(name: str) -> dict:
    """The flat schema of ``schemas/<name>.json``, every ``$ref`` resolved; a new dict each call."""
    file = f"{name}.json"
    return _schema(_document(file), file, (), ())


@cache
def _document(file: str) -> Any:
    """One schema file, parsed once; never handed out (``_schema`` builds new containers)."""
    return json.loads(resources.files(PACKAGE).joinpath(FOLDER, file).read_text())


def _pointer(at: tuple[str, ...]) -> str:
    return "#" + "".join("/" + part.replace("~", "~0").replace("/", "~1") for part in at)


def _schema(node: Any, file: str, at: tuple[str, ...], following: tuple[tuple[str, str], ...]) -> Any:
    """``node`` (found in ``file`` at ``at``) resolved; ``following`` the refs being resolved, for circles."""
    if isinstance(node, list):  # draft-07 tuple ``items``
        return [_schema(item, file, (*at, str(i)), following) for i, item in enumerate(node)]
    if not isinstance(node, dict):
        return node  # true / false
    if "$ref" in node:
        result = _follow(node["$ref"], file, at, following)
        if not isinstance(result, dict):
            raise SchemaFileError(f"{file}{_pointer(at)}: $ref {node['$ref']!r} points to {result!r}, not a schema")
    else:
        result = {}
    for keyword, value in node.items():
        if keyword == "$ref" or keyword in DROPPED:
            continue
        here = (*at, keyword)
        if keyword in SCHEMA_MAPS:
            value = {key: _schema(sub, file, (*here, key), following) for key, sub in value.items()}
            if isinstance(result.get(keyword), dict):
                result[keyword].update(value)
                continue
        elif keyword in SCHEMA_ONE:
            value = _schema(value, file, here, following)
        elif keyword in SCHEMA_LISTS:
            value = [_schema(sub, file, (*here, str(i)), following) for i, sub in enumerate(value)]
        else:
            value = copy.deepcopy(value)
        result[keyword] = value
    return result


def _follow(ref: str, file: str, at: tuple[str, ...], following: tuple[tuple[str, str], ...]) -> Any:
    """What ``ref`` (written in ``file`` at ``at``) points to, looked up by ``referencing``, resolved."""
    where = f"{file}{_pointer(at)}"
    target_file, _, fragment = ref.partition("#")
    target_file = target_file or file
    if "/" in target_file or "\\" in target_file or not target_file.endswith(".json"):
        raise SchemaFileError(f"{where}: $ref {ref!r} must name a .json file beside it (or start with '#')")
    if fragment and not fragment.startswith("/"):
        raise SchemaFileError(f"{where}: $ref {ref!r} must use a JSON pointer after '#' (like '#/$defs/name')")
    if (target_file, fragment) in following:
        raise SchemaFileError(f"{where}: $ref {ref!r} refers back to itself")
    parts = tuple(part.replace("~1", "/").replace("~0", "~") for part in fragment.split("/")[1:])
    resolver = Registry(retrieve=_resource).resolver(base_uri=file)  # type: ignore[call-arg]
    try:
        node = resolver.lookup(ref).contents
    except PointerToNowhere:
        missing = next(_pointer(parts[:depth]) for depth in range(1, len(parts) + 1)
                       if not _found(resolver, target_file + _pointer(parts[:depth])))
        raise SchemaFileError(f"{where}: $ref {ref!r} points nowhere: {target_file} has no {missing}") from None
    except Unresolvable:  # the file could not be retrieved
        raise SchemaFileError(f"{where}: $ref {ref!r} names {target_file}, which is not a schema file") from None
    return _schema(node, target_file, parts, (*following, (target_file, fragment)))


def _resource(file: str) -> Resource:
    """``referencing``'s retrieval of a schema file (read through ``_document``, so parsed once)."""
    return DRAFT202012.create_resource(_document(file))


def _found(resolver: Any, ref: str) -> bool:
    try:
        resolver.lookup(ref)
    except Unresolvable:
        return False
    return True


def load_schema(spec: ObjectSpec) -> dict:
    """A stream's schema: its (possibly shared) file plus the fields linking it to its parent."""
    schema = load(spec.schema_name)
    for link in spec.links:
        key = link in spec.primary_key
        schema["properties"].setdefault(link, {"type": ["string"] if key else ["string", "null"]})
        if key and link not in schema.get("required", []):
            schema.setdefault("required", []).append(link)
    return schema
