"""``odlm-kg docs``: write the ontology reference (HTML, Markdown) and the class diagram."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from odlm_kg.cli.context import out_console
from odlm_kg.docs_reference import ENGINES, write_reference
from odlm_kg.errors import UsageError


def docs_command(
    output: Annotated[Path, typer.Option("--output", "-o", help="Folder to write into.")] = Path("docs/reference"),
    engine: Annotated[str, typer.Option(help=f"HTML generator: {' or '.join(ENGINES)}.")] = "builtin",
    queries: Annotated[bool, typer.Option("--queries", help="Write the query cookbook (docs/cookbook.md, or "
                                          "--output FILE.md) from a fresh in-memory build instead.")] = False,
) -> None:
    """Generate the ontology reference and class diagram from the shipped ontology."""
    if queries:
        from odlm_kg.cookbook import DEFAULT_PATH, write_cookbook

        target = output if output.suffix == ".md" else DEFAULT_PATH
        out_console.print(f"wrote {write_cookbook(target)}")
        return
    if engine not in ENGINES:
        raise UsageError(f"--engine {engine!r}: expected one of {', '.join(ENGINES)}")
    for path in write_reference(output, engine):
        out_console.print(f"wrote {path}")


def register(app: typer.Typer) -> None:
    app.command("docs")(docs_command)
