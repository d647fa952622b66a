"""What every recorded run of the package says about itself in the ``provenance`` graph.

Load runs (:mod:`odlm_kg.sources.pipeline`) and link runs (:mod:`odlm_kg.link.run`) add their own
counts to these triples.

>>> from rdflib import URIRef
>>> from datetime import datetime, UTC
>>> at = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
>>> triples = activity_triples(URIRef("urn:run"), URIRef("urn:LoadRun"), "load x", at, at, URIRef("urn:g"))
>>> sorted(str(o) for _, p, o in triples if p == RDFS.label)
['load x 2026-01-02T03:04:05Z']
"""

from __future__ import annotations

from datetime import datetime

from rdflib import Literal, URIRef
from rdflib.namespace import PROV, RDF, RDFS, XSD

from odlm_kg.literals import integer_literal
from odlm_kg.sources.base import Triple


def activity_triples(run: URIRef, run_class: URIRef, label: str, started_at: datetime, ended_at: datetime,
                     generated: URIRef) -> list[Triple]:
    """``run`` as a ``run_class`` and ``prov:Activity``, labelled with ``label`` and its start, with its
    start and end times and the graph it generated."""
    return [
        (run, RDF.type, run_class),
        (run, RDF.type, PROV.Activity),
        (run, RDFS.label, Literal(f"{label} {started_at:%Y-%m-%dT%H:%M:%SZ}")),
        (run, PROV.startedAtTime, Literal(started_at.isoformat(), datatype=XSD.dateTime)),
        (run, PROV.endedAtTime, Literal(ended_at.isoformat(), datatype=XSD.dateTime)),
        (run, PROV.generated, generated),
    ]


def started_triples(run: URIRef, run_class: URIRef, label: str, started_at: datetime,
                    generated: URIRef) -> list[Triple]:
    """The record a run writes before its first write: ``run_class`` and ``prov:Activity``, its label,
    start and graph, and ``odlm:runState "started"`` (no end yet). A run killed outright keeps exactly
    this, so a run still "started" that is no longer running was cut short."""
    from odlm_kg.namespaces import ODLM

    return [triple for triple in activity_triples(run, run_class, label, started_at, started_at, generated)
            if triple[1] != PROV.endedAtTime] + [(run, ODLM.runState, Literal("started"))]


def count(value: int) -> Literal:
    """A count as an ``xsd:integer``."""
    return integer_literal(value)
