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

# An answer is read in three steps, in this order, because the order is the clinical rule:
# 1. The thought is there ("it crosses my mind", "not a plan, just the thought", "I think about it but I wouldn't",
#    "no... well, sometimes"),
#    or the answer turns the question back ("would it matter if I was?", "what if I said yes?"): yes, even after a
#    "no" — thoughts of ending one's life are the screener's yes without a plan.
# 2. Not knowing is not a no ("I don't know", "can't say for sure that I'm not", "no idea"): yes.
# 3. A no said plainly, however it is dressed ("Christ, no.", "Lol no, I'd have to cancel the dentist", "of course
#    not", "not suicidal", Whisper's "know I'm not…"): no. Only then hedges and yes-words ("kind of", "a bit",
#    "yeah but it's fine", "I am"): yes. Anything else is not an answer ("can we not do this", "um", a question).
# Measured on 150 answers written blind (bench/direct_answers_a1.tsv) before this reading existed: the old
# start-anchored patterns heard 36 of 60 yeses (3 as no); the figures since are in the README.
_THOUGHT_THERE = re.compile(
    r"\b(crossed|crosses|cross) my mind|\bon my mind\b|\b(pops?|popped|comes?|came) (into|in) my head\b|\bcomes and goes\b|"
    r"\bin the background\b|\b(thought|idea)('s| is) there\b|\bthe idea of it\b|\bwhy else would i\b|"
    r"\byou (already )?know,? (do not|did not) you\b|\b(anyone|anybody|people|they) would (even )?(notice|care|miss me)\b|"
    r"\b(the )?(thought|thoughts|idea|urge)s? (is|are|has been|have been|was|were|keeps?|comes?|come|pops?|sits?)\b|"
    r"\b(just|only) (the )?(thought|thoughts|idea)\b|\bthoughts?,? (yes|yeah|yep|sometimes|a bit)\b|"
    r"\b(?<!not )(?<!never )(think|thinking|thought) about (it|that|how|doing it)\b|\bthinking,? (yes|yeah)\b|\b(no|not a) plan\b|"
    r"\bmore than i (would like|would admit|would care to admit|like to admit|let on)\b|\b(only|just) in passing\b|"
    r"\b(would not|could not) say no\b|\blooking (things|it|stuff) up\b|\bif i (said|told you) (yes|i was|i am|i did)\b|"
    r"\bwould it matter if i\b|\bif i (was|were) not\b|\bwould (anyone|anybody|people) (even )?(notice|care|miss me)\b|"
    r"\bis it that obvious\b|\b(would not|do not think i would) mind if i (did not|never) wake\b|"
    r"\b(every|most) (day|days|night|nights)\b|"
    r"\b(sometimes?|some times|often|now and then|occasionally|on and off|here and there|from time to time|once in a while|"
    r"the (odd|overdosed) (time|night|day)|every so often|once or twice|at times)\b"  # normalise spells "odd" as OD'd
)
_NOT_KNOWING = re.compile(
    r"\b((i )?do not know(?! (what to|how to|what (he|she|they)|why (he|she|they)|where|who|whether i should|if i should))|"
    r"dunno|donno|not sure|(can not|cannot|could not) (tell|say|be sure)|no idea|i am not certain|hard to say)\b"
)
_PLAIN_NO = re.compile(
    r"^(\w+[.,!?]+ ){0,3}(no|nope|nah|know i am not|not really|not at all|absolutely not|definitely not|certainly not|"
    r"of course not|god no|no way|no chance|never|not like that|i am not(?! (answering|saying|telling|talking|going to|doing))|"
    r"i am ok|i am okay|i am fine|i am alright|i am all right|i am safe|i would never|i would not|i said no|god know|"
    r"obviously not|(could not|would not|can not|cannot) do that to)\b|"
    r"\b(no|nope|nah)\b(?! (one|body|point|idea|plan|reason|way out|future|hope)\b)|\bnot suicidal\b|\b(yeah|yes) (no|nah)\b"
)
_HEDGED_YES = re.compile(
    r"^(i am|i have|i do|i was|i have been|i might be)( (yeah|yes|honestly|really|actually|sadly|sorry))?\s*([.,!]|$)|"
    r"^(\w+[.,!?]+ ){0,2}(yes|yeah|yea|yep|yup|ya|aye|sure|i think so|i guess|i suppose|i reckon|honestly yes)\b|"
    r"\bif i (was|were|did)\s*[.?!]*$|\b(yes|yeah|yep|yup|aye)\b|"
    r"\b(probably|possibly|perhaps|maybe|kind of|kinda|sort of|a (little )?bit|^bit|sometimes?|some times|often|a lot|"
    r"all the time|a little|somewhat|slightly|a touch|partly|on and off|now and then|occasionally|here and there|"
    r"i think so|in a way|i guess|i suppose)\b"
)


_STAMMER = re.compile(r"\b(\w+)(,? \1\b)+")


def classify_answer(text: str) -> Answer:
    """What an answer to DIRECT_QUESTION says: yes (hedges, not knowing and thoughts without a plan included), no,
    or something else."""
    norm = normalise(text, keep_softeners=True).strip(" .,!?")
    norm = _STAMMER.sub(r"\1", norm)  # "I, I am" is "I am"
    if not norm:
        return "unclear"
    if _THOUGHT_THERE.search(norm) or _NOT_KNOWING.search(norm):
        return "yes"
    if _PLAIN_NO.search(norm):
        return "no"
    if _HEDGED_YES.search(norm):
        return "yes"
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
        if answer == "unclear" and calls_for_question(assessment):
            answer = "yes"  # asked about ending their life, they answer with a wish not to be here: that is a yes
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
