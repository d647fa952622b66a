"""``odlm-kg validate`` in bounded memory, with a capped report and strict input (issue 16, item 10)."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from odlm_kg.cli.app import main
from odlm_kg.errors import InputError
from odlm_kg.validate import files as validate_files_module
from odlm_kg.validate.files import validate_files
from odlm_kg.validate.report import ReportCollector, ValidationResult

SHAPES_DATA = Path(__file__).parent / "data" / "shapes"
ODLM = "https://w3id.org/odlm#"
MODEL = f"<{ODLM}DeepLearningModel>"
RDF_TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"


def _models_without_labels(path: Path, count: int) -> Path:
    """``count`` models, each missing its label and kind: several core violations each."""
    path.write_text("".join(f"<https://example.org/m{i}> {RDF_TYPE} {MODEL} .\n" for i in range(count)),
                    encoding="utf-8")
    return path


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["validate", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.mark.parametrize("engine", ["auto", "sparql", "pyshacl"])
@pytest.mark.parametrize("name, content", [("empty.ttl", ""), ("prefixes-only.ttl", "@prefix ex: <http://e/> .\n"),
                                           ("empty.nt", "# nothing\n")])
def test_input_without_triples_is_an_error(tmp_path: Path, capsys: pytest.CaptureFixture[str], engine: str,
                                           name: str, content: str) -> None:
    """Regression: an empty file "conformed" (exit 0)."""
    empty = tmp_path / name
    empty.write_text(content)
    code, out, err = _run(capsys, str(empty), "--engine", engine)
    assert code == 2 and out == ""
    assert f"{empty} holds no triples" in err and "Traceback" not in err


TRUNCATED_RDFXML = ('<?xml version="1.0"?>\n<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
                    'xmlns:odlm="https://w3id.org/odlm#">\n'
                    '<rdf:Description rdf:about="https://example.org/m1">'
                    '<rdf:type rdf:resource="https://w3id.org/odlm#Licence"/></rdf:Description>\n'
                    '<rdf:Description rdf:about="https://example.org/m2"><odlm:licenceText>MI')


@pytest.mark.parametrize("engine", ["auto", "memory", "sparql", "pyshacl"])
def test_truncated_rdfxml_is_an_error(tmp_path: Path, capsys: pytest.CaptureFixture[str], engine: str) -> None:
    """Regression: RDF/XML cut off mid-element "conformed" in the CLI (Oxigraph's parser accepts it)."""
    cut = tmp_path / "cut.rdf"
    cut.write_text(TRUNCATED_RDFXML)
    code, out, err = _run(capsys, str(cut), "--engine", engine)
    assert code == 2 and out == ""
    assert f"{cut}: not well-formed RDF/XML" in err and "line 4" in err and "Traceback" not in err
    complete = tmp_path / "complete.rdf"
    complete.write_text(TRUNCATED_RDFXML.replace("<odlm:licenceText>MI", "<odlm:licenceText>MIT</odlm:licenceText>"
                                                 "</rdf:Description></rdf:RDF>\n"))
    assert _run(capsys, str(complete), "--engine", engine, "-p", "core")[0] in (0, 1)


def test_rdfxml_with_an_external_entity_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    doc = tmp_path / "entity.rdf"
    doc.write_text('<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
                   '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
                   '<rdf:Description rdf:about="http://e/a"><rdf:value>&x;</rdf:value></rdf:Description></rdf:RDF>')
    code, _out, err = _run(capsys, str(doc))
    assert code == 2 and "refused" in err and "root:" not in err


def test_the_printed_report_is_capped_by_default(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Regression: a 50 MB file printed a 560 MB report; now 100 results unless asked, counts still whole."""
    data = _models_without_labels(tmp_path / "models.nt", 150)
    code, out, err = _run(capsys, str(data), "-p", "core", "--format", "json")
    report = json.loads(out)
    assert code == 1 and len(report["results"]) == 100
    total = report["summary"]["results"]
    assert total >= 150 and report["summary"]["truncated"] is True and report["summary"]["focus_nodes"] == 150
    assert f"showing 100 of {total:,} results" in err
    code, out, _ = _run(capsys, str(data), "-p", "core", "--format", "json", "--all")
    assert len(json.loads(out)["results"]) == total
    code, out, _ = _run(capsys, str(data), "-p", "core", "--max-results", "3")
    assert out.count("Violation: ") == 3 and f"{total} results" in out and "showing the first 3" in out
    assert _run(capsys, str(data), "--all", "--max-results", "3")[0] == 2


def test_a_large_input_is_validated_in_bounded_batches(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Regression: the whole file went into one in-memory store (4.9 GB for a 50 MB Turtle file). Now no
    batch holds more than its share, and the results are those of the whole file."""
    data = _models_without_labels(tmp_path / "models.nt", 400)
    whole = validate_files([data], ["core"])
    sizes: list[int] = []
    real_index = validate_files_module._BatchIndex.__init__

    def counting(self: object, triples: list[tuple[str, str, str]], *args: object) -> None:
        sizes.append(len(triples))
        real_index(self, triples, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(validate_files_module._BatchIndex, "__init__", counting)
    monkeypatch.setattr(validate_files_module, "LINE_CHUNK_BYTES", 4096)  # read in many chunks too
    monkeypatch.setattr(validate_files_module, "SPOOL_FLUSH", 50)
    batched = validate_files([data], ["core"], batch_triples=40)
    assert batched.engine.startswith("memory in ") and len(sizes) > 5 and max(sizes) < 120 and sum(sizes) == 400
    assert sorted(r.key() for r in batched.results) == sorted(r.key() for r in whole.results)


def test_batches_see_types_and_openness_across_files_and_blank_nodes(tmp_path: Path) -> None:
    """Two files, blank nodes with the same label in each, batches of a few triples: the same results as
    pySHACL over the whole input."""
    conforming = (SHAPES_DATA / "core" / "conforming.ttl").read_text(encoding="utf-8")
    violating = (SHAPES_DATA / "core" / "violating.ttl").read_text(encoding="utf-8")
    first, second = tmp_path / "a.ttl", tmp_path / "b.ttl"
    first.write_text(conforming + "\n_:x <urn:p> <urn:o> .\n", encoding="utf-8")
    second.write_text(violating + "\n_:x <urn:q> <urn:o> .\n", encoding="utf-8")
    reference = validate_files([first, second], ["core"], engine="pyshacl")
    batched = validate_files([first, second], ["core"], batch_triples=5)
    assert batched.engine.startswith("memory in ")
    assert sorted(r.key()[:5] for r in batched.results) == sorted(r.key()[:5] for r in reference.results)
    assert batched.total == reference.total


def test_a_syntax_error_deep_in_a_chunked_ntriples_file_names_its_line(tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(validate_files_module, "LINE_CHUNK_BYTES", 256)
    data = _models_without_labels(tmp_path / "models.nt", 60)
    lines = data.read_text().splitlines()
    lines[49] = lines[49].replace(" .", "")  # line 50 lacks its dot
    data.write_text("\n".join(lines) + "\n")
    with pytest.raises(InputError, match=rf"{data.name}: not valid nt: .*line 5[01]"):
        validate_files([data], ["core"])


def test_a_truncated_gzip_file_is_an_error(tmp_path: Path) -> None:
    data = _models_without_labels(tmp_path / "models.nt", 200)
    packed = tmp_path / "models.nt.gz"
    packed.write_bytes(gzip.compress(data.read_bytes())[:-40])
    with pytest.raises(InputError, match=r"models\.nt\.gz: cannot read"):
        validate_files([packed], ["core"])


def test_report_collector_keeps_only_the_first_results_and_counts_all() -> None:
    from rdflib import URIRef

    from odlm_kg.namespaces import SH

    def result(i: int) -> ValidationResult:
        return ValidationResult(URIRef(f"urn:n{i:05d}"), None, None, "m", SH.Violation, URIRef("urn:S"),
                                SH.MinCountConstraintComponent)

    collector = ReportCollector(max_results=10)
    for start in range(0, 20_000, 1000):
        collector.add([result(i) for i in reversed(range(start, start + 1000))])
        assert len(collector.kept) <= 2 * 10 + 1024 + 1000
    report = collector.report()
    assert report.total == 20_000 and report.summary()["focus_nodes"] == 20_000
    assert [str(r.focus_node) for r in report.results] == [f"urn:n{i:05d}" for i in range(10)]
