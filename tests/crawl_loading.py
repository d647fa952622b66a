"""Shared by the crawl-source tests: load a file twice through the pipeline and check idempotence."""

from __future__ import annotations

from pathlib import Path

from rdflib import Graph

from odlm_kg.sources import get_source
from odlm_kg.sources.base import LoadOptions
from odlm_kg.sources.pipeline import LoadReport, run_load
from odlm_kg.store import OxigraphStore


def load_source_twice(name: str, store: OxigraphStore, path: Path, tmp_path: Path | None = None,
                      options: LoadOptions | None = None) -> tuple[LoadReport, Graph]:
    """Load ``path`` with source ``name``, check a second load leaves its graph unchanged, and return
    the first run's report with the source graph (rejects go to ``tmp_path/rejects.jsonl``)."""
    source = get_source(name, options) if options is not None else get_source(name)
    assert "crawl" in source.layers
    reject_file = tmp_path / "rejects.jsonl" if tmp_path else None
    report = run_load(store, source, [path], progress=False, classify=False, reject_file=reject_file)
    count = store.count(source.graph)
    run_load(store, source, [path], progress=False, classify=False)
    assert store.count(source.graph) == count
    return report, store.export_graph(source.graph)
