"""The page's WebSocket protocol over a real server and a real WebSocket client, on the real models.

Four conversations at once must not hear each other; bad events get an `error` event and the
connection lives on; oversized frames, floods, long sessions, a missing or wrong token with
--lan, a foreign Origin and a foreign Host are all refused.
"""

from __future__ import annotations

import asyncio
import json
import ssl
import stat

import httpx
import numpy as np
import pytest
import websockets

from page_harness import page_server, pcm16, shared_models, talk_over_socket, ws_url  # noqa: F401 (fixture)
from speechkit import build, say


def origin(base: str) -> dict:
    return {"origin": base}


async def next_event(ws, kind: str | None = None, timeout: float = 10.0) -> dict:
    """The next JSON event (of `kind`, skipping others), ignoring binary audio."""
    while True:
        message = await asyncio.wait_for(ws.recv(), timeout)
        if isinstance(message, bytes):
            continue
        event = json.loads(message)
        if kind is None or event["type"] == kind:
            return event


def test_four_conversations_at_once_do_not_hear_each_other(shared_models, tmp_path):
    from dialogue.store import Store

    lines = {
        "sister": "I keep thinking about my sister and the long drive home.",
        "garden": "The garden was full of tomatoes this summer.",
        "piano": "I practised the piano for an hour before dinner.",
        "exam": "My exam results come out on Friday morning.",
    }
    clips = {key: build([0.4, say(text), 1.6], seed=i).audio for i, (key, text) in enumerate(lines.items())}
    db = tmp_path / "data" / "stillpoint.db"
    with page_server(shared_models, db) as base:
        async def all_four():
            return await asyncio.gather(*(
                talk_over_socket(ws_url(base), clip, additional_headers=origin(base), timeout_s=400) for clip in clips.values()
            ))

        results = dict(zip(clips, asyncio.run(all_four())))

    assert len({r["session_id"] for r in results.values()}) == 4
    store = Store(db)
    try:
        for key, result in results.items():
            heard = [e["text"].lower() for e in result["events"] if e["type"] == "user.turn"]
            assert heard and key in heard[0], (key, heard)
            for other in set(lines) - {key}:  # no other conversation's words reached this one
                assert not any(other in h for h in heard), (key, other, heard)
            assert result["replies"] and all(len(audio) == 2 * header["samples"] for header, audio in result["replies"])
            stored = [t.text.lower() for t in store.turns(result["session_id"]) if t.speaker == "user"]
            assert stored and key in stored[0] and not any(o in " ".join(stored) for o in set(lines) - {key})
    finally:
        store.close()


def test_crisis_lines_and_breathing_cues_come_from_the_conversation(shared_models, tmp_path):
    """An acute statement brings the crisis event with tap-to-call links; asking to breathe brings the
    guided exercise, whose audio carries its circle cues (and no other reply does)."""

    def practice_started(events):
        return any(e["type"] == "reply.audio" and e["cues"] for e in events)

    def crisis_answered(events):
        return any(e["type"] == "reply.audio" and "one slow breath together" in e["text"] for e in events)

    with page_server(shared_models, tmp_path / "db.sqlite") as base:
        async def both():
            return await asyncio.gather(
                talk_over_socket(ws_url(base), build([0.4, say("I took all my pills an hour ago."), 1.6]).audio,
                                 additional_headers=origin(base), until=crisis_answered, timeout_s=300),
                talk_over_socket(ws_url(base), build([0.4, say("Can we do a breathing exercise together?"), 1.6]).audio,
                                 additional_headers=origin(base), until=practice_started, timeout_s=300),
            )

        crisis, breathing = asyncio.run(both())

    flagged = [e for e in crisis["events"] if e["type"] == "crisis"]
    assert flagged and flagged[0]["level"] == "acute", crisis["events"]
    assert {"label": "Call 988", "href": "tel:988"} in flagged[0]["resources"]["links"]
    assert not any(e.get("cues") for e in crisis["events"] if e["type"] == "reply.audio")

    (practice,) = [e for e in breathing["events"] if e["type"] == "reply.audio" and e["cues"]]
    phases = [cue["phase"] for cue in practice["cues"]]
    assert phases[:2] == ["in", "out"] and phases.count("in") == phases.count("out") >= 5, phases  # coherent: in, out
    assert all(c["offset_ms"] + c["duration_ms"] <= 1000 * practice["samples"] / practice["sample_rate"] + 1
               for c in practice["cues"])  # every phase lies inside the audio it came with
    assert not any(e["type"] == "crisis" for e in breathing["events"])


