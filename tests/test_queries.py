"""The named-query catalogue: headers, typed parameters, safe binding, the CLI and odlm_kg.query."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph

import odlm_kg
from odlm_kg.cli.app import main
from odlm_kg.errors import InputError, UsageError
from odlm_kg.queries import ParameterError, get_query, list_queries, parse_query_text, run_named_query
from odlm_kg.sparql_text import query_form, service_endpoints
from odlm_kg.store import OxigraphStore
from odlm_kg.store.base import SelectResult

HEADER = """# title: Things
# description: Test query.
# rq: RQ1, RQ2
# evidence: findings, crawl
# param: thing iri required The thing
# param: label string - A label
# param: n integer 3 How many
# param: share decimal 0.5 A share
# param: flag boolean false A flag
PREFIX ex: <urn:ex:>
SELECT ?thing ?label ?n ?share ?flag WHERE { OPTIONAL { ?thing ex:label ?label } }
"""


def test_every_shipped_query_parses_and_runs(memory_store: OxigraphStore) -> None:
    queries = list_queries()
    assert {"concepts-by-scheme", "artifacts-by-location"} <= {q.name for q in queries}
    for q in queries:
        assert q.title and q.description and q.research_question, q.name
        if all(not p.required for p in q.parameters) and not service_endpoints(q.text):  # no network in tests
            result = run_named_query(memory_store, q.name)
            # the result must be of the query's form (the old check, "or result is not None", could not fail)
            expected = {"SELECT": SelectResult, "ASK": bool, "CONSTRUCT": Graph, "DESCRIBE": Graph}[query_form(q.text)]
            assert isinstance(result, expected), (q.name, type(result))


def test_header_and_types() -> None:
    q = parse_query_text("things", HEADER)
    assert q.title == "Things" and q.research_question == ("RQ1", "RQ2") and q.evidence == ("findings", "crawl")
    assert [(p.name, p.type, p.required) for p in q.parameters] == [
        ("thing", "iri", True), ("label", "string", False), ("n", "integer", False), ("share", "decimal", False),
        ("flag", "boolean", False)]
    store = OxigraphStore()
    store.load_text('<urn:ex:a> <urn:ex:label> "A" .', "nt", "urn:g")
    result = store.query(q.bind(thing="urn:ex:a", flag="yes", n="7"))
    assert isinstance(result, SelectResult)
    (row,) = result.rows
    assert str(row["label"]) == "A" and int(row["n"]) == 7 and row["flag"].toPython() is True  # type: ignore[union-attr]
    assert str(row["share"]) == "0.5"


@pytest.mark.parametrize(("name", "value", "expected"), [
    ("n", "3.5", "integer"), ("share", "abc", "decimal"), ("flag", "maybe", "boolean"),
    ("thing", "not an iri", "iri"), ("thing", "http://x/>} ; DROP ALL #", "iri"),
])
def test_bad_values_name_the_parameter(name: str, value: str, expected: str) -> None:
    q = parse_query_text("things", HEADER)
    params = {"thing": "urn:ex:a", name: value}
    with pytest.raises(ParameterError) as info:
        q.bind(**params)
    assert info.value.parameter == name and info.value.expected == expected and name in str(info.value)


def test_strings_cannot_break_out() -> None:
    q = parse_query_text("things", HEADER)
    store = OxigraphStore()
    text = q.bind(thing="urn:ex:a", label='x" } } ; DROP ALL ; SELECT * { "\\')
    result = store.query(text)
    assert isinstance(result, SelectResult)
    assert str(result.rows[0]["label"]) == 'x" } } ; DROP ALL ; SELECT * { "\\'


def test_missing_required_and_unknown() -> None:
    q = parse_query_text("things", HEADER)
    with pytest.raises(ParameterError, match="needs parameter 'thing'"):
        q.bind()
    with pytest.raises(ParameterError, match="no parameter 'zzz'"):
        q.bind(thing="urn:a", zzz=1)


def test_bad_headers() -> None:
    with pytest.raises(InputError, match="type 'number'"):
        parse_query_text("x", "# param: n number 1 d\nSELECT * {}")
    with pytest.raises(InputError, match="default of"):
        parse_query_text("x", "# param: n integer many d\nSELECT * {}")
    with pytest.raises(UsageError, match="no named query"):
        get_query("../etc/passwd")


def test_unknown_name_lists_the_catalogue_without_parsing_it(tmp_path: Path) -> None:
    (tmp_path / "broken.rq").write_text("# param: n number 1 d\nSELECT * {}\n", encoding="utf-8")
    with pytest.raises(UsageError, match=r"no named query 'missing'\. Named queries: broken\."):
        get_query("missing", tmp_path)


def test_prefixed_iri_parameter(memory_store: OxigraphStore) -> None:
    q = get_query("concepts-by-scheme")
    assert "<https://w3id.org/odlm#Dataset>" in q.bind(scheme="odlm:Dataset")


def test_python_api_dataframe(memory_store: OxigraphStore) -> None:
    memory_store.load_text(
        "<urn:f> a <https://w3id.org/odlm#Finding> ; <https://w3id.org/odlm#sourceWork> <urn:w> ;"
        " <https://w3id.org/odlm#claim> <urn:c> . <urn:c> <https://w3id.org/odlm#factor> <urn:x> ;"
        " <https://w3id.org/odlm#artifactKind> <https://w3id.org/odlm/vocab/artifact-kind/Code> .", "turtle", "urn:g")
    frame = odlm_kg.query("findings-by-source-work", store=memory_store)
    assert list(frame.columns) == ["work", "title", "findings", "withNumbers", "claims", "aboutData", "aboutCode",
                                   "aboutModels", "concepts"]
    assert frame.iloc[0]["findings"] == 1 and frame.iloc[0]["aboutCode"] == 1
    assert odlm_kg.query("findings-by-source-work", store=memory_store,
                         kind="https://w3id.org/odlm/vocab/artifact-kind/Model").empty


def test_cli(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main(["--store", "memory", "query", "--list"]) == 0
    assert "artifacts-by-location" in capsys.readouterr().out
    assert main(["--store", "memory", "query", "--list", "--format", "json"]) == 0
    assert "artifacts-by-location" in {q["name"] for q in __import__("json").loads(capsys.readouterr().out)}
    assert main(["--store", "memory", "query", "artifacts-by-location", "--param", "minimum=2", "--format", "csv"]) == 0
    assert capsys.readouterr().out.startswith("location,locationLabel,kind,artifacts")
    assert main(["--store", "memory", "query", "artifacts-by-location", "--param", "minimum=two"]) == 2
    err = capsys.readouterr().err
    assert "'minimum'" in err and "integer" in err and "Traceback" not in err
    assert main(["--store", "memory", "query", "nope"]) == 2
    assert "no named query 'nope'" in capsys.readouterr().err
    assert main(["--store", "memory", "query", "artifacts-by-location", "--param", "oops"]) == 2


def test_serve_builds_an_empty_store(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import uvicorn

    served: dict[str, object] = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: served.update(app=app, **kw))
    monkeypatch.setattr("odlm_kg.build.BUILD_STEPS", [("ontology", "odlm_kg.ontology:build_step")])
    assert main(["--store", str(tmp_path / "s"), "serve", "--port", "8123", "--timeout", "5"]) == 0
    assert served["port"] == 8123 and served["host"] == "127.0.0.1"
    store = OxigraphStore(tmp_path / "s")
    assert store.count() > 100
    store.close()
    assert main(["--store", "memory", "serve", "--timeout", "0"]) == 2


def test_serve_names_the_token_variable(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("ODLM_KG_UPDATE_TOKEN", "secret")  # set in the environment, not on the command line
    assert main(["--store", "memory", "serve"]) == 2
    assert "ODLM_KG_UPDATE_TOKEN" in capsys.readouterr().err


def test_rq1_reads_the_cube_not_the_artifacts() -> None:
    """Issue 15: rq1-where-locations-by-kind answers from cube observations (and claims) only, so that it
    does not grow with the crawled artifacts: raw records without observations give no row."""
    store = OxigraphStore()
    odlm, vocab = "https://w3id.org/odlm#", "https://w3id.org/odlm/vocab/"
    github, model = f"<{vocab}sharing-location/GitHub>", f"<{vocab}artifact-kind/Model>"
    store.load_text(f"""
        <urn:model> <{odlm}sharedAt> {github} ; <{odlm}artifactKind> {model} .
        {github} <http://www.w3.org/2004/02/skos/core#inScheme> <{vocab}sharing-location> .
        """, "turtle", "urn:g")
    result = store.query(get_query("rq1-where-locations-by-kind").bind())
    assert isinstance(result, SelectResult) and result.rows == []
    store.load_text(f"""
        <urn:obs> a <{odlm}ComparisonObservation> ; <{odlm}artifactKind> {model} ; <{odlm}factor> {github} ;
          <{odlm}platform> {github} ; <{odlm}aboutPopulation> <{vocab}population/PlatformRecords> ;
          <{odlm}evidenceClass> <{vocab}evidence-class/Crawl> ; <{odlm}evidenceSource> <urn:g> ;
          <{odlm}count> 1 ; <{odlm}sampleSize> 1 ; <{odlm}synthetic> false ; <{odlm}curatedSample> false .
        """, "turtle", "urn:cube")
    crawl = [(str(r["location"]), int(r["count"])) for r in store.query(get_query("rq1-where-locations-by-kind").bind())
             if str(r["evidence"]) == "crawl"]
    assert crawl == [(github[1:-1], 1)]


def test_catalogue_in_every_format_it_claims(capsys: pytest.CaptureFixture[str]) -> None:
    """Regression: ``query --list --format csv`` printed the table, ignoring the format."""
    import csv
    import io

    names = {q.name for q in list_queries()}
    for fmt, delimiter in (("csv", ","), ("tsv", "\t")):
        assert main(["--store", "memory", "query", "--list", "--format", fmt]) == 0
        rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out), delimiter=delimiter))
        assert {row["name"] for row in rows} == names
        assert next(r for r in rows if r["name"] == "rq1-where-locations-by-kind")["parameters"] == "kind:iri include-synthetic:boolean"
    assert main(["--store", "memory", "query", "--list", "--format", "ttl"]) == 2
    assert "use table, json, csv or tsv" in capsys.readouterr().err
