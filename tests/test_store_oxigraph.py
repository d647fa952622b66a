"""The embedded store: union default graph, a query's own dataset, transactions, counts."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from odlm_kg.errors import InputError
from odlm_kg.store import OxigraphStore
from odlm_kg.store.base import SelectResult

G1 = "https://w3id.org/odlm/graph/one"
G2 = "https://w3id.org/odlm/graph/two"


@pytest.fixture()
def two_graphs(memory_store: OxigraphStore) -> OxigraphStore:
    memory_store.load_text('<urn:a> <urn:p> "in one" .', "nt", G1)
    memory_store.load_text('<urn:b> <urn:p> "in two" .', "nt", G2)
    return memory_store


def values(result: object) -> set[str]:
    assert isinstance(result, SelectResult)
    return {str(row["o"]) for row in result}


def test_default_graph_is_the_union_of_named_graphs(two_graphs: OxigraphStore) -> None:
    assert values(two_graphs.query("SELECT ?o WHERE { ?s ?p ?o }")) == {"in one", "in two"}


def test_a_query_with_from_reads_only_that_graph(two_graphs: OxigraphStore) -> None:
    # regression: FROM was ignored because the union default graph was always switched on
    assert values(two_graphs.query(f"SELECT ?o FROM <{G1}> WHERE {{ ?s ?p ?o }}")) == {"in one"}


def test_default_graph_argument_overrides(two_graphs: OxigraphStore) -> None:
    assert values(two_graphs.query("SELECT ?o WHERE { ?s ?p ?o }", default_graph=[G2])) == {"in two"}


def test_bad_syntax_writes_nothing(two_graphs: OxigraphStore) -> None:
    before = two_graphs.count()
    with pytest.raises(InputError):
        two_graphs.load_text('<urn:c> <urn:p> "ok" .\n<urn:d> <urn:p> "unterminated .', "nt", G1)
    assert two_graphs.count() == before


def test_counts_and_graphs(two_graphs: OxigraphStore) -> None:
    assert two_graphs.count(G1) == 1 and two_graphs.count() == 2
    assert [str(g) for g in two_graphs.named_graphs()] == [G1, G2]
    two_graphs.clear_graph(G1)
    assert [str(g) for g in two_graphs.named_graphs()] == [G2]


def _thread_niceness() -> dict[str, list[int]]:
    """Niceness of this process's threads, by thread name (Linux /proc)."""
    found: dict[str, list[int]] = {}
    for task in Path("/proc/self/task").iterdir():
        try:
            name = (task / "comm").read_text().strip()
            found.setdefault(name, []).append(os.getpriority(os.PRIO_PROCESS, int(task.name)))
        except OSError:
            continue
    return found


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="needs Linux /proc")
def test_a_bulk_write_lowers_compaction_below_the_loading_threads(tmp_path: Path) -> None:
    store = OxigraphStore(tmp_path / "store")
    data = tmp_path / "data.nt"
    data.write_text("<urn:a> <urn:p> <urn:b> .\n", encoding="utf-8")
    store.append_file(data, "nt", "https://w3id.org/odlm/graph/demo", iris_checked=True)
    niceness = _thread_niceness()
    own = os.getpriority(os.PRIO_PROCESS, 0)
    assert niceness.get("rocksdb:low"), "RocksDB's compaction threads are where they were looked for"
    assert all(value > own for value in niceness["rocksdb:low"])
    assert all(value == own for value in niceness.get("rocksdb:high", []))  # flushes are left alone
    assert store.count() == 1
    store.close()
