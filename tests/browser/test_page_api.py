"""The query page's server side, over HTTP without a browser: the page and the editor load only the
package's own files, ``/docs`` is Swagger UI from the package, the OpenAPI description documents
``/sparql`` and ``/validate``, multipart upload to ``/validate`` works, and a malformed query is one line."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

TURTLE = """@prefix odlm: <https://w3id.org/odlm#> .
<https://example.org/m> a odlm:DeepLearningModel .
"""


def _asset_urls(html: str) -> list[str]:
    return re.findall(r'(?:src|href)="([^"]+)"', html)


@pytest.mark.parametrize("path", ["/", "/editor", "/docs"])
def test_pages_load_only_local_assets(page_server: Any, path: str) -> None:
    """Issue 19: /docs was blank offline (Swagger UI from a CDN). Every script, style and link of the
    page, the editor and /docs is relative to the server (no scheme, no host)."""
    response = httpx.get(page_server.base + path)
    assert response.status_code == 200
    urls = _asset_urls(response.text)
    assert urls, "the page names its assets"
    off_machine = [u for u in urls if re.match(r"^(https?:)?//", u)]
    assert off_machine == []
    for url in urls:
        if url.startswith("static/"):
            assert httpx.get(f"{page_server.base}/{url}").status_code == 200, url


def test_docs_is_swagger_ui_from_the_package(page_server: Any) -> None:
    html = httpx.get(page_server.base + "/docs").text
    assert "static/swagger-ui/swagger-ui-bundle.js" in html and "cdn.jsdelivr" not in html
    assert '"validatorUrl": null' in html  # no badge that sends the description to an outside validator
    assert httpx.get(page_server.base + "/redoc").status_code == 404  # ReDoc would load from a CDN


def test_openapi_documents_sparql_and_validate(page_server: Any) -> None:
    """Issue 19: the OpenAPI description had no /sparql parameters and no /validate body."""
    spec = httpx.get(page_server.base + "/openapi.json").json()
    sparql_get = spec["paths"]["/sparql"]["get"]
    assert {p["name"] for p in sparql_get["parameters"]} == {"query", "default-graph-uri", "named-graph-uri"}
    sparql_post = spec["paths"]["/sparql"]["post"]
    assert set(sparql_post["requestBody"]["content"]) == {
        "application/x-www-form-urlencoded", "application/sparql-query", "application/sparql-update"}
    for operation in (sparql_get, sparql_post):
        assert {"200", "400", "403", "406", "413", "503"} <= set(operation["responses"])
        assert "application/sparql-results+json" in operation["responses"]["200"]["content"]
    validate = spec["paths"]["/validate"]["post"]
    assert {"text/turtle", "application/ld+json", "multipart/form-data"} <= set(validate["requestBody"]["content"])
    assert {"200", "400", "413", "415", "503"} <= set(validate["responses"])


def test_validate_takes_a_multipart_upload(page_server: Any) -> None:
    """Issue 19: a multipart upload to /validate answered 415. Now the file's media type comes from its
    part (or its name) and it is validated like a direct body."""
    by_type = httpx.post(page_server.base + "/validate",
                         files={"file": ("model.ttl", TURTLE.encode(), "text/turtle")})
    assert by_type.status_code == 200, by_type.text
    assert "conforms" in by_type.json()
    by_name = httpx.post(page_server.base + "/validate",
                         files={"file": ("model.ttl", TURTLE.encode(), "application/octet-stream")},
                         data={"layers": "core"})
    assert by_name.status_code == 200, by_name.text
    assert by_name.json() == by_type.json()
    no_file = httpx.post(page_server.base + "/validate", files={"other": ("x.ttl", b"", "text/turtle")})
    assert no_file.status_code == 400 and "'file'" in no_file.text
    broken = httpx.post(page_server.base + "/validate", files={"file": ("x.ttl", b"<a> <b> .", "text/turtle")})
    assert broken.status_code == 400


def test_missing_prefix_is_a_one_line_error(page_server: Any) -> None:
    """Issue 19: a missing PREFIX answered with five lines of Unicode ranges."""
    response = httpx.post(page_server.base + "/sparql", data={"query": "SELECT * WHERE { ?s a foo:Bar }"})
    assert response.status_code == 400
    message = response.text.strip()
    assert "\n" not in message and "\\u{" not in message
    assert message == ("malformed query: error at 1:30: the prefix 'foo:' is not declared "
                       "(add PREFIX foo: <…> before SELECT)")


def test_iri_parameters_are_chosen_by_label(page_server: Any) -> None:
    choices = httpx.get(page_server.base + "/queries/artifacts-by-location/choices/location").json()
    by_iri = {c["iri"]: c["label"] for c in choices}
    assert by_iri["https://w3id.org/odlm/vocab/sharing-location/HuggingFaceHub"] == "Hugging Face Hub"
    schemes = httpx.get(page_server.base + "/queries/concepts-by-scheme/choices/scheme").json()
    assert "https://w3id.org/odlm/vocab/barrier" in {c["iri"] for c in schemes}
    assert httpx.get(page_server.base + "/queries/artifacts-by-location/choices/minimum").status_code == 400
    assert httpx.get(page_server.base + "/queries/no-such-query/choices/x").status_code == 404


def test_vocabulary_lists_ontology_terms_with_labels(page_server: Any) -> None:
    vocabulary = httpx.get(page_server.base + "/vocabulary").json()
    assert "https://w3id.org/odlm#DeepLearningModel" in vocabulary["classes"]
    assert "https://w3id.org/odlm#sharedAt" in vocabulary["properties"] or len(vocabulary["properties"]) > 20
    assert vocabulary["prefixes"]["vocab"] == "https://w3id.org/odlm/vocab/"
    assert vocabulary["concepts"]["https://w3id.org/odlm/vocab/artifact-kind/Model"]


def test_schemathesis_findings_stay_fixed(page_server: Any) -> None:
    """What schemathesis found (docs/page.md): RDF/XML with a relative IRI was a 500, an empty body
    validated as an empty graph, and dataset parameters without an operation were silently ignored."""
    xml = httpx.post(page_server.base + "/validate", content=b"<data>00</data>",
                     headers={"Content-Type": "application/rdf+xml"})
    assert xml.status_code == 400 and xml.text.startswith("cannot validate the posted application/rdf+xml")
    empty = httpx.post(page_server.base + "/validate", content=b"", headers={"Content-Type": "text/turtle"})
    assert empty.status_code == 400 and "empty" in empty.text
    ignored = httpx.get(page_server.base + "/sparql", params={"default-graph-uri": ""})
    assert ignored.status_code == 400 and "go with a 'query'" in ignored.text
    described = httpx.get(page_server.base + "/sparql", headers={"Accept": "text/turtle"})
    assert described.status_code == 200 and "sd:Service" in described.text
