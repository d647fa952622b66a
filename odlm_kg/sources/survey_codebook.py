"""Survey codebooks: what each column of a Qualtrics export means, as YAML (documented in docs/survey.md).

A codebook names the survey (identity, source work, population), the columns that carry personal data
and must be dropped, the columns to ignore, and the questions. Each answer option of a question maps to
a concept IRI of the ODLM vocabularies (or of a small scheme the codebook declares itself) and to the
graph property it feeds. Loading a codebook checks every concept against the vocabularies, so a typo
stops before any response is read.

>>> from odlm_kg.resources import resource_dir
>>> book = load_codebook(resource_dir("data") / "survey" / "dalgali-crowston-codebook.yaml")
>>> book.survey_id, book.graph_name
('dalgali-crowston', 'survey-dalgali-crowston')
>>> book.question("Q2").options["1"].concept
rdflib.term.URIRef('https://w3id.org/odlm/vocab/artifact-kind/Model')
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from rdflib import Graph, URIRef
from rdflib.namespace import RDF, RDFS, SKOS

from odlm_kg.errors import InputError
from odlm_kg.namespaces import ID, ODLM, PREFIXES, VOCAB, instance_iri, vocab_iri

FORMAT = "odlm-survey-codebook/1"
QUESTION_TYPES = ("single", "multi", "text", "matrix")

#: Graph properties an answer option may feed, the node that carries them, and the class its concept
#: must have. ``selectedOption`` is the generic one for surveys whose answers fit no ODLM property.
PROPERTIES: dict[str, tuple[str, URIRef | None]] = {
    "reportsLocation": ("response", ODLM.SharingLocation),
    "reportsMotivation": ("response", ODLM.Motivation),
    "reportsBarrier": ("response", ODLM.Barrier),
    "sharesKind": ("response", ODLM.ArtifactKind),
    "doesNotShareKind": ("response", ODLM.ArtifactKind),
    "selectedOption": ("response", None),
    "role": ("respondent", ODLM.ActorRole),
    "discipline": ("respondent", ODLM.Discipline),
    "ageBand": ("respondent", ODLM.AgeBand),
}

#: Columns that identify people; never read into the graph whatever the codebook says (DESIGN §4).
PII_COLUMNS: frozenset[str] = frozenset({
    "IPAddress", "RecipientEmail", "RecipientFirstName", "RecipientLastName", "EmailAddress", "Name",
    "LocationLatitude", "LocationLongitude", "LocationAccuracy", "ExternalReference", "ExternalDataReference",
})
#: Qualtrics' own metadata columns, read for status, completion, dates and the response id only.
METADATA_COLUMNS: frozenset[str] = frozenset({
    "StartDate", "EndDate", "Status", "Progress", "Duration (in seconds)", "Finished", "RecordedDate",
    "ResponseId", "ResponseID", "ResponseSet", "DistributionChannel", "UserLanguage", "Q_RecaptchaScore",
    "Q_RelevantIDDuplicate", "Q_RelevantIDDuplicateScore", "Q_RelevantIDFraudScore", "Q_RelevantIDLastStartDate",
})


@dataclass(frozen=True)
class Option:
    """One answer option: its code in the export, its wording, and the concept and property it feeds.

    ``concept`` None means a known answer that asserts nothing (such as "prefer not to say");
    ``text_column`` is the column holding the "other, please specify" text of this option.
    """

    code: str
    label: str
    concept: URIRef | None
    property: str
    aliases: tuple[str, ...] = ()
    text_column: str | None = None
    row_concepts: dict[str, URIRef] | None = None

    def matches(self, value: str) -> bool:
        return value == self.code or value == self.label or value in self.aliases

    def concept_for(self, row: str | None = None) -> URIRef | None:
        """The concept this option feeds; for a matrix row, the concept of that row when it has its own."""
        if self.row_concepts is not None and row is not None:
            return self.row_concepts[row]
        return self.concept


@dataclass(frozen=True)
class Question:
    """A question: where its answers are (one column, or ``prefix_k`` columns), its type and its options.

    For ``multi`` with ``prefix``, column ``<prefix>_<code>`` holds 1 when option ``code`` is chosen;
    with ``column``, the cell holds the chosen options' texts joined by commas. For ``matrix``, each row
    is a column ``<prefix>_<row>`` answered with one option, whose concept may contain ``{row}``.
    """

    id: str
    text: str
    type: str
    column: str | None = None
    prefix: str | None = None
    import_id: str | None = None
    options: dict[str, Option] = field(default_factory=dict)
    rows: dict[str, str] = field(default_factory=dict)
    text_columns: tuple[str, ...] = ()
    published: dict[str, Any] | None = None

    def columns(self) -> list[str]:
        """The export columns this question owns (answer columns and its text columns)."""
        if self.type == "multi" and self.prefix:
            found = [f"{self.prefix}_{code}" for code in self.options]
        elif self.type == "matrix":
            found = [f"{self.prefix}_{row}" for row in self.rows]
        else:
            found = [self.column] if self.column else []
        found += [o.text_column for o in self.options.values() if o.text_column]
        return found + list(self.text_columns)

    def find_option(self, value: str) -> Option | None:
        for option in self.options.values():
            if option.matches(value):
                return option
        return None


@dataclass(frozen=True)
class DeclaredConcept:
    """A concept of a scheme the codebook declares (for answers no shared vocabulary covers)."""

    iri: URIRef
    scheme: URIRef
    label: str
    classes: tuple[URIRef, ...]


@dataclass
class Codebook:
    """A parsed, checked codebook."""

    path: Path
    survey_id: str
    title: str
    graph_name: str
    source_work: URIRef | None
    population: str | None
    description: str | None
    synthetic: bool
    questions: list[Question]
    pii_columns: frozenset[str]
    ignore_columns: frozenset[str]
    missing_codes: frozenset[str]
    preview_status: frozenset[str]
    schemes: dict[URIRef, str]
    declared: dict[URIRef, DeclaredConcept]

    def question(self, question_id: str) -> Question:
        for question in self.questions:
            if question.id == question_id:
                return question
        raise KeyError(question_id)

    def column_owner(self) -> dict[str, Question]:
        """Export column name -> the question that owns it."""
        owners: dict[str, Question] = {}
        for question in self.questions:
            for column in question.columns():
                owners[column] = question
        return owners


def resolve_concept(reference: str) -> URIRef:
    """A concept reference as an IRI: a full IRI, ``scheme/Concept``, or ``prefix:local``.

    >>> resolve_concept("motivation/IncreaseCitations")
    rdflib.term.URIRef('https://w3id.org/odlm/vocab/motivation/IncreaseCitations')
    >>> resolve_concept("odlm:Survey")
    rdflib.term.URIRef('https://w3id.org/odlm#Survey')
    """
    reference = reference.strip()
    if reference.startswith(("http://", "https://")):
        return URIRef(reference)
    prefix, colon, local = reference.partition(":")
    if colon and prefix in PREFIXES and "/" not in prefix:
        return URIRef(PREFIXES[prefix] + local)
    if prefix == "work" and colon:
        return URIRef(f"{ID}work/{local}")
    scheme, slash, concept = reference.partition("/")
    if not slash or not scheme or not concept:
        raise ValueError(f"{reference!r} is not an IRI, a scheme/Concept pair or a prefixed name")
    return vocab_iri(scheme, concept)


def codebook_concept_iri(scheme: str, concept: str | None = None) -> URIRef:
    """IRI of a scheme a codebook declares, or of one of its concepts. They are data of one
    questionnaire, not shared vocabulary, so they live under ``id/codebook/``, not ``vocab/``.

    >>> codebook_concept_iri("dalgali-crowston", "OtherSite")
    rdflib.term.URIRef('https://w3id.org/odlm/id/codebook/dalgali-crowston/OtherSite')
    """
    return instance_iri("codebook", scheme if concept is None else f"{scheme}/{concept}")


class _Reader:
    """Turns the YAML mapping into a Codebook, naming file and place in every complaint."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.declared_schemes: set[str] = set()

    def fail(self, where: str, message: str) -> InputError:
        return InputError(f"{self.path}: {where}: {message}")

    def text(self, mapping: dict[str, Any], key: str, where: str, required: bool = True) -> str | None:
        value = mapping.get(key)
        if value is None:
            if required:
                raise self.fail(where, f"missing {key!r} (expected a string)")
            return None
        if not isinstance(value, (str, int, float)) or isinstance(value, bool):
            raise self.fail(where, f"{key!r} must be a string, found {type(value).__name__}")
        return str(value)

    def concept(self, reference: Any, where: str) -> URIRef:
        if not isinstance(reference, str):
            raise self.fail(where, f"concept must be a string (an IRI or scheme/Concept), found {reference!r}")
        scheme, slash, local = reference.strip().partition("/")
        if slash and scheme in self.declared_schemes:
            return codebook_concept_iri(scheme, local)
        try:
            return resolve_concept(reference)
        except ValueError as exc:
            raise self.fail(where, str(exc)) from None


