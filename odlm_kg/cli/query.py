"""``odlm-kg query``: run a named query (with typed parameters) or a SPARQL file, or list the catalogue."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Column, Table

from odlm_kg.cli.context import out_console, state
from odlm_kg.errors import InputError, UsageError
from odlm_kg.queries import evidence_notice, get_query, list_queries
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


def parse_params(pairs: list[str]) -> dict[str, str]:
    """``k=v`` pairs from ``--param`` options."""
    params: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise UsageError(f"--param {pair!r}: expected NAME=VALUE")
        params[name.strip()] = value
    return params


def print_catalogue(fmt: str) -> None:
    queries = list_queries()
    if fmt == "json":
        typer.echo(json.dumps([q.as_dict() | {"path": str(q.path)} for q in queries], indent=2))
        return
    if fmt in ("csv", "tsv"):
        buffer = io.StringIO()
        writer = csv.writer(buffer, delimiter="," if fmt == "csv" else "\t", lineterminator="\n")
        writer.writerow(["name", "title", "rq", "parameters"])
        for q in queries:
            writer.writerow([q.name, q.title, " ".join(q.research_question),
                             " ".join(f"{p.name}:{p.type}{'!' if p.required else ''}" for p in q.parameters)])
        typer.echo(buffer.getvalue(), nl=False)
        return
    if fmt != "table":
        raise UsageError(f"--list --format {fmt}: the catalogue is a table; use table, json, csv or tsv")
    table = Table("title", "rq", "parameters")
    table.columns.insert(0, Column("name", no_wrap=True, style="bold"))
    for q in queries:
        params = ", ".join(f"{p.name} ({p.type}{', required' if p.required else ''})" for p in q.parameters)
        table.add_row(q.name, q.title, ", ".join(q.research_question), params)
    out_console.print(table)


def query_command(
    ctx: typer.Context,
    name: Annotated[str | None, typer.Argument(help="A named query (see --list).")] = None,
    param: Annotated[list[str] | None, typer.Option(
        "--param", "-p", help="A parameter of the named query, NAME=VALUE (repeatable).")] = None,
    file: Annotated[Path | None, typer.Option("--file", "-f", help="A SPARQL query file to run.")] = None,
    fmt: Annotated[str, typer.Option("--format", help=f"One of {', '.join(FORMATS)}.")] = "table",
    list_: Annotated[bool, typer.Option("--list", help="List the named queries and their parameters.")] = False,
) -> None:
    """Run a named query or a SPARQL file against the store; --list shows the named queries."""
    if fmt not in FORMATS:
        raise UsageError(f"--format {fmt!r}: expected one of {', '.join(FORMATS)}")
    if list_:
        print_catalogue(fmt)
        return
    if (name is None) == (file is None):
        raise UsageError("give a named query (odlm-kg query NAME; see --list) or --file Q.rq, not both")
    if file is not None:
        if param:
            raise UsageError("--param applies to named queries only")
        try:
            text = file.read_text(encoding="utf-8")
        except OSError as exc:
            raise InputError(f"{file}: cannot read: {exc.strerror}") from exc
        where = str(file)
    else:
        assert name is not None
        text = get_query(name).bind(**parse_params(param or []))
        where = f"named query {name!r}"
    try:
        result = state(ctx).store().query(text)
    except SyntaxError as exc:
        raise InputError(f"{where}: not a valid SPARQL query: {exc}") from exc
    notice = evidence_notice(result)
    if notice:  # on stderr, so that CSV/JSON on stdout stay clean (issue 15)
        typer.echo(notice, err=True)
    print_result(result, fmt)


def register(app: typer.Typer) -> None:
    app.command("query")(query_command)
