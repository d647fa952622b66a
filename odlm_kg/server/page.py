"""The query page (``/``), the free SPARQL editor (``/editor``), the API docs (``/docs``) and the small
JSON documents the page reads: ``/vocabulary`` (the ontology's classes and properties and the
vocabularies' concepts, with labels) and ``/queries/{name}/choices/{parameter}`` (the IRIs an IRI
parameter may take, by label).

Everything the browser loads comes from the package (``static/``): no CDN, no request off the machine.
The SPARQL behind the JSON runs in the query workers, under their time and memory limits; the only
client value in it is an IRI the parameter's own type check accepted (absolute, no ``<>"{}|^`\\`` or
spaces), written between angle brackets.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse, Response

from odlm_kg.errors import UsageError
from odlm_kg.namespaces import GRAPH, ID, PREFIXES, VOCAB
from odlm_kg.queries import ParameterError, get_query
from odlm_kg.server.openapi import CHOICES

if TYPE_CHECKING:
    from odlm_kg.server.app import Endpoint

STATIC = Path(__file__).resolve().parent / "static"
ODLM_BASE = "https://w3id.org/odlm"
#: at most this many choices are offered for one IRI parameter (the page falls back to typing an IRI)
MAX_CHOICES = 1000
#: prefixes the page writes IRIs with and the editor declares: the project's own first, then the standard ones
PAGE_PREFIXES: dict[str, str] = {"odlm": PREFIXES["odlm"], "vocab": str(VOCAB), "id": str(ID), "graph": str(GRAPH),
                                 **PREFIXES}
_EXAMPLE_IRI = re.compile(r"https?://[^\s)<>\"]+")
_LABEL = ("OPTIONAL { ?item <http://www.w3.org/2004/02/skos/core#prefLabel>|<http://www.w3.org/2000/01/rdf-schema#label>"
          "|<http://purl.org/dc/terms/title> ?l FILTER(LANG(?l) = \"\" || LANGMATCHES(LANG(?l), \"en\")) }")

VOCABULARY_QUERY = f"""
SELECT ?item ?kind (SAMPLE(?l) AS ?label) WHERE {{
  {{ ?item a <http://www.w3.org/2002/07/owl#Class> BIND("class" AS ?kind) }}
  UNION {{ ?item a <http://www.w3.org/2002/07/owl#ObjectProperty> BIND("property" AS ?kind) }}
  UNION {{ ?item a <http://www.w3.org/2002/07/owl#DatatypeProperty> BIND("property" AS ?kind) }}
  UNION {{ ?item a <http://www.w3.org/2002/07/owl#AnnotationProperty> BIND("property" AS ?kind) }}
  UNION {{ ?item a <http://www.w3.org/2004/02/skos/core#Concept> BIND("concept" AS ?kind) }}
  UNION {{ ?item a <http://www.w3.org/2004/02/skos/core#ConceptScheme> BIND("scheme" AS ?kind) }}
  FILTER(isIRI(?item) && STRSTARTS(STR(?item), "{ODLM_BASE}"))
  {_LABEL}
}} GROUP BY ?item ?kind ORDER BY ?kind ?item"""


def choices_query(example: str) -> str:
    """The IRIs of the same sort as ``example`` with their labels: the concepts of its concept scheme,
    every concept scheme (when it is one), or the instances of its odlm classes.

    >>> "<https://w3id.org/odlm/vocab/motivation>" in choices_query("https://w3id.org/odlm/vocab/motivation")
    True
    """
    skos = "http://www.w3.org/2004/02/skos/core#"
    return f"""
SELECT ?item (SAMPLE(?l) AS ?label) WHERE {{
  {{ <{example}> <{skos}inScheme> ?scheme . ?item <{skos}inScheme> ?scheme }}
  UNION {{ <{example}> a <{skos}ConceptScheme> . ?item a <{skos}ConceptScheme> }}
  UNION {{
    <{example}> a ?type . FILTER(STRSTARTS(STR(?type), "{ODLM_BASE}#"))
    FILTER NOT EXISTS {{ <{example}> <{skos}inScheme> ?anyScheme }}
    FILTER NOT EXISTS {{ <{example}> a <{skos}ConceptScheme> }}
    ?item a ?type
  }}
  FILTER(isIRI(?item))
  {_LABEL}
}} GROUP BY ?item ORDER BY LCASE(STR(COALESCE(SAMPLE(?l), STR(?item)))) LIMIT {MAX_CHOICES}"""


def example_iri(default: Any, description: str) -> str | None:
    """The IRI a parameter's choices are modelled on: its default, else the first IRI its description
    gives as an example.

    >>> example_iri(None, "One platform (e.g. https://w3id.org/odlm/vocab/sharing-location/HuggingFaceHub); all")
    'https://w3id.org/odlm/vocab/sharing-location/HuggingFaceHub'
    """
    if isinstance(default, str) and default:
        return default
    found = _EXAMPLE_IRI.search(description or "")
    return found.group(0).rstrip(".,;") if found else None


def _static_page(name: str) -> str:
    return (STATIC / name).read_text(encoding="utf-8")


def add_page_routes(app: FastAPI, endpoint: Endpoint) -> None:
    """Register the page, the editor, ``/docs`` and the page's JSON on ``app``."""
    pages = {"/": _static_page("index.html"), "/editor": _static_page("editor.html")}  # read once
    vocabulary_cache: dict[int, dict[str, Any]] = {}
    choices_cache: dict[tuple[int, str], list[dict[str, str]]] = {}

    @app.get("/", include_in_schema=False)
    async def index() -> HTMLResponse:
        return HTMLResponse(pages["/"])

    @app.get("/editor", include_in_schema=False)
    async def editor() -> HTMLResponse:
        return HTMLResponse(pages["/editor"])

    @app.get("/docs", include_in_schema=False)
    async def docs() -> HTMLResponse:
        # Swagger UI from the package (static/swagger-ui, npm swagger-ui-dist); no validator badge (it
        # would send the description to an outside service)
        return get_swagger_ui_html(openapi_url="openapi.json", title="odlm-kg API",
                                   swagger_js_url="static/swagger-ui/swagger-ui-bundle.js",
                                   swagger_css_url="static/swagger-ui/swagger-ui.css",
                                   swagger_favicon_url="static/swagger-ui/favicon-32x32.png",
                                   swagger_ui_parameters={"validatorUrl": None, "tryItOutEnabled": True})

    @app.get("/vocabulary", summary="The ontology's classes and properties and the vocabularies' concepts, "
                                    "with labels (for the query page's forms and the editor's completion)")
    async def vocabulary() -> Response:
        generation = endpoint.generation
        if generation not in vocabulary_cache:
            rows = await endpoint.select_rows(VOCABULARY_QUERY)
            if isinstance(rows, tuple):
                return Response(rows[2], status_code=rows[0], media_type=rows[1])
            found: dict[str, dict[str, str]] = {"class": {}, "property": {}, "concept": {}, "scheme": {}}
            for row in rows:
                label = row.get("label")
                found[str(row["kind"])][str(row["item"])] = str(label) if label is not None else ""
            vocabulary_cache.clear()
            vocabulary_cache[generation] = {"prefixes": PAGE_PREFIXES, "classes": found["class"],
                                            "properties": found["property"], "concepts": found["concept"],
                                            "schemes": found["scheme"]}
        return JSONResponse(vocabulary_cache[generation])

    @app.get("/queries/{name}/choices/{parameter}",
             summary="The IRIs an IRI parameter of a named query may take, with labels", openapi_extra=CHOICES)
    async def parameter_choices(name: str, parameter: str) -> JSONResponse:
        try:
            declared = get_query(name).parameter(parameter)
        except (ParameterError, UsageError) as exc:
            return JSONResponse({"detail": str(exc)}, status_code=404)
        if declared.type != "iri":
            return JSONResponse({"detail": f"parameter {declared.name!r} is a {declared.type}, not an IRI"},
                                status_code=400)
        example = example_iri(declared.as_dict()["default"], declared.description)
        if example is None:
            return JSONResponse([])
        example = declared.parse(example)  # the parameter's own check: an absolute IRI, nothing to escape
        key = (endpoint.generation, example)
        if key not in choices_cache:
            rows = await endpoint.select_rows(choices_query(example))
            if isinstance(rows, tuple):
                return JSONResponse({"detail": rows[2].decode("utf-8", "replace")}, status_code=rows[0])
            if len(choices_cache) > 256:
                choices_cache.clear()
            choices_cache[key] = [{"iri": str(row["item"]), "label": str(row.get("label") or "")}
                                  for row in rows]
        return JSONResponse(choices_cache[key])
