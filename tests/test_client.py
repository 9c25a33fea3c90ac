"""The shared client against the emulator: auth, errors, retries, concurrency."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest
import requests

from tap_zohodesk.api.client import ZohoAuthError, ZohoDeskClient, ZohoDeskError
from tap_zohodesk.api.connection import MAX_CONCURRENCY, resolve_urls
from tap_zohodesk.api.errors import ConfigError
from tests.emulator import Emulator


def test_data_center_urls():
    assert resolve_urls({"data_center": "eu"}) == ("https://desk.zoho.eu/api/v1", "https://accounts.zoho.eu")
    assert resolve_urls({"data_center": "ca"}) == (
        "https://desk.zohocloud.ca/api/v1", "https://accounts.zohocloud.ca")
    assert resolve_urls({}) == ("https://desk.zoho.com/api/v1", "https://accounts.zoho.com")
    assert resolve_urls({"data_center": "au"})[0] == "https://desk.zoho.com.au/api/v1"
    assert resolve_urls({"data_center": "uk"}) == ("https://desk.zoho.uk/api/v1", "https://accounts.zoho.uk")
    with pytest.raises(ConfigError, match="data_center.*'mars'.*us eu in au jp ca cn sa sg ae uk"):
        resolve_urls({"data_center": "mars"})


def test_max_concurrency_has_one_default(emulator):
    """The setting's default, the client's limit and the tap's read in ranges all take MAX_CONCURRENCY."""
    from tap_zohodesk.api.plugin import connection_properties

    setting = next(p.to_dict()["max_concurrency"] for p in connection_properties() if p.name == "max_concurrency")
    assert setting["default"] == MAX_CONCURRENCY == 5
    config = {**emulator.config(), "max_concurrency": None}
    assert ZohoDeskClient.max_concurrency(config) == ZohoDeskClient(config).limiter.maximum == MAX_CONCURRENCY
    assert ZohoDeskClient.max_concurrency({**config, "max_concurrency": 2}) == 2


def test_token_is_reused_and_headers_are_sent(emulator):
    client = ZohoDeskClient(emulator.config())
    for _ in range(5):
        assert client.get("tickets", {"from": 0, "limit": 5})["data"]
    assert emulator.token_grants == 1
    assert client.stats()["credits_used"] == 15  # 3 credits per list call at offset 0


def test_expired_token_is_refreshed_once_and_the_call_retried(emulator):
    client = ZohoDeskClient(emulator.config())
    client.get("agents", {"from": 0, "limit": 5})
    emulator.expire_tokens_after(2)
    for _ in range(5):
        client.get("agents", {"from": 0, "limit": 5})
    assert emulator.token_grants == 2
    assert client.stats()["token_refreshes"] == 2


def test_emulator_is_strict(emulator):
    token = ZohoDeskClient(emulator.config()).access_token()
    base = f"{emulator.base_url}/api/v1"
    auth = {"Authorization": f"Zoho-oauthtoken {token}"}
    no_org = requests.get(f"{base}/tickets", headers=auth, timeout=5)
    assert no_org.status_code == 422 and "orgId" in no_org.json()["message"]
    headers = {**auth, "orgId": "60012345678"}
    over_cap = requests.get(f"{base}/tickets", params={"limit": 101}, headers=headers, timeout=5)
    assert over_cap.status_code == 422 and "limit" in over_cap.json()["message"]
    extra = requests.get(f"{base}/tickets", params={"sortOrder": "asc"}, headers=headers, timeout=5)
    assert extra.json()["message"] == "Extra query parameter 'sortOrder' is present in the input."
    bad_token = requests.get(f"{base}/tickets", headers={"Authorization": "Zoho-oauthtoken 1000.x.y",
                                                          "orgId": "60012345678"}, timeout=5)
    assert bad_token.status_code == 401 and bad_token.json()["errorCode"] == "INVALID_OAUTH"
    nothing = requests.get(f"{base}/tickets", headers={"orgId": "60012345678"}, timeout=5)
    assert nothing.status_code == 401 and nothing.json()["errorCode"] == "UNAUTHORIZED"
    past_window = requests.get(f"{base}/tickets/search", params={"from": 5000}, headers=headers, timeout=5)
    assert past_window.status_code == 422
    empty = requests.get(f"{base}/tickets", params={"from": 100000, "limit": 10}, headers=headers, timeout=5)
    assert empty.status_code == 204 and empty.content == b""


