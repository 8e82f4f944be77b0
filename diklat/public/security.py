"""What keeps the public pages safe: CSRF tokens, security headers, a per-client rate limit, a log without paths.

- **CSRF**: double submit. The page sets a random token in a ``SameSite=Strict``, ``HttpOnly`` cookie
  and in a hidden field; a POST whose field does not match its cookie (compared in constant time) is
  refused. Another site can neither read the cookie nor make the browser send it with a cross-site POST.
- **Headers**: a content security policy that allows only this site's own CSS and JS, no framing, no
  Referer (a questionnaire link must not leak to another site), no caching of any page.
- **Rate limit**: a sliding window of attempts per client address and purpose, in memory (one process
  serves the pages; behind a proxy the client address comes from X-Forwarded-For, see ``app.serve``).
- **Log**: one line per request with the route's pattern (``/kuesioner/{token}``), never the path: a
  token or a code in a log would be a credential in a file.
"""

from __future__ import annotations

import hmac
import logging
import secrets
import threading
import time
from collections import defaultdict, deque

from starlette.types import ASGIApp, Message, Receive, Scope, Send

CSRF_COOKIE = "diklat_csrf"
CSRF_FIELD = "csrf"
log = logging.getLogger("diklat.public")


def new_csrf_token() -> str:
    return secrets.token_urlsafe(32)


def csrf_valid(cookie: str | None, submitted: str | None) -> bool:
    """The form's token matches the browser's cookie (both present, compared in constant time)."""
    return bool(cookie) and bool(submitted) and hmac.compare_digest(str(cookie), str(submitted))


def security_headers(https: bool) -> list[tuple[bytes, bytes]]:
    headers = {
        "content-security-policy": "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self'; "
        "connect-src 'self'; "
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        "x-content-type-options": "nosniff",
        "x-frame-options": "DENY",
        "referrer-policy": "no-referrer",
        "permissions-policy": "camera=(), microphone=(), geolocation=(), interest-cohort=()",
        "cross-origin-opener-policy": "same-origin",
        "cross-origin-resource-policy": "same-origin",
        "cache-control": "no-store",
    }
    if https:
        headers["strict-transport-security"] = "max-age=31536000; includeSubDomains"
    return [(k.encode(), v.encode()) for k, v in headers.items()]


class SecurityHeaders:
    """ASGI middleware: the headers above on every response, and the access log line without the path."""

    def __init__(self, app: ASGIApp, https: bool):
        self.app, self.headers = app, security_headers(https)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started, status = time.perf_counter(), [0]

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                status[0] = message["status"]
                names = {k for k, _ in self.headers}
                kept = [(k, v) for k, v in message.get("headers", []) if k.lower() not in names]
                message["headers"] = kept + self.headers
            await send(message)

        try:
            await self.app(scope, receive, with_headers)
        finally:
            route = scope.get("route")
            pattern = getattr(route, "path", None) or "(no route)"
            log.info("%s %s %d %.0f ms", scope["method"], pattern, status[0], (time.perf_counter() - started) * 1000)


class RateLimit:
    """At most ``per_minute`` attempts per client and purpose in any 60 s (thread-safe, in memory)."""

    def __init__(self, per_minute: int, clock=time.monotonic):  # noqa: ANN001
        self.per_minute, self.clock = per_minute, clock
        self._seen: dict[tuple[str, str], deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def blocked(self, client: str, purpose: str) -> bool:
        """The client used up its attempts (nothing recorded): refuse before doing the work."""
        now = self.clock()
        with self._lock:
            window = self._window(client, purpose, now)
            return len(window) >= self.per_minute

    def _window(self, client: str, purpose: str, now: float) -> deque[float]:
        window = self._seen[(purpose, client)]
        while window and window[0] <= now - 60:
            window.popleft()
        return window

    def allow(self, client: str, purpose: str) -> bool:
        """Record one attempt; False when the client already used up its attempts."""
        now = self.clock()
        with self._lock:
            window = self._window(client, purpose, now)
            if len(window) >= self.per_minute:
                return False
            window.append(now)
            if len(self._seen) > 100_000:  # forget idle clients so memory stays bounded
                for key in [k for k, w in self._seen.items() if not w or w[-1] <= now - 60]:
                    del self._seen[key]
            return True
