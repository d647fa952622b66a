"""Crawl evidence in the comparison cube: shares and counts computed from one crawled source graph.

:func:`crawl_observations` reads one graph of crawled artifacts (any crawl loader's: Hugging Face,
GitHub, Zenodo, DataCite, PyTorch Hub, TF Hub, PeaTMOSS, Papers with Code; or the curated sample)
with aggregate SPARQL over ``GRAPH <source>`` only, so its cost follows that graph. Per platform
(``odlm:sharedAt``) and artifact kind it states, every number over the *records* of that platform
and kind (population PlatformRecords, n = the records):

- the count of records (factor = platform = the sharing location: "where" models are found);
- the records in each licence-openness class (shareOf Records, ``inferred`` true: the class comes from
  the licence table). Each record is put in ONE class, the least open of its licences (a model is open
  only when every licence is), and a record without a licence is in class Unknown, whose definition
  covers "no licence stated". The classes therefore partition the records and their shares sum to
  100 %;
- gated access (release-strategy GatedAccess), a describing paper (open-sourcing-practice
  DescribingPaper), a description standing in for a README (open-sourcing-practice Readme), a linked
  training dataset (factor artifact-kind/Data) and linked source code (factor artifact-kind/Code);
- open deep-learning models (factor artifact-kind/Model, ``inferred`` true: the ODLM rule's output);
- per reuse pattern: the count of derivations typed with it, and the share of records derived that way;
- the 100 base models with the most direct derivatives: a count per base (``odlm:observedArtifact``
  the base, an extra dimension), with ``odlm:descendantCount`` and ``odlm:lineageDepth`` beside it.

**Id-only stubs are not records.** A record that points at another artifact (a base model, a training
dataset, a code repository named in a card) makes that artifact a minimal node: its type, kind, sharing
location, landing page, platform id and label, nothing else (the classification may add derived
access rights). Such a stub says nothing about licence, access, papers or links, so it never enters n
or a base. A stub is recognised by that shape: an
artifact is a record when it has at least one triple in the source graph whose predicate is not one
of :data:`STUB_PREDICATES`. (A record written with nothing but its id would be taken for a stub; it
has nothing to count either.)

**Code links need card text.** Hub model records link source code only through the text of a model
card (``hf-model-cards``); Hub API records carry no card text, so "0 % link code" there means "not
observable", not "none". For a platform in :data:`CODE_LINKS_FROM_CARD_TEXT` the code-link share (and
the description share, which also needs card text) is left out when no record of the platform shows
one: the queries then say the link is not observable instead of printing 0 %. The graph does not
record which records came with card text, so this cannot tell "no card was read" from "the cards read
link no code"; and when some cards were loaded the base is still every record of the platform, so the
share is a lower bound.

**Cost.** When every record of the graph is of one platform and kind, each numerator is a count of one
predicate's subjects (an index scan); the per-record joins to platform and kind run only for graphs
that mix them. At 10^5 synthetic Hub models the refresh takes 3.6 s at load average 1.5
(docs/performance.md).

Observations from the curated sample graph (``graph/crawl-samples``) carry ``curatedSample`` true and
n = its real number of records; they are derived from the curated-sample work. Observations of a
loaded graph are derived from the load runs that generated it (provenance graph), dated by the
latest run's end.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from rdflib import Literal, URIRef
from rdflib.namespace import XSD

from odlm_kg.evidence.cube import CRAWL, CubeObservation
from odlm_kg.namespaces import ODLM, graph_iri, vocab_iri
from odlm_kg.store.base import Store

CURATED_GRAPH = graph_iri("crawl-samples")
CURATED_WORK = URIRef("https://w3id.org/odlm/id/work/odlm-kg-curated-crawl-sample")
PROVENANCE_GRAPH = graph_iri("provenance")
LICENCES_GRAPH = graph_iri("licences")

RECORDS = vocab_iri("share-base", "Records")
PLATFORM_RECORDS = vocab_iri("population", "PlatformRecords")
DATA = vocab_iri("artifact-kind", "Data")
CODE = vocab_iri("artifact-kind", "Code")
MODEL = vocab_iri("artifact-kind", "Model")
GATED = vocab_iri("release-strategy", "GatedAccess")
README = vocab_iri("open-sourcing-practice", "Readme")
DESCRIBING_PAPER = vocab_iri("open-sourcing-practice", "DescribingPaper")
HUB = vocab_iri("sharing-location", "HuggingFaceHub")

#: Licence-openness classes from least to most open: a record with several licences is in the
#: least open of them (it is open only when every licence is). Unknown sits below Open: an unknown
#: licence beside an open one leaves the record's openness unknown.
OPENNESS_ORDER: tuple[str, ...] = ("Proprietary", "NonCommercial", "OpenWithUseRestrictions", "Unknown", "Open")
UNKNOWN_RANK = OPENNESS_ORDER.index("Unknown")

#: The predicates of an id-only stub: what ``crawl_terms.artifact_triples`` and
#: ``crawl_terms.code_repository_triples`` write for an artifact another record points at, and the
#: access rights the classification derives for every deposit at a public location (odlm_kg.classify).
STUB_PREDICATES: tuple[str, ...] = (
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#type", str(ODLM.artifactKind), str(ODLM.sharedAt),
    "http://www.w3.org/ns/dcat#landingPage", str(ODLM.platformId), "http://www.w3.org/2000/01/rdf-schema#label",
    "http://purl.org/dc/terms/accessRights",
)

#: Platforms whose records show a source-code link only through model-card text.
CODE_LINKS_FROM_CARD_TEXT: frozenset[URIRef] = frozenset({HUB})

#: How many base models get a lineage observation.
TOP_BASE_MODELS = 100

_PREFIXES = """PREFIX odlm: <https://w3id.org/odlm#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX prov: <http://www.w3.org/ns/prov#>
"""


def _is_record(variable: str) -> str:
    """A SPARQL filter true when ``variable`` is a record, not an id-only stub (most records have an
    owner, so ``odlm:sharedBy`` settles it with one look-up before the full test)."""
    listed = ", ".join(f"<{p}>" for p in STUB_PREDICATES)
    return (f"FILTER (EXISTS {{ {variable} odlm:sharedBy ?recordOwner }} || "
            f"EXISTS {{ {variable} ?recordPredicate ?recordValue FILTER (?recordPredicate NOT IN ({listed})) }})")


def _records_query(graph: URIRef) -> str:
    return _PREFIXES + f"""SELECT ?platform ?kind (COUNT(?artifact) AS ?records)
