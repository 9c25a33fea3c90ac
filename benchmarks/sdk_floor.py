"""A second reference of benchmarks/targets.py: the bare singer-sdk tap over the same GET calls.

python -c "from benchmarks.sdk_floor import main; main()" config.json calls.json [none]
One stream with the tickets schema, the SDK's defaults (type conformance, state, messages; with
``none``: no type conformance, the SDK's least per-record work), each
answer's rows yielded as records, replayed over the calls the tap made, on one requests session.
No pruning, drift check, custom-field typing, retries or concurrency: what the SDK alone costs
for these pages, so the tap's CPU can be split into the SDK's share and its own.
"""

from __future__ import annotations

import json
import sys

from singer_sdk import Stream, Tap
from singer_sdk.helpers.conform import TypeConformanceLevel

from benchmarks.replay import answers
from tap_zohodesk.api.catalog import BY_STREAM
from tap_zohodesk.api.schema_files import load_schema


class Replayed(Stream):
    name = "tickets"
    primary_keys = ("id",)
    replication_key = "modifiedTime"

    def get_records(self, context):
        for rows in answers(self.config, json.load(open(self.config["calls_file"]))):
            yield from rows


class Floor(Tap):
    name = "tap-sdk-floor"
    config_jsonschema = {"type": "object", "properties": {}}

    def discover_streams(self):
        return [Replayed(self, schema=load_schema(BY_STREAM["tickets"]))]


def main() -> None:
    config = {**json.load(open(sys.argv[1])), "calls_file": sys.argv[2]}
    if sys.argv[3:] == ["none"]:
        Replayed.TYPE_CONFORMANCE_LEVEL = TypeConformanceLevel.NONE
    tap = Floor(config=config, validate_config=False)
    tap.sync_all()


if __name__ == "__main__":
    main()
