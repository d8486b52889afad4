"""Turn-taking and pause measurement on real speech joined by silences of known length."""

import numpy as np
import pytest

from speechkit import build, lj, say
from voice.events import AudioFrame, PauseObserved, SpeechStarted, TurnEnded, SAMPLE_RATE
from voice.turns import TurnSegmenter, TurnSettings
from voice.vad import make_vad

TOLERANCE_S = 0.1


def run(engine: str, audio: np.ndarray, block: int = 1600, **overrides):
    segmenter = TurnSegmenter(make_vad(engine), TurnSettings(**overrides))
    events = []
    for i in range(0, len(audio), block):
        events += segmenter.process(AudioFrame(audio[i : i + block], i / SAMPLE_RATE))
    return events + segmenter.flush()


def conversation():
    return build(
        [
            0.8,
            say("I went to see my sister on Sunday."),
            0.55,
            say("We talked about our mother."),
            0.35,
            say("And then, I don't know."),
            2.5,
            say("It was a long drive home."),
            1.5,
        ],
        seed=11,
    )


@pytest.mark.parametrize("engine", ["silero"])
def test_pauses_inside_a_turn_and_turn_ends_are_told_apart(engine):
    rec = conversation()
    events = run(engine, rec.audio)
    turns = [e for e in events if isinstance(e, TurnEnded)]
    assert len(turns) == 2, [(t.start_s, t.end_s) for t in turns]
    (s1, _), (_, e3), (s4, e4) = rec.speech[0], rec.speech[2], rec.speech[3]
    assert abs(turns[0].start_s - s1) <= TOLERANCE_S and abs(turns[0].end_s - e3) <= TOLERANCE_S
    assert abs(turns[1].start_s - s4) <= TOLERANCE_S and abs(turns[1].end_s - e4) <= TOLERANCE_S
    # the end-of-turn decision waits the configured silence, no more
    assert turns[0].decided_s - turns[0].end_s == pytest.approx(0.8, abs=0.05)

    found = list(turns[0].pauses)
    for start, duration in rec.gaps()[:2]:
        match = [p for p in found if abs(p.start_s - start) <= TOLERANCE_S]
        assert len(match) == 1, (start, found)
        assert abs(match[0].duration_s - duration) <= TOLERANCE_S, (match[0], duration)
        found.remove(match[0])
    # anything else is a short natural pause inside an utterance (Piper pauses at commas)
    assert all(p.duration_s < 0.5 for p in found), found
    observed = [e.pause for e in events if isinstance(e, PauseObserved)]
    assert observed == list(turns[0].pauses)


@pytest.mark.parametrize("engine", ["silero"])
def test_speech_start_is_detected_quickly(engine):
    rec = conversation()
    starts = [e for e in run(engine, rec.audio) if isinstance(e, SpeechStarted)]
    assert len(starts) == 2
    for event, (true_start, _) in zip(starts, [rec.speech[0], rec.speech[3]]):
        assert abs(event.start_s - true_start) <= TOLERANCE_S
        assert event.detected_s - true_start <= 0.2  # what barge-in can rely on


def test_no_long_pause_is_invented_inside_continuous_speech():
    for clip in ("LJ001-0004", "LJ001-0006"):
        rec = build([0.5, lj(clip), 1.2], seed=2)
        turns = [e for e in run("silero", rec.audio) if isinstance(e, TurnEnded)]
        assert len(turns) == 1
        assert all(p.duration_s < 0.5 for p in turns[0].pauses), turns[0].pauses


def test_noise_alone_opens_no_turn():
    rec = build([6.0], seed=5, noise=0.004)
    assert run("silero", rec.audio) == []


def test_turn_left_open_at_end_of_input_is_flushed():
    rec = build([0.5, say("I just wanted to say that")], seed=1)
    events = run("silero", rec.audio)
    turns = [e for e in events if isinstance(e, TurnEnded)]
    assert len(turns) == 1 and turns[0].forced


def test_max_turn_length_forces_an_answer():
    rec = build([0.3, say("I keep talking and talking about everything that happened this week at work."), 0.3,
                 say("And I keep going without stopping for anything at all.")], seed=4)
    turns = [e for e in run("silero", rec.audio, max_turn_s=5.0) if isinstance(e, TurnEnded)]
    assert turns[0].forced and turns[0].decided_s - turns[0].start_s <= 5.05


def test_webrtc_segments_speech_in_a_quiet_room():
    """webrtcvad works when the noise floor is very low; at a normal room floor it hears the
    noise as speech (see bench/pauses.py), which is why silero is the default."""
    rec = build([0.8, say("I went to see my sister on Sunday."), 0.6, say("We talked about our mother."), 2.0],
                seed=3, noise=0.0002)
    turns = [e for e in run("webrtc", rec.audio) if isinstance(e, TurnEnded)]
    assert len(turns) == 1
    assert abs(turns[0].start_s - rec.speech[0][0]) <= TOLERANCE_S
    (pause,) = turns[0].pauses
    # webrtc's own hangover makes it late to hear silence: its boundaries are ~0.1 s late
    assert abs(pause.start_s - rec.gaps()[0][0]) <= 0.15
    assert abs(pause.duration_s - rec.gaps()[0][1]) <= 0.15


def test_turn_may_end_is_offered_once_per_silence_with_the_final_audio():
    from voice.events import TurnMayEnd

    rec = build([0.5, say("I went to see my sister."), 0.6, say("It was hard."), 2.0], seed=8)
    events = run("silero", rec.audio)
    offers = [e for e in events if isinstance(e, TurnMayEnd)]
    (turn,) = [e for e in events if isinstance(e, TurnEnded)]
    assert len(offers) == 2  # one in the 0.6 s pause (speech resumed), one before the turn really ended
    first, last = offers
    assert first.end_s < turn.end_s  # superseded: the user went on
    assert (last.start_s, last.end_s) == (turn.start_s, turn.end_s)
    assert np.array_equal(last.audio, turn.audio)
    # offered 200 ms after the (refined) end of speech, or as soon as the VAD hears the silence
    assert 0.2 <= last.at_s - last.end_s <= 0.35 and last.at_s < turn.decided_s
