"""Latency of the page path: end of speech in the clip → first reply audio received by the page.

Real headless Chromium (Debian's `chromium`) talks to a real `serve`-style server: its fake
microphone plays a recording of LJ Speech turns (16 kHz WAV) into getUserMedia, the page's
AudioWorklet sends it over the WebSocket, and the page notes when each reply's first audio
arrives. The end of each turn's speech comes from the server's `user.turn` event (its `end_s`
on the audio clock, i.e. the count of samples the page sent), mapped to the page's own clock
through the page's log of when it sent each block. So the figure includes the capture block,
the WebSocket both ways, the end-of-turn wait, speech-to-text, the model and the voice.

Beside it, the microphone path: the same recording through `stillpoint talk --input … --json`
(the same engine and models, no browser), whose `first_audio_ms` is measured from the end of
speech the same way.

    .venv/bin/python bench/page_latency.py [--turns 5]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import ROOT, build, lj, percentile, table

from page_harness import CHROMIUM, launch_chromium, page_server

CLIPS = ["LJ001-0002", "LJ001-0004", "LJ001-0006", "LJ001-0008", "LJ001-0013"]
GAP_S = 14.0  # room for the reply to finish before the next turn
LEAD_S = 6.0  # the opening line plays first


def page_figures(clip: Path, db: Path, turns: int) -> list[float]:
    from playwright.sync_api import sync_playwright

    from stillpoint.config import Settings
    from stillpoint.page.shared import SharedModels

    if CHROMIUM is None:
        sys.exit("bench/page_latency.py needs Debian's chromium (apt-get install chromium)")
    models = SharedModels(Settings())
    with page_server(models, db) as base, sync_playwright() as playwright:
        browser = launch_chromium(playwright, clip)
        try:
            page = browser.new_page(viewport={"width": 390, "height": 844})
            page.goto(base + "/")
            page.get_by_role("button", name="Start", exact=True).click()
            deadline = time.monotonic() + LEAD_S + turns * (GAP_S + 8) + 120
            script = ("n => { const t = window.stillpoint; const ends = t.events.filter(e => e.type === 'user.turn');"
                      " return ends.length >= n && t.replies.some(r => r.receivedAt > ends[n - 1].at); }")
            while time.monotonic() < deadline:
                if page.evaluate(script, turns):
                    break
                time.sleep(1.0)
            trace = page.evaluate("window.stillpoint")
        finally:
            browser.close()
    return latencies(trace)[:turns]


def page_time_of_sample(sent: list[list[float]], sample: float) -> float | None:
    """When the page captured audio sample `sample`: from the block that carried it, 40 ms blocks at 16 kHz."""
    for total, at in sent:
        if total >= sample:
            return at - (total - sample) / 16.0  # ms: 16 samples per millisecond
    return None


def latencies(trace: dict) -> list[float]:
    out = []
    turns = [e for e in trace["events"] if e["type"] == "user.turn" and e.get("text")]
    for turn in turns:
        spoken_end = page_time_of_sample(trace["sent"], turn["end_s"] * 16000)
        first = next((r["receivedAt"] for r in trace["replies"] if r["receivedAt"] > spoken_end), None) \
            if spoken_end is not None else None
        if first is not None:
            out.append(first - spoken_end)
    return out


def microphone_figures(clip: Path, home: Path) -> list[float]:
    env = dict(os.environ, STILLPOINT_HOME=str(home))
    result = subprocess.run([sys.executable, "-m", "stillpoint.cli", "talk", "--input", str(clip), "--output",
                             str(home / "heard.wav"), "--json"], capture_output=True, text=True, env=env, cwd=ROOT,
                            timeout=900)
    reports = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    return [r["timings"]["first_audio_ms"] for r in reports
            if r["speaker"] == "user" and "first_audio_ms" in r.get("timings", {})]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--turns", type=int, default=5, choices=range(1, 6))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        parts: list = [LEAD_S]
        for name in CLIPS[: args.turns]:
            parts += [lj(name), GAP_S]
        parts.append(120.0)  # Chromium loops the file: nothing more is said while the last reply comes
        clip = build(parts).write(tmp / "turns.wav")
        page = page_figures(clip, tmp / "page" / "stillpoint.db", args.turns)
        microphone = microphone_figures(clip, tmp / "mic")
    rows = [["page (Chromium, WebSocket)", len(page), percentile(page, 50), percentile(page, 95)],
            ["microphone path (talk --input)", len(microphone), percentile(microphone, 50), percentile(microphone, 95)]]
    print("End of speech → first reply audio (ms), LJ Speech turns:")
    print(table(["path", "turns", "p50 ms", "p95 ms"], rows))
    out = ROOT / "bench" / "out"
    out.mkdir(exist_ok=True)
    (out / "page_latency.json").write_text(json.dumps({"page_ms": page, "microphone_ms": microphone}, indent=1))


if __name__ == "__main__":
    main()
