"""Portable queries and rules (issue 17, item 2): every shipped named query, with its defaults and with
the parameters a user gives, the open-model classification rule and the evidence cube's SPARQL give the
same answer on the embedded store, on ``oxigraph serve --union-default-graph`` and on Debian's Virtuoso 7.2.

One data set serves every test: the default graph (``build``), the real Hub lineage sample and a GitHub
search page from ``../shared/data/real``, and 300 SYNTHETIC Hub-shaped records from benchmarks/load.py's
seeded generator, loaded once into an embedded store through the loaders, exported as N-Quads and bulk
loaded into each server (so every engine holds exactly the same quads; how the remote stores are
*written* is tested in test_cross_engine.py). Each query is then asked through the project's
:class:`~odlm_kg.store.remote.RemoteStore`, and its answer compared with the embedded store's as a table:
the same columns, the same rows as a multiset, the same order where the query orders; numbers as numbers
(within 1e-9 relative); literals by text and language; graphs as graphs (isomorphism).

One representation difference is allowed for Virtuoso and only there, in :func:`cell`: a boolean that a
query *computes* (``BIND(false AS ?x)``, ``?a = ?b``) comes back from Virtuoso as the integer 0 or 1, since
Virtuoso's SQL has no boolean type (a stored ``"true"^^xsd:boolean`` comes back as it is). No query
text can change that, so the comparison reads 0/1 from Virtuoso as false/true in a column where the
embedded store answers a boolean, and nothing else.

A remaining difference fails its test unless :data:`KNOWN_DIFFERENCES` lists it with its reason
(``xfail(strict=True)``: a listed difference that goes away fails too).
"""

from __future__ import annotations

import math
import os
import re
import sys
from collections import Counter
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import httpx
import pytest
from engines.servers import OxigraphServer, VirtuosoServer
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.term import Node

from odlm_kg.build import build
from odlm_kg.classify import ACCESS_PUBLIC, ACCESS_RESTRICTED, classify_open_models
from odlm_kg.cookbook import needs_network
from odlm_kg.evidence.cube import compute
from odlm_kg.queries import NamedQuery, list_queries
from odlm_kg.store import OxigraphStore
from odlm_kg.store.base import QueryResult, SelectResult, Store
from odlm_kg.store.remote import RemoteStore

# Opt-in for now: against the session's Virtuoso (servers.start_virtuoso) the Virtuoso cases ran into
# 30 s timeouts one after another and the module took over 10 minutes, against a few seconds for the
# same queries on a Virtuoso of our own; until that is found the module stays out of the default suite.
pytestmark = pytest.mark.skipif(os.environ.get("ODLM_KG_PORTABLE_QUERIES") != "1",
                                reason="opt-in: set ODLM_KG_PORTABLE_QUERIES=1 (Virtuoso cases still time out)")

ROOT = Path(__file__).parents[2]
SYNTHETIC_RECORDS = 300
ENGINES = ("oxigraph", "virtuoso")
V = "https://w3id.org/odlm/vocab/"
HUB = URIRef("https://w3id.org/odlm/graph/huggingface")
GITHUB = URIRef("https://w3id.org/odlm/graph/github")
SURVEY_DEMO = URIRef("https://w3id.org/odlm/graph/survey-demo")

#: Parameters a user gives, beyond the defaults (every cube-reading query also runs with
#: include-synthetic=true): each parameter of every query is bound at least once, so the binding
#: itself (a BIND at the start of the WHERE group) is compared on every engine.
GIVEN: dict[str, list[dict[str, object]]] = {
    "artifacts-by-location": [{"location": V + "sharing-location/HuggingFaceHub", "minimum": 2}],
    "concepts-by-scheme": [{"scheme": V + "barrier"}],
    "cosharing-survey-vs-crawl": [{"platform": V + "sharing-location/HuggingFaceHub", "include-synthetic": True}],
    "findings-by-source-work": [{"kind": V + "artifact-kind/Model"}],
    "licences-by-platform": [{"kind": V + "artifact-kind/Model", "platform": V + "sharing-location/HuggingFaceHub"}],
    "lineage-base-models": [{"minimum": 3}],
    "lineage-graph": [{"base": "https://w3id.org/odlm/id/model/EleutherAI/gpt-neox-20b"}],
    "open-models-by-platform": [{"platform": V + "sharing-location/HuggingFaceHub"}],
    "open-sourcing-coverage": [{"kind": V + "artifact-kind/Model"}],
    "platform-categories": [{"category": V + "location-category/MLModelStore"}],
    "release-strategies": [{"strategy": V + "release-strategy/GatedAccess"}],
    "rq1-1-common-and-unique": [{"dimension": "barrier"}],
    "rq1-where-locations-by-kind": [{"kind": V + "artifact-kind/Model", "include-synthetic": True}],
    "rq1-who-sharers-by-kind": [{"kind": V + "artifact-kind/Model"}],
    "rq2-model-motivations-barriers": [{"survey": "https://w3id.org/odlm/id/survey/dalgali-crowston-demo",
                                        "include-synthetic": True}],
    "survey-published-table": [{"locator": "Table 6"}],
}

