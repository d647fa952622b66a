"""Hugging Face sources over every real sample file, and the project's own edge-case fixtures."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from rdflib import Literal, URIRef

from odlm_kg.namespaces import ODLM, SPDX_LICENSE, graph_iri, instance_iri, vocab_iri
from odlm_kg.sources import get_source
from odlm_kg.sources.pipeline import LoadReport, run_load
from odlm_kg.store import OxigraphStore
from tests.conftest import TEST_DATA

HF_GRAPH = graph_iri("huggingface")
HF = TEST_DATA / "hf"

# (source, path under the real samples, records read, rejected)
REAL_FILES = [
    ("huggingface-models", "hf-api-aibomgen/model_info_google-bert_bert-base-uncased.json", 1, 0),
    ("huggingface-models", "hf-modeltree-oderinwale/DeepHermes-3-Mistral-24B-Preview_finetunes_20250404_231041.json", 5, 0),
    ("huggingface-models", "hf-modeltree-oderinwale/esm3-sm-open-v1_finetunes_20250407_211556.json", 2, 0),
    ("huggingface-models", "hf-modeltree-oderinwale/gpt-neox-20b_finetunes_20250407_212140.json", 9, 0),
    ("huggingface-models", "hf-model-cards-weixinliang/model_info_sample.csv", 1983, 0),
    ("huggingface-datasets", "hf-api-aibomgen/dataset_info_LanguageShades_BiasShades.json", 1, 0),
    ("hf-model-cards", "hf-model-cards-asgaardlab", 47, 0),
    ("hf-model-cards", "hf-model-cards-weixinliang", 40, 0),
]


def load(store: OxigraphStore, source: str, *paths: Path, **options: object) -> LoadReport:
    return run_load(store, get_source(source), list(paths), progress=False, **options)  # type: ignore[arg-type]


def ask(store: OxigraphStore, pattern: str) -> bool:
    result = store.query(f"PREFIX odlm: <{ODLM}> ASK {{ GRAPH <{HF_GRAPH}> {{ {pattern} }} }}")
    assert isinstance(result, bool)
    return result


def objects(store: OxigraphStore, subject: URIRef, predicate: URIRef) -> set[object]:
    rows = store.query(f"SELECT ?o WHERE {{ GRAPH <{HF_GRAPH}> {{ <{subject}> <{predicate}> ?o }} }}")
    return {row["o"] for row in rows}


def model(repo_id: str) -> URIRef:
    return instance_iri("model", repo_id)


@pytest.mark.parametrize(("source", "relative", "read", "rejected"), REAL_FILES)
def test_every_real_sample_loads(real_data: Path, tmp_path: Path, source: str, relative: str, read: int,
                                 rejected: int) -> None:
    store = OxigraphStore()
    rejects = tmp_path / "rejects.jsonl"
    report = load(store, source, real_data / relative, reject_file=rejects)
    assert (report.read, report.rejected) == (read, rejected), rejects.read_text(encoding="utf-8")
    assert report.written == read - rejected and report.triples > 0
    count = store.count(HF_GRAPH)
    load(store, source, real_data / relative)
    assert store.count(HF_GRAPH) == count  # stable IRIs: a reload changes nothing


@pytest.fixture(scope="module")
def hub(real_data: Path) -> OxigraphStore:
    """All real Hugging Face samples loaded into one store."""
    store = OxigraphStore()
    for source, relative, *_ in REAL_FILES:
        load(store, source, real_data / relative)
    return store


def test_bert_base_uncased(hub: OxigraphStore) -> None:
    bert = model("google-bert/bert-base-uncased")
    assert objects(hub, bert, ODLM.licence) == {SPDX_LICENSE["Apache-2.0"]}
    assert objects(hub, bert, ODLM.trainedOn) == {instance_iri("dataset", "bookcorpus"),
                                                  instance_iri("dataset", "wikipedia")}
    paper = instance_iri("paper", "1810.04805")
    assert objects(hub, bert, ODLM.describedBy) == {paper}
    assert objects(hub, paper, ODLM.arxivId) == {Literal("1810.04805")}
    assert objects(hub, bert, ODLM.sharedAt) == {vocab_iri("sharing-location", "HuggingFaceHub")}
    assert objects(hub, bert, ODLM.artifactKind) == {vocab_iri("artifact-kind", "Model")}
    assert objects(hub, bert, ODLM.platformId) == {Literal("google-bert/bert-base-uncased")}
    assert URIRef("https://huggingface.co/google-bert/bert-base-uncased") in objects(
        hub, bert, URIRef("http://www.w3.org/ns/dcat#landingPage"))
    assert ask(hub, f"""<{bert}> odlm:sharedBy ?agent . ?agent a odlm:Agent ;
        <http://xmlns.com/foaf/0.1/account> [ <http://xmlns.com/foaf/0.1/accountName> "google-bert" ] .""")
    assert ask(hub, f"""?o a odlm:MetricObservation ; odlm:observedArtifact <{bert}> ;
        odlm:metric <{vocab_iri("metric", "Downloads")}> ; odlm:metricValue 60478923 ; odlm:observedAt ?t .""")
    assert not objects(hub, bert, ODLM.releaseStrategy)  # "gated": false


