"""What the OpenAPI description says about ``/sparql`` and ``/validate``, whose handlers read the request
themselves (the SPARQL 1.1 Protocol's repeated parameters, direct bodies and content negotiation do
not fit FastAPI's declared parameters). Merged into the generated operations with ``openapi_extra``."""

from __future__ import annotations

from typing import Any

from odlm_kg.rdf_formats import FORMATS
from odlm_kg.server.negotiation import GRAPH_OFFERS, SELECT_OFFERS

_TEXT = {"text/plain": {"schema": {"type": "string"}}}
#: any body: SPARQL results, RDF and reports are checked by their own parsers, not by JSON Schema
_ANY: dict[str, Any] = {"schema": {}}
_JSON_DETAIL = {"application/json": {"schema": {"type": "object", "properties": {"detail": {"type": "string"}}}}}
_IRI_LIST = {"type": "array", "items": {"type": "string", "format": "iri"}}
#: media types of RDF /validate reads
RDF_MEDIA = sorted({media for rdflib_name, media in FORMATS.values() if rdflib_name != "n3"} | {"text/plain"})


def _error(description: str) -> dict[str, Any]:
    return {"description": description, "content": _TEXT}


_QUERY_ANSWERS = {
    "200": {"description": "SELECT/ASK: SPARQL results (JSON, XML, CSV, TSV by Accept); CONSTRUCT/DESCRIBE: RDF "
                           "(Turtle, N-Triples, JSON-LD, RDF/XML, N-Quads, TriG); without a query: the Service "
                           "Description. A capped answer has the X-Row-Cap and X-Row-Cap-Notice headers.",
            "content": {media: _ANY for media, _ in [*SELECT_OFFERS, *GRAPH_OFFERS]}},
    "400": _error("a malformed query or update (one line: position and reason), an invalid dataset IRI, more "
                  "than one operation, a body that is not UTF-8"),
    "403": _error("SPARQL Update on a read-only endpoint or without the update token; SERVICE or LOAD off "
                  "the allow-list"),
    "406": _error("none of the accepted media types is offered for this answer"),
    "413": _error("request body over the endpoint's limit"),
    "503": _error("the query ran longer than the timeout or needed more memory than allowed and was "
                  "cancelled; or no worker was free in time (Retry-After)"),
}

_GRAPH_PARAMETERS = [
    {"name": "default-graph-uri", "in": "query", "required": False, "style": "form", "explode": True,
     "description": "a graph of the query's default graph (repeatable); the union of all graphs when "
                    "neither this nor named-graph-uri is given", "schema": _IRI_LIST},
    {"name": "named-graph-uri", "in": "query", "required": False, "style": "form", "explode": True,
     "description": "a named graph of the query's dataset (repeatable)", "schema": _IRI_LIST},
]

SPARQL_GET: dict[str, Any] = {
    "parameters": [
        {"name": "query", "in": "query", "required": False, "schema": {"type": "string"},
         "description": "a SPARQL 1.1 query; without it the answer is the Service Description",
         "example": "SELECT ?class (COUNT(?s) AS ?n) WHERE { ?s a ?class } GROUP BY ?class"},
        *_GRAPH_PARAMETERS,
    ],
    "responses": _QUERY_ANSWERS,
}

_FORM_FIELDS = {
    "query": {"type": "string", "description": "a SPARQL 1.1 query"},
    "update": {"type": "string", "description": "a SPARQL 1.1 update (only with --allow-update and the token)"},
    "default-graph-uri": _IRI_LIST, "named-graph-uri": _IRI_LIST,
    "using-graph-uri": _IRI_LIST, "using-named-graph-uri": _IRI_LIST,
}

