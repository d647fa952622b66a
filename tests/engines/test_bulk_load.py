"""Virtuoso's bulk loader fed by odlm-kg's own exports: the counts per graph on Virtuoso must equal
the embedded store's, blank nodes included."""

from __future__ import annotations

import gzip
from pathlib import Path

import httpx
from engines.servers import OxigraphServer, VirtuosoServer

QUADS = (
    '<http://example.org/a> <http://example.org/p> "1" <http://example.org/g1> .\n'
    '<http://example.org/a> <http://example.org/q> _:b1 <http://example.org/g1> .\n'
    '_:b1 <http://example.org/p> "x"@en <http://example.org/g2> .\n'
)


def test_virtuoso_accepts_updates_and_graph_store_writes(virtuoso: VirtuosoServer) -> None:
    """The harness's grant: /sparql takes a form-encoded update, /sparql-graph-crud a PUT."""
    virtuoso.clear()
    httpx.post(virtuoso.sparql_url, data={
        "update": "INSERT DATA { GRAPH <http://example.org/u> { <http://example.org/s> <http://example.org/p> 1 } }"
    }).raise_for_status()
    put = httpx.put(virtuoso.gsp_url, params={"graph": "http://example.org/v"},
                    content=b"<http://example.org/s> <http://example.org/p> _:x .\n",
                    headers={"Content-Type": "application/n-triples"})
    assert put.status_code in (200, 201, 204), put.text
    assert virtuoso.graph_counts() == {"http://example.org/u": 1, "http://example.org/v": 1}
    virtuoso.clear()
    assert virtuoso.graph_counts() == {}


def test_bulk_load_of_gzipped_nquads_keeps_graphs_and_blank_nodes(virtuoso: VirtuosoServer) -> None:
    virtuoso.clear()
    path = virtuoso.workdir / "small.nq.gz"
    path.write_bytes(gzip.compress(QUADS.encode()))
    virtuoso.bulk_load(path)
    assert virtuoso.graph_counts() == {"http://example.org/g1": 2, "http://example.org/g2": 1}


def test_bulk_load_refuses_a_file_outside_dirs_allowed(virtuoso: VirtuosoServer, tmp_path: Path) -> None:
    path = tmp_path / "elsewhere.nq"
    path.write_text(QUADS)
    try:
        virtuoso.bulk_load(path)
    except ValueError as error:
        assert "DirsAllowed" in str(error)
    else:
        raise AssertionError("a file outside DirsAllowed was accepted")


def test_oxigraph_union_server_answers_and_clears(oxigraph_union: OxigraphServer) -> None:
    oxigraph_union.clear()
    httpx.post(oxigraph_union.gsp_url, params={"graph": "http://example.org/g1"},
               content=b"<http://example.org/s> <http://example.org/p> \"1\" .\n",
               headers={"Content-Type": "application/n-triples"}).raise_for_status()
    assert oxigraph_union.graph_counts() == {"http://example.org/g1": 1}
    oxigraph_union.clear()
    assert oxigraph_union.graph_counts() == {}
