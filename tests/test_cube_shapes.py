"""The cube layer (shapes/cube.ttl) holds every observation of the built comparison cube, and catches the
dishonest ones: a missing flag, two evidence classes, a computed share that its numerator and base do not give,
a numerator above its base, an observation outside the one cube."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import XSD

from odlm_kg.build import build
from odlm_kg.evidence.cube import CRAWL, PUBLISHED, SURVEY, CubeObservation
from odlm_kg.namespaces import ODLM, QB, instance_iri, vocab_iri
from odlm_kg.store import OxigraphStore
from odlm_kg.validate import validate

ENGINES = ["auto", "pyshacl"]


@pytest.fixture(scope="module")
def cube() -> Iterator[Graph]:
    store = OxigraphStore()
    build(store)
    graph = store.query("CONSTRUCT { ?o ?p ?v } WHERE { ?o a <https://w3id.org/odlm#ComparisonObservation> ; ?p ?v }")
    store.close()
    assert isinstance(graph, Graph)
    yield graph


def share(**changes: object) -> CubeObservation:
    fields: dict[str, object] = dict(
        evidence=SURVEY, source=instance_iri("survey", "example"), kind=vocab_iri("artifact-kind", "Model"),
        factor=vocab_iri("sharing-location", "GitHub"), population=vocab_iri("population", "ModelSharers"),
        share_of=vocab_iri("share-base", "Answers"), numerator=41, base=67, sample_size=41)
    fields.update(changes)
    return CubeObservation(**fields)  # type: ignore[arg-type]


def test_the_built_cube_conforms(cube: Graph) -> None:
    # the fast engine only: pySHACL agrees on the small cases below, and takes ~40 s over the whole cube
    evidence = {str(o).rsplit("/", 1)[-1] for o in cube.objects(None, ODLM.evidenceClass)}
    assert evidence == {"Published", "Survey", "Crawl"}  # the default graph has all three
    report = validate(cube, ["cube"])
    assert report.conforms, [str(r.message) for r in report.violations][:5]


def messages(graph: Graph, engine: str) -> str:
    report = validate(graph, ["cube"], engine=engine)
    assert not report.conforms
    return " | ".join(str(r.message) for r in report.violations)


@pytest.mark.parametrize("engine", ENGINES)
def test_a_computed_share_must_be_what_its_numerator_and_base_give(engine: str) -> None:
    observation = share()
    graph = observation.graph()
    graph.set((observation.iri, ODLM.percentage, Literal(Decimal("70.7"), datatype=XSD.decimal)))
    assert "is what they give" in messages(graph, engine)


@pytest.mark.parametrize("engine", ENGINES)
def test_flags_are_always_stated_and_evidence_is_one_class(engine: str) -> None:
    observation = share(evidence=CRAWL, platform=vocab_iri("sharing-location", "HuggingFaceHub"),
                        population=vocab_iri("population", "PlatformRecords"), share_of=vocab_iri("share-base", "Records"))
    graph = observation.graph()
    graph.remove((observation.iri, ODLM.curatedSample, None))
    graph.add((observation.iri, ODLM.evidenceClass, PUBLISHED))
    text = messages(graph, engine)
    assert "odlm:curatedSample is always stated" in text and "exactly one evidence class" in text


@pytest.mark.parametrize("engine", ENGINES)
def test_one_cube_and_a_numerator_not_above_its_base(engine: str) -> None:
    observation = share()
    graph = observation.graph()
    graph.set((observation.iri, ODLM.numerator, Literal(80, datatype=XSD.integer)))
    graph.add((observation.iri, QB.dataSet, URIRef("https://example.org/another-data-set")))
    text = messages(graph, engine)
    assert "not above the base" in text and "one comparison cube" in text
