"""What the pipeline tests share: `meltano run` against an emulator, a throwaway PostgreSQL, SQL helpers.

The PostgreSQL server is Debian's (`apt-get install postgresql`, done by .ci/run): a fresh cluster in
a temporary directory, trust auth, listening on a free port of 127.0.0.1 only, stopped and deleted
after. PostgreSQL refuses to run as root, so under root the cluster belongs to the `postgres` user
(created by the Debian package) or `nobody`.
"""

from __future__ import annotations

import contextlib
import csv
import glob
import json
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
MELTANO = ROOT / ".venv" / "bin" / "meltano"
PLUGINS = ROOT / ".meltano"
DUCKDB_PYTHON = PLUGINS / "loaders" / "target-duckdb" / "venv" / "bin" / "python"


def need_plugins(*plugins: str) -> None:
    """Skip unless `make test` installed meltano and these plugins (it always does in CI)."""
    missing = [name for name in plugins
               if not any((PLUGINS / kind / name / "venv").exists() for kind in ("loaders", "extractors", "utilities"))]
    if not MELTANO.exists() or missing:
        message = f"meltano or plugins {missing} not installed: run `make test` (meltano install)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)


def meltano(args: list[str], env: dict[str, str], *, check: bool = True,
            project: Path | None = None) -> subprocess.CompletedProcess:
    """Run meltano in ``project`` (default: the running test's own, see meltano_project) with ``env`` added to
    the environment (demo environment by default). Never in the repository's own project."""
    project = project or meltano_project()
    assert project.resolve() != ROOT, "tests run meltano in a temporary project, never the repository's"
    inherited = {k: v for k, v in os.environ.items() if not k.startswith("MELTANO_")}
    full = {**inherited, "MELTANO_PROJECT_ROOT": str(project), "MELTANO_ENVIRONMENT": "demo", **env}
    proc = subprocess.run([str(MELTANO), *args], cwd=project, env=full, capture_output=True, text=True, timeout=600)
    if check:
        assert proc.returncode == 0, f"meltano {' '.join(args)} failed:\n{_plugin_errors(proc.stderr)}"
    return proc


def _plugin_errors(stderr: str) -> str:
    """The lines of a failed run that say why: the plugins' errors, not meltano's own traceback boxes."""
    lines = [line for line in stderr.splitlines() if line.strip() and not line.lstrip().startswith(("│", "╭", "╰"))]
    errors = [line for line in lines if "rror" in line or "failed" in line]
    return "\n".join(errors[-25:] or lines[-40:])


def scratch_project(where: Path, extractors: list[dict], loaders: list[dict]) -> Path:
    """A Meltano project in ``where``: the repository's meltano.yml plus ``extractors`` and ``loaders``
    (e.g. plugins inheriting from tap-zohodesk), running the plugins `make test` installed, with its own
    run folder and system database (state)."""
    import yaml

    project = yaml.safe_load((ROOT / "meltano.yml").read_text())
    project["plugins"]["extractors"] += extractors
    project["plugins"]["loaders"] += loaders
    (where / ".meltano").mkdir(parents=True)
    (where / "meltano.yml").write_text(yaml.safe_dump(project, sort_keys=False))
    for kind in ("extractors", "loaders", "utilities"):
        (where / ".meltano" / kind).symlink_to(PLUGINS / kind)
    (where / "sync").symlink_to(ROOT / "sync")  # the SQL and script the utility sync-contacts runs
    return where


_current: dict[str, Path] = {}  # the running test's Meltano project, made on first use


def meltano_project() -> Path:
    """The running test's own Meltano project (scratch_project in a temporary folder), made on first use;
    drop_meltano_project (an autouse fixture in conftest) deletes it after the test."""
    if "project" not in _current:
        home = Path(tempfile.mkdtemp(prefix="zohodesk-meltano-"))
        _current.update(home=home, project=scratch_project(home / "project", [], []))
    return _current["project"]


def drop_meltano_project() -> None:
    home = _current.pop("home", None)
    _current.pop("project", None)
    if home is not None:
        shutil.rmtree(home)


def tap_env(emu, **settings: object) -> dict[str, str]:
    """TAP_ZOHODESK_* variables pointing the tap at ``emu``, plus ``settings`` (JSON for non-strings)."""
    env = {"TAP_ZOHODESK_API_URL": f"{emu.base_url}/api/v1", "TAP_ZOHODESK_ACCOUNTS_URL": emu.base_url}
    for name, value in settings.items():
        key = "TAP_ZOHODESK__SELECT" if name == "select" else f"TAP_ZOHODESK_{name.upper()}"
        env[key] = value if isinstance(value, str) else json.dumps(value)
    return env


def target_zohodesk_env(emu, **settings: object) -> dict[str, str]:
    """TARGET_ZOHODESK_* variables pointing target-zohodesk at ``emu``, plus ``settings``."""
    env = {"TARGET_ZOHODESK_API_URL": f"{emu.base_url}/api/v1", "TARGET_ZOHODESK_ACCOUNTS_URL": emu.base_url}
    for name, value in settings.items():
        env[f"TARGET_ZOHODESK_{name.upper()}"] = value if isinstance(value, str) else json.dumps(value)
    return env


def meltano_run(tap_settings: dict[str, str], loader: str, loader_env: dict[str, str],
                state_id: str | None = None, tap: str = "tap-zohodesk") -> subprocess.CompletedProcess:
    """`meltano run <tap> <loader>`; incremental when the same ``state_id`` is given again."""
    suffix = state_id or f"t{uuid.uuid4().hex[:10]}"
    return meltano(["run", "--state-id-suffix", suffix, tap, loader], {**tap_settings, **loader_env})


