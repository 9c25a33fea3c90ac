"""An attachment's filePath reads only inside config attachments_dir (unset: never);
contentBase64 is unaffected. Checked in the emulator's attachments table."""

from __future__ import annotations

import base64
import json
import os

import pytest

from tap_zohodesk.api.catalog import BY_STREAM
from tests.helpers import run_target, singer_lines, target_emulator
from tests.test_target import open_schema

STREAM = "ticket_attachments"


@pytest.fixture
def emu(tmp_path):
    with target_emulator(tmp_path, tickets=30, seed=4, fail_on_error=False) as emulator:
        emulator.ticket = emulator.store.tables["tickets"].rows[0]["id"]
        yield emulator


def _ours(emu) -> list[dict]:
    return [r for r in emu.store.tables["ticket_attachments"].rows if r["ticketId"] == emu.ticket]


def _send(emu, config: dict, records: list[dict]) -> list[dict]:
    text = singer_lines(STREAM, open_schema(BY_STREAM[STREAM]), [{"ticketId": emu.ticket, **r} for r in records])
    return run_target(config, text)


def test_without_attachments_dir_no_local_file_is_read(emu, tmp_path):
    secret_config = tmp_path / "config.json"
    secret_config.write_text(json.dumps(emu.cfg))
    before = len(_ours(emu))
    results = _send(emu, emu.cfg, [{"filePath": str(secret_config)}, {"filePath": "/etc/hostname"},
                                   {"filePath": "../../../../etc/hostname"},
                                   {"name": "ok.txt", "contentBase64": base64.b64encode(b"fine").decode()}])
    assert [r["status"] for r in results] == ["error", "error", "error", "ok"]
    assert all(r["error"] == f"{STREAM}: filePath is refused: set attachments_dir (the folder uploads may come "
               "from) or send name and contentBase64" for r in results[:3])
    assert [r["name"] for r in _ours(emu)[before:]] == ["ok.txt"]


def test_only_files_inside_attachments_dir_are_uploaded(emu, tmp_path):
    folder = tmp_path / "uploads"
    (folder / "sub").mkdir(parents=True)
    (folder / "sub" / "a.txt").write_bytes(b"inside")
    (tmp_path / "outside.txt").write_bytes(b"secret!")
    os.symlink(tmp_path / "outside.txt", folder / "link.txt")  # a symlink inside, to a file outside
    os.symlink(folder / "sub" / "a.txt", folder / "inner.txt")  # a symlink that stays inside
    config = {**emu.cfg, "attachments_dir": str(folder)}
    before = len(_ours(emu))
    paths = ["sub/a.txt", str(folder / "sub" / "a.txt"), "inner.txt", "../outside.txt", str(tmp_path / "outside.txt"),
             "link.txt", "sub/../../outside.txt", "missing.txt", "sub"]
    results = _send(emu, config, [{"filePath": p} for p in paths])
    assert [r["status"] for r in results] == ["ok"] * 3 + ["error"] * 6
    for path, result in zip(paths[3:7], results[3:7], strict=True):
        assert result["error"] == f"{STREAM}: filePath {path!r} leads out of attachments_dir: refused"
    for path, result in zip(paths[7:], results[7:], strict=True):
        assert result["error"] == f"{STREAM}: filePath {path!r} is not a readable file in attachments_dir"
    made = _ours(emu)[before:]
    assert [(r["name"], r["size"]) for r in made] == [("a.txt", "6"), ("a.txt", "6"), ("a.txt", "6")]
