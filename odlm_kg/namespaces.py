"""IRIs of the ODLM namespace, its vocabularies, instance data and named graphs, and of reused vocabularies.

Every IRI the package mints is built here, so the scheme of DESIGN §3 lives in one place.

>>> vocab_iri("motivation", "IncreaseCitations")
rdflib.term.URIRef('https://w3id.org/odlm/vocab/motivation/IncreaseCitations')
>>> graph_iri("huggingface")
rdflib.term.URIRef('https://w3id.org/odlm/graph/huggingface')
>>> instance_iri("model", "google-bert/bert-base-uncased")
rdflib.term.URIRef('https://w3id.org/odlm/id/model/google-bert/bert-base-uncased')
"""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import quote

from rdflib import Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, OWL, PROV, RDF, RDFS, SKOS, VANN, VOID, XSD

ONTOLOGY_VERSION = "0.1.0"



class CachedNamespace(Namespace):
    """A Namespace that makes each of its terms once.

    rdflib's Namespace builds and checks a new URIRef on every ``NS.name``; the loaders ask for the
    same few dozen terms hundreds of thousands of times (that was a sixth of the mapping time).

    >>> EX = CachedNamespace("urn:ex:")
    >>> EX.a is EX.a and EX["a"] is EX.a
    True
    """

    def term(self, name: str) -> URIRef:
        terms: dict[str, URIRef] = self.__dict__.setdefault("_terms", {})
        found = terms.get(name)
        if found is None:
            found = terms[name] = super().term(name)
        return found

    def __getattr__(self, name: str) -> URIRef:
        if name.startswith("__"):  # dunders are not terms (copy, pickle and friends ask for them)
            raise AttributeError(name)
        found = self.term(name)
        self.__dict__[name] = found  # later lookups are plain attribute hits
        return found


class TermCache:
    """Attribute access to a namespace's terms, each term made once (``TermCache(RDF).type``).

    rdflib's DefinedNamespace (RDF, RDFS, DCTERMS, DCAT…) builds and checks a new URIRef on every
    attribute access, and the mappers ask for ``rdf:type`` or ``rdfs:label`` about ten times per crawl
    record. Not a ``str`` subclass, so names such as ``title`` or ``format`` are terms, not methods, and
    a closed namespace stays closed (``RDF.lable`` is an error). odlm's own namespace is a
    :class:`CachedNamespace` instead: it is a Namespace too (prefixes, item access, text).

    >>> from rdflib.namespace import DCTERMS
    >>> terms = TermCache(DCTERMS)
    >>> terms.title is terms.title, terms.title == DCTERMS.title
    (True, True)
    """

    def __init__(self, namespace: Namespace | type) -> None:
        self._namespace = namespace

    def __getattr__(self, name: str) -> URIRef:
        if name.startswith("__"):  # dunders are not terms (copy, pickle and friends ask for them)
            raise AttributeError(name)
        term = URIRef(self._namespace[name])  # type: ignore[index]
        setattr(self, name, term)  # later lookups are plain attribute hits
        return term


BASE = "https://w3id.org/odlm"
ODLM = CachedNamespace(f"{BASE}#")
ONTOLOGY_IRI = URIRef(BASE)
VERSION_IRI = URIRef(f"{BASE}/{ONTOLOGY_VERSION}")
VOCAB = Namespace(f"{BASE}/vocab/")
ID = Namespace(f"{BASE}/id/")
GRAPH = Namespace(f"{BASE}/graph/")

# Reused vocabularies (DESIGN §3). schema.org is always http://, never https://.
SCHEMA = Namespace("http://schema.org/")
FAIR4ML = Namespace("https://w3id.org/fair4ml#")
MLDCAT = Namespace("http://data.europa.eu/it6/")
SPDX_LICENSE = Namespace("http://spdx.org/licenses/")
SPDX = Namespace("http://spdx.org/rdf/terms#")
MLS = Namespace("http://www.w3.org/ns/mls#")
FABIO = Namespace("http://purl.org/spar/fabio/")
CITO = Namespace("http://purl.org/spar/cito/")
QB = Namespace("http://purl.org/linked-data/cube#")
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
SH = Namespace("http://www.w3.org/ns/shacl#")

PREFIXES: dict[str, str] = {
    "odlm": str(ODLM),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "owl": str(OWL),
    "xsd": str(XSD),
    "skos": str(SKOS),
    "dcterms": str(DCTERMS),
    "dcat": str(DCAT),
    "prov": str(PROV),
    "foaf": str(FOAF),
    "vann": str(VANN),
    "void": str(VOID),
    "schema": str(SCHEMA),
    "fair4ml": str(FAIR4ML),
    "mldcat": str(MLDCAT),
    "spdx": str(SPDX_LICENSE),
    "mls": str(MLS),
    "fabio": str(FABIO),
    "cito": str(CITO),
    "qb": str(QB),
    "sh": str(SH),
}


@lru_cache(maxsize=4096)
def vocab_iri(scheme: str, concept: str | None = None) -> URIRef:
    """IRI of a concept scheme (``concept=None``) or of one of its concepts."""
    return URIRef(f"{VOCAB}{scheme}") if concept is None else URIRef(f"{VOCAB}{scheme}/{concept}")


def instance_iri(kind: str, key: str) -> URIRef:
    """IRI of an instance from its kind and natural key; the key is percent-encoded but keeps ``/``.

    >>> instance_iri("model", "google-bert/bert-base-uncased")
    rdflib.term.URIRef('https://w3id.org/odlm/id/model/google-bert/bert-base-uncased')
    >>> instance_iri("agent", "huggingface/jürgen müller")
    rdflib.term.URIRef('https://w3id.org/odlm/id/agent/huggingface/j%C3%BCrgen%20m%C3%BCller')
    """
    encoded = key if _KEEPS_AS_IS(key) else quote(key, safe=_KEY_SAFE)
    # After quote() no character is left that URIRef() would warn about: build it directly (a third
    # of the time; most records make five instance IRIs).
    return _new_str(URIRef, f"{ID}{kind}/{encoded}")


_KEY_SAFE = "/:@-._~"
#: Keys quote() returns unchanged: ASCII letters and digits and the safe characters only.
_KEEPS_AS_IS = re.compile(r"[A-Za-z0-9_/:@\-.~]*").fullmatch
_new_str = str.__new__


def graph_iri(source: str) -> URIRef:
    """IRI of the named graph that one source writes to."""
    return URIRef(f"{GRAPH}{source}")


def sparql_prefixes(names: list[str] | None = None) -> str:
    """PREFIX declarations for a SPARQL text (all known prefixes when ``names`` is None)."""
    chosen = PREFIXES if names is None else {n: PREFIXES[n] for n in names}
    return "".join(f"PREFIX {name}: <{iri}>\n" for name, iri in chosen.items())
