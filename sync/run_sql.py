"""Run SQL files against PostgreSQL, all in one transaction, and print the rows their queries
return: the commands of the Meltano utility ``sync-contacts`` (meltano.yml), e.g.
``python sync/run_sql.py sync/contacts_setup.sql sync/contacts_plan.sql``.

The connection comes from the utility's settings (SYNC_CONTACTS_HOST, _PORT, _USER, _PASSWORD,
_DATABASE), each falling back to target-postgres' (TARGET_POSTGRES_*), the database the mirror is in.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import psycopg

PARTS = ("host", "port", "user", "password", "database")


def connection_settings() -> dict[str, str]:
    found = {}
    for part in PARTS:
        value = os.environ.get(f"SYNC_CONTACTS_{part.upper()}") or os.environ.get(f"TARGET_POSTGRES_{part.upper()}")
        if value:
            found["dbname" if part == "database" else part] = value
    if "dbname" not in found:
        raise SystemExit("sync-contacts: no database: set SYNC_CONTACTS_DATABASE (or TARGET_POSTGRES_DATABASE)")
    return found


def run(cursor: psycopg.Cursor, path: Path) -> None:
    """Execute the file's statements; print each row a statement returns as `name=value ...`."""
    cursor.execute(path.read_text())
    while True:
        if cursor.description:
            names = [d.name for d in cursor.description]
            for row in cursor.fetchall():
                print(" ".join(f"{n}={v}" for n, v in zip(names, row, strict=True)), flush=True)
        if not cursor.nextset():
            break


def main(argv: list[str]) -> int:
    if not argv:
        print("usage: run_sql.py FILE.sql...", file=sys.stderr)
        return 2
    paths = [Path(a) for a in argv]
    missing = [str(p) for p in paths if not p.is_file()]
    if missing:
        print(f"sync-contacts: no such SQL file: {', '.join(missing)}", file=sys.stderr)
        return 2
    path = paths[0]
    try:
        with psycopg.connect(**connection_settings()) as conn, conn.cursor() as cursor:
            for path in paths:
                run(cursor, path)
    except psycopg.Error as exc:
        print(f"sync-contacts: {path}: {' '.join(str(exc).split())}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
