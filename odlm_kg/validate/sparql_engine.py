"""The fast path: SHACL core constraints compiled to SPARQL and run by Oxigraph over the data.

How a shapes graph is split (decided once per shapes graph, per *root* shape, i.e. a shape with
targets, together with every property shape reached from it through ``sh:property``):

* Focus nodes (``sh:targetClass`` incl. implicit class targets, ``sh:targetNode`` with IRI or
  literal nodes, ``sh:targetSubjectsOf``, ``sh:targetObjectsOf``) and value nodes (any SHACL
  property path) become SPARQL graph patterns.
* ``sh:class``, ``sh:minCount``, ``sh:maxCount``, ``sh:hasValue`` and SHACL-SPARQL constraints
  (``sh:sparql`` with ``sh:select``, ``$this`` pre-bound by joining the focus pattern into the
  query's outer group) are answered by one SPARQL query each, for all focus nodes at once.
* Constraints that look at the value node alone (``sh:datatype``, ``sh:nodeKind``, ``sh:in``,
  ``sh:pattern``/``sh:flags``, ``sh:minLength``, ``sh:maxLength``, ``sh:languageIn``,
  ``sh:min/maxInclusive``, ``sh:min/maxExclusive``, and ``sh:node``/``sh:or``/``sh:and``/``sh:not``/
  ``sh:xone`` whose shapes only hold such constraints) are decided once per *distinct* value by
  pySHACL's own constraint code, so literal parsing and regular expressions behave exactly as in
  pySHACL; a second query then finds the focus nodes holding the failing values.
* A root whose tree uses anything else (``sh:closed``, ``sh:equals``, ``sh:disjoint``,
  ``sh:lessThan``, ``sh:uniqueLang``, qualified value shapes, ``sh:node`` on shapes with paths,
  SPARQL queries with sub-selects, ``MINUS``, ``VALUES`` or ``$shapesGraph``/``$currentShape``,
  blank-node ``sh:targetNode``…) is validated by pySHACL, on a shapes graph cut down to those roots.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import count

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS
from rdflib.paths import AlternativePath, InvPath, MulPath, SequencePath
from rdflib.term import Node

from odlm_kg.namespaces import SH
from odlm_kg.store.oxigraph import to_oxigraph, to_rdflib
from odlm_kg.validate.report import ResultPath, ValidationResult, path_from_rdf, term_text

# Parameters that are not constraints (or are companions of one we handle).
NON_CONSTRAINT = frozenset({
    SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf, SH.target,
    SH.severity, SH.message, SH.name, SH.description, SH.order, SH.group, SH.defaultValue,
    SH.deactivated, SH.path, SH.flags, SH.property,
})
VALUE_LOCAL = frozenset({
    SH.datatype, SH.nodeKind, SH["in"], SH.pattern, SH.minLength, SH.maxLength, SH.languageIn,
    SH.minInclusive, SH.maxInclusive, SH.minExclusive, SH.maxExclusive,
})
LOGICAL = frozenset({SH.node, SH["or"], SH["and"], SH["not"], SH.xone})
QUERIED = frozenset({SH["class"], SH.minCount, SH.maxCount, SH.hasValue, SH.sparql})

COMPONENTS: dict[URIRef, URIRef] = {
    SH["class"]: SH.ClassConstraintComponent,
    SH.minCount: SH.MinCountConstraintComponent,
    SH.maxCount: SH.MaxCountConstraintComponent,
    SH.hasValue: SH.HasValueConstraintComponent,
    SH.sparql: SH.SPARQLConstraintComponent,
}

GENERIC_MESSAGES: dict[URIRef, str] = {
    SH["class"]: "Value does not have class {}",
    SH.minCount: "Less than {} values",
    SH.maxCount: "More than {} values",
    SH.hasValue: "Value {} is missing",
}


def _all_constraint_parameters() -> frozenset[URIRef]:
    from pyshacl.constraints import ALL_CONSTRAINT_PARAMETERS

    return frozenset(ALL_CONSTRAINT_PARAMETERS)


FILTERED_COMPONENTS: dict[URIRef, URIRef] = {
    SH.nodeKind: SH.NodeKindConstraintComponent,
    SH.datatype: SH.DatatypeConstraintComponent,
    SH.minLength: SH.MinLengthConstraintComponent,
    SH.maxLength: SH.MaxLengthConstraintComponent,
}
_NODE_KIND_VIOLATION = {
    SH.IRI: "!isIRI(?value)", SH.BlankNode: "!isBlank(?value)", SH.Literal: "!isLiteral(?value)",
    SH.BlankNodeOrIRI: "isLiteral(?value)", SH.BlankNodeOrLiteral: "isIRI(?value)",
    SH.IRIOrLiteral: "isBlank(?value)",
}
_XSD_STRING_IRI = "http://www.w3.org/2001/XMLSchema#string"
_LANG_STRING_IRI = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"


def value_filter(predicate: URIRef, obj: Node) -> str | None:
    """A SPARQL condition true for the values that fail a value-local constraint, where SPARQL decides
    it exactly as pySHACL does (node kinds, string datatypes, lengths); None otherwise."""
    if predicate == SH.nodeKind:
        return _NODE_KIND_VIOLATION.get(obj)  # type: ignore[call-overload]
    if predicate == SH.datatype:
        if str(obj) == _XSD_STRING_IRI:
            return f"!(isLiteral(?value) && datatype(?value) = <{_XSD_STRING_IRI}>)"
        if str(obj) == _LANG_STRING_IRI:
            return '!(isLiteral(?value) && lang(?value) != "")'
        return None
    if predicate in (SH.minLength, SH.maxLength):
        if not isinstance(obj, Literal) or not isinstance(obj.value, int) or isinstance(obj.value, bool) \
                or obj.value < 0:
            return None
        if predicate == SH.minLength:
            return "false" if obj.value == 0 else f"isBlank(?value) || STRLEN(STR(?value)) < {obj.value}"
        return f"isBlank(?value) || STRLEN(STR(?value)) > {obj.value}"
    return None


# --- SPARQL text helpers ------------------------------------------------------------------------


def sparql_term(term: Node) -> str:
    """A term in SPARQL syntax (not for blank nodes, which a query cannot name)."""
    if isinstance(term, BNode):
        raise ValueError("blank nodes cannot be written into a query")
    return str(to_oxigraph(term))


def sparql_path(path: ResultPath) -> str:
    if isinstance(path, URIRef):
        return sparql_term(path)
    if isinstance(path, SequencePath):
        return "(" + "/".join(sparql_path(p) for p in path.args) + ")"
    if isinstance(path, AlternativePath):
        return "(" + "|".join(sparql_path(p) for p in path.args) + ")"
    if isinstance(path, InvPath):
        return "^(" + sparql_path(path.arg) + ")"
    if isinstance(path, MulPath):
        return "(" + sparql_path(path.path) + ")" + path.mod
    raise ValueError(f"unsupported path {path!r}")


_fresh = count()


def fresh(prefix: str = "v") -> str:
    return f"?_{prefix}{next(_fresh)}"


# --- the plan -----------------------------------------------------------------------------------


class NotCompilable(Exception):
    """This part of the shapes graph goes to pySHACL."""


@dataclass
class ShapeEvaluation:
    """One shape evaluated for the focus nodes of one route (targets, or a parent's values)."""

    shape: Node
    focus: str  # a function body: pattern text with {var} placeholder binding the focus variable
    path: ResultPath | None
    root: Node  # the shape whose targets give the focus nodes
    severity: URIRef
    message: str | None
    queried: list[tuple[URIRef, Node]] = field(default_factory=list)
    value_local: list[URIRef] = field(default_factory=list)
    filtered: list[tuple[URIRef, Node]] = field(default_factory=list)

    def focus_pattern(self, var: str) -> str:
        return self.focus.replace("{var}", var)

    def value_pattern(self, focus_var: str, value_var: str) -> str:
        if self.path is None:
            return f"BIND({focus_var} AS {value_var})"
        return f"{focus_var} {sparql_path(self.path)} {value_var} ."


@dataclass(frozen=True)
class Targets:
    """A root shape's targets, for engines that find focus nodes without SPARQL."""

    nodes: tuple[Node, ...] = ()
    classes: tuple[Node, ...] = ()  # explicit and implicit class targets
    subjects_of: tuple[Node, ...] = ()
    objects_of: tuple[Node, ...] = ()


@dataclass
class Plan:
    evaluations: list[ShapeEvaluation]
    fallback_roots: list[Node]
    fallback_shapes: set[Node]
    fallback_graph: Graph | None
    sparql: dict[Node, SparqlConstraint]
    targets: dict[Node, Targets] = field(default_factory=dict)  # of each compiled root


@dataclass
class SparqlConstraint:
    node: Node
    query: str  # with {focus} placeholder for the focus pattern
    prefixes: dict[str, str]
    projects: set[str]
    select_all: bool
    message: str | None
    deactivated: bool


class Compiler:
    def __init__(self, shapes: Graph) -> None:
        import pyshacl.shapes_graph

        self.graph = shapes
        self.sg = pyshacl.shapes_graph.ShapesGraph(shapes)
        self.shapes = {s.node: s for s in self.sg.shapes}
        self.parameters = _all_constraint_parameters()
        # parameters of SPARQL-based constraint components declared in the shapes graph
        self.custom_parameters = {
            path for component in set(shapes.subjects(SH.parameter, None))
            for parameter in shapes.objects(component, SH.parameter)
            for path in shapes.objects(parameter, SH.path)
        }
        self.sparql: dict[Node, SparqlConstraint] = {}
        self.reasons: dict[Node, str] = {}
        self.targets: dict[Node, Targets] = {}
        self._fallback_graphs: dict[frozenset[Node], Graph] = {}

    # targets -------------------------------------------------------------------------------------

    def target_pattern(self, shape: Node) -> str | None:
        """Pattern binding ``{var}`` to the shape's target nodes, or None when it has no targets."""
        g = self.graph
        py = self.shapes[shape]
        parts = []
        nodes = list(g.objects(shape, SH.targetNode))
        if nodes:
            if any(isinstance(n, BNode) for n in nodes):
                raise NotCompilable("blank-node sh:targetNode")
            parts.append("VALUES {var} { " + " ".join(sparql_term(n) for n in nodes) + " }")
        classes = list(g.objects(shape, SH.targetClass)) + list(py.implicit_class_targets())
        for cls in classes:
            if isinstance(cls, BNode):
                raise NotCompilable("blank-node class target")
            parts.append(f"{{var}} <{RDF.type}>/<{RDFS.subClassOf}>* {sparql_term(cls)} .")
        for predicate in g.objects(shape, SH.targetSubjectsOf):
            parts.append(f"{{var}} {sparql_term(predicate)} {fresh('o')} .")
        for predicate in g.objects(shape, SH.targetObjectsOf):
            parts.append(f"{fresh('s')} {sparql_term(predicate)} {{var}} .")
        if list(g.objects(shape, SH.target)):
            raise NotCompilable("sh:target")
        if not parts:
            return None
        self.targets[shape] = Targets(tuple(nodes), tuple(classes), tuple(g.objects(shape, SH.targetSubjectsOf)),
                                      tuple(g.objects(shape, SH.targetObjectsOf)))
        union = " UNION ".join("{ " + p + " }" for p in parts)
        return "{ SELECT DISTINCT {var} WHERE { " + union + " } }"

    # shapes --------------------------------------------------------------------------------------

    def is_value_local_shape(self, shape: Node, depth: int = 0) -> bool:
        if depth > 8 or shape not in self.shapes:
            return shape not in self.shapes and depth <= 8 and not list(self.graph.predicate_objects(shape))
        if self.shapes[shape].is_property_shape:
            return False
        for predicate, obj in self.graph.predicate_objects(shape):
            if predicate in self.custom_parameters:
                return False
            if predicate not in self.parameters or predicate in (SH.deactivated, SH.severity, SH.message):
                continue
            if predicate in VALUE_LOCAL:
                continue
            if predicate in LOGICAL:
                inner = [obj] if predicate in (SH.node, SH["not"]) else list(Collection(self.graph, obj))
                if all(self.is_value_local_shape(i, depth + 1) for i in inner):
                    continue
            return False
        return True

    def evaluation(self, shape: Node, focus: str, root: Node) -> ShapeEvaluation:
        py = self.shapes[shape]
        path = path_from_rdf(self.graph, py.path()) if py.is_property_shape else None
        if path is not None:
            try:
                sparql_path(path)
            except ValueError as exc:
                raise NotCompilable(str(exc)) from exc
        messages = list(self.graph.objects(shape, SH.message))
        evaluation = ShapeEvaluation(shape=shape, focus=focus, path=path, root=root, severity=py.severity,
                                     message=str(messages[0]) if messages else None)
        for predicate, obj in self.graph.predicate_objects(shape):
            if predicate in self.custom_parameters:
                raise NotCompilable(f"custom constraint component parameter {predicate}")
            if predicate not in self.parameters or predicate in NON_CONSTRAINT:
                continue
            if predicate in QUERIED:
                if predicate == SH.sparql:
                    self.sparql_constraint(shape, obj, path)
                elif predicate == SH.hasValue and isinstance(obj, BNode):
                    raise NotCompilable("blank-node sh:hasValue")
                elif predicate == SH["class"] and isinstance(obj, BNode):
                    raise NotCompilable("blank-node sh:class")
                elif predicate in (SH.minCount, SH.maxCount) and not (
                        isinstance(obj, Literal) and isinstance(obj.value, int) and not isinstance(obj.value, bool)):
                    raise NotCompilable(f"{term_text(predicate)} is not an integer")  # pySHACL says why
                evaluation.queried.append((predicate, obj))
            elif predicate in VALUE_LOCAL and value_filter(predicate, obj) is not None and len(
                    list(self.graph.objects(shape, predicate))) == 1:
                evaluation.filtered.append((predicate, obj))
            elif predicate in VALUE_LOCAL:
                if predicate not in evaluation.value_local:
                    evaluation.value_local.append(predicate)
            elif predicate in LOGICAL:
                inner = [obj] if predicate in (SH.node, SH["not"]) else list(Collection(self.graph, obj))
                if not all(self.is_value_local_shape(i) for i in inner):
                    raise NotCompilable(f"{predicate} on shapes with paths or non-local constraints")
                if predicate not in evaluation.value_local:
                    evaluation.value_local.append(predicate)
            else:
                raise NotCompilable(str(predicate))
        return evaluation

    def sparql_constraint(self, shape: Node, node: Node, path: ResultPath | None) -> None:
        if node in self.sparql:
            return
        g = self.graph
        selects = list(g.objects(node, SH.select))
        if len(selects) != 1 or list(g.objects(node, SH.ask)):
            raise NotCompilable("sh:sparql without exactly one sh:select")
        text = str(selects[0])
        prefixes: dict[str, str] = {}
        todo = list(g.objects(node, SH.prefixes))
        visited: set[Node] = set()
        while todo:
            prefixes_node = todo.pop()
            if prefixes_node in visited:
                continue
            visited.add(prefixes_node)
            todo.extend(g.objects(prefixes_node, OWL.imports))
            for declaration in g.objects(prefixes_node, SH.declare):
                prefix = g.value(declaration, SH.prefix)
                namespace = g.value(declaration, SH.namespace)
                if prefix is not None and namespace is not None:
                    prefixes[str(prefix)] = str(namespace)
        body = text
        upper = body.upper()
        if re.search(r"[$?](shapesGraph|currentShape)\b", body):
            raise NotCompilable("SPARQL constraint needs pre-binding beyond $this")
        # Joining the focus pattern into the outer group equals pre-binding only when $this is not
        # used in nested groups other than EXISTS; other queries go to pySHACL.
        per_focus = bool(len(re.findall(r"\bSELECT\b", upper)) != 1
                         or re.search(r"\b(MINUS|VALUES|SERVICE)\b", upper)
                         or this_in_nested_expression(body))
        if "$PATH" in body:
            if path is None:
                raise NotCompilable("$PATH in a node shape")
            body = body.replace("$PATH", sparql_path(path))
        match = re.search(r"\bSELECT\b(.*?)(\bWHERE\b|\{)", body, re.IGNORECASE | re.DOTALL)
        brace = body.find("{")
        if match is None or brace < 0:
            raise NotCompilable("cannot find the query's WHERE clause")
        projection = match.group(1)
        select_all = "*" in projection
        projects = set(re.findall(r"[?$]([A-Za-z_][A-Za-z0-9_]*)", projection))
        if re.search(r"\bAS\b", projection, re.IGNORECASE):
            raise NotCompilable("expressions in the projection")
        if not select_all and "this" not in projects:
            body = body[:match.start(1)] + " ?this " + body[match.start(1):]
            brace = body.find("{")
        if per_focus:
            raise NotCompilable("SPARQL constraint uses $this inside nested groups")
        try:  # a query that does not parse goes to pySHACL, which reports it
            ox.Store().query(body, prefixes=prefixes)
        except SyntaxError as exc:
            raise NotCompilable(f"SPARQL constraint does not parse: {exc}") from exc
        query = body[:brace + 1] + " {focus} " + body[brace + 1:]
        messages = list(g.objects(node, SH.message))
        deactivated = g.value(node, SH.deactivated)
        self.sparql[node] = SparqlConstraint(
            node=node, query=query, prefixes=prefixes,
            projects=projects, select_all=select_all,
            message=str(messages[0]) if messages else None,
            deactivated=bool(deactivated is not None and getattr(deactivated, "value", False) is True))

    def tree(self, root: Node, focus: str) -> list[ShapeEvaluation]:
        """The root and every shape it reaches through sh:property, each with its focus pattern."""
        out: list[ShapeEvaluation] = []
        stack = [(root, focus, 0)]
        while stack:
            shape, shape_focus, depth = stack.pop()
            if depth > 10:
                raise NotCompilable("sh:property nested too deeply")
            py = self.shapes.get(shape)
            if py is None:
                raise NotCompilable("unknown shape")
            if py.deactivated:
                continue
            evaluation = self.evaluation(shape, shape_focus, root)
            out.append(evaluation)
            for child in self.graph.objects(shape, SH.property):
                if evaluation.path is not None:
                    # pySHACL validates a nested property shape once per (parent focus, value) pair,
                    # so a value reached from two parents is reported twice: leave that to pySHACL
                    raise NotCompilable("sh:property inside a property shape")
                stack.append((child, shape_focus, depth + 1))
        return out

    def fallback_graph_for(self, quiet_roots: frozenset[Node]) -> Graph:
        """The whole shapes graph (prefix declarations, custom components…) without the targets of
        ``quiet_roots`` (compiled ones, or ones with no focus node), so pySHACL evaluates only the rest."""
        found = self._fallback_graphs.get(quiet_roots)
        if found is not None:
            return found
        graph = Graph()
        # pySHACL writes shape names in its messages with the shapes graph's prefixes; keep them so
        # both engines print the same text.
        for prefix, namespace in self.graph.namespaces():
            graph.bind(prefix, namespace, override=True, replace=True)
        target_predicates = {SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf}
        for s, p, o in self.graph:
            if s in quiet_roots and (p in target_predicates or p == RDF.type):
                continue
            graph.add((s, p, o))
        for root in quiet_roots:  # keep them recognisable as shapes, but without implicit targets
            if not self.shapes[root].is_property_shape:
                graph.add((root, RDF.type, SH.NodeShape))
        self._fallback_graphs[quiet_roots] = graph
        return graph

    def closure(self, roots: Iterable[Node]) -> set[Node]:
        seen: set[Node] = set()
        todo = list(roots)
        while todo:
            node = todo.pop()
            if node in seen:
                continue
            seen.add(node)
            for _p, obj in self.graph.predicate_objects(node):
                if isinstance(obj, BNode) or (obj in self.shapes and obj not in seen):
                    todo.append(obj)
        return seen

    def plan(self) -> Plan:
        roots = []
        for node, py in self.shapes.items():
            if py.deactivated:
                continue
            try:
                pattern = self.target_pattern(node)
            except NotCompilable as exc:
                roots.append((node, None))
                self.reasons[node] = str(exc)
                continue
            if pattern is not None:
                roots.append((node, pattern))
        compiled: dict[Node, list[ShapeEvaluation]] = {}
        fallback: list[Node] = []
        for node, pattern in roots:
            if pattern is None:
                fallback.append(node)
                continue
            try:
                compiled[node] = self.tree(node, pattern)
            except NotCompilable as exc:
                fallback.append(node)
                self.reasons[node] = str(exc)
        # roots whose trees share shapes with a fallback tree go to pySHACL with it
        changed = True
        fallback_shapes = self.closure(fallback) if fallback else set()
        while changed:
            changed = False
            for node in list(compiled):
                if {e.shape for e in compiled[node]} & fallback_shapes or node in fallback_shapes:
                    fallback.append(node)
                    self.reasons[node] = "shares shapes with a root that goes to pySHACL"
                    del compiled[node]
                    fallback_shapes = self.closure(fallback)
                    changed = True
        self.compiled_roots = set(compiled)
        self.fallback_patterns: dict[Node, str | None] = {}
        for node in fallback:
            try:
                self.fallback_patterns[node] = self.target_pattern(node)
            except NotCompilable:
                self.fallback_patterns[node] = None
        fallback_graph = self.fallback_graph_for(frozenset(self.compiled_roots)) if fallback else None
        evaluations = [e for tree in compiled.values() for e in tree]
        return Plan(evaluations=evaluations, fallback_roots=fallback, fallback_shapes=fallback_shapes,
                    fallback_graph=fallback_graph, sparql=self.sparql,
                    targets={root: self.targets[root] for root in compiled})


# --- running a plan -----------------------------------------------------------------------------


class FastValidator:
    """A compiled shapes graph; ``run`` validates one Oxigraph store (data and ontology together)."""

    def __init__(self, shapes: Graph) -> None:
        self.shapes = shapes
        self.compiler = Compiler(shapes)
        self.plan = self.compiler.plan()
        # one validator serves every validation against the same shapes (it is cached), and a run
        # keeps its literal map on it: the endpoint validates in threads, so runs take turns
        self.lock = threading.RLock()

    @property
    def coverage(self) -> dict[str, object]:
        """Which shapes run as SPARQL, and which root shapes go to pySHACL and why."""
        return {
            "sparql": sorted({str(e.shape) for e in self.plan.evaluations}),
            "pyshacl": {str(r): self.compiler.reasons.get(r, "") for r in self.plan.fallback_roots},
        }

    def run(self, store: ox.Store, data: Graph | None = None, ontology: Graph | None = None,
            inference: str = "none", literals: LiteralMap | None = None) -> list[ValidationResult]:
        with self.lock:
            return self._run(store, data, ontology, inference, literals)

    def _run(self, store: ox.Store, data: Graph | None, ontology: Graph | None, inference: str,
             literals: LiteralMap | None) -> list[ValidationResult]:
        self.literals = literals or {}
        self.data = data
        results: list[ValidationResult] = []
        for evaluation in self.plan.evaluations:
            results.extend(self._run_evaluation(store, evaluation))
        active = [root for root in self.plan.fallback_roots if self._has_focus(store, root)]
        if active:
            quiet = frozenset(self.compiler.compiled_roots | (set(self.plan.fallback_roots) - set(active)))
            if data is None:
                data = graph_from_store(store)
                ontology = None
            from odlm_kg.validate.pyshacl_engine import run_pyshacl

            fallback = run_pyshacl(data, self.compiler.fallback_graph_for(quiet), ontology, inference)
            results.extend(r for r in fallback if r.source_shape in self.plan.fallback_shapes)
        return results

    def _has_focus(self, store: ox.Store, root: Node) -> bool:
        """Whether a root handed to pySHACL has any focus node (unknown targets count as yes)."""
        pattern = self.compiler.fallback_patterns.get(root)
        if pattern is None:
            return True
        return bool(store.query(f"ASK {{ {pattern.replace('{var}', '?this')} }}"))

    # each kind of constraint ---------------------------------------------------------------------

    def _result(self, evaluation: ShapeEvaluation, component: URIRef, focus: object, stored_value: object,
                message: str | None, source_constraint: Node | None = None,
                path: ResultPath | None = None, value: Node | None = None) -> ValidationResult:
        focus_node = self.original(focus)[0]
        result_path = path if path is not None else evaluation.path
        if value is None and stored_value is not None:
            candidates = self.original(stored_value)
            if len(candidates) > 1 and self.data is not None and isinstance(result_path, URIRef):
                candidates = [c for c in candidates if (focus_node, result_path, c) in self.data] or candidates
            value = candidates[0]
        return ValidationResult(
            focus_node=focus_node,
            result_path=result_path,
            value=value,
            message=message,
            severity=evaluation.severity,
            source_shape=evaluation.shape,
            constraint_component=component,
            source_constraint=source_constraint,
        )

    def _run_evaluation(self, store: ox.Store, evaluation: ShapeEvaluation) -> Iterator[ValidationResult]:
        for predicate, obj in evaluation.queried:
            if predicate == SH.sparql:
                yield from self._sparql(store, evaluation, obj)
                continue
            message = evaluation.message or GENERIC_MESSAGES[predicate].format(obj)
            component = COMPONENTS[predicate]
            focus = evaluation.focus_pattern("?this")
            if predicate == SH["class"]:
                query = (f"SELECT DISTINCT ?this ?value WHERE {{ {focus} {evaluation.value_pattern('?this', '?value')} "
                         f"FILTER NOT EXISTS {{ ?value <{RDF.type}>/<{RDFS.subClassOf}>* {sparql_term(obj)} }} }}")
                for row in store.query(query):
                    yield self._result(evaluation, component, row["this"], row["value"], message)
            elif predicate in (SH.minCount, SH.maxCount):
                limit = int(obj)  # type: ignore[arg-type]
                if predicate == SH.minCount and limit == 0:
                    continue
                comparison = f"?n < {limit}" if predicate == SH.minCount else f"?n > {limit}"
                query = (f"SELECT ?this WHERE {{ {{ SELECT ?this (COUNT(DISTINCT ?value) AS ?n) WHERE {{ {focus} "
                         f"OPTIONAL {{ {evaluation.value_pattern('?this', '?value')} }} }} GROUP BY ?this }} "
                         f"FILTER({comparison}) }}")
                for row in store.query(query):
                    yield self._result(evaluation, component, row["this"], None, message)
            elif predicate == SH.hasValue:
                if evaluation.path is None:
                    check = f"FILTER(!sameTerm(?this, {sparql_term(obj)}))"
                else:
                    check = f"FILTER NOT EXISTS {{ ?this {sparql_path(evaluation.path)} {sparql_term(obj)} }}"
                query = f"SELECT ?this WHERE {{ {focus} {check} }}"
                for row in store.query(query):
                    yield self._result(evaluation, component, row["this"], None, message)
        for predicate, obj in evaluation.filtered:
            condition = value_filter(predicate, obj)
            focus = evaluation.focus_pattern("?this")
            query = (f"SELECT DISTINCT ?this ?value WHERE {{ {focus} {evaluation.value_pattern('?this', '?value')} "
                     f"FILTER({condition}) }}")
            component = FILTERED_COMPONENTS[predicate]
            message = evaluation.message or f"Value does not meet {term_text(predicate)} {term_text(obj)}"
            for row in store.query(query):
                yield self._result(evaluation, component, row["this"], row["value"], message)
        if evaluation.value_local:
            yield from self._value_local(store, evaluation)

    def original(self, term: object) -> list[Node]:
        """The rdflib term(s) a stored Oxigraph term stands for (see :data:`LiteralMap`)."""
        if isinstance(term, ox.Literal) and self.literals:
            found = self.literals.get(str(term))
            if found:
                return found
        return [to_rdflib(term)]

    def _value_local(self, store: ox.Store, evaluation: ShapeEvaluation) -> Iterator[ValidationResult]:
        focus = evaluation.focus_pattern("?this")
        query = f"SELECT DISTINCT ?value WHERE {{ {focus} {evaluation.value_pattern('?this', '?value')} }}"
        originals: dict[Node, object] = {}
        for row in store.query(query):
            term = row["value"]
            for original in self.original(term):
                originals[original] = term
        if not originals:
            return
        failing = check_value_local(self.compiler, evaluation, set(originals))
        if not failing:
            return
        by_value: dict[Node, list[tuple[URIRef, str | None]]] = {}
        for component, value, message in failing:
            by_value.setdefault(value, []).append((component, message))
        named = sorted({str(originals[v]) for v in by_value if not isinstance(v, BNode)})
        blank = {v for v in by_value if isinstance(v, BNode)}
        pairs: list[tuple[object, object]] = []
        for start in range(0, len(named), 2000):
            chunk = named[start:start + 2000]
            values = " ".join(chunk)
            if evaluation.path is None:
                query = f"SELECT DISTINCT ?this WHERE {{ VALUES ?this {{ {values} }} {focus} }}"
                pairs.extend((row["this"], row["this"]) for row in store.query(query))
                continue
            query = (f"SELECT DISTINCT ?this ?value WHERE {{ VALUES ?value {{ {values} }} {focus} "
                     f"{evaluation.value_pattern('?this', '?value')} }}")
            pairs.extend((row["this"], row["value"]) for row in store.query(query))
        if blank:
            query = (f"SELECT DISTINCT ?this ?value WHERE {{ {focus} {evaluation.value_pattern('?this', '?value')} "
                     f"FILTER(isBlank(?value)) }}")
            pairs.extend((row["this"], row["value"]) for row in store.query(query)
                         if to_rdflib(row["value"]) in blank)
        for focus_node, stored in pairs:
            candidates = [v for v in self.original(stored) if v in by_value]
            if len(candidates) > 1 and self.data is not None and isinstance(evaluation.path, URIRef):
                focus_term = self.original(focus_node)[0]
                candidates = [c for c in candidates if (focus_term, evaluation.path, c) in self.data] or candidates
            for value in candidates:
                for component, message in by_value[value]:
                    yield self._result(evaluation, component, focus_node, None, evaluation.message or message,
                                       value=value)

    def _sparql_rows(self, store: ox.Store, evaluation: ShapeEvaluation,
                     constraint: SparqlConstraint) -> Iterator[tuple[object, ox.QuerySolution, list[str]]]:
        query = constraint.query.replace("{focus}", evaluation.focus_pattern("?this"))
        solutions: ox.QuerySolutions = store.query(query, prefixes=constraint.prefixes)  # type: ignore[assignment]
        names = [v.value for v in solutions.variables]
        for row in solutions:
            yield row["this"], row, names

    def _sparql(self, store: ox.Store, evaluation: ShapeEvaluation, node: Node) -> Iterator[ValidationResult]:
        constraint = self.plan.sparql[node]
        if constraint.deactivated:
            return
        seen: set[tuple] = set()
        failed_focus: set[object] = set()
        for this, row, names in self._sparql_rows(store, evaluation, constraint):
            bound = {name: row[name] for name in names if row[name] is not None}
            bound.pop("this", None)
            if "failure" in bound:
                if this in failed_focus:
                    continue
                failed_focus.add(this)
                value = this if evaluation.path is None else None
                yield self._result(evaluation, SH.SPARQLConstraintComponent, this, value,
                                   _message(constraint.message or evaluation.message, bound), node)
                continue
            path = bound.pop("path", None)
            value = bound.pop("value", None)
            reported_this = this if (constraint.select_all or "this" in constraint.projects) else None
            if path is None and value is None and reported_this is None:
                continue
            key = (this, reported_this, path, value, tuple(sorted((k, str(v)) for k, v in bound.items())))
            if key in seen:
                continue
            seen.add(key)
            if value is None and evaluation.path is None:
                value = this
            message = _message(constraint.message or evaluation.message,
                               {**bound, "this": this, "value": value, "path": path})
            yield self._result(evaluation, SH.SPARQLConstraintComponent, this, value, message, node,
                               path=to_rdflib(path) if isinstance(path, ox.NamedNode) else None)


def this_in_nested_expression(query: str) -> bool:
    """Does a FILTER or BIND inside a nested group (not an EXISTS block) mention ``$this``?

    Joining the focus pattern into the outer group binds ``$this`` there; a triple pattern in a
    nested group then joins with it, but an expression evaluated inside the group would not see it.
    """
    depth = 0
    text = query
    i = 0
    while i < len(text):
        char = text[i]
        if char in "\"'":  # skip string literals
            end = text.find(char, i + 1)
            i = len(text) if end < 0 else end + 1
            continue
        if char == "<":  # skip IRIs
            end = text.find(">", i + 1)
            if end > 0 and " " not in text[i:end]:
                i = end + 1
                continue
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
        elif (depth >= 2 and text[i:i + 6].upper() in ("FILTER", "BIND(")) or (
                depth >= 2 and text[i:i + 4].upper() == "BIND"):
            open_at = text.find("(", i)
            if open_at < 0:
                return True
            level, j = 0, open_at
            while j < len(text):
                if text[j] == "(":
                    level += 1
                elif text[j] == ")":
                    level -= 1
                    if level == 0:
                        break
                j += 1
            if re.search(r"[?$]this\b", text[open_at:j]):
                return True
            i = j
        i += 1
    return False


def _message(template: str | None, bindings: dict[str, object]) -> str | None:
    if template is None:
        return None

    def substitute(match: re.Match[str]) -> str:
        term = bindings.get(match.group(1))
        if term is None:
            return match.group(0)
        return str(getattr(term, "value", term))

    return re.sub(r"\{[?$]([A-Za-z_][A-Za-z0-9_]*)\}", substitute, template)


# --- value-local checks through pySHACL's own constraint code -------------------------------------

_DUMMY_FOCUS = URIRef("urn:odlm-kg:validate:value-check")


def check_value_local(compiler: Compiler, evaluation: ShapeEvaluation,
                      values: set[Node]) -> list[tuple[URIRef, Node, str | None]]:
    """(component, failing value, message) for every value that fails a value-local constraint."""
    from pyshacl.constraints import CONSTRAINT_PARAMETERS_MAP
    from pyshacl.pytypes import SHACLExecutor

    from odlm_kg.validate.pyshacl_engine import shapes_errors

    shape = compiler.shapes[evaluation.shape]
    executor = SHACLExecutor(allow_infos=True, allow_warnings=True)
    empty = Graph()
    failing: list[tuple[URIRef, Node, str | None]] = []
    done: set[type] = set()
    for parameter in evaluation.value_local:
        component_class = CONSTRAINT_PARAMETERS_MAP[parameter]
        if component_class in done:
            continue
        done.add(component_class)
        with shapes_errors():
            component = component_class(shape)
        _conforms, reports = component.evaluate(executor, empty, {_DUMMY_FOCUS: values}, [shape, component])
        for _text, result_node, parts in reports:
            value = None
            message = None
            source_component = component.shacl_constraint_component
            for subject, predicate, obj in parts:
                if subject != result_node:
                    continue
                if isinstance(obj, tuple):
                    obj = obj[1]
                if predicate == SH.value:
                    value = obj
                elif predicate == SH.resultMessage and message is None:
                    message = str(obj)
                elif predicate == SH.sourceConstraintComponent:
                    source_component = obj
            if value is not None:
                failing.append((source_component, value, message))
    return failing


# --- moving data between rdflib and Oxigraph -----------------------------------------------------


#: Oxigraph stores typed literals by value: "4.0"^^xsd:decimal comes back as "4"^^xsd:decimal,
#: "1"^^xsd:boolean as "true", "300"^^xsd:byte as an xsd:integer. Keyed by the stored form, the
#: original literals, for every literal whose stored form differs.
LiteralMap = dict[str, list[Literal]]

_XSD_STRING = URIRef("http://www.w3.org/2001/XMLSchema#string")


#: Lexical forms Oxigraph stores unchanged, by datatype (checked without a scratch store: the loaders
#: write such literals by the hundred thousand). Integers up to 18 digits: longer ones may overflow.
_CANONICAL_FORMS: dict[str, re.Pattern[str]] = {
    "http://www.w3.org/2001/XMLSchema#integer": re.compile(r"0|-?[1-9][0-9]{0,17}"),
    "http://www.w3.org/2001/XMLSchema#dateTime": re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z"),
    "http://www.w3.org/2001/XMLSchema#date": re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}"),
}


