"""target-zohodesk: Singer records in, Zoho Desk writes out."""

from __future__ import annotations

from singer_sdk import Target
from singer_sdk import typing as th

from tap_zohodesk.connection import ConfigError, connection_properties, resolve_urls
from target_zohodesk.sinks import ZohoDeskSink


class TargetZohoDesk(Target):
    """Singer target for Zoho Desk."""

    name = "target-zohodesk"
    default_sink_class = ZohoDeskSink

    config_jsonschema = th.PropertiesList(
        *connection_properties(),
        th.Property("dry_run", th.BooleanType, default=False,
                    description="Validate and resolve every record; call no write endpoint."),
    ).to_dict()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        try:
            resolve_urls(self.config)
        except ConfigError as exc:
            raise SystemExit(f"target-zohodesk: {exc}") from None


def main() -> None:  # console-script entry point
    TargetZohoDesk.cli()
