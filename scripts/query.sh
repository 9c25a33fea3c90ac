#!/usr/bin/env bash
# SQL over Zoho Desk in one command: an incremental refresh of the embedded DuckDB
# (meltano run tap-zohodesk target-duckdb: seconds and a few credits when little changed),
# then each argument as one SQL statement (none: a prompt). The environment is Meltano's
# (MELTANO_ENVIRONMENT, e.g. prod with your credentials, or demo with the emulator running).
#   scripts/query.sh "select status, count(*) from zohodesk.tickets group by 1"
set -euo pipefail
cd "$(dirname "$0")/.."
MELTANO="${MELTANO:-.venv/bin/meltano}"
mkdir -p output
"$MELTANO" run ${QUERY_STATE_ID_SUFFIX:+--state-id-suffix "$QUERY_STATE_ID_SUFFIX"} tap-zohodesk target-duckdb \
  > output/query-refresh.log 2>&1 || { grep -E "rror|failed" output/query-refresh.log | tail -5 >&2; exit 1; }
grep -o "run | total: .*" output/query-refresh.log | sed 's/^run | /refresh: /; s/\x1b\[[0-9;]*m//g' >&2 || true
export TARGET_DUCKDB_FILEPATH="${TARGET_DUCKDB_FILEPATH:-output/demo.duckdb}"
exec .meltano/loaders/target-duckdb/venv/bin/python scripts/sql.py "$@"
