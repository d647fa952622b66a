"""``odlm-kg query``: run a named query (with typed parameters) or a SPARQL file, or list the catalogue."""

from __future__ import annotations

import csv
import io
import json
import sys
import textwrap
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Column, Table

from odlm_kg.cli.context import out_console, state
from odlm_kg.errors import InputError, UsageError
from odlm_kg.queries import evidence_notice, get_query, list_queries
from odlm_kg.result_formats import GRAPH_FORMATS, SELECT_FORMATS, format_result
from odlm_kg.store.base import SelectResult

#: Every --format the command accepts: SELECT/ASK formats, then graph (CONSTRUCT/DESCRIBE) syntaxes.
FORMATS = (*SELECT_FORMATS, *GRAPH_FORMATS)
#: Room a table needs besides its cells: a border and two spaces of padding per column, one border more.
_TABLE_FRAME = 3


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    """``1 row``, ``2 rows``, ``1,000 rows``.

    >>> plural(1, "row"), plural(0, "row"), plural(2, "match", "matches")
    ('1 row', '0 rows', '2 matches')
    """
    return f"{count:,} {singular if count == 1 else (plural_form or singular + 's')}"


def print_table(result: SelectResult) -> None:
    """A SELECT result for a person: IRIs as prefixed names (``vocab:artifact-kind/Model``), numbers in
    their shortest form. A table when every cell fits the terminal's width; else one block per row
    (``column  value`` lines, long values wrapped, unbound cells left out), so that no value is cut off."""
    from odlm_kg.cookbook import cell_text

    cells = [[cell_text(row.get(v)) for v in result.variables] for row in result.rows]
    widths = [max([len(v), *(len(row[i]) for row in cells)]) for i, v in enumerate(result.variables)]
    width = out_console.width
    if sum(widths) + _TABLE_FRAME * len(widths) + 1 <= width:
        table = Table(*(Column(v, overflow="fold") for v in result.variables))
        for row in cells:
            table.add_row(*row)
        out_console.print(table)
    else:
        name_width = max((len(v) for v in result.variables), default=0)
        value_width = max(width - name_width - 2, 20)
        lines = []
        for number, row in enumerate(cells, 1):
            lines.append(f"── row {number} of {len(cells)} ──")
            for variable, cell in zip(result.variables, row, strict=True):
                wrapped = textwrap.wrap(cell, value_width, break_on_hyphens=False) if cell else []
                for index, part in enumerate(wrapped):
                    lines.append(f"{variable if index == 0 else '':<{name_width}}  {part}")
        typer.echo("\n".join(lines))
    out_console.print(plural(len(result.rows), "row"), style="dim")


def print_result(result: object, fmt: str) -> None:
    if fmt == "table" and isinstance(result, SelectResult):
        print_table(result)
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
    file: Annotated[Path | None, typer.Option(
        "--file", "-f", help="A SPARQL query file to run ('-' reads the query from standard input).")] = None,
    fmt: Annotated[str, typer.Option("--format", help=(
        f"SELECT and ASK: {', '.join(SELECT_FORMATS)}; CONSTRUCT and DESCRIBE: table (Turtle), "
        f"{', '.join(GRAPH_FORMATS)}."))] = "table",
    list_: Annotated[bool, typer.Option("--list", help="List the named queries and their parameters.")] = False,
) -> None:
    """Run a named query or a SPARQL file against the store; --list shows the named queries."""
    if fmt not in FORMATS:
        raise UsageError(f"--format {fmt!r}: expected one of {', '.join(SELECT_FORMATS)} (SELECT, ASK) or "
                         f"{', '.join(GRAPH_FORMATS)} (CONSTRUCT, DESCRIBE)")
    if list_:
        print_catalogue(fmt)
        return
    if (name is None) == (file is None):
        raise UsageError("give a named query (odlm-kg query NAME; see --list) or --file Q.rq, not both")
    if file is not None:
        if param:
            raise UsageError("--param applies to named queries only")
        if str(file) == "-":
            text, where = sys.stdin.read(), "the query on standard input"
        else:
            try:
                text = file.read_text(encoding="utf-8")
            except OSError as exc:
                raise InputError(f"{file}: cannot read: {exc.strerror}") from exc
            where = str(file)
        if not text.strip():
            raise InputError(f"{where}: is empty; expected a SPARQL query")
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
