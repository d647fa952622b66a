"""Session-wide servers for the cross-engine tests (started once: Virtuoso takes ~2–3 s to create its
database, and the suite's time budget is tight). Each test that writes clears first with ``.clear()``."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from engines.servers import OxigraphServer, VirtuosoServer, start_oxigraph, start_virtuoso


@pytest.fixture(scope="session")
def virtuoso(tmp_path_factory: pytest.TempPathFactory) -> Iterator[VirtuosoServer]:
    """Debian's Virtuoso on loopback, empty apart from its own schema graph, updates granted; shared by
    the whole session, so a test that loads data calls ``virtuoso.clear()`` first."""
    server = start_virtuoso(tmp_path_factory.mktemp("virtuoso"))
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def oxigraph_union(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OxigraphServer]:
    """``oxigraph serve --union-default-graph`` on loopback, shared; ``.clear()`` runs DROP ALL."""
    server = start_oxigraph(tmp_path_factory.mktemp("oxigraph-union"), union_default_graph=True)
    try:
        yield server
    finally:
        server.stop()
