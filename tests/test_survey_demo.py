"""The SYNTHETIC demo survey reproduces the published tables, and the survey report presents them."""

from __future__ import annotations

import base64
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from rdflib import Literal, URIRef

from odlm_kg.build import collect
from odlm_kg.evidence import cube
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
    cube.refresh(store, [graph_iri("survey-demo")])  # what build does: the survey's cube observations
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
    cube.refresh(demo_store, [graph])  # what a load does after writing the survey's graph
    try:
        after = {row.concept: (row.count, row.computed) for row in compute_table(demo_store, spec, DEMO_SURVEY).rows}
        assert after[str(github)][0] == before[str(github)][0] - 1
        assert after[str(gitxiv)][0] == before[str(gitxiv)][0] + 1
        assert after[str(gitxiv)][1] > before[str(gitxiv)][1]
    finally:
        demo_store.update(f"""PREFIX odlm: <{ODLM}>
            DELETE DATA {{ GRAPH <{graph}> {{ <{response}> odlm:reportsLocation <{gitxiv}> }} }} ;
            INSERT DATA {{ GRAPH <{graph}> {{ <{response}> odlm:reportsLocation <{github}> }} }}""")
        cube.refresh(demo_store, [graph])


def test_chi_square_tests_only_where_the_paper_prints_both_sides(demo_store: OxigraphStore) -> None:
    """Non-sharers state no status, department, data or code sharing (the paper prints none), so the
    only relation the synthetic data can test is the one section 4.5 prints per age band."""
    report = survey_report(demo_store)
    assert [t.name for t in report.tests] == ["model sharing × age band"]
    age = report.tests[0]
    assert age.table["does not share"]["Age18to25"] == 14 and age.table["shares"]["Age18to25"] == 8  # 64 %


# -- issue 15: no invented dimensions, no attribution of synthetic data to the paper -------------------------

def test_regression_no_invented_data_or_code_sharer_dimensions() -> None:
    """Issue 15: the generator invented roles, departments and ages of data and code sharers among
    model non-sharers (industry employees became the largest group of code sharers)."""
    from odlm_kg.evidence.survey_demo import demo_rows

    rows = demo_rows()
    non_sharers = [row for row in rows if row["Q2"] == "2"]
    assert len(non_sharers) == RESPONSES - 41
    for row in non_sharers:  # only Table 7's question and the age the paper prints per band
        assert set(row) == {"Q2", "Q7", "Q10"}, row
    graph = demo_graph()
    model = vocab_iri("artifact-kind", "Model")
    for kind in (vocab_iri("artifact-kind", "Data"), vocab_iri("artifact-kind", "Code")):
        for response in graph.subjects(ODLM.sharesKind, kind):
            assert (response, ODLM.sharesKind, model) in graph  # data/code sharing asked of model sharers only
    for prop in (ODLM.role, ODLM.discipline):
        for respondent in graph.subjects(prop, None):
            response = graph.value(None, ODLM.respondent, respondent)
            assert (response, ODLM.sharesKind, model) in graph


def test_regression_synthetic_survey_is_not_attributed_to_the_paper() -> None:
    """Issue 15: the synthetic survey's dcterms:source was the paper, attributing made-up answers to its authors."""
    from rdflib.namespace import DCTERMS, PROV

    graph = demo_graph()
    assert list(graph.objects(DEMO_SURVEY, DCTERMS.source)) == []
    assert list(graph.objects(DEMO_SURVEY, PROV.wasInfluencedBy)) == [
        URIRef("https://w3id.org/odlm/id/work/dalgali-crowston-2019")]
    assert (DEMO_SURVEY, ODLM.synthetic, Literal(True)) in graph


# -- the survey's observations in the comparison cube ---------------------------------------------------------

