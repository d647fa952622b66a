"""Embedded Oxigraph: on disk in a data directory, or in memory.

>>> store = OxigraphStore()                      # in memory
>>> store.load_text('<urn:a> <urn:p> "x" .', "nt", "https://w3id.org/odlm/graph/demo")
>>> store.count("https://w3id.org/odlm/graph/demo")
1
>>> [str(row["o"]) for row in store.query("SELECT ?o WHERE { ?s ?p ?o }")]
['x']
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Node

from odlm_kg.errors import InputError, StoreError
from odlm_kg.sparql_text import has_from_clause
from odlm_kg.store.base import QueryResult, SelectResult, Store

OX_FORMATS: dict[str, ox.RdfFormat] = {
    "turtle": ox.RdfFormat.TURTLE,
    "nt": ox.RdfFormat.N_TRIPLES,
    "nquads": ox.RdfFormat.N_QUADS,
    "trig": ox.RdfFormat.TRIG,
    "xml": ox.RdfFormat.RDF_XML,
    "json-ld": ox.RdfFormat.JSON_LD,
    "n3": ox.RdfFormat.N3,
}

_XSD_STRING = str(XSD.string)


def to_rdflib(term: object) -> Node:
    """Convert a pyoxigraph term to the equal rdflib term (plain literals stay plain)."""
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        datatype = term.datatype.value
        return Literal(term.value) if datatype == _XSD_STRING else Literal(term.value, datatype=URIRef(datatype))
    raise TypeError(f"unsupported term {term!r}")


def to_oxigraph(term: Node) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    """Convert an rdflib term to pyoxigraph."""
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype is not None:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise TypeError(f"unsupported term {term!r}")


def _graph_node(graph: str | URIRef | None) -> ox.NamedNode | ox.DefaultGraph:
    return ox.DefaultGraph() if graph is None else ox.NamedNode(str(graph))


#: How much lower than its own the CPU priority of RocksDB's compaction threads is set for bulk writes.
COMPACTION_NICENESS = 10

#: Threads already lowered (by thread id), so that each write looks at new threads only.
_LOWERED_THREADS: set[int] = set()


def defer_compaction() -> int:
    """Lower the CPU priority of RocksDB's compaction threads in this process (Linux; elsewhere a no-op);
    returns how many threads it changed.

    Why: RocksDB compacts level-0 files as soon as two are there, and every bulk write adds one per
    index, each overlapping all the data (keys are term hashes). Compacting at once after each write
    rewrites the data again and again while the loader's own work waits for the CPU. At a lower
    priority compaction runs when a core has room and merges more files at a time: loading 10^5 Hub
    records, the loading process's CPU fell from 42.0 to about 34 s and the same ``run_load`` call
    from 38.4 to 34.2 s, with the same number of SST files and query times afterwards
    (docs/performance.md). RocksDB's advice for bulk loads is to turn automatic compaction off and
    compact afterwards; pyoxigraph does not expose that option, and this is its gentle form:
    compaction is deferred, never stopped. The threads (RocksDB's process-wide pool, named
    ``rocksdb:low``) stay lowered: raising a priority back needs privileges a user seldom has.
    """
    tasks = Path("/proc/self/task")
    if not hasattr(os, "setpriority") or not tasks.is_dir():
        return 0
    changed = 0
    for task in tasks.iterdir():
        try:
            thread = int(task.name)
            if thread in _LOWERED_THREADS or not (task / "comm").read_text().startswith("rocksdb:low"):
                continue
            niceness = min(19, os.getpriority(os.PRIO_PROCESS, thread) + COMPACTION_NICENESS)
            os.setpriority(os.PRIO_PROCESS, thread, niceness)  # on Linux, per thread
        except (OSError, ValueError):  # the thread ended meanwhile, or the system refuses
            continue
        _LOWERED_THREADS.add(thread)
        changed += 1
    return changed


class StoreLocked(StoreError):
    """Another process holds the on-disk store's write lock (RocksDB allows one writer)."""


