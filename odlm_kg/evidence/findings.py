"""Published findings as data: read ``odlm_kg/data/findings/*.yaml``, check them, compile them to RDF.

Each YAML file holds the findings of one seed work (format: ``docs/findings.md``). Compiling gives one
graph, the named graph ``graph/findings``:

- every finding is an ``odlm:Finding`` with its source work, locator, statement and, for
  literature-review items, the works the source cites for it;
- every finding makes one or more claims (``odlm:claim`` -> ``odlm:Claim``, IRI
  ``id/claim/<finding-id>/<n>``): each exactly one artifact kind and one factor, with the direction
  and the population the source gives. The finding itself carries no kind or factor: a finding about
  two kinds and two factors does not claim all four pairs;
- every published number is an ``odlm:FindingObservation`` (a ``odlm:ComparisonObservation`` and
  ``qb:Observation``) of the one comparison cube (``qb:dataSet`` ``id/cube/comparison``, see
  :mod:`odlm_kg.evidence.cube`): the value exactly as printed (``odlm:percentage`` as ``xsd:decimal``,
  or ``odlm:count``), what it is a share of, its dimensions (evidence class Published, artifact kind,
  factor, population, subgroup), its source work, ``odlm:sampleSize`` where the work prints n, and the
  three flags (synthetic, curated sample, inferred), all false. Which table or section printed it is
  the finding's locator;
- the models a source gives as examples are ``odlm:DeepLearningModel`` instances with their
  ``odlm:releaseStrategy``.

Every concept a file names is looked up in the shipped vocabularies, so a typo is an ``InputError``
naming the file, line, finding and field rather than a dangling IRI.

>>> from decimal import Decimal
>>> parse_percentage("61")
Decimal('61')
>>> locator_key("§4.5"), locator_key("Table 3")
('section-4.5', 'table-3')
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, RDF, RDFS, SKOS, XSD

from odlm_kg.errors import InputError
from odlm_kg.evidence.cube import CUBE_DATASET, PUBLISHED
from odlm_kg.namespaces import CITO, ODLM, QB, graph_iri, instance_iri, vocab_iri
from odlm_kg.resources import resource_dir

FINDINGS_GRAPH = graph_iri("findings")

ARTIFACT_KINDS = ("Data", "Code", "Model")
SHARE_BASES = ("Answers", "Respondents", "ModelSharingRespondents", "Papers")

_ID = re.compile(r"^[a-z0-9]+(?:[-.][a-z0-9]+)*$")
_CONCEPT = re.compile(r"^(?P<scheme>[a-z][a-z-]*)/(?P<concept>[A-Za-z0-9]+)$")
_LINE = "__line__"

FILE_KEYS = {"source", "references", "models", "findings"}
FINDING_KEYS = {"id", "locator", "statement", "claims", "kinds", "factors", "direction", "population",
                "cited", "printed", "note", "examples", "observation"}
#: Keys of one entry of a finding's ``claims`` list.
CLAIM_KEYS = {"kind", "factor", "direction", "population", "subgroup"}
OBSERVATION_KEYS = {"percentage", "count", "share-of", "subgroup", "counts-sharers-of",
                    "counts-non-sharers-of", "kind", "factor", "population", "sample-size"}
REFERENCE_KEYS = {"slug", "ref", "authors", "title", "venue", "year", "doi"}
MODEL_KEYS = {"key", "label", "strategies", "shared-at", "landing-page", "note"}


# ----------------------------------------------------------------------------------------------
# What a findings file holds
# ----------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Claim:
    """One pair a finding states: an artifact kind and a factor, with direction and population if given."""

    kind: URIRef
    factor: URIRef
    direction: URIRef | None = None
    population: URIRef | None = None
    subgroups: tuple[URIRef, ...] = ()


@dataclass(frozen=True)
class Observation:
    """A number published for a finding, exactly as printed, with the cube dimensions it is about."""

    share_of: URIRef
    kind: URIRef
    factor: URIRef
    population: URIRef
    percentage: Decimal | None = None
    count: int | None = None
    subgroups: tuple[URIRef, ...] = ()
    counts_sharers_of: URIRef | None = None
    counts_non_sharers_of: URIRef | None = None
    sample_size: int | None = None


@dataclass(frozen=True)
class Finding:
    id: str
    source: str
    locator: str
    statement: str
    claims: tuple[Claim, ...]
    cited: tuple[str, ...] = ()
    printed: str | None = None
    note: str | None = None
    examples: tuple[str, ...] = ()
    observation: Observation | None = None
    file: Path | None = None
    line: int | None = None

    @property
    def iri(self) -> URIRef:
        return instance_iri("finding", self.id)

    @property
    def observation_iri(self) -> URIRef:
        return instance_iri("observation", f"finding/{self.id}")

    def claim_iri(self, number: int) -> URIRef:
        """The IRI of the finding's ``number``-th claim (from 1, in the order of the YAML)."""
        return instance_iri("claim", f"{self.id}/{number}")

    @property
    def kinds(self) -> tuple[URIRef, ...]:
        """The artifact kinds the claims are about, in order, each once."""
        return tuple(dict.fromkeys(claim.kind for claim in self.claims))

    @property
    def factors(self) -> tuple[URIRef, ...]:
        """The factors the claims are about, in order, each once."""
        return tuple(dict.fromkeys(claim.factor for claim in self.claims))