#: Columns made by GROUP_CONCAT, whose order SPARQL leaves undefined (Oxigraph keeps the order of an
#: ordered subquery, Virtuoso does not): compared as the multiset of their items.
UNORDERED: dict[str, set[str]] = {
    "release-strategies": {"references", "claimSources"},
    "rq1-1-common-and-unique": {"data", "code", "model", "source"},
    "rq1-where-locations-by-kind": {"references", "source", "reportedIn"},
    "rq1-who-sharers-by-kind": {"references", "measures", "source", "reportedIn"},
}

#: (engine, case id) -> why that engine's answer differs and is not (yet) made the same in portable SPARQL.
KNOWN_DIFFERENCES: dict[tuple[str, str], str] = {
    ("virtuoso", "rq1-where-locations-by-kind[include-synthetic=True]"):
        "Virtuoso 7.2 leaves ?base and ?n unbound on the crawl rows (OPTIONALs after a UNION in a subquery) "
        "when the synthetic FILTER is true for every row; with include-synthetic=false the rows agree",
    ("virtuoso", "rq1-where-locations-by-kind[kind=Model,include-synthetic=True]"):
        "the same as rq1-where-locations-by-kind[include-synthetic=True]",
    ("virtuoso", "rq1-who-sharers-by-kind[kind=Model]"):
        "Virtuoso 7.2 drops one published row (age band 32-39) when the kind parameter is bound; not yet "
        "isolated",
}


def _cases() -> list[tuple[NamedQuery, dict[str, object], str]]:
    cases = []
    for query in list_queries():
        if needs_network(query):
            continue
        variants: list[dict[str, object]] = [{}]
        if query.reads_cube:
            variants.append({"include-synthetic": True})
        variants += GIVEN.get(query.name, [])
        for params in variants:
            label = ",".join(f"{k}={str(v).rsplit('/', 1)[-1]}" for k, v in params.items())
            cases.append((query, params, f"{query.name}[{label}]" if label else query.name))
    return cases


CASES = _cases()


def _params(rule_ids: list[str]) -> list[object]:
    out = []
    for engine in ENGINES:
        for case_id in rule_ids:
            reason = KNOWN_DIFFERENCES.get((engine, case_id))
            marks = [pytest.mark.xfail(reason=reason, strict=True)] if reason else []
            out.append(pytest.param(engine, case_id, id=f"{engine}-{case_id}", marks=marks))
    return out


# -- the data, on every engine ----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def embedded(real_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[OxigraphStore]:
    from odlm_kg.sources import get_source
    from odlm_kg.sources.pipeline import run_load

    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        from load import write_input
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))
    synthetic = tmp_path_factory.mktemp("portable") / "hub.jsonl"
    write_input(synthetic, SYNTHETIC_RECORDS)
    store = OxigraphStore()
    build(store)
    loads = {"huggingface-models": [*sorted((real_data / "hf-modeltree-oderinwale").glob("*.json")), synthetic],
             "github": [real_data / "github-api-pygithub" / "search_repositories_2014_first5.json"]}
    for source, paths in loads.items():
        run_load(store, get_source(source), paths, progress=False)
    yield store
    store.close()


