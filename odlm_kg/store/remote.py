"""A remote SPARQL 1.1 store: the Protocol for queries, Update for writes, the Graph Store Protocol for
whole graphs. This is how a user who outgrows one machine moves on (Oxigraph server, Fuseki, Virtuoso,
QLever, GraphDB): the loaders, named queries and endpoint talk to it through the same :class:`Store`.

The remote default graph must be the union of the named graphs, as in the embedded store (Oxigraph:
``oxigraph serve --union-default-graph``; Fuseki: ``tdb2:unionDefaultGraph true``).

>>> derive_urls("http://127.0.0.1:7878/query")
('http://127.0.0.1:7878/update', 'http://127.0.0.1:7878/store')
>>> derive_urls("https://example.org/sparql")
('https://example.org/sparql', None)
"""

from __future__ import annotations

from typing import Any

import httpx
import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

from odlm_kg.errors import InputError, StoreError
from odlm_kg.store.base import QueryResult, SelectResult, Store
from odlm_kg.store.oxigraph import OX_FORMATS, to_rdflib

RESULT_ACCEPT = ("application/sparql-results+json, application/n-triples;q=0.9, text/turtle;q=0.8, "
                 "application/rdf+xml;q=0.5")
USER_AGENT = "odlm-kg (remote store; https://w3id.org/odlm)"


def derive_urls(query_url: str) -> tuple[str, str | None]:
    """Update and Graph Store URLs for a query URL: Oxigraph-style ``…/query`` -> ``…/update``,
    ``…/store``; otherwise updates go to the query URL and whole-graph writes use SPARQL Update."""
    if query_url.rstrip("/").endswith("/query"):
        base = query_url.rstrip("/")[: -len("/query")]
        return f"{base}/update", f"{base}/store"
    return query_url, None


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


