"""Validate RDF files: small ones in memory, large ones in batches of subjects, never the store.

A file is *large* when its (uncompressed) size is over :data:`LARGE_FILE_BYTES`, or when a batch size
is asked for. It is then read once by Oxigraph's streaming parser, its triples are spread over
temporary N-Triples files by a hash of their subject (all of a subject's triples land in one batch),
and every ``rdf:type``, ``rdfs:subClassOf`` and ``odlm:opennessClass`` triple is kept aside and added
to every batch, so ``sh:class`` and ``sh:targetClass`` still see the types of nodes described in
other batches, and the open-model rule still sees the openness of licences. A result
is kept only from the batch that holds its focus node's own triples.

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

import gzip
import io
import tempfile
import zlib
from collections.abc import Iterator, Sequence
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph
from rdflib.namespace import RDF, RDFS

from odlm_kg.errors import InputError
from odlm_kg.rdf_formats import guess_format, normalise_format, read_graph
from odlm_kg.store.oxigraph import OX_FORMATS
from odlm_kg.validate.report import ValidationReport, ValidationResult

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
        parsed = as_triples_graph(read_graph(path, _format(path, input_format)))
        if len(union) == 0:
            union = parsed
        else:
            union += parsed
    return union


def validate_files(paths: Sequence[Path], layers: Sequence[str], *, input_format: str | None = None,
                   engine: str = "auto", inference: str = "none", max_results: int | None = None,
                   batch_triples: int | None = None) -> ValidationReport:
    """Validate the union of ``paths``; in batches when they are large or ``batch_triples`` is given."""
    from odlm_kg.validate import validate

    paths = [Path(p) for p in paths]
    for path in paths:
        if not path.is_file():
            raise InputError(f"{path}: no such file")
        _format(path, input_format)  # unknown syntax is an input error before any work
    total = sum(estimated_bytes(p) for p in paths)
    if batch_triples is None and total <= LARGE_FILE_BYTES:
        if engine in ("pyshacl", "memory") or inference != "none":
            return validate(read_files(paths, input_format), layers, engine=engine, inference=inference,
                            max_results=max_results)
        # the fast path reads the files with Oxigraph's parser straight into its store
        return _validate_in_one_store(paths, layers, input_format=input_format, max_results=max_results)
    batch_triples = batch_triples or DEFAULT_BATCH_TRIPLES
    buckets = max(1, -(-total // (BYTES_PER_TRIPLE * batch_triples)))
    return _validate_in_batches(paths, layers, buckets, input_format=input_format, engine=engine,
                                inference=inference, max_results=max_results)


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
        for quad in _stream(path, _format(path, input_format)):
            obj = quad.object
            if is_typed(obj):
                typed.append(obj)
            if len(paths) > 1 or quad.graph_name != ox.DefaultGraph():
                yield ox.Quad(_renamed(quad.subject, prefix), quad.predicate,  # type: ignore[arg-type]
                              _renamed(obj, prefix))  # type: ignore[arg-type]
            else:
                yield quad

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
                for quad in _stream(path, _format(path, input_format)):
                    subject = str(quad.subject).replace("_:", prefix, 1) if isinstance(
                        quad.subject, ox.BlankNode) else str(quad.subject)
                    obj = str(quad.object).replace("_:", prefix, 1) if isinstance(
                        quad.object, ox.BlankNode) else str(quad.object)
                    line = f"{subject} {quad.predicate} {obj} .\n"
                    files[bucket_of(subject, buckets)].write(line)
                    if quad.predicate.value in type_predicates:
                        types.write(line)
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
                data = Graph().parse(batch_path, format="nt")
                data.parse(data=type_text, format="nt")
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
