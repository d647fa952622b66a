"""The crawl report (``odlm-kg report crawl``): what the platform records in the graph say about where
models, data and code are shared, under which licences, how models are reused and released.

Every table is a named query's answer (so the report shows nothing a user cannot query); charts show
licence openness by platform and the fan-out of the most-reused base models. A query with no rows (for
example on a graph with no crawl records loaded) gives a sentence saying what to load instead of an
empty table.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from odlm_kg.cookbook import result_table
from odlm_kg.queries import get_query
from odlm_kg.report.document import Chart, Report, Section, Table, figure_png, provenance, pyplot
from odlm_kg.store.base import Store

LOAD_HINT = "load platform records first, e.g. `odlm-kg load huggingface-models FILE…` or `odlm-kg load github FILE…`"
#: Base models shown in the lineage table and chart.
TOP_BASES = 15


@dataclass
class QueryRows:
    """A named query's answer as records (column name -> text cell)."""

    name: str
    records: list[dict[str, str]]

    def table(self, columns: Sequence[tuple[str, str | tuple[str, ...]]], *, caption: str = "", empty: str = "",
              limit: int | None = None) -> Table:
        """A report table; a column is (header, result column) or (header, (label column, fallback column))."""
        def value(record: dict[str, str], source: str | tuple[str, ...]) -> str:
            for name in (source,) if isinstance(source, str) else source:
                if record.get(name):
                    return record[name]
            return ""

        chosen = self.records if limit is None else self.records[:limit]
        rows = [[value(record, source) for _, source in columns] for record in chosen]
        return Table([header for header, _ in columns], rows, caption or f"named query {self.name}",
                     empty or f"The named query {self.name} finds no rows in this graph.")


def query_rows(store: Store, name: str, **params: object) -> QueryRows:
    columns, rows = result_table(store.query(get_query(name).bind(**params)), name)
    return QueryRows(name, [dict(zip(columns, row, strict=True)) for row in rows])


def openness_chart(licences: QueryRows) -> Chart | None:
    """Stacked bars: share of each openness class among a platform's artifacts of one kind."""
    if not licences.records:
        return None
    plt = pyplot()
    groups: dict[str, dict[str, float]] = {}
    for record in licences.records:
        group = (f"{record.get('platformLabel') or record['platform']} ({record.get('kindLabel') or record['kind']}; "
                 f"{record.get('evidence') or 'crawl'})")
        groups.setdefault(group, {})[record.get("opennessLabel") or record["openness"]] = float(record["percentage"])
    classes = sorted({c for shares in groups.values() for c in shares})
    colours = {"open": "#2e7d32", "open with use restrictions": "#9ccc65", "non-commercial": "#ffb300",
               "proprietary": "#c62828", "unknown": "#9e9e9e", "no known licence": "#e0e0e0"}
    figure, axes = plt.subplots(figsize=(9, 0.5 * len(groups) + 1.6), dpi=90)
    names = list(groups)
    left = [0.0] * len(names)
    for openness in classes:
        widths = [groups[name].get(openness, 0.0) for name in names]
        axes.barh(names, widths, left=left, label=openness, color=colours.get(openness))
        left = [a + b for a, b in zip(left, widths, strict=True)]
    axes.set_xlabel("% of the platform's artifacts of that kind")
    axes.set_xlim(0, 100)
    axes.invert_yaxis()
    axes.set_title("Licence openness by platform", fontsize=10)
    axes.legend(fontsize=7, loc="center left", bbox_to_anchor=(1.01, 0.5))
    return Chart(figure_png(figure), "Licence openness by platform: stacked shares of openness classes")


def fan_out_chart(lineage: QueryRows) -> Chart | None:
    """Horizontal bars of direct derivatives and all descendants of the most-reused base models."""
    if not lineage.records:
        return None
    plt = pyplot()
    top = lineage.records[:TOP_BASES]
    names = [r.get("label") or r["baseModel"] for r in top]
    positions = list(range(len(names)))
    figure, axes = plt.subplots(figsize=(8, 0.45 * len(names) + 1.4), dpi=90)
    height = 0.38
    axes.barh([p - height / 2 for p in positions], [int(r["fanOut"]) for r in top], height,
              label="direct derivatives (fan-out)", color="#2f6fad")
    axes.barh([p + height / 2 for p in positions], [int(r["descendants"]) for r in top], height,
              label="all descendants", color="#9aa5b1")
    axes.set_yticks(positions, names, fontsize=8)
    axes.invert_yaxis()
    axes.set_xlabel("models")
    axes.xaxis.get_major_locator().set_params(integer=True)
    axes.set_title("Lineage fan-out of the most-reused base models", fontsize=10)
    axes.legend(fontsize=8, loc="lower right")
    return Chart(figure_png(figure), "Lineage fan-out: direct derivatives and descendants per base model")


