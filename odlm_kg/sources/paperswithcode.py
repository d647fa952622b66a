"""Papers with Code "links between papers and code" (the ``links-between-papers-and-code.json.gz`` dump:
``paper_url, paper_title, paper_arxiv_id, paper_url_abs, paper_url_pdf, repo_url, is_official,
mentioned_in_paper, mentioned_in_github, framework``) as code repositories described by papers.

Each link gives a paper (keyed by its arXiv id without version; a paper without one is keyed by its
Papers with Code slug) and a repository (GitHub ``owner/name`` lower-cased; GitLab and Bitbucket by host
and path), with ``repository odlm:describedBy paper``. Whether the code is the authors' own
(``is_official``) and the framework are not kept. A repository on a host without a sharing-location
concept (SourceForge, say) is rejected.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from odlm_kg.namespaces import ODLM
from odlm_kg.sources.base import LoadOptions, Record, RecordError, read_json_records
from odlm_kg.sources.crawl_terms import (
    CrawlSource,
    Triple,
    code_repository_triples,
    normalise_arxiv_id,
    paper_triples,
    require_object,
    text_value,
    unique,
)

NAME = "paperswithcode"


def read_links(path: Path) -> Iterator[Record]:
    return read_json_records(path)


def _paper_slug(url: str | None) -> str | None:
    if not url:
        return None
    parts = urlsplit(url)
    if not (parts.hostname or "").endswith("paperswithcode.com"):
        return None
    segments = [s for s in parts.path.split("/") if s]
    return segments[1] if len(segments) >= 2 and segments[0] == "paper" else None


def map_link(data: Any) -> list[Triple]:
    """Triples of one paper–code link."""
    link = require_object(data, "a Papers with Code link")
    repo_url = text_value(link, "repo_url", required=True)
    assert repo_url is not None
    repo = code_repository_triples(repo_url)
    if repo is None:
        raise RecordError(f"expected a GitHub or Bitbucket repository URL, got {repo_url!r}",
                          field="repo_url")
    raw_arxiv = text_value(link, "paper_arxiv_id")
    arxiv_id = normalise_arxiv_id(raw_arxiv) if raw_arxiv else None
    if raw_arxiv and arxiv_id is None:
        raise RecordError(f"expected an arXiv id such as 1810.04805, got {raw_arxiv!r}", field="paper_arxiv_id")
    slug = _paper_slug(text_value(link, "paper_url"))
    if arxiv_id is None and slug is None:
        raise RecordError("the paper has neither an arXiv id nor a paperswithcode.com/paper/ URL",
                          field="paper_url")
    paper, paper_out = paper_triples(arxiv_id=arxiv_id, other_key=None if arxiv_id else f"pwc/{slug}",
                                     title=text_value(link, "paper_title"),
                                     landing_page=text_value(link, "paper_url_abs") or text_value(link, "paper_url"))
    repo_iri, repo_out = repo
    return unique([*repo_out, *paper_out, (repo_iri, ODLM.describedBy, paper)])


def paperswithcode_source(options: LoadOptions | None = None) -> CrawlSource:
    """The ``paperswithcode`` source (factory for the SOURCES registry)."""
    return CrawlSource(NAME, read_links, map_link)
