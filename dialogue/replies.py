"""Choosing what to say: a reviewed line from the repertoire, fitted with the person's own words.

One entry point, `Replier.compose(reading)`, turns the understanding layer's `Reading` into a
`ReplyPlan`: the sentences to say, where each came from, why, and whether the session ends.

Fixed policies come first, because they must never depend on a guess:
- closing ("good night", "I'm done for tonight", "stop") → a short warm goodbye that ends the session;
- "what are you?" → the plain AI disclosure (a shorter reminder if asked again);
- medication (dose, more, stopping, mixing) → `crisis.MEDICATION_LINE`, plus the risk sentence when
  the question is about more than prescribed or alcohol; never advice;
- asking for advice → reflect and ask what they have considered, no instructions;
- "what's wrong with me?", "is it my heart?" → no diagnosis: a doctor or their therapist can look at it (and urgent
  help if it is the chest or heart and severe), then an open question.

Everything else is motivational interviewing's OARS from `data/repertoire.toml`: a reflection,
an open question, an affirmation, a minimal encourager or a short summary, in varied shapes and
lengths. No line is said twice in a session, and lines said in recent sessions are avoided.
"""

from __future__ import annotations

import random
import re
import tomllib
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from .crisis import MEDICATION_LINE, MEDICATION_RISK
from .guard import ReplyGuard, normalise_sentence
from .honesty import DIAGNOSIS_BODY, DIAGNOSIS_BODY_LINE, DIAGNOSIS_LINE, DISCLOSURE
from .understanding import MEDICATION_RISK_WORDS, POSITIVE_FEELINGS, Reading, mentions_loss, names_medication

REPERTOIRE_PATH = Path(__file__).parent / "data" / "repertoire.toml"
KINDS = ("reflection", "question", "affirmation", "encourager", "summary")
RECENT_SESSIONS_LINES = 150  # lines remembered across sessions, to be avoided (not forbidden)
_SLOT = re.compile(r"\{(\w+)\}")
_CONDITION = re.compile(r"\{\?(\w+)\}\s*")
HEARD_TABLE = "heard"  # not a group: the word families a line can ask for with {?family}
# Conditions on the session rather than the words: {?fresh} nothing told yet this session, {?story} something told,
# {?returning} the person has talked before ("Hello again" on a first ever session is a small untruth).
# {?lost}: the {person} of this line is the one whose loss was told ("What was your grandad like?", never "What's a
# memory of your partner" to someone whose partner is alive).
SESSION_STATES = frozenset({"fresh", "story", "returning", "lost"})


@dataclass(frozen=True)
class Line:
    group: str
    kind: str
    template: str
    needs_heard: frozenset[str] = frozenset()  # word families the person must have used ({?body} in the file)

    @classmethod
    def parse(cls, group: str, kind: str, raw: str) -> "Line":
        return cls(group, kind, _CONDITION.sub("", raw), frozenset(_CONDITION.findall(raw)))

    @property
    def slots(self) -> frozenset[str]:
        return frozenset(s.lower() for s in _SLOT.findall(self.template))


