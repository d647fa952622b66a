"""The SKOS vocabularies and the seed bibliography checked against the seed documents themselves.

The answer options of Tables 3-7 and the items of Table 1 of Dalgali & Crowston are parsed from the seed
text at test time, so a vocabulary that drifts from the paper fails here rather than in a loader.
"""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS

from odlm_kg.namespaces import ID, ODLM, VOCAB, vocab_iri
from odlm_kg.ontology import core_graph, sources_path, vocabulary_graph, vocabulary_paths
from odlm_kg.rdf_formats import read_graph

WORK = f"{ID}work/"
SEED_WORKS = {
    0: URIRef(f"{WORK}dalgali-crowston-2019"),
    1: URIRef(f"{WORK}synovic-ptm-reuse"),
    2: URIRef(f"{WORK}chen-2022-open-ptm"),
    3: URIRef(f"{WORK}ml-model-platforms-study"),
    4: URIRef(f"{WORK}open-sourcing-code-datasets"),
}
#: Works that Table 1 of Dalgali & Crowston draws on, by the paper's reference number.
TABLE1_REFERENCES = {
    4: "curty-2017", 5: "kubilius-2014", 6: "lakhani-2003", 7: "lakhani-2005", 8: "leveque-2016",
    12: "sayogo-2013", 14: "tenopir-2011", 15: "wheeler-2015", 17: "wu-2017", 18: "youngseek-2015",
}
KINDS = {vocab_iri("artifact-kind", k) for k in ("Data", "Code", "Model")}
MODEL = vocab_iri("artifact-kind", "Model")

SCHEME_CLASS = {
    "artifact-kind": ODLM.ArtifactKind, "sharing-location": ODLM.SharingLocation,
    "location-category": ODLM.LocationCategory, "actor-role": ODLM.ActorRole, "discipline": ODLM.Discipline,
    "age-band": ODLM.AgeBand, "motivation": ODLM.Motivation, "barrier": ODLM.Barrier,
    "reuse-pattern": ODLM.ReusePattern, "process-stage": ODLM.ScientificProcessStage,
    "release-strategy": ODLM.ReleaseStrategy, "licence-openness": ODLM.LicenceOpenness,
    "release-risk": ODLM.ReleaseRisk, "release-benefit": ODLM.ReleaseBenefit,
    "open-sourcing-practice": ODLM.OpenSourcingPractice, "metric": ODLM.Metric, "share-base": ODLM.ShareBase,
    "evidence-class": ODLM.EvidenceClass, "population": ODLM.PopulationGroup, "claim-direction": ODLM.ClaimDirection,
}

