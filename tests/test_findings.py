"""Findings as data: the YAML sources compile to RDF that conforms to shapes/findings.ttl and holds
exactly the numbers the seed papers print."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic, to_isomorphic
from rdflib.namespace import RDF, RDFS

from odlm_kg.build import BUILD_STEPS
from odlm_kg.errors import InputError
from odlm_kg.evidence.cube import CUBE_DATASET
from odlm_kg.evidence.findings import (
    FINDINGS_GRAPH,
    build_step,
    findings_graph,
    findings_paths,
    load_findings,
)
from odlm_kg.namespaces import ODLM, QB, instance_iri, sparql_prefixes, vocab_iri
from odlm_kg.validate import validate
from tests.conftest import PROJECT_ROOT, TEST_DATA

DALGALI_SEED = "000_76ba95cd301c7690.txt"
PREFIXES = sparql_prefixes()


@pytest.fixture(scope="module")
def compiled() -> Graph:
    return findings_graph()


def select(graph: Graph, query: str) -> list[dict[str, object]]:
    return [row.asdict() for row in graph.query(PREFIXES + query)]


# ----------------------------------------------------------------------------------------------
# The seed's tables, parsed at test time
# ----------------------------------------------------------------------------------------------

def seed_table(text: str, number: int) -> list[tuple[str, Decimal]]:
    """Rows (label, percentage) of Table ``number`` (3-7) of the Dalgali & Crowston seed."""
    start = text.index(f"**Table {number}.")
    rows: list[tuple[str, Decimal]] = []
    for line in text[start:].splitlines()[1:]:
        if line.startswith(("#", "**")) and rows:
            break
        match = re.match(r"^(?P<label>[^\t]+)\t(?P<value>\d+(?:\.\d+)?)%\s*$", line)
        if match:
            rows.append((match["label"].strip(), Decimal(match["value"])))
        elif rows and line.strip():
            break
    return rows


def seed_table_1(text: str) -> list[str]:
    """Items of Table 1 (the literature review summary), in order."""
    start = text.index("**Table1.")
    end = text.index("**3. Methodology**")
    items = []
    for line in text[start:end].splitlines()[1:]:
        if "\t" not in line:
            continue
        item = line.split("\t", 1)[1].strip()
        if item:
            items.append(item)
    return items


@pytest.fixture(scope="module")
def dalgali_text(seeds_dir: Path) -> str:
    return (seeds_dir / DALGALI_SEED).read_text(encoding="utf-8")


def test_seed_parsers_find_the_tables(dalgali_text: str) -> None:
    assert [len(seed_table(dalgali_text, n)) for n in (3, 4, 5, 6, 7)] == [7, 7, 6, 8, 10]
    items = seed_table_1(dalgali_text)
    assert items[0] == "Scientists" and items[-1] == "destroying software industry"


@pytest.mark.parametrize("table", [3, 4, 5, 6, 7])
def test_every_table_row_holds_the_published_percentage(compiled: Graph, dalgali_text: str, table: int) -> None:
    published = dict(seed_table(dalgali_text, table))
    rows = select(compiled, f"""
        SELECT ?printed ?value ?base WHERE {{
            ?finding odlm:locator "Table {table}" ; odlm:printedLabel ?printed ;
                     odlm:sourceWork <{instance_iri("work", "dalgali-crowston-2019")}> .
            ?obs odlm:observationOf ?finding ; odlm:percentage ?value ; odlm:shareOf ?base .
        }}""")
    in_graph = {str(r["printed"]): r["value"].toPython() for r in rows}  # type: ignore[union-attr]
    assert in_graph == published
    assert {r["base"] for r in rows} == {vocab_iri("share-base", "Answers")}


def test_gitxiv_is_recorded_as_zero_percent(compiled: Graph) -> None:
    obs = instance_iri("observation", "finding/dalgali-t3-gitxiv")
    assert compiled.value(obs, ODLM.percentage) == Literal(Decimal(0))


def test_table_1_has_one_finding_per_printed_item(compiled: Graph, dalgali_text: str) -> None:
    items = seed_table_1(dalgali_text)
    rows = select(compiled, """
        SELECT ?finding ?printed ?kind WHERE {
            ?finding odlm:locator "Table 1" ; odlm:printedLabel ?printed ; odlm:claim/odlm:artifactKind ?kind .
        }""")
    findings = {r["finding"] for r in rows}
    assert len(findings) == len(items) == 45
    assert sorted({str(r["printed"]) for r in rows}) == sorted(items)
    # every item is attributed to data or code, never to models (the review predates the survey)
    assert {r["kind"] for r in rows} <= {vocab_iri("artifact-kind", "Data"), vocab_iri("artifact-kind", "Code")}


def test_table_1_attributions_follow_the_review_text(compiled: Graph) -> None:
    def kinds(finding_id: str) -> set[str]:
        iri = instance_iri("finding", finding_id)
        return {str(k).rsplit("/", 1)[-1] for claim in compiled.objects(iri, ODLM.claim)
                for k in compiled.objects(claim, ODLM.artifactKind)}

    assert kinds("dalgali-t1-location-github") == {"Code"}
    assert kinds("dalgali-t1-motivation-citations") == {"Data"}
    assert kinds("dalgali-t1-barrier-destroy-ip") == {"Code"}
    tenopir = instance_iri("work", "tenopir-2011")
    assert (instance_iri("finding", "dalgali-t1-barrier-insufficient-time"), ODLM.citedWork, tenopir) in compiled


@pytest.mark.parametrize(("finding_id", "value", "base", "sharers", "non_sharers"), [
    ("dalgali-s4-5-training-data-co-sharing", "71", "ModelSharingRespondents", "Data", None),
    ("dalgali-s4-5-training-data-not-shared", "29", "ModelSharingRespondents", None, "Data"),
    ("dalgali-s4-5-source-code-co-sharing", "83", "ModelSharingRespondents", "Code", None),
    ("dalgali-s4-5-source-code-not-shared", "17", "ModelSharingRespondents", None, "Code"),
    ("dalgali-s4-5-age-18-25-do-not-share", "64", "Respondents", None, "Model"),
    ("dalgali-s4-5-age-25-32-do-not-share", "80", "Respondents", None, "Model"),
    ("dalgali-s4-5-age-32-39-share", "50", "Respondents", "Model", None),
    ("dalgali-s4-5-age-46-60-do-not-share", "6", "Respondents", None, "Model"),
    ("dalgali-s4-5-no-permission-students", "50", "Respondents", None, None),
    ("dalgali-s4-5-no-permission-computer-data-scientists", "17", "Respondents", None, None),
    ("dalgali-s4-5-no-permission-industry", "33", "Respondents", None, None),
    ("dalgali-s4-5-not-the-norm-industry", "80", "Respondents", None, None),
])
def test_section_4_5_percentages(compiled: Graph, finding_id: str, value: str, base: str,
                                 sharers: str | None, non_sharers: str | None) -> None:
    obs = instance_iri("observation", f"finding/{finding_id}")
    assert compiled.value(obs, ODLM.percentage) == Literal(Decimal(value))
    assert compiled.value(obs, ODLM.shareOf) == vocab_iri("share-base", base)
    expected_sharers = vocab_iri("artifact-kind", sharers) if sharers else None
    expected_non = vocab_iri("artifact-kind", non_sharers) if non_sharers else None
    assert compiled.value(obs, ODLM.countsSharersOf) == expected_sharers
    assert compiled.value(obs, ODLM.countsNonSharersOf) == expected_non


@pytest.mark.parametrize(("finding_id", "count", "base"), [
    ("dalgali-s3-responses", 117, "Respondents"),
    ("dalgali-s4-1-github-respondents", 114, "Respondents"),
    ("synovic-papers-analysed", 17511, "Papers"),
])
def test_published_counts(compiled: Graph, finding_id: str, count: int, base: str) -> None:
    obs = instance_iri("observation", f"finding/{finding_id}")
    assert compiled.value(obs, ODLM["count"]) == Literal(count)
    assert compiled.value(obs, ODLM.shareOf) == vocab_iri("share-base", base)
    assert compiled.value(obs, QB.measureType) == ODLM["count"]


def test_reuse_study_headlines(compiled: Graph) -> None:
    def factors(finding_id: str) -> set[URIRef]:
        return {f for claim in compiled.objects(instance_iri("finding", finding_id), ODLM.claim)
                for f in compiled.objects(claim, ODLM.factor)}

    assert factors("synovic-adaptation-most-common") == {vocab_iri("reuse-pattern", "Adaptation")}
    assert factors("synovic-test-stage-most-influenced") == {vocab_iri("process-stage", "Test")}
    assert factors("synovic-biochemistry-leads") == {vocab_iri("discipline", "BiochemistryGeneticsMolecularBiology")}


def test_platform_categories_and_their_platforms(compiled: Graph) -> None:
    rows = select(compiled, """
        SELECT ?category ?platform WHERE {
            ?finding odlm:sourceWork ?work ; odlm:claim/odlm:factor ?category , ?platform .
            FILTER(STRENDS(STR(?work), "/ml-model-platforms-study"))
            FILTER(STRSTARTS(STR(?category), "https://w3id.org/odlm/vocab/location-category/"))
            FILTER(STRSTARTS(STR(?platform), "https://w3id.org/odlm/vocab/sharing-location/"))
        }""")
    by_category: dict[str, set[str]] = {}
    for row in rows:
        by_category.setdefault(str(row["category"]).rsplit("/", 1)[-1], set()).add(
            str(row["platform"]).rsplit("/", 1)[-1])
    assert by_category == {
        "MLModelStore": {"AWSMarketplace", "ModelDepot", "WolframNeuralNetRepository"},
        "MLPackageRepository": {"TensorFlowHub", "PyTorchHub"},
    }


def test_example_models_carry_their_release_strategies(compiled: Graph) -> None:
    rows = select(compiled, """
        SELECT ?label ?strategy WHERE {
            ?model a odlm:DeepLearningModel ; rdfs:label ?label ; odlm:releaseStrategy ?strategy .
        }""")
    strategies: dict[str, set[str]] = {}
    for row in rows:
        strategies.setdefault(str(row["label"]), set()).add(str(row["strategy"]).rsplit("/", 1)[-1])
    assert strategies["GPT-2"] >= {"StagedRelease"}
    assert strategies["GPT-3"] == {"ApiOnlyAccess"}
    assert strategies["GROVER"] == {"DetectorCoRelease"}
    assert strategies["StyleGAN"] == {"OpenRelease"}
    assert strategies["DeepFaceLab"] == {"OpenRelease"}


def test_open_sourcing_platform_table(compiled: Graph) -> None:
    rows = select(compiled, """
        SELECT ?printed ?kind WHERE {
            ?finding odlm:locator "Platform table" ; odlm:printedLabel ?printed ; odlm:claim/odlm:artifactKind ?kind .
        }""")
    kinds: dict[str, set[str]] = {}
    for row in rows:
        kinds.setdefault(str(row["printed"]), set()).add(str(row["kind"]).rsplit("/", 1)[-1])
    assert kinds == {"GitHub": {"Code"}, "Hugging Face Hub": {"Model", "Data"}, "Kaggle": {"Data"},
                     "Zenodo": {"Data", "Code"}}


# ----------------------------------------------------------------------------------------------
# Shapes, data cube, golden RDF
# ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("engine", ["auto", "pyshacl"])
def test_compiled_graph_conforms_to_the_findings_and_core_shapes(compiled: Graph, engine: str) -> None:
    report = validate(compiled, layers=("core", "findings"), engine=engine)
    assert report.conforms, "\n".join(f"{r.focus_node} {r.result_path}: {r.message}" for r in report.violations)


def test_every_observation_is_in_the_comparison_cube_only(compiled: Graph) -> None:
    """QB IC-1: one data set per observation; published numbers belong to the comparison cube."""
    observations = set(compiled.subjects(RDF.type, ODLM.FindingObservation))
    assert observations == set(compiled.subjects(RDF.type, QB.Observation))
    assert observations == set(compiled.subjects(RDF.type, ODLM.ComparisonObservation))
    for obs in observations:
        assert list(compiled.objects(obs, QB.dataSet)) == [CUBE_DATASET]
        assert compiled.value(obs, QB.measureType) in {ODLM.percentage, ODLM["count"]}
        assert compiled.value(obs, ODLM.evidenceClass) == vocab_iri("evidence-class", "Published")
        finding = compiled.value(obs, ODLM.observationOf)
        assert compiled.value(obs, ODLM.evidenceSource) == compiled.value(finding, ODLM.sourceWork)
        for flag in (ODLM.synthetic, ODLM.curatedSample, ODLM.inferred):
            assert list(compiled.objects(obs, flag)) == [Literal(False)], (obs, flag)
        for dimension in (ODLM.artifactKind, ODLM.factor, ODLM.aboutPopulation):
            assert len(list(compiled.objects(obs, dimension))) == 1, (obs, dimension)
    # no per-table data sets any more: the table is the finding's locator
    assert set(compiled.subjects(RDF.type, QB.DataSet)) == set()


def table_cells(graph: Graph, table: str) -> list[dict[str, object]]:
    return select(graph, f"""
        SELECT ?finding ?percent ?population ?kind ?factor ?base WHERE {{
            ?finding odlm:locator "{table}" ;
                     odlm:sourceWork <https://w3id.org/odlm/id/work/dalgali-crowston-2019> .
            ?obs odlm:observationOf ?finding ; odlm:percentage ?percent ; odlm:aboutPopulation ?population ;
                 odlm:artifactKind ?kind ; odlm:factor ?factor ; odlm:shareOf ?base .
        }}""")


@pytest.mark.parametrize(("table", "population", "rows"), [
    ("Table 3", "ModelSharers", 7), ("Table 4", "ModelSharers", 7), ("Table 5", "ModelSharers", 6),
    ("Table 6", "ModelSharers", 8), ("Table 7", "ModelNonSharers", 10)])
def test_published_tables_are_cube_observations_of_their_population(compiled: Graph, table: str,
                                                                     population: str, rows: int) -> None:
    cells = table_cells(compiled, table)
    assert len(cells) == rows
    assert {c["population"] for c in cells} == {vocab_iri("population", population)}
    assert {c["kind"] for c in cells} == {vocab_iri("artifact-kind", "Model")}
    assert {c["base"] for c in cells} == {vocab_iri("share-base", "Answers")}
    # the paper prints no number of model sharers or non-sharers, so no n is stated for these
    for cell in cells:
        obs = instance_iri("observation", f"finding/{str(cell['finding']).rsplit('/', 1)[-1]}")
        assert compiled.value(obs, ODLM.sampleSize) is None


def test_table_6_published_column_sums_to_100_not_124(compiled: Graph) -> None:
    """The text's restatement of Table 6's 24 % is a claim, not a second observation."""
    rows = select(compiled, """
        SELECT ?obs ?percent WHERE {
            ?obs odlm:evidenceClass <https://w3id.org/odlm/vocab/evidence-class/Published> ;
                 odlm:aboutPopulation <https://w3id.org/odlm/vocab/population/ModelSharers> ;
                 odlm:shareOf <https://w3id.org/odlm/vocab/share-base/Answers> ;
                 odlm:factor ?factor ; odlm:percentage ?percent .
            FILTER(STRSTARTS(STR(?factor), "https://w3id.org/odlm/vocab/motivation/"))
        }""")
    assert len(rows) == 8
    assert sum(Decimal(str(r["percent"])) for r in rows) == Decimal(100)
    # and no other published number about models' motivations competes with Table 6's cells
    others = select(compiled, """
        SELECT ?obs WHERE {
            ?obs odlm:evidenceClass <https://w3id.org/odlm/vocab/evidence-class/Published> ;
                 odlm:artifactKind <https://w3id.org/odlm/vocab/artifact-kind/Model> ; odlm:factor ?factor ;
                 odlm:observationOf ?finding .
            FILTER(STRSTARTS(STR(?factor), "https://w3id.org/odlm/vocab/motivation/"))
            FILTER NOT EXISTS { ?finding odlm:locator "Table 6" }
        }""")
    assert others == []


@pytest.mark.parametrize(("finding_id", "population", "subgroup", "sample_size"), [
    ("dalgali-s4-5-age-18-25-do-not-share", "AllRespondents", "age-band/Age18to25", 117),
    ("dalgali-s4-5-age-46-60-do-not-share", "AllRespondents", "age-band/Age46to60", 117),
    ("dalgali-s4-5-no-permission-industry", "ModelNonSharers", "barrier/NoPermission", None),
    ("dalgali-s5-age-18-25-no-trained-model", "ModelNonSharers", "age-band/Age18to25", None),
    ("dalgali-s3-responses", "AllRespondents", None, 117),
])
def test_section_shares_keep_population_subgroup_and_n(compiled: Graph, finding_id: str, population: str,
                                                       subgroup: str | None, sample_size: int | None) -> None:
    obs = instance_iri("observation", f"finding/{finding_id}")
    assert compiled.value(obs, ODLM.aboutPopulation) == vocab_iri("population", population)
    groups = set(compiled.objects(obs, ODLM.subgroup))
    assert groups == ({vocab_iri(*subgroup.split("/"))} if subgroup else set())
    n = compiled.value(obs, ODLM.sampleSize)
    assert (int(n) if n is not None else None) == sample_size


def test_age_shares_keep_their_polarity(compiled: Graph) -> None:
    model = vocab_iri("artifact-kind", "Model")
    for finding_id, prop in (("dalgali-s4-5-age-18-25-do-not-share", ODLM.countsNonSharersOf),
                             ("dalgali-s4-5-age-32-39-share", ODLM.countsSharersOf)):
        obs = instance_iri("observation", f"finding/{finding_id}")
        assert compiled.value(obs, prop) == model
        assert compiled.value(obs, ODLM.factor) == model


def _subgraph(graph: Graph, subjects: list[URIRef]) -> Graph:
    part = Graph()
    for subject in subjects:
        for triple in graph.triples((subject, None, None)):
            part.add(triple)
    return part


def test_golden_rdf_of_one_table_row(compiled: Graph) -> None:
    subjects = [instance_iri("finding", "dalgali-t3-github"),
                instance_iri("claim", "dalgali-t3-github/1"),
                instance_iri("claim", "dalgali-s4-5-age-18-25-do-not-share/1"),
                instance_iri("observation", "finding/dalgali-t3-github"),
                instance_iri("finding", "dalgali-s4-5-age-18-25-do-not-share"),
                instance_iri("observation", "finding/dalgali-s4-5-age-18-25-do-not-share"),
                instance_iri("model", "gpt-2")]
    expected = Graph().parse(TEST_DATA / "findings" / "golden.ttl")
    actual = _subgraph(compiled, subjects)
    if not isomorphic(actual, expected):
        missing = to_isomorphic(expected) - to_isomorphic(actual)
        extra = to_isomorphic(actual) - to_isomorphic(expected)
        pytest.fail(f"missing:\n{missing.serialize(format='nt')}\nunexpected:\n{extra.serialize(format='nt')}")


def test_build_step_is_registered() -> None:
    assert ("findings", "odlm_kg.evidence.findings:build_step") in BUILD_STEPS
    graphs = build_step()
    assert list(graphs) == [FINDINGS_GRAPH]


def test_findings_files_are_package_data() -> None:
    paths = findings_paths()
    assert {p.name for p in paths} >= {"dalgali-crowston-2019.yaml", "chen-2022-open-ptm.yaml"}
    assert all(p.parent.parent.name == "data" and p.parent.parent.parent.name == "odlm_kg" for p in paths)


# ----------------------------------------------------------------------------------------------
# Shapes catch bad observations
# ----------------------------------------------------------------------------------------------

def _bad_observation_graph(compiled: Graph, **changes: object) -> Graph:
    graph = Graph()
    graph += compiled
    obs = instance_iri("observation", "finding/dalgali-t3-github")
    for prop, value in changes.items():
        predicate = ODLM[prop]
        graph.remove((obs, predicate, None))
        if value is not None:
            graph.add((obs, predicate, value))  # type: ignore[arg-type]
    return graph


@pytest.mark.parametrize("engine", ["auto", "pyshacl"])
def test_shapes_reject_a_percentage_without_base(compiled: Graph, engine: str) -> None:
    report = validate(_bad_observation_graph(compiled, shareOf=None), layers=("findings",), engine=engine)
    assert not report.conforms
    messages = " ".join(r.message or "" for r in report.violations)
    assert "does not say what it is a share of" in messages  # the SHACL-SPARQL constraint
    assert "one concept of the share-base scheme" in messages  # the property shape


def test_shapes_reject_out_of_range_and_double_values(compiled: Graph) -> None:
    report = validate(_bad_observation_graph(compiled, percentage=Literal(Decimal("161"))), layers=("findings",))
    assert any("between 0 and 100" in (r.message or "") for r in report.violations)
    report = validate(_bad_observation_graph(compiled, count=Literal(61)), layers=("findings",))
    assert any("exactly one of" in (r.message or "") for r in report.violations)


@pytest.mark.parametrize(("changes", "message"), [
    ({"synthetic": Literal(True)}, "odlm:synthetic false"),
    ({"inferred": None}, "odlm:inferred false"),
    ({"aboutPopulation": None}, "exactly one population"),
    ({"evidenceClass": vocab_iri("evidence-class", "Survey")}, "evidence-class/Published"),
])
def test_shapes_reject_a_published_observation_without_its_cube_attributes(
        compiled: Graph, changes: dict[str, object], message: str) -> None:
    report = validate(_bad_observation_graph(compiled, **changes), layers=("core", "findings"))
    assert any(message in (r.message or "") for r in report.violations), [r.message for r in report.violations]


def test_shapes_reject_a_claim_with_two_kinds_and_a_finding_with_a_kind(compiled: Graph) -> None:
    graph = Graph()
    graph += compiled
    claim = instance_iri("claim", "dalgali-t3-github/1")
    graph.add((claim, ODLM.artifactKind, vocab_iri("artifact-kind", "Data")))
    graph.add((instance_iri("finding", "dalgali-t3-github"), ODLM.factor, vocab_iri("sharing-location", "GitHub")))
    messages = [r.message or "" for r in validate(graph, layers=("core", "findings")).violations]
    assert any("exactly one artifact kind" in m for m in messages), messages
    assert any("carries no odlm:factor of its own" in m for m in messages), messages


# ----------------------------------------------------------------------------------------------
# Bad YAML gets an InputError naming file, finding and field
# ----------------------------------------------------------------------------------------------

GOOD_FINDING = """\
source: dalgali-crowston-2019
findings:
  - id: test-finding
    locator: Table 3
    statement: A test claim.
    kinds: [Model]
    factors: [sharing-location/GitHub]
    direction: SharedAt
    population: ModelSharers
    observation: {percentage: 61, share-of: Answers}
