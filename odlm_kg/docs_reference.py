"""Generate the ontology reference (HTML and Markdown) and a class diagram (Mermaid) from the ontology.

Everything is read from the shipped ontology files, so the reference and the diagram cannot drift from
them: classes, object and datatype properties (with definitions, sources, domains, ranges, super- and
sub-terms, the defining axioms of defined classes and the alignments to other vocabularies), the SKOS
concept schemes with their concepts, and the works the terms cite.

pyLODE 3 was the first choice; its 3.4.1 wheel cannot be imported (its version module reads a
``pyproject.toml`` that the wheel does not contain), so the ``builtin`` engine (jinja2) is the default
and ``pylode`` is tried only on request.

>>> reference = collect_reference()
>>> any(term.curie == "odlm:DeepLearningModel" for term in reference.classes)
True
>>> "classDiagram" in mermaid_class_diagram(reference)
True
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import jinja2
from rdflib import OWL, RDF, RDFS, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import DCTERMS, SKOS
from rdflib.term import Node

from odlm_kg.errors import OdlmError
from odlm_kg.namespaces import ODLM, ONTOLOGY_IRI, PREFIXES, VOCAB
from odlm_kg.ontology import alignment_paths, core_graph, vocabulary_graph
from odlm_kg.rdf_formats import read_graph

ENGINES = ("builtin", "pylode")

#: Files ``write_reference`` produces, relative to the output folder.
OUTPUT_FILES = ("index.html", "ontology.md", "diagram.md")

_EXTRA_PREFIXES = {
    "work": "https://w3id.org/odlm/id/work/",
    "it6": "http://data.europa.eu/it6/",
    "spdx-terms": "http://spdx.org/rdf/terms#",
}


# ----------------------------------------------------------------------------------------------------
# What the reference shows
# ----------------------------------------------------------------------------------------------------


@dataclass
class Link:
    iri: str
    text: str
    anchor: str = ""  # "#..." when the target is described in the reference itself

    @property
    def href(self) -> str:
        return self.anchor or self.iri


@dataclass
class Term:
    iri: str
    curie: str
    kind: str  # "class", "object property", "datatype property"
    label: str
    definition: str
    notes: list[str] = field(default_factory=list)
    alt_labels: list[str] = field(default_factory=list)
    sources: list[Link] = field(default_factory=list)
    supers: list[Link] = field(default_factory=list)
    subs: list[Link] = field(default_factory=list)
    domain: list[Link] = field(default_factory=list)
    range: list[Link] = field(default_factory=list)
    in_domain_of: list[Link] = field(default_factory=list)
    in_range_of: list[Link] = field(default_factory=list)
    equivalent: list[str] = field(default_factory=list)
    characteristics: list[str] = field(default_factory=list)
    disjoint: list[Link] = field(default_factory=list)
    alignments: list[tuple[str, Link, str]] = field(default_factory=list)  # (relation, target, module)

    @property
    def anchor(self) -> str:
        return self.curie.split(":", 1)[1]


@dataclass
class Concept:
    iri: str
    anchor: str
    label: str
    definition: str
    alt_labels: list[str] = field(default_factory=list)
    hidden_labels: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    types: list[Link] = field(default_factory=list)
    broader: list[Link] = field(default_factory=list)
    kinds: list[Link] = field(default_factory=list)
    sources: list[Link] = field(default_factory=list)


@dataclass
class Scheme:
    iri: str
    anchor: str
    title: str
    description: str
    concepts: list[Concept] = field(default_factory=list)


@dataclass
class Source:
    iri: str
    anchor: str
    title: str
    details: list[str] = field(default_factory=list)


@dataclass
class AlignmentModule:
    iri: str
    title: str
    file: str
    axioms: list[tuple[str, str, str]] = field(default_factory=list)  # (subject, relation, object) as curies


@dataclass
class Reference:
    iri: str
    title: str
    version: str
    version_iri: str
    description: str
    license: str
    classes: list[Term]
    object_properties: list[Term]
    datatype_properties: list[Term]
    schemes: list[Scheme]
    sources: list[Source]
    alignments: list[AlignmentModule]
    prefixes: dict[str, str]

    @property
    def terms(self) -> list[Term]:
        return self.classes + self.object_properties + self.datatype_properties


# ----------------------------------------------------------------------------------------------------
# Reading the ontology
# ----------------------------------------------------------------------------------------------------


def _prefixes() -> dict[str, str]:
    chosen = dict(PREFIXES)
    chosen.update(_EXTRA_PREFIXES)
    return chosen


def curie(iri: Node, prefixes: dict[str, str] | None = None) -> str:
    """Shortest prefixed name of an IRI, or the IRI itself.

    >>> curie(ODLM.sharedAt)
    'odlm:sharedAt'
    >>> curie(URIRef("https://w3id.org/odlm/vocab/motivation/Altruism"))
    'motivation:Altruism'
    """
    text = str(iri)
    if text.startswith(str(VOCAB)):
        rest = text[len(str(VOCAB)):]
        return rest.replace("/", ":", 1) if "/" in rest else f"vocab:{rest}"
    best = text
    for name, namespace in (prefixes or _prefixes()).items():
        if text.startswith(namespace) and len(text) > len(namespace):
            candidate = f"{name}:{text[len(namespace):]}"
            if len(candidate) < len(best):
                best = candidate
    return best


def _text(graph: Graph, subject: Node, *predicates: URIRef) -> str:
    """The English (or language-less) value of the first predicate that has one."""
    for predicate in predicates:
        values = [o for o in graph.objects(subject, predicate) if isinstance(o, Literal)]
        for wanted in ("en", None):
            for value in sorted(values):
                if value.language == wanted:
                    return str(value)
        if values:
            return str(sorted(values)[0])
    return ""


def _texts(graph: Graph, subject: Node, predicate: URIRef) -> list[str]:
    return sorted({str(o) for o in graph.objects(subject, predicate) if isinstance(o, Literal)})


def _anchor_of(iri: str) -> str:
    if iri.startswith(str(ODLM)):
        return "#" + iri[len(str(ODLM)):]
    if iri.startswith(str(VOCAB)):
        return "#" + re.sub(r"[^A-Za-z0-9_-]", "-", iri[len(str(VOCAB)):])
    if iri.startswith(_EXTRA_PREFIXES["work"]):
        return "#source-" + iri[len(_EXTRA_PREFIXES["work"]):]
    return ""


def _links(iris: Iterable[Node], described: set[str]) -> list[Link]:
    links = []
    for iri in iris:
        if not isinstance(iri, URIRef):
            continue
        anchor = _anchor_of(str(iri)) if str(iri) in described else ""
        links.append(Link(str(iri), curie(iri), anchor))
    return sorted(links, key=lambda link: link.text.lower())


def class_expression(graph: Graph, node: Node) -> str:
    """A class expression in Manchester-like syntax (named classes as prefixed names)."""
    if isinstance(node, URIRef):
        return curie(node)
    if (node, OWL.intersectionOf, None) in graph:
        items = Collection(graph, graph.value(node, OWL.intersectionOf))
        return " and ".join(_parenthesised(graph, item) for item in items)
    if (node, OWL.unionOf, None) in graph:
        items = Collection(graph, graph.value(node, OWL.unionOf))
        return " or ".join(_parenthesised(graph, item) for item in items)
    if (node, OWL.complementOf, None) in graph:
        return "not " + _parenthesised(graph, graph.value(node, OWL.complementOf))
    if (node, OWL.oneOf, None) in graph:
        return "{" + ", ".join(curie(i) for i in Collection(graph, graph.value(node, OWL.oneOf))) + "}"
    prop = graph.value(node, OWL.onProperty)
    if prop is not None:
        name = curie(prop)
        for predicate, word in ((OWL.someValuesFrom, "some"), (OWL.allValuesFrom, "only")):
            filler = graph.value(node, predicate)
            if filler is not None:
                return f"{name} {word} {_parenthesised(graph, filler)}"
        value = graph.value(node, OWL.hasValue)
        if value is not None:
            return f"{name} value {curie(value) if isinstance(value, URIRef) else repr(str(value))}"
        for predicate, word in ((OWL.minCardinality, "min"), (OWL.maxCardinality, "max"),
                                (OWL.cardinality, "exactly"), (OWL.minQualifiedCardinality, "min"),
                                (OWL.maxQualifiedCardinality, "max"), (OWL.qualifiedCardinality, "exactly")):
            number = graph.value(node, predicate)
            if number is not None:
                filler = graph.value(node, OWL.onClass)
                tail = f" {_parenthesised(graph, filler)}" if filler is not None else ""
                return f"{name} {word} {number}{tail}"
    return "(anonymous class)"


def _parenthesised(graph: Graph, node: Node) -> str:
    text = class_expression(graph, node)
    return text if isinstance(node, URIRef) else f"({text})"


def _named_operands(graph: Graph, node: Node) -> list[URIRef]:
    if isinstance(node, URIRef):
        return [node]
    if (node, OWL.intersectionOf, None) in graph:
        return [i for i in Collection(graph, graph.value(node, OWL.intersectionOf)) if isinstance(i, URIRef)]
    return []


def _odlm_subjects(graph: Graph, kind: URIRef) -> list[URIRef]:
    return sorted(s for s in graph.subjects(RDF.type, kind) if isinstance(s, URIRef) and s.startswith(str(ODLM)))


def collect_reference(core: Graph | None = None, vocab: Graph | None = None) -> Reference:
    """Everything the reference shows, read from the ontology graphs (the shipped ones by default);
    the alignment modules are read one file at a time, to name the module of each axiom."""
    core = core if core is not None else core_graph()
    vocab = vocab if vocab is not None else vocabulary_graph()
    everything = core + vocab

    classes = _odlm_subjects(core, OWL.Class)
    object_properties = _odlm_subjects(core, OWL.ObjectProperty)
    datatype_properties = _odlm_subjects(core, OWL.DatatypeProperty)
    schemes = sorted(s for s in vocab.subjects(RDF.type, SKOS.ConceptScheme) if isinstance(s, URIRef))
    concept_iris = {str(c) for c in vocab.subjects(SKOS.inScheme, None)}
    source_iris = sorted({o for o in everything.objects(None, DCTERMS.source) if isinstance(o, URIRef)}
                         | {s for s in core.subjects(None, None) if isinstance(s, URIRef)
                            and str(s).startswith(_EXTRA_PREFIXES["work"])})
    described = ({str(t) for t in classes + object_properties + datatype_properties} | concept_iris
                 | {str(s) for s in schemes} | {str(s) for s in source_iris})

    def links(iris: Iterable[Node]) -> list[Link]:
        return _links(iris, described)

    module_of: dict[tuple[Node, Node, Node], str] = {}
    modules: list[AlignmentModule] = []
    for path in alignment_paths():
        module = read_graph(path)
        iri = next(iter(module.subjects(RDF.type, OWL.Ontology)), URIRef(path.stem))
        axioms = []
        for triple in sorted(module):
            s, p, o = triple
            if p in (RDFS.subClassOf, RDFS.subPropertyOf, OWL.equivalentClass, OWL.equivalentProperty,
                     RDFS.seeAlso) and s != iri:
                axioms.append((curie(s), curie(p), curie(o)))
                module_of[triple] = path.stem
            elif p == RDF.type and o not in (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty,
                                             OWL.AnnotationProperty, OWL.NamedIndividual, OWL.Ontology):
                axioms.append((curie(s), "rdf:type", curie(o)))
                module_of[triple] = path.stem
        modules.append(AlignmentModule(str(iri), _text(module, iri, DCTERMS.title), path.name, axioms))

    def alignments_of(term: URIRef) -> list[tuple[str, Link, str]]:
        found = []
        for triple, module in module_of.items():
            s, p, o = triple
            if s == term and p != RDF.type:
                found.append((curie(p), Link(str(o), curie(o)), module))
            elif o == term and p in (RDFS.subClassOf, RDFS.subPropertyOf):
                found.append((f"inverse of {curie(p)}", Link(str(s), curie(s)), module))
        return sorted(found, key=lambda item: (item[2], item[0], item[1].text))

    def term(iri: URIRef, kind: str) -> Term:
        sub_predicate = RDFS.subClassOf if kind == "class" else RDFS.subPropertyOf
        equivalents = [e for e in core.objects(iri, OWL.equivalentClass)]
        supers = {o for o in core.objects(iri, sub_predicate) if isinstance(o, URIRef)}
        for expression in equivalents:
            supers.update(op for op in _named_operands(core, expression) if op != iri)
        subs = {s for s in core.subjects(sub_predicate, iri) if isinstance(s, URIRef)}
        for candidate in classes if kind == "class" else []:
            for expression in core.objects(candidate, OWL.equivalentClass):
                if iri in _named_operands(core, expression) and candidate != iri:
                    subs.add(candidate)
        characteristics = sorted(curie(t).split(":", 1)[1] for t in core.objects(iri, RDF.type)
                                 if t in (OWL.FunctionalProperty, OWL.InverseFunctionalProperty,
                                          OWL.TransitiveProperty, OWL.SymmetricProperty))
        notes = _texts(core, iri, SKOS.scopeNote) + _texts(core, iri, RDFS.comment) + _texts(core, iri, SKOS.note)
        in_domain = [p for p in object_properties + datatype_properties if (p, RDFS.domain, iri) in core]
        in_range = [p for p in object_properties if (p, RDFS.range, iri) in core]
        disjoint = set(core.objects(iri, OWL.disjointWith)) | set(core.subjects(OWL.disjointWith, iri))
        return Term(
            iri=str(iri), curie=curie(iri), kind=kind,
            label=_text(core, iri, RDFS.label, SKOS.prefLabel),
            definition=_text(core, iri, SKOS.definition, RDFS.comment),
            notes=notes, alt_labels=_texts(core, iri, SKOS.altLabel),
            sources=links(core.objects(iri, DCTERMS.source)),
            supers=links(supers), subs=links(subs),
            domain=links(core.objects(iri, RDFS.domain)), range=links(core.objects(iri, RDFS.range)),
            in_domain_of=links(in_domain) if kind == "class" else [],
            in_range_of=links(in_range) if kind == "class" else [],
            equivalent=[class_expression(core, e) for e in equivalents],
            characteristics=characteristics, disjoint=links(disjoint),
            alignments=alignments_of(iri),
        )

    scheme_entries = []
    for scheme in schemes:
        concepts = []
        members = sorted({c for c in vocab.subjects(SKOS.inScheme, scheme) if isinstance(c, URIRef)}
                         | {c for c in vocab.subjects(SKOS.topConceptOf, scheme) if isinstance(c, URIRef)})
        for concept in members:
            concepts.append(Concept(
                iri=str(concept), anchor=_anchor_of(str(concept))[1:],
                label=_text(vocab, concept, SKOS.prefLabel, RDFS.label),
                definition=_text(vocab, concept, SKOS.definition),
                alt_labels=_texts(vocab, concept, SKOS.altLabel),
                hidden_labels=_texts(vocab, concept, SKOS.hiddenLabel),
                notes=_texts(vocab, concept, SKOS.scopeNote),
                types=links(t for t in vocab.objects(concept, RDF.type) if t != SKOS.Concept),
                broader=links(vocab.objects(concept, SKOS.broader)),
                kinds=links(vocab.objects(concept, ODLM.reportedForKind)),
                sources=links(vocab.objects(concept, DCTERMS.source)),
            ))
        scheme_entries.append(Scheme(
            iri=str(scheme), anchor=_anchor_of(str(scheme))[1:],
            title=_text(vocab, scheme, SKOS.prefLabel, DCTERMS.title, RDFS.label) or curie(scheme),
            description=_text(vocab, scheme, DCTERMS.description, SKOS.definition, RDFS.comment),
            concepts=concepts,
        ))

    source_entries = []
    for iri in source_iris:
        details = [d for d in (_text(everything, iri, DCTERMS.bibliographicCitation),
                               ", ".join(_texts(everything, iri, DCTERMS.creator)),
                               _text(everything, iri, DCTERMS.issued, DCTERMS.date),
                               _text(everything, iri, ODLM.doi), _text(everything, iri, ODLM.arxivId)) if d]
        source_entries.append(Source(
            iri=str(iri), anchor=_anchor_of(str(iri))[1:] or curie(iri),
            title=_text(everything, iri, DCTERMS.title, RDFS.label) or curie(iri), details=details,
        ))

    ontology = ONTOLOGY_IRI
    return Reference(
        iri=str(ontology),
        title=_text(core, ontology, DCTERMS.title, RDFS.label),
        version=_text(core, ontology, OWL.versionInfo),
        version_iri=str(core.value(ontology, OWL.versionIRI) or ""),
        description=_text(core, ontology, DCTERMS.description),
        license=str(core.value(ontology, DCTERMS.license) or ""),
        classes=[term(c, "class") for c in classes],
        object_properties=[term(p, "object property") for p in object_properties],
        datatype_properties=[term(p, "datatype property") for p in datatype_properties],
        schemes=scheme_entries,
        sources=source_entries,
        alignments=modules,
        prefixes={k: v for k, v in sorted(_prefixes().items())},
    )


# ----------------------------------------------------------------------------------------------------
# Diagram
# ----------------------------------------------------------------------------------------------------


def _mermaid_name(link_or_curie: str) -> str:
    return re.sub(r"[^A-Za-z0-9_]", "_", link_or_curie.split(":", 1)[1] if link_or_curie.startswith("odlm:")
                  else link_or_curie)


def mermaid_class_diagram(reference: Reference) -> str:
    """A Mermaid ``classDiagram`` of every ODLM class: sub-classes, object properties between classes
    (an edge from domain to range), and datatype properties as attributes of their domain."""
    lines = ["classDiagram", "    direction LR"]
    attributes: dict[str, list[str]] = {}
    for prop in reference.datatype_properties:
        target = prop.range[0].text.split(":", 1)[-1] if prop.range else "literal"
        for domain in prop.domain:
            attributes.setdefault(domain.text, []).append(f"+{prop.anchor} {target}")
    for cls in reference.classes:
        name = _mermaid_name(cls.curie)
        members = attributes.get(cls.curie, [])
        if members:
            lines.append(f"    class {name} {{")
            lines.extend(f"        {member}" for member in sorted(members))
            lines.append("    }")
        else:
            lines.append(f"    class {name}")
        if cls.equivalent:
            lines.append(f"    <<defined>> {name}")
    for cls in reference.classes:
        for parent in cls.supers:
            lines.append(f"    {_mermaid_name(parent.text)} <|-- {_mermaid_name(cls.curie)}")
    for prop in reference.object_properties:
        domains = prop.domain or [Link("", "owl:Thing")]
        ranges = prop.range or [Link("", "owl:Thing")]
        for domain in domains:
            for range_ in ranges:
                lines.append(f"    {_mermaid_name(domain.text)} --> {_mermaid_name(range_.text)} : {prop.anchor}")
    return "\n".join(lines) + "\n"


# ----------------------------------------------------------------------------------------------------
# Rendering
# ----------------------------------------------------------------------------------------------------


_HTML = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{{ r.title }} — reference</title>
<style>
body { font-family: system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem; line-height: 1.45; color: #222; }
code, .iri { font-family: ui-monospace, monospace; font-size: 0.9em; }
section.term, section.concept { border-top: 1px solid #ddd; padding: 0.4rem 0; }
h3 { margin-bottom: 0.2rem; } h4 { margin: 0.6rem 0 0.2rem; }
dl { display: grid; grid-template-columns: 11rem 1fr; gap: 0.15rem 1rem; margin: 0.3rem 0; }
dt { color: #555; } dd { margin: 0; }
nav ul { columns: 3; } table { border-collapse: collapse; } td, th { border: 1px solid #ddd; padding: 0.2rem 0.5rem; text-align: left; }
</style>
</head>
<body>
<h1>{{ r.title }}</h1>
<dl>
<dt>IRI</dt><dd class="iri">{{ r.iri }}</dd>
<dt>version</dt><dd>{{ r.version }} (<span class="iri">{{ r.version_iri }}</span>)</dd>
<dt>licence</dt><dd><a href="{{ r.license }}">{{ r.license }}</a></dd>
</dl>
<p>{{ r.description }}</p>
<p>Generated by <code>odlm-kg docs</code> from the ontology files; do not edit by hand.</p>
<nav>
<h2>Contents</h2>
<ul>
<li><a href="#classes">Classes</a> ({{ r.classes|length }})</li>
<li><a href="#object-properties">Object properties</a> ({{ r.object_properties|length }})</li>
<li><a href="#datatype-properties">Datatype properties</a> ({{ r.datatype_properties|length }})</li>
<li><a href="#schemes">Concept schemes</a> ({{ r.schemes|length }})</li>
<li><a href="#alignments">Alignments</a> ({{ r.alignments|length }})</li>
<li><a href="#sources">Sources</a> ({{ r.sources|length }})</li>
<li><a href="#prefixes">Prefixes</a></li>
</ul>
</nav>
{% macro links(items) %}{% for l in items %}<a href="{{ l.href }}"><code>{{ l.text }}</code></a>{% if not loop.last %}, {% endif %}{% endfor %}{% endmacro %}
{% macro term_block(t) %}
<section class="term" id="{{ t.anchor }}">
<h3>{{ t.label }} <code>{{ t.curie }}</code></h3>
<p>{{ t.definition }}</p>
<dl>
<dt>IRI</dt><dd class="iri">{{ t.iri }}</dd>
{% if t.alt_labels %}<dt>also called</dt><dd>{{ t.alt_labels|join(", ") }}</dd>{% endif %}
{% for n in t.notes %}<dt>note</dt><dd>{{ n }}</dd>{% endfor %}
{% if t.equivalent %}<dt>defined as</dt><dd>{% for e in t.equivalent %}<code>{{ e }}</code>{% endfor %}</dd>{% endif %}
{% if t.supers %}<dt>{{ "sub-class of" if t.kind == "class" else "sub-property of" }}</dt><dd>{{ links(t.supers) }}</dd>{% endif %}
{% if t.subs %}<dt>{{ "super-class of" if t.kind == "class" else "super-property of" }}</dt><dd>{{ links(t.subs) }}</dd>{% endif %}
{% if t.disjoint %}<dt>disjoint with</dt><dd>{{ links(t.disjoint) }}</dd>{% endif %}
{% if t.domain %}<dt>domain</dt><dd>{{ links(t.domain) }}</dd>{% endif %}
{% if t.range %}<dt>range</dt><dd>{{ links(t.range) }}</dd>{% endif %}
{% if t.characteristics %}<dt>characteristics</dt><dd>{{ t.characteristics|join(", ") }}</dd>{% endif %}
{% if t.in_domain_of %}<dt>in the domain of</dt><dd>{{ links(t.in_domain_of) }}</dd>{% endif %}
{% if t.in_range_of %}<dt>in the range of</dt><dd>{{ links(t.in_range_of) }}</dd>{% endif %}
{% if t.sources %}<dt>source</dt><dd>{{ links(t.sources) }}</dd>{% endif %}
{% for rel, target, module in t.alignments %}<dt>{{ module }} alignment</dt><dd><code>{{ rel }}</code> <code>{{ target.text }}</code></dd>{% endfor %}
</dl>
</section>
{% endmacro %}
<h2 id="classes">Classes</h2>
{% for t in r.classes %}{{ term_block(t) }}{% endfor %}
<h2 id="object-properties">Object properties</h2>
{% for t in r.object_properties %}{{ term_block(t) }}{% endfor %}
<h2 id="datatype-properties">Datatype properties</h2>
{% for t in r.datatype_properties %}{{ term_block(t) }}{% endfor %}
<h2 id="schemes">Concept schemes</h2>
<ul>{% for s in r.schemes %}<li><a href="#{{ s.anchor }}">{{ s.title }}</a> ({{ s.concepts|length }} concepts)</li>{% endfor %}</ul>
{% for s in r.schemes %}
<section id="{{ s.anchor }}">
<h3>{{ s.title }} <code class="iri">{{ s.iri }}</code></h3>
<p>{{ s.description }}</p>
{% for c in s.concepts %}
<section class="concept" id="{{ c.anchor }}">
<h4>{{ c.label }} <code>{{ c.iri.rsplit("/", 1)[1] }}</code></h4>
<p>{{ c.definition }}</p>
<dl>
{% if c.alt_labels %}<dt>also called</dt><dd>{{ c.alt_labels|join("; ") }}</dd>{% endif %}
{% if c.hidden_labels %}<dt>answer wording</dt><dd>{{ c.hidden_labels|join("; ") }}</dd>{% endif %}
{% for n in c.notes %}<dt>note</dt><dd>{{ n }}</dd>{% endfor %}
{% if c.types %}<dt>type</dt><dd>{{ links(c.types) }}</dd>{% endif %}
{% if c.broader %}<dt>broader</dt><dd>{{ links(c.broader) }}</dd>{% endif %}
{% if c.kinds %}<dt>reported for</dt><dd>{{ links(c.kinds) }}</dd>{% endif %}
{% if c.sources %}<dt>source</dt><dd>{{ links(c.sources) }}</dd>{% endif %}
</dl>
</section>
{% endfor %}
</section>
{% endfor %}
<h2 id="alignments">Alignments</h2>
{% for m in r.alignments %}
<h3>{{ m.title }} <code class="iri">{{ m.iri }}</code></h3>
<p>File <code>ontology/align/{{ m.file }}</code>, {{ m.axioms|length }} axioms.</p>
<table><tr><th>subject</th><th>relation</th><th>object</th></tr>
{% for s, p, o in m.axioms %}<tr><td><code>{{ s }}</code></td><td><code>{{ p }}</code></td><td><code>{{ o }}</code></td></tr>
{% endfor %}</table>
{% endfor %}
<h2 id="sources">Sources</h2>
{% for s in r.sources %}
<section id="{{ s.anchor }}"><h3>{{ s.title }}</h3><p class="iri">{{ s.iri }}</p>{% for d in s.details %}<p>{{ d }}</p>{% endfor %}</section>
{% endfor %}
<h2 id="prefixes">Prefixes</h2>
<table>{% for k, v in r.prefixes.items() %}<tr><td><code>{{ k }}</code></td><td class="iri">{{ v }}</td></tr>{% endfor %}</table>
</body>
</html>
"""

