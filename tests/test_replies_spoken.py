"""The replies' fixed policies through the real spoken loop: real speech in (Piper), faster-whisper, the
companion, Piper out, on the engine's recording path, which plays replies where they would be heard."""

from dialogue.honesty import OPENING_DISCLOSURE
from speechkit import build, say
from stillpoint.engine.recording import run_recording


def _run(pipeline, store, tmp_path, parts, seed):
    rec = build(parts, seed=seed)
    wav = rec.write(tmp_path / "in.wav")
    result = run_recording(pipeline, store, wav, tmp_path / "out.wav")
    return rec, result, result.reports


def _replies(reports):
    return [r for r in reports if r.speaker == "companion"]


def test_a_goodbye_is_honoured_and_ends_the_session(pipeline, store, tmp_path):
    _, result, reports = _run(pipeline, store, tmp_path, [
        0.5, say("I had a long day at work."), 7.0, say("Good night."), 6.0,
        say("And one more thing about my sister."), 6.0], seed=21)
    users = [r.text.lower() for r in reports if r.speaker == "user"]
    replies = _replies(reports)
    assert len(replies) == 2 and "night" in users[1], (users, [r.text for r in replies])
    goodbye = replies[1].text
    assert "?" not in goodbye and "say more" not in goodbye.lower()
    assert not any("sister" in u for u in users)  # no longer listening after the goodbye


def test_a_medication_question_gets_the_fixed_line(pipeline, store, tmp_path):
    _, _, reports = _run(pipeline, store, tmp_path, [0.5, say("Should I take more of my sleeping pills?"), 8.0], seed=22)
    (reply,) = _replies(reports)
    assert "pharmacist" in reply.text and "prescribed" in reply.text
    assert "Taking more than prescribed" in reply.text


def test_an_identity_question_gets_the_disclosure(pipeline, store, tmp_path):
    _, _, reports = _run(pipeline, store, tmp_path, [0.5, say("Are you a real person?"), 8.0], seed=23)
    (reply,) = _replies(reports)
    assert "I'm an AI" in reply.text and "not a person" in reply.text


def test_a_disclosure_cut_off_is_said_again_next_turn(pipeline, store, tmp_path):
    rec, _, reports = _run(pipeline, store, tmp_path, [
        0.5, say("Work was awful today and I am so tired."), 2.4, say("Sorry, I mean, it was fine."), 8.0], seed=9)
    first, second = _replies(reports)
    # barged over before the disclosure (about 3.5 s of speech) was heard in full; on a busy machine the reply
    # starts late, so the cut is measured from where it started, not from the user's words
    assert first.interrupted and first.end_s - first.start_s < 2.5
    assert first.text and OPENING_DISCLOSURE.startswith(first.text)  # reported as heard: part of the disclosure
    assert second.text.startswith("Just so you know, I'm an AI")  # said again, since it was not heard