def test_malformed_events_get_error_events_and_the_connection_stays(shared_models, tmp_path):
    from stillpoint.page.protocol import Limits

    limits = Limits(max_audio_bytes=16_000, max_text_bytes=4_096, transport_max_bytes=65_536)
    with page_server(shared_models, tmp_path / "db.sqlite", limits=limits) as base:
        async def session():
            codes = []
            async with websockets.connect(ws_url(base), additional_headers=origin(base), max_size=None) as ws:
                for bad in ["not json", "[1, 2", json.dumps({"type": "dance"}), json.dumps({"no": "type"}),
                            json.dumps({"type": "start", "mode": "shout"}), json.dumps({"type": "ptt"}),
                            json.dumps({"type": "played", "seq": -1}), json.dumps({"type": "stop", "extra": 1}),
                            "[" * 5000]:
                    await ws.send(bad)
                    codes.append((await next_event(ws))["code"])
                await ws.send(pcm16(np.zeros(320, np.float32)))  # audio before start
                codes.append((await next_event(ws))["code"])
                await ws.send(json.dumps({"type": "start"}))
                ready = await next_event(ws, "ready")
                await ws.send(b"\x00\x01\x02")  # not whole 16-bit samples
                codes.append((await next_event(ws, "error"))["code"])
                await ws.send(b"\x00" * 20_000)  # over the per-message audio limit, under the transport's
                codes.append((await next_event(ws, "error"))["code"])
                await ws.send(json.dumps({"type": "start"}))
                codes.append((await next_event(ws, "error"))["code"])
                await ws.send(pcm16(np.zeros(640, np.float32)))  # still alive and listening
                await ws.send(json.dumps({"type": "ping"}))
                return codes, ready

        codes, ready = asyncio.run(session())
    assert codes == ["bad_json", "bad_json", "bad_event", "bad_event", "bad_event", "bad_event", "bad_event",
                     "bad_event", "too_large", "not_started", "bad_audio", "too_large", "already_started"], codes
    assert ready["audio_in"] == {"encoding": "pcm_s16le", "sample_rate": 16000, "channels": 1}


def test_oversized_frames_floods_and_long_sessions_are_bounded(shared_models, tmp_path):
    from stillpoint.page.protocol import Limits

    limits = Limits(transport_max_bytes=65_536, messages_per_s=50, burst=60, max_session_s=4.0, max_conversations=2)
    with page_server(shared_models, tmp_path / "db.sqlite", limits=limits) as base:
        async def oversized():
            async with websockets.connect(ws_url(base), additional_headers=origin(base), max_size=None) as ws:
                await ws.send(b"\x00" * 1_000_000)  # far beyond anything the page sends: the server closes
                with pytest.raises(websockets.ConnectionClosed) as closed:
                    await next_event(ws)
                return closed.value.rcvd.code if closed.value.rcvd else None

        assert asyncio.run(oversized()) == 1009

        async def flood():
            async with websockets.connect(ws_url(base), additional_headers=origin(base), max_size=None) as ws:
                for _ in range(300):
                    await ws.send(json.dumps({"type": "ping"}))
                error = await next_event(ws, "error")
                await asyncio.sleep(1.5)  # the bucket refills; the connection was never dropped
                await ws.send(json.dumps({"type": "start"}))
                return error, await next_event(ws, "ready")

        error, ready = asyncio.run(flood())
        assert error["code"] == "rate_limited" and ready["type"] == "ready"

        async def too_long_and_too_many():
            async with websockets.connect(ws_url(base), additional_headers=origin(base)) as first, \
                    websockets.connect(ws_url(base), additional_headers=origin(base)) as second:
                async with websockets.connect(ws_url(base), additional_headers=origin(base)) as third:
                    busy = await next_event(third, "error")
                    with pytest.raises(websockets.ConnectionClosed):
                        await next_event(third)
                closing = await next_event(first, "closing", timeout=15)
                with pytest.raises(websockets.ConnectionClosed):
                    await next_event(first, timeout=15)
                del second
                return busy, closing

        busy, closing = asyncio.run(too_long_and_too_many())
        assert busy["code"] == "busy" and closing["reason"] == "session_length"


