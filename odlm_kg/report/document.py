"""A report as data, rendered to one self-contained HTML page or to Markdown.

A :class:`Report` is a title, notes, and sections; a section holds paragraphs, tables (column names and
rows of text) and charts (PNG bytes). The HTML page embeds its charts as ``data:`` URIs, so it is one file
with no external references; the Markdown links PNG files written beside it (``<stem>-chart-1.png``, …),
which Markdown viewers and diffs handle, unlike kilobytes of base64. A table with no rows is never
rendered: its section says what is missing instead (``empty`` text), so a reader never meets an empty
table. Every report says under its title when it was made, by which version, from which store
(:func:`provenance`).

>>> report = Report("R", sections=[Section("S", tables=[Table(["a"], [["1"]])])])
>>> "| a |" in render_markdown(report)
True
"""

from __future__ import annotations

import base64
import html
import io
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from odlm_kg.store.base import Store


@dataclass
class Table:
    columns: list[str]
    rows: list[list[str]]
    caption: str = ""
    #: Shown instead of the table when it has no rows.
    empty: str = "No rows in this graph."


@dataclass
class Chart:
    png: bytes
    alt: str


@dataclass
class Section:
    title: str
    paragraphs: list[str] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)


@dataclass
class Report:
    title: str
    #: Warnings shown in a box at the top (for example that the survey is SYNTHETIC).
    warnings: list[str] = field(default_factory=list)
    intro: list[str] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)
    #: When, by which package version and from which store the report was made (:func:`provenance`).
    provenance: str = ""


def describe_store(store: Store) -> str:
    """Which store a report read, in words: its directory, its endpoint URL, or in memory."""
    url = getattr(store, "query_url", None)
    if url:
        return f"the SPARQL endpoint {url}"
    path = getattr(store, "path", None)
    return f"the store at {path}" if path is not None else "an in-memory store"


def provenance(store: Store, when: datetime | None = None) -> str:
    """One line saying when (UTC), by which odlm-kg version and from which store a report was made.

    >>> from odlm_kg.store import open_store
    >>> provenance(open_store("memory"), datetime(2026, 1, 2, 3, 4, tzinfo=UTC))  # doctest: +ELLIPSIS
    'Made on 2026-01-02 03:04 UTC by odlm-kg ... from an in-memory store.'
    """
    from odlm_kg import __version__

    moment = (when or datetime.now(UTC)).astimezone(UTC)
    return f"Made on {moment:%Y-%m-%d %H:%M} UTC by odlm-kg {__version__} from {describe_store(store)}."


def chart_files(report: Report, stem: str) -> dict[str, bytes]:
    """The report's charts as PNG files for the Markdown rendering: ``<stem>-chart-<n>.png`` -> bytes."""
    charts = [chart for section in report.sections for chart in section.charts]
    return {f"{stem}-chart-{number}.png": chart.png for number, chart in enumerate(charts, 1)}


def figure_png(figure: Figure) -> bytes:
    """A matplotlib figure as PNG bytes; the figure is closed."""
    import matplotlib.pyplot as plt

    buffer = io.BytesIO()
    figure.tight_layout()
    figure.savefig(buffer, format="png")
    plt.close(figure)
    return buffer.getvalue()


