"""A first sync killed (SIGKILL) at five random points resumes from the last STATE it emitted:
no record lost, and each resume re-reads at most about one STATE interval per stream."""

from __future__ import annotations

import json
import random
import subprocess
import sys
from collections import Counter

from tap_zohodesk.api.catalog import BY_STREAM
from tests.emulator import Emulator
from tests.helpers import catalog_for

STREAMS = ["tickets", "threads", "ticket_comments"]
TICKETS = 20_000
STATE_EVERY = 100  # ZohoDeskStream.STATE_MSG_FREQUENCY


def _key(stream: str, record: dict) -> tuple:
    return (stream, *(record.get(k) for k in BY_STREAM[stream].primary_key))


def _expected(emu: Emulator) -> set[tuple]:
    live = emu.store.tables["tickets"].by_id
    out = {("tickets", i) for i in live}
    for stream in ("threads", "ticket_comments"):
        out |= {(stream, r["id"]) for r in emu.store.tables[stream].rows if r["ticketId"] in live}
    return out


def test_a_first_sync_killed_five_times_loses_nothing(tmp_path):
    with Emulator(tickets=TICKETS, seed=9) as emu:
        config, catalog, state_file = tmp_path / "config.json", tmp_path / "catalog.json", tmp_path / "state.json"
        config.write_text(json.dumps(emu.config(max_concurrency=5)))
        catalog.write_text(json.dumps(catalog_for(emu.config(), STREAMS)))
        expected = _expected(emu)
        rng = random.Random(20261129)
        kills = sorted(rng.sample(range(2_000, len(expected) - 2_000), 5))
        state: dict = {}
        seen: set[tuple] = set()
        emitted = 0
        reread: list[Counter] = []
        for kill_at in [*kills, None]:
            state_file.write_text(json.dumps(state))
            proc = subprocess.Popen(
                [sys.executable, "-c", "from tap_zohodesk.tap import main; main()", "--config", str(config),
                 "--catalog", str(catalog), "--state", str(state_file)],
                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
            again: Counter = Counter()
            for line in proc.stdout:
                message = json.loads(line)
                if message["type"] == "STATE":
                    state = message["value"]
                elif message["type"] == "RECORD":
                    key = _key(message["stream"], message["record"])
                    if key in seen:
                        again[message["stream"]] += 1
                    seen.add(key)
                    emitted += 1
                    if kill_at is not None and emitted >= kill_at:
                        proc.kill()  # SIGKILL: nothing flushed, nothing cleaned up
                        break
            proc.wait(timeout=300)
            reread.append(again)
            if kill_at is None:
                assert proc.returncode == 0
        assert seen == expected  # 0 records lost
        most_children = max(int(t["threadCount"]) for t in emu.store.tables["tickets"].rows)
        for again in reread[1:]:  # each resume: one STATE interval, plus the children of the parents at its watermark
            assert all(n <= STATE_EVERY + 4 * most_children for n in again.values()), reread
