"""The ontology quality gate: every RDF file parses, SPARQL violation queries find nothing, HermiT agrees.

The gate has three parts, each usable on its own (the tests in ``tests/test_ontology_gate.py`` run them
all and fail the build on any finding):

- :func:`parse_problems` reads RDF files and returns one message per file that does not parse, naming
  the file, line and column;
- :func:`violations` runs one SPARQL query per rule (``ontology/checks/*.rq``) over the ontology, the
  vocabularies, the alignments and a *usage graph* that records which ODLM terms, vocabulary IRIs and
  schema.org IRIs the project's files mention (:func:`usage_graph`), and returns the offending terms;
- :func:`reason_with_hermit` hands a graph to HermiT through owlready2 and reports consistency, time
  and the inferred types of the individuals.

>>> [check.name for check in violation_checks()][:2]
['broader-cycle', 'concept-outside-scheme']
>>> mentions_in_text('x = ODLM.sharedAt  # see odlm:licence', suffix=".py")
[(1, 'https://w3id.org/odlm#licence'), (1, 'https://w3id.org/odlm#sharedAt')]
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from time import perf_counter

from rdflib import OWL, RDF, RDFS, Graph, Literal, Namespace, URIRef

import odlm_kg
from odlm_kg.errors import InputError, OdlmError
from odlm_kg.namespaces import ODLM, VOCAB
from odlm_kg.ontology import (
    ALIGN_GRAPH,
    ONTOLOGY_GRAPH,
    VOCAB_GRAPH,
    alignment_graph,
    core_graph,
    vocabulary_graph,
)
from odlm_kg.rdf_formats import EXTENSIONS, guess_format, read_graph
from odlm_kg.resources import resource_dir
from odlm_kg.store import OxigraphStore, Store
from odlm_kg.store.base import SelectResult

#: Terms of the usage graph: ``[] gate:term <iri> ; gate:file "path" ; gate:line 12``.
GATE = Namespace("urn:odlm:gate#")
USAGE_GRAPH = URIRef("urn:odlm:gate:usage")

#: Files the usage scan reads as text (RDF files are parsed instead, so prefixed names are resolved).
TEXT_SUFFIXES = frozenset({".py", ".rq", ".sparql", ".yaml", ".yml", ".csv", ".tsv", ".json", ".md", ".txt"})

#: RDF files larger than this are checked with Oxigraph's parser only (rdflib is slow on big files).
RDFLIB_PARSE_LIMIT = 2_000_000

_SCHEMA_HTTPS = "https" + "://schema.org"  # split so that this file does not mention it
_ODLM_BASE = "https://w3id.org/odlm"

_TERM_PATTERNS: dict[str, list[re.Pattern[str]]] = {
    # pattern group 1 is a local name in the odlm# namespace
    "odlm": [
        re.compile(r"https://w3id\.org/odlm#([A-Za-z_][A-Za-z0-9_]*)"),
        re.compile(r"(?<![\w/#.:-])odlm:([A-Za-z_][A-Za-z0-9_]*)"),
    ],
    "odlm-py": [
        re.compile(r"\bODLM\.([A-Za-z_][A-Za-z0-9_]*)"),
        re.compile(r"\bODLM\[\s*[\"']([A-Za-z_][A-Za-z0-9_]*)[\"']\s*\]"),
    ],
}
# groups: scheme, optional concept
_VOCAB_PATTERNS = [
    re.compile(r"https://w3id\.org/odlm/vocab/([a-z0-9][a-z0-9-]*)(?:/([A-Za-z0-9_]+))?"),
]
_VOCAB_PY_PATTERNS = [
    re.compile(r"\bvocab_iri\(\s*[\"']([a-z0-9][a-z0-9-]*)[\"']\s*(?:,\s*[\"']([A-Za-z0-9_]+)[\"']\s*)?\)"),
    re.compile(r"\bVOCAB\[\s*[\"']([a-z0-9][a-z0-9-]*)(?:/([A-Za-z0-9_]+))?[\"']\s*\]"),
]
_SCHEMA_PATTERN = re.compile(re.escape(_SCHEMA_HTTPS) + r"/?[^\s\"'<>)\]},;]*")
_PREFIX_PATTERN = re.compile(r"(?i)(?:@prefix|\bPREFIX)\s+([A-Za-z][\w-]*)?:\s*<(https://w3id\.org/odlm[^>]*)>")


# ----------------------------------------------------------------------------------------------------
# Parsing
# ----------------------------------------------------------------------------------------------------


def gate_roots() -> list[Path]:
    """Folders whose files the gate checks: the shipped ontology, shapes, queries and the package."""
    roots = [resource_dir("ontology"), resource_dir("shapes"), resource_dir("queries")]
    roots.append(Path(odlm_kg.__file__).resolve().parent)
    return [root for root in roots if root.is_dir()]


def project_files(roots: Iterable[Path] | None = None) -> list[Path]:
    """Every file under the gate's roots that is RDF or text the usage scan reads (no caches)."""
    found: set[Path] = set()
    for root in roots if roots is not None else gate_roots():
        for path in root.rglob("*"):
            if not path.is_file() or "__pycache__" in path.parts:
                continue
            if _is_rdf(path) or _plain_suffix(path) in TEXT_SUFFIXES:
                found.add(path)
    return sorted(found)


