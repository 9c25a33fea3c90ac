"""Write the stream table of docs/streams.md from the object catalog (``--check``: fail when it is stale).

One row per stream: how it is read and what a run costs, what it bookmarks, how fast a new,
edited or removed child arrives, and the writes target-zohodesk makes; each unwound nested array
(config ``unwind_nested``) follows its parent. The catalog is the
single source; tests/test_readme.py runs the check.
"""

from __future__ import annotations

import argparse
import difflib
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tap_zohodesk.api.catalog import FULL, OBJECTS, ObjectSpec  # noqa: E402
from tap_zohodesk.api.plans import TRASH, plans_of  # noqa: E402

STREAMS_DOC = Path(__file__).resolve().parents[1] / "docs" / "streams.md"
START, END = "<!-- streams:start -->", "<!-- streams:end -->"


def _read(spec: ObjectSpec) -> str:
    if spec.parent:
        how = "one object per parent" if spec.read.single else f"`{spec.read.path}` per parent"
        every = spec.reads_every_parent
        which = "every parent, every run" if every else "parents changed since the last run"
        skip = f"; none where `{spec.parent.counter}` is 0" if spec.parent.counter else ""
        return f"{how}: {which}{skip}"
    if spec.read.search:
        only = "`, `".join(sorted(spec.filters.list_only))
        extra = f" (with `{only}`: the list + GET by id)" if only else ""
        return f"`{spec.read.search}`, exact keyset windows, 1 call per 100 changed{extra}"
    if spec.read.slim:
        ask = f"`fields={spec.key}`" if spec.read.fields_param else "every row"
        return f"`{spec.read.path}` ({ask}) + GET by id of each changed record"
    pages = "paged" if spec.read.paged else "one call"
    window = f", server-side `{spec.read.time_param}`" if spec.read.time_param else ""
    order = f", newest first (`{spec.read.newest_first}`) down to the bookmark" if spec.read.newest_first else ""
    return f"`{spec.read.path}` ({pages}{window}{order})"


def _arrival(spec: ObjectSpec) -> str:
    if not spec.parent:
        return ""
    if spec.mode == FULL:
        return "next run (the full set: removals too)"
    if spec.reads_every_parent:
        return "next run (every parent read); removals: not seen"
    return "next run if the parent moves, else next sweep; removals: not seen"


def _writes(spec: ObjectSpec) -> str:
    """The stream's write plans (tap_zohodesk/api/plans.py), as ``--about`` names their calls."""
    return "; ".join(f"{op} `{plan.verb} {plan.path}`" + (f" ({plan.key}, {plan.batch} a call)"
                                                         if plan.grouping == TRASH else "")
                     for op, plan in plans_of(spec.stream).items()) or "read-only"


def table() -> str:
    lines = ["| stream | read (cost of a run) | evidence | bookmark | a child's change arrives | writes |",
             "|---|---|---|---|---|---|"]
    for spec in OBJECTS:
        key = f"`{spec.key}`" if spec.key else "full table"
        name = f"`{spec.stream}`" + (" (opt-in)" if spec.opt_in else "")
        lines.append(f"| {name} | {_read(spec)} | {spec.read.evidence} | {key} | {_arrival(spec)} | {_writes(spec)} |")
        for stream, path in spec.unwound:  # with unwind_nested, right after its parent
            mark = f"`_parent_{spec.key}`" if spec.key else "full table"
            lines.append(f"| `{stream}` (`unwind_nested`) | `{path}` of the `{spec.stream}` rows of the run: no call "
                         f"| {spec.read.evidence} | {mark} | with its parent (the whole array: removals too) "
                         "| read-only |")
    return "\n".join(lines)


def render(text: str) -> str:
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    return f"{head}{START}\n{table()}\n{END}{tail}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 (and show the diff) if docs/streams.md is stale")
    args = parser.parse_args()
    text = STREAMS_DOC.read_text()
    new = render(text)
    if args.check:
        if new != text:
            sys.stdout.writelines(difflib.unified_diff(text.splitlines(True), new.splitlines(True)))
            return 1
        return 0
    STREAMS_DOC.write_text(new)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
