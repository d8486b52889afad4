"""Listening through the real loop on recordings: the conversation engine with the turn-end judge
(Smart Turn + SmolLM2 + trailing-off), real Whisper, Piper and SmolLM2 replies, room noise at
-41 dBFS. What a person would notice: not being cut off mid-thought, the pause kept where it was,
a finished thought answered promptly, and no silence lost when a reply came too soon."""

import pytest

from speechkit import build, spoken_casually
from stillpoint.engine.components import Pipeline
from stillpoint.engine.recording import run_recording
from stillpoint.listening import build_turn_judge, make_segmenter
from dialogue.companion import Companion

ROOM = dict(floor_dbfs=-41, kind="pink")


@pytest.fixture
def judged_pipeline(settings, transcriber, synthesizer, embedded_backend):
    judge = build_turn_judge(settings, transcriber, live=False)
    assert judge is not None and judge.sound is not None and judge.words is not None
    return Pipeline(make_segmenter(settings, judge), transcriber, synthesizer, Companion(embedded_backend),
                    settings=settings)


def talk(pipeline, store, tmp_path, parts, seed, room=ROOM):
    rec = build(parts, seed=seed, **room)
    wav = rec.write(tmp_path / "in.wav")
    result = run_recording(pipeline, store, wav, tmp_path / "out.wav")
    return rec, result


def test_an_open_thought_with_a_long_pause_is_one_turn_with_one_pause_cue(judged_pipeline, store, tmp_path):
    rec, result = talk(judged_pipeline, store, tmp_path,
                       [0.6, spoken_casually("and then my sister called, and I just", 3), 1.2,
                        spoken_casually("I didn't know what to say to her.", 4), 4.0], seed=7)
    users = [r for r in result.reports if r.speaker == "user"]
    assert len(users) == 1, [u.text for u in users]
    (gap_start, gap), = rec.gaps()
    cues = [c.cue for c in store.cues(result.session_id) if c.cue.kind == "pause"]
    assert len(cues) == 1, cues
    assert abs(cues[0].start_s - gap_start) <= 0.1 and abs(cues[0].duration_s - gap) <= 0.1, cues[0]
    assert "sister" in cues[0].before.lower()
