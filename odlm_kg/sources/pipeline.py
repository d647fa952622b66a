"""The one loading pipeline every source shares (DESIGN §4):

    records → map to RDF (per record) → validate the batch (SHACL) → write the batch (one transaction)

Guarantees, and how they are kept:

- *Nothing of an unreadable file is written.* Before anything is written, every input file is read
  once through the source's reader (a check pass that also counts the records for the progress bar
  and computes each file's SHA-256). A file that is not UTF-8, not JSON, truncated or otherwise
  unreadable stops the run there with an :class:`~odlm_kg.errors.InputError` naming file and position.
- *``--strict`` writes nothing when a record is rejected.* Batches go to a staging named graph and are
  moved into the source's graph by one SPARQL Update at the end; the first rejection drops the staging
  graph and raises :class:`~odlm_kg.errors.ProblemsFound` (exit 1).
- *Otherwise a bad record does not stop the run:* it is written to the reject file (JSON Lines:
  ``file``, ``record``, ``field``, ``reason``) and the run goes on.
- *Stable IRIs:* mappers derive IRIs from natural keys, so loading the same input twice leaves the
  source's graph unchanged (the provenance graph gains one more load run).
- *Flat memory:* records stream through; only one batch is held at a time.
"""

from __future__ import annotations

import json
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import PROV, RDF, RDFS, XSD
from rdflib.term import Node

from odlm_kg import __version__
from odlm_kg.errors import InputError, ProblemsFound, located
from odlm_kg.namespaces import ODLM, ONTOLOGY_VERSION, graph_iri, instance_iri
from odlm_kg.sources.base import Record, RecordError, Source, Triple, sha256_of
from odlm_kg.store.base import Store

DEFAULT_BATCH_SIZE = 1000
PROVENANCE_GRAPH = graph_iri("provenance")

#: Exceptions a mapper may raise on an unexpected shape of input (a list where a string was expected…);
#: they reject the record like a RecordError instead of stopping the run.
MAPPING_FAILURES: tuple[type[Exception], ...] = (RecordError, TypeError, ValueError, AttributeError,
                                                 KeyError, IndexError)


@dataclass
class Reject:
    """One rejected record, as written to the reject file."""

    file: str
    record: int
    field: str | None
    reason: str

    def message(self) -> str:
        return located(self.file, self.reason, record=self.record, field=self.field)


@dataclass
class LoadReport:
    """What one load run did."""

    source: str
    graph: URIRef
    run: URIRef | None = None
    files: dict[str, str] = field(default_factory=dict)  # file -> SHA-256
    read: int = 0
    written: int = 0
    rejected: int = 0
    triples: int = 0
    seconds: float = 0.0
    check_seconds: float = 0.0
    reject_reasons: Counter[str] = field(default_factory=Counter)

    @property
    def records_per_second(self) -> float:
        return self.read / self.seconds if self.seconds else 0.0


# -- N-Triples serialisation (the fast path to the store) -------------------------------------------

_ESCAPE_LITERAL = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r"})
_XSD_STRING = str(XSD.string)


def nt_term(term: Node) -> str:
    """One rdflib term in N-Triples syntax (faster than ``term.n3()`` for the common cases).

    >>> nt_term(Literal('say "hi"\\n', lang="en"))
    '"say \\\\"hi\\\\"\\\\n"@en'
    >>> nt_term(Literal(3))
    '"3"^^<http://www.w3.org/2001/XMLSchema#integer>'
    """
    if isinstance(term, URIRef):
        return f"<{term}>"
    if isinstance(term, Literal):
        text = f'"{str(term).translate(_ESCAPE_LITERAL)}"'
        if term.language:
            return f"{text}@{term.language}"
        if term.datatype is not None and str(term.datatype) != _XSD_STRING:
            return f"{text}^^<{term.datatype}>"
        return text
    if isinstance(term, BNode):
        return f"_:{term}"
    raise TypeError(f"not an RDF term: {term!r}")


def to_ntriples(triples: Iterable[Triple]) -> str:
    return "".join(f"{nt_term(s)} {nt_term(p)} {nt_term(o)} .\n" for s, p, o in triples)


# -- validation ------------------------------------------------------------------------------------

