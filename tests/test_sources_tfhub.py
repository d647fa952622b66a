"""The ``tfhub`` source over the real TF Hub model-doc metadata and the project's fixtures."""

from __future__ import annotations

from pathlib import Path

from crawl_loading import load_source_twice
from rdflib import Graph, Literal
from rdflib.namespace import RDF

from odlm_kg.namespaces import ODLM, SPDX_LICENSE, instance_iri, vocab_iri
from odlm_kg.sources.pipeline import LoadReport
from odlm_kg.store import OxigraphStore

FOLDER = "tfhub"
SAMPLE = "tfhub_model_docs_metadata_sample.json"
FIXTURES = Path(__file__).resolve().parent / "data" / "tfhub"


def load_twice(store: OxigraphStore, path: Path, tmp_path: Path | None = None) -> tuple[LoadReport, Graph]:
    return load_source_twice("tfhub", store, path, tmp_path)


def test_every_real_file_is_covered(real_data: Path) -> None:
    names = {p.name for p in (real_data / FOLDER).iterdir() if p.name != "README.md"}
    assert names == {SAMPLE}


def test_real_entries(real_data: Path, memory_store: OxigraphStore) -> None:
    report, graph = load_twice(memory_store, real_data / FOLDER / SAMPLE)
    assert (report.read, report.written, report.rejected) == (2, 2, 0)
    bert = instance_iri("model", "tfhub/google/bert_uncased_L-12_H-768_A-12/1")
    assert (bert, RDF.type, ODLM.PretrainedModel) in graph
    assert (bert, ODLM.sharedAt, vocab_iri("sharing-location", "TensorFlowHub")) in graph
    assert (bert, ODLM.describedBy, instance_iri("paper", "1810.04805")) in graph
    assert (bert, ODLM.sourceCode, instance_iri("code", "google-research/bert")) in graph
    assert (bert, ODLM.sharedBy, instance_iri("agent", "tfhub/google")) in graph
    mobilenet = instance_iri("model", "tfhub/google/imagenet/mobilenet_v2_100_224/feature_vector/5")
    assert (mobilenet, ODLM.describedBy, instance_iri("paper", "1801.04381")) in graph
    assert (mobilenet, ODLM.sourceCode, instance_iri("code", "tensorflow/models")) in graph
    assert (mobilenet, ODLM.platformId, Literal("google/imagenet/mobilenet_v2_100_224/feature_vector/5")) in graph


def test_markdown_doc_and_edge_cases(memory_store: OxigraphStore, tmp_path: Path) -> None:
    report, graph = load_twice(memory_store, FIXTURES / "google_example_1.md")
    assert (report.read, report.written, report.rejected) == (1, 1, 0)
    example = instance_iri("model", "tfhub/google/example_encoder/1")
    assert (example, ODLM.licence, SPDX_LICENSE["Apache-2.0"]) in graph
    assert (example, ODLM.describedBy, instance_iri("paper", "2002.00003")) in graph
    report, graph = load_twice(memory_store, FIXTURES / "edge_cases.json", tmp_path)
    assert (report.read, report.written, report.rejected) == (4, 1, 3)
    custom = instance_iri("model", "tfhub/google/ok/2")
    assert (custom, ODLM.licenceText, Literal("Some Custom Terms")) in graph
    assert graph.value(custom, ODLM.sourceCode) is None  # not a repository URL
    rejects = (tmp_path / "rejects.jsonl").read_text()
    for expected in ("'no version here'", '"field": "handle", "reason": "missing', '"field": "metadata"'):
        assert expected in rejects


def test_a_truncated_compressed_page_is_an_input_error(tmp_path: Path) -> None:
    # regression: whole-file reads (model pages) let gzip's EOFError through, and the CLI said "aborted"
    import gzip

    import pytest

    from odlm_kg.errors import InputError
    from odlm_kg.sources import get_source

    page = tmp_path / "page.md"
    page.write_bytes(gzip.compress(b"# Module google/x/1\n")[:20])
    with pytest.raises(InputError, match=r"page\.md: cannot read \(corrupt or truncated compressed data"):
        list(get_source("tfhub").read(page))
