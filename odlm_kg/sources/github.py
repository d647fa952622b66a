"""GitHub REST repository objects (``GET /repos/{owner}/{repo}``, ``GET /orgs/{org}/repos`` lists and
``GET /search/repositories`` pages) as source code shared on GitHub.

A repository becomes an ``odlm:SourceCode`` keyed by its lower-cased ``owner/name``, shared at GitHub,
shared by the owner's account, under the licence GitHub detected (``license.spdx_id``, through the
licence table; ``NOASSERTION`` is a licence of unknown openness and the raw id is kept), with stars and forks as observations dated by ``updated_at``
(the time the repository object last changed). A fork with its ``parent`` is derived from the parent.
Old search items (2014) lack ``license`` and ``topics``; they map without a licence.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from rdflib import URIRef

from odlm_kg.literals import string_literal
from odlm_kg.namespaces import ODLM, instance_iri
from odlm_kg.sources.base import LoadOptions, Record, RecordError
from odlm_kg.sources.crawl_terms import (
    DCTERMS,
    GITHUB_HOME,
    CrawlSource,
    Triple,
    account_triples,
    artifact_triples,
    count_value,
    datetime_literal,
    derivation_triples,
    licence_triples,
    metric_triples,
    object_value,
    require_object,
    text_value,
    unique,
    unwrapped_json_records,
)

NAME = "github"


def _search_items(value: Any) -> list[Any] | None:
    """The repositories of a search result page or a list wrapper; None for a repository object."""
    if isinstance(value, dict) and "items" in value and "full_name" not in value:
        items = value["items"]
        return items if isinstance(items, list) else [items]
    if isinstance(value, list):
        return value
    return None


def read_github(path: Path) -> Iterator[Record]:
    """Repository records of GitHub JSON files (objects, arrays, JSON Lines, search pages)."""
    return unwrapped_json_records(path, _search_items)


def repository_key(repo: dict[str, Any]) -> str:
    """Lower-cased ``owner/name`` of a repository object (from ``full_name``, else owner login + name)."""
    full_name = text_value(repo, "full_name")
    if full_name is None:
        owner = object_value(repo, "owner") or {}
        login, name = text_value(owner, "login"), text_value(repo, "name")
        if not (login and name):
            raise RecordError("missing; expected owner/name of the repository", field="full_name")
        full_name = f"{login}/{name}"
    if full_name.count("/") != 1 or " " in full_name:
        raise RecordError(f"expected owner/name, got {full_name!r}", field="full_name")
    return full_name.lower()


def repository_iri(key: str) -> URIRef:
    return instance_iri("code", key)


def map_repository(data: Any) -> list[Triple]:
    """Triples of one GitHub repository object."""
    repo = require_object(data, "a GitHub repository")
    key = repository_key(repo)
    iri = repository_iri(key)
    full_name = text_value(repo, "full_name") or key
    page = text_value(repo, "html_url") or f"https://github.com/{full_name}"
    out = artifact_triples(iri, "code", location="GitHub", landing_page=page, platform_id=full_name,
                           title=full_name)
    description = text_value(repo, "description")
    if description:
        out.append((iri, DCTERMS.description, string_literal(description)))
    created = datetime_literal(repo.get("created_at"))
    if created is not None:
        out.append((iri, DCTERMS.created, created))

    owner = object_value(repo, "owner")
    if owner is not None:
        login = text_value(owner, "login")
        if login:
            kind = text_value(owner, "type")
            agent_class = ODLM.Organization if kind == "Organization" else ODLM.Agent
            out += account_triples(iri, "github", login, str(GITHUB_HOME), agent_class=agent_class)[1]

    licence = object_value(repo, "license")
    if licence is not None:
        raw = text_value(licence, "spdx_id") or text_value(licence, "key") or text_value(licence, "name")
        out += licence_triples(iri, raw, "github")

    observed = datetime_literal(repo.get("updated_at")) or datetime_literal(repo.get("pushed_at"))
    stars = count_value(repo, "stargazers_count")
    forks = count_value(repo, "forks_count")
    if forks is None:
        forks = count_value(repo, "forks")
    out += metric_triples(iri, f"code/{key}", "Stars", stars, observed)
    out += metric_triples(iri, f"code/{key}", "Forks", forks, observed)

    parent = object_value(repo, "parent")
    if repo.get("fork") is True and parent is not None:
        parent_key = repository_key(parent)
        parent_iri = repository_iri(parent_key)
        out += artifact_triples(parent_iri, "code", location="GitHub",
                                landing_page=f"https://github.com/{parent_key}",
                                platform_id=text_value(parent, "full_name") or parent_key)
        out += derivation_triples(iri, f"code/{key}", parent_iri, f"code/{parent_key}")
    return unique(out)


def github_source(options: LoadOptions | None = None) -> CrawlSource:
    """The ``github`` source (factory for the SOURCES registry)."""
    return CrawlSource(NAME, read_github, map_repository)
