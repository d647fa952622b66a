"""The comparison cube: one RDF Data Cube that every comparative named query reads.

Three kinds of evidence meet here, each stated the same way (DESIGN.md §1):

- *published*: the numbers the seed works print, compiled from the findings files
  (``odlm:FindingObservation``, in graph ``findings``);
- *survey*: shares computed from the microdata of each survey in the store;
- *crawl*: shares and counts computed from the records of each crawled source graph.

A computed observation carries its dimensions (evidence class, artifact kind, factor, population,
platform, subgroup), its measure (``odlm:percentage`` or ``odlm:count``) with ``odlm:numerator``,
``odlm:base`` and ``odlm:sampleSize``, its share base, its source, its date and three flags that are
always stated: ``odlm:synthetic``, ``odlm:curatedSample`` and ``odlm:inferred``. The observations
computed from one source graph live in their own named graph (``graph/cube/<source>``), which a
refresh replaces whole in one update: recomputing never appends twice, and the cube never holds a
half-written refresh.

>>> from odlm_kg.namespaces import vocab_iri
>>> observation = CubeObservation(
...     evidence=SURVEY, source=instance_iri("survey", "example"), kind=vocab_iri("artifact-kind", "Model"),
...     factor=vocab_iri("sharing-location", "GitHub"), population=vocab_iri("population", "ModelSharers"),
...     share_of=vocab_iri("share-base", "Answers"), numerator=41, base=67, sample_size=41)
>>> observation.percentage
Decimal('61.2')
>>> observation.iri == CubeObservation(**{**observation.__dict__}).iri  # stable: same dimensions, same IRI
True
>>> (observation.iri, ODLM.synthetic, Literal(False)) in observation.graph()
True
"""

from __future__ import annotations

import hashlib
import importlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, Decimal

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, XSD

from odlm_kg.namespaces import GRAPH, ODLM, QB, graph_iri, instance_iri, vocab_iri
from odlm_kg.store.base import Store

#: The one data set every comparison observation belongs to, and its structure.
CUBE_DATASET = instance_iri("cube", "comparison")
CUBE_STRUCTURE = instance_iri("cube", "structure/comparison")
#: The structure and data set description live here (written by the build).
CUBE_GRAPH = graph_iri("cube")

PUBLISHED = vocab_iri("evidence-class", "Published")
SURVEY = vocab_iri("evidence-class", "Survey")
CRAWL = vocab_iri("evidence-class", "Crawl")

_PERCENT_STEP = Decimal("0.1")


def cube_graph_iri(source_graph: URIRef) -> URIRef:
    """The named graph holding the observations computed from ``source_graph``.

    >>> cube_graph_iri(graph_iri("survey-demo"))
    rdflib.term.URIRef('https://w3id.org/odlm/graph/cube/survey-demo')
    """
    text = str(source_graph)
    key = text[len(str(GRAPH)):] if text.startswith(str(GRAPH)) else hashlib.sha1(text.encode()).hexdigest()[:16]
    return graph_iri(f"cube/{key}")


def share(numerator: int, base: int) -> Decimal:
    """``numerator`` of ``base`` in percent, to one decimal, rounding half to even.

    >>> share(29, 41), share(0, 5)
    (Decimal('70.7'), Decimal('0.0'))
    """
    if base <= 0:
        raise ValueError("a share needs a base of at least 1")
    return (Decimal(100 * numerator) / Decimal(base)).quantize(_PERCENT_STEP, rounding=ROUND_HALF_EVEN)


