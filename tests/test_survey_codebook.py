"""Survey codebooks: the shipped ones load, and a codebook naming a missing or ill-typed concept is refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from odlm_kg.errors import InputError
from odlm_kg.namespaces import vocab_iri
from odlm_kg.resources import resource_dir
from odlm_kg.sources.survey_codebook import load_codebook, resolve_concept

SURVEY_DATA = resource_dir("data") / "survey"
CODEBOOKS = sorted((SURVEY_DATA / "codebooks").glob("*.yaml")) + sorted(SURVEY_DATA.glob("*.yaml"))

MINIMAL = """\
format: odlm-survey-codebook/1
survey: {id: tiny, title: Tiny survey}
questions:
  - id: Q1
    column: Q1
    type: single
    property: odlm:reportsLocation
    options:
      "1": {label: GitHub, concept: CONCEPT}
"""


def write(tmp_path: Path, concept: str) -> Path:
    path = tmp_path / "tiny.yaml"
    path.write_text(MINIMAL.replace("CONCEPT", concept), encoding="utf-8")
    return path


@pytest.mark.parametrize("path", CODEBOOKS, ids=lambda p: p.name)
def test_every_shipped_codebook_loads(path: Path) -> None:
    book = load_codebook(path)
    assert book.questions
    assert {"IPAddress", "RecipientEmail", "LocationLatitude", "ExternalReference"} <= book.pii_columns


def test_dalgali_crowston_codebook_maps_the_published_tables() -> None:
    book = load_codebook(SURVEY_DATA / "dalgali-crowston-codebook.yaml")
    sites = book.question("Q3")
    assert sites.options["2"].concept == vocab_iri("sharing-location", "GitHub")
    assert sites.options["2"].property == "reportsLocation"
    assert sites.published is not None and sites.published["locator"] == "Table 3"
    assert sum(book.question("Q4").published["values"].values()) == 100  # type: ignore[index]
    assert book.question("Q8").options["4"].concept == vocab_iri("actor-role", "PhDStudent")
    assert book.question("Q10").options["6"].concept is None  # prefer not to say: known, asserts nothing
    assert book.question("Q2").options["2"].property == "doesNotShareKind"


def test_demo_codebook_is_marked_synthetic() -> None:
    book = load_codebook(SURVEY_DATA / "demo-survey-SYNTHETIC-codebook.yaml")
    assert book.synthetic and book.graph_name == "survey-demo"
    assert book.survey_id == "dalgali-crowston-demo"
    assert "SYNTHETIC" in (book.description or "")


def test_known_concept_loads(tmp_path: Path) -> None:
    assert load_codebook(write(tmp_path, "sharing-location/GitHub")).question("Q1").options["1"].concept == \
        vocab_iri("sharing-location", "GitHub")


def test_missing_concept_names_file_question_option_and_expectation(tmp_path: Path) -> None:
    path = write(tmp_path, "sharing-location/GitHubb")
    with pytest.raises(InputError) as caught:
        load_codebook(path)
    message = str(caught.value)
    assert str(path) in message and "question Q1" in message and "option 1" in message
    assert "GitHubb" in message and "odlm:SharingLocation" in message


def test_concept_of_the_wrong_class_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="expected a concept of class odlm:SharingLocation"):
        load_codebook(write(tmp_path, "motivation/IncreaseCitations"))


def test_unknown_property_and_type_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(MINIMAL.replace("CONCEPT", "sharing-location/GitHub").replace("reportsLocation", "likes"))
    with pytest.raises(InputError, match="property 'likes'"):
        load_codebook(path)
    path.write_text(MINIMAL.replace("CONCEPT", "sharing-location/GitHub").replace("type: single", "type: ranking"))
    with pytest.raises(InputError, match="type 'ranking'"):
        load_codebook(path)


def test_invalid_yaml_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("survey: {id: x\nquestions: [\n")
    with pytest.raises(InputError, match=r"broken.yaml:\d+: invalid YAML"):
        load_codebook(path)


def test_codebooks_extending_each_other_in_a_loop_are_refused(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("extends: b.yaml\n", encoding="utf-8")
    (tmp_path / "b.yaml").write_text("extends: a.yaml\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"b.yaml: 'extends' loops back"):
        load_codebook(tmp_path / "a.yaml")


def test_concept_references() -> None:
    assert str(resolve_concept("https://example.org/x")) == "https://example.org/x"
    assert resolve_concept("work:dalgali-crowston-2019").endswith("/id/work/dalgali-crowston-2019")
    with pytest.raises(ValueError):
        resolve_concept("GitHub")
