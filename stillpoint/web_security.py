"""Protection for Stillpoint's local web apps: only this computer's own pages may read or change anything.

A page served on 127.0.0.1 is still reachable by every website the person visits, through their
browser. Three attacks matter, and each has one guard here, reusable by any Starlette app:

- **DNS rebinding** (a website's name re-pointed at 127.0.0.1, so its scripts read our pages as
  "same origin"): `HostAllowList` answers only requests whose Host header names this computer
  (127.0.0.1, localhost, [::1]) or a host the person configured explicitly.
- **Cross-site requests** (a form or script on another site posting to us, or opening a WebSocket):
  `SameOriginGuard` refuses every state-changing request (anything but GET/HEAD/OPTIONS) and every
  WebSocket whose Origin is not this very server. A request without Origin is accepted only when
  the browser says it is same-origin (Sec-Fetch-Site), so a cross-site form can never slip through.
- **Framing, sniffing, leaking** (clickjacking, content-type confusion, Referer leaks, injected
  script): `SecurityHeaders` adds a strict Content-Security-Policy (nothing from the network, no
  inline script unless its hash is listed, `frame-ancestors 'none'`), `nosniff`, `no-referrer`,
  `no-store` and friends to every response, errors included.

`security_middleware()` returns the three in the right order for `Starlette(middleware=...)`.
Helpers: `local_redirect()` (redirects only to paths on this server), `csp_hash()` (allow one
inline `<style>`/`<script>` by hash), and the `id` URL convertor (`/sessions/{n:id}`: a database
id from 1 to 2**63-1, anything larger is simply not a route, so 404, never a 500).

Starlette's own `TrustedHostMiddleware` is not used for the Host check because it cuts the Host
header at the first colon, which turns an IPv6 literal (`[::1]:8765`) into `[` and so cannot allow
[::1] without allowing every bracketed name.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Iterable
from urllib.parse import urlsplit

from starlette.convertors import Convertor, register_url_convertor
from starlette.datastructures import Headers, MutableHeaders
from starlette.middleware import Middleware
from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "[::1]")
"""Names under which a browser on this computer reaches a server bound to loopback."""

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
MAX_ID = 2**63 - 1  # SQLite's INTEGER PRIMARY KEY range


def csp_hash(text: str) -> str:
    """The CSP source that allows exactly this inline `<style>` or `<script>` body and nothing else."""
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return f"'sha256-{base64.b64encode(digest).decode('ascii')}'"


def content_security_policy(*, style_hashes: Iterable[str] = (), script_hashes: Iterable[str] = (),
                            media: str = "'self' blob:", connect: str = "'self'") -> str:
    """A policy that loads nothing from the network: own files only, inline code only by hash.

    `media`/`connect` are open to the app's own origin (WebSockets and fetch included) so a page that
    records and plays audio works; `frame-ancestors 'none'` stops any site from framing the page.
    """
    styles = " ".join(["'self'", *style_hashes])
    scripts = " ".join(["'self'", *script_hashes])
    return "; ".join([
        "default-src 'none'",
        f"style-src {styles}",
        f"script-src {scripts}",
        "img-src 'self' data:",
        f"media-src {media}",
        f"connect-src {connect}",
        "manifest-src 'self'",
        "worker-src 'self'",
        "font-src 'self'",
        "form-action 'self'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
    ])


def normalise_host(value: str) -> str | None:
    """The host part of a Host header or allow-list entry, lower-cased, port removed, IPv6 kept in brackets.

    Returns None for anything malformed (stray brackets, empty, non-numeric port).
    """
    value = value.strip().lower()
    if not value:
        return None
    if value.startswith("["):
        end = value.find("]")
        if end < 0:
            return None
        host, rest = value[: end + 1], value[end + 1 :]
    else:
        host, _, port = value.partition(":")
        rest = ":" + port if port else ""
    if rest and not (rest.startswith(":") and rest[1:].isdigit() and rest[1:].isascii()):
        return None
    if not host or any(c in host for c in "/\\@ \t") or host.count("[") > 1:
        return None
    return host.rstrip(".")


class HostAllowList:
    """Answer only requests addressed to this computer by a name the person allowed (DNS-rebinding guard)."""

    def __init__(self, app: ASGIApp, allowed_hosts: Iterable[str] = LOOPBACK_HOSTS):
        self.app = app
        self.allowed = {h for h in (normalise_host(x) for x in allowed_hosts) if h}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket"):
            host = normalise_host(Headers(scope=scope).get("host", ""))
            if host not in self.allowed:
                await _refuse(scope, receive, send, 400, "This page only answers to this computer's own address.")
                return
        await self.app(scope, receive, send)


def same_origin(headers: Headers, scheme: str) -> bool:
    """True when the browser says this request comes from a page of this very server.

    Origin must equal scheme://Host (Host is already on the allow-list). Without Origin, only the
    browser's own Sec-Fetch-Site of 'same-origin' (or 'none': typed into the address bar) counts.
    """
    host = headers.get("host", "")
    origin = headers.get("origin")
    if origin is not None:
        parts = urlsplit(origin)
        return parts.scheme == scheme and parts.netloc.lower() == host.lower() and not parts.path.strip("/")
    return headers.get("sec-fetch-site") in ("same-origin", "none")


class SameOriginGuard:
    """Refuse state-changing requests and WebSockets that come from another site (CSRF, WebSocket hijacking)."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope["type"]
        if kind == "websocket" or (kind == "http" and scope["method"].upper() not in SAFE_METHODS):
            headers = Headers(scope=scope)
            scheme = "https" if scope.get("scheme") in ("https", "wss") else "http"
            if not same_origin(headers, scheme):
                await _refuse(scope, receive, send, 403, "Refused: this request did not come from Stillpoint's own page.")
                return
        await self.app(scope, receive, send)


