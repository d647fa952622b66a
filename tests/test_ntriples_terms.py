"""The loaders' own N-Triples writer (odlm_kg.sources.batches.nt_term) says what rdflib says.

The writer reads rdflib's slots directly and skips escaping when there is nothing to escape; the
oracle is the store itself: Oxigraph must read the same term from our N-Triples as from rdflib's
``n3()`` (Turtle).
"""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Node

from odlm_kg.literals import integer_literal, string_literal
from odlm_kg.sources.batches import nt_term, storable_literal_key

TERMS: list[Node] = [
    URIRef("https://huggingface.co/bert-base-uncased"),
    string_literal("bert-base-uncased"),
    string_literal(""),
    string_literal('say "hi"'),
    string_literal("back\\slash"),
    string_literal("line\nbreak and\rreturn"),
    string_literal("é ü 中文 🤗"),
    Literal("tabs\tstay"),
    Literal("chat", lang="fr"),
    Literal('quoted "fr"', lang="fr"),
    integer_literal(42),
    integer_literal(-(2**70)),
    Literal("1.50", datatype=XSD.decimal),
    Literal("2024-01-02T03:04:05Z", datatype=XSD.dateTime),
    Literal(True),
    Literal("not a number", datatype=XSD.integer),  # ill-typed: kept as written
    Literal("custom", datatype=URIRef("https://example.org/type")),
]


def stored(text: str, syntax: ox.RdfFormat = ox.RdfFormat.N_TRIPLES) -> ox.Quad:
    return next(iter(ox.parse(f"<urn:s> <urn:p> {text} .\n".encode(), syntax)))


@pytest.mark.parametrize("term", TERMS, ids=lambda term: repr(term)[:60])
def test_nt_term_is_read_as_rdflibs_n3(term: Node) -> None:
    assert stored(nt_term(term)) == stored(term.n3(), ox.RdfFormat.TURTLE)  # n3() may use long quotes
    if isinstance(term, Literal):
        assert storable_literal_key(term) == nt_term(term)


def test_xsd_string_is_written_as_a_plain_literal() -> None:
    # RDF 1.1: the same literal, and the form Oxigraph stores and returns
    assert nt_term(Literal("s", datatype=XSD.string)) == '"s"'
    assert stored(nt_term(Literal("s", datatype=XSD.string))) == stored('"s"^^<http://www.w3.org/2001/XMLSchema#string>')


def test_a_literal_subclass_is_written_like_a_literal() -> None:
    class Tagged(Literal):
        __slots__ = ()

    assert nt_term(Tagged("x", lang="en")) == '"x"@en'


def test_blank_nodes_keep_their_label() -> None:
    assert nt_term(BNode("b1")) == "_:b1"