def _surely_canonical(literal: Literal) -> bool:
    form = _CANONICAL_FORMS.get(str(literal.datatype))
    return form is not None and not literal.ill_typed and form.fullmatch(str(literal)) is not None


def canonical_literals(literals: Iterable[Literal]) -> LiteralMap:
    """Which typed literals Oxigraph would store in another form, keyed by that form.

    >>> from rdflib.namespace import XSD
    >>> sorted(canonical_literals([Literal("007", datatype=XSD.integer, normalize=False),
    ...                            Literal("7", datatype=XSD.integer),
    ...                            Literal("2024-01-02T03:04:05.000Z", datatype=XSD.dateTime, normalize=False)]))
    ['"2024-01-02T03:04:05Z"^^<http://www.w3.org/2001/XMLSchema#dateTime>', '"7"^^<http://www.w3.org/2001/XMLSchema#integer>']
    """
    literals = [lit for lit in literals if not _surely_canonical(lit)]
    if not literals:
        return {}
    scratch = ox.Store()
    predicate = ox.NamedNode("urn:odlm-kg:literal")
    scratch.bulk_extend(ox.Quad(ox.NamedNode(f"urn:odlm-kg:literal:{i}"), predicate, to_oxigraph(lit))
                        for i, lit in enumerate(literals))
    out: LiteralMap = {}
    for quad in scratch:
        original = literals[int(quad.subject.value.rsplit(":", 1)[1])]
        stored = quad.object
        # keep ill-typed literals too: pySHACL reads rdflib's ill_typed flag, which a fresh
        # literal made from rdflib's normalised lexical form would lose
        if str(stored) != str(to_oxigraph(original)) or getattr(original, "ill_typed", False):
            out.setdefault(str(stored), []).append(original)
    return out


