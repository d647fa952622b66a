"""``odlm-kg crawl SOURCE``: fetch a platform's records and load them (see docs/crawling.md)."""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer

from odlm_kg.cli.context import err_console, out_console, state
from odlm_kg.crawl import PLATFORMS, CrawlOptions, endpoint_of, get_platform
from odlm_kg.crawl.platform import parse_time
from odlm_kg.crawl.runner import (
    DEFAULT_LOAD_EVERY,
    CrawlPlan,
    default_checkpoint,
    last_crawl_start,
    run_crawl,
)
from odlm_kg.errors import ProblemsFound, UsageError


def crawl_command(
    ctx: typer.Context,
    source: Annotated[str, typer.Argument(help="What to crawl: " + ", ".join(sorted(PLATFORMS)) + ".",
                                          show_default=False)],
    endpoint: Annotated[str | None, typer.Option(
        help="API base URL (default: the platform's public API).", show_default=False)] = None,
    limit: Annotated[int | None, typer.Option(help="Keep at most N records.", show_default=False)] = None,
    since: Annotated[str | None, typer.Option(
        help="Only what changed since DATE (YYYY-MM-DD or ISO date-time); 'all' for everything. Default: "
             "since this store's last complete crawl of SOURCE.", show_default=False)] = None,
    query: Annotated[str | None, typer.Option(
        help="Search in the platform's terms (Hub search text; GitHub search query; Zenodo / DataCite "
             "query).", show_default=False)] = None,
    filter_: Annotated[list[str] | None, typer.Option(
        "--filter", help="KEY=VALUE in the platform's terms, repeatable (Hub: author, task, library; GitHub: "
                         "a qualifier such as language=python; Zenodo / DataCite: a query parameter).",
        show_default=False)] = None,
    out: Annotated[Path | None, typer.Option(
        help="Also keep the raw records in FILE.jsonl.gz (what `odlm-kg load` reads).", show_default=False)] = None,
    load: Annotated[bool, typer.Option("--load/--no-load", help="Load the records into the store.")] = True,
    checkpoint: Annotated[Path | None, typer.Option(
        help="Checkpoint file (default: <store>/crawl/SOURCE.checkpoint.json; with --no-load, beside --out; "
             "none for a memory store).",
        show_default=False)] = None,
    restart: Annotated[bool, typer.Option(help="Drop an unfinished crawl's checkpoint and start again.")] = False,
    page_size: Annotated[int | None, typer.Option(help="Records per page (default: the platform's most).",
                                                  show_default=False)] = None,
    load_every: Annotated[int, typer.Option(help="Records fetched between loads.")] = DEFAULT_LOAD_EVERY,
    no_progress: Annotated[bool, typer.Option("--no-progress", help="Do not show the progress bar.")] = False,
) -> None:
    """Fetch SOURCE's records from its API (politely, resumably) and load them into the store."""
    platform = get_platform(source)
    for name, value in (("--limit", limit), ("--page-size", page_size), ("--load-every", load_every)):
        if value is not None and value < 1:
            raise UsageError(f"{name} must be at least 1")
    filters: dict[str, str] = {}
    for pair in filter_ or []:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise UsageError(f"--filter {pair!r}: expected KEY=VALUE")
        filters[key.strip()] = value.strip()
    base = (endpoint or endpoint_of(platform)).rstrip("/")
    if not base.startswith(("http://", "https://")):
        raise UsageError(f"--endpoint {endpoint!r}: expected an http(s) URL")
    if out is not None and not out.name.endswith(".gz"):
        raise UsageError(f"--out {out}: expected a file name ending in .jsonl.gz")
    cli = state(ctx)
    store = cli.store("write", command="crawl", through_server=True) if load else None
    since_time = _since(since, store, platform.name)
    if checkpoint is None and store is not None and getattr(store, "path", None) is not None:
        checkpoint = default_checkpoint(Path(store.path), platform)  # type: ignore[attr-defined]
    elif checkpoint is None and store is None and out is not None:  # --no-load: resumable beside --out
        checkpoint = out.with_name(out.name + ".checkpoint.json")
    token = os.environ.get(platform.token_variable) if platform.token_variable else None
    plan = CrawlPlan(platform, base, CrawlOptions(query, filters, since_time, page_size), limit=limit, out=out,
                     checkpoint=checkpoint, load=load, load_every=load_every, restart=restart,
                     token=token or None, progress=not no_progress)
    result = run_crawl(store, plan)
    resumed = " (resumed)" if result.resumed else ""
    changed = f" changed since {result.since:%Y-%m-%d %H:%M:%S} UTC" if result.since else ""
    out_console.print(
        f"{source}{resumed}: fetched {result.fetched:,} records{changed} in {result.pages:,} pages, kept "
        f"{result.kept:,}, wrote {result.written:,}, rejected {result.rejected:,} in {result.seconds:.1f} s "
        f"({result.records_per_second:,.0f} records/s; {result.requests:,} requests, {result.retries:,} retried, "
        f"{result.not_modified_pages:,} unchanged pages); run <{result.crawl_run}>", markup=False)
    if out is not None:
        err_console.print(f"  raw records in {out}", markup=False)
    if result.rejected:
        raise ProblemsFound(f"{result.rejected:,} records were rejected; `odlm-kg load {platform.load_source} "
                            f"FILE --reject-file R` on the --out file lists them")


def _since(value: str | None, store: object, name: str) -> datetime | None:
    if value is not None:
        if value.lower() == "all":
            return None
        moment = parse_time(value)
        if moment is None:
            raise UsageError(f"--since {value!r}: expected a date (YYYY-MM-DD), an ISO date-time or 'all'")
        return moment
    if store is None:
        return None
    return last_crawl_start(store, name)  # type: ignore[arg-type]


def register(app: typer.Typer) -> None:
    app.command("crawl")(crawl_command)


__all__ = ["register"]
