"""No duplicate and nothing missing at any concurrency: 500 ticket creates at max_concurrency 5
under 10% faults and lost answers, the target killed (SIGKILL) at 10 random points and
replayed each time; counted in the emulator's own tickets table. Zoho's clock the same as ours, or
10 minutes ahead or behind (its createdTime and Date header): a lookup's window follows Zoho's clock.

Faults: 429 and 500 answered before the write is done (a create answered 500 is not retried
by the client: Zoho may have done it), connections cut before it is done, and answers lost
after it is done (``lose_answers``). A kill comes either before a create reaches the service
or after the service did it but before the target heard back.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
from collections import Counter

import pytest

from tap_zohodesk.api.catalog import BY_STREAM
from tests.emulator import Emulator
from tests.emulator.server import DropConnection
from tests.helpers import singer_lines
from tests.test_target import open_schema

ENTRY = "from target_zohodesk.target import main; main()"
TOTAL = 500
KILLS = 10


def _run(config_path, input_path, timeout=300) -> subprocess.Popen:
    with open(input_path) as stdin:
        return subprocess.Popen([sys.executable, "-c", ENTRY, "--config", str(config_path)], stdin=stdin,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


@pytest.mark.parametrize("clock_skew", [0, 600, -600], ids=["same clock", "Zoho 10 min ahead", "Zoho 10 min behind"])
def test_killed_ten_times_under_faults_creates_each_ticket_once(tmp_path, clock_skew):
    rng = random.Random(2026)
    with Emulator(tickets=50, seed=3, clock_skew=clock_skew) as emu:
        contact = emu.store.tables["contacts"].rows[0]["id"]
        department = emu.store.tables["departments"].rows[0]["id"]
        records = [{"subject": f"kill-test {i:03d}", "departmentId": department, "contactId": contact,
                    "description": f"ticket {i} of the kill test", "priority": ["High", "Low"][i % 2]}
                   for i in range(TOTAL)]
        input_path = tmp_path / "input.jsonl"
        input_path.write_text(singer_lines("tickets", open_schema(BY_STREAM["tickets"]), records)
                              + json.dumps({"type": "STATE", "value": {"loaded": TOTAL}}) + "\n")
        config_path = tmp_path / "config.json"
        config_path.write_text(json.dumps(emu.config(
            max_concurrency=5, max_retries=8, results_path=str(tmp_path / "results.jsonl"),
            journal_path=str(tmp_path / "journal.sqlite"))))
        emu.random_faults(0.1, kinds=("429", "500", "drop"), seed=7)
        emu.lose_answers(0.05, seed=11)

        def ours() -> Counter:
            return Counter(t["subject"] for t in emu.store.tables["tickets"].rows
                           if str(t["subject"]).startswith("kill-test"))

        kills, deaths = 0, []
        while kills < KILLS:
            remaining = TOTAL - len(ours())
            at = rng.randint(1, max(1, min(remaining, 60)))  # the kth create of this run
            after = kills % 2 == 1  # odd kills: after Zoho did the create, before the answer
            seen = []
            proc = _run(config_path, input_path)

            def kill(template, proc=proc, at=at, seen=seen) -> bool:
                if template == "POST /tickets":
                    seen.append(1)
                    if len(seen) == at:
                        os.kill(proc.pid, signal.SIGKILL)
                        return True
                return False

            def kill_before(method, template):
                if kill(template):
                    raise DropConnection()  # the create never reaches the service

            emu.hook = None if after else kill_before
            emu.answer_hook = (lambda template, payload: (kill(template), payload)[1]) if after else None
            proc.communicate(timeout=300)
            emu.hook = emu.answer_hook = None
            if proc.returncode != -signal.SIGKILL:  # ended before the kth create: nothing left to kill
                break
            kills += 1
            counts = ours()
            deaths.append((at, "after" if after else "before", len(counts)))
            assert not [s for s, n in counts.items() if n > 1], f"duplicates after kill {kills}: {deaths}"

        for _ in range(3):  # replay to the end (a replay may itself meet an unsure create it leaves for the next)
            proc = _run(config_path, input_path)
            out, err = proc.communicate(timeout=300)
            if proc.returncode == 0:
                break
        assert proc.returncode == 0, err[-3000:]
        counts = ours()
        duplicates = sum(n - 1 for n in counts.values())
        missing = TOTAL - len(counts)
        print(f"kill test (Zoho's clock {clock_skew:+} s): {kills} kills {deaths}; faults {dict(emu.faults_served)}, "
              f"answers lost {emu.answers_lost}; duplicates {duplicates}, missing {missing}")
        assert kills == KILLS
        assert sum(emu.faults_served.values()) > 50 and emu.answers_lost > 5
        assert duplicates == 0 and missing == 0
        assert json.loads(out.strip().splitlines()[-1]) == {"loaded": TOTAL}
        by_subject = {t["subject"]: t for t in emu.store.tables["tickets"].rows}
        assert all(by_subject[r["subject"]]["description"] == r["description"] for r in records)
