"""Benchmark: the calls and credits of a preview (dry_run) and of an undo, per 1,000 records.

Against the emulator, which charges what the evidence says a call costs (a GET of one record 1,
a write 1, moveToTrash and recycleBin/restore 6 per record: D29 quoting Zoho's credit model).
Per kind of record: 1,000 ticket updates (previewed; then written with keep_before_images and
undone), 1,000 ticket deletes (undone: restored) and 1,000 contact creates (undone: trashed).

python -m benchmarks.undo_costs [--records 1000]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tap_zohodesk.api.catalog import BY_STREAM
from tests.emulator import Emulator
from tests.helpers import run_target, singer_lines
from tests.test_target import open_schema

DELETED = "2026-01-01T00:00:00Z"


def _input(kind: str, emu: Emulator, n: int) -> str:
    tickets = emu.store.tables["tickets"].rows[:n]
    if kind == "updates":
        return singer_lines("tickets", open_schema(BY_STREAM["tickets"]),
                            [{"id": t["id"], "subject": f"Changed {i}"} for i, t in enumerate(tickets)])
    if kind == "deletes":
        return singer_lines("tickets", open_schema(BY_STREAM["tickets"]),
                            [{"id": t["id"], "_sdc_deleted_at": DELETED} for t in tickets])
    return singer_lines("contacts", open_schema(BY_STREAM["contacts"]),
                        [{"lastName": f"Undo{i}", "email": f"undo{i}@x.example"} for i in range(n)])


def _spent(emu: Emulator, before: int) -> str:
    return f"{sum(emu.calls.values()):>5} calls, {before - emu.credits_left:>5} credits"


def measure(kind: str, n: int) -> list[str]:
    with Emulator(tickets=n + 200, seed=7) as emu, tempfile.TemporaryDirectory() as tmp:
        config = emu.config(results_path=str(Path(tmp) / "results.jsonl"), journal_path=str(Path(tmp) / "j.sqlite"),
                            keep_before_images=True, max_deletes=n, max_delete_ratio=1)
        text, out = _input(kind, emu, n), []
        if kind == "updates":
            emu.reset_counts()
            credits = emu.credits_left
            run_target({**config, "dry_run": True, "results_path": str(Path(tmp) / "preview.jsonl")}, text)
            out.append(f"preview of {n} ticket updates: {_spent(emu, credits)}")
        emu.reset_counts()
        credits = emu.credits_left
        run_target(config, text)
        out.append(f"run of {n} {kind} (keep_before_images): {_spent(emu, credits)}")
        emu.reset_counts()
        credits = emu.credits_left
        started = time.monotonic()
        path = Path(tmp) / "config.json"
        path.write_text(__import__("json").dumps(config))
        undo = subprocess.run([sys.executable, "-c", "from target_zohodesk.target import main; main()", "--config",
                               str(path), "--undo", str(Path(tmp) / "results.jsonl")], capture_output=True, text=True)
        if undo.returncode:
            raise SystemExit(undo.stderr[-2000:])
        out.append(f"undo of {n} {kind}: {_spent(emu, credits)} in {time.monotonic() - started:.1f} s "
                   f"({', '.join(f'{k} x{v}' for k, v in sorted(emu.calls.items()))})")
        return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=1000)
    args = parser.parse_args()
    for kind in ("updates", "deletes", "creates"):
        for line in measure(kind, args.records):
            print(line, flush=True)


if __name__ == "__main__":
    main()
