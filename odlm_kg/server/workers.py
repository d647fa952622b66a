"""Queries run in worker processes that the server can kill: the timeout really stops the work.

Each worker holds its own handle on the store: a read-only snapshot of an on-disk Oxigraph store
(``pyoxigraph.Store.read_only``), reopened after the server writes, or, for an in-memory store, the
copy it inherited when it was forked. The server sends a task (query, dataset, the media types it may
answer with, the row cap) over a pipe and gets back serialised bytes. When a query outlives the
timeout the server kills the process (its core is free at once) and starts a fresh one, while the
other workers keep answering.
"""

from __future__ import annotations

import asyncio
import contextlib
import csv
import io
import json
import multiprocessing
import multiprocessing.connection
import os
import time
from dataclasses import dataclass, field
from itertools import islice
from typing import Any
from xml.sax.saxutils import escape, quoteattr

import pyoxigraph as ox

from odlm_kg.sparql_text import has_from_clause

#: Seconds a new worker may take to start (import, open the store) before it counts as failed.
STARTUP_SECONDS = 120.0
#: (status, media type, body, headers) — the answer of one task.
Answer = tuple[int, str, bytes, dict[str, str]]

GRAPH_SERIALISERS: dict[str, ox.RdfFormat] = {
    "turtle": ox.RdfFormat.TURTLE,
    "nt": ox.RdfFormat.N_TRIPLES,
    "jsonld": ox.RdfFormat.JSON_LD,
    "rdfxml": ox.RdfFormat.RDF_XML,
    "nquads": ox.RdfFormat.N_QUADS,
    "trig": ox.RdfFormat.TRIG,
}
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


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


def execute(store: ox.Store, task: dict[str, Any]) -> Answer:
    """Run one query task against a pyoxigraph store and serialise its result."""
    kwargs: dict[str, Any] = {"base_iri": task.get("base_iri")}
    default_graph, named_graphs = task.get("default_graph"), task.get("named_graphs")
    if default_graph is None and named_graphs is None:
        if not has_from_clause(task["sparql"]):  # a query's own FROM beats the union default graph
            kwargs["use_default_graph_as_union"] = True
    else:
        kwargs["default_graph"] = [ox.NamedNode(g) for g in default_graph] if default_graph else ox.DefaultGraph()
        kwargs["named_graphs"] = [ox.NamedNode(g) for g in named_graphs or []]
    try:
        result = store.query(task["sparql"], **kwargs)
    except SyntaxError as exc:
        return 400, "text/plain", f"malformed query: {exc}".encode(), {}
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
            return 200, media, serialise_solutions(variables, rows, fmt, note), headers
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
                                format=GRAPH_SERIALISERS[fmt])
        else:
            body = ox.serialize(triples, format=GRAPH_SERIALISERS[fmt])
        return 200, media, body or b"", headers
    except (OSError, RuntimeError, ValueError) as exc:  # evaluation errors (SERVICE failures, …)
        return 500, "text/plain", f"query evaluation failed: {exc}".encode(), {}


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
                store: ox.Store | None = None) -> None:
    """Loop of a worker process: receive a task, answer it; reopen the snapshot when it is stale."""
    if store is None:
        assert path is not None
        store = open_snapshot(path)
    conn.send("ready")  # the server starts a query's clock only once its worker is up
    while True:
        try:
            task = conn.recv()
        except (EOFError, OSError):
            return
        if path is not None and task.get("generation", generation) != generation:
            store = open_snapshot(path)
            generation = task["generation"]
        try:
            answer = execute(store, task)
        except Exception as exc:  # never let one query end the worker
            answer = (500, "text/plain", f"query failed: {type(exc).__name__}: {exc}".encode(), {})
        try:
            conn.send(answer)
        except (BrokenPipeError, OSError):
            return


# -- the pool, in the server process -------------------------------------------------------------
@dataclass(eq=False)
class Worker:
    process: multiprocessing.process.BaseProcess
    conn: multiprocessing.connection.Connection
    generation: int
    stale: bool = False
    ready: bool = False


@dataclass
class WorkerPool:
    """``size`` worker processes over one Oxigraph store (``path`` on disk, else the in-memory ``store``)."""

    size: int
    timeout: float
    path: str | None = None
    store: ox.Store | None = None
    generation: int = 0
    _idle: asyncio.Queue[Worker] | None = field(default=None, repr=False)
    _all: set[Worker] = field(default_factory=set, repr=False)

    def _spawn(self) -> Worker:
        parent, child = multiprocessing.Pipe()
        if self.path is not None:  # a fresh interpreter opens a read-only snapshot of the disk store
            context, args = multiprocessing.get_context("spawn"), (child, self.path, self.generation)
        else:  # a fork inherits the in-memory store
            context, args = multiprocessing.get_context("fork"), (child, None, self.generation, self.store)
        process = context.Process(target=worker_main, args=args, daemon=True, name="odlm-kg-query")
        process.start()
        child.close()
        worker = Worker(process, parent, self.generation)
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
        if self.path is not None:
            return
        for worker in list(self._all):
            worker.stale = True
        assert self._idle is not None
        idle: list[Worker] = []
        while not self._idle.empty():
            idle.append(self._idle.get_nowait())
        for worker in idle:
            self._release(worker)

    async def run(self, task: dict[str, Any], timeout: float | None = None) -> Answer:
        assert self._idle is not None, "the pool is not started"
        limit = self.timeout if timeout is None else timeout
        try:
            worker = await asyncio.wait_for(self._idle.get(), limit)
        except TimeoutError:
            return 503, "text/plain", (f"every query worker stayed busy for {limit:g} s; try again later"
                                       ).encode(), {"Retry-After": "5"}
        task = {**task, "generation": self.generation}
        if not worker.ready:
            try:
                assert await asyncio.wait_for(self._receive(worker), STARTUP_SECONDS) == "ready"
                worker.ready = True
            except (TimeoutError, EOFError, OSError, AssertionError):
                self._replace(worker)
                return 503, "text/plain", b"a query worker failed to start; try again", {"Retry-After": "5"}
        try:
            answer = await asyncio.wait_for(self._exchange(worker, task), limit)
        except TimeoutError:
            self._replace(worker)
            return 503, "text/plain", (f"the query ran longer than this endpoint's {limit:g} s limit and was "
                                       "cancelled").encode(), {}
        except (EOFError, OSError):
            self._replace(worker)
            return 500, "text/plain", b"the query worker ended unexpectedly (out of memory?)", {}
        except BaseException:
            # cancelled (client gone): the worker's state is unknown, replace it
            self._replace(worker)
            raise
        self._release(worker)
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

    def close(self) -> None:
        for worker in list(self._all):
            self._kill(worker)


def default_pool_size() -> int:
    """Four workers at least: on two cores, four workers answered 8 concurrent clients 14 % faster
    than two (each worker process has its own block cache, so overlapping queries help each other
    less than threads in one process would), and a runaway query holds one worker of four."""
    return max(4, os.cpu_count() or 4)
