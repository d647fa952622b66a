"""Shape layers, the two validation engines, reports and ``odlm-kg validate``.

Layer examples are picked up from ``tests/data/shapes/<layer>/``: ``conforming.ttl`` (no results at
all), ``violating.ttl`` and ``expected.json`` (every result of the violating file, in the report's
short term syntax). A layer's owner only drops these three files there.
"""

from __future__ import annotations

import gzip
import json
import re
import shutil
from collections import Counter
from pathlib import Path

import pytest
from rdflib import Graph

from odlm_kg.cli.app import main
from odlm_kg.rdf_formats import read_graph
from odlm_kg.validate import validate
from odlm_kg.validate.report import ValidationReport, term_text
from odlm_kg.validate.shapes import available_layers, cached_shapes_graph
from odlm_kg.validate.sparql_engine import FastValidator

TESTS = Path(__file__).resolve().parent
PROJECT_ROOT = TESTS.parent
SHAPES_DATA = TESTS / "data" / "shapes"
LAYER_DIRS = sorted(p for p in SHAPES_DATA.iterdir() if (p / "expected.json").is_file())
#: The engines that compile shapes, each compared with pySHACL (the reference).
FAST_ENGINES = ("sparql", "memory")


def _short(report: ValidationReport) -> Counter:
    return Counter(
        (term_text(r.focus_node), term_text(r.result_path) or None, term_text(r.value) or None,
         term_text(r.constraint_component), r.severity_name, report.shape_label(r.source_shape))
        for r in report.results
    )


def _expected(layer_dir: Path) -> tuple[list[str], bool, Counter]:
    spec = json.loads((layer_dir / "expected.json").read_text(encoding="utf-8"))
    results = Counter(
        (r["focus_node"], r["result_path"], r["value"], r["constraint_component"], r["severity"],
         r["source_shape"]) for r in spec["results"]
    )
    return spec.get("layers", [layer_dir.name]), spec.get("conforms", False), results


@pytest.mark.parametrize("layer_dir", LAYER_DIRS, ids=lambda p: p.name)
def test_layer_conforming_example(layer_dir: Path) -> None:
    layers, _, _ = _expected(layer_dir)
    report = validate(read_graph(layer_dir / "conforming.ttl"), layers)
    assert report.results == [], report.to_text()
    assert report.conforms and report.shacl_conforms


@pytest.mark.parametrize("layer_dir", LAYER_DIRS, ids=lambda p: p.name)
def test_layer_violating_example(layer_dir: Path) -> None:
    layers, conforms, expected = _expected(layer_dir)
    report = validate(read_graph(layer_dir / "violating.ttl"), layers)
    assert _short(report) == expected
    assert report.conforms is conforms


@pytest.mark.parametrize("engine", FAST_ENGINES)
@pytest.mark.parametrize("layer_dir", LAYER_DIRS, ids=lambda p: p.name)
@pytest.mark.parametrize("example", ["conforming", "violating"])
def test_layer_examples_engines_agree(layer_dir: Path, example: str, engine: str) -> None:
    layers, _, _ = _expected(layer_dir)
    data = read_graph(layer_dir / f"{example}.ttl")
    fast = validate(data, layers, engine=engine)
    reference = validate(data, layers, engine="pyshacl")
    assert sorted(r.key() for r in fast.results) == sorted(r.key() for r in reference.results)


def test_every_standard_layer_has_examples_once_it_exists() -> None:
    with_examples = {p.name for p in LAYER_DIRS}
    assert {"core", "recommended"} <= with_examples
    assert {"core", "recommended"} <= set(available_layers())


def test_shipped_ontology_conforms_to_core_and_recommended() -> None:
    report = validate(Graph(), ["core", "recommended"])
    assert report.results == [], report.to_text()


def test_core_and_recommended_run_entirely_on_the_fast_path() -> None:
    validator = FastValidator(cached_shapes_graph(["core", "recommended"]))
    assert validator.coverage["pyshacl"] == {}


