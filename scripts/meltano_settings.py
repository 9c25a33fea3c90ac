"""Regenerate the `settings:` of tap-zohodesk and target-zohodesk in meltano.yml from the plugins' code.

Usage:
    python scripts/meltano_settings.py          # rewrite meltano.yml in place
    python scripts/meltano_settings.py --check  # exit 1 and print the diff when meltano.yml is out of date

For each plugin the source of truth is what `<plugin> --about` reports: its `config_jsonschema` plus the
SDK's built-in settings (stream maps, flattening, batch) and its capabilities. Every JSON-schema property
becomes one Meltano setting with a `kind` (booleans, integers, numbers, objects and arrays keep their type,
so `TAP_ZOHODESK_CHILD_SWEEP_DAYS=0` reaches the tap as the number 0), its description, its default as
`value`, and `sensitive: true` with kind `password` where the plugin marks it secret.

JSON-schema numbers get Meltano's kind `string`: Meltano 4.4 has no kind that carries a fractional value
from an environment variable to a plugin (`integer` calls int("0.5"); `decimal` makes a Python Decimal it
then fails to write to the plugin's config file: "Object of type Decimal is not JSON serializable"), and
both plugins turn the text of a number setting into the number before validating their config
(tap_zohodesk/api/numbers.py). So `TAP_ZOHODESK_RETRY_BACKOFF_SECONDS=0.5`, `meltano config set` and a
YAML number in meltano.yml all work. Only three keys of
each plugin's entry are rewritten: `capabilities`, `settings` and `settings_group_validation` (the
required settings). Everything else in meltano.yml, comments included, is left as it is.
"""

from __future__ import annotations

import argparse
import difflib
import json
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
MELTANO_YML = ROOT / "meltano.yml"
MANAGED = ("capabilities", "settings", "settings_group_validation")


def _plugin_classes() -> dict[str, type]:
    sys.path.insert(0, str(ROOT))
    from tap_zohodesk.tap import TapZohoDesk
    from target_zohodesk.target import TargetZohoDesk

    return {"tap-zohodesk": TapZohoDesk, "target-zohodesk": TargetZohoDesk}


def _types(prop: dict) -> list[str]:
    kind = prop.get("type", [])
    return [kind] if isinstance(kind, str) else list(kind)


def _kind(prop: dict) -> str:
    types = _types(prop)
    if prop.get("secret") or prop.get("writeOnly"):
        return "password"
    if prop.get("enum"):
        return "options"
    for json_type, kind in (("boolean", "boolean"), ("integer", "integer"), ("number", "string"),  # see above
                            ("object", "object"), ("array", "array")):
        if json_type in types:
            return kind
    if prop.get("format") == "date-time":
        return "date_iso8601"
    if "string" in types:
        return "string"
    return "object" if "anyOf" in prop or "oneOf" in prop else "string"


def _label(name: str, prop: dict) -> str:
    if prop.get("title"):
        return prop["title"]
    fixed = {"id": "ID", "url": "URL", "api": "API", "oauth": "OAuth"}
    words = [fixed.get(word, word) for word in name.split("_")]
    return " ".join([words[0][:1].upper() + words[0][1:], *words[1:]])


def setting(name: str, prop: dict) -> dict:
    """One Meltano setting from one JSON-schema property of a plugin's config."""
    kind = _kind(prop)
    out: dict = {"name": name, "kind": kind, "label": _label(name, prop)}
    description = " ".join((prop.get("description") or prop.get("title") or "").split())
    if description:
        out["description"] = description
    if prop.get("default") is not None:
        out["value"] = prop["default"]
    if kind == "options":
        out["options"] = [{"label": str(value), "value": value} for value in prop["enum"] if value is not None]
    if kind == "password":
        out["sensitive"] = True
    return out