@dataclass
class Violation:
    focus: Node
    path: str | None
    message: str


def validate_batch(graph: Graph, layers: Sequence[str]) -> list[Violation]:
    """Violations (severity sh:Violation only) of ``graph`` against the shape layers
    (:func:`odlm_kg.validate.validate`)."""
    if not layers:
        return []
    from odlm_kg.validate import validate

    report = validate(graph, layers=layers)
    return [Violation(r.focus_node, _local_name(r.result_path), str(r.message)) for r in report.violations]


class BatchValidator:
    """Validates batches given as N-Triples text, without building an rdflib graph.

    The batch and the ontology (with its vocabularies) are loaded by Oxigraph's own parser into a
    scratch store, and the validation package's compiled shapes (the engine behind
    ``validate(..., engine="sparql")``) run over it: the same shapes and the same engine as
    :func:`validate_batch`, minus the cost of building rdflib graphs (a test checks both agree).
    Falls back to :func:`validate_batch` when some shapes need pySHACL.
    """

    def __init__(self, layers: Sequence[str]) -> None:
        self.layers = tuple(layers)
        self.fast = False
        if not self.layers:
            return
        from odlm_kg.validate import fast_validator
        from odlm_kg.validate.shapes import cached_shapes_graph, ontology_graph
        from odlm_kg.validate.sparql_engine import canonical_literals

        self._validator = fast_validator(cached_shapes_graph(self.layers), self.layers)
        if getattr(self._validator, "plan", None) is not None and self._validator.plan.fallback_roots:
            return  # some shapes need pySHACL and an rdflib graph: take the general path
        self._canonical_literals = canonical_literals
        self._ontology_nt = to_ntriples(ontology_graph()).encode("utf-8")
        self.fast = True

    def violations(self, text: str, triples: Iterable[Triple]) -> list[Violation]:
        if not self.layers:
            return []
        if not self.fast:
            graph = Graph()
            for triple in triples:
                graph.add(triple)
            return validate_batch(graph, self.layers)
        import pyoxigraph as ox

        from odlm_kg.namespaces import SH

        store = ox.Store()
        store.load(self._ontology_nt, ox.RdfFormat.N_TRIPLES, to_graph=ox.DefaultGraph())
        store.load(text.encode("utf-8"), ox.RdfFormat.N_TRIPLES, to_graph=ox.DefaultGraph())
        typed = {o for _, _, o in triples if isinstance(o, Literal) and o.datatype is not None
                 and str(o.datatype) != _XSD_STRING}
        results = self._validator.run(store, data=None, ontology=None, literals=self._canonical_literals(typed))
        return [Violation(r.focus_node, _local_name(r.result_path), str(r.message))
                for r in results if r.severity == SH.Violation]


def _local_name(path: object) -> str | None:
    if path is None:
        return None
    text = str(path)
    return text.rsplit("#", 1)[-1].rsplit("/", 1)[-1] if isinstance(path, URIRef) else text


# -- the run ---------------------------------------------------------------------------------------

class _RejectSink:
    """Collects rejects: counts them, writes each to the reject file at once, and stops under strict."""

    def __init__(self, reject_file: Path | None, strict: bool, report: LoadReport) -> None:
        try:
            self.handle: IO[str] | None = open(reject_file, "w", encoding="utf-8") if reject_file else None  # noqa: SIM115
        except OSError as exc:
            raise InputError(located(reject_file, f"cannot write the reject file: {exc.strerror or exc}")) from exc
        self.strict = strict
        self.report = report

    def add(self, reject: Reject) -> None:
        self.report.rejected += 1
        self.report.reject_reasons[reject.reason if len(reject.reason) < 120 else reject.reason[:117] + "..."] += 1
        if self.handle is not None:
            self.handle.write(json.dumps({"file": reject.file, "record": reject.record, "field": reject.field,
                                          "reason": reject.reason}, ensure_ascii=False) + "\n")
            self.handle.flush()
        if self.strict:
            raise ProblemsFound(f"rejected (--strict, nothing written): {reject.message()}")

    def close(self) -> None:
        if self.handle is not None:
            self.handle.close()


