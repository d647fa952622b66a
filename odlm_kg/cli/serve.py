"""``odlm-kg serve``: the SPARQL endpoint (and query page) over the store, building it first if empty."""

from __future__ import annotations

import os
import signal
from typing import Annotated

import typer

from odlm_kg.cli.context import err_console, state
from odlm_kg.errors import UsageError
from odlm_kg.store import OxigraphStore
from odlm_kg.store.serving import ServingInfo, announce_serving


def serve_command(
    ctx: typer.Context,
    host: Annotated[str, typer.Option(help="Interface to listen on (loopback by default).")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.")] = 8000,
    allow_update: Annotated[bool, typer.Option("--allow-update", help=(
        "Accept SPARQL Update from requests that carry the update token."))] = False,
    update_token: Annotated[str | None, typer.Option(envvar="ODLM_KG_UPDATE_TOKEN", help=(
        "The bearer token updates must carry (default: a random one, printed at start).")) ] = None,
    timeout: Annotated[float, typer.Option(help="Seconds a query may run before it is killed.")] = 30.0,
    row_cap: Annotated[int, typer.Option(help="Most rows (or triples) a result holds.")] = 10_000,
    max_body: Annotated[int, typer.Option(help="Largest request body, in bytes.")] = 10 * 1024 * 1024,
    service_allow: Annotated[list[str] | None, typer.Option(help=(
        "An endpoint SERVICE may call (repeatable); none by default."))] = None,
    workers: Annotated[int | None, typer.Option(help="Query worker processes (default: CPU count, at least 4).")
                       ] = None,
    cache_mb: Annotated[int, typer.Option(help="Result cache size in MiB (0 turns it off).")] = 64,
    public_url: Annotated[str | None, typer.Option(help=(
        "Base of the IRIs the server writes and of relative IRIs in queries (default http://HOST:PORT; "
        "never the Host header). Give the public URL when behind a proxy."))] = None,
    memory_mb: Annotated[int, typer.Option(help=(
        "MiB a query, update or validation may allocate in its worker (0: no limit)."))] = 2048,
) -> None:
    """Serve the SPARQL endpoint and the query page at http://HOST:PORT (read-only unless --allow-update)."""
    import uvicorn

    from odlm_kg.build import build
    from odlm_kg.server import ServerSettings, create_app

    if timeout <= 0 or row_cap <= 0 or max_body <= 0 or memory_mb < 0:
        raise UsageError("--timeout, --row-cap and --max-body must be positive, --memory-mb not negative")
    if update_token is not None and not allow_update:
        raise UsageError("an update token (--update-token or $ODLM_KG_UPDATE_TOKEN) only makes sense with "
                         "--allow-update")
    store = state(ctx).store("write", command="serve")
    if store.is_empty():
        err_console.print("the store is empty: building the default graph first …")
        report = build(store)
        err_console.print(f"built {report.total:,} triples in {len(report.graphs)} named graphs")
    settings = ServerSettings(allow_update=allow_update, update_token=update_token, timeout=timeout,
                              row_cap=row_cap, max_body=max_body, service_allow=tuple(service_allow or ()),
                              cache_bytes=cache_mb * 1024 * 1024, public_url=public_url or _base_url(host, port),
                              memory_bytes=memory_mb * 1024 * 1024)
    if workers is not None:
        settings.workers = max(1, workers)
    if allow_update and update_token is None:
        err_console.print(f"updates allowed with the token: {settings.token()}", markup=False)
    err_console.print(f"odlm-kg endpoint on http://{host}:{port}/ (SPARQL at /sparql; read-only: "
                      f"{not allow_update}; timeout {timeout:g} s; row cap {row_cap})", markup=False)
    app = create_app(store, settings)
    if isinstance(store, OxigraphStore) and store.path is not None:
        # tell other odlm-kg commands who holds the store's write lock, and how to write through us
        serving = ServingInfo(pid=os.getpid(), host=host, port=port, allow_update=allow_update,
                              update_token=settings.token() if allow_update else None, max_body=max_body)
        # uvicorn stops gracefully on SIGTERM, then raises the signal again under the handler it found:
        # make that one an exit, so the serving file is removed and the store closed
        previous = signal.signal(signal.SIGTERM, _exit_on_signal)
        try:
            with announce_serving(store.path, serving):
                uvicorn.run(app, host=host, port=port, log_level="warning")
        finally:
            signal.signal(signal.SIGTERM, previous)
    else:
        uvicorn.run(app, host=host, port=port, log_level="warning")


def _exit_on_signal(number: int, _frame: object) -> None:
    raise SystemExit(128 + number)


def _base_url(host: str, port: int) -> str:
    """http://HOST:PORT, with an IPv6 address in brackets."""
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def register(app: typer.Typer) -> None:
    app.command("serve")(serve_command)
