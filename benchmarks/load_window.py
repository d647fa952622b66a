"""Run the load pipeline on a large input and report throughput and memory every 30 s.

    .venv/bin/python benchmarks/load_window.py INPUT.jsonl [--seconds 1500] [--workers N]

For the 10^6-record run: prints, every 30 s, the records read so far (workers prepare at most a few
batches behind), records/s over the last window, the loading process's RSS and the summed RSS of its
worker processes, so one can see whether throughput holds and memory stays flat. Stops after
``--seconds`` if the run is not done by then. The check pass is timed separately.
"""

from __future__ import annotations

import argparse
import os
import resource
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path


def rss_mb(pid: int | str = "self") -> float:
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as handle:
            for line in handle:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass  # the process has ended
    return 0.0


def workers_rss_mb() -> float:
    total = 0.0
    for task in Path("/proc/self/task").iterdir():
        children = (task / "children").read_text(encoding="ascii").split()
        total += sum(rss_mb(pid) for pid in children)
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("input", type=Path)
    parser.add_argument("--seconds", type=float, default=1500)
    parser.add_argument("--workers", type=int, default=None)
    args = parser.parse_args()

    from odlm_kg.sources import get_source, pipeline
    from odlm_kg.store import OxigraphStore

    read = [0]
    batches = pipeline._batches

    def counting(*a, **k) -> Iterator[list]:  # type: ignore[no-untyped-def]
        for batch in batches(*a, **k):
            read[0] += len(batch)
            yield batch

    pipeline._batches = counting  # type: ignore[assignment]
    started = time.perf_counter()
    stop = threading.Event()
    peaks = {"loader": 0.0, "workers": 0.0}

    def report() -> None:
        last, last_t = 0, time.perf_counter()
        while not stop.wait(30):
            now = time.perf_counter()
            rate = (read[0] - last) / (now - last_t)
            loader, workers = rss_mb(), workers_rss_mb()
            peaks["loader"], peaks["workers"] = max(peaks["loader"], loader), max(peaks["workers"], workers)
            print(f"{now - started:7.0f} s  {read[0]:>9,} records  {rate:8,.0f} records/s  RSS loader {loader:6.0f} MB"
                  f"  workers {workers:6.0f} MB", flush=True)
            last, last_t = read[0], now
            if now - started > args.seconds:
                print("time window over; stopping", flush=True)
                os._exit(0)

    threading.Thread(target=report, daemon=True).start()
    with tempfile.TemporaryDirectory(prefix="odlm-window-") as tmp:
        store = OxigraphStore(Path(tmp) / "store")
        result = pipeline.run_load(store, get_source("huggingface-models"), [args.input], progress=False,
                                   workers=args.workers)
        store.close()
    stop.set()
    print(f"done: {result.read:,} records, {result.triples:,} triples in {result.seconds:,.0f} s "
          f"(check pass {result.check_seconds:,.0f} s); peak RSS loader "
          f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MB, largest worker "
          f"{resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024:,.0f} MB; sampled peaks loader "
          f"{peaks['loader']:,.0f} MB, workers together {peaks['workers']:,.0f} MB", flush=True)


if __name__ == "__main__":
    main()
