"""Virtuoso's bulk loader fed by odlm-kg's own exports: the counts per graph on Virtuoso must equal
the embedded store's, blank nodes included."""

from __future__ import annotations

import csv
import gzip
import importlib.util
import io
import shlex
import shutil
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest
from engines.servers import OxigraphServer, VirtuosoServer
from rdflib import Graph
from rdflib.compare import to_isomorphic

from odlm_kg.cli.app import main
from odlm_kg.export import count_quads, export_to
from odlm_kg.sources import get_source
from odlm_kg.sources.pipeline import run_load
from odlm_kg.store import OxigraphStore

ROOT = Path(__file__).parents[2]
DOC = ROOT / "docs" / "bulk-load.md"
BLANK_NODES_PER_GRAPH = ("SELECT ?g (COUNT(DISTINCT ?b) AS ?n) WHERE { GRAPH ?g { { ?b ?p ?o } UNION { ?s ?p ?b } "
                         "FILTER isBlank(?b) } } GROUP BY ?g")

QUADS = (
    '<http://example.org/a> <http://example.org/p> "1" <http://example.org/g1> .\n'
    '<http://example.org/a> <http://example.org/q> _:b1 <http://example.org/g1> .\n'
    '_:b1 <http://example.org/p> "x"@en <http://example.org/g2> .\n'
)


def test_virtuoso_accepts_updates_and_graph_store_writes(virtuoso: VirtuosoServer) -> None:
    """The harness's grant: /sparql takes a form-encoded update, /sparql-graph-crud a PUT."""
    virtuoso.clear()
    httpx.post(virtuoso.sparql_url, data={
        "update": "INSERT DATA { GRAPH <http://example.org/u> { <http://example.org/s> <http://example.org/p> 1 } }"
    }).raise_for_status()
    put = httpx.put(virtuoso.gsp_url, params={"graph": "http://example.org/v"},
                    content=b"<http://example.org/s> <http://example.org/p> _:x .\n",
                    headers={"Content-Type": "application/n-triples"})
    assert put.status_code in (200, 201, 204), put.text
    assert virtuoso.graph_counts() == {"http://example.org/u": 1, "http://example.org/v": 1}
    virtuoso.clear()
    assert virtuoso.graph_counts() == {}


def test_bulk_load_of_gzipped_nquads_keeps_graphs_and_blank_nodes(virtuoso: VirtuosoServer) -> None:
    virtuoso.clear()
    path = virtuoso.workdir / "small.nq.gz"
    path.write_bytes(gzip.compress(QUADS.encode()))
    virtuoso.bulk_load(path)
    assert virtuoso.graph_counts() == {"http://example.org/g1": 2, "http://example.org/g2": 1}


def test_bulk_load_refuses_a_file_outside_dirs_allowed(virtuoso: VirtuosoServer, tmp_path: Path) -> None:
    path = tmp_path / "elsewhere.nq"
    path.write_text(QUADS)
    try:
        virtuoso.bulk_load(path)
    except ValueError as error:
        assert "DirsAllowed" in str(error)
    else:
        raise AssertionError("a file outside DirsAllowed was accepted")


def test_oxigraph_union_server_answers_and_clears(oxigraph_union: OxigraphServer) -> None:
    oxigraph_union.clear()
    httpx.post(oxigraph_union.gsp_url, params={"graph": "http://example.org/g1"},
               content=b"<http://example.org/s> <http://example.org/p> \"1\" .\n",
               headers={"Content-Type": "application/n-triples"}).raise_for_status()
    assert oxigraph_union.graph_counts() == {"http://example.org/g1": 1}
    oxigraph_union.clear()
    assert oxigraph_union.graph_counts() == {}


