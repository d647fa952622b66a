"""The ODLM ontology, its SKOS vocabularies and alignment modules, as shipped in ``ontology/``.

>>> from rdflib import OWL, RDF
>>> from odlm_kg.namespaces import ODLM
>>> graph = core_graph()
>>> (ODLM.DeepLearningModel, RDF.type, OWL.Class) in graph
True
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from rdflib import Graph, URIRef

from odlm_kg.namespaces import graph_iri
from odlm_kg.rdf_formats import read_graph
from odlm_kg.resources import resource_dir

ONTOLOGY_GRAPH = graph_iri("ontology")
VOCAB_GRAPH = graph_iri("vocab")
ALIGN_GRAPH = graph_iri("align")


def core_path() -> Path:
    return resource_dir("ontology") / "odlm.ttl"


def vocabulary_paths() -> list[Path]:
    return sorted((resource_dir("ontology") / "vocab").glob("*.ttl"))


def alignment_paths() -> list[Path]:
    return sorted((resource_dir("ontology") / "align").glob("*.ttl"))


@cache
def _parsed(path: Path, mtime_ns: int) -> Graph:
    """One shipped file, parsed once per process (and again only if it changes on disk). Never handed
    out: callers get copies, so they may add to what they receive."""
    return read_graph(path)


def _merge(paths: list[Path]) -> Graph:
    """A fresh graph holding the files' triples and prefixes (build, findings, the survey codebook and
    the crawl sample all read the vocabularies; each parse would cost ~0.15 s)."""
    graph = Graph()
    for path in paths:
        parsed = _parsed(path, path.stat().st_mtime_ns)
        for prefix, namespace in parsed.namespaces():
            graph.bind(prefix, namespace, override=False)
        graph += parsed
    return graph


def sources_path() -> Path:
    """Bibliographic records of the seed works that terms cite with ``dcterms:source``."""
    return resource_dir("ontology") / "sources.ttl"


def declarations_path() -> Path:
    """OWL declarations of the reused SKOS/Dublin Core terms, part of the core (keeps it OWL 2 DL)."""
    return resource_dir("ontology") / "declarations.ttl"


def core_graph() -> Graph:
    """The core ontology (``ontology/odlm.ttl``) with its declarations and the records of the works it cites."""
    return _merge([core_path(), *(extra for extra in (declarations_path(), sources_path()) if extra.is_file())])


def vocabulary_graph() -> Graph:
    """All SKOS concept schemes (``ontology/vocab/*.ttl``)."""
    return _merge(vocabulary_paths())


def alignment_graph() -> Graph:
    """All alignment modules (``ontology/align/*.ttl``)."""
    return _merge(alignment_paths())


def full_graph() -> Graph:
    """Core, vocabularies and alignments in one graph: what validation and reasoning read."""
    graph = core_graph()
    for part in (vocabulary_graph(), alignment_graph()):  # in place: ``+`` would copy the graph twice
        for prefix, namespace in part.namespaces():
            graph.bind(prefix, namespace)
        graph += part
    return graph


def build_step() -> dict[URIRef, Graph]:
    """Build step: core, vocabularies and alignments, each in its own named graph."""
    return {ONTOLOGY_GRAPH: core_graph(), VOCAB_GRAPH: vocabulary_graph(), ALIGN_GRAPH: alignment_graph()}
