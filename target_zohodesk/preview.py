"""What an update changes: the record as it was (before images, for ``--undo``) and, in a
``dry_run``, which fields would change on how many records (the preview).

- ``keep_before_images``: before each UPDATE the record is read (one GET, 1 credit; none when
  the upsert lookup found it: its search row is the image when it has every field sent) and the
  results line keeps ``before`` (its values of the fields sent) and ``after`` (the values sent);
  ``target-zohodesk --undo`` sets ``before`` back when the record still holds ``after``.
- ``dry_run``: each UPDATE reads the record the same way (one GET) and its results line says
  which fields would change (``changes``); the run ends with the usual table and, per stream,
  each field with the number of records on which it would change.

An object Zoho cannot read one record of (``item_get`` false) keeps no image; its lines say so.
Zoho has no call reading many records by id, except the searches of a few modules (``Prefetch``,
used by the preview); elsewhere it is one GET per update (side by side, ``max_concurrency`` at a
time).
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable

from tap_zohodesk.api.catalog import SEARCH_MAX_FROM, ObjectSpec
from tap_zohodesk.api.client import ZohoDeskClient, ZohoDeskError
from target_zohodesk.lookup import Lookup, agrees
from target_zohodesk.outcome import Result, is_fatal

SEARCH_BY_ID = frozenset({"tickets", "tasks", "products", "accounts"})  # their search takes id (OAS; R4)
ID_BATCH = 25  # ids a search, as the upsert lookup sends keys (lookup.LOOKUP_BATCH)


def image(current: dict, body: dict) -> dict:
    """The record's values of the fields ``body`` sends (of a nested object, only its keys sent)."""
    out = {}
    for name, value in body.items():
        now = current.get(name)
        if isinstance(value, dict) and isinstance(now, dict):
            out[name] = {key: now.get(key) for key in value}
        elif isinstance(value, dict):
            out[name] = dict.fromkeys(value)
        else:
            out[name] = now
    return out


def same(current: object, wanted: object) -> bool:
    """Whether a record's value is the one wanted, as Zoho answers it back (times, numbers as text)."""
    if isinstance(wanted, dict):
        inner = current if isinstance(current, dict) else {}
        return all(same(inner.get(key), value) for key, value in wanted.items())
    if wanted in (None, "") or current in (None, ""):
        return wanted in (None, "") and current in (None, "")
    if isinstance(wanted, list) or isinstance(current, list):
        return wanted == current
    return agrees({"v": current}, {"v": wanted}) is True


def changed_fields(current: dict, body: dict) -> list[str]:
    """The fields of ``body`` whose value differs from the record's (a nested object: name.key)."""
    out = []
    for name, value in body.items():
        if isinstance(value, dict):
            inner = current.get(name) if isinstance(current.get(name), dict) else {}
            out += [f"{name}.{key}" for key, v in value.items() if not same(inner.get(key), v)]
        elif not same(current.get(name), value):
            out.append(name)
    return out


class BeforeImages:
    """Mixed into the Writer (which provides client, dry_run, keep_before_images)."""

    client: ZohoDeskClient | None
    lookup: Lookup | None
    dry_run: bool
    keep_before_images: bool

    def before_image(self, spec: ObjectSpec, links: dict, record_id: str, body: dict) -> dict:
        """Result fields for an UPDATE about to go out: before/after (kept), changes (dry run)."""
        if not (self.dry_run or self.keep_before_images) or self.client is None:
            return {}
        if not spec.read.item_get:
            return {"note": f"no before image: Zoho Desk has no GET of one {spec.stream} record"}
        current = self.lookup.rows.pop(record_id, None) if self.lookup is not None else None
        if current is None or any(name not in current for name in body):  # the upsert lookup's row, if whole
            current = self.client.get(spec.read.one.format(**links, id=record_id), label=f"before {spec.stream}")
        current = current if isinstance(current, dict) else {}
        if self.dry_run:
            changes = changed_fields(current, body)
            return {"changes": changes} if changes else {"note": "nothing would change"}
        return {"before": image(current, body), "after": body}


class Prefetch:
    """Mixed into the Writer: a dry run reads the records its updates change 25 a search where the
    module's search takes ids (OAS search templates: tickets, tasks, products; accounts: R4), 3
    credits a search instead of a GET (1 credit) each. For a preview only: a search may lag a
    write by moments, a before image must not (kept images are always read with GET)."""

    client: ZohoDeskClient | None
    lookup: Lookup | None
    dry_run: bool
    _halt: Callable

    def prefetch(self, spec: ObjectSpec | None, wave: list[tuple[int, str, dict]]) -> None:
        if not self.dry_run or self.client is None or self.lookup is None or spec is None \
                or spec.stream not in SEARCH_BY_ID:
            return
        ids = list(dict.fromkeys(str(r["id"]) for _, op, r in wave
                                 if op == "UPDATE" and r.get("id") and str(r["id"]) not in self.lookup.rows))
        chunks = [ids[start:start + ID_BATCH] for start in range(0, len(ids), ID_BATCH)]

        def search(chunk: list[str]) -> list[dict]:
            return [row for page in self.client.pages(spec.read.search, limit=100, params={"id": ",".join(chunk)},
                                                      max_from=SEARCH_MAX_FROM, label=f"preview {spec.stream}")
                    for row in page]

        try:
            for rows in self.client.map(search, chunks):
                self.lookup.rows.update({str(r["id"]): r for r in rows if str(r.get("id")) in ids})
        except ZohoDeskError as exc:
            if is_fatal(exc):
                self._halt(exc)
                return
            logging.getLogger("target-zohodesk").warning(
                "preview: reading %s 25 a search failed (%s): one GET per update instead", spec.stream, exc)


class FieldChanges:
    """Per stream, how many records each field would change on (a dry run's updates)."""

    def __init__(self) -> None:
        self.counts: dict[str, Counter[str]] = {}

    def add(self, result: Result) -> None:
        if result.changes:
            self.counts.setdefault(result.stream, Counter()).update(result.changes)

    def lines(self) -> list[str]:
        out = []
        for stream in sorted(self.counts):
            fields = ", ".join(f"{name} on {n}" for name, n in sorted(self.counts[stream].items(),
                                                                      key=lambda kv: (-kv[1], kv[0])))
            out.append(f"{stream} UPDATE would change: {fields}")
        return out