def _load_yaml(path: Path, extended_by: tuple[Path, ...] = ()) -> dict[str, Any]:
    if path.resolve() in extended_by:
        chain = " -> ".join(str(p) for p in (*extended_by, path.resolve()))
        raise InputError(f"{extended_by[-1]}: 'extends' loops back to a codebook already read: {chain}")
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(f"{path}: cannot read the codebook: {exc.strerror or exc}") from exc
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark is not None else str(path)
        raise InputError(f"{where}: invalid YAML in the codebook: {getattr(exc, 'problem', exc)}") from exc
    if not isinstance(data, dict):
        raise InputError(f"{path}: a codebook is a YAML mapping with 'survey' and 'questions'")
    base_name = data.pop("extends", None)
    if base_name is not None:
        base = _load_yaml((path.parent / str(base_name)).resolve(), (*extended_by, path.resolve()))
        survey = {**base.get("survey", {}), **data.get("survey", {})}
        merged = {**base, **data}
        merged["survey"] = survey
        for key in ("questions", "schemes"):
            if key not in data and key in base:
                merged[key] = base[key]
        return merged
    return data


def load_codebook(path: Path | str, vocabulary: Graph | None = None) -> Codebook:
    """Read and check a codebook. Every concept must exist in ``vocabulary`` (default: the shipped
    vocabularies) or among the codebook's declared concepts, with the class its property expects;
    otherwise InputError names the file, question, option and what was expected."""
    path = Path(path)
    data = _load_yaml(path)
    reader = _Reader(path)
    if data.get("format", FORMAT) != FORMAT:
        raise reader.fail("format", f"unknown codebook format {data.get('format')!r} (expected {FORMAT})")
    survey = data.get("survey")
    if not isinstance(survey, dict):
        raise reader.fail("survey", "missing the 'survey' mapping (id, title, source_work, population)")
    survey_id = reader.text(survey, "id", "survey")
    assert survey_id is not None
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", survey_id):
        raise reader.fail("survey.id", f"{survey_id!r}: expected lower-case letters, digits and '-'")
    title = reader.text(survey, "title", "survey")
    source_ref = reader.text(survey, "source_work", "survey", required=False)
    source_work = reader.concept(source_ref, "survey.source_work") if source_ref else None

    schemes: dict[URIRef, str] = {}
    declared: dict[URIRef, DeclaredConcept] = {}
    for number, scheme in enumerate(data.get("schemes") or [], start=1):
        where = f"schemes[{number}]"
        if not isinstance(scheme, dict):
            raise reader.fail(where, "expected a mapping with id, label and concepts")
        scheme_id = reader.text(scheme, "id", where)
        assert scheme_id is not None
        scheme_iri = codebook_concept_iri(scheme_id)
        reader.declared_schemes.add(scheme_id)
        schemes[scheme_iri] = reader.text(scheme, "label", where) or scheme_id
        for concept in scheme.get("concepts") or []:
            if not isinstance(concept, dict):
                raise reader.fail(where, f"concept {concept!r}: expected a mapping with id and label")
            local = reader.text(concept, "id", where)
            assert local is not None
            classes = tuple(reader.concept(c, f"{where}.{local}.class") for c in concept.get("class", []) or [])
            iri = codebook_concept_iri(scheme_id, local)
            declared[iri] = DeclaredConcept(iri, scheme_iri, reader.text(concept, "label", f"{where}.{local}")
                                            or local, classes)

    vocabulary = vocabulary if vocabulary is not None else _vocabulary()
    questions: list[Question] = []
    seen_columns: dict[str, str] = {}
    raw_questions = data.get("questions")
    if not isinstance(raw_questions, list) or not raw_questions:
        raise reader.fail("questions", "expected a non-empty list of questions")
    for number, raw in enumerate(raw_questions, start=1):
        question = _question(reader, raw, number, vocabulary, declared)
        for column in question.columns():
            if column in seen_columns:
                raise reader.fail(f"question {question.id}", f"column {column!r} is already used by question "
                                                            f"{seen_columns[column]}")
            seen_columns[column] = question.id
        questions.append(question)

    def names(key: str) -> frozenset[str]:
        value = data.get(key) or []
        if not isinstance(value, list):
            raise reader.fail(key, "expected a list of column names")
        return frozenset(str(v) for v in value)

    preview = data.get("preview_status", ["1", "9", "17", "Survey Preview", "Preview Spam", "Offline Preview"])
    return Codebook(
        path=path, survey_id=survey_id, title=title or survey_id,
        graph_name=str(survey.get("graph") or f"survey-{survey_id}"),
        source_work=source_work, population=reader.text(survey, "population", "survey", required=False),
        description=reader.text(survey, "description", "survey", required=False),
        synthetic=bool(survey.get("synthetic", False)), questions=questions,
        pii_columns=PII_COLUMNS | names("pii_columns"), ignore_columns=names("ignore_columns"),
        missing_codes=frozenset(str(v) for v in data.get("missing_codes", ["-99"])),
        preview_status=frozenset(str(v) for v in preview), schemes=schemes, declared=declared)


