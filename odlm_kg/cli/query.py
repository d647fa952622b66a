"""``odlm-kg query``: run a SPARQL file against the store and print the result."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from odlm_kg.cli.context import out_console, state
from odlm_kg.errors import InputError, UsageError
from odlm_kg.result_formats import format_result
from odlm_kg.store.base import SelectResult

FORMATS = ("table", "csv", "tsv", "json", "ttl", "nt")


def print_result(result: object, fmt: str) -> None:
    if fmt == "table" and isinstance(result, SelectResult):
        table = Table(*result.variables)
        for row in result.rows:
            table.add_row(*("" if row.get(v) is None else str(row[v]) for v in result.variables))
        out_console.print(table)
        out_console.print(f"{len(result.rows)} rows", style="dim")
        return
    typer.echo(format_result(result, fmt), nl=False)  # type: ignore[arg-type]


def query_command(
    ctx: typer.Context,
    file: Annotated[Path | None, typer.Option("--file", "-f", help="A SPARQL query file to run.")] = None,
    fmt: Annotated[str, typer.Option("--format", help=f"One of {', '.join(FORMATS)}.")] = "table",
) -> None:
    """Run a SPARQL query file against the store."""
    if fmt not in FORMATS:
        raise UsageError(f"--format {fmt!r}: expected one of {', '.join(FORMATS)}")
    if file is None:
        raise UsageError("give a query: --file Q.rq")
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(f"{file}: cannot read: {exc.strerror}") from exc
    try:
        result = state(ctx).store().query(text)
    except SyntaxError as exc:
        raise InputError(f"{file}: not a valid SPARQL query: {exc}") from exc
    print_result(result, fmt)


def register(app: typer.Typer) -> None:
    app.command("query")(query_command)
