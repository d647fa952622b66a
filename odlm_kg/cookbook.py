"""The query cookbook (``docs/cookbook.md``): each research question, the named query that answers it and
its result on the default graph, generated from the shipped queries and a freshly built graph.

``odlm-kg docs --queries`` writes it; a test regenerates it and compares it with the committed file, so
the page always shows what the queries really return.

Results are shown as text tables through :func:`result_table`, which the golden tests use too: IRIs
become prefixed names where a prefix is known, numbers are written in their shortest form (so ``21``,
``21.0`` and ``"21"^^xsd:decimal`` read the same whichever engine produced them), unbound cells are
empty.

>>> from rdflib import Literal, URIRef
>>> from odlm_kg.store.base import SelectResult
>>> cell_text(URIRef("https://w3id.org/odlm/vocab/motivation/IncreaseCitations"))
'vocab:motivation/IncreaseCitations'
>>> cell_text(Literal("82.90", datatype=URIRef("http://www.w3.org/2001/XMLSchema#decimal")))
'82.9'
>>> result_table(SelectResult(["n"], [{"n": Literal(3)}, {}]))
(['n'], [['3'], ['']])
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from pathlib import Path

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Node

from odlm_kg.errors import InputError
from odlm_kg.namespaces import GRAPH, ID, PREFIXES, VOCAB
from odlm_kg.queries import NamedQuery, list_queries
from odlm_kg.store.base import QueryResult, SelectResult, Store

#: Short names for the project's IRI spaces, tried before the standard prefixes (longest first).
SHORT_NAMES: dict[str, str] = {
    "vocab": str(VOCAB),
    "id": str(ID),
    "graph": str(GRAPH),
    **PREFIXES,
}
_NUMERIC = {XSD.integer, XSD.decimal, XSD.double, XSD.float, XSD.int, XSD.long, XSD.nonNegativeInteger,
            XSD.positiveInteger, XSD.short, XSD.byte}
#: Columns built with GROUP_CONCAT, whose item order SPARQL leaves to the engine (and Oxigraph varies
#: from run to run): their ", "-separated items are sorted before a table is shown or compared.
LIST_COLUMNS: dict[str, frozenset[str]] = {"concepts-by-scheme": frozenset({"reportedFor"})}
#: Rows shown per query in the cookbook; the rest is summarised.
COOKBOOK_ROWS = 12
DEFAULT_PATH = Path("docs/cookbook.md")


def short_iri(iri: str) -> str:
    """An IRI as ``prefix:local`` when a known namespace starts it, else the IRI itself."""
    best = ""
    for prefix, namespace in SHORT_NAMES.items():
        if iri.startswith(namespace) and len(namespace) > len(SHORT_NAMES.get(best, "")):
            best = prefix
    return f"{best}:{iri[len(SHORT_NAMES[best]):]}" if best else iri


def number_text(value: Decimal) -> str:
    """The shortest decimal writing of a number: ``Decimal('21.0')`` -> ``'21'``."""
    text = format(value.normalize(), "f")
    return "0" if text in ("-0", "") else text


def cell_text(term: Node | None) -> str:
    """One result cell as text (see the module docstring)."""
    if term is None:
        return ""
    if isinstance(term, URIRef):
        return short_iri(str(term))
    if isinstance(term, BNode):
        return "_:b"
    if isinstance(term, Literal) and term.datatype in _NUMERIC:
        try:
            return number_text(Decimal(str(term)))
        except InvalidOperation:
            return str(term)
    return str(term)


def result_table(result: QueryResult, query_name: str | None = None) -> tuple[list[str], list[list[str]]]:
    """A result as column names and rows of text (ASK: one ``boolean`` cell; a graph: subject, predicate,
    object rows). With the name of a
    named query, the items of its :data:`LIST_COLUMNS` cells are sorted."""
    if isinstance(result, bool):
        return ["boolean"], [["true" if result else "false"]]
    if isinstance(result, Graph):  # CONSTRUCT / DESCRIBE: one row per triple, sorted
        return ["subject", "predicate", "object"], sorted([cell_text(s), cell_text(p), cell_text(o)]
                                                          for s, p, o in result)
    if not isinstance(result, SelectResult):
        raise InputError(f"cannot show a result of type {type(result).__name__} as a table")
    lists = LIST_COLUMNS.get(query_name or "", frozenset())

    def cell(variable: str, term: Node | None) -> str:
        text = cell_text(term)
        return ", ".join(sorted(text.split(", "))) if variable in lists and text else text

    return list(result.variables), [[cell(v, row.get(v)) for v in result.variables] for row in result.rows]


def markdown_table(columns: Sequence[str], rows: Sequence[Sequence[str]], limit: int | None = None) -> str:
    """A Markdown table; with ``limit``, the rows after it are counted in a last line."""
    def escape(text: str) -> str:
        return text.replace("|", "\\|").replace("\n", " ")

    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    shown = rows if limit is None else rows[:limit]
    lines += ["| " + " | ".join(escape(cell) for cell in row) + " |" for row in shown]
    if limit is not None and len(rows) > limit:
        lines.append(f"\n… and {len(rows) - limit} more rows.")
    return "\n".join(lines)


def needs_network(query: NamedQuery) -> bool:
    """Whether the query's header says ``# network: true`` (a federated query reaching another endpoint)."""
    for line in query.text.splitlines():
        stripped = line.strip()
        if stripped and not stripped.startswith("#"):
            break
        key, _, value = stripped.lstrip("#").partition(":")
        if key.strip().lower() == "network" and value.strip().lower() in ("true", "yes"):
            return True
    return False