class Repertoire:
    """The reviewed lines, by group (intent) and kind."""

    def __init__(self, groups: dict[str, dict[str, list[Line]]], heard: dict[str, re.Pattern] | None = None):
        self.groups = groups
        self.heard = heard or {}
        # Word triples few lines share ("is part of", "on your mind"): two lines built on one frame in a session sound
        # like a template, so such a triple already said this session counts against a line.
        counts: dict[tuple[str, ...], int] = {}
        for line in self.all_lines():
            for gram in set(_triples(normalise_sentence(_SLOT.sub(" ", line.template)))):
                counts[gram] = counts.get(gram, 0) + 1
        self.distinctive = {gram for gram, n in counts.items() if n <= DISTINCTIVE_MAX_LINES}
        unheard = [line.template for line in self.lines(SITUATION_GROUP, "reflection") + self.lines(SITUATION_GROUP, "question")
                   if not line.needs_heard - SESSION_STATES]
        if unheard:
            raise ValueError(f"[{SITUATION_GROUP}] lines must each name the telling they answer ({{?family}}): {unheard}")
        unknown = {f for line in self.all_lines() for f in line.needs_heard} - set(self.heard) - SESSION_STATES
        if unknown:
            raise ValueError(f"repertoire lines ask for word families that [{HEARD_TABLE}] does not define: {sorted(unknown)}")

    @classmethod
    def load(cls, path: Path = REPERTOIRE_PATH) -> "Repertoire":
        with open(path, "rb") as f:
            data = tomllib.load(f)
        heard = {name: re.compile(rf"\b({words})", re.I) for name, words in data.pop(HEARD_TABLE, {}).items()}
        groups = {
            group: {kind: [Line.parse(group, kind, t) for t in lines] for kind, lines in kinds.items()}
            for group, kinds in data.items()
        }
        return cls(groups, heard)

    def heard_in(self, line: Line, text: str, states: frozenset[str] = frozenset()) -> bool:
        """A line written for one kind of telling ("not knowing", a tight chest) only where it was told,
        and one written for a moment of the session only then."""
        return all(family in states if family in SESSION_STATES else bool(self.heard[family].search(text))
                   for family in line.needs_heard)

    def lines(self, group: str, kind: str) -> list[Line]:
        return self.groups.get(group, {}).get(kind, [])

    def all_lines(self) -> list[Line]:
        return [line for kinds in self.groups.values() for lines in kinds.values() for line in lines]


@dataclass(frozen=True)
class PlannedSentence:
    text: str
    source: str  # "repertoire" | "fixed" | "model"
    why: str


@dataclass
class ReplyPlan:
    sentences: list[PlannedSentence]
    ends_session: bool = False
    policy: str = ""  # closing | identity | medication | advice | "" (an ordinary OARS reply)

    @property
    def text(self) -> str:
        return " ".join(s.text for s in self.sentences)


# Shapes of an ordinary reply: which kinds, in order. Varied so replies differ in length.
_SHAPES: dict[str, list[tuple[tuple[str, ...], float]]] = {
    "default": [(("reflection", "question"), 0.45), (("reflection",), 0.22), (("question",), 0.13),
                (("encourager",), 0.08), (("affirmation", "question"), 0.12)],
    "mid_story": [(("reflection",), 0.45), (("encourager",), 0.35), (("reflection", "question"), 0.2)],
    "advice": [(("reflection", "question"), 0.6), (("question",), 0.25), (("encourager", "question"), 0.15)],
    "filler": [(("encourager",), 0.4), (("reflection", "question"), 0.3), (("question",), 0.3)],
    "good_news": [(("reflection", "question"), 0.4), (("affirmation", "question"), 0.35), (("reflection",), 0.25)],
    "gratitude": [(("reflection",), 0.55), (("reflection", "question"), 0.45)],
    "mood": [(("reflection", "question"), 0.6), (("question",), 0.4)],
}
_SHAPE_FOR = {"advice": "advice", "filler": "filler", "good_news": "good_news", "gratitude": "gratitude",
              "appreciation": "gratitude",
              "mood": "mood"}
