"""Practices asked for in conversation: which guided breathing exercise, never improvised by a model.

People ask for breathing in their own words ("can we do some breathing?", "help me calm down",
"box breathing please"), or say yes when it is offered (the crisis response offers it). The
exercise itself — patterns, timing, cues — lives in `dialogue.breathing`; this module only
decides that one was asked for, and which.
"""

from __future__ import annotations

import re

DEFAULT_PATTERN = "coherent"  # slow, even breaths: the gentlest to follow with eyes closed
BREATHING_INVITE = "Let's breathe together."
# Typed chat cannot keep a rhythm for you, so the exercise is given in words, with where to find the guided one.
TYPED_BREATHING = (
    "Let's breathe together, here in words. Breathe in gently through your nose for a count of four, "
    "then let it go slowly through your mouth for a count of six. Let's do that five more times, at your own pace; "
    "I'll be here when you're done. (For a guided exercise with sound and a steady rhythm, run stillpoint breathe, "
    "or press Breathe on the page.)"
)

_ASKS_TO_BREATHE = re.compile(
    r"\b(breathe|breathing|breath|calm me down|help me calm|calm down|panic(king)? attack|grounding)\b", re.I
)
_YES = re.compile(r"^\W*(yes|yeah|yep|ok|okay|sure|please|alright|all right|let'?s|let us|i'?d like that|that would help)\b", re.I)
_NAMED = [
    ("box", re.compile(r"\b(box|square)\b", re.I)),
    ("478", re.compile(r"\b4[\s.-]?7[\s.-]?8\b|\bfour[\s-]seven[\s-]eight\b", re.I)),
    ("sigh", re.compile(r"\b(sigh|sighing|double inhale)\b", re.I)),
    ("coherent", re.compile(r"\b(coherent|resonan(t|ce)|slow breath(s|ing)?)\b", re.I)),
]


def wants_breathing(user_text: str, just_offered: bool) -> bool:
    """Asked for a breathing exercise, or said yes right after one was offered."""
    if _ASKS_TO_BREATHE.search(user_text) and not re.search(r"\b(can'?t|cannot) breathe\b", user_text, re.I):
        return True
    return just_offered and bool(_YES.search(user_text))


def breathing_pattern(user_text: str) -> str:
    """The pattern named in the request ("box breathing please" → box), else the gentle default."""
    for name, pattern in _NAMED:
        if pattern.search(user_text):
            return name
    return DEFAULT_PATTERN
