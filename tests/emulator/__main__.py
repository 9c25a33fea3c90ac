"""Run the emulator standalone: python -m tests.emulator --port 8900 --tickets 1000"""

from __future__ import annotations

import argparse
import gc
import json
import signal
import threading
import time

from tests.emulator.server import Emulator


def main() -> None:
    parser = argparse.ArgumentParser(description="Zoho Desk API emulator on 127.0.0.1")
    parser.add_argument("--port", type=int, default=8900)
    parser.add_argument("--tickets", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--latency-ms", type=float, default=0)
    parser.add_argument("--from-base", type=int, choices=(0, 1), default=0)
    parser.add_argument("--config-out", help="write a tap/target config for this emulator here")
    args = parser.parse_args()
    started = time.monotonic()
    emulator = Emulator(tickets=args.tickets, seed=args.seed, latency_ms=args.latency_ms,
                        from_base=args.from_base, port=args.port)
    if args.config_out:
        with open(args.config_out, "w") as fh:
            json.dump(emulator.config(), fh, indent=2)
    gc.collect()
    gc.freeze()  # a million seeded rows stay out of the collector's scans: answers without stalls
    emulator.start()
    rows = sum(len(t.rows) for t in emulator.store.tables.values())
    print(f"Zoho Desk emulator on {emulator.base_url} ({rows} records, "
          f"{args.tickets} tickets, seeded in {time.monotonic() - started:.1f}s)", flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        stop.wait()
    except KeyboardInterrupt:
        pass
    emulator.stop()
    print(f"emulator served {sum(emulator.calls.values())} API calls: {dict(emulator.calls)}", flush=True)


if __name__ == "__main__":
    main()
