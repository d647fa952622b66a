"""The crawl loop, the same for every platform: fetch a page, keep its records, checkpoint, load.

::

    page → records (after --since, --limit) → spool (+ --out) → checkpoint → the loader, meanwhile

The records of each page go to a loader thread at once: one ``run_load`` per ``--load-every`` records,
reading the pages as they come (so fetching overlaps mapping, validating and writing) and recording the
spool as its input file. Only when that load has finished is the spool emptied.

Why it resumes without keeping a record twice: a page's records are appended to the spool (and the
``--out`` file) and flushed *before* the checkpoint that counts them is written; on a restart both files
are cut back to the sizes the checkpoint gives, so a page a kill interrupted is fetched again and kept
once. A load the kill interrupted is run again from the same spool: the loaders' IRIs come from natural
keys, so the triples it had written are not stored twice.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import queue
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rdflib import Literal, URIRef
from rdflib.namespace import PROV, RDFS

from odlm_kg.crawl.checkpoint import Checkpoint, cut_to, read_etags, write_etags
from odlm_kg.crawl.http import PoliteClient
from odlm_kg.crawl.platform import CrawlOptions, Platform, parse_time
from odlm_kg.errors import UsageError
from odlm_kg.namespaces import graph_iri, instance_iri
from odlm_kg.provenance import activity_triples
from odlm_kg.sources.base import Record, Source, Triple
from odlm_kg.store.base import Store

PROVENANCE_GRAPH = graph_iri("provenance")
#: Records spooled before they are loaded (one ``run_load`` each): large enough that a load's fixed
#: costs (classification, the cube's refresh) are paid rarely, small enough to keep the spool modest.
DEFAULT_LOAD_EVERY = 100_000


@dataclass
class CrawlResult:
    """What a crawl did (the counts include what an interrupted run before it did)."""

    source: str
    crawl_run: URIRef
    pages: int = 0
    fetched: int = 0
    kept: int = 0
    loaded: int = 0
    written: int = 0
    rejected: int = 0
    requests: int = 0
    retries: int = 0
    waited: float = 0.0
    seconds: float = 0.0
    resumed: bool = False
    not_modified_pages: int = 0
    since: datetime | None = None
    load_runs: list[URIRef] = field(default_factory=list)

    @property
    def records_per_second(self) -> float:
        return self.kept / self.seconds if self.seconds else 0.0


def crawl_prefix(source: str) -> str:
    return str(instance_iri("run", f"crawl/{source}/"))


def last_crawl_start(store: Store, source: str) -> datetime | None:
    """When this store's last complete crawl of ``source`` started (not one cut short by --limit)."""
    result = store.query(f"""
        PREFIX prov: <http://www.w3.org/ns/prov#>
        SELECT ?start WHERE {{ GRAPH <{PROVENANCE_GRAPH}> {{
          ?run a prov:Activity ; prov:startedAtTime ?start ; prov:endedAtTime ?end .
          FILTER(STRSTARTS(STR(?run), "{crawl_prefix(source)}") && !STRENDS(STR(?run), "-limited"))
        }} }} ORDER BY DESC(?start) LIMIT 1""")
    for row in result:  # type: ignore[union-attr]
        return parse_time(str(row["start"]))
    return None


def _fingerprint(first_url: str) -> str:
    return hashlib.sha256(first_url.encode()).hexdigest()[:12]


@dataclass
class CrawlPlan:
    """One crawl: which platform, where, what, and where its records go."""

    platform: Platform
    endpoint: str
    options: CrawlOptions
    limit: int | None = None
    out: Path | None = None
    checkpoint: Path | None = None   # None: the crawl cannot resume (an in-memory store)
    load: bool = True
    load_every: int = DEFAULT_LOAD_EVERY
    restart: bool = False
    token: str | None = None
    progress: bool = True
    #: called after every page with the checkpoint just written (tests stop a crawl here)
    after_page: Callable[[Checkpoint], None] | None = None
    client_settings: dict[str, Any] = field(default_factory=dict)