_MARKDOWN = """# {{ r.title }}: reference

<!-- Generated by `odlm-kg docs` from the ontology files; do not edit by hand. -->

- IRI: `{{ r.iri }}`
- Version: {{ r.version }} (`{{ r.version_iri }}`)
- Licence: <{{ r.license }}>
- Diagram: [diagram.md](diagram.md)

{{ r.description }}

{{ r.classes|length }} classes, {{ r.object_properties|length }} object properties, {{ r.datatype_properties|length }} datatype properties, {{ r.schemes|length }} concept schemes with {{ concept_count }} concepts, {{ r.alignments|length }} alignment modules.
{% macro links(items) %}{% for l in items %}{% if l.anchor %}[`{{ l.text }}`]({{ l.anchor }}){% else %}`{{ l.text }}`{% endif %}{% if not loop.last %}, {% endif %}{% endfor %}{% endmacro %}
{% macro term_block(t) %}
<a id="{{ t.anchor }}"></a>
### `{{ t.curie }}`

**{{ t.label }}**: {{ md(t.definition) }}
{% if t.alt_labels %}
- also called: {{ t.alt_labels|join(", ") }}{% endif %}{% for n in t.notes %}
- note: {{ md(n) }}{% endfor %}{% if t.equivalent %}
- defined as: {% for e in t.equivalent %}`{{ e }}`{% endfor %}{% endif %}{% if t.supers %}
- {{ "sub-class of" if t.kind == "class" else "sub-property of" }}: {{ links(t.supers) }}{% endif %}{% if t.subs %}
- {{ "super-class of" if t.kind == "class" else "super-property of" }}: {{ links(t.subs) }}{% endif %}{% if t.disjoint %}
- disjoint with: {{ links(t.disjoint) }}{% endif %}{% if t.domain %}
- domain: {{ links(t.domain) }}{% endif %}{% if t.range %}
- range: {{ links(t.range) }}{% endif %}{% if t.characteristics %}
- characteristics: {{ t.characteristics|join(", ") }}{% endif %}{% if t.in_domain_of %}
- in the domain of: {{ links(t.in_domain_of) }}{% endif %}{% if t.in_range_of %}
- in the range of: {{ links(t.in_range_of) }}{% endif %}{% if t.sources %}
- source: {{ links(t.sources) }}{% endif %}{% for rel, target, module in t.alignments %}
- {{ module }}: `{{ rel }}` `{{ target.text }}`{% endfor %}
{% endmacro %}
## Classes
{% for t in r.classes %}{{ term_block(t) }}{% endfor %}
## Object properties
{% for t in r.object_properties %}{{ term_block(t) }}{% endfor %}
## Datatype properties
{% for t in r.datatype_properties %}{{ term_block(t) }}{% endfor %}
## Concept schemes
{% for s in r.schemes %}
<a id="{{ s.anchor }}"></a>
### {{ s.title }}

`{{ s.iri }}`: {{ md(s.description) }}

| concept | label | definition | reported for |
| --- | --- | --- | --- |
{% for c in s.concepts %}| <a id="{{ c.anchor }}"></a>`{{ c.iri.rsplit("/", 1)[1] }}` | {{ md(c.label) }} | {{ md(c.definition) }} | {{ c.kinds|map(attribute="text")|join(", ") }} |
{% endfor %}{% endfor %}
## Alignments
{% for m in r.alignments %}
### {{ m.title }}

`{{ m.iri }}` (file `ontology/align/{{ m.file }}`, {{ m.axioms|length }} axioms)

| subject | relation | object |
| --- | --- | --- |
{% for s, p, o in m.axioms %}| `{{ s }}` | `{{ p }}` | `{{ o }}` |
{% endfor %}{% endfor %}
## Sources
{% for s in r.sources %}
- <a id="{{ s.anchor }}"></a>**{{ md(s.title) }}** (`{{ s.iri }}`){% for d in s.details %}; {{ md(d) }}{% endfor %}{% endfor %}

## Prefixes

| prefix | namespace |
| --- | --- |
{% for k, v in r.prefixes.items() %}| `{{ k }}` | `{{ v }}` |
{% endfor %}"""

