"""A real page server on a real socket (uvicorn in a thread), for the protocol tests, Chromium and the bench."""

from __future__ import annotations

import asyncio
import json
import shutil
import socket
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import uvicorn


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")  # Debian's, driven by Playwright


def launch_chromium(playwright, clip: Path | None = None):
    """Headless Chromium; with `clip`, its fake microphone plays that WAV into getUserMedia."""
    args = ["--no-sandbox"]
    if clip is not None:
        args = ["--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream",
                f"--use-file-for-fake-audio-capture={clip}", *args]
    return playwright.chromium.launch(executable_path=CHROMIUM, args=args)


def ws_url(base: str) -> str:
    """The page's WebSocket address for an http(s) base address."""
    return base.replace("http", "ws", 1) + "/ws"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def page_server(models, store_path: Path, *, policy=None, limits=None, certificate=None, resources_text=None,
                host: str = "127.0.0.1"):
    """Yields the base URL (http://127.0.0.1:PORT or https://… with a certificate) while the server runs."""
    from dialogue.crisis import DEFAULT_RESOURCES
    from stillpoint.page.app import create_page_app
    from stillpoint.page.protocol import Limits

    limits = limits or Limits()
    app = create_page_app(models, store_path, resources_text=resources_text or DEFAULT_RESOURCES["US"],
                          policy=policy, limits=limits, certificate=certificate.cert_path if certificate else None)
    port = free_port()
    config = uvicorn.Config(
        app, host=host, port=port, log_level="warning", ws_max_size=limits.transport_max_bytes,
        ssl_certfile=str(certificate.cert_path) if certificate else None,
        ssl_keyfile=str(certificate.key_path) if certificate else None,
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the page server did not start")
        time.sleep(0.02)
    scheme = "https" if certificate else "http"
    try:
        yield f"{scheme}://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(30)


def pcm16(samples: np.ndarray) -> bytes:
    return (np.clip(samples, -1, 1) * 32767).astype("<i2").tobytes()


def first_reply(events: list[dict]) -> bool:
    """Done once the user's turn came back and a reply sentence followed it."""
    turn = next((i for i, e in enumerate(events) if e["type"] == "user.turn"), None)
    return turn is not None and any(e["type"] == "reply.audio" for e in events[turn:])


async def talk_over_socket(url: str, audio: np.ndarray, *, block_s: float = 0.2, speed: float = 4.0,
                           until=first_reply, timeout_s: float = 120.0, **connect) -> dict:
    """Plays `audio` (16 kHz float32) into the page's WebSocket like the browser does, faster than real time,
    then keeps sending silence in real time (as the page's microphone does) until `until(events)`.

    Returns every JSON event and, for each reply sentence, its header and audio bytes.
    """
    import websockets

    events: list[dict] = []
    replies: list[tuple[dict, bytes]] = []
    async with websockets.connect(url, max_size=None, **connect) as ws:
        await ws.send(json.dumps({"type": "start"}))
        ready = json.loads(await ws.recv())
        events.append(ready)
        assert ready["type"] == "ready", ready
        block = int(16_000 * block_s)
        header: dict | None = None
        done = asyncio.Event()

        async def receive() -> None:
            nonlocal header
            async for message in ws:
                if isinstance(message, bytes):
                    replies.append((header or {}, message))
                    header = None
                    continue
                event = json.loads(message)
                events.append(event)
                if event["type"] == "reply.audio":
                    header = event
                if until(events):
                    done.set()

        receiver = asyncio.create_task(receive())
        for start in range(0, len(audio), block):
            await ws.send(pcm16(audio[start:start + block]))
            await asyncio.sleep(block_s / speed)
        silence = np.zeros(block, np.float32)
        deadline = time.monotonic() + timeout_s
        while not done.is_set() and time.monotonic() < deadline:
            await ws.send(pcm16(silence))  # the microphone keeps sending while the companion thinks
            await asyncio.sleep(block_s)
        await asyncio.sleep(0.5)
        receiver.cancel()
    return {"events": events, "replies": replies, "session_id": ready["session_id"]}


import pytest  # noqa: E402


@pytest.fixture(scope="session")
def shared_models():
    """The real models, loaded once for every page test (as `stillpoint serve` loads them once)."""
    from stillpoint.config import Settings
    from stillpoint.page.shared import SharedModels

    return SharedModels(Settings.model_validate({"llm": {"max_reply_tokens": 48}}))  # shorter replies: 2 shared cores
