"""Query results as text: CSV/TSV/JSON for SELECT, RDF syntaxes for graphs."""

from __future__ import annotations

import json

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF

from odlm_kg.namespaces import ODLM
from odlm_kg.result_formats import format_graph, format_result, format_select
from odlm_kg.store.base import SelectResult


def test_turtle_output_uses_the_project_prefixes() -> None:
    # regression: CONSTRUCT results were written with ns1:, ns2: prefixes
    graph = Graph()
    graph.add((URIRef("https://w3id.org/odlm/id/model/x"), RDF.type, ODLM.DeepLearningModel))
    text = format_graph(graph, "ttl")
    assert "odlm:DeepLearningModel" in text
    assert "ns1:" not in text


def test_select_json_follows_the_sparql_results_shape() -> None:
    result = SelectResult(["a", "b"], [{"a": URIRef("urn:x"), "b": Literal("hi", lang="en")}, {"a": Literal(2)}])
    doc = json.loads(format_select(result, "json"))
    assert doc["head"]["vars"] == ["a", "b"]
    assert doc["results"]["bindings"][0]["b"] == {"type": "literal", "value": "hi", "xml:lang": "en"}
    assert doc["results"]["bindings"][1]["a"]["datatype"].endswith("#integer")
    assert "b" not in doc["results"]["bindings"][1]


def test_tsv_writes_terms_in_turtle_syntax_and_blank_for_unbound() -> None:
    result = SelectResult(["a", "b"], [{"a": URIRef("urn:x")}])
    assert format_select(result, "tsv") == "?a\t?b\n<urn:x>\t\n"


def test_ask_result() -> None:
    assert format_result(True, "json").strip() == '{"head": {}, "boolean": true}'
    assert format_result(False, "csv") == "false\n"
