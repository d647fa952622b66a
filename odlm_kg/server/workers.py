"""Queries, updates and validation run in worker processes that the server can kill: the timeout
really stops the work, and a memory limit bounds it.

Each query worker holds its own handle on the store: a read-only snapshot of an on-disk Oxigraph store
(``pyoxigraph.Store.read_only``), reopened after the server writes, or, for an in-memory store, the
copy it inherited when it was forked. The server sends a task over a pipe and gets back serialised
bytes. A worker

* parses every user query with rdflib first (:mod:`odlm_kg.server.sparql_check`): SERVICE and LOAD
  are decided there, on the parse tree, and too deep a nesting is a 400, not a crash;
* runs its work in a thread with a large stack (:data:`THREAD_STACK_BYTES`), so evaluating what the
  parser accepted cannot overflow the stack;
* limits its own address space (``RLIMIT_AS``) to its size at start plus the endpoint's memory limit;
* with an empty SERVICE allow-list, leaves the network: it moves into a network namespace of its own
  with no interface, so even a query that got past the parser could not open a connection.

When a task outlives the timeout the server kills the process (its core is free at once) and starts a
fresh one, while the other workers keep answering. An update is rehearsed the same way, on a copy of
the store (a fork of a memory store, a RocksDB checkpoint of a disk store): only an update that ran to
its end there, within the limits, is then applied to the store.
"""

from __future__ import annotations

import asyncio
import contextlib
import csv
import ctypes
import faulthandler
import io
import json
import multiprocessing
import multiprocessing.connection
import os
import resource
import shutil
import signal
import sys
import tempfile
import threading
import time
import xml.parsers.expat
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Any, TypeVar
from xml.sax.saxutils import escape, quoteattr

import pyoxigraph as ox

from odlm_kg.server.messages import one_line_syntax_error
from odlm_kg.server.sparql_check import Refused, check_operation
from odlm_kg.sparql_text import add_using, has_from_clause

#: Seconds a new worker may take to start (import, open the store) before it counts as failed.
STARTUP_SECONDS = 120.0
#: (status, media type, body, headers) — the answer of one task.
Answer = tuple[int, str, bytes, dict[str, str]]
#: Stack of the thread a worker parses and evaluates in. Oxigraph evaluates nested patterns and long
#: operator chains recursively; on the default 8 MiB stack, 10,000 nested groups overflow it (the
#: process died with SIGSEGV). 256 MiB is address space, not memory: only the pages used are touched.
THREAD_STACK_BYTES = 256 * 1024 * 1024
#: Default memory limit of a worker: what it may allocate beyond its size at start.
DEFAULT_MEMORY_BYTES = 2 * 1024 * 1024 * 1024
_T = TypeVar("_T")

GRAPH_SERIALISERS: dict[str, ox.RdfFormat] = {
    "turtle": ox.RdfFormat.TURTLE,
    "nt": ox.RdfFormat.N_TRIPLES,
    "jsonld": ox.RdfFormat.JSON_LD,
    "rdfxml": ox.RdfFormat.RDF_XML,
    "nquads": ox.RdfFormat.N_QUADS,
    "trig": ox.RdfFormat.TRIG,
}
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


@dataclass(frozen=True)
class Limits:
    """What a worker may do: allocate ``memory_bytes`` beyond its start size (0: unlimited), reach the
    SERVICE/LOAD endpoints in ``service_allow`` (none: no network at all)."""

    memory_bytes: int = DEFAULT_MEMORY_BYTES
    service_allow: tuple[str, ...] = ()


# -- serialisation of query results -------------------------------------------------------------
def _json_term(term: Any) -> dict[str, str]:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        out = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype.value != _XSD_STRING:
            out["datatype"] = term.datatype.value
        return out
    return {"type": "triple", "value": str(term)}  # RDF-star, passed through


