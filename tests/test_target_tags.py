"""Tags: ``ticket_tags`` INSERT / DELETE associate / dissociate a tag by name on a ticket;
``tags`` with ticketId tags that ticket, without it is refused with the reason."""

from __future__ import annotations

import pytest

from tap_zohodesk.api.catalog import BY_STREAM
from tests.helpers import run_tap, run_target, singer_lines, target_emulator
from tests.test_target import open_schema


@pytest.fixture
def emu(tmp_path):
    with target_emulator(tmp_path, tickets=80, seed=6, fail_on_error=False) as emulator:
        yield emulator


def on_ticket(emu, ticket_id: str) -> set[str]:
    return {t["name"] for t in emu.store.tables["ticket_tags"].where("ticketId", ticket_id)}


def test_ticket_tags_associate_and_dissociate_by_name(emu):
    tagged = {t["ticketId"] for t in emu.store.tables["ticket_tags"].rows}
    first = emu.store.tables["tickets"].rows[0]
    second = next(t for t in emu.store.tables["tickets"].rows if t["id"] in tagged and t is not first)
    had = on_ticket(emu, first["id"])
    gone = sorted(on_ticket(emu, second["id"]))[0]
    records = [{"ticketId": first["id"], "name": "vip"}, {"ticketId": first["id"], "name": "escalated"},
               {"ticketId": second["id"], "name": gone, "_sdc_deleted_at": "2026-01-01T00:00:00Z"},
               {"ticketId": second["id"], "name": "never-there", "_sdc_deleted_at": "2026-01-01T00:00:00Z"},
               {"name": "no ticket"}]
    results = run_target(emu.cfg, singer_lines("ticket_tags", open_schema(BY_STREAM["ticket_tags"]), records))
    # deletes are held until the input is read (the delete guard), so their lines come last
    assert [(r["operation"], r["status"]) for r in results] == [
        ("INSERT", "ok"), ("INSERT", "ok"), ("INSERT", "error"), ("DELETE", "ok"), ("DELETE", "ok")]
    assert results[4]["note"] == "not on the ticket any more"
    assert results[2]["error"] == "ticket_tags: INSERT needs ticketId"
    assert on_ticket(emu, first["id"]) == had | {"vip", "escalated"}
    assert gone not in on_ticket(emu, second["id"])
    assert first["tagCount"] == str(len(had) + 2)
    assert emu.calls["POST /tickets/{ticketId}/associateTag"] == 1  # both names of the ticket in one call

    again = run_target(emu.cfg, singer_lines("ticket_tags", open_schema(BY_STREAM["ticket_tags"]), records[:3]))[5:]
    assert [r["status"] for r in again] == ["ok"] * 3  # a replay changes nothing and fails nothing
    assert on_ticket(emu, first["id"]) == had | {"vip", "escalated"}


def test_tags_stream_tags_the_ticket_named_and_refuses_a_tag_without_one(emu):
    ticket = emu.store.tables["tickets"].rows[5]
    tags_before = len(emu.store.tables["tags"].rows)
    records = [{"name": "brand-new-tag", "ticketId": ticket["id"]}, {"name": "floating"}]
    results = run_target(emu.cfg, singer_lines("tags", open_schema(BY_STREAM["tags"]) | {
        "additionalProperties": False}, records))
    assert [r["status"] for r in results] == ["ok", "error"]
    assert "Zoho Desk creates a tag only by tagging a ticket: give ticketId" in results[1]["error"]
    assert "brand-new-tag" in on_ticket(emu, ticket["id"])
    assert len(emu.store.tables["tags"].rows) == tags_before + 1
    assert "floating" not in {t["name"] for t in emu.store.tables["tags"].rows}


def test_ticket_tags_of_a_tap_run_copy_to_an_emptied_ticket(emu):
    """The tap's ticket_tags (with the tag ids of this org) re-tag tickets by name."""
    emitted = run_tap(emu.config(), streams=["ticket_tags"])
    rows = emitted.records["ticket_tags"]
    ticket = rows[0]["ticketId"]
    names = {r["name"] for r in rows if r["ticketId"] == ticket}
    for link in list(emu.store.tables["ticket_tags"].where("ticketId", ticket)):
        emu.store.tables["ticket_tags"].remove_row(link)
    results = run_target(emu.cfg, singer_lines("ticket_tags", emitted.schemas["ticket_tags"], rows,
                                               ["ticketId", "id"]))
    assert {(r["operation"], r["status"]) for r in results} == {("INSERT", "ok")}
    assert on_ticket(emu, ticket) == names
