"""One store's life on three engines (issue 17, item 4): the embedded store, ``oxigraph serve
--union-default-graph`` and Debian's Virtuoso each get ``build``, a real load (the Hub's lineage sample
and a GitHub search page from ``../shared/data/real``), a SYNTHETIC load (300 Hub-shaped records from
benchmarks/load.py's seeded generator), then ``stats``, every local named query, ``report all`` and, in
front of each remote store, ``odlm-kg serve`` answering a named query over HTTP. Every answer is compared
as a table with the embedded store's: the same columns; the same rows as a multiset; where the query
orders its rows, the same order; numbers as numbers (within 1e-6 relative), IRIs and literals as
their text, blank nodes as "some blank node". One representation difference is forgiven, on Virtuoso
only: a boolean that a query computes comes back as the integer 0 or 1 (see computed_booleans_read).

A difference fails its test unless :data:`KNOWN_DIFFERENCES` lists it with the reason, in rdflib's
known-failure style (``xfail(strict=True)``: a listed difference that goes away fails too, so the list
stays true). The builds and loads run once per engine (module fixtures); the commands are the real CLI:
a subprocess for build, load, stats, report and serve, and ``odlm_kg.cli.app.main`` in this process for
the queries (about 25 of them per engine; a subprocess each would cost a second of start-up apiece).
"""

from __future__ import annotations

import contextlib
import importlib.util
import io
import json
import math
import os
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from engines.servers import OxigraphServer, VirtuosoServer
from loopback import free_port, wait_until_up
from markdown_it import MarkdownIt
from rdflib import BNode, Graph, Literal
from rdflib.plugins.sparql import prepareQuery

from odlm_kg.cli.app import main
from odlm_kg.queries import get_query
from odlm_kg.sparql_text import service_endpoints

ROOT = Path(__file__).parents[2]
ODLM_KG = str(Path(sys.executable).parent / "odlm-kg")
REMOTE_ENGINES = ("oxigraph", "virtuoso")
SYNTHETIC_RECORDS = 300
#: Named queries asked over HTTP from ``odlm-kg serve`` in front of each remote store: one without
#: parameters given, one with a parameter bound from the URL.
SERVED_QUERIES = {"artifacts-by-location": {}, "concepts-by-scheme": {"scheme": "https://w3id.org/odlm/vocab/barrier"}}
REPORTS = ("survey-report.md", "crawl-report.md", "compare-report.md")
LOAD_STEPS = ("build", "load real huggingface-models", "load real github", "load synthetic huggingface-models")

#: (engine, item) → why that engine's answer differs from the embedded store's. Items are the step
#: names above, ``stats``, ``query NAME``, ``report FILE`` and ``serve NAME``.
_NO_CUBE = ("the comparison cube is missing on Virtuoso (its graphs are written by evidence/cube.py as one INSERT "
            "DATA each, which Virtuoso refuses: see 'build' and 'load synthetic')")
KNOWN_DIFFERENCES: dict[tuple[str, str], str] = {
    ("virtuoso", "build"): "evidence/cube.py writes the empty cube graph of the ontology as `INSERT DATA { GRAPH <…> "
                           "{ } }`, which Virtuoso 7.2 refuses (SP030 syntax error at '}'): build stops at the cube",
    ("virtuoso", "load synthetic huggingface-models"): "the load's cube graph goes as one INSERT DATA of over 1,400 "
                                                       "triples: Virtuoso's 10,000-line SQL limit (SP031)",
    ("virtuoso", "stats"): _NO_CUBE + "; and the Hub graph holds 160 triples fewer (9,544 against 9,704)",
    ("virtuoso", "serve artifacts-by-location"): "the same as query artifacts-by-location: " + _NO_CUBE,
    ("virtuoso", "report survey-report.md"): "the report's tables come out empty or different: " + _NO_CUBE,
}
for _name in ("artifacts-by-location", "cosharing-survey-vs-crawl", "licences-by-platform", "lineage-base-models",
              "open-models-by-platform", "open-sourcing-coverage", "platform-categories", "release-strategies",
              "reuse-patterns", "rq1-1-common-and-unique", "rq1-where-locations-by-kind", "rq1-who-sharers-by-kind"):
    KNOWN_DIFFERENCES["virtuoso", f"query {_name}"] = _NO_CUBE
