"""``odlm-kg report KIND``: HTML and Markdown reports computed from the graph.

``report`` is a command group so that more kinds (``compare``, ``crawl``, ``all``) can be added beside
``survey``, each as one function registered on :data:`report_app`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from odlm_kg.cli.context import out_console, state

report_app = typer.Typer(help="HTML and Markdown reports with charts, computed from the graph.",
                         no_args_is_help=True)


@report_app.command("survey")
def survey_command(
    ctx: typer.Context,
    survey: Annotated[str, typer.Option(help="IRI of the survey to report on.")] =
        "https://w3id.org/odlm/id/survey/dalgali-crowston-demo",
    out: Annotated[Path, typer.Option(help="Directory to write survey-report.html and survey-report.md to.")] =
        Path("report"),
    html: Annotated[bool, typer.Option(help="Write the HTML report.")] = True,
    markdown: Annotated[bool, typer.Option(help="Write the Markdown report.")] = True,
) -> None:
    """Dalgali & Crowston's Tables 3-7 and co-sharing shares computed from survey microdata, beside the
    published values, with chi-square tests (default survey: the SYNTHETIC demo survey of the build)."""
    from odlm_kg.report.survey import survey_report, write_report

    report = survey_report(state(ctx).store(), survey)
    if report.synthetic:
        out_console.print("[bold yellow]SYNTHETIC survey: generated data, not evidence.[/]")
    for table in report.tables:
        shown = Table(title=f"{table.spec.locator}: {table.spec.title} (base: {table.spec.base})")
        for column in ("answer", "count", "base", "computed %", "published %", "difference"):
            shown.add_column(column, justify="left" if column == "answer" else "right")
        for row in table.rows:
            shown.add_row(row.label, str(row.count), str(row.base), f"{row.computed:g}",
                          "—" if row.published is None else f"{row.published:g}",
                          "—" if row.difference is None else f"{row.difference:+g}")
        out_console.print(shown)
    tests = Table(title="Chi-square tests of independence")
    for column in ("relation", "unit", "n", "χ²", "dof", "p"):
        tests.add_column(column)
    for test in report.tests:
        tests.add_row(test.name, test.unit, str(test.n), f"{test.statistic:.2f}", str(test.dof), f"{test.p_value:.4g}")
    out_console.print(tests)
    formats = [fmt for fmt, wanted in (("html", html), ("md", markdown)) if wanted]
    for path in write_report(report, out, formats):
        out_console.print(f"wrote {path}")


_OUT = Annotated[Path, typer.Option(help="Directory to write the report files to.")]
_HTML = Annotated[bool, typer.Option(help="Write the HTML report.")]
_MARKDOWN = Annotated[bool, typer.Option(help="Write the Markdown report.")]


def _write(ctx: typer.Context, kinds: list[str], out: Path, html: bool, markdown: bool) -> None:
    from odlm_kg.report.compare import compare_report
    from odlm_kg.report.crawl import crawl_report
    from odlm_kg.report.document import write_document

    builders = {"crawl": crawl_report, "compare": compare_report}
    formats = [fmt for fmt, wanted in (("html", html), ("md", markdown)) if wanted]
    for kind in kinds:
        report = builders[kind](state(ctx).store())
        for warning in report.warnings:
            out_console.print(f"[bold yellow]{warning}[/]")
        for path in write_document(report, out, f"{kind}-report", formats):
            out_console.print(f"wrote {path}")


@report_app.command("crawl")
def crawl_command(ctx: typer.Context, out: _OUT = Path("report"), html: _HTML = True, markdown: _MARKDOWN = True) -> None:
    """Platforms and categories, licence openness by platform, open models, lineage fan-out, reuse patterns,
    release strategies and open-sourcing coverage, from the crawl records (crawl-report.html/.md)."""
    _write(ctx, ["crawl"], out, html, markdown)


@report_app.command("compare")
def compare_command(ctx: typer.Context, out: _OUT = Path("report"), html: _HTML = True,
                    markdown: _MARKDOWN = True) -> None:
    """RQ1 where (location by artifact-kind heat map) and who, RQ1.1 common and unique, RQ2 reasons published
    beside computed, co-sharing survey beside crawl, findings by work (compare-report.html/.md)."""
    _write(ctx, ["compare"], out, html, markdown)


@report_app.command("all")
def all_command(ctx: typer.Context, out: _OUT = Path("report"), html: _HTML = True, markdown: _MARKDOWN = True) -> None:
    """The survey, crawl and compare reports, into one directory."""
    survey_command(ctx, out=out, html=html, markdown=markdown)
    _write(ctx, ["crawl", "compare"], out, html, markdown)


def register(app: typer.Typer) -> None:
    app.add_typer(report_app, name="report")
