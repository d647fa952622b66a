"""Regression tests of the loader defects of issue #18, one test per defect (each fails without its fix)."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from rdflib import URIRef
from rdflib.namespace import RDF

from odlm_kg.cli.app import main
from odlm_kg.sources import get_source
from odlm_kg.sources.pipeline import run_load
from odlm_kg.store import OxigraphStore


def _records(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


# -- 1. one malformed JSON Lines line rejects that record, with its true line number ----------------

def test_a_malformed_json_lines_line_is_one_rejected_record_with_its_line(tmp_path: Path) -> None:
    lines = ['{"id": "org/first", "tags": ["license:mit"]}',
             "",  # a blank line: line numbers are the file's, not record counts
             '{"id": "org/broken", "tags": [}',
             '{"id": "org/third", "tags": ["license:mit"]}']
    path = tmp_path / "models.jsonl.gz"
    with gzip.open(path, "wt", encoding="utf-8") as handle:
        handle.write("\n".join(lines) + "\n")
    rejects = tmp_path / "rejects.jsonl"
    with OxigraphStore() as store:
        report = run_load(store, get_source("huggingface-models"), [path], reject_file=rejects, progress=False)
        ids = {str(row["id"]) for row in store.query(
            "SELECT ?id WHERE { GRAPH ?g { ?m <https://w3id.org/odlm#platformId> ?id } }").rows}
    assert (report.read, report.written, report.rejected) == (3, 2, 1)
    assert {"org/first", "org/third"} <= ids and "org/broken" not in ids
    [reject] = _records(rejects)
    assert reject["file"] == str(path) and reject["record"] == 2
    assert str(reject["reason"]).startswith("line 3: invalid JSON at column 31")


# -- 7. load exits 1 when any record was rejected, and says how many -----------------------------

def test_load_exits_1_when_every_record_is_rejected(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "models.jsonl"
    path.write_text('{"modelId": null}\n{"downloads": 3}\n', encoding="utf-8")
    code = main(["--store", str(tmp_path / "store"), "load", "huggingface-models", str(path), "--no-progress"])
    captured = capsys.readouterr()
    assert code == 1
    assert "rejected 2" in captured.out
    assert "2 of 2 records were rejected" in captured.err


# -- 2. a re-loaded record replaces what the previous load said; observations accumulate -----------

def _built_store() -> OxigraphStore:
    """A store with the ontology, vocabularies and licence table, so that loads classify open models."""
    from odlm_kg.licences import LICENCES_GRAPH, licence_graph
    from odlm_kg.namespaces import graph_iri
    from odlm_kg.ontology import core_graph, vocabulary_graph

    store = OxigraphStore()
    for iri, graph in ((graph_iri("vocab"), vocabulary_graph()), (LICENCES_GRAPH, licence_graph()),
                       (graph_iri("ontology"), core_graph())):
        store.add_graph(graph, iri)
    return store


def test_a_reloaded_model_says_only_what_its_new_record_says(tmp_path: Path) -> None:
    first = {"id": "org/relicensed", "tags": ["license:mit", "base_model:finetune:org/base"], "gated": False,
             "downloads": 5, "lastModified": "2025-01-01T00:00:00Z"}
    second = {"id": "org/relicensed", "tags": ["license:cc-by-nc-4.0"], "gated": "manual",
              "downloads": 9, "lastModified": "2025-02-01T00:00:00Z"}
    model = "https://w3id.org/odlm/id/model/org/relicensed"
    graph = "https://w3id.org/odlm/graph/huggingface"
    with _built_store() as store:
        def facts(predicate: str) -> set[str]:
            return {str(row["o"]) for row in store.query(
                f"SELECT ?o WHERE {{ GRAPH <{graph}> {{ <{model}> <{predicate}> ?o }} }}").rows}

        for number, record in enumerate((first, second)):
            path = tmp_path / f"crawl-{number}.jsonl"
            path.write_text(json.dumps(record) + "\n", encoding="utf-8")
            run_load(store, get_source("huggingface-models"), [path], progress=False)
            if number == 0:
                assert "https://w3id.org/odlm#OpenDeepLearningModel" in facts(str(RDF.type))
        assert facts("https://w3id.org/odlm#licence") == {"http://spdx.org/licenses/CC-BY-NC-4.0"}
        assert "https://w3id.org/odlm#OpenDeepLearningModel" not in facts(str(RDF.type))
        assert facts("https://w3id.org/odlm#releaseStrategy") == {
            "https://w3id.org/odlm/vocab/release-strategy/GatedAccess"}
        assert facts("https://w3id.org/odlm#derivedFrom") == set()
        assert not store.query("ASK { ?d a <https://w3id.org/odlm#Derivation> }")
        assert facts("http://purl.org/dc/terms/modified") == {"2025-02-01T00:00:00+00:00"}
        downloads = {int(row["v"].toPython()) for row in store.query(  # type: ignore[union-attr]
            f"SELECT ?v WHERE {{ ?o <https://w3id.org/odlm#observedArtifact> <{model}> ; "
            "<https://w3id.org/odlm#metric> <https://w3id.org/odlm/vocab/metric/Downloads> ; "
            "<https://w3id.org/odlm#metricValue> ?v }").rows}
        assert downloads == {5, 9}  # dated observations accumulate


# -- 3. an artifact with several licences is open only when every licence is; SPDX expressions ------

def test_several_licences_and_spdx_expressions_decide_openness(tmp_path: Path) -> None:
    records = {
        "org/mit-and-nc": {"cardData": {"license": ["mit", "cc-by-nc-4.0"]}},  # a list: every licence holds
        "org/mit-or-nc": {"cardData": {"license": "MIT OR CC-BY-NC-4.0"}},  # a choice: the most open
        "org/apache-and-mit": {"cardData": {"license": "Apache-2.0 AND MIT"}},
        "org/gpl-with": {"cardData": {"license": "GPL-2.0-only WITH Classpath-exception-2.0"}},
        "org/nc-and-choice": {"cardData": {"license": "(MIT OR Apache-2.0) AND CC-BY-NC-4.0"}},
    }
    path = tmp_path / "models.jsonl"
    path.write_text("".join(json.dumps({"id": repo, "gated": False, **fields}) + "\n"
                            for repo, fields in records.items()), encoding="utf-8")
    graph = "https://w3id.org/odlm/graph/huggingface"
    with _built_store() as store:
        report = run_load(store, get_source("huggingface-models"), [path], progress=False)
        assert report.rejected == 0
        open_models = {str(row["m"]).rsplit("/model/", 1)[1] for row in store.query(
            f"SELECT ?m WHERE {{ GRAPH <{graph}> {{ ?m a <https://w3id.org/odlm#OpenDeepLearningModel> }} }}").rows}
        licences = {(str(row["m"]).rsplit("/model/", 1)[1], str(row["l"]).rsplit("/", 1)[1]) for row in store.query(
            f"SELECT ?m ?l WHERE {{ GRAPH <{graph}> {{ ?m <https://w3id.org/odlm#licence> ?l }} }}").rows}
        parts = {str(row["part"]).rsplit("/", 1)[1] for row in store.query(
            f"SELECT ?part WHERE {{ GRAPH <{graph}> {{ <https://w3id.org/odlm/id/model/org/mit-or-nc> "
            "<https://w3id.org/odlm#licence> ?choice . ?choice <http://purl.org/dc/terms/hasPart> ?part } }").rows}
    assert open_models == {"org/mit-or-nc", "org/apache-and-mit", "org/gpl-with"}  # GPL-2.0 counts as Open
    assert {lic for model, lic in licences if model == "org/mit-and-nc"} == {"MIT", "CC-BY-NC-4.0"}
    assert {lic for model, lic in licences if model == "org/apache-and-mit"} == {"Apache-2.0", "MIT"}
    assert {lic for model, lic in licences if model == "org/gpl-with"} == {"GPL-2.0-only"}
    assert {lic for model, lic in licences if model == "org/nc-and-choice"} == {"mit-or-apache-2.0", "CC-BY-NC-4.0"}
    assert parts == {"MIT", "CC-BY-NC-4.0"}  # each licence of the choice is kept


# -- 5. an unknown base_model_relation is kept as written, not guessed to be a fine-tune -----------

def test_an_unknown_base_model_relation_is_kept_not_guessed() -> None:
    from odlm_kg.namespaces import ODLM, instance_iri
    from odlm_kg.sources.huggingface import map_model

    triples = map_model({"id": "org/child", "cardData": {"base_model": "org/base", "base_model_relation": "pruned"},
                         "tags": ["base_model:distilled-ish:org/other"]})
    child = instance_iri("model", "org/child")
    assert {o for s, p, o in triples if s == child and p == ODLM.derivedFrom} == {
        instance_iri("model", "org/base"), instance_iri("model", "org/other")}
    assert not [t for t in triples if t[1] in (ODLM.qualifiedDerivation, ODLM.reusePattern)]  # nothing guessed
    assert {str(o) for s, p, o in triples if s == child and p == ODLM.reuseRelationText} == {"pruned", "distilled-ish"}
    known = map_model({"id": "org/child", "cardData": {"base_model": "org/base", "base_model_relation": "adapter"}})
    assert {str(o).rsplit("/", 1)[1] for _, p, o in known if p == ODLM.reusePattern} == {"Adapter"}


# -- 6. owner names that differ only in case are one account ---------------------------------------

@pytest.mark.parametrize("batch_size", [1000, 1])
def test_owner_names_differing_in_case_are_one_account(tmp_path: Path, batch_size: int) -> None:
    from odlm_kg.validate import validate

    path = tmp_path / "models.jsonl"
    path.write_text("".join(json.dumps(record) + "\n" for record in [
        {"id": "org/model", "tags": ["license:mit"]}, {"id": "ORG/Model", "tags": ["license:mit"]},
        {"id": "Org/third", "author": "Org", "tags": ["license:mit"]}]), encoding="utf-8")
    with OxigraphStore() as store:
        report = run_load(store, get_source("huggingface-models"), [path], batch_size=batch_size, progress=False)
        accounts = store.query("SELECT ?account ?name WHERE { GRAPH ?g { ?account "
                               "<http://xmlns.com/foaf/0.1/accountName> ?name } }").rows
        graph = store.export_graph("https://w3id.org/odlm/graph/huggingface", fmt="nt")
    assert (report.written, report.rejected) == (3, 0)
    assert [(str(row["account"]).rsplit("/", 1)[1], str(row["name"])) for row in accounts] == [("org", "org")]
    assert validate(graph, ("core", "crawl")).conforms


# -- 4. a custom licence is its owner's, and keeps its link ---------------------------------------

def test_custom_licences_are_keyed_by_owner_and_keep_their_link() -> None:
    from rdflib.namespace import FOAF

    from odlm_kg.namespaces import ODLM, instance_iri
    from odlm_kg.sources.huggingface import map_model

    first = set(map_model({"id": "lab-a/model", "cardData": {
        "license": "other", "license_name": "research-license", "license_link": "LICENSE.md"}}))
    second = set(map_model({"id": "Lab-B/model", "cardData": {
        "license": "other", "license_name": "research-license",
        "license_link": "https://lab-b.example.org/research-license"}}))
    licence_a, licence_b = instance_iri("licence", "lab-a/research-license"), instance_iri("licence", "lab-b/research-license")
    assert (instance_iri("model", "lab-a/model"), ODLM.licence, licence_a) in first
    assert (instance_iri("model", "Lab-B/model"), ODLM.licence, licence_b) in second
    assert {o for s, p, o in first if s == licence_a and p == FOAF.page} == {
        URIRef("https://huggingface.co/lab-a/model/blob/main/LICENSE.md")}
    assert {o for s, p, o in second if s == licence_b and p == FOAF.page} == {
        URIRef("https://lab-b.example.org/research-license")}


# -- 8. a run killed outright stays "started"; the next run removes its spool folder ----------------

def test_a_run_killed_with_sigkill_stays_started_and_its_spool_is_cleaned(tmp_path: Path) -> None:
    import os
    import signal
    import subprocess
    import sys
    import time

    from odlm_kg.sources.pipeline import SPOOL_PREFIX

    records = tmp_path / "models.jsonl"
    with open(records, "w", encoding="utf-8") as handle:
        for i in range(30_000):
            handle.write(json.dumps({"id": f"org{i % 300}/model-{i}", "tags": ["license:mit", f"dataset:d/c{i % 50}"],
                                     "downloads": i, "lastModified": "2025-01-01T00:00:00Z"}) + "\n")
    spool_parent = tmp_path / "tmp"
    spool_parent.mkdir()
    store = tmp_path / "store"
    command = [sys.executable, "-c", "from odlm_kg.cli.app import main; raise SystemExit(main())",
               "--store", str(store), "load", "huggingface-models", str(records), "--no-progress", "--workers", "1",
               "--batch-size", "200"]
    environment = {**os.environ, "TMPDIR": str(spool_parent)}
    killed = subprocess.Popen(command, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 120
        while not list(spool_parent.glob(f"{SPOOL_PREFIX}*/*.nt")):  # it is writing its spool
            assert killed.poll() is None, killed.stderr.read().decode() if killed.stderr else ""
            assert time.monotonic() < deadline, "the load wrote no spool file in 120 s"
            time.sleep(0.05)
    finally:
        killed.send_signal(signal.SIGKILL)
        killed.wait()  # reaped: its process id no longer exists
    [left] = list(spool_parent.glob(f"{SPOOL_PREFIX}*"))
    assert left.name.startswith(f"{SPOOL_PREFIX}{killed.pid}-")

    def runs() -> dict[str, tuple[str, bool]]:
        with OxigraphStore(store) as opened:
            rows = opened.query(
                "SELECT ?run ?state ?end WHERE { GRAPH <https://w3id.org/odlm/graph/provenance> { "
                "?run a <https://w3id.org/odlm#LoadRun> ; <https://w3id.org/odlm#runState> ?state "
                "OPTIONAL { ?run <http://www.w3.org/ns/prov#endedAtTime> ?end } } }").rows
        return {str(row["run"]): (str(row["state"]), "end" in row) for row in rows}

    assert list(runs().values()) == [("started", False)]  # killed outright: started, never ended
    small = tmp_path / "one.jsonl"
    small.write_text('{"id": "org/one", "tags": ["license:mit"]}\n', encoding="utf-8")
    fresh = subprocess.run([*command[:3], "--store", str(store), "load", "huggingface-models", str(small),
                            "--no-progress"], env=environment, capture_output=True, text=True, timeout=120)
    assert fresh.returncode == 0, fresh.stderr
    assert list(spool_parent.iterdir()) == []  # the dead run's folder, and the fresh run's own, are gone
    assert sorted(runs().values()) == [("completed", True), ("started", False)]


def test_load_says_what_the_graph_holds_beside_the_mapped_count(tmp_path: Path,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    """Regression (helper report, issue 17): `load` printed the per-batch triple count as if it were the
    graph's size (3,440,678 "triples" for a graph of 2,601,279 at 10^5): an owner shared by batches was
    counted in each."""
    path = tmp_path / "models.jsonl"
    path.write_text("".join(json.dumps({"id": f"org/m{i}", "author": "org", "tags": ["license:mit"]}) + "\n"
                            for i in range(4)), encoding="utf-8")
    store_path = tmp_path / "store"
    code = main(["--store", str(store_path), "load", "huggingface-models", str(path), "--no-progress",
                 "--batch-size", "1"])
    out = capsys.readouterr().out
    assert code == 0
    store = OxigraphStore(store_path, read_only=True)
    try:
        in_graph = store.count("https://w3id.org/odlm/graph/huggingface")
    finally:
        store.close()
    mapped = int(out.split("(")[1].split(" triples mapped")[0].replace(",", ""))
    assert f"the graph now holds {in_graph:,})" in out
    assert mapped > in_graph  # the owner's account and the licence were sent with each one-record batch
