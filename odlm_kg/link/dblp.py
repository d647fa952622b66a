"""dblp: publications by DOI.

The dblp knowledge graph's data model: a publication ``<https://dblp.org/rec/…>`` is typed
``dblp:Publication`` (``https://dblp.org/rdf/schema#``) and links its DOI as an IRI,
``dblp:doi <https://doi.org/10.…>``, keeping the case the publisher used. An IRI is matched exactly, so
the lookup sends the lower-case and the upper-case spelling; a DOI registered in mixed case (for
example ``10.18653/v1/N19-1423``) is found only when dblp spells it in one case.

A paper and its dblp record are the same publication: ``owl:sameAs``.
"""

from __future__ import annotations

from collections.abc import Sequence

from odlm_kg.identifiers import doi_spellings, normalise_doi
from odlm_kg.link.base import SAME, Lookup, Target, sparql_iri

ENDPOINT = "https://sparql.dblp.org/sparql"


def _doi_terms(doi: str, _written: str | None) -> list[str]:
    return [t for s in doi_spellings(doi) if (t := sparql_iri(f"https://doi.org/{s}")) is not None]


def _query(values: Sequence[str]) -> str:
    return ("PREFIX dblp: <https://dblp.org/rdf/schema#>\n"
            "SELECT DISTINCT ?candidate ?value WHERE {\n"
            f"  VALUES ?value {{ {' '.join(values)} }}\n"
            "  ?candidate dblp:doi ?value .\n"
            "  ?candidate a dblp:Publication .\n}")


TARGET = Target(
    name="dblp",
    graph_name="link-dblp",
    title="dblp",
    endpoints={"default": ENDPOINT},
    lookups=(Lookup("paper-by-doi", "paper", "doi", _doi_terms, _query, normalise_doi, SAME, ("default",),
                    "publications whose dblp:doi is https://doi.org/ + the DOI"),),
)
