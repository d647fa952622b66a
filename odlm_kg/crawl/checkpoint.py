"""A crawl's checkpoint: written (atomically) after every page, read when the same crawl starts again.

It holds where the crawl is (the next page's URL), how far it got (pages, records fetched and kept), how
many bytes of the spool and the ``--out`` file belong to finished pages (whatever a kill left after
them is cut off on resume, so no record is kept twice), and the crawl run's IRI. Never a token: they
travel in the ``Authorization`` header only, and URLs carry none.

ETags of fetched pages are kept in a file of their own beside it, across crawls, for conditional
requests the next time.
"""

from __future__ import annotations

import contextlib
import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from odlm_kg.errors import InputError

FORMAT_VERSION = 1


@dataclass
class Checkpoint:
    source: str
    first_url: str
    crawl_run: str
    started_at: str
    since: str | None = None
    next_url: str | None = None
    pages: int = 0
    fetched: int = 0        # records the platform returned
    kept: int = 0           # records kept (after --since and --limit)
    spooled_bytes: int = 0  # bytes of the spool written by finished pages, not yet loaded
    spooled_records: int = 0
    out_bytes: int = 0      # bytes of the --out file written by finished pages
    loaded: int = 0         # records handed to the loader so far
    written: int = 0        # records the loader wrote
    rejected: int = 0
    finished: bool = False  # every page fetched (what is left is the last load)
    version: int = FORMAT_VERSION
    extra: dict[str, Any] = field(default_factory=dict)

    def save(self, path: Path) -> None:
        """Replace the file at once (write aside, fsync, rename): a kill leaves the old or the new one."""
        path.parent.mkdir(parents=True, exist_ok=True)
        aside = path.with_name(path.name + ".tmp")
        with open(aside, "w", encoding="utf-8") as handle:
            json.dump(asdict(self), handle, indent=1)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(aside, path)

    @classmethod
    def read(cls, path: Path) -> Checkpoint | None:
        """The checkpoint at ``path``, None when there is none; InputError when it is not one."""
        if not path.exists():
            return None
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if data.get("version") != FORMAT_VERSION:
                raise ValueError(f"format version {data.get('version')!r}")
            return cls(**data)
        except (OSError, ValueError, TypeError) as exc:
            raise InputError(f"{path}: not a crawl checkpoint of this version ({exc}); delete it or give "
                             "--restart to start the crawl again") from exc

    @staticmethod
    def remove(path: Path) -> None:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()


def read_etags(path: Path) -> dict[str, list[str | None]]:
    """URL → [ETag, the next page's URL] of pages fetched before; empty when unreadable (only a cache)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def write_etags(path: Path, etags: dict[str, list[str | None]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    aside = path.with_name(path.name + ".tmp")
    aside.write_text(json.dumps(etags), encoding="utf-8")
    os.replace(aside, path)


def cut_to(path: Path, size: int) -> None:
    """Cut a file back to ``size`` bytes (what finished pages wrote); a missing file is created empty."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "ab") as handle:
        handle.truncate(size)
