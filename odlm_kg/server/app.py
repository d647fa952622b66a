"""The SPARQL 1.1 endpoint (FastAPI): ``/sparql``, ``/queries``, ``/validate``, ``/void``, ``/health``, the
query page at ``/``, the YASGUI editor at ``/editor`` and the API docs at ``/docs`` (:mod:`odlm_kg.server.page`).

Safe by default (docs/security.md): read-only unless started with ``allow_update`` *and* the request
carries the update token; queries, updates and validation run in worker processes with a time and a
memory limit, killed at the timeout; the event loop never parses what a client sends; results are
capped at ``row_cap`` rows with a notice; request bodies are capped; ``SERVICE`` and ``LOAD`` reach only
allow-listed endpoints, decided on the parsed operation; IRIs the server writes are made from its
configured base, never from the ``Host`` header; a client's mistake is a 400 with the reason.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import io
import json
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import httpx
from fastapi import FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles

from odlm_kg import __version__
from odlm_kg.errors import OdlmError, UsageError
from odlm_kg.queries import NamedQuery, ParameterError, get_query, list_queries
from odlm_kg.rdf_formats import FORMATS
from odlm_kg.server.describe import VOID_QUERIES, service_description, void_description, with_endpoint
from odlm_kg.server.negotiation import DESCRIPTION_OFFERS, GRAPH_OFFERS, SELECT_OFFERS, choose
from odlm_kg.server.openapi import (
    NAMED_QUERY,
    SPARQL_GET,
    SPARQL_POST,
    UPLOAD_EXTENSIONS,
    VALIDATE,
    VOID_DESCRIPTION,
)
from odlm_kg.server.page import add_page_routes
from odlm_kg.server.workers import (
    DEFAULT_MEMORY_BYTES,
    Answer,
    Limits,
    WorkerPool,
    default_pool_size,
    serialise_boolean,
    well_formed_xml,
    with_large_stack,
)
from odlm_kg.store.base import Store
from odlm_kg.store.oxigraph import OxigraphStore
from odlm_kg.store.remote import RemoteStore, json_term

STATIC = Path(__file__).resolve().parent / "static"
ALLOWED_METHODS = "GET, POST, OPTIONS"
#: RDF media types ``/validate`` reads (rdflib format names), from the project's table of syntaxes.
VALIDATE_MEDIA = {media: rdflib_name for rdflib_name, media in FORMATS.values() if rdflib_name != "n3"} | {
    "text/plain": "nt"}
#: Longest integer or decimal a named-query parameter may be written with. Python refuses to read an
#: integer of more than 4,300 digits (a ValueError that was a 500); no count in this graph needs 40.
MAX_NUMBER_CHARACTERS = 40


@dataclass
class ServerSettings:
    """What ``odlm-kg serve`` options set; the defaults are the safe ones."""

    allow_update: bool = False
    update_token: str | None = None
    timeout: float = 30.0
    row_cap: int = 10_000
    max_body: int = 10 * 1024 * 1024
    service_allow: tuple[str, ...] = ()
    workers: int = field(default_factory=default_pool_size)
    cache_bytes: int = 64 * 1024 * 1024
    #: The base of every IRI the server writes (service description, VoID, /queries) and of relative IRIs
    #: in queries; default http://HOST:PORT of the listening socket. Never taken from the Host header.
    public_url: str | None = None
    #: Address space a worker may allocate beyond its size at start (0: no limit).
    memory_bytes: int = DEFAULT_MEMORY_BYTES

    def token(self) -> str:
        if self.update_token is None:
            self.update_token = secrets.token_urlsafe(24)
        return self.update_token


class ResultCache:
    """Serialised answers by request, dropped whole whenever the store is written (LRU by bytes)."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.entries: OrderedDict[str, Answer] = OrderedDict()
        self.size = 0
        self.hits = 0
        self.misses = 0

    def get(self, key: str) -> Answer | None:
        answer = self.entries.get(key)
        if answer is None:
            self.misses += 1
            return None
        self.entries.move_to_end(key)
        self.hits += 1
        return answer

    def put(self, key: str, answer: Answer) -> None:
        size = len(answer[2])
        if answer[0] != 200 or size > self.max_bytes // 4 or self.max_bytes <= 0:
            return
        self.entries[key] = answer
        self.size += size
        while self.size > self.max_bytes:
            _, old = self.entries.popitem(last=False)
            self.size -= len(old[2])

    def clear(self) -> None:
        self.entries.clear()
        self.size = 0


