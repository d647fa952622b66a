"""One link run: read the papers and code repositories of the store, ask the target in batches, decide
per item (one candidate: linked; none: unmatched; two or more: ambiguous, recorded and not linked),
and write links, ambiguity records and the run's provenance to the target's graph in one update.

Every answer is fetched before anything is written, so a run that fails (unreachable endpoint, refused
query, ``--offline`` without a cached answer) leaves the store as it was. Answers already fetched stay
in the cache, each file complete, so the next run resumes where this one stopped.

A run replaces what earlier runs said about the items it looked up (their links and ambiguity
records in the target's graph) and leaves the other items' links alone, so ``--limit`` runs add up.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from rdflib import Literal, URIRef
from rdflib.namespace import DCAT, OWL, PROV, RDF, SKOS
from rdflib.term import Node

from odlm_kg.errors import UsageError
from odlm_kg.identifiers import (
    CASE_INSENSITIVE_HOSTS,
    normalise_arxiv_id,
    normalise_doi,
    normalise_repository_url,
)
from odlm_kg.link.base import Lookup, Target
from odlm_kg.link.client import LinkError, SparqlClient
from odlm_kg.namespaces import ODLM, instance_iri
from odlm_kg.provenance import activity_triples, count
from odlm_kg.store.base import SelectResult, Store

Triple = tuple[Node, Node, Node]
DEFAULT_BATCH_SIZE = 50
#: Classes whose instances are looked up as code repositories when their landing page is one.
CODE_CLASSES = (ODLM.SourceCode, ODLM.DeepLearningModel, ODLM.PretrainedModel, ODLM.OpenDeepLearningModel)
LINK_PREDICATES = (OWL.sameAs, SKOS.exactMatch, SKOS.closeMatch)

_PAPERS = """PREFIX odlm: <https://w3id.org/odlm#>
SELECT ?item ?doi ?arxiv WHERE {
  ?item a odlm:Paper .
  OPTIONAL { ?item odlm:doi ?doi }
  OPTIONAL { ?item odlm:arxivId ?arxiv }
  FILTER(BOUND(?doi) || BOUND(?arxiv))
}"""
_CODE = """PREFIX dcat: <http://www.w3.org/ns/dcat#>
SELECT DISTINCT ?item ?page WHERE {
  VALUES ?class { %s }
  ?item a ?class ; dcat:landingPage ?page .
}"""


@dataclass
class Item:
    """A local paper or repository and its identifiers: canonical value -> value as written."""

    iri: URIRef
    kind: str
    identifiers: dict[str, dict[str, str]] = field(default_factory=dict)

    def add(self, identifier: str, canonical: str | None, written: str) -> None:
        if canonical:
            self.identifiers.setdefault(identifier, {}).setdefault(canonical, written)


@dataclass
class LinkReport:
    target: str
    graph: URIRef
    run: URIRef
    endpoints: list[str]
    looked_up: int = 0
    matched: int = 0
    unmatched: int = 0
    ambiguous: int = 0
    requests: int = 0
    cached: int = 0
    retries: int = 0
    triples: int = 0
    seconds: float = 0.0
    links: list[tuple[URIRef, URIRef, URIRef]] = field(default_factory=list)
    ambiguous_items: dict[URIRef, list[URIRef]] = field(default_factory=dict)


def _is_code_host(url: str) -> bool:
    return url.split("/")[2] in CASE_INSENSITIVE_HOSTS


def collect_items(store: Store) -> list[Item]:
    """Papers with a DOI or arXiv id, then artifacts whose landing page is a code-host repository, each
    sorted by IRI."""
    papers: dict[URIRef, Item] = {}
    result = store.query(_PAPERS)
    assert isinstance(result, SelectResult)
    for row in result.rows:
        iri = row["item"]
        if not isinstance(iri, URIRef):
            continue
        item = papers.setdefault(iri, Item(iri, "paper"))
        if row.get("doi") is not None:
            item.add("doi", normalise_doi(str(row["doi"])), str(row["doi"]))
            if (arxiv_from_doi := normalise_arxiv_id(str(row["doi"]))) is not None:
                item.add("arxiv", arxiv_from_doi, str(row["doi"]))
        if row.get("arxiv") is not None:
            item.add("arxiv", normalise_arxiv_id(str(row["arxiv"])), str(row["arxiv"]))
    code: dict[URIRef, Item] = {}
    result = store.query(_CODE % " ".join(f"<{c}>" for c in CODE_CLASSES))
    assert isinstance(result, SelectResult)
    for row in result.rows:
        iri, page = row["item"], str(row["page"])
        canonical = normalise_repository_url(page)
        if not isinstance(iri, URIRef) or canonical is None or not _is_code_host(canonical):
            continue
        code.setdefault(iri, Item(iri, "code")).add("repository", canonical, page)
    items = [papers[k] for k in sorted(papers) if papers[k].identifiers]
    return items + [code[k] for k in sorted(code)]


def _batches(values: Sequence[str], size: int) -> Iterable[Sequence[str]]:
    for start in range(0, len(values), size):
        yield values[start:start + size]


def ask(client: SparqlClient, target: Target, lookup: Lookup, endpoint: str, identifiers: dict[str, str],
        batch_size: int) -> dict[str, set[URIRef]]:
    """Candidates per canonical identifier, from batched ``VALUES`` queries."""
    found: dict[str, set[URIRef]] = {}
    for batch in _batches(sorted(identifiers), batch_size):
        terms = [term for key in batch for term in lookup.spellings(key, identifiers[key])]
        if not terms:
            continue
        query = lookup.query(list(dict.fromkeys(terms)))
        wanted = set(batch)

        def check(rows: list[dict[str, dict[str, str]]]) -> None:
            for row in rows:
                candidate, value = row.get("candidate"), row.get("value")
                if candidate is None or value is None:
                    raise LinkError(f"{endpoint} answered a row without ?candidate or ?value for the "
                                    f"{target.name} lookup {lookup.name}: {row}")
                if candidate["type"] != "uri":
                    raise LinkError(f"{endpoint} answered a {candidate['type']} where the {target.name} lookup "
                                    f"{lookup.name} expects the IRI of a record: {candidate['value'][:100]!r}")

        rows = client.select(endpoint, query, check)
        check(rows)  # cached answers too (a cache written by another version)
        for row in rows:
            candidate, value = row["candidate"], row["value"]
            key = lookup.normalise(value["value"])
            if key in wanted:
                found.setdefault(key, set()).add(URIRef(candidate["value"]))
    return found


def run_link(store: Store, target: Target, client: SparqlClient, *, endpoint: str | None = None,
             limit: int | None = None, batch_size: int = DEFAULT_BATCH_SIZE) -> LinkReport:
    """Link the store's items to ``target`` and record the run; LinkError (store untouched) on failure."""
    if batch_size < 1:
        raise UsageError("--batch-size must be at least 1")
    if limit is not None and limit < 0:
        raise UsageError("--limit must not be negative")
    started_at = datetime.now(UTC)
    started = time.perf_counter()
    run = instance_iri("run", f"link-{target.name}/{started_at:%Y%m%dT%H%M%S%f}-{uuid.uuid4().hex[:8]}")
    asked = {(lookup.item_kind, lookup.identifier) for lookup in target.lookups}
    items = [item for item in collect_items(store)
             if any((item.kind, identifier) in asked for identifier in item.identifiers)]
    if limit is not None:
        items = items[:limit]
    endpoints = sorted({url for lookup in target.lookups for url in target.endpoints_for(lookup, endpoint)
                        if any(item.kind == lookup.item_kind for item in items)})
    report = LinkReport(target.name, target.graph, run, endpoints, looked_up=len(items))
    before = (client.stats.requests, client.stats.cached, client.stats.retries)

    candidates: dict[URIRef, dict[URIRef, set[str]]] = {item.iri: {} for item in items}
    predicate_of: dict[str, URIRef] = {}
    for lookup in target.lookups:
        kind_items = [item for item in items if item.kind == lookup.item_kind]
        identifiers: dict[str, str] = {}
        for item in kind_items:
            identifiers.update(item.identifiers.get(lookup.identifier, {}))
        if not identifiers:
            continue
        predicate_of[lookup.item_kind] = lookup.predicate
        found: dict[str, set[URIRef]] = {}
        for url in target.endpoints_for(lookup, endpoint):
            for key, records in ask(client, target, lookup, url, identifiers, batch_size).items():
                found.setdefault(key, set()).update(records)
        for item in kind_items:
            for key in item.identifiers.get(lookup.identifier, {}):
                for candidate in found.get(key, ()):
                    candidates[item.iri].setdefault(candidate, set()).add(f"{lookup.identifier}:{key}")

    triples: list[Triple] = []
    for item in items:
        found_for_item = candidates[item.iri]
        if not found_for_item:
            report.unmatched += 1
        elif len(found_for_item) == 1:
            report.matched += 1
            (candidate,) = found_for_item
            link = (item.iri, predicate_of[item.kind], candidate)
            report.links.append(link)
            triples.append(link)
        else:
            report.ambiguous += 1
            ordered = sorted(found_for_item)
            report.ambiguous_items[item.iri] = ordered
            record = instance_iri("run", f"{run.split('/id/run/', 1)[1]}/ambiguous/{report.ambiguous}")
            triples += [(record, RDF.type, ODLM.AmbiguousMatch), (record, ODLM.ambiguousItem, item.iri),
                        (record, PROV.wasGeneratedBy, run)]
            triples += [(record, ODLM.candidate, c) for c in ordered]
            triples += [(record, ODLM.matchKey, Literal(k)) for k in sorted(set().union(*found_for_item.values()))]
    stats = client.stats
    report.requests, report.cached, report.retries = (stats.requests - before[0], stats.cached - before[1],
                                                      stats.retries - before[2])
    ended_at = datetime.now(UTC)
    triples += run_triples(report, started_at, ended_at)
    report.triples = len(triples)
    write(store, target.graph, [item.iri for item in items], triples)
    report.seconds = time.perf_counter() - started
    return report


