"""The remote store speaks each engine's protocol (issue 17, item 1), against real servers on loopback:
Debian's Virtuoso 7.2 and ``oxigraph serve``. Queries go as form posts where the engine needs it, the
Accept header follows the query's form, writes go through the Graph Store Protocol in pieces, and what
an engine does silently (a default graph that is not the union, a row limit, a refusal) becomes one
sentence."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from engines.servers import OxigraphServer, VirtuosoServer, start_oxigraph, start_virtuoso
from loopback import free_port, wait_until_up
from rdflib import Graph, URIRef
from rdflib.compare import isomorphic

from odlm_kg.build import replace_graphs
from odlm_kg.errors import StoreError
from odlm_kg.stats import compute_stats
from odlm_kg.store import OxigraphStore
from odlm_kg.store.base import SelectResult
from odlm_kg.store.remote import RemoteStore

ODLM_KG = [sys.executable, "-m", "odlm_kg.cli.app"]
GRAPH = "https://w3id.org/odlm/graph/test-protocol"
TURTLE = """@prefix odlm: <https://w3id.org/odlm#> .
<https://w3id.org/odlm/id/model/a> a odlm:DeepLearningModel ;
    odlm:metricValue 3.5, "é\\"x"@fr ; odlm:count [ odlm:count 2 ; odlm:label "b" ] .
"""
@pytest.fixture(scope="module")
def build_graphs(built_store_path: Path) -> dict[URIRef, Graph]:
    """The graphs ``odlm-kg build`` makes (from the session's built store: the build runs once)."""
    store = OxigraphStore(built_store_path, read_only=True)
    try:
        return {graph: store.export_graph(graph) for graph in store.named_graphs()}
    finally:
        store.close()


def cli(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*ODLM_KG, *args], capture_output=True, text=True, timeout=timeout, check=False,
                          env={**os.environ, "NO_COLOR": "1", "COLUMNS": "200"})


@pytest.fixture(scope="module")
def small_limit_virtuoso(tmp_path_factory: pytest.TempPathFactory) -> Iterator[VirtuosoServer]:
    """A second Virtuoso whose ResultSetMaxRows is 100, so that a small answer reaches it."""
    server = start_virtuoso(tmp_path_factory.mktemp("virtuoso-100"), result_set_max_rows=100,
                            extra_ini={"Parameters": {"NumberOfBuffers": 10000, "MaxDirtyBuffers": 6000}})
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def oxigraph_no_union(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OxigraphServer]:
    server = start_oxigraph(tmp_path_factory.mktemp("oxigraph-plain"), union_default_graph=False)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def built(virtuoso: VirtuosoServer, oxigraph_union: OxigraphServer,
          build_graphs: dict[URIRef, Graph]) -> dict[str, RemoteStore]:
    """Both servers hold the build's graphs (written by the build's own write) and the test graph."""
    stores = {}
    for name, server in (("virtuoso", virtuoso), ("oxigraph", oxigraph_union)):
        server.clear()
        store = RemoteStore(server.sparql_url)
        replace_graphs(store, build_graphs)
        store.load_text(TURTLE, "turtle", GRAPH)
        stores[name] = store
    return stores


def test_engines_are_detected(virtuoso: VirtuosoServer, oxigraph_union: OxigraphServer) -> None:
    remote = RemoteStore(virtuoso.sparql_url)
    assert (remote.engine, remote.engine_reason) == ("virtuoso", "the server's Server header")
    assert remote.gsp_url == virtuoso.gsp_url and remote.update_url == virtuoso.sparql_url
    other = RemoteStore(oxigraph_union.query_url)
    assert other.engine == "oxigraph" and other.gsp_url == oxigraph_union.gsp_url
    forced = RemoteStore(virtuoso.sparql_url, engine="generic")
    assert forced.engine_reason == "--engine" and forced.gsp_url is None


