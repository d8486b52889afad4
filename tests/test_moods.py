"""Mood check-ins: numbers, words, ranges, negations and changes, each to 1-10 with the words kept.

Each case is something a person might say; the expected value is what a listener would write down.
None means no mood was said (counts, times, other people's moods, wishes).
"""

import pytest

from dialogue.moods import parse_mood

NUMBERS = [
    ("about a six", 6),
    ("I'd say about a six today.", 6),
    ("seven out of ten", 7),
    ("Seven out of 10, I guess.", 7),
    ("7/10", 7),
    ("honestly a 4", 4),
    ("I'm at a three right now.", 3),
    ("I'm at four.", 4),
    ("maybe a five", 5),
    ("probably an eight", 8),
    ("a solid seven", 7),
    ("I'd give today a six.", 6),
    ("I'd rate it a 2.", 2),
    ("It's a ten tonight!", 10),
    ("Today's a one.", 1),
    ("I'm feeling like a three.", 3),
    ("a six and a half", 7),
    ("6.5 out of 10", 7),
    ("a low six", 6),
    ("eleven out of ten", 10),
    ("zero out of ten, honestly", 1),
    ("three out of five", 6),
    ("70 out of 100", 7),
    ("a six-ish", 6),
    ("sixish", None),  # not a word anyone writes down as a number
    ("A six, no, more like a five.", 5),
    ("Not a six, more like a four.", 4),
    ("Not even a three.", 2),
    ("not quite a seven", 6),
    ("Yesterday was a four but today is a seven.", 7),
    ("Hmm. A two.", 2),
    ("Um, I think I'm a five.", 5),
    ("I guess I'm hovering around a five.", 5),
    ("Call it a six.", 6),
    ("I'm sitting at about a 4 today.", 4),
    ("A seven. It was a good day at work.", 7),
    ("I went for a run and I'd say I'm an eight now.", 8),
    ("Mood? A three, honestly.", 3),
    ("like a 9", 9),
    ("a strong 8", 8),
    ("Honestly, I'd say I'm about six.", 6),
    ("I'd say 7 today.", 7),
    ("I feel like 3.", 3),
]

RANGES = [
    ("six or seven", 7),
    ("a six or a seven", 7),
    ("6-7", 7),
    ("somewhere between four and five", 5),
    ("between a 3 and a 4", 4),
    ("maybe five or six", 6),
    ("a four, maybe five", 5),
    ("two to three", 3),
    ("I'm a five or six today.", 6),
    ("probably 7 to 8 out of 10", 8),
    ("three to four out of ten", 4),
    ("a 6/7", 7),
]

WORDS = [
    ("pretty low", 3),
    ("Pretty low, honestly.", 3),
    ("I'm feeling really low.", 2),
    ("I feel a bit low.", 4),
    ("I'm okay.", 5),
    ("okay I guess", 5),
    ("I'm fine.", 5),
    ("Meh.", 5),
    ("so-so", 5),
    ("I'm good.", 7),
    ("I feel great today!", 8),
    ("Really good actually.", 8),
    ("It's been a rough day.", 3),
    ("Today's been awful.", 2),
    ("I'm doing alright.", 5),
    ("Things are pretty good.", 7),
    ("I feel amazing.", 9),
    ("absolutely terrible", 1),
    ("I'm a little down.", 4),
    ("I'm feeling kind of flat.", 5),
    ("I'm happy.", 7),
    ("I've been so sad.", 2),
    ("decent", 6),
    ("I feel miserable.", 2),
    ("I'm at rock bottom.", 1),
    ("couldn't be better", 10),
    ("Honestly I'm exhausted and pretty low.", 3),
    ("It was a good week.", 7),
    ("My mood is low.", 3),
    ("I would say I am kind of sad.", 4),
    ("It was a good morning.", 7),
    ("I feel like a 6 out of 10 today.", 6),
    ("Honestly somewhere around a 3 or 4, not great.", 4),
    ("I'm on top of the world.", 10),
]