_FALLBACK_GROUP = "encourager"
_THANKS = re.compile(r"\b(thank|thanks|cheers|ta|appreciate (it|you|this|that|the))\b", re.I)
_FEELING_GROUPS = {"sadness", "anxiety", "anger", "loneliness", "grief", "shame", "conflict"}
# Lines for what the person described rather than how they feel (money at night, caring for someone, an ending, a
# workload, effort put in): each says one thing they told, so any ordinary reply may use it where it was told.
SITUATION_GROUP = "situation"
_SITUATED_GROUPS = _FEELING_GROUPS | {"telling"}
_GREETING = re.compile(r"^\W*(hi|hello|hey|hiya|evening|good (evening|morning|afternoon)|morning)\b( (again|there|stillpoint|you))*\W*$", re.I)
THEME_KEPT_SCORE = 0.25  # the classifier's score for the session's feeling that keeps a plain telling in it
DISTINCTIVE_MAX_LINES = 8  # a word triple in at most this many lines is a frame ("is part of"), not a common opening
_SAME_FRAME_PENALTY = 2.5
_HEARD_WEIGHT = 2.0  # a line written for what they just described fits better than a general one, or a name echoed
# Families that only allow a line (something happened, a day was told, someone close was named) say little about what
# was told: a line they allow is not preferred for it, or "That stayed with you" outranks "That's a lot of yourself
# to have put into it" for "I spent two weeks on that report".
_GATE_FAMILIES = {"past", "day", "close"}
_GATE_WEIGHT = 0.2
# Lines carrying the person's words are preferred; a whole clause echoed back less so (it can sound mechanical).
_SLOT_WEIGHT = {"person": 1.5, "topic": 1.2, "feeling": 1.5, "phrase": 0.4, "topics": 1.0}


_TOPIC_QUESTION_WEIGHT = 0.5  # "What stood out most about the car?": a thing named in passing is a poor thing to ask about


def _slot_weight(slot: str, kind: str) -> float:
    """How much a line carrying this slot is preferred. A question about {topic} less than a reflection of it: the
    first thing named is often incidental ("sat in the car", "in the library"), and a question stakes the next turn on it."""
    return _TOPIC_QUESTION_WEIGHT if slot == "topic" and kind == "question" else _SLOT_WEIGHT.get(slot, 1.0)