def test_build_write_goes_through_gsp_and_arrives_complete(built: dict[str, RemoteStore],
                                                          build_graphs: dict[URIRef, Graph]) -> None:
    embedded = OxigraphStore()
    replace_graphs(embedded, build_graphs)
    expected = {graph: embedded.count(graph) for graph in embedded.named_graphs()}
    for name, remote in built.items():
        assert remote.requests.get("gsp-post", 0) >= len(build_graphs), name
        got = {graph: remote.count(graph) for graph in remote.named_graphs() if str(graph) != GRAPH}
        assert got == expected, name
        # blank nodes survive the pieces: a graph that has them is isomorphic to the embedded one
        findings = URIRef("https://w3id.org/odlm/graph/findings")
        if findings in expected:
            assert isomorphic(remote.export_graph(findings), embedded.export_graph(findings)), name


def test_select_ask_and_construct_by_form(built: dict[str, RemoteStore]) -> None:
    """Virtuoso answers a form post (a direct post gets no answer from it); ASK is a boolean on both;
    CONSTRUCT comes back as a graph, not a table."""
    expected = Graph().parse(data=TURTLE, format="turtle")
    for name, remote in built.items():
        table = remote.query(f"SELECT ?o WHERE {{ GRAPH <{GRAPH}> {{ ?s <https://w3id.org/odlm#metricValue> ?o }} }}"
                             " ORDER BY ?o")
        assert isinstance(table, SelectResult) and len(table.rows) == 2, name
        assert remote.query("ASK { ?s a <https://w3id.org/odlm#DeepLearningModel> }") is True, name
        assert remote.query("ASK { ?s a <urn:nothing> }") is False, name
        graph = remote.query(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{GRAPH}> {{ ?s ?p ?o }} }}")
        assert isinstance(graph, Graph) and isomorphic(graph, expected), name


def test_query_format_nt_on_virtuoso(built: dict[str, RemoteStore], virtuoso: VirtuosoServer,
                                     tmp_path: Path) -> None:
    query = tmp_path / "c.rq"
    query.write_text(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{GRAPH}> {{ ?s ?p ?o }} }}", encoding="utf-8")
    done = cli("--store", virtuoso.sparql_url, "query", "--file", str(query), "--format", "nt")
    assert done.returncode == 0, done.stderr
    assert isomorphic(Graph().parse(data=done.stdout, format="nt"), Graph().parse(data=TURTLE, format="turtle"))


def test_stats_totals_are_not_doubled(built: dict[str, RemoteStore]) -> None:
    for name, remote in built.items():
        stats = compute_stats(remote)
        assert stats.default_graph_triples == 0, name
        assert stats.total == sum(stats.triples_per_graph.values()) == remote.count(), name
        # Virtuoso's own schema graph is not the user's data
        assert not any("openlinksw" in str(graph) for graph in stats.triples_per_graph), name


def _many(n: int, graph: str, bnodes: bool = False) -> str:
    lines = [f'<urn:s{i}> <urn:p> "{i}" <{graph}> .' for i in range(n)]
    if bnodes:  # each blank node's two triples are far apart in the input, and must stay one node
        lines += [f"<urn:s{i}> <urn:q> _:b{i} <{graph}> ." for i in range(0, n, 7)]
        lines += [f'_:b{i} <urn:r> "{i}" <{graph}> .' for i in range(0, n, 7)]
    return "\n".join(lines) + "\n"


def test_large_quads_load_arrives_in_pieces(virtuoso: VirtuosoServer) -> None:
    virtuoso.clear()
    remote = RemoteStore(virtuoso.sparql_url)
    remote.add_nquads(_many(30_000, "urn:g:big", bnodes=True))
    assert remote.requests.get("gsp-post") == 2  # 34,286 triples in pieces of 20,000 at most
    assert remote.count("urn:g:big") == 30_000 + 2 * len(range(0, 30_000, 7))
    linked = remote.query("SELECT (COUNT(*) AS ?n) WHERE { GRAPH <urn:g:big> { ?s <urn:q> ?b . ?b <urn:r> ?v } }")
    assert isinstance(linked, SelectResult) and int(linked.rows[0]["n"]) == len(range(0, 30_000, 7))


