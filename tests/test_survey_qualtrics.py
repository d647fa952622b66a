"""The Qualtrics survey loader on every real export layout: counts, answers, privacy, salts, exclusions,
and bad input (unknown answers, malformed exports, unknown columns) reported with file, row and column."""

from __future__ import annotations

import csv
import json
import re
import warnings
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef

from odlm_kg.errors import InputError, ProblemsFound
from odlm_kg.namespaces import ODLM, graph_iri
from odlm_kg.resources import resource_dir
from odlm_kg.sources import LoadOptions, get_source
from odlm_kg.sources.pipeline import run_load
from odlm_kg.sources.qualtrics import (
    DEFAULT_SALT,
    SALT_VARIABLE,
    DefaultSaltWarning,
    QualtricsSource,
    _split_choices,
    choose_salt,
    import_id,
)
from odlm_kg.sources.survey_codebook import Option, Question, codebook_concept_iri, load_codebook
from odlm_kg.store import OxigraphStore

CODEBOOKS = resource_dir("data") / "survey" / "codebooks"
SALT = "test-salt"

#: (codebook, export under ../shared/data/real, responses written)
EXPORTS = [
    ("qualtrics-r-sample", "qualtrics-qualtRics/sample.csv", 1),
    ("qualtrics-r-sample", "qualtrics-qualtRics/sample_legacy.csv", 1),
    ("nzsl-validation", "qualtrics-finsl-signbank/nzsl_validation_export_snippet.csv", 3),
    ("qtools-multiple-answer", "qualtrics-QualtricsTools/Multiple_Answer_MC_Questions_insights_export.csv", 5),
    ("qtools-multiple-answer-legacy", "qualtrics-QualtricsTools/Multiple_Answer_MC_Questions_legacy_export.csv", 5),
    ("qtools-text-entry", "qualtrics-QualtricsTools/Questions_with_Text_Entry_Components_insights_export.csv", 15),
]


def source_for(codebook: str | Path, salt: str = SALT, **flags: bool) -> QualtricsSource:
    path = codebook if isinstance(codebook, Path) else CODEBOOKS / f"{codebook}.yaml"
    return QualtricsSource(load_codebook(path), salt, **flags)


def mapped(source: QualtricsSource, path: Path) -> Graph:
    graph = Graph()
    for record in source.read(path):
        for triple in source.map_record(record):
            graph.add(triple)
    return graph


def store_dump(store: OxigraphStore) -> str:
    return "\n".join(store.export_graph(g).serialize(format="nt") for g in store.named_graphs())


@pytest.mark.parametrize(("codebook", "export", "responses"), EXPORTS, ids=[e[1].rsplit("/", 1)[-1] for e in EXPORTS])
def test_real_export_loads_with_its_codebook(real_data: Path, memory_store: OxigraphStore, codebook: str,
                                             export: str, responses: int, tmp_path: Path) -> None:
    source = source_for(codebook)
    report = run_load(memory_store, source, [real_data / export], progress=False, reject_file=tmp_path / "r.jsonl",
                      classify=False)
    assert (report.read, report.written, report.rejected) == (responses, responses, 0)
    graph = memory_store.export_graph(source.graph)
    assert len(set(graph.subjects(URIRef(str(ODLM.survey)), None))) == responses
    assert len(set(graph.subjects(None, ODLM.Respondent))) == responses


def test_qualtrics_sample_current_and_legacy_layouts_give_the_same_graph(real_data: Path) -> None:
    current = mapped(source_for("qualtrics-r-sample"), real_data / "qualtrics-qualtRics/sample.csv")
    legacy = mapped(source_for("qualtrics-r-sample"), real_data / "qualtrics-qualtRics/sample_legacy.csv")
    assert set(current) == set(legacy)
    choice = codebook_concept_iri("qualtrics-r-sample", "Q1Choice2")
    assert len(list(current.subjects(ODLM.selectedOption, choice))) == 1
    assert Literal("2017-07-18", datatype=URIRef("http://www.w3.org/2001/XMLSchema#date")) in set(current.objects())


