"""Two-way sync of a CRM table in PostgreSQL with Zoho Desk's contacts: `meltano run sync-contacts`.

The job (meltano.yml, docs/pipelines.md "Two-way sync") reads Zoho's contacts into a mirror
(tap-zohodesk-contacts target-postgres, delete markers on), runs sync/contacts_plan.sql (utility
sync-contacts:plan: pairs by email on first sight, Zoho's changes into crm.contacts, the CRM's queued
in sync.contacts_pending), sends the queue (tap-postgres-sync target-zohodesk-sync), reads the mirror
again and runs sync/contacts_finish.sql (what Zoho took becomes the synced version, new contacts give
their ids). Everything runs against the emulator over HTTP and a throwaway PostgreSQL; the state id
suffix is this test's own, in the test's own Meltano project (tests/warehouses.py).
"""

from __future__ import annotations

import time
import uuid
from collections import Counter

import pytest

from tests.emulator import Emulator
from tests.warehouses import PLUGINS, ROOT, meltano, need_plugins, tap_env, target_zohodesk_env, throwaway_postgres

WRITES = ("POST", "PATCH", "PUT", "DELETE")

CRM = (ROOT / "sync" / "crm_contacts.sql").read_text()  # docs/pipelines.md shows it as written


@pytest.fixture(scope="module")
def pg():
    need_plugins("tap-zohodesk", "target-postgres", "tap-postgres", "target-zohodesk")
    if not (PLUGINS / "utilities" / "sync-contacts" / "venv").exists():
        pytest.skip("utility sync-contacts not installed: run `make test` (meltano install)")
    with throwaway_postgres() as server:
        yield server


@pytest.fixture
def sync(pg, tmp_path):
    """A sync of a fresh CRM database with a fresh emulator (the test's own Meltano project keeps its state)."""
    with Emulator(tickets=60, seed=23) as emu:
        yield Sync(emu, pg, tmp_path)


def test_the_docs_show_the_crm_table_and_the_job_as_they_are():
    docs = (ROOT / "docs" / "pipelines.md").read_text()
    section = docs[docs.index("## Two-way sync"):]
    assert CRM.strip() in section
    assert "meltano run sync-contacts" in section
    for name in ("contacts_setup.sql", "contacts_plan.sql", "contacts_finish.sql"):
        assert f"sync/{name}" in section and (ROOT / "sync" / name).is_file()


def _lit(value: str | None) -> str:
    return "null" if value is None else "'" + value.replace("'", "''") + "'"


class Sync:
    """One CRM database, one emulator, one Meltano state id: `meltano run sync-contacts` and what each side holds."""

    def __init__(self, emu: Emulator, pg, tmp_path):
        self.emu, self.pg, self.db = emu, pg, pg.create_database()
        self.state = f"sync-{uuid.uuid4().hex[:8]}"
        pg.sql(CRM, database=self.db)
        self.env = {**tap_env(emu), **pg.loader_env(self.db), **pg.tap_env(self.db),
                    **target_zohodesk_env(emu, journal_path=str(tmp_path / "journal.sqlite"),
                                          results_path=str(tmp_path / "results.jsonl"))}

    def run(self, *, fails: bool = False) -> dict[str, dict[str, str]]:
        """One run (``fails``: one expected to stop early); the summary lines the SQL steps printed."""
        self.emu.reset_counts()
        proc = meltano(["run", "--state-id-suffix", self.state, "sync-contacts"], self.env, check=not fails)
        steps = {}
        for line in proc.stderr.splitlines():
            if "step=" in line:
                fields = dict(part.split("=", 1) for part in line[line.index("step="):].split())
                steps[fields.pop("step")] = fields
        assert (proc.returncode != 0) == fails and set(steps) == ({"plan"} if fails else {"plan", "finish"}), \
            proc.stderr[-3000:]
        return steps

    def sql(self, statement: str) -> str:
        return self.pg.sql(statement, database=self.db)

    def rows(self, query: str) -> list[dict]:
        return self.pg.rows(query, database=self.db)

    def crm(self, where: str = "true") -> list[dict]:
        return self.pg.rows("select crm_id, email, first_name, last_name, phone, zoho_id, deleted_at is not null "
                            f"as deleted, updated_at::text, xmin::text from crm.contacts where {where} order by crm_id",
                            database=self.db)

    def zoho_writes(self) -> Counter:
        return Counter(e["route"] for e in self.emu.log if e["method"] in WRITES)

    def zoho(self, email: str) -> dict:
        found = [c for c in self.emu.store.tables["contacts"].rows if (c.get("email") or "").lower() == email.lower()]
        assert len(found) == 1, (email, found)
        return found[0]

    def assert_in_step(self) -> int:
        """Both sides hold the same live contacts, each CRM row knowing its Zoho id; their number."""
        live = sorted((c["id"], c["email"], c["firstName"], c["lastName"], c["phone"])
                      for c in self.emu.store.tables["contacts"].rows)
        crm = sorted((r["zoho_id"], r["email"], r["first_name"], r["last_name"], r["phone"])
                     for r in self.crm("deleted_at is null"))
        assert len(live) > 0 and crm == live
        return len(live)

    def snapshot(self) -> tuple:
        """Everything a run could write: the CRM rows (xmin moves on any write), Zoho's contacts, the sync's tables."""
        return (self.crm(), sorted((dict(c) for c in self.emu.store.tables["contacts"].rows), key=lambda c: c["id"]),
                len(self.emu.store.recycle_bin),
                self.pg.rows("select *, xmin::text from sync.contacts_state order by crm_id", database=self.db),
                self.sql("select count(*) from sync.contacts_conflicts"))

    def assert_quiet_run(self) -> None:
        """A run after which nothing changed: no write on either side, nothing sent, nothing logged."""
        before = self.snapshot()
        steps = self.run()
        assert not self.zoho_writes() and {e["method"] for e in self.emu.log} == {"GET"}
        assert self.snapshot() == before
        assert steps["plan"] == {"matched_by_email": "0", "crm_updated": "0", "crm_soft_deleted": "0",
                                 "crm_inserted": "0", "zoho_updates": "0", "zoho_deletes": "0", "zoho_creates": "0",
                                 "conflicts": "0"}
        assert steps["finish"] == {"sent": "0", "confirmed": "0", "ids_learned": "0"}


