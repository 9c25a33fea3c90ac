"""Zoho's time format, in one place: UTC, millisecond precision, ``Z`` (``2024-05-01T09:30:00.000Z``)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone


def to_zoho_time(value: datetime) -> str:
    """Format a datetime the way Zoho does: UTC, milliseconds, 'Z' (a naive one is taken as UTC)."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    value = value.astimezone(timezone.utc)
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


def parse_zoho_time(value: str) -> datetime:
    """Parse Zoho's ISO-8601 timestamps (and plain ISO dates/times) to an aware datetime."""
    text = value.strip().replace("Z", "+00:00")
    parsed = datetime.fromisoformat(text)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    return parsed.astimezone(timezone.utc)


def shift_zoho_time(stamp: str, ms: int) -> str:
    """A Zoho timestamp ``ms`` milliseconds later (Zoho keeps millisecond precision)."""
    return to_zoho_time(parse_zoho_time(stamp) + timedelta(milliseconds=ms))
