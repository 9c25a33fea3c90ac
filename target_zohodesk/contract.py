"""What each stream can be written with, generated from the catalog: for ``--about``.

Per stream: the operations Zoho Desk allows, and per operation the call it becomes, the
fields it requires and the fields it takes (the row's allow-list for the operation, write-only
inputs included, and where that list comes from); and the fields ``upsert_keys`` may name.
"""

from __future__ import annotations

from tap_zohodesk.api.catalog import OBJECTS, ObjectSpec
from tap_zohodesk.api.rows import UNPROVEN
from tap_zohodesk.api.writable import allowed, required

REPLY_FIELDS = ("ticketId", "fromEmailAddress", "to", "content", "contentType", "isForward", "cc", "bcc")
UPLOAD = "filePath, or name and contentBase64"


def _delete_call(spec: ObjectSpec) -> str:
    if spec.trash_path:
        return f"POST {spec.trash_path} ({spec.write.trash_key}, 50 a call)"
    if spec.write.delete == "unfollow":
        return f"POST {spec.read.path.rsplit('/', 1)[0]}/removeFollowers"
    return f"{spec.write.remove_verb} {spec.write.remove_path or spec.read.one}"


def stream_contract(spec: ObjectSpec) -> dict:
    links = [] if spec.parent and spec.parent.as_param else list(spec.links)
    if spec.write.create == "tag":
        ops = {op: {"call": f"POST {spec.write.tag_calls[op]}", "required": ["ticketId", "name"],
                    "fields": ["ticketId", "name"]} for op in sorted(spec.write.dml)}
        return {"operations": sorted(spec.write.dml), **ops}
    ops: dict[str, dict] = {}
    if "INSERT" in spec.write.dml:
        needed = links + list(required(spec))
        if spec.write.contact_or:
            needed.append(" or ".join(spec.write.contact_or))
        if spec.write.create == "upload":
            needed.append(UPLOAD)
        ops["INSERT"] = {"call": f"POST {spec.read.path}", "required": needed,
                         "fields": links + sorted(allowed(spec, "INSERT")), "source": spec.write.fields.source}
    if "UPDATE" in spec.write.dml:
        ops["UPDATE"] = {"call": f"{spec.write.update_verb} {spec.write.update_path or spec.read.one}",
                         "required": ["id", *links], "fields": ["id", *links, *sorted(allowed(spec, "UPDATE"))],
                         "source": spec.write.fields.source}
    if "DELETE" in spec.write.dml:
        ops["DELETE"] = {"call": _delete_call(spec), "required": ["id", *links, "_sdc_deleted_at"],
                         "fields": ["id", *links, "_sdc_deleted_at"]}
    for op in ops:  # how sure the public evidence makes us of each call (an unproven one: results say so too)
        ops[op]["evidence"] = str(spec.write.evidence_of(op))
        if spec.write.evidence_of(op).grade == UNPROVEN:
            ops[op]["unproven"] = True
    out = {"operations": sorted(spec.write.dml), **ops}
    if spec.read.search and {"INSERT", "UPDATE"} <= spec.write.dml and spec.write.search_keys:
        out["upsert_keys"] = list(spec.write.search_keys)
    return out


def write_contract() -> dict[str, dict]:
    """stream -> what it can be written with (streams without any write are left out)."""
    out = {spec.stream: stream_contract(spec) for spec in OBJECTS if spec.write.dml}
    out["send_email_reply"] = {"operations": ["SEND"], "SEND": {
        "call": "POST tickets/{ticketId}/sendReply", "required": list(REPLY_FIELDS[:5]), "fields": list(REPLY_FIELDS)}}
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