def plugin_entry(cls: type) -> dict:
    """The managed keys of one plugin's meltano.yml entry."""
    from tap_zohodesk.api.sdk import about_info  # the project is importable once a plugin class is

    about = about_info(cls)  # config_jsonschema + the SDK's built-in settings
    schema = json.loads(json.dumps(about.settings))  # plain data: str enums become strings
    entry: dict = {"capabilities": [str(getattr(c, "value", c)) for c in about.capabilities],
                   "settings": [setting(name, prop) for name, prop in schema["properties"].items()]}
    if schema.get("required"):
        entry["settings_group_validation"] = [list(schema["required"])]
    return entry


def _dump(key: str, value: object, indent: str) -> list[str]:
    if key == "capabilities":
        return [f"{indent}{key}: [{', '.join(value)}]"]
    if key == "settings_group_validation":
        return [f"{indent}{key}:"] + [f"{indent}- [{', '.join(group)}]" for group in value]
    out = [f"{indent}{key}:"]
    for item in value:  # one block mapping per setting, one line per key, options in flow style
        for n, (name, field) in enumerate(item.items()):
            line = yaml.safe_dump({name: field}, sort_keys=False, width=10**6, allow_unicode=True,
                                  default_flow_style=isinstance(field, (list, dict))).strip()
            line = line[1:-1] if line.startswith("{") else line
            out.append(f"{indent}{'- ' if n == 0 else '  '}{line}")
    return out


def rewrite(text: str, entries: dict[str, dict]) -> str:
    """``text`` (meltano.yml) with the managed keys of each plugin in ``entries`` replaced."""
    lines = text.splitlines()
    for plugin, entry in entries.items():
        start = next((i for i, line in enumerate(lines) if line.strip() == f"- name: {plugin}"), None)
        if start is None:
            raise SystemExit(f"meltano.yml has no plugin entry '- name: {plugin}'")
        item_indent = len(lines[start]) - len(lines[start].lstrip())
        key_indent = " " * (item_indent + 2)
        end = start + 1  # the entry runs until a line indented at or left of its "- name:"
        while end < len(lines) and (not lines[end].strip() or len(lines[end]) - len(lines[end].lstrip()) > item_indent):
            end += 1
        body = lines[start + 1:end]
        kept: list[str] = []
        i = 0
        insert_at = None
        while i < len(body):
            line = body[i]
            key = line[len(key_indent):].split(":", 1)[0] if line.startswith(key_indent) else None
            if key in MANAGED and line[len(key_indent)] != " ":
                insert_at = len(kept) if insert_at is None else insert_at
                i += 1  # drop the key and everything nested under it (deeper lines, or "- " list items)
                while i < len(body) and (body[i].startswith(key_indent + " ") or body[i].startswith(key_indent + "-")):
                    i += 1
                continue
            kept.append(line)
            i += 1
        if insert_at is None:
            insert_at = next((n for n, line in enumerate(kept) if line.startswith(f"{key_indent}executable:")), -1) + 1
        generated = [out for key in MANAGED if key in entry for out in _dump(key, entry[key], key_indent)]
        lines[start + 1:end] = kept[:insert_at] + generated + kept[insert_at:]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only report; exit 1 if meltano.yml is out of date")
    parser.add_argument("--file", type=Path, default=MELTANO_YML)
    args = parser.parse_args(argv)
    current = args.file.read_text()
    wanted = rewrite(current, {name: plugin_entry(cls) for name, cls in _plugin_classes().items()})
    yaml.safe_load(wanted)  # still valid YAML
    if wanted == current:
        print(f"{args.file.name}: settings up to date")
        return 0
    if args.check:
        sys.stdout.writelines(difflib.unified_diff(current.splitlines(True), wanted.splitlines(True),
                                                   f"{args.file.name} (committed)", f"{args.file.name} (from code)"))
        print(f"\n{args.file.name} is out of date: run `.venv/bin/python scripts/meltano_settings.py`")
        return 1
    args.file.write_text(wanted)
    print(f"{args.file.name}: settings of {', '.join(_plugin_classes())} rewritten")
    return 0


if __name__ == "__main__":
    sys.exit(main())