def _insert(sync: Sync, rows: list[tuple]) -> None:
    """CRM rows (email, first_name, last_name, phone, deleted)."""
    values = ", ".join(f"({_lit(e)}, {_lit(f)}, {_lit(la)}, {_lit(p)}, {'now()' if d else 'null'})"
                       for e, f, la, p, d in rows)
    sync.sql(f"insert into crm.contacts (email, first_name, last_name, phone, deleted_at) values {values}")


def test_first_run_matches_by_email_and_creates_on_each_side(sync):
    zoho = sorted(sync.emu.store.tables["contacts"].rows, key=lambda c: c["id"])
    assert len(zoho) >= 8
    same, differs = zoho[:3], zoho[3]
    zoho_phone = differs["phone"]
    _insert(sync, [(c["email"], c["firstName"], c["lastName"], c["phone"], False) for c in same])
    _insert(sync, [(differs["email"].upper(), differs["firstName"], differs["lastName"], "+1-555-0404", False)])
    new = [(f"crm{n}@crm.example", f"Crm{n}", f"Only{n}", f"+1-555-01{n:02d}", False) for n in range(3)]
    _insert(sync, new + [("gone@crm.example", "Gone", "Before", None, True)])

    # 1. first run: 4 pairs by email (one differs: the CRM row, newer, wins), 3 created in Zoho, the rest in the CRM
    steps = sync.run()
    assert steps["plan"] == {"matched_by_email": "4", "crm_updated": "0", "crm_soft_deleted": "0",
                             "crm_inserted": str(len(zoho) - 4), "zoho_updates": "1", "zoho_deletes": "0",
                             "zoho_creates": "3", "conflicts": "1"}
    assert steps["finish"] == {"sent": "4", "confirmed": "4", "ids_learned": "3"}
    assert sync.zoho_writes() == {"PATCH /contacts/{id}": 1, "POST /contacts": 3}
    assert sync.zoho(differs["email"])["email"] == differs["email"].upper()
    assert sync.zoho(differs["email"])["phone"] == "+1-555-0404"
    assert sync.assert_in_step() == len(zoho) + 3
    assert sync.crm("email = 'gone@crm.example'")[0]["zoho_id"] is None
    conflict = sync.rows("select winner, crm_version->>'phone' as crm, zoho_version->>'phone' as zoho "
                       "from sync.contacts_conflicts")
    assert conflict == [{"winner": "crm", "crm": "+1-555-0404", "zoho": zoho_phone}]

    # 2. nothing changed: nothing written anywhere
    sync.assert_quiet_run()