def run_crawl(store: Store | None, plan: CrawlPlan) -> CrawlResult:
    """Crawl ``plan`` into ``store`` (None: only ``--out``), resuming from its checkpoint when there is one."""
    from odlm_kg.sources import get_source
    from odlm_kg.sources.pipeline import run_load

    platform, options = plan.platform, plan.options
    if plan.load and store is None:
        raise UsageError("a crawl that loads needs a store")
    if not plan.load and plan.out is None:
        raise UsageError("--no-load keeps nothing without --out FILE.jsonl.gz")
    started = time.perf_counter()
    first_url = platform.first_url(plan.endpoint, options)
    work = _work_paths(plan, first_url)
    state = None if plan.restart or work.checkpoint is None else Checkpoint.read(work.checkpoint)
    if state is not None and state.first_url != first_url:
        raise UsageError(f"{work.checkpoint} holds an unfinished crawl of {state.first_url}, not of {first_url}; "
                         "run that crawl again to finish it, or give --restart to drop it")
    resumed = state is not None
    if state is None:
        now = datetime.now(UTC)
        limited = "-limited" if plan.limit is not None else ""
        state = Checkpoint(platform.name, first_url,
                           str(instance_iri("run", f"crawl/{platform.name}/{now:%Y%m%dT%H%M%S%f}{limited}")),
                           now.isoformat(), options.since.isoformat() if options.since else None, next_url=first_url)
        if plan.out is not None:
            cut_to(plan.out, 0)
        cut_to(work.spool, 0)
    else:
        cut_to(work.spool, state.spooled_bytes)
        if plan.out is not None:
            cut_to(plan.out, state.out_bytes)
    since = parse_time(state.since) if state.since else None
    result = CrawlResult(platform.name, URIRef(state.crawl_run), resumed=resumed, since=since)
    # ETags of pages whose every record the store holds: a 304 for one of them means nothing to store.
    # A page's ETag counts only once its records are loaded (a kill before that fetches it again), and
    # only when the page was kept whole (not cut by --limit or --since).
    etags = read_etags(work.etags) if work.etags and plan.load else {}
    pending_etags: dict[str, list[str | None]] = {}
    source = get_source(platform.load_source) if plan.load else None

    def loaded(report: Any) -> None:
        """A load has finished: count it, link it to the crawl, empty the spool, checkpoint."""
        assert store is not None
        store.load_text(f"<{report.run}> <{PROV.wasInformedBy}> <{state.crawl_run}> .\n", "nt", PROVENANCE_GRAPH)
        result.load_runs.append(report.run)
        state.loaded += report.read
        state.written += report.written
        state.rejected += report.rejected
        cut_to(work.spool, 0)
        state.spooled_bytes = state.spooled_records = 0
        _save(state, work.checkpoint)
        etags.update(pending_etags)
        pending_etags.clear()

    def load_spool() -> None:
        """Load what a killed run spooled (its load may have been cut short: loading again stores nothing twice)."""
        if plan.load and state.spooled_records:
            assert store is not None and source is not None
            loaded(run_load(store, source, [work.spool], progress=False))

    loader: _StreamingLoad | None = None
    client = PoliteClient(token=plan.token, **plan.client_settings)
    try:
        with _progress(plan.progress, platform.name, plan.limit) as bar:
            bar.advance(state.kept)
            load_spool()
            while state.next_url and not state.finished:
                url = state.next_url
                known = etags.get(url)
                page = client.get(url, etag=known[0] if known else None)
                if page.not_modified:
                    result.not_modified_pages += 1
                    records: list[Any] = []  # unchanged since the last crawl stored it
                    next_url = known[1] if known else None
                else:
                    records = platform.records(page)
                    next_url = platform.next_url(page)
                kept, stop = _keep(records, platform, since, plan.limit, state.kept)
                if page.etag and not page.not_modified and len(kept) == len(records) and plan.load:
                    pending_etags[url] = [page.etag, next_url]
                state.fetched += len(records)
                _append(work.spool, plan.out, kept, state)
                state.pages += 1
                state.kept += len(kept)
                state.next_url = None if stop else next_url
                state.finished = state.next_url is None
                _save(state, work.checkpoint)
                if kept and plan.load:
                    assert store is not None and source is not None
                    if loader is None:
                        loader = _StreamingLoad(store, source, work.spool, _workers_for(plan, len(kept)))
                    loader.put(kept)
                bar.update(kept=len(kept), client=client)
                if plan.after_page is not None:
                    plan.after_page(state)
                if loader is not None and (state.spooled_records >= plan.load_every or state.finished):
                    report, loader = loader.finish(), None
                    loaded(report)
            if loader is not None:  # the last page kept nothing
                report, loader = loader.finish(), None
                loaded(report)
    finally:
        if loader is not None:  # stopped (an error, a kill in a test, Ctrl-C): what was spooled stays
            loader.abort()
        client.close()
        if work.etags and plan.load:
            write_etags(work.etags, etags)
    ended = datetime.now(UTC)
    if store is not None:
        _record_crawl(store, platform, state, plan.endpoint, ended)
    if work.checkpoint is not None:
        Checkpoint.remove(work.checkpoint)
    work.spool.unlink(missing_ok=True)
    result.pages, result.fetched, result.kept = state.pages, state.fetched, state.kept
    result.loaded, result.written, result.rejected = state.loaded, state.written, state.rejected
    result.requests, result.retries, result.waited = client.requests, client.retries, client.waited
    result.seconds = time.perf_counter() - started
    return result


