"""The ``peatmoss`` source over the real PeaTMOSS samples, a SQLite database built at test time by the
published schema, and the project's edge-case fixtures."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from crawl_loading import load_source_twice
from rdflib import Graph, Literal
from rdflib.namespace import RDF, XSD

from odlm_kg.errors import InputError
from odlm_kg.namespaces import ODLM, SPDX_LICENSE, instance_iri, vocab_iri
from odlm_kg.sources import get_source
from odlm_kg.sources.base import LoadOptions
from odlm_kg.sources.pipeline import LoadReport, run_load
from odlm_kg.store import OxigraphStore

FOLDER = "peatmoss"
DATA_FILES = ("github_repo_licenses_sample.json", "hf_model_to_github_reuse_mapping_sample.csv",
              "hf_top2k_models_downloads.json", "llm_extracted_metadata_groundTruth.json")
SCHEMA_FILES = ("github_full_repository.schema.json", "llm_extracted_metadata.schema.json", "peatmoss_schema.json")
FIXTURES = Path(__file__).resolve().parent / "data" / "peatmoss"
OBSERVED = LoadOptions(extra={"observed-at": "2023-08-01"})


def load_twice(store: OxigraphStore, path: Path, tmp_path: Path | None = None,
               options: LoadOptions | None = None) -> tuple[LoadReport, Graph]:
    return load_source_twice("peatmoss", store, path, tmp_path, options)


def test_every_real_file_is_covered(real_data: Path) -> None:
    names = {p.name for p in (real_data / FOLDER).iterdir() if p.name != "README.md"}
    assert names == set(DATA_FILES) | set(SCHEMA_FILES)


@pytest.mark.parametrize("name", SCHEMA_FILES)
def test_schema_files_are_refused(real_data: Path, memory_store: OxigraphStore, name: str) -> None:
    with pytest.raises(InputError, match="schema, not PeaTMOSS data"):
        run_load(memory_store, get_source("peatmoss"), [real_data / FOLDER / name], progress=False, classify=False)
    assert memory_store.is_empty()


def test_reuse_mapping(real_data: Path, memory_store: OxigraphStore) -> None:
    report, graph = load_twice(memory_store, real_data / FOLDER / "hf_model_to_github_reuse_mapping_sample.csv")
    assert (report.read, report.written, report.rejected) == (896, 896, 0)
    santacoder = instance_iri("model", "bigcode/santacoder")
    assert (santacoder, RDF.type, ODLM.PretrainedModel) in graph
    assert (santacoder, ODLM.sharedAt, vocab_iri("sharing-location", "HuggingFaceHub")) in graph
    assert (santacoder, ODLM.sourceCode, instance_iri("code", "bigcode-project/commits")) in graph
    assert (santacoder, ODLM.sharedBy, instance_iri("agent", "huggingface/bigcode")) in graph
    licence = graph.value(santacoder, ODLM.licence)
    assert graph.value(licence, ODLM.opennessClass) == vocab_iri("licence-openness", "OpenWithUseRestrictions")
    gpt2 = instance_iri("model", "gpt2")
    assert (gpt2, ODLM.licence, SPDX_LICENSE["MIT"]) in graph
    assert (gpt2, ODLM.sourceCode, instance_iri("code", "noviscl/gpt3-reliability")) in graph
    assert graph.value(gpt2, ODLM.sharedBy) is None  # a legacy id without owner
    assert len(set(graph.subjects(RDF.type, ODLM.SourceCode))) == 480


def test_repository_licences_from_scancode_keys(real_data: Path, memory_store: OxigraphStore) -> None:
    report, graph = load_twice(memory_store, real_data / FOLDER / "github_repo_licenses_sample.json")
    assert (report.read, report.written, report.rejected) == (480, 480, 0)
    assert (instance_iri("code", "pix2pixzero/pix2pix-zero"), ODLM.licence, SPDX_LICENSE["MIT"]) in graph
    assert graph.value(instance_iri("code", "bigcode-project/commits"), ODLM.licence) is None  # null: not found
    licences = set(graph.objects(None, ODLM.licence))
    assert SPDX_LICENSE["BSD-3-Clause"] in licences  # ScanCode bsd-new
    assert SPDX_LICENSE["BSD-2-Clause"] in licences  # ScanCode bsd-simplified
    proprietary = instance_iri("licence", "proprietary")  # ScanCode proprietary-license
    assert proprietary in licences
    assert graph.value(proprietary, ODLM.opennessClass) == vocab_iri("licence-openness", "Proprietary")


def test_downloads_need_a_time(real_data: Path, memory_store: OxigraphStore, disk_store: OxigraphStore) -> None:
    path = real_data / FOLDER / "hf_top2k_models_downloads.json"
    report, graph = load_twice(memory_store, path)
    assert (report.read, report.written, report.rejected) == (1461, 1461, 0)
    assert (None, RDF.type, ODLM.MetricObservation) not in graph  # PeaTMOSS gives no time: nothing to date
    assert (instance_iri("model", "bert-base-uncased"), RDF.type, ODLM.PretrainedModel) in graph
    source = get_source("peatmoss", OBSERVED)
    run_load(disk_store, source, [path], progress=False, classify=False)
    dated = disk_store.export_graph(source.graph)
    bert = instance_iri("model", "bert-base-uncased")
    observation = dated.value(None, ODLM.observedArtifact, bert)
    assert dated.value(observation, ODLM.metricValue) == Literal(43380501)
    assert dated.value(observation, ODLM.metric) == vocab_iri("metric", "Downloads")
    assert dated.value(observation, ODLM.observedAt) == Literal("2023-08-01T00:00:00Z", datatype=XSD.dateTime)


def test_hand_checked_metadata(real_data: Path, memory_store: OxigraphStore) -> None:
    report, graph = load_twice(memory_store, real_data / FOLDER / "llm_extracted_metadata_groundTruth.json")
    assert (report.read, report.written, report.rejected) == (50, 50, 0)
    falcon = instance_iri("model", "tiiuae/falcon-7b-instruct")
    assert (falcon, ODLM.trainedOn, instance_iri("dataset", "tiiuae/falcon-refinedweb")) in graph
    assert (falcon, ODLM.describedBy, instance_iri("paper", "2306.01116")) in graph
    assert (falcon, ODLM.derivedFrom, instance_iri("model", "tiiuae/falcon-7b")) in graph
    assert (falcon, ODLM.licence, SPDX_LICENSE["Apache-2.0"]) in graph
    assistant = instance_iri("model", "OpenAssistant/oasst-sft-4-pythia-12b-epoch-3.5")
    assert (assistant, ODLM.sourceCode, instance_iri("code", "laion-ai/open-assistant")) in graph
    assert graph.value(assistant, ODLM.derivedFrom) is None  # "EleutherAI / pythia-12b-deduped" is no id
    openjourney = instance_iri("model", "prompthero/openjourney-v4")  # "CreativeML OpenRAIL-M" as written
    assert graph.value(graph.value(openjourney, ODLM.licence), ODLM.opennessClass) == vocab_iri(
        "licence-openness", "OpenWithUseRestrictions")


def build_database(schema_file: Path, target: Path) -> Path:
    """A tiny PeaTMOSS database with the published schema (tables, keys, foreign keys) and a few rows."""
    schema = json.loads(schema_file.read_text())["tables"]
    connection = sqlite3.connect(target)
    for table, spec in schema.items():
        columns = [f'"{c["name"]}" {c["type"]}{" NOT NULL" if c["notnull"] else ""}' for c in spec["columns"]]
        keys = [c["name"] for c in spec["columns"] if c["pk"]]
        foreign = [f'FOREIGN KEY ("{f["column"]}") REFERENCES "{f["references_table"]}" ("{f["references_column"]}")'
                   for f in spec["foreign_keys"]]
        primary = [f'PRIMARY KEY ({", ".join(keys)})'] if keys else []
        connection.execute(f'CREATE TABLE "{table}" ({", ".join(columns + primary + foreign)})')
    rows = {
        "model_hub": [(1, "Hugging Face", "https://huggingface.co"), (2, "PyTorch Hub", "https://pytorch.org/hub")],
        "model": [(1, None, 1, "abc", "https://huggingface.co/google-bert/bert-base-uncased", 1000, 50, 1, None, None),
                  (2, None, 2, None, "https://pytorch.org/hub/pytorch_vision_resnet/", None, None, 0, None, None),
                  (3, None, 1, None, None, 3, 1, 0, None, None)],
        "license": [(1, "apache-2.0")],
        "model_to_license": [(1, 1)],
        "dataset": [(1, "bookcorpus"), (2, "wikipedia"), (3, "a free-text description")],
        "model_to_dataset": [(1, 1), (1, 2), (1, 3)],
        "paper": [(1, "https://arxiv.org/abs/1810.04805")],
        "model_to_paper": [(1, 1)],
        "reuse_repository": [(1, "Example", "uses-bert", "https://github.com/Example/uses-bert")],
        "model_to_reuse_repository": [(1, 1)],
    }
    for table, values in rows.items():
        marks = ", ".join("?" * len(values[0]))
        connection.executemany(f'INSERT INTO "{table}" VALUES ({marks})', values)
    connection.commit()
    connection.close()
    return target


def test_sqlite_database_by_the_published_schema(real_data: Path, memory_store: OxigraphStore,
                                                 tmp_path: Path) -> None:
    database = build_database(real_data / FOLDER / "peatmoss_schema.json", tmp_path / "PeaTMOSS.db")
    report, graph = load_twice(memory_store, database, tmp_path, options=OBSERVED)
    assert (report.read, report.written, report.rejected) == (3, 2, 1)
    assert '"field": "model.repo_url"' in (tmp_path / "rejects.jsonl").read_text()
    bert = instance_iri("model", "google-bert/bert-base-uncased")
    assert (bert, ODLM.licence, SPDX_LICENSE["Apache-2.0"]) in graph
    assert {graph.value(d, ODLM.platformId) for d in graph.objects(bert, ODLM.trainedOn)} == {
        Literal("bookcorpus"), Literal("wikipedia")}
    assert (bert, ODLM.describedBy, instance_iri("paper", "1810.04805")) in graph
    assert (bert, ODLM.sourceCode, instance_iri("code", "example/uses-bert")) in graph
    metrics = {(graph.value(o, ODLM.metric), graph.value(o, ODLM.metricValue))
               for o in graph.subjects(ODLM.observedArtifact, bert)}
    assert metrics == {(vocab_iri("metric", "Downloads"), Literal(1000)), (vocab_iri("metric", "Likes"), Literal(50))}
    resnet = instance_iri("model", "pytorch-hub/pytorch_vision_resnet")  # the pytorch-hub source's IRI
    assert (resnet, ODLM.sharedAt, vocab_iri("sharing-location", "PyTorchHub")) in graph


def test_edge_cases(memory_store: OxigraphStore, tmp_path: Path) -> None:
    report, graph = load_twice(memory_store, FIXTURES / "mapping_with_header.csv", tmp_path)
    assert (report.read, report.written, report.rejected) == (6, 3, 3)
    rejects = (tmp_path / "rejects.jsonl").read_text()
    for expected in ("expected 4 columns", "gitlab.com/not/github", "'has spaces in id'"):
        assert expected in rejects
    llama = instance_iri("model", "meta-llama/Llama-2-7b-hf")
    assert graph.value(graph.value(llama, ODLM.licence), ODLM.opennessClass) == vocab_iri(
        "licence-openness", "OpenWithUseRestrictions")
    report, graph = load_twice(memory_store, FIXTURES / "licences_edge_cases.json", tmp_path)
    assert (report.read, report.written, report.rejected) == (5, 3, 2)
    uses_bert = instance_iri("code", "example/uses-bert")
    assert set(graph.objects(uses_bert, ODLM.licence)) >= {SPDX_LICENSE["BSD-3-Clause"], SPDX_LICENSE["Apache-2.0"]}
    unknown = instance_iri("code", "example/unknown-key")
    assert (unknown, ODLM.licenceText, Literal("some-scancode-key-nobody-knows")) in graph


def test_unreadable_csv_stops_and_writes_nothing(memory_store: OxigraphStore) -> None:
    with pytest.raises(InputError, match=r"not_utf8\.csv:2: not UTF-8"):
        run_load(memory_store, get_source("peatmoss"), [FIXTURES / "not_utf8.csv"], progress=False, classify=False)
    assert memory_store.is_empty()


def test_a_bad_observation_time_stops_the_load_with_a_message(tmp_path: Path,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    # regression: a bad observed-at was checked per record, rejecting every record and exiting 0
    from odlm_kg.cli.app import main

    path = tmp_path / "downloads.json"
    path.write_text('{"bert-base-uncased": 5}', encoding="utf-8")
    assert main(["--store", "memory", "load", "peatmoss", str(path), "--no-progress",
                 "--option", "observed-at=yesterday"]) == 2
    assert "observed-at=yesterday: expected an ISO 8601 date or time" in capsys.readouterr().err


def test_cli_option_gives_the_observation_time(real_data: Path, tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    # regression: the CLI had no way to pass observed-at, so dated counts could only be loaded from Python
    from odlm_kg.cli.app import main
    from odlm_kg.store import open_store

    store_dir = tmp_path / "store"
    path = real_data / FOLDER / "hf_top2k_models_downloads.json"
    assert main(["--store", str(store_dir), "load", "peatmoss", str(path), "--no-progress",
                 "--option", "observed-at=2023-08-01"]) == 0
    assert main(["--store", str(store_dir), "load", "peatmoss", str(path), "--option", "observed-at"]) == 2
    assert "expected KEY=VALUE" in capsys.readouterr().err
    store = open_store(str(store_dir))
    found = store.query(f"""ASK {{ ?o <{ODLM.observedArtifact}> <{instance_iri("model", "bert-base-uncased")}> ;
                                    <{ODLM.metricValue}> 43380501 }}""")
    store.close()
    assert found is True


def test_a_truncated_compressed_mapping_is_an_input_error(tmp_path: Path) -> None:
    # regression: gzip's EOFError went through the CSV reader and the CLI only said "aborted"
    import gzip

    path = tmp_path / "mapping.csv.gz"
    path.write_bytes(gzip.compress(b"owner/repo,bert-base-uncased,https://huggingface.co/bert-base-uncased,apache-2.0\n"
                                   * 200)[:40])
    with pytest.raises(InputError, match=r"mapping\.csv\.gz: cannot read \(corrupt or truncated compressed data"):
        list(get_source("peatmoss").read(path))
