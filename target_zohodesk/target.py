"""target-zohodesk: Singer records in, Zoho Desk writes out (see writer.py for the policy)."""

from __future__ import annotations

import threading
from collections import Counter
from pathlib import Path

from singer_sdk import Target
from singer_sdk import typing as th

from tap_zohodesk.client import ZohoDeskClient
from tap_zohodesk.connection import ConfigError, connection_properties, resolve_urls
from target_zohodesk.sinks import ZohoDeskSink
from target_zohodesk.writer import Journal, Result, Writer, result_line

DEFAULT_JOURNAL = ".target-zohodesk/journal.sqlite"


class TargetZohoDesk(Target):
    """Singer target for Zoho Desk."""

    name = "target-zohodesk"
    default_sink_class = ZohoDeskSink

    config_jsonschema = th.PropertiesList(
        *connection_properties(),
        th.Property("dry_run", th.BooleanType, default=False,
                    description="Validate and resolve every record, report what would be done, write nothing."),
        th.Property("results_path", th.StringType,
                    description="JSONL file: one line per input record (stream, operation, id, status, error)."),
        th.Property("journal_path", th.StringType, default=DEFAULT_JOURNAL,
                    description="SQLite journal of creates already done, so a replay creates nothing twice."),
    ).to_dict()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        try:
            resolve_urls(self.config)
        except ConfigError as exc:
            raise SystemExit(f"target-zohodesk: {exc}") from None
        self._writer: Writer | None = None
        self._lock = threading.Lock()
        self.outcomes: Counter[str] = Counter()
        self._results = None

    @property
    def writer(self) -> Writer:
        if self._writer is None:
            dry = bool(self.config.get("dry_run"))
            client = None if dry else ZohoDeskClient(dict(self.config), user_agent="target-zohodesk")
            journal = Journal(self.config.get("journal_path") or DEFAULT_JOURNAL)
            self._writer = Writer(client, journal, dry_run=dry)
        return self._writer

    def report(self, results: list[Result]) -> None:
        """Every record's outcome: to results_path, and each error to the log as one line."""
        with self._lock:
            if self._results is None and self.config.get("results_path"):
                path = Path(self.config["results_path"])
                path.parent.mkdir(parents=True, exist_ok=True)
                self._results = path.open("a", encoding="utf-8")
            for result in results:
                self.outcomes[f"{result.operation} {result.status}"] += 1
                if result.status == "error":
                    self.logger.error("%s", result.error)
                if self._results is not None:
                    self._results.write(result_line(result) + "\n")
            if self._results is not None:
                self._results.flush()

    def process_endofpipe(self) -> None:
        super().process_endofpipe()
        if self._results is not None:
            self._results.close()
        self.logger.info("target-zohodesk results: %s", dict(self.outcomes) or "no records")


def main() -> None:  # console-script entry point
    """Run the CLI; a Zoho or config failure ends as one line on stderr, exit 1 (LOGLEVEL=DEBUG: traceback)."""
    from tap_zohodesk.connection import run_cli

    run_cli(TargetZohoDesk.name, TargetZohoDesk.cli)
