"""``odlm-kg validate FILE…``: check RDF files against the shape layers; never opens the store."""

from __future__ import annotations

import logging
import warnings
from pathlib import Path
from typing import Annotated

import typer

from odlm_kg.cli.context import err_console
from odlm_kg.errors import InputError, UsageError
from odlm_kg.validate import DEFAULT_PROFILE, ENGINES, INFERENCE, parse_profile
from odlm_kg.validate.files import validate_files
from odlm_kg.validate.shapes import layer_path

REPORT_FORMATS = ("text", "json", "ttl")
#: Results a report shows unless --max-results or --all says otherwise.
DEFAULT_MAX_RESULTS = 100


def validate_command(
    files: Annotated[list[Path], typer.Argument(help="RDF files (any syntax, by extension; .gz allowed).",
                                                show_default=False)],
    profile: Annotated[list[str] | None, typer.Option(
        "--profile", "-p",
        help="Shape layers: core, survey, crawl, findings, recommended, or a shapes file; repeat the "
             "option or give a comma list. Default: core,recommended.")] = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="Report as text, json or ttl.")] = "text",
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write the report here.")] = None,
    inference: Annotated[str, typer.Option(help="none, rdfs or owlrl (over data plus ontology).")] = "none",
    max_results: Annotated[int | None, typer.Option(
        help=f"Show at most this many results (default {DEFAULT_MAX_RESULTS}; the summary still counts all).",
        show_default=False)] = None,
    all_results: Annotated[bool, typer.Option("--all", help="Show every result (no --max-results cap).")] = False,
    input_format: Annotated[str | None, typer.Option(
        help="RDF syntax of the files when their names do not say it (turtle, nt, nquads, trig, xml, "
             "json-ld, n3).")] = None,
    engine: Annotated[str, typer.Option(help="auto (fast path), sparql (the same), memory (the loaders' engine) "
                                              "or pyshacl.")] = "auto",
    batch_size: Annotated[int | None, typer.Option(
        help="Validate in batches of about this many triples, grouped by subject (default engine: about "
             "100,000; sparql and pyshacl: 2,000,000, for files over 512 MB only). Larger than the input: "
             "validated whole.", show_default=False)] = None,
) -> None:
    """Validate RDF files against the ODLM shapes; exit 0 conforms, 1 violations, 2 unreadable input."""
    if fmt not in REPORT_FORMATS:
        raise UsageError(f"--format {fmt!r}: expected one of {', '.join(REPORT_FORMATS)}")
    if inference not in INFERENCE:
        raise UsageError(f"--inference {inference!r}: expected one of {', '.join(INFERENCE)}")
    if engine not in ENGINES:
        raise UsageError(f"--engine {engine!r}: expected one of {', '.join(ENGINES)}")
    if max_results is not None and max_results < 0:
        raise UsageError("--max-results must be 0 or more")
    if all_results and max_results is not None:
        raise UsageError("give --max-results N or --all, not both")
    # a report of every result can be larger than the data (one result per triple or more): capped by default
    if not all_results and max_results is None:
        max_results = DEFAULT_MAX_RESULTS
    if batch_size is not None and batch_size < 1:
        raise UsageError("--batch-size must be 1 or more")
    layers = parse_profile(profile) if profile else DEFAULT_PROFILE
    for layer in layers:
        layer_path(layer)  # unknown layers are a usage error before any file is read
    # rdflib warns (with a stack trace) about every ill-typed literal; the report says it better
    rdflib_term_log = logging.getLogger("rdflib.term")
    level = rdflib_term_log.level
    rdflib_term_log.setLevel(logging.ERROR)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            report = validate_files(files, layers, input_format=input_format, engine=engine,
                                    inference=inference, max_results=max_results, batch_triples=batch_size)
    finally:
        rdflib_term_log.setLevel(level)
    if fmt == "json":
        text = report.to_json_text()
    elif fmt == "ttl":
        text = report.to_turtle()
    else:
        text = report.to_text()
    if output is not None:
        try:
            output.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise InputError(f"{output}: cannot write the report: {exc.strerror}") from exc
    else:
        typer.echo(text, nl=False)
    if report.truncated:
        err_console.print(f"showing {len(report.results):,} of {report.total:,} results (--max-results N or "
                          "--all to see more)", markup=False)
    if not report.conforms:
        raise typer.Exit(code=1)


def register(app: typer.Typer) -> None:
    app.command("validate")(validate_command)