WHERE {{ GRAPH <{graph}> {{
    ?artifact odlm:sharedAt ?platform ; odlm:artifactKind ?kind .
    {_is_record("?artifact")}
}} }}
GROUP BY ?platform ?kind"""


#: The records counted for each share: a triple pattern on ``?artifact``.
FLAG_PATTERNS: dict[str, str] = {
    "gated": f"?artifact odlm:releaseStrategy <{GATED}>",
    "paper": "?artifact odlm:describedBy ?value",
    # other nodes have descriptions too (a work, a survey): only an artifact's counts
    "described": "?artifact dcterms:description ?value ; odlm:artifactKind ?describedKind",
    "dataset": "?artifact odlm:trainedOn ?value",
    "code": "?artifact odlm:sourceCode ?value",
    "open": "?artifact rdf:type odlm:OpenDeepLearningModel",
    "licensed": "?artifact odlm:licence ?value",
}

# When every record of a graph is of one platform and kind (a Hub, GitHub or TF Hub crawl), a share's
# numerator is a count of the subjects of one predicate: an index scan. Joining each subject to its
# platform and kind costs a look-up per record, some 50 times more on Oxigraph, so it is done only
# when a graph mixes platforms or kinds. Stubs never hold these predicates, so no stub is counted.
_GROUP_JOIN = "?artifact odlm:sharedAt ?platform ; odlm:artifactKind ?kind ."


def _flag_query(graph: URIRef, pattern: str, grouped: bool) -> str:
    if grouped:
        return _PREFIXES + f"""SELECT ?platform ?kind (COUNT(DISTINCT ?artifact) AS ?records)
