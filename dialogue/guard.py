"""The reply guard: every sentence a model writes is checked before it may be spoken.

A small local model will, sooner or later, claim to be human, ramble, loop, leak its prompt
format, or say something a companion for vulnerable people must never say. The guard is the
structure that keeps replies sane whatever the model does: a sentence that fails stops the
reply there; if nothing passed, the companion says the replier's reviewed lines instead
(`dialogue.replies`). The reviewed lines pass the same checks (`check(..., reviewed=True)`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_SENTENCES = 3
MAX_CHARS = 320
MAX_SENTENCE_WORDS = 32
MAX_QUESTIONS = 1

_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    (
        "claims to be human",
        re.compile(
            r"\b(i am|i'm|im)\s+(a\s+|an\s+)?(real\s+)?(human|person|woman|man|therapist|psychologist|"
            r"psychiatrist|counsel+or|doctor|nurse)\b|\bas a (therapist|psychologist|doctor|counsel+or|human)\b|"
            r"\bi('m| am) not an? (ai|bot|machine|program)\b",
            re.I,
        ),
    ),
    (
        "claims a body or feelings",
        re.compile(
            r"\b(i|i've|i have)\s+(also\s+)?(feel|felt|cried|been through|experienced)\s+(that|the same|so|really|very|sad|"
            r"depressed|anxious|lonely|happy)\b|\bmy (body|heart aches|family|wife|husband|childhood)\b"
            r"|\bi('m| am) (so |really |very )?(proud of|in love|hungry|tired|lonely)\b|\bi love you\b"
            r"|\bi('ve| have) (been )?(thinking of|thinking about|missed|missing) you\b|\bi miss(ed)? you\b",
            re.I,
        ),
    ),
    (
        "diagnosis",
        re.compile(
            r"\bdiagnos\w*|\byou (have|may have|might have|probably have|are suffering from|suffer from|seem to have)\s+"
            r"(a |an )?(clinical |major |severe )?(depression|anxiety disorder|bipolar|ptsd|adhd|ocd|"
            r"borderline|schizo\w*|disorder|personality disorder|psychosis)\b|\bsymptoms? of\b",
            re.I,
        ),
    ),
    (
        "medication or dosing",
        re.compile(
            r"\b\d+\s*(mg|milligrams?|ml|pills?|tablets?)\b|\b(dose|dosage|overdose|prescri\w+|antidepressants?|ssris?|"
            r"xanax|valium|benzodiazepines?|sleeping pills?|melatonin|ibuprofen|medication)\b",
            re.I,
        ),
    ),
    (
        "encourages harm",
        re.compile(
            r"\b(kill|hurt|harm|cut|starve|punish)\s+(yourself|themselves|him|her|them)\b|\bsuicid\w*|\bself[- ]harm\b|"
            r"\bend (your|it all|things)\b|\b(drink|drug) (more|yourself)\b",
            re.I,
        ),
    ),
    (
        "harm in the first person",
        re.compile(
            r"\bi (don'?t|do not) want to (be around|be here|live|exist|wake up|go on)\b|\b(kill|hurt|harm|cut) myself\b|"
            r"\bi (want|wanna|am going|'m going) to (die|disappear|end it)\b|\bi('m| am) (suicidal|worthless|a burden|better off dead)\b|"
            r"\bi (hate|can'?t stand) (myself|my life)\b|\bno reason to live\b|\bend my life\b",
            re.I,
        ),
    ),
    (
        "blame or judgement",
        re.compile(
            r"\bwhat'?s your excuse\b|\byou should have\b|\b(it'?s|it is|that'?s) (all )?your (own )?fault\b|"
            r"\byou (always|never) (do|say|make|get)\b|\bthat'?s (stupid|ridiculous|silly|pathetic|selfish|dumb)\b|"
            r"\bstop (whining|complaining|moaning|being (so )?\w+)\b|\bget over it\b|\bwhat were you thinking\b|"
            r"\byou('re| are) (overreacting|being (dramatic|silly|ridiculous|selfish|childish)|lazy|weak|wrong|crazy)\b|"
            r"\bman up\b|\bgrow up\b|\byou only have yourself\b|\bshame on you\b|\byou deserve(d)? (it|this|that)\b",
            re.I,
        ),
    ),
    (
        "instructions or advice",
        re.compile(
            r"^\W*(try|make sure|remember to|don'?t forget|go (and|for|to)|take (a|some|time)|call|ring|text|tell (him|her|them)|"
            r"drink|eat|stop|start|avoid|consider|focus on|write down|get (some|more)|set (a|some)|practi[cs]e|you could try)\b|"
            r"\byou (should|need to|must|ought to|have to|'d better|had better)\b|\bi (suggest|recommend|would suggest|advise)\b|"
            r"\byou (can|could|might) (always |just |also )?(call|ring|text|talk to|tell|try|go|ask|reach out|write)\b|"
            r"\bmy advice\b|\bit'?s (important|best|a good idea) (to|that)\b|\bwhy (not|don'?t you)\b|\bhave you tried\b|"
            r"\bhere are (some|a few)\b|\b(first|second|finally),? (try|you)\b|\bthe best (way|thing) (is|would be)\b",
            re.I,
        ),
    ),
    (
        "medical terms",
        re.compile(
            r"\b(depression|depressive|disorder|bipolar|ptsd|adhd|ocd|psychosis|clinical|symptoms?|syndrome|treatment|"
            r"therapy for|cbt|psychiatr\w*|insomnia|sedatives?|drugs?|pharmac\w*|side effects?|withdrawal|condition|"
            r"illness|mental illness|sleep hygiene|cortisol|serotonin|dopamine)\b",
            re.I,
        ),
    ),
    (
        "invents contact details or a life",
        re.compile(
            r"\b\d{3}[-. )]\d{3,4}[-. ]?\d{0,4}\b|https?://|www\.|\S+@\S+\.\w+|\bmy (phone|number|address|email|"
            r"name is (?!stillpoint))|\b(meet|see) (me|you) (in person|tomorrow|later)|\bcall me\b",
            re.I,
        ),
    ),
    (
        "prompt leak",
        re.compile(r"\b(no edit|edit needed|formatting|rewritten|rephrased|as an ai language model|here is|here's (a|the|your))\b|"
                   r"<\|?/?(im_start|im_end|system|user|assistant)\|?>|^\s*(user|assistant|system|stillpoint)\s*:", re.I),
    ),
]


@dataclass(frozen=True)
class Verdict:
    ok: bool
    reason: str = ""


def _garbled(sentence: str) -> str:
    letters = sum(ch.isalpha() for ch in sentence)
    if letters < 0.6 * len(sentence.replace(" ", "")):
        return "garbled: too few letters"
    words = re.findall(r"[A-Za-z']+", sentence)
    if not words:
        return "garbled: no words"
    if any(len(w) > 22 for w in words):
        return "garbled: impossible word"
    if len(words) >= 6:
        lowered = [w.lower() for w in words]
        if len(set(lowered)) < 0.5 * len(lowered):
            return "repetitive: words repeat"
        for i in range(len(lowered) - 2):
            if lowered[i] == lowered[i + 1] == lowered[i + 2]:
                return "repetitive: a word three times running"
    if re.search(r"(.)\1{4,}", sentence):
        return "garbled: repeated characters"
    return ""


def _normalise(sentence: str) -> str:
    return re.sub(r"[^a-z ]", "", sentence.lower()).strip()


_CONDOLENCE = re.compile(
    r"\b(sorry (for|about) (your|the) loss|my (deepest )?condolences|rest in peace|sorry (that )?(he|she|they) (died|passed)|"
    r"sorry to hear (about|of) (his|her|their) (death|passing)|(i'?m|i am) (so |really |very )?sorry\b(?! (you|it|that you|to hear you)))",
    re.I,
)


def normalise_sentence(sentence: str) -> str:
    """How sentences are compared for 'already said': letters and spaces, lower case."""
    return _normalise(sentence)


class ReplyGuard:
    """Checks sentences one by one, with memory of what this reply and this session already said.

    `said_this_session` holds normalised sentences (see `normalise_sentence`) spoken earlier in
    the session: any of them again is a repeat, whichever reply it was part of. `loss_named`
    says whether the person named a death or loss: without it, condolence is an invented fact."""

    def __init__(self, recent_replies: list[str] | None = None, user_text: str = "", *,
                 said_this_session: set[str] | None = None, loss_named: bool | None = None):
        self._user_words = set(_normalise(user_text).split())
        self._said: list[str] = []
        self._recent = {_normalise(s) for s in (recent_replies or []) if s}
        for reply in recent_replies or []:  # sentence by sentence, not only whole replies
            self._recent |= {_normalise(s) for s in re.split(r"(?<=[.!?])\s+", reply) if s}
        self._recent |= set(said_this_session or ())
        if loss_named is None:
            from .understanding import mentions_loss

            loss_named = mentions_loss(user_text)
        self._loss_named = loss_named
        # Condolence is offered once: "I'm sorry" again on every later turn about the same loss rings hollow.
        self._condoled = any(_CONDOLENCE.search(s) for s in said_this_session or ())
        self._chars = 0
        self._questions = 0

    @property
    def accepted(self) -> list[str]:
        return list(self._said)

    def check(self, sentence: str, *, reviewed: bool = False) -> Verdict:
        """`reviewed`: a line from the reviewed repertoire, where a short "Mm. Go on." is meant."""
        if len(self._said) >= MAX_SENTENCES:
            return Verdict(False, "over-long: too many sentences")
        if self._chars + len(sentence) > MAX_CHARS:
            return Verdict(False, "over-long: too many characters")
        if len(sentence.split()) > MAX_SENTENCE_WORDS:
            return Verdict(False, "over-long: sentence too long")
        if sentence.rstrip().endswith((":", "...", "…", ",")):
            return Verdict(False, "unfinished sentence")
        if self._questions >= MAX_QUESTIONS and "?" in sentence:
            return Verdict(False, "more than one question")
        for reason, pattern in _PATTERNS:
            if pattern.search(sentence):
                return Verdict(False, reason)
        if not self._loss_named and _CONDOLENCE.search(sentence):
            return Verdict(False, "condolence with no loss mentioned")
        if self._condoled and _CONDOLENCE.search(sentence):
            return Verdict(False, "condolence already offered this session")
        problem = _garbled(sentence)
        if problem:
            return Verdict(False, problem)
        norm = _normalise(sentence)
        words = norm.split()
        if len(words) < 3 and not reviewed:
            return Verdict(False, "fragment: too short to mean much")
        echoed = sum(w in self._user_words for w in words)
        if (len(words) >= 5 and echoed >= 0.75 * len(words)) or (len(words) < 5 and echoed == len(words)):
            return Verdict(False, "parrots the user")
        if norm in {_normalise(s) for s in self._said} or norm in self._recent:
            return Verdict(False, "repetitive: said before")
        return Verdict(True)

    def accept(self, sentence: str) -> None:
        self._said.append(sentence)
        self._condoled = self._condoled or bool(_CONDOLENCE.search(sentence))
        self._chars += len(sentence)
        self._questions += sentence.count("?") > 0