_DIAGRAM = """# {{ r.title }}: class diagram

<!-- Generated by `odlm-kg docs` from the ontology files; do not edit by hand. -->

Every class of the core ontology. A hollow arrow points from a sub-class to its super-class; a plain
arrow from the domain of an object property to its range, labelled with the property; attributes are
datatype properties of the class they are listed in. Classes marked «defined» are inferred by a
reasoner from their definition (see [ontology.md](ontology.md)).

```mermaid
{{ diagram }}```
"""


def _markdown_cell(text: str) -> str:
    return " ".join(text.replace("|", "\\|").split())


def render_html(reference: Reference) -> str:
    env = jinja2.Environment(autoescape=True, trim_blocks=True, lstrip_blocks=True,
                             undefined=jinja2.StrictUndefined)
    return env.from_string(_HTML).render(r=reference)


def render_markdown(reference: Reference) -> str:
    env = jinja2.Environment(autoescape=False, undefined=jinja2.StrictUndefined, keep_trailing_newline=True)
    concept_count = sum(len(s.concepts) for s in reference.schemes)
    text = env.from_string(_MARKDOWN).render(r=reference, md=_markdown_cell, concept_count=concept_count)
    return re.sub(r"\n{3,}", "\n\n", text).rstrip() + "\n"


def render_diagram(reference: Reference) -> str:
    env = jinja2.Environment(autoescape=False, undefined=jinja2.StrictUndefined, keep_trailing_newline=True)
    return env.from_string(_DIAGRAM).render(r=reference, diagram=mermaid_class_diagram(reference))


