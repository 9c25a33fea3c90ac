"""Scaling out: one org's sync split into jobs that run side by side, each with its own Meltano state.

Zoho bounds a sync by the org's daily credits and concurrency cap, not by a machine, so past one
process the work is split into jobs under the orchestrator already in use. Each job here is a pair of
plugins inheriting from tap-zohodesk (its own streams, filters and ``max_concurrency``) and target-csv
(its own folder), run as `meltano run tap-zohodesk--<job> target-csv--<job>`; all jobs of a round start
at once against one emulator, and a single run of the tap reading everything is the reference:

- (a) by stream group: tickets with their children (threads, comments) | contacts, accounts, agents;
- (b) by department: the ticket group with ``filters.tickets.departmentId`` = one half of the departments
  | the other half (children follow their parent's filter: they stay in the parent's job).

Each round every job reads exactly its share (checked against the emulator's rows), the union of a split's
outputs is the reference's, id for id per stream, and each job's state holds only its own streams,
bookmarked at its own rows. The second round, after edits in both halves and a ticket moved across them,
gives the edits, plus the rows each job reads again at its own bookmark instant (the tap's incremental
reads include it). Every API call of a round is one a job reports.

Plugin names per job, not one pair of plugins with `--state-id-suffix`: Meltano 4.4 keeps a plugin's
discovered catalog, the state file it hands the tap and the logging config in `.meltano/run/<plugin>/`,
one folder per plugin name, so concurrent runs of one plugin in one project overwrite each other's files
(seen: "Invalid catalog").
"""

from __future__ import annotations

import copy
import json
import re
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.emulator import Emulator
from tests.helpers import catalog_for, run_tap
from tests.warehouses import csv_rows, meltano, need_plugins, scratch_project, tap_env

TICKET_SIDE = ["tickets", "threads", "ticket_comments"]
CUSTOMER_SIDE = ["contacts", "accounts", "agents"]
CAP = 20  # the org's concurrency cap; the four jobs of a round take 5 calls in flight each
CHILD_READS = {"GET /tickets/{ticketId}/threads", "GET /tickets/{ticketId}/comments"}
LIST_READS = {"GET /tickets/search", "GET /contacts/search", "GET /accounts/search", "GET /agents"}
STATS = re.compile(r"tap-zohodesk--\S+\s+Zoho Desk API: (\d+) calls, (\d+) credits")


