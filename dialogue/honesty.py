"""Honest answers about what Stillpoint is, never left to the model.

When someone asks whether they are talking to a person, a bot or a therapist, the answer is a
fixed, plain disclosure: a small model asked "are you real?" is as likely to say "yes" as not.
"""

from __future__ import annotations

import re

DISCLOSURE = (
    "I'm an AI, a computer program, not a person and not a therapist. "
    "I'm here to listen and help you reflect, and I can't replace the people in your life."
)

_ASKS_IF_REAL = re.compile(
    r"\b(are|r) (you|u) (a |an )?(real|human|person|people|alive|bot|robot|ai|a\.i\.|machine|computer|program|therapist|"
    r"counsel+or|psychologist|doctor)\b"
    r"|\bam i (talking|speaking|chatting) (to|with) (a |an )?(real |actual )?(person|human|bot|robot|machine|ai|computer|someone)\b"
    r"|\bis (this|there) (a |an )?(real )?(person|human|someone)\b"
    r"|\bwhat are you\b|\bwho are you\b",
    re.I,
)


def asks_what_i_am(user_text: str) -> bool:
    return bool(_ASKS_IF_REAL.search(user_text))
