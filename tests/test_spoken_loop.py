"""The spoken loop end to end on recordings: real speech in, real models, a reply WAV out."""

import json
import sqlite3

import numpy as np
import pytest
import soundfile as sf

from conftest import ROOT, run_cli
from dialogue.store import Store
from speechkit import build, lj, say
from stillpoint.engine import ConversationSettings, TurnReport
from stillpoint.engine.exchange import Exchanger, ExchangeRecord, ReplyAudio
from stillpoint.engine.recording import run_recording
from voice.events import AudioFrame, TurnEnded, SAMPLE_RATE


def rms(x):
    return float(np.sqrt(np.mean(np.square(x)))) if len(x) else 0.0


def test_demo_command_from_the_readme(tmp_path):
    out = tmp_path / "reply.wav"
    result = run_cli("talk", "--input", str(ROOT / "audio_assets" / "demo.wav"), "--output", str(out))
    assert result.returncode == 0, result.stderr
    lines = [l for l in result.stdout.splitlines() if l.strip()]
    assert any("you:" in l and "block books" in l.lower() for l in lines), result.stdout
    assert sum("stillpoint:" in l for l in lines) >= 1
    assert "Loading speech-to-text" in result.stderr  # progress while models load
    info = sf.info(out)
    assert info.samplerate == 22050 and info.duration > sf.info(ROOT / "audio_assets" / "demo.wav").duration - 0.1


def test_conversation_as_heard_with_json_turns(tmp_path):
    rec = build([0.6, say("I had a really long day at work today."), 0.5, say("I feel worn out."), 9.0,
                 say("Thank you for listening."), 8.0], seed=7)
    wav = rec.write(tmp_path / "talk.wav", rate=44100)
    out = tmp_path / "heard.wav"
    result = run_cli("talk", "--input", str(wav), "--output", str(out), "--json")
    assert result.returncode == 0, result.stderr
    turns = [json.loads(l) for l in result.stdout.splitlines()]
    assert [t["speaker"] for t in turns] == ["user", "companion", "user", "companion"]
    for t in turns:
        assert set(t) >= {"speaker", "text", "start_s", "end_s", "timings"} and t["text"]
    first_user, first_reply = turns[0], turns[1]
    assert "long day" in first_user["text"].lower()
    assert abs(first_user["start_s"] - rec.speech[0][0]) < 0.15 and abs(first_user["end_s"] - rec.speech[1][1]) < 0.15
    assert len(first_user["pauses"]) >= 1 and abs(first_user["pauses"][0]["duration_s"] - 0.5) < 0.1
    timings = first_user["timings"]
    # no first_token_ms: the embedded model does not speak freely, the reviewed repertoire answers (replies, issue 9)
    stages = ["end_of_turn_ms", "transcript_ms", "first_audio_ms"]
    assert all(k in timings for k in stages) and "first_token_ms" not in timings
    assert timings["end_of_turn_ms"] <= timings["transcript_ms"] <= timings["first_audio_ms"]
    # first use: the reply opens with the AI disclosure (a fixed line, so it can play before the model's first token)
    assert first_reply["text"].startswith("Just so you know, I'm an AI")
    assert not turns[3]["text"].startswith("Just so you know")
    # the reply starts where it would be heard: after the end of speech plus the measured latency
    assert first_reply["start_s"] == pytest.approx(first_user["end_s"] + timings["first_audio_ms"] / 1000, abs=0.05)

    heard, rate = sf.read(out, dtype="float32")
    assert rate == 22050
    reply_audio = heard[int(first_reply["start_s"] * rate) : int(first_reply["end_s"] * rate)]
    quiet_before = heard[int((first_user["end_s"] + 0.2) * rate) : int((first_reply["start_s"] - 0.05) * rate)]
    assert rms(reply_audio) > 10 * rms(quiet_before) > 0  # the reply is in the file, where it belongs

    db = sqlite3.connect(tmp_path / "data" / "stillpoint.db")
    stored = db.execute("SELECT speaker, text, interrupted FROM turns ORDER BY id").fetchall()
    assert [s[0] for s in stored] == ["user", "companion", "user", "companion"]
    assert db.execute("SELECT COUNT(*) FROM pauses").fetchone()[0] >= 1


