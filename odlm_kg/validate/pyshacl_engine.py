"""The reference engine: pySHACL on an in-memory rdflib graph, its report read back into results."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF
from rdflib.term import Node

from odlm_kg.errors import InputError
from odlm_kg.namespaces import SH
from odlm_kg.validate.report import ValidationResult, path_from_rdf


@contextmanager
def shapes_errors() -> Iterator[None]:
    """A shapes graph pySHACL cannot load (``sh:minCount "x"``, a SPARQL constraint that does not
    parse, …) is an :class:`InputError` naming what is wrong, not a stack trace."""
    from pyparsing import ParseBaseException
    from pyshacl.errors import ReportableRuntimeError

    try:
        yield
    except ReportableRuntimeError as exc:  # ShapeLoadError, ConstraintLoadError, a malformed shape…
        raise InputError(f"the shapes are not valid SHACL: {exc.message.splitlines()[0]}") from exc
    except ParseBaseException as exc:
        raise InputError(f"the shapes are not valid SHACL: a SPARQL query does not parse: {exc}") from exc


def run_pyshacl(data: Graph, shapes: Graph, ontology: Graph | None, inference: str,
                focus_nodes: list[Node] | None = None, use_shapes: list[Node] | None = None) -> list[ValidationResult]:
    """Validate with pySHACL and return its results (warnings and infos included).

    The ontology is merged into a copy of the data as a plain union. pySHACL's own ``ont_graph``
    option is not used: it copies only some axioms (and deep-copies named individuals, which never
    ends on SKOS vocabularies whose concepts point at each other), so the two engines would see
    different graphs.
    """
    import pyshacl

    own_copy = False
    if ontology is not None and len(ontology):
        union = Graph()
        for graph in (data, ontology):
            for triple in graph:
                union.add(triple)
        data, own_copy = union, True
    with shapes_errors():
        _conforms, results_graph, _text = pyshacl.validate(
            data,
            shacl_graph=shapes,
            inplace=own_copy,  # inference may then write into our copy instead of cloning it again
            inference=inference if inference != "none" else None,
            advanced=False,
            allow_warnings=True,
            allow_infos=True,
            focus_nodes=focus_nodes,
            use_shapes=use_shapes,
        )
    return results_from_report_graph(results_graph)  # type: ignore[arg-type]


def _message(graph: Graph, node: Node) -> str | None:
    messages = list(graph.objects(node, SH.resultMessage))
    if not messages:
        return None

    def preference(message: Node) -> tuple[int, str]:
        language = message.language if isinstance(message, Literal) else None
        return (0 if language in (None, "en") else 1, str(message))

    return str(sorted(messages, key=preference)[0])


def results_from_report_graph(graph: Graph) -> list[ValidationResult]:
    """Read every ``sh:ValidationResult`` of a W3C validation report graph."""
    results = []
    reports = list(graph.subjects(RDF.type, SH.ValidationReport))
    # only the report's own results: nested ones (under sh:detail) are not top-level results
    nodes = [n for report in reports for n in graph.objects(report, SH.result)] if reports else \
        list(graph.subjects(RDF.type, SH.ValidationResult))
    for node in nodes:
        path_node = graph.value(node, SH.resultPath)
        severity = graph.value(node, SH.resultSeverity)
        results.append(ValidationResult(
            focus_node=graph.value(node, SH.focusNode),  # type: ignore[arg-type]
            result_path=path_from_rdf(graph, path_node) if path_node is not None else None,
            value=graph.value(node, SH.value),
            message=_message(graph, node),
            severity=severity if isinstance(severity, URIRef) else SH.Violation,
            source_shape=graph.value(node, SH.sourceShape),  # type: ignore[arg-type]
            constraint_component=graph.value(node, SH.sourceConstraintComponent),  # type: ignore[arg-type]
            source_constraint=graph.value(node, SH.sourceConstraint),
        ))
    return results