def csv_rows(out: Path, stream: str) -> list[dict]:
    """What target-csv wrote for ``stream`` under ``out`` (meltano.yml: <stream>/<time of the run>.csv),
    every run's file in the order of the runs."""
    rows: list[dict] = []
    for path in sorted((out / stream).glob("*.csv")):
        with path.open(newline="", encoding="utf-8") as handle:
            rows += csv.DictReader(handle)
    return rows


# -- PostgreSQL -----------------------------------------------------------------------------
def pg_bindir() -> Path | None:
    """Directory of initdb/pg_ctl/psql: Debian keeps them in /usr/lib/postgresql/<major>/bin."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[-3]))
    if found:
        return Path(found[-1]).parent
    on_path = shutil.which("initdb")
    return Path(on_path).resolve().parent if on_path else None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Postgres:
    bindir: Path
    port: int

    def create_database(self) -> str:
        name = f"zd_{uuid.uuid4().hex[:10]}"
        self.sql(f"create database {name}", database="postgres")
        return name

    def loader_env(self, database: str, **extra: str) -> dict[str, str]:
        """TARGET_POSTGRES_* variables for meltanolabs-target-postgres writing into ``database``."""
        return {"TARGET_POSTGRES_HOST": "127.0.0.1", "TARGET_POSTGRES_PORT": str(self.port),
                "TARGET_POSTGRES_USER": "postgres", "TARGET_POSTGRES_PASSWORD": "unused",
                "TARGET_POSTGRES_DATABASE": database, **extra}

    def tap_env(self, database: str, **settings: object) -> dict[str, str]:
        """TAP_POSTGRES_* variables for meltanolabs-tap-postgres reading ``database`` (``select``: its
        select rules; other settings as JSON when not strings)."""
        env = {"TAP_POSTGRES_HOST": "127.0.0.1", "TAP_POSTGRES_PORT": str(self.port), "TAP_POSTGRES_USER": "postgres",
               "TAP_POSTGRES_PASSWORD": "unused", "TAP_POSTGRES_DATABASE": database}
        for name, value in settings.items():
            key = "TAP_POSTGRES__SELECT" if name == "select" else f"TAP_POSTGRES_{name.upper()}"
            env[key] = value if isinstance(value, str) else json.dumps(value)
        return env

    def sql(self, statement: str, *, database: str) -> str:
        proc = subprocess.run([str(self.bindir / "psql"), "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1",
                               "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "-d", database,
                               "-c", statement], capture_output=True, text=True, timeout=120)
        assert proc.returncode == 0, f"psql failed: {statement}\n{proc.stderr}"
        return proc.stdout.strip()

    def rows(self, query: str, *, database: str) -> list[dict]:
        """The rows of ``query`` as dicts (through json_agg, so types survive)."""
        out = self.sql(f"select coalesce(json_agg(q), '[]'::json) from ({query}) q", database=database)
        return json.loads(out)

    def count(self, table: str, *, database: str, where: str = "true") -> int:
        return int(self.sql(f'select count(*) from zohodesk."{table}" where {where}', database=database))


@contextlib.contextmanager
def throwaway_postgres() -> Iterator[Postgres]:
    """A PostgreSQL cluster for one test module; fails in CI (and skips elsewhere) without the binaries."""
    bindir = pg_bindir()
    if bindir is None:
        message = "PostgreSQL server binaries not found (initdb): apt-get install -y postgresql"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    user = None
    if os.geteuid() == 0:  # postgres will not run as root
        user = "postgres" if _user_exists("postgres") else "nobody"
    home = Path(tempfile.mkdtemp(prefix="zohodesk-pg-"))
    data, log = home / "data", home / "server.log"
    if user:
        shutil.chown(home, user)
    run = dict(user=user, cwd=home, capture_output=True, text=True, timeout=120)
    proc = subprocess.run([str(bindir / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust",
                           "-E", "UTF8", "--locale=C", "--no-sync"], **run)
    assert proc.returncode == 0, f"initdb failed:\n{proc.stdout}\n{proc.stderr}"
    port = _free_port()
    with (data / "postgresql.conf").open("a") as conf:
        conf.write(f"\nlisten_addresses = '127.0.0.1'\nport = {port}\nunix_socket_directories = ''\n"
                   "fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n")
    proc = subprocess.run([str(bindir / "pg_ctl"), "-D", str(data), "-l", str(log), "-w", "-t", "60", "start"], **run)
    if proc.returncode != 0:
        shutil.rmtree(home, ignore_errors=True)
        raise AssertionError(f"pg_ctl start failed:\n{proc.stderr}\n{log.read_text() if log.exists() else ''}")
    try:
        yield Postgres(bindir, port)
    finally:
        subprocess.run([str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"], **run)
        shutil.rmtree(home, ignore_errors=True)


def _user_exists(name: str) -> bool:
    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True


# -- DuckDB -----------------------------------------------------------------------------------
def duckdb_rows(db: Path, query: str) -> list[dict]:
    """Rows of ``query`` from the DuckDB file, read by the target-duckdb plugin's own duckdb."""
    script = ("import duckdb, json, sys; c = duckdb.connect(sys.argv[1], read_only=True); r = c.execute(sys.argv[2]); "
              "names = [d[0] for d in r.description]; "
              "print(json.dumps([dict(zip(names, row)) for row in r.fetchall()], default=str))")
    out = subprocess.run([str(DUCKDB_PYTHON), "-c", script, str(db), query], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def duckdb_env(db: Path, **extra: str) -> dict[str, str]:
    return {"TARGET_DUCKDB_FILEPATH": str(db), **extra}
