"""What each stream can be written with, for ``--about``: the write plans (api/plans.py), printed.

Per stream: the operations Zoho Desk allows, and per operation the call it becomes, the
fields it requires and the fields it takes (the row's allow-list for the operation, write-only
inputs included, and where that list comes from), how sure the evidence makes us of the call;
and the fields ``upsert_keys`` may name.
"""

from __future__ import annotations

from tap_zohodesk.api.plans import PLANS, ROWS, TAGS, WritePlan


def _entry(plan: WritePlan) -> dict:
    out = {"call": plan.call, "required": plan.needs, "fields": plan.takes}
    if plan.source:  # a tag plan has none
        out["source"] = plan.source
    if plan.body != TAGS:  # how sure the public evidence makes us of each call (an unproven one: results say so too)
        out["evidence"] = str(plan.evidence)
    if plan.unproven:
        out["unproven"] = True
    return out


def write_contract() -> dict[str, dict]:
    """stream -> what it can be written with (streams without any write are left out): its plans."""
    out: dict[str, dict] = {}
    for (stream, op), plan in PLANS.items():
        out.setdefault(stream, {"operations": sorted(ROWS[stream].write.dml)})[op] = _entry(plan)
    for stream, entry in out.items():
        spec, w = ROWS[stream], ROWS[stream].write
        if spec.read.search and {"INSERT", "UPDATE"} <= w.dml and w.search_keys:
            entry["upsert_keys"] = list(w.search_keys)
    return out


def as_text(contract: dict[str, dict]) -> str:
    lines = ["Writes (per stream: operation, call, required fields; other fields taken):"]
    for stream, entry in contract.items():
        lines.append(f"  - Stream: {stream}")
        for op in entry["operations"]:
            about = entry[op]
            others = [f for f in about["fields"] if f not in about["required"]]
            lines.append(f"    {op}: {about['call']}{' (unproven call)' if about.get('unproven') else ''}; "
                         f"required: {', '.join(about['required']) or '-'}; also: {', '.join(others) or '-'}")
        if entry.get("upsert_keys"):
            lines.append(f"    upsert_keys may name: {', '.join(entry['upsert_keys'])}")
    return "\n".join(lines) + "\n"


def as_markdown(contract: dict[str, dict]) -> str:
    lines = ["## Writes", "", "| stream | operation | call | required | other fields |", "|---|---|---|---|---|"]
    for stream, entry in contract.items():
        for op in entry["operations"]:
            about = entry[op]
            others = [f for f in about["fields"] if f not in about["required"]]
            lines.append(f"| `{stream}` | {op} | `{about['call']}` | {', '.join(about['required']) or '-'} | "
                         f"{', '.join(others) or '-'} |")
    return "\n".join(lines) + "\n"