def test_model_tree_lineage_and_gating(hub: OxigraphStore) -> None:
    child = model("Jarrodbarnes/DeepHermes-3-Mistral-24B-Preview-mlx-fp16")
    parent = model("NousResearch/DeepHermes-3-Mistral-24B-Preview")
    assert objects(hub, child, ODLM.derivedFrom) == {parent}
    assert ask(hub, f"""<{child}> odlm:qualifiedDerivation [ a odlm:Derivation ; odlm:derivationSource <{parent}> ;
        odlm:reusePattern <{vocab_iri("reuse-pattern", "FineTune")}> ] .""")
    assert objects(hub, parent, ODLM.derivedFrom) == {model("mistralai/Mistral-Small-24B-Base-2501")}
    esm3 = model("EvolutionaryScale/esm3-sm-open-v1")
    assert objects(hub, esm3, ODLM.releaseStrategy) == {vocab_iri("release-strategy", "GatedAccess")}
    # a list of base models: esm3 by a fine-tune tag, esm2 from the card's base_model list
    assert objects(hub, model("gelnesr/Dyna-1"), ODLM.derivedFrom) == {esm3, model("facebook/esm2_t30_150M_UR50D")}
    neox = model("EleutherAI/gpt-neox-20b")
    assert objects(hub, neox, ODLM.trainedOn) == {instance_iri("dataset", "EleutherAI/pile")}
    assert instance_iri("paper", "2204.06745") in objects(hub, neox, ODLM.describedBy)


def test_other_licence_keeps_its_name(hub: OxigraphStore) -> None:
    dyna = model("gelnesr/Dyna-1")
    licence = instance_iri("licence", "gelnesr/non-commercial-license-dyna1")  # the owner's own licence
    assert objects(hub, dyna, ODLM.licence) == {licence}
    assert objects(hub, dyna, ODLM.licenceText) == {Literal("non-commercial-license-dyna1")}
    assert objects(hub, licence, ODLM.opennessClass) == {vocab_iri("licence-openness", "Unknown")}


def test_model_cards(hub: OxigraphStore) -> None:
    llama2_chat = model("NousResearch/Llama-2-7b-chat-hf")
    assert objects(hub, llama2_chat, ODLM.releaseStrategy) == {vocab_iri("release-strategy", "GatedAccess")}
    assert objects(hub, model("CompVis/stable-diffusion-v1-4"), ODLM.licence) == {
        instance_iri("licence", "creativeml-openrail-m")}
    openness = {row["o"] for row in hub.query(f"""PREFIX odlm: <{ODLM}> SELECT ?o WHERE {{
        GRAPH <{HF_GRAPH}> {{ ?m odlm:licence ?l . ?l odlm:opennessClass ?o }} }}""")}
    assert {vocab_iri("licence-openness", c) for c in ("Open", "OpenWithUseRestrictions", "NonCommercial")} <= openness


def test_csv_model_list(hub: OxigraphStore) -> None:
    assert ask(hub, f"<{model('bert-base-uncased')}> a odlm:PretrainedModel ; odlm:sharedBy ?owner .")


def test_dataset_record(hub: OxigraphStore) -> None:
    dataset = instance_iri("dataset", "LanguageShades/BiasShades")
    assert objects(hub, dataset, ODLM.releaseStrategy) == {vocab_iri("release-strategy", "GatedAccess")}
    assert objects(hub, dataset, ODLM.artifactKind) == {vocab_iri("artifact-kind", "Data")}
    assert URIRef("https://huggingface.co/datasets/LanguageShades/BiasShades") in objects(
        hub, dataset, URIRef("http://www.w3.org/ns/dcat#landingPage"))


