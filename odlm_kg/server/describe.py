"""Self-description of the endpoint: the SPARQL Service Description and the VoID dataset description."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, RDF, XSD
from rdflib.term import Node

from odlm_kg import __version__
from odlm_kg.namespaces import SD

if TYPE_CHECKING:
    from odlm_kg.server.app import ServerSettings

VOID = Namespace("http://rdfs.org/ns/void#")
FORMATS = Namespace("http://www.w3.org/ns/formats/")
DATASET = URIRef("https://w3id.org/odlm/dataset")

RESULT_FORMATS = ("SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV", "SPARQL_Results_TSV",
                  "Turtle", "N-Triples", "JSON-LD", "RDF_XML", "N-Quads", "TriG")


def service_description(endpoint_url: str, named_graphs: list[Node], settings: ServerSettings) -> Graph:
    """``sd:Service`` for the endpoint at ``endpoint_url`` (what it speaks, returns, and serves)."""
    graph = Graph()
    graph.bind("sd", SD)
    graph.bind("void", VOID)
    graph.bind("formats", FORMATS)
    service = BNode()
    graph.add((service, RDF.type, SD.Service))
    graph.add((service, SD.endpoint, URIRef(endpoint_url)))
    graph.add((service, SD.supportedLanguage, SD.SPARQL11Query))
    if settings.allow_update:
        graph.add((service, SD.supportedLanguage, SD.SPARQL11Update))
    for name in RESULT_FORMATS:
        graph.add((service, SD.resultFormat, FORMATS[name]))
    graph.add((service, SD.feature, SD.UnionDefaultGraph))
    if settings.service_allow:
        graph.add((service, SD.feature, SD.BasicFederatedQuery))
    graph.add((service, DCTERMS.title, Literal("odlm-kg SPARQL endpoint")))
    graph.add((service, DCTERMS.hasVersion, Literal(__version__)))
    dataset = BNode()
    graph.add((service, SD.defaultDataset, dataset))
    graph.add((dataset, RDF.type, SD.Dataset))
    default = BNode()
    graph.add((dataset, SD.defaultGraph, default))
    graph.add((default, RDF.type, SD.Graph))
    graph.add((default, DCTERMS.description, Literal("the union of all named graphs")))
    for iri in named_graphs:
        named = BNode()
        graph.add((dataset, SD.namedGraph, named))
        graph.add((named, RDF.type, SD.NamedGraph))
        graph.add((named, SD.name, iri))
    return graph


#: The queries behind the VoID description (run by the endpoint's workers, under its timeout).
VOID_QUERIES = {
    "graphs": "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g",
    "classes": "SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?c } GROUP BY ?c ORDER BY ?c",
    "properties": "SELECT ?p (COUNT(*) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?p ORDER BY ?p",
}


def void_description(rows: dict[str, list[dict[str, Node]]]) -> Graph:
    """VoID: triples, one subset per named graph, class and property partitions (from VOID_QUERIES' rows)."""
    graph = Graph()
    graph.bind("void", VOID)
    graph.bind("sd", SD)
    graph.add((DATASET, RDF.type, VOID.Dataset))
    graph.add((DATASET, DCTERMS.title, Literal("Open Deep Learning Model knowledge graph")))
    total = 0
    for row in rows["graphs"]:
        subset = URIRef(f"{row['g']}#void")
        graph.add((DATASET, VOID.subset, subset))
        graph.add((subset, RDF.type, VOID.Dataset))
        graph.add((subset, SD.name, row["g"]))
        graph.add((subset, VOID.triples, Literal(int(row["n"]), datatype=XSD.integer)))
        total += int(row["n"])
    graph.add((DATASET, VOID.triples, Literal(total, datatype=XSD.integer)))
    for row in rows["classes"]:
        part = BNode()
        graph.add((DATASET, VOID.classPartition, part))
        graph.add((part, VOID["class"], row["c"]))
        graph.add((part, VOID.entities, Literal(int(row["n"]), datatype=XSD.integer)))
    for row in rows["properties"]:
        part = BNode()
        graph.add((DATASET, VOID.propertyPartition, part))
        graph.add((part, VOID.property, row["p"]))
        graph.add((part, VOID.triples, Literal(int(row["n"]), datatype=XSD.integer)))
    return graph


def with_endpoint(void: Graph, base_url: str) -> Graph:
    """A copy of the VoID graph naming the endpoint and the VoID page of this server."""
    graph = Graph()
    graph.bind("void", VOID)
    graph.bind("sd", SD)
    graph += void
    graph.add((DATASET, VOID.sparqlEndpoint, URIRef(f"{base_url}/sparql")))
    graph.add((DATASET, VOID.uriSpace, Literal("https://w3id.org/odlm/id/")))
    return graph
