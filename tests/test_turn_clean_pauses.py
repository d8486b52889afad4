"""bench/turns.py's clean-pause stress set: a thought cut where the person stops to think, with a
clean silence — the first half ends on its own last word, nothing of the next word in it.

The README's stress-set figures rest on that: a cut that leaves the next word's first sound in
the first half ("…and it…") makes the words look open and the set easy again; a cut inside a word
makes a different item altogether. Phrasings here are not in the bench."""

import sys

import numpy as np
import pytest

from conftest import ROOT
from speechkit import build, say, spoken_casually

sys.path.insert(0, str(ROOT / "bench"))
from turns import clean_split, quiet_runs  # noqa: E402


def test_quiet_runs_are_the_stretches_long_enough_and_where_they_are():
    rng = np.random.default_rng(0)
    loud = lambda s: (0.3 * rng.standard_normal(int(s * 16000))).astype(np.float32)  # noqa: E731
    quiet = lambda s: np.zeros(int(s * 16000), np.float32)  # noqa: E731
    x = np.concatenate([loud(0.5), quiet(0.05), loud(0.5), quiet(0.3), loud(0.5)])
    assert quiet_runs(x) == [(16_800, 21_600)]  # the 50 ms gap is too short to count


THOUGHTS = [("We drove out to the coast and", "it started to rain."),
            ("I kept looking for", "the spare key in the drawer."),
            ("She was late again because", "the trains were all delayed.")]


@pytest.mark.parametrize("voice", ["read", "conversational"])
@pytest.mark.parametrize("before, after", THOUGHTS)
def test_the_cut_lies_in_a_silence_between_the_words(voice, before, after):
    whole = say(f"{before}, {after}") if voice == "read" else spoken_casually(f"{before}, {after}", 3)
    first, second = clean_split(before, after, voice, seed=3)
    assert np.array_equal(whole[: len(first)], first) and np.array_equal(whole[len(whole) - len(second):], second)
    between = whole[len(first) : len(whole) - len(second)]
    assert len(between) >= 0.2 * 16000 and np.abs(between).max() < 0.02  # a pause, not a consonant's closure
    assert len(first) / len(whole) == pytest.approx(len(before) / len(f"{before}, {after}"), abs=0.15)


@pytest.mark.parametrize("before, after", THOUGHTS)
def test_each_half_is_heard_as_its_own_words(transcriber, before, after):
    first, second = clean_split(before, after, "conversational", seed=3)
    heard = transcriber.transcribe(build([0.5, first, 1.0], seed=3, floor_dbfs=-54).audio).text.lower()
    rest = transcriber.transcribe(build([0.5, second, 1.0], seed=4, floor_dbfs=-54).audio).text.lower()
    assert after.split()[0].lower() not in heard.split()[len(before.split()) - 1 :], heard
    assert rest.split()[0].strip(",.") == after.lower().split()[0], rest