SPARQL_POST: dict[str, Any] = {
    "parameters": _GRAPH_PARAMETERS,
    "requestBody": {
        "required": True,
        "description": "a form with query= or update= (and the dataset fields), or the query or update itself "
                       "as the body. Updates need an endpoint started with --allow-update and "
                       "'Authorization: Bearer TOKEN'.",
        "content": {
            "application/x-www-form-urlencoded": {
                "schema": {"type": "object", "properties": _FORM_FIELDS},
                "encoding": {name: {"style": "form", "explode": True} for name in _FORM_FIELDS}},
            "application/sparql-query": {"schema": {"type": "string"}},
            "application/sparql-update": {"schema": {"type": "string"}},
        },
    },
    "responses": {**_QUERY_ANSWERS, "204": {"description": "the update was applied"},
                  "415": _error("a Content-Type other than the three above")},
}

_REPORT_MEDIA = ["application/json", "text/turtle", "application/ld+json", "application/rdf+xml",
                 "application/n-triples"]

VALIDATE: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "description": "the RDF to validate, as the body in one of the RDF media types, or as a file in a "
                       "multipart/form-data upload (field 'file'; its media type from the part's "
                       "Content-Type or the file name's extension; an optional field 'layers').",
        "content": {
            # JSON-LD is any JSON document ({} is an empty graph); the other syntaxes are text
            **{media: {"schema": {} if "json" in media else {"type": "string"}} for media in RDF_MEDIA},
            "multipart/form-data": {
                "schema": {"type": "object", "required": ["file"], "properties": {
                    "file": {"type": "string", "format": "binary", "description": "an RDF file"},
                    "layers": {"type": "string", "description": "shape layers, comma-separated"}}},
            },
        },
    },
    "responses": {
        "200": {"description": "the SHACL validation report: JSON (conforms, results) or RDF by Accept",
                "content": {media: _ANY for media in _REPORT_MEDIA}},
        "400": _error("RDF that does not parse, a JSON-LD context by reference, XML entities, an unknown layer, "
                      "a multipart form without a file"),
        "406": _error("the report cannot be written in the accepted media type"),
        "413": _error("request body over the endpoint's limit"),
        "415": _error("a media type that is not RDF"),
        "503": _error("validation ran longer than the timeout or needed more memory than allowed"),
    },
}

#: file name extensions of an uploaded file, when its part says nothing more useful than octet-stream
UPLOAD_EXTENSIONS = {".ttl": "text/turtle", ".nt": "application/n-triples", ".jsonld": "application/ld+json",
                     ".json": "application/ld+json", ".rdf": "application/rdf+xml", ".owl": "application/rdf+xml",
                     ".xml": "application/rdf+xml", ".trig": "application/trig", ".nq": "application/n-quads"}

_DESCRIPTION_MEDIA = ["text/turtle", "application/ld+json", "application/rdf+xml", "application/n-triples"]

NAMED_QUERY: dict[str, Any] = {
    "responses": {
        "200": {"description": "the answer: SPARQL results (SELECT) or RDF (CONSTRUCT) by Accept or ?format=; an "
                               "answer resting on synthetic or curated-sample evidence carries the "
                               "X-Odlm-Evidence-Notice header",
                "content": {media: _ANY for media, _ in [*SELECT_OFFERS, *GRAPH_OFFERS]}},
        "400": {"description": "a parameter of the wrong type or unknown, or an unknown ?format=",
                "content": _JSON_DETAIL},
        "404": {"description": "no named query of that name", "content": _JSON_DETAIL},
        "406": _error("none of the accepted media types is offered for this answer"),
        "503": _error("the query ran longer than the timeout or needed more memory than allowed"),
    },
}

CHOICES: dict[str, Any] = {
    "responses": {
        "400": {"description": "the parameter is not an IRI parameter", "content": _JSON_DETAIL},
        "404": {"description": "no such named query or parameter", "content": _JSON_DETAIL},
    },
}

VOID_DESCRIPTION: dict[str, Any] = {
    "responses": {
        "200": {"description": "the VoID description, by Accept", "content": {m: _ANY for m in _DESCRIPTION_MEDIA}},
        "406": _error("none of the accepted media types is offered"),
        "503": _error("a query behind the description ran out of time or memory"),
    },
}
