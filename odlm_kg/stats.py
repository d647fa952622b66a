"""``odlm-kg stats``: triples per named graph and concepts per SKOS scheme."""

from __future__ import annotations

from dataclasses import dataclass

from rdflib import URIRef

from odlm_kg.store.base import SelectResult, Store

CONCEPTS_PER_SCHEME = """
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?scheme (SAMPLE(?label) AS ?title) (COUNT(DISTINCT ?concept) AS ?concepts) WHERE {
  ?scheme a skos:ConceptScheme .
  OPTIONAL { ?scheme skos:prefLabel|<http://purl.org/dc/terms/title> ?label }
  OPTIONAL { ?concept skos:inScheme ?scheme }
} GROUP BY ?scheme ORDER BY ?scheme
"""


@dataclass
class StoreStats:
    triples_per_graph: dict[URIRef, int]
    default_graph_triples: int
    concepts_per_scheme: list[tuple[URIRef, str, int]]

    @property
    def total(self) -> int:
        return self.default_graph_triples + sum(self.triples_per_graph.values())


def compute_stats(store: Store) -> StoreStats:
    per_graph = {iri: store.count(iri) for iri in store.named_graphs()}
    default = store.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", default_graph=[])
    assert isinstance(default, SelectResult)
    schemes = store.query(CONCEPTS_PER_SCHEME)
    assert isinstance(schemes, SelectResult)
    rows = [(URIRef(str(r["scheme"])), str(r.get("title", "")), int(r["concepts"]))  # type: ignore[call-overload]
            for r in schemes]
    return StoreStats(per_graph, int(default.rows[0]["n"]), rows)  # type: ignore[call-overload]
