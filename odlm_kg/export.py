"""The store, or one graph, as an N-Quads or TriG file: the input of an engine's own bulk loader
(Virtuoso's ``ld_dir``/``rdf_loader_run``, QLever's index builder, Fuseki's ``tdb2.tdbloader``).

Streamed: quads go from the store to the file as they are read, so memory stays flat whatever the
store's size (an embedded store); a remote store is read one named graph at a time.

>>> from odlm_kg.store import OxigraphStore
>>> store = OxigraphStore()
>>> store.load_text('<urn:a> <urn:p> _:b .', "nt", "urn:g")
>>> import io; out = io.BytesIO()
>>> export_store(store, out).quads
1
>>> out.getvalue().decode().split()[-2]
'<urn:g>'
>>> export_format("dump.nq.gz")
('nquads', True)
"""

from __future__ import annotations

import gzip
import os
import secrets
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING

import pyoxigraph as ox
from rdflib import BNode, URIRef
from rdflib.term import Node

from odlm_kg.errors import StoreError, UsageError
from odlm_kg.store.base import Store
from odlm_kg.store.oxigraph import OxigraphStore, to_oxigraph

if TYPE_CHECKING:
    from odlm_kg.sources.pipeline import LoadReport

#: ``--format`` names and file-name suffixes, and the syntax each writes.
EXPORT_FORMATS = {"nq": "nquads", "nquads": "nquads", "trig": "trig"}
_OX = {"nquads": ox.RdfFormat.N_QUADS, "trig": ox.RdfFormat.TRIG}
#: gzip level: 6 (gzip's own default) compresses a built store's N-Quads about as well as 9 at a
#: fraction of the time; the file is read once, by a bulk loader.
GZIP_LEVEL = 6


@dataclass
class ExportReport:
    """What was written: quads, per named graph (``""`` for the default graph), and where."""

    target: str
    fmt: str
    compressed: bool
    quads: int = 0
    per_graph: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0


def export_format(target: str | Path, fmt: str | None = None) -> tuple[str, bool]:
    """The syntax (``nquads``/``trig``) and whether to gzip, from ``--format`` or else the file name
    (``.nq``, ``.trig``, each optionally ``.gz``); ``-`` (stdout) is N-Quads unless told.

    >>> export_format("x.trig")
    ('trig', False)
    >>> export_format("-", "trig")
    ('trig', False)
    """
    name = str(target)
    compressed = name.endswith(".gz")
    stem = name[:-3] if compressed else name
    if fmt is not None:
        syntax = EXPORT_FORMATS.get(fmt.lower())
        if syntax is None:
            raise UsageError(f"--format {fmt!r}: expected nq or trig")
        return syntax, compressed
    if name == "-":
        return "nquads", False
    suffix = stem.rsplit(".", 1)[-1].lower() if "." in Path(stem).name else ""
    if suffix not in EXPORT_FORMATS:
        raise UsageError(f"cannot tell the format of {name}: name it .nq or .trig (optionally .gz), "
                         "or give --format nq|trig")
    return EXPORT_FORMATS[suffix], compressed


def _quads(store: Store, graph: str | None, report: ExportReport,
           exclude: Collection[ox.Quad] = ()) -> Iterator[ox.Quad]:
    """The store's quads (one graph's when ``graph``; none of ``exclude``), graph after graph, counted."""
    per_graph = report.per_graph
    if isinstance(store, OxigraphStore):
        native = store.native
        graphs: list[ox.NamedNode | ox.BlankNode | ox.DefaultGraph] = (
            [ox.NamedNode(graph)] if graph is not None else [*native.named_graphs(), ox.DefaultGraph()])
        # only the graphs that hold excluded quads are filtered: a membership test per quad costs as much
        # as writing it
        filtered = {quad.graph_name for quad in exclude}
        for name in graphs:
            quads: Iterable[ox.Quad] = native.quads_for_pattern(None, None, None, name)
            if name in filtered:
                quads = (quad for quad in quads if quad not in exclude)
            written = 0
            for quad in quads:
                written += 1
                yield quad
            if written:
                per_graph["" if isinstance(name, ox.DefaultGraph) else name.value] = written
        return
    if exclude:
        raise ValueError("exclude applies to an embedded store only")
    # A remote store: one named graph at a time (its default graph is the union of the named ones).
    graphs = [URIRef(graph)] if graph is not None else store.named_graphs()
    for number, name in enumerate(graphs):
        node = ox.NamedNode(str(name))
        exported = store.export_graph(name, "nt")
        expected = store.count(name)
        if len(exported) != expected:
            raise StoreError(f"the remote store sent {len(exported):,} of the {expected:,} triples of <{name}> "
                             "(a server-side result limit, such as Virtuoso's ResultSetMaxRows?); raise the "
                             "limit or export on the server itself")
        # Each graph comes as its own document, whose blank-node labels mean nothing in another one:
        # label them per graph, so that two graphs' "_:b0" do not become one node in the file.
        def term(value: Node, prefix: str = f"g{number}x") -> ox.NamedNode | ox.BlankNode | ox.Literal:
            return ox.BlankNode(prefix + str(value)) if isinstance(value, BNode) else to_oxigraph(value)

        for s, p, o in exported:
            yield ox.Quad(term(s), term(p), term(o), node)  # type: ignore[arg-type]
        per_graph[str(name)] = expected


