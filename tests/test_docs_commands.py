"""Every shell block of docs/ runs as written against the emulator (a new block without a test here fails
test_every_docs_shell_block_is_run_as_written):

- docs/pipelines.md's shell pipes, in a fresh folder: a first run with no state, then a run from the last
  STATE message's value that emits only what changed;
- its flattening and stream map commands, and its two-way sync (the exports filled in), in a Meltano
  project as a reader's after `make demo`, loading into a throwaway PostgreSQL;
- docs/scaling.md's two jobs and their state, in a Meltano project holding the yaml printed beside them.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import yaml

from tests.emulator import Emulator
from tests.test_readme_commands import _bash, _fill, _project, _urls, _zoho, blocks, commands
from tests.warehouses import need_plugins, scratch_project, throwaway_postgres

ROOT = Path(__file__).resolve().parents[1]
PIPELINES, SCALING = ROOT / "docs" / "pipelines.md", ROOT / "docs" / "scaling.md"


def shell_block() -> str:
    return blocks(PIPELINES)[0]


def reshaping_blocks() -> list[str]:
    """The flattening command and the stream map command."""
    return [b for b in blocks(PIPELINES) if "run --full-refresh tap-zohodesk" in b]


def sync_block() -> str:
    return next(b for b in blocks(PIPELINES) if "run sync-contacts" in b)


def scaling_block() -> str:
    return blocks(SCALING)[0]


def test_every_docs_shell_block_is_run_as_written():
    """A shell block added to docs/ without a test here fails this."""
    every = [b for page in sorted((ROOT / "docs").glob("*.md")) for b in blocks(page)]
    ran = [shell_block(), *reshaping_blocks(), sync_block(), scaling_block()]
    assert len(every) >= 5 and sorted(every) == sorted(ran)


def _records(path: Path, stream: str) -> list[dict]:
    lines = [json.loads(line) for line in path.read_text().splitlines() if line.startswith('{"type":"RECORD"')]
    return [m["record"] for m in lines if m["stream"] == stream]


def test_the_pipelines_shell_block_runs_as_written(tmp_path):
    block = shell_block()
    assert commands(block)[0] == "tap-zohodesk --about"
    env = {**os.environ, "PATH": f"{ROOT / '.venv' / 'bin'}{os.pathsep}{os.environ['PATH']}"}
    with Emulator(tickets=40, seed=3) as emu:
        (tmp_path / "config.json").write_text(json.dumps(emu.config()))
        emu.reset_counts()
        done = subprocess.run(["bash", "-euo", "pipefail", "-c", block], cwd=tmp_path, env=env,
                              capture_output=True, text=True, timeout=900)
        assert done.returncode == 0, done.stderr[-3000:]
        writes = [route for route in emu.calls if not route.startswith("GET ")]
        tickets = sorted(t["id"] for t in emu.store.tables["tickets"].rows)
    first = sorted(r["id"] for r in _records(tmp_path / "messages.jsonl", "tickets"))
    assert len(first) == len(tickets) > 0 and first == tickets
    state = json.loads((tmp_path / "state.json").read_text())
    assert state["bookmarks"]["tickets"]["replication_key_value"]
    assert _records(tmp_path / "changes.jsonl", "tickets") == []  # nothing changed since the first run
    assert writes == []  # reading only: nothing written to the org


def test_the_scaling_jobs_run_as_written(tmp_path):
    """The two jobs of docs/scaling.md, each its own pair of plugins (the yaml as printed), one after
    the other into one database; `meltano state get` of job 1 names job 1's streams only."""
    need_plugins("tap-zohodesk", "target-postgres")
    plugins = yaml.safe_load(blocks(SCALING, "yaml")[0])["plugins"]
    script = scaling_block()
    assert [c.split()[:2] for c in commands(script)] == [["meltano", "--environment=prod"]] * 2 + [["meltano", "state"]]
    project = scratch_project(tmp_path / "project", plugins["extractors"], plugins["loaders"])
    with throwaway_postgres() as pg, Emulator(tickets=30, seed=64) as emu:
        db = pg.create_database()
        env = {**_zoho(emu, "TAP_ZOHODESK"), **_urls(emu, "TAP_ZOHODESK"), **pg.loader_env(db),
               "PATH": f"{ROOT / '.venv' / 'bin'}{os.pathsep}{os.environ['PATH']}"}
        done = _bash(script, project, env)
        tables = emu.store.tables
        live = {t["id"] for t in tables["tickets"].rows}
        expected = {name: len(tables[name].rows) for name in ("tickets", "contacts", "accounts", "agents")}
        expected["threads"] = sum(1 for t in tables["threads"].rows if t["ticketId"] in live)  # not archived ones'
        for stream, count in expected.items():
            assert pg.count(stream, database=db) == count > 0, stream
    bookmarks = json.loads(done.stdout[done.stdout.index("{"):])["singer_state"]["bookmarks"]
    assert {"tickets", "threads"} <= set(bookmarks) and not {"contacts", "accounts", "agents"} & set(bookmarks)


