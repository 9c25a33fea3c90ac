"""The delete guard: a stream's deletes are held until its input is read, then checked before
the first one is sent.

Why: an upstream query that returns nothing, a join that drops rows or a diff against an
empty mirror turns into thousands of deletes on live records. So every DELETE record of a
run is held (inserts and updates go out as they come); once the input is read, each stream's
deletes are counted and checked against

- ``max_deletes``: most deletes one stream may send in one run (default 250);
- ``max_delete_ratio``: largest share of the object's live records one run may delete
  (default 0.2), checked only above ``RATIO_FLOOR`` deletes and only where Zoho counts the
  records in one call (tickets: ``GET ticketsCount``, evidence R14; every other object has no
  cheap count and is guarded by ``max_deletes`` alone, said once in the log);
- per stream: ``delete_guard: {"tickets": {"max_deletes": 10, "max_delete_ratio": 0.05}}``.

A stream past its guard sends none of its deletes: each is ``not_attempted`` with the reason,
and the run ends non-zero (``DeletesHeld``, exit 3) with one line naming stream, count and
limit. While deletes are held no STATE goes out, so a run stopped by the guard (or by anything
else) leaves the upstream bookmark before them: the rerun brings them again.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from tap_zohodesk.api.client import ZohoDeskClient, ZohoDeskError
from tap_zohodesk.api.errors import ConfigError
from tap_zohodesk.api.plans import PLANS, operation_of, refusal
from target_zohodesk.batches import record_id
from target_zohodesk.outcome import FatalStop, Result, RunStopped, is_fatal

DEFAULT_MAX_DELETES = 250
DEFAULT_MAX_RATIO = 0.2
RATIO_FLOOR = 10  # this many deletes or fewer: the ratio is not checked (a small org deleting a few)
COUNT_PATHS = {"tickets": "ticketsCount"}  # R14 (OAS); the answer is {"count": n} (Zoho iOS SDK)
RELEASE_BATCH = 200  # held deletes go to the writer in slices of a sink's batch size
KEYS = ("max_deletes", "max_delete_ratio")


class DeletesHeld(RunStopped):
    """The run went to the end, but the delete guard held a stream's deletes."""

    exit_code = 3


@dataclass(frozen=True)
class Limits:
    max_deletes: int
    max_ratio: float


def _number(value: object) -> float | None:
    """A config number (a config file's decimals arrive as Decimal), or None."""
    return None if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)) else float(value)


def _count(value: object, where: str) -> int:
    number = _number(value)
    if number is None or number < 0 or not number.is_integer():
        raise ConfigError(f"config '{where}' must be a whole number >= 0 (most deletes per stream per run), "
                          f"got {value!r}")
    return int(number)


def _ratio(value: object, where: str) -> float:
    number = _number(value)
    if number is None or not 0 < number <= 1:
        raise ConfigError(f"config '{where}' must be a number above 0 and at most 1 (a share of the live "
                          f"records; 1 turns the ratio off), got {value!r}")
    return number


def guard_limits(config: dict) -> tuple[Limits, dict[str, Limits]]:
    """The limits for all streams and per stream, from config (ConfigError naming the key)."""
    default = Limits(_count(config.get("max_deletes", DEFAULT_MAX_DELETES), "max_deletes"),
                     _ratio(config.get("max_delete_ratio", DEFAULT_MAX_RATIO), "max_delete_ratio"))
    raw = config.get("delete_guard") or {}
    if not isinstance(raw, dict):
        raise ConfigError("config 'delete_guard' must be an object: stream -> {max_deletes, max_delete_ratio}")
    per_stream = {}
    for stream, limits in raw.items():
        if (stream, "DELETE") not in PLANS:
            raise ConfigError(f"config 'delete_guard': {stream!r} is not a stream this target deletes from")
        if not isinstance(limits, dict) or not limits or set(limits) - set(KEYS):
            raise ConfigError(f"config 'delete_guard'.{stream} must be an object with max_deletes and/or "
                              f"max_delete_ratio, got {limits!r}")
        per_stream[stream] = Limits(
            _count(limits.get("max_deletes", default.max_deletes), f"delete_guard.{stream}.max_deletes"),
            _ratio(limits.get("max_delete_ratio", default.max_ratio), f"delete_guard.{stream}.max_delete_ratio"))
    return default, per_stream


