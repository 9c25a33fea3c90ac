"""target-zohodesk: Singer records in, Zoho Desk writes out (see writer.py for the policy).

The run, in a few lines:
- every record gets one line in ``results_path``; each error is one log line; a stream (or
  an operation of it) Zoho Desk cannot write is said once and its records are ``skipped``;
- a failure no record can fix (outcome.is_fatal) stops the run at once: one line, the
  records read but not written are ``not_attempted``, no STATE goes out past them, exit 1;
- a malformed input line (reader.py): the records before it are written and STATE up to
  it goes out, then the run stops naming the line, exit 1;
- at the end a table per stream and operation (ok, error, skipped, not attempted) is
  logged; with ``fail_on_error`` (default) a run where records failed exits 2;
- deletes are held until the input is read and checked by the delete guard (guard.py): past
  it none of a stream's deletes is sent, exit 3; no STATE goes out while deletes are held;
- ``dry_run`` previews (preview.py), ``--estimate`` says what a run, its preview and its undo
  cost (estimate.py), ``--undo RESULTS`` reverses a run (undo.py).
"""

from __future__ import annotations

import sys
import threading
import traceback
from pathlib import Path
from urllib.parse import urlsplit

from singer_sdk import Target
from singer_sdk import typing as th
from singer_sdk.exceptions import RecordsWithoutSchemaException

