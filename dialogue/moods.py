"""Mood check-ins in the person's own words: "about a six", "pretty low", "better than yesterday".

`parse_mood(text)` finds a mood said anywhere in a turn and turns it into a number from 1 to 10,
keeping the exact words it came from, so the number can always be checked against what was said.
It is deliberately conservative: a number is only a mood when it is framed like one ("a six",
"seven out of ten", "I'm at a four"), or when the person is answering a mood question
(`asked=True`). Words ("pretty low", "not great") count only after a first-person frame ("I'm",
"I feel", "today's been") or as a short answer on their own, so "the food was good" or "my sister
is feeling low" are not read as the person's mood. The last mood said wins, so a correction
("a six, no, more like a five") is kept as corrected. Nothing here judges; it only listens for a
number the person gave.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Literal

MoodKind = Literal["number", "range", "word", "relative"]

_NUMBER_WORDS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "a hundred": 100, "hundred": 100,
}
_NUM = r"(?:100|[1-9][0-9]|[0-9](?:\.[0-9])?|zero|one|two|three|four|five|six|seven|eight|nine|ten|eleven)(?:\s+and\s+a\s+half)?"
_SCALE = r"(?:out\s+of|outta|over|/)\s*(?P<scale>100|10|ten|5|five|a\s+hundred|hundred)\b"

# What may follow a number for it still to be a rating ("a six today", "a six, I guess"),
# rather than a count of something ("a six hour shift", "six kids").
_FOLLOWERS = set(
    """today tonight now right at the moment this morning evening afternoon week honestly really probably maybe i i'd i'm
    guess think suppose would say or ish but and if though so out for overall lately still again too yeah yes mostly
    anyway actually feeling feel which""".split()
)
_APPROX = r"(?:about|around|maybe|like|probably|roughly|approximately|say|perhaps|possibly|hovering|sitting|solid|strong|weak|low|high|generous|honest|definitely|more\s+like|closer\s+to|call\s+it)"
_NEGATORS = {"not", "never", "no", "isn't", "wasn't", "ain't", "hardly", "don't", "didn't", "nothing"}
_THIRD_PERSON = {"she", "he", "they", "she's", "he's", "they're", "her", "his", "their", "mom", "dad", "sister",
                 "brother", "friend", "partner", "wife", "husband", "mum", "boss", "kids", "son", "daughter", "we", "we're",
                 "you", "you're", "everyone", "everybody"}
_HYPOTHETICAL = re.compile(
    r"\b(?:want|wanted|wanna|wish|hope|hoping|goal|used\s+to|would\s+(?:be|like|love)|could\s+be|should\s+be|aim|aiming|if)\b"
)

# Mood words and their place on the scale (5 is neutral).
_LEXICON = {
    "rock bottom": 1, "the worst": 1, "worst ever": 1, "horrendous": 1,
    "awful": 2, "terrible": 2, "horrible": 2, "dreadful": 2, "miserable": 2, "wretched": 2, "depressed": 2,
    "hopeless": 2, "crushed": 2, "devastated": 2, "gutted": 2,
    "bad": 3, "low": 3, "down": 3, "sad": 3, "rough": 3, "rubbish": 3, "crap": 3, "crappy": 3, "shit": 3,
    "shitty": 3, "lousy": 3, "blue": 3, "gloomy": 3, "unhappy": 3, "rotten": 3, "grim": 3, "hard": 3, "tough": 3,
    "not great": 4, "not good": 4, "flat": 4, "so so": 5, "meh": 5, "blah": 4, "off": 4,
    "okay": 5, "ok": 5, "alright": 5, "all right": 5, "fine": 5, "average": 5, "middling": 5, "neutral": 5,
    "in between": 5, "somewhere in the middle": 5, "in the middle": 5, "mixed": 5, "steady": 5,
    "decent": 6, "not bad": 6, "calm": 6, "better": 6, "settled": 6, "content": 6,
    "good": 7, "well": 7, "happy": 7, "positive": 7, "nice": 7, "lovely": 7, "light": 7, "hopeful": 7,
    "great": 8, "really good": 8, "excellent": 9, "wonderful": 9, "fantastic": 9, "amazing": 9, "brilliant": 9,
    "awesome": 9, "terrific": 9, "incredible": 9, "on top of the world": 10, "the best": 10, "best ever": 10,
    "couldn't be better": 10, "never been better": 9, "couldn't be worse": 1,
}
_NEGATED = {"the best": 4, "the worst": 4, "best ever": 4}
_STRONG = {"really", "very", "so", "super", "extremely", "incredibly", "seriously", "truly", "totally", "properly",
           "absolutely", "genuinely", "awfully", "terribly", "deeply", "utterly", "way"}
_WEAK = {"bit", "little", "slightly", "kinda", "somewhat", "tad", "fairly", "mildly", "reasonably", "kind", "sort",
         "sorta", "moderately"}
# Words after a mood word that mean it is about something else: "good at", "bad for her", "down to".
_NOT_A_MOOD_AFTER = {"at", "with", "for", "to", "about", "enough", "on", "of", "idea", "thing", "news", "point",
                     "job", "question", "person", "people", "friend", "news", "luck"}
_FRAME = re.compile(
    r"\b(?:i\s*'?\s*m|i\s+am|im|i\s+feel|i\s+felt|i\s*'?\s*ve\s+been|i\s+have\s+been|i\s+was|i\s+been|feeling|"
    r"feel|felt|i\s*'?\s*d\s+say|i\s+would\s+say|doing|my\s+mood|mood\s*'?\s*s|mood\s+is|mood\s+was|"
    r"today\s*'?\s*s\s+been|today\s+was|today\s+is|tonight\s+is|it\s*'?\s*s\s+been|it\s+has\s+been|"
    r"it\s+was|it\s*'?\s*s|(?:it|today|that)\s+(?:wasn't|isn't)|i\s+(?:wasn't|haven't\s+been|hadn't\s+been)|this\s+week\s+(?:was|has\s+been)|things\s+are|things\s+have\s+been|"
    r"day\s+(?:was|has\s+been)|week\s+(?:was|has\s+been)|honestly|overall|mostly|still|pretty\s+much)\b"
)
_FILLERS = {"um", "uh", "erm", "hmm", "well", "honestly", "i", "guess", "think", "suppose", "just", "yeah", "so",
            "oh", "like", "today", "tonight", "right", "now", "mm", "mhm", "and", "but", "i'd", "say", "say,",
            "probably", "maybe", "kind", "of", "sort", "pretty", "really", "very", "a", "bit", "little", "feeling",
            "quite", "fairly", "bit,", "not", "at", "the", "moment", "i'm", "im", "am", "been", "it's", "its", "day"}


@dataclass(frozen=True)
class Mood:
    """A mood on a 1–10 scale (1 the lowest), with the words it was heard in."""

    value: int
    words: str
    kind: MoodKind


def _number(token: str) -> float:
    token = re.sub(r"\s+", " ", token.strip().lower())
    half = 0.0
    if token.endswith(" and a half"):
        token, half = token[: -len(" and a half")], 0.5
    value = float(_NUMBER_WORDS[token]) if token in _NUMBER_WORDS else float(token)
    return value + half


def _clamp(value: float) -> int:
    return max(1, min(10, int(math.floor(value + 0.5))))


def _normalise(text: str) -> str:
    text = text.replace("\u2019", "'").replace("\u2018", "'").replace("\u2013", "-").replace("\u2014", "-")
    return text.lower()


def _clause_before(text: str, start: int, words: int = 5) -> list[str]:
    """Up to `words` words before `start`, within the same clause (stops at . ! ? ; and 'but')."""
    head = re.split(r"[.!?;]|\bbut\b|\bno,|\bactually\b", text[:start])[-1]
    return re.findall(r"[a-z']+", head)[-words:]


def _blocked(before: list[str]) -> bool:
    """Negated, about someone else, or wished-for rather than felt."""
    if any(w in _NEGATORS or w.endswith("n't") for w in before[-3:]):
        return True
    near = before[-4:]
    if any(w in _THIRD_PERSON for w in near) and not any(w in {"i", "i'm", "im", "i'd", "i've", "me", "my"} for w in near):
        return True
    return _hypothetical(before)


def _hypothetical(before: list[str]) -> bool:
    return bool(_HYPOTHETICAL.search(" ".join(before[-4:])))


def _follower_ok(text: str, end: int) -> bool:
    rest = text[end:]
    if re.match(r"\s*(?:$|[.,!?;:)\"'-]|-?ish\b)", rest):
        return True
    following = re.match(r"\s*([a-z']+)", rest)
    return following is not None and following.group(1) in _FOLLOWERS


def _short_answer(text: str, span: tuple[int, int]) -> bool:
    """The mood phrase is (almost) all that was said: 'pretty low', 'honestly? meh'."""
    rest = (text[: span[0]] + " " + text[span[1] :]).lower()
    others = [w for w in re.findall(r"[a-z']+", rest) if w not in _FILLERS]
    return len(others) <= 1


_RANGE = re.compile(
    rf"(?:between\s+(?:an?\s+)?(?P<b1>{_NUM})\s+and\s+(?:an?\s+)?(?P<b2>{_NUM}))"
    rf"|(?:(?P<art>\ban?\s+)?(?P<r1>{_NUM})\s*(?:-|to|or|,?\s*maybe|,?\s*possibly|/)\s*(?:an?\s+)?(?P<r2>{_NUM})(?!\s*(?:/|out|over)\s*(?!10|ten)))"
)
_SINGLE = re.compile(
    rf"(?P<pre>\b(?:(?:{_APPROX})\s+)?(?:an?\s+)?)?(?P<n>\b{_NUM})\b(?P<ish>-?ish)?(?:\s*{_SCALE})?"
)


def _numeric(text: str, asked: bool) -> list[tuple[int, Mood]]:
    found: list[tuple[int, Mood]] = []
    taken: list[tuple[int, int]] = []
    for m in _RANGE.finditer(text):
        a, b = (m.group("b1"), m.group("b2")) if m.group("b1") else (m.group("r1"), m.group("r2"))
        low, high = _number(a), _number(b)
        if not (0 < high - low <= 2 and high <= 10) or ("/" in m.group(0) and high == 10):
            continue  # "7/10" is a score out of ten, not a range
        span = (m.start(), m.end())
        scaled = re.match(rf"\s*{_SCALE}", text[m.end() :])
        if scaled:
            span = (m.start(), m.end() + scaled.end())
        framed = bool(m.group("b1")) or bool(m.group("art")) or scaled is not None or asked or _short_answer(text, span)
        before = _clause_before(text, m.start())
        if not framed and before and re.search(rf"\b{_APPROX}$", " ".join(before)):
            framed = _short_answer(text, span) or bool(_FRAME.search(" ".join(before)))
        if not framed or not _follower_ok(text, span[1]) or _blocked(before):
            continue
        scale = _scale(scaled.group("scale")) if scaled else 10.0
        found.append((span[0], Mood(_clamp((low + high) / 2 * 10 / scale), text[span[0] : span[1]].strip(), "range")))
        taken.append(span)
    for m in _SINGLE.finditer(text):
        if any(s <= m.start("n") < e for s, e in taken):
            continue
        value = _number(m.group("n"))
        pre = (m.group("pre") or "").strip()
        scale_word = m.group("scale")
        article = bool(re.search(r"\ban?$", pre))
        before = _clause_before(text, m.start("n"))
        joined = " ".join(before)
        at_frame = bool(re.search(r"\b(?:i'm|im|i am|feel|feeling|sitting|hovering|i'd put (?:it|myself|today)|put me)\s+(?:at|around)$", joined))
        give = bool(re.search(r"\b(?:give|rate|rating|call|score|put)\b", joined))
        said_of_me = bool(re.search(  # "I'm about six", "I'd say six", "I feel like 6"
            r"\b(?:i'm|im|i am|i feel|i'm feeling|feeling|i'd say|i would say|my mood is|mood's|today's|today is)\s+"
            r"(?:(?:like|about|around|maybe|probably|roughly|honestly|just|only)\s+)*$", text[: m.start("n")]))
        approx = bool(re.search(rf"{_APPROX}$", pre)) or bool(re.search(rf"\b{_APPROX}$", joined))
        if scale_word:
            framed = True
        elif article:
            framed = True
        elif at_frame or give or said_of_me:
            framed = True
        elif asked:
            framed = True
        elif approx:
            framed = _short_answer(text, (m.start("n"), m.end()))
        else:
            framed = _short_answer(text, (m.start("n"), m.end())) and len(text.split()) <= 3 and value <= 10
        if not framed or value > 11 and not scale_word:
            continue
        if not scale_word and not _follower_ok(text, m.end()):
            continue
        scale = _scale(scale_word) if scale_word else 10.0
        words_start = m.start("pre") if pre else m.start("n")
        words = text[words_start : m.end()].strip()
        if re.search(r"\b(?:not\s+(?:even|quite)|barely|hardly|under|below|less\s+than)\s+$", text[:words_start]):
            lead = re.search(r"\b(?:not\s+(?:even|quite)|barely|hardly|under|below|less\s+than)\s+$", text[:words_start])
            words = text[lead.start() : m.end()].strip()
            found.append((lead.start(), Mood(_clamp(value * 10 / scale - 1), words, "number")))
            continue
        if _blocked(before):
            continue
        found.append((words_start, Mood(_clamp(value * 10 / scale), words, "number")))
    return found


def _scale(word: str) -> float:
    return _number(re.sub(r"^a\s+", "a ", word))


_LEXICON_RE = re.compile(
    r"\b(?P<neg>(?:not|never|n't|isn't|wasn't|ain't)\s+(?:(?:that|too|so|very|all\s+that|really|feeling|particularly|exactly|great\s+or)\s+)?)?"
    r"(?P<mod>(?:(?:a\s+)?(?:bit|little|tad)|really|very|so|super|extremely|incredibly|seriously|truly|totally|properly|"
    r"absolutely|genuinely|pretty|quite|kinda|kind\s+of|sort\s+of|sorta|somewhat|slightly|fairly|mildly|reasonably|"
    r"way|deeply|utterly)\s+)?"
    r"(?P<word>" + "|".join(sorted((re.escape(k).replace(r"\ ", r"[\s-]+") for k in _LEXICON), key=len, reverse=True)) + r")\b"
)

_RELATIVE = re.compile(
    r"(?P<neg>\b(?:not|no|isn't|wasn't)\s+(?:any\s+)?)?"
    r"(?P<mod>\b(?:much|a\s+lot|lots|way|loads|heaps|far|a\s+little|a\s+bit|slightly|somewhat|a\s+tad|kinda|kind\s+of)\s+)?"
    r"\b(?P<dir>better|worse)\b(?P<than>\s+than\s+(?:yesterday|last\s+(?:time|night|week|session)|before|usual|earlier|this\s+morning|i\s+was))?"
    r"|\b(?P<same>(?:about|pretty\s+much|roughly|more\s+or\s+less)?\s*(?:the\s+)?same(?:\s+as\s+(?:yesterday|last\s+(?:time|night|week|session)|before|usual|always|ever))?|no\s+different|no\s+change|unchanged)\b"
)


_BRIDGE = "a|an|the|feeling|feel|been|be|very|that|too|so|really|doing|having|had|exactly|particularly|all"


def _negated_before(before: list[str]) -> bool:
    """'wasn't a good day', "I'm not feeling good", "haven't been great": a negator just before."""
    words = list(before[-4:])
    while words and re.fullmatch(_BRIDGE, words[-1]):
        words.pop()
    return bool(words) and (words[-1] in _NEGATORS or words[-1].endswith("n't"))


