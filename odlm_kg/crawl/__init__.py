"""``odlm-kg crawl``: fetch platform records with the platforms' APIs, politely and resumably, and load them
through the same pipeline as ``odlm-kg load`` (:func:`~odlm_kg.sources.pipeline.run_load`).

- :mod:`~odlm_kg.crawl.http`: the polite HTTP layer (User-Agent, back-off, ``Retry-After``, rate windows,
  conditional requests);
- :mod:`~odlm_kg.crawl.huggingface`, :mod:`~odlm_kg.crawl.github`, :mod:`~odlm_kg.crawl.zenodo`,
  :mod:`~odlm_kg.crawl.datacite`: one platform client each;
- :mod:`~odlm_kg.crawl.checkpoint` and :mod:`~odlm_kg.crawl.runner`: the crawl loop, its checkpoint after
  every page, and the crawl's record in the provenance graph.

>>> sorted(PLATFORMS)
['datacite', 'github', 'huggingface-datasets', 'huggingface-models', 'zenodo']
"""

from __future__ import annotations

from odlm_kg.crawl.datacite import DATACITE
from odlm_kg.crawl.github import GITHUB
from odlm_kg.crawl.huggingface import DATASETS, MODELS, default_endpoint
from odlm_kg.crawl.platform import CrawlOptions, Platform
from odlm_kg.crawl.zenodo import ZENODO
from odlm_kg.errors import UsageError

PLATFORMS: dict[str, Platform] = {p.name: p for p in (MODELS, DATASETS, GITHUB, ZENODO, DATACITE)}


def get_platform(name: str) -> Platform:
    """The platform crawled as ``name``; a UsageError lists the known ones otherwise."""
    try:
        return PLATFORMS[name]
    except KeyError:
        raise UsageError(f"no crawl source {name!r}: expected one of {', '.join(sorted(PLATFORMS))}") from None


def endpoint_of(platform: Platform) -> str:
    """The platform's public API base (for the Hub, the one ``huggingface_hub`` uses: ``HF_ENDPOINT``)."""
    return default_endpoint() if platform.token_variable == "HF_TOKEN" else platform.default_endpoint


__all__ = ["PLATFORMS", "CrawlOptions", "Platform", "endpoint_of", "get_platform"]