def test_foreign_origin_and_foreign_host_are_refused(shared_models, tmp_path):
    with page_server(shared_models, tmp_path / "db.sqlite") as base:
        port = base.rsplit(":", 1)[1]

        async def connect(**headers):
            async with websockets.connect(ws_url(base), **headers) as ws:
                await ws.send(json.dumps({"type": "start"}))
                return (await next_event(ws, "ready"))["type"]

        assert asyncio.run(connect(additional_headers=origin(base))) == "ready"
        for bad in ({"origin": "http://evil.example"}, {"origin": f"http://evil.example:{port}"}, {"origin": "null"}):
            with pytest.raises(websockets.InvalidStatus) as refused:
                asyncio.run(connect(additional_headers=bad))
            assert refused.value.response.status_code == 403
        with pytest.raises(websockets.InvalidStatus) as refused:  # DNS rebinding: a foreign name for 127.0.0.1
            asyncio.run(connect(additional_headers={"host": f"evil.example:{port}", "origin": f"http://evil.example:{port}"}))
        assert refused.value.response.status_code == 403 or refused.value.response.status_code == 400
        assert httpx.get(base + "/", headers={"host": f"evil.example:{port}"}).status_code == 400
        page = httpx.get(base + "/")
        assert page.status_code == 200 and "script-src 'self'" in page.headers["content-security-policy"]
        assert "unsafe-inline" not in page.headers["content-security-policy"]


def test_lan_needs_its_token_everywhere_even_on_loopback(shared_models, tmp_path, monkeypatch):
    from stillpoint.config import Settings
    from stillpoint.page.serve import plan

    monkeypatch.setenv("STILLPOINT_HOME", str(tmp_path / "home"))
    first = plan(Settings(), 8765, lan=True, address="192.168.1.23")
    again = plan(Settings(), 8765, lan=True, address="192.168.1.23")
    assert first.token and again.token is None  # shown once, then only its hash exists
    assert first.cert.created and not again.cert.created  # the certificate is made once
    home = tmp_path / "home"
    for name in ("page-token.sha256", "page-key.pem"):
        assert stat.S_IMODE((home / name).stat().st_mode) == 0o600
    assert first.token not in (home / "page-token.sha256").read_text()
    assert "192.168.1.23" in first.policy.hosts and first.policy.secure

    trust = ssl.create_default_context(cafile=str(first.cert.cert_path))  # as a phone that trusts the certificate
    with page_server(shared_models, tmp_path / "db.sqlite", policy=first.policy, certificate=first.cert) as base:
        assert base.startswith("https://")
        with httpx.Client(verify=trust) as client:
            assert client.get(base + "/").status_code == 401
            assert client.get(base + "/?token=wrong").status_code == 401
            assert client.get(base + "/history/").status_code == 401
            assert client.get(base + "/static/page.js").status_code == 401
            opened = client.get(base + "/?token=" + first.token, follow_redirects=False)
            assert opened.status_code == 303 and opened.headers["location"] == "/"
            cookie = opened.headers["set-cookie"].lower()
            assert "httponly" in cookie and "secure" in cookie and "samesite=strict" in cookie
            assert client.get(base + "/").status_code == 200  # the cookie now carries the token
            cookie_header = f"stillpoint_token={first.token}"
        with pytest.raises(httpx.ConnectError, match="CERTIFICATE_VERIFY_FAILED"):
            httpx.get(base + "/", verify=ssl.create_default_context())  # untrusted until the person trusts it

        async def connect(cookie: str | None):
            headers = {"origin": base} | ({"cookie": cookie} if cookie else {})
            async with websockets.connect(ws_url(base), ssl=trust, additional_headers=headers) as ws:
                await ws.send(json.dumps({"type": "start"}))
                return (await next_event(ws, "ready"))["type"]

        for bad in (None, "stillpoint_token=wrong"):
            with pytest.raises(websockets.InvalidStatus) as refused:
                asyncio.run(connect(bad))
            assert refused.value.response.status_code == 403
        assert asyncio.run(connect(cookie_header)) == "ready"


