"""``odlm-kg export``: the store (or one graph) as N-Quads/TriG, read back into a fresh store and compared
graph by graph (isomorphism, so blank nodes count), from an embedded store and from a remote one."""

from __future__ import annotations

import gzip
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest
from engines.servers import OxigraphServer, VirtuosoServer, start_virtuoso
from rdflib.compare import to_isomorphic

from odlm_kg.cli.app import main
from odlm_kg.export import count_quads, export_to
from odlm_kg.store import OxigraphStore

VOCAB = "https://w3id.org/odlm/graph/vocab"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def same_graphs(a: OxigraphStore, b: OxigraphStore) -> None:
    """Equal named graphs, each isomorphic (blank nodes matched by structure, not label)."""
    assert a.named_graphs() == b.named_graphs()
    for graph in a.named_graphs():
        assert to_isomorphic(a.export_graph(graph)) == to_isomorphic(b.export_graph(graph)), graph


def read_back(path: Path, fmt: ox.RdfFormat = ox.RdfFormat.N_QUADS) -> OxigraphStore:
    data = path.read_bytes()
    if path.name.endswith(".gz"):
        data = gzip.decompress(data)
    store = OxigraphStore()
    store.native.load(data, fmt)
    return store


@pytest.fixture(scope="module")
def built(built_store_path: Path) -> OxigraphStore:
    return OxigraphStore(built_store_path, read_only=True)


def test_round_trip_of_the_built_store_gzipped_by_name(built: OxigraphStore, built_store_path: Path,
                                                       tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "store.nq.gz"
    code, _, err = run(capsys, "--store", str(built_store_path), "export", str(target))
    assert code == 0, err
    assert target.read_bytes()[:2] == b"\x1f\x8b"  # gzip, because of the name
    copy = read_back(target)
    assert len(copy.native) == len(built.native)
    assert f"exported {len(built.native):,} quads" in err
    same_graphs(built, copy)
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".part")]


def test_trig_to_stdout(built: OxigraphStore, built_store_path: Path, tmp_path: Path,
                        capfdbinary: pytest.CaptureFixture[bytes]) -> None:
    code = main(["--store", str(built_store_path), "export", "--format", "trig", "-"])
    out, _ = capfdbinary.readouterr()
    assert code == 0
    (tmp_path / "store.trig").write_bytes(out)
    copy = read_back(tmp_path / "store.trig", ox.RdfFormat.TRIG)
    same_graphs(built, copy)


def test_one_graph_only(built: OxigraphStore, built_store_path: Path, tmp_path: Path,
                        capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "vocab.nq"
    code, _, err = run(capsys, "--store", str(built_store_path), "export", "--graph", VOCAB, str(target))
    assert code == 0, err
    assert target.read_bytes()[:1] == b"<"  # not gzipped: the name has no .gz
    counts = count_quads(ox.parse(target.read_bytes(), ox.RdfFormat.N_QUADS))
    assert counts == {VOCAB: built.count(VOCAB)}


@pytest.mark.parametrize(("args", "says"), [
    (["--graph", "https://example.org/no-such-graph", "{tmp}/x.nq"],
     "has no graph <https://example.org/no-such-graph>; it holds"),
    (["{tmp}/missing-folder/x.nq"], "the folder"),
    (["{tmp}/x.ttl"], "cannot tell the format of"),
    (["--format", "ttl", "{tmp}/x.nq"], "--format 'ttl': expected nq or trig"),
    (["{tmp}"], "is a folder"),
    (["-", "--format", "nq.gz"], "expected nq or trig"),
])
def test_errors_are_one_sentence(args: list[str], says: str, built_store_path: Path, tmp_path: Path,
                                 capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "--store", str(built_store_path), "export",
                       *[a.replace("{tmp}", str(tmp_path)) for a in args])
    assert code == 2
    assert says in err and "Traceback" not in err
    assert not list(tmp_path.glob("x.*"))


def test_unknown_graph_names_the_graphs_there(built_store_path: Path, tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "--store", str(built_store_path), "export", "--graph", "urn:nope",
                       str(tmp_path / "x.nq"))
    assert code == 2
    assert f"<{VOCAB}>" in err


BLANKS = (
    '<http://example.org/a> <http://example.org/p> _:b0 <http://example.org/g1> .\n'
    '_:b0 <http://example.org/p> "one" <http://example.org/g1> .\n'
    '<http://example.org/a> <http://example.org/p> _:b0 <http://example.org/g2> .\n'
    '_:b0 <http://example.org/p> "two"@en <http://example.org/g2> .\n'
    '<http://example.org/a> <http://example.org/n> "2.50"^^<http://www.w3.org/2001/XMLSchema#decimal> '
    '<http://example.org/g2> .\n'
)


def test_export_from_a_remote_store(oxigraph_union: OxigraphServer, tmp_path: Path,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    """A remote store is read graph by graph; each graph's blank nodes stay its own (the server's labels
    in two answers may coincide), and the file reads back into the same graphs."""
    oxigraph_union.clear()
    httpx.post(oxigraph_union.gsp_url, content=BLANKS.encode(),
               headers={"Content-Type": "application/n-quads"}).raise_for_status()
    target = tmp_path / "remote.nq"
    code, _, err = run(capsys, "--store", oxigraph_union.query_url, "export", str(target))
    assert code == 0, err
    expected = OxigraphStore()
    expected.native.load(BLANKS.encode(), ox.RdfFormat.N_QUADS)
    copy = read_back(target)
    same_graphs(expected, copy)
    assert count_quads(copy.native) == {"http://example.org/g1": 2, "http://example.org/g2": 3}
    oxigraph_union.clear()


def test_export_from_virtuoso_gives_back_the_bulk_loaded_graphs(
        built: OxigraphStore, virtuoso: VirtuosoServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Round trip through Virtuoso: the build exported, bulk-loaded, exported again over SPARQL (graph by
    graph, Virtuoso's own graphs left out) and read back: the same graphs."""
    virtuoso.clear()
    loaded = virtuoso.workdir / "for-export.nq.gz"
    export_to(built, loaded)
    virtuoso.bulk_load(loaded)
    target = tmp_path / "from-virtuoso.nq.gz"
    code, _, err = run(capsys, "--store", virtuoso.sparql_url, "--engine", "virtuoso", "export", str(target))
    assert code == 0, err
    same_graphs(built, read_back(target))
    virtuoso.clear()


def test_export_from_a_server_that_cuts_answers_stops_and_says_so(
        built: OxigraphStore, tmp_path_factory: pytest.TempPathFactory, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    """Virtuoso with ResultSetMaxRows 1,000 (its default is 10,000): a graph larger than that cannot come
    through SPARQL whole, and the export says so instead of writing a smaller file."""
    server = start_virtuoso(tmp_path_factory.mktemp("virtuoso-small"), result_set_max_rows=1000)
    try:
        loaded = server.workdir / "built.nq.gz"
        export_to(built, loaded)
        server.bulk_load(loaded)
        target = tmp_path / "cut.nq"
        code, _, err = run(capsys, "--store", server.sparql_url, "--engine", "virtuoso", "export", str(target))
    finally:
        server.stop()
    assert code == 2 and "Traceback" not in err
    assert "1,000" in err and "ResultSetMaxRows" in err
    assert list(tmp_path.iterdir()) == []
