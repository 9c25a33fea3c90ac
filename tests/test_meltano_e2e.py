"""End to end through meltano: tap-zohodesk -> target-duckdb, deletes propagated as meltano.yml configures.

The test's own Meltano project (tests/warehouses.py) with the repository's meltano.yml and the plugins
`make test` installs with `meltano install`. meltano.yml sets target-duckdb's `hard_delete: true`, which the
README promises: a delete marker deletes its row.
"""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from tap_zohodesk.api.client import ZohoDeskClient
from tests.emulator import Emulator
from tests.warehouses import duckdb_env, duckdb_rows, meltano_run, need_plugins, tap_env


@pytest.fixture(autouse=True)
def _plugins_installed():
    need_plugins("target-duckdb")  # skipped locally without them, a failure in CI


def _meltano_run(emu: Emulator, db: Path, suffix: str) -> None:
    meltano_run(tap_env(emu, emit_deletes=True, select=["tickets.*"]), "target-duckdb", duckdb_env(db),
                state_id=suffix)


def _ticket_ids(db: Path) -> set[str]:
    return {row["id"] for row in duckdb_rows(db, "select id from zohodesk.tickets")}


def test_deleted_tickets_leave_the_warehouse(tmp_path):
    db = tmp_path / "e2e.duckdb"
    suffix = f"e2e-{uuid.uuid4().hex[:8]}"
    with Emulator(tickets=150, seed=8) as emu:
        _meltano_run(emu, db, suffix)
        loaded = _ticket_ids(db)
        assert len(loaded) > 0 and loaded == {t["id"] for t in emu.store.tables["tickets"].rows}

        doomed = sorted(loaded)[:3]
        ZohoDeskClient(emu.config()).request("POST", "tickets/moveToTrash", json={"ticketIds": doomed})
        _meltano_run(emu, db, suffix)  # incremental: meltano kept the state under this id

    after = _ticket_ids(db)
    assert after == loaded - set(doomed)
