"""What the global options give every command: the store, and how to report errors."""

from __future__ import annotations

from dataclasses import dataclass, field

import typer
from rich.console import Console

from odlm_kg.store import Store, open_store

err_console = Console(stderr=True, highlight=False, soft_wrap=True)
out_console = Console(highlight=False, soft_wrap=True)


@dataclass
class CliState:
    store_spec: str | None = None
    update_url: str | None = None
    gsp_url: str | None = None
    _store: Store | None = field(default=None, repr=False)

    def store(self) -> Store:
        """Open the store on first use, so commands that need none (validate) never lock it."""
        if self._store is None:
            self._store = open_store(self.store_spec, update_url=self.update_url, gsp_url=self.gsp_url)
        return self._store

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None


def state(ctx: typer.Context) -> CliState:
    obj = ctx.find_root().obj
    if not isinstance(obj, CliState):  # a command invoked without the root callback (tests)
        obj = CliState()
        ctx.find_root().obj = obj
    return obj