def _change_both_sides(sync: Sync) -> dict:
    """Each side edits, adds and deletes; two contacts change on both sides, the later change on either
    side. The contacts concerned, by role."""
    emu = sync.emu
    from_zoho = sorted((c for c in emu.store.tables["contacts"].rows if c["email"] != "made.in.crm@crm.example"),
                       key=lambda c: c["id"])
    roles = ("crm_edit", "zoho_edit", "crm_wins", "zoho_wins", "crm_del", "zoho_del")
    it = {role: dict(c) for role, c in zip(roles, from_zoho, strict=False)}
    it["made"] = dict(sync.zoho("made.in.crm@crm.example"))
    sync.sql(f"update crm.contacts set phone = '+44-20-0000-0001' where email = {_lit(it['crm_edit']['email'])};"
             f"update crm.contacts set last_name = 'Crm-early' where email = {_lit(it['zoho_wins']['email'])};"
             f"update crm.contacts set deleted_at = now() where email = {_lit(it['crm_del']['email'])}")
    _insert(sync, [("added.in.crm@crm.example", None, "Added", None, False)])
    time.sleep(0.2)
    emu.store.touch("contacts", [it["zoho_edit"]["id"], it["made"]["id"]], lastName="Zoho-edit")
    emu.store.touch("contacts", [it["crm_wins"]["id"]], lastName="Zoho-early")
    emu.store.touch("contacts", [it["zoho_wins"]["id"]], lastName="Zoho-late")
    emu.store.trash("contacts", it["zoho_del"]["id"], deleted_by=emu.store.tables["agents"].rows[0])
    it["late"] = dict.fromkeys(emu.store.fields("contacts"))
    it["late"].update(id=emu.store.new_id(), email="added.in.zoho@customer.example", firstName="Zed",
                      lastName="Added", phone="+1-555-0777", createdTime=emu.store.now(), modifiedTime=emu.store.now())
    emu.store.tables["contacts"].add(dict(it["late"]))
    time.sleep(0.2)
    sync.sql(f"update crm.contacts set last_name = 'Crm-late' where email = {_lit(it['crm_wins']['email'])}")
    return it


def test_later_runs_carry_changes_conflicts_and_deletes_both_ways(sync):
    emu = sync.emu
    _insert(sync, [("made.in.crm@crm.example", "Made", "Crm", "+1-555-0001", False)])
    sync.run()
    total = sync.assert_in_step()
    sync.assert_quiet_run()
    rows = {r["email"]: r for r in sync.crm()}
    binned = len(emu.store.recycle_bin)
    it = _change_both_sides(sync)
    assert len(emu.store.recycle_bin) == binned + 1  # the agent's delete

    steps = sync.run()
    assert steps["plan"] == {"matched_by_email": "0", "crm_updated": "3", "crm_soft_deleted": "1",
                             "crm_inserted": "1", "zoho_updates": "2", "zoho_deletes": "1", "zoho_creates": "1",
                             "conflicts": "2"}
    assert steps["finish"] == {"sent": "4", "confirmed": "4", "ids_learned": "1"}
    assert sync.zoho_writes() == {"PATCH /contacts/{id}": 2, "POST /contacts": 1, "POST /contacts/moveToTrash": 1}
    assert sync.zoho(it["crm_edit"]["email"])["phone"] == "+44-20-0000-0001"
    assert sync.zoho(it["crm_wins"]["email"])["lastName"] == "Crm-late"
    trashed = [(e["module"], e["id"]) for e in emu.store.recycle_bin[binned + 1:]]
    assert trashed == [("contacts", it["crm_del"]["id"])]
    assert sync.zoho("added.in.crm@crm.example")["lastName"] == "Added"
    after = {r["email"]: r for r in sync.crm()}
    assert after[it["zoho_edit"]["email"]]["last_name"] == "Zoho-edit"
    assert after["made.in.crm@crm.example"]["last_name"] == "Zoho-edit"  # the contact the first run created
    assert after[it["zoho_wins"]["email"]]["last_name"] == "Zoho-late"
    assert after[it["zoho_del"]["email"]]["deleted"] and not rows[it["zoho_del"]["email"]]["deleted"]
    assert after[it["crm_del"]["email"]]["deleted"] and not rows[it["crm_del"]["email"]]["deleted"]
    assert after["added.in.zoho@customer.example"]["zoho_id"] == it["late"]["id"]
    assert after["added.in.crm@crm.example"]["zoho_id"] == sync.zoho("added.in.crm@crm.example")["id"]
    assert sync.assert_in_step() == total + 2 - 2
    conflicts = sync.rows("select zoho_id, winner, crm_version->>'last_name' as crm, zoho_version->>'last_name' "
                        "as zoho from sync.contacts_conflicts order by zoho_id")
    expected = [{"zoho_id": it["crm_wins"]["id"], "winner": "crm", "crm": "Crm-late", "zoho": "Zoho-early"},
                {"zoho_id": it["zoho_wins"]["id"], "winner": "zoho", "crm": "Crm-early", "zoho": "Zoho-late"}]
    assert conflicts == sorted(expected, key=lambda c: c["zoho_id"])

    sync.assert_quiet_run()