def _xml_term(term: Any) -> str:
    if isinstance(term, ox.NamedNode):
        return f"<uri>{escape(term.value)}</uri>"
    if isinstance(term, ox.BlankNode):
        return f"<bnode>{escape(term.value)}</bnode>"
    if isinstance(term, ox.Literal):
        if term.language:
            return f"<literal xml:lang={quoteattr(term.language)}>{escape(term.value)}</literal>"
        if term.datatype.value != _XSD_STRING:
            return f"<literal datatype={quoteattr(term.datatype.value)}>{escape(term.value)}</literal>"
        return f"<literal>{escape(term.value)}</literal>"
    return f"<literal>{escape(str(term))}</literal>"


def _csv_term(term: Any) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if isinstance(term, ox.NamedNode | ox.Literal):
        return str(term.value)
    return str(term)


def serialise_solutions(variables: list[str], rows: list[Any], fmt: str, note: str | None) -> bytes:
    if fmt == "json":
        bindings = []
        for row in rows:
            binding = {}
            for name in variables:
                value = row[name]
                if value is not None:
                    binding[name] = _json_term(value)
            bindings.append(binding)
        doc: dict[str, Any] = {"head": {"vars": variables}, "results": {"bindings": bindings}}
        if note:
            doc["note"] = note
        return json.dumps(doc, ensure_ascii=False).encode("utf-8")
    if fmt == "xml":
        parts = ['<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">']
        if note:
            parts.append(f"<!-- {escape(note).replace('--', '- -')} -->")
        parts.append("<head>" + "".join(f"<variable name={quoteattr(v)}/>" for v in variables) + "</head>")
        parts.append("<results>")
        for row in rows:
            cells = "".join(f"<binding name={quoteattr(v)}>{_xml_term(row[v])}</binding>"
                            for v in variables if row[v] is not None)
            parts.append(f"<result>{cells}</result>")
        parts.append("</results></sparql>\n")
        return "\n".join(parts).encode("utf-8")
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(variables)
        for row in rows:
            writer.writerow([_csv_term(row[v]) for v in variables])
        return buffer.getvalue().encode("utf-8")
    if fmt == "tsv":
        lines = ["\t".join(f"?{v}" for v in variables)]
        lines += ["\t".join("" if row[v] is None else str(row[v]) for v in variables) for row in rows]
        return ("\n".join(lines) + "\n").encode("utf-8")
    raise ValueError(fmt)


def serialise_boolean(value: bool, fmt: str) -> bytes:
    word = "true" if value else "false"
    if fmt == "json":
        return json.dumps({"head": {}, "boolean": value}).encode()
    if fmt == "xml":
        return (f'<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#"><head/>'
                f"<boolean>{word}</boolean></sparql>\n").encode()
    return f"{word}\n".encode()


def well_formed_xml(body: bytes) -> str | None:
    """None when ``body`` is well-formed XML, else expat's reason: Oxigraph writes a predicate that has
    no XML local name as ``<oxprefix:>`` and copies control characters that XML 1.0 forbids, so what it
    wrote is read back before it is sent (with namespaces: ``<oxprefix:>`` is a well-formed name without)."""
    parser = xml.parsers.expat.ParserCreate(namespace_separator=" ")
    parser.SetParamEntityParsing(xml.parsers.expat.XML_PARAM_ENTITY_PARSING_NEVER)
    try:
        parser.Parse(body, True)
    except xml.parsers.expat.ExpatError as exc:
        return str(exc)
    return None


def _not_xml(what: str, reason: str, alternatives: str) -> Answer:
    return 406, "text/plain", (f"this {what} cannot be written as well-formed XML ({reason}): an IRI has no XML "
                               "local name (such as <urn:1> as a predicate) or a value holds a character XML "
                               f"1.0 forbids; ask for {alternatives}").encode(), {}


def _graph_iris(names: list[str] | None, parameter: str) -> list[ox.NamedNode]:
    iris = []
    for name in names or []:
        try:
            iris.append(ox.NamedNode(name))
        except ValueError as exc:
            raise Refused(400, f"{parameter} {name!r} is not an absolute IRI ({exc})") from None
    return iris


