"""CLI defects of issue 19, one regression test each: prefixed IRI parameters, --format, --file -, tables at
80 columns, pluralisation, report charts beside the Markdown, and what every report records about itself."""

from __future__ import annotations

import csv
import io
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import Graph

from odlm_kg import __version__
from odlm_kg.cli.app import main
from odlm_kg.cli.query import FORMATS

MODEL = "https://w3id.org/odlm/vocab/artifact-kind/Model"


@pytest.fixture(scope="module")
def store_path(built_store_path: Path) -> Path:
    return built_store_path


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _csv(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_iri_parameters_take_the_cookbooks_prefixes(store_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Regression: ``--param kind=vocab:artifact-kind/Model`` answered nothing with exit 0."""
    base = ["--store", str(store_path), "query", "rq1-where-locations-by-kind", "--format", "csv", "--param"]
    code, prefixed, _ = _run(capsys, *base, "kind=vocab:artifact-kind/Model")
    assert code == 0
    rows = _csv(prefixed)
    assert rows and {row["kind"] for row in rows} == {MODEL}
    assert _run(capsys, *base, f"kind={MODEL}")[1] == prefixed
    code, _, err = _run(capsys, "--store", str(store_path), "query", "concepts-by-scheme", "--format", "csv",
                        "--param", "scheme=vocab:barrier")
    assert code == 0 and err == ""


def test_an_unknown_prefix_is_an_error_naming_the_known_ones(store_path: Path,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _run(capsys, "--store", str(store_path), "query", "rq1-where-locations-by-kind",
                          "--param", "kind=vcab:artifact-kind/Model")
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1
    assert "unknown prefix 'vcab:'" in err and "vocab:" in err and "odlm:" in err


def test_every_suggested_format_is_accepted(store_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Regression: --format suggested json-ld and xml and then refused them."""
    code, out, _ = _run(capsys, "query", "--help")
    suggested = re.sub(r"\s+", " ", out)
    for fmt in FORMATS:
        assert fmt in suggested
    for fmt in ("ttl", "nt", "json-ld", "xml"):
        code, out, err = _run(capsys, "--store", str(store_path), "query", "lineage-graph", "--format", fmt)
        assert code == 0, err
        rdflib_format = {"ttl": "turtle", "nt": "nt", "json-ld": "json-ld", "xml": "xml"}[fmt]
        assert len(Graph().parse(data=out, format=rdflib_format)) > 0
    for fmt in ("table", "csv", "tsv", "json"):
        assert _run(capsys, "--store", str(store_path), "query", "artifacts-by-location", "--format", fmt)[0] == 0
    code, _, err = _run(capsys, "--store", str(store_path), "query", "artifacts-by-location", "--format", "xml")
    assert code == 2 and "use one of table, csv, tsv, json" in err
    code, _, err = _run(capsys, "--store", str(store_path), "query", "artifacts-by-location", "--format", "yaml")
    assert code == 2 and "json-ld" in err


def test_file_dash_reads_the_query_from_standard_input(store_path: Path, capsys: pytest.CaptureFixture[str],
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """Regression: ``--file -`` looked for a file named '-'."""
    monkeypatch.setattr(sys, "stdin", io.StringIO(
        "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n"
        "SELECT ?label WHERE { <https://w3id.org/odlm/vocab/artifact-kind/Model> skos:prefLabel ?label }"))
    code, out, err = _run(capsys, "--store", str(store_path), "query", "--file", "-", "--format", "csv")
    assert (code, out) == (0, "label\nmodel\n"), err
    monkeypatch.setattr(sys, "stdin", io.StringIO("  \n"))
    code, _, err = _run(capsys, "--store", str(store_path), "query", "--file", "-")
    assert code == 2 and "standard input" in err


def test_tables_at_80_columns_cut_nothing(store_path: Path) -> None:
    """Regression: a 15-column answer at 80 columns showed ``h…`` for every IRI."""
    env = {**os.environ, "COLUMNS": "80", "LINES": "40"}
    done = subprocess.run([sys.executable, "-m", "odlm_kg.cli.app", "--store", str(store_path), "query",
                           "rq1-where-locations-by-kind"], capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert "…" not in done.stdout
    assert max(len(line) for line in lines) <= 80
    assert "vocab:sharing-location/HuggingFaceHub" in done.stdout and "https://w3id.org/odlm/vocab/" not in done.stdout
    assert "Hugging Face Hub" in done.stdout and lines[-1].endswith(" rows")
    narrow = subprocess.run([sys.executable, "-m", "odlm_kg.cli.app", "--store", str(store_path), "query", "--file",
                             "-"], input="SELECT ?kind ?label WHERE { ?kind <http://www.w3.org/2004/02/skos/core#inScheme> "
                             "<https://w3id.org/odlm/vocab/artifact-kind> ; <http://www.w3.org/2004/02/skos/core#prefLabel>"
                             " ?label }", capture_output=True, text=True, env=env, timeout=120)
    assert narrow.returncode == 0 and "┃ kind" in narrow.stdout  # an answer that fits stays a table
    assert "vocab:artifact-kind/Model" in narrow.stdout and narrow.stdout.rstrip().endswith("3 rows")


def test_counts_agree_with_their_nouns(store_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Regression: "1 results: 1 violations" (validate) and "1 rows" (query)."""
    data = tmp_path / "one.ttl"
    data.write_text(
        '@prefix odlm: <https://w3id.org/odlm#> .\n@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n'
        '<https://w3id.org/odlm/id/model/a> a odlm:DeepLearningModel ; '
        '<http://www.w3.org/2000/01/rdf-schema#label> "a" ; odlm:synthetic "maybe"^^xsd:boolean .\n')
    code, out, _ = _run(capsys, "validate", str(data), "-p", "core")
    assert code == 1
    assert "1 result: 1 violation, 0 warnings, 0 infos; on 1 focus node from 1 shape" in out
    assert not re.search(r"\b1 (results|violations|focus nodes|shapes)\b", out)
    code, out, _ = _run(capsys, "--store", str(store_path), "query", "--file", str(_one_row_query(tmp_path)))
    assert code == 0 and out.rstrip().endswith("1 row")
    one_record = tmp_path / "one.jsonl"
    one_record.write_text('{"id": "example-org/one", "author": "example-org", "tags": ["license:mit"]}\n')
    code, out, _ = _run(capsys, "--store", "memory", "load", "huggingface-models", str(one_record), "--no-progress")
    assert code == 0 and "read 1 record, wrote 1 " in out
    cookbook = (Path(__file__).resolve().parent.parent / "docs" / "cookbook.md").read_text(encoding="utf-8")
    assert "(1 rows)" not in cookbook and "Result on the default graph (1 row):" in cookbook


def _one_row_query(folder: Path) -> Path:
    path = folder / "one.rq"
    path.write_text("SELECT (1 AS ?one) WHERE { }", encoding="utf-8")
    return path


def test_report_markdown_links_chart_files(store_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Regression: report Markdown embedded every chart as base64."""
    assert _run(capsys, "--store", str(store_path), "report", "compare", "--out", str(tmp_path))[0] == 0
    markdown = (tmp_path / "compare-report.md").read_text(encoding="utf-8")
    assert "base64" not in markdown and "data:" not in markdown
    linked = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", markdown)
    assert linked == ["compare-report-chart-1.png", "compare-report-chart-2.png", "compare-report-chart-3.png"]
    for name in linked:
        assert (tmp_path / name).read_bytes().startswith(b"\x89PNG")
    html = (tmp_path / "compare-report.html").read_text(encoding="utf-8")
    assert html.count("data:image/png;base64,") == 3  # the HTML page stays one self-contained file


def test_every_report_records_its_date_version_and_store(store_path: Path, tmp_path: Path,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    """Regression: no report said when it was made, by which version, or from which store."""
    assert _run(capsys, "--store", str(store_path), "report", "all", "--out", str(tmp_path))[0] == 0
    stamp = re.compile(rf"Made on \d{{4}}-\d\d-\d\d \d\d:\d\d UTC by odlm-kg {re.escape(__version__)} from the "
                       rf"store at {re.escape(str(store_path))}\.")
    for stem in ("survey-report", "crawl-report", "compare-report"):
        for suffix in (".md", ".html"):
            text = (tmp_path / f"{stem}{suffix}").read_text(encoding="utf-8")
            assert stamp.search(text), f"{stem}{suffix}"
