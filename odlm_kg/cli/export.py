"""``odlm-kg export [--graph G] [--format nq|trig] FILE``: the store as a file for a bulk loader."""

from __future__ import annotations

from typing import Annotated

import typer

from odlm_kg.cli.context import err_console, state
from odlm_kg.export import export_to


def export_command(
    ctx: typer.Context,
    target: Annotated[str, typer.Argument(
        metavar="FILE", help="Where to write: a .nq or .trig file (gzipped when it ends .gz), or - for stdout.",
        show_default=False)],
    graph: Annotated[str | None, typer.Option(help="Export this named graph only (IRI).")] = None,
    fmt: Annotated[str | None, typer.Option(
        "--format", help="nq (N-Quads) or trig; default: from FILE's name.", show_default=False)] = None,
) -> None:
    """Write the whole store, or one named graph, as N-Quads or TriG: the input of an engine's own
    bulk loader (docs/bulk-load.md). Streamed; FILE appears only once it is complete."""
    store = state(ctx).store("read", command="export")
    report = export_to(store, target, graph=graph, fmt=fmt)
    graphs = len([g for g in report.per_graph if g])
    # the summary goes to stderr, so that `export -` leaves stdout to the data
    err_console.print(f"exported {report.quads:,} quads ({graphs} named graph{'' if graphs == 1 else 's'}"
                      f"{', and the default graph' if '' in report.per_graph else ''}) as "
                      f"{'gzipped ' if report.compressed else ''}{report.fmt} to {report.target} "
                      f"in {report.seconds:.1f} s", markup=False)


def register(app: typer.Typer) -> None:
    app.command("export")(export_command)


__all__ = ["register"]