def check_query(task: dict[str, Any], limits: Limits) -> bool:
    """Check a query task (:class:`Refused` when it may not run); True when the query names its own
    dataset (FROM / FROM NAMED), which then beats the union default graph."""
    _graph_iris(task.get("default_graph"), "default-graph-uri")
    _graph_iris(task.get("named_graphs"), "named-graph-uri")
    if task.get("trusted"):  # the package's own named queries, with typed parameters: no SERVICE
        return has_from_clause(task["sparql"])
    return check_operation(task["sparql"], "query", allowed=limits.service_allow).names_dataset


def execute(store: ox.Store, task: dict[str, Any], limits: Limits = Limits()) -> Answer:
    """Check one query task, run it against a pyoxigraph store and serialise its result."""
    try:
        names_dataset = check_query(task, limits)
    except Refused as refused:
        return refused.status, "text/plain", refused.message.encode(), {}
    kwargs: dict[str, Any] = {"base_iri": task.get("base_iri")}
    default_graph, named_graphs = task.get("default_graph"), task.get("named_graphs")
    if default_graph is None and named_graphs is None:
        if not names_dataset:  # a query's own FROM beats the union default graph
            kwargs["use_default_graph_as_union"] = True
    else:
        kwargs["default_graph"] = _graph_iris(default_graph, "") if default_graph else ox.DefaultGraph()
        kwargs["named_graphs"] = _graph_iris(named_graphs, "")
    try:
        result = store.query(task["sparql"], **kwargs)
    except SyntaxError as exc:
        return 400, "text/plain", f"malformed query: {one_line_syntax_error(str(exc), task['sparql'])}".encode(), {}
    cap: int = task["row_cap"]
    headers: dict[str, str] = {}
    try:
        if isinstance(result, ox.QueryBoolean):
            media, fmt = task["select_media"] or (None, None)
            if media is None:
                return 406, "text/plain", b"none of the accepted media types suits an ASK result", {}
            return 200, media, serialise_boolean(bool(result), fmt), headers
        if isinstance(result, ox.QuerySolutions):
            media, fmt = task["select_media"] or (None, None)
            if media is None:
                return 406, "text/plain", b"none of the accepted media types suits a SELECT result", {}
            variables = [v.value for v in result.variables]
            rows = list(islice(result, cap + 1))
            note = None
            if len(rows) > cap:
                rows = rows[:cap]
                note = f"results truncated: this endpoint returns at most {cap} rows (its row cap)"
                headers = {"X-Row-Cap": str(cap), "X-Row-Cap-Notice": note}
            body = serialise_solutions(variables, rows, fmt, note)
            if fmt == "xml" and (reason := well_formed_xml(body)) is not None:
                return _not_xml("result", reason, "application/sparql-results+json or text/csv")
            return 200, media, body, headers
        media, fmt = task["graph_media"] or (None, None)
        if media is None:
            return 406, "text/plain", b"none of the accepted media types suits a graph result", {}
        triples = list(islice(result, cap + 1))
        if len(triples) > cap:
            triples = triples[:cap]
            note = f"results truncated: this endpoint returns at most {cap} triples (its row cap)"
            headers = {"X-Row-Cap": str(cap), "X-Row-Cap-Notice": note}
        if fmt in ("nquads", "trig"):
            body = ox.serialize([ox.Quad(t.subject, t.predicate, t.object) for t in triples],
                                format=GRAPH_SERIALISERS[fmt]) or b""
        else:
            body = ox.serialize(triples, format=GRAPH_SERIALISERS[fmt]) or b""
        if fmt == "rdfxml" and (reason := well_formed_xml(body)) is not None:
            return _not_xml("graph", reason, "text/turtle, application/n-triples or application/ld+json")
        return 200, media, body, headers
    except (OSError, RuntimeError, ValueError) as exc:  # evaluation errors (a failing allowed SERVICE, …)
        return 400, "text/plain", f"query evaluation failed: {exc}".encode(), {}