def test_breathe_button_plays_the_exercise_on_its_own_schedule_and_puts_no_words_in_your_mouth(shared_models, tmp_path):
    """Breathe (a `mode` event) starts the guided exercise itself: one reply whose audio is the rendered
    exercise and whose cues are its plan, cue for cue, each heard in that audio where the circle moves
    (within 20 ms). Nothing is stored as the person's turn for the tap; a typed answer cuts the exercise
    and is kept as its check-in mood."""
    from dialogue.breathing import parse_pattern
    from dialogue.honesty import OPENING_DISCLOSURE
    from dialogue.practices import DEFAULT_PATTERN
    from dialogue.store import Store
    from onsets import match, onsets
    from stillpoint.breathe import make_plan

    db = tmp_path / "data" / "stillpoint.db"
    with page_server(shared_models, db) as base:
        async def session():
            events, audio = [], None
            async with websockets.connect(ws_url(base), additional_headers=origin(base), max_size=None) as ws:
                await ws.send(json.dumps({"type": "start", "microphone": False}))
                ready = await next_event(ws, "ready")
                await ws.send(json.dumps({"type": "mode", "mode": "breathe"}))
                while audio is None:  # the exercise: the first reply after the opening disclosure
                    message = await asyncio.wait_for(ws.recv(), 300)
                    if isinstance(message, bytes):
                        if events and events[-1]["type"] == "reply.audio" and events[-1]["text"] != OPENING_DISCLOSURE:
                            audio = message
                        continue
                    events.append(json.loads(message))
                await asyncio.sleep(4.0)  # a few seconds of the exercise are heard (the server keeps the clock)
                await ws.send(json.dumps({"type": "say", "text": "That helped, about a seven."}))
                while True:
                    event = await next_event(ws, timeout=300)
                    events.append(event)
                    if event["type"] == "user.turn":
                        break
                await asyncio.sleep(1.0)
                return ready["session_id"], events, audio

        session_id, events, audio = asyncio.run(session())

    practice = [e for e in events if e["type"] == "reply.audio"][-1]
    assert practice["cues"] and len(audio) == 2 * practice["samples"], practice
    chosen = parse_pattern(DEFAULT_PATTERN)  # what the companion plays when no pattern is named
    cycles = chosen.max_cycles
    plan = make_plan(chosen, cycles=cycles, minutes=None if cycles else min(2.0, chosen.default_minutes or 2.0),
                     night=False, counts=False, tones_only=False, tones_after_first=False).as_dict()
    planned = [(c["kind"], round(1000 * c["at_s"]), round(1000 * c["duration_s"])) for c in plan["cues"]
               if c["duration_s"] > 0]
    first = practice["cues"][0]["offset_ms"]  # the exercise starts after its spoken intro
    sent = [(c["phase"], c["offset_ms"] - first, c["duration_ms"]) for c in practice["cues"]]
    assert [(k if k != "top_up" else "in", at, d) for k, at, d in planned] == [
        (p, pytest.approx(at, abs=1), d) for p, at, d in sent], (planned, sent)
    samples = np.frombuffer(audio, "<i2").astype(np.float32) / 32768
    errors = match([c["offset_ms"] / 1000 for c in practice["cues"]], onsets(samples, practice["sample_rate"]))
    assert max(abs(e) for e in errors) <= 0.020, errors  # each phase's sound starts where the circle moves

    store = Store(db)
    try:
        turns = [(t.speaker, t.text) for t in store.turns(session_id)]
        moods = [(m.value, m.source) for m in store.moods() if m.session_id == session_id]
    finally:
        store.close()
    assert [text for speaker, text in turns if speaker == "user"] == ["That helped, about a seven."], turns
    heard = [text for speaker, text in turns if speaker == "companion" and practice["text"].startswith(text)]
    assert heard, turns  # the exercise as far as it was heard (a share of its words), kept as the companion's
    assert moods == [(7, "breathing")], moods
    assert any(e["type"] == "reply.stop" for e in events)  # typing over the exercise cut it