def test_fatal_4xx_is_one_clear_line(emulator):
    client = ZohoDeskClient(emulator.config())
    with pytest.raises(ZohoDeskError) as err:
        client.get("tickets", {"limit": 500})
    message = str(err.value)
    assert message == ("GET /tickets -> HTTP 422 UNPROCESSABLE_ENTITY: "
                       "The value passed for the 'limit' parameter is invalid.")
    assert "\n" not in message
    with pytest.raises(ZohoDeskError, match="HTTP 404 URL_NOT_FOUND"):
        client.get("tickets/1")


@pytest.mark.parametrize("kind", ["429", "quota", "500", "drop"])
def test_transient_failures_are_retried(emulator, kind):
    client = ZohoDeskClient(emulator.config())
    emulator.inject(kind, times=2, path="/tickets$", retry_after=0)
    rows = client.get("tickets", {"from": 0, "limit": 10})["data"]
    assert len(rows) == 10
    assert client.stats()["retries"] == 2
    assert emulator.calls["GET /tickets"] == 3


def test_retry_after_is_honoured(emulator):
    import time

    client = ZohoDeskClient(emulator.config())
    emulator.inject("quota", times=1, retry_after=1)
    started = time.monotonic()
    client.get("agents", {"from": 0, "limit": 5})
    assert time.monotonic() - started >= 1.0


def test_retries_give_up_with_the_last_error(emulator):
    client = ZohoDeskClient(emulator.config(max_retries=2))
    emulator.inject("500", times=5)
    with pytest.raises(ZohoDeskError, match=r"GET /agents -> HTTP 500: 500 Internal Server Error"):
        client.get("agents", {"from": 0, "limit": 5})
    assert client.stats()["retries"] == 2


def test_wrong_refresh_token_names_the_likely_causes(emulator):
    client = ZohoDeskClient(emulator.config(refresh_token="1000.revoked.token"))
    with pytest.raises(ZohoAuthError, match="no access_token \\(error: invalid_code\\).*data_center"):
        client.get("agents")


def test_wrong_org_id_is_fatal_and_named(emulator):
    client = ZohoDeskClient(emulator.config(org_id="999"))
    with pytest.raises(ZohoDeskError, match="OAUTH_ORG_MISMATCH.*check org_id '999'"):
        client.get("agents")


def test_bounded_concurrency_and_slowdown_on_429():
    with Emulator(tickets=50, latency_ms=30, max_concurrency=3) as emu:
        client = ZohoDeskClient(emu.config(max_concurrency=3))
        results = list(client.map(lambda i: client.get(f"tickets/{i}"),
                                  [r["id"] for r in emu.store.tables["tickets"].rows]))
        assert [r["id"] for r in results] == [r["id"] for r in emu.store.tables["tickets"].rows]
        assert emu.peak_in_flight == 3
        emu.inject("429", times=1)
        emu.hook = lambda method, template: time.sleep(0.03)  # the refused call is out while the pool's other two are
        again = list(client.map(lambda i: client.get(f"tickets/{i}"),
                                [r["id"] for r in emu.store.tables["tickets"].rows]))
        assert len(again) == len(emu.store.tables["tickets"].rows)
        assert client.stats()["retries"] == 1
        assert client.limiter.lowest == 1  # halved from 3 on the 429, then regrown
        assert client.limiter.limit == client.limiter.ceiling == 2  # up to the cap the 429 showed, kept


@pytest.mark.parametrize("override, expected", [
    ({"refresh_token": "1000.revoked.token"}, "returned no access_token (error: invalid_code)"),
    ({"org_id": "999"}, "OAUTH_ORG_MISMATCH"),
])
def test_cli_fails_with_a_clear_message(emulator, tmp_path, override, expected):
    import json

    config = tmp_path / "config.json"
    config.write_text(json.dumps(emulator.config(**override)))
    proc = subprocess.run([sys.executable, "-m", "tap_zohodesk", "--config", str(config)],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode != 0
    assert expected in proc.stderr
    assert proc.stdout.count('"type":"RECORD"') == 0
