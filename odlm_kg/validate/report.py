"""Validation results and reports: the engine-neutral form both engines return.

A :class:`ValidationReport` renders as text a person can act on (grouped by shape, then focus node),
as JSON (``to_json()``, plain dicts and lists) and as the Turtle of a W3C ``sh:ValidationReport``.

>>> from rdflib import URIRef, Literal
>>> from odlm_kg.namespaces import SH
>>> result = ValidationResult(focus_node=URIRef("https://example.org/m1"),
...     result_path=URIRef("https://w3id.org/odlm#licence"), value=None,
...     message="needs a licence", severity=SH.Violation,
...     source_shape=URIRef("https://w3id.org/odlm/shapes#ModelShape"),
...     constraint_component=SH.MinCountConstraintComponent)
>>> report = ValidationReport.from_results([result])
>>> report.conforms, len(report.violations)
(False, 1)
>>> report.to_json()["summary"]["violations"]
1
"""

from __future__ import annotations

import heapq
import json
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, XSD, NamespaceManager
from rdflib.paths import AlternativePath, InvPath, MulPath, SequencePath
from rdflib.paths import Path as PropertyPath
from rdflib.term import Node

from odlm_kg.namespaces import PREFIXES, SH

#: A result path: a predicate IRI, or an rdflib property path for sequence/alternative/inverse/* paths.
ResultPath = URIRef | PropertyPath

SEVERITY_NAMES: dict[URIRef, str] = {SH.Violation: "Violation", SH.Warning: "Warning", SH.Info: "Info"}
NON_BLOCKING = frozenset({SH.Warning, SH.Info})

SHAPES_PREFIX = "https://w3id.org/odlm/shapes#"


def _namespace_manager() -> NamespaceManager:
    manager = NamespaceManager(Graph(), bind_namespaces="none")
    for prefix, iri in PREFIXES.items():
        manager.bind(prefix, iri, override=True, replace=True)
    manager.bind("odlmsh", SHAPES_PREFIX, override=True, replace=True)
    return manager


NAMESPACES = _namespace_manager()


def term_text(term: Node | PropertyPath | None, manager: NamespaceManager | None = None) -> str:
    """Short human form of a term: a prefixed name where a prefix is known, else N-Triples syntax."""
    if term is None:
        return ""
    manager = manager or NAMESPACES
    if isinstance(term, PropertyPath):
        return term.n3(manager)
    if isinstance(term, URIRef):
        try:
            prefix, _, local = manager.compute_qname(str(term), generate=False)
            if local and all(c.isalnum() or c in "-_." for c in local) and not local.endswith("."):
                return f"{prefix}:{local}"
        except (KeyError, ValueError):
            pass
        return f"<{term}>"
    if isinstance(term, BNode):
        return f"_:{term}"
    if isinstance(term, Literal):
        return term.n3(manager)
    return str(term)


def term_json(term: Node | PropertyPath | None) -> dict[str, str] | None:
    """A term in the SPARQL 1.1 JSON results style (``type`` uri/bnode/literal/path, ``value``, …)."""
    if term is None:
        return None
    if isinstance(term, PropertyPath):
        return {"type": "path", "value": term.n3()}
    if isinstance(term, URIRef):
        return {"type": "uri", "value": str(term)}
    if isinstance(term, BNode):
        return {"type": "bnode", "value": str(term)}
    if isinstance(term, Literal):
        out = {"type": "literal", "value": str(term)}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype is not None:
            out["datatype"] = str(term.datatype)
        return out
    return {"type": "unknown", "value": str(term)}


# --- property paths as RDF (sh:path syntax) --------------------------------------------------------


def path_from_rdf(graph: Graph, node: Node) -> ResultPath:
    """Read a SHACL property path (sh:path syntax) into a predicate IRI or an rdflib path."""
    if isinstance(node, URIRef):
        return node
    first = graph.value(node, RDF.first)
    if first is not None:
        return SequencePath(*[path_from_rdf(graph, item) for item in Collection(graph, node)])
    inverse = graph.value(node, SH.inversePath)
    if inverse is not None:
        return InvPath(path_from_rdf(graph, inverse))
    alternatives = graph.value(node, SH.alternativePath)
    if alternatives is not None:
        return AlternativePath(*[path_from_rdf(graph, item) for item in Collection(graph, alternatives)])
    for predicate, modifier in ((SH.zeroOrMorePath, "*"), (SH.oneOrMorePath, "+"), (SH.zeroOrOnePath, "?")):
        inner = graph.value(node, predicate)
        if inner is not None:
            return MulPath(path_from_rdf(graph, inner), modifier)
    raise ValueError(f"not a SHACL property path: {node!r}")


