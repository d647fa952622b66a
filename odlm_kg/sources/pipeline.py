"""The one loading pipeline every source shares (DESIGN §4):

    records → map to RDF (per record) → validate the batch (SHACL) → write the batch (all or nothing)

Mapping and validation (:mod:`odlm_kg.sources.batches`) run in worker processes for large inputs, so
they overlap with reading and writing; this module reads, writes, counts and records provenance.

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
- *A re-loaded record replaces:* for a source whose records each describe one artifact whole (the
  platforms' API records: ``replaces_artifacts``), every write first deletes, in the source's graph,
  the triples whose subject is the artifact of one of its records (the record's first subject) and
  those of the artifact's qualified derivations, then adds the new ones: a relicensed model keeps only
  its new licence, a model whose gating or lineage changed says only what it says now. Dated metric
  observations are nodes of their own (``odlm:observedArtifact``), so they accumulate. A load into an
  empty graph deletes nothing (and pays nothing). Under ``--strict`` the deletes run in the same
  update that moves the staging graph in.
- *Each write is all or nothing:* validated batches are spooled to a temporary file and written
  every ``store.bulk_write_bytes`` by :meth:`Store.append_file` (Oxigraph's bulk loader, whose load
  commits at its end, or one Graph Store request on a remote store), in a thread of its own so that
  reading and preparing go on meanwhile. A failed write stops the run; the spool is deleted.
- *Flat memory:* records stream through; at most a few batches are held at a time, and a write's
  text is on disk, not in memory.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from rdflib import BNode, Literal, URIRef
from rdflib.namespace import PROV, RDF, RDFS

from odlm_kg import __version__
from odlm_kg.errors import InputError, ProblemsFound, located
from odlm_kg.namespaces import ODLM, ONTOLOGY_VERSION, graph_iri, instance_iri
from odlm_kg.provenance import activity_triples, count, started_triples
from odlm_kg.sources.base import Record, Source, Triple, sha256_of
from odlm_kg.sources.batches import (
    BatchPreparer,
    PreparedBatch,
    PreparerPool,
    Reject,
    collector_paused,
    default_workers,
    picklable,
    replaces_artifacts,
    to_ntriples,
)
from odlm_kg.store.base import Store

DEFAULT_BATCH_SIZE = 1000
PROVENANCE_GRAPH = graph_iri("provenance")


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
    #: the written batches' triples, each batch's distinct triples summed: a triple several batches use
    #: (an owner's account, a dataset, a licence) counts once in each, so this exceeds what the graph
    #: gained (recorded as ``odlm:triplesWritten``)
    triples: int = 0
    #: triples in the loaded graph once the run has written (None when nothing was written)
    graph_triples: int | None = None
    seconds: float = 0.0
    check_seconds: float = 0.0
    #: time spent deleting what earlier loads said about the re-loaded artifacts (in the writer thread)
    replace_seconds: float = 0.0
    reject_reasons: Counter[str] = field(default_factory=Counter)

    @property
    def records_per_second(self) -> float:
        return self.read / self.seconds if self.seconds else 0.0


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
    workers: int | None = None,
    refresh_cube: bool = True,
) -> LoadReport:
    """Load ``paths`` through ``source`` into ``store`` and record the run in the provenance graph.

    Raises InputError (nothing written) for an unreadable file, ProblemsFound (nothing written) for the
    first rejected record under ``strict``.

    ``workers``: processes that map and validate batches while this one reads and writes. ``None``
    chooses: :func:`~odlm_kg.sources.batches.default_workers` when the input holds at least
    :data:`PARALLEL_MIN_RECORDS` records (starting a worker costs about two seconds), else none.
    ``1`` or ``0``: everything in this process. The graph written is the same either way.

    ``refresh_cube``: recompute the comparison cube's observations of the loaded graph afterwards
    (:mod:`odlm_kg.evidence.cube`).
    """
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    started_at = datetime.now(UTC)
    started = time.perf_counter()
    report = LoadReport(source.name, source.graph)
    run_key = f"{source.name}/{started_at:%Y%m%dT%H%M%S%f}-{uuid.uuid4().hex[:8]}"
    report.run = instance_iri("run", run_key)
    paths = [Path(p) for p in paths]

    run = report.run
    run_folder: RunFolder | None = None
    recorded = False
    try:
        with _progress(progress) as bar:
            total: int | None = None
            starter = _EarlyPool(workers, batch_size, source)
            if check_first:
                check = bar.add_task(f"checking {source.name} input", total=None)
                checked = 0

                def counted() -> None:
                    nonlocal checked
                    checked += 1
                    if checked % CHECK_PROGRESS_STEP == 0:
                        bar.advance(check, CHECK_PROGRESS_STEP)
                    starter.counted(checked)

                try:
                    total = _check_files(source, paths, report, counted)
                except BaseException:
                    starter.close()
                    raise
                bar.update(check, visible=False)
            report.check_seconds = time.perf_counter() - started
            target = graph_iri(f"staging/{run_key}") if strict else source.graph
            sink = _RejectSink(Path(reject_file) if reject_file else None, strict, report)
            task = bar.add_task(f"loading {source.name}", total=total)
            # the run's record comes before its first write: a run killed outright stays "started"
            run_folder = RunFolder.create()
            store.load_text(to_ntriples(started_triples(run, ODLM.LoadRun, f"load {source.name}", started_at,
                                                        source.graph)), "nt", PROVENANCE_GRAPH)
            recorded = True

            # a first load into a new graph has nothing to replace: it skips the deletes altogether
            replace_in = source.graph if replaces_artifacts(source) and _has_triples(store, source.graph) else None
            writer = _BatchWriter(store, target, sink, report, lambda n: bar.advance(task, n), total,
                                  replace_in=replace_in, defer_replace=strict, spool_dir=run_folder.path)
            pool = starter.pool
            if pool is None:
                count = _worker_count(workers, total, batch_size, source)
                pool = PreparerPool(source, count) if count > 1 else None
            preparer = None if pool is not None else BatchPreparer(source)
            try:
                with collector_paused():  # the preparer collects every few batches (see collector_paused)
                    _feed(_batches(source, paths, batch_size, report), pool, preparer, writer)
                writer.flush()
                if strict:
                    # one update: the replaced artifacts' earlier triples go as the staged ones come in
                    store.update("".join(replace_updates(source.graph, writer.deferred_artifacts))
                                 + f"ADD SILENT GRAPH <{target}> TO GRAPH <{source.graph}> ;\n"
                                   f"DROP SILENT GRAPH <{target}>")
            except BaseException:
                writer.discard()  # no write may land after the staging graph is dropped
                if strict:
                    store.update(f"DROP SILENT GRAPH <{target}>")
                raise
            finally:
                report.replace_seconds = writer.replace_seconds
                if pool is not None:
                    pool.close()
                sink.close()
        for record_file in list(report.files):
            if not report.files[record_file]:
                report.files[record_file] = sha256_of(Path(record_file))
        if classify and report.written:
            from odlm_kg.classify import classify_open_models

            classify_open_models(store)
        if report.written:
            report.graph_triples = store.count(source.graph)  # 0.8 s at 10^5 Hub records
        report.seconds = time.perf_counter() - started
        # one update: the run's "started" state becomes its complete record
        store.update(_state_removed(run) + "INSERT DATA { GRAPH <" + str(PROVENANCE_GRAPH) + "> {\n"
                     + to_ntriples(provenance_triples(report, started_at, datetime.now(UTC))) + "} }")
    except BaseException:
        if recorded:
            _record_stop(store, report, started_at, remove=strict)
        raise
    finally:
        if run_folder is not None:
            run_folder.remove()
    if refresh_cube and report.written:
        # the cube's observations computed from this graph are recomputed, never appended; after the
        # run is recorded, so they are derived from it too
        from odlm_kg.evidence.cube import refresh

        refresh(store, [source.graph])
        report.seconds = time.perf_counter() - started
    return report


def _feed(batches: Iterator[list[Record]], pool: PreparerPool | None, preparer: BatchPreparer | None,
          writer: _BatchWriter) -> None:
    """Every batch prepared (by the workers or here) and handed to the writer, in input order."""
    for batch in batches:
        if pool is not None:
            for prepared in pool.submit(batch):
                writer.add(prepared)
        else:
            writer.add(preparer.prepare(batch))  # type: ignore[union-attr]
    if pool is not None:
        for prepared in pool.drain():
            writer.add(prepared)


class _BatchWriter:
    """Takes prepared batches in input order: rejects to the sink at once, text to the store.

    The text is spooled to a temporary file (memory stays flat however large the write) and handed to
    the store as one :meth:`~odlm_kg.store.base.Store.append_file` once it reaches the store's
    ``bulk_write_bytes``. Each write runs in a thread of its own (Oxigraph's bulk loader lets go of
    Python's lock), so the loading process goes on reading records and feeding the worker processes
    meanwhile; the next write starts when the previous one has finished. A failed write is raised at
    the next call (nothing of that write is in the store).

    With ``replace_in`` (a source whose records replace, into a graph that already has triples), the
    lines of each record's artifact are held until the write, which first deletes what the graph
    says about those artifacts and their new records no longer say (:meth:`_replace`).
    """

    def __init__(self, store: Store, graph: URIRef, sink: _RejectSink, report: LoadReport,
                 advance: Callable[[int], None], expected_records: int | None = None, *,
                 replace_in: URIRef | None = None, defer_replace: bool = False,
                 spool_dir: Path | None = None) -> None:
        self.store, self.graph, self.sink, self.report, self.advance = store, graph, sink, report, advance
        self.spool_dir = spool_dir
        self.limit = store.bulk_write_bytes
        self.expected_records = expected_records
        self.limit_fitted = expected_records is None
        self.spool: IO[bytes] | None = None
        self.spool_path: Path | None = None
        self.writing: threading.Thread | None = None
        self.failure: BaseException | None = None
        #: the graph where re-loaded artifacts are replaced (None: nothing to replace); under
        #: defer_replace (--strict, writing to a staging graph) their keys are kept for the update that
        #: ends the run instead
        self.replace_in = None if defer_replace else replace_in
        self.defer_replace = defer_replace and replace_in is not None
        self.deferred_artifacts: list[str] = []
        self.pending: dict[str, str] = {}  # artifact -> its lines, for the next write
        self.pending_bytes = 0
        self.replace_seconds = 0.0

    def add(self, prepared: PreparedBatch) -> None:
        for reject in prepared.rejects:
            self.sink.add(reject)
        text = prepared.text
        if prepared.artifacts:
            if self.replace_in is None:
                if self.defer_replace:
                    self.deferred_artifacts += [artifact for artifact, _ in prepared.artifacts]
                text += "".join(lines for _, lines in prepared.artifacts)
            else:
                if any(artifact in self.pending for artifact, _ in prepared.artifacts):
                    # the same artifact twice in a run: the first record is written before the second
                    # is compared with the store, so the second replaces it rather than adding to it
                    self._start_write()
                for artifact, lines in prepared.artifacts:
                    self.pending[artifact] = lines
                    self.pending_bytes += len(lines)
        if text or self.pending:
            if self.spool is None:
                handle, name = tempfile.mkstemp(prefix="write-", suffix=".nt", dir=self.spool_dir)
                self.spool, self.spool_path = os.fdopen(handle, "wb"), Path(name)
            self.spool.write(text.encode("utf-8"))
            if not self.limit_fitted:
                self._fit_limit(prepared)
            if self.spool.tell() + self.pending_bytes >= self.limit:
                self._start_write()
        self.report.written += prepared.written
        self.report.triples += prepared.triples
        self.advance(prepared.records)

    def _fit_limit(self, first: PreparedBatch) -> None:
        """A small input would make one write at its end, after everything else: split it in about
        :data:`WRITES_AT_LEAST` writes (no smaller than :data:`SMALLEST_WRITE`) so they overlap too."""
        assert self.spool is not None and self.expected_records is not None
        self.limit_fitted = True
        expected = (self.spool.tell() + self.pending_bytes) / max(1, first.records) * self.expected_records
        self.limit = int(min(self.limit, max(SMALLEST_WRITE, expected / WRITES_AT_LEAST)))

    def flush(self) -> None:
        """Write what is pending and wait for every write to finish."""
        self._start_write()
        self.wait()

    def wait(self) -> None:
        if self.writing is not None:
            self.writing.join()
            self.writing = None
        if self.failure is not None:
            failure, self.failure = self.failure, None
            raise failure

    def discard(self) -> None:
        """After a failure: wait for a write under way, and delete what was spooled but not written."""
        with contextlib.suppress(BaseException):
            self.wait()
        if self.spool is not None:
            self.spool.close()
            self.spool = None
        if self.spool_path is not None:
            self.spool_path.unlink(missing_ok=True)
            self.spool_path = None
        self.pending, self.pending_bytes = {}, 0

    def _start_write(self) -> None:
        self.wait()
        if self.spool is None or self.spool_path is None:
            return
        self.spool.close()
        path, self.spool, self.spool_path = self.spool_path, None, None
        pending, self.pending, self.pending_bytes = self.pending, {}, 0
        self.writing = threading.Thread(target=self._write, args=(path, pending), name="odlm-kg store write",
                                        daemon=True)
        self.writing.start()

    def _write(self, path: Path, pending: dict[str, str]) -> None:
        try:
            if pending:
                self._replace(path, pending)
            self.store.append_file(path, "nt", self.graph, iris_checked=True)  # the preparers check IRIs
        except BaseException as exc:  # handed to the loading thread
            self.failure = exc
        finally:
            path.unlink(missing_ok=True)

    def _replace(self, path: Path, pending: dict[str, str]) -> None:
        """Delete what the graph says of the pending artifacts (and of their qualified derivations) that
        their new records no longer say, then add their records to the spool at ``path``.

        The comparison runs inside the store, on its encoded terms: one update per
        :data:`REPLACE_CHUNK` artifacts deletes their triples ``MINUS`` the new ones, given as a
        ``VALUES`` table. Reading the triples back as text instead costs Oxigraph a dictionary lookup
        per term, which grew to 3.8 ms per record at 10^5 records (docs/performance.md)."""
        assert self.replace_in is not None
        if not getattr(self.store, "values_in_minus", True):
            self._replace_by_reading(path, pending)
            return
        began = time.perf_counter()
        artifacts = list(pending)
        graph = self.replace_in
        with open(path, "ab") as spool:
            for start in range(0, len(artifacts), REPLACE_CHUNK):
                chunk = artifacts[start:start + REPLACE_CHUNK]
                rows: list[str] = []
                for artifact in chunk:
                    lines = pending[artifact]
                    spool.write(lines.encode("utf-8"))
                    # a blank node cannot stand in VALUES; the crawl mappers make none (stable IRIs)
                    rows += [f"({line[:-2]})" for line in lines.splitlines() if " _:" not in line]
                values = " ".join(chunk)
                self.store.update(
                    f"DELETE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }} WHERE {{\n{_artifact_triples(graph, values)}"
                    f"  MINUS {{ VALUES (?s ?p ?o) {{\n" + "\n".join(rows) + "\n} }\n}")
        self.replace_seconds += time.perf_counter() - began

    def _replace_by_reading(self, path: Path, pending: dict[str, str]) -> None:
        """:meth:`_replace` for a store that cannot compare with a ``VALUES`` table inside ``MINUS``
        (Virtuoso 7.2): the pending artifacts' triples are read back (:data:`READ_BACK_CHUNK` artifacts a
        query, below a server's usual row limit), compared here as terms, and what the new records no
        longer say is deleted with ``DELETE DATA`` in pieces of :data:`DELETE_DATA_TRIPLES`. A triple
        the server writes differently (a normalised number or date) is deleted and written again: the
        same fact."""
        import pyoxigraph as ox

        from odlm_kg.store.base import SelectResult
        from odlm_kg.store.oxigraph import to_rdflib

        assert self.replace_in is not None
        began = time.perf_counter()
        artifacts = list(pending)
        graph = self.replace_in
        with open(path, "ab") as spool:
            for start in range(0, len(artifacts), READ_BACK_CHUNK):
                chunk = artifacts[start:start + READ_BACK_CHUNK]
                text = "".join(pending[artifact] for artifact in chunk)
                spool.write(text.encode("utf-8"))
                new = {(to_rdflib(t.subject), to_rdflib(t.predicate), to_rdflib(t.object))
                       for t in ox.parse(text.encode("utf-8"), ox.RdfFormat.N_TRIPLES)}
                values = " ".join(chunk)
                old = self.store.query(f"SELECT ?s ?p ?o WHERE {{\n{_artifact_triples(graph, values)}}}")
                assert isinstance(old, SelectResult)
                # blank nodes cannot be named in DELETE DATA; the crawl mappers make none (stable IRIs)
                stale = [(row["s"], row["p"], row["o"]) for row in old.rows
                         if (row["s"], row["p"], row["o"]) not in new
                         and not any(isinstance(term, BNode) for term in row.values())]
                for piece in range(0, len(stale), DELETE_DATA_TRIPLES):
                    body = "\n".join(f"{s.n3()} {p.n3()} {o.n3()} ." for s, p, o in stale[piece:piece + DELETE_DATA_TRIPLES])
                    self.store.update(f"DELETE DATA {{ GRAPH <{graph}> {{\n{body}\n}} }}")
        self.replace_seconds += time.perf_counter() - began


def _artifact_triples(graph: URIRef, values: str) -> str:
    """The group pattern binding ``?s ?p ?o`` to the triples, in ``graph``, of the artifacts ``values``
    (N-Triples IRIs) and of their qualified derivations: what a re-loaded record replaces."""
    return (f"  {{ VALUES ?s {{ {values} }} GRAPH <{graph}> {{ ?s ?p ?o }} }}\n"
            f"  UNION {{ VALUES ?a {{ {values} }} GRAPH <{graph}> {{ ?a <{ODLM.qualifiedDerivation}> ?s . "
            f"?s ?p ?o }} }}\n")


#: Artifacts whose triples one query reads back (about 25 triples each: below Virtuoso's default row
#: limit of 10,000) when a store cannot compare inside an update.
READ_BACK_CHUNK = 200
#: Triples per ``DELETE DATA`` (Virtuoso 7.2 refuses about 1,400 and more: its SQL text limit).
DELETE_DATA_TRIPLES = 500


#: Name prefix of a run's spool folder in the temporary folder, followed by the owner's process id.
SPOOL_PREFIX = "odlm-kg-load-"


class RunFolder:
    """A run's own folder for its spool files, ``$TMPDIR/odlm-kg-load-<pid>-<random>``, removed when the
    run ends however it ends. A run killed outright cannot remove it: the next run removes every such
    folder whose owner process is gone (:func:`remove_abandoned_folders`)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    @classmethod
    def create(cls, parent: Path | None = None) -> RunFolder:
        parent = Path(parent or tempfile.gettempdir())
        remove_abandoned_folders(parent)
        return cls(Path(tempfile.mkdtemp(prefix=f"{SPOOL_PREFIX}{os.getpid()}-", dir=parent)))

    def remove(self) -> None:
        shutil.rmtree(self.path, ignore_errors=True)


def remove_abandoned_folders(parent: Path) -> list[Path]:
    """Remove the spool folders under ``parent`` of runs whose process no longer exists; returns them."""
    removed: list[Path] = []
    for folder in parent.glob(f"{SPOOL_PREFIX}*"):
        owner = folder.name[len(SPOOL_PREFIX):].split("-", 1)[0]
        if not folder.is_dir() or not owner.isdigit() or process_alive(int(owner)):
            continue
        shutil.rmtree(folder, ignore_errors=True)
        removed.append(folder)
    return removed


def process_alive(pid: int) -> bool:
    """Whether a process ``pid`` exists (one of another user counts: its folder is not ours to remove)."""
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # PermissionError: it exists; anything else: do not guess it dead
        return True
    return True


def _state_removed(run: URIRef) -> str:
    return f'DELETE DATA {{ GRAPH <{PROVENANCE_GRAPH}> {{ <{run}> <{ODLM.runState}> "started" }} }} ;\n'


def _record_stop(store: Store, report: LoadReport, started_at: datetime, *, remove: bool) -> None:
    """After a run stopped on an exception or an interrupt: its record says "interrupted", with its end
    and what it had done; under ``remove`` (--strict, which wrote nothing) the record goes. Never
    raises: the exception that stopped the run is the one to report."""
    run = report.run
    assert run is not None
    with contextlib.suppress(Exception):
        if remove:
            store.update(f"DELETE WHERE {{ GRAPH <{PROVENANCE_GRAPH}> {{ <{run}> ?p ?o }} }}")
            return
        for name, digest in list(report.files.items()):
            if not digest:
                try:
                    report.files[name] = sha256_of(Path(name))
                except InputError:
                    del report.files[name]
        store.update(_state_removed(run) + "INSERT DATA { GRAPH <" + str(PROVENANCE_GRAPH) + "> {\n"
                     + to_ntriples(provenance_triples(report, started_at, datetime.now(UTC), state="interrupted"))
                     + "} }")


#: A load is written in at least this many writes when it is small enough (see _BatchWriter._fit_limit),
#: each at least SMALLEST_WRITE bytes.
WRITES_AT_LEAST = 4
SMALLEST_WRITE = 4 * 2**20

#: The check pass moves its progress bar once per this many records (rich's advance() costs about 8 µs,
#: as much as reading a small record, even with the bar off).
CHECK_PROGRESS_STEP = 500

#: Below this many records a load runs in one process: starting workers would cost more than it saves.
PARALLEL_MIN_RECORDS = 5000


def _parallel_threshold(batch_size: int) -> int:
    """Records an input needs for workers to pay off (when the caller does not fix their number)."""
    return max(PARALLEL_MIN_RECORDS, 3 * batch_size)


def _worker_count(workers: int | None, total: int | None, batch_size: int, source: Source) -> int:
    if workers is None:
        if total is None or total < _parallel_threshold(batch_size):
            return 1
        workers = default_workers()
    if workers > 1 and not picklable(source):
        return 1  # a source that cannot travel to a worker is prepared here
    return max(1, workers)


class _EarlyPool:
    """Starts the worker processes during the check pass, as soon as it has counted enough records to
    want them (:func:`_worker_count`), rather than after it: a worker's start-up (imports, ontology,
    compiled shapes: about a second) then overlaps the rest of the check pass."""

    def __init__(self, workers: int | None, batch_size: int, source: Source) -> None:
        self.workers, self.batch_size, self.source = workers, batch_size, source
        # the count at which the choice is made: _worker_count's threshold, or the first record when
        # the caller fixed the number of workers
        self.decide_at = _parallel_threshold(batch_size) if workers is None else 1
        self.pool: PreparerPool | None = None

    def counted(self, records: int) -> None:
        """The check pass has counted ``records`` records so far."""
        if records == self.decide_at:
            count = _worker_count(self.workers, records, self.batch_size, self.source)
            if count > 1:
                self.pool = PreparerPool(self.source, count)

    def close(self) -> None:
        if self.pool is not None:
            self.pool.close()


def _batches(source: Source, paths: Sequence[Path], batch_size: int, report: LoadReport) -> Iterator[list[Record]]:
    """The input's records in lists of ``batch_size``; counts them and notes each file read."""
    batch: list[Record] = []
    for path in paths:
        for record in source.read(path):
            report.read += 1
            report.files.setdefault(str(record.file), "")
            batch.append(record)
            if len(batch) >= batch_size:
                yield batch
                batch = []
    if batch:
        yield batch


#: Artifacts per replacing update (their new triples are its VALUES table: about 2.5 MB of text).
REPLACE_CHUNK = 1000


def replace_updates(graph: URIRef, artifacts: Sequence[str]) -> Iterator[str]:
    """SPARQL updates deleting, in ``graph``, the triples of the ``artifacts`` (N-Triples IRIs) and of
    their qualified derivations (nodes of the artifact alone); dated observations point at the artifact
    and are not its triples, so they stay. Each ends with `` ;`` so they can be joined with more.

    >>> print(next(replace_updates(URIRef("urn:g"), ["<urn:a>"])))  # doctest: +NORMALIZE_WHITESPACE
    DELETE { GRAPH <urn:g> { ?node ?p ?o } } WHERE { VALUES ?s { <urn:a> }
      GRAPH <urn:g> { ?s <https://w3id.org/odlm#qualifiedDerivation> ?node . ?node ?p ?o } } ;
    DELETE { GRAPH <urn:g> { ?s ?p ?o } } WHERE { VALUES ?s { <urn:a> } GRAPH <urn:g> { ?s ?p ?o } } ;
    """
    for start in range(0, len(artifacts), REPLACE_CHUNK):
        values = " ".join(artifacts[start:start + REPLACE_CHUNK])
        yield (f"DELETE {{ GRAPH <{graph}> {{ ?node ?p ?o }} }} WHERE {{ VALUES ?s {{ {values} }}\n"
               f"  GRAPH <{graph}> {{ ?s <{ODLM.qualifiedDerivation}> ?node . ?node ?p ?o }} }} ;\n"
               f"DELETE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }} WHERE {{ VALUES ?s {{ {values} }} "
               f"GRAPH <{graph}> {{ ?s ?p ?o }} }} ;\n")


def _has_triples(store: Store, graph: URIRef) -> bool:
    return bool(store.query(f"ASK {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"))


def provenance_triples(report: LoadReport, started_at: datetime, ended_at: datetime, *,
                       state: str = "completed") -> list[Triple]:
    """The load run as a ``odlm:LoadRun, prov:Activity`` with its input files, counts and ``odlm:runState``."""
    run = report.run
    assert run is not None
    triples = activity_triples(run, ODLM.LoadRun, f"load {report.source}", started_at, ended_at, report.graph)
    triples += [
        (run, ODLM.loader, Literal(report.source)),
        (run, ODLM.softwareVersion, Literal(__version__)),
        (run, ODLM.ontologyVersion, Literal(ONTOLOGY_VERSION)),
        (run, ODLM.recordsRead, count(report.read)),
        (run, ODLM.recordsWritten, count(report.written)),
        (run, ODLM.recordsRejected, count(report.rejected)),
        (run, ODLM.triplesWritten, count(report.triples)),
        (run, ODLM.runState, Literal(state)),
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


__all__ = ["DEFAULT_BATCH_SIZE", "PARALLEL_MIN_RECORDS", "PROVENANCE_GRAPH", "LoadReport", "check_readable",
           "provenance_triples", "run_load"]