def export_store(store: Store, output: IO[bytes], *, graph: str | None = None, fmt: str = "nquads",
                 target: str = "<stream>", compressed: bool = False,
                 exclude: Collection[ox.Quad] = ()) -> ExportReport:
    """Write the store's quads (or one named graph's) to a binary file object as N-Quads or TriG;
    ``exclude``: quads to leave out (an embedded store only)."""
    report = ExportReport(target, fmt, compressed)
    started = time.perf_counter()
    ox.serialize(_quads(store, graph, report, exclude), output, _OX[fmt])
    report.quads = sum(report.per_graph.values())
    report.seconds = time.perf_counter() - started
    return report


def check_graph(store: Store, graph: str) -> None:
    """Refuse a graph the store does not hold, naming the ones it does."""
    known = [str(g) for g in store.named_graphs()]
    if graph not in known:
        listed = ", ".join(f"<{g}>" for g in known[:20]) + (" …" if len(known) > 20 else "")
        raise UsageError(f"the store has no graph <{graph}>; it holds {len(known)} named graph"
                         f"{'' if len(known) == 1 else 's'}{': ' + listed if known else ''}")


def export_to(store: Store, target: str | Path, *, graph: str | None = None,
              fmt: str | None = None, exclude: Collection[ox.Quad] = ()) -> ExportReport:
    """Export to a file (gzipped when its name ends ``.gz``) or ``-`` (stdout). A file is written under
    a temporary name beside it and renamed at the end, so a failed export leaves no partial file."""
    if str(target) != "-":
        writable_folder(Path(target))  # a folder or a missing one is the first thing to say
    syntax, compressed = export_format(target, fmt)
    if graph is not None:
        check_graph(store, graph)
    if str(target) == "-":
        if compressed:
            raise UsageError("cannot gzip to stdout; pipe it through gzip instead")
        report = export_store(store, sys.stdout.buffer, graph=graph, fmt=syntax, target="-", exclude=exclude)
        sys.stdout.buffer.flush()
        return report
    path = Path(target)
    folder = writable_folder(path)
    temporary = str(folder / f".{path.name}.{secrets.token_hex(4)}.part")
    try:
        # os.open with 0o666, not mkstemp (0o600): the file gets the user's usual permissions, since a
        # bulk loader often runs as another user (the database server's).
        handle = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror or exc} (choose a folder you can write to)") from exc
    try:
        with os.fdopen(handle, "wb") as raw:
            sink: IO[bytes] = (gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=GZIP_LEVEL, mtime=0)
                               if compressed else raw)
            report = export_store(store, sink, graph=graph, fmt=syntax, target=str(path), compressed=compressed,
                                  exclude=exclude)
            if compressed:
                sink.close()
        os.replace(temporary, path)
    except OSError as exc:
        Path(temporary).unlink(missing_ok=True)
        raise UsageError(f"cannot write {path}: {exc.strerror or exc}") from exc
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return report


def writable_folder(path: Path) -> Path:
    """The folder a file is to be written in, refused in one sentence when it cannot be."""
    if path.is_dir():
        raise UsageError(f"{path} is a folder; give a file name such as {path / 'store.nq.gz'}")
    folder = path.parent
    if not folder.is_dir():
        raise UsageError(f"cannot write {path}: the folder {folder} does not exist")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise UsageError(f"cannot write {path}: the folder {folder} is not writable for you")
    return folder


def load_to_file(output: str | Path, load: Callable[[Store], LoadReport]) -> tuple[LoadReport, ExportReport]:
    """``odlm-kg load … --output FILE``: run ``load`` (a :func:`~odlm_kg.sources.pipeline.run_load`) into
    a temporary embedded store holding a fresh build, then write to FILE what the load added to it.

    Why a real store and not a writer of text: the loader's last steps read the graph they complete
    (replacing re-loaded records, classifying open models against the licence table and vocabularies,
    recomputing the comparison cube), so the file holds what loading into a built store would have
    added: the source's graph, its cube graph, the run's provenance record and any classification
    triples. Bulk-loaded beside an export of ``build``, it gives the same graphs as loading directly.
    The temporary store lives beside FILE (it needs about the space of the loaded data) and is deleted.
    """
    from odlm_kg.build import build

    if str(output) == "-":
        raise UsageError("--output needs a file name (.nq or .trig, optionally .gz), not -")
    path = Path(output)
    export_format(path)  # refuse a name without a known format before loading anything
    folder = writable_folder(path)
    temporary = Path(tempfile.mkdtemp(prefix=f".{path.name}.store-", dir=folder))
    store = OxigraphStore(temporary)
    try:
        build(store)
        base = set(store.native)  # the build's quads: the file holds what the load adds to them
        report = load(store)
        removed = sum(1 for quad in base if quad not in store.native)
        if removed:
            # a bulk loader only adds; the file cannot say that the load removed triples of the build
            raise StoreError(f"the load removed {removed:,} triples of the default graph, which a file for a bulk "
                             "loader cannot express; load into the store itself instead")
        return report, export_to(store, path, exclude=base)
    finally:
        store.close()
        shutil.rmtree(temporary, ignore_errors=True)


def count_quads(quads: Iterable[ox.Quad]) -> dict[str, int]:
    """Quads per graph (``""`` the default graph): the check a test or a user makes after a bulk load.

    >>> count_quads(ox.parse(b'<urn:a> <urn:p> "1" <urn:g> .\\n<urn:a> <urn:p> "2" .', ox.RdfFormat.N_QUADS))
    {'urn:g': 1, '': 1}
    """
    counts: dict[str, int] = {}
    for quad in quads:
        key = "" if isinstance(quad.graph_name, ox.DefaultGraph) else quad.graph_name.value
        counts[key] = counts.get(key, 0) + 1
    return counts


__all__ = ["EXPORT_FORMATS", "ExportReport", "check_graph", "count_quads", "export_format", "export_store",
           "export_to", "load_to_file", "writable_folder"]
