"""Bookmarks that do not read a finished instant again.

A bulk update (a mass edit, a workflow rule, a migration) gives thousands of records one
``modifiedTime``. A window that starts at the bookmark (``>=``) reads that instant whole in
every later run, and a child stream reads the children of every parent at its watermark, until
something newer changes. So when a read ends complete, the stream's state notes that the
bookmark's instant is finished: ``instant_done`` beside the SDK's ``replication_key_value``, and
``parent_instant_done`` beside a child stream's ``parent_watermark`` (``covered_instant_done``
beside an unwound stream's ``covered_to``, unwind.py); the next run then starts
one millisecond (Zoho's precision) after the bookmark and neither pages through that instant
nor reads the children of its parents. The note is one timestamp: the state stays small however
many records share the instant.

What keeps this from losing a record:
- a record changed again gets a later time than the bookmark, so it is read;
- an instant counts as finished only if Zoho's clock had already passed it when the read began
  (``settled``: this machine's clock plus the skew measured on Zoho's ``Date`` header, which has
  whole seconds and so errs early): a record written later in that same millisecond would be
  skipped otherwise. A clock not measured yet: not finished;
- only a read that ended complete notes its instant, and the note counts only while it names the
  bookmark itself: a read stopped half-way (budget, error, kill) moves the bookmark past the note,
  which then lapses, and the instant is read again from its start as before;
- only exact reads note an instant: search windows (windows.py) for a stream, and for a child
  stream parents handed over complete by such a read (parents.py); a plain list read page by
  page could miss a row that moved, so those streams keep reading their bookmark's instant;
- ``lookback_seconds`` > 0 keeps its meaning, a deliberate re-read window: the window from the
  bookmark less the look-back is read whole, the bookmark's instant included, by the stream and
  (parents at the watermark) by its children; the note is not used then, only kept up to date.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from tap_zohodesk.api.client import ZohoDeskClient, parse_zoho_time

ONE_MS = timedelta(milliseconds=1)
DONE = "instant_done"  # a stream's note, beside replication_key_value
PARENT_DONE = "parent_instant_done"  # a child stream's note, beside parent_watermark
COVERED_DONE = "covered_instant_done"  # an unwound stream's note, beside covered_to (unwind.py)


def settled(client: ZohoDeskClient, at: str, began: datetime) -> bool:
    """Whether Zoho's clock had passed instant ``at`` when a read began at ``began`` (this machine's
    clock): then no record can get that time any more."""
    if client.skew is None:
        return False
    zoho = client.server_time(began)
    try:
        return parse_zoho_time(at) < zoho.replace(microsecond=zoho.microsecond // 1000 * 1000)
    except ValueError:
        return False


def note(state: dict, name: str, at: str | None, client: ZohoDeskClient, began: datetime) -> None:
    """After a complete read: note instant ``at`` (the bookmark) finished, or drop the note."""
    if at and settled(client, at, began):
        state[name] = at
    else:
        state.pop(name, None)


def start_after(state: dict, mark: str | None, name: str, lookback: float) -> datetime | None:
    """One millisecond past bookmark ``mark`` when the state notes its instant finished (and no
    look-back asks for a re-read), else None."""
    if lookback or not mark or state.get(name) != mark:
        return None
    try:
        return parse_zoho_time(mark) + ONE_MS
    except ValueError:
        return None


def bookmark(state: dict) -> str | None:
    """The bookmark a stream's read reached: the SDK's value, or its progress marker while an
    unsorted read (a first read in ranges) has not been finalized yet."""
    markers = state.get("progress_markers") or {}
    return markers.get("replication_key_value") or state.get("replication_key_value")


VISITED = "parents_done"  # a child read stopped inside a parents' instant: [that instant, ids visited at it]


def visited(state: dict | None) -> tuple[str | None, set[str]]:
    """The parents' instant a stopped child read was inside and the parent ids it had visited at it."""
    done = (state or {}).get(VISITED)
    return (done[0], set(done[1])) if done else (None, set())


def was_visited(done: tuple[str | None, set[str]], key: str, row: dict) -> bool:
    """Whether parent ``row`` is one a stopped child read had visited (``done``: ``visited``), by its ``key``."""
    at, ids = done
    return bool(at) and row.get(key) == at and row.get("id") in ids


def note_visited(state: dict, at: str, parent_id: str | None) -> None:
    """A child read visited parent ``parent_id`` at instant ``at`` (the list restarts at a new instant)."""
    done = state.get(VISITED)
    if done and done[0] == at:
        done[1].append(parent_id)
    else:
        state[VISITED] = [at, [parent_id]]
