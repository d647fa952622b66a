"""Benchmark of the loader pipeline on synthetic Hugging Face model records.

    .venv/bin/python benchmarks/load.py --size 10000            # all three modes, a table on stdout
    .venv/bin/python benchmarks/load.py --size 1000000 --modes pipeline,ceiling

Modes, each run in its own subprocess so its peak RSS is its own:

- ``pipeline``: the whole path of ``odlm-kg load huggingface-models`` (check pass, parse, map,
  validate each batch with SHACL, write the validated batches to an on-disk Oxigraph store in 32 MB
  bulk loads, classify, provenance), with its default worker processes;
- ``pipeline-1``: the same in one process (``--workers 1``);
- ``ceiling``: the same triples (mapped beforehand, not timed) handed to pyoxigraph's ``bulk_load``
  as one N-Triples file: the fastest Oxigraph can take them in;
- ``rdflib``: the same pipeline writing to rdflib's in-memory Dataset (the baseline a user would write).

Records are generated from a seed, so a size always gives the same input.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

LICENCES = ["apache-2.0", "mit", "llama2", "cc-by-nc-4.0", "openrail", "other", "gemma", "bsd-3-clause"]
RELATIONS = ["finetune", "adapter", "quantized", "merge"]


def synthetic_record(i: int, rng: random.Random) -> dict[str, object]:
    """One Hub-API-shaped model object; about a third fine-tune an earlier model."""
    org = f"org{i % 997}"
    tags = ["transformers", "pytorch", f"license:{rng.choice(LICENCES)}", f"dataset:data-org/corpus-{i % 211}",
            f"arxiv:{2000 + i % 500}.{i % 99999:05d}", "region:us"]
    if i and i % 3 == 0:
        base = f"org{(i // 3) % 997}/model-{i // 3}"
        tags += [f"base_model:{base}", f"base_model:{rng.choice(RELATIONS)}:{base}"]
    return {
        "id": f"{org}/model-{i}", "modelId": f"{org}/model-{i}", "author": org, "tags": tags,
        "pipeline_tag": "text-generation", "library_name": "transformers",
        "downloads": rng.randrange(10**6), "likes": rng.randrange(1000), "gated": i % 17 == 0,
        "createdAt": "2024-01-02T03:04:05.000Z", "lastModified": f"2025-{1 + i % 12:02d}-01T00:00:00.000Z",
        "cardData": {"license": None, "datasets": [f"data-org/corpus-{i % 211}"]},
    }


def write_input(path: Path, size: int) -> None:
    rng = random.Random(20261122)
    with open(path, "w", encoding="utf-8") as handle:
        for i in range(size):
            handle.write(json.dumps(synthetic_record(i, rng)) + "\n")


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def worker_peak_rss_mb() -> float:
    """The largest peak of the worker processes this one started and waited for (0 without workers)."""
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


# -- modes (each runs in a subprocess) ---------------------------------------------------------------

def run_pipeline(input_path: Path, workdir: Path, batch_size: int, workers: int | None = None) -> dict[str, float]:
    from odlm_kg.sources import get_source
    from odlm_kg.sources.pipeline import run_load
    from odlm_kg.store import OxigraphStore

    store = OxigraphStore(workdir / "store")
    started = time.perf_counter()
    report = run_load(store, get_source("huggingface-models"), [input_path], batch_size=batch_size, progress=False,
                      workers=workers)
    store.flush()
    seconds = time.perf_counter() - started
    store.close()
    return {"records": report.read, "rejected": report.rejected, "triples": report.triples, "seconds": seconds,
            "check_seconds": report.check_seconds}


def run_one_process(input_path: Path, workdir: Path, batch_size: int) -> dict[str, float]:
    return run_pipeline(input_path, workdir, batch_size, workers=1)


def run_rdflib(input_path: Path, workdir: Path, batch_size: int) -> dict[str, float]:
    from odlm_kg.sources import get_source
    from odlm_kg.sources.pipeline import run_load

    store = RdflibStore()
    started = time.perf_counter()
    # the baseline store has no SPARQL query method, which the comparison cube's refresh needs
    report = run_load(store, get_source("huggingface-models"), [input_path], batch_size=batch_size, progress=False,
                      workers=1, refresh_cube=False)
    seconds = time.perf_counter() - started
    return {"records": report.read, "rejected": report.rejected, "triples": report.triples, "seconds": seconds}


def run_ceiling(input_path: Path, workdir: Path, batch_size: int) -> dict[str, float]:
    import pyoxigraph as ox

    from odlm_kg.sources import get_source
    from odlm_kg.sources.batches import to_ntriples

    source = get_source("huggingface-models")
    nt_path = workdir / "triples.nt"
    records = 0
    with open(nt_path, "w", encoding="utf-8") as handle:  # not timed: the mapping is the pipeline's
        for record in source.read(input_path):
            records += 1
            handle.write(to_ntriples(set(source.map_record(record))))
    store = ox.Store(str(workdir / "ceiling-store"))
    started = time.perf_counter()
    store.bulk_load(path=str(nt_path), format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(
        "https://w3id.org/odlm/graph/huggingface"))
    store.flush()
    seconds = time.perf_counter() - started
    return {"records": records, "rejected": 0, "triples": len(store), "seconds": seconds}


MODES = {"pipeline": run_pipeline, "pipeline-1": run_one_process, "ceiling": run_ceiling, "rdflib": run_rdflib}


class RdflibStore:
    """Just enough of odlm_kg.store.Store over an rdflib Dataset for run_load (the baseline)."""

    kind = "rdflib-memory"

    def __init__(self) -> None:
        from rdflib import Dataset

        self.dataset = Dataset()

    def load_text(self, data: str | bytes, fmt: str, graph: object = None) -> None:
        from rdflib import URIRef

        target = self.dataset.graph(URIRef(str(graph))) if graph is not None else self.dataset.default_graph
        target.parse(data=data, format=fmt)

    bulk_write_bytes = 32 * 2**20

    def append_text(self, data: str | bytes, fmt: str, graph: object = None) -> None:
        self.load_text(data, fmt, graph)

    def append_file(self, path: Path, fmt: str, graph: object = None, *, iris_checked: bool = False) -> None:
        self.load_text(Path(path).read_bytes(), fmt, graph)

    def update(self, sparql: str) -> None:
        self.dataset.update(sparql)

    def query(self, sparql: str) -> object:
        result = self.dataset.query(sparql)
        return result.askAnswer if result.type == "ASK" else list(result)


# -- driver -----------------------------------------------------------------------------------------

def child(mode: str, input_path: str, workdir: str, batch_size: int) -> None:
    result = MODES[mode](Path(input_path), Path(workdir), batch_size)
    result["peak_rss_mb"] = peak_rss_mb()
    result["worker_rss_mb"] = worker_peak_rss_mb()
    print(json.dumps(result))


def measure(mode: str, input_path: Path, batch_size: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix=f"odlm-bench-{mode}-") as workdir:
        done = subprocess.run([sys.executable, __file__, "--child", mode, "--input", str(input_path),
                               "--workdir", workdir, "--batch-size", str(batch_size)],
                              capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise SystemExit(f"{mode} failed:\n{done.stderr}")
        return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=int, default=10_000, help="number of synthetic model records")
    parser.add_argument("--modes", default="pipeline,pipeline-1,ceiling,rdflib")
    parser.add_argument("--batch-size", type=int, default=1000)
    parser.add_argument("--child")
    parser.add_argument("--input")
    parser.add_argument("--workdir")
    args = parser.parse_args()
    if args.child:
        child(args.child, args.input, args.workdir, args.batch_size)
        return
    with tempfile.TemporaryDirectory(prefix="odlm-bench-input-") as tmp:
        input_path = Path(tmp) / f"models-{args.size}.jsonl"
        write_input(input_path, args.size)
        size_mb = input_path.stat().st_size / 1e6
        print(f"input: {args.size:,} records, {size_mb:,.1f} MB JSON Lines; batch size {args.batch_size}; "
              f"{os.cpu_count()} CPUs", flush=True)
        print("| size | mode | records | rejected | triples | seconds | records/s | triples/s | peak RSS MB "
              "| worker peak RSS MB |")
        print("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|", flush=True)
        for mode in args.modes.split(","):
            r = measure(mode, input_path, args.batch_size)
            print(f"| {args.size:,} | {mode} | {r['records']:,.0f} | {r['rejected']:,.0f} | {r['triples']:,.0f} | "
                  f"{r['seconds']:,.1f} | {r['records'] / r['seconds']:,.0f} | {r['triples'] / r['seconds']:,.0f} | "
                  f"{r['peak_rss_mb']:,.0f} | {r['worker_rss_mb']:,.0f} |", flush=True)


if __name__ == "__main__":
    main()