def test_insights_and_legacy_exports_of_one_survey_agree(real_data: Path) -> None:
    folder = real_data / "qualtrics-QualtricsTools"
    insights = mapped(source_for("qtools-multiple-answer"), folder / "Multiple_Answer_MC_Questions_insights_export.csv")
    legacy = mapped(source_for("qtools-multiple-answer-legacy"), folder / "Multiple_Answer_MC_Questions_legacy_export.csv")
    assert set(insights) == set(legacy)
    # first response: Q2 statements 2 and 3, Q5 statement 1 and choice 6 (recode 10 and 13)
    scheme = "qtools-multiple-answer"
    chosen = {str(o).rsplit("/", 1)[-1] for o in insights.objects(None, ODLM.selectedOption)}
    assert {"Q2Statement1", "Q5Choice6", "McFiveStatement2"} <= chosen
    counts = {name: len(list(insights.subjects(ODLM.selectedOption, codebook_concept_iri(scheme, name))))
              for name in ("Q2Statement1", "Q2Statement2", "McFiveStatement1")}
    assert counts == {"Q2Statement1": 4, "Q2Statement2": 4, "McFiveStatement1": 0}


def test_comma_joined_multi_select_matrix_and_day_month_dates(real_data: Path) -> None:
    graph = mapped(source_for("nzsl-validation"), real_data / "qualtrics-finsl-signbank/nzsl_validation_export_snippet.csv")
    scheme = "nzsl-validation"
    both = set(graph.subjects(ODLM.selectedOption, codebook_concept_iri(scheme, "ContactMe")))
    comment = codebook_concept_iri(scheme, "WriteComment")
    assert len(both) == 1 and (next(iter(both)), ODLM.selectedOption, comment) in graph
    assert len(list(graph.subjects(ODLM.selectedOption, codebook_concept_iri(scheme, "WriteComment")))) == 3
    assert len(list(graph.subjects(ODLM.selectedOption, codebook_concept_iri(scheme, "SeenOrUsedNotSure")))) == 2
    dates = {str(o) for o in graph.objects(None, URIRef("http://purl.org/dc/terms/date"))}
    assert dates == {"2022-11-09", "2022-11-11"}


def test_seen_but_unanswered_codes_are_not_answers(real_data: Path) -> None:
    export = real_data / "qualtrics-QualtricsTools/Questions_with_Text_Entry_Components_insights_export.csv"
    graph = mapped(source_for("qtools-text-entry"), export)
    with export.open(encoding="utf-8", newline="") as handle:
        table = list(csv.reader(handle))
    column = table[0].index("MCMA_text_2")
    rows = table[3:]
    chosen = sum(1 for row in rows if row[column] == "1")
    assert 0 < chosen < len(rows)  # some -99 in this column
    concept = codebook_concept_iri("qtools-text-entry", "MCMAChoice2")
    assert len(list(graph.subjects(ODLM.selectedOption, concept))) == chosen
    matrix = codebook_concept_iri("qtools-text-entry", "MatrixStatement1Point2")
    assert any(graph.subjects(ODLM.selectedOption, matrix))


def _pii_values(real_data: Path) -> tuple[set[str], set[str]]:
    ips: set[str] = set()
    emails: set[str] = set()
    for export in real_data.glob("qualtrics-*/*.csv"):
        text = export.read_text(encoding="utf-8-sig")
        ips |= set(re.findall(r"(?<![\d.])(?:\d{1,3}\.){3}\d{1,3}(?![\d.])", text))
        emails |= set(re.findall(r"[\w.+-]+@[\w-]+\.[\w.]+", text))
    return ips, emails


def test_no_ip_address_or_email_of_the_samples_reaches_the_store(real_data: Path, memory_store: OxigraphStore) -> None:
    for codebook, export, _ in EXPORTS:
        run_load(memory_store, source_for(codebook), [real_data / export], progress=False, classify=False)
    demo = resource_dir("data") / "survey" / "demo-survey-SYNTHETIC.csv"
    run_load(memory_store, source_for(resource_dir("data") / "survey" / "demo-survey-SYNTHETIC-codebook.yaml"),
             [demo], progress=False, classify=False)
    ips, emails = _pii_values(real_data)
    demo_text = demo.read_text(encoding="utf-8")
    ips |= set(re.findall(r"(?<![\d.])(?:\d{1,3}\.){3}\d{1,3}(?![\d.])", demo_text))
    assert "130.92.34.66" in ips and len(ips) > 10
    dump = store_dump(memory_store)
    assert "SurveyResponse" in dump
    for value in ips | emails:
        assert value not in dump, value
    for coordinate in ("47.115097045898", "42.401901245117", "-71.119300842285"):
        assert coordinate not in dump
    names = {Literal(n) for n in ("Doe", "Joe", "Random", "Someone", "Else", "Anonym", "Anonymous")}
    assert not names & {o for g in memory_store.named_graphs() for o in memory_store.export_graph(g).objects()}