#: Concept names other components rely on (the coordination contract); they must never disappear.
FIXED_NAMES: dict[str, list[str]] = {
    "artifact-kind": ["Data", "Code", "Model"],
    "licence-openness": ["Open", "OpenWithUseRestrictions", "NonCommercial", "Proprietary", "Unknown"],
    "sharing-location": [
        "GitHub", "HuggingFaceHub", "Zenodo", "Kaggle", "PyTorchHub", "TensorFlowHub", "AWSMarketplace", "ModelDepot",
        "WolframNeuralNetRepository", "CaffeModelZoo", "GitXiv", "PersonalWebsite", "ResearchInstituteWebsite",
        "UniversityWebsite", "CommercialOrganizationWebsite", "OrganizationWebsite", "JournalArticle",
        "NationalNetwork", "GlobalNetwork", "SynthesisCenter", "OpenScienceFramework", "Bitbucket", "Banyan",
        "SciGit", "Figshare", "PapersWithCode", "DataCiteRepository"],
    "location-category": [
        "CodeHost", "MLPackageRepository", "MLModelStore", "DataRepository", "PersonalWebsite", "UniversityWebsite",
        "ResearchInstituteWebsite", "CommercialWebsite", "OrganizationWebsite", "PublicationVenue",
        "NationalNetwork", "GlobalNetwork", "SynthesisCentre", "ModelZoo", "DataSciencePlatform", "PaperCodeIndex"],
    "actor-role": [
        "Scientist", "Researcher", "Academic", "SoftwareDeveloper", "Postdoc", "GraduateStudent", "MasterStudent",
        "PhDStudent", "UndergraduateStudent", "ComputerDataScientist", "IndustryEmployee", "Organization",
        "ResearchIntensive", "TeachingIntensive"],
    "discipline": [
        "ComputerScienceEngineering", "Medicine", "SocialSciences", "Economics", "AtmosphericScience", "Mathematics",
        "BiochemistryGeneticsMolecularBiology"],
    "age-band": ["Age18to25", "Age25to32", "Age32to39", "Age39to46", "Age46to60", "Age20to39", "Age40to50", "AgeOver50"],
    "motivation": [
        "IncreaseCitations", "ImproveScientificQuality", "ContributeToCommunity", "CareerBenefits",
        "CommunityFeedback", "PersonalEnjoyment", "Creativity", "Altruism", "PersonalNeeds", "PeerRecognition",
        "HigherQualityCode", "BeingPartOfCommunity", "SolvingProblems", "SharingNorm", "GoodReputation",
        "ContributeToCollaboration", "ProvideBaseForNewModels", "OthersExpectSharing"],
    "barrier": [
        "InsufficientTime", "LackOfFunding", "NoPermission", "LegalPolicyRequirements", "RewardsOthers",
        "BadReputationRisk", "EthicalConcerns", "InsufficientLegalRights", "DestroyIntellectualProperty",
        "DestroySoftwareIndustry", "NoTrainedModel", "NoSafePlace", "ShareOnlyWithTrusted", "TrainingDataOwnership",
        "NotOfInterest", "NotTheNorm", "LosingAdvantage"],
    "reuse-pattern": ["Conceptual", "Adaptation", "Deployment", "FineTune", "Adapter", "Quantisation", "Merge",
                      "Distillation"],
    "process-stage": ["Test"],
    "release-strategy": ["OpenRelease", "StagedRelease", "GatedAccess", "ApiOnlyAccess", "Withholding",
                         "DetectorCoRelease", "PreReleaseImpactAssessment"],
    "release-risk": ["MaliciousUse", "Bias"],
    "open-sourcing-practice": ["Readme", "Modularity", "Dependencies", "CodeLicence", "Tests", "DataRights",
                               "Anonymisation", "DataLicence", "Metadata", "Accessibility"],
    "metric": ["Downloads", "Likes", "Stars", "Forks"],
    "share-base": ["Answers", "Respondents", "ModelSharingRespondents", "Papers"],
}

#: Survey tables of Dalgali & Crowston: the scheme their answers belong to and, in the paper's row order,
#: the concept each answer must map to.
SURVEY_TABLES: dict[int, tuple[str, list[str]]] = {
    3: ("sharing-location", ["CaffeModelZoo", "GitHub", "GitXiv", "PersonalWebsite", "ResearchInstituteWebsite",
                             "UniversityWebsite", "CommercialOrganizationWebsite"]),
    4: ("actor-role", ["Academic", "Researcher", "MasterStudent", "PhDStudent", "UndergraduateStudent",
                       "ComputerDataScientist", "IndustryEmployee"]),
    5: ("discipline", ["ComputerScienceEngineering", "Medicine", "SocialSciences", "Economics", "AtmosphericScience",
                       "Mathematics"]),
    6: ("motivation", ["IncreaseCitations", "GoodReputation", "ContributeToCollaboration", "CommunityFeedback",
                       "PersonalEnjoyment", "ProvideBaseForNewModels", "SharingNorm", "OthersExpectSharing"]),
    7: ("barrier", ["NoTrainedModel", "EthicalConcerns", "InsufficientTime", "NoSafePlace", "ShareOnlyWithTrusted",
                    "TrainingDataOwnership", "NotOfInterest", "NoPermission", "NotTheNorm", "LosingAdvantage"]),
}

#: Table 1 categories, the scheme of each, and the concepts its items map to, in the paper's row order.
TABLE1: dict[str, tuple[str, list[str]]] = {
    "People": ("actor-role", ["Scientist", "Researcher", "Academic", "SoftwareDeveloper", "Postdoc",
                              "GraduateStudent", "UndergraduateStudent", "Organization"]),
    "Locations": ("sharing-location", [
        "JournalArticle", "OrganizationWebsite", "PersonalWebsite", "NationalNetwork", "GlobalNetwork",
        "SynthesisCenter", "GitHub", "OpenScienceFramework", "Bitbucket", "Banyan", "SciGit", "Figshare", "Zenodo"]),
    "Reasons for sharing": ("motivation", [
        "IncreaseCitations", "ImproveScientificQuality", "ContributeToCommunity", "CareerBenefits",
        "CommunityFeedback", "PersonalEnjoyment", "Creativity", "Altruism", "PersonalNeeds", "PeerRecognition",
        "HigherQualityCode", "BeingPartOfCommunity", "SolvingProblems", "SharingNorm"]),
    "Reasons for not sharing": ("barrier", [
        "InsufficientTime", "LackOfFunding", "NoPermission", "LegalPolicyRequirements", "RewardsOthers",
        "BadReputationRisk", "EthicalConcerns", "InsufficientLegalRights", "DestroyIntellectualProperty",
        "DestroySoftwareIndustry"]),
}

