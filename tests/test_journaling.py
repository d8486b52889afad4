"""The journaling policy: one opening prompt, brief acknowledgements, no advice, a gentle close."""

import pytest

from dialogue.cues import Cue, StoredCue
from dialogue.journaling import (
    ACKNOWLEDGEMENTS,
    OPEN_PROMPTS,
    REFLECTION_INVITATION,
    SAVED,
    JournalListener,
    closes_entry,
    declines,
    opening_prompt,
)
from dialogue.memory import Theme
from dialogue.moods import MOOD_QUESTION
from dialogue.topics import Topic


@pytest.mark.parametrize("text", [
    "I'm done.", "I am done for tonight.", "That's all for tonight.", "Okay, that's all.", "That's it for today, thanks.",
    "I think I'm finished.", "End entry.", "Goodnight.", "Anyway. I'm done here. Bye.", "Nothing else for now.",
    "So yeah, that's everything.", "That will do for tonight.", "I'm all done",
])
def test_closing_phrases(text):
    assert closes_entry(text)


@pytest.mark.parametrize("text", [
    "I'm done with my job, honestly.", "That's all I could think about at work", "I was finished by six and went home.",
    "She said goodnight and hung up and I just sat there thinking about it for ages.",
    "I'm done pretending everything is fine with my brother.", "I'm not done yet.",
])
def test_words_that_do_not_close(text):
    assert not closes_entry(text)


@pytest.mark.parametrize("text,expected", [("No.", True), ("skip", True), ("Not tonight.", True), ("no thanks", True),
                                           ("I'd rather not.", True), ("I'm more tired than sad.", False),
                                           ("Seven.", False)])
def test_declining(text, expected):
    assert declines(text) is expected


def _cue(cue_id, before, duration=6.0, dismissed=False, revisited=False, session=1):
    return StoredCue(cue_id, session, Cue("pause", 10.0, duration, before, "", "", ()), dismissed, revisited)


def test_the_opening_returns_to_an_unrevisited_silence_first():
    prompt, cue = opening_prompt([], [_cue(1, "about my sister"), _cue(2, "the weather", duration=0.6)])
    assert cue.id == 1 and "your sister" in prompt and prompt.endswith("anywhere you like.")


def test_a_declined_topic_is_not_the_opening():
    cues = [_cue(1, "about my sister", dismissed=True), _cue(2, "about my sister", duration=9.0)]
    prompt, cue = opening_prompt([], cues, seed=1)
    assert cue is None and prompt in OPEN_PROMPTS


def test_then_a_recurring_theme_then_an_open_prompt():
    theme = Theme(Topic("work", "place"), 3, 4)
    prompt, cue = opening_prompt([theme], [_cue(1, "about my sister", revisited=True)])
    assert cue is None and prompt.startswith("Work has come up in 3 of your recent sessions.")
    assert opening_prompt([], [], seed=3)[0] in OPEN_PROMPTS


def test_listening_acknowledges_briefly_and_never_twice_the_same_in_a_row():
    listener = JournalListener(seed=0)
    said = [listener.on_turn(t).lines for t in ["Today was long.", "Work again.", "My sister called.", "I miss her."]]
    assert all(len(lines) == 1 and lines[0] in ACKNOWLEDGEMENTS for lines in said)
    assert all(a != b for a, b in zip(said, said[1:]))
    assert all(len(lines[0].split()) <= 5 and "?" not in lines[0] for lines in said)  # no questions, no advice


def test_the_close_asks_mood_once_then_keeps_the_reflection_in_their_words():
    listener = JournalListener()
    closing = listener.on_turn("That's all for tonight.")
    assert MOOD_QUESTION in closing.lines and not closing.ends
    answer = listener.on_turn("Maybe a five.")
    assert answer.mood.value == 5 and answer.lines == [REFLECTION_INVITATION]
    last = listener.on_turn("I'm more tired than sad.")
    assert last.reflection == "I'm more tired than sad." and last.ends and last.lines == [SAVED]
    assert listener.on_turn("Hello?").lines == []  # closed: nothing more is said


def test_a_mood_given_along_the_way_is_kept_and_not_asked_again():
    listener = JournalListener()
    step = listener.on_turn("Honestly I'm pretty low tonight.")
    assert step.mood.value == 3 and step.lines[0] in ACKNOWLEDGEMENTS
    closing = listener.on_turn("I'm done.")
    assert MOOD_QUESTION not in closing.lines and REFLECTION_INVITATION in closing.lines


def test_mood_is_never_pushed_skip_means_skip():
    listener = JournalListener()
    listener.on_turn("I'm done.")
    skipped = listener.on_turn("Skip.")
    assert skipped.mood is None and skipped.lines == [REFLECTION_INVITATION]
    final = listener.on_turn("No.")
    assert final.reflection is None and final.mood is None and final.ends
    assert MOOD_QUESTION not in " ".join(skipped.lines + final.lines)


def test_better_than_yesterday_reads_against_the_last_mood():
    listener = JournalListener(previous_mood=4)
    assert listener.on_turn("I feel better than yesterday.").mood.value == 5