WHERE {{ GRAPH <{graph}> {{ {pattern} . {_GROUP_JOIN} }} }} GROUP BY ?platform ?kind"""
    return _PREFIXES + f"SELECT (COUNT(DISTINCT ?artifact) AS ?records) WHERE {{ GRAPH <{graph}> {{ {pattern} }} }}"


def _licence_query(graph: URIRef, grouped: bool) -> str:
    join, keys = (_GROUP_JOIN, "?platform ?kind ") if grouped else ("", "")
    return _PREFIXES + f"""SELECT {keys}?licence (COUNT(DISTINCT ?artifact) AS ?records)
WHERE {{ GRAPH <{graph}> {{ ?artifact odlm:licence ?licence . {join} }} }} GROUP BY {keys}?licence"""


def _licence_triples_query(graph: URIRef) -> str:
    return _PREFIXES + f"""SELECT (COUNT(*) AS ?triples) (COUNT(DISTINCT ?artifact) AS ?artifacts)
WHERE {{ GRAPH <{graph}> {{ ?artifact odlm:licence ?licence }} }}"""


def _multi_licence_query(graph: URIRef) -> str:
    return _PREFIXES + f"""SELECT DISTINCT ?platform ?kind ?artifact ?licence
WHERE {{ GRAPH <{graph}> {{ ?artifact odlm:licence ?licence , ?other . FILTER (?licence != ?other) {_GROUP_JOIN} }} }}"""


def _classes_query(graph: URIRef) -> str:
    return _PREFIXES + f"""SELECT DISTINCT ?licence ?class WHERE {{
  VALUES ?classGraph {{ <{graph}> <{LICENCES_GRAPH}> }} GRAPH ?classGraph {{ ?licence odlm:opennessClass ?class }} }}"""


def _reuse_query(graph: URIRef, grouped: bool) -> str:
    join, keys = ("?model odlm:sharedAt ?platform .", "?platform ") if grouped else ("", "")
    return _PREFIXES + f"""SELECT {keys}?pattern (COUNT(DISTINCT ?derivation) AS ?derivations)
       (COUNT(DISTINCT ?model) AS ?models)