KIND_SCHEMES = ("sharing-location", "actor-role", "motivation", "barrier")


# -- parsing the seeds ------------------------------------------------------------------------

def seed_text(seeds_dir: Path, number: int) -> str:
    matches = sorted(seeds_dir.glob(f"{number:03d}_*.txt"))
    assert len(matches) == 1, f"expected one seed file {number:03d}_*.txt in {seeds_dir}"
    return matches[0].read_text(encoding="utf-8")


def survey_table(text: str, number: int) -> list[str]:
    """Answer options of Table ``number`` (3-7), in printed order, without their percentages."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(f"**Table {number}."))
    header = next(i for i in range(start + 1, len(lines)) if lines[i].startswith("Answer\t"))
    options = []
    for line in lines[header + 1:]:
        if not line.strip():
            break
        answer, _, share = line.rpartition("\t")
        assert re.fullmatch(r"\d+%", share.strip()), f"Table {number}: unexpected row {line!r}"
        options.append(answer.strip())
    return options


def literature_table(text: str) -> dict[str, list[str]]:
    """Items of Table 1 by category (People, Locations, Reasons for sharing, Reasons for not sharing)."""
    lines = text.splitlines()
    table = next(i for i, line in enumerate(lines) if line.startswith("**Table1."))
    start = next(i for i in range(table, len(lines)) if lines[i].strip() == "CATEGORY")
    end = next(i for i in range(start, len(lines)) if lines[i].startswith("**3. Methodology"))
    items: dict[str, list[str]] = defaultdict(list)
    category = ""
    for line in lines[start + 1:end]:
        if not line.strip():
            continue
        heading = re.match(r"<b>(.*?)</b>\t(.*)", line)
        if heading:
            category, item = heading.group(1), heading.group(2)
        else:
            item = line
        items[category].append(item.strip())
    return dict(items)


# -- fixtures and graph helpers ---------------------------------------------------------------

@pytest.fixture(scope="module")
def vocab() -> Graph:
    return vocabulary_graph()


@pytest.fixture(scope="module")
def sources() -> Graph:
    return read_graph(sources_path())


@pytest.fixture(scope="module")
def dalgali(seeds_dir: Path) -> str:
    return seed_text(seeds_dir, 0)


def scheme_iri(scheme: str) -> URIRef:
    return vocab_iri(scheme)


def concepts_of(graph: Graph, scheme: str) -> set[URIRef]:
    return {c for c in graph.subjects(SKOS.inScheme, scheme_iri(scheme)) if isinstance(c, URIRef)}


def all_concepts(graph: Graph) -> set[URIRef]:
    return {c for c in graph.subjects(RDF.type, SKOS.Concept) if isinstance(c, URIRef)}


def labels(graph: Graph, concept: URIRef, *props: URIRef) -> set[str]:
    return {str(o) for p in props for o in graph.objects(concept, p)}


def with_label(graph: Graph, scheme: str, text: str, *props: URIRef) -> list[URIRef]:
    return sorted(c for c in concepts_of(graph, scheme) if text in labels(graph, c, *props))


def local(iri: URIRef) -> str:
    return str(iri).rsplit("/", 1)[-1]


# -- the seed tables --------------------------------------------------------------------------

@pytest.mark.parametrize("table", sorted(SURVEY_TABLES))
def test_every_survey_answer_is_a_hidden_label_of_exactly_one_concept(vocab: Graph, dalgali: str, table: int) -> None:
    scheme, expected = SURVEY_TABLES[table]
    options = survey_table(dalgali, table)
    assert len(options) == len(expected), f"Table {table} has {len(options)} options: {options}"
    for option, name in zip(options, expected, strict=True):
        found = with_label(vocab, scheme, option, SKOS.hiddenLabel)
        assert found == [vocab_iri(scheme, name)], f"Table {table} answer {option!r} -> {found}"
        assert (found[0], ODLM.reportedForKind, MODEL) in vocab or scheme == "discipline", \
            f"{name} answers a question about models but is not reported for models"


def test_table1_parses_into_four_categories(dalgali: str) -> None:
    items = literature_table(dalgali)
    assert {k: len(v) for k, v in items.items()} == {
        "People": 8, "Locations": 13, "Reasons for sharing": 14, "Reasons for not sharing": 10}


@pytest.mark.parametrize("category", sorted(TABLE1))
def test_every_table1_item_is_a_label_of_its_concept(vocab: Graph, dalgali: str, category: str) -> None:
    scheme, expected = TABLE1[category]
    items = literature_table(dalgali)[category]
    for item, name in zip(items, expected, strict=True):
        found = with_label(vocab, scheme, item, SKOS.prefLabel, SKOS.altLabel)
        assert found == [vocab_iri(scheme, name)], f"Table 1 {category} item {item!r} -> {found}"
        kinds = set(vocab.objects(found[0], ODLM.reportedForKind))
        assert kinds & {vocab_iri("artifact-kind", "Data"), vocab_iri("artifact-kind", "Code")}, \
            f"{name} comes from the data/code literature but is reported for neither"


def test_survey_age_bands_are_the_ones_the_paper_reports(vocab: Graph, dalgali: str) -> None:
    for band, name in (("18-25", "Age18to25"), ("25-32", "Age25to32"), ("32-39", "Age32to39"),
                       ("46-60", "Age46to60"), ("20–39", "Age20to39")):
        assert band in dalgali
        assert band.replace("–", "-") in labels(vocab, vocab_iri("age-band", name), SKOS.hiddenLabel)
    inferred = vocab_iri("age-band", "Age39to46")
    assert "39-46" not in dalgali
    assert any("Inferred" in note for note in labels(vocab, inferred, SKOS.editorialNote))


def test_platform_study_categories_and_platforms(vocab: Graph, seeds_dir: Path) -> None:
    text = seed_text(seeds_dir, 3)
    groups = {
        "MLModelStore": re.search(r"ML model stores \(([^)]*)\)", text),
        "MLPackageRepository": re.search(r"ML package repositories \(([^)]*)\)", text),
    }
    seen = 0
    for category, match in groups.items():
        assert match is not None, f"no list of {category} platforms in the platform study"
        for name in re.split(r",\s*(?:and\s+)?|\s+and\s+", match.group(1)):
            wanted = name.strip().casefold()
            found = [c for c in concepts_of(vocab, "sharing-location")
                     if wanted in {s.casefold() for s in labels(vocab, c, SKOS.prefLabel, SKOS.altLabel, SKOS.hiddenLabel)}]
            assert len(found) == 1, f"platform {name!r}: {found}"
            assert set(vocab.objects(found[0], ODLM.locationCategory)) == {vocab_iri("location-category", category)}
            assert (found[0], ODLM.reportedForKind, MODEL) in vocab
            seen += 1
    assert seen == 5
    for category in groups:
        assert (vocab_iri("location-category", category), SKOS.broader,
                vocab_iri("location-category", "MLModelPlatform")) in vocab


def test_open_sourcing_platforms_carry_their_primary_use(vocab: Graph, seeds_dir: Path) -> None:
    text = seed_text(seeds_dir, 4)
    rows = re.findall(r"^([^|\n]+?) \| ([^|\n]+?) \| [^\n]*\|$", text, flags=re.MULTILINE)
    rows = [(name, use) for name, use in rows if name != "Platform"]
    assert [name for name, _ in rows] == ["GitHub", "Hugging Face Hub", "Kaggle", "Zenodo"]
    for name, use in rows:
        found = with_label(vocab, "sharing-location", name, SKOS.prefLabel)
        assert len(found) == 1, name
        notes = labels(vocab, found[0], SKOS.scopeNote, SKOS.definition)
        assert any(use in note for note in notes), f"{name}: primary use {use!r} not recorded"
        assert (found[0], DCTERMS.source, SEED_WORKS[4]) in vocab


def test_reuse_study_patterns_stage_and_field(vocab: Graph, seeds_dir: Path) -> None:
    text = seed_text(seeds_dir, 1)
    assert "conceptual, adaptation, and deployment reuse" in text
    for name in ("Conceptual", "Adaptation", "Deployment"):
        concept = vocab_iri("reuse-pattern", name)
        assert (concept, SKOS.topConceptOf, scheme_iri("reuse-pattern")) in vocab
        assert labels(vocab, concept, SKOS.prefLabel) == {f"{name.lower()} reuse"}
        assert (concept, DCTERMS.source, SEED_WORKS[1]) in vocab
    for name in ("FineTune", "Adapter", "Merge", "Distillation"):
        assert (vocab_iri("reuse-pattern", name), SKOS.broader, vocab_iri("reuse-pattern", "Adaptation")) in vocab
    # quantisation keeps the model's task and makes it run elsewhere: deployment reuse, not adaptation
    assert (vocab_iri("reuse-pattern", "Quantisation"), SKOS.broader, vocab_iri("reuse-pattern", "Deployment")) in vocab
    assert (vocab_iri("reuse-pattern", "Quantisation"), SKOS.broader, vocab_iri("reuse-pattern", "Adaptation")) not in vocab
    assert "'Test' stage" in text
    assert (vocab_iri("process-stage", "Test"), DCTERMS.source, SEED_WORKS[1]) in vocab
    field = re.search(r"^(.*) lead in PTM reuse\.$", text, flags=re.MULTILINE)
    assert field is not None
    assert with_label(vocab, "discipline", field.group(1), SKOS.hiddenLabel) == [
        vocab_iri("discipline", "BiochemistryGeneticsMolecularBiology")]
    for stage in concepts_of(vocab, "process-stage") - {vocab_iri("process-stage", "Test")}:
        assert labels(vocab, stage, SKOS.editorialNote), f"{local(stage)} is inferred but does not say so"


def test_release_essay_strategies_risks_and_benefits(vocab: Graph) -> None:
    for scheme in ("release-strategy", "release-risk", "release-benefit"):
        concepts = concepts_of(vocab, scheme)
        assert concepts
        from_essay = {c for c in concepts if (c, DCTERMS.source, SEED_WORKS[2]) in vocab}
        assert from_essay, scheme
        assert all(labels(vocab, c, SKOS.editorialNote) for c in concepts - from_essay), scheme
    assert (vocab_iri("release-strategy", "ApiOnlyAccess"), SKOS.broader,
            vocab_iri("release-strategy", "ControlledAccess")) in vocab


# -- artifact kinds ---------------------------------------------------------------------------

@pytest.mark.parametrize("scheme", KIND_SCHEMES)
def test_locations_roles_motivations_barriers_say_which_kinds(vocab: Graph, scheme: str) -> None:
    # odlm:reportedForKind records what the literature reports, so a concept taken from a seed has it
    # and one added for the loaders (no seed source: GitLab, Papers with Code…) must not claim it.
    for concept in concepts_of(vocab, scheme):
        kinds = set(vocab.objects(concept, ODLM.reportedForKind))
        from_seed = any(source in SEED_WORKS.values() for source in vocab.objects(concept, DCTERMS.source))
        if from_seed:
            assert kinds, f"{local(concept)} has no odlm:reportedForKind"
        else:
            assert not kinds, f"{local(concept)} has no seed source but claims odlm:reportedForKind"
        assert kinds <= KINDS, f"{local(concept)}: {kinds - KINDS}"


def test_increase_citations_is_common_to_data_and_models(vocab: Graph) -> None:
    kinds = set(vocab.objects(vocab_iri("motivation", "IncreaseCitations"), ODLM.reportedForKind))
    assert {vocab_iri("artifact-kind", "Data"), MODEL} <= kinds


def test_reasons_common_to_data_and_models_are_found_by_one_query(vocab: Graph) -> None:
    query = """
        SELECT ?reason WHERE {
          ?reason a odlm:Motivation ;
                  odlm:reportedForKind <https://w3id.org/odlm/vocab/artifact-kind/Data> ,
                                       <https://w3id.org/odlm/vocab/artifact-kind/Model> .
        }"""
    found = {local(row[0]) for row in vocab.query(query, initNs={"odlm": ODLM})}  # type: ignore[index]
    # citations and norms (Table 1 and Table 6), contributing to the community (section 5 says it moves
    # data, code and model sharers), reputation (the open-sourcing module for data, Table 6 for models)
    assert found == {"IncreaseCitations", "SharingNorm", "ContributeToCommunity", "GoodReputation"}


# -- completeness and SKOS hygiene ------------------------------------------------------------

@pytest.mark.parametrize("scheme", sorted(FIXED_NAMES))
def test_fixed_concept_names_exist(vocab: Graph, scheme: str) -> None:
    for name in FIXED_NAMES[scheme]:
        concept = vocab_iri(scheme, name)
        assert (concept, SKOS.inScheme, scheme_iri(scheme)) in vocab, f"{scheme}/{name} missing"
        assert (concept, RDF.type, SCHEME_CLASS[scheme]) in vocab, f"{scheme}/{name} is not odlm:{SCHEME_CLASS[scheme]}"


def test_one_file_per_scheme_with_its_header() -> None:
    paths = vocabulary_paths()
    assert {p.stem for p in paths} == set(SCHEME_CLASS)
    for path in paths:
        graph = read_graph(path)
        schemes = set(graph.subjects(RDF.type, SKOS.ConceptScheme))
        assert schemes == {scheme_iri(path.stem)}, path.name
        scheme = scheme_iri(path.stem)
        for prop in (DCTERMS.title, SKOS.prefLabel, DCTERMS.description):
            assert any(isinstance(o, Literal) and o.language == "en" for o in graph.objects(scheme, prop)), \
                f"{path.name}: scheme lacks {prop}"
        assert (scheme, OWL.versionInfo, Literal("0.1.0")) in graph
        assert (scheme, RDFS.isDefinedBy, URIRef("https://w3id.org/odlm")) in graph
        assert set(graph.subjects(SKOS.inScheme, None)) == all_concepts(graph), path.name


def test_every_concept_is_complete(vocab: Graph) -> None:
    problems = []
    seeds = set(SEED_WORKS.values())
    for concept in sorted(all_concepts(vocab)):
        name = str(concept).removeprefix(str(VOCAB))
        schemes = list(vocab.objects(concept, SKOS.inScheme))
        if len(schemes) != 1:
            problems.append(f"{name}: in {len(schemes)} schemes")
            continue
        scheme_name = str(schemes[0]).removeprefix(str(VOCAB))
        if not str(concept).startswith(f"{schemes[0]}/"):
            problems.append(f"{name}: IRI not under its scheme")
        if (concept, RDF.type, SCHEME_CLASS[scheme_name]) not in vocab:
            problems.append(f"{name}: not typed {SCHEME_CLASS[scheme_name]}")
        prefs = [o for o in vocab.objects(concept, SKOS.prefLabel) if isinstance(o, Literal) and o.language == "en"]
        if len(prefs) != 1:
            problems.append(f"{name}: {len(prefs)} English preferred labels")
        if not any(isinstance(o, Literal) and o.language == "en" for o in vocab.objects(concept, SKOS.definition)):
            problems.append(f"{name}: no English definition")
        if (concept, RDFS.isDefinedBy, URIRef("https://w3id.org/odlm")) not in vocab:
            problems.append(f"{name}: no rdfs:isDefinedBy")
        cited = set(vocab.objects(concept, DCTERMS.source))
        if not cited and not labels(vocab, concept, SKOS.editorialNote, SKOS.note):
            # a concept no source states cites none, and says so (issue #15: no made-up citations)
            problems.append(f"{name}: no dcterms:source and no note saying no source states it")
        elif cited and not cited & seeds and not labels(vocab, concept, SKOS.editorialNote):
            problems.append(f"{name}: cites no seed and has no editorial note saying why")
        top = (concept, SKOS.topConceptOf, schemes[0]) in vocab
        broader = list(vocab.objects(concept, SKOS.broader))
        if top == bool(broader):
            problems.append(f"{name}: must be either a top concept or have a broader concept")
        if top != ((schemes[0], SKOS.hasTopConcept, concept) in vocab):
            problems.append(f"{name}: skos:topConceptOf and skos:hasTopConcept disagree")
        for parent in broader:
            if (parent, SKOS.inScheme, schemes[0]) not in vocab:
                problems.append(f"{name}: broader {parent} is outside the scheme")
        # SKOS S13: preferred, alternative and hidden labels are pairwise disjoint.
        pref, alt, hidden = (set(vocab.objects(concept, p)) for p in (SKOS.prefLabel, SKOS.altLabel, SKOS.hiddenLabel))
        if pref & alt or pref & hidden or alt & hidden:
            problems.append(f"{name}: a literal is used as two kinds of label")
    assert not problems, "\n".join(problems)


def test_no_cycles_of_broader(vocab: Graph) -> None:
    for concept in all_concepts(vocab):
        seen: set[URIRef] = set()
        frontier = {concept}
        while frontier:
            step = {b for c in frontier for b in vocab.objects(c, SKOS.broader) if isinstance(b, URIRef)}
            assert concept not in step, f"{local(concept)} is its own ancestor"
            frontier = step - seen
            seen |= step


@pytest.mark.parametrize("scheme", sorted(SCHEME_CLASS))
def test_labels_identify_one_concept_within_a_scheme(vocab: Graph, scheme: str) -> None:
    owner: dict[str, URIRef] = {}
    for concept in sorted(concepts_of(vocab, scheme)):
        for text in {t.casefold() for t in labels(vocab, concept, SKOS.prefLabel, SKOS.altLabel, SKOS.hiddenLabel)}:
            assert owner.setdefault(text, concept) == concept, \
                f"{scheme}: label {text!r} on {local(owner[text])} and {local(concept)}"


def test_sharing_locations_have_one_category_and_public_ones_are_typed(vocab: Graph) -> None:
    categories = concepts_of(vocab, "location-category")
    for location in concepts_of(vocab, "sharing-location"):
        found = set(vocab.objects(location, ODLM.locationCategory))
        assert len(found) == 1 and found <= categories, f"{local(location)}: {found}"
    public = {local(c) for c in vocab.subjects(RDF.type, ODLM.PublicSharingLocation)}
    assert {"GitHub", "HuggingFaceHub", "Zenodo", "Kaggle", "PyTorchHub", "TensorFlowHub"} <= public
    assert not {"JournalArticle", "NationalNetwork", "GlobalNetwork", "SynthesisCenter"} & public


def test_licence_openness_classes_are_defined(vocab: Graph) -> None:
    for name in FIXED_NAMES["licence-openness"]:
        definition = labels(vocab, vocab_iri("licence-openness", name), SKOS.definition)
        assert definition and all(len(d) > 60 for d in definition), name
    restricted = vocab_iri("licence-openness", "OpenWithUseRestrictions")
    examples = " ".join(labels(vocab, restricted, SKOS.example))
    assert "RAIL" in examples and "Llama" in examples


def test_vocabularies_use_only_terms_the_core_defines(vocab: Graph) -> None:
    core = core_graph()
    used = {t for triple in vocab for t in triple if isinstance(t, URIRef) and str(t).startswith(str(ODLM))}
    undefined = {t for t in used if (t, RDF.type, None) not in core}
    assert not undefined, f"odlm: terms not defined in the core: {sorted(undefined)}"


# -- the bibliography -------------------------------------------------------------------------

def is_work(sources: Graph, work: URIRef) -> bool:
    """Typed odlm:Paper (a scholarly article) or odlm:Work (any other cited work)."""
    return bool({ODLM.Paper, ODLM.Work} & set(sources.objects(work, RDF.type)))


# Works that are not scholarly articles are odlm:Work, not odlm:Paper, so that the alignments
# (Paper ⊑ schema:ScholarlyArticle, fabio:ScholarlyWork) do not make them articles.
NOT_ARTICLES = {"chen-2022-open-ptm", "ml-model-platforms-study", "open-sourcing-code-datasets", "lakhani-2005",
                "leveque-2016", "wheeler-2015"}


def test_essays_theses_and_web_modules_are_not_papers(sources: Graph) -> None:
    for slug in NOT_ARTICLES:
        work = URIRef(f"{WORK}{slug}")
        assert set(sources.objects(work, RDF.type)) == {ODLM.Work}, slug
    assert (URIRef(f"{WORK}dalgali-crowston-2019"), RDF.type, ODLM.Paper) in sources


@pytest.mark.parametrize("number", sorted(SEED_WORKS))
def test_seed_works_are_recorded_with_their_exact_titles(sources: Graph, seeds_dir: Path, number: int) -> None:
    work = SEED_WORKS[number]
    text = seed_text(seeds_dir, number)
    assert is_work(sources, work)
    titles = labels(sources, work, DCTERMS.title)
    assert len(titles) == 1 and next(iter(titles)) in text, f"{work}: {titles}"
    assert labels(sources, work, RDFS.label)
    for creator in labels(sources, work, DCTERMS.creator):
        assert creator in text, f"{work}: creator {creator!r} not in the seed"


def test_dalgali_crowston_and_chen_carry_year_and_venue(sources: Graph) -> None:
    dalgali = SEED_WORKS[0]
    assert labels(sources, dalgali, DCTERMS.issued) == {"2019"}
    assert any("HICSS 2019" in v for v in labels(sources, dalgali, DCTERMS.isPartOf))
    assert labels(sources, dalgali, DCTERMS.creator) == {"Ayse Dalgali", "Kevin Crowston"}
    assert labels(sources, SEED_WORKS[2], DCTERMS.issued) == {"2022"}


def test_table1_references_are_recorded(sources: Graph, dalgali: str) -> None:
    references = dict(re.findall(r"^- \[(\d+)\] (.*)$", dalgali, flags=re.MULTILINE))
    for number, slug in TABLE1_REFERENCES.items():
        work = URIRef(f"{WORK}{slug}")
        assert is_work(sources, work), slug
        titles = labels(sources, work, DCTERMS.title)
        assert len(titles) == 1 and next(iter(titles)) in references[str(number)], f"[{number}] {slug}: {titles}"
        year = labels(sources, work, DCTERMS.issued)
        assert year and next(iter(year)) in references[str(number)], slug
    assert labels(sources, URIRef(f"{WORK}tenopir-2011"), ODLM.doi) == {"10.1371/journal.pone.0021101"}


def test_every_cited_work_is_recorded(vocab: Graph, sources: Graph) -> None:
    cited = {o for p in (DCTERMS.source, RDFS.seeAlso) for o in vocab.objects(None, p) if str(o).startswith(WORK)}
    missing = {w for w in cited if not is_work(sources, w)}
    assert not missing, sorted(missing)


# -- odlm:reportedForKind agrees with the findings' claims ------------------------------------

#: Schemes whose concepts say for which artifact kinds the literature reports them. For these,
#: odlm:reportedForKind is exactly the set of (concept, kind) pairs that some finding claims.
REPORTED_SCHEMES = ("sharing-location", "actor-role", "motivation", "barrier", "discipline", "age-band")


def test_reported_for_kind_is_backed_by_a_claim_and_every_claim_by_it(vocab: Graph) -> None:
    from odlm_kg.evidence.findings import findings_graph

    findings = findings_graph()
    recommends = vocab_iri("claim-direction", "Recommends")  # a recommendation is not a report
    claimed = {(factor, kind) for claim in findings.subjects(RDF.type, ODLM.Claim)
               if (claim, ODLM.direction, recommends) not in findings
               for factor in findings.objects(claim, ODLM.factor)
               for kind in findings.objects(claim, ODLM.artifactKind)}
    in_schemes = {c for scheme in REPORTED_SCHEMES for c in concepts_of(vocab, scheme)}
    reported = {(c, k) for c, k in vocab.subject_objects(ODLM.reportedForKind) if c in in_schemes}
    claimed = {(c, k) for c, k in claimed if c in in_schemes}

    def show(pairs: set[tuple[URIRef, URIRef]]) -> list[str]:
        return sorted(f"{local(c)} for {local(k)}" for c, k in pairs)

    assert not reported - claimed, f"reportedForKind without a finding's claim: {show(reported - claimed)}"
    assert not claimed - reported, f"claims missing from reportedForKind: {show(claimed - reported)}"


def test_the_paper_relates_these_concepts(vocab: Graph) -> None:
    """skos:related where Dalgali & Crowston relate two concepts (stated both ways)."""
    pairs = [(("barrier", "LosingAdvantage"), ("barrier", "RewardsOthers")),
             (("barrier", "ShareOnlyWithTrusted"), ("release-strategy", "ControlledAccess")),
             (("barrier", "EthicalConcerns"), ("release-risk", "MaliciousUse")),
             (("barrier", "NotTheNorm"), ("motivation", "SharingNorm"))]
    for one, other in pairs:
        assert (vocab_iri(*one), SKOS.related, vocab_iri(*other)) in vocab, (one, other)
        assert (vocab_iri(*other), SKOS.related, vocab_iri(*one)) in vocab, (other, one)


def test_no_seed_is_cited_for_what_it_does_not_state(vocab: Graph) -> None:
    core = core_graph()
    platforms = URIRef(f"{WORK}ml-model-platforms-study")
    for term in (ODLM.Metric, ODLM.MetricObservation, ODLM.entryPoint):
        assert (term, DCTERMS.source, platforms) not in core, term
    assert (ODLM.describedBy, DCTERMS.source, URIRef(f"{WORK}synovic-ptm-reuse")) not in core
    assert (vocab_iri("metric"), DCTERMS.source, platforms) not in vocab
    for name in ("OpenWithUseRestrictions", "Proprietary"):
        assert not set(vocab.objects(vocab_iri("licence-openness", name), DCTERMS.source)), name
    for stage in concepts_of(vocab, "process-stage") - {vocab_iri("process-stage", "Test")}:
        assert not set(vocab.objects(stage, DCTERMS.source)), stage
    store = vocab_iri("location-category", "MLModelStore")
    assert not any("fee" in text for text in labels(vocab, store, SKOS.definition))
