"""The reply guard: every sentence a model writes is checked before it may be spoken.

A small local model will, sooner or later, claim to be human, ramble, loop, leak its prompt
format, or say something a companion for vulnerable people must never say. The guard is the
structure that keeps replies sane whatever the model does: a sentence that fails stops the
reply there; if nothing passed, the companion says a short reflection built from the user's
own words instead (`fallback_reflection`).
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

_PRONOUN_SWAPS = {
    "i": "you",
    "me": "you",
    "my": "your",
    "mine": "yours",
    "myself": "yourself",
    "am": "are",
    "i'm": "you're",
    "im": "you're",
    "i've": "you've",
    "i'll": "you'll",
    "i'd": "you'd",
    "was": "were",
    "our": "your",
    "we": "you",
    "us": "you",
}


_SUBJECTS = {"you", "you're", "you've", "you'll", "you'd", "it", "it's", "things", "everything", "nothing", "they",
             "he", "she", "we", "there", "that", "this", "your", "people", "everyone", "nobody", "work", "life"}


def _looks_like_a_name(word: str, text: str) -> bool:
    """A capital that is not owed to a sentence start: the word appears capitalised mid-sentence
    somewhere in what the user said ("I saw Anna. Anna was upset."), or it is an acronym."""
    if word == "I" or word.startswith("I'") or (len(word) > 1 and word.isupper()):
        return True
    if not word[:1].isupper():
        return False
    tokens = text.split()
    for i, token in enumerate(tokens):
        if i and not tokens[i - 1].endswith((".", "!", "?")) and token.strip(".,!?;:\"'") == word:
            return True
    return False


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


class ReplyGuard:
    """Checks sentences one by one, with memory of what this reply and recent replies said."""

    def __init__(self, recent_replies: list[str] | None = None, user_text: str = ""):
        self._user_words = set(_normalise(user_text).split())
        self._said: list[str] = []
        self._recent = {_normalise(s) for s in (recent_replies or []) if s}
        self._chars = 0
        self._questions = 0

    @property
    def accepted(self) -> list[str]:
        return list(self._said)

    def check(self, sentence: str) -> Verdict:
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
        problem = _garbled(sentence)
        if problem:
            return Verdict(False, problem)
        norm = _normalise(sentence)
        words = norm.split()
        if len(words) < 3:
            return Verdict(False, "fragment: too short to mean much")
        echoed = sum(w in self._user_words for w in words)
        if (len(words) >= 5 and echoed >= 0.75 * len(words)) or (len(words) < 5 and echoed == len(words)):
            return Verdict(False, "parrots the user")
        if norm in {_normalise(s) for s in self._said} or norm in self._recent:
            return Verdict(False, "repetitive: said before")
        return Verdict(True)

    def accept(self, sentence: str) -> None:
        self._said.append(sentence)
        self._chars += len(sentence)
        self._questions += sentence.count("?") > 0


def reflect_pronouns(text: str) -> str:
    """'I feel lost in my job' → 'you feel lost in your job' (good enough for a short echo)."""
    out = []
    for word in text.split():
        core = word.strip(".,!?;:\"'").lower()
        swapped = _PRONOUN_SWAPS.get(core)
        out.append(swapped if swapped else word.strip(".,!?;:\""))
    return " ".join(out)


def fallback_reflection(user_text: str, max_words: int = 14) -> str:
    """A short, safe reflection made only of the user's own words: the guard's last resort."""
    clauses = [c.strip() for c in re.split(r"[.!?;]+|\b(?:but|and so|because)\b", user_text) if c and c.strip()]
    if not clauses:
        return "I'm here, and I'm listening. Take your time."
    clause = max(clauses[-2:], key=lambda c: len(c.split()))
    words = clause.split()
    fragment = reflect_pronouns(" ".join(words[-max_words:]))
    fragment = re.sub(r"\s+", " ", fragment).strip(" ,")
    if not fragment:
        return "I'm here, and I'm listening. Take your time."
    first = fragment.split()[0]
    if not _looks_like_a_name(first, user_text):  # a capital owed only to the start of a sentence
        fragment = fragment[0].lower() + fragment[1:]
    if fragment.split()[0].lower() in _SUBJECTS:
        return f"It sounds like {fragment}. Would you like to say more about that?"
    return f"I heard you say: {fragment}. Would you like to say more about that?"
