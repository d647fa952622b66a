"""The polite HTTP layer every platform client shares.

- A descriptive ``User-Agent``: package name, version and project URL, so an operator can tell who asks.
- Back-off on 429 and 5xx (and on connection errors and bodies cut short): ``Retry-After`` is honoured
  when the server sends it (seconds or an HTTP date), else an exponential wait with full jitter; retries
  are bounded, then the crawl stops with one sentence.
- Rate windows: GitHub-style ``X-RateLimit-Remaining`` / ``X-RateLimit-Reset`` (and the IETF
  ``RateLimit-Remaining`` / ``RateLimit-Reset``) are read from every answer; when nothing is left the
  next request waits until the window resets.
- Conditional requests: a page fetched with an ``ETag`` is asked for again with ``If-None-Match``; a
  ``304 Not Modified`` means the page has not changed since.
- Tokens go into the ``Authorization`` header only; every message this layer raises has them removed.
"""

from __future__ import annotations

import email.utils
import json
import os
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx

from odlm_kg import __version__
from odlm_kg.errors import OdlmError

PROJECT_URL = "https://w3id.org/odlm"
USER_AGENT = f"odlm-kg/{__version__} (+{PROJECT_URL}; research crawler of public metadata)"
#: An address operators may write to (``mailto:`` in the User-Agent); DataCite, for one, gives requests
#: that carry one a larger rate window.
CONTACT_VARIABLE = "ODLM_KG_CONTACT"


def user_agent() -> str:
    """:data:`USER_AGENT`, with ``mailto:$ODLM_KG_CONTACT`` when that is set.

    >>> user_agent().startswith("odlm-kg/")
    True
    """
    contact = os.environ.get(CONTACT_VARIABLE, "").strip()
    return USER_AGENT.replace("; research", f"; mailto:{contact}; research") if contact else USER_AGENT

#: Statuses worth asking again after a wait.
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


class CrawlError(OdlmError):
    """A platform kept failing (after the retries) or answered with something that is not its API."""

    exit_code = 1


@dataclass
class Page:
    """One fetched page: its URL, status, the decoded JSON (None for a 304) and its headers."""

    url: str
    status: int
    data: Any
    headers: httpx.Headers
    etag: str | None = None

    @property
    def not_modified(self) -> bool:
        return self.status == 304


@dataclass
class RateWindow:
    """What the platform said of its rate window in its last answer (None: it did not say)."""

    remaining: int | None = None
    limit: int | None = None
    reset_at: float | None = None  # epoch seconds


