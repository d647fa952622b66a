"""Benchmark: every SELECT named query on the default graph plus N synthetic Hub models, uncached.

    .venv/bin/python benchmarks/answers.py --sizes 100000             # ~1 minute on a quiet machine
    .venv/bin/python benchmarks/answers.py --sizes 100000 1000000     # 10^6 loads in ~7 minutes

For each size: the default graph is built into a fresh on-disk Oxigraph store (``odlm-kg build``), the
size's synthetic Hub model records (``benchmarks/load.py``'s generator, same seed) are loaded through
``run_load`` without the cube refresh, and then the cube is refreshed for the loaded graph, timed on
its own: the refresh's share of the load is what issue 15's "at most 20 %" is about. Every named
SELECT query (federated ones excluded) then runs on the embedded store with its default parameters,
``--repeat`` times; the store has no result cache (the endpoint's cache is not in the way), so every
run evaluates the query. The table gives the first run and the median, in milliseconds, beside the
time measured before issue 15 where the issue gives one (10^5 models).

The machine's load average is printed with each measurement: on a shared machine it decides the
numbers more than anything here.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.load import write_input

#: Seconds measured before issue 15 at 10^5 models (the issue's "Speed" section).
BEFORE_AT_100K: dict[str, float] = {
    "open-sourcing-coverage": 7.2,
    "lineage-base-models": 6.9,
    "cosharing-survey-vs-crawl": 3.7,
    "licences-by-platform": 2.7,
    "rq2-model-motivations-barriers": 1.4,
    "rq1-where-locations-by-kind": 0.8,
}
TARGET_MS = 100.0


def load_average() -> str:
    return "/".join(f"{value:.1f}" for value in os.getloadavg())


def prepare(size: int, workdir: Path) -> tuple[object, dict[str, float]]:
    """A store with the default graph and ``size`` synthetic Hub models; the load and refresh times."""
    from rdflib import URIRef

    from odlm_kg.build import build
    from odlm_kg.evidence.cube import refresh
    from odlm_kg.sources import get_source
    from odlm_kg.sources.pipeline import run_load
    from odlm_kg.store import OxigraphStore

    records = workdir / f"hub-{size}.jsonl"
    if not records.exists():
        write_input(records, size)
    store = OxigraphStore(workdir / f"store-{size}")
    started = time.perf_counter()
    build(store)
    built = time.perf_counter() - started
    source = get_source("huggingface-models")
    print(f"  {size:>9,} models: loading (load average {load_average()})", flush=True)
    started = time.perf_counter()
    report = run_load(store, source, [records], progress=False, refresh_cube=False)
    store.flush()
    loaded = time.perf_counter() - started
    started = time.perf_counter()
    written = refresh(store, [URIRef(str(source.graph))])
    refreshed = time.perf_counter() - started
    print(f"  {size:>9,} models: build {built:.1f} s, load {loaded:.1f} s ({report.read:,} records), cube refresh "
          f"{refreshed:.2f} s = {100 * refreshed / loaded:.1f} % of the load, {sum(written.values())} observations "
          f"(load average {load_average()})", flush=True)
    return store, {"build": built, "load": loaded, "refresh": refreshed}


def time_queries(store: object, repeat: int) -> dict[str, tuple[float, float, int]]:
    """Per SELECT named query: (first run, median) in milliseconds, and its row count."""
    from odlm_kg.cookbook import needs_network
    from odlm_kg.queries import list_queries

    timings: dict[str, tuple[float, float, int]] = {}
    for query in list_queries():
        if query.form != "SELECT" or needs_network(query):
            continue
        text = query.bind()
        runs: list[float] = []
        rows = 0
        for _ in range(repeat):
            started = time.perf_counter()
            result = store.query(text)  # type: ignore[attr-defined]
            rows = len(result)
            runs.append(1000 * (time.perf_counter() - started))
        timings[query.name] = (runs[0], statistics.median(runs), rows)
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--workdir", type=Path, default=None, help="keep inputs and stores here")
    parser.add_argument("--reuse", action="store_true",
                        help="time the queries on stores a previous run left in --workdir (no build, no load)")
    args = parser.parse_args()
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="odlm-answers-"))
    workdir.mkdir(parents=True, exist_ok=True)

    results: dict[int, dict[str, tuple[float, float, int]]] = {}
    loads: dict[int, dict[str, float]] = {}
    for size in args.sizes:
        if args.reuse:
            from odlm_kg.store import OxigraphStore

            store = OxigraphStore(workdir / f"store-{size}")
        else:
            store, loads[size] = prepare(size, workdir)
        results[size] = time_queries(store, args.repeat)
        store.close()  # type: ignore[attr-defined]
        print(f"  {size:>9,} models: queries timed (load average {load_average()})", flush=True)

    names = sorted({name for timings in results.values() for name in timings})
    header = ["query", "before (10^5)"] + [f"{size:,}: first / median ms (rows)" for size in args.sizes]
    print("\n| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    slow: list[str] = []
    for name in names:
        before = f"{BEFORE_AT_100K[name]:.1f} s" if name in BEFORE_AT_100K else ""
        cells = [name, before]
        for size in args.sizes:
            first, median, rows = results[size][name]
            cells.append(f"{first:.0f} / {median:.0f} ({rows})")
            if median >= TARGET_MS:
                slow.append(f"{name} at {size:,}: {median:.0f} ms")
        print("| " + " | ".join(cells) + " |")
    print()
    for size, times in loads.items():
        print(f"{size:,} models: load {times['load']:.1f} s, cube refresh {times['refresh']:.2f} s "
              f"({100 * times['refresh'] / times['load']:.1f} % of the load)")
    print("every median under 100 ms" if not slow else "over 100 ms: " + "; ".join(slow))


if __name__ == "__main__":
    main()
