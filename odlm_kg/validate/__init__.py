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

from rdflib import Dataset, Graph, Literal
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
from odlm_kg.validate.sparql_engine import FastValidator, store_from_graphs

ENGINES = ("auto", "pyshacl", "sparql", "memory")
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


def expand(data: Graph, ontology: Graph | None, inference: str) -> Graph:
    """Data and ontology in one new graph, closed under RDFS or OWL 2 RL as pySHACL does it."""
    import owlrl
    from pyshacl.inference import CustomRDFSSemantics

    mixed = Graph()
    for graph in (data, ontology):
        if graph is not None:
            for triple in graph:
                mixed.add(triple)
    semantics = CustomRDFSSemantics if inference == "rdfs" else owlrl.OWLRL_Semantics
    owlrl.DeductiveClosure(semantics).expand(mixed)
    return mixed


def fast_validator(shapes: Graph, layers: tuple[str, ...] | None) -> FastValidator:
    """The compiled form of a shapes graph; compiled once per layer selection."""
    key = ("layers", layers) if layers is not None else ("graph", id(shapes))
    found = _FAST_CACHE.get(key)
    if found is None or found.shapes is not shapes:
        found = FastValidator(shapes)
        if len(_FAST_CACHE) > 16:
            _FAST_CACHE.clear()
        _FAST_CACHE[key] = found
    return found


_FAST_CACHE: dict[tuple[str, object], FastValidator] = {}


def validate(data: Graph, layers: Sequence[str] = ("core",), *, engine: str = "auto",
             ontology: Graph | None = None, inference: str = "none",
             max_results: int | None = None, shapes: Graph | None = None) -> ValidationReport:
    """Validate ``data`` against the shape ``layers`` and return a :class:`ValidationReport`.

    ``ontology`` defaults to the shipped ontology with its vocabularies; pass an empty ``Graph()`` to
    validate the data on its own. ``shapes`` replaces the layers by a shapes graph of your own.
    ``engine``: ``pyshacl`` (the reference), ``sparql`` or ``auto`` (the same: the Oxigraph fast path,
    which hands the shapes it cannot compile to pySHACL; see ``docs/validation.md``), or ``memory``
    (the same compiled shapes answered from Python dictionaries, what the loaders use for batches).
    ``inference`` (``none``, ``rdfs``, ``owlrl``) closes data plus ontology before validating.
    """
    if isinstance(layers, str):
        layers = parse_profile([layers])
    if engine not in ENGINES:
        raise UsageError(f"engine {engine!r}: expected one of {', '.join(ENGINES)}")
    if inference not in INFERENCE:
        raise UsageError(f"inference {inference!r}: expected one of {', '.join(INFERENCE)}")
    own_shapes = shapes is not None
    shapes = shapes if shapes is not None else cached_shapes_graph(layers)
    ontology = ontology if ontology is not None else ontology_graph()
    data = as_triples_graph(data)
    if engine == "pyshacl":
        from odlm_kg.validate.pyshacl_engine import run_pyshacl

        results = run_pyshacl(data, shapes, ontology, inference)
    else:
        validator = fast_validator(shapes, None if own_shapes else tuple(layers))
        if inference != "none":
            data, ontology = expand(data, ontology, inference), None
        if inference != "none" and any(isinstance(s, Literal) for s in data.subjects(unique=True)):
            # inference typed literals (generalised RDF), which Oxigraph cannot hold: pySHACL decides
            from odlm_kg.validate.pyshacl_engine import run_pyshacl

            results = run_pyshacl(data, shapes, None, "none")
        elif engine == "memory":
            from odlm_kg.validate.memory_engine import (
                graph_index,
                memory_validator,
                ontology_index,
                term_of_key,
            )

            index, terms = graph_index(data, base=ontology_index(ontology) if ontology is not None else None)
            results = memory_validator(validator).run(
                index, lambda key: terms[key] if key in terms else term_of_key(key),  # a Literal can be falsy
                lambda: store_from_graphs(data, ontology), data=data, ontology=ontology)
        else:
            store, literals = store_from_graphs(data, ontology)
            results = validator.run(store, data=data, ontology=ontology, inference="none", literals=literals)
    return ValidationReport.from_results(results, max_results=max_results, shape_labels=shape_labels(shapes),
                                         layers=tuple(layers) if not own_shapes else ("(own shapes)",),
                                         engine=engine if engine in ("pyshacl", "memory") else "sparql")