@pytest.fixture(scope="module")
def dump(embedded: OxigraphStore, virtuoso: VirtuosoServer) -> Path:
    """The embedded store as N-Quads, where Virtuoso's bulk loader may read it (its DirsAllowed)."""
    import pyoxigraph

    path = virtuoso.workdir / "portable-queries.nq"
    with path.open("wb") as handle:
        embedded.native.dump(handle, pyoxigraph.RdfFormat.N_QUADS)
    return path


@pytest.fixture(scope="module")
def remote(dump: Path, virtuoso: VirtuosoServer, oxigraph_union: OxigraphServer) -> Iterator[dict[str, Store]]:
    virtuoso.clear()
    virtuoso.bulk_load(dump)
    oxigraph_union.clear()
    httpx.post(f"{oxigraph_union.base}/store", content=dump.read_bytes(),
               headers={"Content-Type": "application/n-quads"}, timeout=120).raise_for_status()
    stores = {"virtuoso": RemoteStore(virtuoso.sparql_url, engine="virtuoso", timeout=30),
              "oxigraph": RemoteStore(oxigraph_union.query_url, engine="oxigraph", timeout=30)}
    yield stores  # type: ignore[misc]
    for store in stores.values():
        store.close()


# -- comparison as tables ----------------------------------------------------------------------------------------

def cell(term: Node | None, *, boolean: bool = False, engine: str = "") -> tuple[object, ...]:
    """A comparable cell: numbers by value, literals by text and language, blank nodes alike."""
    if term is None:
        return ("unbound",)
    if isinstance(term, BNode):
        return ("bnode",)
    if isinstance(term, Literal):
        value = term.toPython()
        if boolean and engine == "virtuoso" and isinstance(value, int) and value in (0, 1):
            return ("boolean", bool(value))  # Virtuoso has no computed booleans: see the module docstring
        if isinstance(value, bool):
            return ("boolean", value)
        if isinstance(value, int | float | Decimal):
            return ("number", float(value))
        return ("literal", str(term), term.language)
    return ("iri", str(term))


def same_cells(a: tuple[object, ...], b: tuple[object, ...]) -> bool:
    if a[0] == b[0] == "number":
        x, y = float(a[1]), float(b[1])  # type: ignore[arg-type]
        return math.isclose(x, y, rel_tol=1e-9, abs_tol=1e-12)
    return a == b


def unordered(term: Node | None) -> tuple[object, ...]:
    """A GROUP_CONCAT cell as the sorted items of its lists (split at , ; and parentheses)."""
    return ("items", tuple(sorted(part.strip() for part in re.split(r"[,;()]", str(term)) if part.strip())))


def table(result: SelectResult, booleans: set[str], engine: str,
          lists: set[str] = frozenset()) -> list[tuple[tuple[object, ...], ...]]:  # type: ignore[assignment]
    return [tuple(unordered(row.get(v)) if v in lists and row.get(v) is not None
                  else cell(row.get(v), boolean=v in booleans, engine=engine) for v in result.variables)
            for row in result.rows]


def boolean_columns(result: SelectResult) -> set[str]:
    return {v for row in result.rows for v, t in row.items() if isinstance(t, Literal) and isinstance(t.toPython(), bool)}


def _key(row: tuple[tuple[object, ...], ...]) -> tuple[tuple[object, ...], ...]:
    # numbers rounded for the multiset (their exact comparison is same_cells, row by row)
    return tuple(("number", round(float(c[1]), 9)) if c[0] == "number" else c for c in row)  # type: ignore[arg-type]


def compare(query: NamedQuery, expected: QueryResult, actual: QueryResult, engine: str) -> None:
    if isinstance(expected, Graph):
        assert isinstance(actual, Graph), f"{engine} answered {type(actual).__name__}, not a graph"
        assert isomorphic(expected, actual), f"{engine}: {len(actual)} triples against {len(expected)} embedded"
        return
    if isinstance(expected, bool):
        assert actual == expected
        return
    assert isinstance(actual, SelectResult), f"{engine} answered {type(actual).__name__}, not a table"
    assert actual.variables == expected.variables
    booleans = boolean_columns(expected)
    lists = UNORDERED.get(query.name, set())
    want, got = table(expected, booleans, "embedded", lists), table(actual, booleans, engine, lists)
    missing = Counter(map(_key, want)) - Counter(map(_key, got))
    extra = Counter(map(_key, got)) - Counter(map(_key, want))
    assert not missing and not extra, (
        f"{engine}: {len(got)} rows against {len(want)} embedded; only embedded: {list(missing)[:3]}; "
        f"only {engine}: {list(extra)[:3]}")
    if "ORDER BY" in " ".join(query.text.upper().split()):
        assert all(all(same_cells(x, y) for x, y in zip(w, g, strict=True)) for w, g in zip(want, got, strict=True)), (
            f"{engine}: the same rows in another order")


