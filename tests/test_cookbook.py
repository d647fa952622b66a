"""docs/cookbook.md is what ``odlm-kg docs --queries`` writes from a fresh build: regenerate it and compare."""

from __future__ import annotations

from pathlib import Path

import pytest

from odlm_kg.cli.app import main
from odlm_kg.cookbook import needs_network, render_cookbook
from odlm_kg.queries import list_queries
from tests.conftest import PROJECT_ROOT

COMMITTED = PROJECT_ROOT / "docs" / "cookbook.md"


def test_command_writes_the_committed_cookbook(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "cookbook.md"
    assert main(["docs", "--queries", "--output", str(target)]) == 0
    assert f"wrote {target}" in capsys.readouterr().out.replace("\n", "")
    generated = target.read_text(encoding="utf-8")
    assert generated == COMMITTED.read_text(encoding="utf-8"), (
        "docs/cookbook.md is stale: run `odlm-kg docs --queries` and commit the result")


def test_every_query_has_a_section_with_its_result() -> None:
    text = COMMITTED.read_text(encoding="utf-8")
    for query in list_queries():
        assert f"## {query.title}\n" in text and f"`{query.name}`" in text
        if not needs_network(query):
            section = text.split(f"## {query.title}\n", 1)[1].split("\n## ", 1)[0]
            assert "Result on the default graph" in section


def test_render_needs_no_store_writes(memory_store) -> None:  # type: ignore[no-untyped-def]
    page = render_cookbook(memory_store, [q for q in list_queries() if q.name == "survey-cosharing"])
    assert "_(no rows on the default graph)_" in page and memory_store.is_empty()
