"""Hugging Face Hub listings: ``GET /api/models`` and ``GET /api/datasets``, the requests
``huggingface_hub.HfApi.list_models`` / ``list_datasets`` make, with the ``expand`` fields the loader maps
(card data, tags, gating, dates, counts, author) and the Hub's ``Link`` cursor pagination.

The page requests go through :mod:`odlm_kg.crawl.http` rather than through ``HfApi``'s own iterator:
that iterator yields ``ModelInfo`` objects and keeps its page cursor to itself, and a crawl that is to
resume after a kill needs the cursor in its checkpoint and the Hub's own JSON (what ``odlm-kg load
huggingface-models`` reads). ``huggingface_hub`` still decides the default endpoint (``HF_ENDPOINT``)
and which expand fields exist.
"""

from __future__ import annotations

import typing
from typing import Any
from urllib.parse import urlencode

from odlm_kg.crawl.http import Page, next_link
from odlm_kg.crawl.platform import CrawlOptions, Platform

#: Fields of a model listing the loader maps (odlm_kg.sources.huggingface).
MODEL_EXPAND = ("author", "cardData", "createdAt", "downloads", "gated", "lastModified", "library_name",
                "likes", "pipeline_tag", "sha", "siblings", "tags")
DATASET_EXPAND = ("author", "cardData", "createdAt", "downloads", "gated", "lastModified", "likes", "sha",
                  "tags", "description", "citation")
#: --filter names in the Hub's terms, as HfApi.list_models calls them, and the query parameter each sets.
FILTER_PARAMETERS = {"author": "author", "task": "pipeline_tag", "pipeline_tag": "pipeline_tag",
                     "library": "filter", "filter": "filter", "tag": "filter", "search": "search"}
PAGE_SIZE = 1000  # the most the Hub serves per page


def default_endpoint() -> str:
    """The Hub ``huggingface_hub`` talks to (``HF_ENDPOINT`` when set)."""
    try:
        from huggingface_hub import constants
    except ImportError:  # pragma: no cover - a dependency; the public Hub otherwise
        return "https://huggingface.co"
    return str(constants.ENDPOINT).rstrip("/")


def _known_expand(kind: str) -> tuple[str, ...]:
    """The expand fields this huggingface_hub knows of (all of ours when it cannot say)."""
    wanted = MODEL_EXPAND if kind == "models" else DATASET_EXPAND
    try:
        from huggingface_hub import hf_api

        literal = hf_api.ExpandModelProperty_T if kind == "models" else hf_api.ExpandDatasetProperty_T
        known = set(typing.get_args(literal))
    except (ImportError, AttributeError):  # pragma: no cover
        return wanted
    return tuple(name for name in wanted if name in known) or wanted


def _first_url(kind: str) -> Any:
    def first_url(endpoint: str, options: CrawlOptions) -> str:
        params: list[tuple[str, str]] = [("expand", name) for name in _known_expand(kind)]
        if options.query:
            params.append(("search", options.query))
        for key, value in options.filters.items():
            params.append((FILTER_PARAMETERS.get(key, key), value))
        # newest change first, so --since can stop at the first older record
        params += [("sort", "lastModified"), ("direction", "-1"),
                   ("limit", str(options.page_size or PAGE_SIZE))]
        return f"{endpoint.rstrip('/')}/api/{kind}?{urlencode(params)}"
    return first_url


def _records(page: Page) -> list[Any]:
    return page.data if isinstance(page.data, list) else []


def _changed_at(record: Any) -> str | None:
    return record.get("lastModified") if isinstance(record, dict) else None


RATE = "Hub API: 500 requests per 5 minutes per IP anonymous, 1,000 per user with a free account's token"

MODELS = Platform("huggingface-models", "huggingface-models", "https://huggingface.co", "HF_TOKEN",
                  _first_url("models"), _records, lambda page: next_link(page.headers), _changed_at,
                  assumed_rate=RATE)
DATASETS = Platform("huggingface-datasets", "huggingface-datasets", "https://huggingface.co", "HF_TOKEN",
                    _first_url("datasets"), _records, lambda page: next_link(page.headers), _changed_at,
                    assumed_rate=RATE)