def is_lock_error(exc: OSError) -> bool:
    """RocksDB's refusal of a second writer: "While lock file: DIR/LOCK: Resource temporarily unavailable"
    (another process) or "lock hold by current process" (this one)."""
    return "lock" in str(exc).lower()


def open_read_only(path: Path, attempts: int = 8) -> ox.Store:
    """A read-only view of an on-disk store: a snapshot of it as it is now, taken without its lock, so it
    works while another process (``odlm-kg serve``, a load) holds the store open and writes.

    Retried: while the writing process has the store open, RocksDB may delete an obsolete file between
    a reader listing the files and opening them ("Corruption: … No such file"), which a second
    attempt does not meet (the server's query workers do the same, server/workers.py)."""
    for attempt in range(attempts):
        try:
            return ox.Store.read_only(str(path))
        except (OSError, RuntimeError) as exc:
            missing_store = isinstance(exc, FileNotFoundError) and not (Path(path) / "CURRENT").exists()
            if missing_store or attempt == attempts - 1:
                raise OSError(str(exc)) from exc
            time.sleep(0.05 * 2 ** attempt)
    raise AssertionError("unreachable")


class OxigraphStore(Store):
    """Oxigraph through pyoxigraph; ``path=None`` keeps everything in memory."""

    def __init__(self, path: Path | str | None = None, *, read_only: bool = False) -> None:
        self.path = Path(path) if path is not None else None
        self.kind = "memory" if path is None else "oxigraph"
        self.read_only = read_only and self.path is not None
        try:
            if self.path is None:
                self.native = ox.Store()
            elif read_only:
                self.native = open_read_only(self.path)
            else:
                self.path.mkdir(parents=True, exist_ok=True)
                self.native = ox.Store(str(self.path))
        except OSError as exc:
            if is_lock_error(exc):
                raise StoreLocked(f"the store at {self.path} is open for writing in another process "
                                  "(only one writer at a time)") from exc
            raise StoreError(f"cannot open the Oxigraph store at {self.path}: {exc}") from exc

    # -- queries ---------------------------------------------------------------------------
    def native_query(
        self,
        sparql: str,
        *,
        default_graph: list[str] | None = None,
        named_graphs: list[str] | None = None,
    ) -> ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples:
        """Run a query and return pyoxigraph's own result (for fast serialisation by the endpoint)."""
        kwargs: dict[str, object] = {}
        if default_graph is None:
            # The union of all graphs is the default graph, unless the query names its own dataset.
            if not has_from_clause(sparql):
                kwargs["use_default_graph_as_union"] = True
        else:
            kwargs["default_graph"] = [ox.NamedNode(g) for g in default_graph] or ox.DefaultGraph()
        if named_graphs is not None:
            kwargs["named_graphs"] = [ox.NamedNode(g) for g in named_graphs]
        return self.native.query(sparql, **kwargs)  # type: ignore[arg-type]

    def query(
        self,
        sparql: str,
        *,
        default_graph: list[str] | None = None,
        named_graphs: list[str] | None = None,
    ) -> QueryResult:
        result = self.native_query(sparql, default_graph=default_graph, named_graphs=named_graphs)
        if isinstance(result, ox.QueryBoolean):
            return bool(result)
        if isinstance(result, ox.QuerySolutions):
            variables = [v.value for v in result.variables]
            rows = []
            for solution in result:
                row = {}
                for name in variables:
                    value = solution[name]
                    if value is not None:
                        row[name] = to_rdflib(value)
                rows.append(row)
            return SelectResult(variables, rows)
        graph = Graph()
        for triple in result:
            graph.add((to_rdflib(triple.subject), to_rdflib(triple.predicate), to_rdflib(triple.object)))
        return graph

    def update(self, sparql: str) -> None:
        self._check_writable()
        self.native.update(sparql)

    def _check_writable(self) -> None:
        if self.read_only:
            raise StoreError(f"the store at {self.path} was opened read-only (for a reading command); "
                             "a write needs it opened for writing")

    # -- writes ----------------------------------------------------------------------------
    def load_text(self, data: str | bytes, fmt: str, graph: str | URIRef | None = None) -> None:
        # Store.load is one transaction: all of it is written or none.
        self._check_writable()
        self._write(self.native.load, data, fmt, graph)

    def append_text(self, data: str | bytes, fmt: str, graph: str | URIRef | None = None) -> None:
        """Add RDF text with Oxigraph's bulk loader: it writes new index files and commits them at the
        end of the call, so a failed call writes nothing (``test_store_append_is_all_or_nothing``
        guards this), at two to three times the speed of a transaction on disk and without the
        transaction's memory, which grows with the store."""
        self._check_writable()
        self._write(self.native.bulk_load, data, fmt, graph)

    #: Oxigraph's bulk loader sorts a whole write's quads in memory before it writes index files, so
    #: the size of a write sets the loading process's peak memory. Measured with the crawl loader
    #: (benchmarks/load.py, fourth session): 32 MB writes keep its peak at 308 MB for 10^5 records and
    #: 349 MB for 10^6 (64 MB: 524 and 569 MB; 128 MB: 895 MB at 10^5). They cost the bulk loader more
    #: CPU per triple (more level-0 files to compact: see defer_compaction) but no time where the
    #: workers set the pace (10^5: 39.8 s against 39.1 s with 64 MB), and 10^6 took 441 s with them
    #: against 523 s with 64 MB writes and slower workers.
    bulk_write_bytes = 32 * 2**20

    def append_file(self, path: Path, fmt: str, graph: str | URIRef | None = None, *,
                    iris_checked: bool = False) -> None:
        """:meth:`append_text` streaming the file through Oxigraph's bulk loader (all or nothing).
        With ``iris_checked`` the loader runs ``lenient``: it skips its IRI parser, a tenth of its CPU
        on crawl data (language tags and the N-Triples syntax are still checked)."""
        def bulk_load_file(source: str, ox_format: ox.RdfFormat, **options: object) -> None:
            self.native.bulk_load(path=source, format=ox_format, **options)  # type: ignore[arg-type]

        self._check_writable()
        if self.path is not None:
            defer_compaction()  # the loaders' writes: let the loading work go before compaction

        self._write(bulk_load_file, str(path), fmt, graph, lenient=iris_checked)

    @staticmethod
    def _write(method: Callable[..., None], data: str | bytes, fmt: str, graph: str | URIRef | None,
               **options: object) -> None:
        try:
            ox_format = OX_FORMATS[fmt]
        except KeyError as exc:
            raise InputError(f"unknown RDF syntax {fmt!r}") from exc
        to_graph = None if fmt in ("nquads", "trig") else _graph_node(graph)
        try:
            method(data, ox_format, to_graph=to_graph, **options)
        except SyntaxError as exc:
            raise InputError(f"invalid {fmt}: {exc}") from exc

    def named_graphs(self) -> list[URIRef]:
        return sorted(URIRef(g.value) for g in self.native.named_graphs() if isinstance(g, ox.NamedNode)
                      if next(iter(self.native.quads_for_pattern(None, None, None, g)), None) is not None)

    def count(self, graph: str | URIRef | None = None) -> int:
        # The whole store: Oxigraph knows its size; one graph: the base class's SPARQL COUNT, counted
        # inside Oxigraph (2.5x faster than iterating the quads here).
        return len(self.native) if graph is None else super().count(graph)

    def is_empty(self) -> bool:
        return next(iter(self.native), None) is None

    def clear_graph(self, graph: str | URIRef) -> None:
        self._check_writable()
        node = ox.NamedNode(str(graph))
        if node in self.native.named_graphs():
            self.native.remove_graph(node)

    def flush(self) -> None:
        if self.path is not None and not self.read_only:
            self.native.flush()

    def close(self) -> None:
        self.flush()
        del self.native