def _map(source: Source, record: Record) -> tuple[list[Triple] | None, Reject | None]:
    try:
        return list(source.map_record(record)), None
    except MAPPING_FAILURES as exc:
        if isinstance(exc, RecordError):
            return None, Reject(str(record.file), record.position, exc.field, exc.reason)
        return None, Reject(str(record.file), record.position, None,
                            f"cannot map the record ({type(exc).__name__}: {exc})")


class _Batch:
    def __init__(self) -> None:
        self.records: list[Record] = []
        self.triples: list[list[Triple]] = []

    def __len__(self) -> int:
        return len(self.records)

    def add(self, record: Record, triples: list[Triple]) -> None:
        self.records.append(record)
        self.triples.append(triples)


def _write_batch(store: Store, batch: _Batch, graph: URIRef, sink: _RejectSink, report: LoadReport,
                 validator: BatchValidator, bulk: bool = False) -> None:
    unique: set[Triple] = set()
    for triples in batch.triples:
        unique.update(triples)
    text = to_ntriples(unique)
    if validator.layers:
        violations = validator.violations(text, unique)
        if violations:
            owners: dict[Node, list[int]] = {}
            for index, triples in enumerate(batch.triples):
                for subject in {s for s, _, _ in triples}:
                    owners.setdefault(subject, []).append(index)
            bad: dict[int, Violation] = {}
            for violation in violations:
                for index in owners.get(violation.focus, ()):
                    bad.setdefault(index, violation)
            for index, violation in sorted(bad.items()):
                record = batch.records[index]
                sink.add(Reject(str(record.file), record.position, violation.path,
                                f"fails validation: {violation.message} (at {violation.focus})"))
            unique = set()
            for index, triples in enumerate(batch.triples):
                if index not in bad:
                    unique.update(triples)
            text = to_ntriples(unique)
            report.written -= len(bad)
    if unique:
        native = getattr(store, "native", None)
        if bulk and native is not None:
            import pyoxigraph as ox

            native.bulk_load(text.encode("utf-8"), ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(str(graph)))
        else:
            store.load_text(text, "nt", graph)
    report.written += len(batch)
    report.triples += len(unique)


def _check_files(source: Source, paths: Sequence[Path], report: LoadReport,
                 on_record: Callable[[], None] | None = None) -> int:
    """Read every input once without writing; raises InputError on the first unreadable file."""
    total = 0
    for path in paths:
        seen: set[Path] = set()
        for record in source.read(Path(path)):
            total += 1
            if record.file not in seen:
                seen.add(record.file)
                report.files[str(record.file)] = ""
            if on_record is not None:
                on_record()
        if Path(path).is_file():
            report.files.setdefault(str(path), "")
    for name in report.files:
        report.files[name] = sha256_of(Path(name))
    return total


def _progress(enabled: bool) -> Any:
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        ProgressColumn,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )
    from rich.text import Text

    from odlm_kg.cli.context import err_console

    class RateColumn(ProgressColumn):
        def render(self, task: Any) -> Text:
            speed = task.finished_speed or task.speed
            return Text(f"{speed:,.0f} records/s" if speed else "… records/s")

    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), RateColumn(),
                    TimeElapsedColumn(), TimeRemainingColumn(), console=err_console, disable=not enabled,
                    transient=False)