@dataclass(frozen=True)
class Reference:
    """A work that a source cites for one of its findings (a bibliographic record)."""

    slug: str
    title: str
    authors: str
    year: int
    ref: str | None = None
    venue: str | None = None
    doi: str | None = None

    @property
    def iri(self) -> URIRef:
        return instance_iri("work", self.slug)


@dataclass(frozen=True)
class ExampleModel:
    """A model a source names as an example, with how it was released."""

    key: str
    label: str
    source: str
    strategies: tuple[URIRef, ...] = ()
    shared_at: tuple[URIRef, ...] = ()
    landing_page: str | None = None
    note: str | None = None

    @property
    def iri(self) -> URIRef:
        return instance_iri("model", self.key)


@dataclass
class FindingsFile:
    path: Path
    source: str
    references: list[Reference] = field(default_factory=list)
    models: list[ExampleModel] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)


# ----------------------------------------------------------------------------------------------
# Reading and checking
# ----------------------------------------------------------------------------------------------

class _LineLoader(yaml.SafeLoader):
    """A safe YAML loader that remembers the line of every mapping, for error messages."""


def _mapping_with_line(loader: _LineLoader, node: yaml.MappingNode) -> dict[str, Any]:
    loader.flatten_mapping(node)
    mapping = {loader.construct_object(key, deep=True): loader.construct_object(value, deep=True)
               for key, value in node.value}
    mapping[_LINE] = node.start_mark.line + 1
    return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping_with_line)


def findings_dir() -> Path:
    """The shipped findings sources (``odlm_kg/data/findings``)."""
    return resource_dir("data") / "findings"


def findings_paths() -> list[Path]:
    return sorted(findings_dir().glob("*.yaml"))


def parse_percentage(value: object) -> Decimal:
    """A percentage as printed (``61``, ``"61"``, ``6.5``) as an exact decimal; ValueError otherwise."""
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise ValueError(f"expected a number as printed, got {value!r}")
    try:
        number = Decimal(str(value).strip().rstrip("%").strip())
    except InvalidOperation:
        raise ValueError(f"expected a number as printed, got {value!r}") from None
    if not number.is_finite():
        raise ValueError(f"expected a finite number, got {value!r}")
    return number


def locator_key(locator: str) -> str:
    """The key of the table or section a locator names, used in data set IRIs."""
    text = locator.strip().replace("§", "section ")
    return re.sub(r"[^a-z0-9.]+", "-", text.lower()).strip("-.")