def validate_body(task: dict[str, Any]) -> Answer:
    """The SHACL report of posted RDF (parsed here, in the worker, never on the event loop)."""
    from odlm_kg.errors import OdlmError
    from odlm_kg.rdf_formats import parse_untrusted
    from odlm_kg.validate import validate

    try:
        data = parse_untrusted(task["body"], task["rdf_format"])
        report = validate(data, task["layers"])
    except (OdlmError, ValueError) as exc:  # ValueError: an IRI Oxigraph refuses (RDF/XML lets relative ones through)
        return 400, "text/plain", f"cannot validate the posted {task['media']}: {exc}".encode(), {}
    conforms = {"X-Conforms": str(report.conforms).lower()}
    media, fmt = task["report_media"]
    if fmt == "json":
        return 200, "application/json", json.dumps(report.to_json()).encode("utf-8"), conforms
    body = report.to_graph().serialize(format=fmt, encoding="utf-8")
    if fmt == "xml" and (reason := well_formed_xml(body)) is not None:
        return _not_xml("report", reason, "application/json or text/turtle")
    return 200, media, body, conforms


def rehearse_update(store: ox.Store | None, task: dict[str, Any], limits: Limits) -> Answer:
    """Check an update and run it on this worker's copy of the store; 204 with the exact text that ran
    (USING clauses of the protocol added) when it ran to its end, else the refusal or the error.
    Without a store (a remote store's update) the update is only checked."""
    try:
        text = task["sparql"]
        using, using_named = task.get("using") or [], task.get("using_named") or []
        checked = check_operation(text, "update", allowed=limits.service_allow)
        if using or using_named:
            if checked.names_dataset:
                raise Refused(400, "the update names its own dataset (USING or WITH) and the request gives "
                                   "using-graph-uri/using-named-graph-uri: give one or the other")
            _graph_iris(using, "using-graph-uri")
            _graph_iris(using_named, "using-named-graph-uri")
            text = add_using(text, using, using_named)
            check_operation(text, "update", allowed=limits.service_allow)  # what runs is what was checked
    except Refused as refused:
        return refused.status, "text/plain", refused.message.encode(), {}
    if store is None:
        return 204, "text/plain", text.encode("utf-8"), {}
    try:
        store.update(text, base_iri=task.get("base_iri"))
    except SyntaxError as exc:
        return 400, "text/plain", f"malformed update: {exc}".encode(), {}
    except (OSError, RuntimeError, ValueError) as exc:
        return 400, "text/plain", f"update failed: {exc}".encode(), {}
    return 204, "text/plain", text.encode("utf-8"), {}


def run_task(store: ox.Store | None, task: dict[str, Any], limits: Limits) -> Answer:
    kind = task.get("kind", "query")
    try:
        if kind == "validate":
            return validate_body(task)
        if kind == "check":  # a query for a remote store: checked here, sent by the server
            try:
                check_query(task, limits)
            except Refused as refused:
                return refused.status, "text/plain", refused.message.encode(), {}
            from odlm_kg.store.remote import query_form

            # the query's form (select, ask, construct, describe) tells the server which Accept to send
            return 200, "text/plain", (query_form(task["sparql"]) or "").encode(), {}
        if kind == "update":
            return rehearse_update(store, task, limits)
        assert store is not None, "a query task needs a store"
        return execute(store, task, limits)
    except MemoryError:
        mib = limits.memory_bytes // (1024 * 1024)
        return 503, "text/plain", (f"the {kind} needed more memory than this endpoint allows ({mib} MiB per "
                                   "request) and was stopped").encode(), {}
    except RecursionError:
        return 400, "text/plain", f"the {kind} is too deeply nested for this endpoint".encode(), {}
    except Exception as exc:  # never let one task end the worker
        return 500, "text/plain", f"the {kind} failed: {type(exc).__name__}: {exc}".encode(), {}


# -- confinement of a worker process -------------------------------------------------------------
_CLONE_NEWUSER = 0x10000000
_CLONE_NEWNET = 0x40000000