def _word_moods(text: str, asked: bool) -> list[tuple[int, Mood]]:
    found = []
    for m in _LEXICON_RE.finditer(text):
        word = re.sub(r"[\s-]+", " ", m.group("word"))
        value = _LEXICON[word]
        if word == "better":
            continue  # handled as a change ("better than yesterday")
        after = re.match(r"\s*([a-z']+)", text[m.end() :])
        if after and after.group(1) in _NOT_A_MOOD_AFTER:
            continue
        if after and after.group(1) in {"morning", "night", "evening", "afternoon"} and not re.search(r"\ban?\s+\S*\s*$", text[: m.start()]):
            continue  # "good morning" is a greeting; "a good morning" is a mood
        if word in {"off", "down", "light", "hard", "well", "nice", "steady", "better", "still"} and after and after.group(1) not in _FOLLOWERS | {"day", "week", "night", "morning", "evening", "mood"}:
            continue
        before = _clause_before(text, m.start())
        joined = " ".join(before)
        framed = asked or _short_answer(text, (m.start(), m.end())) or bool(_FRAME.search(joined + " "))
        if not framed:
            continue
        if any(w in _THIRD_PERSON for w in before[-3:]) and not any(w in {"i", "i'm", "im", "me", "my"} for w in before[-3:]):
            continue
        negated = bool(m.group("neg")) or _negated_before(before)
        if _hypothetical(before):
            continue
        mod = (m.group("mod") or "").split()
        if word in {"not great", "not good", "not the best", "not bad"}:
            negated = False
        if negated and word in _NEGATED:
            value = _NEGATED[word]
        elif negated:
            value = 5 if value >= 9 else 4 if value >= 6 else 3 if value == 5 else 6 if value >= 3 else 5
        elif mod and mod[-1] in _STRONG:
            value = value + 1 if value > 5 else value - 1 if value < 5 else value
        elif mod and (mod[-1] in _WEAK or mod[-1] == "of"):
            value = value - 1 if value > 5 else value + 1 if value < 5 else value
        start = m.start()
        if negated and not m.group("neg"):
            lead = re.search(rf"(?:\b\w+n't|\bnot|\bnever|\bno)\s+(?:(?:{_BRIDGE})\s+){{0,3}}$", text[:start])
            start = lead.start() if lead else start
        found.append((start, Mood(_clamp(value), text[start : m.end()].strip(), "word")))
    return found


