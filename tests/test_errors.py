"""One error model: each answer's kind (and the parameter a refusal names) is decided where the
client reads it; callers decide by kind. Against the emulator's own answers."""

from __future__ import annotations

import pytest

from tap_zohodesk.api.client import ZohoDeskClient
from tap_zohodesk.api.errors import (
    FATAL_KINDS,
    GONE,
    REFUSALS,
    REFUSED,
    REFUSED_VALUE,
    UNSUPPORTED,
    ZohoDeskError,
    read_answer,
)


def _error(call) -> ZohoDeskError:
    with pytest.raises(ZohoDeskError) as err:
        call()
    return err.value


def test_each_answer_has_its_kind(emulator):
    client = ZohoDeskClient(emulator.config(max_retries=0))
    emulator.inject("extra_param", path="/agents$", param="sortOrder")
    extra = _error(lambda: client.get("agents"))
    assert (extra.kind, extra.param, extra.status) == (REFUSED, "sortOrder", 422)
    value = _error(lambda: client.get("agents", {"from": 0, "limit": 100_000}))
    assert (value.kind, value.param) == (REFUSED_VALUE, "limit")
    gone = _error(lambda: client.get("tickets/1"))
    assert (gone.kind, gone.param) == (GONE, None)
    agent = emulator.store.tables["agents"].rows[0]["id"]
    verb = _error(lambda: client.request("PUT", f"agents/{agent}", json={"lastName": "x"}))
    assert (verb.status, verb.kind) == (405, UNSUPPORTED)
    assert {extra.kind, value.kind, gone.kind, verb.kind} <= REFUSALS and not REFUSALS & FATAL_KINDS


def test_a_refusal_is_read_from_zohos_own_words():
    assert read_answer(422, "UNPROCESSABLE_ENTITY", "Extra query parameter 'sortOrder' is present in the input.") \
        == (REFUSED, "sortOrder")
    assert read_answer(422, "UNPROCESSABLE_ENTITY", "The value passed for the 'limit' parameter is invalid.") \
        == (REFUSED_VALUE, "limit")
    assert read_answer(401, "INVALID_OAUTH", None)[0] == "auth"
    assert read_answer(404, "URL_NOT_FOUND", "The URL you requested could not be found.") == (GONE, None)
