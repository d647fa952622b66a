"""What the global options give every command: the store, and how to report errors."""

from __future__ import annotations

from dataclasses import dataclass, field

import typer
from rich.console import Console

from odlm_kg.store import Store, StoreBusy, busy_message, open_store

err_console = Console(stderr=True, highlight=False, soft_wrap=True)
out_console = Console(highlight=False, soft_wrap=True)


@dataclass
class CliState:
    store_spec: str | None = None
    update_url: str | None = None
    gsp_url: str | None = None
    engine: str | None = None
    _store: Store | None = field(default=None, repr=False)

    def store(self, access: str = "read", *, command: str = "load", through_server: bool = False) -> Store:
        """Open the store on first use, so commands that need none (validate) never lock it.

        ``access="read"`` (stats, query, report) opens an on-disk store read-only: it works while
        ``odlm-kg serve`` or a load holds it. ``access="write"`` takes the store's write lock, waiting
        for another writing command to finish; while ``odlm-kg serve`` holds the store, writes go
        through that server when ``through_server`` and it accepts updates, else the command stops
        with one sentence saying what to do.
        """
        if self._store is None:
            try:
                self._store = open_store(self.store_spec, access, update_url=self.update_url,
                                         gsp_url=self.gsp_url, engine=self.engine, on_wait=_tell)
            except StoreBusy as busy:
                serving = busy.serving
                if not (through_server and serving.allow_update and serving.update_token):
                    raise StoreBusy(busy_message(busy.path, serving, command), busy.path, serving) from None
                from odlm_kg.store.remote import RemoteStore

                _tell(f"the store at {busy.path} is being served by `odlm-kg serve` (pid {serving.pid}); "
                      f"writing through it at {serving.sparql_url}")
                remote = RemoteStore(serving.sparql_url, update_token=serving.update_token)
                # each write one request, below the server's body limit (with room for the update's words)
                remote.bulk_write_bytes = min(remote.bulk_write_bytes, serving.max_body // 2)
                self._store = remote
        return self._store

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None


def _tell(message: str) -> None:
    err_console.print(message, markup=False)


def state(ctx: typer.Context) -> CliState:
    obj = ctx.find_root().obj
    if not isinstance(obj, CliState):  # a command invoked without the root callback (tests)
        obj = CliState()
        ctx.find_root().obj = obj
    return obj
