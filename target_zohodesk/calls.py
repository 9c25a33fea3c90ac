"""JSON-ready values, and the body of an email reply (api/plans.py: the ``reply`` builder; the
``json`` builder is the row's allow-list, writable.py; ``upload``: uploads.py)."""

from __future__ import annotations

from decimal import Decimal

from tap_zohodesk.api.plans import WritePlan
from target_zohodesk.outcome import RecordError

CONTENT_TYPES = {"html": "html", "plaintext": "plainText"}


def plain(value):
    """JSON-ready: the SDK reads numbers as Decimal."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value


def reply_body(plan: WritePlan, record: dict) -> dict:
    """An email reply: the required fields (the ticket's id among them), its content type as Zoho
    spells it, ``isForward`` (false unless set) and the other fields it takes that are set."""
    missing = [f for f in (*plan.links, *plan.required) if record.get(f) in (None, "")]
    if missing:
        raise RecordError(f"{plan.stream}: missing {', '.join(missing)}")
    content_type = CONTENT_TYPES.get(str(record["contentType"]).lower())
    if content_type is None:
        raise RecordError(f"{plan.stream}: contentType must be html or plainText, got {record['contentType']!r}")
    body = {"channel": "EMAIL", **{name: record[name] for name in plan.required}, "contentType": content_type,
            "isForward": bool(record.get("isForward"))}
    body.update({name: record[name] for name in sorted(plan.fields - set(body)) if record.get(name)})
    return plain(body)

