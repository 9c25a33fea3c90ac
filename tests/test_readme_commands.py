"""Every command of the README is run as written.

The ```sh blocks are read from README.md itself when the tests run, so a command cannot drift from what
is tested. Each block is either run here, through bash, against the emulator (and a throwaway PostgreSQL),
in a scratch Meltano project made of the repository's meltano.yml, `.venv` and `scripts/`: the text of the
block as the README prints it, except the values of the `export NAME=value` variables a reader fills in
(credentials, host, port, database: `...` in the README), which are the test's own; or, for the two set-up
commands, run verbatim by CI (`.ci/run`). test_every_readme_command_is_run_as_written fails on a command
that nothing runs.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

import yaml

from tap_zohodesk.api.client import ZohoDeskClient
from tests.emulator import Emulator
from tests.warehouses import csv_rows, duckdb_rows, meltano_project, need_plugins, throwaway_postgres

ROOT = Path(__file__).resolve().parents[1]
FENCE = "`" * 3

# the first command of each README block
REAL_ORG = "export TAP_ZOHODESK_CLIENT_ID=... TAP_ZOHODESK_CLIENT_SECRET=... TAP_ZOHODESK_REFRESH_TOKEN=..."
QUERY = "export MELTANO_ENVIRONMENT=prod"
POSTGRES = "export TARGET_POSTGRES_HOST=localhost TARGET_POSTGRES_PORT=5432 TARGET_POSTGRES_DATABASE=analytics"
DB_TO_ZOHO = "export TAP_POSTGRES_HOST=... TAP_POSTGRES_USER=... TAP_POSTGRES_PASSWORD=... TAP_POSTGRES_DATABASE=..."
CSV = ".venv/bin/meltano --environment=prod run tap-zohodesk-flat target-csv"
# the block -> the test of this module that runs it whole, as written
RUN_HERE = {
    REAL_ORG: "test_the_real_org_and_query_blocks_run_as_written",
    QUERY: "test_the_real_org_and_query_blocks_run_as_written",
    POSTGRES: "test_the_postgres_and_database_to_zoho_blocks_run_as_written",
    DB_TO_ZOHO: "test_the_postgres_and_database_to_zoho_blocks_run_as_written",
    CSV: "test_the_csv_block_keeps_every_run_and_shows_deletes",
}
# a command run verbatim (a line of its own) by a file outside pytest
RUN_ELSEWHERE = {"make demo": ".ci/run", "make test": ".ci/run"}


def blocks(path: Path = ROOT / "README.md", lang: str = "sh") -> list[str]:
    return re.findall(rf"^{FENCE}{lang}\n(.*?)^{FENCE}$", path.read_text(), re.S | re.M)


def commands(block: str) -> list[str]:
    """The block's commands: continued lines joined, comments (`  # ...`) dropped."""
    logical = block.replace("\\\n", " ").splitlines()
    return [c for c in (re.sub(r"\s+#\s.*$", "", line).strip() for line in logical) if c]


def readme_block(first: str) -> str:
    found = [b for b in blocks() if commands(b)[:1] == [first]]
    assert len(found) == 1, f"README.md has {len(found)} sh blocks starting with {first!r}"
    return found[0]


def test_every_readme_command_is_run_as_written():
    every = [c for b in blocks() for c in commands(b)]
    assert len(every) >= 10
    unrun = []
    for block in blocks():
        first, *_ = commands(block)
        runner = RUN_HERE.get(first)
        if runner:
            assert runner.startswith("test_") and callable(globals().get(runner)), runner
            continue
        for command in commands(block):
            where = RUN_ELSEWHERE.get(command)
            if where is None or command not in (ROOT / where).read_text().splitlines():
                unrun.append(command)
    assert not unrun, f"README commands no test or CI script runs as written: {unrun}"
    assert set(RUN_HERE) <= {commands(b)[0] for b in blocks()}, "RUN_HERE names a block the README no longer has"


def test_the_csv_settings_the_readme_shows_are_meltano_ymls():
    shown = [yaml.safe_load(b) for b in blocks(lang="yaml")]
    assert shown and shown[0]
    loaders = yaml.safe_load((ROOT / "meltano.yml").read_text())["plugins"]["loaders"]
    csv = next(p for p in loaders if p["name"] == "target-csv")
    assert shown[0].items() <= csv["config"].items()