class _Aborted(Exception):
    """The crawl stopped while its loader was reading pages: the load stops, nothing of its last write lands."""


_END = object()


def _identity(value: Any) -> Any:
    return value


class _PageStream:
    """A source whose records are the pages the crawl hands it (numbered as lines of the spool they also
    go to); it maps them with the platform's own loader. Worker processes get the loader itself."""

    def __init__(self, inner: Source, spool: Path) -> None:
        self.inner, self.spool = inner, spool
        self.name, self.graph, self.layers = inner.name, inner.graph, inner.layers
        self.pages: queue.Queue[Any] = queue.Queue(maxsize=4)  # a few pages ahead at most: flat memory

    def read(self, path: Path) -> Iterator[Record]:
        number = 0
        while True:
            page = self.pages.get()
            if page is _END:
                return
            if page is None:
                raise _Aborted
            for data in page:
                number += 1
                yield Record(self.spool, number, data)

    def map_record(self, record: Record) -> Iterable[Triple]:
        return self.inner.map_record(record)

    def __reduce__(self) -> tuple[Any, ...]:
        return (_identity, (self.inner,))


def _workers_for(plan: CrawlPlan, first_page: int) -> int:
    """Worker processes for a streaming load: the loader's default when the crawl looks large (a full
    first page of hundreds of records, no small --limit), else none (starting them costs seconds)."""
    from odlm_kg.sources.batches import default_workers
    from odlm_kg.sources.pipeline import PARALLEL_MIN_RECORDS

    small = plan.limit is not None and plan.limit < PARALLEL_MIN_RECORDS
    return 1 if small or first_page < 500 else default_workers()


class _StreamingLoad:
    """One ``run_load`` in a thread of its own, reading pages as the crawl fetches them."""

    def __init__(self, store: Store, source: Source, spool: Path, workers: int) -> None:
        from odlm_kg.sources.pipeline import run_load

        self.stream = _PageStream(source, spool)
        self.report: Any = None
        self.failure: BaseException | None = None

        def load() -> None:
            try:
                self.report = run_load(store, self.stream, [spool], progress=False, check_first=False,
                                       workers=workers)
            except BaseException as exc:  # handed to the crawl's thread
                self.failure = exc

        self.thread = threading.Thread(target=load, name="odlm-kg crawl load", daemon=True)
        self.thread.start()

    def put(self, records: list[Any]) -> None:
        while self.thread.is_alive():
            try:
                self.stream.pages.put(records, timeout=0.5)
                return
            except queue.Full:
                continue
        self._raise()

    def finish(self) -> Any:
        """End the load and wait for it; its report."""
        self.put_end()
        self.thread.join()
        self._raise()
        return self.report

    def put_end(self) -> None:
        while self.thread.is_alive():
            try:
                self.stream.pages.put(_END, timeout=0.5)
                return
            except queue.Full:
                continue

    def abort(self) -> None:
        while self.thread.is_alive():
            try:
                self.stream.pages.put(None, timeout=0.5)
                break
            except queue.Full:
                continue
        self.thread.join()

    def _raise(self) -> None:
        if self.failure is not None:
            failure, self.failure = self.failure, None
            raise failure


@dataclass
class _WorkPaths:
    checkpoint: Path | None
    spool: Path
    etags: Path | None


