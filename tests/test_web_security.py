"""Issue 7, finding 1: no other website can read or change anything through the local page.

Most checks drive the Starlette app in-process (fast); one runs the real `stillpoint serve` and
attacks it over a real socket, as a rebinding page would.
"""

import os
import socket
import subprocess
import sys
import time

import httpx
import pytest
from starlette.testclient import TestClient

from conftest import ROOT

BASE = "http://127.0.0.1:8765"
SECRET = "rivermoss"


def _fill(store):
    from dialogue.cues import Cue

    session = store.start_session("file:test.wav", "embedded")
    turn = store.add_turn(session, "user", f"I keep thinking about {SECRET}.", 0.5, 3.0, pauses=[(1.0, 1.4)])
    cue = store.add_cue(session, turn, Cue("pause", 1.0, 1.4, "I keep thinking", "about", "", ("sister",)))
    store.end_session(session)
    return session, cue


@pytest.fixture
def client(store):
    from stillpoint.web import create_app

    session, cue = _fill(store)
    with TestClient(create_app(store), base_url=BASE) as c:
        c.session_id, c.cue_id = session, cue
        yield c


def test_foreign_host_header_is_refused_dns_rebinding(client):
    for host in ("evil.example:8765", "evil.example", "127.0.0.1.evil.example", "localhost.:8765x", "[::1"):
        response = client.get("/sessions/1", headers={"Host": host})
        assert response.status_code == 400, host
        assert SECRET not in response.text
        assert client.get("/export?s=1", headers={"Host": host}).status_code == 400
    for host in ("127.0.0.1:8765", "localhost:8765", "[::1]:8765", "LOCALHOST"):
        assert SECRET in client.get("/sessions/1", headers={"Host": host}).text, host


def test_explicitly_allowed_host_is_answered(store):
    from stillpoint.web import create_app

    _fill(store)
    with TestClient(create_app(store, allowed_hosts=["my-laptop.local"]), base_url="http://my-laptop.local:8765") as c:
        assert SECRET in c.get("/sessions/1").text
        assert c.get("/sessions/1", headers={"Host": "evil.example"}).status_code == 400


def test_cross_site_post_is_refused_and_same_origin_post_is_obeyed(client, store):
    refused = [
        {"Origin": "http://evil.example"},
        {"Origin": "null"},
        {"Origin": "http://127.0.0.1:9999"},  # another local server is another origin
        {"Sec-Fetch-Site": "cross-site"},
        {},  # no Origin and no browser word that it is same-origin
    ]
    for headers in refused:
        response = client.post(f"/cues/{client.cue_id}/dismiss", headers=headers, follow_redirects=False)
        assert response.status_code == 403, headers
    assert not store.cues()[0].dismissed
    ok = client.post(f"/cues/{client.cue_id}/dismiss?next=/sessions/1", headers={"Origin": BASE},
                     follow_redirects=False)
    assert ok.status_code == 303 and ok.headers["location"] == "/sessions/1"
    assert store.cues()[0].dismissed


def test_redirects_stay_on_this_server(client):
    hostile = ["https://evil.example/x", "javascript:alert(1)", "//evil.example/", "/\\evil.example", "http:/x",
               "/ok\r\nSet-Cookie: a=b", ""]
    for target in hostile:
        response = client.post(f"/cues/{client.cue_id}/dismiss", params={"next": target},
                               headers={"Origin": BASE, "Referer": "https://evil.example/"}, follow_redirects=False)
        assert response.status_code == 303
        assert response.headers["location"] == "/", target


def test_huge_or_odd_ids_give_404_or_400_never_500(client):
    assert client.get("/sessions/99999999999999999999").status_code == 404
    assert client.get("/sessions/9223372036854775808").status_code == 404
    assert client.get("/sessions/0").status_code == 404
    assert client.post("/cues/99999999999999999999/dismiss", headers={"Origin": BASE}).status_code == 404
    assert client.post("/cues/424242/dismiss", headers={"Origin": BASE}).status_code == 404
    for query in ("s=%C2%B2", "s=-1", "s=1e3", "s=99999999999999999999", "s=%00"):
        assert client.get(f"/export?{query}").status_code == 400, query


def test_repeated_export_selection_is_deduplicated_and_bounded(client):
    once = client.get("/export?s=1")
    assert once.status_code == 200 and once.text.count("## Session 1 ") == 1
    many = client.get("/export?" + "&".join(["s=1"] * 200))
    assert many.text.count("## Session 1 ") == 1 and len(many.text) == len(once.text)
    assert client.get("/export?" + "&".join(["s=1"] * 5_000)).status_code == 400


def test_every_response_carries_strict_headers(client):
    for response in (client.get("/"), client.get("/sessions/1"), client.get("/nope"),
                     client.get("/", headers={"Host": "evil.example"})):
        csp = response.headers["content-security-policy"]
        assert "frame-ancestors 'none'" in csp and "default-src 'none'" in csp
        assert "'unsafe-inline'" not in csp and "http" not in csp
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["referrer-policy"] == "no-referrer"
        assert response.headers["x-frame-options"] == "DENY"


def test_inline_style_is_allowed_by_its_hash_only(client):
    from stillpoint.web import STYLE
    from stillpoint.web_security import csp_hash

    page = client.get("/")
    assert f"<style>{STYLE}</style>" in page.text
    assert csp_hash(STYLE) in page.headers["content-security-policy"]
    assert "<script" not in page.text


def test_websocket_from_another_site_is_refused():
    from starlette.applications import Starlette
    from starlette.routing import WebSocketRoute
    from starlette.websockets import WebSocketDisconnect

    from stillpoint.web_security import security_middleware

    async def echo(ws):
        await ws.accept()
        await ws.send_text("hello")
        await ws.close()

    app = Starlette(routes=[WebSocketRoute("/ws", echo)], middleware=security_middleware())
    with TestClient(app, base_url=BASE) as c:
        with c.websocket_connect("ws://127.0.0.1:8765/ws", headers={"Origin": BASE}) as ws:
            assert ws.receive_text() == "hello"
        for headers in ({"Origin": "http://evil.example"}, {"Host": "evil.example", "Origin": "http://evil.example"}):
            with pytest.raises(WebSocketDisconnect):
                with c.websocket_connect("ws://127.0.0.1:8765/ws", headers=headers) as ws:
                    ws.receive_text()


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_real_server_refuses_a_rebinding_page_and_a_cross_site_form(tmp_path):
    from dialogue.store import Store

    store = Store(tmp_path / "data" / "stillpoint.db")
    _fill(store)
    store.close()
    port = _free_port()
    server = subprocess.Popen([sys.executable, "-m", "stillpoint.cli", "serve", "--port", str(port)], cwd=str(ROOT),
                              env=dict(os.environ), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(150):
            try:
                httpx.get(base + "/", timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.1)
        stolen = httpx.get(base + "/sessions/1", headers={"Host": f"evil.example:{port}"})
        assert stolen.status_code == 400 and SECRET not in stolen.text
        assert httpx.get(base + "/export?s=1", headers={"Host": f"evil.example:{port}"}).status_code == 400
        forged = httpx.post(base + "/cues/1/dismiss", headers={"Origin": "http://evil.example"})
        assert forged.status_code == 403
        assert SECRET in httpx.get(base + "/sessions/1").text
    finally:
        server.terminate()
        server.wait(10)
