"""What a platform client is: how to ask for the first page, read a page's records and find the next one.

Each platform module (:mod:`~odlm_kg.crawl.huggingface`, :mod:`~odlm_kg.crawl.github`,
:mod:`~odlm_kg.crawl.zenodo`, :mod:`~odlm_kg.crawl.datacite`) defines one :class:`Platform`; the
crawl loop in :mod:`odlm_kg.crawl.runner` does the rest the same way for all.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from odlm_kg.crawl.http import Page


@dataclass
class CrawlOptions:
    """What to ask a platform for, in its own terms.

    ``query``: the platform's search text (Hub search, GitHub search query, Zenodo or DataCite query);
    ``filters``: KEY=VALUE settings the platform understands (Hub ``author``, ``task``, ``library``;
    GitHub qualifiers; Zenodo and DataCite query parameters); ``since``: only what changed since then.
    """

    query: str | None = None
    filters: dict[str, str] = field(default_factory=dict)
    since: datetime | None = None
    page_size: int | None = None


@dataclass(frozen=True)
class Platform:
    """One crawlable listing of a platform."""

    name: str                 # the crawl source, as on the command line
    load_source: str          # the loader (``odlm-kg load`` source) that reads its records
    default_endpoint: str     # the public API base
    token_variable: str | None
    first_url: Callable[[str, CrawlOptions], str]
    records: Callable[[Page], list[Any]]
    next_url: Callable[[Page], str | None]
    changed_at: Callable[[Any], str | None]
    #: pages come newest change first, so the first record older than ``--since`` ends the crawl
    newest_first: bool = True
    #: the most requests the platform allows in its window, and the window, as assumed in docs/crawling.md
    assumed_rate: str = ""


def parse_time(value: Any) -> datetime | None:
    """An ISO 8601 date or date-time as an aware datetime (UTC when no zone is given); None otherwise.

    >>> parse_time("2024-02-19T11:06:12.000Z")
    datetime.datetime(2024, 2, 19, 11, 6, 12, tzinfo=datetime.timezone.utc)
    >>> parse_time("2018-03-05") is not None, parse_time("soon")
    (True, None)
    """
    if not isinstance(value, str) or not value:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def body_next(page: Page) -> str | None:
    """``links.next`` of a JSON body (Zenodo, DataCite), else the ``Link`` header's next URL."""
    from odlm_kg.crawl.http import next_link

    links = page.data.get("links") if isinstance(page.data, dict) else None
    if isinstance(links, dict) and isinstance(links.get("next"), str) and links["next"]:
        return links["next"]
    return next_link(page.headers)