@pytest.fixture(scope="module")
def hub(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """200 synthetic Hub model records from the load benchmark's generator (seeded: always the same)."""
    spec = importlib.util.spec_from_file_location("benchmark_load", ROOT / "benchmarks" / "load.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    path = tmp_path_factory.mktemp("hub") / "hub-models.jsonl"
    module.write_input(path, 200)
    return path


def virtuoso_graph(virtuoso: VirtuosoServer, graph: str) -> Graph:
    """One graph as Virtuoso holds it (CONSTRUCT as N-Triples, form-encoded POST)."""
    response = httpx.post(virtuoso.sparql_url, data={
        "query": f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"},
        headers={"Accept": "application/n-triples"}, timeout=120)
    response.raise_for_status()
    return Graph().parse(data=response.text, format="nt")


def embedded_counts(store: OxigraphStore) -> dict[str, int]:
    return {str(g): store.count(g) for g in store.named_graphs()}


def blank_nodes(rows: object) -> dict[str, int]:
    return {str(r["g"]): int(r["n"]) for r in rows}  # type: ignore[attr-defined]


@pytest.fixture(scope="module")
def built_export(built_store_path: Path, virtuoso: VirtuosoServer) -> Path:
    """The default graph exported once into Virtuoso's DirsAllowed folder."""
    store = OxigraphStore(built_store_path, read_only=True)
    target = virtuoso.workdir / "built.nq.gz"
    export_to(store, target)
    store.close()
    return target


def test_bulk_load_of_the_default_graph_equals_the_embedded_store(
        built_store_path: Path, built_export: Path, virtuoso: VirtuosoServer) -> None:
    """Triples per graph and blank nodes per graph on Virtuoso equal the embedded store's, and each graph
    is the same graph (isomorphic: every IRI, literal, datatype and language tag as exported)."""
    virtuoso.clear()
    virtuoso.bulk_load(built_export)
    store = OxigraphStore(built_store_path, read_only=True)
    assert virtuoso.graph_counts() == embedded_counts(store)
    on_virtuoso = {r["g"]: int(r["n"]) for r in virtuoso.select(BLANK_NODES_PER_GRAPH)}
    assert on_virtuoso == blank_nodes(store.query(BLANK_NODES_PER_GRAPH))
    for graph in store.named_graphs():
        assert to_isomorphic(virtuoso_graph(virtuoso, str(graph))) == to_isomorphic(store.export_graph(graph)), graph
    store.close()


def csv_table(text: str) -> list[tuple[tuple[str, str], ...]]:
    """A CSV answer as a sorted list of rows, each a tuple of (column, value)."""
    header, *rows = list(csv.reader(io.StringIO(text)))
    return sorted(tuple(zip(header, row, strict=True)) for row in rows)


def doc_blocks(info: str = "") -> list[list[str]]:
    """The non-blank lines of each fenced block of docs/bulk-load.md whose info string is ``info``."""
    blocks: list[tuple[str, list[str]]] = []
    current: list[str] | None = None
    for line in DOC.read_text(encoding="utf-8").splitlines():
        if line.startswith("```"):
            if current is None:
                current = []
                blocks.append((line[3:].strip(), current))
            else:
                current = None
        elif current is not None and line.strip():
            current.append(line)
    return [lines for kind, lines in blocks if kind == info]


def test_the_documented_bulk_path_equals_loading_directly(
        virtuoso: VirtuosoServer, built_store_path: Path, tmp_path: Path, hub: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    """docs/bulk-load.md's commands (build, export, ``load --output``) and its isql statements
    (``ld_dir``, ``rdf_loader_run``, ``checkpoint``), run as written but for the paths, give on
    Virtuoso the graphs of a load into a built embedded store: records, classification, cube and
    provenance record alike (triples and blank nodes per graph)."""
    folder = virtuoso.workdir / "rdf"
    folder.mkdir(exist_ok=True)
    paths = {"~/odlm-store": str(tmp_path / "store"), "/srv/rdf": str(folder), "models.jsonl": str(hub)}

    def local(text: str) -> str:
        for documented, here in paths.items():
            text = text.replace(documented, here)
        return text

    commands = doc_blocks()[0]
    assert [c.split()[0] for c in commands] == ["odlm-kg"] * 3
    for command in commands:
        code = main(shlex.split(local(command))[1:] + (["--no-progress"] if " load " in command else []))
        _, err = capsys.readouterr()
        assert code == 0, (command, err)
    virtuoso.clear()
    statements = local("\n".join(doc_blocks("sql")[0]))
    rows = [line.split() for line in virtuoso.isql(statements).splitlines() if line.strip()]
    # the documented check: each file's ll_state 2 (loaded) and ll_error NULL
    assert sorted((Path(f).name, state, error) for f, state, error in rows) == [
        ("hub.nq.gz", "2", "NULL"), ("odlm.nq.gz", "2", "NULL")]

    shutil.copytree(built_store_path, tmp_path / "direct")  # a built store, without building it again
    direct = OxigraphStore(tmp_path / "direct")
    run_load(direct, get_source("huggingface-models"), [hub], progress=False)
    assert virtuoso.graph_counts() == embedded_counts(direct)
    on_virtuoso = {r["g"]: int(r["n"]) for r in virtuoso.select(BLANK_NODES_PER_GRAPH)}
    assert on_virtuoso == blank_nodes(direct.query(BLANK_NODES_PER_GRAPH))
    # the page's next step: --store pointed at Virtuoso
    pointed = next(block for block in doc_blocks() if "--engine virtuoso stats" in block[0])
    for command in pointed:
        code = main(shlex.split(command.replace("http://127.0.0.1:8890/sparql", virtuoso.sparql_url))[1:])
        out, err = capsys.readouterr()
        assert code == 0 and out.strip(), (command, err)
    # and the query's answer is the embedded store's, compared as a table (rows in any order)
    query = [*shlex.split(pointed[-1])[1:][4:], "--format", "csv"]
    assert query[0] == "query"
    tables = []
    for store in (["--store", virtuoso.sparql_url, "--engine", "virtuoso"], ["--store", str(tmp_path / "direct")]):
        assert main(store + query) == 0
        tables.append(csv_table(capsys.readouterr().out))
    on_virtuoso, embedded = tables
    assert len(embedded) > 10
    direct.close()
    if on_virtuoso != embedded:
        # A known difference, listed with its reason: the query binds constant booleans with
        # (false AS ?synthetic), and Virtuoso 7.2 answers them as the integers 0 and 1. Anything else fails.
        booleans = {"0": "false", "1": "true"}

        def read_as_booleans(table: list[tuple[tuple[str, str], ...]]) -> list[tuple[str, ...]]:
            return sorted(tuple(booleans.get(v, v) if c in ("synthetic", "curatedSample") else v for c, v in row)
                          for row in table)

        assert read_as_booleans(on_virtuoso) == read_as_booleans(embedded)
        pytest.xfail("Virtuoso answers constant booleans bound with (false AS ?v) as 0/1 "
                     f"({pointed[-1].split()[-1]}: columns synthetic, curatedSample)")


@pytest.mark.parametrize(("name", "says"), [("hub.ttl", "cannot tell the format"), ("-", "needs a file name")])
def test_load_output_refuses_a_target_it_cannot_write_before_loading(
        name: str, says: str, tmp_path: Path, hub: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    code = main(["load", "huggingface-models", str(hub), "--output", name, "--no-progress"])
    _, err = capsys.readouterr()
    assert code == 2 and says in err
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(("name", "extra", "code", "written"), [
    ("invalid.jsonl", [], 1, True),            # a rejected record: the others go to the file, exit 1
    ("invalid.jsonl", ["--strict"], 1, False),  # --strict: nothing written, so no file
    ("truncated.json", [], 2, False),          # an unreadable input: exit 2, no file
])
def test_load_output_keeps_the_exit_codes_of_a_load(name: str, extra: list[str], code: int, written: bool,
                                                    tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    output = tmp_path / "out.nq"
    got = main(["load", "huggingface-models", str(ROOT / "tests" / "data" / "hf" / name), "--output", str(output),
                "--no-progress", *extra])
    _, err = capsys.readouterr()
    assert got == code and "Traceback" not in err
    assert output.exists() == written
    assert [p.name for p in tmp_path.iterdir()] == (["out.nq"] if written else [])  # no temporary store left
    if written:
        graphs = count_quads(ox.parse(output.read_bytes(), ox.RdfFormat.N_QUADS))
        assert set(graphs) == {"https://w3id.org/odlm/graph/huggingface", "https://w3id.org/odlm/graph/provenance",
                               "https://w3id.org/odlm/graph/cube/huggingface"}