@dataclass
class PoliteClient:
    """GETs JSON pages politely; see the module docstring. ``sleep`` is injectable so tests can count waits."""

    token: str | None = None
    max_retries: int = 5
    backoff_base: float = 0.5
    backoff_cap: float = 60.0
    longest_wait: float = 900.0  # a Retry-After or reset longer than this stops the crawl instead
    timeout: float = 60.0
    sleep: Callable[[float], None] = time.sleep
    extra_headers: dict[str, str] = field(default_factory=dict)
    window: RateWindow = field(default_factory=RateWindow)
    requests: int = 0
    retries: int = 0
    waited: float = 0.0

    def __post_init__(self) -> None:
        headers = {"User-Agent": user_agent(), "Accept": "application/json", **self.extra_headers}
        self._client = httpx.Client(headers=headers, timeout=self.timeout, follow_redirects=True)

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> PoliteClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _redact(self, text: str) -> str:
        return text.replace(self.token, "***") if self.token else text

    def get(self, url: str, *, etag: str | None = None) -> Page:
        """The JSON page at ``url`` (a 304 when ``etag`` still matches); CrawlError when it keeps failing."""
        headers: dict[str, str] = {}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        if etag:
            headers["If-None-Match"] = etag
        attempt = 0
        while True:
            self._wait_for_window()
            self.requests += 1
            problem: str
            wait: float | None = None
            try:
                response = self._client.get(url, headers=headers)
            except httpx.HTTPError as exc:  # connection refused or reset, timeout, body cut short
                problem = f"{type(exc).__name__}: {exc}"
            else:
                self._note_window(response.headers)
                if response.status_code == 304:
                    return Page(url, 304, None, response.headers, etag)
                if response.status_code == 200:
                    try:
                        data = json.loads(response.content)
                    except ValueError as exc:  # a truncated or garbled body: ask again
                        problem = f"the body is not complete JSON ({exc})"
                    else:
                        return Page(url, 200, data, response.headers, response.headers.get("etag"))
                elif response.status_code in RETRY_STATUSES or self._rate_limited(response):
                    problem = f"HTTP {response.status_code}"
                    wait = retry_after(response.headers)
                    if wait is None and self._rate_limited(response):
                        wait = self._until_reset()
                else:
                    raise CrawlError(self._redact(
                        f"{url} answered HTTP {response.status_code}: expected 200 and a JSON page"
                        + ("; is the token set and allowed to read this?" if response.status_code in (401, 403)
                           else "")))
            attempt += 1
            if attempt > self.max_retries:
                raise CrawlError(self._redact(f"{url} failed {attempt} times (last: {problem}); "
                                              "the checkpoint keeps the crawl's place: run the command again "
                                              "to resume"))
            if wait is None:
                wait = random.uniform(0, min(self.backoff_cap, self.backoff_base * 2 ** attempt))  # full jitter
            if wait > self.longest_wait:
                raise CrawlError(self._redact(f"{url}: the platform asks to wait {wait:.0f} s ({problem}); "
                                              "run the command again later to resume"))
            self.retries += 1
            self.waited += wait
            self.sleep(wait)

    @staticmethod
    def _rate_limited(response: httpx.Response) -> bool:
        """GitHub answers 403 (not 429) when the primary rate limit is spent."""
        return response.status_code == 403 and response.headers.get("x-ratelimit-remaining") == "0"

    def _note_window(self, headers: httpx.Headers) -> None:
        structured = structured_rate_limit(headers.get("ratelimit"), headers.get("ratelimit-policy"))
        if structured is not None:  # the Hub: RateLimit: "api";r=489;t=189
            remaining_now, reset_in, quota = structured
            self.window.remaining = remaining_now
            self.window.reset_at = time.time() + reset_in
            self.window.limit = quota if quota is not None else self.window.limit
            return
        remaining = headers.get("x-ratelimit-remaining") or headers.get("ratelimit-remaining")
        limit = headers.get("x-ratelimit-limit") or headers.get("ratelimit-limit")
        reset = headers.get("x-ratelimit-reset")
        relative_reset = headers.get("ratelimit-reset")  # IETF draft: seconds from now
        try:
            if remaining is not None:
                self.window.remaining = int(remaining)
            if limit is not None:
                self.window.limit = int(limit)
            if reset is not None:
                self.window.reset_at = float(reset)
            elif relative_reset is not None:
                self.window.reset_at = time.time() + float(relative_reset)
        except ValueError:
            pass  # a header we cannot read is no reason to stop

    def _until_reset(self) -> float:
        if self.window.reset_at is None:
            return self.backoff_cap
        return max(0.0, self.window.reset_at - time.time()) + 1.0

    def _wait_for_window(self) -> None:
        if self.window.remaining is not None and self.window.remaining <= 0:
            wait = self._until_reset()
            if wait > self.longest_wait:
                raise CrawlError(f"the rate window is spent until "
                                 f"{datetime.fromtimestamp(self.window.reset_at or 0, UTC):%Y-%m-%d %H:%M:%S} UTC; "
                                 "run the command again then to resume (or set a token for a larger window)")
            self.waited += wait
            self.sleep(wait)
            self.window.remaining = None


def retry_after(headers: httpx.Headers) -> float | None:
    """Seconds a ``Retry-After`` header asks to wait (delta-seconds or an HTTP date), None without one.

    >>> retry_after(httpx.Headers({"Retry-After": "2"}))
    2.0
    >>> retry_after(httpx.Headers({})) is None
    True
    """
    value = headers.get("retry-after")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def structured_rate_limit(value: str | None, policy: str | None) -> tuple[int, float, int | None] | None:
    """Remaining requests, seconds to the reset and the quota of an IETF structured ``RateLimit`` header
    (``"api";r=489;t=189`` with ``RateLimit-Policy: "fixed window";"api";q=500;w=300``); None without one.

    >>> structured_rate_limit('"api";r=489;t=189', '"fixed window";"api";q=500;w=300')
    (489, 189.0, 500)
    >>> structured_rate_limit("100", None) is None
    True
    """
    if not value or "r=" not in value:
        return None
    fields = dict(part.strip().split("=", 1) for part in value.split(";") if "=" in part)
    quota_fields = dict(part.strip().split("=", 1) for part in (policy or "").split(";") if "=" in part)
    try:
        quota = int(quota_fields["q"]) if "q" in quota_fields else None
        return int(fields["r"]), float(fields.get("t", "0")), quota
    except ValueError:
        return None


def next_link(headers: httpx.Headers) -> str | None:
    """The ``rel="next"`` URL of a ``Link`` header (GitHub's and the Hub's pagination), None on the last page.

    >>> next_link(httpx.Headers({"Link": '<https://x/a?page=2>; rel="next", <https://x/a?page=9>; rel="last"'}))
    'https://x/a?page=2'
    """
    value = headers.get("link")
    if not value:
        return None
    for part in value.split(","):
        url, _, params = part.partition(";")
        if 'rel="next"' in params.replace(" ", "") or "rel=next" in params.replace(" ", ""):
            return url.strip().strip("<>")
    return None