def test_without_gsp_updates_stay_below_virtuoso_limits(virtuoso: VirtuosoServer) -> None:
    """No Graph Store URL: INSERT DATA in pieces of 2,000 triples (Virtuoso's compiler fails near 5,000
    lines), and blank nodes, which INSERT DATA may not hold there, through INSERT … WHERE {}."""
    virtuoso.clear()
    remote = RemoteStore(virtuoso.sparql_url, gsp_url="none")
    remote.add_nquads(_many(5_000, "urn:g:nogsp", bnodes=True))
    assert remote.requests.get("update", 0) >= 3 and "gsp-post" not in remote.requests
    assert remote.count("urn:g:nogsp") == 5_000 + 2 * len(range(0, 5_000, 7))
    linked = remote.query("SELECT (COUNT(*) AS ?n) WHERE { GRAPH <urn:g:nogsp> { ?s <urn:q> ?b . ?b <urn:r> ?v } }")
    assert isinstance(linked, SelectResult) and int(linked.rows[0]["n"]) == len(range(0, 5_000, 7))


def test_missing_union_default_graph_is_said(oxigraph_no_union: OxigraphServer) -> None:
    remote = RemoteStore(oxigraph_no_union.query_url)
    remote.load_text(TURTLE, "turtle", GRAPH)
    with pytest.raises(StoreError, match="--union-default-graph"):
        remote.query("SELECT * WHERE { ?s ?p ?o }")
    done = cli("--store", oxigraph_no_union.query_url, "query", "artifacts-by-location")
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "does not query the union of its named graphs" in done.stderr


def test_row_limit_is_reported_not_passed_on(small_limit_virtuoso: VirtuosoServer) -> None:
    remote = RemoteStore(small_limit_virtuoso.sparql_url)
    remote.add_nquads(_many(150, "urn:g:rows"))
    with pytest.raises(StoreError, match=r"limit of 100 rows.*ResultSetMaxRows"):
        remote.query("SELECT ?s WHERE { GRAPH <urn:g:rows> { ?s ?p ?o } }")
    with pytest.raises(StoreError, match="limit of 100 triples"):
        remote.export_graph("urn:g:rows")
    below = remote.query("SELECT ?s WHERE { GRAPH <urn:g:rows> { ?s ?p ?o } } LIMIT 99")
    assert isinstance(below, SelectResult) and len(below) == 99
    assert remote.count("urn:g:rows") == 150  # an aggregate is one row: the limit does not touch it


def test_refusals_and_hangs_are_sentences(virtuoso: VirtuosoServer) -> None:
    # the Graph Store endpoint that wants digest authentication refuses an anonymous write
    done = cli("--store", virtuoso.sparql_url, "--gsp-url", virtuoso.gsp_auth_url, "build")
    assert done.returncode == 2 and "Traceback" not in done.stderr, done.stderr
    assert "refused a Graph Store POST" in done.stderr and "401" in done.stderr
    nobody = f"http://127.0.0.1:{free_port()}/sparql"
    done = cli("--store", nobody, "--engine", "virtuoso", "stats")
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "cannot reach the remote store (virtuoso)" in done.stderr
    done = cli("--store", virtuoso.sparql_url, "--engine", "blazegraph", "stats")
    assert done.returncode == 2 and "unknown engine 'blazegraph'" in done.stderr


def test_timeout_is_passed_to_virtuoso(virtuoso: VirtuosoServer) -> None:
    remote = RemoteStore(virtuoso.sparql_url, timeout=12.5)
    request = remote.query_request("SELECT * WHERE { ?s ?p ?o }")
    assert b"timeout=12500" in request["content"] and b"query=SELECT" in request["content"]
    assert request["headers"]["Content-Type"] == "application/x-www-form-urlencoded"


