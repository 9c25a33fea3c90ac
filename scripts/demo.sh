#!/usr/bin/env bash
# Offline demo: start the Zoho Desk emulator, run `meltano run tap-zohodesk target-duckdb`
# into output/demo.duckdb, print a row count per table. Needs `make demo` set-up first.
set -euo pipefail
cd "$(dirname "$0")/.."
PORT=8900
TICKETS="${DEMO_TICKETS:-1000}"
mkdir -p output
rm -f output/demo.duckdb

python -m tests.emulator --port "$PORT" --tickets "$TICKETS" > output/emulator.log 2>&1 &
EMULATOR_PID=$!
trap 'kill $EMULATOR_PID 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
  grep -q "Zoho Desk emulator on" output/emulator.log 2>/dev/null && break
  kill -0 "$EMULATOR_PID" 2>/dev/null || { cat output/emulator.log; exit 1; }
  sleep 0.2
done
head -1 output/emulator.log

started=$(date +%s.%N)
meltano --environment=demo run --full-refresh tap-zohodesk target-duckdb > output/meltano.log 2>&1 \
  || { tail -30 output/meltano.log; exit 1; }
elapsed=$(python -c "import time; print(f'{time.time() - $started:.1f}')")
grep -o "Zoho Desk API: [0-9]* calls, [0-9]* credits" output/meltano.log | tail -1 || true
echo "meltano run tap-zohodesk target-duckdb: ${elapsed}s"

.meltano/loaders/target-duckdb/venv/bin/python - <<'PY'
import duckdb

con = duckdb.connect("output/demo.duckdb", read_only=True)
tables = con.execute(
    "select table_name from information_schema.tables where table_schema = 'zohodesk' order by 1"
).fetchall()
print(f"{'table':<30}{'rows':>8}")
empty = []
for (table,) in tables:
    rows = con.execute(f'select count(*) from zohodesk."{table}"').fetchone()[0]
    print(f"{table:<30}{rows:>8}")
    if rows == 0:
        empty.append(table)
if not tables or empty:
    raise SystemExit(f"demo failed: empty tables {empty or 'all'}")
PY
