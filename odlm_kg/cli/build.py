"""``odlm-kg build`` and ``odlm-kg stats``."""

from __future__ import annotations

import typer
from rich.table import Table

from odlm_kg.build import build
from odlm_kg.cli.context import out_console, state
from odlm_kg.stats import compute_stats


def build_command(ctx: typer.Context) -> None:
    """Make the default graph from what the package ships (ontology, vocabularies, findings, samples)."""
    store = state(ctx).store("write", command="build", through_server=True)
    report = build(store)
    for iri, count in report.graphs.items():
        out_console.print(f"{count:>9,}  {iri}")
    seconds = sum(report.seconds.values())
    out_console.print(f"built {report.total:,} triples in {len(report.graphs)} named graphs ({seconds:.1f} s)")


def stats_command(ctx: typer.Context) -> None:
    """Triples per named graph and concepts per SKOS concept scheme."""
    stats = compute_stats(state(ctx).store())
    graphs = Table(title="Triples per named graph")
    graphs.add_column("graph")
    graphs.add_column("triples", justify="right")
    for iri, count in stats.triples_per_graph.items():
        graphs.add_row(str(iri), f"{count:,}")
    if stats.default_graph_triples:
        graphs.add_row("(default graph)", f"{stats.default_graph_triples:,}")
    graphs.add_row("total", f"{stats.total:,}", style="bold")
    out_console.print(graphs)
    schemes = Table(title="Concepts per scheme")
    schemes.add_column("scheme")
    schemes.add_column("title")
    schemes.add_column("concepts", justify="right")
    for iri, title, count in stats.concepts_per_scheme:
        schemes.add_row(str(iri), title, str(count))
    out_console.print(schemes)


def register(app: typer.Typer) -> None:
    app.command("build")(build_command)
    app.command("stats")(stats_command)
