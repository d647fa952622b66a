"""Write query results for people (a table) and for programs (CSV, TSV, SPARQL JSON, RDF syntaxes).

>>> from rdflib import Literal, URIRef
>>> result = SelectResult(["kind", "n"], [{"kind": URIRef("urn:x"), "n": Literal(3)}])
>>> print(format_select(result, "csv"), end="")
kind,n
urn:x,3
"""

from __future__ import annotations

import csv
import io
import json

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

from odlm_kg.errors import UsageError
from odlm_kg.namespaces import PREFIXES
from odlm_kg.store.base import QueryResult, SelectResult

SELECT_FORMATS = ("table", "csv", "tsv", "json")
GRAPH_FORMATS = ("ttl", "nt", "json-ld", "xml")


def term_to_json(term: Node) -> dict[str, str]:
    """One term in the SPARQL 1.1 Query Results JSON shape."""
    if isinstance(term, URIRef):
        return {"type": "uri", "value": str(term)}
    if isinstance(term, BNode):
        return {"type": "bnode", "value": str(term)}
    assert isinstance(term, Literal)
    out = {"type": "literal", "value": str(term)}
    if term.language:
        out["xml:lang"] = term.language
    elif term.datatype is not None:
        out["datatype"] = str(term.datatype)
    return out


def _tsv_term(term: Node | None) -> str:
    if term is None:
        return ""
    return term.n3()


def format_select(result: SelectResult, fmt: str) -> str:
    if fmt == "json":
        doc = {
            "head": {"vars": result.variables},
            "results": {"bindings": [{k: term_to_json(v) for k, v in row.items()} for row in result.rows]},
        }
        return json.dumps(doc, indent=2) + "\n"
    if fmt == "tsv":
        lines = ["\t".join(f"?{v}" for v in result.variables)]
        lines += ["\t".join(_tsv_term(row.get(v)) for v in result.variables) for row in result.rows]
        return "\n".join(lines) + "\n"
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(result.variables)
        for row in result.rows:
            writer.writerow(["" if row.get(v) is None else str(row[v]) for v in result.variables])
        return buffer.getvalue()
    raise UsageError(f"format {fmt!r} does not suit a SELECT result; use one of {', '.join(SELECT_FORMATS)} "
                     f"({', '.join(GRAPH_FORMATS)} are for CONSTRUCT and DESCRIBE)")


def format_graph(graph: Graph, fmt: str) -> str:
    rdflib_names = {"ttl": "turtle", "nt": "nt", "json-ld": "json-ld", "xml": "xml"}
    if fmt not in rdflib_names:
        raise UsageError(f"format {fmt!r} does not suit a graph (CONSTRUCT, DESCRIBE) result; use one of "
                         f"{', '.join(GRAPH_FORMATS)}")
    # Bind the project's prefixes so Turtle reads odlm:, skos:, … rather than ns1:, ns2:.
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace, override=True, replace=True)
    return graph.serialize(format=rdflib_names[fmt])


def format_result(result: QueryResult, fmt: str) -> str:
    """Serialise any query result; ``table`` is handled by the CLI (it needs a terminal)."""
    if isinstance(result, bool):
        return ("true" if result else "false") + "\n" if fmt != "json" else json.dumps({"head": {}, "boolean": result}) + "\n"
    if isinstance(result, Graph):
        return format_graph(result, "ttl" if fmt == "table" else fmt)
    return format_select(result, fmt)
