"""The CLI and the Python API beside a running ``odlm-kg serve`` (issue 16, item 9), and what ``--store``
accepts. The server is a real ``odlm-kg serve`` process on loopback; the commands run in other processes."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from odlm_kg.cli.app import main
from odlm_kg.store import OxigraphStore, open_store
from odlm_kg.store.serving import SERVING_FILE, ServingInfo, read_serving

ODLM = "https://w3id.org/odlm#"
CLI = [sys.executable, "-m", "odlm_kg.cli.app"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _small_store(path: Path) -> None:
    """A store with a few triples (not empty, so ``serve`` does not build it first)."""
    store = OxigraphStore(path)
    store.load_text(f"<urn:m> a <{ODLM}DeepLearningModel> .\n<urn:m> <urn:p> \"x\" .", "turtle", "urn:g")
    store.close()


def _run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CLI, *args], capture_output=True, text=True, timeout=120,
                          env={**os.environ, **(env or {})})


def _serve(store: Path, *extra: str) -> Iterator[int]:
    port = _free_port()
    process = subprocess.Popen([*CLI, "--store", str(store), "serve", "--port", str(port), "--workers", "1", *extra],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 90
        while True:
            assert process.poll() is None, process.stderr.read().decode() if process.stderr else ""
            try:
                httpx.get(f"http://127.0.0.1:{port}/health", timeout=1.0)
                break
            except httpx.HTTPError:
                assert time.monotonic() < deadline, "serve did not answer"
                time.sleep(0.2)
        yield port
    finally:
        process.terminate()
        process.wait(30)
    # a stopped server leaves no serving file behind
    assert not (store / SERVING_FILE).exists()


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[Path, int]]:
    store = tmp_path / "store"
    _small_store(store)
    for port in _serve(store):
        yield store, port


@pytest.fixture
def served_with_updates(tmp_path: Path) -> Iterator[tuple[Path, int]]:
    store = tmp_path / "store"
    _small_store(store)
    for port in _serve(store, "--allow-update"):
        yield store, port


def test_reading_commands_and_the_python_api_work_while_serve_runs(served: tuple[Path, int], tmp_path: Path) -> None:
    """Regression: stats, query and odlm_kg.query() failed with a store-lock error while serve ran."""
    store, port = served
    info = read_serving(store)
    assert info is not None and info.port == port and not info.allow_update and info.update_token is None
    assert (store / SERVING_FILE).stat().st_mode & 0o077 == 0  # the owner's only
    stats = _run("--store", str(store), "stats")
    assert stats.returncode == 0, stats.stderr
    assert "urn:g" in stats.stdout
    query = tmp_path / "count.rq"
    query.write_text("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    counted = _run("--store", str(store), "query", "--file", str(query), "--format", "csv")
    assert counted.returncode == 0, counted.stderr
    assert counted.stdout.split() == ["n", "2"]
    api = subprocess.run([sys.executable, "-c", "import odlm_kg; print(len(odlm_kg.query('artifacts-by-location')))"],
                         capture_output=True, text=True, timeout=120, env={**os.environ, "ODLM_KG_STORE": str(store)})
    assert api.returncode == 0, api.stderr


def test_load_while_a_read_only_server_runs_says_what_to_do(served: tuple[Path, int], tmp_path: Path) -> None:
    """Regression: load failed with RocksDB's lock message (docs said it waits)."""
    store, port = served
    records = tmp_path / "models.jsonl"
    records.write_text('{"id": "org/model"}\n', encoding="utf-8")
    loaded = _run("--store", str(store), "load", "huggingface-models", str(records), "--no-progress")
    assert loaded.returncode == 2
    message = loaded.stderr.strip()
    assert message.count("\n") == 0 and "Traceback" not in message
    assert f"the store at {store} is being served by `odlm-kg serve` (pid " in message
    assert f"port {port}); stop it, or start it with --allow-update and run load with --store " \
           f"http://127.0.0.1:{port}/sparql" in message


def test_load_goes_through_a_server_that_accepts_updates(served_with_updates: tuple[Path, int], tmp_path: Path) -> None:
    store, port = served_with_updates
    records = tmp_path / "models.jsonl"
    records.write_text('{"id": "org/model-a"}\n{"id": "org/model-b"}\n', encoding="utf-8")
    loaded = _run("--store", str(store), "load", "huggingface-models", str(records), "--no-progress")
    assert loaded.returncode == 0, loaded.stderr
    assert f"writing through it at http://127.0.0.1:{port}/sparql" in loaded.stderr
    ask = "ASK { GRAPH <https://w3id.org/odlm/graph/huggingface> { ?m <https://w3id.org/odlm#platformId> \"org/model-b\" } }"
    answer = httpx.get(f"http://127.0.0.1:{port}/sparql", params={"query": ask},
                       headers={"Accept": "application/sparql-results+json", "Cache-Control": "no-cache"}, timeout=30)
    assert answer.json()["boolean"] is True
    # and the reading commands see it
    reader = open_store(str(store), "read")
    assert reader.query(ask) is True
    reader.close()


def test_a_remote_store_sends_the_update_token_from_the_environment(served_with_updates: tuple[Path, int],
                                                                    tmp_path: Path) -> None:
    store, port = served_with_updates
    token = read_serving(store).update_token  # type: ignore[union-attr]
    records = tmp_path / "models.jsonl"
    records.write_text('{"id": "org/model-c"}\n', encoding="utf-8")
    url = f"http://127.0.0.1:{port}/sparql"
    refused = _run("--store", url, "load", "huggingface-models", str(records), "--no-progress",
                   env={"ODLM_KG_UPDATE_TOKEN": "wrong"})
    assert refused.returncode == 2 and "update token" in refused.stderr and "Traceback" not in refused.stderr
    accepted = _run("--store", url, "load", "huggingface-models", str(records), "--no-progress",
                    env={"ODLM_KG_UPDATE_TOKEN": str(token)})
    assert accepted.returncode == 0, accepted.stderr


