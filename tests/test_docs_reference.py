"""``odlm-kg docs`` writes a reference and a diagram that cover every term of the ontology."""

from __future__ import annotations

import re
from pathlib import Path

from rdflib import OWL, RDF

from odlm_kg.cli.app import main
from odlm_kg.docs_reference import (
    OUTPUT_FILES,
    class_expression,
    collect_reference,
    mermaid_class_diagram,
)
from odlm_kg.namespaces import ODLM
from odlm_kg.ontology import core_graph, vocabulary_graph
from tests.conftest import PROJECT_ROOT


def odlm_terms() -> dict[str, list[str]]:
    core = core_graph()
    return {
        kind: sorted(str(s)[len(str(ODLM)):] for s in core.subjects(RDF.type, cls) if str(s).startswith(str(ODLM)))
        for kind, cls in (("classes", OWL.Class), ("object", OWL.ObjectProperty), ("datatype", OWL.DatatypeProperty))
    }


def test_the_command_writes_a_reference_mentioning_every_class_and_property(tmp_path: Path) -> None:
    assert main(["docs", "--output", str(tmp_path / "ref")]) == 0
    written = {p.name: p.read_text(encoding="utf-8") for p in (tmp_path / "ref").iterdir()}
    assert set(written) == set(OUTPUT_FILES)
    terms = odlm_terms()
    assert terms["classes"] and terms["object"] and terms["datatype"]
    for page in ("index.html", "ontology.md"):
        missing = [name for names in terms.values() for name in names if f"odlm:{name}" not in written[page]]
        assert not missing, f"{page} does not mention {missing}"
    diagram = written["diagram.md"]
    assert "```mermaid\nclassDiagram" in diagram
    for name in terms["classes"]:
        assert re.search(rf"\bclass {name}\b", diagram), name
    for name in terms["object"]:
        assert f": {name}\n" in diagram, name


def test_every_concept_scheme_and_concept_is_in_the_reference(tmp_path: Path) -> None:
    reference = collect_reference()
    schemes = {s.iri: {c.iri for c in s.concepts} for s in reference.schemes}
    vocab = vocabulary_graph()
    from rdflib.namespace import SKOS

    for scheme in vocab.subjects(RDF.type, SKOS.ConceptScheme):
        assert str(scheme) in schemes
        for concept in vocab.subjects(SKOS.inScheme, scheme):
            assert str(concept) in schemes[str(scheme)]


def test_the_defined_class_is_shown_with_its_definition() -> None:
    core = core_graph()
    expression = next(core.objects(ODLM.OpenDeepLearningModel, OWL.equivalentClass))
    assert class_expression(core, expression) == (
        "odlm:PretrainedModel and (odlm:licence some odlm:OpenLicence) "
        "and (odlm:licence only odlm:OpenLicence) "
        "and (dcterms:accessRights value http://publications.europa.eu/resource/authority/access-right/PUBLIC)")
    diagram = mermaid_class_diagram(collect_reference())
    assert "<<defined>> OpenDeepLearningModel" in diagram
    assert "PretrainedModel <|-- OpenDeepLearningModel" in diagram
    assert "Artifact --> SharingLocation : sharedAt" in diagram


def test_the_committed_reference_is_up_to_date(tmp_path: Path) -> None:
    """docs/reference/ is what `odlm-kg docs` makes now; rerun it after changing the ontology."""
    committed = PROJECT_ROOT / "docs" / "reference"
    assert main(["docs", "--output", str(tmp_path)]) == 0
    stale = [name for name in OUTPUT_FILES
             if (committed / name).read_text(encoding="utf-8") != (tmp_path / name).read_text(encoding="utf-8")]
    assert not stale, f"docs/reference/{stale} differ from the ontology: run `odlm-kg docs`"


def test_an_unknown_engine_is_a_usage_error(capsys) -> None:  # type: ignore[no-untyped-def]
    assert main(["docs", "--engine", "sphinx", "--output", "/nonexistent/never"]) == 2
    assert "--engine 'sphinx'" in capsys.readouterr().err


def test_the_hand_written_pages_name_only_terms_the_ontology_defines() -> None:
    from odlm_kg.quality_gate import mentions_in_text

    core = core_graph()
    defined = {str(s) for s in core.subjects(RDF.type, None)}
    classes = set(odlm_terms()["classes"])
    for page in ("user-guide.md", "ontology.md"):
        text = (PROJECT_ROOT / "docs" / page).read_text(encoding="utf-8")
        used = {iri for _, iri in mentions_in_text(text, ".md") if iri.startswith(str(ODLM))}
        assert used and not used - defined, f"docs/{page}: {sorted(used - defined)}"
        for block in re.findall(r"```mermaid\n(.*?)```", text, flags=re.S):
            names = set(re.findall(r"\b([A-Z][A-Za-z]+)\b", block)) - {"LR"}
            assert names <= classes, f"docs/{page} diagram: {sorted(names - classes)}"


def test_the_pylode_engine_works_or_says_why_not(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    code = main(["docs", "--engine", "pylode", "--output", str(tmp_path)])
    if code == 0:
        assert (tmp_path / "index.html").is_file()
    else:
        assert code == 2
        assert "pyLODE cannot be used here" in capsys.readouterr().err
