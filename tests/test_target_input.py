"""Rough input fails cleanly: a line nested too deep is a malformed line (what came before is
written and reported, one line, exit 1); text that is not UTF-8 is refused per record; the exit
code does not depend on the log level. Run through the console entry point, counted in Zoho."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tap_zohodesk.api.catalog import BY_STREAM
from tests.helpers import singer_lines, target_emulator
from tests.test_target import open_schema
from tests.test_target_failures import ENTRY, contacts, ours, run, states


@pytest.fixture
def emu(tmp_path):
    with target_emulator(tmp_path, tickets=20, seed=22, max_concurrency=2) as emulator:
        yield emulator


def _created(emu, prefix: str) -> list[dict]:
    return [r for r in emu.store.tables["contacts"].rows if str(r["lastName"]).startswith(prefix)]


@pytest.mark.parametrize("levels", [100_000, 65])
def test_a_line_nested_too_deep_is_a_malformed_line(emu, tmp_path, levels):
    text = singer_lines("contacts", open_schema(BY_STREAM["contacts"]), contacts(99, "deep"))
    text += json.dumps({"type": "STATE", "value": {"at": 99}}) + "\n"
    deep = '{"type": "RECORD", "stream": "contacts", "record": {"lastName": "x", "a": ' + "[" * levels \
        + "]" * levels + "}}"
    text += deep + "\n" + singer_lines("contacts", open_schema(BY_STREAM["contacts"]), contacts(5, "after"))
    proc, results = run(tmp_path, emu.cfg, text)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert ours(proc) == ["target-zohodesk: input line 102 nests deeper than "
                          + ("JSON can be read here" if levels > 1000 else "64 levels: no Zoho Desk record does")
                          + "; the 99 record(s) before it were written and reported; nothing after it was read"]
    assert [r["status"] for r in results] == ["ok"] * 99 and len(_created(emu, "deep")) == 99
    assert not _created(emu, "after") and states(proc) == [{"at": 99}]


def test_text_that_is_not_utf8_is_refused_per_record(emu, tmp_path):
    text = singer_lines("contacts", open_schema(BY_STREAM["contacts"]), contacts(3, "bytes"))
    lines = text.encode().splitlines(keepends=True)
    lines[2] = lines[2].replace(b'"bytes1@x.example"', b'"bytes1\xff\xfe@x.example"')  # raw bytes, not UTF-8
    escaped = json.dumps({"type": "RECORD", "stream": "contacts",
                          "record": {"lastName": "bytes3", "description": "lone \ud800 surrogate"}})
    config = tmp_path / "config.json"
    config.write_text(json.dumps(emu.cfg))
    proc = subprocess.run([sys.executable, "-c", ENTRY, "--config", str(config)],
                          input=b"".join(lines) + escaped.encode() + b"\n", capture_output=True, timeout=180)
    results = [json.loads(x) for x in (tmp_path / "results.jsonl").read_text().splitlines()]
    assert proc.returncode == 2 and b"Traceback" not in proc.stderr
    assert [r["status"] for r in results] == ["ok", "error", "ok", "error"]
    assert [r["error"] for r in results if r["status"] == "error"] == [
        "contacts: record/email: text that is not valid UTF-8 (refused, nothing sent)",
        "contacts: record/description: text that is not valid UTF-8 (refused, nothing sent)"]
    assert sorted(r["lastName"] for r in _created(emu, "bytes")) == ["bytes0", "bytes2"]


@pytest.mark.parametrize("env", [{}, {"LOGLEVEL": "DEBUG"}, {"TARGET_ZOHODESK_LOGLEVEL": "debug"}])
def test_the_exit_code_does_not_depend_on_the_log_level(emu, tmp_path, env):
    records = contacts(2, "level") + [{"firstName": "no last name"}]
    proc, results = run(tmp_path, emu.cfg, singer_lines("contacts", open_schema(BY_STREAM["contacts"]), records),
                        env={**env, "LOGLEVEL": env.get("LOGLEVEL", os.environ.get("LOGLEVEL", "INFO"))})
    assert proc.returncode == 2 and [r["status"] for r in results] == ["ok", "ok", "error"]
    assert ours(proc) == [f"target-zohodesk: 1 of 3 record(s) failed (see {emu.cfg['results_path']})"]
    assert ("Traceback" in proc.stderr) == bool(env)


@pytest.mark.parametrize("bad", ["not json", "[" * 100_000 + "]" * 100_000])
def test_estimate_and_undo_name_the_line_that_is_not_json(tmp_path, bad):
    """``--estimate``'s input and ``--undo``'s results file are read by one helper (reader.json_lines):
    blank lines skipped, a bad line (or one nested past what JSON can read) one error naming it."""
    from target_zohodesk.estimate import count_input, estimate_lines
    from target_zohodesk.undo import read_lines

    text = singer_lines("contacts", open_schema(BY_STREAM["contacts"]), contacts(2, "est"))
    assert sum(count_input(text.splitlines()).values()) == 2
    lines = text.splitlines() + ["", bad]
    why = "is not JSON (JSONDecodeError: " if bad == "not json" else "nests deeper than JSON can be read here"
    with pytest.raises(ValueError) as raised:
        estimate_lines(lines, {})
    assert str(raised.value).startswith(f"--estimate: input line {len(lines)} {why}")
    results = tmp_path / "results.jsonl"
    ok = {"stream": "contacts", "operation": "INSERT", "status": "ok", "id": "1"}
    results.write_text(json.dumps(ok) + "\n\n" + json.dumps({**ok, "id": "2"}) + "\n")
    assert [line["id"] for line in read_lines(str(results))] == ["1", "2"]
    results.write_text(json.dumps(ok) + "\n\n" + bad + "\n")
    with pytest.raises(ValueError) as raised:
        read_lines(str(results))
    assert str(raised.value).startswith(f"--undo: {results} line 3 {why}") and "\n" not in str(raised.value)