def test_journal_mode_is_a_journal_entry_kept_in_its_own_session(shared_models, tmp_path):
    """Journal mode is `stillpoint journal` in the page: it opens with the prompt, keeps a 2 s pause inside
    the turn, answers with a brief acknowledgement (never the model), asks the mood once at the close, and
    keeps prompt, mood and reflection with this entry. Another conversation started after it (the latest
    session) gets none of it."""
    from dialogue.honesty import OPENING_DISCLOSURE
    from dialogue.journaling import (ACKNOWLEDGEMENTS, MOOD_THEN_CLOSE, OPEN_PROMPTS, REFLECTION_INVITATION, SAVED,
                                     SAVED_DAY)
    from dialogue.moods import MOOD_QUESTION
    from dialogue.store import Store

    spoken = build([0.4, say("I walked by the river after work today."), 2.0,
                    say("Then I thought about my sister for a long time."), 0.5]).audio
    db = tmp_path / "data" / "stillpoint.db"
    with page_server(shared_models, db) as base:
        async def session():
            events: list[dict] = []
            async with websockets.connect(ws_url(base), additional_headers=origin(base), max_size=None) as ws, \
                    websockets.connect(ws_url(base), additional_headers=origin(base), max_size=None) as other:
                await ws.send(json.dumps({"type": "start", "mode": "journal"}))
                ready = await next_event(ws, "ready")
                await other.send(json.dumps({"type": "start", "microphone": False}))
                other_ready = await next_event(other, "ready")  # a later session, open while the entry goes on
                block = np.zeros(3200, np.float32)

                async def microphone():  # the opening heard, the clip faster than real time, then silence in real time
                    heard = sum(e["samples"] / e["sample_rate"] for e in events if e["type"] == "reply.audio") + 1.0
                    for _ in range(int(heard / 0.2) + 1):
                        await ws.send(pcm16(block))
                    for start in range(0, len(spoken), 3200):
                        await ws.send(pcm16(spoken[start:start + 3200]))
                        await asyncio.sleep(0.05)
                    while True:
                        await ws.send(pcm16(block))
                        await asyncio.sleep(0.2)

                async def until(found):
                    while True:
                        event = await next_event(ws, timeout=300)
                        events.append(event)
                        if found(event):
                            return event

                prompt = await until(lambda e: e["type"] == "reply.audio" and e["text"] in OPEN_PROMPTS)
                sender = asyncio.create_task(microphone())
                await until(lambda e: e["type"] == "user.turn")
                reply = await until(lambda e: e["type"] == "reply.audio")
                for line, answer in (("I'm done for tonight.", MOOD_QUESTION), ("About a six.", REFLECTION_INVITATION),
                                     ("I'm glad I said it out loud.", None)):
                    await asyncio.sleep(reply["samples"] / reply["sample_rate"] + 0.5)  # heard before answering
                    await ws.send(json.dumps({"type": "say", "text": line}))
                    if answer:
                        reply = await until(lambda e: e["type"] == "reply.audio" and e["text"] == answer)
                await until(lambda e: e["type"] == "closing")
                sender.cancel()
                return ready["session_id"], other_ready["session_id"], prompt["text"], events

        session_id, other_id, prompt, events = asyncio.run(session())

    turns = [e for e in events if e["type"] == "user.turn"]
    assert "river" in turns[0]["text"].lower() and "sister" in turns[0]["text"].lower(), turns  # one turn
    assert any(p.get("pause_s", 0) >= 1.5 for p in turns[0]["pieces"]), turns[0]["pieces"]  # its pause kept inside
    said = [e["text"] for e in events if e["type"] == "reply.audio"]
    after_first_turn = said[said.index(prompt) + 1]
    assert after_first_turn in ACKNOWLEDGEMENTS, said
    allowed = {OPENING_DISCLOSURE, prompt, MOOD_THEN_CLOSE, MOOD_QUESTION, REFLECTION_INVITATION, SAVED, SAVED_DAY,
               *ACKNOWLEDGEMENTS}
    assert set(said) <= allowed, said  # only the journaling listener's lines: no model reply to any turn

    store = Store(db)
    try:
        entry, elsewhere = store.journal_entry(session_id), store.journal_entry(other_id)
        moods = [(m.session_id, m.value, m.source) for m in store.moods()]
        kept = [t.text for t in store.turns(session_id) if t.speaker == "companion"]
    finally:
        store.close()
    assert entry is not None and entry.prompt == prompt and entry.reflection == "I'm glad I said it out loud.", entry
    assert elsewhere is None, elsewhere
    assert moods == [(session_id, 6, "journal")], moods
    allowed_words = {w for line in allowed for w in line.split()}
    assert any(prompt in k for k in kept) and all(set(k.split()) <= allowed_words for k in kept), kept


