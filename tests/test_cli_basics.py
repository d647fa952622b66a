"""The CLI's global behaviour: help, unknown commands, exit codes, build/stats/query on both stores."""

from __future__ import annotations

from pathlib import Path

import pytest

from odlm_kg.cli.app import main


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_help_lists_commands(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--help")
    assert code == 0
    for command in ("build", "stats", "query"):
        assert command in out


def test_unknown_command_lists_what_exists(capsys: pytest.CaptureFixture[str]) -> None:
    code, _out, err = run(capsys, "frobnicate")
    assert code == 2
    assert "no command 'frobnicate'" in err
    assert "build" in err and "Traceback" not in err


def test_unknown_option_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    code, _out, err = run(capsys, "build", "--no-such-option")
    assert code == 2
    assert "--no-such-option" in err and "Traceback" not in err


@pytest.mark.parametrize("store_kind", ["memory", "disk"])
def test_build_then_query_file(capsys: pytest.CaptureFixture[str], tmp_path: Path, store_kind: str) -> None:
    store = "memory" if store_kind == "memory" else str(tmp_path / "store")
    query = tmp_path / "classes.rq"
    query.write_text("PREFIX owl: <http://www.w3.org/2002/07/owl#>\n"
                     "ASK { <https://w3id.org/odlm#DeepLearningModel> a owl:Class }\n")
    if store_kind == "memory":
        # a memory store lives for one process, so build and query in one command line is impossible;
        # the library call shows the same path
        from odlm_kg.build import build
        from odlm_kg.store import open_store

        mem = open_store("memory")
        report = build(mem)
        assert report.total > 100
        assert mem.query(query.read_text()) is True
        return
    code, out, _ = run(capsys, "--store", store, "build")
    assert code == 0 and "built" in out
    code, out, _ = run(capsys, "--store", store, "query", "--file", str(query), "--format", "json")
    assert code == 0 and '"boolean": true' in out
    code, out, _ = run(capsys, "--store", store, "stats")
    assert code == 0 and "https://w3id.org/odlm/graph/ontology" in out


def test_build_twice_changes_nothing(tmp_path: Path) -> None:
    from odlm_kg.build import build
    from odlm_kg.store import open_store

    store = open_store(str(tmp_path / "s"))
    build(store)
    first = store.count()
    build(store)
    assert store.count() == first
    store.close()


def test_bad_query_file_is_exit_2(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    bad = tmp_path / "bad.rq"
    bad.write_text("SELEC ?x WHERE { ?x ?y }")
    code, _out, err = run(capsys, "--store", "memory", "query", "--file", str(bad))
    assert code == 2
    assert "bad.rq" in err and "Traceback" not in err


def test_missing_query_file_is_exit_2(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _out, err = run(capsys, "--store", "memory", "query", "--file", str(tmp_path / "nope.rq"))
    assert code == 2 and "nope.rq" in err


def test_build_classifies_models_loaded_before_it(tmp_path: Path) -> None:
    # regression: a model loaded into an empty store (no vocabularies, no licence table yet) stayed
    # unclassified after build, because only the shipped crawl sample was classified
    from odlm_kg.build import build
    from odlm_kg.namespaces import ODLM, graph_iri, instance_iri, vocab_iri
    from odlm_kg.store import open_store

    store = open_store("memory")
    model = instance_iri("model", "example/open-model")
    store.load_text(
        f"<{model}> a <{ODLM.PretrainedModel}> ; <{ODLM.licence}> <http://spdx.org/licenses/Apache-2.0> ; "
        f"<{ODLM.sharedAt}> <{vocab_iri('sharing-location', 'HuggingFaceHub')}> .", "turtle", graph_iri("huggingface"))
    ask = f"ASK {{ <{model}> a <{ODLM.OpenDeepLearningModel}> }}"
    assert store.query(ask) is False
    build(store)
    assert store.query(ask) is True
