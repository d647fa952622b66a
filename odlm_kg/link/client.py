"""The machinery every link target shares: SPARQL SELECT over HTTP with SPARQLWrapper, a descriptive
User-Agent, a timeout per request, retries with exponential back-off that honour ``Retry-After`` on 429
and 503, and an on-disk cache keyed by (endpoint, query) so that a second run sends nothing.

>>> key = QueryCache.key("https://query.wikidata.org/sparql", "SELECT * { ?s ?p ?o }")
>>> len(key), key == QueryCache.key("https://query.wikidata.org/sparql", "SELECT * { ?s ?p ?o }")
(64, True)
>>> retry_after_seconds("7"), retry_after_seconds("soon") is None
(7.0, True)
"""

from __future__ import annotations

import email.utils
import hashlib
import json
import os
import tempfile
import time
import urllib.error
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from odlm_kg import __version__
from odlm_kg.errors import OdlmError

#: Contact given in the User-Agent when the user names none (Wikimedia's policy asks for one).
DEFAULT_CONTACT = "https://w3id.org/odlm"
RETRY_STATUSES = (429, 503)
#: Never wait longer than this for one retry, whatever Retry-After says.
MAX_WAIT_SECONDS = 120.0


class LinkError(OdlmError):
    """A target endpoint could not answer (unreachable, refused the query, timed out, malformed answer)."""

    exit_code = 2


class OfflineMiss(LinkError):
    """``--offline`` and the cache holds no answer for a query."""


def user_agent(contact: str | None = None) -> str:
    """A User-Agent naming the tool, its version, what it does and whom to contact.

    >>> agent = user_agent("mailto:me@example.org")
    >>> agent.startswith("odlm-kg/"), agent.endswith("(linking papers and code to scholarly graphs; "
    ...                                                "mailto:me@example.org) SPARQLWrapper")
    (True, True)
    """
    return (f"odlm-kg/{__version__} (linking papers and code to scholarly graphs; "
            f"{contact or os.environ.get('ODLM_KG_CONTACT') or DEFAULT_CONTACT}) SPARQLWrapper")


def default_cache_dir() -> Path:
    """``$ODLM_KG_CACHE`` or ``$XDG_CACHE_HOME/odlm-kg/link`` (``~/.cache/odlm-kg/link``)."""
    if os.environ.get("ODLM_KG_CACHE"):
        return Path(os.environ["ODLM_KG_CACHE"])
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "odlm-kg" / "link"


def retry_after_seconds(value: str | None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    text = value.strip()
    if text.isdigit():
        return float(text)
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


class QueryCache:
    """SPARQL JSON answers on disk, one file per (endpoint, query), written atomically."""

    def __init__(self, directory: Path | str) -> None:
        self.directory = Path(directory)

    @staticmethod
    def key(endpoint: str, query: str) -> str:
        return hashlib.sha256(f"{endpoint}\n{query}".encode()).hexdigest()

    def path(self, endpoint: str, query: str) -> Path:
        key = self.key(endpoint, query)
        return self.directory / key[:2] / f"{key}.json"

    def get(self, endpoint: str, query: str) -> dict[str, Any] | None:
        path = self.path(endpoint, query)
        try:
            entry = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except (OSError, ValueError):
            return None  # unreadable entry: treated as absent, rewritten by the next fetch
        if not isinstance(entry, dict) or entry.get("endpoint") != endpoint or entry.get("query") != query:
            return None
        result = entry.get("result")
        return result if isinstance(result, dict) else None

    def put(self, endpoint: str, query: str, result: dict[str, Any]) -> None:
        path = self.path(endpoint, query)
        entry = {"endpoint": endpoint, "query": query, "fetched": datetime.now(UTC).isoformat(timespec="seconds"),
                 "result": result}
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".part")
        except OSError as exc:
            raise LinkError(f"cannot write the answer cache in {self.directory}: {exc.strerror or exc}; "
                            "choose another --cache-dir") from exc
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                json.dump(entry, out)
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    def entries(self) -> list[Path]:
        return sorted(self.directory.glob("*/*.json")) if self.directory.is_dir() else []


@dataclass
class ClientStats:
    requests: int = 0
    cached: int = 0
    retries: int = 0
    waited_seconds: float = 0.0


