"""Replay feeds built from the real samples in ../shared/data/real (read from there, never copied)."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from crawl.replay import Feed, ReplayServer, datacite_page, github_page, hub_page, zenodo_page

from odlm_kg.store.oxigraph import OxigraphStore

HUB_MODELS = "/api/models"
HUB_DATASETS = "/api/datasets"
GITHUB_SEARCH = "/search/repositories"
ZENODO_RECORDS = "/records"
DATACITE_DOIS = "/dois"


def _json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def hub_variants(real: dict[str, Any], count: int, kind: str) -> list[dict[str, Any]]:
    """The real record and ``count - 1`` copies under other ids, each modified a month earlier than the one
    before (the Hub's ``sort=lastModified`` order), so a listing has several pages."""
    records = [real]
    for number in range(1, count):
        twin = copy.deepcopy(real)
        repo_id = f"replay-owner-{number % 3}/{kind}-{number}"
        twin["id"] = repo_id
        if "modelId" in twin:
            twin["modelId"] = repo_id
        twin["author"] = repo_id.split("/")[0]
        twin["_id"] = f"{number:024x}"
        twin["lastModified"] = f"2023-{12 - number % 12:02d}-01T00:00:00.000Z"
        records.append(twin)
    return records


@pytest.fixture(scope="session")
def real_records(real_data: Path) -> dict[str, list[Any]]:
    """Records of each platform, in the order the platform lists them (newest change first where it sorts)."""
    hf = real_data / "hf-api-aibomgen"
    model = _json(hf / "model_info_google-bert_bert-base-uncased.json")
    dataset = _json(hf / "dataset_info_LanguageShades_BiasShades.json")
    gh = real_data / "github-api-pygithub"
    repos = [*_json(gh / "search_repositories_2014_first5.json")["items"], _json(gh / "repos_PyGithub_PyGithub.json")]
    zenodo = sorted((_json(p) for p in sorted((real_data / "zenodo-doi2cff").glob("record_*.json"))),
                    key=lambda r: r["updated"], reverse=True)
    datacite = [_json(p) for p in sorted((real_data / "datacite-invenio").glob("*.json"))]
    return {"huggingface-models": hub_variants(model, 5, "model"),
            "huggingface-datasets": hub_variants(dataset, 3, "dataset"),
            "github": repos, "zenodo": zenodo, "datacite": datacite}


#: crawl source → (listing path, page wrapper, next link in a Link header)
LISTINGS = {
    "huggingface-models": (HUB_MODELS, hub_page, True),
    "huggingface-datasets": (HUB_DATASETS, hub_page, True),
    "github": (GITHUB_SEARCH, github_page, True),
    "zenodo": (ZENODO_RECORDS, zenodo_page, False),
    "datacite": (DATACITE_DOIS, datacite_page, False),
}


def feeds_of(records: dict[str, list[Any]], page_size: int = 2, **settings: Any) -> dict[str, Feed]:
    feeds = {}
    for name, (path, wrap, link) in LISTINGS.items():
        feeds[path] = Feed(records[name], page_size, wrap, link_header=link, **settings)
    return feeds


@pytest.fixture()
def replay(real_records: dict[str, list[Any]]) -> Iterator[ReplayServer]:
    """Every listing served in pages of two records."""
    with ReplayServer(feeds_of(real_records)) as server:
        yield server


@pytest.fixture()
def store() -> Iterator[OxigraphStore]:
    store = OxigraphStore()
    yield store
    store.close()