KNOWN_DIFFERENCES["virtuoso", "query rq1-who-sharers-by-kind"] = (
    _NO_CUBE + "; and a GROUP_CONCAT's order differs ('shares, shares less' for 'shares less, shares'): the "
    "order of GROUP_CONCAT is undefined in SPARQL, and the query does not fix it")
for _file in ("crawl-report.md", "compare-report.md"):
    KNOWN_DIFFERENCES["virtuoso", f"report {_file}"] = KNOWN_DIFFERENCES["virtuoso", "report survey-report.md"]


# -- the CLI ------------------------------------------------------------------------------------------

@dataclass
class Run:
    code: int
    out: str
    err: str
    seconds: float = 0.0

    def failure(self) -> str:
        """The exit code and the last lines of stderr (a sentence, or a traceback's last frame and error)."""
        return f"exit {self.code}: " + "\n".join(self.err.strip().splitlines()[-4:])


def cli(store: str, *args: str, timeout: float = 300) -> Run:
    """``odlm-kg --store STORE ARGS…`` as a subprocess, with a wide terminal so rich tables never wrap."""
    started = time.perf_counter()
    done = subprocess.run([ODLM_KG, "--store", store, *args], capture_output=True, text=True, timeout=timeout,
                          check=False, env={**os.environ, "NO_COLOR": "1", "COLUMNS": "400"})
    return Run(done.returncode, done.stdout, done.stderr, time.perf_counter() - started)


#: cli_here redirects this process's stdout and stderr: one thread at a time.
QUERY_TURN = threading.Lock()


def cli_here(store: str, *args: str) -> Run:
    """The same command through ``main`` in this process (what the console script calls)."""
    out, err = io.StringIO(), io.StringIO()
    started = time.perf_counter()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["--store", store, *args])
    return Run(code, out.getvalue(), err.getvalue(), time.perf_counter() - started)


def _catalogue() -> list[dict[str, object]]:
    run = cli_here("memory", "query", "--list", "--format", "json")
    assert run.code == 0, run.failure()
    return list(json.loads(run.out))


CATALOGUE = _catalogue()
#: Queries that call SERVICE go to Wikidata or DBLP on the internet; tests run without it, and their
#: answers come from that remote service, not from the engine under test.
FEDERATED = sorted(str(q["name"]) for q in CATALOGUE if service_endpoints(str(q["text"])))
LOCAL_QUERIES = sorted(str(q["name"]) for q in CATALOGUE if str(q["name"]) not in FEDERATED)


# -- answers as tables --------------------------------------------------------------------------------

NUMERIC_TYPES = frozenset(f"http://www.w3.org/2001/XMLSchema#{t}" for t in (
    "integer", "decimal", "double", "float", "int", "long", "short", "byte", "nonNegativeInteger",
    "positiveInteger", "negativeInteger", "nonPositiveInteger", "unsignedInt", "unsignedLong",
    "unsignedShort", "unsignedByte"))
XSD_BOOLEAN = "http://www.w3.org/2001/XMLSchema#boolean"
Cell = tuple[object, ...] | None


def json_cell(term: dict[str, str] | None) -> Cell:
    """A SPARQL JSON results term as a comparable cell: ("num", float), ("bnode",), ("iri", text) or
    ("lit", text, language)."""
    if term is None:
        return None
    kind = term["type"]
    if kind == "bnode":
        return ("bnode",)
    if kind == "uri":
        return ("iri", term["value"])
    datatype = term.get("datatype", "")
    if datatype in NUMERIC_TYPES:
        return ("num", float(term["value"]))
    if datatype == XSD_BOOLEAN:
        return ("bool", term["value"] in ("true", "1"))
    return ("lit", term["value"], term.get("xml:lang", "").lower())


def rdf_cell(term: object) -> Cell:
    if isinstance(term, BNode):
        return ("bnode",)
    if isinstance(term, Literal):
        datatype = str(term.datatype or "")
        if datatype in NUMERIC_TYPES:
            return ("num", float(term))
        if datatype == XSD_BOOLEAN:
            return ("bool", str(term) in ("true", "1"))
        return ("lit", str(term), (term.language or "").lower())
    return ("iri", str(term))