WHERE {{ GRAPH <{graph}> {{
    ?model odlm:qualifiedDerivation ?derivation . ?derivation odlm:reusePattern ?pattern . {join}
}} }}
GROUP BY {keys}?pattern"""


def _edges_query(graph: URIRef) -> str:
    return _PREFIXES + f"SELECT ?child ?base WHERE {{ GRAPH <{graph}> {{ ?child odlm:derivedFrom ?base }} }}"


def _runs_query(graph: URIRef) -> str:
    return _PREFIXES + f"""SELECT ?run ?ended WHERE {{ GRAPH <{PROVENANCE_GRAPH}> {{
    ?run prov:generated <{graph}> . OPTIONAL {{ ?run prov:endedAtTime ?ended }} }} }}"""


def _int(value: object) -> int:
    return int(str(value)) if value is not None else 0


def _rows(store: Store, sparql: str) -> list[dict]:
    result = store.query(sparql)
    return list(result)  # type: ignore[arg-type]


def lineage(edges: Iterable[tuple[URIRef, URIRef]]) -> dict[URIRef, tuple[int, int, int]]:
    """Per base model: (direct derivatives, all descendants, depth of the longest chain below it).

    >>> a, b, c, d = (URIRef(f"urn:{x}") for x in "abcd")
    >>> lineage([(b, a), (c, a), (d, b)])[a]
    (2, 3, 2)
    """
    children: dict[URIRef, set[URIRef]] = defaultdict(set)
    for child, base in edges:
        if child != base:
            children[base].add(child)
    height: dict[URIRef, int] = {}

    def chain(node: URIRef) -> int:  # iterative: lineages can be deep
        stack, on_path = [(node, iter(children.get(node, ())))], {node}
        while stack:
            current, pending = stack[-1]
            nxt = next((c for c in pending if c not in height and c not in on_path), None)
            if nxt is not None:
                on_path.add(nxt)
                stack.append((nxt, iter(children.get(nxt, ()))))
                continue
            height[current] = max((height.get(c, 0) + 1 for c in children.get(current, ()) if c in height), default=0)
            on_path.discard(current)
            stack.pop()
        return height[node]

    out: dict[URIRef, tuple[int, int, int]] = {}
    for base, direct in children.items():
        seen: set[URIRef] = set()
        frontier = list(direct)
        while frontier:
            node = frontier.pop()
            if node in seen or node == base:
                continue
            seen.add(node)
            frontier.extend(children.get(node, ()))
        out[base] = (len(direct), len(seen), height[base] if base in height else chain(base))
    return out


def _openness_observations(store: Store, graph: URIRef, n: dict[tuple[URIRef, URIRef], int], grouped: bool,
                           licensed: dict[tuple[URIRef, URIRef], int], common: dict) -> list[CubeObservation]:
    """Each record in the least open class of its licences; no licence (or an unclassified one): Unknown."""
    ranks = {vocab_iri("licence-openness", name): rank for rank, name in enumerate(OPENNESS_ORDER)}
    rank_of: dict[URIRef, int] = {}
    for row in _rows(store, _classes_query(graph)):
        licence = URIRef(str(row["licence"]))
        rank_of[licence] = min(rank_of.get(licence, UNKNOWN_RANK + 1), ranks.get(URIRef(str(row["class"])), UNKNOWN_RANK))
    only = next(iter(n))
    by_class: dict[tuple[URIRef, URIRef], dict[int, int]] = defaultdict(lambda: defaultdict(int))
    for row in _rows(store, _licence_query(graph, grouped)):
        key = (URIRef(str(row["platform"])), URIRef(str(row["kind"]))) if grouped else only
        by_class[key][rank_of.get(URIRef(str(row["licence"])), UNKNOWN_RANK)] += _int(row["records"])
    counted = next(iter(_rows(store, _licence_triples_query(graph))), {})
    if _int(counted.get("triples")) != _int(counted.get("artifacts")):
        # a record with several licences was counted once per licence: keep it in its least open class
        licences_of: dict[tuple[URIRef, URIRef, URIRef], set[URIRef]] = defaultdict(set)
        for row in _rows(store, _multi_licence_query(graph)):
            key = (URIRef(str(row["platform"])), URIRef(str(row["kind"])), URIRef(str(row["artifact"])))
            licences_of[key].add(URIRef(str(row["licence"])))
        for (platform, kind, _), licences in licences_of.items():
            classes = by_class[(platform, kind) if grouped else only]
            artifact_ranks = [rank_of.get(licence, UNKNOWN_RANK) for licence in licences]
            for rank in artifact_ranks:
                classes[rank] -= 1
            classes[min(artifact_ranks)] += 1
    out: list[CubeObservation] = []
    for (platform, kind), records in sorted(n.items()):
        classes = by_class[platform, kind]
        classes[UNKNOWN_RANK] += records - licensed.get((platform, kind), 0)  # no licence stated: Unknown
        for rank, name in enumerate(OPENNESS_ORDER):
            out.append(CubeObservation(**common, kind=kind, platform=platform, sample_size=records,
                                       factor=vocab_iri("licence-openness", name), share_of=RECORDS,
                                       numerator=max(0, min(classes.get(rank, 0), records)), base=records,
                                       inferred=True))
    return out


def crawl_observations(store: Store, source_graph: URIRef) -> list[CubeObservation]:
    """The crawl observations of ``source_graph``; [] when it holds no crawled artifact records."""
    totals = _rows(store, _records_query(source_graph))
    if not totals:
        return []
    curated = source_graph == CURATED_GRAPH
    if curated:
        derived_from: tuple[URIRef, ...] = (CURATED_WORK,)
        date = None
    else:
        runs = _rows(store, _runs_query(source_graph))
        derived_from = tuple(sorted({URIRef(str(row["run"])) for row in runs}))
        ends = [str(row["ended"]) for row in runs if row.get("ended") is not None]
        date = Literal(max(ends), datatype=XSD.dateTime) if ends else None
    common = {"evidence": CRAWL, "source": source_graph, "population": PLATFORM_RECORDS, "curated": curated,
              "date": date, "derived_from": derived_from}

    n = {(URIRef(str(row["platform"])), URIRef(str(row["kind"]))): _int(row["records"]) for row in totals}
    grouped = len(n) > 1
    only = next(iter(n))

    def per_group(rows: list[dict]) -> dict[tuple[URIRef, URIRef], int]:
        if not grouped:
            return {only: _int(rows[0]["records"])} if rows else {}
        return {(URIRef(str(row["platform"])), URIRef(str(row["kind"]))): _int(row["records"]) for row in rows}

    flags = {name: per_group(_rows(store, _flag_query(source_graph, pattern, grouped)))
             for name, pattern in FLAG_PATTERNS.items()}

    out: list[CubeObservation] = []
    shares = [(GATED, "gated", False), (DESCRIBING_PAPER, "paper", False), (README, "described", False),
              (DATA, "dataset", False), (CODE, "code", False), (MODEL, "open", True)]
    for (platform, kind), records in sorted(n.items()):
        where = {**common, "kind": kind, "platform": platform, "sample_size": records}
        out.append(CubeObservation(**where, factor=platform, count=records))
        for factor, column, inferred in shares:
            numerator = min(flags[column].get((platform, kind), 0), records)
            if factor == MODEL and kind != MODEL:
                continue
            if factor in (CODE, README) and platform in CODE_LINKS_FROM_CARD_TEXT and numerator == 0:
                continue  # no card text was read: a code link or a description cannot be seen, so no share
            out.append(CubeObservation(**where, factor=factor, share_of=RECORDS, numerator=numerator,
                                       base=records, inferred=inferred))

    out += _openness_observations(store, source_graph, n, grouped, flags["licensed"], common)
    for row in _rows(store, _reuse_query(source_graph, grouped)):
        platform = URIRef(str(row["platform"])) if grouped else only[0]
        pattern = URIRef(str(row["pattern"]))
        records = n.get((platform, MODEL))
        if not records:
            continue
        where = {**common, "kind": MODEL, "platform": platform, "factor": pattern, "sample_size": records}
        out.append(CubeObservation(**where, count=_int(row["derivations"])))
        out.append(CubeObservation(**where, share_of=RECORDS, numerator=min(_int(row["models"]), records),
                                   base=records))

    edges = [(URIRef(str(row["child"])), URIRef(str(row["base"]))) for row in _rows(store, _edges_query(source_graph))]
    ranked = sorted(lineage(edges).items(), key=lambda item: (-item[1][0], -item[1][1], str(item[0])))
    model_records = sum(records for (_, kind), records in n.items() if kind == MODEL)
    for base, (direct, descendants, depth) in ranked[:TOP_BASE_MODELS]:
        out.append(CubeObservation(**common, kind=MODEL, sample_size=model_records, count=direct,
                                   extra=((ODLM.observedArtifact, base),
                                          (ODLM.descendantCount, Literal(descendants, datatype=XSD.integer)),
                                          (ODLM.lineageDepth, Literal(depth, datatype=XSD.integer)))))
    return out


__all__ = ["CODE_LINKS_FROM_CARD_TEXT", "OPENNESS_ORDER", "STUB_PREDICATES", "TOP_BASE_MODELS",
           "crawl_observations", "lineage"]