def test_barge_in_cuts_the_reply_where_the_user_spoke(pipeline, store, tmp_path):
    # a question with a fixed answer, so the reply is surely playing 2.4 s later, however busy the CPU
    rec = build([0.5, say("Are you a real person?"), 2.4, say("Sorry, I mean, it was fine."), 6.0], seed=9)
    wav = rec.write(tmp_path / "barge.wav")
    reports = []
    result = run_recording(pipeline, store, wav, tmp_path / "out.wav", on_event=reports.append)
    reports = [r for r in reports if isinstance(r, TurnReport)]
    replies = [r for r in reports if r.speaker == "companion"]
    cut = replies[0]
    onset = rec.speech[1][0]
    assert cut.interrupted and cut.start_s < onset  # it had started playing before the user spoke
    assert onset <= cut.end_s <= onset + 0.2  # and stopped within 200 ms of speech onset
    heard, rate = sf.read(tmp_path / "out.wav", dtype="float32")
    stored = store.turns(result.session_id)
    assert [t.interrupted for t in stored if t.speaker == "companion"][0]
    # after the cut, what is heard is the user alone: compare with the user's audio resampled
    import soxr

    user_only = soxr.resample(rec.audio, SAMPLE_RATE, rate)
    a, b = int((cut.end_s + 0.02) * rate), int((rec.speech[1][1]) * rate)
    assert np.allclose(heard[a:b], user_only[a:b], atol=2e-3)


def test_no_barge_in_lets_the_reply_finish(pipeline, store, tmp_path):
    rec = build([0.5, say("Work was awful today and I am so tired."), 2.4, say("Sorry, I mean, it was fine."), 6.0],
                seed=9)
    wav = rec.write(tmp_path / "barge.wav")
    reports = []
    run_recording(pipeline, store, wav, tmp_path / "out.wav", on_event=reports.append,
                  settings=ConversationSettings(barge_in=False))
    reports = [r for r in reports if isinstance(r, TurnReport)]
    assert not any(r.interrupted for r in reports)


def test_user_turn_is_on_disk_before_the_reply_starts(pipeline, store, tmp_path):
    rec = build([0.4, say("I keep thinking about my sister."), 1.0], seed=3)
    session = store.start_session("test")
    exchanger = Exchanger.for_session(pipeline, store, session)
    events = []
    segmenter = pipeline.segmenter
    events += segmenter.process(AudioFrame(rec.audio, 0.0)) + segmenter.flush()
    (turn,) = [e for e in events if isinstance(e, TurnEnded)]
    record = ExchangeRecord(turn=turn)
    replies = exchanger.run(turn, record)
    next(item for item in replies if isinstance(item, ReplyAudio))  # the first reply audio exists, unplayed
    other = sqlite3.connect(store.path)  # another connection sees only committed data
    saved = other.execute("SELECT speaker, text FROM turns WHERE session_id = ?", (session,)).fetchall()
    assert saved == [("user", record.user_text)] and "sister" in record.user_text.lower()


def test_sessions_and_show_list_what_was_said(tmp_path):
    rec = build([0.5, say("I went for a walk by the river."), 0.6, say("It helped a little."), 6.0], seed=4)
    wav = rec.write(tmp_path / "walk.wav")
    assert run_cli("talk", "--input", str(wav), "--output", str(tmp_path / "o.wav")).returncode == 0
    listing = run_cli("sessions")
    assert listing.returncode == 0 and "file:walk.wav" in listing.stdout
    shown = run_cli("show", "last")
    assert shown.returncode == 0
    user_line = [l for l in shown.stdout.splitlines() if " you: " in l][0]
    assert "river" in user_line and ("… (0.6 s) …" in user_line or "… (0.5 s) …" in user_line), user_line
    assert "stillpoint:" in shown.stdout
    assert run_cli("show", "99").returncode == 1
