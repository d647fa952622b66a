"""A remote SPARQL 1.1 store: the Protocol for queries, Update for writes, the Graph Store Protocol for
whole graphs. This is how a user who outgrows one machine moves on (Oxigraph server, Virtuoso, Fuseki,
QLever, GraphDB): the loaders, named queries and endpoint talk to it through the same :class:`Store`.

Each engine answers the protocol in its own way; what differs is one :class:`~odlm_kg.store.engines.
EngineProfile` (``--engine``, else detected from the server's answer at the query URL). The remote
default graph must be the union of the named graphs, as in the embedded store: the first query that
relies on it checks that it is, and says which server setting to change when not.

>>> derive_urls("http://127.0.0.1:7878/query")
('http://127.0.0.1:7878/update', 'http://127.0.0.1:7878/store')
>>> derive_urls("https://example.org/sparql")
('https://example.org/sparql', None)
>>> query_form("PREFIX x: <urn:x#> CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }")
'construct'
>>> accept_for("ask")
'application/sparql-results+json'
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from functools import lru_cache
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlencode

import httpx
import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

from odlm_kg.errors import InputError, StoreError, StoreRefusedQuery, UsageError
from odlm_kg.store.base import QueryResult, SelectResult, Store
from odlm_kg.store.engines import EngineProfile, engine_from_server_header, engine_from_url, profile
from odlm_kg.store.oxigraph import OX_FORMATS, to_rdflib

USER_AGENT = "odlm-kg (remote store; https://w3id.org/odlm)"
#: What each query form asks for: a results table, or a graph (N-Triples first: the cheapest to parse
#: and what every engine writes; Turtle and RDF/XML for the engines that do not).
TABLE_ACCEPT = "application/sparql-results+json"
GRAPH_ACCEPT = "application/n-triples, text/turtle;q=0.9, application/rdf+xml;q=0.5"
ANY_ACCEPT = f"{TABLE_ACCEPT}, application/n-triples;q=0.9, text/turtle;q=0.8, application/rdf+xml;q=0.5"
#: A graph that holds nothing: a query on "the default graph alone" (``default_graph=[]``) names it as
#: its default graph, because a union-default-graph server has no other way to leave the named graphs out.
NO_GRAPH = "urn:x-odlm-kg:no-graph"
#: How long detection waits for the server's Service Description (a server that never answers is then
#: reported by the first real request, with its own time limit).
DETECT_TIMEOUT_S = 5.0


def derive_urls(query_url: str) -> tuple[str, str | None]:
    """Update and Graph Store URLs for a query URL, by the engine its shape suggests (Oxigraph-style
    ``…/query`` -> ``…/update``, ``…/store``); otherwise updates go to the query URL and whole-graph
    writes use SPARQL Update."""
    return profile(engine_from_url(query_url) or "generic").urls(query_url)


@lru_cache(maxsize=256)
def query_form(sparql: str) -> str | None:
    """``select``, ``ask``, ``construct`` or ``describe``, decided by rdflib's SPARQL parser; None when
    rdflib cannot parse the text (an engine's own extension: the server decides then)."""
    from pyparsing import ParseException
    from rdflib.plugins.sparql.parser import parseQuery

    try:
        parsed = parseQuery(sparql)
    except (ParseException, ValueError, TypeError):
        return None
    name = str(parsed[1].name)  # SelectQuery, AskQuery, ConstructQuery, DescribeQuery
    return name.removesuffix("Query").lower()


def accept_for(form: str | None) -> str:
    if form in ("select", "ask"):
        return TABLE_ACCEPT
    if form in ("construct", "describe"):
        return GRAPH_ACCEPT
    return ANY_ACCEPT


def json_term(binding: dict[str, Any]) -> Node:
    kind, value = binding["type"], binding["value"]
    if kind == "uri":
        return URIRef(value)
    if kind == "bnode":
        return BNode(value)
    if "xml:lang" in binding:
        return Literal(value, lang=binding["xml:lang"])
    datatype = binding.get("datatype")
    if datatype and datatype != "http://www.w3.org/2001/XMLSchema#string":
        return Literal(value, datatype=URIRef(datatype))
    return Literal(value)


def _parsed_graph(data: bytes, fmt: ox.RdfFormat) -> Graph:
    """An rdflib graph of triples the remote store sent (parsed by Oxigraph, the faster parser)."""
    graph = Graph()
    for triple in ox.parse(data, fmt):
        graph.add((to_rdflib(triple.subject), to_rdflib(triple.predicate), to_rdflib(triple.object)))
    return graph


def _bnodes(triple: ox.Triple) -> list[str]:
    return [term.value for term in (triple.subject, triple.object) if isinstance(term, ox.BlankNode)]


def pieces(triples: list[ox.Triple], size: int) -> Iterator[list[ox.Triple]]:
    """Triples in pieces of at most ``size`` (more only for one blank-node cluster larger than that),
    never splitting triples that share a blank node: a blank node's scope is one request, so a node
    split over two requests would become two nodes.

    >>> a, b = ox.BlankNode("a"), ox.NamedNode("urn:b")
    >>> data = [ox.Triple(b, b, a), ox.Triple(b, b, b), ox.Triple(a, b, b)]
    >>> [len(piece) for piece in pieces(data, 1)]
    [2, 1]
    """
    parent: dict[str, str] = {}

    def root(node: str) -> str:
        while parent.setdefault(node, node) != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    for triple in triples:
        labels = _bnodes(triple)
        for other in labels[1:]:
            parent[root(other)] = root(labels[0])
    groups: dict[object, list[ox.Triple]] = {}
    for number, triple in enumerate(triples):
        labels = _bnodes(triple)
        groups.setdefault(root(labels[0]) if labels else number, []).append(triple)
    piece: list[ox.Triple] = []
    for group in groups.values():
        if piece and len(piece) + len(group) > size:
            yield piece
            piece = []
        piece.extend(group)
    if piece:
        yield piece


class _PageText(HTMLParser):
    """The text of an HTML error page (Virtuoso's Graph Store refusals), without its title."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.in_title = self.in_title or tag == "title"

    def handle_endtag(self, tag: str) -> None:
        self.in_title = self.in_title and tag != "title"

    def handle_data(self, data: str) -> None:
        if not self.in_title:
            self.parts.append(data)


def _server_text(response: httpx.Response) -> str:
    """The first lines of a server's refusal, without the query Virtuoso echoes back after them."""
    text = response.text
    if response.headers.get("content-type", "").split(";")[0].strip().lower() == "text/html":
        page = _PageText()
        page.feed(text)
        text = "\n".join(page.parts)
    text = text.split("\nSPARQL query:")[0].strip()
    text = " ".join(line.strip() for line in text.splitlines() if line.strip())
    return text[:400] or response.reason_phrase


class RemoteStore(Store):
    """A SPARQL 1.1 service reached over HTTP."""

    kind = "remote"

    #: Writes are sent as one request each, and servers cap request bodies (``odlm-kg serve`` at 10 MiB
    #: by default), so a loader's writes stay well below that.
    bulk_write_bytes = 4 * 2**20

    def __init__(self, query_url: str, update_url: str | None = None, gsp_url: str | None = None, *,
                 engine: str | None = None, timeout: float = 300.0, headers: dict[str, str] | None = None,
                 update_token: str | None = None) -> None:
        self.query_url = query_url
        self.timeout = timeout
        # a server that accepts the connection and never answers is reported after ``timeout``; one that
        # does not accept it, after 10 s
        self.client = httpx.Client(timeout=httpx.Timeout(timeout, connect=10.0),
                                   headers={"User-Agent": USER_AGENT, **(headers or {})})
        if engine in (None, "", "detect"):
            self.profile, self.engine_reason = self._detect()
        else:
            try:
                self.profile, self.engine_reason = profile(engine), "--engine"
            except ValueError as exc:
                raise UsageError(f"--engine: {exc}") from None
        if self.profile.timeout_param is not None:
            # the server is told the time limit; wait a little longer, so that its own answer (an error or
            # a partial answer odlm-kg refuses) arrives rather than a bare client time-out
            self.client.timeout = httpx.Timeout(timeout + 5.0, connect=10.0)
        derived_update, derived_gsp = self.profile.urls(query_url)
        self.update_url = update_url or derived_update
        self.gsp_url = None if gsp_url == "none" else (gsp_url or derived_gsp)
        # sent with writes only: a query never needs it, and a token is not shown to more requests than needed
        self.write_headers = {"Authorization": f"Bearer {update_token}"} if update_token else {}
        self._union_checked = False
        self._row_limit: int | None = None  # the server's row cap, once an answer showed it
        self._rows_below_limit = 0  # an answer this long is known to be below the cap
        #: requests sent, by kind ("query", "update", "gsp-post", "gsp-get"): what a test or benchmark reads
        self.requests: dict[str, int] = {}

    @property
    def engine(self) -> str:
        return self.profile.name

    @property
    def values_in_minus(self) -> bool:  # type: ignore[override]
        return self.profile.values_in_minus

    def _detect(self) -> tuple[EngineProfile, str]:
        """The engine, from the ``Server`` header of the Service Description at the query URL (a GET
        without a query), else from the URL's shape, else generic."""
        try:
            response = self.client.get(self.query_url, headers={"Accept": "text/turtle, application/rdf+xml;q=0.5"},
                                       timeout=DETECT_TIMEOUT_S)
            named = engine_from_server_header(response.headers.get("server", ""))
            if named:
                return profile(named), "the server's Server header"
        except httpx.HTTPError:
            pass
        guessed = engine_from_url(self.query_url)
        if guessed:
            return profile(guessed), "the URL's shape"
        return profile("generic"), "no engine recognised"

    # -- HTTP ------------------------------------------------------------------------------
    def _send(self, kind: str, method: str, url: str, **kwargs: Any) -> httpx.Response:
        self.requests[kind] = self.requests.get(kind, 0) + 1
        started = time.monotonic()
        try:
            return self.client.request(method, url, **kwargs)
        except httpx.TimeoutException:
            waited = time.monotonic() - started
            raise StoreError(f"the remote store ({self.engine}) at {url} did not answer a {kind} request within "
                             f"{waited:.0f} s; check that the server runs and is not overloaded, or simplify the "
                             "request") from None
        except httpx.HTTPError as exc:
            raise StoreError(f"cannot reach the remote store ({self.engine}) at {url}: {exc}; check the URL and "
                             "that the server runs") from None

    def _refusal(self, response: httpx.Response, what: str) -> str:
        text = _server_text(response)
        advice = "check the request against the server's message"
        # Virtuoso reports a missing grant as SR186 (updates) or SR575 (Graph Store), not always as 403
        if response.status_code in (401, 403) or any(code in text for code in ("SR186", "SR575")):
            if self.engine == "virtuoso":
                advice = ("the server does not let this client write: run `grant SPARQL_UPDATE to \"SPARQL\";` "
                          "in isql as dba, or give --gsp-url/--update-url of an endpoint that accepts the write")
            else:
                advice = ("the server wants credentials this client does not send: for `odlm-kg serve`, start it "
                          "with --allow-update and set $ODLM_KG_UPDATE_TOKEN; else give --update-url/--gsp-url of "
                          "an endpoint that accepts the request")
        elif response.status_code == 413:
            advice = "the request was larger than the server accepts; raise its body limit"
        elif response.status_code >= 500:
            advice = "see the server's log; the request may be too large or too costly for its settings"
        return (f"the remote store ({self.engine}) refused {what} with {response.status_code}: {text} "
                f"({advice})")

    # -- queries ---------------------------------------------------------------------------
    def query_request(self, sparql: str, *, accept: str | None = None, default_graph: list[str] | None = None,
                      named_graphs: list[str] | None = None, timeout: float | None = None) -> dict[str, Any]:
        """The arguments of the HTTP request that sends a query the way this engine answers it (the
        endpoint's pass-through uses them too): form-encoded POST unless the engine takes a direct POST,
        Accept by the query's form, the time limit (``timeout``, default the store's) passed on where the
        engine has a parameter for it, so that the server stops the work when the client stops waiting."""
        dataset: list[tuple[str, str]] = [("default-graph-uri", g) for g in default_graph or []]
        if default_graph is not None and not default_graph:
            dataset = [("default-graph-uri", NO_GRAPH)]
        dataset += [("named-graph-uri", g) for g in named_graphs or []]
        if self.profile.timeout_param is not None:
            name, unit = self.profile.timeout_param
            seconds = self.timeout if timeout is None else timeout
            dataset.append((name, str(int(seconds * 1000)) if unit == "ms" else str(max(1, int(seconds)))))
        headers = {"Accept": accept or accept_for(query_form(sparql))}
        if self.profile.query_transport == "direct":
            return {"url": self.query_url, "params": dataset, "content": sparql.encode("utf-8"),
                    "headers": {**headers, "Content-Type": "application/sparql-query; charset=utf-8"}}
        return {"url": self.query_url, "content": urlencode([("query", sparql), *dataset]).encode("ascii"),
                "headers": {**headers, "Content-Type": "application/x-www-form-urlencoded"}}

    def query(
        self,
        sparql: str,
        *,
        default_graph: list[str] | None = None,
        named_graphs: list[str] | None = None,
    ) -> QueryResult:
        if default_graph is None and not self._union_checked:
            self.check_union_default_graph()
        return self._query(sparql, default_graph=default_graph, named_graphs=named_graphs)

    def _query(self, sparql: str, *, default_graph: list[str] | None = None,
               named_graphs: list[str] | None = None) -> QueryResult:
        form = query_form(sparql)
        request = self.query_request(sparql, default_graph=default_graph, named_graphs=named_graphs)
        response = self._send("query", "POST", request.pop("url"), **request)
        if response.status_code == 400:
            raise StoreRefusedQuery(f"the remote store ({self.engine}) refused the query: {_server_text(response)}")
        if response.status_code >= 300:
            raise StoreError(self._refusal(response, "a query"))
        self._check_partial(response)
        media = response.headers.get("content-type", "").split(";")[0].strip().lower()
        if media in ("application/sparql-results+json", "application/json"):
            doc = response.json()
            if "boolean" in doc:
                return bool(doc["boolean"])
            variables = list(doc["head"].get("vars", []))
            rows = [{name: json_term(value) for name, value in binding.items()}
                    for binding in doc["results"]["bindings"]]
            if form == "ask" and variables == ["__ASK_RETVAL"]:
                # Virtuoso answers ASK with a one-column table: one row when true, none when false
                return bool(rows) and str(rows[0].get("__ASK_RETVAL", "0")) != "0"
            self._check_row_limit(len(rows), response)
            return SelectResult(variables, rows)
        fmt = {"application/n-triples": ox.RdfFormat.N_TRIPLES, "text/plain": ox.RdfFormat.N_TRIPLES,
               "text/turtle": ox.RdfFormat.TURTLE, "application/rdf+xml": ox.RdfFormat.RDF_XML}.get(media)
        if fmt is None:
            raise StoreError(f"the remote store ({self.engine}) answered a {form or 'query'} with the media type "
                             f"{media!r}, which odlm-kg cannot read; try --engine if detection chose wrong "
                             f"(now {self.engine}, from {self.engine_reason})")
        graph = _parsed_graph(response.content, fmt)
        self._check_row_limit(len(graph), response, triples=True)
        return graph

    def _check_partial(self, response: httpx.Response) -> None:
        marker = self.profile.partial_answer_header
        if marker and response.headers.get(marker[0], "").upper() == marker[1]:
            raise StoreError(f"the remote store ({self.engine}) stopped the query at its time limit (odlm-kg asked "
                             f"for {self.timeout:g} s; the server's MaxQueryExecutionTime may be lower) and sent an "
                             "incomplete answer, which odlm-kg does not pass on; narrow the query, or raise the limit")

    def _cut_at(self, count: int) -> int | None:
        """The server's row limit when an answer of ``count`` triples reached it, else None. Virtuoso
        cuts a graph answer at its row limit without saying so; its table answers say so (a header), so
        one table of ``count + 1`` constant rows (about as long as the graph just read, as CSV) tells
        whether the limit is above ``count``. Learnt limits are kept, so the question is asked rarely."""
        if self._row_limit is not None:
            return self._row_limit if count >= self._row_limit else None
        if count <= self._rows_below_limit or self.profile.row_limit_header is None:
            return None
        digits = " ".join(str(n) for n in range(10))
        width = max(7, len(str(count + 1)))  # 10^width rows of constants, more than count + 1
        values = " ".join(f"VALUES ?v{n} {{ {digits} }}" for n in range(width))
        probe = self.query_request(f"SELECT ?v0 WHERE {{ {values} }} LIMIT {count + 1}", accept="text/csv",
                                   default_graph=[NO_GRAPH])
        response = self._send("query", "POST", **probe)
        header = response.headers.get(self.profile.row_limit_header, "")
        if header.isdigit():
            self._row_limit = int(header)
            return self._row_limit if count >= self._row_limit else None
        self._rows_below_limit = count
        return None

    def _check_row_limit(self, count: int, response: httpx.Response, *, triples: bool = False) -> None:
        header = self.profile.row_limit_header
        if header is None:
            return
        limit: int | None = None
        if header in response.headers:
            value = response.headers[header]
            limit = int(value) if value.isdigit() else count
            self._row_limit = self._row_limit or (int(value) if value.isdigit() else None)
        elif triples and count:
            limit = self._cut_at(count)
        if limit is not None and count >= limit:
            unit = "triples" if triples else "rows"
            raise StoreError(f"the remote store ({self.engine}) cut the answer at its limit of {limit:,} {unit}, "
                             f"so it may be incomplete; raise {self.profile.row_limit_setting or 'that limit'}, "
                             "or page through the answer with LIMIT and OFFSET")

    def check_union_default_graph(self) -> None:
        """Refuse to go on when the server's default graph is not the union of its named graphs (every
        named query would silently return nothing): a triple of a named graph must be visible without
        ``GRAPH``."""
        self._union_checked = True
        sample = self._query("SELECT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o FILTER(isIRI(?s) && !isBlank(?o)) } } "
                             "LIMIT 1", default_graph=None)
        if not isinstance(sample, SelectResult) or not sample.rows:
            return  # no named graph holds data yet: nothing to check
        row = sample.rows[0]
        triple = " ".join(term.n3() for term in (row["s"], row["p"], row["o"]))
        if self._query(f"ASK {{ {triple} }}") is not True:
            raise StoreError(f"the remote store ({self.engine}) at {self.query_url} does not query the union of "
                             "its named graphs by default, so every named query would return nothing; "
                             f"{self.profile.union_setting}")

    def update(self, sparql: str) -> None:
        if self.profile.update_transport == "direct":
            kwargs: dict[str, Any] = {"content": sparql.encode("utf-8"), "headers": {
                "Content-Type": "application/sparql-update; charset=utf-8", **self.write_headers}}
        else:
            kwargs = {"data": {"update": sparql}, "headers": self.write_headers}
        response = self._send("update", "POST", self.update_url, **kwargs)
        if response.status_code >= 300:
            raise StoreError(self._refusal(response, "an update"))

    # -- writes ----------------------------------------------------------------------------
    def load_text(self, data: str | bytes, fmt: str, graph: str | URIRef | None = None) -> None:
        """Parse locally (a syntax error names line and column and sends nothing), then send each graph's
        triples in pieces the engine accepts: Graph Store POSTs where a Graph Store URL is known, else
        SPARQL updates. Pieces are not one transaction: a refused piece leaves the earlier ones written."""
        try:
            ox_format = OX_FORMATS[fmt]
        except KeyError as exc:
            raise InputError(f"unknown RDF syntax {fmt!r}") from exc
        raw = data.encode("utf-8") if isinstance(data, str) else data
        quads_syntax = fmt in ("nquads", "trig")
        target = "" if graph is None else str(graph)
        by_graph: dict[str, list[ox.Triple]] = {}
        try:
            for quad in ox.parse(raw, ox_format, rename_blank_nodes=True):
                name = quad.graph_name if quads_syntax else None
                key = name.value if isinstance(name, ox.NamedNode) else ("" if quads_syntax else target)
                by_graph.setdefault(key, []).append(quad.triple)
        except SyntaxError as exc:
            raise InputError(f"invalid {fmt}: {exc}") from exc
        for key, triples in by_graph.items():
            self.write_triples(triples, key or None)

    def write_triples(self, triples: list[ox.Triple], graph: str | None) -> None:
        """Add triples to one graph (None: the default graph) in pieces below the engine's limits. A
        refused piece stops the write; the error says how much of it the server already holds."""
        use_gsp = graph is not None and self.gsp_url is not None and self.profile.gsp_triples > 0
        size = self.profile.gsp_triples if use_gsp else self.profile.insert_data_triples
        stored = 0
        for piece in pieces(triples, size):
            try:
                self._write_piece(piece, graph, use_gsp)
            except StoreError as exc:
                if stored:
                    where = f"<{graph}>" if graph else "the default graph"
                    raise StoreError(f"{exc}; the server already holds the first {stored:,} of the "
                                     f"{len(triples):,} triples of this write into {where}") from None
                raise
            stored += len(piece)

    def _write_piece(self, piece: list[ox.Triple], graph: str | None, use_gsp: bool) -> None:
        body = ox.serialize(piece, format=ox.RdfFormat.N_TRIPLES) or b""
        if use_gsp:
            assert self.gsp_url is not None and graph is not None
            response = self._send("gsp-post", "POST", self.gsp_url, params={"graph": graph}, content=body,
                                  headers={"Content-Type": "application/n-triples", **self.write_headers})
            if response.status_code >= 300:
                what = f"{len(piece):,} triple{'s' if len(piece) != 1 else ''}"
                raise StoreError(self._refusal(response, f"a Graph Store POST of {what} into <{graph}> at "
                                                         f"{self.gsp_url}"))
            return
        text = body.decode("utf-8")
        block = f"GRAPH <{graph}> {{\n{text}}}" if graph else text
        if not self.profile.bnodes_in_insert_data and any(_bnodes(t) for t in piece):
            # INSERT DATA may not hold blank nodes here; a template with an empty WHERE makes the same
            # fresh nodes, shared within the piece (which keeps each blank node's triples together)
            self.update(f"INSERT {{\n{block}\n}} WHERE {{}}")
        else:
            self.update(f"INSERT DATA {{\n{block}\n}}")

    def _user_graphs_filter(self, variable: str) -> str:
        prefixes = self.profile.system_graph_prefixes
        if not prefixes:
            return ""
        tests = " || ".join(f'STRSTARTS(STR(?{variable}), "{prefix}")' for prefix in prefixes)
        return f"FILTER(!({tests}))"

    def named_graphs(self) -> list[URIRef]:
        """The graphs that hold data, without those the engine keeps for itself (Virtuoso's schema)."""
        result = self._query(f"SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ ?s ?p ?o }} {self._user_graphs_filter('g')} }}")
        assert isinstance(result, SelectResult)
        return sorted(URIRef(str(row["g"])) for row in result.rows if isinstance(row.get("g"), URIRef))

    def count(self, graph: str | URIRef | None = None) -> int:
        if graph is None:
            # the remote default graph is the union of the named graphs, so count those only
            sparql = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ ?s ?p ?o }} {self._user_graphs_filter('g')} }}"
        else:
            sparql = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
        result = self._query(sparql)
        assert isinstance(result, SelectResult)
        return int(result.rows[0]["n"])  # type: ignore[call-overload]

    def is_empty(self) -> bool:
        return not self._query(f"ASK {{ GRAPH ?g {{ ?s ?p ?o }} {self._user_graphs_filter('g')} }}")

    def export_graph(self, graph: str | URIRef | None, fmt: str = "turtle") -> Graph:
        if graph is None or self.gsp_url is None or self.profile.row_limit_header is not None:
            # an engine with a row cap cuts Graph Store reads silently too; a CONSTRUCT is checked
            where = "{ ?s ?p ?o }" if graph is None else f"{{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
            result = self._query(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {where}")
            assert isinstance(result, Graph)
            return result
        response = self._send("gsp-get", "GET", self.gsp_url, params={"graph": str(graph)},
                              headers={"Accept": "application/n-triples"})
        if response.status_code == 404:
            return Graph()
        if response.status_code >= 300:
            raise StoreError(self._refusal(response, f"a Graph Store GET of <{graph}>"))
        return _parsed_graph(response.content, ox.RdfFormat.N_TRIPLES)

    def close(self) -> None:
        self.client.close()

    def __repr__(self) -> str:
        return (f"RemoteStore({self.query_url!r}, engine={self.engine!r}, update_url={self.update_url!r}, "
                f"gsp_url={self.gsp_url!r})")

