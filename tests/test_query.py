"""Query: SQL over Zoho Desk in one command (scripts/query.sh: an incremental refresh of the
embedded DuckDB through Meltano, then the SQL). A ticket changed in Zoho shows in the next answer."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from tap_zohodesk.api.client import ZohoDeskClient
from tests.emulator import Emulator
from tests.warehouses import meltano_project, need_plugins, tap_env

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def _plugins_installed():
    need_plugins("target-duckdb")


def _query(emu: Emulator, db: Path, *sql: str) -> subprocess.CompletedProcess:
    """scripts/query.sh as a user runs it, in this test's own Meltano project (its own state)."""
    project = meltano_project()
    env = {**os.environ, "MELTANO_PROJECT_ROOT": str(project), "MELTANO_ENVIRONMENT": "demo",
           **tap_env(emu, select=["tickets.*"]), "TARGET_DUCKDB_FILEPATH": str(db)}
    return subprocess.run(["bash", str(ROOT / "scripts" / "query.sh"), *sql], cwd=project, env=env,
                          capture_output=True, text=True, timeout=600)


def test_a_change_in_zoho_shows_in_the_next_query(tmp_path):
    db = tmp_path / "query.duckdb"
    with Emulator(tickets=40, seed=5) as emu:
        ticket = dict(sorted(emu.store.tables["tickets"].rows, key=lambda t: t["id"])[0])
        sql = f"select id, subject from zohodesk.tickets where id = '{ticket['id']}'"
        first = _query(emu, db, sql, "select count(*) as tickets from zohodesk.tickets")
        assert first.returncode == 0, first.stderr[-2000:]
        assert ticket["subject"] in first.stdout and "(1 row)" in first.stdout
        assert f"\n{len(emu.store.tables['tickets'].rows)}" in first.stdout
        ZohoDeskClient(emu.config()).request("PATCH", f"tickets/{ticket['id']}",
                                             json={"subject": "Changed after the first query"})
        calls = len(emu.log)
        second = _query(emu, db, sql)
        reads = [e["path"] for e in emu.log[calls:] if not e["path"].endswith(("organizationFields", "token"))]
    assert second.returncode == 0, second.stderr[-2000:]
    assert "Changed after the first query" in second.stdout and ticket["subject"] not in second.stdout
    assert "refresh: total:" in second.stderr
    assert reads == ["/api/v1/tickets/search"]  # incremental: one search window, not the whole org


def test_bad_sql_is_one_line(tmp_path):
    db = tmp_path / "none.duckdb"
    env = {**os.environ, "TARGET_DUCKDB_FILEPATH": str(db)}
    python = ROOT / ".meltano" / "loaders" / "target-duckdb" / "venv" / "bin" / "python"
    missing = subprocess.run([str(python), str(ROOT / "scripts" / "sql.py"), "select 1"], env=env,
                             capture_output=True, text=True)
    assert missing.returncode == 1 and missing.stderr.startswith("sql: no DuckDB file at")
    subprocess.run([str(python), "-c", f"import duckdb; duckdb.connect({str(db)!r}).close()"], check=True)
    bad = subprocess.run([str(python), str(ROOT / "scripts" / "sql.py"), "select nope from nowhere"], env=env,
                         capture_output=True, text=True)
    assert bad.returncode == 1 and len(bad.stderr.splitlines()) == 1 and bad.stderr.startswith("sql: ")
