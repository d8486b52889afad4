"""`stillpoint serve --lan` as a person runs it: the link and QR code shown once, then only the hash kept."""

from __future__ import annotations

import os
import re
import ssl
import subprocess
import sys
import time

import httpx

from conftest import ROOT
from page_harness import free_port


def serve_lan(home, port: int, *extra: str) -> tuple[subprocess.Popen, str]:
    """Starts `stillpoint serve --lan`; returns it and what it printed up to its certificate line."""
    server = subprocess.Popen([sys.executable, "-m", "stillpoint.cli", "serve", "--lan", "--port", str(port), *extra],
                              cwd=str(ROOT), env=dict(os.environ, STILLPOINT_HOME=str(home)),
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    shown = ""
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        line = server.stderr.readline()
        if not line:
            break
        shown += line
        if "Use the private link" in line or line.startswith("  https://") or "Lost it?" in line:
            break
    return server, shown


def test_serve_lan_shows_its_private_link_once(tmp_path):
    home = tmp_path / "home"
    port = free_port()
    server, shown = serve_lan(home, port)
    try:
        link = re.search(r"https://\S+\?token=(\S+)", shown)
        assert link, shown
        fingerprint = re.search(r"([0-9A-F]{2}:){31}[0-9A-F]{2}", shown)
        assert fingerprint, shown
        qr = server.stderr.readline() + server.stderr.readline() + server.stderr.readline()
        assert any(block in qr for block in "█▀▄"), qr  # the QR code, drawn in the terminal
        token = link.group(1)
        assert token not in (home / "page-token.sha256").read_text()
        trust = ssl.create_default_context(cafile=str(home / "page-cert.pem"))
        base = f"https://127.0.0.1:{port}"
        for _ in range(600):  # the models load after the link is shown
            try:
                refused = httpx.get(base + "/", verify=trust, timeout=2)
                break
            except httpx.TransportError:
                time.sleep(0.2)
        assert refused.status_code == 401 and "private link" in refused.text
        with httpx.Client(verify=trust) as client:
            assert client.get(f"{base}/?token={token}", follow_redirects=True).status_code == 200
            assert "Stillpoint" in client.get(base + "/").text
            assert client.get(base + "/stillpoint.crt").content[:1] == b"\x30"  # DER, to install on the phone
    finally:
        server.terminate()
        server.wait(30)

    again, shown = serve_lan(home, free_port())
    again.terminate()
    again.wait(30)
    assert "token=" not in shown and "--new-token" in shown, shown
