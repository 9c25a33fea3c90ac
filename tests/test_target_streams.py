"""Every stream of a full tap run piped back: what Zoho cannot take is refused once per stream
(or per operation), counted as skipped, and nothing fails."""

from __future__ import annotations

import json
import logging
from collections import Counter

from tap_zohodesk.api.catalog import BY_STREAM
from tests.emulator import Emulator
from tests.helpers import run_tap, run_target


def test_a_full_tap_run_piped_back_refuses_each_read_only_stream_once(tmp_path, caplog):
    with Emulator(tickets=60, seed=33) as emu:
        emitted = run_tap(emu.config())
        lines = []
        for stream, schema in emitted.schemas.items():
            lines.append({"type": "SCHEMA", "stream": stream, "schema": schema,
                          "key_properties": list(BY_STREAM[stream].primary_key) if stream in BY_STREAM else ["id"]})
            lines += [{"type": "RECORD", "stream": stream, "record": r} for r in emitted.records[stream]]
        config = emu.config(results_path=str(tmp_path / "r.jsonl"), journal_path=str(tmp_path / "j.sqlite"))
        with caplog.at_level(logging.INFO, logger="target-zohodesk"):
            results = run_target(config, "\n".join(json.dumps(line) for line in lines) + "\n")

    total = sum(len(v) for v in emitted.records.values())
    assert len(results) == total > 800
    statuses = Counter(r["status"] for r in results)
    assert set(statuses) == {"ok", "skipped"}, statuses
    read_only = {s for s in emitted.records if s not in BY_STREAM or not BY_STREAM[s].write.dml}
    assert {"ticket_metrics", "threads", "deleted_records", "customer_happiness"} <= read_only
    for stream in read_only:
        assert {r["status"] for r in results if r["stream"] == stream} == {"skipped"}
    skipped_keys = {(r["stream"], r["operation"]) for r in results if r["status"] == "skipped"}
    said = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING and "skipped" in r.getMessage()]
    refused_streams = [m for m in said if "its records are skipped" in m]
    refused_ops = [m for m in said if "such records are skipped" in m]
    assert len(refused_streams) == len(read_only)  # one line per stream, not per record
    assert len(refused_ops) == len({k for k in skipped_keys if k[0] not in read_only})
    assert any(m.startswith("ticket_approvals: UPDATE is not possible") for m in refused_ops)
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    table = [r.getMessage() for r in caplog.records if r.getMessage().startswith("ticket_metrics ")]
    assert table and table[-1].split()[-4:] == ["0", "0", str(len(emitted.records["ticket_metrics"])), "0"]
