"""Write the README's stream table from the object catalog (``--check``: fail when it is stale).

One row per stream: how it is read and what a run costs, what it bookmarks, how fast a new,
edited or removed child arrives, and the writes target-zohodesk makes. The catalog is the
single source; tests/test_readme.py runs the check.
"""

from __future__ import annotations

import argparse
import difflib
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tap_zohodesk.catalog import BY_STREAM, FULL, OBJECTS, ObjectSpec  # noqa: E402
from tap_zohodesk.writable import TAG_CALLS, TAG_SHAPES  # noqa: E402

README = Path(__file__).resolve().parents[1] / "README.md"
START, END = "<!-- streams:start -->", "<!-- streams:end -->"


def _read(spec: ObjectSpec) -> str:
    if spec.parent:
        parent = BY_STREAM[spec.parent]
        how = "one object per parent" if spec.single else f"`{spec.path}` per parent"
        every = spec.mode == FULL or spec.all_parents or parent.mode == FULL
        which = "every parent, every run" if every else "parents changed since the last run"
        skip = f"; none where `{spec.count_field}` is 0" if spec.count_field else ""
        return f"{how}: {which}{skip}"
    if spec.search_path:
        extra = f" (with `{'`, `'.join(sorted(spec.list_only))}`: the list + GET by id)" if spec.list_only else ""
        return f"`{spec.search_path}`, exact keyset windows, 1 call per 100 changed{extra}"
    if spec.slim_list:
        ask = f"`fields={spec.replication_key}`" if spec.fields_param else "every row"
        return f"`{spec.path}` ({ask}) + GET by id of each changed record"
    pages = "paged" if spec.paged else "one call"
    window = f", server-side `{spec.time_param}`" if spec.time_param else ""
    order = f", newest first (`{spec.newest_first}`) down to the bookmark" if spec.newest_first else ""
    return f"`{spec.path}` ({pages}{window}{order})"


def _arrival(spec: ObjectSpec) -> str:
    if not spec.parent:
        return ""
    parent = BY_STREAM[spec.parent]
    if spec.mode == FULL:
        return "next run (the full set: removals too)"
    if spec.all_parents or parent.mode == FULL:
        return "next run (every parent read); removals: not seen"
    return "next run if the parent moves, else next sweep; removals: not seen"


def _writes(spec: ObjectSpec) -> str:
    if spec.schema_name in TAG_SHAPES:  # tags are written by name through their ticket
        return "; ".join(f"{op} `POST {TAG_CALLS[op]}`" for op in ("INSERT", "DELETE") if op in spec.dml)
    out = []
    if "INSERT" in spec.dml:
        out.append(f"INSERT `POST {spec.path}`")
    if "UPDATE" in spec.dml:
        out.append(f"UPDATE `{spec.update_verb} {spec.update_path or spec.record_path}`")
    if "DELETE" in spec.dml:
        if spec.moves_to_trash:
            out.append(f"DELETE `POST {spec.moves_to_trash}` ({spec.trash_key}, 50 a call)")
        elif spec.schema_name == "followers":
            out.append("DELETE `POST .../removeFollowers`")
        else:
            out.append(f"DELETE `{spec.remove_verb} {spec.remove_path or spec.record_path}`")
    return "; ".join(out) or "read-only"


def table() -> str:
    lines = ["| stream | read (cost of a run) | bookmark | a child's change arrives | writes |",
             "|---|---|---|---|---|"]
    for spec in OBJECTS:
        key = f"`{spec.replication_key}`" if spec.replication_key else "full table"
        name = f"`{spec.stream}`" + (" (opt-in)" if spec.costly else "")
        lines.append(f"| {name} | {_read(spec)} | {key} | {_arrival(spec)} | {_writes(spec)} |")
    return "\n".join(lines)


def render(text: str) -> str:
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    return f"{head}{START}\n{table()}\n{END}{tail}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 (and show the diff) if README.md is stale")
    args = parser.parse_args()
    text = README.read_text()
    new = render(text)
    if args.check:
        if new != text:
            sys.stdout.writelines(difflib.unified_diff(text.splitlines(True), new.splitlines(True)))
            return 1
        return 0
    README.write_text(new)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