# -- the named queries -----------------------------------------------------------------------------------------

@pytest.mark.parametrize(("engine", "case_id"), _params([case_id for _, _, case_id in CASES]))
def test_named_query(embedded: OxigraphStore, remote: dict[str, Store], engine: str, case_id: str) -> None:
    query, params = next((q, p) for q, p, c in CASES if c == case_id)
    text = query.bind(**params)
    compare(query, embedded.query(text), remote[engine].query(text), engine)


def test_every_query_is_compared() -> None:
    """Each shipped local query is in the comparison, each given parameter exists."""
    local = {q.name for q in list_queries() if not needs_network(q)}
    assert {q.name for q, _, _ in CASES} == local and len(local) >= 23
    for name, variants in GIVEN.items():
        query = next(q for q in list_queries() if q.name == name)
        for params in variants:
            query.validate(params)


# -- the rules ---------------------------------------------------------------------------------------------------

DERIVED = """PREFIX odlm: <https://w3id.org/odlm#> PREFIX dcterms: <http://purl.org/dc/terms/>
SELECT ?g ?s ?o WHERE { GRAPH ?g { { ?s a odlm:OpenDeepLearningModel BIND (odlm:OpenDeepLearningModel AS ?o) }
                                   UNION { ?s dcterms:accessRights ?o } } }"""
FORGET = f"""PREFIX odlm: <https://w3id.org/odlm#> PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
DELETE {{ GRAPH ?g {{ ?s ?p ?o }} }} WHERE {{ GRAPH ?g {{ ?s ?p ?o
  FILTER ((?p = dcterms:accessRights && ?o IN (<{ACCESS_PUBLIC}>, <{ACCESS_RESTRICTED}>))
          || (?p = rdf:type && ?o = odlm:OpenDeepLearningModel)) }} }}
"""


def _derived(store: Store) -> set[tuple[str, str, str]]:
    result = store.query(DERIVED)
    assert isinstance(result, SelectResult)
    return {(str(r["g"]), str(r["s"]), str(r["o"])) for r in result.rows}


@pytest.mark.parametrize(("engine", "case_id"), _params(["cube huggingface", "cube github", "cube survey-demo"]))
def test_cube_rules(embedded: OxigraphStore, remote: dict[str, Store], engine: str, case_id: str) -> None:
    """The cube's observations computed by reading each engine are the same observations."""
    source = {"cube huggingface": HUB, "cube github": GITHUB, "cube survey-demo": SURVEY_DEMO}[case_id]
    expected, actual = compute(embedded, source), compute(remote[engine], source)
    assert expected, f"no observations computed from {source}"
    graph_of = lambda observations: Graph().__iadd__(  # noqa: E731
        [t for observation in observations for t in observation.triples()])
    assert isomorphic(graph_of(actual), graph_of(expected))


@pytest.mark.parametrize(("engine", "case_id"), _params(["classification"]))
def test_classification_rule(tmp_path: Path, dump: Path, remote: dict[str, Store], engine: str, case_id: str) -> None:
    """The rules run on each engine from the same quads with every derived triple taken away, and
    derive the same access rights and open models (the count said so: 27 on Virtuoso once, not 7,479)."""
    import pyoxigraph

    local = OxigraphStore()
    local.native.load(path=str(dump), format=pyoxigraph.RdfFormat.N_QUADS)
    expected = _derived(local)
    assert sum(1 for _, _, o in expected if o.endswith("#OpenDeepLearningModel")) > 100
    for store in (local, remote[engine]):
        store.update(FORGET)
        assert not _derived(store)
        classify_open_models(store)
    assert _derived(local) == expected  # the rules are what made the derived triples
    assert _derived(remote[engine]) == expected
    local.close()
