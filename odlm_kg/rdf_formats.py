"""RDF syntax names, file extensions and media types, shared by the stores, the CLI and the endpoint.

>>> guess_format("survey.ttl")
'turtle'
>>> guess_format("dump.nq.gz")
'nquads'
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

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

    A syntax error becomes an :class:`InputError` naming the file, line and column.
    """
    from rdflib import Dataset, Graph

    path = Path(path)
    fmt = normalise_format(fmt) if fmt else guess_format(path)
    data = read_bytes(path)
    graph = into if into is not None else (Dataset() if fmt in QUAD_FORMATS else Graph())
    try:
        graph.parse(data=data, format=FORMATS[fmt][0], publicID=path.resolve().as_uri())  # type: ignore[attr-defined]
    except Exception as exc:  # rdflib raises many types for bad syntax
        where = _oxigraph_position(data, fmt) or str(exc).splitlines()[0]
        raise InputError(f"{path}: not valid {fmt}: {where}") from exc
    return graph  # type: ignore[return-value]
