"""What ``tap-zohodesk --about`` adds to the SDK's page: per stream, the call it reads with and how
sure the public evidence makes us of it (rows.py: Evidence), and whether it is selected by default."""

from __future__ import annotations

import json

from singer_sdk.about import AboutFormatter, AboutInfo

from tap_zohodesk.api.catalog import OBJECTS
from tap_zohodesk.recycle import DELETED_RECORDS


def stream_evidence() -> dict[str, dict]:
    """stream -> {call, evidence, selected_by_default}, in catalog order."""
    return {spec.stream: {"call": f"GET {spec.read.search or spec.read.path}", "evidence": str(spec.read.evidence),
                          "selected_by_default": not spec.opt_in} for spec in (*OBJECTS, DELETED_RECORDS)}


def about_text(info: AboutInfo, output_format: str | None) -> str:
    kind = output_format or "text"
    text = AboutFormatter.get_formatter(kind).format_about(info)
    streams = stream_evidence()
    if kind == "json":
        data = json.loads(text)
        data["streams"] = streams
        return json.dumps(data, indent=2, default=str)
    if kind == "markdown":
        rows = [f"| `{name}` | `{s['call']}` | {s['evidence']} | {'yes' if s['selected_by_default'] else 'no'} |"
                for name, s in streams.items()]
        table = ["## Streams", "", "| stream | read | evidence | selected by default |", "|---|---|---|---|", *rows]
        return text.rstrip("\n") + "\n\n" + "\n".join(table)
    lines = ["Streams (read call; how sure the public evidence makes us of it: confirmed, split, unproven):"]
    lines += [f"  - {name}: {s['call']}; {s['evidence']}" + ("" if s["selected_by_default"] else "; opt-in")
              for name, s in streams.items()]
    return text.rstrip("\n") + "\n\n" + "\n".join(lines)
