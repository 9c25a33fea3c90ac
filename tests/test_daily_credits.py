"""The emulator enforces the daily credits it announces, and the tap stops on them with one line saying when
they come back (Zoho: 429 THRESHOLD_EXCEEDED with Retry-After once the day's credits are spent)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import requests

from tests.emulator import Emulator

TAP = str(Path(sys.executable).with_name("tap-zohodesk"))


def _get(emu: Emulator, path: str, token: str) -> requests.Response:
    return requests.get(f"{emu.base_url}/api/v1/{path}", timeout=10,
                        headers={"Authorization": f"Zoho-oauthtoken {token}", "orgId": emu.config()["org_id"]})


def _token(emu: Emulator) -> str:
    cfg = emu.config()
    answer = requests.post(f"{emu.base_url}/oauth/v2/token", timeout=10, data={
        "grant_type": "refresh_token", "refresh_token": cfg["refresh_token"],
        "client_id": cfg["client_id"], "client_secret": cfg["client_secret"]}).json()
    return answer["access_token"]


def test_calls_past_the_daily_credits_are_refused_until_the_reset():
    with Emulator(tickets=20, seed=4, credits=7) as emu:
        token = _token(emu)
        remaining = []
        while True:
            resp = _get(emu, "agents", token)
            if resp.status_code != 200:
                break
            remaining.append(int(resp.headers["X-Rate-Limit-Remaining-v3"]))
        assert remaining == [4, 1, 0]  # 3 credits a list call; the call that crosses the line is served
        assert resp.status_code == 429 and resp.json()["errorCode"] == "THRESHOLD_EXCEEDED"
        assert resp.headers["X-Rate-Limit-Remaining-v3"] == "0"
        retry_after = int(resp.headers["Retry-After"])
        assert 0 < retry_after <= 86_400  # until the next 00:00 UTC
        assert _get(emu, "departments", token).status_code == 429  # every call, not just that one

        emu.daily.resets_in(0)  # the day turns: the credits are back
        resp = _get(emu, "agents", token)
        assert resp.status_code == 200 and resp.headers["X-Rate-Limit-Remaining-v3"] == "4"


def test_the_tap_stops_on_spent_credits_with_one_line_saying_when_they_come_back(tmp_path):
    with Emulator(tickets=60, seed=3, credits=40) as emu:
        emu.daily.resets_in(2 * 3600 + 5 * 60 + 30)
        config = tmp_path / "config.json"
        config.write_text(json.dumps(emu.config()))
        proc = subprocess.run([TAP, "--config", str(config)],
                              capture_output=True, text=True, timeout=300)
        served = sum(emu.calls.values())
    records = [m for m in map(json.loads, proc.stdout.splitlines()) if m["type"] == "RECORD"]
    assert len(records) > 0 and served > 0
    assert proc.returncode == 0  # a stop like max_api_credits': the state reached is saved, the next run resumes
    assert re.search(r"Stopped at the credit budget in stream '\w+' \(GET /\S+ -> HTTP 429 THRESHOLD_EXCEEDED: API "
                     r"credit limit reached\. \(the org's daily API credits are spent; they come back in 2h05m, at "
                     r"\d{4}-\d\d-\d\d \d\d:\d\d UTC: Retry-After 75\d\ds; start the next run then\)\)",
                     proc.stderr), proc.stderr[-2000:]
    assert "Traceback" not in proc.stderr