def run_triples(report: LinkReport, started_at: datetime, ended_at: datetime) -> list[Triple]:
    """The run as an ``odlm:LinkRun`` and ``prov:Activity`` with its endpoints, times and counts."""
    run = report.run

    out = activity_triples(run, ODLM.LinkRun, f"link {report.target}", started_at, ended_at, report.graph)
    out += [
        (run, ODLM.linkTarget, Literal(report.target)),
        (run, ODLM.itemsLookedUp, count(report.looked_up)),
        (run, ODLM.itemsMatched, count(report.matched)),
        (run, ODLM.itemsUnmatched, count(report.unmatched)),
        (run, ODLM.itemsAmbiguous, count(report.ambiguous)),
        (run, ODLM.requestsSent, count(report.requests)),
        (run, ODLM.cachedAnswers, count(report.cached)),
    ]
    for url in report.endpoints:
        service = URIRef(url)
        out += [(run, PROV.used, service), (service, RDF.type, DCAT.DataService),
                (service, DCAT.endpointURL, service)]
    return out


def write(store: Store, graph: URIRef, items: Sequence[URIRef], triples: Sequence[Triple]) -> None:
    """Replace the looked-up items' links and ambiguity records in ``graph`` and add the new triples, in
    one SPARQL Update (one transaction)."""
    parts: list[str] = []
    if items:
        values = " ".join(f"<{iri}>" for iri in items)
        predicates = " ".join(f"<{p}>" for p in LINK_PREDICATES)
        parts.append(f"DELETE {{ GRAPH <{graph}> {{ ?item ?p ?c }} }} WHERE {{ GRAPH <{graph}> {{ "
                     f"VALUES ?item {{ {values} }} VALUES ?p {{ {predicates} }} ?item ?p ?c }} }}")
        parts.append(f"DELETE {{ GRAPH <{graph}> {{ ?r ?p ?o }} }} WHERE {{ GRAPH <{graph}> {{ "
                     f"VALUES ?item {{ {values} }} ?r <{ODLM.ambiguousItem}> ?item ; ?p ?o }} }}")
    body = "\n".join(f"{s.n3()} {p.n3()} {o.n3()} ." for s, p, o in triples)
    parts.append(f"INSERT DATA {{ GRAPH <{graph}> {{\n{body}\n}} }}")
    store.update(" ;\n".join(parts))