"""


@pytest.mark.parametrize(("edit", "field", "expected"), [
    (("sharing-location/GitHub", "sharing-location/GitHab"), "factors", "unknown concept 'sharing-location/GitHab'"),
    (("    statement: A test claim.\n", ""), "statement", "is missing"),
    (("percentage: 61", "percentage: 161"), "percentage", "out of range"),
    (("percentage: 61", "percentage: 61, count: 3"), "observation", "exactly one of percentage or count"),
    (("share-of: Answers", "share-of: People"), "share-of", "unknown concept 'share-base/People'"),
    (("kinds: [Model]", "kinds: [Weights]"), "kinds", "unknown concept 'artifact-kind/Weights'"),
    (("    locator: Table 3\n", "    locator: Table 3\n    page: 4\n"), "page", "unknown field"),
    (("direction: SharedAt", "direction: Sideways"), "direction", "unknown concept 'claim-direction/Sideways'"),
    (("population: ModelSharers", "population: Everyone"), "population", "unknown concept 'population/Everyone'"),
    # the kinds x factors shorthand is refused when both sides have several entries (a cross product)
    (("kinds: [Model]\n    factors: [sharing-location/GitHub]",
      "kinds: [Model, Data]\n    factors: [sharing-location/GitHub, sharing-location/GitXiv]"), "kinds",
     "would claim all 4 pairs"),
    (("kinds: [Model]\n    factors: [sharing-location/GitHub]\n    direction: SharedAt\n    population: ModelSharers\n",
      "claims:\n      - {kind: Model, factor: sharing-location/GitHub, colour: red}\n"), "colour", "unknown field"),
    (("kinds: [Model]\n", "claims: [{kind: Model, factor: sharing-location/GitHub}]\n"), "direction",
     "not both"),
    (("    kinds: [Model]\n    factors: [sharing-location/GitHub]\n    direction: SharedAt\n    population: ModelSharers\n",
      "    claims:\n      - {kind: Model, factor: sharing-location/GitHub}\n      - {kind: Data, factor: sharing-location/GitHub}\n"),
     "kind", "the finding makes more than one claim"),
])
def test_bad_yaml_names_file_finding_and_field(tmp_path: Path, edit: tuple[str, str], field: str,
                                               expected: str) -> None:
    path = tmp_path / "bad.yaml"
    assert edit[0] in GOOD_FINDING
    path.write_text(GOOD_FINDING.replace(edit[0], edit[1]), encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_findings([path])
    message = str(caught.value)
    assert str(path) in message
    assert "finding test-finding" in message
    assert f"field {field}" in message
    assert expected in message


def test_good_yaml_loads(tmp_path: Path) -> None:
    path = tmp_path / "good.yaml"
    path.write_text(GOOD_FINDING, encoding="utf-8")
    [loaded] = load_findings([path])
    assert loaded.findings[0].observation is not None
    assert loaded.findings[0].observation.percentage == Decimal(61)


def test_yaml_syntax_error_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text(GOOD_FINDING.replace("kinds: [Model]", "kinds: [Model"), encoding="utf-8")
    with pytest.raises(InputError, match=r"broken\.yaml:\d+: not valid YAML"):
        load_findings([path])


def test_unknown_source_and_cited_work(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(GOOD_FINDING.replace("source: dalgali-crowston-2019", "source: nobody-2020"), encoding="utf-8")
    with pytest.raises(InputError, match="field source: unknown source work 'nobody-2020'"):
        load_findings([path])
    path.write_text(GOOD_FINDING.replace("    kinds:", "    cited: [nobody-2020]\n    kinds:"), encoding="utf-8")
    with pytest.raises(InputError, match="finding test-finding: field cited: unknown work 'nobody-2020'"):
        load_findings([path])


def test_duplicate_ids_across_files(tmp_path: Path) -> None:
    first, second = tmp_path / "a.yaml", tmp_path / "b.yaml"
    first.write_text(GOOD_FINDING, encoding="utf-8")
    second.write_text(GOOD_FINDING, encoding="utf-8")
    with pytest.raises(InputError, match="finding test-finding: field id: the id is also used in"):
        load_findings([first, second])


# ----------------------------------------------------------------------------------------------
# The SPARQL examples of docs/findings.md run and give what the page says
# ----------------------------------------------------------------------------------------------

def doc_queries() -> list[str]:
    text = (PROJECT_ROOT / "docs" / "findings.md").read_text(encoding="utf-8")
    return re.findall(r"```sparql\n(.*?)```", text, flags=re.S)


def test_docs_sparql_examples_run_on_the_store(compiled: Graph, memory_store) -> None:  # type: ignore[no-untyped-def]
    from odlm_kg.ontology import vocabulary_graph

    memory_store.add_graph(compiled, FINDINGS_GRAPH)
    memory_store.add_graph(vocabulary_graph(), URIRef("https://w3id.org/odlm/graph/vocab"))
    queries = doc_queries()
    assert len(queries) >= 3
    results = [memory_store.query(q) for q in queries]
    for query, result in zip(queries, results, strict=True):
        assert result.rows, f"no rows for:\n{query}"
    # first example: Table 3 by share, GitHub first with 61
    first = results[0].rows[0]
    assert str(first["site"]) == "GitHub" and Decimal(str(first["percent"])) == Decimal(61)
    # second example: co-sharing 71 and 83
    assert {Decimal(str(r["percent"])) for r in results[1].rows} >= {Decimal(71), Decimal(83)}
    # third example: models by release strategy
    assert any(str(r["model"]) == "GPT-3" and str(r["strategy"]).endswith("ApiOnlyAccess") for r in results[2].rows)


def test_wheel_ships_the_findings_sources(tmp_path: Path) -> None:
    """hatch packs everything under odlm_kg/, so the YAML sources and the shapes land in the wheel."""
    import subprocess
    import sys
    import zipfile

    result = subprocess.run([sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(tmp_path),
                             str(PROJECT_ROOT)], capture_output=True, text=True, timeout=180)
    assert result.returncode == 0, result.stderr
    [wheel] = tmp_path.glob("odlm_kg-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    expected = {f"odlm_kg/data/findings/{p.name}" for p in findings_paths()}
    assert expected <= names
    assert "odlm_kg/shipped/shapes/findings.ttl" in names


def test_docs_python_examples_run() -> None:
    text = (PROJECT_ROOT / "docs" / "findings.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", text, flags=re.S)
    assert len(blocks) >= 2
    for block in blocks:
        exec(compile(block, "docs/findings.md", "exec"), {})


# ----------------------------------------------------------------------------------------------
# Findings are claims: one kind and one factor each, never the cross product of a finding's kinds
# and factors (issue #15: the cross product made false facts)
# ----------------------------------------------------------------------------------------------

def claims_of(graph: Graph, finding_id: str) -> set[tuple[str, str, str | None]]:
    """(kind, scheme/factor, direction) of each claim of a finding, by local names."""
    out = set()
    for claim in graph.objects(instance_iri("finding", finding_id), ODLM.claim):
        kind = str(graph.value(claim, ODLM.artifactKind)).rsplit("/", 1)[-1]
        factor = "/".join(str(graph.value(claim, ODLM.factor)).rsplit("/", 2)[-2:])
        direction = graph.value(claim, ODLM.direction)
        out.add((kind, factor, str(direction).rsplit("/", 1)[-1] if direction is not None else None))
    return out


def test_findings_carry_no_kind_or_factor_of_their_own(compiled: Graph) -> None:
    for finding in compiled.subjects(RDF.type, ODLM.Finding):
        assert compiled.value(finding, ODLM.artifactKind) is None, finding
        assert compiled.value(finding, ODLM.factor) is None, finding
        claims = list(compiled.objects(finding, ODLM.claim))
        assert claims, f"{finding} makes no claim"
        for claim in claims:
            assert str(claim).startswith(str(instance_iri("claim", "")))
            assert len(list(compiled.objects(claim, ODLM.artifactKind))) == 1
            assert len(list(compiled.objects(claim, ODLM.factor))) == 1


def test_claim_iris_are_stable() -> None:
    first, second = findings_graph(), findings_graph()
    assert set(first.subjects(RDF.type, ODLM.Claim)) == set(second.subjects(RDF.type, ODLM.Claim))
    assert (instance_iri("finding", "dalgali-s5-models-in-several-places"), ODLM.claim,
            instance_iri("claim", "dalgali-s5-models-in-several-places/3")) in first


def test_several_places_does_not_make_github_a_data_location(compiled: Graph) -> None:
    # section 5: the same model can be shared on GitHub and GitXiv at once, while data published in a
    # journal usually appear in one journal only
    assert claims_of(compiled, "dalgali-s5-models-in-several-places") == {
        ("Model", "sharing-location/GitHub", "SharedAt"), ("Model", "sharing-location/GitXiv", "SharedAt"),
        ("Data", "sharing-location/JournalArticle", "SharedAt")}


def test_collaborative_model_development_is_not_common_to_all_kinds(compiled: Graph) -> None:
    # section 5: contributing to the research community moves data, code and model sharers; the 24 %
    # is Table 6's "collaboration of new Deep Learning models' development", a model-only answer
    assert claims_of(compiled, "dalgali-s5-community-contribution") == {
        (kind, "motivation/ContributeToCommunity", "Motivates") for kind in ("Data", "Code", "Model")}
    collaboration = vocab_iri("motivation", "ContributeToCollaboration")
    kinds = {compiled.value(claim, ODLM.artifactKind)
             for claim in compiled.subjects(ODLM.factor, collaboration)}
    assert kinds == {vocab_iri("artifact-kind", "Model")}
    # the text's restatement is a claim, not a second observation of Table 6's cell
    assert (instance_iri("observation", "finding/dalgali-s5-community-contribution"), None, None) not in compiled


def test_survey_age_bands_are_not_put_on_data(compiled: Graph) -> None:
    # section 5: as with data (the literature's over-50 vs 20-39), older respondents share more models
    assert claims_of(compiled, "dalgali-s5-older-share-more") == {
        ("Model", "age-band/Age46to60", "SharesMore"), ("Model", "age-band/Age18to25", "SharesLess"),
        ("Data", "age-band/AgeOver50", "SharesMore"), ("Data", "age-band/Age20to39", "SharesLess")}
    survey_bands = {vocab_iri("age-band", b) for b in ("Age18to25", "Age25to32", "Age32to39", "Age46to60")}
    for claim in compiled.subjects(RDF.type, ODLM.Claim):
        if compiled.value(claim, ODLM.factor) in survey_bands:
            assert compiled.value(claim, ODLM.artifactKind) == vocab_iri("artifact-kind", "Model"), claim


def test_medicine_and_social_sciences_share_little_data_but_do_share_models(compiled: Graph) -> None:
    assert claims_of(compiled, "dalgali-s5-medicine-social-sciences-share-models") == {
        ("Model", "discipline/Medicine", "Shares"), ("Model", "discipline/SocialSciences", "Shares"),
        ("Data", "discipline/Medicine", "SharesLess"), ("Data", "discipline/SocialSciences", "SharesLess")}


def test_table_7_reasons_are_about_models_only(compiled: Graph) -> None:
    # Table 7 lists reasons for not sharing models; "ownership of training data" is not a reason for
    # not sharing data
    for finding in ("dalgali-t7-training-data-ownership", "dalgali-t7-no-permission"):
        assert {kind for kind, _, _ in claims_of(compiled, finding)} == {"Model"}


def test_no_finding_claims_a_cross_product_by_accident() -> None:
    """Every finding with several kinds and several factors lists its pairs one by one."""
    for findings_file in load_findings():
        for finding in findings_file.findings:
            pairs = {(c.kind, c.factor) for c in finding.claims}
            if len(finding.kinds) > 1 and len(finding.factors) > 1:
                text = findings_file.path.read_text(encoding="utf-8")
                block = text[text.index(f"id: {finding.id}\n"):].split("\n  - id:", 1)[0]
                assert "claims:" in block, finding.id
            assert len(pairs) == len(finding.claims)


def test_findings_to_weigh_the_survey_by(compiled: Graph, dalgali_text: str) -> None:
    """Sampling (e-mail and GitHub recruitment, snowball sampling, the stated bias toward PhD students)
    and the four policy recommendations are findings a researcher can find."""
    for finding_id, phrase in (("dalgali-s3-2-2-email-invitations", "We sent 118 invitation emails"),
                               ("dalgali-s3-2-2-snowball-sampling", "snowball sampling"),
                               ("dalgali-s5-sample-bias", "sample bias")):
        assert phrase in dalgali_text
        assert (instance_iri("finding", finding_id), RDF.type, ODLM.Finding) in compiled
    assert ("Model", "actor-role/PhDStudent", "Reported") in claims_of(compiled, "dalgali-s5-sample-bias")
    assert "four policy recommendations" in dalgali_text
    policies = [f for f in compiled.subjects(RDF.type, ODLM.Finding) if "dalgali-s5-policy-" in str(f)]
    assert len(policies) == 4
    for finding in policies:
        assert {d for _, _, d in claims_of(compiled, str(finding).rsplit("/", 1)[-1])} == {"Recommends"}


def test_chen_training_cost_is_located_in_section_1(compiled: Graph, seeds_dir: Path) -> None:
    text = next(seeds_dir.glob("002_*.txt")).read_text(encoding="utf-8")
    introduction = text[text.index("### 1. Introduction"):text.index("## 2. Why")]
    assert "4,600,000" in introduction
    finding = instance_iri("finding", "chen-training-cost-gpt-3")
    assert str(compiled.value(finding, ODLM.locator)) == "§1"
    assert "4.6 million" not in str(compiled.value(instance_iri("finding", "chen-benefit-cost"), RDFS.label))
