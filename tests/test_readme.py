"""The README and docs/ match the code: the stream table of docs/streams.md (scripts/readme_streams.py), the
README's two set-up commands, its length, and links between the documents that resolve."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_the_stream_table_is_generated_from_the_catalog():
    proc = subprocess.run([sys.executable, str(ROOT / "scripts" / "readme_streams.py"), "--check"],
                          capture_output=True, text=True, timeout=60)
    stale = "docs/streams.md stream table is stale: run scripts/readme_streams.py\n"
    assert proc.returncode == 0, stale + proc.stdout[-3000:]


def test_the_readme_opens_with_exactly_the_two_set_up_commands():
    text = (ROOT / "README.md").read_text()
    block = text.split("```sh\n", 1)[1].split("```", 1)[0]
    assert [line.split("#")[0].strip() for line in block.strip().splitlines()] == ["make demo", "make test"]
    assert "../shared" not in text


def test_the_stream_table_lives_in_docs_and_lists_every_stream():
    from tap_zohodesk.api.catalog import OBJECTS

    text = (ROOT / "docs" / "streams.md").read_text()
    table = text.split("<!-- streams:start -->", 1)[1].split("<!-- streams:end -->")[0]
    rows = [line for line in table.splitlines() if line.startswith("| `")]
    want = sum(1 + len(spec.unwound) for spec in OBJECTS)
    assert want > 62 and len(rows) == want
    assert "<!-- streams:start -->" not in (ROOT / "README.md").read_text()


def test_the_readme_is_read_in_five_minutes():
    lines = (ROOT / "README.md").read_text().splitlines()
    assert 0 < len(lines) < 200, f"README.md has {len(lines)} lines; move detail to docs/"


def test_every_relative_link_of_the_readme_and_docs_resolves():
    """[text](path#anchor) between README.md and docs/*.md: the file exists, and the anchor is one of its headings."""
    documents = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
    checked = 0
    for doc in documents:
        for target in re.findall(r"\]\(([^)\s]+)\)", doc.read_text()):
            if target.startswith(("http://", "https://")):
                continue
            path, _, anchor = target.partition("#")
            linked = (doc.parent / path).resolve() if path else doc
            assert linked.exists(), f"{doc.relative_to(ROOT)}: link {target} names no file"
            if anchor:
                headings = [_anchor(h) for h in re.findall(r"^#+ (.+)$", linked.read_text(), re.M)]
                assert anchor in headings, f"{doc.relative_to(ROOT)}: link {target}: no such heading"
            checked += 1
    assert checked > 10


def _anchor(heading: str) -> str:
    """GitHub's anchor of a heading: lower case, punctuation dropped, spaces as dashes."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def test_every_setting_the_readme_and_docs_name_is_a_setting_of_its_plugin():
    """The configuration tables (README's essentials, docs/configuration.md's all): each key exists in the plugin
    its row names (tap, target or both), and the README's are a subset of the full table."""
    from tap_zohodesk.tap import TapZohoDesk
    from target_zohodesk.target import TargetZohoDesk

    settings = {"tap": set(TapZohoDesk.config_jsonschema["properties"]),
                "target": set(TargetZohoDesk.config_jsonschema["properties"])}
    tables = {}
    for doc in (ROOT / "README.md", ROOT / "docs" / "configuration.md"):
        rows = re.findall(r"^\| ((?:`\w+`(?:, )?)+) \| (both|tap|target)\b", doc.read_text(), re.M)
        tables[doc.name] = {key: plugin for keys, plugin in rows for key in re.findall(r"`(\w+)`", keys)}
        assert len(tables[doc.name]) >= 10, doc
        for key, plugin in tables[doc.name].items():
            for name in (("tap", "target") if plugin == "both" else (plugin,)):
                assert key in settings[name], f"{doc.name}: {key} is no setting of the {name}"
    assert tables["README.md"].items() <= tables["configuration.md"].items()
