"""The README's generated parts match the code: the stream table (scripts/readme_streams.py)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_the_stream_table_is_generated_from_the_catalog():
    proc = subprocess.run([sys.executable, str(ROOT / "scripts" / "readme_streams.py"), "--check"],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, "README stream table is stale: run scripts/readme_streams.py\n" + proc.stdout[-3000:]


def test_the_readme_opens_with_exactly_the_two_set_up_commands():
    text = (ROOT / "README.md").read_text()
    block = text.split("```sh\n", 1)[1].split("```", 1)[0]
    assert [line.split("#")[0].strip() for line in block.strip().splitlines()] == ["make demo", "make test"]
    assert "../shared" not in text