@dataclass(frozen=True)
class CubeObservation:
    """One computed number of the cube, with everything a reader needs to weigh it.

    Give ``numerator`` and ``base`` for a share (the percentage is computed from them) or ``count``
    for a count. ``sample_size`` is n: the respondents or records of the population, whatever the
    base. ``source`` is the survey node, or the crawled source graph; ``derived_from`` the load runs.
    """

    evidence: URIRef
    source: URIRef
    kind: URIRef | None = None
    factor: URIRef | None = None
    population: URIRef | None = None
    platform: URIRef | None = None
    subgroup: tuple[URIRef, ...] = ()
    share_of: URIRef | None = None
    numerator: int | None = None
    base: int | None = None
    count: int | None = None
    sample_size: int | None = None
    synthetic: bool = False
    curated: bool = False
    inferred: bool = False
    date: Literal | None = None
    derived_from: tuple[URIRef, ...] = ()
    label: str | None = None
    extra: tuple[tuple[URIRef, URIRef | Literal], ...] = field(default=())

    def __post_init__(self) -> None:
        is_share = self.numerator is not None or self.base is not None
        if is_share == (self.count is not None):
            raise ValueError("an observation is either a share (numerator and base) or a count")
        if is_share and (self.numerator is None or self.base is None or self.share_of is None):
            raise ValueError("a share needs its numerator, its base and what it is a share of")
        if is_share and not 0 <= self.numerator <= self.base:  # type: ignore[operator]
            raise ValueError(f"numerator {self.numerator} is not between 0 and the base {self.base}")

    @property
    def percentage(self) -> Decimal | None:
        if self.numerator is None or self.base is None:
            return None
        return share(self.numerator, self.base)

    @property
    def dimensions(self) -> tuple[str, ...]:
        """What identifies the observation within the cube (its measure and flags do not)."""
        return (str(self.evidence), str(self.source), str(self.kind), str(self.factor), str(self.population),
                str(self.platform), *sorted(map(str, self.subgroup)), str(self.share_of),
                "count" if self.count is not None else "share",
                *sorted(f"{p} {o}" for p, o in self.extra if isinstance(o, URIRef)))

    @property
    def iri(self) -> URIRef:
        digest = hashlib.sha1("\n".join(self.dimensions).encode()).hexdigest()[:20]
        evidence = str(self.evidence).rsplit("/", 1)[-1].lower()
        return instance_iri("observation", f"{evidence}/{digest}")

    def triples(self) -> list[tuple[URIRef, URIRef, URIRef | Literal]]:
        iri = self.iri
        out: list[tuple[URIRef, URIRef, URIRef | Literal]] = [
            (iri, RDF.type, ODLM.ComparisonObservation),
            (iri, RDF.type, QB.Observation),
            (iri, QB.dataSet, CUBE_DATASET),
            (iri, ODLM.evidenceClass, self.evidence),
            (iri, ODLM.evidenceSource, self.source),
            (iri, ODLM.synthetic, Literal(self.synthetic)),
            (iri, ODLM.curatedSample, Literal(self.curated)),
            (iri, ODLM.inferred, Literal(self.inferred)),
        ]
        for prop, value in ((ODLM.artifactKind, self.kind), (ODLM.factor, self.factor),
                            (ODLM.aboutPopulation, self.population), (ODLM.platform, self.platform),
                            (ODLM.shareOf, self.share_of)):
            if value is not None:
                out.append((iri, prop, value))
        out += [(iri, ODLM.subgroup, group) for group in self.subgroup]
        if self.count is not None:
            out += [(iri, QB.measureType, ODLM["count"]),
                    (iri, ODLM["count"], Literal(self.count, datatype=XSD.integer))]
        else:
            out += [(iri, QB.measureType, ODLM.percentage),
                    (iri, ODLM.percentage, Literal(self.percentage, datatype=XSD.decimal)),
                    (iri, ODLM.numerator, Literal(self.numerator, datatype=XSD.integer)),
                    (iri, ODLM.base, Literal(self.base, datatype=XSD.integer))]
        if self.sample_size is not None:
            out.append((iri, ODLM.sampleSize, Literal(self.sample_size, datatype=XSD.integer)))
        if self.date is not None:
            out.append((iri, DCTERMS.date, self.date))
        out += [(iri, PROV.wasDerivedFrom, run) for run in self.derived_from]
        if self.label:
            out.append((iri, RDFS.label, Literal(self.label, lang="en")))
        out += [(iri, p, o) for p, o in self.extra]
        return out

    def graph(self) -> Graph:
        graph = Graph()
        for triple in self.triples():
            graph.add(triple)
        return graph


