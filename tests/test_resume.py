"""A first sync killed (SIGKILL) at five random points resumes from the last STATE it emitted:
no record lost, and each resume re-reads at most about one STATE interval per stream."""

from __future__ import annotations

import json
import logging
import os
import random
import subprocess
import sys
from collections import Counter

from tap_zohodesk.api.catalog import BY_STREAM
from tests.emulator import Emulator
from tests.helpers import catalog_for, run_tap

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
        scratch = tmp_path / "tmp"
        scratch.mkdir()
        for kill_at in [*kills, None]:
            state_file.write_text(json.dumps(state))
            proc = subprocess.Popen(
                [sys.executable, "-c", "from tap_zohodesk.tap import main; main()", "--config", str(config),
                 "--catalog", str(catalog), "--state", str(state_file)],
                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                env={**os.environ, "TMPDIR": str(scratch)})  # a killed run cannot remove its SQLite files
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


def test_not_resumable_is_warned_only_for_streams_without_resume_points_of_their_own(small_emulator, caplog):
    """The SDK warns that an unsorted stream "is not resumable if interrupted". Children keep their
    own parent watermark and a first read in parallel ranges its ranges (both resumed above), so
    for them the line would be untrue; a plain list read (contracts) has no such points and keeps it."""
    unsorted = "Stream is assumed to be unsorted"
    with caplog.at_level(logging.WARNING):
        result = run_tap(small_emulator.config(max_concurrency=5), streams=["tickets", "threads"])
    assert result.records["threads"] and result.state["bookmarks"]["threads"]
    assert unsorted not in caplog.text
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        result = run_tap(small_emulator.config(), streams=["contracts", "threads"])
    assert result.records["contracts"]
    assert caplog.text.count(unsorted) == 1