def literal_as_written(term: ox.Literal) -> Literal:
    """The rdflib literal for an Oxigraph literal, keeping its lexical form as written."""
    if term.language:
        return Literal(term.value, lang=term.language)
    datatype = term.datatype.value
    if datatype == str(_XSD_STRING):
        return Literal(term.value)
    return Literal(term.value, datatype=URIRef(datatype), normalize=False)


def is_typed(term: object) -> bool:
    """A literal Oxigraph may store in another form: typed, neither a plain nor a language-tagged string."""
    return isinstance(term, ox.Literal) and not term.language and term.datatype.value != _XSD_STRING_IRI


def canonical_oxigraph_literals(literals: Iterable[ox.Literal]) -> LiteralMap:
    """:func:`canonical_literals` for literals as Oxigraph's parser gives them (before storing)."""
    distinct = list({str(lit): lit for lit in literals}.values())
    if not distinct:
        return {}
    scratch = ox.Store()
    predicate = ox.NamedNode("urn:odlm-kg:literal")
    scratch.bulk_extend(ox.Quad(ox.NamedNode(f"urn:odlm-kg:literal:{i}"), predicate, lit)
                        for i, lit in enumerate(distinct))
    out: LiteralMap = {}
    for quad in scratch:
        original = distinct[int(quad.subject.value.rsplit(":", 1)[1])]
        written = literal_as_written(original)
        if str(quad.object) != str(original) or getattr(written, "ill_typed", False):
            out.setdefault(str(quad.object), []).append(written)
    return out