def test_serve_starts_in_front_of_virtuoso(virtuoso: VirtuosoServer) -> None:
    """Its start-up check (is the store empty?) answers, and a CONSTRUCT asked as Turtle is Turtle."""
    RemoteStore(virtuoso.sparql_url).load_text(TURTLE, "turtle", GRAPH)
    port = free_port()
    process = subprocess.Popen([*ODLM_KG, "--store", virtuoso.sparql_url, "serve", "--port", str(port),
                                "--workers", "1"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        wait_until_up(f"http://127.0.0.1:{port}/health", process, seconds=30)
        response = httpx.post(f"http://127.0.0.1:{port}/sparql", timeout=30,
                              data={"query": f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{GRAPH}> {{ ?s ?p ?o }} }}"},
                              headers={"Accept": "text/turtle"})
        assert response.status_code == 200 and response.headers["content-type"].startswith("text/turtle")
        assert isomorphic(Graph().parse(data=response.text, format="turtle"),
                          Graph().parse(data=TURTLE, format="turtle"))
        for query, expected in (("ASK { ?s a <https://w3id.org/odlm#DeepLearningModel> }", True),
                                ("ASK { ?s a <urn:nothing> }", False)):
            asked = httpx.post(f"http://127.0.0.1:{port}/sparql", data={"query": query}, timeout=30,
                               headers={"Accept": "application/sparql-results+json"})
            assert asked.status_code == 200 and asked.json()["boolean"] is expected
    finally:
        process.terminate()
        process.wait(15)


def test_time_limit_reaches_virtuoso_and_a_partial_answer_is_refused(virtuoso: VirtuosoServer) -> None:
    remote = RemoteStore(virtuoso.sparql_url, timeout=1.0)
    remote.add_nquads(_many(3_000, "urn:g:slow"))
    costly = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH <urn:g:slow> { ?a ?p ?x . ?b ?p ?y . ?c ?p ?z } }"
    with pytest.raises(StoreError, match=r"asked for 1 s.*incomplete answer"):
        remote.query(costly)


def test_a_write_without_the_grant_names_it(small_limit_virtuoso: VirtuosoServer) -> None:
    small_limit_virtuoso.isql('revoke SPARQL_UPDATE from "SPARQL";')
    try:
        for gsp_url in (None, "none"):  # a Graph Store POST (403, SR575) and an update (500, SR186)
            remote = RemoteStore(small_limit_virtuoso.sparql_url, gsp_url=gsp_url)
            with pytest.raises(StoreError, match=r'refused .*grant SPARQL_UPDATE to "SPARQL"') as raised:
                remote.add_nquads('<urn:a> <urn:b> "c" <urn:g:grant> .\n')
            assert "<html" not in str(raised.value).lower()
    finally:
        small_limit_virtuoso.isql('grant SPARQL_UPDATE to "SPARQL";')


def test_engine_option_needs_a_remote_store(capsys: pytest.CaptureFixture[str]) -> None:
    from odlm_kg.cli.app import main

    assert main(["--store", "memory", "--engine", "virtuoso", "stats"]) == 2
    assert "--engine applies to a remote store" in capsys.readouterr().err


def test_a_refused_piece_says_what_the_server_already_holds(virtuoso: VirtuosoServer) -> None:
    """1,000 plain triples go as one piece; then one blank node with 2,000 triples, which must travel
    whole and is more than Virtuoso's SQL compiler takes in one update."""
    remote = RemoteStore(virtuoso.sparql_url, gsp_url="none")
    lines = [f'<urn:s{i}> <urn:p> "{i}" <urn:g:half> .' for i in range(1_000)]
    lines += [f'_:big <urn:p> "{i}" <urn:g:half> .' for i in range(2_000)]
    with pytest.raises(StoreError, match="already holds the first 1,000 of the 3,000 triples"):
        remote.add_nquads("\n".join(lines) + "\n")
    assert remote.count("urn:g:half") == 1_000


def test_a_refused_query_is_a_store_error_not_a_bare_syntax_error(oxigraph_union: OxigraphServer) -> None:
    """Regression (cross-engine report): a query the server refused with 400 was raised as a plain
    SyntaxError, which only `odlm-kg query` caught; `report all` against Virtuoso printed a traceback.
    rdflib parses this query; Oxigraph refuses it (?s is not grouped)."""
    from odlm_kg.errors import OdlmError

    store = RemoteStore(oxigraph_union.query_url)
    try:
        with pytest.raises(SyntaxError) as raised:
            store.query("SELECT (COUNT(*) AS ?n) ?s WHERE { ?s ?p ?o }")
    finally:
        store.close()
    assert isinstance(raised.value, OdlmError)
    assert "refused the query" in str(raised.value)
