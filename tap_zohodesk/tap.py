"""tap-zohodesk: every Zoho Desk object as a Singer stream."""

from __future__ import annotations

import logging

from singer_sdk import Tap
from singer_sdk import typing as th
from singer_sdk.helpers.capabilities import EMIT_ACTIVATE_VERSION_CONFIG

from tap_zohodesk.about import about_text
from tap_zohodesk.api.catalog import OBJECTS
from tap_zohodesk.api.client import ZohoDeskClient, ZohoDeskError
from tap_zohodesk.api.connection import resolve_urls
from tap_zohodesk.api.errors import ConfigError
from tap_zohodesk.api.numbers import numbers_from_text
from tap_zohodesk.api.plugin import QuietConfigCheck, connection_properties
from tap_zohodesk.api.schema_files import load_schema
from tap_zohodesk.api.sdk import about_info, raw_config
from tap_zohodesk.custom_fields import read_custom_fields
from tap_zohodesk.deleted import DeletedRecordsStream
from tap_zohodesk.drift import EXTRA, EXTRA_SCHEMA, drift_lines
from tap_zohodesk.estimate import budget_too_small, estimate_lines
from tap_zohodesk.filters import FilterError, parse_filters
from tap_zohodesk.probe import PROBE_SETTINGS, run_probe, take_probe_flags
from tap_zohodesk.records import FastWriter
from tap_zohodesk.recycle import DELETED_RECORDS
from tap_zohodesk.report import RunReport
from tap_zohodesk.run import OwnResumeFilter, RunContext
from tap_zohodesk.streams import ZohoDeskStream
from tap_zohodesk.unwind import UnwoundStream


