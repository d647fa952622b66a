"""The ontology quality gate (issue 2, item 7): a failure here fails the build.

Every RDF file parses; core, vocabularies and alignments are consistent under HermiT; HermiT classifies
open deep learning models as the seed defines them; and the SPARQL violation queries in
``ontology/checks/`` find nothing.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from rdflib import OWL, RDF, XSD, BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS

from odlm_kg.classify import ACCESS_PUBLIC
from odlm_kg.namespaces import ODLM, SPDX_LICENSE, instance_iri, vocab_iri
from odlm_kg.ontology import alignment_graph, alignment_paths, core_graph, full_graph, vocabulary_graph
from odlm_kg.quality_gate import (
    ReasonerResult,
    Violation,
    gate_store,
    mentions_in_text,
    owl_entities,
    parse_problem,
    parse_problems,
    project_files,
    rdf_files,
    reason_with_hermit,
    run_check,
    usage_graph,
    violation_checks,
)

EXPECTED_CHECKS = {
    "term-without-label", "term-without-definition", "term-not-defined-by-ontology", "duplicate-pref-label",
    "concept-outside-scheme", "broader-cycle", "schema-org-https", "undefined-odlm-term", "undefined-vocab-iri",
}
ALIGNMENT_MODULES = {"prov", "dcat", "schema", "fair4ml", "mldcat-ap", "spdx", "mls", "fabio-cito"}


# --- parsing -------------------------------------------------------------------------------------


def test_every_rdf_file_of_the_project_parses() -> None:
    files = rdf_files()
    assert any(path.name == "odlm.ttl" for path in files)
    problems = parse_problems(files)
    assert not problems, "RDF files that do not parse:\n" + "\n".join(problems)


def test_a_broken_file_is_reported_with_its_name_and_line(tmp_path: Path) -> None:
    broken = tmp_path / "broken.ttl"
    broken.write_text("@prefix ex: <http://example.org/> .\nex:a ex:b ex:c .\nex:d ex:e \n", encoding="utf-8")
    problem = parse_problem(broken)
    assert problem is not None
    assert str(broken) in problem
    assert "line 4" in problem
    assert parse_problems([broken]) == [problem]


def test_a_file_rdflib_rejects_is_reported_too(tmp_path: Path) -> None:
    broken = tmp_path / "undeclared.ttl"
    broken.write_text("ex:a ex:b ex:c .\n", encoding="utf-8")
    problem = parse_problem(broken)
    assert problem is not None and "undeclared.ttl" in problem and "line 1" in problem


# --- alignment modules ---------------------------------------------------------------------------


def test_every_alignment_module_has_its_own_header_and_loads_alone() -> None:
    names = {path.stem for path in alignment_paths()}
    assert names >= ALIGNMENT_MODULES
    for path in alignment_paths():
        graph = Graph().parse(path)
        iri = URIRef(f"https://w3id.org/odlm/align/{path.stem}")
        assert (iri, RDF.type, OWL.Ontology) in graph, path
        assert (iri, OWL.versionIRI, URIRef(f"{iri}/0.1.0")) in graph, path
        assert not list(graph.objects(iri, OWL.imports)), f"{path}: must not need the network to load"


def alignment_axiom_counts() -> dict[str, int]:
    from rdflib import RDFS

    counts = {}
    for path in alignment_paths():
        graph = Graph().parse(path)
        counts[path.stem] = sum(
            1 for _ in graph.triples((None, None, None))
            if _[1] in (RDFS.subClassOf, RDFS.subPropertyOf, OWL.equivalentClass, OWL.equivalentProperty)
            or (_[1] == RDF.type and _[2] not in (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty,
                                                  OWL.AnnotationProperty, OWL.NamedIndividual, OWL.Ontology))
        )
    return counts


def test_alignment_modules_state_the_axioms_the_design_asks_for() -> None:
    from rdflib import RDFS

    graph = alignment_graph()
    prov = "http://www.w3.org/ns/prov#"
    expected = [
        (ODLM.Artifact, RDFS.subClassOf, URIRef(prov + "Entity")),
        (ODLM.LoadRun, RDFS.subClassOf, URIRef(prov + "Activity")),
        (ODLM.Agent, RDFS.subClassOf, URIRef(prov + "Agent")),
        (ODLM.Derivation, RDFS.subClassOf, URIRef(prov + "Derivation")),
        (ODLM.derivedFrom, RDFS.subPropertyOf, URIRef(prov + "wasDerivedFrom")),
        (ODLM.qualifiedDerivation, RDFS.subPropertyOf, URIRef(prov + "qualifiedDerivation")),
        (ODLM.derivationSource, RDFS.subPropertyOf, URIRef(prov + "entity")),
        (ODLM.Dataset, RDFS.subClassOf, URIRef("http://www.w3.org/ns/dcat#Dataset")),
        (ODLM.Dataset, RDFS.subClassOf, URIRef("http://schema.org/Dataset")),
        (ODLM.SourceCode, RDFS.subClassOf, URIRef("http://schema.org/SoftwareSourceCode")),
        (ODLM.Paper, RDFS.subClassOf, URIRef("http://schema.org/ScholarlyArticle")),
        (ODLM.licence, RDFS.subPropertyOf, URIRef("http://schema.org/license")),
        (ODLM.DeepLearningModel, RDFS.subClassOf, URIRef("https://w3id.org/fair4ml#MLModel")),
        (ODLM.trainedOn, RDFS.subPropertyOf, URIRef("https://w3id.org/fair4ml#trainedOn")),
        (ODLM.sharedBy, RDFS.subPropertyOf, URIRef("https://w3id.org/fair4ml#sharedBy")),
        (ODLM.DeepLearningModel, RDFS.subClassOf, URIRef("http://data.europa.eu/it6/MachineLearningModel")),
        (ODLM.Licence, RDFS.subClassOf, URIRef("http://spdx.org/rdf/terms#License")),
        (ODLM.DeepLearningModel, RDFS.subClassOf, URIRef("http://www.w3.org/ns/mls#Model")),
        (ODLM.Paper, RDFS.subClassOf, URIRef("http://purl.org/spar/fabio/ScholarlyWork")),
        (ODLM.describedBy, RDFS.subPropertyOf, URIRef("http://purl.org/spar/cito/isDocumentedBy")),
    ]
    missing = [t for t in expected if t not in graph]
    assert not missing, missing
    assert all(count > 0 for count in alignment_axiom_counts().values())


# --- reasoning -----------------------------------------------------------------------------------


def classification_example() -> tuple[Graph, URIRef, URIRef]:
    """Two models at the Hugging Face Hub, one under Apache-2.0 (open), one under CC-BY-NC-4.0."""
    example = Graph()
    open_model = instance_iri("model", "example/open-model")
    nc_model = instance_iri("model", "example/non-commercial-model")
    hub = vocab_iri("sharing-location", "HuggingFaceHub")
    example.add((hub, RDF.type, ODLM.PublicSharingLocation))  # also in the vocabulary; stated so the test stands alone
    for model, licence, openness in (
        (open_model, SPDX_LICENSE["Apache-2.0"], "Open"),
        (nc_model, SPDX_LICENSE["CC-BY-NC-4.0"], "NonCommercial"),
    ):
        example.add((model, RDF.type, ODLM.PretrainedModel))
        example.add((model, ODLM.licence, licence))
        example.add((model, ODLM.sharedAt, hub))
        example.add((model, DCTERMS.accessRights, ACCESS_PUBLIC))
        # the one licence stated is all of the model's licences (the definition closes over them)
        closure = BNode()
        example.add((model, RDF.type, closure))
        example.add((closure, RDF.type, OWL.Restriction))
        example.add((closure, OWL.onProperty, ODLM.licence))
        example.add((closure, OWL.maxCardinality, Literal(1, datatype=XSD.nonNegativeInteger)))
        example.add((licence, RDF.type, ODLM.Licence))
        example.add((licence, ODLM.opennessClass, vocab_iri("licence-openness", openness)))
    return example, open_model, nc_model


@pytest.fixture(scope="module")
def hermit_result() -> ReasonerResult:
    """One HermiT run over core + vocabularies + alignments + the classification example.

    OWL is monotonic: if the ontology with the example is consistent, so is the ontology alone, so one
    run answers both questions (HermiT is the slowest part of the gate).
    """
    example, _, _ = classification_example()
    return reason_with_hermit(full_graph() + example)


@pytest.mark.slow
def test_core_vocabularies_and_alignments_are_consistent_under_hermit(hermit_result: ReasonerResult) -> None:
    print(f"HermiT, core + vocabularies + alignments (+ example): {hermit_result.seconds:.2f} s")
    if not hermit_result.consistent:
        alone = reason_with_hermit(full_graph())
        assert alone.consistent, f"the ontology itself is inconsistent: {alone.message}"
    assert hermit_result.consistent, f"the classification example is inconsistent: {hermit_result.message}"


@pytest.mark.slow
def test_hermit_infers_open_deep_learning_models_as_the_seed_defines_them(hermit_result: ReasonerResult) -> None:
    _, open_model, nc_model = classification_example()
    types = hermit_result.types
    assert hermit_result.consistent, hermit_result.message
    assert str(ODLM.OpenLicence) in types[str(SPDX_LICENSE["Apache-2.0"])]
    assert str(ODLM.OpenDeepLearningModel) in types[str(open_model)]
    assert str(ODLM.OpenDeepLearningModel) not in types[str(nc_model)]
    assert str(ODLM.OpenLicence) not in types[str(SPDX_LICENSE["CC-BY-NC-4.0"])]


def test_the_vocabulary_types_the_public_platforms_public() -> None:
    vocab = vocabulary_graph()
    for platform in ("HuggingFaceHub", "GitHub", "Zenodo", "Kaggle"):
        iri = vocab_iri("sharing-location", platform)
        assert (iri, RDF.type, ODLM.PublicSharingLocation) in vocab, f"{iri} is not typed odlm:PublicSharingLocation"


def disagreeing_merges() -> dict[str, Graph]:
    """Data merged from two sources that disagree on a functional property whose values are concepts."""
    licence = instance_iri("licence", "example/disputed")
    respondent = instance_iri("respondent", "example/two-ages")
    finding = instance_iri("finding", "example/two-sources")
    cases = {
        "opennessClass": [(licence, RDF.type, ODLM.Licence),
                          (licence, ODLM.opennessClass, vocab_iri("licence-openness", "Open")),
                          (licence, ODLM.opennessClass, vocab_iri("licence-openness", "OpenWithUseRestrictions"))],
        "ageBand": [(respondent, RDF.type, ODLM.Respondent),
                    (respondent, ODLM.ageBand, vocab_iri("age-band", "Age18to25")),
                    (respondent, ODLM.ageBand, vocab_iri("age-band", "Age25to32"))],
        "sourceWork": [(finding, RDF.type, ODLM.Finding),
                       (finding, ODLM.sourceWork, instance_iri("work", "dalgali-crowston-2019")),
                       (finding, ODLM.sourceWork, instance_iri("work", "synovic-ptm-reuse"))],
    }
    graphs = {}
    for name, triples in cases.items():
        graph = Graph()
        for triple in triples:
            graph.add(triple)
        graphs[name] = graph
    return graphs


@pytest.mark.slow
@pytest.mark.parametrize("prop", ["opennessClass", "ageBand", "sourceWork"])
def test_disagreeing_values_of_a_functional_concept_property_are_inconsistent(prop: str) -> None:
    """owl:AllDifferent over the concepts: HermiT reports the clash instead of equating "Open" with
    "OpenWithUseRestrictions" (or two age bands, or two works)."""
    data = disagreeing_merges()[prop]
    result = reason_with_hermit(core_graph() + vocabulary_graph() + data)
    assert not result.consistent, f"two values of odlm:{prop} were silently equated"


def test_hermit_reports_an_inconsistent_ontology() -> None:
    clash = Graph()
    someone = instance_iri("agent", "example/both")
    clash.add((ODLM.Person, RDF.type, OWL.Class))
    clash.add((ODLM.Organization, RDF.type, OWL.Class))
    clash.add((ODLM.Person, OWL.disjointWith, ODLM.Organization))
    clash.add((someone, RDF.type, ODLM.Person))
    clash.add((someone, RDF.type, ODLM.Organization))
    result = reason_with_hermit(clash)
    assert not result.consistent


# --- OWL 2 DL profile (OWL API, as shipped with owlready2) ------------------------------------------


@pytest.fixture(scope="module")
def owl_profile_checker(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    """The java command line that runs tests/tools/OwlProfileCheck.java (compiled once per module)."""
    import shutil

    import owlready2

    jar = Path(owlready2.__file__).parent / "pellet" / "owlapi-distribution-3.4.3-bin.jar"
    javac = shutil.which("javac")
    if javac is None or not jar.is_file():
        pytest.skip("the OWL 2 DL profile check needs javac and owlready2's OWL API jar")
    classes = tmp_path_factory.mktemp("owlapi")
    source = Path(__file__).parent / "tools" / "OwlProfileCheck.java"
    subprocess.run([javac, "-d", str(classes), "-cp", str(jar), str(source)], check=True, timeout=120)
    return ["java", "-cp", f"{jar}{os.pathsep}{classes}", "OwlProfileCheck"]


@pytest.mark.slow
def test_core_vocabularies_and_each_alignment_module_are_owl2_dl(owl_profile_checker, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """The core with its vocabularies, each alignment module alone, and everything together."""
    documents = {"core+vocab": core_graph() + vocabulary_graph(), "all": full_graph()}
    for path in alignment_paths():
        documents[f"align/{path.name}"] = Graph().parse(path)
    files = []
    for name, graph in documents.items():
        target = tmp_path / (name.replace("/", "_") + ".owl")
        graph.serialize(target, format="xml")
        files.append(str(target))
    result = subprocess.run([*owl_profile_checker, *files], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, "not OWL 2 DL:\n" + result.stdout[-5000:] + result.stderr[-2000:]


def test_the_owl2_dl_check_notices_a_violation(owl_profile_checker, tmp_path) -> None:  # type: ignore[no-untyped-def]
    punned = Graph().parse(data="""
        @prefix owl: <http://www.w3.org/2002/07/owl#> .
        <http://example.org/o> a owl:Ontology .
        <http://example.org/p> a owl:ObjectProperty , owl:DatatypeProperty .""", format="turtle")
    target = tmp_path / "punned.owl"
    punned.serialize(target, format="xml")
    result = subprocess.run([*owl_profile_checker, str(target)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 1 and "Cannot pun between properties" in result.stdout


# --- violation queries ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def store():  # type: ignore[no-untyped-def]
    store = gate_store()
    yield store
    store.close()


def test_every_rule_has_its_query() -> None:
    assert {check.name for check in violation_checks()} >= EXPECTED_CHECKS


@pytest.mark.parametrize("check", violation_checks(), ids=lambda check: check.name)
def test_violation_query_finds_nothing(check, store) -> None:  # type: ignore[no-untyped-def]
    found = run_check(check, store)
    for violation in found:
        print(violation)
    assert not found, f"{check.title or check.name}: {len(found)} offenders:\n" + "\n".join(map(str, found))


def test_the_violation_queries_catch_what_they_are_for(tmp_path: Path) -> None:
    """Each rule fires on a small graph made to break it (so a rule that can never fire is noticed)."""
    bad = tmp_path / "bad.ttl"
    bad.write_text("""
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix v: <https://w3id.org/odlm/vocab/gate-test/> .
v:A a skos:Concept ; skos:prefLabel "same"@en ; skos:inScheme v:S ; skos:broader v:B .
v:B a skos:Concept ; skos:prefLabel "Same"@en ; skos:inScheme v:S ; skos:broader v:A ; skos:definition "b"@en .
v:C a skos:Concept ; skos:prefLabel "c"@en ; skos:definition "c"@en .
""", encoding="utf-8")
    code = tmp_path / "code.py"
    schema_https = "https" + "://schema.org/name"
    code.write_text(f'X = ODLM.noSuchTerm\nY = "{schema_https}"\nZ = vocab_iri("motivation", "NoSuchThing")\n',
                    encoding="utf-8")
    data = gate_store(usage=usage_graph([bad, code], base=tmp_path))
    data.load_file(bad, graph=URIRef("https://w3id.org/odlm/graph/vocab"))
    checks = {check.name: check for check in violation_checks()}

    def terms(name: str) -> set[str]:
        return {v.term for v in run_check(checks[name], data)}

    gate = "https://w3id.org/odlm/vocab/gate-test/"
    assert f"{gate}A" in terms("term-without-definition")
    assert f"{gate}C" in terms("concept-outside-scheme")
    assert {f"{gate}A", f"{gate}B"} <= terms("broader-cycle")
    assert terms("duplicate-pref-label") & {f"{gate}A", f"{gate}B"}
    assert str(ODLM.noSuchTerm) in terms("undefined-odlm-term")
    assert schema_https in terms("schema-org-https")
    assert str(vocab_iri("motivation", "NoSuchThing")) in terms("undefined-vocab-iri")
    where = {v.where for v in run_check(checks["undefined-odlm-term"], data)}
    assert "code.py:1" in {w.split("/")[-1] for w in where}


def test_mentions_are_found_in_sparql_turtle_and_python_text() -> None:
    sparql = "PREFIX m: <https://w3id.org/odlm/vocab/motivation/>\nSELECT * { ?r odlm:reportsMotivation m:Altruism }"
    assert mentions_in_text(sparql, ".rq") == [
        (2, str(ODLM.reportsMotivation)), (2, str(vocab_iri("motivation", "Altruism")))]
    python = 'vocab_iri("barrier", "LackOfFunding"); ODLM["licence"]; f"odlm-kg: {x}"'
    assert mentions_in_text(python, ".py") == [
        (1, str(ODLM.licence)), (1, str(vocab_iri("barrier", "LackOfFunding")))]


def test_the_usage_scan_covers_the_package_code_and_queries() -> None:
    files = project_files()
    assert any(path.name == "quality_gate.py" for path in files)
    assert any(path.suffix == ".rq" for path in files)


# --- numbers for the report ----------------------------------------------------------------------


def test_ontology_counts_are_reported() -> None:
    entities = owl_entities(core_graph())
    counts = {name: len(terms) for name, terms in entities.items()}
    print("ODLM core:", counts, "alignment axioms:", alignment_axiom_counts())
    assert counts["classes"] >= 30 and counts["object_properties"] >= 30 and counts["datatype_properties"] >= 15


def test_violation_str_names_rule_term_and_place() -> None:
    text = str(Violation("undefined-odlm-term", "https://w3id.org/odlm#x", "is used", "odlm_kg/a.py:3"))
    assert text == "[undefined-odlm-term] https://w3id.org/odlm#x: is used (odlm_kg/a.py:3)"
