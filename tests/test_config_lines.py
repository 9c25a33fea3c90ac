"""A bad start_date or a secret of the wrong JSON type is one line naming the key, never its value."""

from __future__ import annotations

import pytest

from tests.emulator import Emulator
from tests.test_bad_config_and_answers import SECRETS, cli, ours


@pytest.fixture(scope="module")
def emulator():
    with Emulator(tickets=20, seed=41) as emu:
        yield emu


@pytest.mark.parametrize("plugin", ["tap", "target"])
@pytest.mark.parametrize("key, override", [
    ("start_date", {"start_date": "not-a-date-7f3k"}),
    ("deleted_records.start_date", {"deleted_records": {"start_date": "not-a-date-7f3k"}}),
])
def test_a_bad_start_date_is_one_line_without_its_value(emulator, tmp_path, plugin, key, override):
    proc, seconds = cli(tmp_path, emulator.config(**override), plugin=plugin)
    assert proc.returncode == 1 and seconds < 20 and "Traceback" not in proc.stderr
    assert ours(proc, plugin) == [f"{plugin}-zohodesk: config {key!r} is not an ISO-8601 date-time "
                                  "(e.g. 2024-01-31T00:00:00Z)"]
    assert "7f3k" not in proc.stderr + proc.stdout and '"RECORD"' not in proc.stdout


@pytest.mark.parametrize("override, line", [
    ({"client_secret": 918273645}, "config 'client_secret' must be string, not a JSON int"),
    ({"refresh_token": {"token": "1000.s3cr3t918273645"}}, "config 'refresh_token' must be string, not a JSON dict"),
    ({"client_secret": 918273645, "client_id": ["918273645"]},
     "config 'client_id' must be string, not a JSON list; config 'client_secret' must be string, not a JSON int"),
])
@pytest.mark.parametrize("plugin", ["tap", "target"])
def test_a_secret_of_the_wrong_type_is_one_line_without_its_value(tmp_path, override, line, plugin):
    proc, seconds = cli(tmp_path, {**SECRETS, **override}, plugin=plugin)
    assert proc.returncode == 1 and seconds < 20 and "Traceback" not in proc.stderr
    assert ours(proc, plugin) == [f"{plugin}-zohodesk: {line}"]
    assert "918273645" not in proc.stderr + proc.stdout