def rdf_files(roots: Iterable[Path] | None = None) -> list[Path]:
    """The RDF files among :func:`project_files`."""
    return [path for path in project_files(roots) if _is_rdf(path)]


def _plain_suffix(path: Path) -> str:
    suffixes = [s.lower() for s in path.suffixes]
    if suffixes and suffixes[-1] == ".gz":
        suffixes = suffixes[:-1]
    return suffixes[-1] if suffixes else ""


def _is_rdf(path: Path) -> bool:
    suffix = _plain_suffix(path)
    return suffix in EXTENSIONS and suffix not in {".json", ".xml"}


def parse_problem(path: Path) -> str | None:
    """None when the RDF file parses, else a message naming the file, the line and what went wrong.

    Small files go through rdflib (what the package reads them with) and Oxigraph (stricter); big ones
    through Oxigraph only.
    """
    import pyoxigraph as ox

    from odlm_kg.rdf_formats import read_bytes
    from odlm_kg.store.oxigraph import OX_FORMATS

    try:
        fmt = guess_format(path)
        data = read_bytes(path)
        try:
            for _ in ox.parse(data, OX_FORMATS[fmt], base_iri=path.resolve().as_uri()):
                pass
        except SyntaxError as exc:
            return f"{path}: not valid {fmt}: {str(exc).split(' (line', 1)[0]}"
        if len(data) <= RDFLIB_PARSE_LIMIT:
            read_graph(path, fmt)
    except InputError as exc:
        return str(exc)
    return None


def parse_problems(paths: Iterable[Path]) -> list[str]:
    """One message per file that does not parse."""
    return [problem for path in paths if (problem := parse_problem(path)) is not None]


# ----------------------------------------------------------------------------------------------------
# Usage graph: which ODLM terms, vocabulary IRIs and schema.org IRIs the project's files mention
# ----------------------------------------------------------------------------------------------------


def _vocab_mention(scheme: str, concept: str | None) -> str:
    return f"{VOCAB}{scheme}" if concept is None else f"{VOCAB}{scheme}/{concept}"