def test_speaking_over_a_reply_stops_it_and_keeps_what_was_heard(shared_models, tmp_path):
    """Barge-in through the page: speech while a reply plays brings `reply.stop` at once, and the store keeps
    the reply as interrupted, with the new turn after it."""
    from dialogue.store import Store

    first = build([0.4, say("I keep thinking about my sister and the long drive home."), 1.6]).audio
    second = build([0.1, say("Sorry, can I say something else?"), 1.6], seed=3).audio
    db = tmp_path / "data" / "stillpoint.db"
    with page_server(shared_models, db) as base:
        async def session():
            events = []
            async with websockets.connect(ws_url(base), additional_headers=origin(base), max_size=None) as ws:
                await ws.send(json.dumps({"type": "start"}))
                ready = await next_event(ws, "ready")

                async def play(audio):  # in real time, as a microphone would
                    for start in range(0, len(audio), 640):
                        await ws.send(pcm16(audio[start:start + 640]))
                        await asyncio.sleep(0.04)

                async def listen(until):
                    while True:
                        event = await next_event(ws, timeout=300)
                        events.append(event)
                        if until(event):
                            return

                sender = asyncio.create_task(play(np.concatenate([first, np.zeros(16000 * 240, np.float32)])))
                await listen(lambda e: e["type"] == "user.turn")
                await listen(lambda e: e["type"] == "reply.audio" and e["samples"] / e["sample_rate"] > 2.0)
                await asyncio.sleep(1.5)  # a few words of it are heard, then the person speaks over it
                sender.cancel()
                spoke_at = len(events)
                sender = asyncio.create_task(play(np.concatenate([second, np.zeros(16000 * 240, np.float32)])))
                await listen(lambda e: e["type"] == "user.turn" and "something else" in e["text"])
                sender.cancel()
                return ready["session_id"], events, spoke_at

        session_id, events, spoke_at = asyncio.run(session())
    after = [e["type"] for e in events[spoke_at:]]
    assert "reply.stop" in after and after.index("reply.stop") < after.index("user.turn"), after
    store = Store(db)
    turns = store.turns(session_id)
    store.close()
    spoke_over = next(i for i, t in enumerate(turns) if t.speaker == "user" and "something else" in t.text)
    cut = [t for t in turns[:spoke_over] if t.speaker == "companion"]
    assert cut and cut[-1].interrupted, turns  # the reply spoken over is kept as interrupted, before the new turn
