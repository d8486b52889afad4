"""The conversation engine on scripted fakes: exact timing and cancellation, through both the live
path (threads, a fake audio device clock) and the recording path (a file), with identical results.

Real speech goes in (the segmenter and VAD are the real ones); only speech-to-text, the model and
the voice are scripted, each spending a set time on the audio clock. Times are multiples of the
VAD's 32 ms frame, the live path's granularity, so both paths can agree to the sample.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

import pytest

from dialogue.companion import Companion
from dialogue.crisis import CrisisResources
from dialogue.replies import Replier
from dialogue.cues import CHECK_IN
from dialogue.store import Store
from fakes import FakeBackend, FakeClock, FakeMicrophone, FakeSpeaker, FakeSynthesizer, FakeTranscriber
from speechkit import Recording, build, lj, say
from stillpoint.config import Settings
from stillpoint.engine import ConversationSettings, ReplyCut, SafetyFlagged, SessionClosed, TurnReport
from stillpoint.engine.components import Pipeline, make_segmenter
from stillpoint.engine.live import run_live
from stillpoint.engine.recording import run_recording

RESOURCES = CrisisResources.for_region("US")
PATHS = ("live", "recording")


@dataclass
class Outcome:
    reports: list  # (speaker, text, interrupted, start, end)
    stored: list  # the same, from the store
    flags: list  # (user turn index, level)
    history: list  # (role, content)
    cues: list  # (kind, duration)
    events: list


def _row(speaker, text, interrupted, start, end):
    return (speaker, text, bool(interrupted), round(start, 3), round(end, 3))


def converse(tmp_path, path: str, audio, heard, sentences, *, stt_s=0.096, ttft_s=0.192, tts_s=0.096, word_s=0.32,
             disclosed=True, settings=ConversationSettings()) -> Outcome:
    clock = FakeClock(live=path == "live")
    store = Store(tmp_path / path / "stillpoint.db")
    if disclosed:  # the AI disclosure was said recently: leave it out of these timings
        store.set_meta("last_disclosed_at", datetime.now(timezone.utc).isoformat(timespec="seconds"))
    # the same seed on both paths: when the guard stops a repeated model line, the repertoire's choice is the same
    companion = Companion(FakeBackend(clock, sentences, ttft_s), resources=RESOURCES, replier=Replier(seed=7))
    pipeline = Pipeline(make_segmenter(Settings()), FakeTranscriber(clock, heard, stt_s),
                        FakeSynthesizer(clock, seconds_per_word=word_s, delay_s=tts_s), companion)
    events: list = []
    if path == "live":
        conversation = run_live(pipeline, store, FakeMicrophone(clock, audio), FakeSpeaker(clock), settings=settings,
                                on_event=events.append, clock=clock)
        session = conversation.session_id
    else:
        wav = Recording(audio).write(tmp_path / "input.wav", subtype="FLOAT")
        session = run_recording(pipeline, store, wav, tmp_path / path / "heard.wav", settings=settings,
                                on_event=events.append, clock=clock).session_id
    turns = store.turns(session)
    user_ids = [t.id for t in turns if t.speaker == "user"]
    outcome = Outcome(
        reports=[_row(r.speaker, r.text, r.interrupted, r.start_s, r.end_s) for r in events if isinstance(r, TurnReport)],
        stored=[_row(t.speaker, t.text, t.interrupted, t.start_s, t.end_s) for t in turns],
        flags=[(user_ids.index(e[1]), e[2]) for e in store.safety_events(session)],
        history=[(m.role, m.content) for m in companion.history],
        cues=[(c.cue.kind, round(c.cue.duration_s, 2)) for c in store.cues(session)],
        events=events,
    )
    store.close()
    return outcome


def both(tmp_path, *args, **kwargs) -> Outcome:
    live, recording = (converse(tmp_path, path, *args, **kwargs) for path in PATHS)
    for field in ("reports", "stored", "flags", "history", "cues"):
        assert getattr(live, field) == getattr(recording, field), field
    return recording


MODEL = ["That sounds like it was a long and heavy day.", "What stayed with you most from it?"]


def test_one_check_in_in_a_long_silence_then_the_silence_is_an_unanswered_cue(tmp_path):
    rec = build([0.5, say("I had a long day at work."), 100.0, say("Sorry, I drifted off."), 12.0], seed=1)
    out = both(tmp_path, rec.audio, ["I had a long day at work.", "Sorry, I drifted off."], MODEL)
    companion = [r for r in out.reports if r[0] == "companion"]
    check_ins = [r for r in companion if r[1] == CHECK_IN]
    assert len(check_ins) == 1  # once, in 100 s of quiet
    reply_end = companion[0][4]
    assert check_ins[0][3] == pytest.approx(reply_end + 20.0, abs=1e-3)  # voiced ahead: said when due
    # the silence belongs to the user: after a question and a check-in, it went unanswered
    (kind, duration), = [c for c in out.cues if c[0] in ("unanswered", "response_latency")]
    assert kind == "unanswered" and duration == pytest.approx(rec.speech[1][0] - reply_end, abs=0.15)


def test_acute_words_cut_off_before_any_reply_audio_are_flagged_and_answered_next(tmp_path):
    said = "I took all my pills an hour ago."
    # the user speaks again 1.1 s after they stopped: after the turn ended (0.8 s), before the
    # first reply audio (0.8 + 0.1 STT + 0.58 voice)
    rec = build([0.5, say(said), 1.1, say("Sorry, I mean, never mind."), 16.0], seed=2)
    out = both(tmp_path, rec.audio, [said, "Sorry, I mean, never mind."], MODEL, tts_s=0.576, word_s=0.096)
    assert out.flags == [(0, "acute")]  # stored on the turn that said it, and only there
    users = [r for r in out.reports if r[0] == "user"]
    assert [u[1] for u in users] == [said, "Sorry, I mean, never mind."]  # reported, though unanswered
    replies = [r for r in out.stored if r[0] == "companion"]
    assert len(replies) == 1 and replies[0][3] > users[1][4]  # nothing of the first reply was heard
    assert RESOURCES.text in replies[0][1] and not replies[0][2]  # the resources, owed, are said next
    assert out.history[:2] == [("user", said), ("user", "Sorry, I mean, never mind.")]
    assert RESOURCES.text in out.history[2][1]
    cuts = [e for e in out.events if isinstance(e, ReplyCut)]
    assert len(cuts) == 1 and cuts[0].heard_text == ""
    assert [e.level for e in out.events if isinstance(e, SafetyFlagged)] == ["acute"]


def test_a_reply_cut_midway_is_kept_as_heard_and_marked_interrupted(tmp_path):
    sentences = ["That sounds like it was an exhausting day for you.",
                 "It makes sense that you would feel worn down tonight.", "What part of it weighs on you most?"]
    # reply: first audio 0.38 s after the decision; sentence one lasts 10 × 0.32 s = 3.2 s; the
    # user comes back in the middle of sentence two
    rec = build([0.5, say("Work was awful today and I am so tired."), 0.8 + 0.38 + 3.2 + 1.4,
                 say("Sorry, can I say something?"), 16.0], seed=3)
    out = both(tmp_path, rec.audio, ["Work was awful today and I am so tired.", "Sorry, can I say something?"],
               sentences)
    first = [r for r in out.stored if r[0] == "companion"][0]
    assert first[2]  # interrupted
    assert first[1].startswith(sentences[0] + " It makes sense")
    assert sentences[1] not in first[1] and sentences[2] not in first[1]
    assert out.history[1] == ("assistant", first[1] + " …")  # what was heard, marked as cut
    assert out.history[0] == ("user", "Work was awful today and I am so tired.")
    onset = rec.speech[1][0]
    assert onset < first[4] <= onset + 0.2  # cut on the audio clock within 200 ms of speech onset


def test_typed_turns_go_through_the_same_companion_safety_and_store(tmp_path):
    from stillpoint.engine import Conversation
    from stillpoint.engine.text import TextOutput, Unvoiced

    clock = FakeClock()
    store = Store(tmp_path / "stillpoint.db")
    companion = Companion(FakeBackend(clock, MODEL), resources=RESOURCES)
    pipeline = Pipeline(make_segmenter(Settings()), FakeTranscriber(clock, ""), Unvoiced(), companion)
    shown: list[str] = []
    events: list = []
    chat = Conversation(pipeline, store, TextOutput(shown.append), source="chat", on_event=events.append, clock=clock)
    chat.start()
    chat.on_text("I had a long day at work.", at_s=1.0)
    assert shown[0].startswith("Just so you know, I'm an AI")  # first use: the disclosure comes first
    assert shown[1:] == MODEL
    chat.on_text("I want to kill myself.", at_s=30.0)
    chat.close()
    assert RESOURCES.text in " ".join(shown)
    turns = store.turns(chat.session_id)
    assert [t.speaker for t in turns] == ["user", "companion", "user", "companion"]
    assert [e[2] for e in store.safety_events(chat.session_id)] == ["acute"]
    assert [m.role for m in companion.history] == ["user", "assistant", "user", "assistant"]
    assert [r.speaker for r in events if isinstance(r, TurnReport)] == ["user", "companion", "user", "companion"]


LONG_REPLY = ["That sounds like it was an exhausting day for you.",
              "It makes sense that you would feel worn down tonight.",
              "Would you like to tell me which part of it stays with you the most right now?"]


@pytest.mark.parametrize("talk_over_after_s", [1.7, 2.9, 4.3, 6.1])
def test_barge_in_measured_from_the_conversation_file_is_within_200_ms(tmp_path, talk_over_after_s):
    """From the outside: the user's speech onset in the input, the last reply sample in the file the
    app wrote (the file minus the user's audio is the speaker signal), on the recording's clock."""
    from speaker_signal import measure

    # real read speech from the repo's LJ clips (a file: the same samples every run, unlike a voice)
    asked, over = lj("LJ001-0002"), lj("LJ001-0008")
    # the reply starts about 0.8 + 0.38 s after the question and would play for about 10 s;
    # the user talks over it at several points (in a sentence, near a sentence boundary)
    rec = build([0.5, asked, 0.8 + 0.38 + talk_over_after_s, over, 14.0], seed=4)
    converse(tmp_path, "recording", rec.audio, ["Work was awful today and I am so tired.", "Sorry, wait."], LONG_REPLY)
    onset, end = rec.speech[1]
    barge = measure(tmp_path / "recording" / "heard.wav", rec.audio, onset, end)
    assert barge.reply_playing  # a reply was sounding when the user began
    assert 0.0 <= barge.latency_ms <= 200.0


def test_a_goodbye_heard_in_full_ends_the_conversation_on_both_paths(tmp_path):
    # replies (issue 9): a closing is a fixed goodbye and SessionEnds; once it is heard, nothing more is listened to
    heard = ["I had a long day at work.", "Good night.", "One more thing about my sister."]
    rec = build([0.5, say(heard[0]), 8.0, say(heard[1]), 8.0, say(heard[2]), 8.0], seed=4)
    out = both(tmp_path, rec.audio, heard, MODEL)
    users = [r[1] for r in out.stored if r[0] == "user"]
    assert users == heard[:2]  # the third turn was never transcribed or answered
    goodbye = [r for r in out.stored if r[0] == "companion"][-1]
    assert not goodbye[2] and "?" not in goodbye[1]
    assert any(isinstance(e, SessionClosed) and e.reason == "closing" for e in out.events)
