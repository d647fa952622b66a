"""Live servers on loopback for the store and endpoint tests: ``oxigraph serve`` (a real remote SPARQL
store) and the odlm-kg endpoint under uvicorn, each on a free port."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from loopback import UvicornThread, free_port, wait_until_up

VENV_BIN = Path(sys.executable).parent


@dataclass
class OxigraphServer:
    base: str
    process: subprocess.Popen[bytes]

    @property
    def query_url(self) -> str:
        return f"{self.base}/query"

    def clear(self) -> None:
        httpx.post(f"{self.base}/update", content=b"DROP ALL",
                   headers={"Content-Type": "application/sparql-update"}).raise_for_status()


@pytest.fixture(scope="session")
def oxigraph_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OxigraphServer]:
    """``oxigraph serve --union-default-graph`` from PyPI's oxigraph package, on a free loopback port."""
    executable = VENV_BIN / "oxigraph"
    if not executable.exists():
        found = shutil.which("oxigraph")
        if found is None:
            pytest.skip("the oxigraph server (PyPI package 'oxigraph', in the test extra) is not installed")
        executable = Path(found)
    port = free_port()
    location = tmp_path_factory.mktemp("oxigraph-server")
    process = subprocess.Popen([str(executable), "serve", "--location", str(location), "--bind",
                                f"127.0.0.1:{port}", "--union-default-graph"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    server = OxigraphServer(f"http://127.0.0.1:{port}", process)
    try:
        wait_until_up(f"{server.base}/query?query=ASK%7B%7D", process)
        yield server
    finally:
        process.terminate()
        process.wait(10)


KASEI = "http://kasei.us/2009/09/sparql/data/"
UPDATE_TOKEN = "test-update-token"
#: Graphs the W3C protocol tests name in default-graph-uri / named-graph-uri: each holds one triple
#: about itself with its number, so a test can tell which graphs made up the dataset.
PROTOCOL_DATA = "\n".join(
    f'<{KASEI}data{n}.rdf> <http://example.org/number> "{n}" <{KASEI}data{n}.rdf> .' for n in range(4)
) + "\n"
ONTOLOGY_ONLY = [("ontology", "odlm_kg.ontology:build_step")]


@dataclass
class LiveEndpoint:
    base: str
    token: str

    @property
    def sparql(self) -> str:
        return f"{self.base}/sparql"

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


@pytest.fixture(scope="session")
def live_endpoint() -> Iterator[LiveEndpoint]:
    """The endpoint on a memory store (ontology graphs + the protocol tests' graphs), under uvicorn:
    updates allowed with a token, a 2.5 s timeout, a 500-row cap."""
    from odlm_kg.build import build
    from odlm_kg.server import ServerSettings, create_app
    from odlm_kg.store import OxigraphStore

    store = OxigraphStore()
    build(store, ONTOLOGY_ONLY)
    store.add_nquads(PROTOCOL_DATA)
    settings = ServerSettings(allow_update=True, update_token=UPDATE_TOKEN, timeout=2.5, row_cap=500, workers=2)
    with UvicornThread(create_app(store, settings)) as server:
        yield LiveEndpoint(server.base, UPDATE_TOKEN)
    store.close()
