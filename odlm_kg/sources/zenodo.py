"""Zenodo records (``GET /api/records/{id}`` and search hits; the legacy 2018 layout and the current
InvenioRDM compatibility layout) as artifacts shared at Zenodo.

The resource type decides the kind: ``software`` is source code, ``dataset`` a dataset, ``model`` a
pre-trained model, ``publication`` a paper; other types (images, posters, videos...) are rejected as
outside the graph's scope. Artifacts are keyed by their DOI (lower-cased), carry the Zenodo licence id
through the licence table, the owner accounts and the creators who have an ORCID (as ORCID accounts,
never by name), the papers they supplement or are documented by
(DOI or arXiv related identifiers), the GitHub repository a software release archives (derived from it)
or that a dataset or model supplements (its source code), and the download count (``stats``) dated by
the record's ``updated`` time.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from rdflib import URIRef

from odlm_kg.namespaces import ODLM, instance_iri
from odlm_kg.sources.base import LoadOptions, Record, RecordError
from odlm_kg.sources.crawl_terms import (
    ORCID_ID,
    CrawlSource,
    Triple,
    account_triples,
    count_value,
    date_literal,
    datetime_literal,
    doi_record_triples,
    licence_triples,
    list_value,
    metric_triples,
    normalise_doi,
    object_value,
    orcid_account_triples,
    paper_from_reference,
    repo_host_and_key,
    repository_link_triples,
    require_object,
    text_value,
    unique,
    unwrapped_json_records,
)

NAME = "zenodo"
ZENODO_HOME = "https://zenodo.org/"

#: Zenodo resource (upload) types and the artifact kind each becomes; "paper" for publications.
KIND_OF_TYPE: dict[str, str] = {"software": "code", "dataset": "dataset", "model": "model",
                                "publication": "paper"}
#: Relations (lower-cased) by which a record points at the paper that documents it.
DOCUMENTED_BY = {"issupplementto", "isdocumentedby", "isdescribedby"}


def _hits(value: Any) -> list[Any] | None:
    """The records of a search response (``{"hits": {"hits": [...]}}``) or of an array."""
    if isinstance(value, dict) and isinstance(value.get("hits"), dict) and "metadata" not in value:
        hits = value["hits"].get("hits")
        return hits if isinstance(hits, list) else []
    if isinstance(value, list):
        return value
    return None


def read_zenodo(path: Path) -> Iterator[Record]:
    return unwrapped_json_records(path, _hits)


def _resource_type(metadata: dict[str, Any]) -> str:
    resource = metadata.get("resource_type") or metadata.get("upload_type")
    if isinstance(resource, str):
        value = resource
    elif isinstance(resource, dict):
        value = resource.get("type") or resource.get("id")
    else:
        raise RecordError("missing; expected an object with 'type'", field="metadata.resource_type")
    if not isinstance(value, str) or not value:
        raise RecordError(f"expected a resource type string, got {value!r}", field="metadata.resource_type")
    return value.lower().split("-", 1)[0]  # InvenioRDM ids such as "publication-article"


def _licence_id(metadata: dict[str, Any]) -> str | None:
    licence = metadata.get("license")
    if licence is None:
        rights = metadata.get("rights")
        licence = rights[0] if isinstance(rights, list) and rights else None
    if isinstance(licence, str):
        return licence
    if isinstance(licence, dict):
        value = licence.get("id") or licence.get("identifier")
        if isinstance(value, str):
            return value
        title = licence.get("title")
        if isinstance(title, dict):
            title = title.get("en")
        return title if isinstance(title, str) else None
    if licence is not None:
        raise RecordError(f"expected an object or a string, got {type(licence).__name__}", field="metadata.license")
    return None


def map_record(data: Any) -> list[Triple]:
    """Triples of one Zenodo record."""
    record = require_object(data, "a Zenodo record")
    metadata = object_value(record, "metadata")
    if metadata is None:
        raise RecordError("missing; expected the record's metadata object", field="metadata")
    raw_doi = text_value(record, "doi") or text_value(metadata, "doi")
    record_id = record.get("id") if isinstance(record.get("id"), int | str) else None
    if raw_doi is None and record_id is not None:
        raw_doi = f"10.5281/zenodo.{record_id}"
    doi = normalise_doi(raw_doi) if raw_doi else None
    if doi is None:
        raise RecordError(f"expected a DOI, got {raw_doi!r}", field="doi")
    resource = _resource_type(metadata)
    kind = KIND_OF_TYPE.get(resource)
    if kind is None:
        raise RecordError(f"resource type {resource!r} is not software, a dataset, a model or a publication",
                          field="metadata.resource_type")
    title = text_value(metadata, "title")
    links = object_value(record, "links") or {}
    page = links.get("html") or links.get("self_html") or (
        f"{ZENODO_HOME}records/{record_id}" if record_id is not None else f"https://doi.org/{doi}")
    issued = date_literal(metadata.get("publication_date"))

    iri, out = doi_record_triples(kind, doi, location="Zenodo", landing_page=page, title=title, issued=issued,
                                  platform_id=str(record_id) if record_id is not None else None)
    if kind == "paper":
        return unique(out)
    out += licence_triples(iri, _licence_id(metadata), "zenodo")

    for owner in list_value(record, "owners"):
        owner_id = owner.get("id") if isinstance(owner, dict) else owner
        if isinstance(owner_id, int | str) and not isinstance(owner_id, bool) and str(owner_id):
            out += account_triples(iri, "zenodo", str(owner_id), ZENODO_HOME)[1]

    for creator in list_value(metadata, "creators"):
        orcid = creator.get("orcid") if isinstance(creator, dict) else None
        orcid_id = orcid.strip().rsplit("/", 1)[-1] if isinstance(orcid, str) else ""
        if ORCID_ID.fullmatch(orcid_id):
            out += orcid_account_triples(iri, orcid_id)

    out += _related_triples(iri, kind, doi, list_value(metadata, "related_identifiers"))

    stats = object_value(record, "stats") or {}
    observed = datetime_literal(record.get("updated")) or datetime_literal(record.get("modified"))
    downloads = count_value(stats, "downloads") if stats else None
    out += metric_triples(iri, f"{kind}/{doi}", "Downloads", downloads, observed)
    return unique(out)


def _related_triples(iri: URIRef, kind: str, doi: str, related: list[Any]) -> list[Triple]:
    out: list[Triple] = []
    for position, item in enumerate(related):
        if not isinstance(item, dict):
            raise RecordError(f"expected objects, got {type(item).__name__}",
                              field=f"metadata.related_identifiers[{position}]")
        identifier, relation = item.get("identifier"), item.get("relation")
        if not (isinstance(identifier, str) and isinstance(relation, str)):
            continue
        relation = relation.lower()
        if relation in DOCUMENTED_BY and repo_host_and_key(identifier) is None:
            found = paper_from_reference(identifier)
            if found is not None and found[0] != instance_iri("paper", doi):
                out.append((iri, ODLM.describedBy, found[0]))
                out += found[1]
        elif relation in {"issupplementto", "isderivedfrom", "isidenticalto", "iscompiledby"}:
            out += repository_link_triples(iri, identifier, archive_key=f"code/{doi}" if kind == "code" else None)
    return out


def zenodo_source(options: LoadOptions | None = None) -> CrawlSource:
    """The ``zenodo`` source (factory for the SOURCES registry)."""
    return CrawlSource(NAME, read_zenodo, map_record)