def run_load(
    store: Store,
    source: Source,
    paths: Sequence[Path | str],
    *,
    strict: bool = False,
    reject_file: Path | str | None = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
    progress: bool = True,
    check_first: bool = True,
    classify: bool = True,
    bulk: bool = False,
) -> LoadReport:
    """Load ``paths`` through ``source`` into ``store`` and record the run in the provenance graph.

    Raises InputError (nothing written) for an unreadable file, ProblemsFound (nothing written) for the
    first rejected record under ``strict``.

    ``bulk=True`` (embedded Oxigraph only) writes each batch with Oxigraph's bulk loader instead of a
    transaction: about twice as fast on disk, but a crash in the middle of a batch can leave part of that
    batch written (loading the same input again completes it, IRIs being stable). Everything else,
    including "nothing written for unreadable input" and strict mode, is unchanged.
    """
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    started_at = datetime.now(UTC)
    started = time.perf_counter()
    report = LoadReport(source.name, source.graph)
    run_key = f"{source.name}/{started_at:%Y%m%dT%H%M%S%f}-{uuid.uuid4().hex[:8]}"
    report.run = instance_iri("run", run_key)
    paths = [Path(p) for p in paths]

    with _progress(progress) as bar:
        total: int | None = None
        if check_first:
            check = bar.add_task(f"checking {source.name} input", total=None)
            total = _check_files(source, paths, report, lambda: bar.advance(check))
            bar.update(check, visible=False)
        report.check_seconds = time.perf_counter() - started
        target = graph_iri(f"staging/{run_key}") if strict else source.graph
        sink = _RejectSink(Path(reject_file) if reject_file else None, strict, report)
        validator = BatchValidator(source.layers)
        task = bar.add_task(f"loading {source.name}", total=total)
        try:
            batch = _Batch()
            for record in _records(source, paths):
                report.read += 1
                triples, reject = _map(source, record)
                if reject is not None:
                    sink.add(reject)
                else:
                    batch.add(record, triples)  # type: ignore[arg-type]
                if len(batch) >= batch_size:
                    _write_batch(store, batch, target, sink, report, validator, bulk)
                    batch = _Batch()
                bar.advance(task)
            if len(batch):
                _write_batch(store, batch, target, sink, report, validator, bulk)
            if strict:
                store.update(f"ADD SILENT GRAPH <{target}> TO GRAPH <{source.graph}> ;\n"
                             f"DROP SILENT GRAPH <{target}>")
        except BaseException:
            if strict:
                store.update(f"DROP SILENT GRAPH <{target}>")
            raise
        finally:
            sink.close()
    if not check_first:
        for record_file in list(report.files):
            report.files[record_file] = sha256_of(Path(record_file))
    if classify and report.written:
        from odlm_kg.classify import classify_open_models

        classify_open_models(store)
    report.seconds = time.perf_counter() - started
    store.load_text(to_ntriples(provenance_triples(report, started_at, datetime.now(UTC))), "nt",
                    PROVENANCE_GRAPH)
    return report


def _records(source: Source, paths: Sequence[Path]) -> Iterator[Record]:
    for path in paths:
        yield from source.read(path)


def provenance_triples(report: LoadReport, started_at: datetime, ended_at: datetime) -> list[Triple]:
    """The load run as a ``odlm:LoadRun, prov:Activity`` with its input files and counts."""
    run = report.run
    assert run is not None
    triples: list[Triple] = [
        (run, RDF.type, ODLM.LoadRun),
        (run, RDF.type, PROV.Activity),
        (run, RDFS.label, Literal(f"load {report.source} {started_at:%Y-%m-%dT%H:%M:%SZ}")),
        (run, ODLM.loader, Literal(report.source)),
        (run, PROV.startedAtTime, Literal(started_at.isoformat(), datatype=XSD.dateTime)),
        (run, PROV.endedAtTime, Literal(ended_at.isoformat(), datatype=XSD.dateTime)),
        (run, ODLM.softwareVersion, Literal(__version__)),
        (run, ODLM.ontologyVersion, Literal(ONTOLOGY_VERSION)),
        (run, ODLM.recordsRead, Literal(report.read, datatype=XSD.integer)),
        (run, ODLM.recordsWritten, Literal(report.written, datatype=XSD.integer)),
        (run, ODLM.recordsRejected, Literal(report.rejected, datatype=XSD.integer)),
        (run, ODLM.triplesWritten, Literal(report.triples, datatype=XSD.integer)),
        (run, PROV.generated, report.graph),
    ]
    for name, digest in report.files.items():
        file = instance_iri("file", digest)
        triples += [
            (run, ODLM.inputFile, file),
            (run, PROV.used, file),
            (file, RDF.type, ODLM.InputFile),
            (file, RDF.type, PROV.Entity),
            (file, RDFS.label, Literal(Path(name).name)),
            (file, ODLM.sha256, Literal(digest)),
        ]
    return triples


def check_readable(source: Source, paths: Sequence[Path | str]) -> int:
    """Read every input once and return the number of records; InputError when one cannot be read."""
    return _check_files(source, [Path(p) for p in paths], LoadReport(source.name, source.graph))