def test_a_writing_command_waits_for_another_writer(tmp_path: Path) -> None:
    """A load started while another load (not a server) holds the store waits for it, then runs."""
    store = tmp_path / "store"
    _small_store(store)
    holder = subprocess.Popen([sys.executable, "-c",
                               "import sys, time, pyoxigraph as ox; s = ox.Store(sys.argv[1]); print('held', flush=True); "
                               "time.sleep(3)", str(store)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        records = tmp_path / "models.jsonl"
        records.write_text('{"id": "org/model"}\n', encoding="utf-8")
        started = time.monotonic()
        loaded = _run("--store", str(store), "load", "huggingface-models", str(records), "--no-progress")
    finally:
        holder.wait(30)
    assert loaded.returncode == 0, loaded.stderr
    assert "is open for writing in another process; waiting for it to finish" in loaded.stderr
    assert time.monotonic() - started > 1.0


def test_a_stale_serving_file_is_ignored(tmp_path: Path) -> None:
    from odlm_kg.store.serving import announce_serving

    store = tmp_path / "store"
    _small_store(store)
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    with announce_serving(store, ServingInfo(pid=int(dead.stdout), host="127.0.0.1", port=1, allow_update=False)):
        assert read_serving(store) is None
        writer = open_store(str(store), "write")  # nobody holds the lock: opens at once
        assert isinstance(writer, OxigraphStore) and not writer.read_only
        writer.close()
    (store / SERVING_FILE).write_text("{not json")
    assert read_serving(store) is None


@pytest.mark.parametrize("command", [["stats"], ["query", "--file", "q.rq"], ["load", "huggingface-models", "m.jsonl"]])
def test_store_refuses_a_folder_that_is_not_a_store(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                   command: list[str]) -> None:
    """Regression: --store wrote Oxigraph's database files into any existing folder."""
    folder = tmp_path / "papers"
    folder.mkdir()
    (folder / "thesis.pdf").write_bytes(b"%PDF")
    (tmp_path / "q.rq").write_text("ASK {}")
    (tmp_path / "m.jsonl").write_text('{"id": "org/model"}\n')
    os.chdir(tmp_path)
    assert main(["--store", str(folder), *command]) == 2
    err = capsys.readouterr().err
    assert f"--store {folder}: is a folder that holds other files and is not an Oxigraph store" in err
    assert sorted(p.name for p in folder.iterdir()) == ["thesis.pdf"]


def test_a_reading_command_on_a_missing_store_says_so(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Regression: a reading command created any missing path (and an empty store in it)."""
    missing = tmp_path / "no" / "such" / "store"
    assert main(["--store", str(missing), "stats"]) == 2
    err = capsys.readouterr().err
    assert f"there is no store at {missing} yet; make one with `odlm-kg --store {missing} build`" in err
    assert not (tmp_path / "no").exists()
    empty = tmp_path / "empty"
    empty.mkdir()
    assert main(["--store", str(empty), "stats"]) == 2
    assert list(empty.iterdir()) == []


def test_a_writing_command_creates_the_store_folder_only_under_an_existing_parent(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    records = tmp_path / "m.jsonl"
    records.write_text('{"id": "org/model"}\n')
    deep = tmp_path / "typo" / "store"
    assert main(["--store", str(deep), "load", "huggingface-models", str(records), "--no-progress"]) == 2
    assert f"cannot create the store at {deep}: its parent folder {deep.parent} does not exist" in capsys.readouterr().err
    assert not deep.parent.exists()
    new = tmp_path / "store"
    assert main(["--store", str(new), "load", "huggingface-models", str(records), "--no-progress"]) == 0
    assert (new / "CURRENT").is_file()


def test_a_read_only_store_refuses_writes_with_a_sentence(tmp_path: Path) -> None:
    from odlm_kg.errors import StoreError

    _small_store(tmp_path / "store")
    reader = open_store(str(tmp_path / "store"), "read")
    with pytest.raises(StoreError, match="opened read-only"):
        reader.update("INSERT DATA { <urn:a> <urn:b> <urn:c> }")
    reader.close()  # no flush of a read-only store (pyoxigraph refuses it)


def test_serving_file_names_a_reachable_url() -> None:
    assert ServingInfo(pid=1, host="::", port=9, allow_update=False).sparql_url == "http://127.0.0.1:9/sparql"
    assert ServingInfo(pid=1, host="::1", port=9, allow_update=False).sparql_url == "http://[::1]:9/sparql"
    assert json.dumps(ServingInfo(pid=1, host="h", port=9, allow_update=True, update_token="t").__dict__)


def test_serve_announces_itself_only_while_it_runs(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import signal

    import uvicorn

    store = tmp_path / "store"
    _small_store(store)
    seen: dict[str, object] = {}

    def fake_run(app: object, **options: object) -> None:
        seen["info"] = read_serving(store)

    monkeypatch.setattr(uvicorn, "run", fake_run)
    handler = signal.getsignal(signal.SIGTERM)
    assert main(["--store", str(store), "serve", "--port", "8124", "--allow-update"]) == 0
    info = seen["info"]
    assert isinstance(info, ServingInfo) and info.pid == os.getpid() and info.port == 8124 and info.update_token
    assert not (store / SERVING_FILE).exists()
    assert signal.getsignal(signal.SIGTERM) == handler  # the process's own handler is back
