"""Zoho's daily-credit stop and the run's own max_api_credits stop end the tap the same way (the
state reached is saved, same exit code) and both say when the next run can start."""

from __future__ import annotations

import json
import re

import pytest

from tap_zohodesk.api.client import BudgetSpent, CreditsExhausted, ZohoDeskClient
from tests.emulator import Emulator
from tests.helpers import catalog_for
from tests.test_bad_config_and_answers import cli


@pytest.fixture
def emulator():
    with Emulator(tickets=120, seed=43) as emu:
        yield emu


def test_zohos_daily_stop_says_when_the_credits_come_back(emulator):
    client = ZohoDeskClient(emulator.config())
    client.get("agents")
    emulator.inject("quota", times=5, retry_after=7200)
    with pytest.raises(CreditsExhausted) as err:
        client.get("agents")
    assert isinstance(err.value, BudgetSpent)
    back = f"{err.value.back_at:%Y-%m-%d %H:%M}"
    assert re.search(rf"daily API credits are spent; they come back in 2h00m, at {back} UTC: Retry-After 7200s; "
                     r"start the next run then\)$", str(err.value)), str(err.value)


def test_the_budget_stop_says_the_next_run_can_start_at_once(emulator):
    client = ZohoDeskClient(emulator.config(max_api_credits=1))
    client.get("agents")
    with pytest.raises(BudgetSpent) as err:
        client.get("agents")
    left = emulator.credits_left
    assert str(err.value).endswith(f"; Zoho reports {left:,} API credits left today: the next run can start at once")


def _tap(emulator, tmp_path, **config):
    catalog = tmp_path / "catalog.json"
    catalog.write_text(json.dumps(catalog_for(emulator.config(), ["tickets"])))
    return cli(tmp_path, emulator.config(**config), "--catalog", str(catalog))[0]


def test_both_stops_end_the_tap_alike(emulator, tmp_path):
    budget = _tap(emulator, tmp_path, max_api_credits=1)
    emulator.inject("quota", times=10_000, path="/tickets", retry_after=3600)
    daily = _tap(emulator, tmp_path)
    assert budget.returncode == daily.returncode == 0
    assert '"type":"STATE"' in budget.stdout.replace(" ", "") and '"type":"STATE"' in daily.stdout.replace(" ", "")
    assert re.search(r"Stopped at the credit budget in stream 'tickets' \(the credit budget is spent: .* Zoho reports "
                     r"[\d,]+ API credits left today: the next run can start at once\)", budget.stderr)
    assert re.search(r"Stopped at the credit budget in stream 'tickets' \(.*daily API credits are spent; they come "
                     r"back in 1h00m, at .* UTC: Retry-After 3600s; start the next run then\)", daily.stderr)
