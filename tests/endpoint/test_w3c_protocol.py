"""The W3C SPARQL 1.1 Protocol and Service Description test manifests (vendored from the rdflib sdist,
tests/w3c/), one test per manifest entry, against the live endpoint.

The protocol tests are HTTP exchanges described in prose by the W3C; each is written out below as a
request and the checks on its answer, keyed by the test's IRI. The entries come from the manifest, so a
test added there and not encoded here fails.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from rdflib import Graph, Namespace, URIRef
from rdflib.collection import Collection

from odlm_kg.namespaces import SD

W3C = Path(__file__).resolve().parent.parent / "w3c" / "sparql11"
MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
PROTOCOL = "http://www.w3.org/2009/sparql/docs/tests/data-sparql11/protocol/manifest#"
SERVICE = "http://www.w3.org/2009/sparql/docs/tests/data-sparql11/service-description/manifest#"
KASEI = "http://kasei.us/2009/09/sparql/data/"
RESULT_TYPES = ("application/sparql-results+xml", "application/sparql-results+json", "text/csv",
                "text/tab-separated-values")
RDF_TYPES = ("text/turtle", "application/rdf+xml", "application/n-triples", "application/ld+json")

#: Test IRI -> why it is expected to fail. Aim: empty.
KNOWN_FAILURES: dict[str, str] = {}


def manifest_entries(name: str) -> list[str]:
    graph = Graph().parse(W3C / name / "manifest.ttl", format="turtle",
                          publicID=(PROTOCOL if name == "protocol" else SERVICE).rstrip("#"))
    manifest = next(graph.subjects(MF.entries, None))
    return [str(entry) for entry in Collection(graph, graph.value(manifest, MF.entries))]


def media(response: httpx.Response) -> str:
    return response.headers.get("content-type", "").split(";")[0].strip()


def boolean_of(response: httpx.Response) -> bool:
    assert response.status_code == 200, response.text
    if media(response) == "application/sparql-results+json":
        return bool(response.json()["boolean"])
    assert media(response) == "application/sparql-results+xml", media(response)
    return "<boolean>true</boolean>" in response.text


def bindings(response: httpx.Response) -> list[dict[str, str]]:
    assert response.status_code == 200, response.text
    doc = json.loads(response.text)
    return [{k: v["value"] for k, v in row.items()} for row in doc["results"]["bindings"]]


JSON = {"Accept": "application/sparql-results+json"}
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def ask(ep, query: str, **params: object) -> bool:  # type: ignore[no-untyped-def]
    return boolean_of(httpx.get(ep.sparql, params={"query": query, **params}, headers=JSON))


# -- the exchanges ------------------------------------------------------------------------------
def query_post_form(ep) -> None:  # type: ignore[no-untyped-def]
    r = httpx.post(ep.sparql, data={"query": "ASK {}"}, headers=JSON)
    assert r.status_code == 200 and media(r) in RESULT_TYPES and boolean_of(r) is True


def query_dataset_default_graphs_get(ep) -> None:  # type: ignore[no-untyped-def]
    q = f"ASK {{ <{KASEI}data1.rdf> ?p ?o . <{KASEI}data2.rdf> ?p ?o2 }}"
    params = [("query", q), ("default-graph-uri", f"{KASEI}data1.rdf"), ("default-graph-uri", f"{KASEI}data2.rdf")]
    assert boolean_of(httpx.get(ep.sparql, params=params, headers=JSON)) is True
    params = [("query", q), ("default-graph-uri", f"{KASEI}data1.rdf")]
    assert boolean_of(httpx.get(ep.sparql, params=params, headers=JSON)) is False


def query_dataset_default_graphs_post(ep) -> None:  # type: ignore[no-untyped-def]
    q = f"ASK {{ <{KASEI}data1.rdf> ?p ?o . <{KASEI}data2.rdf> ?p ?o2 }}"
    body = httpx.QueryParams([("query", q), ("default-graph-uri", f"{KASEI}data1.rdf"),
                              ("default-graph-uri", f"{KASEI}data2.rdf")])
    r = httpx.post(ep.sparql, content=str(body).encode(), headers={**FORM, **JSON})
    assert boolean_of(r) is True


def _named_graphs(r: httpx.Response) -> set[str]:
    return {row["g"] for row in bindings(r)}


NAMED_QUERY = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"


def query_dataset_named_graphs_post(ep) -> None:  # type: ignore[no-untyped-def]
    body = httpx.QueryParams([("query", NAMED_QUERY), ("named-graph-uri", f"{KASEI}data1.rdf"),
                              ("named-graph-uri", f"{KASEI}data2.rdf")])
    r = httpx.post(ep.sparql, content=str(body).encode(), headers={**FORM, **JSON})
    assert _named_graphs(r) == {f"{KASEI}data1.rdf", f"{KASEI}data2.rdf"}


def query_dataset_named_graphs_get(ep) -> None:  # type: ignore[no-untyped-def]
    params = [("query", NAMED_QUERY), ("named-graph-uri", f"{KASEI}data1.rdf"),
              ("named-graph-uri", f"{KASEI}data2.rdf")]
    assert _named_graphs(httpx.get(ep.sparql, params=params, headers=JSON)) == {
        f"{KASEI}data1.rdf", f"{KASEI}data2.rdf"}


def query_dataset_full(ep) -> None:  # type: ignore[no-untyped-def]
    q = "SELECT ?x ?g WHERE { ?x ?p ?o . OPTIONAL { GRAPH ?g { ?s ?q ?n } } }"
    params = [("query", q), ("default-graph-uri", f"{KASEI}data3.rdf"), ("named-graph-uri", f"{KASEI}data1.rdf"),
              ("named-graph-uri", f"{KASEI}data2.rdf")]
    rows = bindings(httpx.get(ep.sparql, params=params, headers=JSON))
    assert {row["x"] for row in rows} == {f"{KASEI}data3.rdf"}
    assert {row.get("g") for row in rows} == {f"{KASEI}data1.rdf", f"{KASEI}data2.rdf"}


def query_multiple_dataset(ep) -> None:  # type: ignore[no-untyped-def]
    # FROM in the query names data1; the protocol names data2, which wins
    q = f"ASK FROM <{KASEI}data1.rdf> {{ <{KASEI}data2.rdf> ?p ?o }}"
    assert ask(ep, q, **{"default-graph-uri": f"{KASEI}data2.rdf"}) is True
    assert ask(ep, q) is False


def query_get(ep) -> None:  # type: ignore[no-untyped-def]
    r = httpx.get(ep.sparql, params={"query": "ASK {}"})
    assert r.status_code == 200 and media(r) in RESULT_TYPES


def query_content_type_select(ep) -> None:  # type: ignore[no-untyped-def]
    r = httpx.get(ep.sparql, params={"query": "SELECT ?s WHERE { ?s ?p ?o } LIMIT 1"},
                  headers={"Accept": ", ".join(RESULT_TYPES)})
    assert r.status_code == 200 and media(r) in RESULT_TYPES


def query_content_type_ask(ep) -> None:  # type: ignore[no-untyped-def]
    r = httpx.get(ep.sparql, params={"query": "ASK {}"},
                  headers={"Accept": "application/sparql-results+xml, application/sparql-results+json"})
    assert r.status_code == 200 and media(r) in RESULT_TYPES[:2]


def query_content_type_describe(ep) -> None:  # type: ignore[no-untyped-def]
    r = httpx.get(ep.sparql, params={"query": f"DESCRIBE <{KASEI}data1.rdf>"},
                  headers={"Accept": ", ".join(RDF_TYPES)})
    assert r.status_code == 200 and media(r) in RDF_TYPES
    assert len(Graph().parse(data=r.text, format="turtle")) >= 1


def query_content_type_construct(ep) -> None:  # type: ignore[no-untyped-def]
    r = httpx.get(ep.sparql, params={"query": "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } LIMIT 3"},
                  headers={"Accept": "application/rdf+xml, text/turtle"})
    assert r.status_code == 200 and media(r) in RDF_TYPES
    assert len(Graph().parse(data=r.text, format="xml" if media(r) == "application/rdf+xml" else "turtle")) == 3


def _update(ep, update: str, **params: object) -> httpx.Response:  # type: ignore[no-untyped-def]
    pairs = [("update", update)]
    for name, values in params.items():
        for value in values if isinstance(values, list) else [values]:
            pairs.append((name.replace("_", "-"), str(value)))
    return httpx.post(ep.sparql, content=str(httpx.QueryParams(pairs)).encode(), headers={**FORM, **ep.auth})


def _numbers(ep, graph: str) -> set[str]:  # type: ignore[no-untyped-def]
    q = f"SELECT ?n WHERE {{ GRAPH <{graph}> {{ ?s <http://example.org/number> ?n }} }}"
    return {row["n"] for row in bindings(httpx.get(ep.sparql, params={"query": q}, headers=JSON))}


COPY_DEFAULT = "INSERT { GRAPH <%s> { ?s ?p ?o } } WHERE { ?s ?p ?o }"
COPY_NAMED = "INSERT { GRAPH <%s> { ?s ?p ?o } } WHERE { GRAPH ?g { ?s ?p ?o } }"


def update_dataset_default_graph(ep) -> None:  # type: ignore[no-untyped-def]
    out = "urn:test:update-default-graph"
    r = _update(ep, COPY_DEFAULT % out, using_graph_uri=f"{KASEI}data1.rdf")
    assert r.status_code in (200, 204), r.text
    assert _numbers(ep, out) == {"1"}


def update_dataset_default_graphs(ep) -> None:  # type: ignore[no-untyped-def]
    out = "urn:test:update-default-graphs"
    r = _update(ep, COPY_DEFAULT % out, using_graph_uri=[f"{KASEI}data1.rdf", f"{KASEI}data2.rdf"])
    assert r.status_code in (200, 204), r.text
    assert _numbers(ep, out) == {"1", "2"}


def update_dataset_named_graphs(ep) -> None:  # type: ignore[no-untyped-def]
    out = "urn:test:update-named-graphs"
    r = _update(ep, COPY_NAMED % out, using_named_graph_uri=[f"{KASEI}data1.rdf", f"{KASEI}data3.rdf"])
    assert r.status_code in (200, 204), r.text
    assert _numbers(ep, out) == {"1", "3"}


def update_dataset_full(ep) -> None:  # type: ignore[no-untyped-def]
    out = "urn:test:update-full"
    update = f"INSERT {{ GRAPH <{out}> {{ ?s ?p ?o . ?a ?b ?c }} }} WHERE {{ ?s ?p ?o . GRAPH ?g {{ ?a ?b ?c }} }}"
    r = _update(ep, update, using_graph_uri=f"{KASEI}data0.rdf", using_named_graph_uri=f"{KASEI}data2.rdf")
    assert r.status_code in (200, 204), r.text
    assert _numbers(ep, out) == {"0", "2"}


def update_post_form(ep) -> None:  # type: ignore[no-untyped-def]
    r = _update(ep, 'INSERT DATA { GRAPH <urn:test:form> { <urn:s> <http://example.org/number> "9" } }')
    assert r.status_code in (200, 204)
    assert _numbers(ep, "urn:test:form") == {"9"}


def update_post_direct(ep) -> None:  # type: ignore[no-untyped-def]
    update = 'INSERT DATA { GRAPH <urn:test:direct> { <urn:s> <http://example.org/number> "8" } }'
    r = httpx.post(ep.sparql, content=update.encode(),
                   headers={"Content-Type": "application/sparql-update", **ep.auth})
    assert r.status_code in (200, 204)
    assert _numbers(ep, "urn:test:direct") == {"8"}


def update_base_uri(ep) -> None:  # type: ignore[no-untyped-def]
    r = _update(ep, 'INSERT DATA { GRAPH <urn:test:base> { <relative> <http://example.org/number> "7" } }')
    assert r.status_code in (200, 204), r.text
    q = 'SELECT ?s WHERE { GRAPH <urn:test:base> { ?s ?p ?o } }'
    (row,) = bindings(httpx.get(ep.sparql, params={"query": q}, headers=JSON))
    assert row["s"].startswith("http") and row["s"].endswith("/relative")


def query_post_direct(ep) -> None:  # type: ignore[no-untyped-def]
    r = httpx.post(ep.sparql, content=b"ASK {}", headers={"Content-Type": "application/sparql-query", **JSON})
    assert r.status_code == 200 and boolean_of(r) is True


def bad_query_method(ep) -> None:  # type: ignore[no-untyped-def]
    r = httpx.put(ep.sparql, params={"query": "ASK {}"})
    assert 400 <= r.status_code < 500


def bad_multiple_queries(ep) -> None:  # type: ignore[no-untyped-def]
    r = httpx.get(ep.sparql, params=[("query", "ASK {}"), ("query", "SELECT * {}")])
    assert r.status_code == 400


def bad_query_wrong_media_type(ep) -> None:  # type: ignore[no-untyped-def]
    r = httpx.post(ep.sparql, content=b"ASK {}", headers={"Content-Type": "text/plain"})
    assert 400 <= r.status_code < 500


def bad_query_missing_form_type(ep) -> None:  # type: ignore[no-untyped-def]
    r = httpx.post(ep.sparql, content=b"query=ASK%20%7B%7D")
    assert r.status_code == 400


def bad_query_missing_direct_type(ep) -> None:  # type: ignore[no-untyped-def]
    r = httpx.post(ep.sparql, content=b"ASK {}")
    assert r.status_code == 400


def bad_query_non_utf8(ep) -> None:  # type: ignore[no-untyped-def]
    body = 'ASK { ?s ?p "café" }'.encode("iso-8859-1")
    r = httpx.post(ep.sparql, content=body, headers={"Content-Type": "application/sparql-query"})
    assert r.status_code == 400


def bad_query_syntax(ep) -> None:  # type: ignore[no-untyped-def]
    r = httpx.get(ep.sparql, params={"query": "ASK {"})
    assert r.status_code == 400 and "1:" in r.text


def bad_update_get(ep) -> None:  # type: ignore[no-untyped-def]
    r = httpx.get(ep.sparql, params={"update": "CLEAR ALL"}, headers=ep.auth)
    assert 400 <= r.status_code < 500


def bad_multiple_updates(ep) -> None:  # type: ignore[no-untyped-def]
    body = httpx.QueryParams([("update", "CLEAR NAMED"), ("update", "CLEAR DEFAULT")])
    r = httpx.post(ep.sparql, content=str(body).encode(), headers={**FORM, **ep.auth})
    assert r.status_code == 400


def bad_update_wrong_media_type(ep) -> None:  # type: ignore[no-untyped-def]
    r = httpx.post(ep.sparql, content=b"CLEAR NAMED", headers={"Content-Type": "text/plain", **ep.auth})
    assert 400 <= r.status_code < 500


def bad_update_missing_form_type(ep) -> None:  # type: ignore[no-untyped-def]
    r = httpx.post(ep.sparql, content=b"update=CLEAR%20NAMED", headers=ep.auth)
    assert r.status_code == 400


def bad_update_non_utf8(ep) -> None:  # type: ignore[no-untyped-def]
    body = 'INSERT DATA { <urn:s> <urn:p> "café" }'.encode("iso-8859-1")
    r = httpx.post(ep.sparql, content=body, headers={"Content-Type": "application/sparql-update", **ep.auth})
    assert r.status_code == 400


def bad_update_syntax(ep) -> None:  # type: ignore[no-untyped-def]
    r = _update(ep, "CLEAR XYZ")
    assert r.status_code == 400


def bad_update_dataset_conflict(ep) -> None:  # type: ignore[no-untyped-def]
    update = f"INSERT {{ GRAPH <urn:test:conflict> {{ ?s ?p ?o }} }} USING <{KASEI}data1.rdf> WHERE {{ ?s ?p ?o }}"
    r = _update(ep, update, using_graph_uri=f"{KASEI}data2.rdf")
    assert r.status_code == 400


PROTOCOL_EXCHANGES: dict[str, Callable[..., None]] = {
    PROTOCOL + name: function for name, function in list(globals().items())
    if callable(function) and name.startswith(("query_", "update_", "bad_"))
}


# -- service description ------------------------------------------------------------------------
def _description(ep, accept: str = "text/turtle") -> Graph:  # type: ignore[no-untyped-def]
    r = httpx.get(ep.sparql, headers={"Accept": accept})
    assert r.status_code == 200
    fmt = {"text/turtle": "turtle", "application/rdf+xml": "xml", "application/ld+json": "json-ld"}[media(r)]
    return Graph().parse(data=r.text, format=fmt)


def returns_rdf(ep) -> None:  # type: ignore[no-untyped-def]
    for accept in ("text/turtle", "application/rdf+xml", "application/ld+json"):
        assert len(_description(ep, accept)) > 5


def has_endpoint_triple(ep) -> None:  # type: ignore[no-untyped-def]
    graph = _description(ep)
    assert URIRef(ep.sparql) in set(graph.objects(None, SD.endpoint))


def conforms_to_schema(ep) -> None:  # type: ignore[no-untyped-def]
    from rdflib.namespace import RDF

    graph = _description(ep, "application/ld+json")
    services = list(graph.subjects(RDF.type, SD.Service))
    assert len(services) == 1
    service = services[0]
    assert set(graph.objects(service, SD.endpoint))
    languages = set(graph.objects(service, SD.supportedLanguage))
    assert languages and languages <= {SD.SPARQL10Query, SD.SPARQL11Query, SD.SPARQL11Update}
    for fmt in graph.objects(service, SD.resultFormat):
        assert str(fmt).startswith("http://www.w3.org/ns/formats/")
    dataset = graph.value(service, SD.defaultDataset)
    assert dataset is not None and (dataset, RDF.type, SD.Dataset) in graph
    assert graph.value(dataset, SD.defaultGraph) is not None
    for named in graph.objects(dataset, SD.namedGraph):
        assert isinstance(graph.value(named, SD.name), URIRef)


SERVICE_EXCHANGES: dict[str, Callable[..., None]] = {
    SERVICE + "returns-rdf": returns_rdf,
    SERVICE + "has-endpoint-triple": has_endpoint_triple,
    SERVICE + "conforms-to-schema": conforms_to_schema,
}


def _run(iri: str, table: dict[str, Callable[..., None]], endpoint: object) -> None:
    if iri in KNOWN_FAILURES:
        pytest.xfail(KNOWN_FAILURES[iri])
    assert iri in table, f"manifest entry {iri} has no encoded exchange"
    table[iri](endpoint)


@pytest.mark.parametrize("iri", manifest_entries("protocol"), ids=lambda iri: iri.rsplit("#", 1)[1])
def test_protocol(iri: str, live_endpoint) -> None:  # type: ignore[no-untyped-def]
    _run(iri, PROTOCOL_EXCHANGES, live_endpoint)


@pytest.mark.parametrize("iri", manifest_entries("service-description"), ids=lambda iri: iri.rsplit("#", 1)[1])
def test_service_description(iri: str, live_endpoint) -> None:  # type: ignore[no-untyped-def]
    _run(iri, SERVICE_EXCHANGES, live_endpoint)


def test_every_exchange_is_in_the_manifest() -> None:
    assert set(PROTOCOL_EXCHANGES) == set(manifest_entries("protocol"))
