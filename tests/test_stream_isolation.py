"""A stream fails alone: one endpoint's error ends that stream where its last good record left it,
every other stream is read whole, the run exits 1 naming it, and the next run resumes it. Only
what no stream can survive (auth, wrong org, unreachable host, spent credits) stops the run."""

from __future__ import annotations

import json
import logging
import subprocess
import sys

import pytest

from tap_zohodesk.api.catalog import BY_STREAM, OBJECTS
from tap_zohodesk.api.rows import UNPROVEN
from tap_zohodesk.tap import TapZohoDesk
from tests.emulator import Emulator
from tests.helpers import catalog_for, refuse_search_page, run_tap

ALL = [spec.stream for spec in OBJECTS]
FAILING = r"contracts/\d+/comments"  # a leaf in the middle of the catalog, on a confirmed path


def _ids(result, stream: str) -> list:
    spec = BY_STREAM.get(stream)
    key = spec.primary_key if spec else ("id",)
    return sorted(tuple(str(r.get(k)) for k in key) for r in result.records[stream])


@pytest.fixture(scope="module")
def reference(small_emulator):
    return run_tap(small_emulator.config(), streams=ALL)


def test_one_failing_endpoint_never_starves_the_rest(small_emulator, reference, caplog):
    small_emulator.inject("extra_param", times=10_000, path=FAILING, param="sortOrder")
    try:
        with caplog.at_level(logging.ERROR):
            result = run_tap(small_emulator.config(), streams=ALL, failing=True)
    finally:
        small_emulator._faults.clear()
    assert str(result.error).startswith("GET /contracts/")
    assert str(result.error).endswith("Extra query parameter 'sortOrder' is present in the input. (stream "
                                      "'contract_comments' failed); the other streams completed")
    assert "Stream 'contract_comments' failed" in caplog.text
    others = [s for s in ALL if s != "contract_comments"]
    assert sum(len(reference.records[s]) for s in others) > 900
    for stream in others:  # every other stream, before and after the failed one, whole and exact
        assert _ids(result, stream) == _ids(reference, stream), stream
    assert result.records["contract_comments"] == []


def test_the_next_run_retries_the_failed_stream_from_its_state(emulator):
    """tickets fails on its third search page (after 200 good records): its bookmark stays at the
    last good record; the next run reads the rest, and the two runs hold every ticket once."""
    refuse_search_page(emulator, 3)
    config = emulator.config(max_concurrency=1)
    first = run_tap(config, streams=["tickets", "agents"], failing=True)
    emulator.hook = None
    assert len(first.records["tickets"]) == 200
    assert len(first.records["agents"]) == len(emulator.store.tables["agents"].rows) > 0
    bookmark = first.state["bookmarks"]["tickets"]["replication_key_value"]
    assert bookmark == max(r["modifiedTime"] for r in first.records["tickets"])
    second = run_tap(config, streams=["tickets"], state=first.state)
    seen = {r["id"] for r in first.records["tickets"]} | {r["id"] for r in second.records["tickets"]}
    assert seen == {str(r["id"]) for r in emulator.store.tables["tickets"].rows}
    assert all(r["modifiedTime"] >= bookmark for r in second.records["tickets"])


def test_an_unproven_endpoint_that_is_not_there_skips_its_stream(emulator, caplog):
    """No public source shows call attachments: a 404 there skips the stream with one warning,
    named in the end table; the run exits 0 and the streams after it are read."""
    assert BY_STREAM["call_attachments"].read.evidence.grade == UNPROVEN
    emulator.disable("call_attachments", 404, "URL_NOT_FOUND")
    with caplog.at_level(logging.INFO):
        result = run_tap(emulator.config(), streams=["calls", "call_attachments", "events", "labels"])
    assert result.records["call_attachments"] == []
    assert len(result.records["events"]) == len(emulator.store.tables["events"].rows) > 0
    assert "Skipping stream 'call_attachments': Zoho answered URL_NOT_FOUND" in caplog.text
    assert "run | skipped call_attachments: URL_NOT_FOUND: no public source shows this endpoint" in caplog.text


def test_a_404_on_a_confirmed_path_fails_its_stream(emulator):
    emulator.disable("contact_attachments", 404, "URL_NOT_FOUND")
    result = run_tap(emulator.config(), streams=["contacts", "contact_attachments", "accounts"], failing=True)
    assert str(result.error).startswith("GET /contacts/") and "(stream 'contact_attachments' failed)" in str(
        result.error)
    assert len(result.records["accounts"]) == len(emulator.store.tables["accounts"].rows) > 0


def test_unproven_endpoints_are_not_selected_by_default(small_emulator):
    catalog = TapZohoDesk(config=small_emulator.config(), parse_env_config=False).catalog_dict
    by_default = {e["tap_stream_id"]: next(m["metadata"].get("selected-by-default") for m in e["metadata"]
                                          if m["breadcrumb"] == []) for e in catalog["streams"]}
    unproven = {s.stream for s in OBJECTS if s.read.evidence.grade == UNPROVEN}
    assert {"call_attachments", "event_attachments"} <= unproven
    assert all(by_default[s] is False for s in unproven)
    assert by_default["calls"] is True and by_default["events"] is True


def test_a_fatal_error_still_stops_the_run_at_once(tmp_path):
    """A revoked refresh token: nothing can work, so the first stream's error ends the run."""
    with Emulator(tickets=20, seed=3) as emulator:
        config = {**emulator.config(), "refresh_token": "revoked"}
        path = tmp_path / "config.json"
        path.write_text(json.dumps(config))
        catalog = tmp_path / "catalog.json"
        catalog.write_text(json.dumps(catalog_for(emulator.config(), ["agents", "teams", "roles"])))
        before = len(emulator.log)
        proc = subprocess.run([sys.executable, "-c", "from tap_zohodesk.tap import main; main()", "--config",
                               str(path), "--catalog", str(catalog)], capture_output=True, text=True, timeout=120)
        calls = [e["path"] for e in emulator.log[before:]]
    assert proc.returncode == 1
    assert '"RECORD"' not in proc.stdout
    assert "failed)" not in proc.stderr and "OAuth refresh" in proc.stderr.splitlines()[-1]
    assert not [c for c in calls if "/api/v1/" in c]


def test_about_says_how_sure_we_are_of_every_read():
    proc = subprocess.run([sys.executable, "-c", "from tap_zohodesk.tap import main; main()", "--about",
                           "--format=json"], capture_output=True, text=True, timeout=60)
    streams = json.loads(proc.stdout)["streams"]
    assert len(streams) == len(OBJECTS) + 1  # and deleted_records
    grades = {name: s["evidence"].split()[0] for name, s in streams.items()}
    assert set(grades.values()) == {"confirmed", "split", "unproven"}
    assert streams["call_attachments"] == {"call": "GET calls/{callId}/attachments",
                                           "evidence": "unproven (reference)", "selected_by_default": False}
    assert streams["teams"]["evidence"] == "confirmed (Airbyte)" and streams["deleted_records"]["evidence"].startswith(
        "split")
