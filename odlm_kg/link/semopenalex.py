"""SemOpenAlex (the RDF form of OpenAlex): works by DOI.

SemOpenAlex's data model: a work ``<https://semopenalex.org/work/W…>`` is typed
``<https://semopenalex.org/ontology/Work>`` and carries its DOI as ``datacite:doi``
(``<http://purl.org/spar/datacite/doi>``), a string holding the DOI *URL* exactly as OpenAlex gives it:
``"https://doi.org/10.…"``, lower-cased. Older releases also used ``prism:doi``; both are asked for.

A paper and its SemOpenAlex work are the same thing: ``owl:sameAs``. Links go to the graph
``link-openalex``.
"""

from __future__ import annotations

from collections.abc import Sequence

from odlm_kg.identifiers import normalise_doi
from odlm_kg.link.base import SAME, Lookup, Target, sparql_string

ENDPOINT = "https://semopenalex.org/sparql"


def _doi_terms(doi: str, _written: str | None) -> list[str]:
    return [sparql_string(f"https://doi.org/{doi}"), sparql_string(doi)]


def _query(values: Sequence[str]) -> str:
    return ("PREFIX datacite: <http://purl.org/spar/datacite/>\n"
            "PREFIX prism: <http://prismstandard.org/namespaces/basic/2.0/>\n"
            "SELECT DISTINCT ?candidate ?value WHERE {\n"
            f"  VALUES ?value {{ {' '.join(values)} }}\n"
            "  ?candidate datacite:doi|prism:doi ?value .\n"
            "  ?candidate a <https://semopenalex.org/ontology/Work> .\n}")


TARGET = Target(
    name="semopenalex",
    graph_name="link-openalex",
    title="SemOpenAlex",
    endpoints={"default": ENDPOINT},
    lookups=(Lookup("paper-by-doi", "paper", "doi", _doi_terms, _query, normalise_doi, SAME, ("default",),
                    "works whose datacite:doi (or prism:doi) is the DOI URL"),),
)