class _Checker:
    """Checks one parsed YAML file against the format and the vocabularies; raises InputError."""

    def __init__(self, path: Path, vocabulary: Graph, known_works: set[URIRef]) -> None:
        self.path = path
        self.vocabulary = vocabulary
        self.known_works = known_works

    def fail(self, message: str, *, line: int | None = None, finding: str | None = None,
             field_name: str | None = None) -> InputError:
        where = f"{self.path}:{line}" if line else str(self.path)
        if finding:
            where += f": finding {finding}"
        if field_name:
            where += f": field {field_name}"
        return InputError(f"{where}: {message}")

    # -- generic field readers -----------------------------------------------------------------

    def mapping(self, value: object, what: str, line: int | None, finding: str | None = None,
                field_name: str | None = None) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(f"expected {what} (a mapping), got {type(value).__name__}", line=line,
                            finding=finding, field_name=field_name)
        return value

    def unknown_keys(self, data: dict[str, Any], allowed: set[str], line: int | None,
                     finding: str | None = None, what: str = "finding") -> None:
        extra = sorted(str(k) for k in data if k != _LINE and k not in allowed)
        if extra:
            raise self.fail(f"unknown field(s) {', '.join(extra)}; a {what} may have: "
                            f"{', '.join(sorted(allowed))}", line=line, finding=finding,
                            field_name=extra[0])

    def text(self, data: dict[str, Any], key: str, line: int | None, finding: str | None = None,
             *, required: bool = True) -> str | None:
        value = data.get(key)
        if value is None:
            if required:
                raise self.fail("is missing; expected a non-empty text", line=line, finding=finding,
                                field_name=key)
            return None
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str) or not value.strip():
            raise self.fail(f"expected a non-empty text, got {value!r}", line=line, finding=finding,
                            field_name=key)
        return value.strip()

    def string_list(self, data: dict[str, Any], key: str, line: int | None, finding: str | None = None,
                    *, required: bool = False) -> list[str]:
        value = data.get(key)
        if value is None:
            if required:
                raise self.fail("is missing; expected a list with at least one entry", line=line,
                                finding=finding, field_name=key)
            return []
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            raise self.fail(f"expected a list of names, got {value!r}", line=line, finding=finding,
                            field_name=key)
        if required and not value:
            raise self.fail("is empty; expected at least one entry", line=line, finding=finding,
                            field_name=key)
        return [v.strip() for v in value]

    def concept(self, reference: str, line: int | None, finding: str | None, field_name: str,
                *, scheme: str | None = None) -> URIRef:
        """A ``scheme/Concept`` reference (or a bare ``Concept`` when ``scheme`` is given)."""
        if scheme is not None and "/" not in reference:
            reference = f"{scheme}/{reference}"
        match = _CONCEPT.match(reference)
        if match is None:
            raise self.fail(f"{reference!r} is not a concept reference; expected scheme/Concept, such as "
                            "motivation/IncreaseCitations", line=line, finding=finding, field_name=field_name)
        if scheme is not None and match["scheme"] != scheme:
            raise self.fail(f"{reference!r} is not in the {scheme} scheme", line=line, finding=finding,
                            field_name=field_name)
        iri = vocab_iri(match["scheme"], match["concept"])
        scheme_iri = vocab_iri(match["scheme"])
        if (iri, SKOS.inScheme, scheme_iri) not in self.vocabulary:
            known = sorted(str(c).rsplit("/", 1)[-1] for c in self.vocabulary.subjects(SKOS.inScheme, scheme_iri))
            hint = (f"known concepts of {match['scheme']}: {', '.join(known)}" if known
                    else f"the vocabularies have no scheme {match['scheme']!r}")
            raise self.fail(f"unknown concept {reference!r}; {hint}", line=line, finding=finding,
                            field_name=field_name)
        return iri

    # -- the parts of a file ------------------------------------------------------------------

    def reference(self, data: object) -> Reference:
        item = self.mapping(data, "a reference", None, field_name="references")
        line = item.get(_LINE)
        self.unknown_keys(item, REFERENCE_KEYS, line, what="reference")
        slug = self.text(item, "slug", line)
        assert slug is not None
        if not _ID.match(slug):
            raise self.fail(f"reference slug {slug!r}: expected lower-case words joined by '-'", line=line,
                            field_name="slug")
        year = item.get("year")
        if not isinstance(year, int) or isinstance(year, bool) or not 1000 <= year <= 2999:
            raise self.fail(f"reference {slug}: expected a four-digit year, got {year!r}", line=line,
                            field_name="year")
        return Reference(slug=slug, title=self.text(item, "title", line) or "",
                         authors=self.text(item, "authors", line) or "", year=year,
                         ref=self.text(item, "ref", line, required=False),
                         venue=self.text(item, "venue", line, required=False),
                         doi=(self.text(item, "doi", line, required=False) or "").lower() or None)

    def model(self, data: object, source: str) -> ExampleModel:
        item = self.mapping(data, "a model", None, field_name="models")
        line = item.get(_LINE)
        self.unknown_keys(item, MODEL_KEYS, line, what="model")
        key = self.text(item, "key", line)
        assert key is not None
        if not _ID.match(key):
            raise self.fail(f"model key {key!r}: expected lower-case words joined by '-'", line=line,
                            field_name="key")
        landing = self.text(item, "landing-page", line, required=False)
        if landing is not None and not landing.startswith(("https://", "http://")):
            raise self.fail(f"model {key}: expected an http(s) URL, got {landing!r}", line=line,
                            field_name="landing-page")
        return ExampleModel(
            key=key, label=self.text(item, "label", line) or key, source=source,
            strategies=tuple(self.concept(s, line, None, "strategies", scheme="release-strategy")
                             for s in self.string_list(item, "strategies", line)),
            shared_at=tuple(self.concept(s, line, None, "shared-at", scheme="sharing-location")
                            for s in self.string_list(item, "shared-at", line)),
            landing_page=landing, note=self.text(item, "note", line, required=False))

    def observation(self, data: object, line: int | None, finding: str,
                    claims: Sequence[Claim]) -> Observation:
        """The observation of a finding; its kind, factor and population default to those of the
        finding's claim when it makes exactly one."""
        item = self.mapping(data, "an observation", line, finding, "observation")
        line = item.get(_LINE, line)
        self.unknown_keys(item, OBSERVATION_KEYS, line, finding, what="observation")
        has_percentage, has_count = "percentage" in item, "count" in item
        if has_percentage == has_count:
            raise self.fail("needs exactly one of percentage or count", line=line, finding=finding,
                            field_name="observation")
        percentage = count = None
        if has_percentage:
            try:
                percentage = parse_percentage(item["percentage"])
            except ValueError as error:
                raise self.fail(str(error), line=line, finding=finding, field_name="percentage") from None
            if not Decimal(0) <= percentage <= Decimal(100):
                raise self.fail(f"{percentage} is out of range; expected a percentage between 0 and 100",
                                line=line, finding=finding, field_name="percentage")
        else:
            value = item["count"]
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise self.fail(f"expected a whole number of at least 0, got {value!r}", line=line,
                                finding=finding, field_name="count")
            count = value
        share_of = self.text(item, "share-of", line, finding)
        assert share_of is not None
        sharers = item.get("counts-sharers-of")
        non_sharers = item.get("counts-non-sharers-of")
        if sharers is not None and non_sharers is not None:
            raise self.fail("give counts-sharers-of or counts-non-sharers-of, not both", line=line,
                            finding=finding, field_name="counts-non-sharers-of")
        only = claims[0] if len(claims) == 1 else None
        dimensions: dict[str, URIRef] = {}
        for key, scheme, default in (("kind", "artifact-kind", only.kind if only else None),
                                     ("factor", None, only.factor if only else None),
                                     ("population", "population", only.population if only else None)):
            if key in item:
                dimensions[key] = self.concept(str(item[key]), line, finding, key, scheme=scheme)
            elif default is not None:
                dimensions[key] = default
            else:
                why = ("the finding makes more than one claim, so say which one the number is about"
                       if only is None else "neither the observation nor the finding's claim names it")
                raise self.fail(f"is missing; {why}", line=line, finding=finding, field_name=key)
        sample_size = item.get("sample-size")
        if sample_size is not None and (isinstance(sample_size, bool) or not isinstance(sample_size, int)
                                        or sample_size < 1):
            raise self.fail(f"expected a whole number of at least 1, got {sample_size!r}", line=line,
                            finding=finding, field_name="sample-size")
        return Observation(
            share_of=self.concept(share_of, line, finding, "share-of", scheme="share-base"),
            kind=dimensions["kind"], factor=dimensions["factor"], population=dimensions["population"],
            sample_size=sample_size, percentage=percentage, count=count,
            subgroups=tuple(self.concept(s, line, finding, "subgroup")
                            for s in self.string_list(item, "subgroup", line, finding)),
            counts_sharers_of=(self.concept(str(sharers), line, finding, "counts-sharers-of",
                                            scheme="artifact-kind") if sharers is not None else None),
            counts_non_sharers_of=(self.concept(str(non_sharers), line, finding, "counts-non-sharers-of",
                                                scheme="artifact-kind") if non_sharers is not None else None))

    def finding(self, data: object, source: str) -> Finding:
        item = self.mapping(data, "a finding", None, field_name="findings")
        line = item.get(_LINE)
        raw_id = item.get("id")
        if not isinstance(raw_id, str) or not _ID.match(raw_id):
            raise self.fail(f"expected a stable slug (lower-case words joined by '-'), got {raw_id!r}",
                            line=line, field_name="id")
        fid = raw_id
        self.unknown_keys(item, FINDING_KEYS, line, fid)
        claims = self.claims(item, line, fid)
        observation = item.get("observation")
        return Finding(
            id=fid, source=source,
            locator=self.text(item, "locator", line, fid) or "",
            statement=self.text(item, "statement", line, fid) or "",
            claims=claims,
            cited=tuple(self.string_list(item, "cited", line, fid)),
            printed=self.text(item, "printed", line, fid, required=False),
            note=self.text(item, "note", line, fid, required=False),
            examples=tuple(self.string_list(item, "examples", line, fid)),
            observation=(self.observation(observation, line, fid, claims) if observation is not None
                         else None),
            file=self.path, line=line)

    def claims(self, item: dict[str, Any], line: int | None, finding: str) -> tuple[Claim, ...]:
        """A finding's claims: its ``claims`` list, or the shorthand ``kinds`` x ``factors`` when one
        side has a single entry (then every pair is one the source states)."""
        if "claims" in item:
            mixed = sorted(k for k in ("kinds", "factors", "direction", "population") if k in item)
            if mixed:
                raise self.fail(f"give either claims or the shorthand kinds/factors, not both; move "
                                f"{', '.join(mixed)} into the claims", line=line, finding=finding,
                                field_name=mixed[0])
            entries = item["claims"]
            if not isinstance(entries, list) or not entries:
                raise self.fail("expected a list with at least one claim, such as - {kind: Model, factor: "
                                "sharing-location/GitHub, direction: SharedAt}", line=line, finding=finding,
                                field_name="claims")
            claims = [self.claim(entry, line, finding) for entry in entries]
        else:
            kinds = self.string_list(item, "kinds", line, finding, required=True)
            factors = self.string_list(item, "factors", line, finding, required=True)
            if len(kinds) > 1 and len(factors) > 1:
                raise self.fail(
                    f"{len(kinds)} kinds and {len(factors)} factors would claim all {len(kinds) * len(factors)} "
                    "pairs; list under claims only the pairs the source states (one kind and one factor each)",
                    line=line, finding=finding, field_name="kinds")
            direction = self.optional_concept(item, "direction", line, finding, "claim-direction")
            population = self.optional_concept(item, "population", line, finding, "population")
            claims = [Claim(kind=self.concept(k, line, finding, "kinds", scheme="artifact-kind"),
                            factor=self.concept(f, line, finding, "factors"),
                            direction=direction, population=population)
                      for k in kinds for f in factors]
        seen: set[tuple[URIRef, URIRef]] = set()
        for claim in claims:
            if (claim.kind, claim.factor) in seen:
                raise self.fail(f"claims the pair ({claim.kind}, {claim.factor}) twice", line=line,
                                finding=finding, field_name="claims")
            seen.add((claim.kind, claim.factor))
        return tuple(claims)

    def claim(self, data: object, line: int | None, finding: str) -> Claim:
        entry = self.mapping(data, "a claim", line, finding, "claims")
        line = entry.get(_LINE, line)
        self.unknown_keys(entry, CLAIM_KEYS, line, finding, what="claim")
        kind = self.text(entry, "kind", line, finding)
        factor = self.text(entry, "factor", line, finding)
        assert kind is not None and factor is not None
        return Claim(kind=self.concept(kind, line, finding, "kind", scheme="artifact-kind"),
                     factor=self.concept(factor, line, finding, "factor"),
                     direction=self.optional_concept(entry, "direction", line, finding, "claim-direction"),
                     population=self.optional_concept(entry, "population", line, finding, "population"),
                     subgroups=tuple(self.concept(s, line, finding, "subgroup")
                                     for s in self.string_list(entry, "subgroup", line, finding)))

    def optional_concept(self, data: dict[str, Any], key: str, line: int | None, finding: str,
                         scheme: str) -> URIRef | None:
        value = data.get(key)
        if value is None:
            return None
        if not isinstance(value, str):
            raise self.fail(f"expected a concept of the {scheme} scheme, got {value!r}", line=line,
                            finding=finding, field_name=key)
        return self.concept(value.strip(), line, finding, key, scheme=scheme)

    def file(self, data: object) -> FindingsFile:
        top = self.mapping(data, "a findings file", 1)
        self.unknown_keys(top, FILE_KEYS, 1, what="findings file")
        source = self.text(top, "source", 1)
        assert source is not None
        if instance_iri("work", source) not in self.known_works:
            raise self.fail(f"unknown source work {source!r}; expected the slug of a work in "
                            "ontology/sources.ttl", line=1, field_name="source")
        sections = {}
        for key in ("references", "models", "findings"):
            value = top.get(key) or []
            if not isinstance(value, list):
                raise self.fail("expected a list", field_name=key)
            sections[key] = value
        if not sections["findings"]:
            raise self.fail("no findings; expected a list under 'findings'", field_name="findings")
        return FindingsFile(
            path=self.path, source=source,
            references=[self.reference(r) for r in sections["references"]],
            models=[self.model(m, source) for m in sections["models"]],
            findings=[self.finding(f, source) for f in sections["findings"]])


