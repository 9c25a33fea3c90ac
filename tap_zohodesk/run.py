"""What the streams of one tap run share, and nothing else: the API client, the parsed
filters, the parent rows handed to child streams, the nested arrays kept for unwound streams,
the run's report, each stream's schema drift (drift.py), and whether the credit budget stopped
the run. A probe report given to a sync (``probe_report``) seeds the client's learned fallbacks.
Streams hold this context, never the tap (no import back to it)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

from tap_zohodesk.api.client import ZohoDeskClient
from tap_zohodesk.drift import EXTRA, StreamDrift
from tap_zohodesk.parents import ParentRows
from tap_zohodesk.probe_report import seed_lessons
from tap_zohodesk.unwind import UnwoundRows

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
            self._parents = ParentRows(self._streams())
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
