"""Build step: the shipped, hand-curated crawl sample (``odlm_kg/data/crawl/``) in graph ``crawl-samples``.

What it is: 31 Hugging Face Hub model records written by hand (:data:`SAMPLE_LABEL`), picked because
the models are well known: NOT a sample of the Hub, so no share computed from it estimates anything
about the Hub. Every cube observation computed from it says ``odlm:curatedSample true`` with n = 31,
and every named query that shows it labels its rows "crawl (curated sample, n=31, hand-picked)". The
base models and datasets the records point at are id-only stubs; they are not records and never
enter a count or a base (:mod:`odlm_kg.evidence.cube_crawl`).

The records go through the same mapping as ``odlm-kg load huggingface-models``; each model is marked
as curated (``dcterms:source`` the curated-sample work), and the ODLM classification rule runs over the
sample together with the vocabulary and licence graphs, so the built graph already says which of its
models are open deep-learning models.

>>> graphs = build_step()
>>> graph = graphs[CRAWL_SAMPLES_GRAPH]
>>> from odlm_kg.namespaces import ODLM, instance_iri
>>> (instance_iri("model", "google-bert/bert-base-uncased"), RDF.type, ODLM.OpenDeepLearningModel) in graph
True
>>> (instance_iri("model", "meta-llama/Llama-2-7b-hf"), RDF.type, ODLM.OpenDeepLearningModel) in graph
False
"""

from __future__ import annotations

from pathlib import Path

from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS

from odlm_kg.classify import classify_dataset
from odlm_kg.licences import LICENCES_GRAPH, licence_graph
from odlm_kg.namespaces import ODLM, graph_iri, instance_iri
from odlm_kg.resources import resource_dir
from odlm_kg.sources.base import iter_json_values
from odlm_kg.sources.huggingface import map_model

CRAWL_SAMPLES_GRAPH = graph_iri("crawl-samples")
CURATED_SAMPLE = instance_iri("work", "odlm-kg-curated-crawl-sample")
#: How answers name this evidence (n is the number of records, counted when the cube is refreshed).
SAMPLE_LABEL = "curated sample, hand-picked Hugging Face Hub records, not a sample of the Hub"


def sample_files() -> list[Path]:
    return sorted((Path(str(resource_dir("data"))) / "crawl").glob("*.jsonl"))


def crawl_sample_graph() -> Graph:
    """The curated records mapped to RDF, each model marked as curated (no classification yet)."""
    graph = Graph()
    graph.add((CURATED_SAMPLE, RDF.type, PROV.Entity))
    graph.add((CURATED_SAMPLE, RDFS.label, Literal("odlm-kg curated crawl sample", lang="en")))
    graph.add((CURATED_SAMPLE, DCTERMS.description, Literal(
        "Hugging Face Hub model records written by hand from widely published facts (licence, training "
        "data, papers, base model, gating) for the default graph; no counts or dates. Hand-picked, not a "
        "sample of the Hub: shares computed from it describe these records only.", lang="en")))
    for path in sample_files():
        for value in iter_json_values(path):
            for triple in map_model(value):
                graph.add(triple)
            graph.add((instance_iri("model", value["id"]), DCTERMS.source, CURATED_SAMPLE))
    return graph


def build_step() -> dict[URIRef, Graph]:
    """The curated sample with its open models classified by the same rule as every load."""
    from odlm_kg.ontology import core_graph, vocabulary_graph

    sample = crawl_sample_graph()
    dataset = Dataset()
    for iri, graph in ((CRAWL_SAMPLES_GRAPH, sample), (graph_iri("vocab"), vocabulary_graph()),
                       (LICENCES_GRAPH, licence_graph()), (graph_iri("ontology"), core_graph())):
        target = dataset.graph(iri)
        for triple in graph:
            target.add(triple)
    classify_dataset(dataset)
    # The mapper types each licence node and gives its openness class (so a loaded batch validates on
    # its own); for the sample those triples are the licence table's own, which lives in graph
    # ``licences``. Kept in one graph only, so a COUNT over the union default graph counts them once.
    table = licence_graph()
    result = Graph()
    for triple in dataset.graph(CRAWL_SAMPLES_GRAPH):
        if triple not in table:
            result.add(triple)
    return {CRAWL_SAMPLES_GRAPH: result}


__all__ = ["CRAWL_SAMPLES_GRAPH", "CURATED_SAMPLE", "ODLM", "SAMPLE_LABEL", "build_step", "crawl_sample_graph"]