def structure_graph() -> Graph:
    """The cube's data set and its data structure definition (dimensions, measures, attributes)."""
    graph = Graph()
    graph.add((CUBE_DATASET, RDF.type, QB.DataSet))
    graph.add((CUBE_DATASET, QB.structure, CUBE_STRUCTURE))
    graph.add((CUBE_DATASET, RDFS.label, Literal("odlm-kg comparison cube", lang="en")))
    graph.add((CUBE_DATASET, RDFS.comment, Literal(
        "Every number a comparative named query answers with: published shares as printed, and shares "
        "and counts computed from survey microdata and crawled records, each with its evidence class, "
        "numerator, base, sample size, source and flags.", lang="en")))
    graph.add((CUBE_STRUCTURE, RDF.type, QB.DataStructureDefinition))
    graph.add((CUBE_STRUCTURE, RDFS.label, Literal("Comparison observation", lang="en")))
    components: list[tuple[URIRef, URIRef, bool]] = [
        (QB.dimension, ODLM.evidenceClass, True),
        (QB.dimension, ODLM.artifactKind, False),
        (QB.dimension, ODLM.factor, False),
        (QB.dimension, ODLM.aboutPopulation, False),
        (QB.dimension, ODLM.platform, False),
        (QB.dimension, ODLM.subgroup, False),
        (QB.dimension, QB.measureType, True),
        (QB.measure, ODLM.percentage, False),
        (QB.measure, ODLM["count"], False),
        (QB.attribute, ODLM.shareOf, False),
        (QB.attribute, ODLM.numerator, False),
        (QB.attribute, ODLM.base, False),
        (QB.attribute, ODLM.sampleSize, False),
        (QB.attribute, ODLM.evidenceSource, True),
        (QB.attribute, ODLM.synthetic, True),
        (QB.attribute, ODLM.curatedSample, True),
        (QB.attribute, ODLM.inferred, True),
    ]
    kinds = {QB.dimension: QB.DimensionProperty, QB.measure: QB.MeasureProperty,
             QB.attribute: QB.AttributeProperty}
    for order, (role, prop, required) in enumerate(components, start=1):
        spec = BNode(f"comparison-component-{order}")
        graph.add((CUBE_STRUCTURE, QB.component, spec))
        graph.add((spec, role, prop))
        graph.add((spec, QB.order, Literal(order)))
        graph.add((spec, QB.componentRequired, Literal(required)))
        if prop != QB.measureType:
            graph.add((prop, RDF.type, kinds[role]))
    return graph


def build_step() -> dict[URIRef, Graph]:
    """Build step: the cube's structure (the computed observations come from :func:`refresh`)."""
    return {CUBE_GRAPH: structure_graph()}


# ----------------------------------------------------------------------------------------------
# Refreshing: computed observations follow their source graph
# ----------------------------------------------------------------------------------------------

#: A refresher reads one source graph through the store and returns its observations, or an empty
#: list when the graph holds nothing it computes from. Named "module:function", imported lazily.
Refresher = Callable[[Store, URIRef], list[CubeObservation]]

REFRESHERS: list[str] = [
    "odlm_kg.evidence.cube_survey:survey_observations",
    "odlm_kg.evidence.cube_crawl:crawl_observations",
]


def _refresher(target: str) -> Refresher | None:
    module_name, _, function = target.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as error:
        if error.name == module_name:  # not written yet: contributes nothing
            return None
        raise
    found: Refresher = getattr(module, function)
    return found


def compute(store: Store, source_graph: URIRef) -> list[CubeObservation]:
    """Every refresher's observations for one source graph."""
    observations: list[CubeObservation] = []
    for target in REFRESHERS:
        refresher = _refresher(target)
        if refresher is not None:
            observations += refresher(store, source_graph)
    return observations


def replace_cube_graph(store: Store, source_graph: URIRef, observations: Sequence[CubeObservation]) -> int:
    """Replace the cube graph of ``source_graph`` with ``observations`` in one update; triples written."""
    from odlm_kg.sources.batches import nt_lines

    target = cube_graph_iri(source_graph)
    triples = [triple for observation in observations for triple in observation.triples()]
    body = "".join(nt_lines(triples))
    store.update(f"DROP SILENT GRAPH <{target}> ;\nINSERT DATA {{ GRAPH <{target}> {{\n{body}\n}} }}")
    return len(triples)


def refresh(store: Store, source_graphs: Iterable[URIRef]) -> dict[URIRef, int]:
    """Recompute the observations of each source graph; observations per cube graph."""
    written: dict[URIRef, int] = {}
    for source_graph in source_graphs:
        observations = compute(store, source_graph)
        replace_cube_graph(store, source_graph, observations)
        written[cube_graph_iri(source_graph)] = len(observations)
    return written
