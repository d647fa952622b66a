"""Validate RDF against the project's layered SHACL shapes (DESIGN §5).

``validate(graph, layers)`` is what the loaders, the endpoint's ``/validate`` and ``odlm-kg validate``
call. The ontology and vocabularies are the ontology graph of every check, so ``sh:class`` finds
subclasses and vocabulary concepts.

>>> from rdflib import Graph
>>> report = validate(Graph(), ["core"])
>>> report.conforms
True
"""

from __future__ import annotations

from collections.abc import Sequence

from rdflib import Dataset, Graph
from rdflib.graph import ConjunctiveGraph

from odlm_kg.errors import UsageError
from odlm_kg.validate.report import ValidationReport, ValidationResult
from odlm_kg.validate.shapes import (
    DEFAULT_PROFILE,
    STANDARD_LAYERS,
    available_layers,
    cached_shapes_graph,
    ontology_graph,
    parse_profile,
    shape_labels,
    shapes_graph,
)

ENGINES = ("auto", "pyshacl", "sparql")
INFERENCE = ("none", "rdfs", "owlrl")

__all__ = [
    "DEFAULT_PROFILE",
    "ENGINES",
    "INFERENCE",
    "STANDARD_LAYERS",
    "ValidationReport",
    "ValidationResult",
    "available_layers",
    "parse_profile",
    "shapes_graph",
    "validate",
]


def as_triples_graph(data: Graph) -> Graph:
    """A Dataset or quad graph is validated as the union of its graphs."""
    if isinstance(data, (Dataset, ConjunctiveGraph)):
        union = Graph()
        for s, p, o, _g in data.quads((None, None, None, None)):
            union.add((s, p, o))
        return union
    return data


def validate(data: Graph, layers: Sequence[str] = ("core",), *, engine: str = "auto",
             ontology: Graph | None = None, inference: str = "none",
             max_results: int | None = None, shapes: Graph | None = None) -> ValidationReport:
    """Validate ``data`` against the shape ``layers`` and return a :class:`ValidationReport`.

    ``ontology`` defaults to the shipped ontology with its vocabularies; pass an empty ``Graph()`` to
    validate the data on its own. ``shapes`` replaces the layers by a shapes graph of your own.
    ``engine``: ``pyshacl`` (reference), ``sparql`` (the Oxigraph fast path; shapes it cannot
    compile still go through pySHACL), or ``auto`` (the fast path).
    """
    if isinstance(layers, str):
        layers = parse_profile([layers])
    if engine not in ENGINES:
        raise UsageError(f"engine {engine!r}: expected one of {', '.join(ENGINES)}")
    if inference not in INFERENCE:
        raise UsageError(f"inference {inference!r}: expected one of {', '.join(INFERENCE)}")
    shapes = shapes if shapes is not None else cached_shapes_graph(layers)
    ontology = ontology if ontology is not None else ontology_graph()
    data = as_triples_graph(data)
    from odlm_kg.validate.pyshacl_engine import run_pyshacl

    results = run_pyshacl(data, shapes, ontology, inference)
    return ValidationReport.from_results(results, max_results=max_results, shape_labels=shape_labels(shapes),
                                         layers=tuple(layers), engine="pyshacl")
