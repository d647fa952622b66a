"""``parse_untrusted``: RDF a user gives is read without fetching anything (issue #16, item 3).

A real listener on loopback counts the connections it receives, so "nothing was fetched" is observed,
not assumed: before the fix, rdflib's JSON-LD parser fetched the ``@context`` URL from it.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from loopback import CountingListener as Listener

from odlm_kg.cli.app import main
from odlm_kg.errors import InputError
from odlm_kg.rdf_formats import UnsafeInput, parse_untrusted


@pytest.fixture
def listener() -> Iterator[Listener]:
    server = Listener()
    yield server
    server.close()


def jsonld_remote_context(url: str) -> str:
    return f'{{"@context": "{url}/context.jsonld", "@id": "urn:a", "name": "x"}}'


def test_jsonld_remote_context_is_refused_and_not_fetched(listener: Listener) -> None:
    with pytest.raises(UnsafeInput, match="@context"):
        parse_untrusted(jsonld_remote_context(listener.url), "json-ld")
    time.sleep(0.1)
    assert listener.connections == 0


def test_jsonld_import_and_nested_context_references_are_refused(listener: Listener) -> None:
    imported = f'{{"@context": {{"@import": "{listener.url}/c", "name": "urn:name"}}, "name": "x"}}'
    with pytest.raises(UnsafeInput, match="@import"):
        parse_untrusted(imported, "json-ld")
    scoped = ('{"@context": {"knows": {"@id": "urn:knows", "@context": ["' + listener.url + '/s"]}}, '
              '"@id": "urn:a", "knows": {"@id": "urn:b"}}')
    with pytest.raises(UnsafeInput, match="@context"):
        parse_untrusted(scoped, "json-ld")
    local_file = '{"@context": "context.jsonld", "@id": "urn:a", "name": "x"}'  # would read a server file
    with pytest.raises(UnsafeInput):
        parse_untrusted(local_file, "json-ld")
    assert listener.connections == 0


def test_jsonld_inline_context_is_read() -> None:
    graph = parse_untrusted('{"@context": {"name": "urn:name"}, "@id": "urn:a", "name": "x"}', "json-ld")
    assert len(graph) == 1


BILLION_LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa">'
    + "".join(f'<!ENTITY {n} "{("&" + p + ";") * 10}">' for p, n in zip("abcdefgh", "bcdefghi", strict=True))
    + ']><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description rdf:about="urn:s">'
    "<rdf:value>&i;</rdf:value></rdf:Description></rdf:RDF>"
)


def test_rdfxml_entity_expansion_is_refused_at_once() -> None:
    started = time.monotonic()
    with pytest.raises(UnsafeInput, match="nested entities"):
        parse_untrusted(BILLION_LAUGHS, "xml")
    assert time.monotonic() - started < 1.0


def test_rdfxml_external_entity_is_refused(tmp_path: Path, listener: Listener) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("db_password=hunter2")
    for target in (secret.as_uri(), f"{listener.url}/entity"):
        document = (f'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "{target}">]>'
                    '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
                    '<rdf:Description rdf:about="urn:s"><rdf:value>&x;</rdf:value></rdf:Description></rdf:RDF>')
        with pytest.raises(UnsafeInput, match="external entity") as refused:
            parse_untrusted(document, "xml")
        assert "hunter2" not in str(refused.value)
    external_dtd = (f'<?xml version="1.0"?><!DOCTYPE r SYSTEM "{listener.url}/x.dtd">'
                    '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/>')
    with contextlib.suppress(InputError):  # refused or read without its DTD: either way, not fetched
        parse_untrusted(external_dtd, "xml")
    time.sleep(0.1)
    assert listener.connections == 0


def test_rdfxml_plain_entities_still_read() -> None:
    """Protégé writes IRI abbreviations as internal entities; they stay readable."""
    document = ('<?xml version="1.0"?><!DOCTYPE r [<!ENTITY owl "http://www.w3.org/2002/07/owl#">]>'
                '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
                '<rdf:Description rdf:about="&owl;Thing"><rdf:value>x</rdf:value></rdf:Description></rdf:RDF>')
    graph = parse_untrusted(document, "xml")
    assert str(next(iter(graph.subjects()))) == "http://www.w3.org/2002/07/owl#Thing"


@pytest.mark.parametrize("options", [["--engine", "memory"], ["--engine", "pyshacl"], ["--inference", "rdfs"]])
def test_cli_validate_fetches_nothing(options: list[str], tmp_path: Path, listener: Listener,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    """Before: ``odlm-kg validate`` fetched the posted document's @context with every engine."""
    data = tmp_path / "mine.jsonld"
    data.write_text(jsonld_remote_context(listener.url))
    code = main(["validate", str(data), *options])
    err = capsys.readouterr().err
    time.sleep(0.1)
    assert listener.connections == 0
    assert code == 2 and "Traceback" not in err