def _how_to_run(query: NamedQuery) -> list[str]:
    example = ""
    for parameter in query.parameters:
        if parameter.has_default:
            example = f" --param {parameter.name}=…"
            break
    return ["```sh", f"odlm-kg query {query.name}{example} --format table", "```", "",
            "```python", "import odlm_kg", f'frame = odlm_kg.query("{query.name}")', "```", "",
            f"Over HTTP: `GET /queries/{query.name}` (parameters as URL query parameters).", ""]


def query_section(store: Store, query: NamedQuery) -> str:
    """One cookbook entry: question, metadata, the query, how to run it, its result."""
    lines = [f"## {query.title}", "", f"`{query.name}` · research question: "
             f"{', '.join(query.research_question) or '—'} · evidence: {', '.join(query.evidence) or '—'}", "",
             query.description, ""]
    if query.parameters:
        lines += ["| parameter | type | default | meaning |", "|---|---|---|---|"]
        for parameter in query.parameters:
            described = parameter.as_dict()
            default = "(required)" if parameter.required else (
                "(all)" if described["default"] is None else str(described["default"]))
            lines.append(f"| `{parameter.name}` | {parameter.type} | {default} | {parameter.description} |")
        lines.append("")
    body = query.text.split("\n")
    while body and body[0].startswith("#"):
        body.pop(0)
    lines += ["```sparql", "\n".join(body).strip(), "```", ""]
    lines += _how_to_run(query)
    if needs_network(query):
        lines += ["_Federated: it reaches another SPARQL endpoint over the network, so the cookbook does not run "
                  "it; its answer depends on that endpoint and on the links made with `odlm-kg link`._", ""]
        return "\n".join(lines)
    columns, rows = result_table(store.query(query.bind()), query.name)
    lines += [f"Result on the default graph ({len(rows)} row{'' if len(rows) == 1 else 's'}):", ""]
    lines += [markdown_table(columns, rows, COOKBOOK_ROWS) if rows else "_(no rows on the default graph)_", ""]
    return "\n".join(lines)


def render_cookbook(store: Store, queries: Sequence[NamedQuery] | None = None) -> str:
    """The whole cookbook page as Markdown."""
    chosen = list(queries) if queries is not None else list_queries()
    lines = ["# Query cookbook", "",
             "Each named query answers one question about where, by whom and why deep-learning models, data "
             "and code are shared. Below: the question, the query, how to run it, and what it returns on the "
             "default graph (`odlm-kg build`: ontology, vocabularies, licence table, published findings, the "
             "SYNTHETIC demo survey and whatever crawl sample the build ships). The demo survey is generated "
             "data shaped like the published tables: its numbers show how the queries work, they are not "
             "evidence.", "",
             "IRIs are shortened: `vocab:` is `https://w3id.org/odlm/vocab/`, `id:` is "
             "`https://w3id.org/odlm/id/`, the other prefixes are the usual ones. This page is generated by "
             "`odlm-kg docs --queries`; do not edit it by hand.", "",
             "| query | research question | evidence |", "|---|---|---|"]
    for query in chosen:
        anchor = query.title.lower()
        anchor = "".join(c for c in anchor if c.isalnum() or c in " -").replace(" ", "-")
        lines.append(f"| [{query.name}](#{anchor}) | {', '.join(query.research_question)} | "
                     f"{', '.join(query.evidence)} |")
    lines.append("")
    lines += [query_section(store, query) for query in chosen]
    return "\n".join(lines).rstrip("\n") + "\n"


def default_graph_store() -> Store:
    """A memory store holding a fresh build of the default graph."""
    from odlm_kg.build import build
    from odlm_kg.store import OxigraphStore

    store = OxigraphStore()
    build(store)
    return store


def write_cookbook(path: Path = DEFAULT_PATH, store: Store | None = None) -> Path:
    """Build the default graph in memory (unless a store is given) and write the cookbook to ``path``."""
    own = store is None
    used = default_graph_store() if store is None else store
    try:
        text = render_cookbook(used)
    finally:
        if own:
            used.close()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


__all__ = ["cell_text", "default_graph_store", "markdown_table", "needs_network", "render_cookbook", "result_table", "short_iri",
           "write_cookbook"]
