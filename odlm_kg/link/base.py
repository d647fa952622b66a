"""What a link target is: a named graph, a default endpoint per lookup, and lookups that turn a batch of
normalised identifiers into one SPARQL SELECT with a ``VALUES`` block, shaped after the target's own
data model.

A lookup's query returns two variables: ``?candidate`` (the target's record, an IRI) and ``?value``
(the identifier as the target stores it). ``?value`` is normalised again on the way back, so the
spellings sent (case, prefixes, ``.git``) never decide a match: only the canonical identifier does.

>>> sparql_string('a "quoted" \\\\ value')
'"a \\\\"quoted\\\\" \\\\\\\\ value"'
>>> sparql_iri("https://github.com/a/b") , sparql_iri("https://x.org/a b") is None
('<https://github.com/a/b>', True)
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from rdflib import URIRef
from rdflib.namespace import OWL, SKOS

from odlm_kg.namespaces import graph_iri

_IRI_BAD = re.compile(r"[\s<>\"{}|\\^`]")


def sparql_string(text: str) -> str:
    """A SPARQL string literal, escaped by construction."""
    return '"' + (text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
                  .replace("\r", "\\r")) + '"'


def sparql_iri(text: str) -> str | None:
    """``<text>`` when ``text`` is safe inside an IRI reference, else None (the spelling is skipped)."""
    return None if _IRI_BAD.search(text) or ":" not in text else f"<{text}>"


@dataclass(frozen=True)
class Lookup:
    """One kind of question to a target: items of ``item_kind`` by their ``identifier`` values.

    ``spellings(identifier, as_written)`` gives the SPARQL terms to put in ``VALUES ?value``;
    ``query(values)`` the whole SELECT; ``normalise(value)`` maps a returned ``?value`` back to the
    canonical identifier; ``predicate`` is the link written for a match; ``endpoint_roles`` name which
    of the target's endpoints are asked (all of them, candidates pooled).
    """

    name: str
    item_kind: str
    identifier: str
    spellings: Callable[[str, str | None], list[str]]
    query: Callable[[Sequence[str]], str]
    normalise: Callable[[str], str | None]
    predicate: URIRef = OWL.sameAs
    endpoint_roles: tuple[str, ...] = ("default",)
    description: str = ""


@dataclass(frozen=True)
class Target:
    """A scholarly graph to link to."""

    name: str
    graph_name: str
    title: str
    endpoints: dict[str, str]
    lookups: tuple[Lookup, ...]

    @property
    def graph(self) -> URIRef:
        return graph_iri(self.graph_name)

    def endpoints_for(self, lookup: Lookup, override: str | None = None) -> list[str]:
        """The endpoints a lookup asks: its roles' endpoints, or only ``override`` (a mirror)."""
        if override:
            return [override]
        return list(dict.fromkeys(self.endpoints[role] for role in lookup.endpoint_roles))


CLOSE = SKOS.closeMatch
SAME = OWL.sameAs
