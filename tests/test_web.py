"""The local web page, against the real store and a real server bound to 127.0.0.1."""

import os
import socket
import subprocess
import sys
import time

import httpx

from conftest import ROOT, run_cli
from speechkit import build, say


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_served_page_shows_sessions_cues_and_exports(tmp_path):
    config = tmp_path / "j.yaml"
    config.write_text("turns:\n  end_detection: silence\n  end_of_turn_ms: 3000\n")  # long pauses stay inside the turn
    wav = build([0.5, say("I keep thinking about my sister."), 2.2, say("I don't know."), 8.0]).write(tmp_path / "a.wav")
    assert run_cli("--config", str(config), "talk", "--input", str(wav), "--output", str(tmp_path / "o.wav")).returncode == 0
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "stillpoint.cli", "serve", "--port", str(port)], cwd=str(ROOT),
                              env=dict(os.environ), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):  # serve loads the models first (a few seconds)
            try:
                home = httpx.get(base + "/history/", timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.1)
        assert home.status_code == 200 and "Session 1" in home.text and "not a therapist" in home.text
        assert "http" not in home.text.split("<body>")[1].replace(base, "")  # nothing loaded from elsewhere
        page = httpx.get(base + "/sessions/1")
        assert "sister" in page.text
        assert any(f"… (2.{d} s) …" in page.text for d in (1, 2, 3)), page.text
        assert "pause, 2." in page.text
        cue_id = page.text.split("/cues/")[1].split("/")[0]
        dismissed = httpx.post(f"{base}/cues/{cue_id}/dismiss", headers={"Origin": base}, follow_redirects=False)
        assert dismissed.status_code == 303
        assert "dismissed" in httpx.get(base + "/sessions/1").text
        exported = httpx.get(base + "/export", params={"s": "1"})
        assert exported.status_code == 200 and exported.text.startswith("# Reflections from Stillpoint")
        assert httpx.get(base + "/export").status_code == 400
        assert httpx.get(base + "/sessions/99").status_code == 404
    finally:
        server.terminate()
        server.wait(10)
