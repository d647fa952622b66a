"""ORKG (Open Research Knowledge Graph): papers by DOI.

ORKG's data model: a paper is a resource ``<http://orkg.org/orkg/resource/R…>`` typed
``<http://orkg.org/orkg/class/Paper>``, labelled with its title, and carrying its DOI through the
predicate P26 (``<http://orkg.org/orkg/predicate/P26>``) as a string entered by whoever added the
paper: any case, sometimes with a ``https://doi.org/`` prefix. ORKG is small enough for the lookup to
compare DOIs case-insensitively on the server, after removing a resolver prefix.

A paper and its ORKG paper resource are the same paper: ``owl:sameAs``.
"""

from __future__ import annotations

from collections.abc import Sequence

from odlm_kg.identifiers import normalise_doi
from odlm_kg.link.base import SAME, Lookup, Target, sparql_string

ENDPOINT = "https://orkg.org/triplestore"


def _doi_terms(doi: str, _written: str | None) -> list[str]:
    return [sparql_string(doi)]


def _query(values: Sequence[str]) -> str:
    return ("PREFIX orkgc: <http://orkg.org/orkg/class/>\n"
            "PREFIX orkgp: <http://orkg.org/orkg/predicate/>\n"
            "SELECT DISTINCT ?candidate ?value WHERE {\n"
            f"  VALUES ?key {{ {' '.join(values)} }}\n"
            "  ?candidate a orkgc:Paper ; orkgp:P26 ?stored .\n"
            "  BIND(STR(?stored) AS ?value)\n"
            "  FILTER(LCASE(REPLACE(?value, \"^(https?://(dx\\\\.)?doi\\\\.org/|doi:)\", \"\", \"i\")) = ?key)\n}")


TARGET = Target(
    name="orkg",
    graph_name="link-orkg",
    title="ORKG",
    endpoints={"default": ENDPOINT},
    lookups=(Lookup("paper-by-doi", "paper", "doi", _doi_terms, _query, normalise_doi, SAME, ("default",),
                    "papers whose P26 (DOI), case-insensitively and without resolver prefix, is the DOI"),),
)
