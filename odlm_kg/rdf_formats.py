"""RDF syntax names, file extensions and media types, shared by the stores, the CLI and the endpoint;
and :func:`parse_untrusted`, the one way RDF from a user is read.

>>> guess_format("survey.ttl")
'turtle'
>>> guess_format("dump.nq.gz")
'nquads'
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rdflib import Graph

from odlm_kg.errors import InputError

# short name -> (rdflib format name, media type)
FORMATS: dict[str, tuple[str, str]] = {
    "turtle": ("turtle", "text/turtle"),
    "nt": ("nt", "application/n-triples"),
    "nquads": ("nquads", "application/n-quads"),
    "trig": ("trig", "application/trig"),
    "xml": ("xml", "application/rdf+xml"),
    "json-ld": ("json-ld", "application/ld+json"),
    "n3": ("n3", "text/n3"),
}

EXTENSIONS: dict[str, str] = {
    ".ttl": "turtle",
    ".turtle": "turtle",
    ".nt": "nt",
    ".ntriples": "nt",
    ".nq": "nquads",
    ".nquads": "nquads",
    ".trig": "trig",
    ".rdf": "xml",
    ".owl": "xml",
    ".xml": "xml",
    ".jsonld": "json-ld",
    ".json": "json-ld",
    ".n3": "n3",
}

QUAD_FORMATS = frozenset({"nquads", "trig"})


def guess_format(path: str | Path) -> str:
    """Short syntax name from a file name (a trailing ``.gz`` is looked through)."""
    suffixes = [s.lower() for s in Path(path).suffixes]
    if suffixes and suffixes[-1] == ".gz":
        suffixes = suffixes[:-1]
    if suffixes and suffixes[-1] in EXTENSIONS:
        return EXTENSIONS[suffixes[-1]]
    known = ", ".join(sorted(EXTENSIONS))
    raise InputError(f"{path}: cannot tell the RDF syntax from the file name (known endings: {known}); "
                     "name it with --input-format")


def normalise_format(name: str) -> str:
    """Accept common aliases (``ttl``, ``ntriples``, ``rdfxml``, ``jsonld``) and return the short name."""
    aliases = {"ttl": "turtle", "ntriples": "nt", "n-triples": "nt", "nq": "nquads", "n-quads": "nquads",
               "rdfxml": "xml", "rdf/xml": "xml", "rdf": "xml", "jsonld": "json-ld"}
    key = name.lower()
    key = aliases.get(key, key)
    if key not in FORMATS:
        raise InputError(f"unknown RDF syntax {name!r}; expected one of {', '.join(FORMATS)}")
    return key


def _oxigraph_position(data: bytes, fmt: str) -> str | None:
    """Oxigraph's parser reports line and column precisely; ask it where a syntax error is."""
    import pyoxigraph as ox

    from odlm_kg.store.oxigraph import OX_FORMATS

    try:
        for _ in ox.parse(data, OX_FORMATS[fmt]):
            pass
    except SyntaxError as exc:
        return str(exc).split(" (", 1)[0] if "line" in str(exc) else str(exc)
    except (ValueError, KeyError):
        return None
    return None


def read_bytes(path: Path) -> bytes:
    """File content, looking through gzip; an unreadable file is an :class:`InputError`."""
    import gzip

    try:
        raw = Path(path).read_bytes()
        return gzip.decompress(raw) if raw[:2] == b"\x1f\x8b" else raw
    except (OSError, EOFError) as exc:
        raise InputError(f"{path}: cannot read: {exc}") from exc


def read_graph(path: str | Path, fmt: str | None = None, into: object = None) -> Graph:
    """Parse an RDF file (gzip allowed) into an rdflib graph, or a Dataset for quad syntaxes.

    A syntax error becomes an :class:`InputError` naming the file, line and column; a document that would
    make the parser fetch something (a remote JSON-LD context, an XML external entity) is refused.
    """
    path = Path(path)
    fmt = normalise_format(fmt) if fmt else guess_format(path)
    data = read_bytes(path)
    try:
        return parse_untrusted(data, fmt, into=into, public_id=path.resolve().as_uri())
    except InputError as exc:
        raise InputError(f"{path}: {exc}") from exc


class UnsafeInput(InputError):
    """RDF that would make its parser reach outside the document (a remote context, an external entity,
    nested entity expansion): refused before the parser sees it."""


#: Longest replacement text of an internal XML entity. Protégé and friends declare short IRI prefixes
#: (``<!ENTITY owl "http://www.w3.org/2002/07/owl#">``); a long value is an amplification lever.
MAX_XML_ENTITY_VALUE = 512


class _DoctypeChecked(Exception):
    """Raised to stop the XML pre-scan at the root element: the DTD is behind us by then."""


