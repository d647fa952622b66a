"""GitHub repository search (``GET /search/repositories``) through the REST API: ``Link`` pagination,
conditional requests (``If-None-Match``; a 304 costs no rate), the ``X-RateLimit-*`` window respected.

``--query`` is GitHub's search query (default ``topic:deep-learning``); each ``--filter KEY=VALUE`` is one
more qualifier ``KEY:VALUE`` (``language=python``, ``stars=>100``); ``--since DATE`` adds
``pushed:>=DATE``. GitHub's search returns at most 1,000 results per query: split a larger crawl by
qualifiers (``created:2020-01-01..2020-06-30``).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from odlm_kg.crawl.http import Page, next_link
from odlm_kg.crawl.platform import CrawlOptions, Platform

DEFAULT_QUERY = "topic:deep-learning"
PAGE_SIZE = 100  # the most GitHub serves per page


def first_url(endpoint: str, options: CrawlOptions) -> str:
    terms = [options.query or DEFAULT_QUERY]
    terms += [f"{key}:{value}" for key, value in options.filters.items()]
    if options.since is not None:
        terms.append(f"pushed:>={options.since:%Y-%m-%dT%H:%M:%SZ}")
    params = {"q": " ".join(terms), "sort": "updated", "order": "desc",
              "per_page": str(min(options.page_size or PAGE_SIZE, PAGE_SIZE))}
    return f"{endpoint.rstrip('/')}/search/repositories?{urlencode(params)}"


def records(page: Page) -> list[Any]:
    data = page.data
    if isinstance(data, dict) and isinstance(data.get("items"), list):
        return data["items"]
    return data if isinstance(data, list) else []


def changed_at(record: Any) -> str | None:
    if not isinstance(record, dict):
        return None
    return record.get("pushed_at") or record.get("updated_at")


GITHUB = Platform("github", "github", "https://api.github.com", "GITHUB_TOKEN", first_url, records,
                  lambda page: next_link(page.headers), changed_at, newest_first=False,
                  assumed_rate="GitHub search: 30 requests per minute with a token, 10 without")