@dataclass
class Job:
    name: str
    streams: list[str]
    departments: list[str] | None = None

    @property
    def loader(self) -> dict:
        return {"name": f"target-csv--{self.name}", "inherit_from": "target-csv"}

    @property
    def plugin(self) -> dict:
        config: dict = {"max_concurrency": CAP // 4}
        if self.departments:
            config["filters"] = {"tickets": {"departmentId": self.departments}}
        return {"name": f"tap-zohodesk--{self.name}", "inherit_from": "tap-zohodesk",
                "catalog": f"catalog-{self.name}.json", "config": config}

    def catalog(self, discovered: dict) -> dict:
        """The discovered catalog with this job's streams selected (what `select: [tickets.*, ...]` gives)."""
        catalog = copy.deepcopy(discovered)
        for entry in catalog["streams"]:
            for meta in entry["metadata"]:
                if meta["breadcrumb"] == []:
                    meta["metadata"]["selected"] = entry["tap_stream_id"] in self.streams
        return catalog

    @property
    def state_id(self) -> str:
        return f"demo:tap-zohodesk--{self.name}-to-target-csv--{self.name}"


@dataclass
class Outcome:
    records: dict[str, list[dict]]
    calls: int
    credits: int

    def ids(self, stream: str) -> list[str]:
        return [r["id"] for r in self.records.get(stream, [])]


def _run(emu: Emulator, project: Path, job: Job, out: Path) -> Outcome:
    out.mkdir(parents=True)
    proc = meltano(["run", f"tap-zohodesk--{job.name}", f"target-csv--{job.name}"],
                   {**tap_env(emu), "TARGET_CSV_OUTPUT_PATH": str(out)}, project=project)
    stats = STATS.findall(proc.stderr)
    assert len(stats) == 1, proc.stderr[-3000:]
    records = {folder.name: csv_rows(out, folder.name) for folder in out.iterdir()}  # <stream>/<run>.csv
    return Outcome(records, int(stats[0][0]), int(stats[0][1]))


def _round(emu: Emulator, project: Path, jobs: list[Job], out: Path) -> tuple[dict[str, Outcome], list[dict]]:
    """All ``jobs`` at once; every call the emulator served is one a job counted. The outcomes, and the calls."""
    emu.reset_counts()
    with ThreadPoolExecutor(len(jobs)) as pool:
        running = {job.name: pool.submit(_run, emu, project, job, out / job.name) for job in jobs}
        done = {name: future.result() for name, future in running.items()}
    assert len(emu.log) == sum(o.calls for o in done.values())
    assert not emu.errors()
    return done, list(emu.log)


def _state(project: Path, job: Job) -> dict:
    return json.loads(meltano(["state", "get", job.state_id], {}, project=project).stdout)["singer_state"]


def _bookmark(state: dict, stream: str) -> str | None:
    return (state.get("bookmarks", {}).get(stream) or {}).get("replication_key_value")


def _expected(emu: Emulator, job: Job, state: dict) -> dict[str, list[str]]:
    """What a ticket-side job must emit, from the emulator: its departments' tickets modified at or after
    its bookmark (after it when the state notes the bookmark's instant finished, instants.py), and every
    thread and comment of those."""
    since = _bookmark(state, "tickets") or ""
    done = bool(since) and (state.get("bookmarks", {}).get("tickets") or {}).get("instant_done") == since
    tickets = sorted(t["id"] for t in emu.store.tables["tickets"].rows
                     if (t["modifiedTime"] > since if done else t["modifiedTime"] >= since)
                     and (job.departments is None or t["departmentId"] in job.departments))
    out = {"tickets": tickets}
    for child in ("threads", "ticket_comments"):
        out[child] = sorted(r["id"] for r in emu.store.tables[child].rows if r["ticketId"] in set(tickets))
    return out


@pytest.fixture(scope="module")
def csv_loader():
    need_plugins("target-csv")


def test_partitioned_jobs_read_what_one_job_reads_and_keep_their_own_state(csv_loader, tmp_path):
    with Emulator(tickets=150, seed=52, max_concurrency=CAP) as emu:
        tickets = emu.store.tables["tickets"]
        departments = sorted({t["departmentId"] for t in tickets.rows})
        commented = {tickets.by_id[c["ticketId"]]["departmentId"] for c in emu.store.tables["ticket_comments"].rows
                     if c["ticketId"] in tickets.by_id}
        assert len(commented) >= 2, "the seed data needs comments in two departments"
        order = sorted(departments, key=lambda d: (d not in commented, d))
        halves = [order[::2], order[1::2]]  # each half has tickets with comments
        by_streams = [Job("tickets", TICKET_SIDE), Job("customers", CUSTOMER_SIDE)]
        by_department = [Job(f"departments-{n}", TICKET_SIDE, half) for n, half in enumerate(halves)]
        jobs = by_streams + by_department
        project = scratch_project(tmp_path / "project", [job.plugin for job in jobs], [job.loader for job in jobs])
        # each job's catalog given, as a pinned (non-editable) install has it cached: no discovery in the runs
        discovered = catalog_for(emu.config(), None)
        for job in jobs:
            (project / f"catalog-{job.name}.json").write_text(json.dumps(job.catalog(discovered)))
        meltano(["state", "list"], {}, project=project)  # its system database, made before the jobs share it
        states = {job.name: {} for job in jobs}
        reference: dict = {}
        rounds = []
        for n in (1, 2):
            if n == 2:  # edits in both halves, a ticket moved across them, contacts changed
                ids = [[t["id"] for t in tickets.rows if t["departmentId"] in half] for half in halves]
                edited, moved = ids[0][:3] + ids[1][:3], ids[0][5]
                emu.store.touch("tickets", edited, status="On Hold")
                emu.store.touch("tickets", [moved], departmentId=halves[1][0])  # across the split
                contacts = [c["id"] for c in emu.store.tables["contacts"].rows[:2]]
                emu.store.touch("contacts", contacts, phone="+1-555-0142")
            expected = {job.name: _expected(emu, job, states[job.name]) for job in jobs if job.streams == TICKET_SIDE}
            outcomes, calls = _round(emu, project, jobs, tmp_path / f"round-{n}")
            full = run_tap(emu.config(), streams=TICKET_SIDE + CUSTOMER_SIDE, state=reference)
            reference = full.state
            ref = Outcome(dict(full.records), full.stats["calls"], full.stats["credits_used"])
            rounds.append({"one job": ref, **outcomes})
            states = {job.name: _state(project, job) for job in jobs}

            for name, want in expected.items():  # each job read exactly its share, children with their parents
                assert {s: sorted(outcomes[name].ids(s)) for s in TICKET_SIDE} == want, (n, name)
            a, b = [outcomes[j.name] for j in by_streams], [outcomes[j.name] for j in by_department]
            for stream in TICKET_SIDE + CUSTOMER_SIDE:  # split by streams: the one job's rows, id for id
                assert _union(*a, stream=stream) == sorted(ref.ids(stream)), (n, stream)
            assert set(a[0].records) <= set(TICKET_SIDE) and set(a[1].records) <= set(CUSTOMER_SIDE)
            for stream in TICKET_SIDE:  # split by department: the same (later rounds: plus each job's own
                union, one = Counter(_union(*b, stream=stream)), Counter(ref.ids(stream))  # bookmark instant)
                assert (union == one) if n == 1 else not one - union, (n, stream)
            if n == 1:
                assert all(ref.ids(s) for s in TICKET_SIDE + CUSTOMER_SIDE)
                assert all(want[s] for want in expected.values() for s in TICKET_SIDE)

            for job in jobs:  # no state clash: each job's bookmarks are its own streams, at its own rows
                assert set(states[job.name]["bookmarks"]) <= set(job.streams), job.name
            for job, half in zip(by_department, halves, strict=True):
                mine = [t["modifiedTime"] for t in tickets.rows if t["departmentId"] in half]
                assert _bookmark(states[job.name], "tickets") == max(mine), (n, job.name)
            assert _bookmark(states["tickets"], "tickets") == _bookmark(reference, "tickets")
            assert _bookmark(states["customers"], "contacts") == _bookmark(reference, "contacts")
            # what the splits cost beyond the lists and searches: a child read per parent a job emitted, by that
            # job, once; each split reads the parents of one job (round 2: plus each job's own bookmark instant)
            readers = Counter(i for name in expected for i in outcomes[name].ids("tickets"))
            children = Counter((e["route"], e["path"].split("/")[4]) for e in calls if e["route"] in CHILD_READS)
            assert children and all(count == readers[ticket] for (_, ticket), count in children.items()), n
            assert {e["route"] for e in calls} <= CHILD_READS | LIST_READS, n

        second = rounds[1]
        changed = sorted([*edited, moved])
        assert [i for i in sorted(second["one job"].ids("tickets")) if i in changed] == changed
        assert set(contacts) <= set(second["customers"].ids("contacts"))
        assert moved in second["departments-1"].ids("tickets") and moved not in second["departments-0"].ids("tickets")
        _print_costs(rounds)


def _union(*outcomes: Outcome, stream: str) -> list[str]:
    return sorted(i for o in outcomes for i in o.ids(stream))


def _print_costs(rounds: list[dict[str, Outcome]]) -> None:
    """Seen with `pytest -s`: what each job read and paid, per round."""
    for n, outcomes in enumerate(rounds, 1):
        for name, o in outcomes.items():
            rows = {s: len(r) for s, r in o.records.items()}
            print(f"round {n} {name:<14} calls {o.calls:>4} credits {o.credits:>5} rows {rows}")
