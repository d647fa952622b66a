"""One batch of records made ready for the store: mapped, serialised as N-Triples and validated.

:class:`BatchPreparer` does the CPU-bound part of loading (map each record, serialise the batch,
validate it against the source's shape layers, drop the records that fail). The pipeline runs it in
its own process for small loads and in worker processes (:class:`PreparerPool`) for large ones, so
that on a machine with two cores mapping and validation of one batch overlap with the next batch and
with the store's own write. Either way the output is the same :class:`PreparedBatch`.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import os
import pickle
import struct
import subprocess
import sys
from collections import deque
from collections.abc import Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import BinaryIO

from pyoxigraph import NamedNode
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Node

from odlm_kg.errors import OdlmError, located
from odlm_kg.namespaces import ODLM
from odlm_kg.sources.base import Record, RecordError, Source, Triple, UnreadableLine

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


# -- N-Triples serialisation (the fast path to the store) -------------------------------------------

_ESCAPE_LITERAL = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r"})
_XSD_STRING = XSD.string  # a URIRef: rdflib terms compare equal only to terms of their own type


def nt_term(term: Node) -> str:
    """One rdflib term in N-Triples syntax (faster than ``term.n3()`` for the common cases).

    >>> nt_term(Literal('say "hi"\\n', lang="en"))
    '"say \\\\"hi\\\\"\\\\n"@en'
    >>> nt_term(Literal(3))
    '"3"^^<http://www.w3.org/2001/XMLSchema#integer>'
    """
    kind = type(term)
    if kind is URIRef:  # exact type first: the common case, without the isinstance chain
        return f"<{term}>"
    if kind is Literal or isinstance(term, Literal):
        return _literal_text(term)  # type: ignore[arg-type]
    if isinstance(term, URIRef):
        return f"<{term}>"
    if isinstance(term, BNode):
        return f"_:{term}"
    raise TypeError(f"not an RDF term: {term!r}")


def _literal_text(term: Literal) -> str:
    # Reads rdflib's slots, not its properties, and looks the datatype's suffix up: a literal's text
    # is made for a dozen literals of every crawl record (2 µs each through the properties).
    if '"' in term or "\\" in term or "\n" in term or "\r" in term:  # four scans beat translate()
        text = '"' + str.translate(term, _ESCAPE_LITERAL) + '"'
    else:
        text = '"' + term + '"'
    language = term._language
    if language:
        return f"{text}@{language}"
    datatype = term._datatype
    if datatype is None:
        return text
    suffix = _DATATYPE_SUFFIXES.get(datatype)
    if suffix is None:
        suffix = "" if datatype == _XSD_STRING else f"^^<{datatype}>"
        if len(_DATATYPE_SUFFIXES) < 1024:
            _DATATYPE_SUFFIXES[datatype] = suffix
    return text + suffix


#: The N-Triples suffix of each datatype met (``""`` for xsd:string).
_DATATYPE_SUFFIXES: dict[URIRef, str] = {}


def nt_lines(triples: Iterable[Triple]) -> list[str]:
    """One N-Triples line per triple."""
    term = nt_term
    return [f"{term(s)} {term(p)} {term(o)} .\n" for s, p, o in triples]


#: A triple as the N-Triples text of its terms (what the memory validation engine calls keys).
KeyTriple = tuple[str, str, str]


class UnstorableTerm(ValueError):
    """A mapped term the store would refuse (an IRI that is not one, text that is not Unicode): it
    rejects its record, where the store would have failed a whole write."""

    def __init__(self, term: Node, problem: str) -> None:
        super().__init__(problem)
        self.term = term

    def reject(self, record: Record, triples: Iterable[Triple]) -> Reject:
        predicate = next((p for s, p, o in triples if self.term in (s, o)), None)
        where = f" (as a value of <{predicate}>)" if predicate is not None else ""
        return Reject(str(record.file), record.position, None, f"cannot be stored: {self}{where}")


def storable_iri_key(term: URIRef) -> str:
    """The N-Triples text of an IRI, after Oxigraph's own IRI parser has accepted it (the loader then
    writes with the store's IRI checks off: they would fail a whole write for one bad record).

    >>> storable_iri_key(URIRef("https://huggingface.co/bert-base-uncased"))
    '<https://huggingface.co/bert-base-uncased>'
    >>> storable_iri_key(URIRef("https://example.org/100%zz"))
    Traceback (most recent call last):
    ...
    odlm_kg.sources.batches.UnstorableTerm: <https://example.org/100%zz> is not an IRI: Invalid IRI percent encoding '%zz'
    """
    try:
        NamedNode(term)
    except ValueError as error:  # UnicodeEncodeError included: a lone surrogate
        raise UnstorableTerm(term, f"<{term}> is not an IRI: {error}") from None
    return f"<{term}>"


def storable_literal_key(term: Literal) -> str:
    """The N-Triples text of a literal whose text is Unicode (JSON can carry a lone surrogate,
    ``"\\ud800"``, that no UTF-8 text can hold).

    >>> storable_literal_key(Literal("café"))
    '"café"'
    >>> storable_literal_key(Literal("bad \\ud800 text"))
    Traceback (most recent call last):
    ...
    odlm_kg.sources.batches.UnstorableTerm: text with an unpaired surrogate (U+D800 at character 4) is not Unicode: 'bad \\ud800 text'
    """
    text = nt_term(term)
    if not text.isascii():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            value = str(term)
            at = next((i for i, char in enumerate(value) if "\ud800" <= char <= "\udfff"), None)
            where = "" if at is None else f" (U+{ord(value[at]):04X} at character {at})"
            raise UnstorableTerm(term, f"text with an unpaired surrogate{where} is not Unicode: "
                                       f"{value[:80]!r}") from None
    return text


def key_lines(triples: Iterable[KeyTriple]) -> list[str]:
    """One N-Triples line per key triple."""
    return [f"{s} {p} {o} .\n" for s, p, o in triples]


def to_ntriples(triples: Iterable[Triple]) -> str:
    """N-Triples text of ``triples`` (in their iteration order).

    >>> to_ntriples([(URIRef("urn:a"), URIRef("urn:p"), Literal("x"))])
    '<urn:a> <urn:p> "x" .\\n'
    """
    return "".join(nt_lines(triples))


# -- validation ------------------------------------------------------------------------------------

@dataclass
class Violation:
    focus: Node
    path: str | None
    message: str


class BatchValidator:
    """Validates batches given as key triples (the N-Triples text of each term), without an rdflib
    graph or a store.

    The validation package's compiled shapes run on the memory engine
    (``validate(..., engine="memory")``): the batch is indexed over an index of the ontology and its
    vocabularies made once, and what a value-local constraint says of a value is remembered from batch
    to batch. An Oxigraph scratch store of the batch is made only for shapes that need SPARQL or
    pySHACL and have a focus node in the batch.
    """

    def __init__(self, layers: Sequence[str]) -> None:
        self.layers = tuple(layers)
        if not self.layers:
            return
        from odlm_kg.validate import fast_validator
        from odlm_kg.validate.memory_engine import memory_validator, ontology_index, term_of_key
        from odlm_kg.validate.shapes import cached_shapes_graph, ontology_graph

        self._validator = memory_validator(fast_validator(cached_shapes_graph(self.layers), self.layers))
        self._ontology = ontology_index(ontology_graph(), nt_term)
        self._term_of = functools.lru_cache(maxsize=4096)(term_of_key)

    def violations(self, triples: Collection[KeyTriple]) -> list[Violation]:
        """Violations (severity sh:Violation) of the batch ``triples``."""
        if not self.layers:
            return []
        from odlm_kg.namespaces import SH
        from odlm_kg.validate.memory_engine import TripleIndex

        index = TripleIndex(triples, self._ontology)
        results = self._validator.run(index, self._term_of, lambda: _scratch_store(triples))
        return [Violation(r.focus_node, _local_name(r.result_path), str(r.message))
                for r in results if r.severity == SH.Violation]


def _scratch_store(triples: Collection[KeyTriple]) -> tuple[object, dict[str, list[Literal]]]:
    """The batch and the ontology in an in-memory Oxigraph store, with the literals it stores in
    another form (for shapes the memory engine hands to SPARQL or pySHACL)."""
    import pyoxigraph as ox

    from odlm_kg.validate.memory_engine import term_of_key
    from odlm_kg.validate.sparql_engine import canonical_literals

    store = ox.Store()
    store.load(_ontology_ntriples(), ox.RdfFormat.N_TRIPLES, to_graph=ox.DefaultGraph())
    store.load("".join(key_lines(triples)).encode("utf-8"), ox.RdfFormat.N_TRIPLES, to_graph=ox.DefaultGraph())
    typed = {term_of_key(o) for _, _, o in triples if o[0] == '"' and o[-1] == ">"}
    return store, canonical_literals(typed)  # type: ignore[arg-type]


@functools.cache
def _ontology_ntriples() -> bytes:
    """The ontology with its vocabularies as N-Triples, made once per process (a scratch store is made
    for every batch that has focus nodes for SPARQL or pySHACL shapes, as survey batches do)."""
    from odlm_kg.validate.shapes import ontology_graph

    return to_ntriples(ontology_graph()).encode("utf-8")


def _local_name(path: object) -> str | None:
    if path is None:
        return None
    text = str(path)
    return text.rsplit("#", 1)[-1].rsplit("/", 1)[-1] if isinstance(path, URIRef) else text


# -- preparing a batch -----------------------------------------------------------------------------

@dataclass
class PreparedBatch:
    """What one batch comes to: the N-Triples of its records that passed, and the rejects, in order
    (mapping failures first, then validation failures)."""

    text: str
    records: int
    written: int
    triples: int
    rejects: list[Reject] = field(default_factory=list)
    #: For a source whose records replace what an earlier load said about their artifacts: each written
    #: record's own artifact (the subject of its first triple, as N-Triples) with the N-Triples lines of
    #: its triples and of its qualified derivations' triples. Those lines are not in ``text``: the
    #: writer compares them with what the store holds (empty for other sources).
    artifacts: list[tuple[str, str]] = field(default_factory=list)


def map_one(source: Source, record: Record) -> tuple[list[Triple] | None, Reject | None]:
    """The record's triples, or why it was rejected."""
    if isinstance(record.data, UnreadableLine):  # a JSON Lines line that is not JSON: this record only
        return None, Reject(str(record.file), record.position, None, record.data.message())
    try:
        return list(source.map_record(record)), None
    except MAPPING_FAILURES as exc:
        if isinstance(exc, RecordError):
            return None, Reject(str(record.file), record.position, exc.field, exc.reason)
        return None, Reject(str(record.file), record.position, None,
                            f"cannot map the record ({type(exc).__name__}: {exc})")


