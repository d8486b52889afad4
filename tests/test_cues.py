"""Silence becomes reflection cues, kept with their context and returned to gently, once."""

import json
import re

import pytest

from conftest import run_cli
from dialogue.cues import (
    CHECK_IN,
    PHRASING_BANK,
    Cue,
    StoredCue,
    band,
    choose_recall,
    is_dismissal,
    recall_lines,
    trails_off,
)
from dialogue.memory import summarise, themes
from speechkit import build, say

JOURNAL = "turns:\n  end_of_turn_ms: 3000\n"


def test_bands_follow_the_research():
    assert [band(d) for d in (0.3, 0.99, 1.0, 2.9, 3.0, 12.0)] == ["short", "short", "long", "long", "very long", "very long"]


CLINICAL_OR_JUDGEMENTAL = re.compile(
    r"diagnos|disorder|symptom|depress|anxi|trauma|repress|avoid|resist|defens|denial|dissociat|patholog|abnormal|"
    r"problem|wrong|should|must|weird|strange|unusual|concern|worr|red flag|shut down|struggl|issue|clinical|therap",
    re.I,
)


def test_phrasing_bank_has_no_clinical_or_judgemental_words():
    lines = PHRASING_BANK + [l for kind in ("pause", "response_latency", "unanswered", "trailing_off")
                             for l in recall_lines(Cue(kind, 1.0, 4.0, before="I talked about my sister"))]
    for line in lines:
        assert not CLINICAL_OR_JUDGEMENTAL.search(line), line
    assert sum("?" in l for l in recall_lines(Cue("pause", 1.0, 4.0, before="my sister"))) == 1


def test_recall_names_the_topic_plainly():
    lines = recall_lines(Cue("pause", 3.0, 4.2, before="I went to see my sister on Sunday"))
    assert lines == ["Last time, you went quiet for a while after talking about your sister.",
                     "Would you like to come back to that, or leave it?"]


@pytest.mark.parametrize("text", ["Let's leave it.", "I'd rather not, thanks.", "Please don't bring that up.",
                                  "no thank you", "can we just move on"])
def test_dismissals(text):
    assert is_dismissal(text)


@pytest.mark.parametrize("text", ["Yes, I'd like that.", "Okay, so it was about my sister.", "I left it at home."])
def test_not_dismissals(text):
    assert not is_dismissal(text)


def test_trailing_off():
    assert trails_off("I just wanted to say that")
    assert trails_off("and then my mum said")
    assert not trails_off("I went to the shops.")


def test_salience_prefers_long_rare_recurring_and_skips_dismissed():
    def cue(i, session, duration, before, dismissed=False, kind="pause"):
        return StoredCue(i, session, Cue(kind, 1.0, duration, before=before, topics=tuple(before.split()[-2:])), dismissed, False)

    cues = [cue(1, 1, 1.2, "my work"), cue(2, 1, 4.0, "about my sister"), cue(3, 2, 6.0, "about my dad", dismissed=True),
            cue(4, 2, 0.6, "the weather")]
    assert choose_recall(cues, {"sister"}, current_session=3).id == 2
    assert choose_recall([cues[2], cues[3]], set(), current_session=3) is None


def test_summary_and_themes_use_the_users_own_words():
    summary = summarise(["Hello.", "I argued with my sister about our mother and I feel guilty.", "The bus was late."])
    assert summary == "I argued with my sister about our mother and I feel guilty. The bus was late."
    sessions = {1: ["Work was stressful."], 2: ["My boss at work shouted."], 3: ["I slept well."], 4: ["Work again."]}
    found = themes(sessions)
    assert found[0].spoken() == "You've mentioned work in three of your last four sessions."


def _talk(tmp_path, name, parts, *extra, config=None):
    wav = build(parts, seed=len(name)).write(tmp_path / f"{name}.wav")
    args = ["talk", "--input", str(wav), "--output", str(tmp_path / f"{name}.out.wav"), "--json"]
    if config:
        args = ["--config", str(config), *args]
    result = run_cli(*args, *extra)
    assert result.returncode == 0, result.stderr
    return [json.loads(l) for l in result.stdout.splitlines()]


def test_pause_cue_keeps_its_place_length_and_words(tmp_path):
    config = tmp_path / "journal.yaml"
    config.write_text(JOURNAL)
    sunday, hard = say("I went to see my sister on Sunday."), say("It was hard.")
    rec = build([0.5, sunday, 1.8, hard, 6.0], seed=4)
    wav = rec.write(tmp_path / "j.wav")
    assert run_cli("--config", str(config), "talk", "--input", str(wav), "--output", str(tmp_path / "o.wav")).returncode == 0
    listed = json.loads(run_cli("cues", "--session", "last", "--json").stdout)
    pauses = [c for c in listed if c["kind"] == "pause"]
    assert len(pauses) == 1
    cue = pauses[0]
    true_start, true_duration = rec.gaps()[0]
    assert abs(cue["start_s"] - true_start) <= 0.1 and abs(cue["duration_s"] - true_duration) <= 0.1
    assert cue["band"] == "long"
    assert cue["before"].lower().rstrip(".").endswith("sister on sunday")
    assert cue["after"].lower().startswith("it was hard")
    assert "sister" in cue["topics"] and cue["session"] == 1
    assert set(cue) >= {"kind", "start_s", "duration_s", "band", "before", "after", "session"}