def test_salted_iris_are_stable_and_change_with_the_salt(real_data: Path) -> None:
    export = real_data / "qualtrics-finsl-signbank/nzsl_validation_export_snippet.csv"
    first = set(mapped(source_for("nzsl-validation", "one"), export).subjects(None, ODLM.SurveyResponse))
    again = set(mapped(source_for("nzsl-validation", "one"), export).subjects(None, ODLM.SurveyResponse))
    other = set(mapped(source_for("nzsl-validation", "two"), export).subjects(None, ODLM.SurveyResponse))
    assert first == again and len(first) == 3 and not first & other
    assert not any("R_" in str(iri) for iri in first | other)


def test_salt_comes_from_option_then_environment_then_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(SALT_VARIABLE, "from-env")
    assert choose_salt("given") == "given" and choose_salt(None) == "from-env"
    monkeypatch.delenv(SALT_VARIABLE)
    with pytest.warns(DefaultSaltWarning):
        assert choose_salt(None) == DEFAULT_SALT


def _variant(real_data: Path, tmp_path: Path, extra_rows: list[str], name: str = "variant.csv",
             header_edit: tuple[str, str] | None = None) -> Path:
    text = (real_data / "qualtrics-qualtRics/sample.csv").read_text(encoding="utf-8")
    if header_edit:
        text = text.replace(*header_edit, 1)
    path = tmp_path / name
    path.write_text(text + "".join(row + "\n" for row in extra_rows), encoding="utf-8")
    return path


BASE_ROW = "2017-07-18 08:28:09,2017-07-18 08:28:48,{status},,100,38,{finished},2017-07-18 08:28:48,{rid},,,,,,,anonymous,DE,{q1},x,"


def test_preview_and_unfinished_responses_are_excluded_unless_asked(real_data: Path, tmp_path: Path) -> None:
    path = _variant(real_data, tmp_path, [
        BASE_ROW.format(status="1", finished="1", rid="R_preview1", q1="1"),
        BASE_ROW.format(status="Survey Preview", finished="True", rid="R_preview2", q1="1"),
        BASE_ROW.format(status="IP Address", finished="False", rid="R_unfinished", q1="2"),
        BASE_ROW.format(status="0", finished="0", rid="R_unfinished2", q1="2"),
    ])
    default = source_for("qualtrics-r-sample")
    assert len(list(default.read(path))) == 1
    assert default.excluded[str(path)] == {"preview": 2, "unfinished": 2}
    assert len(list(source_for("qualtrics-r-sample", include_preview=True).read(path))) == 3
    assert len(list(source_for("qualtrics-r-sample", include_unfinished=True).read(path))) == 3
    everything = source_for("qualtrics-r-sample", include_preview=True, include_unfinished=True)
    assert len(list(everything.read(path))) == 5


