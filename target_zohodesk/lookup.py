"""Finding records in Zoho before writing: by natural key (upsert) and after an unsure create.

Natural keys (config ``upsert_keys``): a record without ``id`` is searched by those fields
(``{module}/search``, the row's ``write.search_keys``), up to 25 records a call: the values of one field
go comma-separated, which the API ORs; the answer is matched exactly (case-insensitively)
here, so a wildcard or partial hit never counts. A value holding a comma cannot be searched
that way and is not looked up.

A create whose outcome is unknown (the run died after its intent, or the answer was a 5xx
or a cut connection) is looked for among the records created between its first and its
last attempt, on Zoho's clock (the skew its first answer's ``Date`` header showed; a lookup
that is the run's first call looks again once it knows), a few minutes either side and the
call's own time: through the
module's search with ``createdTimeRange``, else the parent's list of children, else the
plain list. A candidate must carry the values the
create sent (every scalar field both have, checked on the record's own GET where there is
one) and no id the journal already gave to another record.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone

from tap_zohodesk.api.catalog import SEARCH_MAX_FROM, ObjectSpec
from tap_zohodesk.api.client import ZohoDeskClient, parse_zoho_time, to_zoho_time
from target_zohodesk.journal import Journal

LOOKUP_BATCH = 25
CLOCK_MARGIN = timedelta(minutes=5)
SKEW_IGNORED = timedelta(seconds=5)  # a clock difference the margin covers without looking again
TIME_FIELDS = ("createdTime", "commentedTime")


def natural_key(record: dict, fields: list[str]) -> tuple[str, ...] | None:
    """The record's values of ``fields`` (as searched), or None when one is missing or unsearchable."""
    values = []
    for name in fields:
        value = record.get(name)
        if value is None or isinstance(value, (dict, list)) or not str(value).strip() or "," in str(value):
            return None
        values.append(str(value).strip())
    return tuple(values)


def folded(values: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(v.casefold() for v in values)


def _norm(value: object) -> object:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, str):
        text = value.strip()
        if len(text) >= 19 and text[4:5] == "-" and text[10:11] == "T":
            try:
                return to_zoho_time(parse_zoho_time(text))
            except ValueError:
                return text
        return text
    return value


def agrees(row: dict, sent: dict) -> bool | None:
    """True: every scalar value sent that the row carries is the row's; False: one differs;
    None: the row carries none of them."""
    compared = 0
    for name, value in sent.items():
        if value is None or isinstance(value, list) or row.get(name) is None:
            continue
        if isinstance(value, dict):
            inner = row[name] if isinstance(row[name], dict) else {}
            verdict = agrees(inner, value)
            if verdict is False:
                return False
            compared += verdict is True
            continue
        if _norm(value) != _norm(row[name]):
            return False
        compared += 1
    return True if compared else None


class Lookup:
    """Searches of one run (thread-safe; a created record is claimed under a lock)."""

    def __init__(self, client: ZohoDeskClient, journal: Journal | None):
        self.client = client
        self.journal = journal
        self._claiming = threading.Lock()
        self.rows: dict[str, dict] = {}  # records a natural-key search found, by id: their before image (preview.py)

    # -- natural keys ---------------------------------------------------------------------
    def by_natural_key(self, spec: ObjectSpec, fields: list[str],
                       keys: list[tuple[str, ...]]) -> dict[tuple[str, ...], list[str]]:
        """Folded key -> ids of the records that have it, for every key asked (found or not)."""
        wanted = list(dict.fromkeys(folded(k) for k in keys))
        found: dict[tuple[str, ...], list[str]] = {k: [] for k in wanted}
        originals = {folded(k): k for k in keys}

        def search(chunk: list[tuple[str, ...]]) -> list[dict]:
            params = {name: ",".join(dict.fromkeys(originals[k][i] for k in chunk))
                      for i, name in enumerate(fields)}
            return [row for page in self.client.pages(spec.read.search, limit=100, params=params,
                                                      max_from=SEARCH_MAX_FROM, label=f"lookup {spec.stream}")
                    for row in page]

        chunks = [wanted[start:start + LOOKUP_BATCH] for start in range(0, len(wanted), LOOKUP_BATCH)]
        for rows in self.client.map(search, chunks):  # the chunks' searches run side by side
            for row in rows:
                key = tuple(str(row.get(name) or "").strip().casefold() for name in fields)
                if key in found and row.get("id") and str(row["id"]) not in found[key]:
                    found[key].append(str(row["id"]))
                    self.rows[str(row["id"])] = row
        return found

    # -- unsure creates -------------------------------------------------------------------
    def created(self, stream: str, spec: ObjectSpec, sent: dict, links: dict[str, str], since: datetime,
                until: datetime, key: str) -> str | None:
        """The id of the record this create made, if Zoho has it, claimed for ``key`` in the journal.
        ``since`` / ``until``: its first and last attempt."""
        def window() -> tuple[datetime, datetime]:  # on Zoho's clock, which stamps createdTime
            call = timedelta(seconds=sum(self.client.timeouts) + 10)  # a call is done by then or never
            high = min(datetime.now(timezone.utc), until + call)
            return self.client.server_time(since) - CLOCK_MARGIN, self.client.server_time(high) + CLOCK_MARGIN

        measured = self.client.skew is not None
        with self._claiming:
            taken = self.journal.claimed(stream) if self.journal else set()
            rows = list(self._candidates(spec, links, *window()))
            if not measured and abs(self.client.skew or 0.0) > SKEW_IGNORED.total_seconds():
                rows = list(self._candidates(spec, links, *window()))  # the first answer showed Zoho's clock
            candidates = [r for r in rows
                          if r.get("id") and str(r["id"]) not in taken and agrees(r, sent) is not False]
            candidates.sort(key=lambda r: str(r.get("createdTime") or r.get("commentedTime") or ""))
            for row in candidates:
                full = self._full(spec, links, str(row["id"])) or row
                if agrees(full, sent):
                    if self.journal:
                        self.journal.done(key, stream, str(row["id"]))
                    return str(row["id"])
        return None

    def _candidates(self, spec: ObjectSpec, links: dict[str, str], low: datetime, high: datetime) -> Iterator[dict]:
        label = f"lookup {spec.stream}"
        if spec.read.search and not spec.parent:
            params = {"createdTimeRange": f"{to_zoho_time(low)},{to_zoho_time(high)}", "sortBy": "createdTime"}
            pages = self.client.pages(spec.read.search, limit=100, params=params, max_from=SEARCH_MAX_FROM,
                                      label=label)
        else:
            pages = self.client.pages(spec.read.path.format(**links), limit=spec.read.limit, paged=spec.read.paged,
                                      data_key=spec.read.envelope, label=label)
        for page in pages:
            for row in page:
                when = next((row[f] for f in TIME_FIELDS if row.get(f)), None)
                if when is None or parse_zoho_time(str(when)) >= low:
                    yield row

    def _full(self, spec: ObjectSpec, links: dict[str, str], record_id: str) -> dict | None:
        if not spec.read.item_get:
            return None
        answer = self.client.get((spec.read.one).format(**links, id=record_id),
                                 label=f"lookup {spec.stream}")
        return answer if isinstance(answer, dict) else None