def strict_headers(csp: str, permissions: str) -> dict[str, str]:
    return {
        "Content-Security-Policy": csp,
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "DENY",
        "Referrer-Policy": "no-referrer",
        "Cross-Origin-Opener-Policy": "same-origin",
        "Cross-Origin-Resource-Policy": "same-origin",
        "Permissions-Policy": permissions,
        "Cache-Control": "no-store",
    }


class SecurityHeaders:
    """Add the strict headers to every HTTP response (a route may set its own CSP, e.g. stricter)."""

    def __init__(self, app: ASGIApp, csp: str | None = None,
                 permissions: str = "camera=(), geolocation=(), microphone=(self)"):
        self.app = app
        self.headers = strict_headers(csp or content_security_policy(), permissions)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in self.headers.items():
                    if name not in headers:
                        headers[name] = value
            await send(message)

        await self.app(scope, receive, send_with_headers)


async def _refuse(scope: Scope, receive: Receive, send: Send, status: int, text: str) -> None:
    if scope["type"] == "websocket":
        await send({"type": "websocket.close", "code": 1008, "reason": "refused"})
        return
    await PlainTextResponse(text, status_code=status)(scope, receive, send)


def security_middleware(*, extra_hosts: Iterable[str] = (), csp: str | None = None,
                        permissions: str = "camera=(), geolocation=(), microphone=(self)") -> list[Middleware]:
    """The three guards, outermost first, for `Starlette(middleware=...)`.

    `extra_hosts`: names the person explicitly configured (e.g. this computer's LAN name); loopback
    names are always allowed.
    """
    return [
        Middleware(SecurityHeaders, csp=csp, permissions=permissions),
        Middleware(HostAllowList, allowed_hosts=[*LOOPBACK_HOSTS, *extra_hosts]),
        Middleware(SameOriginGuard),
    ]


_CONTROL = re.compile(r"[\x00-\x1f\x7f\\]")


def local_redirect(target: str | None, default: str = "/") -> str:
    """`target` if it is a path on this server ("/sessions/3?x=1"), else `default`.

    Refuses absolute URLs, scheme-relative `//evil`, `javascript:`, backslashes and control
    characters, so a redirect can never leave the page.
    """
    if not target or _CONTROL.search(target):
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return default
    return target


def parse_id(text: str) -> int | None:
    """A database id from user input ("12"), or None when it is not a plain number in range."""
    if not (text.isascii() and text.isdigit()) or len(text) > 18:
        return None
    value = int(text)
    return value if 1 <= value <= MAX_ID else None


class IdConvertor(Convertor):
    """`{name:id}`: 1 to 18 ASCII digits (always below 2**63); longer numbers match no route, so 404."""

    regex = "[0-9]{1,18}"

    def convert(self, value: str) -> int:
        return int(value)

    def to_string(self, value: int) -> str:
        return str(int(value))


register_url_convertor("id", IdConvertor())