def text_cell(text: str) -> Cell:
    """A Markdown or terminal table cell: a number when it reads as one (thousands commas allowed)."""
    stripped = text.strip()
    try:
        value = float(stripped.replace(",", ""))
    except ValueError:
        return ("lit", stripped, "")
    return ("num", value) if math.isfinite(value) else ("lit", stripped, "")


@dataclass
class Table:
    columns: list[str]
    rows: list[tuple[Cell, ...]]
    #: The ORDER BY columns whose order the engines must agree on (see ordered_columns); None: unordered.
    order: list[str] | None = None


def _sort_key(row: tuple[Cell, ...]) -> tuple[object, ...]:
    # numbers rounded so that values equal within the tolerance sort to the same place
    return tuple((0, "") if c is None else (1, f"{c[1]:.6g}") if c[0] == "num" else (2, repr(c)) for c in row)


def cells_equal(a: Cell, b: Cell) -> bool:
    if a is None or b is None or a[0] != "num" or b[0] != "num":
        return a == b
    return math.isclose(float(a[1]), float(b[1]), rel_tol=1e-6, abs_tol=1e-9)  # type: ignore[arg-type]


def rows_equal(a: list[tuple[Cell, ...]], b: list[tuple[Cell, ...]]) -> bool:
    return len(a) == len(b) and all(len(x) == len(y) and all(map(cells_equal, x, y)) for x, y in zip(a, b, strict=True))


def show(cell: Cell) -> str:
    if cell is None:
        return "(unbound)"
    if cell[0] == "num":
        return f"{cell[1]:g}"
    if cell[0] == "bnode":
        return "_:b"
    if cell[0] == "bool":
        return str(cell[1]).lower()
    return str(cell[1]) + (f"@{cell[2]}" if len(cell) > 2 and cell[2] else "")


def differences(expected: Table, actual: Table, limit: int = 6) -> list[str]:
    """What differs between two tables, in sentences (empty when they agree)."""
    if expected.columns != actual.columns:
        return [f"columns differ: {expected.columns} (embedded) vs {actual.columns}"]
    said: list[str] = []
    want, got = sorted(expected.rows, key=_sort_key), sorted(actual.rows, key=_sort_key)
    if not rows_equal(want, got):
        counted_want, counted_got = Counter(map(_sort_key, want)), Counter(map(_sort_key, got))
        only_want = [r for r in want if counted_want[_sort_key(r)] > counted_got[_sort_key(r)]]
        only_got = [r for r in got if counted_got[_sort_key(r)] > counted_want[_sort_key(r)]]
        said.append(f"{len(expected.rows)} rows on the embedded store, {len(actual.rows)} here; "
                    f"{len(only_want)} only there, {len(only_got)} only here")
        said += ["  only embedded: " + " | ".join(map(show, r)) for r in only_want[:limit]]
        said += ["  only here:     " + " | ".join(map(show, r)) for r in only_got[:limit]]
        return said
    if expected.order is not None:
        index = [expected.columns.index(c) for c in expected.order]
        if expected.order:
            keys_want = [tuple(r[i] for i in index) for r in expected.rows]
            keys_got = [tuple(r[i] for i in index) for r in actual.rows]
        else:
            keys_want, keys_got = expected.rows, actual.rows
        if not rows_equal(keys_want, keys_got):
            first = next(n for n, (x, y) in enumerate(zip(keys_want, keys_got, strict=True)) if not rows_equal([x], [y]))
            said.append(f"same rows, different order (by {expected.order or 'whole rows'}): row {first + 1} is "
                        f"{' | '.join(map(show, keys_want[first]))} on the embedded store, "
                        f"{' | '.join(map(show, keys_got[first]))} here")
    return said


def ordered_columns(sparql: str) -> list[str] | None:
    """The columns whose order a SELECT fixes, read from rdflib's algebra of the query: the leading
    ORDER BY keys that are projected variables (an unprojected key, such as a hidden ``?order``, makes
    the later keys order only its ties). ``[]`` means the order is fixed but by no projected column, so
    whole rows are compared in order; None means the query does not order its rows."""
    algebra = prepareQuery(sparql).algebra
    node = algebra.p
    while node.name in ("Project", "Distinct", "Reduced", "Slice", "ToMultiSet"):
        node = node.p
    if node.name != "OrderBy":
        return None
    projected = [str(v) for v in algebra.get("PV", [])]
    keys: list[str] = []
    for condition in node.expr:
        expr = getattr(condition, "expr", condition)
        if str(expr) not in projected or type(expr).__name__ != "Variable":
            break
        keys.append(str(expr))
    return keys


