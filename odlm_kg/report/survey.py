"""The survey reproduction report: Dalgali & Crowston's Tables 3-7 and co-sharing shares, computed from
survey microdata (the survey's observations in the comparison cube, read by the named queries), set
beside the published values, with chi-square tests. A synthetic survey is labelled SYNTHETIC throughout.

Published values come from the findings graph (``odlm:FindingObservation`` with ``odlm:percentage``,
found through ``odlm:locator "Table N"``) when the store holds it, else from the ``published`` entries
of the codebook. ``survey_report(store)`` computes everything; ``render_markdown`` and ``render_html``
(self-contained: charts are embedded PNG images) present it.
"""

from __future__ import annotations

import base64
import html
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from rdflib import URIRef

from odlm_kg.errors import UsageError
from odlm_kg.namespaces import ODLM, instance_iri, vocab_iri
from odlm_kg.store.base import Store

if TYPE_CHECKING:
    from odlm_kg.sources.survey_codebook import Codebook

DEMO_SURVEY = instance_iri("survey", "dalgali-crowston-demo")
_ABSOLUTE_IRI = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|\\^`]+")
SOURCE_WORK = instance_iri("work", "dalgali-crowston-2019")


@dataclass(frozen=True)
class TableSpec:
    """One published table: the named query computing it, where it is printed, its codebook question."""

    key: str
    query: str
    locator: str
    title: str
    question: str
    base: str


TABLES: tuple[TableSpec, ...] = (
    TableSpec("table-3", "survey-table-3-sites", "Table 3", "Sites where models are shared", "Q3",
              "answers of model sharers"),
    TableSpec("table-4", "survey-table-4-roles", "Table 4", "Status of people sharing models", "Q8",
              "answers of model sharers"),
    TableSpec("table-5", "survey-table-5-disciplines", "Table 5", "Departments of people sharing models", "Q9",
              "answers of model sharers"),
    TableSpec("table-6", "survey-table-6-motivations", "Table 6", "Reasons for sharing models", "Q4",
              "answers of model sharers"),
    TableSpec("table-7", "survey-table-7-barriers", "Table 7", "Reasons for not sharing models", "Q7",
              "answers of respondents who do not share models"),
    TableSpec("cosharing", "survey-cosharing", "§4.5", "Model sharers who also share training data or code",
              "", "model sharers (respondents)"),
)


@dataclass
class TableRow:
    concept: str
    label: str
    count: int
    base: int
    computed: float
    published: float | None

    @property
    def difference(self) -> float | None:
        return None if self.published is None else round(self.computed - self.published, 1)


@dataclass
class SurveyTable:
    spec: TableSpec
    rows: list[TableRow]
    published_from: str  # "findings graph", "codebook" or "none"

    @property
    def max_difference(self) -> float | None:
        found = [abs(r.difference) for r in self.rows if r.difference is not None]
        return max(found) if found else None


@dataclass
class ChiSquare:
    """A chi-square test of independence between model sharing and one other answer."""

    name: str
    unit: str
    statistic: float
    dof: int
    p_value: float
    n: int
    table: dict[str, dict[str, int]]
    low_expected: bool

    @property
    def significant(self) -> bool:
        return self.p_value < 0.05


@dataclass
class SurveyReport:
    survey: URIRef
    title: str
    synthetic: bool
    description: str
    responses: int
    tables: list[SurveyTable] = field(default_factory=list)
    tests: list[ChiSquare] = field(default_factory=list)
    #: When, by which package version and from which store (odlm_kg.report.document.provenance).
    provenance: str = ""

    @property
    def max_difference(self) -> float | None:
        found = [t.max_difference for t in self.tables if t.max_difference is not None]
        return max(found) if found else None


# -- computing ----------------------------------------------------------------------------------------

def _survey_info(store: Store, survey: URIRef) -> tuple[str, bool, str, int]:
    text = f"""PREFIX odlm: <{ODLM}>
PREFIX dcterms: <http://purl.org/dc/terms/>
SELECT ?title ?synthetic ?description (COUNT(DISTINCT ?response) AS ?responses) WHERE {{
  VALUES ?survey {{ {survey.n3()} }}
  ?survey a odlm:Survey .
  OPTIONAL {{ ?survey dcterms:title ?title }}
  OPTIONAL {{ ?survey odlm:synthetic ?synthetic }}
  OPTIONAL {{ ?survey dcterms:description ?description }}
  OPTIONAL {{ ?response odlm:survey ?survey }}
}} GROUP BY ?title ?synthetic ?description"""
    result = store.query(text)
    rows = getattr(result, "rows", [])
    if not rows:
        raise UsageError(f"no survey <{survey}> in the store; load one with 'odlm-kg load survey' or run "
                         "'odlm-kg build' for the SYNTHETIC demo survey")
    row = rows[0]
    synthetic = bool(row.get("synthetic") is not None and row["synthetic"].toPython() is True)
    return (str(row.get("title") or survey), synthetic, str(row.get("description") or ""),
            int(row["responses"].toPython()))


def _published_from_findings(store: Store, locator: str) -> dict[str, float]:
    from odlm_kg.queries import run_named_query

    result = run_named_query(store, "survey-published-table", locator=locator, work=SOURCE_WORK)
    found: dict[str, float] = {}
    for row in getattr(result, "rows", []):
        if locator.startswith("§"):
            kind = row.get("countsSharersOf")
            if kind is not None:
                found[str(kind)] = float(row["percentage"].toPython())
        else:
            found[str(row["factor"])] = float(row["percentage"].toPython())
    return found


@cache
def _shipped_codebook() -> Codebook:
    """The shipped Dalgali & Crowston codebook, read and checked once per process."""
    from odlm_kg.resources import resource_dir
    from odlm_kg.sources.survey_codebook import load_codebook

    return load_codebook(resource_dir("data") / "survey" / "dalgali-crowston-codebook.yaml")


def _published_from_codebook(spec: TableSpec) -> dict[str, float]:
    book = _shipped_codebook()
    found: dict[str, float] = {}
    questions = [spec.question] if spec.question else ["Q5", "Q6"]
    for question_id in questions:
        question = book.question(question_id)
        values = (question.published or {}).get("values", {})
        for code, value in values.items():
            option = question.options[str(code)]
            if spec.question or option.property == "sharesKind":
                found[str(option.concept)] = float(value)
    return found


def compute_table(store: Store, spec: TableSpec, survey: URIRef) -> SurveyTable:
    """One table: the named query's computed shares beside the published ones."""
    from odlm_kg.queries import run_named_query

    published = _published_from_findings(store, spec.locator)
    source = "findings graph"
    if not published:
        published, source = _published_from_codebook(spec), "codebook"
    # the report is about one survey, synthetic or not: it asks for its rows and says SYNTHETIC itself
    result = run_named_query(store, spec.query, survey=survey, include_synthetic=True)
    rows: list[TableRow] = []
    for row in getattr(result, "rows", []):
        if row.get("percentage") is None:  # the survey has no answers to this question
            continue
        concept = str(row.get("option") or row.get("kind"))
        count = row.get("answers") if row.get("answers") is not None else row.get("alsoShare")
        base = row.get("base") if row.get("base") is not None else row.get("sharers")
        label = str(row.get("label") or concept.rsplit("/", 1)[-1])
        rows.append(TableRow(concept, label, int(count.toPython()), int(base.toPython()),
                             float(row["percentage"].toPython()), published.get(concept)))
    return SurveyTable(spec, rows, source if published else "none")


def _answers_by_response(store: Store, survey: URIRef) -> dict[str, dict[str, set[str]]]:
    text = f"""PREFIX odlm: <{ODLM}>
SELECT ?response ?p ?o WHERE {{
  VALUES ?survey {{ {survey.n3()} }}
  ?response odlm:survey ?survey .
  {{ ?response ?p ?o FILTER(?p IN (odlm:sharesKind, odlm:doesNotShareKind)) }}
  UNION {{ ?response odlm:respondent ?who . ?who ?p ?o FILTER(?p IN (odlm:role, odlm:discipline, odlm:ageBand)) }}
}}"""
    answers: dict[str, dict[str, set[str]]] = {}
    for row in getattr(store.query(text), "rows", []):
        prop = str(row["p"]).rsplit("#", 1)[-1]
        answers.setdefault(str(row["response"]), {}).setdefault(prop, set()).add(str(row["o"]))
    return answers


def chi_square_tests(store: Store, survey: URIRef) -> list[ChiSquare]:
    """Model sharing against training-data sharing, source-code sharing, discipline, age band and role.

    Data, code and age are one answer per respondent (respondent counts). Discipline and role are
    multi-select, so their tables count answers, as Tables 4 and 5 do."""
    from scipy.stats import chi2_contingency

    model, data, code = (str(vocab_iri("artifact-kind", k)) for k in ("Model", "Data", "Code"))
    responses = _answers_by_response(store, survey)

    def sharing(entry: dict[str, set[str]], kind: str) -> str | None:
        if kind in entry.get("sharesKind", set()):
            return "shares"
        if kind in entry.get("doesNotShareKind", set()):
            return "does not share"
        return None

    def values(entry: dict[str, set[str]], what: str) -> list[str]:
        if what in ("Data", "Code"):
            found = sharing(entry, data if what == "Data" else code)
            return [f"{found} {'training data' if what == 'Data' else 'source code'}"] if found else []
        return sorted(_short(v) for v in entry.get(what, set()))

    tests: list[ChiSquare] = []
    for name, what, unit in (("training-data sharing", "Data", "respondents"),
                             ("source-code sharing", "Code", "respondents"),
                             ("discipline", "discipline", "answers"), ("age band", "ageBand", "respondents"),
                             ("role", "role", "answers")):
        table: dict[str, dict[str, int]] = {}
        for entry in responses.values():
            row = sharing(entry, model)
            if row is None:
                continue
            for value in values(entry, what):
                table.setdefault(row, {}).setdefault(value, 0)
                table[row][value] += 1
        columns = sorted({c for counts in table.values() for c in counts})
        rows = sorted(table)
        if len(rows) < 2 or len(columns) < 2:
            continue
        matrix = [[table[r].get(c, 0) for c in columns] for r in rows]
        statistic, p_value, dof, expected = chi2_contingency(matrix)
        low = float((expected < 5).sum()) > 0.2 * expected.size
        tests.append(ChiSquare(f"model sharing × {name}", unit, float(statistic), int(dof), float(p_value),
                               int(sum(map(sum, matrix))), {r: {c: table[r].get(c, 0) for c in columns}
                                                            for r in rows}, low))
    return tests


def _short(iri: str) -> str:
    return iri.rstrip("/").rsplit("/", 1)[-1]


def survey_report(store: Store, survey: URIRef | str = DEMO_SURVEY) -> SurveyReport:
    """Compute every table and test for one survey (default: the SYNTHETIC demo survey)."""
    if not _ABSOLUTE_IRI.fullmatch(str(survey)):
        raise UsageError(f"survey {str(survey)!r}: expected an absolute IRI such as <{DEMO_SURVEY}>")
    survey = URIRef(str(survey))
    title, synthetic, description, responses = _survey_info(store, survey)
    from odlm_kg.report.document import provenance

    report = SurveyReport(survey, title, synthetic, description, responses, provenance=provenance(store))
    report.tables = [compute_table(store, spec, survey) for spec in TABLES]
    report.tests = chi_square_tests(store, survey)
    return report


# -- presenting ---------------------------------------------------------------------------------------

def _number(value: float | None) -> str:
    return "—" if value is None else f"{value:g}"


def _synthetic_note(report: SurveyReport) -> str:
    if not report.synthetic:
        return ""
    return ("SYNTHETIC DATA: these responses were generated by a program (odlm_kg.evidence.survey_demo) so that their "
            "marginals reproduce the published tables; they are not answers of real people and are no evidence.")


def render_markdown(report: SurveyReport) -> str:
    """The report as Markdown: one table per published table, then the chi-square tests."""
    lines = [f"# Survey reproduction: {report.title}", ""]
    lines += [f"_{report.provenance}_", ""] if report.provenance else []
    if report.synthetic:
        lines += [f"> **{_synthetic_note(report)}**", ""]
    lines += [f"Survey <{report.survey}>, {report.responses} responses. Computed = named query over the "
              "microdata; published = Dalgali & Crowston (2019); difference in percentage points.", ""]
    for table in report.tables:
        spec = table.spec
        lines += [f"## {spec.locator}: {spec.title}", "",
                  f"Base: {spec.base}. Published values from the {table.published_from}; largest difference "
                  f"{_number(table.max_difference)} points.", "",
                  "| answer | count | base | computed % | published % | difference |",
                  "| --- | ---: | ---: | ---: | ---: | ---: |"]
        for row in table.rows:
            lines.append(f"| {row.label} | {row.count} | {row.base} | {_number(row.computed)} | "
                         f"{_number(row.published)} | {_number(row.difference)} |")
        lines.append("")
    lines += ["## Chi-square tests of independence", "",
              "| relation | unit | n | χ² | dof | p | significant (p < 0.05) |",
              "| --- | --- | ---: | ---: | ---: | ---: | --- |"]
    for test in report.tests:
        flag = "yes" if test.significant else "no"
        if test.low_expected:
            flag += " (over 20% of expected counts below 5)"
        lines.append(f"| {test.name} | {test.unit} | {test.n} | {test.statistic:.2f} | {test.dof} | "
                     f"{test.p_value:.4g} | {flag} |")
    lines.append("")
    return "\n".join(lines)


def chart_png(table: SurveyTable) -> bytes:
    """Horizontal bars, published beside computed, as PNG bytes (matplotlib's Agg backend)."""
    from odlm_kg.report.document import figure_png, pyplot

    plt = pyplot()
    labels = [row.label for row in table.rows]
    positions = list(range(len(labels)))
    figure, axes = plt.subplots(figsize=(7, 0.45 * len(labels) + 1.2), dpi=90)
    height = 0.38
    axes.barh([p - height / 2 for p in positions], [r.published or 0 for r in table.rows], height,
              label="published", color="#9aa5b1")
    axes.barh([p + height / 2 for p in positions], [r.computed for r in table.rows], height,
              label="computed", color="#2f6fad")
    axes.set_yticks(positions, labels)
    axes.invert_yaxis()
    axes.set_xlabel("%")
    axes.set_title(f"{table.spec.locator}: {table.spec.title}", fontsize=10)
    axes.legend(loc="lower right", fontsize=8)
    return figure_png(figure)


def render_html(report: SurveyReport) -> str:
    """The report as one self-contained HTML page (charts embedded as base64 PNG, no external files)."""
    escape = html.escape
    parts = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
             f"<title>Survey reproduction: {escape(report.title)}</title>",
             "<style>body{font-family:sans-serif;max-width:60em;margin:2em auto;padding:0 1em}"
             "table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:.25em .6em}"
             "td.n{text-align:right}.synthetic{background:#fff3cd;border:2px solid #b58100;padding:1em;"
             "font-weight:bold}</style></head><body>",
             f"<h1>Survey reproduction: {escape(report.title)}</h1>"]
    if report.provenance:
        parts.append(f'<p class="provenance"><small>{escape(report.provenance)}</small></p>')
    if report.synthetic:
        parts.append(f'<p class="synthetic">{escape(_synthetic_note(report))}</p>')
    parts.append(f"<p>Survey <code>{escape(str(report.survey))}</code>, {report.responses} responses. "
                 "Computed = named query over the microdata; published = Dalgali &amp; Crowston (2019); "
                 "difference in percentage points.</p>")
    for table in report.tables:
        spec = table.spec
        parts.append(f"<h2>{escape(spec.locator)}: {escape(spec.title)}</h2>")
        parts.append(f"<p>Base: {escape(spec.base)}. Published values from the {escape(table.published_from)}; "
                     f"largest difference {_number(table.max_difference)} points.</p>")
        parts.append("<table><thead><tr><th>answer</th><th>count</th><th>base</th><th>computed %</th>"
                     "<th>published %</th><th>difference</th></tr></thead><tbody>")
        for row in table.rows:
            parts.append(f"<tr><td>{escape(row.label)}</td><td class=n>{row.count}</td><td class=n>{row.base}</td>"
                         f"<td class=n>{_number(row.computed)}</td><td class=n>{_number(row.published)}</td>"
                         f"<td class=n>{_number(row.difference)}</td></tr>")
        parts.append("</tbody></table>")
        image = base64.b64encode(chart_png(table)).decode("ascii")
        parts.append(f'<img alt="{escape(spec.locator)}: published and computed percentages" '
                     f'src="data:image/png;base64,{image}">')
    parts.append("<h2>Chi-square tests of independence</h2>")
    parts.append("<table><thead><tr><th>relation</th><th>unit</th><th>n</th><th>χ²</th><th>dof</th><th>p</th>"
                 "<th>significant (p &lt; 0.05)</th></tr></thead><tbody>")
    for test in report.tests:
        flag = "yes" if test.significant else "no"
        if test.low_expected:
            flag += " (over 20% of expected counts below 5)"
        parts.append(f"<tr><td>{escape(test.name)}</td><td>{test.unit}</td><td class=n>{test.n}</td>"
                     f"<td class=n>{test.statistic:.2f}</td><td class=n>{test.dof}</td>"
                     f"<td class=n>{test.p_value:.4g}</td><td>{escape(flag)}</td></tr>")
    parts.append("</tbody></table></body></html>")
    return "\n".join(parts)


def write_report(report: SurveyReport, directory: Path, formats: Sequence[str] = ("html", "md")) -> list[Path]:
    """Write ``survey-report.html`` and/or ``survey-report.md`` into ``directory``."""
    from odlm_kg.report.document import write_rendered

    return write_rendered(directory, "survey-report", formats, to_html=lambda: render_html(report),
                          to_markdown=lambda: render_markdown(report))


__all__ = ["DEMO_SURVEY", "TABLES", "ChiSquare", "SurveyReport", "SurveyTable", "TableRow", "TableSpec",
           "chart_png", "chi_square_tests", "compute_table", "render_html", "render_markdown", "survey_report",
           "write_report"]