def _default_context() -> tuple[Graph, Graph]:
    from odlm_kg.ontology import core_graph, vocabulary_graph

    return vocabulary_graph(), core_graph()


def _works_in(graph: Graph) -> set[URIRef]:
    prefix = str(instance_iri("work", ""))
    return {s for s in graph.subjects() if isinstance(s, URIRef) and str(s).startswith(prefix)}


def read_findings_file(path: Path, vocabulary: Graph, known_works: set[URIRef]) -> FindingsFile:
    """Parse and check one findings file; InputError names file, line, finding and field."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise InputError(f"{path}: cannot read the findings file ({error})") from None
    try:
        data = yaml.load(text, Loader=_LineLoader)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark is not None else str(path)
        problem = getattr(error, "problem", None) or str(error)
        raise InputError(f"{where}: not valid YAML ({problem})") from None
    return _Checker(path, vocabulary, known_works).file(data)


def load_findings(paths: Sequence[Path] | None = None, *, vocabulary: Graph | None = None,
                  sources: Graph | None = None) -> list[FindingsFile]:
    """Read and check findings files (default: the shipped ones), including references across files.

    ``vocabulary`` defaults to the shipped SKOS vocabularies and ``sources`` to the core ontology with
    the records of the seed works (``ontology/sources.ttl``).
    """
    if vocabulary is None or sources is None:
        default_vocabulary, default_sources = _default_context()
        vocabulary = default_vocabulary if vocabulary is None else vocabulary
        sources = default_sources if sources is None else sources
    known_works = _works_in(sources)
    files = [read_findings_file(Path(p), vocabulary, known_works) for p in (paths or findings_paths())]
    if not files:
        raise InputError(f"no findings files (*.yaml) in {findings_dir()}")
    _check_across(files, known_works)
    return files


def _check_across(files: list[FindingsFile], known_works: set[URIRef]) -> None:
    """Ids unique over all files; cited works and example models resolve."""
    seen: dict[str, Path] = {}
    models: dict[str, Path] = {}
    works = set(known_works)
    for findings_file in files:
        for reference in findings_file.references:
            works.add(reference.iri)
        for model in findings_file.models:
            if model.key in models:
                raise InputError(f"{findings_file.path}: field models: model {model.key} is also defined in "
                                 f"{models[model.key]}; define each example model once")
            models[model.key] = findings_file.path
        for finding in findings_file.findings:
            if finding.id in seen:
                raise InputError(f"{findings_file.path}:{finding.line}: finding {finding.id}: field id: "
                                 f"the id is also used in {seen[finding.id]}; ids must be unique")
            seen[finding.id] = findings_file.path
    for findings_file in files:
        for finding in findings_file.findings:
            where = f"{findings_file.path}:{finding.line}: finding {finding.id}"
            for slug in finding.cited:
                if instance_iri("work", slug) not in works:
                    raise InputError(f"{where}: field cited: unknown work {slug!r}; expected the slug of a "
                                     "reference listed under 'references' or a work in ontology/sources.ttl")
            for key in finding.examples:
                if key not in models:
                    raise InputError(f"{where}: field examples: unknown model {key!r}; expected the key of a "
                                     f"model listed under 'models' (known: {', '.join(sorted(models))})")


# ----------------------------------------------------------------------------------------------
# Compiling to RDF
# ----------------------------------------------------------------------------------------------

def compile_findings(files: Iterable[FindingsFile], *, sources: Graph | None = None) -> Graph:
    """The RDF of checked findings files.

    References that ``sources`` (default: ``ontology/sources.ttl``) already describes are linked, not
    described again.
    """
    if sources is None:
        sources = _default_context()[1]
    described = _works_in(sources)
    graph = Graph()
    graph.bind("odlm", ODLM)
    graph.bind("qb", QB)
    graph.bind("cito", CITO)
    for findings_file in files:
        source_iri = instance_iri("work", findings_file.source)
        for reference in findings_file.references:
            graph.add((source_iri, CITO.cites, reference.iri))
            if reference.iri not in described:
                _add_reference(graph, reference)
        for model in findings_file.models:
            _add_model(graph, model)
        for finding in findings_file.findings:
            _add_finding(graph, finding, source_iri)
            if finding.observation is not None:
                _add_observation(graph, finding, finding.observation, source_iri)
    return graph


def _add_reference(graph: Graph, reference: Reference) -> None:
    iri = reference.iri
    graph.add((iri, RDF.type, ODLM.Work))
    graph.add((iri, DCTERMS.title, Literal(reference.title)))
    graph.add((iri, DCTERMS.issued, Literal(str(reference.year), datatype=XSD.gYear)))
    first_author = reference.authors.split(",")[0].strip().split()[-1]
    several = "," in reference.authors
    graph.add((iri, RDFS.label, Literal(f"{first_author}{' et al.' if several else ''} {reference.year}")))
    citation = f"{reference.authors} ({reference.year}). {reference.title}."
    if reference.venue:
        citation += f" {reference.venue}."
    graph.add((iri, DCTERMS.bibliographicCitation, Literal(citation)))
    if reference.doi:
        graph.add((iri, ODLM.doi, Literal(reference.doi)))


def _add_model(graph: Graph, model: ExampleModel) -> None:
    iri = model.iri
    graph.add((iri, RDF.type, ODLM.DeepLearningModel))
    graph.add((iri, RDFS.label, Literal(model.label)))
    graph.add((iri, DCTERMS.source, instance_iri("work", model.source)))
    for strategy in model.strategies:
        graph.add((iri, ODLM.releaseStrategy, strategy))
    for location in model.shared_at:
        graph.add((iri, ODLM.sharedAt, location))
    if model.landing_page:
        graph.add((iri, DCAT.landingPage, URIRef(model.landing_page)))
    if model.note:
        graph.add((iri, SKOS.note, Literal(model.note, lang="en")))


def _add_finding(graph: Graph, finding: Finding, source_iri: URIRef) -> None:
    iri = finding.iri
    graph.add((iri, RDF.type, ODLM.Finding))
    graph.add((iri, DCTERMS.identifier, Literal(finding.id)))
    graph.add((iri, RDFS.label, Literal(finding.statement, lang="en")))
    graph.add((iri, ODLM.sourceWork, source_iri))
    graph.add((iri, ODLM.locator, Literal(finding.locator)))
    for number, claim in enumerate(finding.claims, start=1):
        claim_iri = finding.claim_iri(number)
        graph.add((iri, ODLM.claim, claim_iri))
        graph.add((claim_iri, RDF.type, ODLM.Claim))
        graph.add((claim_iri, ODLM.artifactKind, claim.kind))
        graph.add((claim_iri, ODLM.factor, claim.factor))
        if claim.direction is not None:
            graph.add((claim_iri, ODLM.direction, claim.direction))
        if claim.population is not None:
            graph.add((claim_iri, ODLM.aboutPopulation, claim.population))
        for subgroup in claim.subgroups:
            graph.add((claim_iri, ODLM.subgroup, subgroup))
    for slug in finding.cited:
        graph.add((iri, ODLM.citedWork, instance_iri("work", slug)))
    for key in finding.examples:
        graph.add((iri, DCTERMS.references, instance_iri("model", key)))
    if finding.printed:
        graph.add((iri, ODLM.printedLabel, Literal(finding.printed)))
    if finding.note:
        graph.add((iri, SKOS.note, Literal(finding.note, lang="en")))


def _add_observation(graph: Graph, finding: Finding, observation: Observation, source_iri: URIRef) -> None:
    """The published number as an observation of the comparison cube (its only data set)."""
    iri = finding.observation_iri
    graph.add((iri, RDF.type, ODLM.FindingObservation))
    # stated, not left to a reasoner: named queries select comparison observations by type
    graph.add((iri, RDF.type, ODLM.ComparisonObservation))
    graph.add((iri, RDF.type, QB.Observation))
    graph.add((iri, QB.dataSet, CUBE_DATASET))
    graph.add((iri, ODLM.observationOf, finding.iri))
    graph.add((iri, ODLM.evidenceClass, PUBLISHED))
    graph.add((iri, ODLM.evidenceSource, source_iri))
    graph.add((iri, ODLM.artifactKind, observation.kind))
    graph.add((iri, ODLM.factor, observation.factor))
    graph.add((iri, ODLM.aboutPopulation, observation.population))
    if observation.sample_size is not None:
        graph.add((iri, ODLM.sampleSize, Literal(observation.sample_size, datatype=XSD.integer)))
    for flag in (ODLM.synthetic, ODLM.curatedSample, ODLM.inferred):
        graph.add((iri, flag, Literal(False)))
    if observation.percentage is not None:
        graph.add((iri, QB.measureType, ODLM.percentage))
        graph.add((iri, ODLM.percentage, Literal(observation.percentage, datatype=XSD.decimal)))
    else:
        graph.add((iri, QB.measureType, ODLM["count"]))
        graph.add((iri, ODLM["count"], Literal(observation.count, datatype=XSD.integer)))
    graph.add((iri, ODLM.shareOf, observation.share_of))
    for subgroup in observation.subgroups:
        graph.add((iri, ODLM.subgroup, subgroup))
    if observation.counts_sharers_of is not None:
        graph.add((iri, ODLM.countsSharersOf, observation.counts_sharers_of))
    if observation.counts_non_sharers_of is not None:
        graph.add((iri, ODLM.countsNonSharersOf, observation.counts_non_sharers_of))


def findings_graph(paths: Sequence[Path] | None = None) -> Graph:
    """Read, check and compile findings files (default: the shipped ones) into one graph."""
    vocabulary, sources = _default_context()
    return compile_findings(load_findings(paths, vocabulary=vocabulary, sources=sources), sources=sources)


def build_step() -> dict[URIRef, Graph]:
    """Build step: the shipped findings in the named graph ``graph/findings``."""
    return {FINDINGS_GRAPH: findings_graph()}
