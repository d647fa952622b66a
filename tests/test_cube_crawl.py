"""Crawl evidence in the comparison cube (issue 15): one regression test per crawl defect."""

from __future__ import annotations

import json
from pathlib import Path

from rdflib import Literal, URIRef

from odlm_kg.evidence import crawl_sample
from odlm_kg.evidence.cube import CRAWL, cube_graph_iri, refresh
from odlm_kg.evidence.cube_crawl import crawl_observations
from odlm_kg.licences import LICENCES_GRAPH
from odlm_kg.licences import build_step as licences_step
from odlm_kg.namespaces import ODLM, graph_iri, vocab_iri
from odlm_kg.sources import get_source
from odlm_kg.sources.pipeline import run_load
from odlm_kg.store import OxigraphStore

SAMPLE = crawl_sample.CRAWL_SAMPLES_GRAPH
HUB = vocab_iri("sharing-location", "HuggingFaceHub")
MODEL = vocab_iri("artifact-kind", "Model")
DATA = vocab_iri("artifact-kind", "Data")
CODE = vocab_iri("artifact-kind", "Code")


def sample_store() -> OxigraphStore:
    store = OxigraphStore()
    for step in (crawl_sample.build_step, licences_step):
        for iri, graph in step().items():
            store.add_graph(graph, iri)
    return store


def test_curated_sample_observations_say_curated_with_n_31() -> None:
    observations = crawl_observations(sample_store(), SAMPLE)
    assert observations
    assert all(o.curated and o.evidence == CRAWL and o.source == SAMPLE for o in observations)
    assert {o.sample_size for o in observations} == {31}
    assert all(o.derived_from == (crawl_sample.CURATED_SAMPLE,) for o in observations)


def test_id_only_stubs_never_enter_a_denominator() -> None:
    # the sample's records point at 11+ Hub datasets and at base models known only by their id
    observations = crawl_observations(sample_store(), SAMPLE)
    assert not [o for o in observations if o.kind == DATA]  # no "100 % of Hub datasets have no licence"
    assert {o.base for o in observations if o.base is not None} == {31}
    openness = [o for o in observations if str(o.factor).startswith(str(vocab_iri("licence-openness")) + "/")]
    assert sum(o.numerator for o in openness if o.numerator is not None) == 31  # a partition of the 31 records
    unknown = next(o for o in openness if o.factor == vocab_iri("licence-openness", "Unknown"))
    assert unknown.numerator == 3  # the three records whose licence the table does not classify, no stub


def test_licence_triples_live_in_one_graph_only() -> None:
    store = sample_store()
    both = store.query(f"""SELECT (COUNT(*) AS ?n) WHERE {{
        GRAPH <{SAMPLE}> {{ ?s ?p ?o }} GRAPH <{LICENCES_GRAPH}> {{ ?s ?p ?o }} }}""")
    assert int(next(iter(both))["n"]) == 0  # type: ignore[call-overload, index]


def test_no_code_link_share_without_card_text() -> None:
    # Hub API records carry no card text, so "0 % of models link code" would be a false zero
    observations = crawl_observations(sample_store(), SAMPLE)
    assert not [o for o in observations if o.factor == CODE and o.platform == HUB]
    assert [o for o in observations if o.factor == DATA and o.platform == HUB]  # tags do show datasets


def _record(i: int) -> dict[str, object]:
    tags = ["license:apache-2.0" if i % 2 else "license:cc-by-nc-4.0", "dataset:org/corpus"]
    if i:
        tags.append(f"base_model:finetune:org/model-{i - 1}")
    return {"id": f"org/model-{i}", "author": "org", "tags": tags, "gated": i == 3}


def test_refresh_replaces_never_appends(tmp_path: Path) -> None:
    path = tmp_path / "models.jsonl"
    path.write_text("".join(json.dumps(_record(i)) + "\n" for i in range(5)), encoding="utf-8")
    store = OxigraphStore()
    for iri, graph in licences_step().items():
        store.add_graph(graph, iri)
    source = get_source("huggingface-models")
    cube = cube_graph_iri(source.graph)

    def observations_in_cube() -> int:
        rows = store.query(f"SELECT (COUNT(DISTINCT ?o) AS ?n) WHERE {{ GRAPH <{cube}> {{ ?o a <{ODLM.ComparisonObservation}> }} }}")
        return int(next(iter(rows))["n"])  # type: ignore[call-overload, index]

    run_load(store, source, [path], progress=False)
    first = observations_in_cube()
    run_load(store, source, [path], progress=False)
    assert observations_in_cube() == first > 0
    refresh(store, [source.graph])
    assert observations_in_cube() == first
    observations = crawl_observations(store, graph_iri("huggingface"))
    # derived from both load runs, dated by the later
    assert {len(o.derived_from) for o in observations} == {2}
    gated = next(o for o in observations if o.factor == vocab_iri("release-strategy", "GatedAccess"))
    assert (gated.numerator, gated.base) == (1, 5)
    top = next(o for o in observations if (ODLM.observedArtifact, URIRef("https://w3id.org/odlm/id/model/org/model-0"))
               in o.extra)
    assert top.count == 1
    assert (ODLM.descendantCount, Literal(4)) in [(p, Literal(int(o))) for p, o in top.extra[1:2]]


def test_crawl_report_labels_the_curated_sample() -> None:
    from odlm_kg.build import build
    from odlm_kg.report.crawl import crawl_report
    from odlm_kg.report.document import render_html

    store = OxigraphStore()
    build(store)
    text = render_html(crawl_report(store))
    assert "crawl (curated sample, n=31, hand-picked)" in text
    assert "not a sample of the Hub" in text