def leave_network() -> bool:
    """Move this process into a new network namespace with no interface (only loopback, down): no
    connection can be opened from here, by Oxigraph's SERVICE client or anything else. True when done.

    As root (CAP_SYS_ADMIN) a network namespace alone; otherwise inside a new user namespace that maps
    this user to itself, so files stay readable as before. Needs a single-threaded process (a fresh
    worker, before it opens the store). Linux only; elsewhere, and where namespaces are not allowed,
    the parse-tree check is the only gate.
    """
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
    except OSError:
        return False
    if libc.unshare(_CLONE_NEWNET) == 0:
        return True
    uid, gid = os.geteuid(), os.getegid()
    if libc.unshare(_CLONE_NEWUSER | _CLONE_NEWNET) != 0:
        return False
    with contextlib.suppress(OSError):
        Path("/proc/self/setgroups").write_text("deny")
        Path("/proc/self/uid_map").write_text(f"{uid} {uid} 1")
        Path("/proc/self/gid_map").write_text(f"{gid} {gid} 1")
    return True


def _address_space() -> int:
    """This process's virtual size in bytes (VmSize), or 0 when unknown."""
    with contextlib.suppress(OSError, ValueError):
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    return 0


def limit_memory(extra_bytes: int) -> None:
    """Cap this process's address space at its present size plus ``extra_bytes`` (RLIMIT_AS): beyond it
    an allocation fails (Python: MemoryError; Oxigraph: the process aborts and the server says why)."""
    if extra_bytes <= 0 or not hasattr(resource, "RLIMIT_AS"):
        return
    now = _address_space()
    if now:
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_AS, (now + extra_bytes, now + extra_bytes))


def with_large_stack(function: Callable[[], _T]) -> _T:
    """``function()`` in a thread with a :data:`THREAD_STACK_BYTES` stack, its result or its exception."""
    outcome: dict[str, Any] = {}

    def target() -> None:
        try:
            outcome["value"] = function()
        except BaseException as exc:  # handed to the caller
            outcome["error"] = exc

    with _STACK_SIZE_LOCK:
        previous = threading.stack_size(THREAD_STACK_BYTES)
        try:
            thread = threading.Thread(target=target, name="odlm-kg-large-stack", daemon=True)
            thread.start()
        finally:
            threading.stack_size(previous)
    thread.join()
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]  # type: ignore[no-any-return]


_STACK_SIZE_LOCK = threading.Lock()


def open_snapshot(path: str, attempts: int = 8) -> ox.Store:
    """A read-only view of the disk store, retried: while the serving process has the store open, RocksDB
    may delete a file between a reader reading the list of files and opening them ("Corruption: … No
    such file"), which a second attempt does not meet."""
    for attempt in range(attempts):
        try:
            return ox.Store.read_only(path)
        except (OSError, RuntimeError):
            if attempt == attempts - 1:
                raise
            time.sleep(0.05 * 2 ** attempt)
    raise AssertionError("unreachable")


def worker_main(conn: multiprocessing.connection.Connection, path: str | None, generation: int,
                store: ox.Store | None = None, limits: Limits = Limits(), writable: bool = False) -> None:
    """A worker process: confine itself, open its store, then answer tasks until the pipe closes.

    ``writable``: ``path`` is a private copy of the store (an update's rehearsal), opened for writing.
    """
    # Oxigraph aborts when an allocation fails under the memory limit; with RUST_BACKTRACE set, the
    # backtrace it then tries to print needs memory too, and the process hung instead of ending
    os.environ["RUST_BACKTRACE"] = "0"
    os.environ.pop("RUST_LIB_BACKTRACE", None)
    faulthandler.disable()  # an abort at the memory limit is expected here: the server reports it
    isolated = False if limits.service_allow else leave_network()  # before any thread starts
    if store is None and path is not None:
        store = ox.Store(path) if writable else open_snapshot(path)

    def serve() -> None:
        nonlocal store, generation
        limit_memory(limits.memory_bytes)  # after the store is open and the stack is mapped
        conn.send(("ready", isolated))  # the server starts a task's clock only once its worker is up
        while True:
            try:
                task = conn.recv()
            except (EOFError, OSError):
                return
            if path is not None and not writable and task.get("generation", generation) != generation:
                store = open_snapshot(path)
                generation = task["generation"]
            answer = run_task(store, task, limits)
            try:
                conn.send(answer)
            except (BrokenPipeError, OSError):
                return

    with_large_stack(serve)