def test_an_edit_newer_than_a_delete_on_the_other_side_brings_the_contact_back(sync):
    emu = sync.emu
    sync.run()
    total = sync.assert_in_step()
    gone_in_zoho, gone_in_crm = (dict(c) for c in sorted(emu.store.tables["contacts"].rows, key=lambda c: c["id"])[:2])
    emu.store.trash("contacts", gone_in_zoho["id"], deleted_by=emu.store.tables["agents"].rows[0])
    sync.sql(f"update crm.contacts set deleted_at = now() where email = {_lit(gone_in_crm['email'])}")
    time.sleep(0.2)
    sync.sql(f"update crm.contacts set phone = '+1-555-0808' where email = {_lit(gone_in_zoho['email'])}")
    emu.store.touch("contacts", [gone_in_crm["id"]], lastName="Back")

    steps = sync.run()
    assert steps["plan"] == {"matched_by_email": "0", "crm_updated": "1", "crm_soft_deleted": "0",
                             "crm_inserted": "0", "zoho_updates": "0", "zoho_deletes": "0", "zoho_creates": "1",
                             "conflicts": "2"}
    assert steps["finish"] == {"sent": "1", "confirmed": "1", "ids_learned": "1"}
    assert sync.zoho_writes() == {"POST /contacts": 1}
    again = sync.zoho(gone_in_zoho["email"])  # created anew: the old one stays in the recycle bin
    assert again["id"] != gone_in_zoho["id"] and again["phone"] == "+1-555-0808"
    assert gone_in_zoho["id"] in {e["id"] for e in emu.store.recycle_bin}
    back = sync.crm(f"email = {_lit(gone_in_crm['email'])}")
    assert [(r["deleted"], r["last_name"]) for r in back] == [(False, "Back")]
    assert sync.assert_in_step() == total
    conflicts = sync.rows("select zoho_id, winner, (crm_version->>'deleted')::bool as crm_deleted, (zoho_version"
                          "->>'deleted')::bool as zoho_deleted from sync.contacts_conflicts order by winner")
    assert conflicts == [{"zoho_id": gone_in_zoho["id"], "winner": "crm", "crm_deleted": False, "zoho_deleted": True},
                         {"zoho_id": gone_in_crm["id"], "winner": "zoho", "crm_deleted": True, "zoho_deleted": False}]

    sync.assert_quiet_run()


def test_a_write_zoho_refused_is_sent_again_by_the_next_run(sync):
    emu = sync.emu
    sync.run()
    edited, created = "+1-555-0909", ("late.crm@crm.example", "Late", "Crm", None, False)
    target = dict(sorted(emu.store.tables["contacts"].rows, key=lambda c: c["id"])[0])
    sync.sql(f"update crm.contacts set phone = {_lit(edited)} where email = {_lit(target['email'])}")
    _insert(sync, [created])
    state = sync.rows("select * from sync.contacts_state order by crm_id")
    emu.inject("extra_param", path=r"/contacts/\d+$")  # the PATCH is refused (422); the create goes through

    steps = sync.run(fails=True)  # target-zohodesk exits 2 (fail_on_error): no finish
    assert steps["plan"]["zoho_updates"] == "1" and steps["plan"]["zoho_creates"] == "1"
    assert sync.zoho_writes() == {"PATCH /contacts/{id}": 1, "POST /contacts": 1}
    assert sync.zoho(target["email"])["phone"] == target["phone"]
    assert sync.rows("select * from sync.contacts_state order by crm_id") == state
    assert sync.crm("email = 'late.crm@crm.example'")[0]["zoho_id"] is None

    steps = sync.run()  # the update again; the created contact is found by email, equal: paired, not sent
    assert steps["plan"]["zoho_updates"] == "1" and steps["plan"]["zoho_creates"] == "0"
    assert steps["plan"]["matched_by_email"] == "1" and steps["plan"]["conflicts"] == "0"
    assert sync.zoho_writes() == {"PATCH /contacts/{id}": 1}
    assert sync.zoho(target["email"])["phone"] == edited
    assert sync.crm("email = 'late.crm@crm.example'")[0]["zoho_id"] == sync.zoho("late.crm@crm.example")["id"]
    sync.assert_in_step()
    sync.assert_quiet_run()