class BatchPreparer:
    """Maps, serialises and validates batches of one source's records.

    Triples that recur across batches (an owner's account, a licence, a dataset many models train on)
    are validated with every batch that uses them but sent to the store once: the preparer remembers
    the :data:`SENT_MEMORY` triples it used most recently (in the text of a batch, not in its counts).
    """

    def __init__(self, source: Source) -> None:
        self.source = source
        self.validator = BatchValidator(source.layers)
        self.sent: dict[KeyTriple, None] = {}  # insertion order = order of last use
        self.prepared = 0
        self.iri_keys: dict[Node, str] = {}

    def prepare(self, records: Sequence[Record]) -> PreparedBatch:
        self.prepared += 1
        with collector_paused():
            if self.prepared % COLLECT_EVERY == 0:
                gc.collect()
            return self._prepare(records)

    def _prepare(self, records: Sequence[Record]) -> PreparedBatch:
        rejects: list[Reject] = []
        kept: list[Record] = []
        kept_triples: list[list[KeyTriple]] = []
        known = self.iri_keys
        if len(known) > IRI_KEY_MEMORY:
            known.clear()
        key, literal_key = self._key, storable_literal_key
        for record in records:
            triples, reject = map_one(self.source, record)
            if reject is None:
                try:
                    # Literals skip the memory: rdflib hashes them slowly, and they seldom recur.
                    keyed = [(known.get(s) or key(s), known.get(p) or key(p),
                              literal_key(o) if type(o) is Literal else known.get(o) or key(o))
                             for s, p, o in triples]  # type: ignore[union-attr]
                except UnstorableTerm as problem:
                    reject = problem.reject(record, triples)  # type: ignore[arg-type]
            if reject is not None:
                rejects.append(reject)
            else:
                kept.append(record)
                kept_triples.append(keyed)
        unique: set[KeyTriple] = set()
        for keyed in kept_triples:
            unique.update(keyed)
        written = len(kept)
        bad: dict[int, Violation] = {}
        if self.validator.layers and unique:
            violations = self.validator.violations(unique)
            if violations:
                bad = _records_at_fault(kept_triples, violations)
                for index, violation in sorted(bad.items()):
                    record = kept[index]
                    rejects.append(Reject(str(record.file), record.position, violation.path,
                                          f"fails validation: {violation.message} (at {violation.focus})"))
                unique = set()
                for index, keyed in enumerate(kept_triples):
                    if index not in bad:
                        unique.update(keyed)
                written -= len(bad)
        artifacts: list[tuple[str, str]] = []
        if replaces_artifacts(self.source):
            unique, artifacts = self._artifact_lines(kept, kept_triples, bad, unique)
        return PreparedBatch(self._new_text(unique), len(records), written, len(unique) + sum(
            text.count("\n") for _, text in artifacts), rejects, artifacts)

    def _artifact_lines(self, kept: list[Record], kept_triples: list[list[KeyTriple]], bad: Collection[int],
                        unique: set[KeyTriple]) -> tuple[set[KeyTriple], list[tuple[str, str]]]:
        """The triples of the written records' own artifacts (and of their qualified derivations), by
        artifact, taken out of ``unique``; never left out as "sent lately", since the writer compares
        them with the store's."""
        replacing = getattr(self.source, "record_replaces", None)
        artifact_of: dict[str, str] = {}
        for index, keyed in enumerate(kept_triples):
            if index in bad or not keyed or (replacing is not None and not replacing(kept[index])):
                continue
            artifact = keyed[0][0]
            artifact_of[artifact] = artifact
            for s, p, o in keyed:
                if s == artifact and p == _QUALIFIED_DERIVATION:
                    artifact_of[o] = artifact
        if not artifact_of:
            return unique, []
        groups: dict[str, list[KeyTriple]] = {}
        rest: set[KeyTriple] = set()
        for triple in unique:
            artifact = artifact_of.get(triple[0])
            if artifact is None:
                rest.add(triple)
            else:
                groups.setdefault(artifact, []).append(triple)
        return rest, [(artifact, "".join(key_lines(triples))) for artifact, triples in groups.items()]

    def _key(self, term: Node) -> str:
        """The N-Triples text of a term the store can hold; IRIs are checked the first time they are
        seen (:func:`storable_iri_key`) and remembered (predicates, classes, concepts, owners recur)."""
        if isinstance(term, URIRef):
            text = self.iri_keys[term] = storable_iri_key(term)
            return text
        if isinstance(term, Literal):  # a Literal subclass: exact Literals go straight to the check
            return storable_literal_key(term)
        return nt_term(term)

    def _new_text(self, triples: Iterable[KeyTriple]) -> str:
        """N-Triples text of the triples not sent lately. The memory keeps the triples used most
        recently: one seen again moves to the end, and when it is full the older half goes (triples of
        one record alone go first; an account or a licence that recurs in every batch stays). It holds
        key triples, not lines: their terms' hashes are known, and only new triples become lines."""
        sent = self.sent
        new = []
        for triple in triples:
            if triple in sent:
                del sent[triple]
            else:
                new.append(triple)
            sent[triple] = None
        if len(sent) > SENT_MEMORY:  # forgetting only costs sending some triples again
            self.sent = dict.fromkeys(list(sent)[len(sent) // 2:])
        return "".join(key_lines(new))


def replaces_artifacts(source: Source) -> bool:
    """Whether each record of ``source`` is the whole description of one artifact, so that loading it
    again replaces what an earlier load said about that artifact (the crawl sources of the platforms'
    APIs); the source says so with a true ``replaces_artifacts`` attribute, and may say which of its
    records do with a ``record_replaces(record)`` method (a Hub CSV model list row, a few columns of a
    model, adds to what the graph holds)."""
    return bool(getattr(source, "replaces_artifacts", False))


_QUALIFIED_DERIVATION = f"<{ODLM.qualifiedDerivation}>"

#: Batches a preparer prepares between two runs of the cyclic garbage collector.
COLLECT_EVERY = 50


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector off for the duration (a batch, or a whole load).

    A batch allocates hundreds of thousands of small objects (terms, tuples, index sets), none of them
    in reference cycles; with the collector on, they set off dozens of collections per batch, each
    walking every live object: a third of the time of preparing a batch. The preparer collects every
    :data:`COLLECT_EVERY` batches instead.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


#: IRIs whose N-Triples text a preparer keeps (cleared when full).
IRI_KEY_MEMORY = 20_000

#: Triples a preparer remembers having emitted (as key triples: their terms' text is shared with the
#: batch and the IRI memory; a fifth less memory than the lines themselves).
SENT_MEMORY = 100_000


def _records_at_fault(batch: list[list[KeyTriple]], violations: list[Violation]) -> dict[int, Violation]:
    """Index of each record whose triples have a violation's focus node as a subject."""
    owners: dict[str, list[int]] = {}
    for index, triples in enumerate(batch):
        for subject in {s for s, _, _ in triples}:
            owners.setdefault(subject, []).append(index)
    bad: dict[int, Violation] = {}
    for violation in violations:
        for index in owners.get(nt_term(violation.focus), ()):
            bad.setdefault(index, violation)
    return bad


# -- preparing batches in worker processes --------------------------------------------------------

def default_workers() -> int:
    """Worker processes for a large load: one per core, at most two (the writer needs a share too).

    ``ODLM_KG_LOAD_WORKERS`` overrides it (``1``: prepare every batch in the loading process).
    """
    configured = os.environ.get("ODLM_KG_LOAD_WORKERS")
    if configured:
        try:
            return max(1, int(configured))
        except ValueError:
            raise OdlmError(f"ODLM_KG_LOAD_WORKERS={configured!r}: expected a whole number") from None
    return max(1, min(2, os.cpu_count() or 1))


def picklable(source: Source) -> bool:
    """Whether ``source`` can be sent to a worker process."""
    try:
        pickle.dumps(source)
    except (pickle.PicklingError, AttributeError, TypeError):
        return False
    return True


def send_message(stream: BinaryIO, message: object) -> None:
    """One length-prefixed pickle on a pipe."""
    payload = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(struct.pack("!Q", len(payload)))
    stream.write(payload)
    stream.flush()


def receive_message(stream: BinaryIO) -> object:
    """The next message, or raises EOFError when the other side has gone."""
    header = stream.read(8)
    if len(header) < 8:
        raise EOFError
    (size,) = struct.unpack("!Q", header)
    payload = stream.read(size)
    if len(payload) < size:
        raise EOFError
    return pickle.loads(payload)


class PreparerPool:
    """Prepares batches in worker processes; results come back in the order batches went in.

    Each worker is ``python -m odlm_kg.sources.batch_worker`` talking length-prefixed pickles over its
    standard input and output (not :mod:`multiprocessing`, whose ``spawn`` re-runs the caller's main
    script in every worker and whose ``fork`` copies the store's threads in an unknown state). Batch
    *i* goes to worker *i mod n*; at most two batches per worker are in flight, so memory stays flat
    however large the input.
    """

    def __init__(self, source: Source, workers: int) -> None:
        self.workers: list[subprocess.Popen[bytes]] = []
        self.pending: deque[subprocess.Popen[bytes]] = deque()
        self.limit = 2 * workers
        self.sent = 0
        environment = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
        try:
            for _ in range(workers):
                worker = subprocess.Popen([sys.executable, "-m", "odlm_kg.sources.batch_worker"],
                                          stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=environment)
                self.workers.append(worker)
                send_message(worker.stdin, source)  # type: ignore[arg-type]
        except BaseException:
            self.close()
            raise

    def submit(self, records: list[Record]) -> Iterator[PreparedBatch]:
        """Queue a batch; yields the batches that had to finish to make room, oldest first."""
        worker = self.workers[self.sent % len(self.workers)]
        self.sent += 1
        try:
            send_message(worker.stdin, records)  # type: ignore[arg-type]
        except (BrokenPipeError, OSError) as exc:
            raise self._stopped(worker) from exc
        self.pending.append(worker)
        while len(self.pending) > self.limit:
            yield self._result(self.pending.popleft())

    def drain(self) -> Iterator[PreparedBatch]:
        """The remaining batches, in order."""
        while self.pending:
            yield self._result(self.pending.popleft())

    def _result(self, worker: subprocess.Popen[bytes]) -> PreparedBatch:
        try:
            kind, value = receive_message(worker.stdout)  # type: ignore[arg-type,misc]
        except EOFError:
            raise self._stopped(worker) from None
        if kind == "error":
            raise OdlmError(f"a loader worker process failed; nothing of its batch was written:\n{value}")
        return value  # type: ignore[no-any-return]

    @staticmethod
    def _stopped(worker: subprocess.Popen[bytes]) -> OdlmError:
        code = worker.poll()
        how = f" (exit code {code})" if code is not None else ""
        return OdlmError(f"a loader worker process stopped unexpectedly{how}, out of memory perhaps; nothing of "
                         "its unfinished batches was written. ODLM_KG_LOAD_WORKERS=1 loads in one process.")

    def close(self) -> None:
        """Stop the workers (they finish when their input closes; a worker still busy is killed)."""
        for worker in self.workers:
            with contextlib.suppress(OSError):
                worker.stdin.close()  # type: ignore[union-attr]
        for worker in self.workers:
            try:
                worker.wait(timeout=5)
            except subprocess.TimeoutExpired:
                worker.kill()
                worker.wait()
            with contextlib.suppress(OSError):
                worker.stdout.close()  # type: ignore[union-attr]
        self.pending.clear()


__all__ = [
    "MAPPING_FAILURES",
    "BatchPreparer",
    "BatchValidator",
    "KeyTriple",
    "PreparedBatch",
    "PreparerPool",
    "Reject",
    "Violation",
    "default_workers",
    "key_lines",
    "map_one",
    "nt_term",
    "picklable",
    "receive_message",
    "replaces_artifacts",
    "send_message",
    "to_ntriples",
]
