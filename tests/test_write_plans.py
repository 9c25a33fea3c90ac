"""One write plan per (stream, operation), derived from the catalog rows (tap_zohodesk/api/plans.py):
the plans cover every write the contract allows and no other, each is a call the API has (the
emulator's own facts), and ``--about`` prints exactly them."""

from __future__ import annotations

import json
import subprocess
import sys

from tap_zohodesk.api.catalog import ACTIONS, OBJECTS
from tap_zohodesk.api.plans import PER_PARENT, PER_TICKET, PLANS, TAGS, TRASH, plans_of
from tests.test_api_fidelity import _endpoint
from tests.test_catalog import DML_EXTENSIONS, contract_rows

# what the API's endpoint is for, per plan: its operation and body builder or grouping
PURPOSE = {("INSERT", "json"): "create", ("INSERT", "upload"): "create", ("SEND", "reply"): "reply",
           ("UPDATE", "json"): "update", ("DELETE", TRASH): "trash", ("DELETE", PER_PARENT): "unfollow",
           ("INSERT", PER_TICKET): "tag", ("DELETE", PER_TICKET): "untag"}


def _allowed() -> set[tuple[str, str]]:
    """(stream, operation) of every write the contract table allows, its documented extensions and the actions."""
    out = set()
    for row in contract_rows():
        ops = set() if row["dml"] == "read-only" else set(row["dml"].split("/"))
        out |= {(row["stream"], op) for op in ops | DML_EXTENSIONS.get(row["stream"], set())}
    return out | {(spec.stream, op) for spec in ACTIONS for op in spec.write.dml}


def test_the_plans_cover_every_write_the_contract_allows_and_no_other():
    allowed = _allowed()
    assert len(allowed) == 110 and ("send_email_reply", "SEND") in allowed  # 46 of the 62 rows written, and an action
    assert set(PLANS) == allowed
    for (stream, operation), plan in PLANS.items():
        assert (plan.stream, plan.operation) == (stream, operation)
        assert plan.verb in ("POST", "PATCH", "PUT", "DELETE") and plan.path
        assert plan.journaled == (operation in ("INSERT", "SEND") and plan.body != TAGS), plan
        assert plan.grouping != TRASH or (plan.batch == 50 and plan.key), plan
    assert {op for op in plans_of("ticket_tags")} == {"INSERT", "DELETE"}
    assert plans_of("threads") == {}  # read-only: no plan


def test_every_plan_is_a_call_the_api_has():
    problems = []
    for plan in PLANS.values():
        endpoint = _endpoint(plan.verb, plan.path)
        purpose = PURPOSE.get((plan.operation, plan.grouping)) or PURPOSE.get((plan.operation, plan.body))
        if endpoint is None:
            problems.append(f"{plan.stream} {plan.operation}: {plan.verb} /{plan.path}: no such call")
        elif purpose and endpoint.op != purpose:
            problems.append(f"{plan.stream} {plan.operation}: {plan.verb} /{plan.path} is a {endpoint.op}, "
                            f"the plan uses it to {purpose}")
        elif plan.key and getattr(endpoint, "body_key", None) not in (None, plan.key):
            problems.append(f"{plan.stream} {plan.operation}: ids go under {endpoint.body_key!r}, not {plan.key!r}")
        if plan.bulk_path and getattr(_endpoint("POST", plan.bulk_path), "op", None) != "bulk":
            problems.append(f"{plan.stream} UPDATE: POST /{plan.bulk_path} is no bulk update")
    assert len(PLANS) == 110
    assert not problems, "\n".join(problems)


def test_about_prints_the_plans():
    run = [sys.executable, "-m", "target_zohodesk", "--about"]
    writes = json.loads(subprocess.run([*run, "--format", "json"], capture_output=True, text=True, timeout=120,
                                       check=True).stdout)["writes"]
    listed = {(stream, op) for stream, entry in writes.items() for op in entry["operations"]}
    assert len(listed) == len(PLANS) and listed == set(PLANS)
    for (stream, op), plan in PLANS.items():
        assert writes[stream][op]["call"] == plan.call and writes[stream][op]["required"] == plan.needs
    reply = writes["send_email_reply"]["SEND"]
    assert reply["call"] == "POST tickets/{ticketId}/sendReply"
    assert reply["required"] == ["ticketId", "fromEmailAddress", "to", "content", "contentType"]
    assert set(reply["fields"]) == {*reply["required"], "isForward", "cc", "bcc"}
    text = subprocess.run(run, capture_output=True, text=True, timeout=120, check=True).stdout
    lines = [line.strip() for line in text.splitlines()]
    for (_, op), plan in PLANS.items():
        assert any(line.startswith(f"{op}: {plan.call}") for line in lines), (op, plan.call)


def test_a_stream_written_through_another_rows_list_checks_that_list():
    """Tags are checked (after a refused untag) where a ticket's tags are read; followers where they are."""
    assert PLANS[("ticket_tags", "DELETE")].listing.stream == "ticket_tags"
    assert PLANS[("tags", "INSERT")].listing.stream == "ticket_tags"
    assert PLANS[("ticket_followers", "DELETE")].listing.stream == "ticket_followers"
    assert all(spec.stream in {s.stream for s in OBJECTS} for spec in (
        p.listing for p in PLANS.values() if p.listing is not None))
