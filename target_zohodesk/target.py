"""target-zohodesk: Singer records in, Zoho Desk writes out (see writer.py for the policy).

The run, in a few lines:
- every record gets one line in ``results_path``; each error is one log line; a stream (or
  an operation of it) Zoho Desk cannot write is said once and its records are ``skipped``;
- a failure no record can fix (outcome.is_fatal) stops the run at once: one line, the
  records read but not written are ``not_attempted``, no STATE goes out past them, exit 1;
- a malformed input line (reader.py): the records before it are written and STATE up to
  it goes out, then the run stops naming the line, exit 1;
- at the end a table per stream and operation (ok, error, skipped, not attempted) is
  logged; with ``fail_on_error`` (default) a run where records failed exits 2.
"""

from __future__ import annotations

import json
import sys
import threading
import traceback
from pathlib import Path
from urllib.parse import urlsplit

from singer_sdk import Target
from singer_sdk import typing as th
from singer_sdk.about import AboutFormatter
from singer_sdk.exceptions import RecordsWithoutSchemaException

from tap_zohodesk.api.catalog import BY_STREAM
from tap_zohodesk.api.client import ZohoDeskClient
from tap_zohodesk.api.connection import (
    ConfigError,
    QuietConfigCheck,
    connection_properties,
    debug_requested,
    resolve_urls,
)
from target_zohodesk.batches import record_id
from target_zohodesk.contract import as_markdown, as_text, write_contract
from target_zohodesk.journal import TAG, Journal, default_path
from target_zohodesk.outcome import FatalStop, RecordsFailed, Result, RunStopped, Tally, result_line
from target_zohodesk.reader import LineReader, RecordBeforeSchema
from target_zohodesk.sinks import ZohoDeskSink, pending_records
from target_zohodesk.writer import Writer, operation_of


def check_upsert_keys(value: object) -> dict[str, list[str]]:
    """Config ``upsert_keys``: stream -> fields its search takes; anything else is a ConfigError."""
    if value in (None, {}):
        return {}
    if not isinstance(value, dict):
        raise ConfigError("config 'upsert_keys' must be an object: stream -> list of fields")
    out = {}
    for stream, fields in value.items():
        spec = BY_STREAM.get(stream)
        searchable = spec.write.search_keys if spec and spec.read.search else ()
        if not searchable or not {"INSERT", "UPDATE"} <= spec.write.dml:
            known = ", ".join(sorted(s.stream for s in BY_STREAM.values() if s.write.search_keys))
            raise ConfigError(f"config 'upsert_keys': {stream!r} cannot be upserted (streams that can: {known})")
        if not isinstance(fields, list) or not fields or not all(isinstance(f, str) for f in fields):
            raise ConfigError(f"config 'upsert_keys'.{stream} must be a non-empty list of field names")
        wrong = [f for f in fields if f not in searchable]
        if wrong:
            raise ConfigError(f"config 'upsert_keys'.{stream}: {', '.join(wrong)} not searchable "
                              f"(its search takes {', '.join(searchable)})")
        out[stream] = list(fields)
    return out