def test_the_flattening_and_stream_map_commands_run_as_written():
    """docs/pipelines.md's flattening command, then its stream map command, into one PostgreSQL
    database, the streams narrowed to tickets (a reader's `meltano select`)."""
    need_plugins("tap-zohodesk", "target-postgres")
    flat, mapped = reshaping_blocks()
    project = _project()
    with throwaway_postgres() as pg, Emulator(tickets=30, seed=65) as emu:
        db = pg.create_database()
        env = {**_zoho(emu, "TAP_ZOHODESK"), **_urls(emu, "TAP_ZOHODESK"), "TAP_ZOHODESK__SELECT": '["tickets.*"]',
               **pg.loader_env(db)}
        _bash(flat, project, env)
        tickets = emu.store.tables["tickets"].rows
        query = ("select column_name from information_schema.columns where table_schema = 'zohodesk' "
                 "and table_name = 'tickets'")
        columns = {r["column_name"] for r in pg.rows(query, database=db)}
        assert pg.count("tickets", database=db) == len(tickets) > 0
        assert "source__type" in columns and "source" not in columns  # one column per nested field
        _bash(mapped, project, env)
        open_ids = {t["id"] for t in tickets if t["status"] == "Open"}
        rows = pg.rows("select id from zohodesk.open_tickets", database=db)
        mapped_columns = {r["column_name"] for r in pg.rows(query.replace("'tickets'", "'open_tickets'"), database=db)}
    assert 0 < len(open_ids) < len(tickets)
    assert {r["id"] for r in rows} == open_ids
    assert "subject" in mapped_columns and "email" not in mapped_columns  # the map drops the field


def test_the_two_way_sync_command_runs_as_written():
    """docs/pipelines.md's two-way sync block, its `...` filled in (the port too, which it leaves at
    5432), on the CRM table the docs print: a contact only the CRM has reaches Zoho, and the CRM gets
    Zoho's contacts with their ids."""
    need_plugins("tap-zohodesk", "target-postgres", "tap-postgres", "target-zohodesk", "sync-contacts")
    script = sync_block()
    crm = (ROOT / "sync" / "crm_contacts.sql").read_text()
    assert crm.strip() in PIPELINES.read_text()
    project = _project()
    with throwaway_postgres() as pg, Emulator(tickets=30, seed=66) as emu:
        db = pg.create_database()
        pg.sql(crm, database=db)
        pg.sql("insert into crm.contacts (email, first_name, last_name) values ('only.in.crm@crm.example', 'Ona', "
               "'Crm')", database=db)
        server = {"HOST": "127.0.0.1", "USER": "postgres", "PASSWORD": "unused", "DATABASE": db}
        values = {**{f"TARGET_POSTGRES_{k}": v for k, v in server.items()},
                  **{f"TAP_POSTGRES_{k}": v for k, v in server.items()}, **_zoho(emu, "TARGET_ZOHODESK")}
        env = {**_zoho(emu, "TAP_ZOHODESK"), **_urls(emu, "TAP_ZOHODESK", "TARGET_ZOHODESK"),
               "TARGET_POSTGRES_PORT": str(pg.port), "TAP_POSTGRES_PORT": str(pg.port)}
        _bash(_fill(script, values), project, env)
        zoho = {str(c.get("email")).casefold(): c for c in emu.store.tables["contacts"].rows}
        crm_rows = pg.rows("select email, zoho_id from crm.contacts", database=db)
    assert zoho["only.in.crm@crm.example"]["lastName"] == "Crm"
    ids = {r["email"].casefold(): r["zoho_id"] for r in crm_rows}
    assert len(ids) == len(zoho) > 1 and all(ids[email] == c["id"] for email, c in zoho.items())