def live_count(client: ZohoDeskClient, stream: str) -> int | None:
    """The object's live records in one call, or None where Zoho has no such call."""
    path = COUNT_PATHS.get(stream)
    if path is None:
        return None
    answer = client.get(path, label=f"count {stream}")
    count = answer.get("count") if isinstance(answer, dict) else None
    if not str(count).isdigit():
        raise ZohoDeskError(f"GET /{path} answered without a count: {str(answer)[:200]}")
    return int(count)


class DeleteGuard:
    """The deletes held in one run, per stream, and the streams the guard stopped."""

    def __init__(self, config: dict):
        self.default, self.per_stream = guard_limits(config)
        self.held: dict[str, list[dict]] = {}
        self.stopped: list[str] = []

    def limits(self, stream: str) -> Limits:
        return self.per_stream.get(stream, self.default)

    @property
    def holding(self) -> bool:
        return any(self.held.values())

    def take_deletes(self, stream: str, items: list[tuple[dict, Result | None]]) -> list:
        """A sink's batch less its deletes, which are held (a refused record stays in the batch)."""
        if refusal(stream, "DELETE") is not None:
            return items
        kept = []
        for record, refused in items:
            if refused is None and operation_of(stream, record) == "DELETE":
                self.held.setdefault(stream, []).append(record)
            else:
                kept.append((record, refused))
        return kept

    def verdict(self, stream: str, count: int, client: ZohoDeskClient | None,
                say: Callable[[str], None]) -> str | None:
        """Why ``count`` deletes of ``stream`` must not go out, or None."""
        limits = self.limits(stream)
        if count > limits.max_deletes:
            return f"{stream}: {count} deletes, more than max_deletes {limits.max_deletes}"
        if limits.max_ratio >= 1 or count <= RATIO_FLOOR or client is None:
            return None
        if stream not in COUNT_PATHS:
            say(f"max_delete_ratio: Zoho Desk cannot count {stream} in one call (only tickets: GET ticketsCount); "
                f"its {count} deletes are guarded by max_deletes {limits.max_deletes} alone")
            return None
        try:
            live = live_count(client, stream)
        except ZohoDeskError as exc:
            if is_fatal(exc):
                raise
            return (f"{stream}: {count} deletes, and counting the live {stream} for max_delete_ratio failed ({exc}); "
                    "set max_delete_ratio 1 for this stream to rely on max_deletes alone")
        if count > limits.max_ratio * (live or 0):
            return (f"{stream}: {count} deletes of {live} live records ({count / max(live, 1):.0%}), more than "
                    f"max_delete_ratio {limits.max_ratio:g}")
        return None

    def release(self, write: Callable[[str, list[dict]], list[Result]], report: Callable[[list[Result]], None],
                client: ZohoDeskClient | None, say: Callable[[str], None]) -> None:
        """Check each stream's held deletes; send those within the guard (FatalStop as the writer
        raises it: what was not sent stays held), report the others not attempted."""
        for stream in list(self.held):
            records = self.held[stream]
            if not records:
                continue
            try:
                why = self.verdict(stream, len(records), client, say)
            except ZohoDeskError as exc:
                raise FatalStop(exc) from None
            if why:
                self.held[stream] = []
                self.stopped.append(why)
                report([Result(stream, "DELETE", record_id(r), "not_attempted", f"delete guard: {why}")
                        for r in records])
                continue
            while self.held[stream]:
                batch, self.held[stream] = self.held[stream][:RELEASE_BATCH], self.held[stream][RELEASE_BATCH:]
                try:
                    results = write(stream, batch)
                except FatalStop as exc:
                    report(exc.results)
                    raise
                report(results)

    def abandon(self) -> list[Result]:
        """Deletes still held when the run stopped: not attempted."""
        out = [Result(stream, "DELETE", record_id(r), "not_attempted")
               for stream, records in self.held.items() for r in records]
        self.held.clear()
        return out

    def summary(self) -> str:
        return (f"delete guard: {'; '.join(self.stopped)}: none of these deletes was sent (not_attempted) and "
                "STATE was not advanced past them; raise the limit (max_deletes, max_delete_ratio, delete_guard) "
                "if they are meant")
