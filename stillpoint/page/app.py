"""The page as one Starlette app: the talk page, its WebSocket, and the sessions pages beside it.

`/` is the calm page you talk to; `/ws` carries one conversation per connection (protocol in
`protocol.py` and the README); `/history/` and the routes under it are the sessions, transcripts,
cues and export pages that `stillpoint serve` showed before. Everything the page needs is served
from the package: nothing comes from the network.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from dataclasses import asdict
from pathlib import Path

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import Mount, Route, WebSocketRoute
from starlette.staticfiles import StaticFiles
from starlette.websockets import WebSocket, WebSocketDisconnect

from dialogue.store import Store

from .. import web as sessions_pages
from ..web_security import content_security_policy, csp_hash, security_middleware
from .access import AccessPolicy, TokenGate
from .icons import ICON_SIZES, icon_png, manifest_json
from .protocol import (
    PCM_RATE,
    BadEvent,
    Closing,
    ErrorEvent,
    Limits,
    Mode,
    Ping,
    Played,
    PushToTalk,
    RateLimiter,
    Ready,
    Resources,
    Say,
    ServerEvent,
    Start,
    StopReply,
    check_audio,
    parse_client_event,
    resource_links,
)

log = logging.getLogger(__name__)
STATIC = Path(__file__).parent / "static"


class Conversations:
    """Counts open conversations so no more than `limits.max_conversations` run at once."""

    def __init__(self, limit: int):
        self.limit = limit
        self.open = 0
        self._lock = threading.Lock()

    def enter(self) -> bool:
        with self._lock:
            if self.open >= self.limit:
                return False
            self.open += 1
            return True

    def leave(self) -> None:
        with self._lock:
            self.open -= 1


def create_page_app(
    models,
    store_path: Path,
    *,
    resources_text: str,
    policy: AccessPolicy | None = None,
    limits: Limits | None = None,
    certificate: Path | None = None,
) -> Starlette:
    """`models` is a `SharedModels` (loaded once); each conversation opens its own store connection."""
    limits = limits or Limits()
    policy = policy or AccessPolicy()
    resources: Resources = resource_links(resources_text)
    conversations = Conversations(limits.max_conversations)
    history_store = Store(store_path)
    history = sessions_pages.create_app(history_store, resources_text, allowed_hosts=policy.hosts)

    async def index(request: Request) -> Response:
        return FileResponse(STATIC / "index.html", headers={"Cache-Control": "no-store"})

    async def resources_json(request: Request) -> Response:
        return JSONResponse(asdict(resources))

    async def manifest(request: Request) -> Response:
        return Response(manifest_json(), media_type="application/manifest+json")

    async def icon(request: Request) -> Response:
        size = request.path_params["size"]
        if size not in ICON_SIZES:
            return PlainTextResponse("No such icon.", status_code=404)
        return Response(icon_png(size), media_type="image/png", headers={"Cache-Control": "max-age=86400"})

    async def certificate_file(request: Request) -> Response:
        if certificate is None:
            return PlainTextResponse("This page is not served over https.", status_code=404)
        from .lan import certificate_der

        return Response(certificate_der(certificate), media_type="application/x-x509-ca-cert",
                        headers={"Content-Disposition": "attachment; filename=stillpoint.crt"})

    async def socket(websocket: WebSocket) -> None:
        await websocket.accept()
        if not conversations.enter():
            await websocket.send_text(ErrorEvent("busy", f"{limits.max_conversations} conversations are already open.").to_json())
            await websocket.close(code=1013, reason="too many conversations")
            return
        try:
            await _serve_conversation(websocket, models, store_path, resources, limits)
        finally:
            conversations.leave()

    # Outermost first: strict headers, then the Host allow-list, then the token, then same-origin.
    headers, hosts, same_origin = security_middleware(
        extra_hosts=policy.hosts, csp=content_security_policy(style_hashes=[csp_hash(sessions_pages.STYLE)]))
    app = Starlette(middleware=[headers, hosts, Middleware(TokenGate, policy=policy), same_origin], routes=[
        Route("/", index),
        Route("/resources.json", resources_json),
        Route("/manifest.webmanifest", manifest),
        Route("/icons/icon-{size:int}.png", icon),
        Route("/stillpoint.crt", certificate_file),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
        WebSocketRoute("/ws", socket),
        Mount("/history", history),
        Mount("/", history),  # the sessions pages link to /sessions/…, /cues/…, /export
    ])
    app.state.conversations = conversations
    return app


async def _serve_conversation(websocket: WebSocket, models, store_path: Path, resources: Resources, limits: Limits) -> None:
    from .bridge import PageConversation

    loop = asyncio.get_running_loop()
    outbox: asyncio.Queue[ServerEvent | bytes | None] = asyncio.Queue()

    def emit(item: ServerEvent | bytes) -> None:  # called from the conversation's threads
        loop.call_soon_threadsafe(outbox.put_nowait, item)

    async def sender() -> None:
        while (item := await outbox.get()) is not None:
            if isinstance(item, bytes):
                await websocket.send_bytes(item)
            else:
                await websocket.send_text(item.to_json())

    limiter = RateLimiter(limits.messages_per_s, limits.burst)
    last_error_at = 0.0
    conversation: PageConversation | None = None
    store: Store | None = None
    sending = asyncio.create_task(sender())
    started = time.monotonic()

    def error(code: str, message: str) -> None:
        nonlocal last_error_at
        now = time.monotonic()
        if code == "rate_limited" and now - last_error_at < 1.0:
            return  # one rate warning a second, so errors cannot become a flood of their own
        last_error_at = now
        outbox.put_nowait(ErrorEvent(code, message))

    try:
        while True:
            left = limits.max_session_s - (time.monotonic() - started)
            if left <= 0:
                outbox.put_nowait(Closing("session_length", "This conversation reached its longest length; "
                                          "press Start to begin a new one. Everything said is saved."))
                break
            try:
                message = await asyncio.wait_for(websocket.receive(), timeout=left)
            except asyncio.TimeoutError:
                continue
            if message["type"] == "websocket.disconnect":
                break
            if not limiter.allow():
                error("rate_limited", f"Too many messages: at most {limits.messages_per_s:.0f} a second.")
                continue
            try:
                if message.get("bytes") is not None:
                    check_audio(message["bytes"], limits)
                    if conversation is None:
                        raise BadEvent("not_started", "Send a start event before audio.")
                    conversation.push(message["bytes"])
                    continue
                event = parse_client_event(message.get("text") or "", limits)
            except BadEvent as bad:
                error(bad.code, str(bad))
                continue
            if isinstance(event, Ping):
                continue  # keeps nothing alive but the connection; answered by nothing
            if isinstance(event, Start):
                if conversation is not None:
                    error("already_started", "This conversation has already started.")
                    continue
                try:
                    store = await asyncio.to_thread(Store, store_path)
                    conversation = await asyncio.to_thread(PageConversation, models, store, emit, resources,
                                                          microphone=event.microphone, mode=event.mode,
                                                          pattern=event.pattern)
                except Exception as failure:  # e.g. the database cannot be written: say so, keep the page
                    log.warning("could not start a conversation: %s", failure, exc_info=log.isEnabledFor(logging.DEBUG))
                    error("cannot_start", f"The conversation could not start: {failure}")
                    continue
                outbox.put_nowait(Ready(conversation.session_id, {"encoding": "pcm_s16le", "sample_rate": PCM_RATE,
                                                                  "channels": 1},
                                        {"max_audio_bytes": limits.max_audio_bytes,
                                         "max_text_bytes": limits.max_text_bytes,
                                         "messages_per_s": limits.messages_per_s,
                                         "max_session_s": limits.max_session_s}, resources))
                conversation.start()
            elif conversation is None:
                error("not_started", "Send a start event first.")
            elif isinstance(event, StopReply) or (isinstance(event, PushToTalk) and event.down):
                conversation.stop_reply()
            elif isinstance(event, Mode):
                refused = conversation.set_mode(event.mode, event.pattern)
                if refused:
                    error("unavailable", refused)
            elif isinstance(event, Say):
                if event.text.strip():
                    conversation.say(event.text.strip())
            elif isinstance(event, Played):
                pass  # the page finished playing a sentence; timing is kept on the server's clock
    except WebSocketDisconnect:
        pass
    finally:
        finished = True
        if conversation is not None:
            finished = await asyncio.to_thread(conversation.close)
        if store is not None and finished:
            store.close()
        outbox.put_nowait(None)
        try:
            await asyncio.wait_for(sending, timeout=5)
        except (asyncio.TimeoutError, Exception):
            sending.cancel()
        try:
            await websocket.close(code=1000)
        except Exception:
            pass
