"""Zenodo record search (``GET /api/records``, InvenioRDM): ``--query`` is Zenodo's query syntax,
each ``--filter KEY=VALUE`` one more query parameter (``type=software``, ``communities=…``);
``--since DATE`` adds ``updated:[DATE TO *]``; pages follow ``links.next``, newest update first.
Zenodo serves at most 10,000 hits per query: split a larger crawl by query.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from odlm_kg.crawl.http import Page
from odlm_kg.crawl.platform import CrawlOptions, Platform, body_next

PAGE_SIZE = 25  # the most Zenodo serves per page without a token


def first_url(endpoint: str, options: CrawlOptions) -> str:
    query = options.query or ""
    if options.since is not None:
        clause = f"updated:[{options.since:%Y-%m-%dT%H:%M:%S} TO *]"
        query = f"({query}) AND {clause}" if query else clause
    params: dict[str, str] = {"q": query, "sort": "updated-desc", "size": str(options.page_size or PAGE_SIZE),
                              "page": "1"}
    params.update(options.filters)
    return f"{endpoint.rstrip('/')}/records?{urlencode(params)}"


def records(page: Page) -> list[Any]:
    data = page.data
    if isinstance(data, dict) and isinstance(data.get("hits"), dict):
        hits = data["hits"].get("hits")
        return hits if isinstance(hits, list) else []
    return data if isinstance(data, list) else []


def changed_at(record: Any) -> str | None:
    if not isinstance(record, dict):
        return None
    return record.get("updated") or record.get("modified") or record.get("created")


ZENODO = Platform("zenodo", "zenodo", "https://zenodo.org/api", "ZENODO_TOKEN", first_url, records, body_next,
                  changed_at,
                  assumed_rate="Zenodo: 30 search requests per minute; 60 requests per minute in all "
                               "anonymous, 100 with a token")
