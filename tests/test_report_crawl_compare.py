"""``odlm-kg report crawl|compare|all``: self-contained HTML (every image a data: URI, nothing external),
no empty table, the SYNTHETIC survey named, charts present where there is data."""

from __future__ import annotations

from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest

from odlm_kg.build import BUILD_STEPS, build
from odlm_kg.cli.app import main
from odlm_kg.report.compare import SYNTHETIC_WARNING, compare_report
from odlm_kg.report.crawl import crawl_report
from odlm_kg.report.document import render_html, render_markdown
from odlm_kg.store import OxigraphStore


class PageParts(HTMLParser):
    """Images, external references and table bodies of an HTML page."""

    def __init__(self) -> None:
        super().__init__()
        self.images: list[str] = []
        self.external: list[str] = []
        self.tables: list[int] = []  # rows in each table body
        self._in_body = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "img":
            self.images.append(values.get("src") or "")
        for name in ("src", "href"):
            value = values.get(name)
            if value and not value.startswith(("data:", "#")) and tag != "a":
                self.external.append(value)
        if tag == "link":
            self.external.append(values.get("href") or "link")
        if tag == "script" and values.get("src"):
            self.external.append(values["src"] or "")
        if tag == "tbody":
            self.tables.append(0)
            self._in_body = True
        if tag == "tr" and self._in_body:
            self.tables[-1] += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "tbody":
            self._in_body = False


def parts_of(path: Path) -> PageParts:
    parser = PageParts()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


@pytest.fixture(scope="module")
def crawled_store(real_data: Path) -> Iterator[OxigraphStore]:
    from odlm_kg.sources import get_source
    from odlm_kg.sources.pipeline import run_load

    store = OxigraphStore()
    build(store)
    run_load(store, get_source("huggingface-models"), sorted((real_data / "hf-modeltree-oderinwale").glob("*.json")),
             progress=False)
    run_load(store, get_source("hf-model-cards"), sorted((real_data / "hf-model-cards-asgaardlab").glob("*.yaml")),
             progress=False)
    yield store
    store.close()


def test_all_writes_self_contained_pages(crawled_store: OxigraphStore, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import odlm_kg.cli.context as context

    monkeypatch.setattr(context.CliState, "store", lambda self: crawled_store)
    assert main(["report", "all", "--out", str(tmp_path)]) == 0
    for stem in ("survey-report", "crawl-report", "compare-report"):
        assert (tmp_path / f"{stem}.md").is_file()
        page = parts_of(tmp_path / f"{stem}.html")
        assert page.images, f"{stem}: no chart"
        assert all(src.startswith("data:image/png;base64,") for src in page.images), stem
        assert not page.external, f"{stem}: external references {page.external}"
        assert page.tables and all(rows > 0 for rows in page.tables), f"{stem}: an empty table"
    compare = (tmp_path / "compare-report.html").read_text(encoding="utf-8")
    assert "SYNTHETIC SURVEY DATA" in compare and "heat map" in compare.lower()
    crawl = parts_of(tmp_path / "crawl-report.html")
    assert len(crawl.images) == 2  # licence openness by platform, lineage fan-out
    assert "EleutherAI/gpt-neox-20b" in (tmp_path / "crawl-report.html").read_text(encoding="utf-8")


def test_reports_on_a_graph_without_crawl_records_say_what_to_load() -> None:
    store = OxigraphStore()
    build(store, [step for step in BUILD_STEPS if step[0] != "crawl-samples"])
    try:
        crawl = crawl_report(store)
        compare = compare_report(store)
    finally:
        store.close()
    text = render_html(crawl)
    assert "odlm-kg load" in text and "<tbody></tbody>" not in text
    assert compare.warnings == [SYNTHETIC_WARNING]
    markdown = render_markdown(compare)
    assert markdown.count("![") == 3 and "data:image" not in markdown  # issue 19: charts are files beside the .md
    assert "](report-chart-1.png)" in markdown
    heat_map = next(s for s in compare.sections if s.title.startswith("RQ1 where"))
    assert heat_map.charts and heat_map.tables[0].rows


def test_default_build_gives_a_full_crawl_report(tmp_path: Path) -> None:
    store = OxigraphStore()
    build(store)
    try:
        report = crawl_report(store)
    finally:
        store.close()
    assert all(table.rows for section in report.sections for table in section.tables)
    assert sum(len(section.charts) for section in report.sections) == 2


def test_report_kinds_are_listed(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report", "--help"]) == 0
    listed = capsys.readouterr().out
    assert all(kind in listed for kind in ("survey", "crawl", "compare", "all"))


def test_out_that_is_a_file_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    occupied = tmp_path / "report"
    occupied.write_text("")
    assert main(["--store", "memory", "report", "crawl", "--out", str(occupied)]) == 2
    assert "cannot write the report into" in capsys.readouterr().err
