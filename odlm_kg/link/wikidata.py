"""Wikidata: papers by DOI (P356) and arXiv id (P818), code repositories by source code repository URL
(P1324).

Wikidata's data model: an item ``wd:Q…`` carries truthy statements ``wdt:P…``. DOIs (P356, external
id) are stored in UPPER CASE by convention; arXiv ids (P818) without version; P1324 has the URL
datatype, so its values are IRIs, spelt as the editor typed them (case, ``.git``, trailing slash).

Since the 2025 split of the query service, scholarly articles live in a separate graph: papers are
looked up at ``query-scholarly.wikidata.org`` and at ``query.wikidata.org`` (where items of other
types stayed; candidates from both are pooled), repositories (software items) at
``query.wikidata.org`` only. ``--endpoint`` sends every lookup to one endpoint (a mirror holding the full
graph, such as a QLever or local Blazegraph copy).

A paper and the Wikidata item of that paper are the same thing (``owl:sameAs``); a repository and the
software item that lists it as its source code are not the same thing, only close
(``skos:closeMatch``).
"""

from __future__ import annotations

from collections.abc import Sequence

from odlm_kg.identifiers import (
    doi_spellings,
    normalise_arxiv_id,
    normalise_doi,
    normalise_repository_url,
    repository_url_spellings,
)
from odlm_kg.link.base import CLOSE, SAME, Lookup, Target, sparql_iri, sparql_string

MAIN_ENDPOINT = "https://query.wikidata.org/sparql"
SCHOLARLY_ENDPOINT = "https://query-scholarly.wikidata.org/sparql"
#: Papers are asked in both graphs: scholarly articles moved to the scholarly graph, but items typed
#: otherwise (a preprint, a thesis, a conference paper without P31 scholarly article) stayed in main.
PAPER_GRAPHS = ("scholarly", "main")
PREFIXES = "PREFIX wdt: <http://www.wikidata.org/prop/direct/>\nPREFIX wd: <http://www.wikidata.org/entity/>\n"


def _select(prop: str, values: Sequence[str]) -> str:
    return (f"{PREFIXES}SELECT DISTINCT ?candidate ?value WHERE {{\n"
            f"  VALUES ?value {{ {' '.join(values)} }}\n"
            f"  ?candidate wdt:{prop} ?value .\n}}")


def _doi_terms(doi: str, _written: str | None) -> list[str]:
    # Wikidata keeps DOIs upper-case; the lower-case spelling catches the few that break the convention
    return [sparql_string(s) for s in reversed(doi_spellings(doi))]


def _arxiv_terms(arxiv_id: str, _written: str | None) -> list[str]:
    return [sparql_string(arxiv_id)]


def _repo_terms(url: str, written: str | None) -> list[str]:
    return [t for s in repository_url_spellings(url, written) if (t := sparql_iri(s)) is not None]


TARGET = Target(
    name="wikidata",
    graph_name="link-wikidata",
    title="Wikidata",
    endpoints={"scholarly": SCHOLARLY_ENDPOINT, "main": MAIN_ENDPOINT},
    lookups=(
        Lookup("paper-by-doi", "paper", "doi", _doi_terms, lambda v: _select("P356", v), normalise_doi,
               SAME, PAPER_GRAPHS, "papers whose DOI is the value of P356 (DOI)"),
        Lookup("paper-by-arxiv", "paper", "arxiv", _arxiv_terms, lambda v: _select("P818", v),
               normalise_arxiv_id, SAME, PAPER_GRAPHS, "papers whose arXiv id is the value of P818 (arXiv ID)"),
        Lookup("code-by-repository", "code", "repository", _repo_terms, lambda v: _select("P1324", v),
               normalise_repository_url, CLOSE, ("main",),
               "repositories listed as P1324 (source code repository URL) of a software item"),
    ),
)
