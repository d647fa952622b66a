"""A crawl stopped at any moment resumes where it stopped, keeps no record twice and ends with the graph an
uninterrupted crawl makes; --since and its default (the store's last crawl); --out read by `load`."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from crawl.conftest import HUB_MODELS, feeds_of
from crawl.helpers import loaded_from_file, plan_for, read_out, same_graph, source_graph
from crawl.replay import ReplayServer

from odlm_kg.cli.app import main
from odlm_kg.crawl import CrawlOptions
from odlm_kg.crawl.checkpoint import Checkpoint
from odlm_kg.crawl.runner import last_crawl_start, run_crawl
from odlm_kg.store.oxigraph import OxigraphStore

pytestmark = pytest.mark.real_data


class Killed(BaseException):
    """Stands for a kill between two pages (BaseException: nothing may catch it on the way)."""


def stop_after(pages: int) -> Any:
    def after_page(state: Checkpoint) -> None:
        if state.pages == pages:
            raise Killed
    return after_page


@pytest.mark.parametrize("name", ["huggingface-models", "zenodo", "datacite"])
def test_resume_after_a_stop_keeps_every_record_once(name: str, replay: ReplayServer,
                                                     real_records: dict[str, list[Any]], tmp_path: Path) -> None:
    checkpoint, out, store = tmp_path / "c.checkpoint.json", tmp_path / "raw.jsonl.gz", OxigraphStore()
    with pytest.raises(Killed):
        run_crawl(store, plan_for(name, replay.url, checkpoint=checkpoint, out=out, load_every=1,
                                  after_page=stop_after(1)))
    assert Checkpoint.read(checkpoint).pages == 1  # type: ignore[union-attr]
    # a kill while the next page was being written leaves part of it behind: cut off on resume
    with open(out, "ab") as handle:
        handle.write(b"\x1f\x8b\x08\x00half a gzip member")
    with open(tmp_path / "c.checkpoint.spool.jsonl", "ab") as handle:
        handle.write(b'{"id": "half-a-rec')
    result = run_crawl(store, plan_for(name, replay.url, checkpoint=checkpoint, out=out, load_every=1))
    records = real_records[name]
    assert result.resumed and result.kept == len(records)
    assert read_out(out) == records  # once each, in order
    assert same_graph(source_graph(store, name), loaded_from_file(name, records, tmp_path))
    assert not checkpoint.exists()
    store.close()


def test_kill_9_during_a_crawl_resumes_to_the_same_graph(real_records: dict[str, list[Any]], tmp_path: Path) -> None:
    """A real ``kill -9`` of ``odlm-kg crawl`` (one record a page, a slow server), then the same command."""
    store_dir = tmp_path / "store"
    checkpoint = store_dir / "crawl" / "huggingface-models.checkpoint.json"
    with ReplayServer(feeds_of(real_records, page_size=1, delay=0.15)) as server:
        command = [sys.executable, "-m", "odlm_kg.cli.app", "--store", str(store_dir), "crawl",
                   "huggingface-models", "--endpoint", server.url, "--no-progress", "--load-every", "1"]
        crawl = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if json.loads(checkpoint.read_text())["pages"] >= 2:
                    break
            except (OSError, ValueError, KeyError):
                pass
            time.sleep(0.02)
        os.kill(crawl.pid, signal.SIGKILL)
        crawl.wait()
        stopped_at = json.loads(checkpoint.read_text())["pages"]
        assert 2 <= stopped_at < 5
        requests_before = len(server.requests_to(HUB_MODELS))
        finished = subprocess.run(command, capture_output=True, text=True, timeout=120)
        assert finished.returncode == 0, finished.stderr
        assert "(resumed)" in finished.stdout and "kept 5" in finished.stdout
        refetched = len(server.requests_to(HUB_MODELS)) + stopped_at - requests_before - 5
    assert refetched <= 1  # at most the page the kill interrupted is asked for again
    store = OxigraphStore(store_dir)
    try:
        assert same_graph(source_graph(store, "huggingface-models"),
                          loaded_from_file("huggingface-models", real_records["huggingface-models"], tmp_path))
    finally:
        store.close()


def test_since_keeps_what_changed_and_stops_paging(replay: ReplayServer, store: OxigraphStore,
                                                   real_records: dict[str, list[Any]], tmp_path: Path) -> None:
    since = datetime(2023, 9, 15, tzinfo=UTC)
    result = run_crawl(store, plan_for("huggingface-models", replay.url, options=CrawlOptions(since=since)))
    changed = [r for r in real_records["huggingface-models"] if r["lastModified"] >= "2023-09-15"]
    assert result.kept == len(changed) == 3  # bert (2024), November and October 2023
    assert len(replay.requests_to(HUB_MODELS)) == 2  # the second page's September record ends the crawl
    assert same_graph(source_graph(store, "huggingface-models"),
                      loaded_from_file("huggingface-models", changed, tmp_path))


def test_since_defaults_to_the_stores_last_crawl(replay: ReplayServer, tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    store_dir = tmp_path / "store"
    arguments = ["--store", str(store_dir), "crawl", "zenodo", "--endpoint", replay.url, "--no-progress"]
    assert main([*arguments, "--limit", "1"]) == 0  # a limited crawl is no base for --since
    assert main(arguments) == 0
    assert "kept 4" in capsys.readouterr().out
    store = OxigraphStore(store_dir, read_only=True)
    try:
        last = last_crawl_start(store, "zenodo")
    finally:
        store.close()
    assert last is not None and (datetime.now(UTC) - last).total_seconds() < 60
    assert main(arguments) == 0
    printed = capsys.readouterr().out
    assert f"changed since {last:%Y-%m-%d %H:%M:%S}" in printed and "kept 0" in printed
    assert "updated:[" in replay.requests_to("/records")[-1].query["q"]


def test_out_file_is_read_by_load(replay: ReplayServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "repos.jsonl.gz"
    assert main(["--store", "memory", "crawl", "github", "--endpoint", replay.url, "--no-load", "--out", str(out),
                 "--no-progress"]) == 0
    assert main(["--store", "memory", "load", "github", str(out), "--no-progress"]) == 0
    assert "read 6 records, wrote 6" in capsys.readouterr().out


@pytest.mark.parametrize(("arguments", "expected"), [
    (["crawl", "github", "--since", "last tuesday"], "--since 'last tuesday': expected a date"),
    (["crawl", "gitlab"], "no crawl source 'gitlab': expected one of"),
    (["crawl", "github", "--endpoint", "ftp://x"], "expected an http(s) URL"),
    (["crawl", "github", "--filter", "language"], "expected KEY=VALUE"),
    (["crawl", "github", "--no-load"], "--no-load keeps nothing without --out"),
])
def test_usage_errors_are_one_sentence(arguments: list[str], expected: str,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--store", "memory", *arguments, "--no-progress"]) == 2
    err = capsys.readouterr().err
    assert expected in err and "Traceback" not in err


def test_a_no_load_crawl_resumes_beside_its_out_file(replay: ReplayServer, real_records: dict[str, list[Any]],
                                                     tmp_path: Path) -> None:
    from crawl.replay import Fault

    out = tmp_path / "records.jsonl.gz"
    arguments = ["--store", "memory", "crawl", "datacite", "--endpoint", replay.url, "--no-load", "--out", str(out),
                 "--no-progress"]
    replay.faults.append(Fault("/dois", 2, "429", retry_after="3600"))
    assert main(arguments) == 1
    assert (tmp_path / "records.jsonl.gz.checkpoint.json").exists()
    assert main(arguments) == 0
    assert read_out(out) == real_records["datacite"]
    assert not (tmp_path / "records.jsonl.gz.checkpoint.json").exists()


def test_another_crawl_over_an_unfinished_checkpoint_needs_restart(replay: ReplayServer, tmp_path: Path,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    from crawl.replay import Fault

    arguments = ["--store", str(tmp_path / "store"), "crawl", "github", "--endpoint", replay.url, "--no-progress"]
    replay.faults.append(Fault("/search/repositories", 2, "429", retry_after="3600"))
    assert main([*arguments, "--query", "topic:nlp"]) == 1
    assert main([*arguments, "--query", "topic:vision"]) == 2
    assert "holds an unfinished crawl of" in capsys.readouterr().err
    assert main([*arguments, "--query", "topic:vision", "--restart"]) == 0
    assert "kept 6" in capsys.readouterr().out
