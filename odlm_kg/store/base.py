"""The store interface every backend implements (embedded Oxigraph, in-memory Oxigraph, remote SPARQL).

Loaders, named queries, validation and the endpoint talk to a :class:`Store` only, so they work
unchanged over each backend. Query results come back as rdflib terms, the package's term API.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Graph, URIRef
from rdflib.term import Node


@dataclass
class SelectResult:
    """Rows of a SELECT query; an unbound variable is absent from its row's dict."""

    variables: list[str]
    rows: list[dict[str, Node]] = field(default_factory=list)

    def __iter__(self) -> Iterator[dict[str, Node]]:
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)


QueryResult = SelectResult | bool | Graph

# RDF syntaxes the stores accept, by the short names used across the CLI and API.
RDF_FORMATS = ("turtle", "nt", "nquads", "trig", "xml", "json-ld", "n3")


class Store(ABC):
    """A quad store holding the default graph and one named graph per source."""

    #: "memory", "oxigraph" or "remote"; shown by ``odlm-kg stats``.
    kind: str = "abstract"

    @abstractmethod
    def query(
        self,
        sparql: str,
        *,
        default_graph: list[str] | None = None,
        named_graphs: list[str] | None = None,
    ) -> QueryResult:
        """Run a SPARQL query. Without ``default_graph`` the default graph is the union of all graphs."""

    @abstractmethod
    def update(self, sparql: str) -> None:
        """Run a SPARQL Update atomically."""

    @abstractmethod
    def load_text(self, data: str | bytes, fmt: str, graph: str | URIRef | None = None) -> None:
        """Parse RDF text and add it in one transaction (into ``graph`` when the syntax holds triples).

        Raises :class:`odlm_kg.errors.InputError` on a syntax error; nothing is written then.
        """

    def append_text(self, data: str | bytes, fmt: str, graph: str | URIRef | None = None) -> None:
        """Add RDF text all or nothing, by the fastest write the backend has (the loaders' write).

        Unlike :meth:`load_text` it need not be isolated from concurrent readers; the default is
        :meth:`load_text`.
        """
        self.load_text(data, fmt, graph)

    #: Whether an update may compare with an inline ``VALUES (?s ?p ?o)`` table inside ``MINUS`` (the
    #: loaders replace re-loaded artifacts that way, inside the store); a store that cannot gets the
    #: old triples read back and the difference deleted (:mod:`odlm_kg.sources.pipeline`).
    values_in_minus: bool = True

    #: How much RDF text a loader gathers into one :meth:`append_file` (each write has a fixed cost).
    bulk_write_bytes: int = 64 * 2**20

    def append_file(self, path: Path, fmt: str, graph: str | URIRef | None = None, *,
                    iris_checked: bool = False) -> None:
        """:meth:`append_text` of a file's content: all or nothing, the loaders' write of spooled batches.
        The default reads the file into memory; a backend that can stream it should.

        ``iris_checked``: the writer has already checked every IRI in the file (the loaders do, record
        by record), so a backend may skip its own IRI checks."""
        self.append_text(Path(path).read_bytes(), fmt, graph)

    def load_file(self, path: Path, fmt: str | None = None, graph: str | URIRef | None = None) -> None:
        """Add an RDF file in one transaction; the syntax comes from the extension unless given."""
        from odlm_kg.rdf_formats import guess_format

        self.load_text(Path(path).read_bytes(), fmt or guess_format(path), graph)

    def add_graph(self, graph: Graph, graph_iri: str | URIRef) -> None:
        """Add an rdflib graph's triples to a named graph, in one transaction."""
        self.load_text(graph.serialize(format="nt", encoding="utf-8"), "nt", graph_iri)

    def add_nquads(self, nquads: str | bytes) -> None:
        """Add N-Quads text in one transaction (the fast path of the loaders)."""
        self.load_text(nquads, "nquads")

    @abstractmethod
    def named_graphs(self) -> list[URIRef]:
        """IRIs of the named graphs that hold at least one triple."""

    def count(self, graph: str | URIRef | None = None) -> int:
        """Number of quads in one named graph, or in the whole store when ``graph`` is None."""
        if graph is None:
            sparql = "SELECT (COUNT(*) AS ?n) WHERE { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } }"
            result = self.query(sparql, default_graph=[])
        else:
            result = self.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")
        assert isinstance(result, SelectResult)
        return int(result.rows[0]["n"])  # type: ignore[call-overload]

    def is_empty(self) -> bool:
        result = self.query("ASK { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } }", default_graph=[])
        return not result

    def clear_graph(self, graph: str | URIRef) -> None:
        self.update(f"CLEAR SILENT GRAPH <{graph}>")

    def export_graph(self, graph: str | URIRef | None, fmt: str = "turtle") -> Graph:
        """Copy of one named graph (or the union of all when None) as an rdflib graph."""
        where = "{ ?s ?p ?o }" if graph is None else f"{{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
        result = self.query(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {where}")
        assert isinstance(result, Graph)
        return result

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release files or connections; the store may not be used afterwards."""

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