def _question(reader: _Reader, raw: Any, number: int, vocabulary: Graph,
              declared: dict[URIRef, DeclaredConcept]) -> Question:
    if not isinstance(raw, dict):
        raise reader.fail(f"questions[{number}]", "expected a mapping with id, text, type and options")
    qid = reader.text(raw, "id", f"questions[{number}]")
    where = f"question {qid}"
    kind = reader.text(raw, "type", where)
    if kind not in QUESTION_TYPES:
        raise reader.fail(where, f"type {kind!r}: expected one of {', '.join(QUESTION_TYPES)}")
    column = reader.text(raw, "column", where, required=False)
    prefix = reader.text(raw, "prefix", where, required=False)
    if kind == "matrix" and not prefix:
        raise reader.fail(where, "a matrix question needs 'prefix' (its row columns are prefix_row)")
    if kind != "matrix" and not (column or (kind == "multi" and prefix) or (kind == "text" and raw.get("text_columns"))):
        raise reader.fail(where, "needs 'column' (or, for a split multi-select, 'prefix')")
    default_property = str(raw.get("property", "selectedOption")).removeprefix("odlm:")
    rows = {str(k): str(v) for k, v in (raw.get("rows") or {}).items()}
    options: dict[str, Option] = {}
    raw_options = raw.get("options") or {}
    if kind != "text" and not raw_options:
        raise reader.fail(where, "expected 'options' (answer code -> label and concept)")
    if not isinstance(raw_options, dict):
        raise reader.fail(where, "'options' must be a mapping from answer code to option")
    for code, spec in raw_options.items():
        code = str(code)
        owhere = f"{where}: option {code}"
        if isinstance(spec, str):
            spec = {"label": spec}
        if not isinstance(spec, dict):
            raise reader.fail(owhere, "expected a mapping with label, concept, property")
        prop = str(spec.get("property", default_property)).removeprefix("odlm:")
        if prop not in PROPERTIES:
            raise reader.fail(owhere, f"property {prop!r}: expected one of "
                                      f"{', '.join('odlm:' + p for p in PROPERTIES)}")
        reference = spec.get("concept")
        concept: URIRef | None = None
        row_concepts: dict[str, URIRef] | None = None
        if isinstance(reference, str) and "{row}" in reference:
            if not rows:
                raise reader.fail(owhere, "a concept with {row} needs the question's 'rows'")
            row_concepts = {row: reader.concept(reference.replace("{row}", row), owhere) for row in rows}
            for iri in row_concepts.values():
                _check_concept(reader, owhere, iri, prop, vocabulary, declared)
        elif reference is not None:
            concept = reader.concept(reference, owhere)
            _check_concept(reader, owhere, concept, prop, vocabulary, declared)
        aliases = spec.get("aliases") or []
        options[code] = Option(code=code, label=str(spec.get("label", code)), concept=concept, property=prop,
                               aliases=tuple(str(a) for a in aliases), text_column=spec.get("text_column"),
                               row_concepts=row_concepts)
    published = raw.get("published")
    return Question(id=str(qid), text=str(raw.get("text", "")), type=kind, column=column, prefix=prefix,
                    import_id=reader.text(raw, "import_id", where, required=False), options=options, rows=rows,
                    text_columns=tuple(str(c) for c in raw.get("text_columns") or []),
                    published=published if isinstance(published, dict) else None)


