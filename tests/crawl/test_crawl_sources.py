"""Each source crawled end to end from the replay server equals loading the same records from a file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from crawl.helpers import loaded_from_file, plan_for, read_out, same_graph, source_graph
from crawl.replay import ReplayServer

from odlm_kg.crawl import PLATFORMS
from odlm_kg.crawl.http import USER_AGENT
from odlm_kg.crawl.runner import run_crawl
from odlm_kg.store.oxigraph import OxigraphStore

pytestmark = pytest.mark.real_data


@pytest.mark.parametrize("name", sorted(PLATFORMS))
def test_crawl_equals_loading_the_same_records(name: str, replay: ReplayServer, store: OxigraphStore,
                                               real_records: dict[str, list[Any]], tmp_path: Path) -> None:
    out = tmp_path / "raw.jsonl.gz"
    result = run_crawl(store, plan_for(name, replay.url, out=out))
    records = real_records[name]
    assert (result.kept, result.written, result.rejected) == (len(records), result.loaded, 0)
    assert result.pages == -(-len(records) // 2)  # every page followed, by Link header or links.next
    crawled = source_graph(store, name)
    assert len(crawled) > 10 * len(records)
    assert same_graph(crawled, loaded_from_file(name, records, tmp_path))
    # --out keeps the raw records in the format `load` reads, once each
    kept = read_out(out)
    assert len(kept) == len(records)
    assert same_graph(crawled, loaded_from_file(name, kept, tmp_path))
    # polite: every request says who asks
    assert all(entry.headers["user-agent"] == USER_AGENT for entry in replay.log)


def test_hub_listing_asks_for_the_fields_the_loader_maps(replay: ReplayServer, store: OxigraphStore) -> None:
    from odlm_kg.crawl import CrawlOptions

    options = CrawlOptions(query="bert", filters={"author": "google-bert", "task": "fill-mask",
                                                  "library": "transformers"})
    run_crawl(store, plan_for("huggingface-models", replay.url, options=options))
    first = replay.requests_to("/api/models")[0].query
    assert first["author"] == "google-bert" and first["pipeline_tag"] == "fill-mask"
    assert first["filter"] == "transformers" and first["search"] == "bert"
    assert first["sort"] == "lastModified" and first["direction"] == "-1"


def test_huggingface_hub_client_reads_the_same_listing_offline(replay: ReplayServer,
                                                               real_records: dict[str, list[Any]]) -> None:
    """The pages the crawl reads are the Hub's API as huggingface_hub itself reads it, offline with endpoint=."""
    from huggingface_hub import HfApi

    api = HfApi(endpoint=replay.url, token=False)
    listed = [model.id for model in api.list_models(expand=["cardData", "lastModified", "author"])]
    assert listed == [record["id"] for record in real_records["huggingface-models"]]
    first = next(iter(api.list_models(expand=["cardData"])))
    assert first.card_data is not None and first.card_data.get("license") == "apache-2.0"


@pytest.mark.slow
def test_a_large_crawl_loads_with_worker_processes_to_the_same_graph(real_records: dict[str, list[Any]],
                                                                     store: OxigraphStore, tmp_path: Path) -> None:
    """Pages of 500 records: the streaming load starts the loader's worker processes; same graph as a file."""
    from crawl.conftest import feeds_of, hub_variants

    records = {**real_records, "huggingface-models": hub_variants(real_records["huggingface-models"][0], 1000,
                                                                  "model")}
    with ReplayServer(feeds_of(records, page_size=500)) as server:
        result = run_crawl(store, plan_for("huggingface-models", server.url, load_every=600))
    assert (result.pages, result.kept, result.written) == (2, 1000, 1000)
    assert len(result.load_runs) == 1  # 1,000 records: past --load-every at the last page
    assert same_graph(source_graph(store, "huggingface-models"),
                      loaded_from_file("huggingface-models", records["huggingface-models"], tmp_path))