@pytest.mark.parametrize("engine", FAST_ENGINES)
def test_engines_agree_with_rdfs_inference(engine: str) -> None:
    data = read_graph(SHAPES_DATA / "core" / "violating.ttl")
    fast = validate(data, ["core"], engine=engine, inference="rdfs")
    reference = validate(data, ["core"], engine="pyshacl", inference="rdfs")
    assert sorted(r.key() for r in fast.results) == sorted(r.key() for r in reference.results)
    assert fast.results


def test_report_renderings() -> None:
    report = validate(read_graph(SHAPES_DATA / "core" / "violating.ttl"), ["core"], max_results=5)
    as_json = report.to_json()
    assert json.loads(json.dumps(as_json)) == as_json
    assert as_json["summary"]["results"] == 19 and as_json["summary"]["shown"] == 5
    assert as_json["summary"]["truncated"] is True
    graph = Graph().parse(data=report.to_turtle(), format="turtle")
    from odlm_kg.validate.pyshacl_engine import results_from_report_graph

    assert len(results_from_report_graph(graph)) == 5
    text = report.to_text()
    assert "does NOT conform" in text and "19 results" in text and "showing the first 5" in text


# --- the command line ------------------------------------------------------------------------------


def _run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(["validate", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_cli_exit_codes(capsys: pytest.CaptureFixture[str]) -> None:
    assert _run([str(SHAPES_DATA / "core" / "conforming.ttl"), "-p", "core"], capsys)[0] == 0
    code, out, _ = _run([str(SHAPES_DATA / "core" / "violating.ttl")], capsys)
    assert code == 1 and "odlmsh:LicenceShape → odlm:opennessClass" in out
    # warnings alone still conform
    code, out, _ = _run([str(SHAPES_DATA / "recommended" / "violating.ttl"), "--profile", "core,recommended"],
                        capsys)
    assert code == 0 and "8 warnings" in out


def test_cli_unparseable_turtle_names_file_and_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.ttl"
    bad.write_text('@prefix ex: <http://example.org/> .\nex:a ex:b ex:c .\nex:a ex:b "open string .\n')
    code, out, err = _run([str(bad)], capsys)
    assert code == 2 and out == ""
    assert str(bad) in err and re.search(r"line 3", err), err


def test_cli_missing_file_and_unknown_layer(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _run([str(tmp_path / "absent.ttl")], capsys)
    assert code == 2 and "absent.ttl" in err
    code, _, err = _run([str(SHAPES_DATA / "core" / "conforming.ttl"), "-p", "nosuchlayer"], capsys)
    assert code == 2 and "nosuchlayer" in err


@pytest.mark.parametrize("engine", ["auto", "pyshacl", "memory"])
@pytest.mark.parametrize("constraint, said", [
    ('sh:property [ sh:path ex:b ; sh:minCount "x" ]', "sh:minCount must be"),
    ('sh:property [ sh:path ex:b ; sh:pattern ex:notALiteral ]', "sh:pattern must be"),
    ('sh:sparql [ sh:select "SELECT $this WHERE { FILTER(" ]', "does not parse"),
], ids=["count", "pattern", "sparql"])
def test_cli_invalid_shapes_are_an_input_error(tmp_path: Path, capsys: pytest.CaptureFixture[str], engine: str,
                                               constraint: str, said: str) -> None:
    """A shapes file that pySHACL cannot load ends in a sentence and exit 2, not a stack trace."""
    shapes = tmp_path / "shapes.ttl"
    shapes.write_text("@prefix sh: <http://www.w3.org/ns/shacl#> .\n@prefix ex: <http://example.org/> .\n"
                      f"ex:S a sh:NodeShape ; sh:targetNode ex:a ; {constraint} .\n", encoding="utf-8")
    data = tmp_path / "data.ttl"
    data.write_text("@prefix ex: <http://example.org/> .\nex:a ex:b ex:c .\n", encoding="utf-8")
    code, out, err = _run([str(data), "-p", str(shapes), "--engine", engine], capsys)
    assert code == 2 and out == ""
    last = err.rstrip().splitlines()[-1]  # pySHACL may log the problem first
    assert last.startswith("odlm-kg: the shapes are not valid SHACL") and said in last, err


def test_cli_formats_gzip_and_output(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = SHAPES_DATA / "core" / "violating.ttl"
    zipped = tmp_path / "violating.ttl.gz"
    zipped.write_bytes(gzip.compress(source.read_bytes()))
    code, out, _ = _run([str(zipped), "-p", "core", "--format", "json"], capsys)
    assert code == 1 and json.loads(out)["summary"]["violations"] == 19
    report_file = tmp_path / "report.ttl"
    code, out, _ = _run([str(source), "-p", "core", "--format", "ttl", "--output", str(report_file)], capsys)
    assert code == 1 and out == ""
    assert len(Graph().parse(report_file, format="turtle")) > 19
    renamed = tmp_path / "data.txt"
    shutil.copy(source, renamed)
    assert _run([str(renamed), "-p", "core"], capsys)[0] == 2  # cannot tell the syntax
    assert _run([str(renamed), "-p", "core", "--input-format", "turtle"], capsys)[0] == 1


def test_cli_batches_report_what_whole_file_reports(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    nquads = tmp_path / "violating.nq"
    read_graph(SHAPES_DATA / "core" / "violating.ttl").serialize(nquads, format="nt")
    whole = json.loads(_run([str(nquads), "-p", "core", "-f", "json"], capsys)[1])
    batched = json.loads(_run([str(nquads), "-p", "core", "-f", "json", "--batch-size", "7"], capsys)[1])
    assert batched["engine"].endswith("batches") and batched["notes"]
    assert sorted(map(json.dumps, batched["results"])) == sorted(map(json.dumps, whole["results"]))
    # the open model's licence (and its openness) is described in another batch
    conforming = SHAPES_DATA / "core" / "conforming.ttl"
    assert _run([str(conforming), "-p", "core", "--batch-size", "3"], capsys)[0] == 0


# --- docs/validation.md examples run -----------------------------------------------------------------


def test_docs_examples_run(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(PROJECT_ROOT)
    doc = (PROJECT_ROOT / "docs" / "validation.md").read_text(encoding="utf-8")
    commands = re.findall(r"^odlm-kg (validate .*?)\s+# exit (\d)$", doc, flags=re.MULTILINE)
    assert len(commands) >= 3
    for command, exit_code in commands:
        assert main(command.split()) == int(exit_code), command
        capsys.readouterr()
    for block in re.findall(r"```python\n(.*?)```", doc, flags=re.DOTALL):
        exec(compile(block, "docs/validation.md", "exec"), {})


@pytest.mark.parametrize("engine", FAST_ENGINES)
def test_engines_agree_on_synthetic_crawl_data(tmp_path: Path, engine: str) -> None:
    """The benchmark's crawl-like data (with its deliberate errors), small: each engine, same results."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("validate_benchmark", PROJECT_ROOT / "benchmarks" / "validate.py")
    assert spec is not None and spec.loader is not None
    benchmark = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(benchmark)
    path = tmp_path / "crawl.nt"
    benchmark.generate(4000, path, seed=3)
    data = read_graph(path)
    layers = ["core", "crawl", "recommended"]
    fast = validate(data, layers, engine=engine)
    reference = validate(data, layers, engine="pyshacl")
    assert fast.results and sorted(r.key() for r in fast.results) == sorted(r.key() for r in reference.results)


def test_ill_typed_literal_reported_as_written(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = tmp_path / "ill.ttl"
    data.write_text(
        '@prefix odlm: <https://w3id.org/odlm#> .\n@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n'
        '<https://w3id.org/odlm/id/model/a> a odlm:DeepLearningModel ; '
        '<http://www.w3.org/2000/01/rdf-schema#label> "a" ; odlm:synthetic "maybe"^^xsd:boolean .\n')
    code, out, err = _run([str(data), "-p", "core"], capsys)
    assert code == 1 and '"maybe"^^xsd:boolean' in out and err == ""
    graph = read_graph(data)
    reference = validate(graph, ["core"], engine="pyshacl")
    for engine in FAST_ENGINES:
        assert [r.key() for r in validate(graph, ["core"], engine=engine).results] == [r.key() for r in reference.results]


def test_engines_print_the_same_message_for_a_shape_handed_to_pyshacl() -> None:
    # regression: the fast path dropped the shapes graph's prefixes when it handed a shape to pySHACL,
    # so sh:node messages named the shape <https://…> where pySHACL alone wrote ex:Inner
    shapes = Graph().parse(format="turtle", data="""
        @prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://example.org/> .
        ex:Outer a sh:NodeShape ; sh:targetClass ex:Thing ; sh:node ex:Inner .
        ex:Inner a sh:NodeShape ; sh:property [ sh:path ex:name ; sh:minCount 1 ] .
    """)
    data = Graph().parse(format="turtle", data="<http://example.org/a> a <http://example.org/Thing> .")
    messages = {engine: sorted(r.message for r in validate(data, shapes=shapes, ontology=Graph(), engine=engine).results)
                for engine in ("pyshacl", *FAST_ENGINES)}
    assert messages["pyshacl"] == messages["sparql"] == messages["memory"]
    assert "ex:Inner" in messages["sparql"][0]


def test_memory_engine_remembers_verdicts_per_value_not_per_equal_literal() -> None:
    """Regression: the memory engine remembers what a value-local constraint says of a value across
    runs; rdflib reads "maybe"^^xsd:boolean as an ill-typed literal *equal* to "false"^^xsd:boolean,
    so a verdict kept for the valid literal was reused for the invalid one."""
    def model(value: str) -> Graph:
        return Graph().parse(format="turtle", data=f"""
            @prefix odlm: <https://w3id.org/odlm#> . @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
            <https://w3id.org/odlm/id/model/a> a odlm:DeepLearningModel ;
                <http://www.w3.org/2000/01/rdf-schema#label> "a" ; odlm:synthetic "{value}"^^xsd:boolean .""")

    assert validate(model("false"), ["core"], engine="memory").results == []
    ill = model("maybe")
    reference = validate(ill, ["core"], engine="pyshacl")
    assert reference.results
    assert [r.key() for r in validate(ill, ["core"], engine="memory").results] == [r.key() for r in reference.results]


@pytest.mark.parametrize("datatype, lexical", [
    ("integer", "0"), ("integer", "-12"), ("integer", "+7"), ("integer", "1.5"), ("integer", "x"),
    ("integer", "12345678901234567890123"), ("boolean", "true"), ("boolean", "1"), ("boolean", "yes"),
    ("dateTime", "2024-01-02T03:04:05Z"), ("dateTime", "2024-01-02T03:04:05.123+02:00"),
    ("dateTime", "2024-02-30T00:00:00Z"), ("dateTime", "2024-01-02T24:00:00Z"), ("dateTime", "2024-01-02"),
    ("date", "2024-02-29"), ("date", "2023-02-29"), ("date", "2024-13-01"), ("date", "2024-01-02T00:00:00"),
])
def test_values_the_memory_engine_accepts_itself_pyshacl_accepts(datatype: str, lexical: str) -> None:
    """The memory engine decides common value-local constraints itself only where it is sure: it may
    leave a valid value to pySHACL, but it must never accept one pySHACL rejects."""
    from rdflib import Literal, URIRef

    from odlm_kg.validate.memory_engine import term_key, value_accepts

    shapes = Graph().parse(format="turtle", data=f"""
        @prefix sh: <http://www.w3.org/ns/shacl#> . @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
        <urn:s> a sh:NodeShape ; sh:targetNode <urn:x> ;
            sh:property <urn:p> .
        <urn:p> sh:path <urn:v> ; sh:datatype xsd:{datatype} ; sh:pattern "." .""")
    value = Literal(lexical, datatype=URIRef(f"http://www.w3.org/2001/XMLSchema#{datatype}"), normalize=False)
    accepts = value_accepts(shapes, URIRef("urn:p"), [URIRef("http://www.w3.org/ns/shacl#datatype")])
    assert accepts is not None
    data = Graph()
    data.add((URIRef("urn:x"), URIRef("urn:v"), value))
    pyshacl_accepts = validate(data, shapes=shapes, ontology=Graph(), engine="pyshacl").results == []
    if accepts(term_key(value)):
        assert pyshacl_accepts
    memory = validate(data, shapes=shapes, ontology=Graph(), engine="memory")
    assert (memory.results == []) == pyshacl_accepts


@pytest.mark.parametrize("engine", FAST_ENGINES)
def test_validations_in_threads_do_not_mix(engine: str) -> None:
    """Regression: the compiled validator is shared by every validation against the same layers and a
    run kept its state on it, so two /validate requests at once (the endpoint validates in a thread
    pool) could report each other's values. Each thread must get what it gets alone."""
    from concurrent.futures import ThreadPoolExecutor

    def graph(n: int) -> Graph:
        models = "".join(f"""
            <https://w3id.org/odlm/id/model/m{n}-{i}> a odlm:DeepLearningModel ;
                <http://www.w3.org/2000/01/rdf-schema#label> "m{n}" ;
                odlm:synthetic "{'0' * n}{i}"^^xsd:integer ; dcterms:issued "20{n:02d}"^^xsd:gYear .""" for i in range(150))
        return Graph().parse(format="turtle", data=f"""
            @prefix odlm: <https://w3id.org/odlm#> . @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
            @prefix dcterms: <http://purl.org/dc/terms/> . {models}""")

    graphs = [graph(n) for n in range(1, 9)]
    alone = [sorted(r.key() for r in validate(g, ["core"], engine=engine).results) for g in graphs]
    assert all(alone)
    with ThreadPoolExecutor(max_workers=6) as pool:
        together = list(pool.map(lambda g: sorted(r.key() for r in validate(g, ["core"], engine=engine).results),
                                 graphs * 2))
    assert together == alone * 2


def test_engines_agree_on_real_crawl_records(real_data: Path) -> None:
    """Real Hub records (model trees, cards, the weixinliang CSV), GitHub and Zenodo records mapped as
    the loaders map them, with the recommended layer's warnings (models without licence, data or
    paper): the memory engine the loaders use reports what pySHACL reports."""
    from odlm_kg.sources import get_source

    inputs = {
        "huggingface-models": [*sorted((real_data / "hf-modeltree-oderinwale").glob("*.json")),
                               real_data / "hf-model-cards-weixinliang" / "model_info_sample.csv"],
        "hf-model-cards": [real_data / "hf-model-cards-asgaardlab"],
        "github": sorted((real_data / "github-api-pygithub").glob("*.json")),
        "zenodo": sorted((real_data / "zenodo-doi2cff").glob("*.json")),
    }
    data = Graph()
    for name, paths in inputs.items():
        source = get_source(name)
        for path in paths:
            for record in list(source.read(path))[:150]:
                for triple in source.map_record(record):
                    data.add(triple)
    layers = ["core", "crawl", "recommended"]
    memory = validate(data, layers, engine="memory")
    reference = validate(data, layers, engine="pyshacl")
    assert len(memory.results) > 20  # the warnings make the comparison say something
    assert sorted(r.key() for r in memory.results) == sorted(r.key() for r in reference.results)
