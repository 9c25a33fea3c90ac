"""The shell block of docs/pipelines.md runs as written, in a fresh folder, against the emulator: a
first run with no state, then a run from the last STATE message's value that emits only what changed."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

from tests.emulator import Emulator
from tests.test_readme_commands import blocks, commands

ROOT = Path(__file__).resolve().parents[1]


def _records(path: Path, stream: str) -> list[dict]:
    lines = [json.loads(line) for line in path.read_text().splitlines() if line.startswith('{"type":"RECORD"')]
    return [m["record"] for m in lines if m["stream"] == stream]


def test_the_pipelines_shell_block_runs_as_written(tmp_path):
    block = blocks(ROOT / "docs" / "pipelines.md")[0]
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
