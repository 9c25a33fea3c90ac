"""Run the tap in-process and collect what it wrote."""

from __future__ import annotations

import contextlib
import io
import json
from collections import defaultdict
from dataclasses import dataclass, field

from tap_zohodesk.tap import TapZohoDesk


@dataclass
class SyncResult:
    records: dict[str, list[dict]] = field(default_factory=lambda: defaultdict(list))
    schemas: dict[str, dict] = field(default_factory=dict)
    state: dict = field(default_factory=dict)
    stats: dict = field(default_factory=dict)

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


def run_tap(config: dict, *, streams: list[str] | None = None, state: dict | None = None) -> SyncResult:
    tap = TapZohoDesk(config=config, catalog=catalog_for(config, streams), state=state or {},
                      parse_env_config=False)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        tap.sync_all()
    result = SyncResult()
    for line in out.getvalue().splitlines():
        message = json.loads(line)
        if message["type"] == "RECORD":
            result.records[message["stream"]].append(message["record"])
        elif message["type"] == "SCHEMA":
            result.schemas[message["stream"]] = message["schema"]
        elif message["type"] == "STATE":
            result.state = message["value"]
    result.stats = tap.client.stats() if tap._client else {}
    return result