NEGATIONS = [
    ("not great", 4),
    ("I'm not good.", 4),
    ("not bad", 6),
    ("not too bad", 6),
    ("I'm not okay.", 3),
    ("I'm not feeling good.", 4),
    ("not terrible", 5),
    ("Not the best.", 4),
    ("I haven't been great.", 4),
    ("I'm not happy.", 4),
    ("not amazing, but okay", 5),
    ("It wasn't a good day.", 4),
    ("I don't feel good.", 4),
    ("I'm not low today.", 6),
    ("not so great", 4),
    ("not great, not terrible", 5),
]

CHANGES = [
    ("better than yesterday", 6),
    ("Much better than yesterday.", 7),
    ("a bit worse than last time", 4),
    ("worse", 4),
    ("I feel better.", 6),
    ("A lot worse, honestly.", 3),
    ("about the same", 5),
    ("same as yesterday", 5),
    ("Not any better.", 5),
]

NOT_MOODS = [
    "I have two kids.",
    "I slept six hours last night.",
    "We met at seven.",
    "She's a six, she said.",
    "My sister is feeling low.",
    "The food was good.",
    "I'm not sure.",
    "I want to be an eight.",
    "I walked three miles with my dog.",
    "It took about five minutes.",
    "I'm good at cooking.",
    "I feel bad for her.",
    "He was really down about it.",
    "I hope it gets better.",
    "I used to be a seven most days.",
    "We had a six hour drive.",
    "There were ten of us at dinner.",
    "I called my mum at 6.",
    "My brother got a new job.",
    "",
    "   ",
    "I'm down to my last pound.",
    "I was low on money.",
    "That's a good question.",
    "Good morning!",
    "We are doing great as a family.",
    "I got a seven on my test.",
    "I had 3 coffees.",
    "A six to nine hour shift.",
    "I think my dad is doing better.",
]


@pytest.mark.parametrize("text,expected", NUMBERS + RANGES + WORDS + NEGATIONS + CHANGES)
def test_a_mood_becomes_a_number(text, expected):
    mood = parse_mood(text)
    if expected is None:
        assert mood is None, mood
        return
    assert mood is not None, text
    assert mood.value == expected, (text, mood)
    assert mood.words and mood.words in text  # the person's own words are kept, verbatim


@pytest.mark.parametrize("text", NOT_MOODS)
def test_no_mood_when_none_was_said(text):
    assert parse_mood(text) is None, (text, parse_mood(text))


def test_enough_phrasings():
    assert len(NUMBERS + RANGES + WORDS + NEGATIONS + CHANGES + NOT_MOODS) >= 100


@pytest.mark.parametrize("text,expected", [("six", 6), ("Seven, I guess.", 7), ("low", 3), ("Um, 4.", 4),
                                            ("Hmm, maybe 5", 5), ("ten", 10)])
def test_a_bare_answer_counts_when_asked(text, expected):
    mood = parse_mood(text, asked=True)
    assert mood is not None and mood.value == expected


def test_a_bare_number_mid_sentence_is_not_a_mood_unless_asked():
    assert parse_mood("I saw six of them") is None
    assert parse_mood("Seven, I guess.") is None or parse_mood("Seven, I guess.").value == 7


@pytest.mark.parametrize("text,previous,expected", [
    ("better than yesterday", 3, 4),
    ("much better than yesterday", 3, 5),
    ("worse than last time", 7, 6),
    ("about the same", 8, 8),
    ("way worse", 4, 2),
])
def test_a_change_is_read_against_the_last_mood(text, previous, expected):
    assert parse_mood(text, previous=previous).value == expected


def test_a_number_beats_words_and_words_beat_a_change():
    assert parse_mood("Pretty low, maybe a three.").kind == "number"
    assert parse_mood("Better than yesterday but still pretty low.").value == 3


def test_kinds_and_curly_quotes():
    assert parse_mood("six or seven").kind == "range"
    assert parse_mood("I\u2019m not great").value == 4
    assert parse_mood("I\u2019m not great").words == "not great"