# -- running the blocks --------------------------------------------------------------------------
def _project() -> Path:
    """A scratch Meltano project a reader's shell could stand in after `make demo`: meltano.yml, .venv and
    scripts/ of the repository, and the `output/` folder the demo leaves (target-duckdb does not make it)."""
    project = meltano_project()
    for name in (".venv", "scripts"):
        (project / name).symlink_to(ROOT / name)
    (project / "output").mkdir()
    return project


def _fill(block: str, values: dict[str, str]) -> str:
    """The block with the value of each exported variable named in ``values`` replaced; no `...` may remain."""
    for name, value in values.items():
        block, n = re.subn(rf"(?<=\b{name}=)\S+", value, block)
        assert n == 1, f"the README block does not export {name} once:\n{block}"
    assert "..." not in block, f"a value the reader fills in is left unnamed:\n{block}"
    return block


def _bash(script: str, project: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    inherited = {k: v for k, v in os.environ.items() if not k.startswith(("MELTANO_", "TAP_", "TARGET_"))}
    full = {**inherited, "MELTANO_PROJECT_ROOT": str(project), **env}
    proc = subprocess.run(["bash", "-euo", "pipefail", "-c", script], cwd=project, env=full,
                          capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, f"{script}\nfailed:\n{proc.stdout[-2000:]}\n{proc.stderr[-4000:]}"
    return proc


def _zoho(emu: Emulator, prefix: str) -> dict[str, str]:
    """What a reader fills in for a Zoho plugin (``prefix`` TAP_ZOHODESK or TARGET_ZOHODESK): the emulator's
    OAuth client and org."""
    cfg = emu.config()
    keys = ("client_id", "client_secret", "refresh_token", "org_id")
    return {f"{prefix}_{key.upper()}": str(cfg[key]) for key in keys}


def _urls(emu: Emulator, *prefixes: str) -> dict[str, str]:
    """The emulator's URLs (a real org's come from TAP_ZOHODESK_DATA_CENTER)."""
    env = {}
    for prefix in prefixes:
        env.update({f"{prefix}_API_URL": f"{emu.base_url}/api/v1", f"{prefix}_ACCOUNTS_URL": emu.base_url})
    return env


def test_the_real_org_and_query_blocks_run_as_written():
    """One shell: the credentials exported, the probe, the sync into DuckDB, then query.sh. The emulator's URLs
    stand in for TAP_ZOHODESK_DATA_CENTER's, and the streams are narrowed to tickets (a reader's `meltano
    select`) to keep the test short."""
    need_plugins("tap-zohodesk", "target-duckdb")
    project = _project()
    with Emulator(tickets=30, seed=61) as emu:
        env = {**_urls(emu, "TAP_ZOHODESK"), "TAP_ZOHODESK__SELECT": json.dumps(["tickets.*"])}
        script = _fill(readme_block(REAL_ORG), _zoho(emu, "TAP_ZOHODESK"))
        script += readme_block(QUERY)
        proc = _bash(script, project, env)
        tickets = emu.store.tables["tickets"].rows
        statuses = {t["status"] for t in tickets}
    report = json.loads((project / "probe.json").read_text())
    assert len(tickets) > 0 and report
    assert re.search(r"^probe: \d+ calls .*; [1-9]\d* confirmed", proc.stderr, re.M)  # the probe's verdicts
    loaded = duckdb_rows(project / "output" / "demo.duckdb", "select id from zohodesk.tickets")
    assert sorted(r["id"] for r in loaded) == sorted(t["id"] for t in tickets)
    assert "refresh: total:" in proc.stderr  # query.sh refreshed, then answered
    assert all(status in proc.stdout for status in statuses)


def test_the_postgres_and_database_to_zoho_blocks_run_as_written():
    """One shell, as a reader types it: the PostgreSQL block (the mirror), the CRM table and the view of
    docs/pipelines.md (the view exactly as printed there), then the database -> Zoho block. A contact the CRM
    renamed is updated by id, a new one is created; the credentials of "Connecting a real org" are exported."""
    need_plugins("tap-zohodesk", "target-postgres", "tap-postgres", "target-zohodesk")
    project = _project()
    view = next(b for b in blocks(ROOT / "docs" / "pipelines.md", "sql") if "create view crm.contacts_to_zoho" in b)
    with throwaway_postgres() as pg, Emulator(tickets=30, seed=62) as emu:
        db = pg.create_database()
        server = {"HOST": "127.0.0.1", "PORT": str(pg.port), "USER": "postgres", "PASSWORD": "unused", "DATABASE": db}
        contacts = emu.store.tables["contacts"].rows
        known = next(c for c in contacts if c.get("email") and c.get("lastName"))
        first, phone = _lit(known.get("firstName")), _lit(known.get("phone"))
        (project / "crm.sql").write_text(
            "create schema crm; create table crm.contacts (email text primary key, first_name text, "
            "last_name text not null, phone text, deleted_at timestamptz);\n" + view + "\n"
            "insert into crm.contacts values ('new.from.crm@crm.example', 'Nia', 'New', '+1-555-0101', null), "
            f"({_lit(known['email'])}, {first}, 'Renamed-in-crm', {phone}, null);\n")
        psql = f"{pg.bindir / 'psql'} -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p {pg.port} -U postgres -d {db}"
        psql += " -f crm.sql\n"
        mirror = _fill(readme_block(POSTGRES), {f"TARGET_POSTGRES_{k}": v for k, v in server.items()})
        source = {f"TAP_POSTGRES_{k}": v for k, v in server.items() if k != "PORT"}  # the port: 5432 unless set
        to_zoho = _fill(readme_block(DB_TO_ZOHO), {**source, **_zoho(emu, "TARGET_ZOHODESK")})
        env = {**_zoho(emu, "TAP_ZOHODESK"), **_urls(emu, "TAP_ZOHODESK", "TARGET_ZOHODESK"),
               "TAP_ZOHODESK__SELECT": json.dumps(["contacts.*"]), "TAP_POSTGRES_PORT": str(pg.port)}
        before = len(contacts)
        _bash(mirror + psql + to_zoho, project, env)
        # the mirror the last run refreshed before writing: Zoho's contacts as they were
        assert before > 0 and pg.count("contacts", database=db, where="_sdc_deleted_at is null") == before
        by_email = {str(c.get("email")).casefold(): c for c in emu.store.tables["contacts"].rows}
    assert by_email["new.from.crm@crm.example"]["lastName"] == "New"
    assert by_email[known["email"].casefold()]["lastName"] == "Renamed-in-crm"
    assert by_email[known["email"].casefold()]["id"] == known["id"]


def _lit(value: str | None) -> str:
    return "null" if value is None else "'" + value.replace("'", "''") + "'"


def test_the_csv_block_keeps_every_run_and_shows_deletes():
    """The README's CSV command twice, a ticket edited and two trashed between: both runs' files stay, and
    the trashed tickets are rows with _sdc_deleted_at (emit_deletes: true, as the README says)."""
    need_plugins("tap-zohodesk", "target-csv")
    project = _project()
    script = readme_block(CSV)
    with Emulator(tickets=30, seed=63) as emu:
        env = {**_zoho(emu, "TAP_ZOHODESK"), **_urls(emu, "TAP_ZOHODESK"), "TAP_ZOHODESK_EMIT_DELETES": "true",
               "TAP_ZOHODESK__SELECT": json.dumps(["tickets.*"])}
        _bash(script, project, env)
        out = project / "output" / "csv"
        first = csv_rows(out, "tickets")
        rows = emu.store.tables["tickets"].rows
        assert len(first) > 0 and sorted(r["id"] for r in first) == sorted(t["id"] for t in rows)
        doomed = [t["id"] for t in rows[:2]]
        ZohoDeskClient(emu.config()).request("POST", "tickets/moveToTrash", json={"ticketIds": doomed})
        _bash(script, project, env)
        binned = {e["id"] for e in emu.store.recycle_bin if e["module"] == "tickets"}
    assert len(list((out / "tickets").glob("*.csv"))) == 2
    both = csv_rows(out, "tickets")
    assert both[:len(first)] == first and not any(r["_sdc_deleted_at"] for r in first)
    flagged = {r["id"] for r in both[len(first):] if r["_sdc_deleted_at"]}
    assert set(doomed) <= flagged <= binned  # the two trashed now, and any the seed trashed since the first run

