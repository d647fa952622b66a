"""The endpoint as clients meet it: SPARQLWrapper (every return format), rdflib's SPARQLStore, httpx;
named queries; concurrency; the runaway query; the safety settings."""

from __future__ import annotations

import json
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from rdflib import Graph, URIRef
from SPARQLWrapper import CSV, JSON, JSONLD, N3, RDFXML, TSV, TURTLE, XML, SPARQLWrapper

from odlm_kg.server import ServerSettings, create_app
from odlm_kg.store import OxigraphStore

DLM = "https://w3id.org/odlm#DeepLearningModel"
SELECT = "SELECT ?p (COUNT(*) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?p ORDER BY DESC(?n) LIMIT 5"
CONSTRUCT = f"CONSTRUCT {{ <{DLM}> ?p ?o }} WHERE {{ <{DLM}> ?p ?o }}"


def wrapper(url: str, query: str, fmt: str) -> object:
    client = SPARQLWrapper(url)
    client.setQuery(query)
    client.setReturnFormat(fmt)
    client.setTimeout(20)
    return client.query().convert()


@pytest.mark.parametrize("fmt", [JSON, XML, CSV, TSV])
def test_sparqlwrapper_select(live_endpoint, fmt: str) -> None:  # type: ignore[no-untyped-def]
    result = wrapper(live_endpoint.sparql, SELECT, fmt)
    if fmt == JSON:
        assert len(result["results"]["bindings"]) == 5  # type: ignore[index]
    elif fmt == XML:
        assert len(result.getElementsByTagName("result")) == 5  # type: ignore[attr-defined]
    else:
        lines = result.decode().strip().splitlines()  # type: ignore[attr-defined]
        assert len(lines) == 6 and lines[0].replace("?", "").replace("\t", ",") == "p,n"


@pytest.mark.parametrize("fmt", [JSON, XML])
def test_sparqlwrapper_ask(live_endpoint, fmt: str) -> None:  # type: ignore[no-untyped-def]
    result = wrapper(live_endpoint.sparql, f"ASK {{ <{DLM}> ?p ?o }}", fmt)
    if fmt == JSON:
        assert result["boolean"] is True  # type: ignore[index]
    else:
        assert result.getElementsByTagName("boolean")[0].firstChild.data == "true"  # type: ignore[attr-defined]


@pytest.mark.parametrize("fmt", [TURTLE, N3, RDFXML, XML, JSONLD])
def test_sparqlwrapper_construct(live_endpoint, fmt: str) -> None:  # type: ignore[no-untyped-def]
    result = wrapper(live_endpoint.sparql, CONSTRUCT, fmt)
    if isinstance(result, bytes):
        result = Graph().parse(data=result, format="turtle" if fmt in (TURTLE, N3) else "json-ld")
    assert isinstance(result, Graph) and len(result) > 3
    assert (URIRef(DLM), None, None) in result


def test_rdflib_sparqlstore(live_endpoint) -> None:  # type: ignore[no-untyped-def]
    from rdflib.plugins.stores.sparqlstore import SPARQLStore

    store = SPARQLStore(live_endpoint.sparql, returnFormat="json")
    graph = Graph(store=store)
    rows = list(graph.query(SELECT))
    assert len(rows) == 5
    assert len(list(graph.triples((URIRef(DLM), None, None)))) > 3
    assert graph.query(f"ASK {{ <{DLM}> ?p ?o }}").askAnswer is True


