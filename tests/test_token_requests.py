"""Token requests: Zoho Accounts allows about 10 per refresh token in 10 minutes, so a run makes
one per token it needs, whatever its concurrency: a refresh in flight is shared by every worker,
and a refused one is final for all of them."""

from __future__ import annotations

import json
import subprocess
import sys
import threading

import pytest

from tap_zohodesk.api.client import ZohoAuthError, ZohoDeskClient, ZohoDeskError


def _five_workers(client: ZohoDeskClient) -> list[str]:
    """Five threads each make one call at the same moment; what each ended with."""
    start, outcomes = threading.Barrier(5), []

    def work() -> None:
        start.wait()
        try:
            outcomes.append("ok" if client.get("agents", {"from": 0, "limit": 5})["data"] else "empty")
        except ZohoAuthError as exc:
            outcomes.append(str(exc))

    threads = [threading.Thread(target=work) for _ in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


def test_an_expired_token_is_refreshed_once_for_five_workers(emulator):
    client = ZohoDeskClient(emulator.config(max_concurrency=5))
    client.get("agents", {"from": 0, "limit": 5})
    assert emulator.oauth.requests == 1
    emulator.latency = 0.05  # the five calls are in flight together when the token dies
    emulator.expire_tokens_after(0)
    assert _five_workers(client) == ["ok"] * 5
    assert emulator.oauth.requests == 2


def test_a_revoked_refresh_token_costs_one_token_request_for_five_workers(emulator):
    client = ZohoDeskClient(emulator.config(max_concurrency=5))
    client.get("agents", {"from": 0, "limit": 5})
    emulator.latency = 0.05
    emulator.oauth.revoke()
    emulator.expire_tokens_after(0)
    outcomes = _five_workers(client)
    assert len(outcomes) == 5
    assert all("returned no access_token (error: invalid_code)" in line for line in outcomes), outcomes
    assert emulator.oauth.requests == 2  # the first grant, then one refused refresh shared by all five
    try:
        client.get("agents")
    except ZohoAuthError as exc:
        assert "invalid_code" in str(exc)
    else:
        raise AssertionError("a call after a refused refresh must fail")
    assert emulator.oauth.requests == 2


def test_a_run_with_a_revoked_refresh_token_makes_one_token_request(emulator, tmp_path):
    config = tmp_path / "config.json"
    config.write_text(json.dumps(emulator.config(refresh_token="1000.revoked.token", max_concurrency=5)))
    proc = subprocess.run([sys.executable, "-m", "tap_zohodesk", "--config", str(config)],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1
    assert "returned no access_token (error: invalid_code)" in proc.stderr
    assert emulator.oauth.requests == 1


def test_a_fresh_token_that_dies_before_its_resend_is_refreshed_again(emulator):
    """Other workers' calls can outlive a token between this request's refresh and its resend
    (a short-lived token, a busy run): the resend's 401 refreshes once more instead of failing."""
    client = ZohoDeskClient(emulator.config())
    client.get("agents", {"from": 0, "limit": 1})
    emulator.reset_counts()
    sent = []

    def hook(method, template):
        sent.append(template)
        if len(sent) == 2:  # the resend after the first refresh: its fresh token has just expired
            emulator.expire_tokens_after(0)

    emulator.expire_tokens_after(0)
    emulator.hook = hook
    assert client.get("agents", {"from": 0, "limit": 1})["data"]
    assert emulator.calls["GET /agents"] == 3 and client.stats()["token_refreshes"] == 3


def test_a_token_refused_on_every_call_ends_after_two_refreshes(emulator):
    client = ZohoDeskClient(emulator.config(max_retries=5))
    client.get("agents", {"from": 0, "limit": 1})
    emulator.reset_counts()
    emulator.oauth.expire_every = 1  # every call: every token granted so far is dead
    with pytest.raises(ZohoDeskError, match="401"):
        client.get("agents", {"from": 0, "limit": 1})
    assert emulator.calls["GET /agents"] == 3 and client.stats()["token_refreshes"] == 3