def _relative_moods(text: str, asked: bool, previous: int | None) -> list[tuple[int, Mood]]:
    found = []
    base = previous if previous is not None else 5
    for m in _RELATIVE.finditer(text):
        before = _clause_before(text, m.start())
        span = (m.start(), m.end())
        framed = asked or bool(m.group("than")) or _short_answer(text, span) or bool(_FRAME.search(" ".join(before) + " "))
        if not framed or (m.group("same") is not None and not m.group("same").strip()):
            continue
        if any(w in _THIRD_PERSON for w in before[-3:]) and not any(w in {"i", "i'm", "im", "me", "my"} for w in before[-3:]):
            continue
        if _hypothetical(before):
            continue
        after = re.match(r"\s*([a-z']+)", text[m.end() :])
        if after and after.group(1) in {"at", "off", "for", "to", "idea", "way", "choice", "person"}:
            continue
        words = text[span[0] : span[1]].strip()
        if m.group("same") and m.group("same").strip():
            value = base
        else:
            step = 1
            mod = (m.group("mod") or "").strip()
            if mod and mod.split()[-1] in {"much", "lot", "lots", "way", "loads", "heaps", "far"}:
                step = 2
            negated = bool(m.group("neg")) or bool(before and before[-1] in _NEGATORS | {"any"})
            if negated:
                value = base if m.group("dir") == "better" else base  # "not better", "no worse": about the same
            else:
                value = base + step if m.group("dir") == "better" else base - step
        found.append((span[0], Mood(_clamp(value), words, "relative")))
    return found


def parse_mood(text: str, *, asked: bool = False, previous: int | None = None) -> Mood | None:
    """The mood said in `text`, or None.

    `asked`: the person is answering a mood question, so a bare "six" or "low" counts.
    `previous`: their last recorded mood, for "better than yesterday" (else 5 is the baseline).
    A number said anywhere wins over words ("pretty low, maybe a three" is 3); words win over a
    change ("better than yesterday, but still low" is low); the last of a kind wins (corrections).
    """
    if not text or not text.strip():
        return None
    lowered = _normalise(text)
    for finder in (lambda: _numeric(lowered, asked), lambda: _word_moods(lowered, asked),
                   lambda: _relative_moods(lowered, asked, previous)):
        found = finder()
        if found:
            start, mood = max(found, key=lambda item: item[0])
            original = text[start : start + len(mood.words)] if len(text) == len(lowered) else mood.words
            return Mood(mood.value, original, mood.kind)
    return None


MOOD_QUESTION = "If you'd like to, how would you put your mood right now, from one to ten? It's fine to skip it."