def select_table(body: dict[str, object], order: list[str] | None) -> Table:
    variables = list(body["head"]["vars"])  # type: ignore[index]
    bindings = body["results"]["bindings"]  # type: ignore[index]
    rows = [tuple(json_cell(b.get(v)) for v in variables) for b in bindings]
    return Table(variables, rows, order)


def graph_table(ntriples: str) -> Table:
    graph = Graph().parse(data=ntriples, format="nt")
    return Table(["s", "p", "o"], [tuple(rdf_cell(t) for t in triple) for triple in graph])


def markdown_tables(text: str) -> dict[str, Table]:
    """Every table of a Markdown report, keyed by the heading above it (numbered when a heading has
    several), read with markdown-it's table rule."""
    tokens = MarkdownIt("commonmark").enable("table").parse(text)
    tables: dict[str, Table] = {}
    heading, count = "(top)", 0
    current: list[list[str]] = []
    row: list[str] = []
    for index, token in enumerate(tokens):
        if token.type == "heading_open":
            heading, count = tokens[index + 1].content, 0
        elif token.type == "table_open":
            current = []
        elif token.type == "tr_open":
            row = []
        elif token.type in ("th_open", "td_open"):
            row.append(tokens[index + 1].content)
        elif token.type == "tr_close":
            current.append(row)
        elif token.type == "table_close":
            count += 1
            tables[f"{heading} #{count}"] = Table(current[0], [tuple(map(text_cell, r)) for r in current[1:]])
    return tables


def terminal_tables(text: str) -> dict[str, Table]:
    """The tables rich draws on a terminal (``stats``): title line, then box rows split at ``│``."""
    tables: dict[str, Table] = {}
    title, rows = "", []
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped:
            continue
        if stripped[0] == "┏" or stripped[0] == "┌":
            rows = []
        elif stripped[0] in "│┃":
            rows.append([cell.strip() for cell in stripped.strip("│┃").replace("┃", "│").split("│")])
        elif stripped[0] in "└┗":
            tables[title] = Table(rows[0], [tuple(map(text_cell, r)) for r in rows[1:]])
        elif stripped[0] not in "┡├╇┼━─":
            title = stripped
    return tables


# -- the three stores ---------------------------------------------------------------------------------

@dataclass
class EngineRun:
    """One engine's store after the build and loads, and what each step said."""

    name: str
    store: str
    steps: dict[str, Run] = field(default_factory=dict)
    answers: dict[str, Table | Run] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)


@pytest.fixture(scope="module")
def inputs(real_data: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[str]]:
    spec = importlib.util.spec_from_file_location("benchmark_load", ROOT / "benchmarks" / "load.py")
    assert spec is not None and spec.loader is not None
    generator = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(generator)
    synthetic = tmp_path_factory.mktemp("synthetic") / f"synthetic-hub-{SYNTHETIC_RECORDS}.jsonl"
    generator.write_input(synthetic, SYNTHETIC_RECORDS)
    return {
        "load real huggingface-models": ["huggingface-models",
                                         *sorted(map(str, (real_data / "hf-modeltree-oderinwale").glob("*.json")))],
        "load real github": ["github", str(real_data / "github-api-pygithub" / "search_repositories_2014_first5.json")],
        "load synthetic huggingface-models": ["huggingface-models", str(synthetic)],
    }


def populate(name: str, store: str, inputs: dict[str, list[str]], report_dir: Path) -> EngineRun:
    """Build, load, then ask everything once; the tests only compare."""
    run = EngineRun(name, store)
    run.steps["build"] = cli(store, "build")
    for step, args in inputs.items():
        run.steps[step] = cli(store, "load", *args, "--no-progress")
    stats = cli(store, "stats")
    run.answers["stats"] = stats
    for query in LOCAL_QUERIES:
        named = get_query(query)
        graph = named.form in ("CONSTRUCT", "DESCRIBE")
        with QUERY_TURN:
            answer = cli_here(store, "query", query, "--format", "nt" if graph else "json")
        run.seconds[f"query {query}"] = answer.seconds
        if answer.code != 0:
            run.answers[f"query {query}"] = answer
        elif graph:
            run.answers[f"query {query}"] = graph_table(answer.out)
        else:
            run.answers[f"query {query}"] = select_table(json.loads(answer.out), ordered_columns(named.bind()))
    report = cli(store, "report", "all", "--out", str(report_dir), "--no-html")
    for file in REPORTS:
        run.answers[f"report {file}"] = report if report.code != 0 else Run(
            0, (report_dir / file).read_text(), "", report.seconds)
    return run


