"""Bad config, unreachable hosts, a rate-limited token endpoint and bad answers fail fast,
each as one clear line, with no records invented."""

from __future__ import annotations

import json
import logging
import os
import re
import socket
import subprocess
import sys
import time

import pytest
import requests

from tap_zohodesk.api.client import ZohoAuthError, ZohoDeskClient, ZohoDeskError
from tap_zohodesk.api.connection import resolve_urls, unreachable
from tap_zohodesk.api.errors import ConfigError
from tests.helpers import catalog_for, run_tap

ENTRY = {"tap": "from tap_zohodesk.tap import main; main()",
         "target": "from target_zohodesk.target import main; main()"}
SECRETS = {"client_id": "id", "client_secret": "secret", "refresh_token": "1000.x.y", "org_id": "60012345678"}


def cli(tmp_path, config: dict, *args: str, plugin: str = "tap", env: dict | None = None,
        stdin: str = "") -> tuple[subprocess.CompletedProcess, float]:
    """Run the console-script entry point (main()) in a subprocess; return it and its seconds."""
    path = tmp_path / "config.json"
    path.write_text(json.dumps(config))
    started = time.monotonic()
    proc = subprocess.run([sys.executable, "-c", ENTRY[plugin], "--config", str(path), *args],
                          input=stdin, capture_output=True, text=True, timeout=120,
                          env={**os.environ, **(env or {})})
    return proc, time.monotonic() - started


def ours(proc: subprocess.CompletedProcess, plugin: str = "tap") -> list[str]:
    """The lines our main() wrote: '<plugin>-zohodesk: <message>'."""
    return [line for line in proc.stderr.splitlines() if line.startswith(f"{plugin}-zohodesk: ")]


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# -- 1. config ----------------------------------------------------------------------------
@pytest.mark.parametrize("org_id", ["acme", "60012345678x", "", " 60012345678", "６００"])
def test_org_id_must_be_all_digits(org_id):
    with pytest.raises(ConfigError, match=r"^config 'org_id' must be all digits .*, got "):
        resolve_urls({**SECRETS, "org_id": org_id})
    with pytest.raises(ConfigError, match="'org_id'"):
        ZohoDeskClient({**SECRETS, "org_id": org_id})
    assert resolve_urls({**SECRETS, "org_id": 60012345678})[0] == "https://desk.zoho.com/api/v1"


@pytest.mark.parametrize("key, url, exposed", [
    ("api_url", "http://desk.zoho.eu/api/v1", "the OAuth access token"),
    ("accounts_url", "http://accounts.zoho.eu", "the client secret and refresh token"),
    ("accounts_url", "http://10.0.0.5:8080", "the client secret and refresh token"),
])
def test_plain_http_is_refused_except_to_loopback(key, url, exposed):
    with pytest.raises(ConfigError) as err:
        resolve_urls({**SECRETS, key: url})
    assert str(err.value).startswith(f"config {key!r} is plain http to ")
    assert f"would send {exposed} unencrypted" in str(err.value) and "\n" not in str(err.value)


@pytest.mark.parametrize("api_url, accounts_url", [
    ("http://127.0.0.1:9/api/v1", "http://127.0.0.1:9"),
    ("http://[::1]:9/api/v1", "http://localhost:9"),
    ("https://desk.example.com/api/v1", "https://accounts.example.com"),
])
def test_https_anywhere_and_http_to_loopback_are_allowed(api_url, accounts_url):
    assert resolve_urls({**SECRETS, "api_url": api_url, "accounts_url": accounts_url}) == (api_url, accounts_url)


@pytest.mark.parametrize("plugin", ["tap", "target"])
@pytest.mark.parametrize("override, key", [
    ({"org_id": "acme"}, "org_id"),
    ({"api_url": "http://desk.zoho.eu/api/v1"}, "api_url"),
    ({"accounts_url": "http://accounts.zoho.eu"}, "accounts_url"),
])
def test_cli_refuses_bad_config_in_one_line(tmp_path, plugin, override, key):
    proc, seconds = cli(tmp_path, {**SECRETS, **override}, plugin=plugin)
    assert proc.returncode == 1 and seconds < 10
    assert "Traceback" not in proc.stderr
    assert len(ours(proc, plugin)) == 1 and f"config {key!r}" in ours(proc, plugin)[0]
    assert '"RECORD"' not in proc.stdout


