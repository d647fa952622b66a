"""Endpoint throughput: requests/s and p50/p99 latency of a named comparative query (rq1-where-locations-by-kind by default) at 1, 8 and 32
concurrent clients, for the odlm-kg endpoint (uncached and from its result cache), ``oxigraph serve``
(the ceiling: the same engine with no safety layer) and rdflib-endpoint (what a Python user would
otherwise pick), on the default graph and on a synthetic graph.

    .venv/bin/pip install -e '.[bench]'
    nice -n 10 .venv/bin/python benchmarks/endpoint.py --synthetic 1000000,10000000 --duration 10

Prints a Markdown table (for docs/performance.md) and writes the numbers as JSON with --out.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
import pyoxigraph as ox

BIN = Path(sys.executable).parent
CLIENT_TIMEOUT = 1800.0  # s; at 10^7 triples 32 queued queries take minutes
QUERY_NAME = "rq1-where-locations-by-kind"  # --query changes it
LOCATIONS = ["GitHub", "HuggingFaceHub", "Zenodo", "Kaggle", "PyTorchHub", "TensorFlowHub", "Figshare",
             "PapersWithCode", "PersonalWebsite", "UniversityWebsite", "CaffeModelZoo", "Bitbucket"]
KINDS = ["Data", "Code", "Model"]
LICENCES = ["Apache-2.0", "MIT", "CC-BY-4.0", "GPL-3.0-only", "CC-BY-NC-4.0", "OpenRAIL"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_up(url: str, process: subprocess.Popen[bytes], seconds: float = 600) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{process.args} exited with {process.returncode}")
        try:
            httpx.get(url, timeout=2)
            return
        except httpx.HTTPError:
            time.sleep(0.3)
    raise RuntimeError(f"{url} did not come up")


def make_default_graph(directory: Path) -> Path:
    """Build the default graph into a store, and dump it as N-Quads for the other servers."""
    from odlm_kg.build import build
    from odlm_kg.store import OxigraphStore

    store = OxigraphStore(directory / "store")
    try:
        build(store)
    except Exception as exc:  # a part of the build may be broken while the project is in progress
        print(f"full build failed ({exc}); using the ontology graphs only", file=sys.stderr)
        build(store, [("ontology", "odlm_kg.ontology:build_step")])
    dump = directory / "data.nq"
    store.native.dump(str(dump), ox.RdfFormat.N_QUADS)
    store.close()
    return dump


def make_synthetic(directory: Path, triples: int, base: Path) -> Path:
    """The default graph plus artifacts at locations, with kinds, licences and labels (5 triples each)."""
    random.seed(7)
    dump = directory / "data.nq"
    graph = "<https://w3id.org/odlm/graph/synthetic>"
    odlm = "https://w3id.org/odlm#"
    with dump.open("w", encoding="utf-8") as out:
        out.write(base.read_text(encoding="utf-8"))
        for i in range(triples // 5):
            kind = random.choice(KINDS)
            s = f"<https://w3id.org/odlm/id/{kind.lower()}/synthetic-{i}>"
            location = random.choices(LOCATIONS, weights=range(len(LOCATIONS), 0, -1))[0]
            out.write(f"{s} <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <{odlm}Artifact> {graph} .\n"
                      f"{s} <{odlm}artifactKind> <https://w3id.org/odlm/vocab/artifact-kind/{kind}> {graph} .\n"
                      f"{s} <{odlm}sharedAt> <https://w3id.org/odlm/vocab/sharing-location/{location}> {graph} .\n"
                      f"{s} <{odlm}licence> <http://spdx.org/licenses/{random.choice(LICENCES)}> {graph} .\n"
                      f'{s} <http://www.w3.org/2000/01/rdf-schema#label> "artifact {i}" {graph} .\n')
    return dump


@dataclass
class Server:
    name: str
    process: subprocess.Popen[bytes]
    request: dict[str, object]  # httpx.request keyword arguments

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(15)
        except subprocess.TimeoutExpired:
            self.process.kill()


def start_servers(dump: Path, directory: Path, with_rdflib_endpoint: bool) -> list[Server]:
    from odlm_kg.queries import get_query

    sparql = get_query(QUERY_NAME).bind()
    servers: list[Server] = []
    store_dir = directory / "odlm-store"
    subprocess.run([str(BIN / "oxigraph"), "load", "--location", str(store_dir), "--file", str(dump)],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    # Compact before serving, for both servers alike: a freshly bulk-loaded 10^7 store is compacted by
    # whichever server opens it first, while it answers (one query worker grew to 17 GB then).
    store = ox.Store(str(store_dir))
    store.optimize()
    del store
    ox_dir = directory / "oxigraph-store"
    shutil.copytree(store_dir, ox_dir)

    port = free_port()
    process = subprocess.Popen([str(BIN / "odlm-kg"), "--store", str(store_dir), "serve", "--port", str(port),
                                "--timeout", str(CLIENT_TIMEOUT), "--row-cap", "1000000"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_up(f"http://127.0.0.1:{port}/health", process)
    headers = {"Content-Type": "application/sparql-query", "Accept": "application/sparql-results+json"}
    servers.append(Server("odlm-kg, uncached", process, {
        "method": "POST", "url": f"http://127.0.0.1:{port}/sparql", "content": sparql.encode(),
        "headers": {**headers, "Cache-Control": "no-cache"}}))
    servers.append(Server("odlm-kg, named query (cache)", process, {
        "method": "GET", "url": f"http://127.0.0.1:{port}/queries/{QUERY_NAME}",
        "headers": {"Accept": "application/sparql-results+json"}}))

    port = free_port()
    process = subprocess.Popen([str(BIN / "oxigraph"), "serve", "--location", str(ox_dir), "--bind",
                                f"127.0.0.1:{port}", "--union-default-graph"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_up(f"http://127.0.0.1:{port}/query?query=ASK%7B%7D", process)
    servers.append(Server("oxigraph serve", process, {
        "method": "POST", "url": f"http://127.0.0.1:{port}/query", "content": sparql.encode(), "headers": headers}))

    if with_rdflib_endpoint and shutil.which("rdflib-endpoint", path=str(BIN)):
        port = free_port()
        process = subprocess.Popen([str(BIN / "rdflib-endpoint"), "serve", str(dump), "--host", "127.0.0.1",
                                    "--port", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_up(f"http://127.0.0.1:{port}/?query=ASK%7B%7D", process)
        servers.append(Server("rdflib-endpoint", process, {  # it serves SPARQL at "/", form POST
            "method": "POST", "url": f"http://127.0.0.1:{port}/", "data": {"query": sparql},
            "headers": {"Accept": "application/sparql-results+json"}}))
    return servers


def load(server: Server, clients: int, duration: float) -> dict[str, float]:
    """``clients`` threads send the request back to back for ``duration`` s (each at least once)."""
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    stop_at = time.monotonic() + duration

    def client() -> None:
        nonlocal errors
        with httpx.Client(timeout=CLIENT_TIMEOUT) as http:
            first = True
            while first or time.monotonic() < stop_at:
                first = False
                started = time.perf_counter()
                try:
                    ok = http.request(**server.request).status_code == 200  # type: ignore[arg-type]
                except httpx.HTTPError:  # a timeout counts as an error, not a lost client
                    ok = False
                elapsed = time.perf_counter() - started
                with lock:
                    latencies.append(elapsed)
                    errors += not ok

    threads = [threading.Thread(target=client) for _ in range(clients)]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - began
    latencies.sort()
    return {"clients": clients, "requests": len(latencies), "errors": errors, "rps": len(latencies) / wall,
            "p50_ms": 1000 * statistics.median(latencies),
            "p99_ms": 1000 * latencies[min(len(latencies) - 1, int(0.99 * len(latencies)))]}


def rows_of(server: Server) -> int:
    response = httpx.request(**server.request, timeout=CLIENT_TIMEOUT)  # type: ignore[arg-type]
    if response.status_code != 200:
        raise RuntimeError(f"{server.name} answered {response.status_code}: {response.text[:300]}")
    return len(response.json()["results"]["bindings"])


def main() -> None:
    global QUERY_NAME
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--synthetic", default="1000000",
                        help="triples in the synthetic graph, or several sizes separated by commas (0: none)")
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per measurement")
    parser.add_argument("--clients", default="1,8,32")
    parser.add_argument("--rdflib-endpoint-on-synthetic", action="store_true",
                        help="also run rdflib-endpoint on the synthetic graph (slow: minutes per query)")
    parser.add_argument("--query", default="rq1-where-locations-by-kind", help="the named query to send")
    parser.add_argument("--skip-default-graph", action="store_true",
                        help="measure the synthetic graphs only (the default graph is still their base)")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    QUERY_NAME = args.query
    clients = [int(c) for c in args.clients.split(",")]
    results = []
    with tempfile.TemporaryDirectory(prefix="odlm-bench-") as tmp:
        root = Path(tmp)
        (root / "default").mkdir()
        base = make_default_graph(root / "default")
        datasets: list[tuple[str, Path, bool]] = [] if args.skip_default_graph else [("default graph", base, True)]
        sizes = [int(size) for size in args.synthetic.split(",") if int(size)]
        for size in sizes:
            datasets.append((f"synthetic, {size:,} triples + default", root / f"synthetic-{size}", args.rdflib_endpoint_on_synthetic))
        for label, where, with_rdflib in datasets:
            if isinstance(where, Path) and where.name.startswith("synthetic-"):
                where.mkdir()  # made when its turn comes, so only one synthetic store is on disk at a time
                dump = make_synthetic(where, int(where.name.split("-")[1]), base)
            else:
                dump = where
            quads = sum(1 for _ in dump.open(encoding="utf-8"))
            print(f"## {label}: {quads:,} quads", file=sys.stderr)
            servers = start_servers(dump, dump.parent, with_rdflib)
            try:
                for server in servers:
                    rows = rows_of(server)
                    for count in clients:
                        numbers = load(server, count, args.duration)
                        numbers.update(dataset=label, quads=quads, server=server.name, rows=rows)
                        results.append(numbers)
                        print(json.dumps(numbers), file=sys.stderr)
            finally:
                for process in {id(s.process): s for s in servers}.values():
                    process.stop()
            if dump != base:
                shutil.rmtree(dump.parent)
    print(f"\nMachine: {os.cpu_count()} cores; query: {QUERY_NAME} (three GROUP BY aggregates: findings, survey answers, crawled artifacts per location and kind); "
          f"{args.duration:g} s per cell.\n")
    print("| data | server | clients | req/s | p50 ms | p99 ms | errors |")
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: |")
    for r in results:
        print(f"| {r['dataset']} | {r['server']} | {r['clients']} | {r['rps']:.2f} | {r['p50_ms']:.1f} | "
              f"{r['p99_ms']:.1f} | {r['errors']} |")
    if args.out:
        args.out.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
