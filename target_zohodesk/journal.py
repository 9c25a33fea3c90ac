"""The create journal: guards the creates whose outcome the input's sender cannot know.

A create is recorded twice: its intent before the call (``intend``, and again before each
retry: the first and last attempt bound where to look for it) and its outcome after it
(``done`` with the Zoho id). An entry guards a replay of the input, not the content forever:

- each create-to-be is ``tag``-ged as it is read, in input order. A record whose content
  matches an entry left open by an earlier run (oldest first, one record per entry) is that
  entry's replay: ``done`` -> written already; an intent without outcome (the run died, or
  the answer was lost) -> the writer looks the record up in Zoho before creating it again.
  Any other record is a new create, even when an identical one was written before;
- once this run emits a STATE past a create (``settle``), or reads its whole input (``settle_all``),
  the sender will never send that record again: its ``done`` entry is settled and guards
  nothing more (its Zoho id stays claimed, so a lookup never takes it). An intent whose
  answer was never known stays open until a replay resolves it.

Entries are keyed by org id and API host, so an entry written for one org is never consulted
for another, even in a shared file. The default file names the org:
``.target-zohodesk/<org_id>/journal.sqlite``. SQLite in WAL mode: every entry is committed
before the call it guards is sent, and survives a killed process.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

DEFAULT_DIR = ".target-zohodesk"
TAG = "_sdc_journal"  # where a record carries its entry's key from the reader to the writer
COLUMNS = ("key text primary key, content text, org text, host text, stream text, state text, zoho_id text, "
           "started text, tried text, finished text, run text, seg integer")


def default_path(org_id: str) -> str:
    return f"{DEFAULT_DIR}/{org_id}/journal.sqlite"


def record_key(org: str, host: str, stream: str, record: dict) -> str:
    clean = {k: v for k, v in record.items() if not k.startswith("_sdc_")}
    text = json.dumps([org, host, stream, clean], sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass(frozen=True)
class Entry:
    state: str  # "intent" | "done" | "settled"
    zoho_id: str | None
    started: datetime  # the first attempt
    tried: datetime  # the last attempt


def _open(path: str) -> sqlite3.Connection:
    db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
    db.execute("pragma journal_mode=wal")
    db.execute("pragma synchronous=normal")  # WAL + normal: safe against a killed process
    old = [r[1] for r in db.execute("pragma table_info(writes)").fetchall()]
    if old and "content" not in old:  # a journal of the first version: one entry per content, kept open
        db.execute("alter table writes rename to writes_v1")
    db.execute(f"create table if not exists writes ({COLUMNS})")
    db.execute("create index if not exists writes_open on writes (org, host, content, state)")
    if old and "content" not in old:
        db.execute("insert into writes select key || ':v1', key, org, host, stream, state, zoho_id, started, "
                   "tried, finished, 'v1', 0 from writes_v1")
        db.execute("drop table writes_v1")
    return db


class Journal:
    """Intents and outcomes of creates for one org and API host, as seen by one run."""

    def __init__(self, path: str, *, org: str, host: str, read_only: bool = False):
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        self.org, self.host, self.read_only = org, host, read_only
        self.run = uuid.uuid4().hex
        self._db = _open(path)
        self._lock = threading.Lock()
        self._claimed: dict[str, set[str]] = {}
        self._new: dict[str, tuple[str, int]] = {}  # key of a create not journaled yet -> (content, segment)
        self._adopted: set[str] = set()
        self._count = 0

    def tag(self, stream: str, record: dict, segment: int = 0) -> str:
        """The entry key of this create-to-be (read in input order, ``segment``: STATEs read before it)."""
        content = record_key(self.org, self.host, stream, record)
        with self._lock:
            rows = self._db.execute("select key from writes where org = ? and host = ? and content = ? and state in "
                                    "('intent', 'done') and run != ? order by rowid",
                                    (self.org, self.host, content, self.run)).fetchall()
            earlier = next((r[0] for r in rows if r[0] not in self._adopted), None)
            if earlier is not None:  # a replay of a create an earlier run left open: this run answers for it now
                self._adopted.add(earlier)
                if not self.read_only:
                    self._db.execute("update writes set run = ?, seg = ? where key = ?", (self.run, segment, earlier))
                return earlier
            self._count += 1
            key = f"{content}:{self.run}:{self._count}"
            self._new[key] = (content, segment)
            return key

    def key(self, stream: str, record: dict) -> str:
        return record.get(TAG) or self.tag(stream, record)

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
        content, segment = self._new.get(key, (None, 0))
        with self._lock:
            self._db.execute("insert into writes (key, content, org, host, stream, state, started, tried, run, seg) "
                             "values (?, ?, ?, ?, ?, 'intent', ?, ?, ?, ?) on conflict(key) do update set "
                             "tried = excluded.tried", (key, content, self.org, self.host, stream, now, now,
                                                        self.run, segment))
            row = self._db.execute("select started from writes where key = ?", (key,)).fetchone()
        return datetime.fromisoformat(row[0])

    def done(self, key: str, stream: str, zoho_id: str | None) -> None:
        now = datetime.now(timezone.utc).isoformat()
        content, segment = self._new.pop(key, (None, 0))  # journaled from now on: no need to hold it here
        with self._lock:
            self._db.execute("insert into writes (key, content, org, host, stream, state, zoho_id, started, finished, "
                             "run, seg) values (?, ?, ?, ?, ?, 'done', ?, ?, ?, ?, ?) on conflict(key) do update set "
                             "state = 'done', zoho_id = excluded.zoho_id, finished = excluded.finished",
                             (key, content, self.org, self.host, stream, zoho_id, now, now, self.run, segment))
            if zoho_id and stream in self._claimed:
                self._claimed[stream].add(zoho_id)

    def forget(self, key: str) -> None:
        """The create was refused: nothing was made, a replay may try again."""
        self._new.pop(key, None)
        with self._lock:
            self._db.execute("delete from writes where key = ? and state = 'intent'", (key,))

    def settle(self, segment: int | None = None) -> int:
        """This run's creates read before STATE number ``segment`` (all: None) are known to the
        sender: they guard nothing more. Returns how many were settled."""
        if self.read_only:
            return 0
        with self._lock:
            return self._db.execute("update writes set state = 'settled' where org = ? and host = ? and run = ? "
                                    "and state = 'done' and seg < ?",
                                    (self.org, self.host, self.run, 2**62 if segment is None else segment)).rowcount

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