class TargetZohoDesk(QuietConfigCheck, Target):
    """Singer target for Zoho Desk."""

    name = "target-zohodesk"
    default_sink_class = ZohoDeskSink
    message_reader_class = LineReader

    config_jsonschema = th.PropertiesList(
        *connection_properties(),
        th.Property("dry_run", th.BooleanType, default=False,
                    description="Validate and resolve every record, report what would be done, write nothing."),
        th.Property("results_path", th.StringType,
                    description="JSONL file: one line per input record (stream, operation, id, status, error)."),
        th.Property("journal_path", th.StringType,
                    description="SQLite journal of the creates done in this org, so a replay creates nothing twice "
                    "(default .target-zohodesk/<org_id>/journal.sqlite)."),
        th.Property("fail_on_error", th.BooleanType, default=True,
                    description="Exit non-zero (2) when any record failed; false: exit 0 and leave it to the "
                    "results file."),
        th.Property("attachments_dir", th.StringType,
                    description="Folder an attachment record's filePath may name a file in (relative paths start "
                    "there; a path leading out, symlinks included, is refused). Unset: filePath is refused; "
                    "contentBase64 always works."),
        th.Property("upsert_keys", th.ObjectType(additional_properties=th.ArrayType(th.StringType)),
                    description='Natural keys per stream, e.g. {"contacts": ["email"], "accounts": ["accountName"]}: '
                    "a record without id is looked up by them, then updated or inserted."),
    ).to_dict()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        try:
            self.api_url = resolve_urls(self.config)[0]
            self.upsert_keys = check_upsert_keys(self.config.get("upsert_keys"))
        except ConfigError as exc:
            raise SystemExit(f"target-zohodesk: {exc}") from None
        self.max_parallelism = 1  # one sink at a time: a fatal failure stops everything at once
        self._writer: Writer | None = None
        self._lock = threading.Lock()
        self.tally = Tally()
        self._said: set[tuple[str, str]] = set()
        self._results = None
        self.segment = 0  # changes of STATE read so far: a record read after the k-th is in segment k

    @property
    def writer(self) -> Writer:
        if self._writer is None:
            dry = bool(self.config.get("dry_run"))
            org = str(self.config["org_id"])
            client = None if dry else ZohoDeskClient(dict(self.config), user_agent="target-zohodesk")
            journal = Journal(self.config.get("journal_path") or default_path(org), org=org,
                              host=urlsplit(self.api_url).netloc, read_only=dry)
            self._writer = Writer(client, journal, dry_run=dry, upsert_keys=self.upsert_keys,
                                  attachments_dir=self.config.get("attachments_dir"))
        return self._writer

    # -- the journal follows STATE ---------------------------------------------------------------
    def tag(self, stream: str, record: dict) -> None:
        """Mark a create-to-be, as read, with its journal entry (journal.py)."""
        record[TAG] = self.writer.journal.tag(stream, record, self.segment)

    def _process_state_message(self, message_dict: dict) -> None:
        before = self._latest_state
        super()._process_state_message(message_dict)
        if self._latest_state != before:
            self.segment += 1

    def _write_state_message(self, state: dict) -> None:
        super()._write_state_message(state)
        if self._writer is not None and self._writer.journal is not None:
            self._writer.journal.settle(self.segment)  # the sender now knows every create read before it

    # -- reporting ----------------------------------------------------------------------------
    def refuse_stream(self, stream: str, reason: str) -> None:
        self._say_once((stream, ""), f"{reason}: its records are skipped")

    def _say_once(self, key: tuple[str, str], line: str) -> None:
        with self._lock:
            if key in self._said:
                return
            self._said.add(key)
        self.logger.warning("%s", line)

    def report(self, results: list[Result]) -> None:
        """Every record's outcome: to results_path, and each error to the log as one line."""
        with self._lock:
            if self._results is None and self.config.get("results_path"):
                path = Path(self.config["results_path"])
                path.parent.mkdir(parents=True, exist_ok=True)
                self._results = path.open("a", encoding="utf-8")
            for result in results:
                self.tally.add(result)
                if self._results is not None:
                    self._results.write(result_line(result) + "\n")
            if self._results is not None:
                self._results.flush()
        for result in results:
            if result.status == "error":
                self.logger.error("%s", result.error)
            elif result.status == "skipped" and (result.stream, "") not in self._said:
                self._say_once((result.stream, result.operation), f"{result.error}: such records are skipped")

    # -- end of the run -----------------------------------------------------------------------
    def process_endofpipe(self) -> None:
        reader: LineReader = self.message_reader
        stop = reader.stopped
        if stop is None:
            try:
                super().process_endofpipe()  # writes what is left, then STATE
            except FatalStop as exc:
                stop = exc
        if stop is not None:
            self._abandon_pending()
        self._close()
        if stop is None and reader.malformed is None and self._writer is not None and self._writer.journal:
            self._writer.journal.settle()  # the whole input was read and answered: nothing to replay
        if stop is not None:
            raise RunStopped(f"{stop.error} -- the run stopped: {self.tally.total('not_attempted')} record(s) "
                             "not attempted, STATE not advanced past them")
        if reader.malformed is not None:
            kind = RecordBeforeSchema if isinstance(reader.malformed.cause, RecordsWithoutSchemaException) \
                else RunStopped
            raise kind(f"{reader.malformed}; the {self.tally.total()} record(s) before it were written and "
                       "reported; nothing after it was read")
        failed = self.tally.total("error")
        if failed and self.config.get("fail_on_error", True):
            where = f" (see {self.config['results_path']})" if self.config.get("results_path") else ""
            raise RecordsFailed(f"{failed} of {self.tally.total()} record(s) failed{where}")

    def _abandon_pending(self) -> None:
        """Records read but never sent, in every sink: not attempted."""
        for sink in [*self._sinks_to_clear, *self._sinks_active.values()]:
            refused = [r for _, r in (sink._pending_batch or {}).get("items") or [] if r is not None]
            self.report(refused + [Result(sink.stream_name, operation_of(sink.stream_name, r), record_id(r),
                                          "not_attempted") for r in pending_records(sink)])
            sink._pending_batch = None

    def _close(self) -> None:
        if self._results is not None:
            self._results.close()
            self._results = None
        for line in ["target-zohodesk results:", *self.tally.table()]:
            self.logger.info("%s", line)

    # -- --about --------------------------------------------------------------------------------
    @classmethod
    def print_about(cls, output_format: str | None = None) -> None:
        """The SDK's about information, plus what each stream can be written with."""
        info = cls._get_about_info()
        kind = output_format or "text"
        text = AboutFormatter.get_formatter(kind).format_about(info)
        contract = write_contract()
        if kind == "json":
            data = json.loads(text)
            data["writes"] = contract
            text = json.dumps(data, indent=2, default=str)
        else:
            text = text.rstrip("\n") + "\n\n" + (as_markdown(contract) if kind == "markdown" else as_text(contract))
        print(text)  # noqa: T201


def main() -> None:  # console-script entry point
    """Run the CLI; a Zoho or config failure, or a stopped run, ends as one line on stderr
    (exit 1; records failed: exit 2); LOGLEVEL=DEBUG adds the traceback, the exit code stays."""
    from tap_zohodesk.api.connection import run_cli

    try:
        run_cli(TargetZohoDesk.name, TargetZohoDesk.cli)
    except RunStopped as exc:
        if debug_requested(TargetZohoDesk.name):
            traceback.print_exc()  # the exit code stays the run's, whatever the log level
        print(f"{TargetZohoDesk.name}: {' '.join(str(exc).split())}", file=sys.stderr, flush=True)
        raise SystemExit(exc.exit_code) from None
