"""Database to Zoho Desk: CRM rows in PostgreSQL flow through target-zohodesk into Zoho's contacts.

The pipeline is the reverse-ETL model a data engineer builds on a warehouse that already holds a
mirror of Zoho (tap-zohodesk -> target-postgres, schema ``zohodesk``):

- the source of truth is a CRM table, ``crm.contacts`` (snake_case, a soft-delete ``deleted_at``);
- a view, ``crm.contacts_to_zoho``, is the change set: the CRM rows that differ from the mirror,
  in Zoho's field names, with the Zoho ``id`` where the mirror knows the contact (an UPDATE by id,
  no search), without it for new emails (``upsert_keys`` looks them up by email, then updates or
  inserts), and ``_sdc_deleted_at`` for soft-deleted rows Zoho still has (a DELETE, which needs the id);
- ``meltano run tap-zohodesk target-postgres tap-postgres target-zohodesk``: the mirror is refreshed
  first, then the view is read (meltanolabs-tap-postgres, FULL_TABLE, stream ``crm-contacts_to_zoho``,
  a stream map ``__alias__`` to ``contacts``) and written.

Why a diff view and not INCREMENTAL on an ``updated_at`` column: the SDK's SQL streams read
``updated_at >= bookmark``, so every run would send the last row again (a write that bumps Zoho's
``modifiedTime``), and a soft delete needs the Zoho id, which only the mirror has. The view sends what
differs: a run after which nothing changed writes nothing, and a write that failed is sent again.
"""

from __future__ import annotations

import copy
import json
import uuid
from collections import Counter

import pytest

from tests.emulator import Emulator
from tests.warehouses import meltano, need_plugins, tap_env, target_zohodesk_env, throwaway_postgres

WRITES = ("POST", "PATCH", "PUT", "DELETE")
FIELDS = ("email", "firstName", "lastName", "phone")

VIEW = """
create view crm.contacts_to_zoho as
select z.id, c.email, c.first_name as "firstName", c.last_name as "lastName", c.phone,
       c.deleted_at as _sdc_deleted_at
from crm.contacts c
left join zohodesk.contacts z on lower(z.email) = lower(c.email) and z._sdc_deleted_at is null
where case when c.deleted_at is not null then z.id is not null  -- trash only what Zoho still has
      else z.id is null                                         -- new to the mirror: upsert by email
        or (c.first_name, c.last_name, c.phone) is distinct from (z."firstName", z."lastName", z.phone)
      end
"""


@pytest.fixture(scope="module")
def pg():
    need_plugins("tap-zohodesk", "target-postgres", "tap-postgres", "target-zohodesk")
    with throwaway_postgres() as server:
        yield server


def _lit(value: str | None) -> str:
    return "null" if value is None else "'" + value.replace("'", "''") + "'"


def _crm_insert(pg, db: str, rows: list[dict]) -> None:
    """CRM rows given in Zoho's names; ``deleted``: soft-deleted now."""
    values = ", ".join(f"({_lit(r['email'])}, {_lit(r.get('firstName'))}, {_lit(r['lastName'])}, "
                       f"{_lit(r.get('phone'))}, {'now()' if r.get('deleted') else 'null'})" for r in rows)
    pg.sql(f"insert into crm.contacts (email, first_name, last_name, phone, deleted_at) values {values}", database=db)


class Loop:
    """The pipeline of one test: emulator, database, one state id, one journal and results file."""

    def __init__(self, emu: Emulator, pg, db: str, tmp_path):
        self.emu, self.pg, self.db = emu, pg, db
        self.state = f"crm-{uuid.uuid4().hex[:8]}"
        self.results = tmp_path / "results.jsonl"
        self.env = {
            **tap_env(emu, select=["contacts.*"], emit_deletes=True),
            **pg.loader_env(db),
            **pg.tap_env(db, filter_schemas=["crm"], select=["crm-contacts_to_zoho.*"],
                         stream_maps={"crm-contacts_to_zoho": {"__alias__": "contacts"}}),
            **target_zohodesk_env(emu, upsert_keys={"contacts": ["email"]}, results_path=str(self.results),
                                  journal_path=str(tmp_path / "journal.sqlite")),
        }

    def run(self, *plugins: str) -> list[dict]:
        """One `meltano run` of ``plugins``; the result lines target-zohodesk wrote in it."""
        before = self.results.read_text().splitlines() if self.results.exists() else []
        self.emu.reset_counts()
        meltano(["run", "--state-id-suffix", self.state, *plugins], self.env)
        after = self.results.read_text().splitlines() if self.results.exists() else []
        return [json.loads(line) for line in after[len(before):]]

    def sync(self) -> list[dict]:
        return self.run("tap-zohodesk", "target-postgres", "tap-postgres", "target-zohodesk")

    def writes(self) -> Counter:
        return Counter(e["route"] for e in self.emu.log if e["method"] in WRITES)

    def contact(self, email: str) -> dict:
        found = [c for c in self.emu.store.tables["contacts"].rows
                 if str(c.get("email") or "").casefold() == email.casefold()]
        assert len(found) == 1, (email, found)
        return found[0]


def _zoho(contact: dict) -> dict:
    return {k: contact[k] for k in FIELDS[1:]}


