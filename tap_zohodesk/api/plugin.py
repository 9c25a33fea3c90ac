"""What both plugins share as command-line programs: the config keys of a Zoho connection, a
config check that never echoes a value, the one-line failure, and the ``--about`` page with a
section of their own."""

from __future__ import annotations

import json
import logging
import os
import re
import sys
from collections.abc import Callable

from jsonschema import Draft7Validator, ValidationError
from singer_sdk import typing as th
from singer_sdk.about import AboutFormatter, AboutInfo
from singer_sdk.exceptions import ConfigValidationError

from tap_zohodesk.api.connection import CONNECT_TIMEOUT, DATA_CENTERS, MAX_CONCURRENCY, READ_TIMEOUT
from tap_zohodesk.api.errors import ConfigError, ZohoDeskError
from tap_zohodesk.api.sdk import raw_config


class QuietConfigCheck:
    """Mixed into a plugin class: its config checked against ``config_jsonschema`` by the SDK,
    a failure raised as one ConfigError naming each key and what it must be, never its value
    (the SDK's own message quotes it: a secret given with the wrong JSON type would be printed)."""

    config_jsonschema: dict

    def _validate_config(self, *, raise_errors: bool = True) -> list[str]:
        try:
            return super()._validate_config(raise_errors=raise_errors)  # type: ignore[misc]
        except ConfigValidationError:
            errors = Draft7Validator(self.config_jsonschema).iter_errors(dict(raw_config(self)))
            lines = sorted({_config_problem(e) for e in errors}) or ["is not valid"]
            raise ConfigError("; ".join(lines)) from None


def _config_problem(error: ValidationError) -> str:
    key = ".".join(str(p) for p in error.absolute_path)
    if error.validator == "required":
        found = re.search(r"'([^']+)' is a required property", error.message)
        return f"config {(key + '.' if key else '') + (found.group(1) if found else '?')!r} is required"
    if error.validator == "type":
        kinds = error.validator_value if isinstance(error.validator_value, list) else [error.validator_value]
        return f"config {key!r} must be {' or '.join(map(str, kinds))}, not a JSON {type(error.instance).__name__}"
    if error.validator == "enum":
        return f"config {key!r} must be one of {', '.join(map(str, error.validator_value))}"
    return f"config {key!r} is not valid ({error.validator})"


def debug_requested(plugin_name: str) -> bool:
    """Whether the run asks for debug output. singer-sdk 0.54 has no --log-level option: its
    level comes from <PLUGIN>_LOGLEVEL or LOGLEVEL (or a SINGER_SDK_LOG_CONFIG file)."""
    prefix = plugin_name.upper().replace("-", "_")
    level = os.environ.get(f"{prefix}_LOGLEVEL") or os.environ.get("LOGLEVEL") or ""
    return level.strip().upper() == "DEBUG" or logging.getLogger().isEnabledFor(logging.DEBUG)


def run_cli(plugin_name: str, cli: Callable[[], object]) -> None:
    """Run a plugin's CLI; a Zoho or config failure ends as one line on stderr and exit 1
    (the traceback is kept when debug output is asked for)."""
    try:
        cli()
    except (ZohoDeskError, ConfigError) as exc:
        if debug_requested(plugin_name):
            raise
        message = " ".join(str(exc).split()) or type(exc).__name__
        print(f"{plugin_name}: {message}", file=sys.stderr, flush=True)
        raise SystemExit(1) from None


def connection_properties() -> list[th.Property]:
    """Config keys every Zoho Desk plugin of this project takes (a public contract)."""
    return [
        th.Property("client_id", th.StringType, required=True, secret=True,
                    description="OAuth client id of your Zoho API console client."),
        th.Property("client_secret", th.StringType, required=True, secret=True,
                    description="OAuth client secret."),
        th.Property("refresh_token", th.StringType, required=True, secret=True,
                    description="OAuth refresh token (grant with access_type=offline)."),
        th.Property("org_id", th.StringType, required=True,
                    description="Zoho Desk organization id, all digits (Setup > Developer Space > API)."),
        th.Property("data_center", th.StringType, default="us",
                    allowed_values=list(DATA_CENTERS),
                    description="Data center of the org: " + ", ".join(DATA_CENTERS)),
        th.Property("api_url", th.StringType,
                    description="Override of the Desk API base, e.g. https://desk.zoho.eu/api/v1 "
                    "(plain http only to loopback)"),
        th.Property("accounts_url", th.StringType,
                    description="Override of the Zoho Accounts base, e.g. https://accounts.zoho.eu "
                    "(plain http only to loopback)"),
        th.Property("max_concurrency", th.IntegerType, default=MAX_CONCURRENCY,
                    description="Most API calls in flight at once (Free edition allows 5)."),
        th.Property("connect_timeout_seconds", th.NumberType, default=CONNECT_TIMEOUT,
                    description="Seconds to open a connection to Zoho before the host counts as unreachable."),
        th.Property("read_timeout_seconds", th.NumberType, default=READ_TIMEOUT,
                    description="Seconds to wait for Zoho's answer to a call; then it counts as cut off (retried "
                    "where that is safe, looked up for a create)."),
        th.Property("max_retries", th.IntegerType, default=6,
                    description="Retries of a call answered 429/5xx or cut off."),
        th.Property("retry_backoff_seconds", th.NumberType, default=1.0,
                    description="First retry wait; doubles each retry unless Retry-After says."),
    ]


def about_page(info: AboutInfo, output_format: str | None, key: str, section: object,
               markdown: Callable[[object], str], text: Callable[[object], str]) -> str:
    """The SDK's ``--about`` page in ``output_format`` with one section of the plugin's own: under
    ``key`` in JSON, else ``markdown(section)`` or ``text(section)`` after the SDK's part."""
    kind = output_format or "text"
    page = AboutFormatter.get_formatter(kind).format_about(info)
    if kind == "json":
        data = json.loads(page)
        data[key] = section
        return json.dumps(data, indent=2, default=str)
    return page.rstrip("\n") + "\n\n" + (markdown(section) if kind == "markdown" else text(section))
