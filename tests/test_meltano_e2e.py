"""End to end through meltano: tap-zohodesk -> target-duckdb, deletes propagated by hard delete.

Uses the project's own meltano.yml and the plugins `make test` installs with `meltano install`.
"""

from __future__ import annotations

import json
import os
import subprocess
import uuid
from pathlib import Path

import pytest

from tap_zohodesk.api.client import ZohoDeskClient
from tests.emulator import Emulator
from tests.warehouses import need_plugins

ROOT = Path(__file__).resolve().parents[1]
MELTANO = ROOT / ".venv" / "bin" / "meltano"
DUCKDB_PYTHON = ROOT / ".meltano" / "loaders" / "target-duckdb" / "venv" / "bin" / "python"


@pytest.fixture(autouse=True)
def _plugins_installed():
    need_plugins("target-duckdb")  # skipped locally without them, a failure in CI


def _meltano_run(emu: Emulator, db: Path, suffix: str) -> None:
    env = {
        **os.environ,
        "MELTANO_ENVIRONMENT": "demo",
        "TAP_ZOHODESK_API_URL": f"{emu.base_url}/api/v1",
        "TAP_ZOHODESK_ACCOUNTS_URL": emu.base_url,
        "TAP_ZOHODESK_EMIT_DELETES": "true",
        "TAP_ZOHODESK__SELECT": json.dumps(["tickets.*"]),
        "TARGET_DUCKDB_FILEPATH": str(db),
        "TARGET_DUCKDB_HARD_DELETE": "true",
    }
    proc = subprocess.run([str(MELTANO), "run", "--state-id-suffix", suffix, "tap-zohodesk", "target-duckdb"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]


def _ticket_ids(db: Path) -> set[str]:
    query = (f"import duckdb, json; c = duckdb.connect({str(db)!r}, read_only=True); "
             "print(json.dumps([r[0] for r in c.execute('select id from zohodesk.tickets').fetchall()]))")
    out = subprocess.run([str(DUCKDB_PYTHON), "-c", query], capture_output=True, text=True, check=True)
    return set(json.loads(out.stdout))


def test_deleted_tickets_leave_the_warehouse(tmp_path):
    db = tmp_path / "e2e.duckdb"
    suffix = f"e2e-{uuid.uuid4().hex[:8]}"
    with Emulator(tickets=150, seed=8) as emu:
        _meltano_run(emu, db, suffix)
        loaded = _ticket_ids(db)
        assert loaded == {t["id"] for t in emu.store.tables["tickets"].rows}

        doomed = sorted(loaded)[:3]
        ZohoDeskClient(emu.config()).request("POST", "tickets/moveToTrash", json={"ticketIds": doomed})
        _meltano_run(emu, db, suffix)  # incremental: meltano kept the state under this id

    after = _ticket_ids(db)
    assert after == loaded - set(doomed)