def test_a_long_pause_is_returned_to_next_session_and_dismissal_is_respected(tmp_path):
    config = tmp_path / "journal.yaml"
    config.write_text(JOURNAL)
    # session 1: a long pause right after naming the sister
    _talk(tmp_path, "one", [0.5, say("I keep thinking about my sister."), 2.6, say("I don't know."), 8.0], config=config)
    # session 2: the opening goes back to it; the user declines
    two = _talk(tmp_path, "two", [0.5, say("Hi, it's me again."), 12.0, say("Let's leave it."), 9.0], config=config)
    replies = [t["text"] for t in two if t["speaker"] == "companion"]
    assert replies[0] == ("Last time, you went quiet for a while after talking about your sister. "
                          "Would you like to come back to that, or leave it?")
    assert replies[1].startswith("Of course. We'll leave that")
    dismissed = [c for c in json.loads(run_cli("cues", "--json").stdout) if c["dismissed"]]
    assert len(dismissed) == 1 and "sister" in dismissed[0]["topics"]
    # session 3: not raised again
    three = _talk(tmp_path, "three", [0.5, say("Hi, it's me again."), 9.0], config=config)
    assert all("sister" not in t["text"] for t in three if t["speaker"] == "companion")


def test_recall_can_be_switched_off(tmp_path):
    config = tmp_path / "journal.yaml"
    config.write_text(JOURNAL + "memory:\n  recall: false\n")
    _talk(tmp_path, "one", [0.5, say("I keep thinking about my sister."), 2.6, say("I don't know."), 8.0], config=config)
    two = _talk(tmp_path, "two", [0.5, say("Hi, it's me again."), 9.0], config=config)
    assert all("Last time" not in t["text"] for t in two)


def test_long_quiet_gets_one_soft_check_in_and_the_wait_is_a_cue(tmp_path):
    turns = _talk(tmp_path, "quiet", [0.5, say("I had a strange day and I am not sure how I feel about it."), 50.0,
                                      say("Sorry, I was thinking."), 8.0])
    check_ins = [t for t in turns if t["text"] == CHECK_IN]
    assert len(check_ins) == 1  # never a barrage
    first_reply = next(t for t in turns if t["speaker"] == "companion" and t["text"] != CHECK_IN)
    assert check_ins[0]["start_s"] == pytest.approx(first_reply["end_s"] + 20.0, abs=0.2)
    cues = json.loads(run_cli("cues", "--json").stdout)
    waits = [c for c in cues if c["kind"] in ("response_latency", "unanswered")]
    assert len(waits) == 1 and waits[0]["band"] == "very long"
    assert waits[0]["companion_said"] == first_reply["text"]
    assert waits[0]["after"].lower().startswith("sorry, i was thinking")


def test_export_contains_only_the_chosen_sessions_and_is_private(tmp_path):
    import os
    import stat

    config = tmp_path / "journal.yaml"
    config.write_text(JOURNAL)
    _talk(tmp_path, "one", [0.5, say("I keep thinking about my sister."), 2.6, say("I don't know."), 8.0], config=config)
    _talk(tmp_path, "two", [0.5, say("I went for a long walk by the river."), 8.0], config=config)
    out = tmp_path / "for-therapist.md"
    result = run_cli("export", "1", "-o", str(out))
    assert result.returncode == 0, result.stderr
    text = out.read_text()
    assert "not a therapist" in text and "## Session 1" in text and "## Session 2" not in text
    assert "sister" in text and "pause, 2.6 s (long)" in text
    assert "river" not in text
    assert stat.S_IMODE(os.stat(out).st_mode) == 0o600
    assert "Exporting session 1 of 1" in result.stderr
    with_transcript = run_cli("export", "last", "-o", str(tmp_path / "t.md"), "--transcript")
    assert with_transcript.returncode == 0 and "river" in (tmp_path / "t.md").read_text()


def test_a_recurring_theme_opens_the_session_when_no_silence_stands_out(tmp_path):
    for i, line in enumerate(["Work was stressful today.", "My work is piling up.", "I stayed late at work again."]):
        _talk(tmp_path, f"s{i}", [0.5, say(line), 8.0])
    fourth = _talk(tmp_path, "s3", [0.5, say("Hello again."), 8.0])
    first_reply = next(t["text"] for t in fourth if t["speaker"] == "companion")
    assert first_reply == ("You've mentioned work in three of your last three sessions. "
                           "Would you like to start there today, or somewhere else?")
