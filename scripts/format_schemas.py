"""Writes tap_zohodesk/schemas/*.json in one layout: `python scripts/format_schemas.py [--check]`.

Two-space indent; `properties` and `$defs` one entry a line; anything else on one line when the line
fits in 120 characters, else one entry a line. `--check` changes nothing and exits 1 if a file differs.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

FOLDER = Path(__file__).resolve().parent.parent / "tap_zohodesk" / "schemas"
WIDTH = 120
ONE_A_LINE = frozenset({"properties", "$defs"})


def dumps(node: object) -> str:
    """The file text for a parsed schema file."""
    return _layout(node, 0, "", False) + "\n"


def _layout(node: object, depth: int, prefix: str, expand: bool) -> str:
    pad = "  " * depth
    flat = pad + prefix + json.dumps(node, ensure_ascii=False)
    if not isinstance(node, (dict, list)) or not node or (not expand and len(flat) + 1 <= WIDTH):
        return flat
    if isinstance(node, dict):
        entries = [_layout(value, depth + 1, json.dumps(key) + ": ", key in ONE_A_LINE and isinstance(value, dict))
                   for key, value in node.items()]
        opening, closing = "{", "}"
    else:
        entries = [_layout(value, depth + 1, "", False) for value in node]
        opening, closing = "[", "]"
    return "\n".join([pad + prefix + opening, ",\n".join(entries), pad + closing])


def main(argv: list[str]) -> int:
    check = "--check" in argv
    differ = []
    for path in sorted(FOLDER.glob("*.json")):
        text = path.read_text()
        wanted = dumps(json.loads(text))
        if text != wanted:
            differ.append(path.name)
            if not check:
                path.write_text(wanted)
    for name in differ:
        print(f"{'would reformat' if check else 'reformatted'} {name}")
    return 1 if check and differ else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