def path_to_rdf(graph: Graph, path: ResultPath) -> Node:
    """Write a result path into ``graph`` in sh:path syntax and return its node."""
    if isinstance(path, URIRef):
        return path
    node = BNode()
    if isinstance(path, SequencePath):
        Collection(graph, node, [path_to_rdf(graph, p) for p in path.args])
    elif isinstance(path, AlternativePath):
        items = BNode()
        Collection(graph, items, [path_to_rdf(graph, p) for p in path.args])
        graph.add((node, SH.alternativePath, items))
    elif isinstance(path, InvPath):
        graph.add((node, SH.inversePath, path_to_rdf(graph, path.arg)))
    elif isinstance(path, MulPath):
        predicate = {"*": SH.zeroOrMorePath, "+": SH.oneOrMorePath, "?": SH.zeroOrOnePath}[path.mod]
        graph.add((node, predicate, path_to_rdf(graph, path.path)))
    else:  # pragma: no cover - negated paths do not occur in SHACL
        raise ValueError(f"cannot write path {path!r} as SHACL")
    return node


# --- results and reports -------------------------------------------------------------------------


@dataclass(frozen=True)
class ValidationResult:
    """One SHACL validation result (one ``sh:result`` of a ``sh:ValidationReport``)."""

    focus_node: Node
    result_path: ResultPath | None
    value: Node | None
    message: str | None
    severity: URIRef
    source_shape: Node
    constraint_component: URIRef
    source_constraint: Node | None = None

    @property
    def severity_name(self) -> str:
        """``Violation``, ``Warning``, ``Info``, or the IRI of a custom severity."""
        return SEVERITY_NAMES.get(self.severity, str(self.severity))

    def key(self) -> tuple[str, str, str, str, str, str]:
        """What two engines must agree on: focus, path, value, component, severity and source shape.

        Blank nodes compare by label: both engines keep the labels of the data's blank nodes.
        """
        return (
            _key_text(self.focus_node),
            _key_text(self.result_path),
            _key_text(self.value),
            str(self.constraint_component),
            str(self.severity),
            _key_text(self.source_shape),
        )

    def to_json(self, shape_label: str | None = None) -> dict[str, Any]:
        out: dict[str, Any] = {
            "focus_node": term_json(self.focus_node),
            "result_path": term_json(self.result_path),
            "value": term_json(self.value),
            "message": self.message,
            "severity": self.severity_name,
            "source_shape": term_json(self.source_shape),
            "constraint_component": str(self.constraint_component),
        }
        if shape_label:
            out["source_shape_label"] = shape_label
        if self.source_constraint is not None:
            out["source_constraint"] = term_json(self.source_constraint)
        return out


def _sort_key(result: ValidationResult) -> tuple[str, ...]:
    focus, path, value, component, severity, shape = result.key()
    return (shape, focus, path, value, component, severity)


def _key_text(term: Node | PropertyPath | None) -> str:
    if term is None:
        return ""
    if isinstance(term, PropertyPath):
        return term.n3()
    if isinstance(term, Literal):
        # Literal.n3() normalises nothing; compare lexical form, datatype and language exactly
        return f"{term!s}|{term.datatype or ''}|{term.language or ''}"
    return term.n3() if hasattr(term, "n3") else str(term)


