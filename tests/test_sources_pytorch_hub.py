"""The ``pytorch-hub`` source over the 52 real PyTorch Hub pages (YAML and parsed JSON) and edge cases."""

from __future__ import annotations

from pathlib import Path

from crawl_loading import load_source_twice
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS

from odlm_kg.namespaces import ODLM, instance_iri, vocab_iri
from odlm_kg.sources import get_source
from odlm_kg.sources.pipeline import LoadReport, run_load
from odlm_kg.store import OxigraphStore

FOLDER = "pytorch-hub"
REAL_FILES = ("pytorch_hub_entries.json", "pytorch_hub_front_matter.yaml")
FIXTURES = Path(__file__).resolve().parent / "data" / "pytorch-hub"


def load_twice(store: OxigraphStore, path: Path, tmp_path: Path | None = None) -> tuple[LoadReport, Graph]:
    return load_source_twice("pytorch-hub", store, path, tmp_path)


def model(page: str) -> URIRef:
    return instance_iri("model", f"pytorch-hub/{page}")


def test_every_real_file_is_covered(real_data: Path) -> None:
    names = {p.name for p in (real_data / FOLDER).iterdir() if p.name != "README.md"}
    assert names == set(REAL_FILES)


def test_parsed_entries_with_entry_points(real_data: Path, memory_store: OxigraphStore) -> None:
    report, graph = load_twice(memory_store, real_data / FOLDER / "pytorch_hub_entries.json")
    assert (report.read, report.written, report.rejected) == (52, 52, 0)
    assert len(set(graph.subjects(RDF.type, ODLM.PretrainedModel))) == 52
    hybridnets = model("datvuthanh_hybridnets")
    assert (hybridnets, ODLM.sharedAt, vocab_iri("sharing-location", "PyTorchHub")) in graph
    assert set(graph.objects(hybridnets, ODLM.entryPoint)) == {Literal("hybridnets")}
    assert (hybridnets, ODLM.sourceCode, instance_iri("code", "datvuthanh/hybridnets")) in graph
    assert (hybridnets, ODLM.sharedBy, instance_iri("agent", "github/datvuthanh")) in graph
    resnet = model("pytorch_vision_resnet")
    assert {str(e) for e in graph.objects(resnet, ODLM.entryPoint)} == {
        "resnet18", "resnet34", "resnet50", "resnet101", "resnet152"}
    assert set(graph.objects(resnet, ODLM.sourceCode)) == {instance_iri("code", "pytorch/vision")}  # ":v0.10.0" dropped
    transformers = model("huggingface_pytorch-transformers")
    assert set(graph.objects(transformers, ODLM.sourceCode)) == {
        instance_iri("code", "huggingface/pytorch-transformers"), instance_iri("code", "huggingface/transformers")}
    assert graph.value(model("ultralytics_yolov5"), RDFS.label) == Literal("YOLOv5")
    assert not list(graph.objects(model("snakers4_silero-vad_vad"), ODLM.entryPoint))  # no call on that page


def test_front_matter_yaml_gives_the_same_models(real_data: Path, memory_store: OxigraphStore) -> None:
    report, graph = load_twice(memory_store, real_data / FOLDER / "pytorch_hub_front_matter.yaml")
    assert (report.read, report.written, report.rejected) == (52, 52, 0)
    wsl = model("facebookresearch_WSL-Images_resnext")
    assert (wsl, ODLM.sourceCode, instance_iri("code", "facebookresearch/wsl-images")) in graph
    assert graph.value(wsl, RDFS.label) == Literal("ResNext WSL")
    assert not list(graph.objects(None, ODLM.entryPoint))  # front matter alone has no load calls
    # the parsed JSON of the same pages adds entry points to the same 52 models
    run_load(memory_store, get_source("pytorch-hub"), [real_data / FOLDER / "pytorch_hub_entries.json"],
             progress=False, classify=False)
    both = memory_store.export_graph(get_source("pytorch-hub").graph)
    assert len(set(both.subjects(RDF.type, ODLM.PretrainedModel))) == 52
    assert (wsl, ODLM.entryPoint, Literal("resnext101_32x8d_wsl")) in both


def test_markdown_page_and_ptmtorrent_record(memory_store: OxigraphStore, tmp_path: Path) -> None:
    report, graph = load_twice(memory_store, FIXTURES / "pytorch_vision_example.md")
    assert (report.read, report.written, report.rejected) == (1, 1, 0)
    example = model("pytorch_vision_example")
    assert {str(e) for e in graph.objects(example, ODLM.entryPoint)} == {"example_small", "example_large"}
    report, graph = load_twice(memory_store, FIXTURES / "edge_cases.json", tmp_path)
    assert (report.read, report.written, report.rejected) == (5, 1, 4)
    alexnet = model("pytorch_vision_alexnet")  # PTMTorrent's pytorchhubModelMetadata shape
    assert (alexnet, ODLM.sourceCode, instance_iri("code", "pytorch/vision")) in graph
    rejects = (tmp_path / "rejects.jsonl").read_text()
    for expected in ('"field": "source_file"', '"field": "hub_load_calls[0]"', "layout 'post'", "'not a repo'"):
        assert expected in rejects