class RemoteRunner:
    """Queries passed through to a remote SPARQL store (its own timeout applies; no row cap)."""

    def __init__(self, store: RemoteStore, timeout: float, checker: WorkerPool) -> None:
        self.store = store
        self.client = httpx.AsyncClient(timeout=timeout)
        self.timeout = timeout
        self.checker = checker  # parses queries (SERVICE allow-list, dataset IRIs) before they are sent
        self.generation = 0

    async def run(self, task: dict[str, Any], timeout: float | None = None) -> Answer:
        checked = await self.checker.run({**task, "kind": "check"})
        if checked[0] != 200:
            return checked
        # the store's engine decides how a query is sent (form or direct POST, its timeout parameter);
        # the query's form decides which of the client's media types to ask for
        form = checked[2].decode() or None  # parsed by the worker, not on the event loop
        offers = ([task["select_media"]] if form in ("select", "ask") else
                  [task["graph_media"]] if form in ("construct", "describe") else
                  [task["select_media"], task["graph_media"]])
        accept = ", ".join(media for media, _ in filter(None, offers))
        if form == "ask" and task["select_media"]:
            # asked as JSON and written here in the client's format: Virtuoso answers ASK with a table
            accept = "application/sparql-results+json"
        request = self.store.query_request(task["sparql"], accept=accept or None,
                                           default_graph=task.get("default_graph") or None,
                                           named_graphs=task.get("named_graphs") or None,
                                           timeout=self.timeout)
        try:
            response = await self.client.post(request.pop("url"), **request)
        except httpx.TimeoutException:
            return 503, "text/plain", b"the remote store did not answer within the time limit", {}
        except httpx.HTTPError as exc:
            return 502, "text/plain", f"cannot reach the remote store: {exc}".encode(), {}
        headers: dict[str, str] = {}
        partial = self.store.profile.partial_answer_header
        if partial and response.headers.get(partial[0], "").upper() == partial[1]:
            return 503, "text/plain", (f"the remote store ({self.store.engine}) stopped the query at its time "
                                       "limit; its answer would be incomplete").encode(), {}
        if form == "ask" and task["select_media"] and response.status_code == 200:
            try:
                doc = json.loads(response.content)
                value = bool(doc["boolean"]) if "boolean" in doc else bool(doc["results"]["bindings"])
            except (ValueError, KeyError, TypeError):
                return 502, "text/plain", b"the remote store's answer to an ASK query is not readable", {}
            media, fmt = task["select_media"]
            return 200, media, serialise_boolean(value, fmt), {}
        limit_header = self.store.profile.row_limit_header
        if limit_header and limit_header in response.headers:
            cap = response.headers[limit_header]
            headers = {"X-Row-Cap": cap, "X-Row-Cap-Notice": f"results truncated: the remote store ({self.store.engine}) "
                       f"returns at most {cap} rows (its row limit)"}
        media = response.headers.get("content-type", "text/plain").split(";")[0]
        return response.status_code, media, response.content, headers

    def refresh(self) -> None:
        self.generation += 1

    def start(self) -> None:
        self.checker.start()

    def alive(self) -> int:
        return self.checker.alive()

    def close(self) -> None:
        self.checker.close()


