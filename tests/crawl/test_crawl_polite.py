"""Politeness against the replay server: User-Agent, Retry-After, back-off on 5xx and cut bodies, rate
windows, conditional requests, tokens that go nowhere but the Authorization header."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from crawl.conftest import GITHUB_SEARCH, HUB_MODELS, feeds_of
from crawl.helpers import loaded_from_file, plan_for, same_graph, source_graph
from crawl.replay import Fault, ReplayServer

from odlm_kg.cli.app import main
from odlm_kg.crawl.http import CrawlError
from odlm_kg.crawl.runner import run_crawl
from odlm_kg.store.oxigraph import OxigraphStore

pytestmark = pytest.mark.real_data


def test_429_waits_as_long_as_retry_after_says(replay: ReplayServer, store: OxigraphStore,
                                               real_records: dict[str, list[Any]], tmp_path: Path) -> None:
    replay.faults.append(Fault(GITHUB_SEARCH, 2, "429", retry_after="3"))
    waits: list[float] = []
    result = run_crawl(store, plan_for("github", replay.url, client_settings={"sleep": waits.append}))
    assert waits == [3.0]  # Retry-After, not the (much shorter) back-off of the test settings
    assert [e.status for e in replay.requests_to(GITHUB_SEARCH)] == [200, 429, 200, 200]
    assert (result.kept, result.retries) == (6, 1)
    assert same_graph(source_graph(store, "github"), loaded_from_file("github", real_records["github"], tmp_path))


def test_503_and_a_cut_body_are_retried_with_jittered_back_off(replay: ReplayServer, store: OxigraphStore) -> None:
    replay.faults += [Fault(HUB_MODELS, 1, "503", times=2), Fault(HUB_MODELS, 2, "truncated")]
    waits: list[float] = []
    result = run_crawl(store, plan_for("huggingface-models", replay.url,
                                       client_settings={"sleep": waits.append, "backoff_base": 0.5}))
    assert result.kept == 5 and result.retries == 3
    # full jitter: each wait drawn from [0, base * 2^attempt], no Retry-After given
    assert len(waits) == 3 and 0 <= waits[0] <= 1.0 and 0 <= waits[1] <= 2.0 and 0 <= waits[2] <= 1.0


def test_retries_are_bounded_and_the_crawl_resumes_later(replay: ReplayServer, tmp_path: Path) -> None:
    replay.faults.append(Fault(HUB_MODELS, 2, "503", times=4))
    checkpoint = tmp_path / "models.checkpoint.json"
    store = OxigraphStore()
    with pytest.raises(CrawlError, match=r"failed 3 times .*run the command again to resume"):
        run_crawl(store, plan_for("huggingface-models", replay.url, checkpoint=checkpoint,
                                  client_settings={"max_retries": 2, "sleep": lambda s: None}))
    saved = json.loads(checkpoint.read_text())
    assert saved["pages"] == 1 and "replay_page=2" in saved["next_url"]
    result = run_crawl(store, plan_for("huggingface-models", replay.url, checkpoint=checkpoint,
                                       client_settings={"sleep": lambda s: None}))
    assert result.resumed and result.kept == 5 and not checkpoint.exists()


def test_rate_window_spent_waits_for_its_reset(real_records: dict[str, list[Any]], store: OxigraphStore) -> None:
    with ReplayServer(feeds_of(real_records, rate_limit=2)) as server:
        waits: list[float] = []
        result = run_crawl(store, plan_for("github", server.url, client_settings={"sleep": waits.append}))
    assert result.kept == 6
    assert len(waits) == 1 and 55 < waits[0] <= 62  # X-RateLimit-Reset is a minute ahead


def test_etag_revalidation_fetches_nothing_unchanged(replay: ReplayServer, tmp_path: Path) -> None:
    store = OxigraphStore(tmp_path / "store")
    try:
        checkpoint = tmp_path / "crawl" / "github.checkpoint.json"
        first = run_crawl(store, plan_for("github", replay.url, checkpoint=checkpoint))
        before = source_graph(store, "github")
        second = run_crawl(store, plan_for("github", replay.url, checkpoint=checkpoint))
        conditional = [e for e in replay.requests_to(GITHUB_SEARCH) if "if-none-match" in e.headers]
        assert len(conditional) == first.pages == 3 and {e.status for e in conditional} == {304}
        assert (second.not_modified_pages, second.kept) == (3, 0)
        assert same_graph(before, source_graph(store, "github"))
    finally:
        store.close()


TOKEN = "ghp_replaySecretToken0123456789"


def test_token_goes_only_into_the_authorization_header(real_records: dict[str, list[Any]], tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    store_dir, out = tmp_path / "store", tmp_path / "raw.jsonl.gz"
    with ReplayServer(feeds_of(real_records, token=TOKEN)) as server:
        monkeypatch.delenv("GITHUB_TOKEN", raising=False)
        assert main(["--store", str(store_dir), "crawl", "github", "--endpoint", server.url, "--no-progress"]) == 1
        assert "HTTP 401" in capsys.readouterr().err
        monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
        # stopped after its first page, then resumed: the checkpoint has been written with the token set
        server.faults.append(Fault(GITHUB_SEARCH, 2, "429", retry_after="3600"))  # too long: stop
        assert main(["--store", str(store_dir), "crawl", "github", "--endpoint", server.url, "--no-progress",
                     "--out", str(out)]) == 1
        leftovers = {p: p.read_bytes() for p in (store_dir / "crawl").iterdir()}
        server.faults.clear()
        assert main(["--store", str(store_dir), "crawl", "github", "--endpoint", server.url, "--no-progress",
                     "--out", str(out)]) == 0
        assert {e.headers.get("authorization") for e in server.log if e.status == 200} == {f"Bearer {TOKEN}"}
    printed = capsys.readouterr()
    assert "kept 6" in printed.out
    assert TOKEN not in printed.out + printed.err
    assert leftovers and all(TOKEN.encode() not in data for data in leftovers.values())
    assert TOKEN.encode() not in out.read_bytes() and TOKEN.encode() not in __import__("gzip").decompress(out.read_bytes())
    kept = OxigraphStore(store_dir)
    try:
        everything = kept.query("SELECT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } }")
        assert not any(TOKEN in str(term) for row in everything for term in row.values())  # type: ignore[union-attr]
    finally:
        kept.close()
