"""The SPARQL rule that materialises odlm:OpenDeepLearningModel agrees with HermiT on the OWL definition."""

from __future__ import annotations

import shutil

import pytest
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS

from odlm_kg.classify import (
    ACCESS_PUBLIC,
    ACCESS_RESTRICTED,
    DERIVE_ACCESS_RIGHTS,
    classify_dataset,
    classify_open_models,
)
from odlm_kg.licences import LICENCES_GRAPH, licence_graph
from odlm_kg.namespaces import ODLM, SPDX_LICENSE, graph_iri, instance_iri, vocab_iri
from odlm_kg.ontology import core_graph, vocabulary_graph
from odlm_kg.store import OxigraphStore

DATA_GRAPH = graph_iri("huggingface")
VOCAB_GRAPH = graph_iri("vocab")
ONTOLOGY_GRAPH = graph_iri("ontology")

RELEASE = "https://w3id.org/odlm/vocab/release-strategy/"

# model name, class, licences (all of them), sharing location, release strategy, stated access, expected
SAMPLE: list[tuple[str, URIRef, tuple[URIRef, ...], str, str | None, URIRef | None, bool]] = [
    ("apache-hub", ODLM.PretrainedModel, (SPDX_LICENSE["Apache-2.0"],), "HuggingFaceHub", None, None, True),
    ("cc-by-zenodo", ODLM.PretrainedModel, (SPDX_LICENSE["CC-BY-4.0"],), "Zenodo", None, None, True),
    ("apache-and-mit-hub", ODLM.PretrainedModel, (SPDX_LICENSE["Apache-2.0"], SPDX_LICENSE.MIT), "HuggingFaceHub",
     None, None, True),
    # no trained weights shared: a model that is not a pre-trained model is not an ODLM
    ("mit-github-architecture", ODLM.DeepLearningModel, (SPDX_LICENSE.MIT,), "GitHub", None, None, False),
    # gated or otherwise controlled access is not open, whatever the licence and the platform
    ("gated-apache-hub", ODLM.PretrainedModel, (SPDX_LICENSE["Apache-2.0"],), "HuggingFaceHub", "GatedAccess",
     None, False),
    ("api-only-mit-github", ODLM.PretrainedModel, (SPDX_LICENSE.MIT,), "GitHub", "ApiOnlyAccess", None, False),
    ("stated-restricted-hub", ODLM.PretrainedModel, (SPDX_LICENSE["Apache-2.0"],), "HuggingFaceHub", None,
     ACCESS_RESTRICTED, False),
    # public access is a fact of the deposit: stated public at a location the vocabulary does not call public
    ("stated-public-national-network", ODLM.PretrainedModel, (SPDX_LICENSE["Apache-2.0"],), "NationalNetwork",
     None, ACCESS_PUBLIC, True),
    ("apache-national-network", ODLM.PretrainedModel, (SPDX_LICENSE["Apache-2.0"],), "NationalNetwork", None, None,
     False),
    # with several licences, every one must be open
    ("apache-and-nc-hub", ODLM.PretrainedModel, (SPDX_LICENSE["Apache-2.0"], SPDX_LICENSE["CC-BY-NC-4.0"]),
     "HuggingFaceHub", None, None, False),
    ("apache-and-unknown-hub", ODLM.PretrainedModel, (SPDX_LICENSE["Apache-2.0"], instance_iri("licence", "other")),
     "HuggingFaceHub", None, None, False),
    ("nc-hub", ODLM.PretrainedModel, (SPDX_LICENSE["CC-BY-NC-4.0"],), "HuggingFaceHub", None, None, False),
    ("llama2-hub", ODLM.PretrainedModel, (instance_iri("licence", "llama2"),), "HuggingFaceHub", None, None, False),
    ("openrail-hub", ODLM.PretrainedModel, (instance_iri("licence", "creativeml-openrail-m"),), "HuggingFaceHub",
     None, None, False),
    ("proprietary-website", ODLM.PretrainedModel, (instance_iri("licence", "proprietary"),), "PersonalWebsite", None,
     None, False),
    ("no-licence-hub", ODLM.PretrainedModel, (), "HuggingFaceHub", None, None, False),
    ("unknown-licence-hub", ODLM.PretrainedModel, (instance_iri("licence", "other"),), "HuggingFaceHub", None, None,
     False),
    ("dataset-not-a-model", ODLM.Dataset, (SPDX_LICENSE["CC-BY-4.0"],), "HuggingFaceHub", None, None, False),
]


def model_iri(name: str) -> URIRef:
    return instance_iri("model", f"sample/{name}")


