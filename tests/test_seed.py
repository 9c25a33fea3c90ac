"""The seeded data tells each object's whole story: children of one kind share one shape and one
vocabulary, counters equal the children seeded, children live within their parent's lifetime,
every table has rows at small scales, and a seed gives the same data on every run."""

from __future__ import annotations

import pytest

from tests.emulator.facts import READS
from tests.emulator.seed_children import CHILDREN, TIME_ENTRY
from tests.emulator.seed_core import build_store

KIND_SUFFIXES = ("_comments", "_attachments", "_followers", "_time_entries")
TIMES = ("commentedTime", "modifiedTime", "createdTime", "executedTime")
BILL_STATUSES = {"billed", "billable", "nonBillable"}


@pytest.fixture(scope="module")
def store():
    return build_store(seed=33, tickets=60)


@pytest.fixture(scope="module")
def bigger():
    return build_store(seed=11, tickets=300)


def _children(store, child, parent_table):
    parents = store.tables[parent_table].by_id
    return [r for r in store.tables[child.table].rows if r[child.link] in parents]


def test_every_child_table_the_emulator_serves_is_seeded_from_the_one_table():
    served = {e.table for e in READS if e.table.endswith(KIND_SUFFIXES)} - {"thread_attachments"}
    assert served == {c.table for c in CHILDREN}


def test_every_table_has_rows_at_a_small_scale(store):
    empty = [name for name, table in store.tables.items() if not table.rows]
    assert not empty
    for child in CHILDREN:  # the first parent of each parent table gets ``most`` children
        for parent_table in child.parents:
            first = store.tables[parent_table].rows[0]["id"]
            got = [r for r in store.tables[child.table].rows if r[child.link] == first]
            assert len(got) == child.most, (child.table, parent_table)


@pytest.mark.parametrize("scale", ["store", "bigger"])
def test_counters_equal_the_children_seeded(scale, request):
    store = request.getfixturevalue(scale)
    counted = [(c.table, c.link, c.counter, c.parents) for c in CHILDREN if c.counter]
    counted += [("threads", "ticketId", "threadCount", ("tickets", "archived_tickets")),
                ("ticket_approvals", "ticketId", "approvalCount", ("tickets",)),
                ("ticket_tags", "ticketId", "tagCount", ("tickets",))]
    assert {t for t, *_ in counted} >= {"ticket_comments", "ticket_attachments", "ticket_followers",
                                         "ticket_time_entries", "article_comments"}
    for table, link, counter, parents in counted:
        seen: dict[str, int] = {}
        for row in store.tables[table].rows:
            seen[row[link]] = seen.get(row[link], 0) + 1
        for parent_table in parents:
            rows = store.tables[parent_table].rows
            wrong = [(r["id"], r[counter], seen.get(r["id"], 0)) for r in rows
                     if int(r[counter]) != seen.get(r["id"], 0)]
            assert not wrong, f"{parent_table}.{counter} vs {table}: {wrong[:3]}"
            if table != "threads":  # every ticket has a thread; other kinds skip some parents
                assert any(r[counter] == "0" for r in rows) or len(rows) < 10, f"{parent_table}.{counter}"


def test_children_live_within_their_parents_lifetime(bigger):
    for child in CHILDREN:
        for parent_table in child.parents:
            parents = bigger.tables[parent_table].by_id
            for row in _children(bigger, child, parent_table):
                parent = parents[row[child.link]]
                for key in TIMES:
                    if row.get(key):
                        assert parent["createdTime"] <= row[key] <= parent["modifiedTime"], (child.table, key, row)


def test_one_shape_per_kind_and_one_vocabulary(bigger):
    shapes: dict[str, set[frozenset]] = {}
    for child in CHILDREN:
        rows = bigger.tables[child.table].rows
        keys = {frozenset(r) - {child.link, *child.copy} for r in rows}
        assert len(keys) == 1, child.table
        shapes.setdefault(child.kind, set()).update(keys)
    assert all(len(v) == 1 for v in shapes.values()), {k: len(v) for k, v in shapes.items()}
    time_tables = [c.table for c in CHILDREN if c.kind == TIME_ENTRY]
    assert {"agent_time_entries", "ticket_time_entries", "contact_time_entries"} <= set(time_tables)
    for table in time_tables:
        rows = bigger.tables[table].rows
        assert {r["billStatus"] for r in rows} <= BILL_STATUSES, table
        assert any(r["billStatus"] == "billed" for r in rows), table
        for r in rows:
            assert (r["billStatus"] == "nonBillable") == (not r["isBillable"]), r
            assert (r["billStatus"] == "billed") == (r["invoiceId"] is not None), r
            assert r["owner"]["id"] == r["ownerId"]
    for row in bigger.tables["agent_time_entries"].rows:
        assert row["ownerId"] == row["agentId"]  # an agent's own time entries


def test_followers_of_one_parent_are_distinct_agents(bigger):
    agents = bigger.tables["agents"].by_id
    for child in (c for c in CHILDREN if c.table.endswith("_followers")):
        pairs = [(r[child.link], r["id"]) for r in bigger.tables[child.table].rows]
        assert len(pairs) == len(set(pairs)), child.table
        assert all(agent in agents for _, agent in pairs)


def test_the_same_seed_gives_the_same_data(store):
    again = build_store(seed=33, tickets=60)
    assert list(again.tables) == list(store.tables)
    for name, table in store.tables.items():
        assert again.tables[name].rows == table.rows, name
    assert [e["id"] for e in again.recycle_bin] == [e["id"] for e in store.recycle_bin]
    other = build_store(seed=34, tickets=60)
    assert other.tables["ticket_comments"].rows != store.tables["ticket_comments"].rows
