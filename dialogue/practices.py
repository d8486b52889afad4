"""Scripted practices: a guided breath, spoken from fixed words, never improvised by a model.

A slow breath is what the crisis response offers ("we can take one slow breath together"), and
what people ask for at 2 a.m.; so it is a script: four counts in, a short hold, six counts out,
three times, then an open question. The words are plain and the voice speaks them slowly.
"""

from __future__ import annotations

import re

BREATHING = [
    "Let's breathe together. You can close your eyes if that feels okay.",
    "Breathe in slowly through your nose. Two. Three. Four.",
    "Hold it gently. Two.",
    "And breathe out slowly. Two. Three. Four. Five. Six.",
    "Again. Breathe in. Two. Three. Four.",
    "Hold. Two.",
    "And out. Two. Three. Four. Five. Six.",
    "One more time. In. Two. Three. Four.",
    "Hold. Two.",
    "And all the way out. Two. Three. Four. Five. Six.",
    "Well done. How does your body feel right now?",
]

_ASKS_TO_BREATHE = re.compile(
    r"\b(breathe|breathing|breath|calm me down|help me calm|panic(king)? attack|grounding)\b", re.I
)
_YES = re.compile(r"^\W*(yes|yeah|yep|ok|okay|sure|please|alright|all right|let'?s|let us|i'?d like that|that would help)\b", re.I)


def wants_breathing(user_text: str, just_offered: bool) -> bool:
    """Asked for a breathing exercise, or said yes right after one was offered."""
    if _ASKS_TO_BREATHE.search(user_text) and not re.search(r"\b(can'?t|cannot) breathe\b", user_text, re.I):
        return True
    return just_offered and bool(_YES.search(user_text))
