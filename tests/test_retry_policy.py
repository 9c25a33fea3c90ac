"""One retry policy in the core (api/retry.py, on the ``backoff`` library): its waits, its give-up
rule by kind, its hook; the client's calls and the token request both go through it."""

from __future__ import annotations

import backoff._sync
import pytest

from tap_zohodesk.api.client import ZohoDeskClient, ZohoDeskError
from tap_zohodesk.api.errors import CREDITS, THROTTLED, UNSURE
from tap_zohodesk.api.retry import Again, RetryPolicy


@pytest.fixture
def waits(monkeypatch):
    """The seconds backoff sleeps, recorded instead of slept."""
    slept: list[float] = []
    monkeypatch.setattr(backoff._sync.time, "sleep", slept.append)
    return slept


def failing(errors: list[Again]):
    """A try that raises each of ``errors`` in turn, then answers "ok"."""
    def attempt():
        if errors:
            raise errors.pop(0)
        return "ok"
    return attempt


def test_retry_after_wins_else_the_wait_doubles(waits):
    seen = []
    policy = RetryPolicy(6, 1.0, seen=lambda again, wait: seen.append((again.retry_after, wait)))
    errors = [Again(ZohoDeskError("x", kind=UNSURE)), Again(ZohoDeskError("x", kind=THROTTLED), "7"),
              Again(ZohoDeskError("x", kind=UNSURE))]
    assert policy.run(failing(errors)) == "ok"
    assert len(waits) == 3 and policy.retries == 3
    assert 0.75 <= waits[0] <= 1.25 and waits[1] == 7.0 and 3.0 <= waits[2] <= 5.0
    assert seen == [(None, waits[0]), ("7", 7.0), (None, waits[2])]


def test_the_policy_gives_up_when_told_by_kind_or_when_retries_are_spent(waits):
    seen = []
    policy = RetryPolicy(2, 0.01, seen=lambda again, wait: seen.append(wait))
    credits = Again(ZohoDeskError("spent", kind=CREDITS))
    with pytest.raises(Again) as raised:
        policy.run(failing([credits]), final=lambda again: again.error.kind == CREDITS)
    assert raised.value is credits and waits == [] and seen == [None] and policy.retries == 0
    errors = [Again(ZohoDeskError(f"try {n}", kind=UNSURE)) for n in range(5)]
    with pytest.raises(Again, match="try 2"):
        policy.run(failing(errors))
    assert len(waits) == 2 and policy.retries == 2 and seen[1:] == [waits[0], waits[1], None]


def test_client_calls_and_the_token_request_use_the_one_policy(emulator, waits):
    client = ZohoDeskClient(emulator.config(max_retries=3))
    assert isinstance(client.policy, RetryPolicy) and isinstance(client.token.policy, RetryPolicy)
    assert (client.policy.max_retries, client.token.policy.max_retries) == (3, 3)
    emulator.inject("quota", times=2, path="/agents$", retry_after=4)
    assert len(client.get("agents", {"from": 0, "limit": 5})["data"]) == 5
    assert waits == [4.0, 4.0]  # Zoho's Retry-After, waited by backoff (recorded here, not slept)
    assert client.stats()["retries"] == 2 and emulator.calls["GET /agents"] == 3


def test_a_stale_token_is_refreshed_within_a_try_sharing_the_retry_budget(emulator, waits):
    """500, then 401 (token expired: refreshed, sent again at once), then 500s: max_retries 2 are
    three tries in all, the refresh inside the second, as the hand-written loop did."""
    client = ZohoDeskClient(emulator.config(max_retries=2))
    client.get("agents", {"from": 0, "limit": 1})
    emulator.reset_counts()
    seen = []

    def hook(method, template):
        seen.append(template)
        if len(seen) == 3:  # the call sent again after the refresh, and every one after it
            emulator.inject("500", times=5, path="/agents$")

    emulator.inject("500", times=1, path="/agents$")
    emulator.expire_tokens_after(0)
    emulator.hook = hook
    with pytest.raises(ZohoDeskError, match=r"GET /agents -> HTTP 500"):
        client.get("agents", {"from": 0, "limit": 1})
    assert emulator.calls["GET /agents"] == 4 and len(waits) == 2
    assert client.stats()["retries"] == 2 and client.stats()["token_refreshes"] == 2


def test_a_create_whose_answer_is_lost_waits_through_the_one_policy(tmp_path, waits):
    """The target's unsure creates wait by the core's policy (retry.quick), as the hand-written loop
    did: a lost answer is waited out and looked up (found: one create); a create never answered is
    tried max_retries + 1 times, each followed by a wait and a lookup."""
    from tap_zohodesk.api.catalog import BY_STREAM
    from tests.helpers import run_target, singer_lines, target_emulator
    from tests.test_target import open_schema

    schema = open_schema(BY_STREAM["contacts"])
    with target_emulator(tmp_path, tickets=5, seed=3, max_retries=2, retry_backoff_seconds=0.25,
                         fail_on_error=False) as emu:
        before = len(emu.store.tables["contacts"].rows)
        emu.lose_answers(1.0)
        lost = run_target(emu.cfg, singer_lines("contacts", schema, [{"lastName": "Lost", "email": "lost@x.example"}]))
        assert len(lost) == 1 and lost[0]["status"] == "ok" and "found in Zoho" in lost[0]["note"]
        assert waits == [0.25] and len(emu.store.tables["contacts"].rows) == before + 1
        emu.lose_answers(0.0)
        emu.inject("500", times=9, path="/contacts$")
        config = {**emu.cfg, "results_path": str(tmp_path / "never.jsonl")}
        failed = run_target(config, singer_lines("contacts", schema, [{"lastName": "Never", "email": "n@x.example"}]))
        assert len(failed) == 1 and failed[0]["status"] == "error"
        assert "still unsure after 3 tries" in failed[0]["error"]
        assert waits == [0.25] * 4 and emu.calls["POST /contacts"] == 4
