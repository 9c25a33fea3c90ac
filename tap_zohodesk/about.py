"""What ``tap-zohodesk --about`` adds to the SDK's page: per stream, the call it reads with and how
sure the public evidence makes us of it (rows.py: Evidence), and whether it is selected by default."""

from __future__ import annotations

from singer_sdk.about import AboutInfo

from tap_zohodesk.api.catalog import OBJECTS
from tap_zohodesk.api.plugin import about_page
from tap_zohodesk.recycle import DELETED_RECORDS


def stream_evidence() -> dict[str, dict]:
    """stream -> {call, evidence, selected_by_default}, in catalog order."""
    return {spec.stream: {"call": f"GET {spec.read.search or spec.read.path}", "evidence": str(spec.read.evidence),
                          "selected_by_default": not spec.opt_in} for spec in (*OBJECTS, DELETED_RECORDS)}


def as_markdown(streams: dict[str, dict]) -> str:
    rows = [f"| `{name}` | `{s['call']}` | {s['evidence']} | {'yes' if s['selected_by_default'] else 'no'} |"
            for name, s in streams.items()]
    return "\n".join(["## Streams", "", "| stream | read | evidence | selected by default |", "|---|---|---|---|",
                      *rows])


def as_text(streams: dict[str, dict]) -> str:
    lines = ["Streams (read call; how sure the public evidence makes us of it: confirmed, split, unproven):"]
    lines += [f"  - {name}: {s['call']}; {s['evidence']}" + ("" if s["selected_by_default"] else "; opt-in")
              for name, s in streams.items()]
    return "\n".join(lines)


def about_text(info: AboutInfo, output_format: str | None) -> str:
    return about_page(info, output_format, "streams", stream_evidence(), as_markdown, as_text)
