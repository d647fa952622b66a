"""IRI makers of odlm_kg.namespaces: the quick paths build exactly what the plain rdflib calls build."""

from __future__ import annotations

import random
import string
from urllib.parse import quote

import pytest
from rdflib import URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, RDFS

from odlm_kg.namespaces import ID, TermCache, instance_iri


def test_instance_iri_is_the_quoted_key_under_id() -> None:
    # Keys that quote() leaves alone skip it; the rest go through it: the result must not differ.
    rng = random.Random(20261123)
    alphabet = string.printable + "éü中🤗%#?[]<>\"{}|\\^`"
    keys = ["", "google-bert/bert-base-uncased", "a b", "x%20y", "100%", "name:with@at~"]
    keys += ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 16))) for _ in range(20_000)]
    for key in keys:
        made, expected = instance_iri("model", key), URIRef(f"{ID}model/{quote(key, safe='/:@-._~')}")
        assert type(made) is URIRef and made == expected, key


TERMS = {RDF: ["type", "first"], RDFS: ["label", "comment"], DCTERMS: ["title", "format", "issued"],
         DCAT: ["landingPage"], FOAF: ["name", "accountName"]}


@pytest.mark.parametrize("namespace", list(TERMS), ids=lambda n: str(n))
def test_term_cache_gives_the_namespaces_terms_once_each(namespace: type) -> None:
    terms = TermCache(namespace)
    for name in TERMS[namespace]:  # "title" and "format" are str methods: still terms here
        term = getattr(terms, name)
        assert type(term) is URIRef and term == URIRef(f"{namespace}{name}")
        assert getattr(terms, name) is term


def test_term_cache_keeps_a_closed_namespace_closed() -> None:
    with pytest.raises(AttributeError, match="not in namespace"):
        TermCache(RDF).lable  # noqa: B018
    with pytest.raises(AttributeError):
        TermCache(RDF).__wrapped__  # noqa: B018 - a dunder is never a term
