"""The quick literal constructors build exactly what rdflib's Literal builds (odlm_kg.literals)."""

from __future__ import annotations

from typing import Any

import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import XSD

from odlm_kg.literals import integer_literal, string_literal


def slots(literal: Literal) -> tuple[Any, ...]:
    """Everything a Literal holds: its text, type and rdflib's four slots."""
    return (type(literal), str(literal), literal.language, literal.datatype, literal.value, literal.ill_typed,
            literal._language, literal._datatype, literal._value, literal._ill_typed)


STRINGS = ["", "bert-base-uncased", "  padded  ", "line\nbreak", 'say "hi"', "é ü 中文 🤗", "\x00", "\ud800",
           "42", "true", "2024-01-02", "x" * 100_000]


@pytest.mark.parametrize("text", STRINGS, ids=range(len(STRINGS)))
def test_string_literal_is_rdflibs_plain_literal(text: str) -> None:
    made, expected = string_literal(text), Literal(text)
    assert slots(made) == slots(expected)
    assert made == expected and hash(made) == hash(expected)
    assert made.n3() == expected.n3()


INTEGERS = [0, 1, -1, 42, 656_881, 2**63, -(2**70), 10**40]


@pytest.mark.parametrize("number", INTEGERS)
def test_integer_literal_is_rdflibs_integer(number: int) -> None:
    made, expected = integer_literal(number), Literal(number, datatype=XSD.integer)
    assert slots(made) == slots(expected)
    assert made == expected and hash(made) == hash(expected)
    assert made.n3() == expected.n3()


@pytest.mark.parametrize("value", [URIRef("urn:x"), Literal("x", lang="en"), 3, None, b"bytes"],
                         ids=["iri", "tagged literal", "int", "none", "bytes"])
def test_anything_but_an_exact_str_takes_rdflibs_path(value: Any) -> None:
    assert slots(string_literal(value)) == slots(Literal(value))


@pytest.mark.parametrize("value", [True, False, 3.0, "12", "012", "x"], ids=str)
def test_anything_but_an_exact_int_takes_rdflibs_path(value: Any) -> None:
    # bool is an int subclass that rdflib writes as true/false; strings are parsed (and "x" is ill-typed)
    assert slots(integer_literal(value)) == slots(Literal(value, datatype=XSD.integer))