PRINTED = {  # Tables 3-7 and the co-sharing shares of section 4.5, as printed
    "sharing-location": {"CaffeModelZoo": 6, "GitHub": 61, "PersonalWebsite": 6, "ResearchInstituteWebsite": 15,
                         "UniversityWebsite": 6, "CommercialOrganizationWebsite": 3},
    "actor-role": {"Academic": 13, "Researcher": 22, "MasterStudent": 3, "PhDStudent": 25,
                   "UndergraduateStudent": 10, "ComputerDataScientist": 19, "IndustryEmployee": 10},
    "discipline": {"ComputerScienceEngineering": 68, "Medicine": 4, "SocialSciences": 3, "Economics": 3,
                   "AtmosphericScience": 3, "Mathematics": 9},
    "motivation": {"IncreaseCitations": 13, "GoodReputation": 13, "ContributeToCollaboration": 24,
                   "CommunityFeedback": 18, "PersonalEnjoyment": 10, "ProvideBaseForNewModels": 15,
                   "SharingNorm": 6, "OthersExpectSharing": 1},
    "barrier": {"NoTrainedModel": 21, "EthicalConcerns": 3, "InsufficientTime": 13, "NoSafePlace": 2,
                "ShareOnlyWithTrusted": 5, "TrainingDataOwnership": 6, "NotOfInterest": 17, "NoPermission": 13,
                "NotTheNorm": 8, "LosingAdvantage": 6},
    "artifact-kind": {"Data": 71, "Code": 83},
}
AGE_NON_SHARING = {"Age18to25": 64, "Age25to32": 80, "Age32to39": 50, "Age46to60": 6}  # section 4.5


def test_cube_survey_observations_reproduce_the_printed_shares() -> None:
    from odlm_kg.evidence.cube import cube_graph_iri
    from odlm_kg.evidence.cube_survey import (
        ALL_RESPONDENTS,
        MODEL_NON_SHARERS,
        MODEL_SHARERS,
        survey_observations,
    )

    store = OxigraphStore()
    try:
        store.add_graph(demo_graph(), graph_iri("survey-demo"))
        observations = survey_observations(store, graph_iri("survey-demo"))
        assert survey_observations(store, graph_iri("findings")) == []
        seen: dict[str, set[str]] = {scheme: set() for scheme in PRINTED}
        for obs in observations:
            assert obs.synthetic and not obs.curated and obs.source == DEMO_SURVEY
            assert obs.kind == vocab_iri("artifact-kind", "Model")
            assert obs.numerator is not None and obs.base is not None and obs.sample_size is not None
            assert 0 <= obs.numerator <= obs.base
            scheme, local = str(obs.factor).split("/vocab/")[1].split("/")
            if obs.population == ALL_RESPONDENTS:  # section 4.5: share of an age band sharing no model
                band = str(obs.subgroup[0]).rsplit("/", 1)[-1]
                assert obs.sample_size == RESPONSES
                if band in AGE_NON_SHARING:
                    assert abs(float(obs.percentage) - AGE_NON_SHARING[band]) <= 1, obs  # type: ignore[arg-type]
                continue
            expected_n = 41 if obs.population == MODEL_SHARERS else RESPONSES - 41
            assert obs.sample_size == expected_n
            assert obs.population == (MODEL_NON_SHARERS if scheme == "barrier" else MODEL_SHARERS)
            if scheme in PRINTED:
                assert abs(float(obs.percentage) - PRINTED[scheme][local]) <= 1, obs  # type: ignore[arg-type]
                seen[scheme].add(local)
        # every printed share but GitXiv's 0 % (nobody chose it) has an observation
        assert {s: PRINTED[s].keys() - seen[s] for s in PRINTED} == {s: set() for s in PRINTED}
        # the refresh writes them into the survey's cube graph, once
        from odlm_kg.evidence import cube

        cube.refresh(store, [graph_iri("survey-demo")])
        cube.refresh(store, [graph_iri("survey-demo")])
        count = store.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{cube_graph_iri(graph_iri('survey-demo'))}> "
                            f"{{ ?o a <{ODLM.ComparisonObservation}> }} }}").rows[0]["n"]
        assert int(count.toPython()) == len(observations)
    finally:
        store.close()


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
        cube.refresh(store, [graph_iri("survey-demo")])
        for spec in TABLES:
            table = compute_table(store, spec, DEMO_SURVEY)
            assert table.published_from == "codebook"
            assert table.max_difference is not None and table.max_difference <= 1.0
    finally:
        store.close()
