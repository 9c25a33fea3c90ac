"""What the plugins say about themselves is true: their version is the package's, settings from environment
variables arrive with their type, and the capability activate-version is delivered.

The package itself (sdist and wheel built, the wheel installed into a clean venv, the installed plugins run) is
checked by scripts/package_check.sh (`make package-check`, run by .ci/run).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tap_zohodesk.tap import TapZohoDesk
from tests.emulator import Emulator
from tests.helpers import catalog_for

ROOT = Path(__file__).resolve().parents[1]
VERSION = re.search(r'^version = "([^"]+)"$', (ROOT / "pyproject.toml").read_text(), re.M).group(1)
BIN = Path(sys.executable).parent


@pytest.mark.parametrize("plugin", ["tap-zohodesk", "target-zohodesk"])
def test_both_plugins_report_the_package_version(plugin):
    line = subprocess.run([str(BIN / plugin), "--version"], capture_output=True, text=True, timeout=120).stdout
    assert line.startswith(f"{plugin} v{VERSION}, Meltano SDK v"), line
    about = json.loads(subprocess.run([str(BIN / plugin), "--about", "--format", "json"], capture_output=True,
                                      text=True, timeout=120).stdout)
    assert (about["name"], about["version"]) == (plugin, VERSION)


def test_a_fractional_number_from_the_environment_is_a_number(monkeypatch):
    """--config=ENV: the SDK parses TAP_ZOHODESK_* by each setting's JSON-schema type."""
    with Emulator(tickets=5, seed=2) as emu:
        for name, value in emu.config().items():
            monkeypatch.setenv(f"TAP_ZOHODESK_{name.upper()}", str(value))
        monkeypatch.setenv("TAP_ZOHODESK_RETRY_BACKOFF_SECONDS", "0.5")
        monkeypatch.setenv("TAP_ZOHODESK_CHILD_SWEEP_DAYS", "1.5")
        monkeypatch.setenv("TAP_ZOHODESK_MAX_RETRIES", "2")
        tap = TapZohoDesk(config=None, parse_env_config=True)
    assert (tap.config["retry_backoff_seconds"], tap.config["child_sweep_days"], tap.config["max_retries"]) == (
        0.5, 1.5, 2)


def test_activate_version_is_sent_for_full_table_streams_when_asked(tmp_path):
    """Declared capability activate-version, delivered: with emit_activate_version_messages a full-table stream
    (agents) sends ACTIVATE_VERSION after its SCHEMA and its records carry that version; an incremental stream
    (tickets) sends none; without the setting no stream sends one."""
    with Emulator(tickets=30, seed=5) as emu:
        sent = {}
        for emit in (True, False):
            config = tmp_path / f"config-{emit}.json"
            config.write_text(json.dumps(emu.config(emit_activate_version_messages=emit)))
            catalog = tmp_path / "catalog.json"
            catalog.write_text(json.dumps(catalog_for(emu.config(), ["agents", "tickets"])))
            proc = subprocess.run([str(BIN / "tap-zohodesk"), "--config", str(config), "--catalog", str(catalog)],
                                  capture_output=True, text=True, timeout=300)
            assert proc.returncode == 0, proc.stderr[-2000:]
            sent[emit] = [json.loads(line) for line in proc.stdout.splitlines()]
    messages = sent[True]
    versions = [m for m in messages if m["type"] == "ACTIVATE_VERSION"]
    assert [m["stream"] for m in versions] == ["agents"]
    agents = [m for m in messages if m["type"] == "RECORD" and m["stream"] == "agents"]
    tickets = [m for m in messages if m["type"] == "RECORD" and m["stream"] == "tickets"]
    assert len(agents) > 0 and len(tickets) > 0
    assert {m.get("version") for m in agents} == {versions[0]["version"]}
    assert {m.get("version") for m in tickets} == {None}
    schema_at = next(n for n, m in enumerate(messages) if m["type"] == "SCHEMA" and m["stream"] == "agents")
    assert messages.index(versions[0]) == schema_at + 1
    assert not any(m["type"] == "ACTIVATE_VERSION" for m in sent[False])


def test_the_connection_test_leaves_no_scratch_files(tmp_path):
    """`tap-zohodesk --test` syncs a record of each stream outside sync_all; the run's SQLite folders
    (kept parent rows) go at its end as after a sync."""
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    with Emulator(tickets=20, seed=6) as emu:
        config = tmp_path / "config.json"
        config.write_text(json.dumps(emu.config()))
        proc = subprocess.run([str(BIN / "tap-zohodesk"), "--config", str(config), "--test"], capture_output=True,
                              text=True, timeout=300, env={**os.environ, "TMPDIR": str(scratch)})
        served = sum(emu.calls.values())
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert served > 0
    assert list(scratch.iterdir()) == []