def test_named_queries_over_http(live_endpoint) -> None:  # type: ignore[no-untyped-def]
    listing = httpx.get(f"{live_endpoint.base}/queries").json()
    names = {q["name"] for q in listing}
    assert {"concepts-by-scheme", "artifacts-by-location"} <= names
    entry = next(q for q in listing if q["name"] == "artifacts-by-location")
    assert {"location": "iri", "minimum": "integer"}.items() <= {p["name"]: p["type"] for p in entry["parameters"]}.items()
    url = f"{live_endpoint.base}/queries/concepts-by-scheme"
    first = httpx.get(url, params={"scheme": "https://w3id.org/odlm/vocab/artifact-kind"},
                      headers={"Accept": "application/sparql-results+json"})
    assert first.status_code == 200
    kinds = {b["concept"]["value"].rsplit("/", 1)[1] for b in first.json()["results"]["bindings"]}
    assert {"Data", "Code", "Model"} <= kinds
    again = httpx.get(url, params={"scheme": "https://w3id.org/odlm/vocab/artifact-kind"},
                      headers={"Accept": "application/sparql-results+json"})
    assert again.headers["x-cache"] == "hit" and again.content == first.content
    csv = httpx.get(url, params={"format": "csv"})
    assert csv.status_code == 200 and csv.text.startswith("concept,label")
    bad = httpx.get(f"{live_endpoint.base}/queries/artifacts-by-location", params={"minimum": "lots"})
    assert bad.status_code == 400 and bad.json()["parameter"] == "minimum" and bad.json()["expected"] == "integer"
    unknown = httpx.get(f"{live_endpoint.base}/queries/artifacts-by-location", params={"nope": "1"})
    assert unknown.status_code == 400 and "nope" in unknown.text
    assert httpx.get(f"{live_endpoint.base}/queries/no-such-query").status_code == 404


def test_named_query_miss_counted_once(live_endpoint) -> None:  # type: ignore[no-untyped-def]
    """A named query missing the cache is looked up once, not once by the route and again by the runner."""
    def misses() -> int:
        return int(httpx.get(f"{live_endpoint.base}/health").json()["cache"]["misses"])

    before = misses()
    answer = httpx.get(f"{live_endpoint.base}/queries/concepts-by-scheme",
                       params={"scheme": "https://w3id.org/odlm/vocab/barrier"},
                       headers={"Accept": "text/csv"})
    assert answer.status_code == 200 and answer.headers["x-cache"] == "miss"
    assert misses() - before == 1


def test_write_invalidates_cache(live_endpoint) -> None:  # type: ignore[no-untyped-def]
    url = f"{live_endpoint.base}/queries/concepts-by-scheme?scheme=urn:test:cache-scheme"
    before = httpx.get(url, headers={"Accept": "application/sparql-results+json"}).json()
    assert before["results"]["bindings"] == []
    update = ("PREFIX skos: <http://www.w3.org/2004/02/skos/core#> INSERT DATA { GRAPH <urn:test:cache> { "
              "<urn:m> skos:inScheme <urn:test:cache-scheme> ; skos:prefLabel 'cached' } }")
    r = httpx.post(live_endpoint.sparql, content=update.encode(),
                   headers={"Content-Type": "application/sparql-update", **live_endpoint.auth})
    assert r.status_code == 204
    after = httpx.get(url, headers={"Accept": "application/sparql-results+json"})
    assert after.headers["x-cache"] == "miss" and len(after.json()["results"]["bindings"]) == 1
    httpx.post(live_endpoint.sparql, content=b"DROP GRAPH <urn:test:cache>",
               headers={"Content-Type": "application/sparql-update", **live_endpoint.auth})


def test_negotiation(live_endpoint) -> None:  # type: ignore[no-untyped-def]
    def media(accept: str, query: str = SELECT) -> str | int:
        r = httpx.get(live_endpoint.sparql, params={"query": query}, headers={"Accept": accept})
        return r.headers["content-type"].split(";")[0] if r.status_code == 200 else r.status_code

    assert media("text/csv;q=0.4, application/sparql-results+xml;q=0.8") == "application/sparql-results+xml"
    assert media("text/*") == "text/csv"
    assert media("*/*") == "application/sparql-results+json"
    assert media("text/turtle") == 406
    assert media("*/*", CONSTRUCT) == "text/turtle"
    assert media("application/n-quads", CONSTRUCT) == "application/n-quads"
    assert media("application/trig;q=1, text/turtle;q=0.1", CONSTRUCT) == "application/trig"
    assert media("image/png", CONSTRUCT) == 406
    assert media("application/ld+json", CONSTRUCT) == "application/ld+json"


def test_row_cap_notice(live_endpoint) -> None:  # type: ignore[no-untyped-def]
    r = httpx.get(live_endpoint.sparql, params={"query": "SELECT * WHERE { ?s ?p ?o }"},
                  headers={"Accept": "application/sparql-results+json"})
    assert r.status_code == 200 and r.headers["x-row-cap"] == "500"
    doc = r.json()
    assert len(doc["results"]["bindings"]) == 500 and "500 rows" in doc["note"]


