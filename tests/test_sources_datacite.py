"""The ``datacite`` source over DataCite's own example records (kernel 4.3 and 4.5) and edge cases."""

from __future__ import annotations

from pathlib import Path

from crawl_loading import load_source_twice
from rdflib import Graph, Literal
from rdflib.namespace import DCTERMS, FOAF, RDF, RDFS, XSD

from odlm_kg.namespaces import ODLM, SPDX_LICENSE, instance_iri, vocab_iri
from odlm_kg.sources.pipeline import LoadReport
from odlm_kg.store import OxigraphStore

FOLDER = "datacite-invenio"
REAL_FILES = ("v4.3_datacite-example-software-v4.json", "v4.5_datacite-example-dataset-v4.json",
              "v4.5_datacite-example-relateditem1-v4.json", "v4.5_datacite-v4.5-full-example.json")
FIXTURES = Path(__file__).resolve().parent / "data" / "datacite"


def load_twice(store: OxigraphStore, path: Path, tmp_path: Path | None = None) -> tuple[LoadReport, Graph]:
    return load_source_twice("datacite", store, path, tmp_path)


def test_every_real_file_is_covered(real_data: Path) -> None:
    names = {p.name for p in (real_data / FOLDER).iterdir() if p.name != "README.md"}
    assert names == set(REAL_FILES)


def test_software_record_of_kernel_4_3(real_data: Path, memory_store: OxigraphStore) -> None:
    report, graph = load_twice(memory_store, real_data / FOLDER / "v4.3_datacite-example-software-v4.json")
    assert (report.read, report.written, report.rejected) == (1, 1, 0)
    code = instance_iri("code", "10.1234/example-software-2.0")  # the DOI comes from "identifiers"
    assert (code, RDF.type, ODLM.SourceCode) in graph
    assert (code, ODLM.doi, Literal("10.1234/example-software-2.0")) in graph
    assert (code, ODLM.licence, SPDX_LICENSE["GPL-3.0-only"]) in graph  # from the opensource.org rightsUri
    assert (code, ODLM.sharedAt, vocab_iri("sharing-location", "DataCiteRepository")) in graph
    assert graph.value(code, DCTERMS.publisher) == Literal("Apollo - University of Cambridge Repository")
    person = instance_iri("agent", "orcid/0000-0002-2997-2175")
    assert (code, ODLM.sharedBy, person) in graph and (person, RDF.type, ODLM.Person) in graph
    assert not list(graph.objects(person, RDFS.label))  # persons are known by their ORCID, never by name
    assert not [o for o in graph.objects() if isinstance(o, Literal) and "Zielinski" in o]


def test_dataset_record_of_kernel_4_5(real_data: Path, memory_store: OxigraphStore) -> None:
    report, graph = load_twice(memory_store, real_data / FOLDER / "v4.5_datacite-example-dataset-v4.json")
    assert (report.read, report.written, report.rejected) == (1, 1, 0)
    dataset = instance_iri("dataset", "10.82433/9184-dy35")
    assert (dataset, RDF.type, ODLM.Dataset) in graph
    assert (dataset, ODLM.licence, SPDX_LICENSE["CC-BY-4.0"]) in graph
    assert (dataset, ODLM.describedBy, instance_iri("paper", "10.5281/zenodo.7629200")) in graph
    assert graph.value(dataset, DCTERMS.publisher) == Literal("National Gallery")  # 4.5 publisher object
    gallery = instance_iri("agent", "ror/043kfff89")
    assert graph.value(gallery, RDFS.label) == Literal("National Gallery")


def test_journal_article_is_a_paper(real_data: Path, memory_store: OxigraphStore) -> None:
    report, graph = load_twice(memory_store, real_data / FOLDER / "v4.5_datacite-example-relateditem1-v4.json")
    assert (report.read, report.written, report.rejected) == (1, 1, 0)
    paper = instance_iri("paper", "10.82433/q54d-pf76")
    assert (paper, RDF.type, ODLM.Paper) in graph
    assert graph.value(paper, DCTERMS.title) == Literal("Example Article Title")
    assert (None, RDF.type, ODLM.Dataset) not in graph


def test_full_example_of_kernel_4_5(real_data: Path, memory_store: OxigraphStore) -> None:
    report, graph = load_twice(memory_store, real_data / FOLDER / "v4.5_datacite-v4.5-full-example.json")
    assert (report.read, report.written, report.rejected) == (1, 1, 0)
    dataset = instance_iri("dataset", "10.82433/b09z-4k37")
    assert graph.value(dataset, DCTERMS.title) == Literal("Example Title")  # not the subtitle
    assert graph.value(dataset, DCTERMS.issued) == Literal("2022-01-01", datatype=XSD.date)
    # IsDocumentedBy a preprint describes it; Cites, IsSupplementedBy and the other relations do not
    assert set(graph.objects(dataset, ODLM.describedBy)) == {instance_iri("paper", "10.1016/j.epsl.2011.11.037")}
    assert graph.value(dataset, ODLM.licence) is not None


def test_edge_cases(memory_store: OxigraphStore, tmp_path: Path) -> None:
    report, graph = load_twice(memory_store, FIXTURES / "edge_cases.json", tmp_path)
    assert (report.read, report.written, report.rejected) == (7, 1, 6)
    rejects = (tmp_path / "rejects.jsonl").read_text()
    for expected in ('"field": "doi", "reason": "missing', "resource type 'Image'", "resource type 'Model'",
                     "got 'not a doi'", '"field": "types"', '"field": "rightsList"'):
        assert expected in rejects
    model = instance_iri("model", "10.1234/abc")  # API response wrapper; DOI lower-cased
    assert (model, RDF.type, ODLM.PretrainedModel) in graph
    assert (model, ODLM.sharedAt, vocab_iri("sharing-location", "Figshare")) in graph
    assert set(graph.objects(model, ODLM.licence)) == {SPDX_LICENSE["MIT"]}  # the access statement is no licence
    assert (model, ODLM.describedBy, instance_iri("paper", "2001.00002")) in graph  # arXiv DOI -> arXiv id
    assert (model, ODLM.sourceCode, instance_iri("code", "example/seg-net")) in graph
    observation = graph.value(None, ODLM.observedArtifact, model)
    assert graph.value(observation, ODLM.metricValue) == Literal(7)
    assert not list(graph.objects(None, FOAF.account))
