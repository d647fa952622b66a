"""Where the graph lives: embedded Oxigraph on disk (default), in memory, or a remote SPARQL 1.1 store.

>>> store = open_store("memory")
>>> store.kind
'memory'
"""

from __future__ import annotations

import os
from pathlib import Path

from odlm_kg.errors import UsageError
from odlm_kg.store.base import QueryResult, SelectResult, Store
from odlm_kg.store.oxigraph import OxigraphStore

STORE_ENV = "ODLM_KG_STORE"


def default_store_path() -> Path:
    """``$ODLM_KG_STORE``, else ``$XDG_DATA_HOME/odlm-kg/store`` (``~/.local/share/odlm-kg/store``)."""
    data_home = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(data_home) / "odlm-kg" / "store"


def open_store(spec: str | None = None, **remote_options: str | None) -> Store:
    """Open a store from the ``--store`` value: a directory, ``memory``, or an http(s) endpoint URL.

    ``remote_options`` (``update_url``, ``gsp_url``) apply to remote stores only.
    """
    spec = spec or os.environ.get(STORE_ENV) or str(default_store_path())
    if spec == "memory":
        return OxigraphStore()
    if spec.startswith(("http://", "https://")):
        try:
            from odlm_kg.store.remote import RemoteStore
        except ImportError as exc:  # pragma: no cover - the remote backend ships with the package
            raise UsageError("remote stores are not available in this installation") from exc
        return RemoteStore(spec, **remote_options)
    if "://" in spec:
        raise UsageError(f"--store {spec!r}: expected a directory, 'memory', or an http(s):// SPARQL endpoint URL")
    return OxigraphStore(Path(spec).expanduser())


__all__ = ["STORE_ENV", "OxigraphStore", "QueryResult", "SelectResult", "Store", "default_store_path",
           "open_store"]
