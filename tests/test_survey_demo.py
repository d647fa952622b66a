"""The SYNTHETIC demo survey reproduces the published tables, and the survey report presents them."""

from __future__ import annotations

import base64
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from rdflib import Literal, URIRef

from odlm_kg.build import collect
from odlm_kg.evidence.survey_demo import RESPONSES, demo_export, demo_graph, demo_path
from odlm_kg.namespaces import ODLM, graph_iri, vocab_iri
from odlm_kg.report.survey import (
    DEMO_SURVEY,
    TABLES,
    compute_table,
    render_html,
    render_markdown,
    survey_report,
)
from odlm_kg.store import OxigraphStore


@pytest.fixture(scope="module")
def demo_store() -> Iterator[OxigraphStore]:
    """Vocabularies, findings and the demo survey: what the report reads."""
    store = OxigraphStore()
    graphs, _ = collect([("ontology", "odlm_kg.ontology:build_step"), ("findings", "odlm_kg.evidence.findings:build_step"),
                         ("survey-demo", "odlm_kg.evidence.survey_demo:build_step")])
    for iri, graph in graphs.items():
        store.add_graph(graph, iri)
    yield store
    store.close()


def test_generator_reproduces_the_shipped_file() -> None:
    assert demo_export() == demo_path().read_text(encoding="utf-8")


def test_demo_export_has_the_real_layout_and_117_responses() -> None:
    lines = demo_path().read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("StartDate,EndDate,Status,IPAddress")
    assert lines[2].startswith('"{""ImportId"":""startDate""}"')
    assert len(lines) == 3 + RESPONSES
    assert "SYNTHETIC" in demo_path().name


def test_demo_graph_says_it_is_synthetic() -> None:
    graph = demo_graph()
    survey = next(iter(graph.subjects(None, ODLM.Survey)))
    assert survey == DEMO_SURVEY
    assert (survey, ODLM.synthetic, Literal(True)) in graph
    assert "SYNTHETIC" in str(graph.value(survey, URIRef("http://purl.org/dc/terms/description")))
    assert len(set(graph.subjects(None, ODLM.SurveyResponse))) == RESPONSES


@pytest.mark.parametrize("spec", TABLES, ids=[t.key for t in TABLES])
def test_every_computed_table_matches_the_published_one_within_one_point(demo_store: OxigraphStore, spec) -> None:  # type: ignore[no-untyped-def]
    table = compute_table(demo_store, spec, DEMO_SURVEY)
    assert table.published_from == "findings graph"
    assert table.rows and all(row.published is not None for row in table.rows)
    assert table.max_difference is not None and table.max_difference <= 1.0, table.rows


def test_changing_one_response_changes_the_computed_table(demo_store: OxigraphStore) -> None:
    spec = TABLES[0]  # Table 3
    before = {row.concept: (row.count, row.computed) for row in compute_table(demo_store, spec, DEMO_SURVEY).rows}
    github, gitxiv = vocab_iri("sharing-location", "GitHub"), vocab_iri("sharing-location", "GitXiv")
    response = demo_store.query(f"""PREFIX odlm: <{ODLM}> SELECT ?r WHERE {{
        ?r odlm:survey <{DEMO_SURVEY}> ; odlm:reportsLocation <{github}> }} LIMIT 1""").rows[0]["r"]
    graph = graph_iri("survey-demo")
    demo_store.update(f"""PREFIX odlm: <{ODLM}>
        DELETE DATA {{ GRAPH <{graph}> {{ <{response}> odlm:reportsLocation <{github}> }} }} ;
        INSERT DATA {{ GRAPH <{graph}> {{ <{response}> odlm:reportsLocation <{gitxiv}> }} }}""")
    try:
        after = {row.concept: (row.count, row.computed) for row in compute_table(demo_store, spec, DEMO_SURVEY).rows}
        assert after[str(github)][0] == before[str(github)][0] - 1
        assert after[str(gitxiv)][0] == before[str(gitxiv)][0] + 1
        assert after[str(gitxiv)][1] > before[str(gitxiv)][1]
    finally:
        demo_store.update(f"""PREFIX odlm: <{ODLM}>
            DELETE DATA {{ GRAPH <{graph}> {{ <{response}> odlm:reportsLocation <{gitxiv}> }} }} ;
            INSERT DATA {{ GRAPH <{graph}> {{ <{response}> odlm:reportsLocation <{github}> }} }}""")


def test_chi_square_tests_cover_the_relations_the_paper_tested(demo_store: OxigraphStore) -> None:
    report = survey_report(demo_store)
    names = [t.name for t in report.tests]
    assert names == ["model sharing × training-data sharing", "model sharing × source-code sharing",
                     "model sharing × discipline", "model sharing × age band", "model sharing × role"]
    assert all(t.significant for t in report.tests)  # the paper found every one of these related
    data = report.tests[0]
    assert data.table["shares"]["shares training data"] == 29 and data.n == RESPONSES


def test_report_html_embeds_every_image_and_has_no_empty_table(demo_store: OxigraphStore, tmp_path: Path) -> None:
    report = survey_report(demo_store)
    assert report.synthetic and report.max_difference is not None and report.max_difference <= 1.0
    page = render_html(report)
    assert "SYNTHETIC" in page
    sources = re.findall(r'<img [^>]*src="([^"]+)"', page)
    assert len(sources) == len(TABLES)
    for source in sources:
        assert source.startswith("data:image/png;base64,")
        assert base64.b64decode(source.split(",", 1)[1]).startswith(b"\x89PNG")
    assert "http://" not in page.replace("http://www.w3.org", "") and "<link" not in page and "<script" not in page
    for body in re.findall(r"<tbody>(.*?)</tbody>", page, re.S):
        assert "<tr>" in body
    markdown = render_markdown(report)
    assert markdown.count("\n| answer | count |") == len(TABLES) and markdown.count("\n| relation |") == 1
    assert "SYNTHETIC" in markdown


def test_report_cli_writes_html_and_markdown(demo_store: OxigraphStore, tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    from odlm_kg.cli import context
    from odlm_kg.cli.app import main

    monkeypatch.setattr(context.CliState, "store", lambda self: demo_store)
    assert main(["--store", "memory", "report", "survey", "--out", str(tmp_path)]) == 0
    assert (tmp_path / "survey-report.html").is_file() and (tmp_path / "survey-report.md").is_file()
    assert main(["--store", "memory", "report", "survey", "--survey", "https://example.org/none",
                 "--out", str(tmp_path)]) == 2


def test_report_refuses_a_survey_that_is_not_an_absolute_iri(capsys: pytest.CaptureFixture[str],
                                                              tmp_path: Path) -> None:
    from odlm_kg.cli.app import main

    for bad in ("foo", "https://example.org/a b"):
        assert main(["--store", "memory", "report", "survey", "--survey", bad, "--out", str(tmp_path)]) == 2
        assert "expected an absolute IRI" in capsys.readouterr().err


def test_published_values_fall_back_to_the_codebook_without_findings() -> None:
    store = OxigraphStore()
    try:
        graphs, _ = collect([("ontology", "odlm_kg.ontology:build_step"),
                             ("survey-demo", "odlm_kg.evidence.survey_demo:build_step")])
        for iri, graph in graphs.items():
            store.add_graph(graph, iri)
        for spec in TABLES:
            table = compute_table(store, spec, DEMO_SURVEY)
            assert table.published_from == "codebook"
            assert table.max_difference is not None and table.max_difference <= 1.0
    finally:
        store.close()