def store_from_graphs(*graphs: Graph | None) -> tuple[ox.Store, LiteralMap]:
    """An in-memory Oxigraph store holding the triples of ``graphs`` in its default graph."""
    store = ox.Store()
    typed: set[Literal] = set()
    named_node, blank_node = ox.NamedNode, ox.BlankNode
    named: dict[str, ox.NamedNode] = {}  # keyed by the plain string: rdflib terms hash slowly
    plain = str.__str__

    def convert(term: Node) -> object:
        kind = type(term)
        if kind is URIRef:
            key = plain(term)
            found = named.get(key)
            if found is None:
                found = named[key] = named_node(key)
            return found
        if kind is BNode:
            return blank_node(term)
        if isinstance(term, Literal) and term.datatype is not None and term.datatype != _XSD_STRING:
            typed.add(term)
        return to_oxigraph(term)

    literal_map: LiteralMap = {}
    for graph in graphs:
        if graph is None or len(graph) == 0:
            continue
        cached = _CONVERTED.get(id(graph))
        if cached is not None and cached[0] is graph and cached[1] == len(graph):
            store.bulk_extend(cached[2])
            for key, originals in cached[3].items():
                literal_map.setdefault(key, []).extend(originals)
            continue
        # generalised triples (a literal as subject, which RDFS inference writes) cannot be stored
        store.bulk_extend(ox.Quad(convert(s), convert(p), convert(o))  # type: ignore[arg-type]
                          for s, p, o in graph if not isinstance(s, Literal) and isinstance(p, URIRef))
    for key, originals in canonical_literals(typed).items():
        literal_map.setdefault(key, []).extend(originals)
    return store, literal_map


#: Converted quads of graphs validated again and again (the ontology), by id: (graph, size, quads, map).
_CONVERTED: dict[int, tuple[Graph, int, list[ox.Quad], LiteralMap]] = {}


def remember_conversion(graph: Graph) -> None:
    """Keep ``graph`` converted to Oxigraph terms, for graphs that are part of every validation."""
    if id(graph) in _CONVERTED:
        return
    typed = {o for o in graph.objects() if isinstance(o, Literal) and o.datatype is not None
             and o.datatype != _XSD_STRING}
    quads = [ox.Quad(to_oxigraph(s), to_oxigraph(p), to_oxigraph(o))  # type: ignore[arg-type]
             for s, p, o in graph if not isinstance(s, Literal) and isinstance(p, URIRef)]
    _CONVERTED[id(graph)] = (graph, len(graph), quads, canonical_literals(typed))


def graph_from_store(store: ox.Store) -> Graph:
    graph = Graph()
    for quad in store:
        graph.add((to_rdflib(quad.subject), to_rdflib(quad.predicate), to_rdflib(quad.object)))
    return graph