class RemoteStore(Store):
    """A SPARQL 1.1 service reached over HTTP."""

    kind = "remote"

    #: Writes are sent as one request each, and servers cap request bodies (``odlm-kg serve`` at 10 MiB
    #: by default), so a loader's writes stay well below that.
    bulk_write_bytes = 4 * 2**20

    def __init__(self, query_url: str, update_url: str | None = None, gsp_url: str | None = None, *,
                 timeout: float = 300.0, headers: dict[str, str] | None = None,
                 update_token: str | None = None) -> None:
        derived_update, derived_gsp = derive_urls(query_url)
        self.query_url = query_url
        self.update_url = update_url or derived_update
        self.gsp_url = None if gsp_url == "none" else (gsp_url or derived_gsp)
        self.client = httpx.Client(timeout=timeout, headers={"User-Agent": USER_AGENT, **(headers or {})})
        # sent with writes only: a query never needs it, and a token is not shown to more requests than needed
        self.write_headers = {"Authorization": f"Bearer {update_token}"} if update_token else {}

    # -- HTTP ------------------------------------------------------------------------------
    def _send(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        try:
            response = self.client.request(method, url, **kwargs)
        except httpx.HTTPError as exc:
            raise StoreError(f"cannot reach the remote store at {url}: {exc}") from exc
        return response

    @staticmethod
    def _message(response: httpx.Response) -> str:
        text = response.text.strip().replace("\n", " ")
        return text[:500] or response.reason_phrase

    # -- queries ---------------------------------------------------------------------------
    def query(
        self,
        sparql: str,
        *,
        default_graph: list[str] | None = None,
        named_graphs: list[str] | None = None,
    ) -> QueryResult:
        params: list[tuple[str, str]] = [("default-graph-uri", g) for g in default_graph or []]
        params += [("named-graph-uri", g) for g in named_graphs or []]
        response = self._send("POST", self.query_url, params=params, content=sparql.encode("utf-8"),
                              headers={"Content-Type": "application/sparql-query; charset=utf-8",
                                       "Accept": RESULT_ACCEPT})
        if response.status_code == 400:
            raise SyntaxError(f"the remote store refused the query: {self._message(response)}")
        if response.status_code >= 300:
            raise StoreError(f"the remote store answered {response.status_code}: {self._message(response)}")
        media = response.headers.get("content-type", "").split(";")[0].strip().lower()
        if media in ("application/sparql-results+json", "application/json"):
            doc = response.json()
            if "boolean" in doc:
                return bool(doc["boolean"])
            variables = list(doc["head"].get("vars", []))
            rows = [{name: json_term(value) for name, value in binding.items()}
                    for binding in doc["results"]["bindings"]]
            return SelectResult(variables, rows)
        fmt = {"application/n-triples": ox.RdfFormat.N_TRIPLES, "text/plain": ox.RdfFormat.N_TRIPLES,
               "text/turtle": ox.RdfFormat.TURTLE, "application/rdf+xml": ox.RdfFormat.RDF_XML}.get(media)
        if fmt is None:
            raise StoreError(f"the remote store answered with an unexpected media type {media!r}")
        return _parsed_graph(response.content, fmt)

    def update(self, sparql: str) -> None:
        response = self._send("POST", self.update_url, content=sparql.encode("utf-8"),
                              headers={"Content-Type": "application/sparql-update; charset=utf-8",
                                       **self.write_headers})
        if response.status_code == 400:
            raise SyntaxError(f"the remote store refused the update: {self._message(response)}")
        if response.status_code >= 300:
            raise StoreError(f"the remote store answered {response.status_code} to an update: "
                             f"{self._message(response)}")

    # -- writes ----------------------------------------------------------------------------
    def load_text(self, data: str | bytes, fmt: str, graph: str | URIRef | None = None) -> None:
        """Parse locally (a syntax error names line and column and sends nothing), then send it in one
        request: a Graph Store POST for triples into one graph, else one ``INSERT DATA`` update."""
        try:
            ox_format = OX_FORMATS[fmt]
        except KeyError as exc:
            raise InputError(f"unknown RDF syntax {fmt!r}") from exc
        raw = data.encode("utf-8") if isinstance(data, str) else data
        quads_syntax = fmt in ("nquads", "trig")
        target: ox.NamedNode | ox.DefaultGraph = ox.DefaultGraph() if graph is None else ox.NamedNode(str(graph))
        try:
            quads = list(ox.parse(raw, ox_format, rename_blank_nodes=True))
        except SyntaxError as exc:
            raise InputError(f"invalid {fmt}: {exc}") from exc
        if not quads:
            return
        if not quads_syntax and graph is not None and self.gsp_url is not None:
            body = ox.serialize([q.triple for q in quads], format=ox.RdfFormat.N_TRIPLES)
            response = self._send("POST", self.gsp_url, params={"graph": str(graph)}, content=body,
                                  headers={"Content-Type": "application/n-triples", **self.write_headers})
            if response.status_code >= 300:
                raise StoreError(f"the remote store answered {response.status_code} to a Graph Store POST "
                                 f"into <{graph}>: {self._message(response)}")
            return
        by_graph: dict[str, list[ox.Triple]] = {}
        for quad in quads:
            name = quad.graph_name if quads_syntax else target
            key = "" if isinstance(name, ox.DefaultGraph) else name.value
            by_graph.setdefault(key, []).append(quad.triple)
        parts = ["INSERT DATA {"]
        for key, triples in by_graph.items():
            text = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES).decode("utf-8")
            parts.append(f"GRAPH <{key}> {{\n{text}}}" if key else text)
        parts.append("}")
        self.update("\n".join(parts))

    def named_graphs(self) -> list[URIRef]:
        result = self.query("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
        assert isinstance(result, SelectResult)
        return sorted(URIRef(str(row["g"])) for row in result.rows if isinstance(row.get("g"), URIRef))

    def count(self, graph: str | URIRef | None = None) -> int:
        if graph is None:
            # the remote default graph is the union of the named graphs, so count those only
            result = self.query("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
            assert isinstance(result, SelectResult)
            return int(result.rows[0]["n"])  # type: ignore[call-overload]
        return super().count(graph)

    def is_empty(self) -> bool:
        return not self.query("ASK { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } }")

    def export_graph(self, graph: str | URIRef | None, fmt: str = "turtle") -> Graph:
        if graph is None or self.gsp_url is None:
            return super().export_graph(graph, fmt)
        response = self._send("GET", self.gsp_url, params={"graph": str(graph)},
                              headers={"Accept": "application/n-triples"})
        if response.status_code == 404:
            return Graph()
        if response.status_code >= 300:
            raise StoreError(f"the remote store answered {response.status_code} to a Graph Store GET of "
                             f"<{graph}>: {self._message(response)}")
        return _parsed_graph(response.content, ox.RdfFormat.N_TRIPLES)

    def close(self) -> None:
        self.client.close()

    def __repr__(self) -> str:
        return f"RemoteStore({self.query_url!r}, update_url={self.update_url!r}, gsp_url={self.gsp_url!r})"