def crawl_sections(store: Store) -> list[Section]:
    """The crawl report's sections (also used by ``report all``)."""
    platforms = query_rows(store, "platform-categories")
    licences = query_rows(store, "licences-by-platform")
    open_models = query_rows(store, "open-models-by-platform")
    lineage = query_rows(store, "lineage-base-models")
    reuse = query_rows(store, "reuse-patterns")
    release = query_rows(store, "release-strategies")
    coverage = query_rows(store, "open-sourcing-coverage")
    cosharing = query_rows(store, "cosharing-survey-vs-crawl")
    crawled_cosharing = QueryRows(cosharing.name, [r for r in cosharing.records if r.get("recordsPlatform")])

    sections = [
        Section("Platform categories: ML model stores, ML package repositories and the rest",
                ["Each sharing location with its category, the kinds the literature says it hosts, the crawled "
                 "records of each kind found there (per crawled source, id-only stubs not counted) and the number "
                 "of works whose findings make a claim about it (a mention, not a measure of prevalence)."],
                [platforms.table([("category", ("categoryLabel", "category")), ("location", ("locationLabel", "location")),
                                  ("hosts (literature)", "hosts"), ("crawled data", "crawledData"),
                                  ("crawled code", "crawledCode"), ("crawled models", "crawledModels"),
                                  ("evidence", "evidence"), ("reported in works", "reportedInWorks")])]),
        Section("Licence openness by platform",
                ["Each crawled record in the openness class of its least open licence (through the licence table); "
                 "'unknown' holds records that state no licence or one the table does not know. Id-only stubs "
                 "(datasets or base models known only because a record names them) are not records."],
                [licences.table([("platform", ("platformLabel", "platform")), ("kind", ("kindLabel", "kind")),
                                 ("evidence", "evidence"), ("openness", ("opennessLabel", "openness")),
                                 ("records", "artifacts"), ("of n", "n"), ("%", "percentage")],
                                empty=f"No crawled artifacts in this graph: {LOAD_HINT}.")],
                [c for c in (openness_chart(licences),) if c]),
        Section("Open deep-learning models against all models, by platform",
                ["Models the ODLM rule classifies as open (trained weights, every licence open, a deposit the "
                 "public can reach: gated access is not open)."],
                [open_models.table([("platform", ("platformLabel", "platform")), ("evidence", "evidence"),
                                    ("models", "models"),
                                    ("open (ODLM)", "openModels"), ("other licence", "otherLicence"),
                                    ("no known licence", "noKnownLicence"), ("% open", "openPercentage")],
                                   empty=f"No crawled models in this graph: {LOAD_HINT}.")]),
        Section("Lineage: the most-reused base models",
                [f"Top {TOP_BASES} base models by direct derivatives; depth is the longest chain below the base."],
                [lineage.table([("base model", ("label", "baseModel")), ("fan-out", "fanOut"),
                                ("descendants", "descendants"), ("depth", "depth"), ("evidence", "evidence")],
                               limit=TOP_BASES,
                               empty="No derivation (base model) links in this graph: load Hub model records "
                                     "with base_model metadata, e.g. model-tree files.")],
                [c for c in (fan_out_chart(lineage),) if c]),
        Section("Reuse patterns observed",
                ["Crawled derivations typed with each reuse pattern, the model records derived that way (of n), "
                 "and the number of works whose findings make a claim about the pattern."],
                [reuse.table([("pattern", ("label", "pattern")), ("broader", "broaderLabel"),
                              ("evidence", "evidence"), ("derivations", "derivations"),
                              ("derived models", "derivedModels"), ("of n", "n"),
                              ("reported in works", "reportedInWorks")])]),
        Section("Release strategies observed",
                ["Models with each release strategy, from the literature's examples and from the crawl, by the "
                 "kind of sharer the graph records."],
                [release.table([("strategy", ("label", "strategy")), ("evidence", "evidence"),
                                ("sharer", "sharerKind"), ("models", "models"), ("example", "example"),
                                ("findings", "findings")])]),
        Section("Open-sourcing practice coverage",
                ["Share of crawled records with a known licence, a description (standing in for a README), a "
                 "describing paper, a linked training dataset and linked source code; an empty cell is a practice "
                 "the records cannot show (Hub API records carry no model-card text), not 0 %."],
                [coverage.table([("platform", ("platformLabel", "platform")), ("kind", ("kindLabel", "kind")),
                                 ("evidence", "evidence"), ("records", "artifacts"), ("% licence", "licencePercentage"),
                                 ("% description", "descriptionPercentage"), ("% paper", "paperPercentage"),
                                 ("% dataset", "datasetPercentage"), ("% code", "codePercentage"),
                                 ("not observable", "notObservable")],
                                empty=f"No crawled artifacts in this graph: {LOAD_HINT}.")]),
        Section("Models shared with their training data and code (crawl)",
                ["Crawled model records that link a training dataset or source code, per platform: a share of "
                 "records, not of researchers, so not the survey's quantity."],
                [crawled_cosharing.table([("linked", ("kindLabel", "kind")),
                                          ("platform", ("recordsPlatformLabel", "recordsPlatform")),
                                          ("evidence", "evidence"), ("linking", "numerator"), ("of n", "n"),
                                          ("%", "percentage"), ("note", "note")],
                                         empty=f"No crawled models in this graph: {LOAD_HINT}.")]),
    ]
    return sections


def crawl_report(store: Store) -> Report:
    return Report("Crawl report: where models, data and code are shared, licensed, reused and released",
                  intro=["Computed from the platform records in the graph by the named queries listed under each "
                         "table (run them with `odlm-kg query NAME`). Rows marked 'curated sample' come from 31 "
                         "Hugging Face Hub records written by hand for the default graph: hand-picked, not a sample "
                         "of the Hub, so their shares describe those records only."],
                  sections=crawl_sections(store), provenance=provenance(store))


__all__ = ["QueryRows", "crawl_report", "crawl_sections", "fan_out_chart", "openness_chart", "query_rows"]
