"""The ``zenodo`` source over the real legacy records (doi2cff) and the project's edge-case fixtures."""

from __future__ import annotations

from pathlib import Path

import pytest
from crawl_loading import load_source_twice
from rdflib import Graph, Literal
from rdflib.namespace import DCTERMS, FOAF, RDF, XSD

from odlm_kg.namespaces import ODLM, SPDX_LICENSE, instance_iri, vocab_iri
from odlm_kg.sources.pipeline import LoadReport
from odlm_kg.store import OxigraphStore

FOLDER = "zenodo-doi2cff"
FIXTURES = Path(__file__).resolve().parent / "data" / "zenodo"

#: file -> (DOI, licence IRI, GitHub repository the release archives). Zenodo's "other-open" is a licence
#: the table mints (SPDX has no such id) with the openness Open.
REAL_RECORDS = {
    "record_1194353.json": ("10.5281/zenodo.1194353", instance_iri("licence", "other-open"), "nlesc/xenon"),
    "record_1197761.json": ("10.5281/zenodo.1197761", SPDX_LICENSE["Apache-2.0"], "nlesc/xenon-grpc"),
    "record_1200251.json": ("10.5281/zenodo.1200251", SPDX_LICENSE["Apache-2.0"], "nlesc/xenon"),
    "record_58369.json": ("10.5281/zenodo.58369", SPDX_LICENSE["Apache-2.0"], "3d-e-chem/knime-sstea"),
}


def load_twice(store: OxigraphStore, path: Path, tmp_path: Path | None = None) -> tuple[LoadReport, Graph]:
    return load_source_twice("zenodo", store, path, tmp_path)


def test_every_real_file_is_covered(real_data: Path) -> None:
    names = {p.name for p in (real_data / FOLDER).iterdir() if p.name != "README.md"}
    assert names == set(REAL_RECORDS)


@pytest.mark.parametrize("name", sorted(REAL_RECORDS))
def test_real_software_record(real_data: Path, memory_store: OxigraphStore, name: str) -> None:
    doi, licence, repo_key = REAL_RECORDS[name]
    report, graph = load_twice(memory_store, real_data / FOLDER / name)
    assert (report.read, report.written, report.rejected) == (1, 1, 0)
    code = instance_iri("code", doi)
    assert (code, RDF.type, ODLM.SourceCode) in graph
    assert (code, ODLM.doi, Literal(doi)) in graph
    assert (code, ODLM.sharedAt, vocab_iri("sharing-location", "Zenodo")) in graph
    assert (code, ODLM.licence, licence) in graph
    assert graph.value(licence, ODLM.opennessClass) == vocab_iri("licence-openness", "Open")
    assert (code, ODLM.derivedFrom, instance_iri("code", repo_key)) in graph
    owner = graph.value(code, ODLM.sharedBy)
    assert graph.value(graph.value(owner, FOAF.account), FOAF.accountName) is not None


def test_knime_record_details(real_data: Path, memory_store: OxigraphStore) -> None:
    _, graph = load_twice(memory_store, real_data / FOLDER / "record_58369.json")
    code = instance_iri("code", "10.5281/zenodo.58369")
    assert graph.value(code, DCTERMS.title) == Literal("knime-sstea: v1.0.5")
    assert graph.value(code, DCTERMS.issued) == Literal("2016-07-21", datatype=XSD.date)
    assert (code, ODLM.sharedBy, instance_iri("agent", "zenodo/19641")) in graph
    creator = instance_iri("agent", "orcid/0000-0002-5821-2060")  # by ORCID, never by name
    assert (code, ODLM.sharedBy, creator) in graph and (creator, RDF.type, ODLM.Person) in graph
    assert not [o for o in graph.objects() if isinstance(o, Literal) and "Verhoeven" in o]
    assert (None, ODLM.describedBy, None) not in graph  # "references" cites a paper, it does not describe


def test_edge_cases(memory_store: OxigraphStore, tmp_path: Path) -> None:
    report, graph = load_twice(memory_store, FIXTURES / "edge_cases.jsonl", tmp_path)
    assert (report.read, report.written, report.rejected) == (6, 3, 3)
    rejects = (tmp_path / "rejects.jsonl").read_text()
    assert "resource type 'poster'" in rejects
    assert '"field": "metadata"' in rejects
    assert '"field": "metadata.license"' in rejects
    # current (InvenioRDM) layout: resource type id "model", lower-case licence id, stats, owners as objects
    model = instance_iri("model", "10.5281/zenodo.7000001")
    assert (model, RDF.type, ODLM.PretrainedModel) in graph
    assert (model, ODLM.licence, SPDX_LICENSE["CC-BY-4.0"]) in graph
    assert (model, ODLM.describedBy, instance_iri("paper", "2101.00001")) in graph
    assert (model, ODLM.sourceCode, instance_iri("code", "example/cnn-training")) in graph
    assert (model, ODLM.sharedBy, instance_iri("agent", "zenodo/555")) in graph
    downloads = list(graph.subjects(ODLM.observedArtifact, model))
    assert [graph.value(o, ODLM.metricValue) for o in downloads] == [Literal(120)]
    assert graph.value(downloads[0], ODLM.observedAt) == Literal("2024-02-03T04:05:06Z", datatype=XSD.dateTime)
    dataset = instance_iri("dataset", "10.5281/zenodo.7000002")
    assert (dataset, ODLM.licence, SPDX_LICENSE["CC0-1.0"]) in graph
    assert graph.value(dataset, DCTERMS.issued) is None  # a bare year is not a date
    paper = instance_iri("paper", "10.5281/zenodo.7000005")
    assert (paper, RDF.type, ODLM.Paper) in graph and (paper, ODLM.doi, Literal("10.5281/zenodo.7000005")) in graph
