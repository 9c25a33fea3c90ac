"""Run the tap in-process and collect what it wrote; an emulator set up for target tests."""

from __future__ import annotations

import contextlib
import io
import json
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from tap_zohodesk.tap import TapZohoDesk
from tests.emulator import Emulator
from tests.emulator.data import zoho_time


@dataclass
class SyncResult:
    records: dict[str, list[dict]] = field(default_factory=lambda: defaultdict(list))
    schemas: dict[str, dict] = field(default_factory=dict)
    state: dict = field(default_factory=dict)
    stats: dict = field(default_factory=dict)
    error: Exception | None = None  # with run_tap(..., failing=True): what the run ended with

    def ids(self, stream: str) -> list[str]:
        return [r["id"] for r in self.records[stream]]


def catalog_for(config: dict, streams: list[str] | None) -> dict:
    """The tap's discovered catalog with only ``streams`` selected (all when None)."""
    catalog = TapZohoDesk(config=config, parse_env_config=False).catalog_dict
    for entry in catalog["streams"]:
        chosen = streams is None or entry["tap_stream_id"] in streams
        for meta in entry["metadata"]:
            if meta["breadcrumb"] == []:
                meta["metadata"]["selected"] = chosen
    return catalog


def run_tap(config: dict, *, streams: list[str] | None = None, state: dict | None = None,
            failing: bool | None = False) -> SyncResult:
    """Sync in-process; ``failing``: the run must end with an error, kept in ``error`` beside what
    it wrote (None: it may, e.g. in a benchmark)."""
    tap = TapZohoDesk(config=config, catalog=catalog_for(config, streams), state=state or {},
                      parse_env_config=False)
    out = io.StringIO()
    result = SyncResult()
    with contextlib.redirect_stdout(out):
        try:
            tap.sync_all()
        except Exception as exc:
            if failing is False:
                raise
            result.error = exc
    if failing and result.error is None:
        raise AssertionError("the run was expected to fail and did not")
    for line in out.getvalue().splitlines():
        message = json.loads(line)
        if message["type"] == "RECORD":
            result.records[message["stream"]].append(message["record"])
        elif message["type"] == "SCHEMA":
            result.schemas[message["stream"]] = message["schema"]
        elif message["type"] == "STATE":
            result.state = message["value"]
    result.stats = tap.run.client.stats() if tap.run and tap.run.has_client else {}
    return result


def singer_lines(stream: str, schema: dict, records: list[dict], key: list[str] | None = None) -> str:
    lines = [{"type": "SCHEMA", "stream": stream, "schema": schema, "key_properties": key or []}]
    lines += [{"type": "RECORD", "stream": stream, "record": r} for r in records]
    return "\n".join(json.dumps(line) for line in lines) + "\n"


def run_target(config: dict, text: str) -> list[dict]:
    """Run target-zohodesk in-process on Singer ``text``; return the lines of its results file."""
    from pathlib import Path

    from target_zohodesk.target import TargetZohoDesk

    target = TargetZohoDesk(config=config, parse_env_config=False)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        target.listen(file_input=io.StringIO(text))
    path = Path(config["results_path"])
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


@contextlib.contextmanager
def target_emulator(tmp_path: Path, *, tickets: int, seed: int, **config):
    """A fresh emulator whose ``cfg`` is a target config writing its results and journal under ``tmp_path``."""
    with Emulator(tickets=tickets, seed=seed) as emulator:
        emulator.cfg = emulator.config(results_path=str(tmp_path / "results.jsonl"),
                                       journal_path=str(tmp_path / "journal.sqlite"), **config)
        yield emulator


def crowd_late(emu: Emulator, table_name: str = "tickets") -> None:
    """Move each record's modifiedTime later, keeping the span and the order: time fraction u of the
    span becomes 1 - (1 - u)^3, so over half the rows lie in its last fifth (data that grows)."""
    table = emu.store.tables[table_name]

    def seconds(stamp: str) -> float:
        return datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=timezone.utc).timestamp()

    with emu.store.lock:
        stamps = sorted(r["modifiedTime"] for r in table.rows)
        first, last = seconds(stamps[0]), seconds(stamps[-1])
        for row in table.rows:
            u = (seconds(row["modifiedTime"]) - first) / (last - first)
            row["modifiedTime"] = zoho_time(first + (1 - (1 - u) ** 3) * (last - first))
        table.changed()


def refuse_search_page(emulator, n: int) -> list[str]:
    """The emulator refuses the ``n``-th tickets search call once (a 422 naming ``sortOrder``, as Zoho
    names a parameter it does not take); the returned list fills with the search calls served."""
    searches: list[str] = []

    def hook(method: str, route: str) -> None:
        if route.endswith("tickets/search"):
            searches.append(route)
            if len(searches) == n:
                emulator.inject("extra_param", path="tickets/search", param="sortOrder")

    emulator.hook = hook
    return searches