def test_crm_changes_flow_into_zoho_and_a_run_without_changes_writes_nothing(pg, tmp_path):
    db = pg.create_database()
    with Emulator(tickets=120, seed=41) as emu:
        loop = Loop(emu, pg, db, tmp_path)
        loop.run("tap-zohodesk", "target-postgres")  # the warehouse's mirror of Zoho, as it already is
        pg.sql("create schema crm; create table crm.contacts (crm_id serial primary key, email text not null unique, "
               "first_name text, last_name text not null, phone text, deleted_at timestamptz);" + VIEW, database=db)

        zoho = sorted((c for c in emu.store.tables["contacts"].rows if c.get("email") and c.get("lastName")),
                      key=lambda c: c["id"])
        assert len(zoho) >= 9
        same, changed, doomed = zoho[:3], zoho[3:7], zoho[7:9]
        late = dict.fromkeys(emu.store.fields("contacts"))  # created in Zoho after the mirror was loaded
        late.update(id=emu.store.new_id(), email="late.arrival@customer.example", lastName="Late", phone="+1-555-0100",
                    createdTime=emu.store.now(), modifiedTime=emu.store.now())
        emu.store.tables["contacts"].add(late)
        crm = [{**_zoho(c), "email": c["email"]} for c in same]
        crm += [{"email": c["email"].upper() if n == 0 else c["email"], "firstName": c["firstName"],
                 "lastName": f"{c['lastName']}-crm", "phone": f"+44-20-7946-{n:04d}"} for n, c in enumerate(changed)]
        crm += [{**_zoho(c), "email": c["email"], "deleted": True} for c in doomed]
        crm += [{"email": late["email"], "firstName": "Lena", "lastName": "Late", "phone": "+1-555-0199"}]
        new = [{"email": f"new{n}@crm.example", "firstName": None if n == 0 else f"New{n}", "lastName": f"Row{n}",
                "phone": f"+1-555-3{n:03d}"} for n in range(4)]
        crm += new + [{"email": "never.in.zoho@crm.example", "lastName": "Ghost", "deleted": True}]
        _crm_insert(pg, db, crm)
        untouched = {c["id"]: copy.deepcopy(c) for c in same}
        count, binned = len(emu.store.tables["contacts"].rows), len(emu.store.recycle_bin)

        # 1. the first sync: what differs goes out, what is equal does not
        results = loop.run("tap-postgres", "target-zohodesk")
        ops = Counter((r["operation"], r["status"], r.get("matched_by")) for r in results)
        assert ops == {("UPDATE", "ok", None): 4, ("UPDATE", "ok", "email"): 1, ("INSERT", "ok", "email"): 4,
                       ("DELETE", "ok", None): 2}, results
        assert loop.writes() == {"PATCH /contacts/{id}": 5, "POST /contacts": 4, "POST /contacts/moveToTrash": 1}
        assert emu.calls["GET /contacts/search"] == 1  # the 5 rows without id, one OR-ed search
        for row in crm[3:7] + crm[9:10] + new:
            assert _zoho(loop.contact(row["email"])) == {k: row.get(k) for k in FIELDS[1:]}, row["email"]
        assert loop.contact(late["email"])["id"] == late["id"]  # updated, not created twice
        assert loop.contact(changed[0]["email"])["email"] == changed[0]["email"].upper()
        doomed_ids = [c["id"] for c in doomed]
        assert not {c["id"] for c in emu.store.tables["contacts"].rows} & set(doomed_ids)
        assert [(e["module"], e["id"]) for e in emu.store.recycle_bin[binned:]] == [("contacts", i) for i in doomed_ids]
        assert not [c for c in emu.store.tables["contacts"].rows if c.get("email") == "never.in.zoho@crm.example"]
        assert {i: emu.store.tables["contacts"].by_id[i] for i in untouched} == untouched
        assert len(emu.store.tables["contacts"].rows) == count + 4 - 2

        # 2. nothing changed in the CRM: the mirror catches up with Zoho, the view is empty, Zoho is left alone
        snapshot = copy.deepcopy(sorted(emu.store.tables["contacts"].rows, key=lambda c: c["id"]))
        assert loop.sync() == []
        assert not loop.writes() and {e["method"] for e in emu.log} == {"GET"}
        assert sorted(emu.store.tables["contacts"].rows, key=lambda c: c["id"]) == snapshot
        mirror = pg.rows('select id, email, "firstName", "lastName", phone from zohodesk.contacts '
                         "where _sdc_deleted_at is null", database=db)
        assert sorted(mirror, key=lambda c: c["id"]) == [{"id": c["id"], **{k: c[k] for k in FIELDS}} for c in snapshot]
        assert pg.sql("select count(*) from crm.contacts_to_zoho", database=db) == "0"

        # 3. the CRM edits a contact the pipeline created, soft-deletes one, adds one: exactly those go out
        made = loop.contact("new1@crm.example")
        pg.sql("update crm.contacts set phone = '+1-555-9999' where email = 'new1@crm.example'; "
               f"update crm.contacts set deleted_at = now() where email = {_lit(same[0]['email'])}", database=db)
        _crm_insert(pg, db, [{"email": "another@crm.example", "firstName": "Ann", "lastName": "Other"}])
        results = loop.sync()
        assert sorted((r["operation"], r["status"], r["id"] if r["operation"] != "INSERT" else None) for r in results) \
            == [("DELETE", "ok", same[0]["id"]), ("INSERT", "ok", None), ("UPDATE", "ok", made["id"])]
        assert loop.writes() == {"PATCH /contacts/{id}": 1, "POST /contacts": 1, "POST /contacts/moveToTrash": 1}
        assert loop.contact("new1@crm.example")["phone"] == "+1-555-9999"
        assert _zoho(loop.contact("another@crm.example")) == {"firstName": "Ann", "lastName": "Other", "phone": None}
        assert same[0]["id"] not in emu.store.tables["contacts"].by_id