def _check_concept(reader: _Reader, where: str, iri: URIRef, prop: str, vocabulary: Graph,
                   declared: dict[URIRef, DeclaredConcept]) -> None:
    expected = PROPERTIES[prop][1]
    if iri in declared:
        classes = set(declared[iri].classes)
        known = True
    else:
        classes = set(vocabulary.objects(iri, RDF.type))
        known = bool(classes) or (iri, SKOS.inScheme, None) in vocabulary
    wanted = f"a concept of class odlm:{expected.split('#')[-1]}" if expected else "a concept"
    if not known:
        raise reader.fail(where, f"concept <{iri}> is not in the vocabularies (ontology/vocab/*.ttl) nor "
                                 f"declared under 'schemes' of this codebook; expected {wanted} for odlm:{prop}")
    if expected is not None and not _has_class(classes, expected, vocabulary):
        found = ", ".join(sorted(c.n3() for c in classes)) or "no class"
        raise reader.fail(where, f"concept <{iri}> has {found}; expected {wanted} for odlm:{prop}")


def _has_class(classes: Iterable[URIRef], expected: URIRef, vocabulary: Graph) -> bool:
    return any(cls == expected or (cls, RDFS.subClassOf, expected) in vocabulary for cls in classes)


_VOCABULARY: Graph | None = None


