"""bench/turn_transcript.py: how an early transcript at a pause is sorted against the words said.

The README's table of how fragments end comes from `ending`; these pin its four outcomes on
phrasings that are not in the bench."""

import sys

import pytest

from conftest import ROOT

sys.path.insert(0, str(ROOT / "bench"))
from turn_transcript import ending, looks_open  # noqa: E402


@pytest.mark.parametrize(
    "said, heard, outcome",
    [
        ("We drove out to the coast and", "We drove out to the coast and", "as spoken"),
        ("I was looking for", "I was looking for.", "as spoken"),
        ("We drove out to the coast and", "We drove out to the coast.", "last word(s) lost"),
        ("The kettle, the toaster,", "The kettle.", "last word(s) lost"),
        ("I kept looking for", "I kept looking for the...", "next word's first sound heard"),
        ("My cousin phoned and", "My cousin phoned and we-", "next word's first sound heard"),
        ("Once the rain stopped,", "Once the rain's top.", "misheard"),
        ("Right after lunch,", "", "misheard"),
    ],
)
def test_a_fragments_transcript_is_sorted_by_how_it_ends(said, heard, outcome):
    assert ending(heard, said) == outcome


def test_words_look_open_when_they_end_in_a_comma_or_a_leading_word():
    assert looks_open("We drove out to the coast and")
    assert looks_open("The kettle, the toaster,")
    assert not looks_open("We drove out to the coast.")
    assert not looks_open(None)
