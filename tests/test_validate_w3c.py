"""The W3C SHACL test suite (core and SHACL-SPARQL, vendored in tests/w3c/shacl) through odlm_kg.validate.

One test per manifest entry checks the project's ``validate`` (default engine: the fast path)
against the expected report; a second one checks that the fast path reports exactly what pySHACL
reports, result by result (focus node, path, value, constraint component, severity, source shape).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest
from rdflib import Graph, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS

from odlm_kg.namespaces import SH
from odlm_kg.validate import validate
from odlm_kg.validate.pyshacl_engine import results_from_report_graph

SUITE = Path(__file__).resolve().parent / "w3c" / "shacl"
MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
SHT = Namespace("http://www.w3.org/ns/shacl-test#")

#: Entries whose expected report the project's validate does not reproduce, with the reason.
KNOWN_FAILURES: dict[str, str] = {
    "sparql/pre-binding/shapesGraph-001": "pySHACL does not support $shapesGraph (it raises NotImplementedError)",
    "core/property/uniqueLang-002": 'pySHACL 0.40.1 does not read sh:uniqueLang "1"^^xsd:boolean as '
                                    "true and reports a result; the suite expects none",
}
#: Entries where the two engines are not compared (none: every entry must agree).
ENGINE_DIFFERENCES: dict[str, str] = {}


@dataclass(frozen=True)
class Entry:
    test_id: str  # path of the entry relative to the suite, without .ttl
    iri: URIRef
    file: Path
    data_file: Path
    shapes_file: Path
    expects_failure: bool


def _entries() -> list[Entry]:
    out: list[Entry] = []
    todo = [SUITE / "manifest.ttl"]
    while todo:
        manifest_path = todo.pop(0)
        graph = Graph().parse(manifest_path, format="turtle")
        base = manifest_path.resolve().as_uri()
        for include in graph.objects(URIRef(base), MF.include):
            todo.append(Path(str(include).removeprefix("file://")))
        for entries_list in graph.objects(URIRef(base), MF.entries):
            for entry in Collection(graph, entries_list):
                action = graph.value(entry, MF.action)
                data = graph.value(action, SHT.dataGraph)
                shapes = graph.value(action, SHT.shapesGraph)
                result = graph.value(entry, MF.result)
                test_id = str(manifest_path.relative_to(SUITE).with_suffix(""))
                out.append(Entry(
                    test_id=test_id, iri=entry, file=manifest_path,
                    data_file=Path(str(data).removeprefix("file://")),
                    shapes_file=Path(str(shapes).removeprefix("file://")),
                    expects_failure=result == SHT.Failure,
                ))
    return sorted(out, key=lambda e: e.test_id)


ENTRIES = _entries()


def _graphs(entry: Entry) -> tuple[Graph, Graph, Graph]:
    """Data, shapes and manifest graphs; a file used twice is parsed once so blank nodes agree."""
    parsed: dict[Path, Graph] = {}
    for path in {entry.file, entry.data_file, entry.shapes_file}:
        parsed[path] = Graph().parse(path, format="turtle", publicID=path.resolve().as_uri())
    return parsed[entry.data_file], parsed[entry.shapes_file], parsed[entry.file]


def _expected(manifest: Graph, entry: Entry) -> tuple[bool, Counter]:
    report = manifest.value(entry.iri, MF.result)
    conforms = manifest.value(report, SH.conforms)
    sub = Graph()
    stack = [report]
    seen = set()
    while stack:
        node = stack.pop()
        if node in seen:
            continue
        seen.add(node)
        for p, o in manifest.predicate_objects(node):
            sub.add((node, p, o))
            if p in (SH.result, SH.resultPath, RDF.first, RDF.rest, SH.alternativePath, SH.inversePath,
                     SH.zeroOrMorePath, SH.oneOrMorePath, SH.zeroOrOnePath):
                stack.append(o)
    for result in manifest.objects(report, SH.result):
        sub.add((result, RDF.type, SH.ValidationResult))
    return bool(conforms.toPython()), Counter(r.key() for r in results_from_report_graph(sub))


def _run(entry: Entry, engine: str, graphs: tuple[Graph, Graph, Graph] | None = None):
    data, shapes, _ = graphs or _graphs(entry)
    return validate(data, shapes=shapes, ontology=Graph(), engine=engine)


def _id(entry: Entry) -> str:
    return entry.test_id


@pytest.mark.parametrize("entry", ENTRIES, ids=_id)
def test_w3c_entry(entry: Entry) -> None:
    if entry.test_id in KNOWN_FAILURES:
        pytest.xfail(KNOWN_FAILURES[entry.test_id])
    if entry.expects_failure:
        with pytest.raises(Exception):  # noqa: B017 - the suite only says "a failure"
            _run(entry, "auto")
        return
    graphs = _graphs(entry)
    conforms, expected = _expected(graphs[2], entry)
    report = _run(entry, "auto", graphs)
    assert report.shacl_conforms == conforms
    assert Counter(r.key() for r in report.results) == expected


@pytest.mark.parametrize("engine", ["sparql", "memory"])
@pytest.mark.parametrize("entry", ENTRIES, ids=_id)
def test_w3c_engines_agree(entry: Entry, engine: str) -> None:
    if entry.expects_failure:
        pytest.skip("the entry expects the shapes to be rejected")
    if entry.test_id in ENGINE_DIFFERENCES:
        pytest.xfail(ENGINE_DIFFERENCES[entry.test_id])
    graphs = _graphs(entry)
    try:
        reference = _run(entry, "pyshacl", graphs)
    except Exception as exc:  # pySHACL itself rejects it; nothing to compare
        pytest.skip(f"pySHACL raises {type(exc).__name__}")
    fast = _run(entry, engine, graphs)
    assert sorted(r.key() for r in fast.results) == sorted(r.key() for r in reference.results)


def test_suite_is_complete() -> None:
    assert len(ENTRIES) >= 120
    assert all(e.iri for e in ENTRIES)
    assert RDFS  # the suite's manifests use rdfs:label only