@dataclass
class SparqlClient:
    """SELECT queries against one or more endpoints, cached, polite and patient.

    ``sleep`` is injectable so that tests can count waits without spending them.
    """

    cache: QueryCache | None = None
    offline: bool = False
    timeout: float = 60.0
    retries: int = 5
    backoff: float = 2.0
    contact: str | None = None
    sleep: Callable[[float], None] = time.sleep
    stats: ClientStats = field(default_factory=ClientStats)

    def select(self, endpoint: str, query: str,
               check: Callable[[list[dict[str, dict[str, str]]]], None] | None = None
               ) -> list[dict[str, dict[str, str]]]:
        """The bindings of a SELECT query (SPARQL 1.1 JSON results), from the cache when it has them.

        ``check`` (raising LinkError) vets a fresh answer before it is cached, so that an answer the
        caller cannot use is never kept."""
        if self.cache is not None:
            hit = self.cache.get(endpoint, query)
            if hit is not None:
                self.stats.cached += 1
                return bindings_of(hit, endpoint)
        if self.offline:
            where = self.cache.directory if self.cache is not None else "(no cache directory)"
            raise OfflineMiss(f"--offline: the cache in {where} holds no answer for a query to {endpoint}; "
                              "run once without --offline (with network) to fill it")
        result = self._fetch(endpoint, query)
        rows = bindings_of(result, endpoint)  # check the shape before caching it
        if check is not None:
            check(rows)
        if self.cache is not None:
            self.cache.put(endpoint, query, result)
        return rows

    def _fetch(self, endpoint: str, query: str) -> dict[str, Any]:
        from SPARQLWrapper import JSON, POST, SPARQLWrapper
        from SPARQLWrapper.SPARQLExceptions import (
            EndPointInternalError,
            EndPointNotFound,
            QueryBadFormed,
            SPARQLWrapperException,
            Unauthorized,
            URITooLong,
        )

        attempt = 0
        while True:
            wrapper = SPARQLWrapper(endpoint, agent=user_agent(self.contact))
            wrapper.setMethod(POST)
            wrapper.setReturnFormat(JSON)
            wrapper.timeout = self.timeout  # setTimeout() truncates to whole seconds (0.5 would mean none)
            wrapper.setQuery(query)
            self.stats.requests += 1
            try:
                response = wrapper.query()
                status = getattr(response.response, "status", None) or response.response.getcode()
                body = response.response.read()
            except urllib.error.HTTPError as exc:
                if exc.code in RETRY_STATUSES and attempt < self.retries:
                    wait = retry_after_seconds(exc.headers.get("Retry-After") if exc.headers else None)
                    if wait is None:
                        wait = self.backoff * (2 ** attempt)
                    wait = min(wait, MAX_WAIT_SECONDS)
                    attempt += 1
                    self.stats.retries += 1
                    self.stats.waited_seconds += wait
                    self.sleep(wait)
                    continue
                detail = _body_text(exc)
                if exc.code in RETRY_STATUSES:
                    raise LinkError(f"{endpoint} still answered {exc.code} after {self.retries} retries"
                                    f"{detail}; try again later or lower --batch-size") from exc
                raise LinkError(f"{endpoint} answered HTTP {exc.code}{detail}") from exc
            except QueryBadFormed as exc:
                raise LinkError(f"{endpoint} rejected the query as malformed (HTTP 400): {_short(exc)}") from exc
            except EndPointNotFound as exc:
                raise LinkError(f"{endpoint} answered 404 Not Found: is this the URL of a SPARQL endpoint? "
                                "Check --endpoint") from exc
            except EndPointInternalError as exc:
                raise LinkError(f"{endpoint} failed with an internal error (HTTP 500): {_short(exc)}") from exc
            except (Unauthorized, URITooLong) as exc:
                raise LinkError(f"{endpoint} refused the request: {_short(exc)}") from exc
            except SPARQLWrapperException as exc:
                raise LinkError(f"{endpoint}: {_short(exc)}") from exc
            except TimeoutError as exc:
                raise LinkError(f"{endpoint} did not answer within {self.timeout:g} s; raise --timeout or lower "
                                "--batch-size") from exc
            except urllib.error.URLError as exc:
                reason = exc.reason
                if isinstance(reason, TimeoutError):
                    raise LinkError(f"{endpoint} did not answer within {self.timeout:g} s; raise --timeout or "
                                    "lower --batch-size") from exc
                raise LinkError(f"cannot reach {endpoint}: {reason}") from exc
            except (OSError, ValueError) as exc:  # connection reset, bad URL, http.client errors
                raise LinkError(f"cannot query {endpoint}: {exc}") from exc
            if status and int(status) >= 300:
                raise LinkError(f"{endpoint} answered HTTP {status}")
            try:
                result = json.loads(body.decode("utf-8"))
            except (UnicodeDecodeError, ValueError) as exc:
                preview = body[:80].decode("utf-8", "replace").replace("\n", " ")
                raise LinkError(f"{endpoint} did not answer with SPARQL JSON results (it began {preview!r}); "
                                "is this the URL of a SPARQL endpoint?") from exc
            if not isinstance(result, dict):
                raise LinkError(f"{endpoint} answered JSON that is not a SPARQL results document")
            return result


def bindings_of(result: dict[str, Any], endpoint: str) -> list[dict[str, dict[str, str]]]:
    """The ``results.bindings`` of a SPARQL JSON document, checked; LinkError when malformed."""
    results = result.get("results")
    bindings = results.get("bindings") if isinstance(results, dict) else None
    if not isinstance(result.get("head"), dict) or not isinstance(bindings, list):
        raise LinkError(f"{endpoint} answered a malformed SPARQL JSON document (no head or results.bindings)")
    for row in bindings:
        if not isinstance(row, dict) or not all(
                isinstance(v, dict) and isinstance(v.get("type"), str) and isinstance(v.get("value"), str)
                for v in row.values()):
            raise LinkError(f"{endpoint} answered a malformed binding: {json.dumps(row)[:200]}")
    return bindings


def _short(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return text[:300]


def _body_text(exc: urllib.error.HTTPError) -> str:
    try:
        text = exc.read().decode("utf-8", "replace")
    except Exception:
        return ""
    text = " ".join(text.split())[:200]
    return f": {text}" if text else ""
