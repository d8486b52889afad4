"""The private link for `serve --lan`: every request and WebSocket needs the token, loopback included.

Host allow-list, same-origin checks and strict headers come from `stillpoint.web_security`;
this adds only the token. Opening the link `…/?token=…` once keeps the token as a cookie
(HttpOnly, Secure, SameSite=Strict) and drops it from the address bar; only its SHA-256 is kept
on disk, compared in constant time.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from http.cookies import SimpleCookie
from urllib.parse import parse_qsl, urlencode

from starlette.datastructures import Headers
from starlette.responses import PlainTextResponse, RedirectResponse
from starlette.types import ASGIApp, Receive, Scope, Send
from starlette.websockets import WebSocketClose

TOKEN_COOKIE = "stillpoint_token"
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "[::1]"})


def hash_token(token: str) -> str:
    """The token is 192 random bits, so a plain SHA-256 cannot be reversed by guessing."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class AccessPolicy:
    hosts: frozenset[str] = LOOPBACK_HOSTS  # names the page answers to (web_security's allow-list)
    token_sha256: str | None = None  # None: loopback-only serving, no token
    secure: bool = False  # served over https

    def token_ok(self, candidate: str | None) -> bool:
        if self.token_sha256 is None:
            return True
        if not candidate:
            return False
        return hmac.compare_digest(hash_token(candidate), self.token_sha256)


class TokenGate:
    """Refuses any request or WebSocket without the page's token (a no-op when no token is set)."""

    def __init__(self, app: ASGIApp, policy: AccessPolicy):
        self.app = app
        self.policy = policy

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket") or self.policy.token_sha256 is None:
            await self.app(scope, receive, send)
            return
        query = dict(parse_qsl(scope.get("query_string", b"").decode("latin-1")))
        offered = query.get("token")
        if offered is not None and scope["type"] == "http" and self.policy.token_ok(offered):
            # First visit from the link: keep the token as a cookie and take it out of the address bar.
            rest = urlencode([(k, v) for k, v in query.items() if k != "token"])
            response = RedirectResponse(scope["path"] + (f"?{rest}" if rest else ""), status_code=303)
            response.set_cookie(TOKEN_COOKIE, offered, max_age=400 * 86400, httponly=True,
                                secure=self.policy.secure, samesite="strict")
            await response(scope, receive, send)
            return
        cookie = SimpleCookie()
        try:
            cookie.load(Headers(scope=scope).get("cookie", ""))
        except Exception:
            cookie = SimpleCookie()
        candidate = cookie[TOKEN_COOKIE].value if TOKEN_COOKIE in cookie else offered
        if self.policy.token_ok(candidate):
            await self.app(scope, receive, send)
            return
        if scope["type"] == "websocket":
            await WebSocketClose(code=1008, reason="this page needs its private link")(scope, receive, send)
            return
        await PlainTextResponse(
            "This Stillpoint needs its private link. Open the link (or scan the QR code) that "
            "`stillpoint serve --lan` showed when it first started; lost it? run `stillpoint serve --lan --new-token`.",
            status_code=401,
        )(scope, receive, send)