# -- 2. unreachable hosts -----------------------------------------------------------------
def test_closed_port_fails_after_two_quick_retries():
    port = closed_port()
    config = {**SECRETS, "api_url": f"http://127.0.0.1:{port}/api/v1", "accounts_url": f"http://127.0.0.1:{port}",
              "retry_backoff_seconds": 30}  # the quick retries do not use it
    client = ZohoDeskClient(config)
    started = time.monotonic()
    with pytest.raises(ZohoAuthError) as err:
        client.get("agents")
    seconds = time.monotonic() - started
    assert str(err.value).startswith(f"cannot reach 127.0.0.1:{port}: connection refused (OAuth token refresh")
    assert 1.4 <= seconds < 3  # 0.5 s + 1 s of quick retries
    started = time.monotonic()
    with pytest.raises(ZohoAuthError, match="cannot reach"):
        client.get("agents")  # a host already found down gets one try
    assert time.monotonic() - started < 0.5


def test_closed_api_port_fails_naming_the_call(emulator):
    port = closed_port()
    client = ZohoDeskClient(emulator.config(api_url=f"http://127.0.0.1:{port}/api/v1", retry_backoff_seconds=30))
    started = time.monotonic()
    with pytest.raises(ZohoDeskError) as err:
        client.request("POST", "tickets", json={"subject": "x"}, retry_unsafe=False)
    assert not isinstance(err.value, ZohoAuthError)
    assert str(err.value).startswith(f"cannot reach 127.0.0.1:{port}: connection refused (POST /tickets;")
    assert 1.4 <= time.monotonic() - started < 3  # never opened, so retried even for a create
    assert emulator.token_grants == 1


def test_unresolvable_name_fails_fast():
    client = ZohoDeskClient({**SECRETS, "accounts_url": "https://accounts.zoho.invalid"})
    started = time.monotonic()
    with pytest.raises(ZohoAuthError, match=r"^cannot reach accounts\.zoho\.invalid: name not resolved"):
        client.get("agents")
    assert time.monotonic() - started < 5


def test_a_cut_connection_keeps_the_normal_retry_budget(emulator):
    client = ZohoDeskClient(emulator.config(max_retries=3))
    emulator.inject("drop", times=10, path="/agents$")
    with pytest.raises(ZohoDeskError, match=r"^GET /agents -> connection failed") as err:
        client.get("agents", {"from": 0, "limit": 5})
    assert "cannot reach" not in str(err.value)
    assert client.stats()["retries"] == 3 and emulator.calls["GET /agents"] == 4


def test_only_a_connection_never_opened_counts_as_unreachable():
    assert unreachable(requests.ConnectTimeout()) == "connection timed out"
    assert unreachable(requests.ReadTimeout()) is None
    assert unreachable(requests.ConnectionError("Connection aborted.")) is None


@pytest.mark.parametrize("where", ["closed port", "unresolvable name"])
def test_cli_run_against_an_unreachable_host_fails_fast(tmp_path, where):
    if where == "closed port":
        host, why = f"127.0.0.1:{closed_port()}", "connection refused"
        urls = {"api_url": f"http://{host}/api/v1", "accounts_url": f"http://{host}"}
    else:
        host, why = "accounts.zoho.invalid", "name not resolved"
        urls = {"api_url": "https://desk.zoho.invalid/api/v1", "accounts_url": f"https://{host}"}
    proc, seconds = cli(tmp_path, {**SECRETS, **urls})
    assert proc.returncode == 1 and seconds < 10, (seconds, proc.stderr[-2000:])
    assert "Traceback" not in proc.stderr
    assert ours(proc) == [f"tap-zohodesk: cannot reach {host}: {why} "
                          "(OAuth token refresh; check accounts_url and data_center)"]
    assert '"RECORD"' not in proc.stdout


# -- 3. Zoho Accounts rate-limiting the token endpoint ----------------------------------------
def test_token_rate_limit_is_waited_out(emulator, caplog):
    emulator.oauth.deny(2)
    client = ZohoDeskClient(emulator.config())
    with caplog.at_level(logging.WARNING, logger="zohodesk.oauth"):
        assert client.get("agents", {"from": 0, "limit": 5})["data"]
        client.get("agents", {"from": 0, "limit": 5})
    assert emulator.oauth.grants == 1 and emulator.oauth.denied == 2
    assert client.stats()["retries"] == 2 and client.stats()["token_refreshes"] == 1
    waits = [r.getMessage() for r in caplog.records if "limiting token refreshes" in r.getMessage()]
    assert len(waits) == 1 and waits[0].startswith("Zoho Accounts is limiting token refreshes; waiting ")


