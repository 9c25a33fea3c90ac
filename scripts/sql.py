"""SQL over the DuckDB file the tap loads (target-duckdb's ``filepath``): each argument is one
statement, its answer printed as a table; with no argument, statements are read from standard
input, one per line (an interactive prompt on a terminal). Run with target-duckdb's own Python,
whose duckdb wrote the file (scripts/query.sh does)."""

from __future__ import annotations

import os
import sys

import duckdb


def show(con: duckdb.DuckDBPyConnection, sql: str) -> None:
    cursor = con.execute(sql)
    names = [d[0] for d in cursor.description or []]
    rows = [["" if v is None else str(v) for v in row] for row in cursor.fetchall()]
    widths = [max([len(n), *(len(r[i]) for r in rows)]) for i, n in enumerate(names)]
    print("  ".join(n.ljust(w) for n, w in zip(names, widths, strict=True)))
    for row in rows:
        print("  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)))
    print(f"({len(rows)} row{'s' * (len(rows) != 1)})")


def main(argv: list[str]) -> int:
    path = os.environ.get("TARGET_DUCKDB_FILEPATH") or "output/demo.duckdb"
    if not os.path.exists(path):
        print(f"sql: no DuckDB file at {path}: run the refresh first (scripts/query.sh)", file=sys.stderr)
        return 1
    con = duckdb.connect(path, read_only=True)
    statements = argv or ((input("sql> ") for _ in iter(int, 1)) if sys.stdin.isatty() else sys.stdin)
    try:
        for sql in statements:
            if sql.strip():
                show(con, sql)
    except duckdb.Error as exc:
        print(f"sql: {' '.join(str(exc).split())}", file=sys.stderr)
        return 1
    except (EOFError, KeyboardInterrupt):
        return 0
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