def _work_paths(plan: CrawlPlan, first_url: str) -> _WorkPaths:
    """The checkpoint, the spool of records not yet loaded, and the ETag cache, side by side."""
    if plan.checkpoint is None:
        import tempfile

        spool = Path(tempfile.gettempdir()) / f"odlm-kg-crawl-{os.getpid()}-{_fingerprint(first_url)}.jsonl"
        return _WorkPaths(None, spool, None)
    base = plan.checkpoint
    stem = base.name.removesuffix(".json")
    return _WorkPaths(base, base.with_name(f"{stem}.spool.jsonl"),
                      base.with_name(f"{plan.platform.name}.etags.json"))


def default_checkpoint(store_path: Path, platform: Platform) -> Path:
    """``<store>/crawl/<source>.checkpoint.json``: beside the store's own files, in a folder of its own."""
    return store_path / "crawl" / f"{platform.name}.checkpoint.json"


def _keep(records: list[Any], platform: Platform, since: datetime | None, limit: int | None,
          kept_before: int) -> tuple[list[Any], bool]:
    """The records to keep, and whether the crawl ends with this page (--limit reached, or past --since)."""
    kept: list[Any] = []
    for record in records:
        if since is not None:
            changed = parse_time(platform.changed_at(record))
            if changed is not None and changed < since:
                if platform.newest_first:
                    return kept, True
                continue
        if limit is not None and kept_before + len(kept) >= limit:
            return kept, True
        kept.append(record)
    return kept, limit is not None and kept_before + len(kept) >= limit


def _append(spool: Path, out: Path | None, records: list[Any], state: Checkpoint) -> None:
    """Append a page's records to the spool and (as one gzip member) to --out, flushed to disk."""
    if not records:
        return
    text = "".join(json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n" for record in records)
    data = text.encode("utf-8")
    with open(spool, "ab") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
        state.spooled_bytes = handle.tell()
    state.spooled_records += len(records)
    if out is not None:
        with open(out, "ab") as handle:
            handle.write(gzip.compress(data, compresslevel=5))
            handle.flush()
            os.fsync(handle.fileno())
            state.out_bytes = handle.tell()


def _save(state: Checkpoint, path: Path | None) -> None:
    if path is not None:
        state.save(path)


def _record_crawl(store: Store, platform: Platform, state: Checkpoint, endpoint: str, ended: datetime) -> None:
    """The crawl as a dated ``prov:Activity`` in the provenance graph; the load runs were informed by it."""
    from odlm_kg.sources.batches import to_ntriples

    run = URIRef(state.crawl_run)
    started = parse_time(state.started_at) or ended
    from odlm_kg.sources import get_source

    triples = activity_triples(run, PROV.Activity, f"crawl {platform.name}", started, ended,
                               get_source(platform.load_source).graph)
    since = f", changed since {state.since}" if state.since else ""
    triples.append((run, RDFS.comment, Literal(
        f"GET {endpoint}: {state.pages:,} pages, {state.fetched:,} records fetched, {state.kept:,} kept{since}; "
        f"{state.written:,} written, {state.rejected:,} rejected")))
    store.load_text(to_ntriples(triples), "nt", PROVENANCE_GRAPH)


class _Progress:
    """A rich progress bar: records kept, records/s, requests made and what is left of the rate window."""

    def __init__(self, enabled: bool, name: str, limit: int | None) -> None:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        from odlm_kg.cli.context import err_console

        self.progress = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                                 TextColumn("{task.fields[rate]}"), TextColumn("{task.fields[window]}"),
                                 TimeElapsedColumn(), console=err_console, disable=not enabled)
        self.task = self.progress.add_task(f"crawling {name}", total=limit, rate="… records/s", window="")
        self.started = time.perf_counter()
        self.count = 0

    def __enter__(self) -> _Progress:
        self.progress.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self.progress.__exit__(*exc)  # type: ignore[arg-type]

    def advance(self, records: int) -> None:
        self.progress.advance(self.task, records)

    def update(self, *, kept: int, client: PoliteClient) -> None:
        self.count += kept
        elapsed = time.perf_counter() - self.started
        window = client.window
        left = (f"{window.remaining:,}/{window.limit:,} requests left" if window.remaining is not None
                and window.limit is not None else f"{client.requests:,} requests")
        self.progress.update(self.task, advance=kept, rate=f"{self.count / elapsed if elapsed else 0:,.0f} records/s",
                             window=left)


def _progress(enabled: bool, name: str, limit: int | None) -> _Progress:
    return _Progress(enabled, name, limit)