def test_a_llama_2_derivative_carries_its_lineage(memory_store: OxigraphStore) -> None:
    report = load(memory_store, "hf-model-cards", HF / "cards")
    assert (report.read, report.rejected) == (1, 0)  # the folder's own README.md is skipped
    derived = model("example-org/card-model")
    base = model("meta-llama/Llama-2-7b-hf")
    assert objects(memory_store, derived, ODLM.derivedFrom) == {base}
    assert ask(memory_store, f"""<{derived}> odlm:qualifiedDerivation [ odlm:derivationSource <{base}> ;
        odlm:reusePattern <{vocab_iri("reuse-pattern", "Quantisation")}> ] .""")
    assert objects(memory_store, derived, ODLM.licence) == {instance_iri("licence", "llama2")}
    # GitLab links count as code too (regression: they were skipped for want of a location concept)
    gitlab = instance_iri("code", "gitlab/example-org/card-tools-mirror")
    assert objects(memory_store, derived, ODLM.sourceCode) == {instance_iri("code", "example-org/card-tools"), gitlab}
    assert objects(memory_store, gitlab, ODLM.sharedAt) == {vocab_iri("sharing-location", "GitLab")}
    assert objects(memory_store, derived, ODLM.describedBy) == {instance_iri("paper", "2307.09288")}
    assert objects(memory_store, derived, ODLM.trainedOn) == {instance_iri("dataset", "example-org/instructions")}


def test_edge_cases(memory_store: OxigraphStore, tmp_path: Path) -> None:
    rejects = tmp_path / "rejects.jsonl"
    report = load(memory_store, "huggingface-models", HF / "edge_cases.jsonl", reject_file=rejects)
    found = [(r["record"], r["field"]) for r in map(json.loads, rejects.read_text(encoding="utf-8").splitlines())]
    assert found == [(4, "id"), (6, "id"), (7, "downloads"), (8, "datasets"), (9, None), (12, "id")]
    assert (report.read, report.written) == (12, 6)
    complete = model("example-org/complete-model")  # given twice: written once
    assert objects(memory_store, complete, ODLM.releaseStrategy) == {vocab_iri("release-strategy", "GatedAccess")}
    assert ask(memory_store, f"""<{complete}> odlm:qualifiedDerivation [
        odlm:reusePattern <{vocab_iri("reuse-pattern", "Adapter")}> ] .""")
    nulls = model("example-org/nulls")
    assert objects(memory_store, nulls, ODLM.licence) == set() and objects(memory_store, nulls, ODLM.sharedBy)
    assert objects(memory_store, model("example-org/only-model-id"), ODLM.platformId) == {
        Literal("example-org/only-model-id")}
    assert objects(memory_store, model("example-org/unknown-licence"), ODLM.licenceText) == {
        Literal("example-community-licence")}


def test_a_dataset_record_is_refused_by_the_model_source(real_data: Path, memory_store: OxigraphStore) -> None:
    report = load(memory_store, "huggingface-models", real_data / "hf-api-aibomgen")
    # model_info is a model; dataset_info is a dataset; config.json is no Hub record at all
    assert (report.read, report.written, report.rejected) == (3, 1, 2)


def test_curated_crawl_sample_is_valid_and_mixed() -> None:
    from rdflib.namespace import DCTERMS, RDF

    from odlm_kg.evidence.crawl_sample import CRAWL_SAMPLES_GRAPH, CURATED_SAMPLE, build_step
    from odlm_kg.licences import LICENCES_GRAPH, licence_graph
    from odlm_kg.validate import validate

    graphs = build_step()
    graph = graphs[CRAWL_SAMPLES_GRAPH]
    # the licence nodes live in graph licences only (no triple in two graphs); validate as the store holds them
    report = validate(graph + graphs.get(LICENCES_GRAPH, licence_graph()), ("core", "crawl"))
    assert report.conforms, [str(r.message) for r in report.violations][:5]
    curated = set(graph.subjects(DCTERMS.source, CURATED_SAMPLE))
    assert 20 <= len(curated) <= 40
    open_models = set(graph.subjects(RDF.type, ODLM.OpenDeepLearningModel))
    assert model("google-bert/bert-base-uncased") in open_models
    assert model("meta-llama/Llama-2-7b-chat-hf") not in open_models  # Llama 2 licence: use restrictions
    assert model("facebook/nllb-200-distilled-600M") not in open_models  # non-commercial
    assert (model("TheBloke/Llama-2-7B-Chat-GPTQ"), ODLM.derivedFrom, model("meta-llama/Llama-2-7b-chat-hf")) in graph


def test_a_truncated_compressed_model_list_is_an_input_error(tmp_path: Path) -> None:
    # regression: gzip's EOFError went through the CSV reader and the CLI only said "aborted"
    import gzip

    from odlm_kg.errors import InputError

    path = tmp_path / "models.csv.gz"
    path.write_bytes(gzip.compress(b"modelId\n" + b"google-bert/bert-base-uncased\n" * 200)[:40])
    with pytest.raises(InputError, match=r"models\.csv\.gz: cannot read \(corrupt or truncated compressed data"):
        list(get_source("huggingface-models").read(path))
