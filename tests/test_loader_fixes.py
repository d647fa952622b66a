"""Regression tests of the loader defects of issue #18, one test per defect (each fails without its fix)."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

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