@dataclass
class ValidationReport:
    """The outcome of validating data against shape layers.

    ``conforms`` is true when no result has a blocking severity: warnings and infos alone do not make
    data non-conforming (as with pySHACL's ``allow_warnings``/``allow_infos``). ``shacl_conforms``
    is the W3C definition: true only when there are no results at all.
    """

    results: list[ValidationResult]
    total_results: int | None = None
    severity_counts: Counter[str] = field(default_factory=Counter)
    shape_labels: dict[Node, str] = field(default_factory=dict)
    layers: tuple[str, ...] = ()
    engine: str = ""
    notes: list[str] = field(default_factory=list)
    focus_node_count: int | None = None
    shape_count: int | None = None

    @classmethod
    def from_results(cls, results: Iterable[ValidationResult], *, max_results: int | None = None,
                     shape_labels: Mapping[Node, str] | None = None, layers: Iterable[str] = (),
                     engine: str = "", notes: Iterable[str] = ()) -> ValidationReport:
        """Sort results into a stable order, count them, and keep at most ``max_results``."""
        ordered = sorted(results, key=_sort_key)
        counts = Counter(r.severity_name for r in ordered)
        kept = ordered if max_results is None else ordered[:max_results]
        return cls(results=kept, total_results=len(ordered), severity_counts=counts,
                   focus_node_count=len({r.focus_node for r in ordered}),
                   shape_count=len({r.source_shape for r in ordered}),
                   shape_labels=dict(shape_labels or {}), layers=tuple(layers), engine=engine,
                   notes=list(notes))

    # -- summary ---------------------------------------------------------------------------------

    @property
    def total(self) -> int:
        return self.total_results if self.total_results is not None else len(self.results)

    @property
    def truncated(self) -> bool:
        return self.total > len(self.results)

    @property
    def violations(self) -> list[ValidationResult]:
        return [r for r in self.results if r.severity == SH.Violation]

    @property
    def warnings(self) -> list[ValidationResult]:
        return [r for r in self.results if r.severity == SH.Warning]

    @property
    def conforms(self) -> bool:
        return all(name in ("Warning", "Info") for name in self.severity_counts)

    @property
    def shacl_conforms(self) -> bool:
        return self.total == 0

    def summary(self) -> dict[str, Any]:
        return {
            "conforms": self.conforms,
            "results": self.total,
            "violations": self.severity_counts.get("Violation", 0),
            "warnings": self.severity_counts.get("Warning", 0),
            "infos": self.severity_counts.get("Info", 0),
            "other_severities": sum(n for k, n in self.severity_counts.items()
                                    if k not in ("Violation", "Warning", "Info")),
            "focus_nodes": self.focus_node_count if self.focus_node_count is not None
            else len({r.focus_node for r in self.results}),
            "shapes": self.shape_count if self.shape_count is not None
            else len({r.source_shape for r in self.results}),
            "shown": len(self.results),
            "truncated": self.truncated,
        }

    def by_shape(self) -> dict[Node, dict[Node, list[ValidationResult]]]:
        """Results grouped by source shape, then by focus node (both in a stable order)."""
        grouped: dict[Node, dict[Node, list[ValidationResult]]] = defaultdict(lambda: defaultdict(list))
        for result in self.results:
            grouped[result.source_shape][result.focus_node].append(result)
        return {shape: dict(nodes) for shape, nodes in grouped.items()}

    def by_focus_node(self) -> dict[Node, list[ValidationResult]]:
        grouped: dict[Node, list[ValidationResult]] = defaultdict(list)
        for result in self.results:
            grouped[result.focus_node].append(result)
        return dict(grouped)

    def shape_label(self, shape: Node) -> str:
        return self.shape_labels.get(shape) or term_text(shape)

    # -- renderings ------------------------------------------------------------------------------

    def to_json(self) -> dict[str, Any]:
        """Plain dicts and lists, ready for ``json.dumps`` (used by the CLI and the endpoint)."""
        return {
            "conforms": self.conforms,
            "shacl_conforms": self.shacl_conforms,
            "layers": list(self.layers),
            "engine": self.engine,
            "summary": self.summary(),
            "notes": list(self.notes),
            "results": [r.to_json(self.shape_labels.get(r.source_shape)) for r in self.results],
        }

    def to_json_text(self, indent: int = 2) -> str:
        return json.dumps(self.to_json(), indent=indent, ensure_ascii=False) + "\n"

    def to_graph(self) -> Graph:
        """The W3C ``sh:ValidationReport`` (``sh:conforms`` follows the W3C definition)."""
        graph = Graph(namespace_manager=None)
        for prefix, iri in PREFIXES.items():
            graph.bind(prefix, iri)
        graph.bind("odlmsh", SHAPES_PREFIX)
        report = BNode()
        graph.add((report, RDF.type, SH.ValidationReport))
        graph.add((report, SH.conforms, Literal(self.shacl_conforms, datatype=XSD.boolean)))
        for result in self.results:
            node = BNode()
            graph.add((report, SH.result, node))
            graph.add((node, RDF.type, SH.ValidationResult))
            graph.add((node, SH.focusNode, result.focus_node))
            if result.result_path is not None:
                graph.add((node, SH.resultPath, path_to_rdf(graph, result.result_path)))
            if result.value is not None:
                graph.add((node, SH.value, result.value))
            if result.message:
                graph.add((node, SH.resultMessage, Literal(result.message)))
            graph.add((node, SH.resultSeverity, result.severity))
            graph.add((node, SH.sourceShape, result.source_shape))
            graph.add((node, SH.sourceConstraintComponent, result.constraint_component))
            if result.source_constraint is not None:
                graph.add((node, SH.sourceConstraint, result.source_constraint))
        return graph

    def to_turtle(self) -> str:
        return self.to_graph().serialize(format="turtle")

    def to_text(self) -> str:
        """A report a person can act on: per shape, per focus node, what is wrong and where."""
        lines: list[str] = []
        summary = self.summary()
        for shape, nodes in self.by_shape().items():
            counts = Counter(r.severity_name for results in nodes.values() for r in results)
            count_text = ", ".join(f"{n} {name.lower()}{'s' if n != 1 else ''}"
                                   for name, n in sorted(counts.items()))
            lines.append(f"Shape {self.shape_label(shape)} ({count_text})")
            for focus, results in nodes.items():
                lines.append(f"  {term_text(focus)}")
                for result in results:
                    where = term_text(result.result_path) if result.result_path is not None else "(the node itself)"
                    lines.append(f"    {result.severity_name}: {where}")
                    if result.value is not None:
                        lines.append(f"      value:      {term_text(result.value)}")
                    if result.message:
                        lines.append(f"      message:    {result.message}")
                    lines.append(f"      constraint: {term_text(result.constraint_component)}")
            lines.append("")
        verdict = "conforms" if self.conforms else "does NOT conform"
        lines.append(
            f"Summary: {verdict}. {_counted(summary['results'], 'result')}: "
            f"{_counted(summary['violations'], 'violation')}, {_counted(summary['warnings'], 'warning')}, "
            f"{_counted(summary['infos'], 'info')}"
            + (f", {summary['other_severities']} of other severities" if summary["other_severities"] else "")
            + f"; on {_counted(summary['focus_nodes'], 'focus node')} from {_counted(summary['shapes'], 'shape')}"
            + (f" (showing the first {summary['shown']})" if self.truncated else "") + "."
        )
        if self.layers:
            lines.append(f"Layers: {', '.join(self.layers)}.")
        lines.extend(self.notes)
        return "\n".join(lines) + "\n"


