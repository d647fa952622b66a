"""HTTP content negotiation: pick the media type a client prefers among those the server offers.

>>> choose("text/csv;q=0.5, application/sparql-results+xml", SELECT_OFFERS)
('application/sparql-results+xml', 'xml')
>>> choose("*/*", GRAPH_OFFERS)
('text/turtle', 'turtle')
>>> choose("image/png", GRAPH_OFFERS) is None
True
"""

from __future__ import annotations

#: (media type, result format) in the server's order of preference; the first is the default.
SELECT_OFFERS: list[tuple[str, str]] = [
    ("application/sparql-results+json", "json"),
    ("application/sparql-results+xml", "xml"),
    ("text/csv", "csv"),
    ("text/tab-separated-values", "tsv"),
    ("application/json", "json"),
    ("application/xml", "xml"),
    ("text/xml", "xml"),
    ("application/javascript", "json"),
    ("text/javascript", "json"),
]
GRAPH_OFFERS: list[tuple[str, str]] = [
    ("text/turtle", "turtle"),
    ("application/n-triples", "nt"),
    ("application/ld+json", "jsonld"),
    ("application/rdf+xml", "rdfxml"),
    ("application/n-quads", "nquads"),
    ("application/trig", "trig"),
    ("application/x-turtle", "turtle"),
    ("application/turtle", "turtle"),
    ("text/n3", "turtle"),
    ("text/rdf+n3", "turtle"),
    ("application/n3", "turtle"),
    ("text/plain", "nt"),
    ("application/x-json+ld", "jsonld"),
    ("application/json", "jsonld"),
    ("application/xml", "rdfxml"),
    ("text/xml", "rdfxml"),
]
#: Service description, VoID, validation reports (rdflib serialiser names).
DESCRIPTION_OFFERS: list[tuple[str, str]] = [
    ("text/turtle", "turtle"),
    ("application/ld+json", "json-ld"),
    ("application/rdf+xml", "xml"),
    ("application/n-triples", "nt"),
    ("application/json", "json-ld"),
    ("application/xml", "xml"),
]


def parse_accept(header: str | None) -> list[tuple[str, str, float]]:
    """(type, subtype, q) of each range in an Accept header."""
    ranges: list[tuple[str, str, float]] = []
    for part in (header or "*/*").split(","):
        fields = [f.strip() for f in part.split(";")]
        media = fields[0].lower()
        if not media:
            continue
        if media == "*":
            media = "*/*"
        kind, _, subtype = media.partition("/")
        q = 1.0
        for param in fields[1:]:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = max(0.0, min(1.0, float(value)))
                except ValueError:
                    q = 0.0
        ranges.append((kind, subtype or "*", q))
    return ranges


def _quality(media: str, ranges: list[tuple[str, str, float]]) -> float:
    kind, _, subtype = media.partition("/")
    best_specificity, best_q = -1, 0.0
    for r_kind, r_subtype, q in ranges:
        if r_kind == kind and r_subtype == subtype:
            specificity = 2
        elif r_kind == kind and r_subtype == "*":
            specificity = 1
        elif r_kind == "*" and r_subtype == "*":
            specificity = 0
        else:
            continue
        if specificity > best_specificity:
            best_specificity, best_q = specificity, q
    return best_q


def choose(header: str | None, offers: list[tuple[str, str]]) -> tuple[str, str] | None:
    """The offer with the highest q (the server's order breaks ties); None when nothing is acceptable."""
    ranges = parse_accept(header)
    best: tuple[str, str] | None = None
    best_q = 0.0
    for offer in offers:
        q = _quality(offer[0], ranges)
        if q > best_q:
            best, best_q = offer, q
    return best
