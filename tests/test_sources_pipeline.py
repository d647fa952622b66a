"""The shared loader pipeline: readers, rejects, strict mode, nothing written for unreadable input,
stable IRIs, provenance, and the ``odlm-kg load`` command."""

from __future__ import annotations

import gc
import gzip
import hashlib
import json
import os
import random
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from rdflib import Literal
from rdflib.namespace import RDF, RDFS

from odlm_kg.cli.app import main
from odlm_kg.errors import InputError, OdlmError, ProblemsFound
from odlm_kg.namespaces import ODLM, graph_iri, instance_iri
from odlm_kg.sources import SOURCES, get_source
from odlm_kg.sources.base import Record, RecordError, iter_json_values, read_card_records, read_json_records
from odlm_kg.sources.pipeline import PROVENANCE_GRAPH, run_load
from odlm_kg.store import OxigraphStore
from tests.conftest import TEST_DATA

HF = TEST_DATA / "hf"
HF_GRAPH = graph_iri("huggingface")


class NumbersSource:
    """A minimal source: each record ``{"id": n}`` becomes one labelled dataset; no shapes."""

    name = "numbers"
    graph = graph_iri("numbers-test")
    layers: tuple[str, ...] = ()

    def read(self, path: Path) -> Iterator[Record]:
        return read_json_records(path)

    def map_record(self, record: Record) -> list[tuple]:
        if not isinstance(record.data, dict) or not isinstance(record.data.get("id"), int):
            raise RecordError("expected an integer", field="id")
        node = instance_iri("dataset", f"n{record.data['id']}")
        return [(node, RDF.type, ODLM.Dataset), (node, RDFS.label, Literal(str(record.data["id"])))]


# -- readers ------------------------------------------------------------------------------------

def random_value(rng: random.Random, depth: int = 0) -> object:
    choice = rng.randrange(7 if depth < 3 else 4)
    if choice == 0:
        return rng.randint(-10**12, 10**12)
    if choice == 1:
        return rng.random() * 10 ** rng.randint(-5, 5)
    if choice == 2:
        return "".join(rng.choice("ab \"\\\n\u00e9\u4e2d\U0001f600") for _ in range(rng.randrange(12)))
    if choice == 3:
        return rng.choice([True, False, None])
    if choice in (4, 5):
        return {f"k{i}": random_value(rng, depth + 1) for i in range(rng.randrange(4))}
    return [random_value(rng, depth + 1) for _ in range(rng.randrange(4))]


@pytest.mark.parametrize("chunk", [1, 2, 3, 7, 64, 1 << 20])
def test_json_array_and_lines_decode_across_any_chunk_boundary(tmp_path: Path, chunk: int) -> None:
    rng = random.Random(chunk)
    values = [random_value(rng) for _ in range(60)]
    array = tmp_path / "a.json"
    array.write_text(json.dumps(values, indent=rng.choice([None, 2])), encoding="utf-8")
    assert list(iter_json_values(array, chunk_chars=chunk)) == values
    lines = tmp_path / "a.jsonl"
    lines.write_text("\n".join(json.dumps({"v": v}) for v in values) + "\n", encoding="utf-8")
    assert list(iter_json_values(lines, chunk_chars=chunk)) == [{"v": v} for v in values]


def test_object_array_lines_gzip_and_directories(tmp_path: Path) -> None:
    (tmp_path / "one.json").write_text('{"id": 1}')
    (tmp_path / "many.json").write_text('[{"id": 2}, {"id": 3}]')
    (tmp_path / "lines.jsonl").write_text('{"id": 4}\n\n{"id": 5}\n')
    with gzip.open(tmp_path / "zipped.jsonl.gz", "wt") as handle:
        handle.write('{"id": 6}\n{"id": 7}\n')
    (tmp_path / "empty-array.json").write_text("[ ]")
    (tmp_path / "notes.txt").write_text("ignored: not a JSON file name")
    records = list(read_json_records(tmp_path))
    assert sorted(r.data["id"] for r in records) == [1, 2, 3, 4, 5, 6, 7]
    assert [(r.file.name, r.position) for r in records if r.file.name == "lines.jsonl"] == [
        ("lines.jsonl", 1), ("lines.jsonl", 2)]


