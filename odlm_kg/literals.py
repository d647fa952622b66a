"""Quick constructors for the two literal kinds the loaders make most: plain strings and integers.

rdflib's ``Literal(...)`` casts, checks and normalises every value it is given: about 3 µs for a short
string and 7 µs for an integer on this machine, and a crawl record makes a dozen literals (ids,
labels, account names, counts) — a tenth of the time it takes to map, validate and serialise a
record. For an exact ``str`` or ``int`` the outcome of that work is known in advance, so these
functions build the very same object directly: same lexical form, datatype, language, Python value
and ill-typed flag (``tests/test_literals.py`` compares every slot with rdflib's own result). Any
other value is handed to ``Literal`` unchanged.

>>> string_literal("bert-base-uncased") == Literal("bert-base-uncased")
True
>>> integer_literal(42)
rdflib.term.Literal('42', datatype=rdflib.term.URIRef('http://www.w3.org/2001/XMLSchema#integer'))
"""

from __future__ import annotations

from typing import Any

from rdflib import Literal
from rdflib.namespace import XSD

_XSD_INTEGER = XSD.integer
_new_str = str.__new__


def string_literal(text: Any) -> Literal:
    """``Literal(text)``: a plain literal (no language, no datatype) when ``text`` is a ``str``."""
    if type(text) is not str:  # subclasses (URIRef, Literal…) and non-strings take rdflib's path
        return Literal(text)
    made = _new_str(Literal, text)
    made._language = None
    made._datatype = None
    made._value = text
    made._ill_typed = None
    return made


def integer_literal(number: Any) -> Literal:
    """``Literal(number, datatype=XSD.integer)``: an ``xsd:integer`` in canonical form when ``number``
    is an ``int`` (``bool`` is not: rdflib writes it as ``true``/``false``)."""
    if type(number) is not int:
        return Literal(number, datatype=_XSD_INTEGER)
    made = _new_str(Literal, str(number))
    made._language = None
    made._datatype = _XSD_INTEGER
    made._value = number
    made._ill_typed = None
    return made
