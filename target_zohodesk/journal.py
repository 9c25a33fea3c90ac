"""The create journal: what this target created in one org, so a replay creates nothing twice.

A create is recorded twice: its intent before the call (``intend``, and ``attempt`` before
each retry: the first and last attempt bound where to look for it) and its outcome after it
(``done`` with the Zoho id). A replay meets each record again: ``done`` -> written already;
an intent without outcome (the run died, or the answer was lost, between the two) -> the
writer looks the record up in Zoho before creating it again.

Entries are keyed by org id, API host, stream and the record's content (``record_key``),
so an entry written for one org is never consulted for another, even in a shared file. The
default file names the org: ``.target-zohodesk/<org_id>/journal.sqlite``. SQLite in WAL
mode: every entry is committed before the call it guards is sent, and survives a killed
process.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

DEFAULT_DIR = ".target-zohodesk"


def default_path(org_id: str) -> str:
    return f"{DEFAULT_DIR}/{org_id}/journal.sqlite"


def record_key(org: str, host: str, stream: str, record: dict) -> str:
    clean = {k: v for k, v in record.items() if not k.startswith("_sdc_")}
    text = json.dumps([org, host, stream, clean], sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass(frozen=True)
class Entry:
    state: str  # "intent" | "done"
    zoho_id: str | None
    started: datetime  # the first attempt
    tried: datetime  # the last attempt


class Journal:
    """Intents and outcomes of creates for one org and API host."""

    def __init__(self, path: str, *, org: str, host: str):
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        self.org, self.host = org, host
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._db.execute("pragma journal_mode=wal")
        self._db.execute("pragma synchronous=normal")  # WAL + normal: safe against a killed process
        self._db.execute("create table if not exists writes (key text primary key, org text, host text, "
                         "stream text, state text, zoho_id text, started text, tried text, finished text)")
        self._lock = threading.Lock()
        self._claimed: dict[str, set[str]] = {}

    def key(self, stream: str, record: dict) -> str:
        return record_key(self.org, self.host, stream, record)

    def get(self, key: str) -> Entry | None:
        with self._lock:
            row = self._db.execute("select state, zoho_id, started, coalesce(tried, started) from writes "
                                   "where key = ? and org = ? and host = ?", (key, self.org, self.host)).fetchone()
        if row is None:
            return None
        return Entry(row[0], row[1], datetime.fromisoformat(row[2]), datetime.fromisoformat(row[3]))

    def intend(self, key: str, stream: str) -> datetime:
        """Record that a create is about to be sent (again); returns its first attempt's time."""
        now = datetime.now(timezone.utc).isoformat()
        with self._lock:
            self._db.execute("insert into writes (key, org, host, stream, state, started, tried) values (?, ?, ?, "
                             "?, 'intent', ?, ?) on conflict(key) do update set tried = excluded.tried",
                             (key, self.org, self.host, stream, now, now))
            row = self._db.execute("select started from writes where key = ?", (key,)).fetchone()
        return datetime.fromisoformat(row[0])

    def done(self, key: str, stream: str, zoho_id: str | None) -> None:
        now = datetime.now(timezone.utc).isoformat()
        with self._lock:
            self._db.execute("insert into writes (key, org, host, stream, state, zoho_id, started, finished) "
                             "values (?, ?, ?, ?, 'done', ?, ?, ?) on conflict(key) do update set state = 'done', "
                             "zoho_id = excluded.zoho_id, finished = excluded.finished",
                             (key, self.org, self.host, stream, zoho_id, now, now))
            if zoho_id and stream in self._claimed:
                self._claimed[stream].add(zoho_id)

    def forget(self, key: str) -> None:
        """The create was refused: nothing was made, a replay may try again."""
        with self._lock:
            self._db.execute("delete from writes where key = ? and state = 'intent'", (key,))

    def claimed(self, stream: str) -> set[str]:
        """Ids this journal already ties to a record of ``stream`` (a lookup must not take them)."""
        with self._lock:
            if stream not in self._claimed:
                rows = self._db.execute("select zoho_id from writes where org = ? and host = ? and stream = ? "
                                        "and zoho_id is not null", (self.org, self.host, stream)).fetchall()
                self._claimed[stream] = {r[0] for r in rows}
            return set(self._claimed[stream])

    def pending(self) -> int:
        with self._lock:
            return self._db.execute("select count(*) from writes where org = ? and host = ? and state = 'intent'",
                                    (self.org, self.host)).fetchone()[0]