def pyplot():  # type: ignore[no-untyped-def]
    """matplotlib.pyplot on the Agg backend (no display needed)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _data_uri(chart: Chart) -> str:
    return "data:image/png;base64," + base64.b64encode(chart.png).decode("ascii")


_STYLE = ("body{font-family:sans-serif;max-width:64em;margin:2em auto;padding:0 1em}"
          "table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:.25em .6em}"
          "caption{text-align:left;font-style:italic}img{max-width:100%}"
          ".warning{background:#fff3cd;border:2px solid #b58100;padding:1em;font-weight:bold}")


def render_html(report: Report) -> str:
    escape = html.escape
    parts = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
             f"<title>{escape(report.title)}</title><style>{_STYLE}</style></head><body>",
             f"<h1>{escape(report.title)}</h1>"]
    if report.provenance:
        parts.append(f'<p class="provenance"><small>{escape(report.provenance)}</small></p>')
    parts += [f'<p class="warning">{escape(text)}</p>' for text in report.warnings]
    parts += [f"<p>{escape(text)}</p>" for text in report.intro]
    for section in report.sections:
        parts.append(f"<h2>{escape(section.title)}</h2>")
        parts += [f"<p>{escape(text)}</p>" for text in section.paragraphs]
        for table in section.tables:
            if not table.rows:
                parts.append(f"<p><em>{escape(table.empty)}</em></p>")
                continue
            parts.append("<table>")
            if table.caption:
                parts.append(f"<caption>{escape(table.caption)}</caption>")
            parts.append("<thead><tr>" + "".join(f"<th>{escape(c)}</th>" for c in table.columns) + "</tr></thead>")
            parts.append("<tbody>")
            parts += ["<tr>" + "".join(f"<td>{escape(cell)}</td>" for cell in row) + "</tr>" for row in table.rows]
            parts.append("</tbody></table>")
        parts += [f'<img alt="{escape(chart.alt)}" src="{_data_uri(chart)}">' for chart in section.charts]
    parts.append("</body></html>")
    return "\n".join(parts)


def _markdown_table(table: Table) -> list[str]:
    def cell(text: str) -> str:
        return text.replace("|", "\\|").replace("\n", " ")

    lines = []
    if table.caption:
        lines += [f"*{table.caption}*", ""]
    lines.append("| " + " | ".join(cell(c) for c in table.columns) + " |")
    lines.append("|" + " --- |" * len(table.columns))
    lines += ["| " + " | ".join(cell(c) for c in row) + " |" for row in table.rows]
    return [*lines, ""]


def render_markdown(report: Report, stem: str = "report") -> str:
    """The report as Markdown; its charts are links to the files :func:`chart_files` names for ``stem``."""
    names = iter(chart_files(report, stem))
    lines = [f"# {report.title}", ""]
    lines += [f"_{report.provenance}_", ""] if report.provenance else []
    lines += [line for text in report.warnings for line in (f"> **{text}**", "")]
    lines += [line for text in report.intro for line in (text, "")]
    for section in report.sections:
        lines += [f"## {section.title}", ""]
        lines += [line for text in section.paragraphs for line in (text, "")]
        for table in section.tables:
            lines += _markdown_table(table) if table.rows else [f"_{table.empty}_", ""]
        lines += [line for chart in section.charts for line in (f"![{chart.alt}]({next(names)})", "")]
    return "\n".join(lines)


def write_rendered(directory: Path, stem: str, formats: Sequence[str], *, to_html: Callable[[], str],
                   to_markdown: Callable[[], str], markdown_files: Mapping[str, bytes] | None = None) -> list[Path]:
    """Write ``<stem>.html`` and/or ``<stem>.md`` into ``directory`` from the given renderers; with the
    Markdown, the files it links (``markdown_files``: name -> bytes)."""
    from odlm_kg.errors import UsageError

    renderers = {"html": to_html, "md": to_markdown}
    unknown = [fmt for fmt in formats if fmt not in renderers]
    if unknown:
        raise UsageError(f"report format {unknown[0]!r}: expected html or md")
    written = []
    try:
        directory.mkdir(parents=True, exist_ok=True)
        for fmt in formats:
            path = directory / f"{stem}.{fmt}"
            path.write_text(renderers[fmt](), encoding="utf-8")
            written.append(path)
            if fmt == "md":
                for name, content in (markdown_files or {}).items():
                    (directory / name).write_bytes(content)
                    written.append(directory / name)
    except OSError as exc:
        raise UsageError(f"cannot write the report into {directory}: {exc.strerror or exc} "
                         "(expected a writable directory for --out)") from exc
    return written


def write_document(report: Report, directory: Path, stem: str, formats: Sequence[str] = ("html", "md")) -> list[Path]:
    """Write ``<stem>.html`` and/or ``<stem>.md`` into ``directory``."""
    return write_rendered(directory, stem, formats, to_html=lambda: render_html(report),
                          to_markdown=lambda: render_markdown(report, stem), markdown_files=chart_files(report, stem))


__all__ = ["Chart", "Report", "Section", "Table", "chart_files", "describe_store", "figure_png", "provenance",
           "pyplot", "render_html", "render_markdown", "write_document", "write_rendered"]
