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

# Asked for, not merely mentioned: "I've been holding my breath all day" or "do you think it's a panic attack or my
# heart?" is something to answer, not a cue to start an exercise. A panic happening now is an ask.
_ASKS_TO_BREATHE = re.compile(
    r"\b(let'?s|let us|can we|could we|shall we|should we|help me|i need to|i want to|i'?d like to|i wanna|want to|"
    r"guide me|guide my|walk me through|take me through|show me|count my|lead me|teach me|help|do the|some)\b[^.?!]{0,25}"
    r"\b(breathe|breathing|breaths?|calm down|grounding)\b|\bbreath ?work\b|\bbreathing (break|session)\b"
    r"|\b(breathing|breath|grounding) (exercise|practice|thing)s?\b|\bbreathe with me\b|\b(calm me down|help me calm)\b"
    r"|^\W*((slow |deep |box |some )?(breathe|breathing|breaths?))\W*(please|now|again)?\W*$"
    r"|\bi'?m (having|in the middle of|in) an? panic attack\b|\bi'?m panicking\b(?! (about|over|that|because|when|if))|\bi think i'?m having a panic attack\b(?![^?]*\?)",
    re.I,
)
_YES = re.compile(r"^\W*(yes|yeah|yep|ok|okay|sure|please|alright|all right|let'?s|let us|i'?d like that|that would help)\b", re.I)
_NAMED = [
    ("box", re.compile(r"\b(box|square)\b", re.I)),
    ("478", re.compile(r"\b4[\s.-]?7[\s.-]?8\b|\bfour[\s-]seven[\s-]eight\b", re.I)),
    ("sigh", re.compile(r"\b(sigh|sighing|double inhale)\b", re.I)),
    ("coherent", re.compile(r"\b(coherent|resonan(t|ce)|slow breath(s|ing)?)\b", re.I)),
]


def wants_breathing(user_text: str, just_offered: bool) -> bool:
    """Asked for a breathing exercise (or panicking now), or said yes right after one was offered;
    a pattern named ("box breathing", "4-7-8") is an ask too."""
    if re.search(r"\b(can'?t|cannot) breathe\b", user_text, re.I):
        return False
    if _ASKS_TO_BREATHE.search(user_text):
        return True
    if re.search(r"breath", user_text, re.I) and any(p.search(user_text) for _, p in _NAMED):
        return True
    return just_offered and bool(_YES.search(user_text))


def breathing_pattern(user_text: str) -> str:
    """The pattern named in the request ("box breathing please" → box), else the gentle default."""
    for name, pattern in _NAMED:
        if pattern.search(user_text):
            return name
    return DEFAULT_PATTERN