def _text(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    return Response(message.rstrip() + "\n", status_code=status, media_type="text/plain", headers=headers)


def _answer_response(answer: Answer, cache_state: str | None = None) -> Response:
    status, media, body, headers = answer
    headers = dict(headers)
    if cache_state:
        headers["X-Cache"] = cache_state
    if media.startswith("text/") or "json" in media or "xml" in media or media.startswith("application/n"):
        media = f"{media}; charset=utf-8"
    return Response(body, status_code=status, media_type=media, headers=headers)


_RESULT_FORMATS = {"application/sparql-results+json": "json", "application/sparql-results+xml": "xml",
                   "text/csv": "csv", "text/tab-separated-values": "tsv"}


def _with_evidence_notice(response: Response) -> Response:
    """Issue 15: a named-query answer whose rows rest on synthetic or curated-sample evidence says so in
    the ``X-Odlm-Evidence-Notice`` header (read back from the answer's own rows, whatever its format)."""
    from rdflib.query import Result

    from odlm_kg.queries import EVIDENCE_FLAG_COLUMNS, NOTICE_HEADER, evidence_notice
    from odlm_kg.store.base import SelectResult

    media = (response.media_type or "").split(";")[0].strip()
    body = bytes(response.body)
    if response.status_code != 200 or media not in _RESULT_FORMATS or not any(
            column.encode() in body[:4096] for column in EVIDENCE_FLAG_COLUMNS):
        return response
    parsed = Result.parse(io.BytesIO(body), format=_RESULT_FORMATS[media])
    variables = [str(v) for v in parsed.vars or []]
    rows = [{str(v): row[v] for v in parsed.vars or [] if row[v] is not None} for row in parsed]
    notice = evidence_notice(SelectResult(variables, rows))  # type: ignore[arg-type]
    if notice:
        response.headers[NOTICE_HEADER] = notice
    return response


class BodyLimit:
    """ASGI middleware: 413 for a request body over ``max_body`` bytes (declared or streamed)."""

    def __init__(self, app: Any, max_body: int) -> None:
        self.app = app
        self.max_body = max_body

    async def __call__(self, scope: dict[str, Any], receive: Callable[[], Awaitable[dict[str, Any]]],
                       send: Callable[[dict[str, Any]], Awaitable[None]]) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope.get("headers", []):
            if name == b"content-length" and value.isdigit() and int(value) > self.max_body:
                response = _text(413, f"request body over this endpoint's limit of {self.max_body} bytes")
                await response(scope, receive, send)
                return
        received = 0

        async def limited() -> dict[str, Any]:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body:
                    raise BodyTooLarge
            return message

        try:
            await self.app(scope, limited, send)
        except BodyTooLarge:
            response = _text(413, f"request body over this endpoint's limit of {self.max_body} bytes")
            await response(scope, receive, send)


class BodyTooLarge(Exception):
    pass


class Endpoint:
    """The state behind the routes: store, query runner, cache, write lock."""

    def __init__(self, store: Store, settings: ServerSettings) -> None:
        self.store = store
        self.settings = settings
        self.cache = ResultCache(settings.cache_bytes)
        self.write_lock = threading.Lock()
        self.update_lock = asyncio.Lock()
        self.runner: WorkerPool | RemoteRunner
        limits = Limits(settings.memory_bytes, tuple(settings.service_allow))
        if isinstance(store, RemoteStore):
            #: workers without a store: they check queries and validate posted RDF
            self.pool = WorkerPool(min(settings.workers, 2), settings.timeout, limits=limits)
            self.runner = RemoteRunner(store, settings.timeout, self.pool)
        elif isinstance(store, OxigraphStore):
            self.pool = WorkerPool(settings.workers, settings.timeout,
                                   path=str(store.path) if store.path is not None else None,
                                   store=store.native if store.path is None else None, limits=limits)
            self.runner = self.pool
        else:  # pragma: no cover - every Store is one of the two
            raise UsageError(f"cannot serve a {type(store).__name__}")
        self.started = time.time()
        self._void: tuple[int, Any] | None = None
        self._graph_names: tuple[int, list[Any]] | None = None

    @property
    def generation(self) -> int:
        return self.runner.generation

    def flush(self) -> None:
        if isinstance(self.store, OxigraphStore):
            self.store.flush()

    def after_write(self) -> None:
        self.flush()
        self.cache.clear()
        self._void = None
        self._graph_names = None
        self.runner.refresh()

    async def query(self, request: Request, sparql: str, default_graph: list[str] | None,
                    named_graphs: list[str] | None, *, cache_key: str | None = None,
                    looked_up: bool = False, trusted: bool = False) -> Response:
        """Run a query (``looked_up``: the caller already missed the cache under ``cache_key``;
        ``trusted``: a named query of the package, whose text is ours and whose parameters are typed).

        The worker parses the query and refuses what it may not run (SERVICE off the allow-list, a text
        its parser cannot read, an invalid dataset IRI): the event loop reads none of it."""
        accept = request.headers.get("accept")
        select_media = choose(accept, SELECT_OFFERS)
        graph_media = choose(accept, GRAPH_OFFERS)
        if select_media is None and graph_media is None:
            return _text(406, "none of the accepted media types is offered; SELECT/ASK: "
                         + ", ".join(m for m, _ in SELECT_OFFERS[:4]) + "; CONSTRUCT/DESCRIBE: "
                         + ", ".join(m for m, _ in GRAPH_OFFERS[:6]))
        key = self.cache_key(request, cache_key or sparql, default_graph, named_graphs)
        if key is not None and not looked_up and (hit := self.cache.get(key)) is not None:
            return _answer_response(hit, "hit")
        generation = self.generation
        answer = await self.runner.run({
            "sparql": sparql, "default_graph": default_graph, "named_graphs": named_graphs,
            "select_media": select_media, "graph_media": graph_media, "row_cap": self.settings.row_cap,
            "base_iri": self.base_url(request) + "/sparql", "trusted": trusted,
        })
        if key is not None and generation == self.generation:
            self.cache.put(key, answer)
        return _answer_response(answer, "miss" if key else None)

    def cache_key(self, request: Request, basis: str, default_graph: list[str] | None = None,
                  named_graphs: list[str] | None = None) -> str | None:
        """The cache key of a request (None when caching is off or the client asks for a fresh answer)."""
        if self.settings.cache_bytes <= 0 or "no-cache" in request.headers.get("cache-control", "").lower():
            return None
        accept = request.headers.get("accept")
        text = json.dumps([basis, default_graph, named_graphs, choose(accept, SELECT_OFFERS),
                           choose(accept, GRAPH_OFFERS)])
        return hashlib.sha256(text.encode()).hexdigest()

    def cached(self, request: Request, basis: str) -> Response | None:
        key = self.cache_key(request, basis)
        hit = self.cache.get(key) if key is not None else None
        return None if hit is None else _answer_response(hit, "hit")

    async def update(self, request: Request, sparql: str, using: list[str], using_named: list[str]) -> Response:
        if not self.settings.allow_update:
            return _text(403, "this endpoint is read-only: SPARQL Update is refused (start the server with "
                         "--allow-update and send its token as 'Authorization: Bearer TOKEN')")
        sent = request.headers.get("authorization", "")
        scheme, _, token = sent.partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(token.strip(), self.settings.token()):
            return _text(403, "SPARQL Update needs this server's update token as 'Authorization: Bearer TOKEN'")
        base = self.base_url(request) + "/sparql"
        task = {"sparql": sparql, "using": using, "using_named": using_named, "base_iri": base}
        # one update at a time, and the workers refreshed before the next starts: a memory store's
        # workers are forked, and a fork must never copy a store in the middle of a write
        async with self.update_lock:
            if isinstance(self.store, OxigraphStore):
                # rehearsed on a copy in a killable process under the time and memory limits; only an
                # update that ran to its end there is applied to the store (same data: it finishes)
                rehearsal = await self.pool.rehearse(task, self.store.native if self.store.path else None)
            else:  # a remote store's update is checked here and run by the remote server
                rehearsal = await self.pool.run({**task, "kind": "update"})
            if rehearsal[0] != 204:
                return _answer_response(rehearsal)
            checked = rehearsal[2].decode("utf-8")  # the text that was checked (and rehearsed) runs

            def apply() -> None:
                with self.write_lock:
                    if isinstance(self.store, OxigraphStore):
                        native = self.store.native
                        with_large_stack(lambda: native.update(checked, base_iri=base))
                    else:
                        self.store.update(checked)

            try:
                await asyncio.get_running_loop().run_in_executor(None, apply)
            except (SyntaxError, ValueError, OdlmError) as exc:
                return _text(400, f"update failed: {exc}")
            except (OSError, RuntimeError) as exc:
                return _text(500, f"update failed in the store: {exc}")
            finally:
                self.after_write()
        return Response(status_code=204)

    def base_url(self, request: Request) -> str:
        """The configured base, else the address the server listens on (the socket's, not the Host
        header's: a client must not choose the IRIs the server writes, nor poison the cache with them)."""
        if self.settings.public_url:
            return self.settings.public_url.rstrip("/")
        host, port = request.scope.get("server") or ("127.0.0.1", 8000)
        host = f"[{host}]" if ":" in str(host) else str(host)
        return f"http://{host}:{port}"

    async def select_rows(self, sparql: str) -> list[dict[str, Any]] | Answer:
        """Rows of a SELECT run by the workers (under the timeout); the error answer when it fails."""
        answer = await self.runner.run({"sparql": sparql, "default_graph": None, "named_graphs": None,
                                        "select_media": ("application/sparql-results+json", "json"),
                                        "graph_media": None, "row_cap": self.settings.row_cap, "base_iri": None,
                                        "trusted": True})
        if answer[0] != 200:
            return answer
        doc = json.loads(answer[2])
        return [{name: json_term(value) for name, value in binding.items()} for binding in doc["results"]["bindings"]]

    async def graph_names(self) -> list[Any]:
        """Names of the non-empty named graphs (for the Service Description; cached until a write)."""
        if self._graph_names is not None and self._graph_names[0] == self.generation:
            return self._graph_names[1]
        generation = self.generation
        graphs = await self.select_rows("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } } ORDER BY ?g")
        if isinstance(graphs, tuple):
            return []
        names = [row["g"] for row in graphs]
        self._graph_names = (generation, names)
        return names

    async def void(self) -> Any:
        """The VoID graph (cached until the next write), or the error answer of a query behind it."""
        if self._void is not None and self._void[0] == self.generation:
            return self._void[1]
        generation = self.generation
        rows = {}
        for name, sparql in VOID_QUERIES.items():
            result = await self.select_rows(sparql)
            if isinstance(result, tuple):
                return result
            rows[name] = result
        graph = void_description(rows)
        self._void = (generation, graph)
        return graph


def _described(request: Request, graph: Any) -> Response:
    chosen = choose(request.headers.get("accept"), DESCRIPTION_OFFERS)
    if chosen is None:
        return _text(406, "offered: " + ", ".join(m for m, _ in DESCRIPTION_OFFERS[:4]))
    media, fmt = chosen
    body = graph.serialize(format=fmt, encoding="utf-8")
    if fmt == "xml" and (reason := well_formed_xml(body)) is not None:
        return _text(406, f"this description cannot be written as well-formed RDF/XML ({reason}); ask for "
                     "text/turtle or application/ld+json")
    return Response(body, media_type=f"{media}; charset=utf-8")


def _form_fields(body: bytes) -> list[tuple[str, str]]:
    return parse_qsl(body.decode("ascii", errors="strict"), keep_blank_values=True, encoding="utf-8",
                     errors="strict")


def create_app(store: Store, settings: ServerSettings | None = None) -> FastAPI:
    """The endpoint over ``store``. Worker processes start with the app (lifespan) and end with it."""
    settings = settings or ServerSettings()
    endpoint = Endpoint(store, settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        endpoint.flush()
        endpoint.runner.start()
        try:
            yield
        finally:
            endpoint.runner.close()

    # /docs is served from the package's own Swagger UI (page.py), not FastAPI's CDN page; no ReDoc
    app = FastAPI(title="odlm-kg SPARQL endpoint", version=__version__, lifespan=lifespan, docs_url=None,
                  redoc_url=None,
                  description="SPARQL 1.1 Protocol over the Open Deep Learning Model knowledge graph, its "
                              "named queries, SHACL validation and a VoID description.")
    app.state.endpoint = endpoint
    app.add_middleware(CORSMiddleware, allow_origins=["*"], allow_credentials=False,
                       allow_methods=ALLOWED_METHODS.split(", "), allow_headers=["*"], max_age=600,
                       expose_headers=["X-Row-Cap", "X-Row-Cap-Notice", "X-Cache", "X-Odlm-Evidence-Notice"])
    app.add_middleware(BodyLimit, max_body=settings.max_body)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    async def protocol(request: Request) -> Response:
        params = list(request.query_params.multi_items())
        if request.method == "POST":
            content_type = request.headers.get("content-type")
            if content_type is None:
                return _text(400, "a POST needs a Content-Type: application/x-www-form-urlencoded, "
                             "application/sparql-query or application/sparql-update")
            media = content_type.split(";")[0].strip().lower()
            body = await request.body()
            if media == "application/x-www-form-urlencoded":
                try:
                    params += _form_fields(body)
                except UnicodeDecodeError:
                    return _text(400, "the form is not UTF-8 percent-encoded")
            elif media in ("application/sparql-query", "application/sparql-update"):
                try:
                    text = body.decode("utf-8")
                except UnicodeDecodeError:
                    return _text(400, f"the {media} body is not UTF-8")
                if any(name in ("query", "update") for name, _ in params):
                    return _text(400, "give the operation either in the body or in the URL, not both")
                params.append(("query" if media.endswith("query") else "update", text))
            else:
                return _text(415, f"unsupported Content-Type {media!r}: use application/x-www-form-urlencoded, "
                             "application/sparql-query or application/sparql-update")
        queries = [value for name, value in params if name == "query"]
        updates = [value for name, value in params if name == "update"]
        values = {name: [v for n, v in params if n == name] for name in
                  ("default-graph-uri", "named-graph-uri", "using-graph-uri", "using-named-graph-uri")}
        if len(queries) + len(updates) > 1:
            return _text(400, "give exactly one 'query' or one 'update'")
        if updates:
            if request.method == "GET":
                return _text(400, "SPARQL Update must be sent with POST")
            return await endpoint.update(request, updates[0], values["using-graph-uri"],
                                         values["using-named-graph-uri"])
        if not queries:
            if any(values.values()):  # a dataset without an operation would be silently ignored
                return _text(400, "default-graph-uri, named-graph-uri, using-graph-uri and using-named-graph-uri "
                             "go with a 'query' or an 'update'")
            names = await endpoint.graph_names()
            return _described(request, service_description(endpoint.base_url(request) + "/sparql", names, settings))
        default_graph = values["default-graph-uri"] or None
        named_graphs = values["named-graph-uri"] or None
        return await endpoint.query(request, queries[0], default_graph, named_graphs)

    for method in ("GET", "POST"):
        app.add_api_route("/sparql", protocol, methods=[method], summary=f"SPARQL 1.1 Protocol ({method})",
                          operation_id=f"sparql_{method.lower()}",
                          openapi_extra=SPARQL_GET if method == "GET" else SPARQL_POST,
                          description="GET or POST (form, or direct application/sparql-query / sparql-update). "
                                      "Without a query: the Service Description.")

    @app.options("/sparql", include_in_schema=False)
    async def sparql_options() -> Response:
        # a CORS preflight (Origin + Access-Control-Request-Method) is answered by the CORS middleware
        # before it gets here; a plain OPTIONS learns what the endpoint takes
        return Response(status_code=204, headers={"Allow": ALLOWED_METHODS})

    @app.get("/queries", summary="The named queries and their metadata")
    async def named_queries(request: Request) -> JSONResponse:
        base = endpoint.base_url(request)
        items = [q.as_dict() | {"url": f"{base}/queries/{q.name}"} for q in list_queries()]
        return JSONResponse(items)

    @app.get("/queries/{name}", summary="Run a named query; its parameters are URL query parameters",
             openapi_extra=NAMED_QUERY)
    async def run_named(name: str, request: Request) -> Response:
        params = dict(request.query_params)
        fmt = params.pop("format", None)  # ?format=csv etc. as a shortcut for Accept
        key = "named:" + json.dumps([name, sorted(params.items())])
        if fmt is None and (hit := endpoint.cached(request, key)) is not None:  # answered without reading the query
            return _with_evidence_notice(hit)
        try:
            named: NamedQuery = get_query(name)
        except UsageError as exc:
            return JSONResponse({"detail": str(exc)}, status_code=404)
        if fmt is not None:
            by_format = {f: m for m, f in SELECT_OFFERS[:4]} | {"ttl": "text/turtle", "nt": "application/n-triples"}
            if fmt not in by_format:
                return JSONResponse({"detail": f"format {fmt!r}: expected one of {', '.join(by_format)}"},
                                    status_code=400)
            request.scope["headers"] = [h for h in request.scope["headers"] if h[0] != b"accept"] + [
                (b"accept", by_format[fmt].encode())]
            request = Request(request.scope, request.receive)
        try:
            for pname, value in params.items():
                parameter = named.parameter(pname)
                if parameter.type in ("integer", "decimal") and len(value) > MAX_NUMBER_CHARACTERS:
                    raise ParameterError(f"parameter {pname!r}: expected {parameter.type}, got a number "
                                         f"{len(value)} characters long (at most {MAX_NUMBER_CHARACTERS})",
                                         parameter=pname, expected=parameter.type)
            sparql = named.bind(**params)
        except ParameterError as exc:
            return JSONResponse({"detail": str(exc), "parameter": exc.parameter, "expected": exc.expected},
                                status_code=400)
        except (ValueError, OdlmError) as exc:  # a value the parameter's type cannot hold
            return JSONResponse({"detail": f"bad parameter value: {exc}"}, status_code=400)
        return _with_evidence_notice(
            await endpoint.query(request, sparql, None, None, cache_key=key, looked_up=fmt is None,
                                 trusted=True))

    @app.post("/validate", summary="SHACL report for posted RDF", openapi_extra=VALIDATE)
    async def validate_rdf(request: Request, layers: str = "core") -> Response:
        """The body (or the file of a multipart upload) is parsed and validated in a worker (time and
        memory limits); ``layers`` are names of the layers the package ships, never paths."""
        media = (request.headers.get("content-type") or "text/turtle").split(";")[0].strip().lower()
        upload: bytes | None = None
        if media == "multipart/form-data":
            # only the form's framing is read here (python-multipart, under the body limit); the RDF
            # inside is parsed by the worker like a direct body
            try:
                form = await request.form(max_files=1, max_fields=4)
            except BodyTooLarge:
                raise  # the body limit answers 413
            except Exception as exc:  # a malformed form: python-multipart's and Starlette's errors vary
                return _text(400, f"malformed multipart/form-data: {str(exc)[:200]}")
            try:
                part = form.get("file")
                if part is None or isinstance(part, str):
                    return _text(400, "a multipart upload needs the RDF file in the field 'file'")
                field_layers = form.get("layers")
                if isinstance(field_layers, str) and field_layers.strip():
                    layers = field_layers
                media = (part.content_type or "").split(";")[0].strip().lower()
                if media not in VALIDATE_MEDIA:
                    media = UPLOAD_EXTENSIONS.get(Path(part.filename or "").suffix.lower(), media)
                upload = await part.read()
            finally:
                await form.close()
        rdf_format = VALIDATE_MEDIA.get(media)
        if rdf_format is None:
            return _text(415, f"unsupported RDF media type {media!r}; send one of {', '.join(VALIDATE_MEDIA)}")
        from odlm_kg.validate.shapes import available_layers

        shipped = available_layers()
        chosen_layers = [layer.strip() for layer in layers.split(",") if layer.strip()]
        unknown = [layer for layer in chosen_layers if layer not in shipped]
        if unknown or not chosen_layers:
            shown = repr(unknown[0][:80]) if unknown else "none"
            return _text(400, f"unknown shape layer {shown}: give layer names, comma-separated, from "
                         f"{', '.join(shipped)}")
        chosen = choose(request.headers.get("accept"), [("application/json", "json"), *DESCRIPTION_OFFERS])
        body = upload if upload is not None else await request.body()
        if not body.strip():
            return _text(400, "nothing to validate: the body (or the uploaded file) is empty")
        return _answer_response(await endpoint.pool.run({
            "kind": "validate", "body": body, "rdf_format": rdf_format, "media": media, "layers": chosen_layers,
            "report_media": chosen or ("application/json", "json")}))

    @app.get("/void", summary="VoID description of the dataset", openapi_extra=VOID_DESCRIPTION)
    async def void(request: Request) -> Response:
        graph = await endpoint.void()
        if isinstance(graph, tuple):
            return _answer_response(graph)
        return _described(request, with_endpoint(graph, endpoint.base_url(request)))

    @app.get("/health", summary="Liveness and a few counters")
    async def health() -> JSONResponse:
        return JSONResponse({"status": "ok", "version": __version__, "store": endpoint.store.kind,
                             "workers": endpoint.runner.alive(), "generation": endpoint.generation,
                             "read_only": not settings.allow_update, "timeout_s": settings.timeout,
                             "memory_mib": settings.memory_bytes // (1024 * 1024),
                             "network_isolated": endpoint.pool.network_isolated(),
                             "row_cap": settings.row_cap, "cache": {"entries": len(endpoint.cache.entries),
                                                                     "hits": endpoint.cache.hits,
                                                                     "misses": endpoint.cache.misses}})

    add_page_routes(app, endpoint)
    return app