def check_rdfxml(data: bytes | str) -> None:
    """Refuse RDF/XML whose DTD could fetch or blow up: external or parameter entities, unparsed
    entities, and internal entities whose value refers to another entity (the "billion laughs").

    Expat reads the prolog and stops at the root element, so this costs nothing on a large document.
    Plain internal entities (IRI abbreviations) stay allowed.
    """
    import xml.parsers.expat

    parser = xml.parsers.expat.ParserCreate()
    # never read an external DTD or parameter entity, whatever the document asks
    parser.SetParamEntityParsing(xml.parsers.expat.XML_PARAM_ENTITY_PARSING_NEVER)

    def entity(name: str, is_parameter: int, value: str | None, base: str | None, system_id: str | None,
               public_id: str | None, notation: str | None) -> None:
        if is_parameter:
            raise UnsafeInput(f"RDF/XML declares the parameter entity %{name}; parameter entities are refused")
        if value is None or system_id is not None or public_id is not None or notation is not None:
            raise UnsafeInput(f"RDF/XML declares the external entity &{name}; external entities are refused "
                              "(they would make the server read a file or a URL)")
        if "&" in value or "%" in value:
            raise UnsafeInput(f"RDF/XML entity &{name}; refers to another entity; nested entities are "
                              "refused (entity expansion bomb)")
        if len(value) > MAX_XML_ENTITY_VALUE:
            raise UnsafeInput(f"RDF/XML entity &{name}; is {len(value)} characters long; at most "
                              f"{MAX_XML_ENTITY_VALUE} are allowed")

    def external_reference(context: str, base: str | None, system_id: str | None, public_id: str | None) -> int:
        raise UnsafeInput(f"RDF/XML refers to the external resource {system_id!r}; external DTDs and "
                          "entities are refused")

    def root(name: str, attributes: object) -> None:
        raise _DoctypeChecked

    parser.EntityDeclHandler = entity
    parser.ExternalEntityRefHandler = external_reference
    parser.StartElementHandler = root
    try:
        parser.Parse(data.encode("utf-8") if isinstance(data, str) else data, True)
    except _DoctypeChecked:
        return
    except xml.parsers.expat.ExpatError as exc:
        raise InputError(f"not well-formed XML: {exc}") from exc


def _contexts(node: Any) -> Iterator[tuple[str, Any]]:
    """Every ``@context`` and ``@import`` value in a JSON document (iteratively: no recursion limit)."""
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            for key, value in item.items():
                if key in ("@context", "@import"):
                    yield key, value
                stack.append(value)
        elif isinstance(item, list):
            stack.extend(item)


def check_jsonld(data: bytes | str) -> None:
    """Refuse JSON-LD that names a context or import by reference (rdflib would fetch it: a URL, or a
    file relative to the working directory). Inline contexts (objects) are fine.

    rdflib's JSON-LD parser has no document-loader hook, so the decision is made here, on the document
    as Python's JSON parser reads it.
    """
    try:
        document = json.loads(data)
    except (ValueError, RecursionError) as exc:
        raise InputError(f"not valid JSON: {exc}") from exc
    for key, value in _contexts(document):
        references = [value] if isinstance(value, str) else [v for v in value if isinstance(v, str)] \
            if isinstance(value, list) else []
        if key == "@import" or references:
            shown = value if key == "@import" else references[0]
            raise UnsafeInput(f"JSON-LD {key} {shown!r} refers to a document elsewhere; only inline contexts "
                              "are accepted (remote contexts are never fetched)")


def parse_untrusted(data: bytes | str, fmt: str, *, into: object = None, public_id: str | None = None) -> Graph:
    """Parse RDF a user gave (a request body, a file to validate) without fetching anything.

    ``fmt`` is a short syntax name (see :data:`FORMATS`; aliases allowed). JSON-LD is refused when it
    names a remote ``@context``/``@import``; RDF/XML when its DTD declares external, parameter or nested
    entities. Every other syntax rdflib reads here never leaves the document. Errors are
    :class:`InputError` (:class:`UnsafeInput` for a refusal), with Oxigraph's line and column when it
    can tell where a syntax error is.
    """
    from rdflib import Dataset, Graph

    fmt = normalise_format(fmt)
    if fmt == "json-ld":
        check_jsonld(data)
    elif fmt == "xml":
        check_rdfxml(data)
    graph = into if into is not None else (Dataset() if fmt in QUAD_FORMATS else Graph())
    try:
        graph.parse(data=data, format=FORMATS[fmt][0], publicID=public_id)  # type: ignore[attr-defined]
    except Exception as exc:  # rdflib raises many types for bad syntax
        raw = data.encode("utf-8") if isinstance(data, str) else data
        where = _oxigraph_position(raw, fmt) or (str(exc).splitlines() or [type(exc).__name__])[0]
        raise InputError(f"not valid {fmt}: {where}") from exc
    return graph  # type: ignore[no-any-return]
