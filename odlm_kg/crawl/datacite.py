"""DataCite DOI search (``GET /dois``, JSON:API): ``--query`` is DataCite's query syntax, each
``--filter KEY=VALUE`` one more parameter (``resource-type-id=software``, ``client-id=…``); ``--since
DATE`` adds ``updated:[DATE TO *]``; cursor pagination (``page[cursor]``) through ``links.next``,
newest update first. Each record kept is a DOI's ``attributes`` object (what the loader reads).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from odlm_kg.crawl.http import Page
from odlm_kg.crawl.platform import CrawlOptions, Platform, body_next

PAGE_SIZE = 1000  # the most DataCite serves per page


def first_url(endpoint: str, options: CrawlOptions) -> str:
    query = options.query or ""
    if options.since is not None:
        clause = f"updated:[{options.since:%Y-%m-%dT%H:%M:%SZ} TO *]"
        query = f"({query}) AND {clause}" if query else clause
    params: dict[str, str] = {"page[size]": str(options.page_size or PAGE_SIZE), "page[cursor]": "1",
                              "sort": "-updated"}
    if query:
        params["query"] = query
    params.update(options.filters)
    return f"{endpoint.rstrip('/')}/dois?{urlencode(params)}"


def records(page: Page) -> list[Any]:
    data = page.data.get("data") if isinstance(page.data, dict) else page.data
    if not isinstance(data, list):
        return []
    return [item.get("attributes", item) if isinstance(item, dict) else item for item in data]


def changed_at(record: Any) -> str | None:
    return record.get("updated") if isinstance(record, dict) else None


DATACITE = Platform("datacite", "datacite", "https://api.datacite.org", None, first_url, records, body_next,
                    changed_at,
                    assumed_rate="DataCite: 1,000 requests per 5 minutes per IP with a contact address in the "
                                 "User-Agent, 3,000 authenticated")