def test_load_survey_says_how_many_responses_it_left_out(real_data: Path, tmp_path: Path,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    """Regression: ``odlm-kg load survey`` counted only read, written and rejected records, so responses
    left out as previews or unfinished vanished without a word."""
    from odlm_kg.cli.app import main

    path = _variant(real_data, tmp_path, [
        BASE_ROW.format(status="Survey Preview", finished="True", rid="R_preview2", q1="1"),
        BASE_ROW.format(status="0", finished="0", rid="R_unfinished2", q1="2"),
    ])
    code = main(["--store", "memory", "load", "survey", str(path), "--codebook",
                 str(CODEBOOKS / "qualtrics-r-sample.yaml"), "--salt", SALT, "--no-progress"])
    assert code == 0
    assert "excluded 2 responses by their status (preview: 1, unfinished: 1)" in capsys.readouterr().err


def test_unknown_answer_is_rejected_with_row_and_column(real_data: Path, tmp_path: Path,
                                                        memory_store: OxigraphStore) -> None:
    path = _variant(real_data, tmp_path, [BASE_ROW.format(status="0", finished="1", rid="R_odd", q1="7")])
    rejects = tmp_path / "rejects.jsonl"
    report = run_load(memory_store, source_for("qualtrics-r-sample"), [path], progress=False, reject_file=rejects,
                      classify=False)
    assert (report.read, report.written, report.rejected) == (2, 1, 1)
    reject = json.loads(rejects.read_text().splitlines()[0])
    assert reject["record"] == 5 and reject["field"] == "Q1" and "'7'" in reject["reason"]
    assert "expected one of" in reject["reason"]
    before = memory_store.count()
    with pytest.raises(ProblemsFound, match=r"record 5.*Q1|Q1.*record 5"):
        run_load(memory_store, source_for("qualtrics-r-sample"), [path], progress=False, strict=True, classify=False)
    assert memory_store.count() == before


@pytest.mark.parametrize(("edit", "rows", "expected"), [
    (None, [BASE_ROW.format(status="0", finished="1", rid="R_long", q1="1") + ",extra"],
     r"variant.csv: row 5: expected 20 columns as in the header, found 21"),
    (("Q2 - Topics", "Q99"), [], r"variant.csv: row 1: column 20 'Q99': not in the codebook qualtrics-r-sample.yaml"),
    (None, [BASE_ROW.format(status="0", finished="maybe", rid="R_x", q1="1")],
     r"variant.csv: row 5: column Finished: 'maybe': expected 1/0 or True/False"),
], ids=["extra-cell", "unknown-column", "bad-finished"])
def test_malformed_export_names_file_row_column_and_leaves_the_store_alone(
        real_data: Path, tmp_path: Path, memory_store: OxigraphStore, edit: tuple[str, str] | None,
        rows: list[str], expected: str) -> None:
    memory_store.load_text("<urn:a> <urn:b> <urn:c> .", "nt", graph_iri("survey-qualtrics-r-sample"))
    before = memory_store.count()
    path = _variant(real_data, tmp_path, rows, header_edit=edit)
    with pytest.raises(InputError, match=expected):
        run_load(memory_store, source_for("qualtrics-r-sample"), [path], progress=False, classify=False)
    assert memory_store.count() == before


def test_codebook_naming_a_missing_concept_stops_before_anything_is_written(
        real_data: Path, tmp_path: Path, memory_store: OxigraphStore) -> None:
    broken = tmp_path / "broken.yaml"
    text = (CODEBOOKS / "qualtrics-r-sample.yaml").read_text().replace(
        "concept: qualtrics-r-sample/Q1Choice2", "concept: sharing-location/NoSuchPlace")
    broken.write_text(text)
    before = memory_store.count()
    with pytest.raises(InputError, match=r"broken.yaml: question Q1: option 2: concept .*NoSuchPlace.* not in the "
                                         r"vocabularies"):
        get_source("survey", LoadOptions(codebook=broken, salt=SALT))
    assert memory_store.count() == before


def test_not_utf8_and_headerless_files_are_refused(tmp_path: Path) -> None:
    latin = tmp_path / "latin.csv"
    latin.write_bytes("ResponseId,Q1\nAntwort-ID,Gr\xfc\xdfe\n".encode("latin-1"))
    with pytest.raises(InputError, match="not UTF-8"):
        list(source_for("qualtrics-r-sample").read(latin))
    short = tmp_path / "short.csv"
    short.write_text("ResponseId\n")
    with pytest.raises(InputError, match="row 2: expected the header rows"):
        list(source_for("qualtrics-r-sample").read(short))


def test_truncated_gzip_export_is_an_input_error(tmp_path: Path) -> None:
    import gzip

    packed = gzip.compress(b"ResponseId,Q1\n" + b"R_1,1\n" * 2000)
    truncated = tmp_path / "export.csv"
    truncated.write_bytes(packed[: len(packed) // 2])
    with pytest.raises(InputError, match=r"export.csv: cannot read \(corrupt or truncated"):
        list(source_for("qualtrics-r-sample").read(truncated))


def test_choice_texts_containing_commas_are_split_by_the_known_options() -> None:
    question = Question("Q", "", "multi", column="Q", options={
        "1": Option("1", "Yes, with a licence", None, "selectedOption"),
        "2": Option("2", "Yes", None, "selectedOption"),
        "3": Option("3", "No, never", None, "selectedOption")})
    assert [o.code for o in _split_choices(question, "Q", "Yes, with a licence,No, never")] == ["1", "3"]
    assert [o.code for o in _split_choices(question, "Q", "Yes,No, never")] == ["2", "3"]


def test_import_id_cells_in_both_notations() -> None:
    assert import_id('{"ImportId":"QID7_5_TEXT"}') == "QID7_5_TEXT"
    assert import_id("{'ImportId': 'QID4-2-TEXT'}") == "QID4-2-TEXT"
    assert import_id("Q1") is None


def test_survey_source_is_registered() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DefaultSaltWarning)
        source = get_source("survey", LoadOptions(codebook=CODEBOOKS / "nzsl-validation.yaml"))
    assert source.name == "survey" and source.graph == graph_iri("survey-nzsl-validation")
    assert "survey" in source.layers