@pytest.fixture(scope="module")
def runs(request: pytest.FixtureRequest, inputs: dict[str, list[str]],
         tmp_path_factory: pytest.TempPathFactory) -> dict[str, EngineRun]:
    """The three stores populated side by side (threads: the work is in subprocesses and servers, so the
    engines overlap; the in-process queries take turns, see QUERY_TURN)."""
    stores = {"embedded": str(tmp_path_factory.mktemp("embedded") / "store")}
    for engine, fixture in (("oxigraph", "oxigraph_union"), ("virtuoso", "virtuoso")):
        server: OxigraphServer | VirtuosoServer = request.getfixturevalue(fixture)
        server.clear()  # session servers: other modules may have left graphs behind
        stores[engine] = server.sparql_url
    reports = {name: tmp_path_factory.mktemp(f"report-{name}") for name in stores}
    with ThreadPoolExecutor(len(stores)) as pool:
        futures = {name: pool.submit(populate, name, store, inputs, reports[name]) for name, store in stores.items()}
        return {name: future.result() for name, future in futures.items()}


@pytest.fixture(scope="module")
def embedded(runs: dict[str, EngineRun]) -> EngineRun:
    return runs["embedded"]


def params(items: list[str]) -> list[object]:
    """(engine, item) pairs, with the known differences marked."""
    marked = []
    for engine in REMOTE_ENGINES:
        for item in items:
            reason = KNOWN_DIFFERENCES.get((engine, item))
            marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
            marked.append(pytest.param(engine, item, marks=marks, id=f"{engine}-{item}"))
    return marked


def computed_booleans_read(expected: Table, actual: Table) -> Table:
    """Virtuoso's answer with 0 and 1 read as false and true in the columns where the embedded store
    answers only booleans: Virtuoso's SQL has no boolean type, so a boolean a query computes
    (``BIND(false AS ?curatedSample)``, a comparison) comes back as an integer, whatever the query says
    (a stored ``"true"^^xsd:boolean`` comes back as it is). The one representation difference forgiven,
    and only on Virtuoso; tests/engines/test_portable_queries.py makes the same allowance."""
    if expected.columns != actual.columns:
        return actual
    boolean = [bool(expected.rows) and all(row[i] is None or row[i][0] == "bool" for row in expected.rows)
               for i in range(len(expected.columns))]

    def read(cell: Cell, is_boolean: bool) -> Cell:
        if is_boolean and cell is not None and cell[0] == "num" and cell[1] in (0.0, 1.0):
            return ("bool", cell[1] == 1.0)
        return cell

    rows = [tuple(read(cell, boolean[i]) for i, cell in enumerate(row)) for row in actual.rows]
    return Table(actual.columns, rows, actual.order)


def compare(expected: Table | Run, actual: Table | Run, item: str, engine: str) -> None:
    assert isinstance(expected, Table), f"the embedded store failed {item}: {expected.failure()}"  # type: ignore[union-attr]
    assert isinstance(actual, Table), f"{item} failed: {actual.failure()}"  # type: ignore[union-attr]
    if engine == "virtuoso":
        actual = computed_booleans_read(expected, actual)
    said = differences(expected, actual)
    assert not said, f"{item} differs from the embedded store:\n" + "\n".join(said)


# -- the tests ----------------------------------------------------------------------------------------

@pytest.mark.parametrize(("engine", "item"), params(list(LOAD_STEPS)))
def test_build_and_loads_succeed(engine: str, item: str, runs: dict[str, EngineRun]) -> None:
    """Each write step exits 0 on the engine, as it does on the embedded store (what it wrote is then
    compared through ``stats`` and the queries)."""
    assert runs["embedded"].steps[item].code == 0, runs["embedded"].steps[item].failure()
    assert runs[engine].steps[item].code == 0, runs[engine].steps[item].failure()