@pytest.mark.parametrize(("content", "message"), [
    (b'[{"id": 1}, {"id": 2', r"truncated\.json:1:21: truncated JSON"),
    (b'{"id": "Jos\xe9"}', r"truncated\.json: not UTF-8: invalid byte at byte offset 11"),
    (b"id,name\n1,x\n", r"truncated\.json:1:1: not JSON"),
    (b"", r"truncated\.json: empty file"),
    (b'[{"id": 1}] {"id": 2}', r"truncated\.json:1:13: invalid JSON: extra data"),
    (b"\x1f\x8b\x08\x00broken", r"truncated\.json: cannot read"),
])
def test_unreadable_json_names_file_and_position(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "truncated.json"
    path.write_bytes(content)
    with pytest.raises(InputError, match=message):
        list(iter_json_values(path))


def test_a_10_mb_record_streams_through(tmp_path: Path, memory_store: OxigraphStore) -> None:
    big = "x" * (10 * 1024 * 1024)
    path = tmp_path / "big.json"
    path.write_text(json.dumps([{"id": "big-org/big-model", "description": big, "tags": ["license:mit"]},
                                {"id": "big-org/small-model"}]), encoding="utf-8")
    values = list(iter_json_values(path, chunk_chars=1 << 16))
    assert len(values[0]["description"]) == len(big) and values[1]["id"] == "big-org/small-model"
    report = run_load(memory_store, get_source("huggingface-models"), [path], progress=False)
    assert (report.read, report.written, report.rejected) == (2, 2, 0)


def test_model_cards_with_and_without_front_matter(tmp_path: Path) -> None:
    (tmp_path / "a__b.md").write_text("---\nlicense: mit\n---\n# Body\n", encoding="utf-8")
    (tmp_path / "c__d.yaml").write_text("license: apache-2.0\n", encoding="utf-8")
    (tmp_path / "e__f.md").write_text("# no front matter\n", encoding="utf-8")
    cards = {r.file.name: r.data for r in read_card_records(tmp_path)}
    assert cards["a__b.md"]["card"] == {"license": "mit"} and cards["a__b.md"]["text"] == "# Body\n"
    assert cards["c__d.yaml"]["card"] == {"license": "apache-2.0"}
    assert cards["e__f.md"]["card"] == {}


# -- the run ------------------------------------------------------------------------------------

def numbers_file(tmp_path: Path, ids: list[object], name: str = "numbers.jsonl") -> Path:
    path = tmp_path / name
    path.write_text("".join(json.dumps({"id": i}) + "\n" for i in ids), encoding="utf-8")
    return path


def test_rejects_go_to_the_reject_file_and_the_run_goes_on(tmp_path: Path, memory_store: OxigraphStore) -> None:
    path = numbers_file(tmp_path, [1, 2, "three", 4, None, 5])
    rejects = tmp_path / "rejects.jsonl"
    report = run_load(memory_store, NumbersSource(), [path], reject_file=rejects, batch_size=2, progress=False)
    assert (report.read, report.written, report.rejected, report.triples) == (6, 4, 2, 8)
    lines = [json.loads(line) for line in rejects.read_text(encoding="utf-8").splitlines()]
    assert lines == [
        {"file": str(path), "record": 3, "field": "id", "reason": "expected an integer"},
        {"file": str(path), "record": 5, "field": "id", "reason": "expected an integer"},
    ]
    assert memory_store.count(NumbersSource.graph) == 8


def test_an_unwritable_reject_file_is_a_message_not_a_traceback(tmp_path: Path,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    # regression: the reject file was opened unguarded, so a missing folder ended in a FileNotFoundError
    path = numbers_file(tmp_path, [1, "two"])
    rejects = tmp_path / "no-such-folder" / "rejects.jsonl"
    assert main(["--store", "memory", "load", "huggingface-models", str(HF / "edge_cases.jsonl"), "--no-progress",
                 "--reject-file", str(rejects)]) == 2
    assert f"{rejects}: cannot write the reject file" in capsys.readouterr().err
    with pytest.raises(InputError, match="cannot write the reject file"):
        run_load(OxigraphStore(), NumbersSource(), [path], reject_file=rejects, progress=False)


def test_loading_twice_leaves_the_graph_unchanged(tmp_path: Path, memory_store: OxigraphStore) -> None:
    path = numbers_file(tmp_path, [*list(range(50)), 7, 7])  # duplicate ids too
    run_load(memory_store, NumbersSource(), [path], batch_size=8, progress=False)
    first = memory_store.count(NumbersSource.graph)
    run_load(memory_store, NumbersSource(), [path], batch_size=3, progress=False)
    assert memory_store.count(NumbersSource.graph) == first == 100
    runs = memory_store.query(f"SELECT ?r WHERE {{ GRAPH <{PROVENANCE_GRAPH}> {{ ?r a <{ODLM.LoadRun}> }} }}")
    assert len(runs) == 2


def test_strict_stops_at_the_first_reject_and_writes_nothing(tmp_path: Path, memory_store: OxigraphStore) -> None:
    path = numbers_file(tmp_path, [1, 2, 3, "four", 5])
    with pytest.raises(ProblemsFound, match=r"numbers\.jsonl: record 4: field id: expected an integer"):
        run_load(memory_store, NumbersSource(), [path], strict=True, batch_size=2, progress=False)
    assert memory_store.is_empty()
    good = numbers_file(tmp_path, [1, 2, 3], "good.jsonl")
    report = run_load(memory_store, NumbersSource(), [good], strict=True, batch_size=2, progress=False)
    assert report.written == 3 and memory_store.count(NumbersSource.graph) == 6
    assert all("staging" not in str(g) for g in memory_store.named_graphs())


def test_an_unreadable_file_writes_nothing(tmp_path: Path, memory_store: OxigraphStore) -> None:
    good = numbers_file(tmp_path, [1, 2, 3])
    run_load(memory_store, NumbersSource(), [good], progress=False)
    before = memory_store.count()
    bad = tmp_path / "bad.json"
    bad.write_text('[{"id": 4}, {"id": 5}, {"id"', encoding="utf-8")
    more = numbers_file(tmp_path, [6, 7], "more.jsonl")
    with pytest.raises(InputError, match=r"bad\.json:1:29: truncated JSON"):
        run_load(memory_store, NumbersSource(), [more, bad], progress=False)
    assert memory_store.count() == before


def child_processes() -> set[int]:
    return {int(pid) for task in Path("/proc/self/task").iterdir()
            for pid in (task / "children").read_text(encoding="ascii").split()}


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="needs Linux /proc")
def test_workers_start_during_the_check_pass_and_stop_when_it_fails(
        tmp_path: Path, memory_store: OxigraphStore, monkeypatch: pytest.MonkeyPatch) -> None:
    from odlm_kg.sources import pipeline

    monkeypatch.setattr(pipeline, "PARALLEL_MIN_RECORDS", 6)
    checking = False
    started_while_checking: list[bool] = []
    real_pool, real_check = pipeline.PreparerPool, pipeline._check_files

    def noted_pool(source: object, count: int) -> object:
        started_while_checking.append(checking)
        return real_pool(source, count)  # type: ignore[arg-type]

    def noted_check(*args: object, **kwargs: object) -> int:
        nonlocal checking
        checking = True
        try:
            return real_check(*args, **kwargs)  # type: ignore[arg-type]
        finally:
            checking = False

    monkeypatch.setattr(pipeline, "PreparerPool", noted_pool)
    monkeypatch.setattr(pipeline, "_check_files", noted_check)
    before = child_processes()
    good = numbers_file(tmp_path, list(range(1, 11)))
    bad = tmp_path / "bad.json"
    bad.write_text('[{"id": 4}, {"id"', encoding="utf-8")
    with pytest.raises(InputError, match=r"bad\.json"):
        run_load(memory_store, NumbersSource(), [good, bad], batch_size=2, progress=False)
    assert started_while_checking == [True]  # the pool started while the check pass ran
    assert child_processes() == before  # and its workers are gone once the check pass failed
    assert memory_store.count() == 0

    report = run_load(memory_store, NumbersSource(), [good], batch_size=2, progress=False)
    assert (report.read, report.written) == (10, 10) and started_while_checking == [True, True]
    assert child_processes() == before


def test_provenance_records_the_run(tmp_path: Path, memory_store: OxigraphStore) -> None:
    path = numbers_file(tmp_path, [1, 2, "x"])
    report = run_load(memory_store, NumbersSource(), [path], progress=False)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    rows = memory_store.query(f"""
        PREFIX odlm: <{ODLM}> PREFIX prov: <http://www.w3.org/ns/prov#>
        SELECT ?read ?written ?rejected ?triples ?sha ?loader ?start ?end ?version ?ontology WHERE {{
          GRAPH <{PROVENANCE_GRAPH}> {{
            <{report.run}> a odlm:LoadRun , prov:Activity ; odlm:recordsRead ?read ;
                odlm:recordsWritten ?written ; odlm:recordsRejected ?rejected ; odlm:triplesWritten ?triples ;
                odlm:loader ?loader ; prov:startedAtTime ?start ; prov:endedAtTime ?end ;
                odlm:softwareVersion ?version ; odlm:ontologyVersion ?ontology ;
                odlm:inputFile [ a odlm:InputFile ; odlm:sha256 ?sha ] .
          }} }}""").rows
    assert len(rows) == 1
    row = rows[0]
    assert [int(row[k]) for k in ("read", "written", "rejected", "triples")] == [3, 2, 1, 4]
    assert (str(row["sha"]), str(row["loader"])) == (digest, "numbers")
    assert row["start"].toPython() <= row["end"].toPython()


def test_validation_rejects_a_record_that_breaks_a_shape(tmp_path: Path, memory_store: OxigraphStore) -> None:
    class Unlabelled(NumbersSource):
        layers = ("core",)

        def map_record(self, record: Record) -> list[tuple]:
            triples = super().map_record(record)
            return triples if record.data["id"] != 2 else triples[:1]  # artifact without rdfs:label

    rejects = tmp_path / "rejects.jsonl"
    report = run_load(memory_store, Unlabelled(), [numbers_file(tmp_path, [1, 2, 3])], reject_file=rejects,
                      progress=False)
    assert (report.written, report.rejected) == (2, 1)
    reject = json.loads(rejects.read_text(encoding="utf-8"))
    assert (reject["record"], reject["field"]) == (2, "label") and "fails validation" in reject["reason"]


def github_repository(number: int, **fields: object) -> dict[str, object]:
    return {"id": number, "full_name": f"octo/repo{number}", "name": f"repo{number}",
            "owner": {"login": "octo", "type": "User"}, "html_url": f"https://github.com/octo/repo{number}",
            **fields}


# Regression: a record mapping to a term the store refuses failed the whole 64 MB write and stopped
# the run ("invalid nt: … Invalid IRI percent encoding '%zz' (odlm-kg-load-….nt, line 12)"), or, for
# a lone surrogate from a JSON "\ud800" escape, crashed it with a UnicodeEncodeError traceback.
@pytest.mark.parametrize(("fields", "reason"), [
    ({"html_url": "https://github.com/octo/repo2%zz"},
     r"<https://github.com/octo/repo2%zz> is not an IRI: Invalid IRI percent encoding '%zz' "
     r"\(as a value of <http://www.w3.org/ns/dcat#landingPage>\)"),
    ({"description": "half an emoji \ud83d here"},
     r"text with an unpaired surrogate \(U\+D83D at character 14\) is not Unicode: 'half an emoji \\ud83d here' "
     r"\(as a value of <http://purl.org/dc/terms/description>\)"),
], ids=["bad IRI", "lone surrogate"])
@pytest.mark.parametrize("workers", [1, 2])
def test_a_record_with_a_term_the_store_refuses_is_rejected_and_the_run_goes_on(
        tmp_path: Path, fields: dict[str, object], reason: str, workers: int) -> None:
    path = tmp_path / "repos.json"
    records = [github_repository(1), github_repository(2, **fields), github_repository(3)]
    path.write_text(json.dumps(records), encoding="utf-8")  # json.dumps escapes the surrogate as \ud83d
    rejects = tmp_path / "rejects.jsonl"
    with OxigraphStore(tmp_path / "store") as store:  # on disk: the bulk loader's own checks are off
        report = run_load(store, get_source("github"), [path], reject_file=rejects, workers=workers,
                          progress=False)
        written = {str(row["name"]) for row in store.query(
            "SELECT ?name WHERE { ?repo <https://w3id.org/odlm#platformId> ?name }").rows}
    assert (report.read, report.written, report.rejected) == (3, 2, 1)
    assert written == {"octo/repo1", "octo/repo3"}
    reject = json.loads(rejects.read_text(encoding="utf-8"))
    assert (reject["file"], reject["record"], reject["field"]) == (str(path), 2, None)
    assert re.fullmatch(f"cannot be stored: {reason}", reject["reason"]), reject["reason"]


# -- the command --------------------------------------------------------------------------------

def test_cli_load_exit_codes_and_messages(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    store = str(tmp_path / "store")
    assert main(["--store", store, "load", "huggingface-models", str(HF / "edge_cases.jsonl"), "--no-progress",
                 "--reject-file", str(tmp_path / "r.jsonl")]) == 1  # records rejected: exit 1, the rest written
    captured = capsys.readouterr()
    assert "read 12 records, wrote 6" in captured.out and "rejected 6" in captured.out
    assert "6 of 12 records were rejected" in captured.err
    before = OxigraphStore(tmp_path / "store")
    count = before.count()
    before.close()
    assert main(["--store", store, "load", "huggingface-models", str(HF / "truncated.json"), "--no-progress"]) == 2
    assert "truncated.json:1:80: truncated JSON" in capsys.readouterr().err
    assert main(["--store", store, "load", "huggingface-models", str(HF / "edge_cases.jsonl"), "--strict",
                 "--no-progress"]) == 1
    assert "edge_cases.jsonl: record 4: field id" in capsys.readouterr().err
    after = OxigraphStore(tmp_path / "store")
    assert after.count() == count  # failed runs write nothing, not even provenance
    after.close()
    # JSON Lines: a line that is not UTF-8 is one rejected record, not an unreadable file
    assert main(["--store", store, "load", "huggingface-models", str(HF / "non_utf8.jsonl"), "--no-progress"]) == 1
    assert "line 1: not UTF-8" in capsys.readouterr().err
    assert main(["--store", store, "load", "nosuch", "x.json"]) == 2
    err = capsys.readouterr().err
    assert "no source 'nosuch'" in err and all(name in err for name in SOURCES)



def test_batch_validator_reports_what_validate_reports() -> None:
    from rdflib import Graph
    from rdflib.namespace import XSD

    from odlm_kg.namespaces import vocab_iri
    from odlm_kg.sources.batches import BatchValidator, nt_term
    from odlm_kg.sources.huggingface import map_model
    from odlm_kg.validate import validate

    triples = set(map_model({"id": "org/ok", "tags": ["license:mit", "arxiv:1810.04805"], "downloads": 3,
                             "lastModified": "2024-01-01T00:00:00Z"}))
    broken = instance_iri("model", "org/broken")
    observation = instance_iri("observation", "org/broken/downloads/x")
    triples |= {(broken, RDF.type, ODLM.PretrainedModel), (broken, ODLM.artifactKind, vocab_iri("artifact-kind", "Model")),
                (observation, RDF.type, ODLM.MetricObservation), (observation, ODLM.metricValue, Literal(-1)),
                (observation, ODLM.observedAt, Literal("2024", datatype=XSD.gYear))}
    graph = Graph()
    for triple in triples:
        graph.add(triple)
    general = {(r.focus_node, r.result_path.rsplit("#", 1)[-1] if r.result_path else None)
               for r in validate(graph, ("core", "crawl")).violations}
    keys = {(nt_term(s), nt_term(p), nt_term(o)) for s, p, o in triples}
    fast = {(v.focus, v.path) for v in BatchValidator(("core", "crawl")).violations(keys)}
    reference = {(r.focus_node, r.result_path.rsplit("#", 1)[-1] if r.result_path else None)
                 for r in validate(graph, ("core", "crawl"), engine="pyshacl").violations}
    assert fast == general == reference
    assert {focus for focus, _ in fast} == {broken, observation}


def test_worker_processes_write_what_one_process_writes(tmp_path: Path) -> None:
    """Batches prepared in worker processes give the same graph, counts and reject file, in order."""
    results = []
    for workers in (1, 2):
        store = OxigraphStore(tmp_path / f"store-{workers}")
        rejects = tmp_path / f"rejects-{workers}.jsonl"
        report = run_load(store, get_source("huggingface-models"), [HF / "edge_cases.jsonl"], workers=workers,
                          progress=False, batch_size=4, reject_file=rejects)
        results.append(((report.read, report.written, report.rejected, report.triples),
                        set(store.export_graph(HF_GRAPH)), rejects.read_text(encoding="utf-8")))
        store.close()
    (one_counts, one_graph, one_rejects), (two_counts, two_graph, two_rejects) = results
    assert one_counts == two_counts and one_counts[1:3] == (6, 6)
    assert one_graph == two_graph and len(one_graph) > 50
    assert one_rejects == two_rejects


class DyingSource(NumbersSource):
    """Kills the worker process that maps record 7 (as the kernel's OOM killer would)."""

    def map_record(self, record: Record) -> list[tuple]:
        if record.data.get("id") == 7:
            import os

            os._exit(9)
        return super().map_record(record)


def test_a_worker_that_dies_is_a_message_and_its_batch_is_not_written(tmp_path: Path) -> None:
    numbers = tmp_path / "numbers.jsonl"
    numbers.write_text("".join(json.dumps({"id": i}) + "\n" for i in range(12)), encoding="utf-8")
    store = OxigraphStore()
    with pytest.raises(OdlmError, match="worker process stopped"):
        run_load(store, DyingSource(), [numbers], workers=2, batch_size=5, progress=False)
    written = {int(str(row["label"])) for row in store.query(
        f"SELECT ?label WHERE {{ GRAPH <{DyingSource.graph}> {{ ?s <{RDFS.label}> ?label }} }}")}
    assert not written & set(range(5, 10))  # nothing of the batch holding record 7


@pytest.mark.parametrize("from_file", [False, True], ids=["text", "file"])
@pytest.mark.parametrize("on_disk", [False, True], ids=["memory", "disk"])
def test_store_append_is_all_or_nothing(tmp_path: Path, on_disk: bool, from_file: bool) -> None:
    """The loaders' write (Oxigraph's bulk loader) commits at its end: a batch that fails at its last
    line leaves nothing behind (a guard on the pyoxigraph behaviour the pipeline relies on)."""
    store = OxigraphStore(tmp_path / "store" if on_disk else None)
    good = "".join(f'<urn:s{i}> <urn:p> "{i}" .\n' for i in range(300_000))

    def append(text: str) -> None:
        if from_file:
            spooled = tmp_path / "spool.nt"
            spooled.write_text(text, encoding="utf-8")
            store.append_file(spooled, "nt", "urn:g")
        else:
            store.append_text(text, "nt", "urn:g")

    with pytest.raises(InputError, match="invalid nt"):
        append(good + "<urn:bad> <urn:p> oops .\n")
    assert store.count() == 0
    append(good)
    assert store.count("urn:g") == 300_000


def test_workers_run_from_a_script_without_a_main_guard(tmp_path: Path) -> None:
    """Regression: workers started by multiprocessing's spawn re-ran the caller's script, so a plain
    script calling run_load with workers started loads within loads and failed. Workers are now
    ``python -m odlm_kg.sources.batch_worker`` and never import the caller's script."""
    import subprocess
    import sys

    github = TEST_DATA / "github" / "edge_cases.json"
    script = tmp_path / "plain_script.py"
    script.write_text(
        "from pathlib import Path\n"
        "from odlm_kg.sources import get_source\n"
        "from odlm_kg.sources.pipeline import run_load\n"
        "from odlm_kg.store import OxigraphStore\n"
        "store = OxigraphStore()\n"
        f"report = run_load(store, get_source('github'), [Path({str(github)!r})], workers=2,\n"
        "                  batch_size=2, progress=False)\n"
        "print('written', report.written, 'rejected', report.rejected)\n", encoding="utf-8")
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.count("written") == 1  # the script ran once, not once more per worker
    single = run_load(OxigraphStore(), get_source("github"), [github], workers=1, batch_size=2, progress=False)
    assert done.stdout.split() == ["written", str(single.written), "rejected", str(single.rejected)]


class BuggySource(NumbersSource):
    """A mapper with a bug (not a bad record): the run stops and says where."""

    def map_record(self, record: Record) -> list[tuple]:
        if record.data.get("id") == 3:
            raise RuntimeError("bug in the mapper")
        return super().map_record(record)


def test_a_bug_in_a_worker_stops_the_run_with_its_traceback(tmp_path: Path) -> None:
    numbers = tmp_path / "numbers.jsonl"
    numbers.write_text("".join(json.dumps({"id": i}) + "\n" for i in range(8)), encoding="utf-8")
    with pytest.raises(OdlmError, match=r"(?s)worker process failed.*RuntimeError: bug in the mapper"):
        run_load(OxigraphStore(), BuggySource(), [numbers], workers=2, batch_size=2, progress=False)


def test_how_many_workers(monkeypatch: pytest.MonkeyPatch) -> None:
    from odlm_kg.sources.pipeline import PARALLEL_MIN_RECORDS, _worker_count

    source = get_source("huggingface-models")
    monkeypatch.delenv("ODLM_KG_LOAD_WORKERS", raising=False)
    assert _worker_count(None, PARALLEL_MIN_RECORDS - 1, 1000, source) == 1  # small: not worth starting
    assert _worker_count(None, None, 1000, source) == 1  # unknown size (no check pass)
    assert _worker_count(None, 10 * PARALLEL_MIN_RECORDS, 1000, source) == min(2, os.cpu_count() or 1)
    assert _worker_count(3, 10, 1000, source) == 3  # asked for: given
    monkeypatch.setenv("ODLM_KG_LOAD_WORKERS", "1")
    assert _worker_count(None, 10 * PARALLEL_MIN_RECORDS, 1000, source) == 1
    monkeypatch.setenv("ODLM_KG_LOAD_WORKERS", "two")
    with pytest.raises(OdlmError, match="ODLM_KG_LOAD_WORKERS='two'"):
        _worker_count(None, 10 * PARALLEL_MIN_RECORDS, 1000, source)
    unpicklable = get_source("huggingface-models")
    unpicklable.map_record = lambda record: []  # type: ignore[method-assign]
    assert _worker_count(2, 10 * PARALLEL_MIN_RECORDS, 1000, unpicklable) == 1


class SharedNodeSource(NumbersSource):
    """Every record also names the same publisher (two triples shared by all records)."""

    PUBLISHER = instance_iri("agent", "test/publisher")

    def map_record(self, record: Record) -> list[tuple]:
        node = instance_iri("dataset", f"n{record.data['id']}")
        return [*super().map_record(record), (node, ODLM.sharedBy, self.PUBLISHER),
                (self.PUBLISHER, RDF.type, ODLM.Agent), (self.PUBLISHER, RDFS.label, Literal("publisher"))]


def test_triples_shared_across_batches_are_sent_once_and_still_counted(tmp_path: Path) -> None:
    from odlm_kg.sources.batches import BatchPreparer

    source = SharedNodeSource()
    preparer = BatchPreparer(source)
    first, second = (preparer.prepare([Record(tmp_path / "x.json", n, {"id": n})]) for n in (1, 2))
    publisher_line = f"<{SharedNodeSource.PUBLISHER}> <{RDFS.label}> \"publisher\" .\n"
    assert publisher_line in first.text and publisher_line not in second.text
    assert first.triples == second.triples == 5  # counts are per batch, as before
    numbers = tmp_path / "numbers.jsonl"
    numbers.write_text("".join(json.dumps({"id": i}) + "\n" for i in range(5)), encoding="utf-8")
    store = OxigraphStore()
    run_load(store, source, [numbers], batch_size=1, progress=False)
    assert store.count(source.graph) == 5 * 3 + 2


def test_a_file_that_cannot_be_opened_is_a_message_and_nothing_is_written(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Regression: the SHA-256 of an input and PeaTMOSS's look at a file's first bytes opened files
    unguarded, so a permission error was a traceback. (Tests run as root, which ignores file modes:
    the error is injected.)"""
    import builtins

    locked = tmp_path / "locked.json"
    locked.write_text('{"id": "org/model"}', encoding="utf-8")
    real_open = builtins.open

    def guarded_open(file: object, *args: object, **kwargs: object) -> object:
        if Path(str(file)) == locked:
            raise PermissionError(13, "Permission denied", str(file))
        return real_open(file, *args, **kwargs)  # type: ignore[call-overload]

    monkeypatch.setattr(builtins, "open", guarded_open)
    store = OxigraphStore()
    with pytest.raises(InputError, match=r"locked\.json: cannot open: Permission denied"):
        run_load(store, get_source("peatmoss"), [locked], progress=False)
    assert store.count() == 0
    from odlm_kg.sources.base import sha256_of

    with pytest.raises(InputError, match=r"locked\.json: cannot read: Permission denied"):
        sha256_of(locked)


def test_a_recurring_triple_outlives_the_memory_of_sent_lines(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The preparer forgets lines used least recently: a line in every batch is sent once however many
    one-record lines pass through (with a plain set cleared when full, it was sent again each time)."""
    from odlm_kg.sources import batches

    monkeypatch.setattr(batches, "SENT_MEMORY", 8)
    preparer = batches.BatchPreparer(SharedNodeSource())
    texts = [preparer.prepare([Record(tmp_path / "x.json", n, {"id": n})]).text for n in range(20)]
    publisher_line = f"<{SharedNodeSource.PUBLISHER}> <{RDFS.label}> \"publisher\" .\n"
    assert [publisher_line in text for text in texts] == [True] + [False] * 19
    assert len(preparer.sent) <= 8 + 5  # bounded: one batch's lines over the limit at most


class HookedWriteStore(OxigraphStore):
    """An in-memory store that writes every batch on its own and calls ``before_write(n)`` before its
    n-th loader write (to fail it, or to hold it)."""

    bulk_write_bytes = 1

    def __init__(self, before_write: Callable[[int], None]) -> None:
        super().__init__()
        self.writes = 0
        self.before_write = before_write

    def append_file(self, path: Path, fmt: str, graph: object = None, *, iris_checked: bool = False) -> None:
        self.writes += 1
        self.before_write(self.writes)
        super().append_file(path, fmt, graph, iris_checked=iris_checked)  # type: ignore[arg-type]


def _fail_second_write(n: int) -> None:
    if n == 2:
        raise OSError(28, "No space left on device")  # as a full disk would


@pytest.mark.parametrize("strict", [False, True])
def test_a_failed_store_write_stops_the_run_and_leaves_no_spool_file(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, strict: bool) -> None:
    """Writes run in a thread from spooled files: a failure reaches the caller, the spool files are
    deleted, and under --strict nothing stays in the store."""
    import tempfile

    spool_dir = tmp_path / "spool"
    spool_dir.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(spool_dir))
    numbers = tmp_path / "numbers.jsonl"
    numbers.write_text("".join(json.dumps({"id": i}) + "\n" for i in range(6)), encoding="utf-8")
    store = HookedWriteStore(_fail_second_write)
    with pytest.raises(OSError, match="No space left"):
        run_load(store, NumbersSource(), [numbers], batch_size=2, progress=False, strict=strict, workers=1)
    assert list(spool_dir.iterdir()) == []
    assert gc.isenabled()  # the load pauses the collector; a failed load must turn it back on
    written = store.count(NumbersSource.graph) + sum(store.count(g) for g in store.named_graphs()
                                                        if "staging" in str(g))
    assert written == (0 if strict else 2 * 2)  # the first write (two records) landed unless strict


def test_the_store_write_overlaps_with_preparing_batches(tmp_path: Path) -> None:
    """The loader hands each write to a thread and goes on: with a write that blocks until the next
    batch has been prepared, a run that waited for each write would never finish."""
    import threading

    prepared_after_write_began = threading.Event()

    def hold_first_write(n: int) -> None:
        if n == 1:
            assert prepared_after_write_began.wait(timeout=30), "the loader waited for the write"

    class WatchingSource(NumbersSource):
        def map_record(self, record: Record) -> list[tuple]:
            if record.data["id"] == 2:  # type: ignore[index]
                prepared_after_write_began.set()
            return super().map_record(record)

    numbers = tmp_path / "numbers.jsonl"
    numbers.write_text("".join(json.dumps({"id": i}) + "\n" for i in range(4)), encoding="utf-8")
    store = HookedWriteStore(hold_first_write)
    report = run_load(store, WatchingSource(), [numbers], batch_size=2, progress=False, workers=1)
    assert report.written == 4 and store.count(NumbersSource.graph) == 8


def test_the_load_benchmark_runs_every_mode(tmp_path: Path) -> None:
    """Regression: the benchmark's rdflib baseline store lacked the store methods the loader came to
    use (append_file), and nothing ran the benchmark between measurements."""
    import subprocess
    import sys

    script = Path(__file__).resolve().parents[1] / "benchmarks" / "load.py"
    done = subprocess.run([sys.executable, str(script), "--size", "40", "--modes", "cli,pipeline-1,ceiling,rdflib"],
                          capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    rows = [line.split("|") for line in done.stdout.splitlines() if line.startswith("| 40 |")]
    assert [row[2].strip() for row in rows] == ["cli", "pipeline-1", "ceiling", "rdflib"]
    assert all(row[3].strip() == "40" and int(row[5].replace(",", "")) > 0 for row in rows)


def test_a_load_in_this_process_leaves_the_collector_as_it_found_it(tmp_path: Path) -> None:
    """The loader pauses Python's cyclic collector while it prepares batches (and collects every
    COLLECT_EVERY batches): the caller's setting comes back, on or off."""
    numbers = tmp_path / "numbers.jsonl"
    numbers.write_text("".join(json.dumps({"id": i}) + "\n" for i in range(120)), encoding="utf-8")
    for enabled in (True, False):
        (gc.enable if enabled else gc.disable)()
        try:
            run_load(OxigraphStore(), NumbersSource(), [numbers], batch_size=1, progress=False, workers=1)
            assert gc.isenabled() is enabled
        finally:
            gc.enable()
