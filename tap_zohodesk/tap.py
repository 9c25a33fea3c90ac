"""tap-zohodesk: every Zoho Desk object as a Singer stream."""

from __future__ import annotations

import threading

from singer_sdk import Tap
from singer_sdk import typing as th

from tap_zohodesk.catalog import OBJECTS
from tap_zohodesk.client import ZohoDeskClient
from tap_zohodesk.connection import ConfigError, connection_properties, resolve_urls
from tap_zohodesk.records import FastWriter
from tap_zohodesk.streams import ZohoDeskStream, load_schema


class TapZohoDesk(Tap):
    """Singer tap for Zoho Desk."""

    name = "tap-zohodesk"
    message_writer_class = FastWriter

    config_jsonschema = th.PropertiesList(
        *connection_properties(),
        th.Property("start_date", th.DateTimeType,
                    description="Earliest modification/creation time to read (ISO-8601)."),
        th.Property("full_sync_method", th.StringType, default="search", allowed_values=["search", "list"],
                    description="First read of searchable objects: credit-cheap search windows "
                    "(default) or the plain list."),
        th.Property("lookback_seconds", th.IntegerType, default=0,
                    description="Re-read this many seconds before the bookmark (search-index lag)."),
    ).to_dict()

    def __init__(self, *args, **kwargs):
        self._client: ZohoDeskClient | None = None
        self._client_lock = threading.Lock()
        super().__init__(*args, **kwargs)
        try:
            resolve_urls(self.config)
        except ConfigError as exc:
            raise SystemExit(f"tap-zohodesk: {exc}") from None

    @property
    def client(self) -> ZohoDeskClient:
        """The shared API client, created on first use (never at discovery time)."""
        with self._client_lock:
            if self._client is None:
                self._client = ZohoDeskClient(dict(self.config), user_agent="tap-zohodesk")
            return self._client

    def discover_streams(self) -> list[ZohoDeskStream]:
        return [ZohoDeskStream(self, spec, load_schema(spec.stream)) for spec in OBJECTS]

    def sync_all(self) -> None:
        try:
            super().sync_all()
        finally:
            if self._client is not None:
                stats = self._client.stats()
                self.logger.info(
                    "Zoho Desk API: %d calls, %d credits, %d retries, %d token refreshes; by endpoint: %s",
                    stats["calls"], stats["credits_used"], stats["retries"],
                    stats["token_refreshes"], stats["calls_by_endpoint"],
                )


def main() -> None:  # console-script entry point
    TapZohoDesk.cli()
