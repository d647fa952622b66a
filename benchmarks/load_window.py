"""Run the load pipeline on a large input for a fixed time and report throughput and memory over time.

    .venv/bin/python benchmarks/load_window.py INPUT.jsonl --seconds 1500 [--bulk]

For sizes whose full run does not fit the time available (10^6 records on a shared 2-core machine):
prints, every 30 s, records mapped so far, records/s over the last window and the process's RSS, so
one can see whether throughput holds and memory stays flat. The check pass is timed separately.
"""

from __future__ import annotations

import argparse
import os
import resource
import tempfile
import threading
import time
from pathlib import Path


def rss_mb() -> float:
    with open(f"/proc/{os.getpid()}/status", encoding="ascii") as handle:
        for line in handle:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("input", type=Path)
    parser.add_argument("--seconds", type=float, default=1500)
    parser.add_argument("--bulk", action="store_true")
    args = parser.parse_args()

    from odlm_kg.sources import get_source
    from odlm_kg.sources.pipeline import run_load
    from odlm_kg.store import OxigraphStore

    source = get_source("huggingface-models")
    mapped = [0]
    original = source.map_record

    def counting(record):  # type: ignore[no-untyped-def]
        mapped[0] += 1
        return original(record)

    source.map_record = counting  # type: ignore[method-assign]
    started = time.perf_counter()
    stop = threading.Event()

    def report() -> None:
        last, last_t = 0, time.perf_counter()
        while not stop.wait(30):
            now = time.perf_counter()
            rate = (mapped[0] - last) / (now - last_t)
            print(f"{now - started:7.0f} s  {mapped[0]:>9,} records  {rate:8,.0f} records/s  RSS {rss_mb():6.0f} MB  "
                  f"peak {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:6.0f} MB", flush=True)
            last, last_t = mapped[0], now
            if now - started > args.seconds:
                print("time window over; stopping", flush=True)
                os._exit(0)

    threading.Thread(target=report, daemon=True).start()
    with tempfile.TemporaryDirectory(prefix="odlm-window-") as tmp:
        store = OxigraphStore(Path(tmp) / "store")
        result = run_load(store, source, [args.input], progress=False, bulk=args.bulk)
        store.close()
    stop.set()
    print(f"done: {result.read:,} records, {result.triples:,} triples in {result.seconds:,.0f} s "
          f"(check pass {result.check_seconds:,.0f} s); peak RSS "
          f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MB", flush=True)


if __name__ == "__main__":
    main()