def _join(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


@dataclass
class SessionMemory:
    """What this session has already said and heard, for variety and for summaries."""

    said: set[str] = field(default_factory=set)  # normalised sentences said this session
    topics: list[str] = field(default_factory=list)  # content phrases the person named, in order
    loss_named: bool = False
    lost: set[str] = field(default_factory=set)  # people named in the words that told of a loss ("my grandad died")
    identity_told: bool = False
    medication_told: bool = False
    medication_named: bool = False  # a medicine came up this session (follow-ups about "it" count)
    summarised: bool = False
    turns: int = 0
    last_had_question: bool = False
    theme: str | None = None  # the feeling the session has been about (grief, anxiety, ...)
    theme_turn: int = 0


class Replier:
    """Composes replies from the repertoire; one per companion, `begin_session` between sessions."""

    def __init__(self, repertoire: Repertoire | None = None, *, seed: int | None = None,
                 recent_lines: Iterable[str] = ()):
        self.repertoire = repertoire or Repertoire.load()
        self.rng = random.Random(seed)
        self.recent: deque[str] = deque(recent_lines, maxlen=RECENT_SESSIONS_LINES)
        self.session = SessionMemory()
        self._last_slots: set[str] = set()

    def begin_session(self, recent_lines: Iterable[str] | None = None) -> None:
        if recent_lines is not None:
            self.recent = deque(recent_lines, maxlen=RECENT_SESSIONS_LINES)
        self.session = SessionMemory()

    def remember_said(self, texts: Iterable[str]) -> None:
        """Sentences said this session by anyone's choosing (fixed lines, model text) count too."""
        for text in texts:
            self.session.said.add(normalise_sentence(text))

    # -- the one entry point -------------------------------------------------------------------
    def compose(self, reading: Reading) -> ReplyPlan:
        s = self.session
        s.turns += 1
        s.loss_named = s.loss_named or reading.loss
        if reading.loss:
            s.lost.update(reading.people)
        s.medication_named = s.medication_named or names_medication(reading.text)
        if reading.topic and reading.topic not in s.topics and reading.intent not in {"closing", "identity", "filler"}:
            s.topics.append(reading.topic)
        return self._policy(reading) or self._ordinary(reading)

    def noted(self, user_text: str) -> None:
        """What the person said, whoever answered it (safety too): a medicine or a loss named."""
        self.session.loss_named = self.session.loss_named or mentions_loss(user_text)
        self.session.medication_named = self.session.medication_named or names_medication(user_text)

    def said(self, sentences: Iterable[PlannedSentence]) -> None:
        """Record what was actually said (the plan, or the model's words instead of it)."""
        sentences = list(sentences)
        self.remember_said(p.text for p in sentences)
        self.recent.extend(p.text for p in sentences if p.source == "repertoire")
        self.session.last_had_question = any("?" in p.text for p in sentences)

    # -- fixed policies ------------------------------------------------------------------------
    def _policy(self, reading: Reading) -> ReplyPlan | None:
        s = self.session
        why = f"{reading.intent} ({reading.why})"
        if reading.intent == "closing":
            line = self._pick([("closing", "reflection")], reading) or "Good night. Take care."
            return ReplyPlan([PlannedSentence(line, "fixed", f"closing: ends the session; {why}")], True, "closing")
        if reading.intent == "identity":
            if not s.identity_told:
                s.identity_told = True
                parts = re.split(r"(?<=\.) ", DISCLOSURE)
                return ReplyPlan([PlannedSentence(p, "fixed", f"honest disclosure; {why}") for p in parts],
                                 policy="identity")
            line = self._pick([("identity_again", "reflection")], reading) or "I'm an AI, not a person."
            return ReplyPlan([PlannedSentence(line, "fixed", f"disclosure again, shorter; {why}")], policy="identity")
        if reading.intent == "diagnosis":
            first = (DIAGNOSIS_LINE if normalise_sentence(DIAGNOSIS_LINE) not in s.said  # asked again: said more briefly
                     else self._pick([("diagnosis_again", "reflection")], reading))
            body = DIAGNOSIS_BODY.search(reading.text) and normalise_sentence(DIAGNOSIS_BODY_LINE) not in s.said
            planned = [PlannedSentence(line, "fixed", f"diagnosis asked: none given, a doctor named; {why}")
                       for line in (first, DIAGNOSIS_BODY_LINE if body else None) if line]
            question = self._pick([("diagnosis", "question")], reading)
            if question:
                planned.append(PlannedSentence(question, "repertoire", f"diagnosis → diagnosis/question; {why}"))
            return ReplyPlan(planned or [PlannedSentence("I'm here, and I'm listening.", "fixed", why)], policy="diagnosis")
        if reading.intent == "opinion":  # no verdict either way: what it weighs, and what they make of it
            return ReplyPlan(self._shape(reading, ("opinion", ("reflection", "question")), "asked to judge: no verdict"),
                             policy="opinion")
        if reading.intent == "medication":
            risky = bool(MEDICATION_RISK_WORDS.search(reading.text))
            if not s.medication_told and normalise_sentence(MEDICATION_LINE) not in s.said:  # (safety may have said it)
                s.medication_told = True
                lines = [MEDICATION_LINE] + ([MEDICATION_RISK] if risky else [])
                return ReplyPlan([PlannedSentence(l, "fixed", f"medication: fixed line, no advice; {why}") for l in lines],
                                 policy="medication")
            line = self._pick([("medication_again", "reflection")], reading)
            lines = [line or MEDICATION_LINE] + ([MEDICATION_RISK] if risky and normalise_sentence(MEDICATION_RISK) not in s.said else [])
            return ReplyPlan([PlannedSentence(l, "fixed", f"medication again: pharmacist or prescriber; {why}") for l in lines],
                             policy="medication")
        if reading.dismissal and reading.intent in {"filler", "telling", "closing"} and len(reading.text.split()) <= 8:
            return ReplyPlan(self._shape(reading, ("dismissal", ("reflection", "question")), "dismissal"), policy="dismissal")
        return None

    # -- ordinary replies ----------------------------------------------------------------------
    def _ordinary(self, reading: Reading) -> ReplyPlan:
        s = self.session
        group = reading.intent
        if group == "grief" and not s.loss_named:
            group = "sadness"  # condolence only where a loss was named
        if group == "gratitude" and not _THANKS.search(reading.text):
            group = "appreciation"  # grateful for someone or something, not thanking the companion
        if group in _FEELING_GROUPS - {"conflict"}:
            s.theme, s.theme_turn = group, s.turns
        elif group == "telling" and s.theme and s.turns - s.theme_turn <= 3 and not reading.confidence >= 0.6 and \
                (reading.scores.get(s.theme, 0.0) >= THEME_KEPT_SCORE or (s.theme == "grief" and s.loss_named)):
            # still on the same hard thing: stay with it rather than turn generic; but only while the words still lean
            # that way ("I spent two weeks on that report" after a shame-read line is no more shame)
            group = s.theme
        if group == "breathe":
            group = "encourager"
        if _GREETING.match(reading.text) and group in {"filler", "telling", "gratitude"}:
            return ReplyPlan(self._shape(reading, ("greeting", ("question",)), "a greeting"))
        if group == "filler" and len(s.topics) >= 2 and s.turns >= 4 and not s.summarised:
            s.summarised = True
            return ReplyPlan(self._shape(reading, ("summary", ("reflection",)), "summary after 'I don't know'"))
        if group == "advice":
            kinds = self._choose_shape("advice")
            return ReplyPlan(self._shape(reading, (group, kinds), "advice asked: reflect, ask what they've considered"),
                             policy="advice")
        mid_story = group == "telling" and len(reading.text.split()) >= 25
        shape_name = "mid_story" if mid_story else _SHAPE_FOR.get(group, "default")
        kinds = self._choose_shape(shape_name)
        return ReplyPlan(self._shape(reading, (group, kinds), f"shape {shape_name}"))

    def _choose_shape(self, name: str) -> tuple[str, ...]:
        shapes = _SHAPES[name]
        if self.session.last_had_question and self.rng.random() < 0.4:
            without = [(k, w) for k, w in shapes if "question" not in k]
            shapes = without or shapes
        kinds, weights = zip(*shapes)
        return self.rng.choices(kinds, weights=weights)[0]

    def _shape(self, reading: Reading, spec: tuple[str, tuple[str, ...]], note: str) -> list[PlannedSentence]:
        group, kinds = spec
        out: list[PlannedSentence] = []
        guard = ReplyGuard(user_text=reading.text, said_this_session=self.session.said, loss_named=self.session.loss_named)
        used_slots: set[str] = set()
        for kind in kinds:
            places = [(group, kind)] + ([(SITUATION_GROUP, kind)] if group in _SITUATED_GROUPS else [])
            line = self._pick(places, reading, guard, avoid_slots=used_slots,
                              avoid_frames={g for p in out for g in _triples(normalise_sentence(p.text))})
            if line is None and kind == "encourager":
                line = self._pick([(_FALLBACK_GROUP, "reflection")], reading, guard)
            if line is None:
                continue
            guard.accept(line)
            used_slots |= self._last_slots
            if reading.person and reading.person == reading.topic and used_slots & {"person", "topic"}:
                used_slots |= {"person", "topic"}  # the same words either way: "…by your boss. What about your boss…"
            out.append(PlannedSentence(line, "repertoire", f"{reading.intent} ({reading.why}) → {group}/{kind}; {note}"))
        if not out:  # every line used up: a minimal encourager, then the generic groups
            for g, k in ((_FALLBACK_GROUP, "reflection"), ("telling", "question"), ("filler", "question")):
                line = self._pick([(g, k)], reading, guard)
                if line:
                    out.append(PlannedSentence(line, "repertoire", f"{reading.intent} → {g}/{k}; fallback, lines used up"))
                    break
        if not out:
            out.append(PlannedSentence("I'm here, and I'm listening.", "fixed", "every line already said"))
        return out

    def _fill(self, line: Line, reading: Reading) -> str | None:
        feeling = reading.feeling
        if feeling and (feeling in POSITIVE_FEELINGS) != (line.group in {"good_news", "gratitude"}):
            feeling = None  # "feeling lighter like that can make everything heavier" must never happen
        values = {
            "person": reading.person,
            "topic": reading.topic,
            "feeling": feeling,
            "phrase": reading.phrase,
            "topics": _join(self.session.topics[-3:]) if len(self.session.topics) >= 2 else None,
        }
        if any(not values.get(slot) for slot in line.slots) or \
                not self.repertoire.heard_in(line, reading.text, self._session_states(reading)):
            return None
        text = line.template
        for slot, value in values.items():
            if value:
                if _plural(value):  # "your kids are", not "your kids is": the lines are written for one person or thing
                    text = re.sub(r"(\{" + slot + r"\} )(" + "|".join(_PLURAL_FORMS) + r")\b",
                                  lambda m: m.group(1) + _PLURAL_FORMS[m.group(2)], text)
                text = text.replace("{" + slot + "}", value).replace("{" + slot.capitalize() + "}", value[0].upper() + value[1:])
        return text

    def _session_states(self, reading: Reading) -> frozenset[str]:
        told = bool(self.session.topics) or self.session.turns > 2
        return frozenset({"story" if told else "fresh"} | ({"returning"} if self.recent else set())
                         | ({"lost"} if reading.person and reading.person in self.session.lost else set()))

    def _pick(self, places: list[tuple[str, str]], reading: Reading, guard: ReplyGuard | None = None,
              avoid_slots: set[str] = frozenset(), avoid_frames: set[tuple[str, ...]] = frozenset()) -> str | None:
        """The best unused line: ones carrying the person's words first, recent-session lines last,
        and not the same words twice in one reply ("your boss … your boss", "… on your mind tonight. What part of
        that is still on your mind?": `avoid_frames` are the word triples already in this reply)."""
        candidates = []
        recent = {normalise_sentence(t) for t in self.recent}
        frames_said = {g for said in self.session.said for g in _triples(said)} & self.repertoire.distinctive
        for group, kind in places:
            for line in self.repertoire.lines(group, kind):
                text = self._fill(line, reading)
                if text is None:
                    continue
                norm = normalise_sentence(text)
                if norm in self.session.said:
                    continue
                if guard is not None and not guard.check(text, reviewed=True).ok:
                    continue
                score = (sum(_slot_weight(slot, line.kind) for slot in line.slots) + sum(_GATE_WEIGHT if f in _GATE_FAMILIES else _HEARD_WEIGHT for f in line.needs_heard)
                         - (3.0 if norm in recent else 0.0) + self.rng.random())
                if line.slots & avoid_slots or avoid_frames.intersection(_triples(norm)):
                    score -= 5.0
                if frames_said.intersection(_triples(norm)):
                    score -= _SAME_FRAME_PENALTY
                candidates.append((score, text, line.slots))
        if not candidates:
            return None
        best = max(candidates, key=lambda c: c[0])
        self._last_slots = set(best[2])
        return best[1]


_PLURAL_FORMS = {"is": "are", "has": "have", "was": "were", "seems": "seem", "sounds": "sound", "matters": "matter",
                 "means": "mean", "feels": "feel"}
_SINGULAR_S = {"boss", "class", "news", "stress", "mess", "business", "illness", "address", "glass", "bus", "this", "is",
               "his", "its", "was", "us", "less", "process", "focus", "crisis", "progress", "fitness", "loneliness"}


def _triples(normalised: str) -> list[tuple[str, ...]]:
    words = normalised.split()
    return [tuple(words[i:i + 3]) for i in range(len(words) - 2)]


def _plural(value: str) -> bool:
    """A slot value that takes a plural verb: "your kids", "your mum and dad" (not "your boss", "the news")."""
    words = value.lower().strip(".,!? ").split()
    if not words:
        return False
    last = words[-1]
    plural_s = len(last) > 3 and last.endswith("s") and not last.endswith("ss") and last not in _SINGULAR_S
    return "and" in words or plural_s or last in {"people", "children", "men", "women", "folks"}
