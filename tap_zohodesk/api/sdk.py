"""Every private name of singer-sdk this project relies on, in one place.

The rest of the project reaches the SDK's private attributes and functions only through the small
functions below, and overrides only the private hooks listed in ``OVERRIDDEN``. tests/test_sdk_names.py
pins each name on the installed SDK (it exists, and is what we take it for), so an SDK upgrade that
renames or drops one fails that one test, not somewhere deep in a run.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from singer_sdk.helpers._util import utc_now

if TYPE_CHECKING:
    from singer_sdk.about import AboutInfo

__all__ = ["ATTRIBUTES", "FUNCTIONS", "METHODS", "OVERRIDDEN", "about_info", "all_sinks", "drop_pending_batch",
           "latest_state", "mark_line", "pending_batch", "raw_config", "stream_version", "tap_state",
           "utc_now"]

# (SDK module, class) -> the private instance attributes we read or set, each set in that class's __init__.
ATTRIBUTES: dict[tuple[str, str], tuple[str, ...]] = {
    ("singer_sdk.plugin_base", "PluginBase"): ("_config",),
    ("singer_sdk.streams.core", "Stream"): ("_tap_state", "_stream_version"),
    ("singer_sdk.target_base", "Target"): ("_latest_state", "_sinks_active", "_sinks_to_clear"),
    ("singer_sdk.sinks.core", "Sink"): ("_pending_batch",),
    ("singer_sdk.singerlib.encoding.base", "GenericSingerReader"): ("_current_message",),
}
# (SDK module, class) -> the private methods we call on it (classmethods included).
METHODS: dict[tuple[str, str], tuple[str, ...]] = {
    ("singer_sdk.plugin_base", "PluginBase"): ("_get_about_info",),
}
# (SDK module, class) -> the private hooks our subclasses override (calling ``super()``'s).
OVERRIDDEN: dict[tuple[str, str], tuple[str, ...]] = {
    ("singer_sdk.plugin_base", "PluginBase"): ("_validate_config",),
    ("singer_sdk.streams.core", "Stream"): ("_generate_record_messages",),
    ("singer_sdk.target_base", "Target"): ("_process_state_message", "_write_state_message"),
    ("singer_sdk.sinks.core", "Sink"): ("_singer_validate_message", "_validate_and_parse"),
}
# Functions of the SDK's private modules (or private helpers) imported above.
FUNCTIONS: dict[str, str] = {
    "utc_now": "singer_sdk.helpers._util",
}


def about_info(plugin: type) -> AboutInfo:
    """A plugin class's ``--about`` facts (settings with the SDK's built-ins, capabilities)."""
    return plugin._get_about_info()  # type: ignore[attr-defined]


def raw_config(plugin: Any) -> dict:
    """A plugin's config dict as the SDK holds it (not a copy: changes reach the SDK)."""
    return plugin._config


def tap_state(stream: Any) -> dict:
    """The tap's whole state dict as a stream sees it (before its state manager exists)."""
    return stream._tap_state or {}


def stream_version(stream: Any) -> int | None:
    """The version the SDK stamps on a stream's RECORD messages (ACTIVATE_VERSION)."""
    return stream._stream_version


def latest_state(target: Any) -> dict | None:
    """The last STATE a target received."""
    return target._latest_state


def all_sinks(target: Any) -> list:
    """Every sink of a target: those cleared but not yet drained, then the active ones."""
    return [*target._sinks_to_clear, *target._sinks_active.values()]


def pending_batch(sink: Any) -> dict:
    """The batch a sink holds and has not written (``{}`` when none)."""
    return sink._pending_batch or {}


def drop_pending_batch(sink: Any) -> None:
    """Forget a sink's pending batch (its records were reported as not attempted)."""
    sink._pending_batch = None


def mark_line(reader: Any, line: str) -> None:
    """Tell the SDK's reader which input line is being handled (its error messages quote it)."""
    reader._current_message = line