@pytest.mark.parametrize(("engine", "item"), params(["stats"]))
def test_stats_agree(engine: str, item: str, runs: dict[str, EngineRun]) -> None:
    """Triples per named graph and concepts per scheme: each of stats's tables equal."""
    want, got = runs["embedded"].answers[item], runs[engine].answers[item]
    assert isinstance(want, Run) and isinstance(got, Run)
    assert want.code == 0, want.failure()
    assert got.code == 0, got.failure()
    want_tables, got_tables = terminal_tables(want.out), terminal_tables(got.out)
    assert sorted(got_tables) == sorted(want_tables) == ["Concepts per scheme", "Triples per named graph"]
    for title, table in want_tables.items():
        compare(table, got_tables[title], f"stats: {title}", engine)


@pytest.mark.parametrize(("engine", "item"), params([f"query {q}" for q in LOCAL_QUERIES]))
def test_named_query_agrees(engine: str, item: str, runs: dict[str, EngineRun]) -> None:
    compare(runs["embedded"].answers[item], runs[engine].answers[item], item, engine)


@pytest.mark.parametrize(("engine", "item"), params([f"report {f}" for f in REPORTS]))
def test_report_tables_agree(engine: str, item: str, runs: dict[str, EngineRun]) -> None:
    """``report all``'s Markdown: every table, under the same heading, equal."""
    want, got = runs["embedded"].answers[item], runs[engine].answers[item]
    assert isinstance(want, Run) and isinstance(got, Run)
    assert want.code == 0, want.failure()
    assert got.code == 0, got.failure()
    want_tables, got_tables = markdown_tables(want.out), markdown_tables(got.out)
    assert want_tables, f"no tables in the embedded store's {item}"
    assert list(got_tables) == list(want_tables), "the report's tables differ in number or headings"
    problems = []
    for title, table in want_tables.items():
        said = differences(table, got_tables[title])
        if said:
            problems.append(f"{title}:\n" + "\n".join(said))
    assert not problems, f"{item} differs from the embedded store:\n" + "\n".join(problems)


@pytest.fixture(scope="module")
def served(runs: dict[str, EngineRun], tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """``odlm-kg serve --store URL`` in front of each remote store, on a free loopback port."""
    processes: list[subprocess.Popen[bytes]] = []
    bases: dict[str, str] = {}
    try:
        for engine in REMOTE_ENGINES:
            port = free_port()
            log = (tmp_path_factory.mktemp(f"serve-{engine}") / "serve.log").open("wb")
            processes.append(subprocess.Popen([ODLM_KG, "--store", runs[engine].store, "serve", "--port", str(port),
                                               "--workers", "1"], stdout=log, stderr=subprocess.STDOUT))
            log.close()
            bases[engine] = f"http://127.0.0.1:{port}"
        for engine, process in zip(REMOTE_ENGINES, processes, strict=True):
            wait_until_up(f"{bases[engine]}/health", process, seconds=60)
        yield bases
    finally:
        for process in processes:
            process.terminate()
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(10)


@pytest.mark.parametrize(("engine", "item"), params([f"serve {q}" for q in SERVED_QUERIES]))
def test_serve_in_front_of_the_engine_agrees(engine: str, item: str, runs: dict[str, EngineRun],
                                             served: dict[str, str]) -> None:
    """``/queries/NAME`` over HTTP from ``odlm-kg serve --store URL`` equals the embedded store's answer
    to the same named query with the same parameters, asked through the CLI."""
    name = item.removeprefix("serve ")
    arguments = SERVED_QUERIES[name]
    response = httpx.get(f"{served[engine]}/queries/{name}", params=arguments,
                         headers={"Accept": "application/sparql-results+json"}, timeout=120)
    assert response.status_code == 200, response.text[:1000]
    got = select_table(response.json(), ordered_columns(get_query(name).bind(**arguments)))
    flags = [option for k, v in arguments.items() for option in ("-p", f"{k}={v}")]
    direct = cli_here(runs["embedded"].store, "query", name, "--format", "json", *flags)
    assert direct.code == 0, direct.failure()
    compare(select_table(json.loads(direct.out), got.order), got, item, engine)