def _vocabulary() -> Graph:
    global _VOCABULARY
    if _VOCABULARY is None:
        from odlm_kg.ontology import core_graph, vocabulary_graph

        graph = vocabulary_graph()
        for triple in core_graph().triples((None, RDFS.subClassOf, None)):
            graph.add(triple)
        _VOCABULARY = graph
    return _VOCABULARY


def declared_concept_triples(book: Codebook) -> list[tuple[URIRef, URIRef, Any]]:
    """The codebook's own schemes and concepts as SKOS triples (written beside the responses)."""
    from rdflib import Literal

    triples: list[tuple[URIRef, URIRef, Any]] = []
    for scheme, label in book.schemes.items():
        triples += [(scheme, RDF.type, SKOS.ConceptScheme), (scheme, SKOS.prefLabel, Literal(label, lang="en"))]
    for concept in book.declared.values():
        triples += [(concept.iri, RDF.type, SKOS.Concept), (concept.iri, SKOS.inScheme, concept.scheme),
                    (concept.iri, SKOS.prefLabel, Literal(concept.label, lang="en"))]
        triples += [(concept.iri, RDF.type, cls) for cls in concept.classes]
    return triples


__all__ = [
    "FORMAT",
    "METADATA_COLUMNS",
    "PII_COLUMNS",
    "PROPERTIES",
    "VOCAB",
    "Codebook",
    "DeclaredConcept",
    "Option",
    "Question",
    "declared_concept_triples",
    "load_codebook",
    "resolve_concept",
]
