"""What the streams of one tap run share, and nothing else: the API client, the parsed
filters, the parent rows handed to child streams, the nested arrays kept for unwound streams,
the run's report, each stream's schema drift (drift.py), whether the credit budget stopped the
run, and the streams that failed or were skipped. A probe report given to a sync
(``probe_report``) seeds the client's learned fallbacks. Streams hold this context, never the
tap (no import back to it).

A stream fails alone: an error about one stream (a 4xx that is not about auth or the org, a
bad answer, a 5xx past its retries) ends that stream where its last good record left it, is
logged at once, and the run goes on; the run exits 1 at the end naming it. Only what no other
stream can survive (auth, wrong org, unreachable host, daily credits spent) is raised at once.
Zoho's "not available here" answers, and a 404 on an endpoint no public source shows, skip the
stream with one warning."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

from tap_zohodesk.api.client import ZohoDeskClient, ZohoDeskError
from tap_zohodesk.api.errors import GONE, NOT_AVAILABLE, NOT_AVAILABLE_CODES
from tap_zohodesk.api.rows import UNPROVEN, ObjectSpec
from tap_zohodesk.drift import EXTRA, StreamDrift
from tap_zohodesk.parents import ParentRows
from tap_zohodesk.prefetch import Prefetch
from tap_zohodesk.probe_report import seed_lessons
from tap_zohodesk.unwound_rows import UnwoundRows

if TYPE_CHECKING:
    from tap_zohodesk.filters import Filters
    from tap_zohodesk.report import RunReport


class RunContext:
    def __init__(self, config: dict, filters: dict[str, Filters], streams: Callable[[], dict]):
        self.config = config
        self.filters = filters
        self._streams = streams  # the tap's streams, once they exist
        self._parents: ParentRows | None = None
        self._unwound: UnwoundRows | None = None
        self.report: RunReport | None = None
        self.stopped_by_budget: tuple[str, str] | None = None
        self._client: ZohoDeskClient | None = None
        self._lock = threading.Lock()
        self.resumes_itself = False  # the stream now syncing keeps its own resume points
        self.drifts: dict[str, StreamDrift] = {}
        self.probing = False  # a probe writes its report to probe_report instead of reading lessons from it
        self.failed: dict[str, str] = {}  # stream -> the one line it failed with
        self.skipped: dict[str, str] = {}  # stream -> why this org does not serve it

    def stream_error(self, name: str, spec: ObjectSpec, exc: ZohoDeskError, logger: logging.Logger) -> None:
        """An error ended stream ``name``: skipped or failed, and the run goes on; a fatal one is raised."""
        if exc.fatal:
            raise exc
        why = skip_reason(spec, exc)
        if why is not None:
            logger.warning("Skipping stream '%s': Zoho answered %s (%s): %s", name, exc.code, exc, why)
            self.skipped[name] = f"{exc.code}: {why}"
            return
        logger.error("Stream '%s' failed: %s (its state stays at its last good record; the other streams go on, "
                     "the run will exit 1)", name, exc)
        self.failed[name] = str(exc)

    def outcome(self) -> ZohoDeskError | None:
        """The run's one-line failure when streams failed (exit 1), else None."""
        if not self.failed:
            return None
        lines = "; ".join(f"{line} (stream '{name}' failed)" for name, line in self.failed.items())
        return ZohoDeskError(f"{lines}; the other streams completed")

    @property
    def client(self) -> ZohoDeskClient:
        """The shared API client, created on first use (never at discovery time without a need)."""
        with self._lock:
            if self._client is None:
                self._client = ZohoDeskClient(dict(self.config), user_agent="tap-zohodesk")
                if self.config.get("probe_report") and not self.probing:
                    seed_lessons(self._client, self.config["probe_report"])
            return self._client

    def drift_of(self, stream) -> StreamDrift:
        """The drift counters of ``stream`` (one per stream name for the run)."""
        if stream.name not in self.drifts:
            self.drifts[stream.name] = StreamDrift(stream.name, stream.schema, stream.logger,
                                                   EXTRA in stream.schema.get("properties", {}),
                                                   list(stream.primary_keys or ()))
        return self.drifts[stream.name]

    @property
    def parents(self) -> ParentRows:
        """The parent rows handed to child streams in this run (created at first use)."""
        if self._parents is None:
            streams = self._streams()
            self._parents = ParentRows(lambda name, since, extra: streams[name].rows_for_others(since, extra),
                                       lambda name: name in streams and streams[name].selected, Prefetch(streams))
        return self._parents

    def close(self) -> None:
        """End of run: what was kept on disk for this run goes."""
        if self._parents is not None:
            self._parents.discard()
        if self._unwound is not None:
            self._unwound.discard()

    @property
    def unwound(self) -> UnwoundRows:
        """The elements of nested arrays kept for the unwound streams (created at first use)."""
        if self._unwound is None:
            self._unwound = UnwoundRows(self._streams())
        return self._unwound

    @property
    def has_client(self) -> bool:
        return self._client is not None


class OwnResumeFilter(logging.Filter):
    """Drops the SDK's warning that an unsorted stream "is not resumable if interrupted" while a
    stream that keeps its own resume points syncs (children: ``parent_watermark``; a first read
    in parallel ranges: ``time_ranges``): for those it is untrue. Other streams keep it."""

    def __init__(self, run: RunContext):
        super().__init__()
        self.run = run

    def filter(self, record: logging.LogRecord) -> bool:
        return not (self.run.resumes_itself and str(record.msg).startswith("Stream is assumed to be unsorted"))


def skip_reason(spec: ObjectSpec, exc: ZohoDeskError) -> str | None:
    """Why the org cannot serve this stream (it is skipped), or None (the stream failed)."""
    if exc.kind == NOT_AVAILABLE:
        return NOT_AVAILABLE_CODES.get(exc.code or "", "deselect the stream if that is expected")
    if exc.kind == GONE and spec.read.evidence.grade == UNPROVEN:
        return (f"no public source shows this endpoint ({spec.read.evidence}) and this org has none; "
                "deselect the stream")
    return None
