"""The SPARQL rule that materialises odlm:OpenDeepLearningModel agrees with HermiT on the OWL definition."""

from __future__ import annotations

import shutil

import pytest
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS

from odlm_kg.classify import classify_dataset, classify_open_models
from odlm_kg.licences import LICENCES_GRAPH, licence_graph
from odlm_kg.namespaces import ODLM, SPDX_LICENSE, graph_iri, instance_iri, vocab_iri
from odlm_kg.ontology import core_graph, vocabulary_graph
from odlm_kg.store import OxigraphStore

DATA_GRAPH = graph_iri("huggingface")
VOCAB_GRAPH = graph_iri("vocab")
ONTOLOGY_GRAPH = graph_iri("ontology")

# model name, class, licence IRI (None: no licence), sharing location, expected open
SAMPLE: list[tuple[str, URIRef, URIRef | None, str, bool]] = [
    ("apache-hub", ODLM.PretrainedModel, SPDX_LICENSE["Apache-2.0"], "HuggingFaceHub", True),
    ("mit-github", ODLM.DeepLearningModel, SPDX_LICENSE.MIT, "GitHub", True),
    ("cc-by-zenodo", ODLM.PretrainedModel, SPDX_LICENSE["CC-BY-4.0"], "Zenodo", True),
    ("apache-national-network", ODLM.PretrainedModel, SPDX_LICENSE["Apache-2.0"], "NationalNetwork", False),
    ("nc-hub", ODLM.PretrainedModel, SPDX_LICENSE["CC-BY-NC-4.0"], "HuggingFaceHub", False),
    ("llama2-hub", ODLM.PretrainedModel, instance_iri("licence", "llama2"), "HuggingFaceHub", False),
    ("openrail-hub", ODLM.PretrainedModel, instance_iri("licence", "creativeml-openrail-m"), "HuggingFaceHub", False),
    ("proprietary-website", ODLM.PretrainedModel, instance_iri("licence", "proprietary"), "PersonalWebsite", False),
    ("no-licence-hub", ODLM.PretrainedModel, None, "HuggingFaceHub", False),
    ("unknown-licence-hub", ODLM.PretrainedModel, instance_iri("licence", "other"), "HuggingFaceHub", False),
    ("dataset-not-a-model", ODLM.Dataset, SPDX_LICENSE["CC-BY-4.0"], "HuggingFaceHub", False),
]


def sample_graph() -> Graph:
    graph = Graph()
    for name, klass, licence, location, _ in SAMPLE:
        model = instance_iri("model", f"sample/{name}")
        graph.add((model, RDF.type, klass))
        graph.add((model, RDFS.label, Literal(name)))
        graph.add((model, ODLM.sharedAt, vocab_iri("sharing-location", location)))
        if licence is not None:
            graph.add((model, ODLM.licence, licence))
    return graph


def expected_open() -> set[URIRef]:
    return {instance_iri("model", f"sample/{name}") for name, *_, is_open in SAMPLE if is_open}


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

    ontology = Graph()
    for graph in (core_graph(), vocabulary_graph(), licence_graph(), sample_graph()):
        ontology += graph
    result = reason_with_hermit(ontology)
    assert result.consistent, result.message
    by_hermit = {URIRef(iri) for iri, classes in result.types.items()
                 if str(ODLM.OpenDeepLearningModel) in classes and iri.startswith(str(instance_iri("model", "")))}
    dataset = sample_dataset()
    classify_dataset(dataset)
    by_rule = set(dataset.graph(DATA_GRAPH).subjects(RDF.type, ODLM.OpenDeepLearningModel))
    assert by_rule == by_hermit == expected_open()
