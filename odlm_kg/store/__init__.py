"""Where the graph lives: embedded Oxigraph on disk (default), in memory, or a remote SPARQL 1.1 store.

>>> store = open_store("memory")
>>> store.kind
'memory'
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path

from odlm_kg.errors import StoreError, UsageError
from odlm_kg.store.base import QueryResult, SelectResult, Store
from odlm_kg.store.oxigraph import OxigraphStore, StoreLocked
from odlm_kg.store.serving import SERVING_FILE, ServingInfo, read_serving

STORE_ENV = "ODLM_KG_STORE"
#: The update token of ``odlm-kg serve --allow-update``; a remote store sends it with its writes.
UPDATE_TOKEN_ENV = "ODLM_KG_UPDATE_TOKEN"


def default_store_path() -> Path:
    """``$ODLM_KG_STORE``, else ``$XDG_DATA_HOME/odlm-kg/store`` (``~/.local/share/odlm-kg/store``)."""
    data_home = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(data_home) / "odlm-kg" / "store"


#: How a command opens an on-disk store: ``read`` a read-only view of an existing store (never locks,
#: works while ``odlm-kg serve`` or a load holds it); ``write`` the store itself (creating it if new);
#: ``auto`` a read-only view when the store exists and holds data, else as ``write`` (the Python API,
#: which builds an empty store before its first query).
ACCESS_MODES = ("read", "write", "auto")

#: Seconds between two attempts to take the write lock of a store another writer holds.
LOCK_POLL_SECONDS = 0.5


class StoreBusy(StoreLocked):
    """``odlm-kg serve`` holds the store; ``serving`` says where it listens and whether it takes updates."""

    def __init__(self, message: str, path: Path, serving: ServingInfo) -> None:
        super().__init__(message)
        self.path = path
        self.serving = serving


def busy_message(path: Path, serving: ServingInfo, command: str = "load") -> str:
    """The one sentence that tells a writing command what to do while ``odlm-kg serve`` holds the store."""
    if command == "serve":
        return (f"the store at {path} is already being served by `odlm-kg serve` (pid {serving.pid}, port "
                f"{serving.port}); stop it first, or use it at {serving.sparql_url}")
    how = (f"run {command} with --store {serving.sparql_url} (and $ODLM_KG_UPDATE_TOKEN set to its token)"
           if serving.allow_update else
           f"start it with --allow-update and run {command} with --store {serving.sparql_url}")
    return (f"the store at {path} is being served by `odlm-kg serve` (pid {serving.pid}, port {serving.port}); "
            f"stop it, or {how}")


def is_oxigraph_store(path: Path) -> bool:
    """An Oxigraph (RocksDB) directory has a CURRENT file naming its manifest."""
    return (path / "CURRENT").is_file()


def _holds_other_files(path: Path) -> bool:
    return any(entry.name != SERVING_FILE for entry in path.iterdir())


def check_store_directory(path: Path, access: str, *, create_parents: bool = False) -> None:
    """Refuse what is not a store before Oxigraph writes into it (one sentence each, exit 2).

    A non-empty folder that is not a store is refused for every access (Oxigraph would write its
    database files among the user's). Reading needs an existing store. Writing may create the store's
    own folder, but only when its parent exists (a mistyped path is not created silently); the default
    per-user store is created with its parents (``create_parents``).
    """
    if path.exists() and not path.is_dir():
        raise UsageError(f"--store {path}: is a file, not a store directory")
    if path.is_dir() and not is_oxigraph_store(path) and _holds_other_files(path):
        raise UsageError(f"--store {path}: is a folder that holds other files and is not an Oxigraph store; "
                         "give a store's folder, a new or empty folder, or 'memory'")
    if access == "read":
        if not path.is_dir() or not is_oxigraph_store(path):
            raise StoreError(f"there is no store at {path} yet; make one with `odlm-kg --store {path} build`"
                             " (or `odlm-kg serve`)")
        return
    if not path.exists() and not create_parents and not path.parent.is_dir():
        raise StoreError(f"cannot create the store at {path}: its parent folder {path.parent} does not exist "
                         "(create it first, or check the path)")


def open_local_store(path: Path, access: str = "write", *, create_parents: bool = False,
                     on_wait: Callable[[str], None] | None = None) -> OxigraphStore:
    """Open an on-disk store for ``access`` (see :data:`ACCESS_MODES`).

    Writing while another process holds the store: when it is ``odlm-kg serve``, :class:`StoreBusy`
    (it will not stop by itself); otherwise (a load or build) wait for it, telling ``on_wait`` once.
    """
    if access not in ACCESS_MODES:
        raise ValueError(f"access {access!r}: expected one of {', '.join(ACCESS_MODES)}")
    path = Path(path).expanduser()
    check_store_directory(path, access, create_parents=create_parents)
    if access == "auto":
        if is_oxigraph_store(path):
            reader = OxigraphStore(path, read_only=True)
            if not reader.is_empty():
                return reader
            reader.close()
        access = "write"
    if access == "read":
        return OxigraphStore(path, read_only=True)
    if not path.exists():
        path.mkdir(parents=create_parents)
    told = False
    while True:
        try:
            return OxigraphStore(path)
        except StoreLocked:
            serving = read_serving(path)
            if serving is not None:
                raise StoreBusy(busy_message(path, serving), path, serving) from None
            if not told and on_wait is not None:
                on_wait(f"the store at {path} is open for writing in another process; waiting for it to "
                        "finish (Ctrl-C to stop) …")
                told = True
            time.sleep(LOCK_POLL_SECONDS)


def open_store(spec: str | None = None, access: str = "auto", *, on_wait: Callable[[str], None] | None = None,
               **remote_options: str | None) -> Store:
    """Open a store from the ``--store`` value: a directory, ``memory``, or an http(s) endpoint URL.

    ``access`` (``read``, ``write``, ``auto``) applies to directories: see :data:`ACCESS_MODES`.
    ``remote_options`` (``update_url``, ``gsp_url``, ``engine``) apply to remote stores only; a remote
    store sends ``$ODLM_KG_UPDATE_TOKEN`` as the bearer token of its writes (what ``odlm-kg serve --allow-update``
    expects).
    """
    default = not (spec or os.environ.get(STORE_ENV))
    spec = spec or os.environ.get(STORE_ENV) or str(default_store_path())
    if remote_options.get("engine") and not spec.startswith(("http://", "https://")):
        raise UsageError("--engine applies to a remote store (an http(s):// --store) only")
    if spec == "memory":
        return OxigraphStore()
    if spec.startswith(("http://", "https://")):
        try:
            from odlm_kg.store.remote import RemoteStore
        except ImportError as exc:  # pragma: no cover - the remote backend ships with the package
            raise UsageError("remote stores are not available in this installation") from exc
        return RemoteStore(spec, update_token=os.environ.get(UPDATE_TOKEN_ENV) or None, **remote_options)
    if "://" in spec:
        raise UsageError(f"--store {spec!r}: expected a directory, 'memory', or an http(s):// SPARQL endpoint URL")
    return open_local_store(Path(spec), access, create_parents=default, on_wait=on_wait)


__all__ = ["ACCESS_MODES", "STORE_ENV", "UPDATE_TOKEN_ENV", "OxigraphStore", "QueryResult", "SelectResult",
           "Store", "StoreBusy", "busy_message", "default_store_path", "open_local_store", "open_store"]