def test_tap_run_waits_out_the_token_rate_limit(emulator, tmp_path):
    catalog = tmp_path / "catalog.json"
    catalog.write_text(json.dumps(catalog_for(emulator.config(), ["agents"])))
    granted_before = emulator.oauth.grants  # the catalog above took a token of its own
    emulator.oauth.deny(2)
    proc, _ = cli(tmp_path, emulator.config(), "--catalog", str(catalog))
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert emulator.oauth.grants - granted_before == 1 and emulator.oauth.denied == 2
    assert proc.stderr.count("Zoho Accounts is limiting token refreshes; waiting ") == 1
    assert proc.stdout.count('"type":"RECORD"') == len(emulator.store.tables["agents"].rows)


def test_token_rate_limit_that_persists_says_so(emulator):
    emulator.oauth.deny(100)
    client = ZohoDeskClient(emulator.config(max_retries=1))
    with pytest.raises(ZohoAuthError) as err:
        client.get("agents")
    assert "rate-limiting the token endpoint" in str(err.value) and "data_center" not in str(err.value)
    assert emulator.oauth.denied == 2 and emulator.oauth.grants == 0  # 1 try + max_retries
    with pytest.raises(ZohoAuthError, match="rate-limiting the token endpoint"):
        run_tap(emulator.config(max_retries=1), streams=["agents"])


# -- 4. bad answers to a GET -------------------------------------------------------------------
def test_empty_200_on_a_get_is_an_error_but_204_and_empty_writes_are_not(emulator):
    client = ZohoDeskClient(emulator.config())
    emulator.inject("empty200", path="/agents$")
    with pytest.raises(ZohoDeskError) as err:
        client.get("agents", {"from": 0, "limit": 5})
    assert str(err.value).startswith("GET /agents answered 200 with an empty body")
    assert client.get("tickets", {"from": 100000, "limit": 10}) is None  # 204: an empty list
    ticket = emulator.store.tables["tickets"].rows[0]["id"]
    emulator.inject("empty200", path=f"/tickets/{ticket}$")
    assert client.request("PATCH", f"tickets/{ticket}", json={"subject": "x"}) is None


def test_html_200_on_a_get_is_an_error(emulator):
    client = ZohoDeskClient(emulator.config())
    emulator.inject("html200", path="/agents$")
    with pytest.raises(ZohoDeskError) as err:
        client.get("agents", {"from": 0, "limit": 5})
    assert str(err.value) == "GET /agents -> HTTP 200: Zoho Desk Sign in (answer is not JSON)"


@pytest.mark.parametrize("kind, expected", [
    ("empty200", "GET /tickets/search answered 200 with an empty body"),
    ("html200", "GET /tickets/search -> HTTP 200: Zoho Desk Sign in (answer is not JSON)"),
])
def test_bad_answer_stops_the_run(emulator, tmp_path, kind, expected):
    emulator.inject(kind, path="tickets/search")
    with pytest.raises(ZohoDeskError, match=re.escape(expected)):
        run_tap(emulator.config(), streams=["tickets"])
    emulator.inject(kind, path="tickets/search")
    catalog = tmp_path / "catalog.json"
    catalog.write_text(json.dumps(catalog_for(emulator.config(), ["tickets"])))
    proc, _ = cli(tmp_path, emulator.config(), "--catalog", str(catalog))
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert len(ours(proc)) == 1 and ours(proc)[0].startswith(f"tap-zohodesk: {expected}")
    assert '"RECORD"' not in proc.stdout


# -- 5. one line per failure at the command line -------------------------------------------------
def test_cli_failure_is_one_line_without_traceback(emulator, tmp_path):
    proc, _ = cli(tmp_path, emulator.config(org_id="123"))
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    lines = ours(proc)
    assert len(lines) == 1 and "OAUTH_ORG_MISMATCH" in lines[0] and "check org_id '123'" in lines[0]
    assert '"RECORD"' not in proc.stdout


@pytest.mark.parametrize("env", [{"LOGLEVEL": "DEBUG"}, {"TAP_ZOHODESK_LOGLEVEL": "debug"}])
def test_debug_keeps_the_traceback(emulator, tmp_path, env):
    proc, _ = cli(tmp_path, emulator.config(org_id="123"), env=env)
    assert proc.returncode == 1
    assert "Traceback" in proc.stderr and "OAUTH_ORG_MISMATCH" in proc.stderr
    assert not ours(proc)