def mentions_in_text(text: str, suffix: str) -> list[tuple[int, str]]:
    """(line, IRI) of every ODLM term, vocabulary IRI and https schema.org IRI in a text file.

    Prefixes declared in the text (Turtle ``@prefix``, SPARQL ``PREFIX``) that point into the ODLM
    namespaces are resolved; in Python, attribute and item access on the ``ODLM`` namespace, calls of
    ``vocab_iri`` with literal arguments and items of ``VOCAB`` count as mentions too.
    """
    prefixes = {name or "": iri for name, iri in _PREFIX_PATTERN.findall(text)}
    prefixed = [
        (re.compile(r"(?<![\w/#.:-])" + re.escape(name) + r":([A-Za-z_][A-Za-z0-9_-]*)"), iri)
        for name, iri in prefixes.items()
        if name and name != "odlm"
    ]
    term_patterns = _TERM_PATTERNS["odlm"] + (_TERM_PATTERNS["odlm-py"] if suffix == ".py" else [])
    vocab_patterns = _VOCAB_PATTERNS + (_VOCAB_PY_PATTERNS if suffix == ".py" else [])
    found: list[tuple[int, str]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if _PREFIX_PATTERN.search(line):
            continue
        for pattern in term_patterns:
            found.extend((number, f"{ODLM}{m.group(1)}") for m in pattern.finditer(line))
        for pattern in vocab_patterns:
            found.extend((number, _vocab_mention(m.group(1), m.group(2))) for m in pattern.finditer(line))
        for pattern, iri in prefixed:
            found.extend((number, f"{iri}{m.group(1)}") for m in pattern.finditer(line))
        found.extend((number, m.group(0)) for m in _SCHEMA_PATTERN.finditer(line))
    return found


def _interesting(iri: str) -> bool:
    return iri.startswith((f"{ODLM}", f"{VOCAB}", _SCHEMA_HTTPS))


def _iris_of_rdf_file(path: Path) -> set[str]:
    import pyoxigraph as ox

    from odlm_kg.rdf_formats import read_bytes
    from odlm_kg.store.oxigraph import OX_FORMATS

    iris: set[str] = set()
    data = read_bytes(path)
    for quad in ox.parse(data, OX_FORMATS[guess_format(path)], base_iri=path.resolve().as_uri()):
        for term in (quad.subject, quad.predicate, quad.object, getattr(quad, "graph_name", None)):
            if isinstance(term, ox.NamedNode) and _interesting(term.value):
                iris.add(term.value)
            elif isinstance(term, ox.Literal) and term.datatype.value.startswith(_ODLM_BASE):
                iris.add(term.datatype.value)
    return iris


def _line_of(lines: list[str], iri: str) -> int:
    """Best guess of the line an IRI appears on in a Turtle-like text (full IRI, else its local name)."""
    local = re.split(r"[#/]", iri)[-1]
    for needle in (iri, f":{local}"):
        for number, line in enumerate(lines, start=1):
            if needle in line and not _PREFIX_PATTERN.search(line):
                return number
    return 0


def file_mentions(path: Path) -> Iterator[tuple[int, str]]:
    """(line, IRI) mentions of one file: parsed when it is RDF, scanned as text otherwise."""
    if _is_rdf(path):
        try:
            iris = _iris_of_rdf_file(path)
        except (SyntaxError, InputError, ValueError):
            return  # unparseable files are reported by parse_problems
        text = path.read_text(encoding="utf-8", errors="replace") if path.suffix != ".gz" else ""
        # schema.org IRIs written with a prefix are resolved by the parser; raw text catches the rest
        lines = text.splitlines()
        for iri in sorted(iris):
            yield _line_of(lines, iri), iri
        yield from ((n, i) for n, i in mentions_in_text(text, ".ttl") if i.startswith(_SCHEMA_HTTPS))
        return
    text = path.read_text(encoding="utf-8", errors="replace")
    yield from mentions_in_text(text, _plain_suffix(path))


def usage_graph(paths: Iterable[Path] | None = None, base: Path | None = None) -> Graph:
    """A graph of mentions: one blank node per (file, line, IRI) with ``gate:term/file/line``."""
    from rdflib import BNode

    graph = Graph()
    graph.bind("gate", GATE)
    for path in paths if paths is not None else project_files():
        shown = _relative(path, base)
        for line, iri in set(file_mentions(path)):
            use = BNode()
            graph.add((use, GATE["term"], URIRef(iri)))
            graph.add((use, GATE["file"], Literal(shown)))
            graph.add((use, GATE["line"], Literal(line)))
    return graph


def _relative(path: Path, base: Path | None) -> str:
    for root in [base] if base is not None else [*gate_roots(), Path.cwd()]:
        if root is None:
            continue
        try:
            return str(path.resolve().relative_to(root.resolve().parent))
        except ValueError:
            continue
    return str(path)


# ----------------------------------------------------------------------------------------------------
# Violation queries
# ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ViolationCheck:
    """One rule: a SELECT query returning ``?term`` and ``?message`` (and optionally ``?where``)."""

    name: str
    path: Path
    text: str
    title: str = ""


@dataclass(frozen=True)
class Violation:
    check: str
    term: str
    message: str
    where: str = ""

    def __str__(self) -> str:
        where = f" ({self.where})" if self.where else ""
        return f"[{self.check}] {self.term}: {self.message}{where}"


def checks_dir() -> Path:
    return resource_dir("ontology") / "checks"


def violation_checks() -> list[ViolationCheck]:
    """The rules in ``ontology/checks/*.rq``; a ``# title:`` comment line names what each looks for."""
    checks = []
    for path in sorted(checks_dir().glob("*.rq")):
        text = path.read_text(encoding="utf-8")
        title = next((line.split(":", 1)[1].strip() for line in text.splitlines()
                      if line.startswith("# title:")), "")
        checks.append(ViolationCheck(path.stem, path, text, title))
    return checks


def gate_store(usage: Graph | None = None) -> OxigraphStore:
    """An in-memory Oxigraph store with core, vocabularies, alignments and usage, each in its named graph.

    Queries see the union of the graphs as their default graph; ``GRAPH`` picks one part.
    """
    store = OxigraphStore()
    parts: list[tuple[URIRef, Graph]] = [
        (ONTOLOGY_GRAPH, core_graph()),
        (VOCAB_GRAPH, vocabulary_graph()),
        (ALIGN_GRAPH, alignment_graph()),
        (USAGE_GRAPH, usage if usage is not None else usage_graph()),
    ]
    for iri, graph in parts:
        store.add_graph(graph, iri)
    return store


def run_check(check: ViolationCheck, store: Store) -> list[Violation]:
    """Offenders of one rule, sorted."""
    result = store.query(check.text)
    if not isinstance(result, SelectResult):
        raise OdlmError(f"{check.path}: a violation query must be a SELECT query")
    found = {
        Violation(check.name, str(row.get("term", "")), str(row.get("message", "")), str(row.get("where") or ""))
        for row in result.rows
    }
    return sorted(found, key=lambda v: (v.term, v.message, v.where))


def violations(store: Store | None = None) -> dict[str, list[Violation]]:
    """Every rule's offenders, by rule name."""
    store = store if store is not None else gate_store()
    return {check.name: run_check(check, store) for check in violation_checks()}


# ----------------------------------------------------------------------------------------------------
# Reasoning
# ----------------------------------------------------------------------------------------------------


@dataclass
class ReasonerResult:
    consistent: bool
    seconds: float
    message: str = ""
    #: individual IRI -> IRIs of all its classes, asserted and inferred (only when consistent)
    types: dict[str, set[str]] = field(default_factory=dict)


_META_TYPES = frozenset({
    OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty, OWL.Ontology,
    OWL.NamedIndividual, OWL.Restriction, OWL.FunctionalProperty, OWL.InverseFunctionalProperty,
    OWL.TransitiveProperty, OWL.SymmetricProperty, OWL.AsymmetricProperty, OWL.ReflexiveProperty,
    OWL.IrreflexiveProperty, OWL.AllDisjointClasses, OWL.AllDifferent, OWL.Axiom, RDFS.Datatype, RDFS.Class,
    RDF.Property,
})


def with_individuals_declared(graph: Graph) -> Graph:
    """A copy of the graph where every IRI typed with a domain class is also an ``owl:NamedIndividual``.

    owlready2 lists as individuals only what is declared so; OWL itself infers it from the class assertion.
    """
    declared = Graph()
    declared += graph
    for subject, kind in graph.subject_objects(RDF.type):
        if isinstance(subject, URIRef) and kind not in _META_TYPES:
            declared.add((subject, RDF.type, OWL.NamedIndividual))
    return declared


def reason_with_hermit(graph: Graph, java_memory_mb: int = 1000) -> ReasonerResult:
    """Run HermiT (through owlready2) on a graph: consistency, and every individual's classes after it."""
    import owlready2
    from owlready2 import OwlReadyInconsistentOntologyError, World, sync_reasoner_hermit

    owlready2.reasoning.JAVA_MEMORY = java_memory_mb
    graph = with_individuals_declared(graph)
    with tempfile.TemporaryDirectory(prefix="odlm-hermit-") as tmp:
        path = Path(tmp) / "ontology.nt"
        path.write_text(graph.serialize(format="nt"), encoding="utf-8")
        world = World()
        try:
            world.get_ontology(path.as_uri()).load()
            start = perf_counter()
            try:
                sync_reasoner_hermit(world, infer_property_values=False, debug=0)
            except OwlReadyInconsistentOntologyError as exc:
                return ReasonerResult(False, perf_counter() - start, str(exc) or "HermiT: inconsistent")
            seconds = perf_counter() - start
            types = {
                individual.iri: {cls.iri for cls in individual.INDIRECT_is_a if hasattr(cls, "iri")}
                for individual in world.individuals()
            }
            return ReasonerResult(True, seconds, "", types)
        finally:
            world.close()


def owl_entities(graph: Graph) -> dict[str, list[URIRef]]:
    """The ODLM classes, object properties and datatype properties a graph declares, sorted."""
    kinds = {"classes": OWL.Class, "object_properties": OWL.ObjectProperty,
             "datatype_properties": OWL.DatatypeProperty}
    return {
        name: sorted(s for s in graph.subjects(RDF.type, kind) if isinstance(s, URIRef) and s.startswith(str(ODLM)))
        for name, kind in kinds.items()
    }
