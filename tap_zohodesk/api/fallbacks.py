"""The learned fallbacks in one table, and what a run has learned (``Learned``).

Where the public evidence is split, a call is sent the first way and a refusal of the second
kind below makes the run take the other answer on that endpoint, learned once per endpoint per
run (one warning line, listed again in the run's summary; a probe report can seed them):

``FALLBACKS``: name -> the error kinds that trigger it, the parameter the refusal must name,
what the endpoint's ``Lesson`` keeps, and the line said once:
- ``UNPAGED``: 422 "Extra query parameter 'from'" (or 'limit'): the list takes no paging; read
  it in one call (paging.Pager);
- ``DROPPED``: 422 "Extra query parameter 'x'" for a parameter the caller marked droppable (a
  filter no evidence shows the endpoint takes): send it no more; the caller applies it to the
  answer (paging.Pager; the tap's reads list what was dropped);
- ``SMALLER_LIMIT``: 422 on ``limit``: step the page size down to the next documented cap
  (500/200 -> 200 -> 100 -> 50; to 99 only for threads, whose pages Zoho's web UI clamps to 99:
  ``smaller_limits``) (paging.Pager; the tap's search windows, windows.Search, step down by the
  same rule and tell their reader, which keeps the limit here);
- ``MODULE_ID``: the recycle bin refusing ``module`` (Qodex's copy of Zoho's documentation):
  ask by ``moduleId`` (the OpenAPI spec's) from then on (recycle.py).
A write's verb has no fallback: an update or a delete uses its plan's verb only, and an answer
that the verb is not supported (405) fails the record (target_zohodesk writer.py, batches.py).
Any other refusal is an error. A new fallback is a row here, the place that sends the call
asking ``asks`` and teaching ``Learned.learn``.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from typing import Any

from tap_zohodesk.api.errors import REFUSED, REFUSED_VALUE

UNPAGED, DROPPED, SMALLER_LIMIT, MODULE_ID = "unpaged", "dropped parameter", "smaller limit", "moduleId"

LIMIT_STEPS = (200, 100, 50)  # the documented caps
CLAMPED = {"tickets/{ticketId}/threads": 99}  # DeskUI asks threads by at most 99

log = logging.getLogger("zohodesk.client")


@dataclass(frozen=True)
class Fallback:
    kinds: frozenset[str]  # the error kinds (errors.py) of a refusal that triggers it
    params: frozenset[str]  # the parameter the refusal names (empty: the ones the caller marks droppable)
    learns: str  # what the endpoint's Lesson keeps: "unpaged", "limit" or "dropped"
    says: str  # the line logged once per endpoint (formatted with the values learned)


FALLBACKS: dict[str, Fallback] = {
    UNPAGED: Fallback(frozenset({REFUSED}), frozenset({"from", "limit"}), "unpaged",
                      "refuses '{param}': read in one call without paging"),
    DROPPED: Fallback(frozenset({REFUSED}), frozenset(), "dropped",
                      "refuses filter '{param}': applied to the answer instead"),
    SMALLER_LIMIT: Fallback(frozenset({REFUSED_VALUE}), frozenset({"limit"}), "limit",
                            "refuses limit {limit}: paging by {smaller}"),
    MODULE_ID: Fallback(frozenset({REFUSED, REFUSED_VALUE}), frozenset({"module"}), "dropped",
                        "refuses '{param}': asking by moduleId (the OpenAPI spec's way)"),
}


def asks(name: str, exc: Exception, droppable: frozenset[str] = frozenset()) -> bool:
    """Whether ``exc`` is the refusal that triggers fallback ``name`` (``droppable``: the
    parameters the caller may drop, for ``DROPPED``)."""
    rule = FALLBACKS[name]
    return getattr(exc, "kind", None) in rule.kinds and getattr(exc, "param", None) in (rule.params or droppable)


def smaller_limits(key: str, limit: int) -> list[int]:
    """The page sizes to step down to from ``limit`` on the endpoint ``key``, largest first."""
    steps = {*LIMIT_STEPS, *([CLAMPED[key]] if key in CLAMPED else [])}
    return sorted((step for step in steps if step < limit), reverse=True)


@dataclass
class Lesson:
    limit: int | None = None
    unpaged: bool = False
    dropped: set[str] = field(default_factory=set)
    settled: bool = False  # one call answered: what the endpoint takes is known
    gate: threading.Lock = field(default_factory=threading.Lock)  # the first call goes alone


class Learned:
    """Fallbacks learned per endpoint (path template) during one run, shared by all threads."""

    def __init__(self) -> None:
        self._lessons: dict[str, Lesson] = {}
        self.memo: dict[str, object] = {}  # answers worth reading once per run (module ids, ...)
        self._lock = threading.Lock()
        self.fired: list[str] = []  # "<endpoint>: <fallback>", one per fallback and endpoint, for the summary

    def of(self, key: str) -> Lesson:
        with self._lock:
            return self._lessons.setdefault(key, Lesson())

    def learn(self, key: str, name: str, **values: Any) -> None:
        """Keep what fallback ``name`` teaches endpoint ``key`` (``param``: the parameter named,
        ``smaller``: the new page size) and say it once."""
        rule, lesson = FALLBACKS[name], self.of(key)
        if rule.learns == "unpaged":
            lesson.unpaged = True
        elif rule.learns == "limit":
            lesson.limit = values["smaller"]
        else:
            lesson.dropped.add(values["param"])
        self.note(key, rule.says.format(**values))

    def note(self, key: str, line: str) -> None:
        """Log and list a fallback learned on endpoint ``key``, once per endpoint."""
        entry = f"{key}: {line}"
        with self._lock:
            if entry not in self.fired:
                self.fired.append(entry)
                log.warning("%s", entry)

    def dropped(self, key: str) -> set[str]:
        return set(self.of(key).dropped)

    def export(self) -> dict[str, dict]:
        """What each endpoint (path template) taught, for a probe report: nothing of a record."""
        with self._lock:
            return {key: {"limit": n.limit, "unpaged": n.unpaged, "dropped": sorted(n.dropped)}
                    for key, n in sorted(self._lessons.items()) if n.limit or n.unpaged or n.dropped}

    def seed(self, lessons: dict[str, dict]) -> None:
        """Start the run knowing what an earlier run (a probe) learned: no call asks again."""
        for key, taught in lessons.items():
            lesson = self.of(key)
            lesson.limit = taught.get("limit") or lesson.limit
            lesson.unpaged = lesson.unpaged or bool(taught.get("unpaged"))
            lesson.dropped |= set(taught.get("dropped") or ())
