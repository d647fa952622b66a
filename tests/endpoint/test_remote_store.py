"""The remote store against a real ``oxigraph serve``: build, named queries, counts and loads give the
same answers as the embedded store."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from rdflib import Graph, URIRef
from rdflib.compare import isomorphic

from odlm_kg.build import build
from odlm_kg.errors import InputError
from odlm_kg.queries import run_named_query
from odlm_kg.store import OxigraphStore, open_store
from odlm_kg.store.base import SelectResult
from odlm_kg.store.remote import RemoteStore

GRAPH = "https://w3id.org/odlm/graph/test-remote"
TURTLE = """@prefix odlm: <https://w3id.org/odlm#> .
<https://w3id.org/odlm/id/model/a> a odlm:DeepLearningModel ;
    odlm:sharedAt <https://w3id.org/odlm/vocab/sharing-location/GitHub> ;
    odlm:artifactKind <https://w3id.org/odlm/vocab/artifact-kind/Model> ;
    odlm:metricValue 3.5, "é\\"x"@fr ; odlm:count [ odlm:count 2 ] .
"""


@pytest.fixture(scope="module")
def built_pair(oxigraph_server) -> Iterator[tuple[RemoteStore, OxigraphStore]]:  # type: ignore[no-untyped-def]
    oxigraph_server.clear()
    remote = open_store(oxigraph_server.query_url)
    assert isinstance(remote, RemoteStore)
    embedded = OxigraphStore()
    for store in (remote, embedded):
        build(store)
        store.load_text(TURTLE, "turtle", GRAPH)
    yield remote, embedded
    remote.close()
    embedded.close()


def test_urls_are_derived_for_oxigraph(oxigraph_server) -> None:  # type: ignore[no-untyped-def]
    store = RemoteStore(oxigraph_server.query_url)
    assert store.update_url.endswith("/update") and store.gsp_url is not None and store.gsp_url.endswith("/store")
    store.close()


def test_build_counts_and_graphs_match(built_pair) -> None:  # type: ignore[no-untyped-def]
    remote, embedded = built_pair
    assert remote.count() == embedded.count() > 100
    assert remote.named_graphs() == embedded.named_graphs()
    for graph in embedded.named_graphs():
        assert remote.count(graph) == embedded.count(graph), graph
    assert not remote.is_empty()


def test_queries_match(built_pair) -> None:  # type: ignore[no-untyped-def]
    remote, embedded = built_pair
    sparql = "SELECT ?p (COUNT(*) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?p ORDER BY ?p"
    a, b = remote.query(sparql), embedded.query(sparql)
    assert isinstance(a, SelectResult) and isinstance(b, SelectResult)
    assert a.variables == b.variables and a.rows == b.rows
    assert remote.query("ASK { ?s a <https://w3id.org/odlm#DeepLearningModel> }") is True
    construct = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{GRAPH}> {{ ?s ?p ?o }} }}"
    ga, gb = remote.query(construct), embedded.query(construct)
    assert isinstance(ga, Graph) and isinstance(gb, Graph) and isomorphic(ga, gb)


def test_named_query_matches(built_pair) -> None:  # type: ignore[no-untyped-def]
    remote, embedded = built_pair
    a = run_named_query(remote, "artifacts-by-location")
    b = run_named_query(embedded, "artifacts-by-location")
    assert isinstance(a, SelectResult) and isinstance(b, SelectResult)
    assert a.rows == b.rows and len(a.rows) >= 1


def test_load_text_roundtrip_and_export(built_pair) -> None:  # type: ignore[no-untyped-def]
    remote, embedded = built_pair
    assert isomorphic(remote.export_graph(GRAPH), embedded.export_graph(GRAPH))
    expected = Graph().parse(data=TURTLE, format="turtle")
    assert isomorphic(remote.export_graph(URIRef(GRAPH)), expected)


def test_quads_and_clear(oxigraph_server) -> None:  # type: ignore[no-untyped-def]
    store = RemoteStore(oxigraph_server.query_url)
    store.add_nquads('<urn:s> <urn:p> "q" <https://w3id.org/odlm/graph/test-quads> .\n')
    assert store.count("https://w3id.org/odlm/graph/test-quads") == 1
    store.clear_graph("https://w3id.org/odlm/graph/test-quads")
    assert store.count("https://w3id.org/odlm/graph/test-quads") == 0
    store.close()


def test_bad_syntax_writes_nothing(oxigraph_server) -> None:  # type: ignore[no-untyped-def]
    store = RemoteStore(oxigraph_server.query_url)
    with pytest.raises(InputError, match="invalid turtle"):
        store.load_text("<urn:a> <urn:b> <urn:c> .\n<urn:a> <urn:b> .", "turtle", "https://w3id.org/odlm/graph/bad")
    assert store.count("https://w3id.org/odlm/graph/bad") == 0
    with pytest.raises(SyntaxError):
        store.query("SELEC ?x")
    store.close()


def test_update_without_gsp(oxigraph_server) -> None:  # type: ignore[no-untyped-def]
    store = RemoteStore(oxigraph_server.query_url, gsp_url="none")
    store.load_text(TURTLE, "turtle", "https://w3id.org/odlm/graph/test-nogsp")
    assert store.count("https://w3id.org/odlm/graph/test-nogsp") == 7
    store.clear_graph("https://w3id.org/odlm/graph/test-nogsp")
    store.close()


@pytest.mark.real_data
def test_loader_over_remote_matches_embedded(oxigraph_server, real_data) -> None:  # type: ignore[no-untyped-def]
    """A loader writes the same graph (minus the run's provenance timestamps) into both stores."""
    from odlm_kg.build import collect, replace_graphs
    from odlm_kg.sources import LoadOptions, get_source
    from odlm_kg.sources.pipeline import run_load

    path = real_data / "github-api-pygithub" / "repos_PyGithub_PyGithub.json"
    remote = RemoteStore(oxigraph_server.query_url)
    embedded = OxigraphStore()
    # Classification derives access rights from the vocabularies in the store: give both stores the same
    # ones, whatever earlier tests left on the shared server (regression: 29 against 28 triples).
    context, _ = collect([("ontology", "odlm_kg.ontology:build_step"), ("licences", "odlm_kg.licences:build_step")])
    for store in (remote, embedded):
        replace_graphs(store, context)
    reports = [run_load(store, get_source("github", LoadOptions()), [path], progress=False)
               for store in (remote, embedded)]
    assert reports[0].written == reports[1].written > 0
    graph = get_source("github", LoadOptions()).graph
    assert remote.count(graph) == embedded.count(graph) > 0
    assert isomorphic(remote.export_graph(graph), embedded.export_graph(graph))
    remote.close()
