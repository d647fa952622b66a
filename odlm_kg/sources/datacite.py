"""DataCite metadata in its JSON representation (kernel 4.3 to 4.5: the ``attributes`` of
``api.datacite.org/dois/{doi}``, the whole API response, or a page of them) as artifacts or papers.

``types.resourceTypeGeneral`` decides the kind: Dataset is a dataset; Software and
ComputationalNotebook are source code; a Model whose free-text ``resourceType`` says it is a trained
machine-learning model is a pre-trained model; journal articles, preprints, conference papers, reports,
theses and texts are papers. Other types are rejected as outside the graph's scope. Artifacts are keyed
by their DOI (lower-cased) and shared at the repository the DOI's publisher names (Zenodo, Figshare,
OSF), else at the generic "DataCite repository" location. Rights go through the licence table (the
SPDX ``rightsIdentifier`` first, then ``rightsUri``, then the text); access statements such as
``info:eu-repo/semantics/openAccess`` are not licences and are skipped. Creators become agents only
through their identifiers: organisations with a ROR id (with their name) and persons with an ORCID
(an ORCID account, never the person's name).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from rdflib import Literal, URIRef

from odlm_kg.literals import string_literal
from odlm_kg.namespaces import ODLM, instance_iri
from odlm_kg.sources.base import LoadOptions, Record, RecordError
from odlm_kg.sources.crawl_terms import (
    DCTERMS,
    ORCID_ID,
    RDF,
    RDFS,
    CrawlSource,
    Triple,
    count_value,
    date_literal,
    datetime_literal,
    doi_record_triples,
    licence_triples,
    list_value,
    metric_triples,
    normalise_arxiv_id,
    normalise_doi,
    orcid_account_triples,
    paper_triples,
    repo_host_and_key,
    repository_link_triples,
    require_object,
    unique,
    unwrapped_json_records,
)

NAME = "datacite"

ARTIFACT_TYPES: dict[str, str] = {"dataset": "dataset", "software": "code", "computationalnotebook": "code"}
PAPER_TYPES = {"journalarticle", "preprint", "conferencepaper", "conferenceproceeding", "report",
               "dissertation", "text", "bookchapter", "book", "datapaper"}
ML_MODEL_CUES = re.compile(r"machine[- ]learning|deep[- ]learning|neural|pre-?trained|trained model|weights",
                           re.I)
DOCUMENTED_BY = {"issupplementto", "isdescribedby", "isdocumentedby"}
CODE_RELATIONS = {"issupplementto", "isderivedfrom", "iscompiledby", "isidenticalto", "isversionof",
                  "issupplementedby", "requires"}
#: DOI prefixes and publisher names of repositories that have their own sharing-location concept.
LOCATION_OF_PREFIX = {"10.5281": "Zenodo", "10.6084": "Figshare", "10.17605": "OpenScienceFramework"}
LOCATION_OF_PUBLISHER = (("zenodo", "Zenodo"), ("figshare", "Figshare"), ("open science framework",
                                                                          "OpenScienceFramework"))


def _attributes(value: Any) -> list[Any] | None:
    """Unwrap ``{"data": {...}}`` and ``{"data": [...]}`` API responses to their attributes."""
    if isinstance(value, dict) and "data" in value and "doi" not in value:
        data = value["data"]
        items = data if isinstance(data, list) else [data]
        return [item.get("attributes", item) if isinstance(item, dict) else item for item in items]
    if isinstance(value, list):
        return value
    return None


def read_datacite(path: Path) -> Iterator[Record]:
    return unwrapped_json_records(path, _attributes)


def record_doi(record: dict[str, Any]) -> str:
    """The record's DOI, lower-cased: ``doi``, else an ``identifiers`` entry of type DOI."""
    candidates: list[Any] = [record.get("doi")]
    for field in ("identifiers", "alternateIdentifiers"):
        for item in list_value(record, field):
            if isinstance(item, dict) and str(item.get("identifierType") or
                                              item.get("alternateIdentifierType") or "").upper() == "DOI":
                candidates.append(item.get("identifier") or item.get("alternateIdentifier"))
    for candidate in candidates:
        if isinstance(candidate, str) and candidate.strip():
            doi = normalise_doi(candidate)
            if doi is None:
                raise RecordError(f"expected a DOI (10.prefix/suffix), got {candidate!r}", field="doi")
            return doi
    raise RecordError("missing; expected the record's DOI", field="doi")


def record_kind(record: dict[str, Any]) -> str:
    """"dataset", "code", "model" or "paper" from ``types``; RecordError for other types."""
    types = record.get("types")
    if not isinstance(types, dict):
        raise RecordError("missing; expected an object with resourceTypeGeneral", field="types")
    general = types.get("resourceTypeGeneral")
    if not isinstance(general, str) or not general:
        raise RecordError(f"expected a string, got {general!r}", field="types.resourceTypeGeneral")
    key = general.lower()
    if key in ARTIFACT_TYPES:
        return ARTIFACT_TYPES[key]
    if key in PAPER_TYPES:
        return "paper"
    free_text = types.get("resourceType") if isinstance(types.get("resourceType"), str) else ""
    if key == "model" and ML_MODEL_CUES.search(free_text):
        return "model"
    raise RecordError(f"resource type {general!r} is not a dataset, software, a machine-learning model or "
                      "a paper", field="types.resourceTypeGeneral")


