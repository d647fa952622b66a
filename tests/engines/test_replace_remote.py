"""A re-loaded record replaces what an earlier load said about its artifact on every engine (issue 17):
Virtuoso 7.2 cannot compile the loaders' in-store comparison (a ``VALUES (?s ?p ?o)`` table inside
``MINUS``), so there the old triples are read back and the difference deleted with ``DELETE DATA``.
The same two loads run on Virtuoso, on ``oxigraph serve`` by both paths, and on the embedded store, and
must leave the same graph."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from engines.servers import OxigraphServer, VirtuosoServer
from rdflib import Graph, URIRef
from rdflib.compare import isomorphic

from odlm_kg.sources import get_source
from odlm_kg.sources.pipeline import run_load
from odlm_kg.store import OxigraphStore
from odlm_kg.store.base import Store
from odlm_kg.store.remote import RemoteStore

HUB_GRAPH = URIRef("https://w3id.org/odlm/graph/huggingface")
MODEL = "https://w3id.org/odlm/id/model/org/relicensed"
FIRST = {"id": "org/relicensed", "author": "org", "tags": ["license:mit", "base_model:finetune:org/base"],
         "gated": False, "downloads": 5, "lastModified": "2025-01-01T00:00:00Z"}
SECOND = {"id": "org/relicensed", "author": "org", "tags": ["license:cc-by-nc-4.0"], "gated": "manual",
          "downloads": 9, "lastModified": "2025-02-01T00:00:00Z"}
#: enough other models that the read-back runs in several chunks (READ_BACK_CHUNK is 200)
OTHERS = [{"id": f"org/other-{i}", "author": "org", "tags": ["license:apache-2.0"], "downloads": i}
          for i in range(450)]


def _load_twice(store: Store, tmp_path: Path) -> Graph:
    for number, records in enumerate(([FIRST, *OTHERS], [SECOND, *OTHERS])):
        path = tmp_path / f"crawl-{number}.jsonl"
        path.write_text("".join(json.dumps(record) + "\n" for record in records), encoding="utf-8")
        report = run_load(store, get_source("huggingface-models"), [path], progress=False, classify=False,
                          refresh_cube=False, workers=1)
        assert report.rejected == 0
    return store.export_graph(HUB_GRAPH)


def _facts(graph: Graph, predicate: str) -> set[str]:
    return {str(o) for o in graph.objects(URIRef(MODEL), URIRef(predicate))}


@pytest.fixture(scope="module")
def embedded_graph(tmp_path_factory: pytest.TempPathFactory) -> Graph:
    store = OxigraphStore()
    return _load_twice(store, tmp_path_factory.mktemp("embedded"))


def test_embedded_reload_keeps_only_the_new_licence(embedded_graph: Graph) -> None:
    assert _facts(embedded_graph, "https://w3id.org/odlm#licence") == {"http://spdx.org/licenses/CC-BY-NC-4.0"}
    assert _facts(embedded_graph, "https://w3id.org/odlm#derivedFrom") == set()


@pytest.mark.parametrize("engine", ["virtuoso", "oxigraph", "oxigraph-read-back"])
def test_a_reloaded_model_is_replaced_on_every_engine(engine: str, embedded_graph: Graph, tmp_path: Path,
                                                      virtuoso: VirtuosoServer,
                                                      oxigraph_union: OxigraphServer) -> None:
    if engine == "virtuoso":
        virtuoso.clear()
        store = RemoteStore(virtuoso.sparql_url, engine="virtuoso")
        assert not store.values_in_minus
    else:
        oxigraph_union.clear()
        # "generic" is not trusted with VALUES inside MINUS: the same server, by the read-back path
        store = RemoteStore(oxigraph_union.query_url, engine="oxigraph" if engine == "oxigraph" else "generic",
                            update_url=oxigraph_union.update_url, gsp_url=oxigraph_union.gsp_url)
        assert store.values_in_minus is (engine == "oxigraph")
    try:
        graph = _load_twice(store, tmp_path)
    finally:
        store.close()
    assert _facts(graph, "https://w3id.org/odlm#licence") == {"http://spdx.org/licenses/CC-BY-NC-4.0"}
    assert _facts(graph, "https://w3id.org/odlm#releaseStrategy") == {
        "https://w3id.org/odlm/vocab/release-strategy/GatedAccess"}
    assert _facts(graph, "https://w3id.org/odlm#derivedFrom") == set()
    assert _facts(graph, "http://purl.org/dc/terms/modified") == {"2025-02-01T00:00:00+00:00"}
    assert len(graph) == len(embedded_graph)
    assert isomorphic(graph, embedded_graph)