def test_malformed_query_is_400_with_position(live_endpoint) -> None:  # type: ignore[no-untyped-def]
    r = httpx.get(live_endpoint.sparql, params={"query": "SELECT ?x WHERE { ?x ?y }"})
    assert r.status_code == 400 and "malformed query" in r.text and "1:" in r.text


def test_void_and_health(live_endpoint) -> None:  # type: ignore[no-untyped-def]
    r = httpx.get(f"{live_endpoint.base}/void", headers={"Accept": "text/turtle"})
    assert r.status_code == 200
    void = Graph().parse(data=r.text, format="turtle")
    ns = "http://rdfs.org/ns/void#"
    assert int(void.value(URIRef("https://w3id.org/odlm/dataset"), URIRef(ns + "triples"))) > 1000  # type: ignore[arg-type]
    assert (None, URIRef(ns + "sparqlEndpoint"), URIRef(live_endpoint.sparql)) in void
    assert len(list(void.objects(None, URIRef(ns + "classPartition")))) > 3
    health = httpx.get(f"{live_endpoint.base}/health").json()
    assert health["status"] == "ok" and health["workers"] == 2


def test_query_page_and_openapi(live_endpoint) -> None:  # type: ignore[no-untyped-def]
    page = httpx.get(live_endpoint.base + "/editor")  # the YASGUI editor; / is the research-question page
    assert page.status_code == 200 and "static/yasgui/yasgui.min.js" in page.text
    assert "cdn" not in page.text.lower()
    js = httpx.get(live_endpoint.base + "/static/yasgui/yasgui.min.js")
    assert js.status_code == 200 and len(js.content) > 100_000
    assert "/sparql" in httpx.get(live_endpoint.base + "/openapi.json").json()["paths"]


def test_concurrent_clients(live_endpoint) -> None:  # type: ignore[no-untyped-def]
    """16 clients x 50 queries: every answer is a 200 with the right content."""
    errors: list[str] = []

    def client(number: int) -> None:
        with httpx.Client(timeout=30) as http:
            for i in range(50):
                fresh = (i % 5 == 0)
                query = f"SELECT (COUNT(*) AS ?n) WHERE {{ ?s a ?c }} # {number if fresh else ''}"
                r = http.get(live_endpoint.sparql, params={"query": query},
                             headers={"Accept": "application/sparql-results+json",
                                      **({"Cache-Control": "no-cache"} if fresh else {})})
                if r.status_code != 200 or int(r.json()["results"]["bindings"][0]["n"]["value"]) < 100:
                    errors.append(f"client {number} query {i}: {r.status_code} {r.text[:100]}")

    with ThreadPoolExecutor(16) as pool:
        list(pool.map(client, range(16)))
    assert errors == []


def test_runaway_query_is_killed_and_others_answered(live_endpoint) -> None:  # type: ignore[no-untyped-def]
    runaway = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
    answer: dict[str, object] = {}

    def send() -> None:
        started = time.monotonic()
        r = httpx.get(live_endpoint.sparql, params={"query": runaway}, headers={"Cache-Control": "no-cache"},
                      timeout=30)
        answer.update(status=r.status_code, text=r.text, seconds=time.monotonic() - started)

    thread = threading.Thread(target=send)
    thread.start()
    time.sleep(0.5)
    started = time.monotonic()
    simple = httpx.get(live_endpoint.sparql, params={"query": "ASK { ?s ?p ?o }"},
                       headers={"Cache-Control": "no-cache"}, timeout=10)
    assert simple.status_code == 200 and time.monotonic() - started < 2.0
    thread.join(20)
    assert answer["status"] == 503 and "cancelled" in str(answer["text"])
    assert float(answer["seconds"]) < 2.5 + 2.0  # type: ignore[arg-type]
    time.sleep(0.3)
    assert httpx.get(f"{live_endpoint.base}/health").json()["workers"] == 2


# -- safety, on a read-only app -----------------------------------------------------------------
@pytest.fixture(scope="module")
def read_only_client() -> TestClient:  # type: ignore[misc]
    store = OxigraphStore()
    store.load_text('<urn:a> <urn:p> "x" .', "nt", "https://w3id.org/odlm/graph/test")
    settings = ServerSettings(workers=1, max_body=2048, service_allow=("http://127.0.0.1:9/sparql",))
    with TestClient(create_app(store, settings)) as client:
        yield client