def _title(record: dict[str, Any]) -> str | None:
    titles = list_value(record, "titles")
    plain = [t for t in titles if isinstance(t, dict) and not t.get("titleType") and isinstance(t.get("title"), str)]
    chosen = plain or [t for t in titles if isinstance(t, dict) and isinstance(t.get("title"), str)]
    return chosen[0]["title"].strip() if chosen else None


def _publisher_name(record: dict[str, Any]) -> str | None:
    publisher = record.get("publisher")
    if isinstance(publisher, dict):  # kernel 4.5
        publisher = publisher.get("name")
    return publisher if isinstance(publisher, str) else None


def _location(doi: str, publisher: str | None) -> str:
    prefix = doi.split("/", 1)[0]
    if prefix in LOCATION_OF_PREFIX:
        return LOCATION_OF_PREFIX[prefix]
    text = (publisher or "").lower()
    for needle, location in LOCATION_OF_PUBLISHER:
        if needle in text:
            return location
    return "DataCiteRepository"


def _issued(record: dict[str, Any]) -> Literal | None:
    for item in list_value(record, "dates"):
        if isinstance(item, dict) and item.get("dateType") == "Issued":
            found = date_literal(item.get("date"))
            if found is not None:
                return found
    return date_literal(record.get("publicationYear"))


def _licences(iri: URIRef, record: dict[str, Any]) -> list[Triple]:
    out: list[Triple] = []
    for position, item in enumerate(list_value(record, "rightsList")):
        if not isinstance(item, dict):
            raise RecordError(f"expected objects, got {type(item).__name__}", field=f"rightsList[{position}]")
        uri = item.get("rightsUri") if isinstance(item.get("rightsUri"), str) else None
        if uri and uri.startswith("info:eu-repo"):
            continue
        raw = next((v for v in (item.get("rightsIdentifier"), uri, item.get("rights"))
                    if isinstance(v, str) and v.strip()), None)
        out += licence_triples(iri, raw, "datacite")
    return out


def _creators(iri: URIRef, record: dict[str, Any]) -> list[Triple]:
    out: list[Triple] = []
    for creator in list_value(record, "creators"):
        if not isinstance(creator, dict):
            continue
        for ident in creator.get("nameIdentifiers") or []:
            if not isinstance(ident, dict) or not isinstance(ident.get("nameIdentifier"), str):
                continue
            scheme = str(ident.get("nameIdentifierScheme") or "").upper()
            value = ident["nameIdentifier"].strip().rstrip("/")
            local = value.rsplit("/", 1)[-1]
            if scheme == "ORCID" and ORCID_ID.fullmatch(local):
                out += orcid_account_triples(iri, local)
                break
            if scheme == "ROR" and re.fullmatch(r"0[a-z0-9]{8}", local):
                agent = instance_iri("agent", f"ror/{local}")
                out += [(agent, RDF.type, ODLM.Organization), (agent, RDF.type, ODLM.Agent),
                        (iri, ODLM.sharedBy, agent)]
                if creator.get("nameType") == "Organizational" and isinstance(creator.get("name"), str):
                    out.append((agent, RDFS.label, string_literal(creator["name"])))
                break
    return out


def _related(iri: URIRef, kind: str, doi: str, record: dict[str, Any]) -> list[Triple]:
    out: list[Triple] = []
    for item in list_value(record, "relatedIdentifiers"):
        if not isinstance(item, dict):
            continue
        identifier, relation = item.get("relatedIdentifier"), item.get("relationType")
        id_type = str(item.get("relatedIdentifierType") or "").lower()
        if not (isinstance(identifier, str) and isinstance(relation, str)):
            continue
        relation = relation.lower()
        target_type = str(item.get("resourceTypeGeneral") or "").lower()
        if relation in DOCUMENTED_BY and (not target_type or target_type in PAPER_TYPES):
            arxiv_id = normalise_arxiv_id(identifier) if id_type == "arxiv" else None
            other_doi = normalise_doi(identifier) if id_type == "doi" else None
            if arxiv_id or (other_doi and other_doi != doi):
                paper, paper_out = paper_triples(doi=other_doi, arxiv_id=arxiv_id)
                out.append((iri, ODLM.describedBy, paper))
                out += paper_out
                continue
        if id_type == "url" and relation in CODE_RELATIONS and repo_host_and_key(identifier):
            archived = kind == "code" and relation != "requires"
            out += repository_link_triples(iri, identifier, archive_key=f"code/{doi}" if archived else None)
    return out


def map_record(data: Any) -> list[Triple]:
    """Triples of one DataCite record."""
    record = require_object(data, "DataCite metadata")
    doi = record_doi(record)
    kind = record_kind(record)
    title = _title(record)
    page = record.get("url") if isinstance(record.get("url"), str) else f"https://doi.org/{doi}"
    issued = _issued(record)
    publisher = _publisher_name(record)
    iri, out = doi_record_triples(kind, doi, location=_location(doi, publisher), landing_page=page,
                                  platform_id=doi, title=title, issued=issued)
    if kind == "paper":
        return unique(out)
    if publisher:
        out.append((iri, DCTERMS.publisher, string_literal(publisher)))
    out += _licences(iri, record)
    out += _creators(iri, record)
    out += _related(iri, kind, doi, record)
    observed = datetime_literal(record.get("updated"))
    out += metric_triples(iri, f"{kind}/{doi}", "Downloads", count_value(record, "downloadCount"), observed)
    return unique(out)


def datacite_source(options: LoadOptions | None = None) -> CrawlSource:
    """The ``datacite`` source (factory for the SOURCES registry)."""
    return CrawlSource(NAME, read_datacite, map_record)
