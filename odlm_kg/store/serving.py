"""Who is serving an on-disk store: the small file ``odlm-kg serve`` writes into the store's directory.

While ``odlm-kg serve`` runs it holds the store's RocksDB write lock, so no other process can open the
store for writing. Reading commands do not need the lock (they open a read-only view); writing
commands read this file to tell the user which server holds the store and how to reach it, or, when
the server accepts updates, to send their writes through it.

The file is JSON, readable by its owner only (mode 0600: it holds the update token of a server started
with ``--allow-update``). RocksDB ignores files it did not write, so it lives inside the store's
directory, where every process that finds the store also finds it. A server that died without
removing it leaves a stale file: a file whose process no longer runs is ignored.

>>> info = ServingInfo(pid=12, host="0.0.0.0", port=8080, allow_update=False)
>>> info.sparql_url
'http://127.0.0.1:8080/sparql'
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path

SERVING_FILE = "odlm-kg-serve.json"


@dataclass(frozen=True)
class ServingInfo:
    """The serving process and where it listens."""

    pid: int
    host: str
    port: int
    allow_update: bool
    #: the bearer token updates must carry; only written when the server accepts updates
    update_token: str | None = None
    #: the largest request body the server accepts (a write through it must stay below)
    max_body: int = 10 * 1024 * 1024

    @property
    def sparql_url(self) -> str:
        # a server listening on every interface is reached on loopback from this machine
        host = "127.0.0.1" if self.host in ("0.0.0.0", "", "::") else self.host
        host = f"[{host}]" if ":" in host else host
        return f"http://{host}:{self.port}/sparql"


def _process_runs(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # it runs, as another user
        return True
    return True


def read_serving(store_path: Path) -> ServingInfo | None:
    """The server announced in ``store_path``, or None (no file, an unreadable one, or a stale one)."""
    try:
        fields = json.loads((Path(store_path) / SERVING_FILE).read_text(encoding="utf-8"))
        info = ServingInfo(pid=int(fields["pid"]), host=str(fields["host"]), port=int(fields["port"]),
                           allow_update=bool(fields["allow_update"]),
                           update_token=fields.get("update_token"),
                           max_body=int(fields.get("max_body", 10 * 1024 * 1024)))
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return info if _process_runs(info.pid) else None


@contextmanager
def announce_serving(store_path: Path, info: ServingInfo) -> Iterator[None]:
    """Write the serving file for as long as the block runs (the caller holds the store's write lock)."""
    target = Path(store_path) / SERVING_FILE
    partial = target.with_name(f".{SERVING_FILE}.{os.getpid()}")
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        json.dump(asdict(info), handle)
    os.replace(partial, target)  # readers never see half a file
    try:
        yield
    finally:
        try:
            current = read_serving(store_path)
            if current is None or current.pid == info.pid:
                target.unlink(missing_ok=True)
        except OSError:  # pragma: no cover - the directory went away
            pass


__all__ = ["SERVING_FILE", "ServingInfo", "announce_serving", "read_serving"]
