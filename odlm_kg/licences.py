"""The licence table: licence identifiers of each source vocabulary → SPDX licence IRI and openness class.

``odlm_kg/data/licences.csv`` has one row per identifier a source uses: ``vocabulary`` (hf, github-spdx,
scancode, zenodo, datacite, spdx), ``raw_id``, ``spdx_id`` (empty when SPDX lists no such licence),
``openness`` (a concept of the licence-openness scheme: Open, OpenWithUseRestrictions, NonCommercial,
Proprietary, Unknown), and, for licences SPDX lacks, the ``key`` of the minted licence IRI
(``https://w3id.org/odlm/id/licence/<key>``) and its ``label``.

:func:`normalise` maps one raw string: first the vocabulary's own rows, then SPDX identifiers and
licence URLs (Creative Commons, opensource.org, spdx.org, choosealicense.com), then SPDX expressions
(``X WITH exception`` counts as X). A string none of these know gets a licence IRI minted from the
string itself and the openness Unknown; the raw string is always returned so callers keep it.

>>> found = normalise("bsd-new", "scancode")
>>> str(found.iri), found.openness.rsplit("/", 1)[-1]
('http://spdx.org/licenses/BSD-3-Clause', 'Open')
>>> normalise("llama2", "hf").openness.rsplit("/", 1)[-1]
'OpenWithUseRestrictions'
>>> str(normalise("https://creativecommons.org/licenses/by-nc/4.0/legalcode", "datacite").iri)
'http://spdx.org/licenses/CC-BY-NC-4.0'
>>> found = normalise("My Own Licence", "hf")
>>> str(found.iri), found.openness.rsplit("/", 1)[-1], found.raw, found.known
('https://w3id.org/odlm/id/licence/my-own-licence', 'Unknown', 'My Own Licence', False)
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import NamedTuple

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, SKOS

from odlm_kg.namespaces import ODLM, SPDX_LICENSE, graph_iri, instance_iri, vocab_iri
from odlm_kg.resources import resource_dir

VOCABULARIES = ("hf", "github-spdx", "scancode", "zenodo", "datacite", "spdx")
#: Other names callers use for the vocabularies.
ALIASES = {"huggingface": "hf", "hugging-face": "hf", "github": "github-spdx", "peatmoss": "scancode",
           "invenio": "zenodo"}
OPENNESS_CLASSES = ("Open", "OpenWithUseRestrictions", "NonCommercial", "Proprietary", "Unknown")
LICENCES_GRAPH = graph_iri("licences")


@dataclass(frozen=True)
class LicenceRow:
    vocabulary: str
    raw_id: str
    spdx_id: str
    openness: str
    key: str
    label: str

    @property
    def iri(self) -> URIRef:
        if self.spdx_id:
            return SPDX_LICENSE[self.spdx_id]
        return instance_iri("licence", self.key or licence_key(self.raw_id))

    @property
    def display_label(self) -> str:
        return self.spdx_id or self.label or self.raw_id


class NormalisedLicence(NamedTuple):
    """Result of :func:`normalise`: the licence IRI, its openness concept IRI, the raw string, and
    whether the table (or an SPDX identifier or licence URL) knew it."""

    iri: URIRef
    openness: URIRef
    raw: str
    known: bool


def licence_key(raw: str) -> str:
    """Key of a minted licence IRI: the raw string lower-cased, white space as hyphens.

    >>> licence_key("  Non Commercial  Licence ")
    'non-commercial-licence'
    """
    return re.sub(r"\s+", "-", raw.strip().lower())


def table_path() -> Path:
    return Path(str(resource_dir("data"))) / "licences.csv"


@cache
def load_table() -> tuple[LicenceRow, ...]:
    """Every row of the licence table, checked: known vocabulary and openness, no duplicate raw id."""
    rows: list[LicenceRow] = []
    seen: set[tuple[str, str]] = set()
    path = table_path()
    with open(path, encoding="utf-8", newline="") as handle:
        for number, row in enumerate(csv.DictReader(handle), start=2):
            entry = LicenceRow(**{k: (row.get(k) or "").strip() for k in
                                  ("vocabulary", "raw_id", "spdx_id", "openness", "key", "label")})
            if entry.vocabulary not in VOCABULARIES or entry.openness not in OPENNESS_CLASSES:
                raise ValueError(f"{path}:{number}: unknown vocabulary or openness in {row}")
            if (entry.vocabulary, entry.raw_id.lower()) in seen:
                raise ValueError(f"{path}:{number}: duplicate {entry.vocabulary} id {entry.raw_id}")
            seen.add((entry.vocabulary, entry.raw_id.lower()))
            rows.append(entry)
    return tuple(rows)


@cache
def _index() -> tuple[dict[tuple[str, str], LicenceRow], dict[str, LicenceRow]]:
    by_vocabulary: dict[tuple[str, str], LicenceRow] = {}
    by_spdx: dict[str, LicenceRow] = {}
    for row in load_table():
        by_vocabulary[(row.vocabulary, row.raw_id.lower())] = row
        if row.spdx_id:
            by_spdx.setdefault(row.spdx_id.lower(), row)
    return by_vocabulary, by_spdx


def _openness(name: str) -> URIRef:
    return vocab_iri("licence-openness", name)


def _found(row: LicenceRow, raw: str) -> NormalisedLicence:
    return NormalisedLicence(row.iri, _openness(row.openness), raw, True)


_CC_URL = re.compile(r"creativecommons\.org/licenses/([a-z\-]+)/(\d\.\d)", re.I)
_CC0_URL = re.compile(r"creativecommons\.org/publicdomain/zero/1\.0", re.I)
_ID_URL = re.compile(r"(?:opensource\.org/licenses?|spdx\.org/licenses|choosealicense\.com/licenses)/"
                     r"([A-Za-z0-9.+\-]+?)(?:\.html|\.json|\.php)?/?(?:[#?].*)?$", re.I)
_APACHE_URL = re.compile(r"apache\.org/licenses/LICENSE-2\.0", re.I)
_GNU_URL = re.compile(r"gnu\.org/licenses/((?:a|l)?gpl)-(\d\.\d)", re.I)


def _from_url(raw: str) -> NormalisedLicence | None:
    _, by_spdx = _index()
    match = _CC_URL.search(raw)
    if match:
        code, version = match.group(1).upper(), match.group(2)
        spdx = f"CC-{code}-{version}"
        row = by_spdx.get(spdx.lower())
        if row is not None:
            return _found(row, raw)
        openness = "NonCommercial" if "NC" in code else "Proprietary" if "ND" in code else "Open"
        return NormalisedLicence(SPDX_LICENSE[spdx], _openness(openness), raw, True)
    if _CC0_URL.search(raw):
        return _found(by_spdx["cc0-1.0"], raw)
    if _APACHE_URL.search(raw):
        return _found(by_spdx["apache-2.0"], raw)
    match = _GNU_URL.search(raw)
    if match:
        row = by_spdx.get(f"{match.group(1)}-{match.group(2)}-only".lower())
        if row is not None:
            return _found(row, raw)
    match = _ID_URL.search(raw)
    if match:
        return _from_identifier(match.group(1), raw)
    return None


def _from_identifier(identifier: str, raw: str) -> NormalisedLicence | None:
    """An SPDX id, or an id of any vocabulary, or an SPDX ``X WITH exception`` expression."""
    by_vocabulary, by_spdx = _index()
    text = identifier.strip().lower()
    if text in by_spdx:
        return _found(by_spdx[text], raw)
    for vocabulary in VOCABULARIES:
        row = by_vocabulary.get((vocabulary, text))
        if row is not None and row.spdx_id:
            return _found(row, raw)
    if " with " in text:
        return _from_identifier(text.split(" with ", 1)[0], raw)
    return None


@lru_cache(maxsize=8192)
def normalise(raw: str, vocabulary: str = "spdx") -> NormalisedLicence:
    """Normalise one licence string of ``vocabulary`` (see module doc). Never raises for an odd string."""
    vocabulary = ALIASES.get(vocabulary, vocabulary)
    if vocabulary not in VOCABULARIES:
        raise ValueError(f"unknown licence vocabulary {vocabulary!r}; expected one of {', '.join(VOCABULARIES)}")
    found = _normalise_text(raw.strip(), raw, vocabulary)
    hyphenated = licence_key(raw)
    # Ids written as words ("CreativeML OpenRAIL-M", "CC BY 4.0") are tried again in id form, so they
    # never mint a second, Unknown licence beside the known one.
    if not found.known and hyphenated != raw.strip():
        retried = _normalise_text(hyphenated, raw, vocabulary)
        if retried.known:
            return retried
    return found


def _normalise_text(text: str, raw: str, vocabulary: str) -> NormalisedLicence:
    by_vocabulary, _ = _index()
    row = by_vocabulary.get((vocabulary, text.lower()))
    if row is not None:
        return _found(row, raw)
    if "://" in text or text.startswith("info:"):
        url = text.lower().rstrip("/")  # DataCite rows list rights URIs, with or without the final slash
        row = by_vocabulary.get(("datacite", url + "/")) or by_vocabulary.get(("datacite", url))
        if row is not None:
            return _found(row, raw)
        found = _from_url(text)
        if found is not None:
            return found
    else:
        found = _from_identifier(text, raw)
        if found is not None:
            return found
        row = by_vocabulary.get(("hf", text.lower()))  # Hub ids are the de-facto names of ML licences
        if row is not None:
            return _found(row, raw)
    return NormalisedLicence(instance_iri("licence", licence_key(text)), _openness("Unknown"), raw, False)


#: Openness classes from least to most open (the comparison cube's order): an artifact under several
#: licences (``AND``, or a list) is as open as the least open of them; a choice (``OR``) is as open as
#: the most open one, the licence its user may pick. Unknown sits below Open: it may be anything.
OPENNESS_ORDER: tuple[str, ...] = ("Proprietary", "NonCommercial", "OpenWithUseRestrictions", "Unknown", "Open")

#: An SPDX expression combines licences: ``AND``/``OR`` between words, or parentheses.
_EXPRESSION = re.compile(r"\s(?:and|or)\s|[()]", re.I)

#: ``("AND" | "OR", parts)``, each part a licence identifier (``X WITH exception`` counts as X) or
#: another such pair.
ExpressionTree = tuple[str, list["str | ExpressionTree"]]


def openness_rank(openness: URIRef) -> int:
    """Position of an openness concept in :data:`OPENNESS_ORDER` (Unknown for an unknown concept)."""
    name = str(openness).rsplit("/", 1)[-1]
    return OPENNESS_ORDER.index(name) if name in OPENNESS_ORDER else OPENNESS_ORDER.index("Unknown")


@lru_cache(maxsize=4096)
def expression_tree(raw: str) -> ExpressionTree | None:
    """An SPDX licence expression with ``AND``/``OR`` parsed by the maintained ``license-expression``
    package; None for a single licence (with or without ``WITH``) or a string that does not parse.

    >>> expression_tree("MIT OR Apache-2.0")
    ('OR', ['MIT', 'Apache-2.0'])
    >>> expression_tree("(MIT OR GPL-3.0-only) AND cc-by-nc-4.0")
    ('AND', [('OR', ['MIT', 'GPL-3.0-only']), 'cc-by-nc-4.0'])
    >>> expression_tree("GPL-2.0-only WITH Classpath-exception-2.0") is None
    True
    """
    if not _EXPRESSION.search(raw):
        return None
    from license_expression import ExpressionError, LicenseSymbol, LicenseWithExceptionSymbol, Licensing

    try:
        parsed = Licensing().parse(raw, validate=False, simple=False)
    except (ExpressionError, TypeError, ValueError):
        return None

    def tree(node: object) -> str | ExpressionTree:
        if isinstance(node, LicenseWithExceptionSymbol):
            return str(node.license_symbol.key)
        if isinstance(node, LicenseSymbol):
            return str(node.key)
        operator = str(getattr(node, "operator", "")).strip().upper()
        return (operator, [tree(arg) for arg in getattr(node, "args", ())])

    result = tree(parsed)
    return result if isinstance(result, tuple) and result[0] in ("AND", "OR") else None


def licence_graph() -> Graph:
    """The licence table as RDF: each licence ``a odlm:Licence`` with label and openness class."""
    graph = Graph()
    graph.bind("odlm", ODLM)
    labels: dict[URIRef, str] = {}
    for row in load_table():
        iri = row.iri
        graph.add((iri, RDF.type, ODLM.Licence))
        graph.add((iri, ODLM.opennessClass, _openness(row.openness)))
        labels.setdefault(iri, row.display_label)
        graph.add((iri, SKOS.hiddenLabel, Literal(row.raw_id)))
        if row.spdx_id:
            graph.add((iri, DCTERMS.identifier, Literal(row.spdx_id)))
    for iri, label in labels.items():
        graph.add((iri, RDFS.label, Literal(label)))
    return graph


def build_step() -> dict[URIRef, Graph]:
    """Build step: the licence table in graph ``licences``."""
    return {LICENCES_GRAPH: licence_graph()}
