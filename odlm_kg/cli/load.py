"""``odlm-kg load SOURCE FILE…``: read records of one input format into the store."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Annotated

import typer

from odlm_kg.cli.context import err_console, out_console, state
from odlm_kg.errors import ProblemsFound, UsageError
from odlm_kg.export import load_to_file
from odlm_kg.sources import SOURCES, LoadOptions, get_source
from odlm_kg.sources.pipeline import DEFAULT_BATCH_SIZE, LoadReport, run_load
from odlm_kg.store.base import Store


def load_command(
    ctx: typer.Context,
    source: Annotated[str, typer.Argument(help="Input format: " + ", ".join(sorted(SOURCES)) + ".",
                                          show_default=False)],
    files: Annotated[list[Path], typer.Argument(help="Input files or directories of them.", show_default=False)],
    strict: Annotated[bool, typer.Option(help="Stop at the first rejected record (exit 1); write nothing.")] = False,
    reject_file: Annotated[Path | None, typer.Option(
        help="Write each rejected record (file, record, field, reason) to this JSON Lines file.")] = None,
    codebook: Annotated[Path | None, typer.Option(help="Codebook of the survey source.")] = None,
    salt: Annotated[str | None, typer.Option(help="Salt for hashed respondent identifiers (survey).")] = None,
    include_preview: Annotated[bool, typer.Option(help="Survey: keep preview responses.")] = False,
    include_unfinished: Annotated[bool, typer.Option(help="Survey: keep unfinished responses.")] = False,
    batch_size: Annotated[int, typer.Option(help="Records per validated, written batch.")] = DEFAULT_BATCH_SIZE,
    no_progress: Annotated[bool, typer.Option("--no-progress", help="Do not show the progress bar.")] = False,
    workers: Annotated[int | None, typer.Option(
        help="Processes that map and validate batches (default: up to 2 for inputs of 5,000 records or "
             "more, else none; 1: all in this process).", show_default=False)] = None,
    output: Annotated[Path | None, typer.Option(
        help="Write what the load adds (records, provenance, classification, cube) to this .nq or .trig "
             "file (.gz: gzipped) instead of the store, for an engine's bulk loader (docs/bulk-load.md); "
             "--store is not used.", show_default=False)] = None,
    option: Annotated[list[str] | None, typer.Option(
        "--option", "-o", help="A source-specific setting KEY=VALUE, repeatable (e.g. peatmoss: "
                               "observed-at=2023-10-01, the time its download counts were taken).")] = None,
) -> None:
    """Load records of SOURCE format from FILE… into the store, validated, with provenance.

    Exit 1 when any record was rejected (the others are written), 2 when an input cannot be read.
    """
    if batch_size < 1:
        raise UsageError("--batch-size must be at least 1")
    if workers is not None and workers < 0:
        raise UsageError("--workers must be 0 or more")
    options = LoadOptions(codebook=codebook, salt=salt, include_preview=include_preview,
                          include_unfinished=include_unfinished, extra=parse_options(option or []))
    chosen = get_source(source, options)

    def load(store: Store) -> LoadReport:
        return run_load(store, chosen, files, strict=strict, reject_file=reject_file,
                        batch_size=batch_size, progress=not no_progress, workers=workers)

    if output is None:
        report = load(state(ctx).store("write", command="load", through_server=True))
    else:
        report, exported = load_to_file(output, load)
        err_console.print(f"wrote {exported.quads:,} quads to {exported.target} ({exported.seconds:.1f} s)",
                          markup=False)
    # the mapped count repeats triples that several batches share; the graph's own count does not
    graph_size = (f"; the graph now holds {report.graph_triples:,}"
                  if report.graph_triples is not None and output is None else "")
    out_console.print(
        f"{source}: read {report.read:,} record{'' if report.read == 1 else 's'}, wrote {report.written:,} "
        f"({report.triples:,} triple{'' if report.triples == 1 else 's'} mapped{graph_size}) "
        f"into <{report.graph}>{' (of the file)' if output is not None else ''}, rejected {report.rejected:,} in {report.seconds:.1f} s "
        f"({report.records_per_second:,.0f} records/s); run <{report.run}>")
    excluded = excluded_counts(chosen)
    if excluded:
        kinds = ", ".join(f"{kind}: {count:,}" for kind, count in sorted(excluded.items()))
        err_console.print(f"  excluded {sum(excluded.values()):,} responses by their status ({kinds}); "
                          "--include-preview / --include-unfinished keep them", markup=False)
    if report.rejected:
        for reason, count in report.reject_reasons.most_common(5):
            err_console.print(f"  {count:>7,} × {reason}", markup=False)
        if reject_file is None:
            err_console.print("  (give --reject-file F to keep every rejected record)", markup=False)
        # the README's exit codes: 1 = the command ran and found problems (the records that passed are
        # written; a script must not take a run that dropped records for a clean one)
        kept = f"; they are listed in {reject_file}" if reject_file is not None else ""
        raise ProblemsFound(f"{report.rejected:,} of {report.read:,} record{'' if report.read == 1 else 's'} "
                            f"{'was' if report.rejected == 1 else 'were'} rejected{kept}")


def excluded_counts(source: object) -> Counter[str]:
    """Records a source left out on purpose (the survey's preview and unfinished responses), by kind."""
    total: Counter[str] = Counter()
    for counts in (getattr(source, "excluded", None) or {}).values():
        total.update(counts)
    return +total


def parse_options(pairs: list[str]) -> dict[str, str]:
    """``KEY=VALUE`` strings as a dict; a pair without ``=`` or with an empty key is a usage error.

    >>> parse_options(["observed-at=2023-10-01", "a=b=c"])
    {'observed-at': '2023-10-01', 'a': 'b=c'}
    """
    parsed: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise UsageError(f"--option {pair!r}: expected KEY=VALUE")
        parsed[key.strip()] = value.strip()
    return parsed


def register(app: typer.Typer) -> None:
    app.command("load")(load_command)


__all__ = ["register"]
