"""A SQLite file for one run, in a temporary folder of its own: opened at first use, fast
(no journal, no fsync: it is thrown away), and removed with its folder by ``close``. Callers
hold their own lock around its use."""

from __future__ import annotations

import shutil
import sqlite3
import tempfile


class ScratchDb:
    def __init__(self, name: str):
        self.name = name
        self._db: sqlite3.Connection | None = None
        self._folder: str | None = None

    @property
    def db(self) -> sqlite3.Connection:
        if self._db is None:
            self._folder = tempfile.mkdtemp(prefix=f"tap-zohodesk-{self.name}-")
            self._db = sqlite3.connect(f"{self._folder}/{self.name}.sqlite", check_same_thread=False,
                                       isolation_level=None)
            self._db.execute("pragma journal_mode=off")
            self._db.execute("pragma synchronous=off")
        return self._db

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None
            shutil.rmtree(self._folder or "", ignore_errors=True)
