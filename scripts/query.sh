#!/usr/bin/env bash
# SQL over Zoho Desk in one command: an incremental refresh of the embedded DuckDB
# (meltano run tap-zohodesk target-duckdb: seconds and a few credits when little changed),
# then each argument as one SQL statement (none: a prompt). The environment is Meltano's
# (MELTANO_ENVIRONMENT, e.g. prod with your credentials, or demo with the emulator running);
# the project is this repository's, or MELTANO_PROJECT_ROOT's.
#   scripts/query.sh "select status, count(*) from zohodesk.tickets group by 1"
set -euo pipefail
HERE="$(cd "$(dirname "$0")/.." && pwd)"
cd "${MELTANO_PROJECT_ROOT:-$HERE}"
MELTANO="${MELTANO:-$HERE/.venv/bin/meltano}"
mkdir -p output
"$MELTANO" run tap-zohodesk target-duckdb > output/query-refresh.log 2>&1 \
  || { grep -E "rror|failed" output/query-refresh.log | tail -5 >&2; exit 1; }
grep -o "run | total: .*" output/query-refresh.log | sed 's/^run | /refresh: /; s/\x1b\[[0-9;]*m//g' >&2 || true
export TARGET_DUCKDB_FILEPATH="${TARGET_DUCKDB_FILEPATH:-output/demo.duckdb}"
exec .meltano/loaders/target-duckdb/venv/bin/python "$HERE/scripts/sql.py" "$@"
