"""Validate RDF files in bounded memory, never the store.

The default (``engine="auto"`` or ``"memory"``, no inference) reads each file once with Oxigraph's
streaming parser and validates it with the memory engine (:mod:`odlm_kg.validate.memory_engine`, the
loaders' engine) in batches of subjects: every triple of a subject lands in the same batch (a hash of
the subject), and each batch is validated over the ontology plus the ``rdf:type``, ``rdfs:subClassOf``
and ``odlm:opennessClass`` triples of the nodes it points at, wherever in the input those are. A file
that fits in one batch (:data:`BATCH_NTRIPLES_BYTES` of N-Triples text, or ``batch_triples``) is
validated whole, in memory; a larger one is spread over temporary files first, so memory is bounded by
one batch (plus the types of the input's nodes), whatever the file's size. N-Triples and N-Quads are
read in chunks of lines; other syntaxes by Oxigraph's streaming parser. Results go to a
:class:`~odlm_kg.validate.report.ReportCollector`, which counts all of them and keeps the first
``max_results``.

``engine="sparql"`` (Oxigraph's SPARQL over one in-memory store, or batches of it for files over
:data:`LARGE_FILE_BYTES`), ``engine="pyshacl"`` and inference read the whole input into memory, as
before, except that ``pyshacl``/inference also go in batches above :data:`LARGE_FILE_BYTES`.

What batching cannot see (the same list is printed in the report and in docs/validation.md):

* constraints that follow a path beyond the focus node's own triples: the values of the second step
  of a sequence path, inverse paths (``sh:inversePath``), ``*``/``+`` paths;
* ``sh:targetObjectsOf`` (the triple that makes a node a target may sit in another batch) and
  ``sh:targetSubjectsOf`` are exact only for the focus node's own outgoing triples;
* ``sh:node``, ``sh:qualifiedValueShape`` and ``sh:disjoint``/``sh:equals``/``sh:lessThan`` on values
  that are described in other batches (only their types travel with every batch);
* SHACL-SPARQL constraints whose query reaches triples of other subjects (beyond their types);
* ``sh:qualifiedMaxCount`` and ``sh:maxCount`` over inverse paths, counted across batches.
"""

from __future__ import annotations

import functools
import gc
import gzip
import io
import itertools
import math
import re
import tempfile
import zlib
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import IO

import pyoxigraph as ox
from rdflib import Graph
from rdflib.namespace import RDF, RDFS

from odlm_kg.errors import InputError
from odlm_kg.rdf_formats import guess_format, normalise_format, parse_untrusted, read_graph
from odlm_kg.store.oxigraph import OX_FORMATS
from odlm_kg.validate.memory_engine import TripleIndex
from odlm_kg.validate.report import ReportCollector, ValidationReport, ValidationResult

#: Triples with these predicates go into every batch: types, the class hierarchy, and the openness
#: of licences (which the core rule "a model classified open has an open licence" reads).
SHARED_PREDICATES = frozenset({str(RDF.type), str(RDFS.subClassOf), "https://w3id.org/odlm#opennessClass"})
#: Above this many (uncompressed) bytes a file is validated in batches.
LARGE_FILE_BYTES = 512 * 1024 * 1024
#: Triples per batch when batching; about 120 bytes per N-Triples line.
DEFAULT_BATCH_TRIPLES = 2_000_000
BYTES_PER_TRIPLE = 120
GZIP_RATIO = 8

BATCHING_LIMITS = (
    "Validated in batches of subjects: constraints that reach beyond a focus node's own triples and "
    "the types of its values (inverse and multi-step paths, sh:targetObjectsOf, sh:node or qualified "
    "shapes on values described elsewhere, SPARQL constraints reading other subjects' triples, "
    "counts across batches) were checked within each batch only. See docs/validation.md."
)


def estimated_bytes(path: Path) -> int:
    size = path.stat().st_size
    with path.open("rb") as handle:
        gzipped = handle.read(2) == b"\x1f\x8b"
    return size * GZIP_RATIO if gzipped else size


def _format(path: Path, input_format: str | None) -> str:
    return normalise_format(input_format) if input_format else guess_format(path)


def read_files(paths: Sequence[Path], input_format: str | None = None) -> Graph:
    """All files in one rdflib graph (quads lose their graph name); errors name file and line."""
    from odlm_kg.validate import as_triples_graph

    union = Graph()
    for path in paths:
        fmt = _format(path, input_format)
        parsed = as_triples_graph(read_graph(path, fmt))
        if len(parsed) == 0:
            raise InputError(f"{path} holds no triples; expected RDF in {fmt} syntax")
        if len(union) == 0:
            union = parsed
        else:
            union += parsed
    return union