def _pylode_html() -> str:
    try:
        from pylode import OntPub
    except Exception as exc:  # pyLODE 3.4.1 fails at import time (missing pyproject.toml)
        raise OdlmError(f"pyLODE cannot be used here: importing it failed with {type(exc).__name__}: {exc}. "
                        "Use --engine builtin (the default).") from exc
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "odlm.ttl"
        (core_graph() + vocabulary_graph()).serialize(path, format="turtle")
        return str(OntPub(ontology=str(path)).make_html())


def write_reference(output: Path, engine: str = "builtin") -> list[Path]:
    """Write ``index.html``, ``ontology.md`` and ``diagram.md`` into ``output`` and return their paths."""
    if engine not in ENGINES:
        raise OdlmError(f"unknown engine {engine!r}; expected one of {', '.join(ENGINES)}")
    reference = collect_reference()
    html = _pylode_html() if engine == "pylode" else render_html(reference)
    try:
        output.mkdir(parents=True, exist_ok=True)
        written = []
        for name, text in zip(OUTPUT_FILES, (html, render_markdown(reference), render_diagram(reference)),
                              strict=True):
            path = output / name
            path.write_text(text, encoding="utf-8")
            written.append(path)
    except OSError as exc:
        raise OdlmError(f"{output}: cannot write the reference: {exc.strerror}") from exc
    return written
