"""Honest answers about what Stillpoint is, never left to the model.

When someone asks whether they are talking to a person, a bot or a therapist, the answer is a
fixed, plain disclosure: a small model asked "are you real?" is as likely to say "yes" as not.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

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


# "What's wrong with me?", "is it a panic attack or my heart?": never a diagnosis; who can look at it properly.
DIAGNOSIS_LINE = (
    "I can't tell you what's going on: I'm an AI, and I can't diagnose anything. "
    "A doctor, or your therapist, could look at it with you properly."
)
# Said with it when the body is named: chest pain or a racing heart can be more than worry.
DIAGNOSIS_BODY_LINE = "If it's your chest or your heart and it feels severe or new, please get urgent medical help now."
DIAGNOSIS_BODY = re.compile(r"\b(chest|heart|breath|breathing|faint|numb(ness)?|tingling|arm)\b", re.I)

OPENING_DISCLOSURE = "Just so you know, I'm an AI, not a person and not a therapist."

REDISCLOSE_AFTER_IDLE = timedelta(days=7)
REDISCLOSE_DURING_USE = timedelta(hours=3)


def disclosure_due(now: datetime, last_disclosed: datetime | None, last_active: datetime | None) -> bool:
    """At first use, after 7 days without use, and every 3 hours of continuous use.

    The strictest of the current US state rules for companion chatbots (Utah §13-72a-203,
    California SB 243, New York GBL Art. 47) asks for no less.
    """
    if last_disclosed is None:
        return True
    if last_active is not None and now - last_active >= REDISCLOSE_AFTER_IDLE:
        return True
    return now - last_disclosed >= REDISCLOSE_DURING_USE