# -- the pool, in the server process -------------------------------------------------------------
@dataclass(eq=False)
class Worker:
    process: multiprocessing.process.BaseProcess
    conn: multiprocessing.connection.Connection
    generation: int
    stale: bool = False
    ready: bool = False
    isolated: bool = False


@dataclass
class WorkerPool:
    """``size`` worker processes over one Oxigraph store (``path`` on disk, else the in-memory ``store``;
    neither: workers that only check queries and validate, for a remote store)."""

    size: int
    timeout: float
    path: str | None = None
    store: ox.Store | None = None
    limits: Limits = field(default_factory=Limits)
    generation: int = 0
    _idle: asyncio.Queue[Worker] | None = field(default=None, repr=False)
    _all: set[Worker] = field(default_factory=set, repr=False)
    _isolated: bool | None = field(default=None, repr=False)

    def _start_process(self, path: str | None, store: ox.Store | None, *, writable: bool = False) -> Worker:
        parent, child = multiprocessing.Pipe()
        if path is not None:  # a fresh interpreter opens the disk store (a snapshot, or a private copy)
            context = multiprocessing.get_context("spawn")
            args: tuple[Any, ...] = (child, path, self.generation, None, self.limits, writable)
        else:  # a fork inherits the in-memory store
            context = multiprocessing.get_context("fork")
            args = (child, None, self.generation, store, self.limits, writable)
        process = context.Process(target=worker_main, args=args, daemon=True, name="odlm-kg-worker")
        process.start()
        child.close()
        return Worker(process, parent, self.generation)

    def _spawn(self) -> Worker:
        worker = self._start_process(self.path, self.store)
        self._all.add(worker)
        return worker

    def start(self) -> None:
        self._idle = asyncio.Queue()
        for _ in range(self.size):
            self._idle.put_nowait(self._spawn())

    def _kill(self, worker: Worker) -> None:
        self._all.discard(worker)
        with contextlib.suppress(OSError):
            worker.process.kill()
        worker.process.join(5)
        worker.conn.close()

    def _replace(self, worker: Worker) -> None:
        """Kill ``worker`` and put a fresh one in the idle queue in its place."""
        assert self._idle is not None
        self._kill(worker)
        self._idle.put_nowait(self._spawn())

    def _release(self, worker: Worker) -> None:
        assert self._idle is not None
        if worker.stale or not worker.process.is_alive():
            self._replace(worker)
        else:
            self._idle.put_nowait(worker)

    def refresh(self) -> None:
        """After a write: disk workers reopen their snapshot on their next task; memory workers are
        re-forked (idle ones now, busy ones when they finish)."""
        self.generation += 1
        if self.path is not None or self.store is None:
            return
        for worker in list(self._all):
            worker.stale = True
        assert self._idle is not None
        idle: list[Worker] = []
        while not self._idle.empty():
            idle.append(self._idle.get_nowait())
        for worker in idle:
            self._release(worker)

    def _died(self, worker: Worker, kind: str) -> Answer:
        """The answer when a worker ended in the middle of a task (it is not reused)."""
        worker.process.join(2)
        code = worker.process.exitcode
        mib = self.limits.memory_bytes // (1024 * 1024)
        if code == -signal.SIGABRT:  # Oxigraph aborts when an allocation fails under RLIMIT_AS
            message = (f"the {kind} needed more memory than this endpoint allows ({mib} MiB per request) "
                       "and was stopped")
        elif code == -signal.SIGSEGV:
            message = f"the {kind} nested deeper than this endpoint can evaluate and was stopped"
        else:
            message = f"the worker running the {kind} ended unexpectedly (exit code {code})"
        return 503, "text/plain", message.encode(), {}

    async def _run_on(self, worker: Worker, task: dict[str, Any], limit: float) -> tuple[Answer, bool]:
        """Run ``task`` on ``worker`` within ``limit`` seconds; (answer, whether the worker is reusable)."""
        kind = task.get("kind", "query")
        if not worker.ready:
            try:
                message = await asyncio.wait_for(self._receive(worker), STARTUP_SECONDS)
                assert isinstance(message, tuple) and message[0] == "ready"
                worker.ready, worker.isolated = True, bool(message[1])
                self._isolated = worker.isolated if self._isolated is None else self._isolated and worker.isolated
            except (TimeoutError, EOFError, OSError, AssertionError):
                return (503, "text/plain", b"a worker failed to start; try again", {"Retry-After": "5"}), False
        try:
            answer: Answer = await asyncio.wait_for(self._exchange(worker, task), limit)
        except TimeoutError:
            return (503, "text/plain", (f"the {kind} ran longer than this endpoint's {limit:g} s limit and was "
                                        "cancelled").encode(), {}), False
        except (EOFError, OSError):
            return self._died(worker, kind), False
        return answer, True

    async def run(self, task: dict[str, Any], timeout: float | None = None) -> Answer:
        assert self._idle is not None, "the pool is not started"
        limit = self.timeout if timeout is None else timeout
        try:
            worker = await asyncio.wait_for(self._idle.get(), limit)
        except TimeoutError:
            return 503, "text/plain", (f"every worker stayed busy for {limit:g} s; try again later"
                                       ).encode(), {"Retry-After": "5"}
        task = {**task, "generation": self.generation}
        try:
            answer, reusable = await self._run_on(worker, task, limit)
        except BaseException:
            # cancelled (client gone): the worker's state is unknown, replace it
            self._replace(worker)
            raise
        if reusable:
            self._release(worker)
        else:
            self._replace(worker)
        return answer

    async def rehearse(self, task: dict[str, Any], primary: ox.Store | None) -> Answer:
        """Run an update task on a private copy of the store in a process of its own, killed at the
        timeout: a fork of the memory store, or a RocksDB checkpoint of the disk store (``primary``, the
        server's handle: hard links, cheap) opened for writing by a spawned process."""
        copy_dir: str | None = None
        loop = asyncio.get_running_loop()
        if self.path is not None:
            assert primary is not None
            try:  # beside the store: same file system, so the checkpoint is hard links, not copies
                copy_dir = tempfile.mkdtemp(prefix=".odlm-kg-rehearsal-", dir=Path(self.path).resolve().parent)
            except OSError:
                copy_dir = tempfile.mkdtemp(prefix="odlm-kg-rehearsal-")
            shutil.rmtree(copy_dir)  # the checkpoint creates its own directory
            await loop.run_in_executor(None, primary.backup, copy_dir)
        worker = self._start_process(copy_dir, self.store if copy_dir is None else None, writable=True)
        try:
            answer, _ = await self._run_on(worker, {**task, "kind": "update"}, self.timeout)
        finally:
            self._kill(worker)
            if copy_dir is not None:
                await loop.run_in_executor(None, shutil.rmtree, copy_dir, True)
        return answer

    @classmethod
    async def _exchange(cls, worker: Worker, task: dict[str, Any]) -> Answer:
        worker.conn.send(task)
        answer: Answer = await cls._receive(worker)
        return answer

    @staticmethod
    async def _receive(worker: Worker) -> Any:
        """The worker's next message, awaited without blocking the event loop."""
        loop = asyncio.get_running_loop()
        ready: asyncio.Future[None] = loop.create_future()
        fd = worker.conn.fileno()

        def on_readable() -> None:
            if not ready.done():
                ready.set_result(None)

        loop.add_reader(fd, on_readable)
        try:
            await ready
        finally:
            loop.remove_reader(fd)
        # uvloop leaves a watched descriptor non-blocking; recv must block until the whole answer is in
        os.set_blocking(fd, True)
        return worker.conn.recv()

    def alive(self) -> int:
        return sum(1 for worker in self._all if worker.process.is_alive())

    def network_isolated(self) -> bool | None:
        """Whether the workers that started could leave the network (None: none has started yet)."""
        return self._isolated

    def close(self) -> None:
        for worker in list(self._all):
            self._kill(worker)


def default_pool_size() -> int:
    """Four workers at least: on two cores, four workers answered 8 concurrent clients 14 % faster
    than two (each worker process has its own block cache, so overlapping queries help each other
    less than threads in one process would), and a runaway query holds one worker of four."""
    return max(4, os.cpu_count() or 4)