def validate_files(paths: Sequence[Path], layers: Sequence[str], *, input_format: str | None = None,
                   engine: str = "auto", inference: str = "none", max_results: int | None = None,
                   batch_triples: int | None = None) -> ValidationReport:
    """Validate the union of ``paths``; see the module's docstring for how.

    ``max_results`` caps the results the report keeps (its summary counts all); a file holding no
    triples, or RDF/XML that is not a complete XML document, is an :class:`InputError`.
    """
    from odlm_kg.validate import validate

    paths = [Path(p) for p in paths]
    for path in paths:
        if not path.is_file():
            raise InputError(f"{path}: no such file")
        _format(path, input_format)  # unknown syntax is an input error before any work
    if engine in ("auto", "memory") and inference == "none":
        # Indexing a batch allocates millions of small containers, and Python's cyclic collector would
        # walk every live object again and again meanwhile (it made indexing and validation about
        # twice as slow); none of them form cycles that outlive the batch. The loaders do the same.
        collecting = gc.isenabled()
        gc.disable()
        try:
            return _validate_streaming(paths, layers, input_format=input_format, max_results=max_results,
                                       batch_triples=batch_triples)
        finally:
            gc.unfreeze()
            if collecting:
                gc.enable()
    for path in paths:
        if _format(path, input_format) == "xml":
            check_xml_document(path)
    total = sum(estimated_bytes(p) for p in paths)
    if batch_triples is None and total <= LARGE_FILE_BYTES:
        if engine == "pyshacl" or inference != "none":
            return validate(read_files(paths, input_format), layers, engine=engine, inference=inference,
                            max_results=max_results)
        # the SPARQL engine reads the files with Oxigraph's parser straight into its store
        return _validate_in_one_store(paths, layers, input_format=input_format, max_results=max_results)
    batch_triples = batch_triples or DEFAULT_BATCH_TRIPLES
    buckets = max(1, -(-total // (BYTES_PER_TRIPLE * batch_triples)))
    return _validate_in_batches(paths, layers, buckets, input_format=input_format, engine=engine,
                                inference=inference, max_results=max_results)


# -- the streaming memory path ------------------------------------------------------------------------

#: N-Triples text per batch of the streaming path (about 100,000 triples of crawl data). A batch's
#: index costs about five times its text in Python objects (119 MB of N-Triples, 779,024 triples,
#: indexed in 550 MB), so a run stays near 300 MB whatever the input's size. Smaller batches are also
#: faster: the memory engine took 2.0-2.7 s over that file in batches of 25,000-100,000 triples and
#: 5-6 s in batches of 250,000 or more (docs/performance.md).
BATCH_NTRIPLES_BYTES = 16 * 2**20
#: N-Triples bytes per byte of the other syntaxes (they abbreviate), to guess the batch count up front.
NTRIPLES_BYTES_PER_BYTE = {"nt": 1.0, "nquads": 1.0, "turtle": 2.5, "trig": 2.5, "n3": 2.5, "xml": 1.5,
                           "json-ld": 1.5}
#: Bytes of N-Triples or N-Quads read (and checked by Oxigraph) at a time.
LINE_CHUNK_BYTES = 8 * 2**20
#: Triples of the other syntaxes handed to Oxigraph's serialiser at a time.
QUAD_CHUNK = 100_000
#: Lines held in memory, over all batches, before they are appended to the batches' files.
SPOOL_FLUSH = 200_000

KeyTriple = tuple[str, str, str]
_SHARED_KEYS = frozenset(f"<{p}>" for p in SHARED_PREDICATES)
_LINE_NUMBER = re.compile(r"\bline (\d+)")


def _validate_streaming(paths: Sequence[Path], layers: Sequence[str], *, input_format: str | None,
                        max_results: int | None, batch_triples: int | None) -> ValidationReport:
    """The memory engine over batches of subjects, each file read once by Oxigraph's streaming parser."""
    from odlm_kg.validate import fast_validator
    from odlm_kg.validate.memory_engine import memory_validator, ontology_index, term_of_key
    from odlm_kg.validate.shapes import cached_shapes_graph, ontology_graph, shape_labels

    shapes = cached_shapes_graph(layers)
    validator = memory_validator(fast_validator(shapes, tuple(layers)))
    ontology = ontology_index(ontology_graph())
    term_of = functools.lru_cache(maxsize=65_536)(term_of_key)
    batch_bytes = batch_triples * BYTES_PER_TRIPLE if batch_triples is not None else BATCH_NTRIPLES_BYTES
    expected = sum(estimated_bytes(p) * NTRIPLES_BYTES_PER_BYTE[_format(p, input_format)] for p in paths)
    buckets = max(1, math.ceil(expected / batch_bytes))
    collector = ReportCollector(max_results)
    with tempfile.TemporaryDirectory(prefix="odlm-validate-") as tmp:
        spool = _Buckets(buckets, Path(tmp))
        for number, path in enumerate(paths):
            fmt = _format(path, input_format)
            if fmt == "xml":
                check_xml_document(path)
            blank_prefix = f"_:f{number}x" if len(paths) > 1 else None  # blank-node labels are local to a file
            count = 0
            for text in _ntriples_chunks(path, fmt):
                count += spool.add(text, blank_prefix)
            if count == 0:
                raise InputError(f"{path} holds no triples; expected RDF in {fmt} syntax")
        gc.freeze()  # what lives across batches (shapes, ontology, shared types) is not walked again
        for triples in spool.batches():
            index = _BatchIndex(triples, ontology, spool.shared)
            results = validator.run(index, term_of, lambda index=index: _scratch_store(index.all_triples()))  # type: ignore[misc]
            # a node described in this batch is validated in this batch only; others (ontology nodes,
            # sh:targetObjectsOf targets) may come again from another batch
            collector.add(results, distinct=index.described_elsewhere if buckets > 1 else False)
            validator.forget()
            del index, results, triples
            gc.collect()  # cheap between batches (little is alive), and frees what cycles the run made
    return collector.report(shape_labels=shape_labels(shapes), layers=tuple(layers),
                            engine=f"memory in {buckets} batches" if buckets > 1 else "memory",
                            notes=[BATCHING_LIMITS] if buckets > 1 else [])


class _BatchIndex(TripleIndex):
    """A batch's own triples, over the ontology, plus the shared triples (types, openness) of the nodes
    the batch points at that the batch does not describe itself.

    Those are added to the subject index only, not to the index of types that focus nodes are found
    from: a node described in another batch is never a focus node here, but ``sh:class`` and the
    open-model rule still see its types and its licence's openness."""

    def __init__(self, triples: list[KeyTriple], base: TripleIndex,
                 shared: dict[str, dict[str, set[str]]]) -> None:
        super().__init__(triples, base)
        self.borrowed: set[str] = set()
        if not shared:
            return
        out, borrowed = self.out, self.borrowed
        for _s, _p, o in triples:
            if o[0] != '"' and o not in out:
                found = shared.get(o)
                if found is not None:
                    out[o] = found
                    borrowed.add(o)

    def all_triples(self) -> list[KeyTriple]:
        """The batch's triples and those it borrowed (for a scratch store of the batch)."""
        triples = [(s, p, o) for s, by_predicate in self.out.items() for p, objects in by_predicate.items()
                   for o in objects]
        return triples

    def described_elsewhere(self, result_key: tuple[str, ...]) -> bool:
        """Whether a result's focus node (its key's first part) is not a subject of this batch."""
        focus = result_key[0]
        return focus not in self.out or focus in self.borrowed


class _Buckets:
    """Canonical N-Triples lines spread over ``count`` batches by a hash of their subject (one batch:
    kept in memory, already split), and the shared triples (:data:`SHARED_PREDICATES`) of every
    subject, kept aside for every batch. Spooled batches are written as text: a line is cut at its
    first space to find its subject, and split whole only when its batch is read back (splitting costs
    more than writing and reading text; marshalled key triples were slower still to read)."""

    def __init__(self, count: int, folder: Path) -> None:
        self.count = count
        self.single: list[KeyTriple] = []
        self.pending: list[list[str]] = [[] for _ in range(count)]
        self.pending_size = 0
        self.files = [folder / f"batch-{i}.nt" for i in range(count)] if count > 1 else []
        self.shared: dict[str, dict[str, set[str]]] = {}

    def add(self, text: str, blank_prefix: str | None) -> int:
        """Add a chunk of canonical N-Triples; returns how many triples it held."""
        lines = text.split("\n")
        lines.pop()  # the text ends with a newline
        if blank_prefix is not None and "_:" in text:
            lines = [_renamed_line(line, blank_prefix) if "_:" in line else line for line in lines]
        if self.count == 1:
            self.single.extend(_split(lines))
            return len(lines)
        pending, count, shared, shared_keys = self.pending, self.count, self.shared, _SHARED_KEYS
        for line in lines:
            end_of_subject = line.find(" ")
            subject = line[:end_of_subject]
            pending[hash(subject) % count].append(line)
            end_of_predicate = line.find(" ", end_of_subject + 1)
            predicate = line[end_of_subject + 1:end_of_predicate]
            if predicate in shared_keys:
                shared.setdefault(subject, {}).setdefault(predicate, set()).add(line[end_of_predicate + 1:-2])
        self.pending_size += len(lines)
        if self.pending_size >= SPOOL_FLUSH:
            self.flush()
        return len(lines)

    def flush(self) -> None:
        for bucket, file in zip(self.pending, self.files, strict=True):
            if bucket:
                with file.open("a", encoding="utf-8") as handle:
                    handle.write("\n".join(bucket))
                    handle.write("\n")
                bucket.clear()
        self.pending_size = 0

    def batches(self) -> Iterator[list[KeyTriple]]:
        if self.count == 1:
            triples, self.single = self.single, []
            yield triples
            return
        self.flush()
        for file in self.files:
            if file.exists():
                lines = file.read_text(encoding="utf-8").split("\n")
                file.unlink()
                lines.pop()
                if lines:
                    yield _split(lines)


def _split(lines: list[str]) -> list[KeyTriple]:
    """Key triples of canonical N-Triples lines (``S P O .``: IRIs and blank-node labels hold no space)."""
    triples = []
    append = triples.append
    for line in lines:
        subject, predicate, rest = line.split(" ", 2)
        append((subject, predicate, rest[:-2]))  # rest ends with " ."
    return triples


def _renamed_line(line: str, prefix: str) -> str:
    subject, predicate, rest = line.split(" ", 2)
    return f"{_renamed_key(subject, prefix)} {predicate} {_renamed_key(rest[:-2], prefix)} ."


def _renamed_key(key: str, prefix: str) -> str:
    return prefix + key[2:] if key[0] == "_" else key


def _ntriples_chunks(path: Path, fmt: str) -> Iterator[str]:
    """The file's triples as canonical N-Triples text (as Oxigraph writes it), in chunks.

    Oxigraph parses (strictly: a syntax error names the line) and writes the text. Quads lose their
    graph name: the input is validated as the union of its graphs."""
    nt = ox.RdfFormat.N_TRIPLES
    try:
        with _open(path) as handle:
            if fmt in ("nt", "nquads"):
                line = 0
                while True:
                    chunk = handle.read(LINE_CHUNK_BYTES)
                    if not chunk:
                        break
                    chunk += handle.readline()  # end at the end of a line: N-Triples has one triple a line
                    try:
                        quads = ox.parse(chunk, format=OX_FORMATS[fmt])
                        text = ox.serialize((q.triple for q in quads) if fmt == "nquads" else quads, format=nt)
                    except SyntaxError as exc:
                        message = _LINE_NUMBER.sub(lambda m, lines_before=line: f"line {int(m.group(1)) + lines_before}",
                                                   str(exc))
                        raise InputError(f"{path}: not valid {fmt}: {message}") from exc
                    line += chunk.count(b"\n")
                    if text:
                        yield text.decode("utf-8")
            else:
                quads = ox.parse(input=handle, format=OX_FORMATS[fmt], base_iri=path.resolve().as_uri())
                while True:
                    triples = [q.triple for q in itertools.islice(quads, QUAD_CHUNK)]
                    if not triples:
                        break
                    yield ox.serialize(triples, format=nt).decode("utf-8")  # type: ignore[union-attr]
    except SyntaxError as exc:
        raise InputError(f"{path}: not valid {fmt}: {exc}") from exc
    except (OSError, EOFError, zlib.error) as exc:
        raise InputError(f"{path}: cannot read: {exc}") from exc


def _open(path: Path) -> IO[bytes]:
    if estimated_bytes(path) != path.stat().st_size:
        return gzip.open(path, "rb")  # type: ignore[return-value]
    return open(path, "rb")


def _scratch_store(triples: list[KeyTriple]) -> tuple[ox.Store, dict[str, list[object]]]:
    """The batch and the ontology in an Oxigraph store, with the typed literals it stores in another
    form: for SHACL-SPARQL constraints and the shapes the plan hands to pySHACL, made only when they
    have a focus node in the batch."""
    from odlm_kg.validate.shapes import ontology_graph
    from odlm_kg.validate.sparql_engine import canonical_oxigraph_literals, is_typed, store_from_graphs

    store, literals = store_from_graphs(ontology_graph())
    text = "".join(f"{s} {p} {o} .\n" for s, p, o in triples).encode("utf-8")
    quads = list(ox.parse(text, format=ox.RdfFormat.N_TRIPLES))  # parse, not load: it keeps blank-node labels
    literals.update(canonical_oxigraph_literals(q.object for q in quads if is_typed(q.object)))
    store.bulk_extend(quads)
    return store, literals  # type: ignore[return-value]


def check_xml_document(path: Path) -> None:
    """Read RDF/XML through expat to its end: a truncated or otherwise not well-formed document is an
    :class:`InputError` (Oxigraph's RDF/XML parser accepts a document cut off mid-element, and
    the data would then "conform"). The DTD gets the rules of :func:`odlm_kg.rdf_formats.check_rdfxml`
    (no external, parameter or nested entities); that function reads the document whole and stops at
    its root element, this one streams the file to its end, so a large file stays out of memory."""
    import xml.parsers.expat

    parser = xml.parsers.expat.ParserCreate()
    parser.SetParamEntityParsing(xml.parsers.expat.XML_PARAM_ENTITY_PARSING_NEVER)

    def entity(name: str, is_parameter: int, value: str | None, base: str | None, system_id: str | None,
               public_id: str | None, notation: str | None) -> None:
        if is_parameter or value is None or system_id or public_id or notation or "&" in value or "%" in value:
            raise InputError(f"{path}: RDF/XML declares the entity {name!r} in a form that is refused "
                             "(external, parameter or nested entities)")

    def external(context: str, base: str | None, system_id: str | None, public_id: str | None) -> int:
        raise InputError(f"{path}: RDF/XML refers to the external resource {system_id!r}; that is refused")

    parser.EntityDeclHandler = entity
    parser.ExternalEntityRefHandler = external
    try:
        with _open(path) as handle:
            while chunk := handle.read(2**20):
                parser.Parse(chunk, False)
            parser.Parse(b"", True)
    except xml.parsers.expat.ExpatError as exc:
        raise InputError(f"{path}: not well-formed RDF/XML: {exc} (is the file complete?)") from exc
    except (OSError, EOFError, zlib.error) as exc:
        raise InputError(f"{path}: cannot read: {exc}") from exc


def _stream(path: Path, fmt: str) -> Iterator[ox.Quad]:
    """Triples (or quads) of a file as Oxigraph parses them, without reading it whole."""
    opener = gzip.open if estimated_bytes(path) != path.stat().st_size else open
    try:
        with opener(path, "rb") as handle:  # type: ignore[operator]
            yield from ox.parse(input=io.BufferedReader(handle), format=OX_FORMATS[fmt],  # type: ignore[arg-type]
                                base_iri=path.resolve().as_uri())
    except SyntaxError as exc:
        raise InputError(f"{path}: not valid {fmt}: {exc}") from exc
    except (OSError, EOFError) as exc:
        raise InputError(f"{path}: cannot read: {exc}") from exc


def bucket_of(term: object, buckets: int) -> int:
    return zlib.crc32(str(term).encode("utf-8")) % buckets


def _renamed(term: object, prefix: str) -> object:
    return ox.BlankNode(prefix + term.value) if isinstance(term, ox.BlankNode) else term  # type: ignore[attr-defined]


def _validate_in_one_store(paths: Sequence[Path], layers: Sequence[str], *, input_format: str | None,
                           max_results: int | None) -> ValidationReport:
    """Files that fit in memory: parsed by Oxigraph into one store with the ontology, then validated."""
    from odlm_kg.validate import fast_validator
    from odlm_kg.validate.shapes import cached_shapes_graph, ontology_graph, shape_labels
    from odlm_kg.validate.sparql_engine import canonical_oxigraph_literals, is_typed, store_from_graphs

    shapes = cached_shapes_graph(layers)
    validator = fast_validator(shapes, tuple(layers))
    store, literals = store_from_graphs(ontology_graph())
    typed: list[ox.Literal] = []

    def triples(number: int, path: Path) -> Iterator[ox.Quad]:
        prefix = f"f{number}x"  # blank-node labels are local to their file
        fmt = _format(path, input_format)
        count = 0
        for quad in _stream(path, fmt):
            count += 1
            obj = quad.object
            if is_typed(obj):
                typed.append(obj)
            if len(paths) > 1 or quad.graph_name != ox.DefaultGraph():
                yield ox.Quad(_renamed(quad.subject, prefix), quad.predicate,  # type: ignore[arg-type]
                              _renamed(obj, prefix))  # type: ignore[arg-type]
            else:
                yield quad
        if count == 0:
            raise InputError(f"{path} holds no triples; expected RDF in {fmt} syntax")

    for number, path in enumerate(paths):
        store.bulk_extend(triples(number, path))
    literals.update(canonical_oxigraph_literals(typed))
    # roots handed to pySHACL get an rdflib copy of the store only if they have focus nodes
    results = validator.run(store, data=None, ontology=None, literals=literals)
    return ValidationReport.from_results(results, max_results=max_results, shape_labels=shape_labels(shapes),
                                         layers=tuple(layers), engine="sparql")


def _validate_in_batches(paths: Sequence[Path], layers: Sequence[str], buckets: int, *,
                         input_format: str | None, engine: str, inference: str,
                         max_results: int | None) -> ValidationReport:
    from odlm_kg.validate import as_triples_graph, fast_validator, validate
    from odlm_kg.validate.shapes import cached_shapes_graph, ontology_graph, shape_labels
    from odlm_kg.validate.sparql_engine import canonical_oxigraph_literals, is_typed, store_from_graphs

    type_predicates = SHARED_PREDICATES
    results: list[ValidationResult] = []
    with tempfile.TemporaryDirectory(prefix="odlm-validate-") as tmp:
        files = [open(Path(tmp) / f"batch-{i}.nt", "w", encoding="utf-8") for i in range(buckets)]  # noqa: SIM115
        types = open(Path(tmp) / "types.nt", "w", encoding="utf-8")  # noqa: SIM115
        try:
            for number, path in enumerate(paths):
                prefix = f"_:f{number}x"  # blank-node labels are local to their file
                fmt = _format(path, input_format)
                count = 0
                for quad in _stream(path, fmt):
                    count += 1
                    subject = str(quad.subject).replace("_:", prefix, 1) if isinstance(
                        quad.subject, ox.BlankNode) else str(quad.subject)
                    obj = str(quad.object).replace("_:", prefix, 1) if isinstance(
                        quad.object, ox.BlankNode) else str(quad.object)
                    line = f"{subject} {quad.predicate} {obj} .\n"
                    files[bucket_of(subject, buckets)].write(line)
                    if quad.predicate.value in type_predicates:
                        types.write(line)
                if count == 0:
                    raise InputError(f"{path} holds no triples; expected RDF in {fmt} syntax")
        finally:
            for handle in [*files, types]:
                handle.close()
        shapes = cached_shapes_graph(layers)
        ontology = ontology_graph()
        validator = fast_validator(shapes, tuple(layers))
        type_text = (Path(tmp) / "types.nt").read_bytes()
        for index in range(buckets):
            batch_path = Path(tmp) / f"batch-{index}.nt"
            if engine in ("pyshacl", "memory") or inference != "none":
                # our own N-Triples (written above from Oxigraph's parse), read the one way user RDF is read
                data = parse_untrusted(batch_path.read_bytes(), "nt")
                parse_untrusted(type_text, "nt", into=data)
                report = validate(as_triples_graph(data), layers, engine=engine, inference=inference)
                batch_results = report.results
            else:
                store, literals = store_from_graphs(ontology)
                quads = list(ox.parse(path=str(batch_path), format=ox.RdfFormat.N_TRIPLES))
                typed = [q.object for q in quads if is_typed(q.object)]
                literals.update(canonical_oxigraph_literals(typed))
                store.bulk_extend(quads)
                # parse (which keeps blank-node labels), not Store.load (which renames them)
                store.bulk_extend(ox.parse(type_text, format=ox.RdfFormat.N_TRIPLES))
                batch_results = validator.run(store, data=None, ontology=None, literals=literals)
            results.extend(r for r in batch_results
                           if bucket_of(_nt(r.focus_node), buckets) == index)
            del batch_results
    return ValidationReport.from_results(
        results, max_results=max_results, shape_labels=shape_labels(shapes), layers=tuple(layers),
        engine=f"{engine} in {buckets} batches" if buckets > 1 else engine,
        notes=[BATCHING_LIMITS] if buckets > 1 else [])


def _nt(term: object) -> str:
    """The N-Triples form Oxigraph writes for a term (what the batches were hashed on)."""
    from odlm_kg.store.oxigraph import to_oxigraph

    return str(to_oxigraph(term))  # type: ignore[arg-type]