def test_update_refused_when_read_only(read_only_client: TestClient) -> None:
    r = read_only_client.post("/sparql", content=b"DROP ALL", headers={"Content-Type": "application/sparql-update",
                                                                        "Authorization": "Bearer x"})
    assert r.status_code == 403 and "read-only" in r.text
    assert read_only_client.get("/sparql", params={"query": "ASK { ?s ?p ?o }"}).json()["boolean"] is True


def test_service_in_update_is_refused(live_endpoint) -> None:  # type: ignore[no-untyped-def]
    update = "INSERT { GRAPH <urn:x> { ?s ?p ?o } } WHERE { SERVICE <http://10.0.0.1/sparql> { ?s ?p ?o } }"
    r = httpx.post(live_endpoint.sparql, content=update.encode(),
                   headers={"Content-Type": "application/sparql-update", **live_endpoint.auth})
    assert r.status_code == 403 and "allow-list" in r.text


def test_update_needs_the_token(live_endpoint) -> None:  # type: ignore[no-untyped-def]
    for headers in ({}, {"Authorization": "Bearer wrong"}):
        r = httpx.post(live_endpoint.sparql, content=b"DROP ALL",
                       headers={"Content-Type": "application/sparql-update", **headers})
        assert r.status_code == 403


def test_service_allow_list(read_only_client: TestClient) -> None:
    for target in ("<http://169.254.169.254/latest>", "?endpoint"):
        r = read_only_client.get("/sparql", params={"query": f"SELECT * WHERE {{ SERVICE {target} {{ ?s ?p ?o }} }}"})
        assert r.status_code == 403 and "allow-list" in r.text
    # an allowed endpoint passes the check (and then fails to connect: nothing listens on port 9)
    r = read_only_client.get("/sparql", params={
        "query": "SELECT * WHERE { SERVICE SILENT <http://127.0.0.1:9/sparql> { ?s ?p ?o } }"})
    assert r.status_code in (200, 500) and "allow-list" not in r.text


def test_body_cap_and_cors(read_only_client: TestClient) -> None:
    big = b"ASK { " + b"#" * 4096 + b"\n}"
    r = read_only_client.post("/sparql", content=big, headers={"Content-Type": "application/sparql-query"})
    assert r.status_code == 413
    r = read_only_client.get("/sparql", params={"query": "ASK {}"}, headers={"Origin": "https://example.org"})
    assert r.headers["access-control-allow-origin"] == "*" and "access-control-allow-credentials" not in r.headers


def test_validate_endpoint(read_only_client: TestClient) -> None:
    data = Path(__file__).read_text()[:0] + f"<urn:m> a <{DLM}> ."
    r = read_only_client.post("/validate", content=data.encode(), headers={"Content-Type": "text/turtle"})
    assert r.status_code == 200
    report = r.json()
    assert report["conforms"] is False and report["results"]
    bad = read_only_client.post("/validate", content=b"<urn:a> <urn:b> .", headers={"Content-Type": "text/turtle"})
    assert bad.status_code == 400
    assert json.loads(json.dumps(report))["layers"] == ["core"]


def test_endpoint_over_remote_store(oxigraph_server) -> None:  # type: ignore[no-untyped-def]
    from odlm_kg.store.remote import RemoteStore

    store = RemoteStore(oxigraph_server.query_url)
    store.load_text('<urn:r> <urn:p> "remote" .', "nt", "https://w3id.org/odlm/graph/test-remote-serve")
    with TestClient(create_app(store, ServerSettings())) as client:
        r = client.get("/sparql", params={"query": 'ASK { <urn:r> <urn:p> "remote" }'})
        assert r.status_code == 200 and r.json()["boolean"] is True
        r = client.get("/sparql", params={"query": "CONSTRUCT WHERE { <urn:r> ?p ?o }"},
                       headers={"Accept": "application/n-triples"})
        assert r.status_code == 200 and '"remote"' in r.text
    store.clear_graph("https://w3id.org/odlm/graph/test-remote-serve")
    store.close()
