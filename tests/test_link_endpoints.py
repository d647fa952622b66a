"""``odlm-kg link`` against real SPARQL servers on loopback: ``oxigraph serve`` holding fixture triples
shaped like Wikidata, SemOpenAlex, dblp and ORKG (tests/data/link/), reached through a small scripted
HTTP proxy that counts requests and can answer 429, 500, slowly or with malformed results. Nothing
here reaches the internet."""

from __future__ import annotations

import contextlib
import http.server
import json
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import OWL, SKOS

from odlm_kg.cli.app import main
from odlm_kg.link import get_target
from odlm_kg.link.base import Lookup, Target
from odlm_kg.link.client import LinkError, OfflineMiss, QueryCache, SparqlClient
from odlm_kg.link.run import run_link
from odlm_kg.namespaces import ODLM, graph_iri
from odlm_kg.store import OxigraphStore
from odlm_kg.store.base import SelectResult

LINK_DATA = Path(__file__).parent / "data" / "link"
PAPER = "https://w3id.org/odlm/id/paper/"
CODE = "https://w3id.org/odlm/id/code/"

EXPECTED: dict[str, dict[str, object]] = {
    "wikidata": {
        "links": {
            (PAPER + "1810.04805", OWL.sameAs, "http://www.wikidata.org/entity/Q57267388"),
            (PAPER + "10.1038/nature14539", OWL.sameAs, "http://www.wikidata.org/entity/Q28018765"),
            (PAPER + "hep-th/9711200", OWL.sameAs, "http://www.wikidata.org/entity/Q21707436"),
            (CODE + "pytorch/vision", SKOS.closeMatch, "http://www.wikidata.org/entity/Q30302449"),
            (CODE + "google-research/bert", SKOS.closeMatch, "http://www.wikidata.org/entity/Q61726893"),
        },
        "ambiguous": {PAPER + "1706.03762": {"http://www.wikidata.org/entity/Q30249683",
                                             "http://www.wikidata.org/entity/Q109438470"}},
        "counts": (9, 5, 3, 1),
    },
    "semopenalex": {
        "links": {
            (PAPER + "1810.04805", OWL.sameAs, "https://semopenalex.org/work/W2963341956"),
            (PAPER + "10.1145/3292500.3330961", OWL.sameAs, "https://semopenalex.org/work/W2955289339"),
        },
        "ambiguous": {PAPER + "10.1038/nature14539": {"https://semopenalex.org/work/W1836465849",
                                                      "https://semopenalex.org/work/W4232404349"}},
        "counts": (4, 2, 1, 1),
    },
    "dblp": {
        "links": {
            (PAPER + "1810.04805", OWL.sameAs, "https://dblp.org/rec/conf/naacl/DevlinCLT19"),
            (PAPER + "10.1038/nature14539", OWL.sameAs, "https://dblp.org/rec/journals/nature/LeCunBH15"),
        },
        "ambiguous": {PAPER + "10.1145/3292500.3330961": {"https://dblp.org/rec/conf/kdd/ZhangSHSC19",
                                                          "https://dblp.org/rec/journals/corr/abs-2011-00001"}},
        "counts": (4, 2, 1, 1),
    },
    "orkg": {
        "links": {(PAPER + "1810.04805", OWL.sameAs, "http://orkg.org/orkg/resource/R44930")},
        "ambiguous": {PAPER + "10.1145/3292500.3330961": {"http://orkg.org/orkg/resource/R69291",
                                                          "http://orkg.org/orkg/resource/R150001"}},
        "counts": (4, 1, 2, 1),
    },
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def oxigraph_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``oxigraph serve`` (PyPI package oxigraph) on a free loopback port, holding every target fixture."""
    executable = Path(sys.executable).parent / "oxigraph"
    if not executable.exists():
        found = shutil.which("oxigraph")
        if found is None:
            pytest.skip("the oxigraph server (PyPI package 'oxigraph', test extra) is not installed")
        executable = Path(found)
    location = tmp_path_factory.mktemp("link-oxigraph")
    subprocess.run([str(executable), "load", "--location", str(location), "--file",
                    *(str(LINK_DATA / f"{name}.ttl") for name in EXPECTED)], check=True, capture_output=True)
    port = free_port()
    process = subprocess.Popen([str(executable), "serve", "--location", str(location), "--bind", f"127.0.0.1:{port}"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/query"
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                urllib.request.urlopen(url + "?query=ASK%7B%7D", timeout=1).read()
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError("oxigraph serve did not start") from None
                time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        process.wait(10)


@dataclass
class Proxy:
    """A loopback HTTP server in a thread that forwards SPARQL requests to ``upstream`` and can be told
    to misbehave: ``script`` is a list of actions used one per request (then ``default``)."""

    upstream: str
    url: str = ""
    requests: list[dict[str, str]] = field(default_factory=list)
    script: list[Callable[[http.server.BaseHTTPRequestHandler, bytes], bool]] = field(default_factory=list)

    def reset(self) -> None:
        self.requests.clear()
        self.script.clear()


def forward(proxy: Proxy, handler: http.server.BaseHTTPRequestHandler, body: bytes) -> None:
    request = urllib.request.Request(proxy.upstream, data=body, method="POST", headers={
        "Content-Type": handler.headers.get("Content-Type", ""),
        "Accept": handler.headers.get("Accept", "application/sparql-results+json")})
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            status, media, data = answer.status, answer.headers.get("Content-Type", ""), answer.read()
    except urllib.error.HTTPError as exc:
        status, media, data = exc.code, exc.headers.get("Content-Type", "text/plain"), exc.read()
    reply(handler, status, data, media)


def reply(handler: http.server.BaseHTTPRequestHandler, status: int, data: bytes, media: str = "text/plain",
          headers: dict[str, str] | None = None) -> None:
    handler.send_response(status)
    handler.send_header("Content-Type", media)
    handler.send_header("Content-Length", str(len(data)))
    for name, value in (headers or {}).items():
        handler.send_header(name, value)
    handler.end_headers()
    handler.wfile.write(data)


@pytest.fixture(scope="module")
def proxy(oxigraph_url: str) -> Iterator[Proxy]:
    state = Proxy(oxigraph_url)

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # the client gave up (timeout test)
                self.answer()

        def answer(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            state.requests.append({"path": self.path, "agent": self.headers.get("User-Agent", ""),
                                   "body": body.decode("utf-8", "replace")})
            if state.script:
                action = state.script.pop(0)
                if action(self, body):
                    return
            if self.path.startswith("/sparql"):
                forward(state, self, body)
            else:
                reply(self, 404, b"Not Found")

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    state.url = f"http://127.0.0.1:{server.server_address[1]}/sparql"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture()
def fresh_proxy(proxy: Proxy) -> Proxy:
    proxy.reset()
    return proxy


def local_store(path: Path | None = None) -> OxigraphStore:
    store = OxigraphStore(path)
    store.load_file(LINK_DATA / "local.ttl", graph="https://w3id.org/odlm/graph/crawl-samples")
    return store


def client(tmp_path: Path, **kwargs: object) -> SparqlClient:
    return SparqlClient(cache=QueryCache(tmp_path / "cache"), **kwargs)  # type: ignore[arg-type]


def links_in(store: OxigraphStore, graph: URIRef) -> set[tuple[str, URIRef, str]]:
    result = store.query(f"SELECT ?s ?p ?o {{ GRAPH <{graph}> {{ ?s ?p ?o VALUES ?p {{ <{OWL.sameAs}> "
                         f"<{SKOS.exactMatch}> <{SKOS.closeMatch}> }} }} }}")
    assert isinstance(result, SelectResult)
    return {(str(r["s"]), URIRef(str(r["p"])), str(r["o"])) for r in result.rows}


def ambiguous_in(store: OxigraphStore, graph: URIRef) -> dict[str, set[str]]:
    result = store.query(f"SELECT ?item ?c {{ GRAPH <{graph}> {{ ?r a <{ODLM.AmbiguousMatch}> ; "
                         f"<{ODLM.ambiguousItem}> ?item ; <{ODLM.candidate}> ?c }} }}")
    assert isinstance(result, SelectResult)
    found: dict[str, set[str]] = {}
    for row in result.rows:
        found.setdefault(str(row["item"]), set()).add(str(row["c"]))
    return found


def cache_is_consistent(directory: Path) -> int:
    """Every cache file is a complete JSON entry; returns how many there are."""
    files = list(directory.glob("*/*.json")) if directory.exists() else []
    for path in files:
        entry = json.loads(path.read_text(encoding="utf-8"))
        assert {"endpoint", "query", "result"} <= set(entry)
    assert not list(directory.glob("*/*.part")) if directory.exists() else True
    return len(files)


# -- matching, per target ---------------------------------------------------------------------------

@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_target_links_match_nomatch_and_ambiguous(name: str, fresh_proxy: Proxy, tmp_path: Path) -> None:
    store = local_store()
    target = get_target(name)
    report = run_link(store, target, client(tmp_path), endpoint=fresh_proxy.url)
    expected = EXPECTED[name]
    assert (report.looked_up, report.matched, report.unmatched, report.ambiguous) == expected["counts"]
    assert links_in(store, target.graph) == expected["links"]
    assert ambiguous_in(store, target.graph) == expected["ambiguous"]
    # the run: a prov:Activity with endpoint, times and counts, in the target's graph
    result = store.query(f"""PREFIX prov: <http://www.w3.org/ns/prov#> PREFIX odlm: <{ODLM}>
        SELECT * {{ GRAPH <{target.graph}> {{ ?run a odlm:LinkRun , prov:Activity ; prov:used ?endpoint ;
          prov:startedAtTime ?start ; prov:endedAtTime ?end ; odlm:itemsMatched ?m ; odlm:itemsUnmatched ?u ;
          odlm:itemsAmbiguous ?a ; odlm:requestsSent ?r ; odlm:linkTarget ?t }} }}""")
    assert isinstance(result, SelectResult) and len(result.rows) == 1
    row = result.rows[0]
    assert str(row["endpoint"]) == fresh_proxy.url and str(row["t"]) == name
    assert (int(row["m"]), int(row["u"]), int(row["a"])) == expected["counts"][1:]  # type: ignore[call-overload]
    assert int(row["r"]) == len(fresh_proxy.requests) == len(target.lookups)  # type: ignore[call-overload]
    assert all("VALUES" in r["body"] for r in fresh_proxy.requests)
    agent = fresh_proxy.requests[0]["agent"]
    assert agent.startswith("odlm-kg/") and "https://w3id.org/odlm" in agent


def test_batches_and_limit(fresh_proxy: Proxy, tmp_path: Path) -> None:
    store = local_store()
    report = run_link(store, get_target("dblp"), client(tmp_path), endpoint=fresh_proxy.url, batch_size=1)
    assert report.requests == len(fresh_proxy.requests) == 4  # one query per DOI
    fresh_proxy.reset()
    report = run_link(local_store(), get_target("wikidata"), client(tmp_path / "other"), endpoint=fresh_proxy.url,
                      limit=2)
    assert report.looked_up == 2


def test_second_run_makes_no_requests_and_replaces_earlier_answers(fresh_proxy: Proxy, tmp_path: Path) -> None:
    store = local_store()
    target = get_target("wikidata")
    first = run_link(store, target, client(tmp_path), endpoint=fresh_proxy.url)
    sent = len(fresh_proxy.requests)
    assert first.requests == sent == 3 and first.cached == 0
    second = run_link(store, target, client(tmp_path), endpoint=fresh_proxy.url)
    assert len(fresh_proxy.requests) == sent, "the second run must be answered from the cache"
    assert second.requests == 0 and second.cached == 3
    assert links_in(store, target.graph) == EXPECTED["wikidata"]["links"]
    assert ambiguous_in(store, target.graph) == EXPECTED["wikidata"]["ambiguous"]
    runs = store.query(f"SELECT ?run {{ GRAPH <{target.graph}> {{ ?run a <{ODLM.LinkRun}> }} }}")
    records = store.query(f"SELECT ?r {{ GRAPH <{target.graph}> {{ ?r a <{ODLM.AmbiguousMatch}> }} }}")
    assert isinstance(runs, SelectResult) and isinstance(records, SelectResult)
    assert len(runs.rows) == 2 and len(records.rows) == 1
    # --offline answers from the same cache
    offline = run_link(store, target, client(tmp_path, offline=True), endpoint=fresh_proxy.url)
    assert offline.matched == 5 and len(fresh_proxy.requests) == sent


# -- misbehaving endpoints ------------------------------------------------------------------------

def test_429_with_retry_after_is_honoured(fresh_proxy: Proxy, tmp_path: Path) -> None:
    def too_many(handler: http.server.BaseHTTPRequestHandler, _body: bytes) -> bool:
        reply(handler, 429, b"slow down", headers={"Retry-After": "1"})
        return True

    fresh_proxy.script.append(too_many)
    store = local_store()
    started = time.monotonic()
    the_client = client(tmp_path)
    report = run_link(store, get_target("dblp"), the_client, endpoint=fresh_proxy.url)
    assert time.monotonic() - started >= 1.0
    assert the_client.stats.retries == 1 and the_client.stats.waited_seconds == 1.0
    assert len(fresh_proxy.requests) == 2 and report.matched == 2


def test_503_backs_off_exponentially_then_gives_up(fresh_proxy: Proxy, tmp_path: Path) -> None:
    def unavailable(handler: http.server.BaseHTTPRequestHandler, _body: bytes) -> bool:
        reply(handler, 503, b"maintenance")
        return True

    waits: list[float] = []
    fresh_proxy.script.extend([unavailable] * 3)
    store = local_store()
    before = store.count()
    the_client = client(tmp_path, retries=2, backoff=0.5, sleep=waits.append)
    with pytest.raises(LinkError, match="503 after 2 retries"):
        run_link(store, get_target("dblp"), the_client, endpoint=fresh_proxy.url)
    assert waits == [0.5, 1.0] and len(fresh_proxy.requests) == 3
    assert store.count() == before and cache_is_consistent(tmp_path / "cache") == 0


def test_500_is_reported_and_nothing_written(fresh_proxy: Proxy, tmp_path: Path) -> None:
    def broken(handler: http.server.BaseHTTPRequestHandler, _body: bytes) -> bool:
        reply(handler, 500, b"java.lang.OutOfMemoryError")
        return True

    fresh_proxy.script.append(broken)
    store = local_store()
    before = store.count()
    with pytest.raises(LinkError, match="500"):
        run_link(store, get_target("orkg"), client(tmp_path), endpoint=fresh_proxy.url)
    assert store.count() == before and cache_is_consistent(tmp_path / "cache") == 0


def test_failure_after_some_batches_keeps_cache_and_store_consistent(fresh_proxy: Proxy, tmp_path: Path) -> None:
    def pass_through(_handler: http.server.BaseHTTPRequestHandler, _body: bytes) -> bool:
        return False

    def broken(handler: http.server.BaseHTTPRequestHandler, _body: bytes) -> bool:
        reply(handler, 500, b"boom")
        return True

    fresh_proxy.script.extend([pass_through, pass_through, broken])
    store = local_store()
    before = store.count()
    with pytest.raises(LinkError):
        run_link(store, get_target("dblp"), client(tmp_path), endpoint=fresh_proxy.url, batch_size=1)
    assert store.count() == before
    assert cache_is_consistent(tmp_path / "cache") == 2  # the two answered batches, each complete
    fresh_proxy.reset()
    report = run_link(store, get_target("dblp"), client(tmp_path), endpoint=fresh_proxy.url, batch_size=1)
    assert report.cached == 2 and report.requests == 2 and report.matched == 2


def test_timeout(fresh_proxy: Proxy, tmp_path: Path) -> None:
    def slow(handler: http.server.BaseHTTPRequestHandler, body: bytes) -> bool:
        time.sleep(1.5)
        return False

    fresh_proxy.script.append(slow)
    store = local_store()
    before = store.count()
    with pytest.raises(LinkError, match=r"did not answer within 0\.3 s"):
        run_link(store, get_target("semopenalex"), client(tmp_path, timeout=0.3), endpoint=fresh_proxy.url)
    assert store.count() == before and cache_is_consistent(tmp_path / "cache") == 0


@pytest.mark.parametrize(("payload", "media", "message"), [
    (b'{"head": {"vars": []}}', "application/sparql-results+json", "malformed SPARQL JSON"),
    (b'{"head": {}, "results": {"bindings": [{"candidate": "not an object"}]}}', "application/sparql-results+json",
     "malformed binding"),
    (b'{"head": {}, "results": {"bindings": [{"candidate": {"type": "literal", "value": "Q1"}, '
     b'"value": {"type": "literal", "value": "10.1038/NATURE14539"}}]}}', "application/sparql-results+json",
     "expects the IRI of a record"),
    (b"<html><body>Welcome</body></html>", "text/html", "did not answer with SPARQL JSON"),
])
def test_malformed_results(payload: bytes, media: str, message: str, fresh_proxy: Proxy, tmp_path: Path) -> None:
    def bad(handler: http.server.BaseHTTPRequestHandler, _body: bytes) -> bool:
        reply(handler, 200, payload, media)
        return True

    fresh_proxy.script.append(bad)
    store = local_store()
    before = store.count()
    with pytest.raises(LinkError, match=message):
        run_link(store, get_target("wikidata"), client(tmp_path), endpoint=fresh_proxy.url)
    assert store.count() == before and cache_is_consistent(tmp_path / "cache") == 0


def test_query_the_endpoint_rejects(oxigraph_url: str, tmp_path: Path) -> None:
    broken = Lookup("broken", "paper", "doi", lambda doi, _w: [f'"{doi}"'],
                    lambda values: "SELECT ?candidate ?value WHERE { VALUES ?value { " + " ".join(values) + " } ?x ?y",
                    lambda value: value)
    target = Target("broken", "link-test", "Broken", {"default": oxigraph_url}, (broken,))
    store = local_store()
    before = store.count()
    with pytest.raises(LinkError, match="rejected the query"):
        run_link(store, target, client(tmp_path))
    assert store.count() == before and cache_is_consistent(tmp_path / "cache") == 0


# -- the command line ---------------------------------------------------------------------------------

def test_cli_links_and_reports(fresh_proxy: Proxy, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    local_store(tmp_path / "store").close()
    args = ["--store", str(tmp_path / "store"), "link", "wikidata", "--endpoint", fresh_proxy.url,
            "--cache-dir", str(tmp_path / "cache"), "--contact", "mailto:test@example.org"]
    assert main(args) == 0
    captured = capsys.readouterr()
    assert "9 items looked up: 5 matched, 3 unmatched, 1 ambiguous; 3 requests" in captured.out
    assert "ambiguous: <https://w3id.org/odlm/id/paper/1706.03762> has 2 candidates" in captured.err
    assert "mailto:test@example.org" in fresh_proxy.requests[0]["agent"]
    assert main(args) == 0
    assert "0 requests, 3 answers from the cache" in capsys.readouterr().out
    store = OxigraphStore(tmp_path / "store")
    assert links_in(store, graph_iri("link-wikidata")) == EXPECTED["wikidata"]["links"]
    store.close()


def test_cli_offline_with_empty_cache(fresh_proxy: Proxy, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    local_store(tmp_path / "store").close()
    code = main(["--store", str(tmp_path / "store"), "link", "dblp", "--offline", "--endpoint", fresh_proxy.url,
                 "--cache-dir", str(tmp_path / "empty")])
    err = capsys.readouterr().err
    assert code == 2 and "--offline" in err and "holds no answer" in err and "Traceback" not in err
    assert fresh_proxy.requests == []
    store = OxigraphStore(tmp_path / "store")
    assert graph_iri("link-dblp") not in store.named_graphs()
    store.close()


@pytest.mark.parametrize("where", ["unreachable", "wrong-path", "not-http", "unknown-target"])
def test_cli_bad_endpoints(where: str, proxy: Proxy, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    store = local_store(tmp_path / "store")
    before = store.count()
    store.close()
    endpoint = {"unreachable": f"http://127.0.0.1:{free_port()}/sparql",
                "wrong-path": proxy.url.replace("/sparql", "/nothing-here"),
                "not-http": "ftp://example.org/sparql", "unknown-target": proxy.url}[where]
    target = "mag" if where == "unknown-target" else "orkg"
    code = main(["--store", str(tmp_path / "store"), "link", target, "--endpoint", endpoint, "--cache-dir",
                 str(tmp_path / "cache"), "--timeout", "5"])
    err = capsys.readouterr().err
    expected = {"unreachable": "cannot reach", "wrong-path": "404", "not-http": "http(s) URL",
                "unknown-target": "no link target 'mag'"}[where]
    assert code == 2 and expected in err and "Traceback" not in err
    store = OxigraphStore(tmp_path / "store")
    assert store.count() == before
    store.close()
    assert cache_is_consistent(tmp_path / "cache") == 0


def test_cache_directory_that_is_a_file_is_a_link_error(tmp_path: Path) -> None:
    not_a_directory = tmp_path / "cache"
    not_a_directory.write_text("")
    with pytest.raises(LinkError, match=r"cannot write the answer cache in .*cache"):
        QueryCache(not_a_directory).put("http://127.0.0.1:9/sparql", "SELECT * {}", {"head": {}})


def test_offline_miss_is_a_link_error() -> None:
    the_client = SparqlClient(cache=None, offline=True)
    with pytest.raises(OfflineMiss, match="no cache directory"):
        the_client.select("http://127.0.0.1:9/sparql", "SELECT * {}")


def test_link_graph_parses_as_rdf(fresh_proxy: Proxy, tmp_path: Path) -> None:
    store = local_store()
    run_link(store, get_target("orkg"), client(tmp_path), endpoint=fresh_proxy.url)
    exported = store.export_graph(graph_iri("link-orkg"))
    graph = exported if isinstance(exported, Graph) else Graph().parse(data=exported, format="nt")
    assert (URIRef(PAPER + "1810.04805"), OWL.sameAs, URIRef("http://orkg.org/orkg/resource/R44930")) in graph


# -- federated queries (queries/federated-*.rq) and the endpoint's SERVICE allow-list ------------------

FEDERATED = {"federated-wikidata-deep-learning-papers": "https://query-scholarly.wikidata.org/sparql",
             "federated-dblp-ml-venues": "https://sparql.dblp.org/sparql"}


def test_federated_queries_declare_network_and_their_services() -> None:
    from rdflib.plugins.sparql import prepareQuery

    from odlm_kg.queries import get_query
    from odlm_kg.sparql_text import service_endpoints

    for name, service in FEDERATED.items():
        query = get_query(name)
        header = [line for line in query.text.splitlines() if line.startswith("#")]
        assert "# network: true" in header and query.evidence == ("crawl",)
        assert "needs network" in query.description.lower() and "--service-allow" in query.description
        assert service_endpoints(query.text) == [service]
        prepareQuery(query.text)  # valid SPARQL 1.1


def test_endpoint_refuses_federated_services_unless_allowed(oxigraph_url: str, fresh_proxy: Proxy) -> None:
    from fastapi.testclient import TestClient

    from odlm_kg.queries import get_query
    from odlm_kg.server import ServerSettings, create_app

    store = local_store()
    run_link(store, get_target("wikidata"), SparqlClient(), endpoint=fresh_proxy.url)
    store.load_text(f"<{PAPER}1706.03762> <{OWL.sameAs}> <https://dblp.org/rec/conf/nips/VaswaniSPUJGKP17> .",
                    "nt", graph_iri("link-dblp"))
    texts = {name: get_query(name).text for name in FEDERATED}
    # by default: no SERVICE at all
    with TestClient(create_app(store, ServerSettings(workers=1))) as http_client:
        for text in texts.values():
            answer = http_client.post("/sparql", content=text.encode(),
                                      headers={"Content-Type": "application/sparql-query"})
            assert answer.status_code == 403 and "allow-list" in answer.text
    # allowing Wikidata does not allow dblp
    allowed = ServerSettings(workers=1, service_allow=("https://query-scholarly.wikidata.org/sparql",))
    with TestClient(create_app(store, allowed)) as http_client:
        answer = http_client.post("/sparql", content=texts["federated-dblp-ml-venues"].encode(),
                                  headers={"Content-Type": "application/sparql-query"})
        assert answer.status_code == 403 and "sparql.dblp.org" in answer.text
    # the same queries against a loopback stand-in for both services, once it is on the allow-list
    stand_in = ServerSettings(workers=1, service_allow=(oxigraph_url,))
    with TestClient(create_app(store, stand_in)) as http_client:
        rows = {}
        for name, service in FEDERATED.items():
            answer = http_client.post("/sparql", content=texts[name].replace(service, oxigraph_url).encode(),
                                      headers={"Content-Type": "application/sparql-query",
                                               "Accept": "application/sparql-results+json"})
            assert answer.status_code == 200, answer.text
            rows[name] = answer.json()["results"]["bindings"]
    (deep,) = rows["federated-wikidata-deep-learning-papers"]
    assert deep["paper"]["value"] == PAPER + "10.1038/nature14539" and deep["published"]["value"].startswith("2015")
    (venue,) = rows["federated-dblp-ml-venues"]
    assert venue["venue"]["value"] == "NeurIPS" and venue["year"]["value"] == "2017"


def test_wikidata_asks_both_graphs_for_papers_and_pools_candidates(fresh_proxy: Proxy, tmp_path: Path) -> None:
    import dataclasses

    main_graph = fresh_proxy.url + "?graph=main"
    target = dataclasses.replace(get_target("wikidata"), endpoints={"scholarly": fresh_proxy.url, "main": main_graph})
    store = local_store()
    report = run_link(store, target, client(tmp_path))
    # DOI and arXiv lookups in both graphs, repositories in the main graph only
    assert report.requests == len(fresh_proxy.requests) == 5
    assert sorted(report.endpoints) == sorted([fresh_proxy.url, main_graph])
    # the same item found in both graphs is one candidate, not an ambiguity
    assert links_in(store, target.graph) == EXPECTED["wikidata"]["links"]
    assert (report.matched, report.ambiguous) == (5, 1)


def test_retry_after_as_a_date_and_bad_arguments(tmp_path: Path) -> None:
    import email.utils
    from datetime import UTC, datetime, timedelta

    from odlm_kg.errors import UsageError
    from odlm_kg.link.client import retry_after_seconds

    later = email.utils.format_datetime(datetime.now(UTC) + timedelta(seconds=30), usegmt=True)
    assert 25 <= (retry_after_seconds(later) or 0) <= 30
    assert retry_after_seconds("Mon, 01 Jan 2001 00:00:00 GMT") == 0.0
    with pytest.raises(UsageError, match="batch-size"):
        run_link(local_store(), get_target("dblp"), client(tmp_path), batch_size=0)
