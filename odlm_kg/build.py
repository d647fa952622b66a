"""``odlm-kg build``: make the default graph from everything the package ships.

Each part of the package that ships data contributes a *build step*: a function that returns the
quads it wants in the default graph, grouped by named graph. Build runs every step first (so a
broken file stops the build before anything is written), then replaces those named graphs in one
SPARQL Update, so the store never holds a half-built graph. Graphs added with ``odlm-kg load`` are
left alone.
"""

from __future__ import annotations

import importlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from rdflib import Graph, URIRef

from odlm_kg.evidence.cube import CUBE_GRAPH
from odlm_kg.store.base import Store

#: A build step returns {named graph IRI: graph}. Steps are named "module:function" and imported
#: lazily, so a step's dependencies load only when it runs.
BuildStep = Callable[[], dict[URIRef, Graph]]

BUILD_STEPS: list[tuple[str, str]] = [
    ("ontology", "odlm_kg.ontology:build_step"),
    ("licences", "odlm_kg.licences:build_step"),
    ("findings", "odlm_kg.evidence.findings:build_step"),
    ("survey-demo", "odlm_kg.evidence.survey_demo:build_step"),
    ("crawl-samples", "odlm_kg.evidence.crawl_sample:build_step"),
    ("cube", "odlm_kg.evidence.cube:build_step"),
]


@dataclass
class BuildReport:
    """Triples written per named graph, and the seconds each step took."""

    graphs: dict[URIRef, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.graphs.values())


def resolve_step(target: str) -> BuildStep:
    module_name, _, function = target.partition(":")
    step: BuildStep = getattr(importlib.import_module(module_name), function)
    return step


def collect(steps: list[tuple[str, str]] | None = None) -> tuple[dict[URIRef, Graph], dict[str, float]]:
    """Run the build steps and merge their graphs; nothing touches a store here."""
    graphs: dict[URIRef, Graph] = {}
    seconds: dict[str, float] = {}
    for name, target in steps or BUILD_STEPS:
        started = time.perf_counter()
        for iri, graph in resolve_step(target)().items():
            if iri in graphs:
                graphs[iri] += graph
            else:
                graphs[iri] = graph
        seconds[name] = time.perf_counter() - started
    return graphs, seconds


def replace_graphs(store: Store, graphs: dict[URIRef, Graph]) -> None:
    """Replace each named graph's content with the given graph, all in one SPARQL Update.

    A remote store takes each graph through its own writes instead (Graph Store POSTs, or updates in
    pieces the engine accepts): Virtuoso refuses one update of the whole build (blank nodes, length).
    """
    if store.kind == "remote":
        for iri, graph in graphs.items():
            store.clear_graph(iri)
            store.add_graph(graph, iri)
        return
    parts = [f"DROP SILENT GRAPH <{iri}> ;" for iri in graphs]
    parts.append("INSERT DATA {")
    for iri, graph in graphs.items():
        parts.append(f"GRAPH <{iri}> {{")
        parts.append(graph.serialize(format="nt"))
        parts.append("}")
    parts.append("}")
    store.update("\n".join(parts))


def build(store: Store, steps: list[tuple[str, str]] | None = None) -> BuildReport:
    """Build the default graph into ``store`` and report triples per named graph."""
    from odlm_kg.classify import classify_open_models

    graphs, seconds = collect(steps)
    replace_graphs(store, graphs)
    # Models loaded before the vocabularies and licence table were in the store could not be
    # classified then; the rule is idempotent, so run it over everything once the build is in.
    started = time.perf_counter()
    classify_open_models(store)
    seconds["classify"] = time.perf_counter() - started
    # The cube's computed observations follow their source graphs: every graph the build replaced.
    from odlm_kg.evidence.cube import refresh

    started = time.perf_counter()
    refresh(store, [iri for iri in graphs if iri != CUBE_GRAPH])
    seconds["cube"] = time.perf_counter() - started
    return BuildReport({iri: len(graph) for iri, graph in graphs.items()}, seconds)
