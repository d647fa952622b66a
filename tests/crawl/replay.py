"""A real HTTP server on 127.0.0.1 that replays recorded platform responses as pages, for the crawl tests
and ``benchmarks/crawl.py`` (never a mock object: the crawler talks HTTP to it like to the platform).

A :class:`Feed` is one listing (``/api/models``, ``/search/repositories``, ``/records``, ``/dois``): its
records cut into pages, each wrapped the way the platform wraps them, linked to the next page by a
``Link`` header (Hub, GitHub) or by ``links.next`` in the body (Zenodo, DataCite). Every page has an
``ETag`` and answers ``If-None-Match`` with a 304. :class:`Fault` entries make one request fail once: a
429 with ``Retry-After``, a 503, a body cut short. A feed may require a token. Every request is logged
(path, query, headers) for the tests to inspect.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

PAGE_PARAMETER = "replay_page"


def hub_page(records: list[Any], next_url: str | None) -> Any:
    return records


def github_page(records: list[Any], next_url: str | None) -> Any:
    return {"total_count": len(records), "incomplete_results": False, "items": records}


def zenodo_page(records: list[Any], next_url: str | None) -> Any:
    return {"hits": {"hits": records, "total": len(records)}, "links": {"next": next_url} if next_url else {}}


def datacite_page(records: list[Any], next_url: str | None) -> Any:
    data = [{"id": r.get("doi"), "type": "dois", "attributes": r} for r in records]
    return {"data": data, "links": {"next": next_url} if next_url else {}}


@dataclass
class Feed:
    records: list[Any]
    page_size: int
    wrap: Callable[[list[Any], str | None], Any]
    link_header: bool = True          # next page in a Link header (else in the body only)
    token: str | None = None          # a request without "Authorization: Bearer <token>" gets a 401
    rate_limit: int | None = None     # send X-RateLimit-* headers with this window
    delay: float = 0.0                # seconds before each answer (a slow platform)

    def page_count(self) -> int:
        return max(1, -(-len(self.records) // self.page_size))


@dataclass
class Fault:
    """Make the ``times``-th and following matching requests fail once each, ``times`` times."""

    path: str
    page: int
    kind: str          # "429", "503", "truncated"
    times: int = 1
    retry_after: str = "1"


@dataclass
class Logged:
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    status: int


@dataclass
class ReplayServer:
    feeds: dict[str, Feed] = field(default_factory=dict)
    faults: list[Fault] = field(default_factory=list)
    log: list[Logged] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._remaining: dict[str, int] = {}
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:  # quiet
                pass

            def do_GET(self) -> None:
                server._answer(self)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def __enter__(self) -> ReplayServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def requests_to(self, path: str) -> list[Logged]:
        return [entry for entry in self.log if entry.path == path]

    def _fault(self, path: str, page: int) -> Fault | None:
        with self._lock:
            for fault in self.faults:
                if fault.path == path and fault.page == page and fault.times > 0:
                    fault.times -= 1
                    return fault
        return None

    def _answer(self, handler: BaseHTTPRequestHandler) -> None:
        parts = urlsplit(handler.path)
        query = dict(parse_qsl(parts.query, keep_blank_values=True))
        headers = {key.lower(): value for key, value in handler.headers.items()}
        feed = self.feeds.get(parts.path)

        def send(status: int, body: bytes = b"", extra: dict[str, str] | None = None, cut: bool = False) -> None:
            with self._lock:
                self.log.append(Logged(parts.path, query, headers, status))
            handler.send_response(status)
            for key, value in (extra or {}).items():
                handler.send_header(key, value)
            handler.send_header("Content-Length", str(len(body)))
            if status != 304:
                handler.send_header("Content-Type", "application/json")
            handler.end_headers()
            handler.wfile.write(body[: len(body) // 2] if cut else body)
            handler.wfile.flush()
            if cut:  # the connection drops half-way through the body
                handler.close_connection = True

        if feed is None:
            send(404, b'{"error": "no such listing"}')
            return
        if feed.delay:
            time.sleep(feed.delay)
        if feed.token is not None and headers.get("authorization") != f"Bearer {feed.token}":
            send(401, b'{"message": "Bad credentials"}')
            return
        page = int(query.get(PAGE_PARAMETER, "1"))
        extra: dict[str, str] = {}
        if feed.rate_limit is not None:
            with self._lock:
                left = self._remaining.setdefault(parts.path, feed.rate_limit) - 1
                self._remaining[parts.path] = max(0, left)
            extra.update({"X-RateLimit-Limit": str(feed.rate_limit), "X-RateLimit-Remaining": str(max(0, left)),
                          "X-RateLimit-Reset": str(int(time.time()) + 60)})
        fault = self._fault(parts.path, page)
        if fault is not None and fault.kind == "429":
            send(429, b'{"error": "slow down"}', {"Retry-After": fault.retry_after, **extra})
            return
        if fault is not None and fault.kind == "503":
            send(503, b'{"error": "unavailable"}', extra)
            return
        start = (page - 1) * feed.page_size
        records = feed.records[start:start + feed.page_size]
        next_url = None
        if start + feed.page_size < len(feed.records):
            kept = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != PAGE_PARAMETER]
            next_url = f"{self.url}{parts.path}?{urlencode([*kept, (PAGE_PARAMETER, str(page + 1))])}"
        body = json.dumps(feed.wrap(records, next_url)).encode("utf-8")
        etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
        extra["ETag"] = etag
        if headers.get("if-none-match") == etag:
            send(304, b"", extra)
            return
        if next_url and feed.link_header:
            extra["Link"] = f'<{next_url}>; rel="next"'
        send(200, body, extra, cut=fault is not None and fault.kind == "truncated")
