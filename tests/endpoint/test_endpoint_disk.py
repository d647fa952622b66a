"""The endpoint over an on-disk store: spawned workers read a read-only snapshot, reopened after writes;
and ``odlm-kg serve`` as a user starts it."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from odlm_kg.build import build
from odlm_kg.server import ServerSettings, create_app
from odlm_kg.store import OxigraphStore

from .conftest import ONTOLOGY_ONLY, UvicornThread, free_port, wait_until_up

JSON = {"Accept": "application/sparql-results+json", "Cache-Control": "no-cache"}


def test_disk_store_workers_see_writes_and_timeouts(tmp_path: Path) -> None:
    store = OxigraphStore(tmp_path / "store")
    build(store, ONTOLOGY_ONLY)
    settings = ServerSettings(allow_update=True, update_token="t", timeout=2.0, workers=2)
    with UvicornThread(create_app(store, settings)) as server:
        sparql = f"{server.base}/sparql"
        ask = {"query": "ASK { <urn:new> ?p ?o }"}
        first = httpx.get(sparql, params=ask, headers=JSON, timeout=20)
        assert first.status_code == 200, first.text
        assert httpx.get(sparql, params=ask, headers=JSON, timeout=20).json()["boolean"] is False
        r = httpx.post(sparql, content=b"INSERT DATA { GRAPH <urn:g> { <urn:new> <urn:p> 1 } }",
                       headers={"Content-Type": "application/sparql-update", "Authorization": "Bearer t"})
        assert r.status_code == 204
        for _ in range(2):  # both workers reopen their snapshot
            assert httpx.get(sparql, params=ask, headers=JSON, timeout=20).json()["boolean"] is True
        started = time.monotonic()
        r = httpx.get(sparql, params={"query": "SELECT (COUNT(*) AS ?n) { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"},
                      headers=JSON, timeout=20)
        assert r.status_code == 503 and time.monotonic() - started < 4.0
        assert httpx.get(sparql, params=ask, headers=JSON, timeout=20).json()["boolean"] is True
    store.close()


def test_odlm_kg_serve_command(tmp_path: Path) -> None:
    """``odlm-kg serve`` on an empty directory builds, then answers; refuses updates by default."""
    port = free_port()
    command = [sys.executable, "-m", "odlm_kg.cli.app", "--store", str(tmp_path / "s"), "serve", "--port", str(port)]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        wait_until_up(f"http://127.0.0.1:{port}/health", process, seconds=90)
        base = f"http://127.0.0.1:{port}"
        r = httpx.get(f"{base}/sparql", params={"query": "ASK { ?s a <http://www.w3.org/2002/07/owl#Class> }"},
                      timeout=30)
        assert r.status_code == 200 and r.json()["boolean"] is True
        r = httpx.post(f"{base}/sparql", data={"update": "DROP ALL"})
        assert r.status_code == 403
        assert httpx.get(f"{base}/").status_code == 200
    finally:
        process.terminate()
        process.wait(20)


def test_a_snapshot_that_races_a_file_deletion_is_opened_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Regression: a query worker opening its read-only snapshot while the serving process's RocksDB
    deleted an obsolete file died at start ("Corruption: … No such file"), and the request got 503."""
    import pyoxigraph as ox

    from odlm_kg.server import workers

    store = OxigraphStore(tmp_path / "store")
    store.load_text("<urn:a> <urn:p> <urn:o> .", "nt", "urn:g")
    store.flush()
    real_open = ox.Store.read_only
    failures = iter([RuntimeError("Corruption: IO error: No such file or directory: 000022.sst")] * 2)

    def flaky(path: str) -> ox.Store:
        failure = next(failures, None)
        if failure is not None:
            raise failure
        return real_open(path)

    monkeypatch.setattr(workers.ox.Store, "read_only", staticmethod(flaky))
    snapshot = workers.open_snapshot(str(tmp_path / "store"))
    assert len(snapshot) == 1
    monkeypatch.setattr(workers.ox.Store, "read_only", staticmethod(lambda path: (_ for _ in ()).throw(
        RuntimeError("Corruption: for good"))))
    with pytest.raises(RuntimeError, match="for good"):
        workers.open_snapshot(str(tmp_path / "store"), attempts=2)