class TapZohoDesk(QuietConfigCheck, Tap):
    """Singer tap for Zoho Desk."""

    name = "tap-zohodesk"
    message_writer_class = FastWriter
    estimate_only = False  # --estimate
    probe_only = False  # --probe
    probe_report_path: str | None = None  # --probe-report PATH

    config_jsonschema = th.PropertiesList(
        *connection_properties(),
        th.Property("start_date", th.DateTimeType,
                    description="Earliest modification/creation time to read (ISO-8601)."),
        th.Property("filters", th.ObjectType(additional_properties=th.ObjectType()),
                    description='Native filters per stream, e.g. {"tickets": {"status": ["Open", "On Hold"]}}'),
        th.Property("emit_deletes", th.BooleanType, default=False,
                    description="Incremental runs of tickets, contacts, accounts, contracts, tasks, calls, "
                    "events, products also emit records deleted since the bookmark (_sdc_deleted_at)."),
        th.Property("deleted_records", th.ObjectType(
            th.Property("start_date", th.DateTimeType), th.Property("end_date", th.DateTimeType),
            th.Property("exclude_user_id", th.StringType)),
            description="Options of stream deleted_records (GetDeleted)."),
        th.Property("unwind_nested", th.BooleanType, default=False,
                    description="Each nested array of objects the catalog names (tickets.sharedDepartments, "
                    "comments' mention and attachments, business_hours.businessTimes, ...) also becomes a stream "
                    "<stream>__<path>, right after its parent: one row per element with _parent_<key> and "
                    "_position; elements a parent no longer has and deleted parents become delete markers "
                    "(_sdc_deleted_at)."),
        th.Property("include_thread_content", th.BooleanType, default=False,
                    description="threads: one extra request per thread for its full content."),
        th.Property("child_sweep_days", th.NumberType, default=7,
                    description="Every N days child streams visit every parent (0: never); "
                    "catches children whose parent's modifiedTime did not move."),
        th.Property("lookback_seconds", th.IntegerType, default=0,
                    description="Re-read this many seconds before the bookmark (search-index lag)."),
        th.Property("max_api_credits", th.IntegerType,
                    description="Stop cleanly once this many API credits are spent in the run: the state "
                    "reached is emitted, exit 0, and the next run resumes there."),
        th.Property("estimate", th.BooleanType, default=False,
                    description="Sync nothing: print what the selected streams would cost (calls, credits) "
                    "on a first run and on the next run (same as --estimate)."),
        *PROBE_SETTINGS,
    ).to_dict()

    def _validate_config(self, *, raise_errors: bool = True) -> list[str]:
        numbers_from_text(raw_config(self), self.config_jsonschema)  # TAP_..._RETRY_BACKOFF_SECONDS=0.5: api/numbers.py
        return super()._validate_config(raise_errors=raise_errors)

    @classmethod
    def append_builtin_config(cls, config_jsonschema: dict) -> None:
        """The SDK's settings, plus ``emit_activate_version_messages``: the capability activate-version the
        SDK declares is delivered (full-table streams send ACTIVATE_VERSION) only with that setting on."""
        super().append_builtin_config(config_jsonschema)
        for name, prop in EMIT_ACTIVATE_VERSION_CONFIG["properties"].items():
            config_jsonschema["properties"].setdefault(name, {**prop, "description": (
                "Full-table streams (agents, teams, roles, tags, ...: read whole every run) send ACTIVATE_VERSION "
                "after their SCHEMA, so a loader with hard_delete (target-postgres) drops the rows Zoho no "
                "longer returns.")})

    def __init__(self, *args, **kwargs):
        self._cf_types: dict | None = None
        self.run: RunContext | None = None
        super().__init__(*args, **kwargs)
        try:
            resolve_urls(self.config)
        except ConfigError as exc:
            raise SystemExit(f"tap-zohodesk: {exc}") from None

    def _run_context(self) -> RunContext:
        """The context the streams share (filters checked before any API call)."""
        if self.run is None:
            try:
                filters = parse_filters(self.config.get("filters"))
            except FilterError as exc:
                raise SystemExit(f"tap-zohodesk: {exc}") from None
            config = {**self.config, **({"probe_report": self.probe_report_path} if self.probe_report_path else {})}
            self.run = RunContext(config, filters, lambda: self.streams)
        return self.run

    @property
    def client(self) -> ZohoDeskClient:
        """The shared API client, created on first use."""
        return self._run_context().client

    @property
    def filters(self) -> dict:
        return self._run_context().filters

    def discover_streams(self) -> list[ZohoDeskStream]:
        run = self._run_context()  # filters checked before any API call: discovery reads field metadata
        streams = []
        for spec in OBJECTS:
            schema = load_schema(spec)
            if "cf" in schema["properties"]:
                typed = self._custom_types(spec)
                if typed is not None:
                    schema["properties"]["cf"] = {"type": ["object", "null"], "properties": typed,
                                                  "additionalProperties": False}
            if self.config.get("emit_deletes") and spec.marks_deletes:
                schema["properties"]["_sdc_deleted_at"] = {"type": ["string", "null"], "format": "date-time"}
            if self.config.get("keep_unknown_fields"):
                schema["properties"][EXTRA] = dict(EXTRA_SCHEMA)
            streams.append(ZohoDeskStream(self, spec, schema, run))
            if self.config.get("unwind_nested"):  # each right after its parent: it reads what the parent kept
                streams += [UnwoundStream(self, spec, path, schema, run) for _, path in spec.unwound]
        deleted = load_schema(DELETED_RECORDS)
        if self.config.get("keep_unknown_fields"):
            deleted["properties"][EXTRA] = dict(EXTRA_SCHEMA)
        streams.append(DeletedRecordsStream(self, DELETED_RECORDS, deleted, run))
        return streams

    def load_streams(self) -> list[ZohoDeskStream]:
        """Catalog order, not the SDK's alphabetical one: a parent syncs before its children,
        which then reuse its rows instead of reading them again."""
        return self.discover_streams()

    def _custom_types(self, spec) -> dict[str, dict] | None:
        """The typed custom fields of ``spec``'s module: from the catalog the run was given when
        there is one (no metadata call, never silently changed), else from the org's field
        metadata (discovery). None: ``cf`` stays an open object."""
        catalog = self.input_catalog
        if catalog is not None:
            entry = catalog.get_stream(spec.stream)
            cf = entry.schema.to_dict().get("properties", {}).get("cf", {}) if entry else {}
            return cf.get("properties") if cf.get("additionalProperties") is False else None
        return self._custom_fields().get(spec.read.cf_module or "")

    def _custom_fields(self) -> dict[str, dict[str, dict]]:
        """The org's custom fields per module, read once per run (8 calls)."""
        if self._cf_types is None:
            missing = [k for k in ("client_id", "client_secret", "refresh_token", "org_id") if not self.config.get(k)]
            if self.probe_only or self.config.get("probe"):  # the probe reads the metadata itself, counted
                self._cf_types = {}
                return self._cf_types
            if missing:
                self.logger.warning("Custom fields stay untyped: no credentials (%s) to read field metadata",
                                    ", ".join(missing))
                self._cf_types = {}
                return self._cf_types
            try:
                self._cf_types = read_custom_fields(self.client, self.logger)
            except ZohoDeskError as exc:  # e.g. the OAuth refresh itself failed
                self.logger.warning("Custom fields stay untyped: field metadata unreadable (%s)", exc)
                self._cf_types = {}
        return self._cf_types

    def run_sync_dry_run(self, *args, **kwargs) -> bool:
        """--test (the SDK's connection test) syncs without sync_all: the run's scratch files go at its end too."""
        try:
            return super().run_sync_dry_run(*args, **kwargs)
        finally:
            if self.run is not None:
                self.run.close()

    def sync_all(self) -> None:
        run = self._run_context()
        if self.probe_only or self.config.get("probe"):
            run_probe(self, run)
            return
        if self.estimate_only or self.config.get("estimate"):
            for line in estimate_lines(self.streams, self.state):
                self.logger.info("estimate | %s", line)
            return
        budget = self.config.get("max_api_credits")
        short = budget_too_small(self.streams, int(budget)) if budget else None
        if short:  # refused before any call: such a budget would never move the run on
            raise SystemExit(f"tap-zohodesk: {short}")
        run.report = RunReport(self.logger, lambda: run.client.stats())
        quiet = OwnResumeFilter(run)
        logging.getLogger("singer_sdk").addFilter(quiet)
        try:
            super().sync_all()
        finally:
            logging.getLogger("singer_sdk").removeFilter(quiet)
            run.close()
            if run.has_client:
                for line in run.report.close(run.failed, run.skipped) + drift_lines(list(run.drifts.values())):
                    self.logger.info("run | %s", line)
                stats = run.client.stats()
                self.logger.info("Zoho Desk API: %d calls, %d credits, %d retries, %d token refreshes",
                                 stats["calls"], stats["credits_used"], stats["retries"], stats["token_refreshes"])
            if run.stopped_by_budget:
                self.logger.warning("Stopped at the credit budget in stream '%s' (%s); the state reached is "
                                    "saved and the next run resumes there", *run.stopped_by_budget)
        failure = run.outcome()
        if failure is not None:  # every other stream went on; the run still says it failed
            raise failure

    @classmethod
    def print_about(cls, output_format: str | None = None) -> None:
        """The SDK's about information, plus each stream's read call and its evidence grade."""
        print(about_text(about_info(cls), output_format))  # noqa: T201


def main() -> None:  # console-script entry point
    """Run the CLI; a Zoho or config failure ends as one line on stderr, exit 1 (LOGLEVEL=DEBUG: traceback)."""
    import sys

    from tap_zohodesk.api.plugin import run_cli

    if "--estimate" in sys.argv:  # our flag, not the SDK's: taken out before it parses the rest
        sys.argv.remove("--estimate")
        TapZohoDesk.estimate_only = True
    TapZohoDesk.probe_only, TapZohoDesk.probe_report_path = take_probe_flags(sys.argv)
    run_cli(TapZohoDesk.name, TapZohoDesk.cli)
