"""The same store on three engines: the embedded store, ``oxigraph serve --union-default-graph`` and
Debian's Virtuoso 7.2 (issue 17, Speed).

For each size N (``--sizes 1000,100000``) it writes N SYNTHETIC Hub-shaped model records with
benchmarks/load.py's seeded generator, then for each engine, each on a new database:

1. ``odlm-kg --store S build``, timed from outside (the command a user runs, start-up included);
2. ``odlm-kg --store S load huggingface-models FILE``: the loader, through the engine's protocol;
3. every local named query (the federated ones call the internet), through the Python API on the
   same store, and again on each engine's bulk-loaded store below (``odlm_kg.queries.run_named_query``: the query alone, without the CLI's start-up),
   with its row count and whether its answer equals the embedded store's as a table (the comparison
   of tests/engines/test_cross_engine.py);

and the bulk path, beside the loader: ``odlm-kg load … --output hub.nq.gz`` (the loader's additions
to a built store, as a file) and ``odlm-kg export built.nq.gz`` of an embedded build, then the
engine's own loader on a new database: Virtuoso's ``ld_add`` + ``rdf_loader_run`` + ``checkpoint``
(tests/engines/servers.py), Oxigraph's ``oxigraph load --location`` before ``oxigraph serve`` (the
files decompressed into its standard input; it reads N-Quads, not gzip). Its triples are counted
against the embedded store's.

The machine is shared: each engine's section starts with the load average (/proc/loadavg), and the
absolute seconds move with it. Output: Markdown tables on standard output.

    .venv/bin/python benchmarks/engines.py --sizes 1000
    .venv/bin/python benchmarks/engines.py --sizes 100000 --engines embedded,virtuoso
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# this file is named like the tests' ``engines`` package: its own folder leaves the path, the tests' joins it
sys.path[:] = [str(ROOT / "tests"), str(ROOT / "tests" / "engines"),
               *(p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent)]

from engines.servers import (  # noqa: E402  (the tests' server helpers: the same configuration)
    OxigraphServer,
    VirtuosoServer,
    start_oxigraph,
    start_virtuoso,
)

ODLM_KG = str(Path(sys.executable).parent / "odlm-kg")
OXIGRAPH = str(Path(sys.executable).parent / "oxigraph")
ENGINES = ("embedded", "oxigraph", "virtuoso")


def loadavg() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def generator() -> object:
    spec = importlib.util.spec_from_file_location("benchmark_load", ROOT / "benchmarks" / "load.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def odlm_kg(*args: str) -> float:
    """One CLI command, timed from outside; a failure stops the benchmark with the command's own words."""
    started = time.perf_counter()
    done = subprocess.run([ODLM_KG, *args], capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise StepFailed(f"odlm-kg {' '.join(args[:4])}… exited {done.returncode} after {seconds:,.1f} s: "
                         f"{done.stderr.strip()[-600:]}")
    return seconds


class StepFailed(RuntimeError):
    """A command that exited non-zero; its message says after how many seconds."""


@dataclass
class EngineResult:
    engine: str
    loadavg: str
    build_s: float | None = None
    load_s: float | None = None
    failures: list[str] = field(default_factory=list)
    queries: dict[str, tuple[float, int | None, str]] = field(default_factory=dict)
    graph_counts: dict[str, int] = field(default_factory=dict)


def local_queries() -> list[str]:
    from odlm_kg.queries import list_queries
    from odlm_kg.sparql_text import service_endpoints

    return [q.name for q in list_queries() if not service_endpoints(q.text)]


def answer_table(result: object, sparql: str) -> object:
    """A query result as the cross-engine test's table (numbers as numbers, blank nodes alike)."""
    from rdflib import Graph
    from test_cross_engine import Table, ordered_columns, rdf_cell

    if isinstance(result, Graph):
        return Table(["s", "p", "o"], [tuple(rdf_cell(t) for t in triple) for triple in result])
    if isinstance(result, bool):
        return Table(["ask"], [(("lit", str(result).lower(), ""),)])
    variables = [str(v) for v in result.variables]  # type: ignore[attr-defined]
    rows = [tuple(None if row.get(v) is None else rdf_cell(row.get(v)) for v in variables)
            for row in result.rows]  # type: ignore[attr-defined]
    return Table(variables, rows, ordered_columns(sparql))


def run_queries(spec: str, reference: dict[str, object] | None, result: EngineResult) -> dict[str, object]:
    """Every local named query on the store at ``spec``: seconds, rows, and "same"/what differs."""
    from test_cross_engine import computed_booleans_read, differences

    from odlm_kg.queries import get_query
    from odlm_kg.store import open_store

    tables: dict[str, object] = {}
    store = open_store(spec, "read")
    try:
        for name in local_queries():
            sparql = get_query(name).bind()
            started = time.perf_counter()
            try:
                answer = store.query(sparql)
            except Exception as error:  # an engine's refusal is a result here, not the end of the run
                result.queries[name] = (time.perf_counter() - started, None, f"fails: {str(error)[:160]}")
                continue
            seconds = time.perf_counter() - started
            table = answer_table(answer, sparql)
            tables[name] = table
            rows = len(table.rows)  # type: ignore[attr-defined]
            if reference is None:
                verdict = "reference"
            elif name not in reference:
                verdict = "no reference (fails on the embedded store)"
            else:
                if result.engine == "virtuoso":  # its computed booleans are 0/1: the test's one allowance
                    table = computed_booleans_read(reference[name], table)  # type: ignore[arg-type]
                said = differences(reference[name], table)  # type: ignore[arg-type]
                verdict = "same" if not said else "differs: " + said[0][:160]
            result.queries[name] = (seconds, rows, verdict)
        counts = store.query("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
        result.graph_counts = {str(r["g"]): int(r["n"]) for r in counts.rows  # type: ignore[union-attr]
                               if not str(r["g"]).startswith("http://www.openlinksw.com/")}
    finally:
        store.close()
    return tables


def start(engine: str, workdir: Path) -> tuple[str, OxigraphServer | VirtuosoServer | None]:
    if engine == "embedded":
        return str(workdir / "store"), None
    if engine == "oxigraph":
        server: OxigraphServer | VirtuosoServer = start_oxigraph(workdir / "oxigraph")
    else:
        server = start_virtuoso(workdir / "virtuoso")
    return server.sparql_url, server


def through_loader(engine: str, input_path: Path, workdir: Path, reference: dict[str, object] | None,
                   with_queries: bool) -> tuple[EngineResult, dict[str, object]]:
    result = EngineResult(engine, loadavg())
    workdir.mkdir(parents=True, exist_ok=True)
    spec, server = start(engine, workdir)
    tables: dict[str, object] = {}
    try:
        # a failed build still leaves most graphs on a server: the load and queries are tried anyway
        try:
            result.build_s = odlm_kg("--store", spec, "build")
        except StepFailed as error:
            result.failures.append(str(error))
        try:
            result.load_s = odlm_kg("--store", spec, "load", "huggingface-models", str(input_path), "--no-progress")
        except StepFailed as error:
            result.failures.append(str(error))
        if with_queries and (server is not None or result.build_s is not None):
            tables = run_queries(spec, reference, result)
    finally:
        if server is not None:
            server.stop()
    return result, tables


@dataclass
class BulkResult:
    engine: str
    loadavg: str
    export_s: float = 0.0
    output_s: float = 0.0
    bulk_s: float | None = None
    triples: int | None = None
    failure: str = ""


def bulk_files(input_path: Path, workdir: Path) -> tuple[float, float, list[Path]]:
    """The default graph's export (from an embedded build) and ``load --output``'s file; their seconds."""
    workdir.mkdir(parents=True, exist_ok=True)
    built = workdir / "built-store"
    odlm_kg("--store", str(built), "build")
    files = [workdir / "files" / "built.nq.gz", workdir / "files" / "hub.nq.gz"]
    files[0].parent.mkdir(parents=True, exist_ok=True)
    export_s = odlm_kg("--store", str(built), "export", str(files[0]))
    output_s = odlm_kg("load", "huggingface-models", str(input_path), "--output", str(files[1]), "--no-progress")
    return export_s, output_s, files


def bulk_load(engine: str, files: list[Path], workdir: Path, result: BulkResult,
              reference: dict[str, object] | None) -> EngineResult | None:
    """The engine's own loader on a new database; then, with ``reference``, every named query on it
    (the store then holds exactly the embedded store's quads, whatever the engine's writes refuse)."""
    if engine == "virtuoso":
        server: OxigraphServer | VirtuosoServer = start_virtuoso(workdir / "virtuoso-bulk")
        try:
            local = []
            for path in files:  # the loader reads only files under its DirsAllowed
                shutil.copy(path, server.workdir / path.name)
                local.append(server.workdir / path.name)
            result.bulk_s = sum(server.bulk_load(path) for path in local)  # type: ignore[union-attr]
            return count_and_query(server, engine, result, reference)
        finally:
            server.stop()
    location = workdir / "data"
    location.mkdir(parents=True)
    started = time.perf_counter()
    for path in files:
        # gzip -dc | oxigraph load: a pipe, so that the decompressed file never sits on disk or in memory
        unzip = subprocess.Popen(["gzip", "-dc", str(path)], stdout=subprocess.PIPE)
        done = subprocess.run([OXIGRAPH, "load", "--location", str(location), "--format", "nq"], stdin=unzip.stdout,
                              capture_output=True, check=False)
        assert unzip.stdout is not None
        unzip.stdout.close()
        if unzip.wait() != 0 or done.returncode != 0:
            said = done.stderr.decode(errors="replace").strip().splitlines()
            raise StepFailed(f"oxigraph load {path.name}: {said[0] if said else 'gzip failed'}")
    result.bulk_s = time.perf_counter() - started
    server = start_oxigraph(workdir)
    try:
        return count_and_query(server, engine, result, reference)
    finally:
        server.stop()


def count_and_query(server: OxigraphServer | VirtuosoServer, engine: str, result: BulkResult,
                    reference: dict[str, object] | None) -> EngineResult | None:
    """The bulk-loaded server's triple count; with ``reference``, every named query on it."""
    result.triples = sum(server.graph_counts().values())
    if reference is None:
        return None
    queried = EngineResult(f"{engine} (bulk-loaded)", loadavg())
    run_queries(server.sparql_url, reference, queried)
    return queried


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000", help="comma-separated record counts (default 1000)")
    parser.add_argument("--engines", default=",".join(ENGINES), help="of embedded, oxigraph, virtuoso")
    parser.add_argument("--no-queries", action="store_true", help="time build and loads only")
    parser.add_argument("--no-bulk", action="store_true", help="leave out the bulk path")
    parser.add_argument("--json", type=Path, help="also write every figure to this JSON file")
    args = parser.parse_args()
    engines = [e for e in args.engines.split(",") if e]
    unknown = set(engines) - set(ENGINES)
    if unknown:
        raise SystemExit(f"--engines: unknown {', '.join(sorted(unknown))}; expected {', '.join(ENGINES)}")
    if "embedded" not in engines:
        engines.insert(0, "embedded")  # the reference every other engine is compared with
    everything: dict[str, object] = {}
    write_input = generator().write_input  # type: ignore[attr-defined]
    print(f"{os.cpu_count()} CPUs; commit {git_commit()}; {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}")
    for size in (int(s.replace("_", "")) for s in args.sizes.split(",")):
        with tempfile.TemporaryDirectory(prefix=f"odlm-engines-{size}-") as tmp:
            workdir = Path(tmp)
            input_path = workdir / f"synthetic-hub-{size}.jsonl"
            write_input(input_path, size)
            print(f"\n### {size:,} SYNTHETIC Hub-shaped records ({input_path.stat().st_size / 1e6:,.1f} MB JSON Lines)\n",
                  flush=True)
            results: list[EngineResult] = []
            reference: dict[str, object] | None = None
            for engine in engines:
                result, tables = through_loader(engine, input_path, workdir / engine, reference, not args.no_queries)
                if engine == "embedded":
                    reference = tables
                results.append(result)
                print_loader_row(result, results[0], first=len(results) == 1)
            bulk: list[BulkResult] = []
            if not args.no_bulk and len(engines) > 1:
                export_s, output_s, files = bulk_files(input_path, workdir / "bulk")
                for engine in engines[1:]:
                    row = BulkResult(engine, loadavg(), export_s, output_s)
                    try:
                        queried = bulk_load(engine, files, workdir / f"bulk-{engine}", row,
                                            None if args.no_queries else reference)
                        if queried is not None:
                            results.append(queried)
                    except (StepFailed, RuntimeError) as error:
                        row.failure = str(error)[:300]
                    bulk.append(row)
                print_bulk(bulk, results[0], sum(results[0].graph_counts.values()) or None)
            if not args.no_queries:
                print_queries(results)
            everything[str(size)] = {"loader": [r.__dict__ for r in results], "bulk": [b.__dict__ for b in bulk]}
    if args.json:
        args.json.write_text(json.dumps(everything, indent=2, default=str), encoding="utf-8")


def git_commit() -> str:
    done = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                          check=False)
    return done.stdout.strip() or "unknown"


def seconds(value: float | None) -> str:
    return "failed" if value is None else f"{value:,.1f}"


def print_loader_row(result: EngineResult, embedded: EngineResult, first: bool) -> None:
    if first:
        print("| engine | load average at start | `build` s | `load` s (loader) | load ÷ embedded load | triples after |")
        print("|---|---|---:|---:|---:|---:|")
    ratio = (f"{result.load_s / embedded.load_s:.2f}" if result.load_s and embedded.load_s else "–")
    triples = f"{sum(result.graph_counts.values()):,}" if result.graph_counts else "–"
    print(f"| {result.engine} | {result.loadavg} | {seconds(result.build_s)} | {seconds(result.load_s)} | {ratio} "
          f"| {triples} |", flush=True)
    for failure in result.failures:
        print(f"|  | {result.engine} failed: {failure.replace('|', '/')} | | | | |", flush=True)


def print_bulk(rows: list[BulkResult], embedded: EngineResult, embedded_triples: int | None) -> None:
    print("\n| bulk path | load average | `export` of the build s | `load --output` s | engine's loader s "
          "| total s | total ÷ embedded load | triples (embedded store) |")
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    for row in rows:
        total = row.export_s + row.output_s + row.bulk_s if row.bulk_s is not None else None
        ratio = f"{total / embedded.load_s:.2f}" if total and embedded.load_s else "–"
        how = "ld_add + rdf_loader_run + checkpoint" if row.engine == "virtuoso" else "oxigraph load --location"
        triples = "–" if row.triples is None else f"{row.triples:,} ({embedded_triples or 0:,})"
        print(f"| {row.engine}: {how} | {row.loadavg} | {row.export_s:,.1f} | {row.output_s:,.1f} | "
              f"{seconds(row.bulk_s)} | {seconds(total)} | {ratio} | {triples} |", flush=True)
        if row.failure:
            print(f"|  | failed: {row.failure.replace('|', '/')} | | | | | | |", flush=True)


def print_queries(results: list[EngineResult]) -> None:
    names = sorted({name for r in results for name in r.queries})
    print("\n| named query | " + " | ".join(f"{r.engine} s (rows)" for r in results) + " | answers |")
    print("|---|" + "---:|" * len(results) + "---|")
    for name in names:
        cells = []
        notes = []
        for r in results:
            took, rows, verdict = r.queries.get(name, (0.0, None, "not run"))
            cells.append(f"{took:.2f} ({'–' if rows is None else rows})")
            if r.engine != "embedded" and verdict != "same":
                notes.append(f"{r.engine}: {verdict}")
        said = "; ".join(notes).replace("|", "/") or "same everywhere"
        print(f"| {name} | " + " | ".join(cells) + f" | {said} |", flush=True)


if __name__ == "__main__":
    main()