def sample_graph() -> Graph:
    graph = Graph()
    for name, klass, licences, location, strategy, access, _ in SAMPLE:
        model = model_iri(name)
        graph.add((model, RDF.type, klass))
        graph.add((model, RDFS.label, Literal(name)))
        graph.add((model, ODLM.sharedAt, vocab_iri("sharing-location", location)))
        for licence in licences:
            graph.add((model, ODLM.licence, licence))
        if strategy is not None:
            graph.add((model, ODLM.releaseStrategy, URIRef(RELEASE + strategy)))
        if access is not None:
            graph.add((model, DCTERMS.accessRights, access))
    return graph


def licence_closure() -> Graph:
    """What the rule assumes and OWL does not: the licences listed are all of each model's licences."""
    closure = Graph()
    for name, _, licences, *_ in SAMPLE:
        restriction, only = BNode(), BNode()
        closure.add((model_iri(name), RDF.type, restriction))
        closure.add((restriction, RDF.type, OWL.Restriction))
        closure.add((restriction, OWL.onProperty, ODLM.licence))
        if licences:
            closure.add((only, RDF.type, OWL.Class))
            Collection(closure, (members := BNode()), list(licences))
            closure.add((only, OWL.oneOf, members))
            closure.add((restriction, OWL.allValuesFrom, only))
        else:
            closure.add((restriction, OWL.allValuesFrom, OWL.Nothing))
    return closure


def expected_open() -> set[URIRef]:
    return {model_iri(name) for name, *_, is_open in SAMPLE if is_open}


def sample_dataset() -> Dataset:
    dataset = Dataset()
    for iri, graph in ((DATA_GRAPH, sample_graph()), (VOCAB_GRAPH, vocabulary_graph()),
                       (LICENCES_GRAPH, licence_graph()), (ONTOLOGY_GRAPH, core_graph())):
        target = dataset.graph(iri)
        for triple in graph:
            target.add(triple)
    return dataset


def test_rule_classifies_the_sample_on_rdflib() -> None:
    dataset = sample_dataset()
    classify_dataset(dataset)
    found = set(dataset.graph(DATA_GRAPH).subjects(RDF.type, ODLM.OpenDeepLearningModel))
    assert found == expected_open()


def test_rule_classifies_the_sample_on_oxigraph_and_is_idempotent() -> None:
    store = OxigraphStore()
    for iri, graph in ((DATA_GRAPH, sample_graph()), (VOCAB_GRAPH, vocabulary_graph()),
                       (LICENCES_GRAPH, licence_graph()), (ONTOLOGY_GRAPH, core_graph())):
        store.add_graph(graph, iri)
    classify_open_models(store)
    count = store.count()
    classify_open_models(store)
    assert store.count() == count
    found = {row["m"] for row in store.query(
        f"SELECT ?m WHERE {{ GRAPH <{DATA_GRAPH}> {{ ?m a <{ODLM.OpenDeepLearningModel}> }} }}")}
    assert found == expected_open()


@pytest.mark.skipif(shutil.which("java") is None, reason="HermiT needs java")
def test_rule_agrees_with_hermit() -> None:
    from odlm_kg.quality_gate import reason_with_hermit

    # HermiT gets the access rights the first rule derives from each deposit's record (a rule with
    # negation, which OWL cannot state) and the closure of each model's licences
    derived = sample_dataset()
    for rule in DERIVE_ACCESS_RIGHTS:
        derived.update(rule)
    ontology = Graph()
    for graph in (core_graph(), vocabulary_graph(), licence_graph(), derived.graph(DATA_GRAPH), licence_closure()):
        ontology += graph
    result = reason_with_hermit(ontology)
    assert result.consistent, result.message
    by_hermit = {URIRef(iri) for iri, classes in result.types.items()
                 if str(ODLM.OpenDeepLearningModel) in classes and iri.startswith(str(instance_iri("model", "")))}
    dataset = sample_dataset()
    classify_dataset(dataset)
    by_rule = set(dataset.graph(DATA_GRAPH).subjects(RDF.type, ODLM.OpenDeepLearningModel))
    assert by_rule == by_hermit == expected_open()


def test_access_rights_come_from_the_deposit_not_the_platform() -> None:
    dataset = sample_dataset()
    for rule in DERIVE_ACCESS_RIGHTS:
        dataset.update(rule)
    data = dataset.graph(DATA_GRAPH)
    assert data.value(model_iri("apache-hub"), DCTERMS.accessRights) == ACCESS_PUBLIC
    assert data.value(model_iri("gated-apache-hub"), DCTERMS.accessRights) == ACCESS_RESTRICTED
    assert data.value(model_iri("api-only-mit-github"), DCTERMS.accessRights) == ACCESS_RESTRICTED
    # a stated value is kept, never overridden
    assert set(data.objects(model_iri("stated-restricted-hub"), DCTERMS.accessRights)) == {ACCESS_RESTRICTED}
    # a deposit at a location that is not public, with nothing stated, gets no access rights
    assert data.value(model_iri("apache-national-network"), DCTERMS.accessRights) is None
