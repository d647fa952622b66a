"""Comparing what a crawl stored with what loading the same records from a file stores."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

from rdflib import Graph
from rdflib.compare import isomorphic

from odlm_kg.crawl import PLATFORMS, CrawlOptions
from odlm_kg.crawl.runner import CrawlPlan
from odlm_kg.sources import get_source
from odlm_kg.sources.pipeline import run_load
from odlm_kg.store.base import Store
from odlm_kg.store.oxigraph import OxigraphStore


def plan_for(name: str, endpoint: str, **settings: Any) -> CrawlPlan:
    """A plan that never waits long (tests count the waits) and draws no progress bar."""
    client = {"backoff_base": 0.01, **settings.pop("client_settings", {})}
    options = settings.pop("options", CrawlOptions())
    return CrawlPlan(PLATFORMS[name], endpoint, options, progress=False, client_settings=client, **settings)


def source_graph(store: Store, name: str) -> Graph:
    """The triples of the graph the crawl source's loader writes."""
    graph = store.query(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{get_source(PLATFORMS[name].load_source).graph}> "
                        "{ ?s ?p ?o } }")
    assert isinstance(graph, Graph)
    return graph


def loaded_from_file(name: str, records: list[Any], folder: Path) -> Graph:
    """The source graph of a fresh store after ``odlm-kg load`` of ``records`` written as JSON Lines."""
    path = folder / f"{name}-records.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    store = OxigraphStore()
    try:
        run_load(store, get_source(PLATFORMS[name].load_source), [path], progress=False)
        return source_graph(store, name)
    finally:
        store.close()


def same_graph(left: Graph, right: Graph) -> bool:
    return len(left) == len(right) and isomorphic(left, right)


def read_out(path: Path) -> list[Any]:
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]