def _counted(count: int, noun: str) -> str:
    """``1 result``, ``2 results`` (the summary line said "1 results: 1 violations")."""
    return f"{count} {noun}{'' if count == 1 else 's'}"


class ReportCollector:
    """Counts results as they come (batch by batch) and keeps only the first ``max_results`` of them in
    the report's order, so a report's memory does not grow with the number of results.

    ``add(..., distinct=...)`` drops results already seen (the same result from two batches: a node of
    the ontology, or one that is a target by ``sh:targetObjectsOf``); that costs a key per result it
    applies to.

    >>> collector = ReportCollector(max_results=1)
    >>> collector.add([ValidationResult(URIRef("urn:b"), None, None, "x", SH.Violation, URIRef("urn:S"),
    ...                                 SH.MinCountConstraintComponent)] * 2, distinct=True)
    >>> collector.report().summary()["results"]
    1
    """

    def __init__(self, max_results: int | None = None) -> None:
        self.max_results = max_results
        self.kept: list[tuple[tuple[str, ...], int, ValidationResult]] = []
        self.severity_counts: Counter[str] = Counter()
        self.focus_nodes: set[str] = set()
        self.shapes: set[str] = set()
        self.total = 0
        self.seen: set[tuple[str, ...]] = set()
        self._order = 0

    def add(self, results: Iterable[ValidationResult], *,
            distinct: bool | Callable[[tuple[str, ...]], bool] = False) -> None:
        """Count and keep ``results``; ``distinct``: drop those seen before (all of them, or those of
        whose key ``distinct(key)`` is true: only those are remembered)."""
        for result in results:
            key = result.key()
            if distinct is True or (distinct and distinct(key)):  # type: ignore[operator]
                if key in self.seen:
                    continue
                self.seen.add(key)
            self.total += 1
            self.severity_counts[result.severity_name] += 1
            self.focus_nodes.add(key[0])
            self.shapes.add(key[5])
            self._order += 1
            self.kept.append(((key[5], key[0], key[1], key[2], key[3], key[4]), self._order, result))
        if self.max_results is not None and len(self.kept) > 2 * self.max_results + 1024:
            self.kept = heapq.nsmallest(self.max_results, self.kept)

    def report(self, *, shape_labels: Mapping[Node, str] | None = None, layers: Iterable[str] = (),
               engine: str = "", notes: Iterable[str] = ()) -> ValidationReport:
        ordered = sorted(self.kept)
        if self.max_results is not None:
            ordered = ordered[:self.max_results]
        return ValidationReport(results=[result for _key, _order, result in ordered], total_results=self.total,
                                severity_counts=Counter(self.severity_counts),
                                focus_node_count=len(self.focus_nodes), shape_count=len(self.shapes),
                                shape_labels=dict(shape_labels or {}), layers=tuple(layers), engine=engine,
                                notes=list(notes))
