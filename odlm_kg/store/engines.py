"""What odlm-kg knows about each SPARQL engine it can use as a remote store, in one table.

Engines answer the same SPARQL 1.1 Protocol differently: Virtuoso 7.2 never answers a query sent as a
direct POST (``application/sparql-query``), refuses blank nodes and long texts in ``INSERT DATA``, and
cuts answers at a row limit; Oxigraph answers everything but keeps the union default graph behind a
server option. A :class:`EngineProfile` holds those differences; the remote store reads its profile,
never the engine's name. ``docs/stores.md`` explains each entry.

>>> profile("virtuoso").query_transport, profile("oxigraph").query_transport
('form', 'direct')
>>> profile("virtuoso").urls("http://127.0.0.1:8890/sparql")
('http://127.0.0.1:8890/sparql', 'http://127.0.0.1:8890/sparql-graph-crud')
>>> profile("oxigraph").urls("http://127.0.0.1:7878/query")
('http://127.0.0.1:7878/update', 'http://127.0.0.1:7878/store')
>>> profile("fuseki").urls("http://127.0.0.1:3030/ds/sparql")
('http://127.0.0.1:3030/ds/update', 'http://127.0.0.1:3030/ds/data')
>>> profile("generic").urls("https://example.org/sparql")
('https://example.org/sparql', None)
>>> engine_from_server_header("Virtuoso/07.20.3229 (Linux) x86_64-pc-linux-gnu")
'virtuoso'
>>> engine_from_url("http://127.0.0.1:7878/query")
'oxigraph'
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

ENGINES = ("oxigraph", "virtuoso", "fuseki", "qlever", "generic")


@dataclass(frozen=True)
class EngineProfile:
    """How to talk to one engine. Every field is a protocol fact the remote store acts on."""

    name: str
    #: "form" (``application/x-www-form-urlencoded``, ``query=``): every engine answers it; "direct"
    #: (``application/sparql-query`` body) only where it is known to work.
    query_transport: str
    #: how updates are sent: "form" (``update=``) or "direct" (``application/sparql-update``)
    update_transport: str
    #: query-URL suffix -> (update suffix, Graph Store suffix or ""), tried in order
    url_rules: tuple[tuple[str, str, str], ...]
    #: most triples one ``INSERT DATA`` may carry (Virtuoso 7.2 refuses about 1,400 and more: "The length
    #: of generated SQL text has exceeded 10000 lines"; others take what fits the server's body limit)
    insert_data_triples: int
    #: most triples one Graph Store POST carries (bounded memory on both sides)
    gsp_triples: int
    #: whether ``INSERT DATA`` may hold blank nodes (Virtuoso: "SP031 … not allowed in a constant clause");
    #: when not, a piece with blank nodes is sent as ``INSERT { … } WHERE {}``, which may
    bnodes_in_insert_data: bool
    #: the request parameter that passes a query timeout to the server, and its unit ("ms" or "s")
    timeout_param: tuple[str, str] | None
    #: the response header that carries the server's row limit when an answer reached it
    row_limit_header: str | None
    #: the server setting that caps every answer (named in the truncation message)
    row_limit_setting: str | None
    #: the server setting that makes the default graph the union of the named graphs
    union_setting: str
    #: graphs the engine keeps for itself (not the user's data): IRIs starting with these
    system_graph_prefixes: tuple[str, ...] = ()
    #: a server-side time-out that returns a partial answer marked by this header value
    partial_answer_header: tuple[str, str] | None = None
    #: tested against a real server in this project's test suite
    tested: bool = False
    #: whether an update may compare with an inline multi-variable ``VALUES`` table inside ``MINUS`` (the
    #: loaders' in-store replace); Virtuoso 7.2 cannot compile it ("sparp_find_qmv_of_var_or_retval():
    #: side effect var passed"), and an untested engine is not trusted with it: the loaders then read
    #: the old triples back and delete the difference with ``DELETE DATA``
    values_in_minus: bool = False

    def urls(self, query_url: str) -> tuple[str, str | None]:
        """The update URL and the Graph Store URL (None: none known) derived from the query URL."""
        base = query_url.rstrip("/")
        for suffix, update_suffix, gsp_suffix in self.url_rules:
            if base.endswith(suffix):
                root = base[: len(base) - len(suffix)]
                return root + update_suffix, (root + gsp_suffix) if gsp_suffix else None
        return query_url, None


PROFILES: dict[str, EngineProfile] = {
    "oxigraph": EngineProfile(
        name="oxigraph", query_transport="direct", update_transport="direct",
        url_rules=(("/query", "/update", "/store"), ("/sparql", "/update", "/store")),
        insert_data_triples=200_000, gsp_triples=200_000, bnodes_in_insert_data=True,
        timeout_param=None, row_limit_header=None, row_limit_setting=None,
        union_setting="start it with `oxigraph serve --union-default-graph`", tested=True,
        values_in_minus=True),
    "virtuoso": EngineProfile(
        name="virtuoso", query_transport="form", update_transport="form",
        url_rules=(("/sparql", "/sparql", "/sparql-graph-crud"),
                   ("/sparql-auth", "/sparql-auth", "/sparql-graph-crud-auth")),
        insert_data_triples=1_000, gsp_triples=20_000, bnodes_in_insert_data=False,
        timeout_param=("timeout", "ms"), row_limit_header="x-sparql-maxrows",
        row_limit_setting="ResultSetMaxRows in the [SPARQL] section of virtuoso.ini",
        union_setting="Virtuoso queries all its graphs when no default-graph-uri is given; check that no "
                      "proxy or endpoint setting adds one",
        system_graph_prefixes=("http://www.openlinksw.com/", "http://www.w3.org/ns/ldp#",
                               "http://www.w3.org/2002/07/owl#", "http://localuriqaserver/",
                               "http://localhost:8890/"),
        partial_answer_header=("x-sql-state", "S1TAT"), tested=True),
    "fuseki": EngineProfile(
        name="fuseki", query_transport="form", update_transport="form",
        url_rules=(("/sparql", "/update", "/data"), ("/query", "/update", "/data")),
        insert_data_triples=50_000, gsp_triples=200_000, bnodes_in_insert_data=True,
        timeout_param=("timeout", "s"), row_limit_header=None, row_limit_setting=None,
        union_setting="set `tdb2:unionDefaultGraph true` on the dataset in Fuseki's configuration"),
    "qlever": EngineProfile(
        name="qlever", query_transport="form", update_transport="form", url_rules=(),
        insert_data_triples=10_000, gsp_triples=0, bnodes_in_insert_data=True,
        timeout_param=("timeout", "s"), row_limit_header=None, row_limit_setting=None,
        union_setting="QLever's default graph is the union of all graphs unless the index says otherwise"),
    "generic": EngineProfile(
        name="generic", query_transport="form", update_transport="form", url_rules=(),
        # large pieces: the loaders' writes are already bounded in bytes (bulk_write_bytes), which is what
        # a server's body limit counts, and each request has a fixed cost
        insert_data_triples=100_000, gsp_triples=100_000, bnodes_in_insert_data=True,
        timeout_param=None, row_limit_header=None, row_limit_setting=None,
        union_setting="configure the server so that its default graph is the union of the named graphs"),
}


def profile(engine: str) -> EngineProfile:
    """The profile of an engine named on the command line (``--engine``).

    >>> profile("Virtuoso").name
    'virtuoso'
    >>> profile("blazegraph")
    Traceback (most recent call last):
    ...
    ValueError: unknown engine 'blazegraph': expected one of oxigraph, virtuoso, fuseki, qlever, generic
    """
    try:
        return PROFILES[engine.strip().lower()]
    except KeyError:
        raise ValueError(f"unknown engine {engine!r}: expected one of {', '.join(ENGINES)}") from None


def engine_from_server_header(server: str) -> str | None:
    """The engine an HTTP ``Server`` header names, or None.

    >>> engine_from_server_header("Oxigraph/0.5.13"), engine_from_server_header("nginx")
    ('oxigraph', None)
    """
    lowered = server.lower()
    # uvicorn: a Python application such as ``odlm-kg serve``, which speaks the standard protocol
    for name, marker in (("virtuoso", "virtuoso"), ("oxigraph", "oxigraph"), ("fuseki", "fuseki"),
                         ("fuseki", "jena"), ("qlever", "qlever"), ("generic", "uvicorn")):
        if marker in lowered:
            return name
    return None


def engine_from_url(query_url: str) -> str | None:
    """A guess from the URL's shape when the server does not say who it is: Virtuoso's default port
    8890 and ``/sparql``; Oxigraph's default port 7878 or its ``/query`` path at the root.

    >>> engine_from_url("http://db.example.org:8890/sparql"), engine_from_url("https://example.org/sparql")
    ('virtuoso', None)
    """
    parts = urlsplit(query_url)
    path = parts.path.rstrip("/")
    if parts.port == 8890 or path.endswith("/sparql-auth"):
        return "virtuoso"
    if parts.port == 7878 or path == "/query":
        return "oxigraph"
    return None
