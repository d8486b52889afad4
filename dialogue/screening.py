"""Asking directly, and hearing the answer.

When someone says something near thoughts of suicide without saying it (a wish not to exist,
feeling a burden, "what's the point", "I can't do this anymore"), clinicians do not guess: they
ask plainly whether the person is thinking about ending their life (the Columbia screener's
question; asking does not raise risk). The concern response then ends on `crisis.DIRECT_QUESTION`
and this holder remembers that the next user turn is the answer:

- yes, "sometimes", "maybe", "I don't know", "kind of" → the acute response (a person, now);
- no → carry on gently (`crisis.AFTER_NO`), and the session keeps its concern flag;
- anything else → the turn is assessed as usual (which may ask again if it is still worrying).

Only the answer's *first* turn counts, and its own words are still assessed by the rules and the
semantic layer: "no, but I have the pills ready" is acute whatever the "no".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from .crisis import DIRECT_QUESTION, CrisisResources, concern_response, medication_response
from .safety import SafetyAssessment, normalise

Answer = Literal["yes", "no", "unclear"]

# Reasons (from the rules or the semantic layer) that sit near suicide and call for the question.
ASK_FOR_REASONS = (
    "passive wish not to exist",
    "feels a burden",
    "hopelessness",
    "thoughts of death",
    "past ideation",
    "medication: more than prescribed",
    "medication: sedatives with alcohol",
    "semantic layer",
)

# Hedged or partial answers count as yes: an unsure answer to this question is not a no.
_YES = re.compile(
    r"^(yes|yeah|yea|yep|yup|ya|aye|i am|i think so|i guess|i suppose|probably|possibly|perhaps|maybe|kind of|sort of|"
    r"a (bit|little)|sometimes?|some times|often|lately|a lot|all the time|every (day|night)|on and off|now and then|occasionally|"
    r"i do not know|do not know|i am not sure|not sure|i have been|i have|i do|honestly yes|i might be|i was)\b"
    r"|\b(sometimes?|some times|maybe|i do not know|not sure|i think so|i think about it|i have thought about it)\b"
)
_NO = re.compile(
    r"^(no|nope|nah|not really|i am not|i am ok|i am okay|i am fine|never|definitely not|of course not|no way|"
    r"not at all|absolutely not|god no|not like that|i would not|i do not want to die|i would never)\b"
)


def classify_answer(text: str) -> Answer:
    """What an answer to DIRECT_QUESTION says: yes (hedges included), no, or something else."""
    norm = normalise(text, keep_softeners=True).strip(" .,!?")
    if not norm:
        return "unclear"
    if _YES.search(norm):
        return "yes"
    if _NO.search(norm):
        return "no"
    return "unclear"


def calls_for_question(assessment: SafetyAssessment) -> bool:
    """A concern whose reason is near suicide (not e.g. worry about a friend) gets the direct question."""
    return assessment.level == "concern" and assessment.reason.startswith(ASK_FOR_REASONS)


@dataclass
class DirectQuestion:
    """Remembers that the direct question was just asked, so the next turn is read as its answer."""

    pending: bool = False
    asked: int = 0  # times asked this session (for the record)

    def asked_now(self) -> None:
        self.pending = True
        self.asked += 1

    def heard(self, lines: list[str]) -> None:
        """Call with what the listener heard of a reply: if it included the question, wait for the answer."""
        if any(DIRECT_QUESTION in line for line in lines):
            self.asked_now()

    def take_answer(self, text: str) -> Answer | None:
        """The answer this turn gives, or None when no question was waiting. Consumes the wait."""
        if not self.pending:
            return None
        self.pending = False
        return classify_answer(text)

    def resolve(self, text: str, assessment: SafetyAssessment) -> tuple[SafetyAssessment, bool]:
        """(level for this turn, whether to reply with AFTER_NO) given its own assessment."""
        answer = self.take_answer(text)
        if answer == "yes" and assessment.level != "acute":
            return SafetyAssessment("acute", "answered yes or unsure to the direct question about ending their life", text), False
        if answer == "no" and assessment.level == "none":
            return SafetyAssessment("concern", "answered no to the direct question (flag kept)", text), True
        return assessment, False


def concern_lines(assessment: SafetyAssessment, resources: CrisisResources, offer_resources: bool) -> list[str]:
    """The fixed concern reply for this assessment: the medication line for medication questions,
    the direct question for suicide-adjacent words, the gentle open question otherwise."""
    if assessment.reason.startswith("medication"):
        return medication_response(resources, offer_resources)
    return concern_response(resources, offer_resources, ask_directly=calls_for_question(assessment))