from tap_zohodesk.api.catalog import BY_STREAM
from tap_zohodesk.api.client import ZohoDeskClient
from tap_zohodesk.api.connection import resolve_urls
from tap_zohodesk.api.errors import ConfigError
from tap_zohodesk.api.numbers import numbers_from_text
from tap_zohodesk.api.plans import operation_of
from tap_zohodesk.api.plugin import QuietConfigCheck, about_page, connection_properties, debug_requested
from tap_zohodesk.api.sdk import about_info, all_sinks, drop_pending_batch, latest_state, pending_batch, raw_config
from target_zohodesk.batches import record_id
from target_zohodesk.contract import as_markdown, as_text, write_contract
from target_zohodesk.estimate import estimate_lines
from target_zohodesk.guard import DEFAULT_MAX_DELETES, DEFAULT_MAX_RATIO, DeleteGuard, DeletesHeld
from target_zohodesk.journal import TAG, Journal, default_path
from target_zohodesk.outcome import FatalStop, RecordsFailed, Result, RunStopped, Tally, result_line
from target_zohodesk.preview import FieldChanges
from target_zohodesk.reader import LineReader, RecordBeforeSchema
from target_zohodesk.sinks import ZohoDeskSink, pending_records
from target_zohodesk.undo import Undo, read_lines, undo_results_path
from target_zohodesk.writer import Writer


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
    package_name = "tap-zohodesk"  # the distribution both plugins ship in: the SDK reads the version from it
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
        th.Property("keep_before_images", th.BooleanType, default=False,
                    description="Before each update read the record (one GET) and keep the values it changes in the "
                    "results file, so target-zohodesk --undo RESULTS can set them back."),
        th.Property("max_deletes", th.IntegerType, default=DEFAULT_MAX_DELETES,
                    description="Delete guard: most deletes one stream may send in one run; past it none of the "
                    "stream's deletes is sent and the run exits 3."),
        th.Property("max_delete_ratio", th.NumberType, default=DEFAULT_MAX_RATIO,
                    description="Delete guard: largest share of an object's live records one run may delete (checked "
                    "above 10 deletes where Zoho counts in one call: tickets); 1 turns it off."),
        th.Property("delete_guard", th.ObjectType(additional_properties=th.ObjectType(
            th.Property("max_deletes", th.IntegerType), th.Property("max_delete_ratio", th.NumberType))),
                    description='Delete guard per stream, e.g. {"tickets": {"max_deletes": 10, '
                    '"max_delete_ratio": 0.05}}; other streams take max_deletes and max_delete_ratio.'),
    ).to_dict()

    def _validate_config(self, *, raise_errors: bool = True) -> list[str]:
        numbers_from_text(raw_config(self), self.config_jsonschema)  # TARGET_..._BACKOFF_SECONDS=0.5: api/numbers.py
        return super()._validate_config(raise_errors=raise_errors)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        try:
            self.api_url = resolve_urls(self.config)[0]
            self.upsert_keys = check_upsert_keys(self.config.get("upsert_keys"))
            self.guard = DeleteGuard(self.config)
        except ConfigError as exc:
            raise SystemExit(f"target-zohodesk: {exc}") from None
        self.max_parallelism = 1  # one sink at a time: a fatal failure stops everything at once
        self._writer: Writer | None = None
        self._lock = threading.Lock()
        self.tally = Tally()
        self.field_changes = FieldChanges()
        self._said: set[tuple[str, str]] = set()
        self._results = None
        self.segment = 0  # changes of STATE read so far: a record read after the k-th is in segment k
        self._held_state: dict | None = None
        self._results_to: str | None = self.config.get("results_path")

    @property
    def writer(self) -> Writer:
        if self._writer is None:
            dry = bool(self.config.get("dry_run"))
            org = str(self.config["org_id"])
            client = ZohoDeskClient(dict(self.config), user_agent="target-zohodesk")  # dry runs only read
            journal = Journal(self.config.get("journal_path") or default_path(org), org=org,
                              host=urlsplit(self.api_url).netloc, read_only=dry)
            self._writer = Writer(client, journal, dry_run=dry, upsert_keys=self.upsert_keys,
                                  attachments_dir=self.config.get("attachments_dir"),
                                  keep_before_images=bool(self.config.get("keep_before_images")))
        return self._writer

    # -- the journal follows STATE ---------------------------------------------------------------
    def tag(self, stream: str, record: dict) -> None:
        """Mark a create-to-be, as read, with its journal entry (journal.py)."""
        record[TAG] = self.writer.journal.tag(stream, record, self.segment)

    def _process_state_message(self, message_dict: dict) -> None:
        before = latest_state(self)
        super()._process_state_message(message_dict)
        if latest_state(self) != before:
            self.segment += 1

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
            if self._results is None and self._results_to:
                path = Path(self._results_to)
                path.parent.mkdir(parents=True, exist_ok=True)
                self._results = path.open("a", encoding="utf-8")
            for result in results:
                self.tally.add(result)
                self.field_changes.add(result)
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
                super().process_endofpipe()  # writes what is left, then STATE (held while deletes are)
                if self.guard.holding:
                    self.guard.release(self.writer.write, self.report, self.writer.client, self.logger.warning)
            except FatalStop as exc:
                stop = exc
            if stop is None and self._held_state is not None and not self.guard.stopped:
                self._write_state_message(self._held_state)
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
        if self.guard.stopped:
            raise DeletesHeld(self.guard.summary())
        failed = self.tally.total("error")
        if failed and self.config.get("fail_on_error", True):
            where = f" (see {self.config['results_path']})" if self.config.get("results_path") else ""
            raise RecordsFailed(f"{failed} of {self.tally.total()} record(s) failed{where}")

    def _abandon_pending(self) -> None:
        """Records read but never sent, in every sink: not attempted."""
        for sink in all_sinks(self):
            refused = [r for _, r in pending_batch(sink).get("items") or [] if r is not None]
            self.report(refused + [Result(sink.stream_name, operation_of(sink.stream_name, r), record_id(r),
                                          "not_attempted") for r in pending_records(sink)])
            drop_pending_batch(sink)
        self.report(self.guard.abandon())

    def _write_state_message(self, state: dict) -> None:
        """No STATE goes out while deletes are held (guard.py): it waits for them to be sent. Once
        out, the journal settles the creates read before it (journal.py)."""
        if self.guard.holding or self.guard.stopped:
            self._held_state = state
            return
        super()._write_state_message(state)
        if self._writer is not None and self._writer.journal is not None:
            self._writer.journal.settle(self.segment)  # the sender now knows every create read before it

    def _close(self) -> None:
        if self._results is not None:
            self._results.close()
            self._results = None
        for line in self._writer.dropped_lines() if self._writer is not None else []:
            self.logger.info("%s", line)
        for line in ["target-zohodesk results:", *self.tally.table(), *self.field_changes.lines()]:
            self.logger.info("%s", line)

    # -- --undo RESULTS (undo.py) ---------------------------------------------------------------
    undo_from: str | None = None
    estimate_only = False  # --estimate (estimate.py)

    def listen(self, file_input=None) -> None:
        if self.estimate_only:
            try:
                lines = estimate_lines(file_input or sys.stdin, dict(self.config))
            except ValueError as exc:
                raise RunStopped(str(exc)) from None
            for line in lines:
                self.logger.info("estimate | %s", line)
        elif self.undo_from is None:
            super().listen(file_input)
        else:
            self.undo(self.undo_from)

    def undo(self, results: str) -> None:
        """Reverse the run whose results file is ``results``; the undo's own results and table."""
        if self.config.get("dry_run"):
            raise RunStopped("--undo writes: it does not take dry_run (the results file lists what it would undo)")
        try:
            lines = read_lines(results)
        except (OSError, ValueError) as exc:
            raise RunStopped(str(exc)) from None
        self._results_to = str(undo_results_path(results))
        stop = None
        try:
            Undo(ZohoDeskClient(dict(self.config), user_agent="target-zohodesk"), self.report).run(lines)
        except FatalStop as exc:
            stop = exc
        self._close()
        if stop is not None:
            raise RunStopped(f"{stop.error} -- the undo stopped; run it again to finish (what it undid is found "
                             "undone)")
        where = f"see {self._results_to}"
        if self.tally.total("skipped"):
            self.logger.warning("%d record(s) could not be undone (%s)", self.tally.total("skipped"), where)
        if self.tally.total("error") and self.config.get("fail_on_error", True):
            raise RecordsFailed(f"{self.tally.total('error')} of {self.tally.total()} undo(s) failed ({where})")

    # -- --about --------------------------------------------------------------------------------
    @classmethod
    def print_about(cls, output_format: str | None = None) -> None:
        """The SDK's about information, plus what each stream can be written with."""
        print(about_page(about_info(cls), output_format, "writes", write_contract(), as_markdown,  # noqa: T201
                         as_text))


def main() -> None:  # console-script entry point
    """Run the CLI; a Zoho or config failure, or a stopped run, ends as one line on stderr
    (exit 1; records failed: exit 2); LOGLEVEL=DEBUG adds the traceback, the exit code stays."""
    from tap_zohodesk.api.plugin import run_cli

    if "--estimate" in sys.argv:
        sys.argv.remove("--estimate")
        TargetZohoDesk.estimate_only = True
    if "--undo" in sys.argv:  # our flag, not the SDK's: taken out (with its file) before it parses the rest
        at = sys.argv.index("--undo")
        if at + 1 >= len(sys.argv):
            raise SystemExit(f"{TargetZohoDesk.name}: --undo needs the results file of the run to undo")
        TargetZohoDesk.undo_from = sys.argv.pop(at + 1)
        sys.argv.pop(at)
    try:
        run_cli(TargetZohoDesk.name, TargetZohoDesk.cli)
    except RunStopped as exc:
        if debug_requested(TargetZohoDesk.name):
            traceback.print_exc()  # the exit code stays the run's, whatever the log level
        print(f"{TargetZohoDesk.name}: {' '.join(str(exc).split())}", file=sys.stderr, flush=True)
        raise SystemExit(exc.exit_code) from None
