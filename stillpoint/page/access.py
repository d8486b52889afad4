"""Who may reach the page: its own host names only, same-origin writes, and (with --lan) a token.

An ASGI middleware in front of the whole page, plain requests and the WebSocket alike:

- **Host allow-list.** A request whose Host is not one of the page's own names is refused, so a
  web page elsewhere cannot reach it through DNS rebinding.
- **Same origin.** A WebSocket, or any request that changes something, coming from a page of
  another origin (`Origin`, or `Sec-Fetch-Site: cross-site`) is refused: no other site can talk
  to the companion in the person's name or dismiss their cues.
- **Token** (`serve --lan`). Every request and WebSocket needs the token, loopback included.
  Opening the link `…/?token=…` once sets it as a cookie (HttpOnly, Secure, SameSite=Strict) and
  drops it from the address bar; only its SHA-256 is kept on disk.
- **Strict headers** on every response: a CSP with no inline script, no framing, no referrer.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from urllib.parse import parse_qsl, urlencode

from starlette.datastructures import Headers
from starlette.responses import PlainTextResponse, RedirectResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from starlette.websockets import WebSocketClose

TOKEN_COOKIE = "stillpoint_token"
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "[::1]"})


def hash_token(token: str) -> str:
    """The token is 192 random bits, so a plain SHA-256 cannot be reversed by guessing."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class AccessPolicy:
    hosts: frozenset[str] = LOOPBACK_HOSTS
    token_sha256: str | None = None  # None: loopback-only serving, no token
    secure: bool = False  # served over https
    style_hashes: tuple[str, ...] = field(default_factory=tuple)  # inline <style> blocks the older pages use

    def token_ok(self, candidate: str | None) -> bool:
        if self.token_sha256 is None:
            return True
        if not candidate:
            return False
        return hmac.compare_digest(hash_token(candidate), self.token_sha256)

    def content_security_policy(self) -> str:
        styles = " ".join(f"'{h}'" for h in self.style_hashes)
        return (
            "default-src 'none'; script-src 'self'; "
            f"style-src 'self' {styles}; img-src 'self' data:; connect-src 'self'; media-src 'self'; "
            "manifest-src 'self'; worker-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
        ).replace("  ", " ")


def host_name(host_header: str) -> str:
    """'127.0.0.1:8765' → '127.0.0.1'; '[::1]:8765' → '[::1]'; lower-cased."""
    host = host_header.strip().lower()
    if host.startswith("["):
        return host.split("]")[0] + "]"
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


class AccessMiddleware:
    def __init__(self, app: ASGIApp, policy: AccessPolicy):
        self.app = app
        self.policy = policy
        scheme = "https" if policy.secure else "http"
        self._scheme = scheme
        self._headers = [
            (b"content-security-policy", policy.content_security_policy().encode()),
            (b"x-content-type-options", b"nosniff"),
            (b"referrer-policy", b"no-referrer"),
            (b"x-frame-options", b"DENY"),
            (b"cross-origin-opener-policy", b"same-origin"),
            (b"cross-origin-resource-policy", b"same-origin"),
            (b"permissions-policy", b"microphone=(self), camera=(), geolocation=()"),
        ]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        host = headers.get("host", "")
        if host_name(host) not in self.policy.hosts:
            await self._refuse(scope, receive, send, 400, "This page answers only at its own address.")
            return
        writes = scope["type"] == "websocket" or scope.get("method", "GET") not in ("GET", "HEAD")
        origin = headers.get("origin")
        cross_site = headers.get("sec-fetch-site") == "cross-site"
        if writes and ((origin is not None and origin != f"{self._scheme}://{host}") or cross_site):
            await self._refuse(scope, receive, send, 403, "Requests from other sites are refused.")
            return
        if self.policy.token_sha256 is not None and not await self._token_allows(scope, receive, send, headers):
            return
        await self.app(scope, receive, self._with_headers(send) if scope["type"] == "http" else send)

    async def _token_allows(self, scope: Scope, receive: Receive, send: Send, headers: Headers) -> bool:
        query = dict(parse_qsl(scope.get("query_string", b"").decode("latin-1")))
        offered = query.get("token")
        if offered is not None and scope["type"] == "http" and self.policy.token_ok(offered):
            # First visit from the link: keep the token as a cookie and take it out of the address bar.
            rest = urlencode([(k, v) for k, v in query.items() if k != "token"])
            response = RedirectResponse(scope["path"] + (f"?{rest}" if rest else ""), status_code=303)
            response.set_cookie(TOKEN_COOKIE, offered, max_age=400 * 86400, httponly=True,
                                secure=self.policy.secure, samesite="strict")
            await response(scope, receive, self._with_headers(send))
            return False
        cookie = SimpleCookie()
        try:
            cookie.load(headers.get("cookie", ""))
        except Exception:
            cookie = SimpleCookie()
        candidate = cookie[TOKEN_COOKIE].value if TOKEN_COOKIE in cookie else offered
        if self.policy.token_ok(candidate):
            return True
        await self._refuse(scope, receive, send, 401,
                           "This Stillpoint needs its private link. Open the link (or scan the QR code) that "
                           "`stillpoint serve --lan` showed when it first started.")
        return False

    async def _refuse(self, scope: Scope, receive: Receive, send: Send, status: int, message: str) -> None:
        if scope["type"] == "websocket":
            await WebSocketClose(code=1008, reason=message[:120])(scope, receive, send)
            return
        await PlainTextResponse(message, status_code=status)(scope, receive, self._with_headers(send))

    def _with_headers(self, send: Send) -> Send:
        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])
                message["headers"] = list(message["headers"]) + self._headers
            await send(message)

        return sending
