"""Guided breathing on the page (issue 12): the exercise chosen on the page, and steered by the voice
heard through the page — the same conversation engine as `stillpoint talk`, on the real models.

Over a real WebSocket the microphone's audio is sent as the page sends it (16 kHz PCM; the server's
clock is the count of samples sent, so it can be sent faster than real time); in real Chromium the
microphone is a recording played by its fake capture device.
"""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path

import numpy as np
import pytest
import websockets

from onsets import match, onsets
from page_harness import CHROMIUM, launch_chromium, page_server, pcm16, shared_models, ws_url  # noqa: F401 (fixture)
from speechkit import build, say

BLOCK_S = 0.5  # the largest audio message the server takes


async def _next(ws, kind: str, events: list, audio: dict, timeout: float = 120.0) -> dict:
    """The next event of `kind` (keeping every event, and the audio after each reply.audio, by seq)."""
    give_up = time.monotonic() + timeout
    while True:
        message = await asyncio.wait_for(ws.recv(), max(0.1, give_up - time.monotonic()))
        if isinstance(message, bytes):
            audio[events[-1]["seq"]] = message
            continue
        event = json.loads(message)
        events.append(event)
        if event["type"] == kind:
            return event


def test_the_chosen_exercise_is_steered_by_words_spoken_to_the_page(shared_models, tmp_path):
    """Box breathing chosen on the page; "slower, please" spoken in its second cycle: the exercise
    goes on where it was, the rest comes with its own circle cues — the current cycle as it was, every
    following one 20 % longer — and its sound starts where its circle cues say, within 20 ms."""
    from dialogue.store import Store

    db = tmp_path / "data" / "stillpoint.db"
    with page_server(shared_models, db) as base:
        async def session():
            events: list[dict] = []
            audio: dict[int, bytes] = {}
            async with websockets.connect(ws_url(base), additional_headers={"origin": base}, max_size=None) as ws:
                await ws.send(json.dumps({"type": "start"}))
                ready = await _next(ws, "ready", events, audio)
                await ws.send(json.dumps({"type": "mode", "mode": "breathe", "pattern": "box"}))
                while True:  # the exercise (after the opening disclosure it cuts): the reply with circle cues
                    practice = await _next(ws, "reply.audio", events, audio, timeout=300)
                    if practice["cues"]:
                        break
                # nothing was sent yet: the server's clock is at 0, so the exercise began at its lead plus delay
                origin = 0.05 + practice["delay_ms"] / 1000
                speak_at = origin + practice["cues"][0]["offset_ms"] / 1000 + 16.0 + 5.0  # in cycle 2, after "hold"
                mic = build([speak_at, say("Slower, please."), 8.0], seed=31).audio
                block = int(16000 * BLOCK_S)
                for start in range(0, len(mic), block):  # ten times real time: the server keeps up on its clock
                    await ws.send(pcm16(mic[start:start + block]))
                    await asyncio.sleep(BLOCK_S / 10)

                async def keep_listening():  # then the microphone goes on, in real time, while it is understood
                    while True:
                        await ws.send(pcm16(np.zeros(block, np.float32)))
                        await asyncio.sleep(BLOCK_S)

                listening = asyncio.create_task(keep_listening())
                try:
                    # the steering acts before its words are shown: the cut and the rest come first
                    turn = await _next(ws, "user.turn", events, audio, timeout=120)
                    await asyncio.sleep(1.0)
                finally:
                    listening.cancel()
                rest = [e for e in events if e["type"] == "reply.audio"][-1]
                return ready["session_id"], events, audio, practice, turn, rest

        session_id, events, audio, practice, turn, rest = asyncio.run(session())

    assert {c["duration_ms"] for c in practice["cues"]} == {4000} and "box breathing" in practice["text"].lower()
    assert "slower" in turn["text"].lower(), turn
    stop_at = [i for i, e in enumerate(events) if e["type"] == "reply.stop"]
    assert stop_at and events.index(rest) > stop_at[-1]  # what was queued was cancelled, then the rest came
    assert rest["text"] == "" and rest["cues"], rest  # the same exercise going on (the page shows no new words)
    durations = [c["duration_ms"] for c in rest["cues"]]
    longer = durations.index(4800)
    assert set(durations[:longer]) <= {4000} and longer <= 3  # what is left of the current cycle, as it was
    # every following cycle 20 % longer (as many as still fit the exercise's two minutes)
    assert durations[longer:] == [4800] * (len(durations) - longer) and (len(durations) - longer) % 4 == 0
    assert len(durations) - longer >= 8
    samples = np.frombuffer(audio[rest["seq"]], "<i2").astype(np.float32) / 32768
    errors = match([c["offset_ms"] / 1000 for c in rest["cues"]], onsets(samples, rest["sample_rate"]))
    assert max(abs(e) for e in errors) <= 0.020, errors  # the sound starts where the circle moves

    store = Store(db)
    try:
        steering = [t.timings.get("steering", "") for t in store.turns(session_id) if t.speaker == "user"]
    finally:
        store.close()
    assert [s.split(":")[0] for s in steering] == ["slower"], steering


ARTIFACTS = Path(__file__).resolve().parent / "artifacts"


@pytest.mark.skipif(CHROMIUM is None, reason="needs Debian's chromium (apt-get install chromium)")
def test_the_page_offers_the_patterns_and_plays_the_one_chosen(shared_models, tmp_path):
    """In Chromium: Breathe shows the choice of exercise; 4-7-8 chosen, Start plays it (its circle cues
    4, 7 and 8 s), and the choice is in the start event the page sent."""
    from playwright.sync_api import sync_playwright

    clip = build([60.0], seed=32).write(tmp_path / "room.wav")  # a quiet room: nobody speaks
    with page_server(shared_models, tmp_path / "data" / "stillpoint.db") as base, sync_playwright() as playwright:
        browser = launch_chromium(playwright, clip)
        try:
            page = browser.new_page(viewport={"width": 390, "height": 844})
            page.goto(base + "/")
            assert not page.locator("#pattern").is_visible()
            page.get_by_text("Breathe", exact=True).click()
            assert page.locator("#pattern").is_visible()
            assert page.locator("#pattern option").all_inner_texts()[0].startswith("Slow, even breaths")
            page.locator("#pattern").select_option("478")
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / "page-390x844-breathe.png"))
            page.get_by_role("button", name="Start", exact=True).click()
            page.wait_for_function("() => window.stillpoint.replies.some(r => r.cues && r.cues.length)",
                                   timeout=300_000)
            cues = page.evaluate("window.stillpoint.replies.find(r => r.cues && r.cues.length).cues")
            page.wait_for_function("() => document.getElementById('phase').textContent !== ''", timeout=60_000)
        finally:
            browser.close()
    assert [c["duration_ms"] for c in cues] == [4000, 7000, 8000] * 4


def test_the_pattern_the_page_may_ask_for_is_one_of_the_four():
    from stillpoint.page.protocol import BadEvent, Limits, Mode, Start, parse_client_event

    assert parse_client_event('{"type": "mode", "mode": "breathe", "pattern": "478"}', Limits()) == Mode(
        type="mode", mode="breathe", pattern="478")
    assert parse_client_event('{"type": "start", "mode": "breathe", "pattern": "sigh"}', Limits()).pattern == "sigh"
    assert parse_client_event('{"type": "start"}', Limits()) == Start(type="start")  # the gentle default, later
    with pytest.raises(BadEvent) as refused:
        parse_client_event('{"type": "mode", "mode": "breathe", "pattern": "4-45-6"}', Limits())
    assert refused.value.code == "bad_event" and "pattern" in str(refused.value)
