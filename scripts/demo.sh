#!/usr/bin/env bash
# Offline demo: start the Zoho Desk emulator, run `meltano run tap-zohodesk target-duckdb`
# into output/demo.duckdb, print the tap's run table, a row count per table and a few tickets. Needs `make demo` set-up first.
set -euo pipefail
cd "$(dirname "$0")/.."
TICKETS="${DEMO_TICKETS:-1000}"
mkdir -p output
rm -f output/demo.duckdb

# the emulator binds a free port (DEMO_PORT to choose one) and says which in its first line
python -m tests.emulator --port "${DEMO_PORT:-0}" --tickets "$TICKETS" > output/emulator.log 2>&1 &
EMULATOR_PID=$!
trap 'kill $EMULATOR_PID 2>/dev/null || true' EXIT
URL=""
for _ in $(seq 1 300); do
  URL=$(sed -n 's/^Zoho Desk emulator on \(http:[^ ]*\) .*/\1/p' output/emulator.log 2>/dev/null | head -1)
  [ -n "$URL" ] && break
  if ! kill -0 "$EMULATOR_PID" 2>/dev/null; then
    echo "demo failed: the Zoho Desk emulator did not start ($(tail -1 output/emulator.log)); see output/emulator.log" >&2
    exit 1
  fi
  sleep 0.2
done
if [ -z "$URL" ]; then
  echo "demo failed: the Zoho Desk emulator did not start within 60s; see output/emulator.log" >&2
  exit 1
fi
head -1 output/emulator.log
export TAP_ZOHODESK_API_URL="$URL/api/v1" TAP_ZOHODESK_ACCOUNTS_URL="$URL"
export TARGET_ZOHODESK_API_URL="$URL/api/v1" TARGET_ZOHODESK_ACCOUNTS_URL="$URL"

started=$(date +%s.%N)
meltano --environment=demo run --full-refresh tap-zohodesk target-duckdb > output/meltano.log 2>&1 \
  || { tail -30 output/meltano.log; exit 1; }
elapsed=$(python -c "import time; print(f'{time.time() - $started:.1f}')")
echo "meltano run tap-zohodesk target-duckdb: ${elapsed}s; what the tap did, per stream:"
grep -o "run | .*" output/meltano.log | sed 's/^run | /  /; s/\x1b\[[0-9;]*m//g' || true

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

print("\nThe busiest tickets, with their thread count and a custom field:")
rows = con.execute("""
    select t.ticketnumber, t.subject, t.status, json_extract_string(t.cf, '$.cf_region') as region,
           count(th.id) as threads
    from zohodesk.tickets t left join zohodesk.threads th on th.ticketid = t.id
    group by all order by threads desc, t.ticketnumber limit 5""").fetchall()
print(f"{'#':>6}  {'subject':<36}{'status':<10}{'cf_region':<10}{'threads':>8}")
for number, subject, status, region, threads in rows:
    print(f"{number:>6}  {subject[:34]:<36}{status:<10}{region or '':<10}{threads:>8}")
if not rows or not rows[0][4]:
    raise SystemExit("demo failed: no ticket with threads")
PY
