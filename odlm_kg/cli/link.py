"""``odlm-kg link TARGET``: link papers and code repositories to Wikidata, SemOpenAlex, dblp or ORKG."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from odlm_kg.cli.context import err_console, out_console, state
from odlm_kg.errors import UsageError


def link_command(
    ctx: typer.Context,
    target: Annotated[str, typer.Argument(help="wikidata, semopenalex, dblp or orkg.", show_default=False)],
    endpoint: Annotated[str | None, typer.Option(help=(
        "SPARQL endpoint to ask instead of the target's public one (a mirror); every lookup goes there."))
                        ] = None,
    limit: Annotated[int | None, typer.Option(help="Look up at most N items (papers first, then code).")] = None,
    batch_size: Annotated[int, typer.Option(help="Identifiers per VALUES query.")] = 50,
    offline: Annotated[bool, typer.Option("--offline", help=(
        "Answer from the cache alone; fail if a query was never answered before."))] = False,
    cache_dir: Annotated[Path | None, typer.Option(help=(
        "Where answers are cached (default: $ODLM_KG_CACHE or ~/.cache/odlm-kg/link)."))] = None,
    timeout: Annotated[float, typer.Option(help="Seconds to wait for one answer.")] = 60.0,
    retries: Annotated[int, typer.Option(help="Retries after a 429 or 503 answer.")] = 5,
    contact: Annotated[str | None, typer.Option(envvar="ODLM_KG_CONTACT", help=(
        "Contact (mailto: or URL) put in the User-Agent, as Wikimedia's policy asks."))] = None,
) -> None:
    """Link the graph's papers (DOI, arXiv id) and code repositories (URL) to an external scholarly graph;
    links and the run's provenance go to the named graph link-<target>."""
    from odlm_kg.link import get_target
    from odlm_kg.link.client import QueryCache, SparqlClient, default_cache_dir
    from odlm_kg.link.run import run_link

    if timeout <= 0 or retries < 0:
        raise UsageError("--timeout must be positive and --retries not negative")
    if endpoint is not None and not endpoint.lower().startswith(("http://", "https://")):
        raise UsageError(f"--endpoint must be an http(s) URL, got {endpoint!r}")
    chosen = get_target(target)
    cache = QueryCache(cache_dir or default_cache_dir())
    client = SparqlClient(cache=cache, offline=offline, timeout=timeout, retries=retries, contact=contact)
    store = state(ctx).store("write", command="link", through_server=True)
    report = run_link(store, chosen, client, endpoint=endpoint, limit=limit, batch_size=batch_size)
    out_console.print(
        f"{chosen.title}: {report.looked_up} items looked up: {report.matched} matched, {report.unmatched} "
        f"unmatched, {report.ambiguous} ambiguous; {report.requests} requests, {report.cached} answers from the "
        f"cache; graph <{report.graph}> ({report.seconds:.1f} s)", markup=False)
    for item, candidates in report.ambiguous_items.items():
        err_console.print(f"ambiguous: <{item}> has {len(candidates)} candidates: "
                          + ", ".join(f"<{c}>" for c in candidates), markup=False)


def register(app: typer.Typer) -> None:
    app.command("link")(link_command)
